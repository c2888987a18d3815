# -*- test-case-name: mimic.test.test_control -*-
"""
The control API, mounted at ``/mimic``: what a test suite uses to drive
Mimic rather than the mocked cloud.

* ``GET /mimic/v1.1/clock``, ``POST /mimic/v1.1/tick``: Mimic's time,
  what is due to happen, and ticks by an amount or until it has;
* ``/mimic/v1.1/<service>/behaviors/<event>[/<id>]``: register, list,
  read and delete known error conditions (the old mimic's paths and
  bodies, plus listing and reading);
* ``GET /mimic/v1.1/failures``: the catalogue of every known error
  condition; ``GET /mimic/v1.0/presets``: the old mimic's metadata keys;
* ``POST /mimic/v1.1/reset`` and ``GET /mimic/v1.1/state``.

It changes services' behaviour only through the core's failure engine and
state store, never by reaching into a service.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.control import behaviors, clients, known_conditions
from mimic.control import clock as time_control
from mimic.control import config as configuration
from mimic.control import coverage as fault_coverage
from mimic.control import journal as request_journal
from mimic.control import state as state_dump
from mimic.control import resources as service_resources
from mimic.control.errors import control_error
from mimic.control.snapshots import SnapshotShelf
from mimic.core import MimicCore
from mimic.http import (
    RawBody,
    base_url,
    handle_errors,
    json_response,
    query_arg,
    read_json,
    require_object,
)


class ControlAPI:
    app = Klein()
    handle_errors(
        app,
        control_error,
        not_found="The control API has nothing at {path}; GET /mimic/v1.1 lists what it has.",
        not_allowed="{method} is not allowed on {path}.",
    )

    def __init__(self, core: MimicCore) -> None:
        self.core = core
        self.snapshots = SnapshotShelf()

    # Discovery.

    @app.route("/", methods=["GET"])
    @app.route("/v1.1", methods=["GET"])
    @app.route("/v1.1/", methods=["GET"])
    def index(self, request: IRequest) -> bytes:
        """
        What the control API offers, so that it can be explored with curl.
        """
        root = base_url(request) + "/mimic"
        return json_response(
            request,
            {
                "clock": f"GET {root}/v1.1/clock[?limit=...&tenant_id=...] (the time and what is pending)",
                "tick": f'POST {root}/v1.1/tick {{"amount": <seconds>}} | {{"until": "next" | "idle"}}',
                "failures": f"GET {root}/v1.1/failures",
                "behaviors": f"GET {root}/v1.1/behaviors",
                "resources": f"GET {root}/v1.1/resources/<service>/<region>/<tenant_id>/<path>",
                "register": f"POST {root}/v1.1/<service>/behaviors/<event>",
                "presets": f"GET {root}/v1.0/presets",
                "reset": f'POST {root}/v1.1/reset [{{"tenant_id": ...}}]',
                "state": f"GET {root}/v1.1/state[?tenant_id=...]",
                "snapshots": f'POST {root}/v1.1/snapshots {{"name": ...}}; POST {root}/v1.1/snapshots/<name>/restore',
                "clouds.yaml": f"GET {root}/v1.1/clouds.yaml[?format=env]",
                "requests": f"GET {root}/v1.1/requests[?service=&tenant_id=&method=&path=&status=&condition=&since=]",
                "coverage": f"GET {root}/v1.1/failures/coverage[?format=text]",
                "config": f"GET {root}/v1.1/config",
            },
        )

    # Time, and the clock's pending events and tick until (see
    # mimic/control/clock.py).

    def _clock_json(self) -> dict[str, Any]:
        return time_control.clock_json(self.core)

    @app.route("/v1.1/clock", methods=["GET"])
    def clock(self, request: IRequest) -> bytes:
        """
        The time, and what is due to happen (first ``limit``, by time).
        """
        limit = time_control.parse_limit(query_arg(request, "limit"))
        return json_response(request, time_control.describe(self.core, query_arg(request, "tenant_id") or None, limit))

    @app.route("/v1.1/tick", methods=["POST"])
    def tick(self, request: IRequest) -> bytes:
        """
        Advance the clock by ``amount`` seconds, or ``until`` the next
        pending transition or until none is pending, firing every timed
        transition that falls due on the way.
        """
        body = require_object(read_json(request, control_error), "body", control_error)
        asked = time_control.parse_tick(body)
        limit = time_control.parse_limit(query_arg(request, "limit"))
        tenant_id = query_arg(request, "tenant_id") or None
        return json_response(request, time_control.tick(self.core, asked, tenant_id, limit))

    # The request journal (see mimic/control/journal.py).

    @app.route("/v1.1/requests", methods=["GET"])
    def requests(self, request: IRequest) -> bytes:
        """
        The requests Mimic answered, oldest first, filtered.
        """
        return json_response(request, request_journal.listing(self.core.journal, request.args))

    @app.route("/v1.1/requests/count", methods=["GET"])
    def count_requests(self, request: IRequest) -> bytes:
        return json_response(request, request_journal.counting(self.core.journal, request.args))

    @app.route("/v1.1/requests", methods=["DELETE"])
    def clear_requests(self, request: IRequest) -> bytes:
        self.core.journal.clear()
        return json_response(request, None, 204)

    # The catalogue.

    @app.route("/v1.1/failures", methods=["GET"])
    def failures(self, request: IRequest) -> bytes:
        """
        Every known error condition of every loaded service.
        """
        return json_response(
            request, known_conditions.catalogue_json(self.core.failures.events(), base_url(request))
        )

    @app.route("/v1.1/failures/<service>", methods=["GET"])
    def service_failures(self, request: IRequest, service: str) -> bytes:
        service = behaviors.service_name(service)
        events = [e for e in self.core.failures.events() if e.service == service]
        if not events:
            raise control_error(
                404,
                f"No service {service!r} declares known error conditions; services that do: "
                f"{', '.join(self.core.failures.services())}.",
            )
        return json_response(request, known_conditions.catalogue_json(events, base_url(request)))

    @app.route("/v1.0/presets", methods=["GET"])
    def presets(self, request: IRequest) -> bytes:
        """
        The old mimic's list of metadata keys that trigger failures.
        """
        return json_response(request, known_conditions.presets(self.core.failures.events()))

    # Registrations.

    @app.route("/v1.1/behaviors", methods=["GET"])
    def all_behaviors(self, request: IRequest) -> bytes:
        return json_response(
            request, behaviors.listing(self.core.failures.registrations(), base_url(request))
        )

    @app.route("/v1.1/behaviors", methods=["DELETE"])
    def delete_all_behaviors(self, request: IRequest) -> bytes:
        self.core.failures.clear()
        return json_response(request, None, 204)

    @app.route("/v1.1/<service>/behaviors", methods=["GET"])
    @app.route("/v1.1/<service>/behaviors/", methods=["GET"])
    def service_behaviors(self, request: IRequest, service: str) -> bytes:
        service = behaviors.service_name(service)
        if service not in self.core.failures.services():
            raise control_error(
                404,
                f"No service {service!r} declares known error conditions; services that do: "
                f"{', '.join(self.core.failures.services())}.",
            )
        registrations = [r for r in self.core.failures.registrations() if r.event.service == service]
        return json_response(request, behaviors.listing(registrations, base_url(request)))

    @app.route("/v1.1/<service>/behaviors/<event>", methods=["POST"])
    @app.route("/v1.1/<service>/behaviors/<event>/", methods=["POST"])
    def register(self, request: IRequest, service: str, event: str) -> bytes:
        """
        Register a condition for an event: 201 with the registration's id
        and its ``Location``.
        """
        found = behaviors.find_event(self.core.failures, service, event, 400)
        body = read_json(request, control_error)
        registration = behaviors.register(self.core.failures, found, body)
        location = base_url(request) + behaviors.registration_path(registration)
        described = behaviors.registration_json(registration, base_url(request))
        return json_response(request, described, 201, {b"location": location.encode("utf-8")})

    @app.route("/v1.1/<service>/behaviors/<event>", methods=["GET"])
    @app.route("/v1.1/<service>/behaviors/<event>/", methods=["GET"])
    def event_behaviors(self, request: IRequest, service: str, event: str) -> bytes:
        found = behaviors.find_event(self.core.failures, service, event, 404)
        return json_response(
            request, behaviors.listing(self.core.failures.registrations(found), base_url(request))
        )

    @app.route("/v1.1/<service>/behaviors/<event>/<registration_id>", methods=["GET"])
    def get_behavior(self, request: IRequest, service: str, event: str, registration_id: str) -> bytes:
        registration = behaviors.find_registration(self.core.failures, service, event, registration_id)
        return json_response(
            request, {"behavior": behaviors.registration_json(registration, base_url(request))}
        )

    @app.route("/v1.1/<service>/behaviors/<event>/<registration_id>", methods=["DELETE"])
    def delete_behavior(self, request: IRequest, service: str, event: str, registration_id: str) -> bytes:
        registration = behaviors.find_registration(self.core.failures, service, event, registration_id)
        self.core.failures.remove(registration.id)
        return json_response(request, None, 204)

    # Fault coverage (see mimic/control/coverage.py).

    @app.route("/v1.1/failures/coverage", methods=["GET"])
    def coverage(self, request: IRequest) -> bytes:
        """
        Every known condition, how often it was registered and fired.
        """
        form, services = fault_coverage.parse_args(request.args, self.core.failures.services())
        described = fault_coverage.report(self.core.coverage, self.core.failures.events(), services)
        if form == "text":
            table = fault_coverage.text_table(described).encode("utf-8")
            return json_response(request, RawBody(table, b"text/plain; charset=utf-8"))
        return json_response(request, described)

    @app.route("/v1.1/failures/coverage", methods=["DELETE"])
    def clear_coverage(self, request: IRequest) -> bytes:
        self.core.coverage.clear()
        return json_response(request, None, 204)

    # Snapshots (see mimic/control/snapshots.py).

    def _snapshot_location(self, request: IRequest, name: str) -> dict[bytes, bytes]:
        return {b"location": f"{base_url(request)}/mimic/v1.1/snapshots/{name}".encode("utf-8")}

    @app.route("/v1.1/snapshots", methods=["POST"])
    def take_snapshot(self, request: IRequest) -> bytes:
        snapshot = self.snapshots.take(self.core, read_json(request, control_error))
        headers = self._snapshot_location(request, snapshot.name)
        return json_response(request, {"snapshot": snapshot.to_json()}, 201, headers)

    @app.route("/v1.1/snapshots", methods=["GET"])
    def list_snapshots(self, request: IRequest) -> bytes:
        return json_response(request, {"snapshots": [s.to_json() for s in self.snapshots.listing()]})

    @app.route("/v1.1/snapshots/<name>", methods=["GET"])
    def get_snapshot(self, request: IRequest, name: str) -> bytes:
        return json_response(request, {"snapshot": self.snapshots.find(name).to_json()})

    @app.route("/v1.1/snapshots/<name>", methods=["DELETE"])
    def delete_snapshot(self, request: IRequest, name: str) -> bytes:
        self.snapshots.delete(name)
        return json_response(request, None, 204)

    @app.route("/v1.1/snapshots/<name>/restore", methods=["POST"])
    def restore_snapshot(self, request: IRequest, name: str) -> bytes:
        return json_response(request, self.snapshots.restore(self.core, name))

    # clouds.yaml and the client environment (see mimic/control/clients.py).

    @app.route("/v1.1/clouds.yaml", methods=["GET"])
    def clouds_yaml(self, request: IRequest) -> bytes:
        """
        A ``clouds.yaml`` for this Mimic (``?format=env``: ``export OS_...``
        lines), optionally for ``?username=`` and ``?region=``.
        """
        chosen = query_arg(request, "format") or "yaml"
        if chosen not in clients.FORMATS:
            raise control_error(
                400, f"Unknown format {chosen[:40]!r}; say one of: {', '.join(clients.FORMATS)}."
            )
        try:
            username = clients.check_name(query_arg(request, "username"), "username", clients.DEFAULT_USERNAME)
            region = clients.check_name(query_arg(request, "region"), "region", self.core.profile.regions[0])
        except clients.BadClientQuery as e:
            raise control_error(400, str(e))
        write = clients.clouds_yaml if chosen == "yaml" else clients.environment
        content_type = b"text/yaml; charset=utf-8" if chosen == "yaml" else b"text/plain; charset=utf-8"
        request.setHeader(b"content-type", content_type)
        return write(base_url(request), username, region).encode("utf-8")

    # The configuration in effect (see mimic/control/config.py).

    @app.route("/v1.1/config", methods=["GET"])
    def config(self, request: IRequest) -> bytes:
        return json_response(request, configuration.config_json(self.core))

    # Reset and state.

    @app.route("/v1.1/reset", methods=["POST"])
    def reset(self, request: IRequest) -> bytes:
        """
        Forget everything (users, tokens, every service's resources and
        every registration), or with ``{"tenant_id": ...}`` one tenant's
        user, tokens and resources.  The clock is not turned back.
        """
        body = read_json(request, control_error, required=False)
        tenant_id = query_arg(request, "tenant_id") or None
        if body is not None:
            body = require_object(body, "body", control_error)
            unknown = sorted(set(body) - {"tenant_id"})
            if unknown:
                raise control_error(400, f"Unknown field(s) {', '.join(unknown)}; reset takes only 'tenant_id'.")
            if "tenant_id" in body:
                tenant_id = body["tenant_id"]
                if not isinstance(tenant_id, str) or not tenant_id:
                    raise control_error(400, "'tenant_id' must be a non-empty string.")
        self.core.reset(tenant_id)
        return json_response(request, {"reset": "tenant" if tenant_id else "all", "tenant_id": tenant_id})

    @app.route("/v1.1/state", methods=["GET"])
    def state(self, request: IRequest) -> bytes:
        """
        What Mimic holds: the clock, tenants, each service's resources per
        tenant and region, and the live registrations.
        """
        dump = state_dump.dump(self.core, query_arg(request, "tenant_id") or None, base_url(request))
        dump["clock"] = self._clock_json()
        return json_response(request, dump)

    # A service's own GET for a tenant, without its token: the
    # dashboard's links to each resource's JSON (see
    # mimic/control/resources.py).

    @app.route("/v1.1/resources/<service>/<region>/<tenant_id>", methods=["GET"], branch=True)
    def service_resource(self, request: IRequest, service: str, region: str, tenant_id: str) -> Any:
        return service_resources.service_resource(self.core, request, service, region, tenant_id)
