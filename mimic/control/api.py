# -*- test-case-name: mimic.test.test_control -*-
"""
The control API, mounted at ``/mimic``: what a test suite uses to drive
Mimic rather than the mocked cloud.

* ``GET /mimic/v1.1/clock``, ``POST /mimic/v1.1/tick``: Mimic's time;
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

from datetime import datetime, timezone
from typing import Any

from klein import Klein
from twisted.internet.task import Clock
from twisted.web.iweb import IRequest

from mimic.control import behaviors, known_conditions
from mimic.control import config as configuration
from mimic.control import state as state_dump
from mimic.control.errors import control_error
from mimic.core import MimicCore, advance_clock
from mimic.http import (
    base_url,
    handle_errors,
    json_response,
    query_arg,
    read_json,
    require_object,
)
from mimic.timestamps import iso_microseconds

#: The latest time Mimic's clock may be moved to: far enough to expire
#: anything, early enough that every time derived from it (a token's
#: expiry a day later, say) can still be written as a date.
LATEST_TIME = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()

REALTIME_TICK = (
    "Mimic was started with --realtime: its clock is the real one and "
    "cannot be advanced.  Restart it without --realtime to control time."
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
                "clock": f"GET {root}/v1.1/clock",
                "tick": f'POST {root}/v1.1/tick {{"amount": <seconds>}}',
                "failures": f"GET {root}/v1.1/failures",
                "behaviors": f"GET {root}/v1.1/behaviors",
                "register": f"POST {root}/v1.1/<service>/behaviors/<event>",
                "presets": f"GET {root}/v1.0/presets",
                "reset": f'POST {root}/v1.1/reset [{{"tenant_id": ...}}]',
                "state": f"GET {root}/v1.1/state[?tenant_id=...]",
                "config": f"GET {root}/v1.1/config",
            },
        )

    # Time.

    def _clock_json(self) -> dict[str, Any]:
        now = self.core.clock.seconds()
        return {
            "now": iso_microseconds(now),
            "seconds": now,
            "realtime": not self.core.advanceable,
        }

    @app.route("/v1.1/clock", methods=["GET"])
    def clock(self, request: IRequest) -> bytes:
        return json_response(request, self._clock_json())

    @app.route("/v1.1/tick", methods=["POST"])
    def tick(self, request: IRequest) -> bytes:
        """
        Advance the clock by ``amount`` seconds, firing every timed
        transition that falls due on the way.
        """
        body = require_object(read_json(request, control_error), "body", control_error)
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not amount >= 0:
            raise control_error(400, "'amount' must be a non-negative number of seconds.")
        clock = self.core.clock
        if not isinstance(clock, Clock):
            raise control_error(400, REALTIME_TICK)
        if clock.seconds() + amount > LATEST_TIME:
            raise control_error(
                400,
                f"'amount' {amount!r} would move the clock past the year 9000; "
                "Mimic cannot show times that late.",
            )
        advance_clock(clock, amount)
        return json_response(request, {"advanced": amount, **self._clock_json()})

    # The clock's pending events and tick until (see mimic/control/clock.py).

    # The request journal (see mimic/control/journal.py).

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

    # Snapshots (see mimic/control/snapshots.py).

    # clouds.yaml and the client environment (see mimic/control/clients.py).

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
