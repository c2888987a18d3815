# -*- test-case-name: mimic.test.test_legacy_control -*-
"""
The old mimic's ``cloudServersBehavior`` catalog entry: compute's
control endpoint in each region, at ``.../v2/<tenant_id>``.

* ``/behaviors/<event>``: register compute's known error conditions for
  this tenant and region (served by :mod:`mimic.control.legacy`, which
  hands the other paths to this module's app); ``creation``,
  ``deletion`` and ``action`` are the old names of its events;
* ``POST /attributes`` with ``{"status": {"<server id>": "ERROR", ...}}``
  sets servers' statuses at once (``201``, no body), as a test does to
  see how its code copes with a server that broke after it was built.
  The old mimic answered ``400`` without changing anything when one of
  the ids named no server; so does this.

:class:`ComputeControlAPI` sees the paths below ``v2/<tenant_id>``, the
tenant already checked, and answers errors in the control plane's
``{"message", "code"}`` shape.
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import handle_errors, json_response, plain_error, read_json, require_object
from mimic.interfaces import IMimicCore
from mimic.services.compute import model
from mimic.services.compute.model import ComputeState, Server, region_compute

#: What each status that can be set means as Nova's server state.  ERROR
#: also gives the server a fault, as Nova's servers in ERROR have.
_STATES: dict[str, tuple[str, str | None, int]] = {
    "ACTIVE": (model.ACTIVE, None, model.RUNNING),
    "BUILD": (model.BUILDING, "spawning", model.NOSTATE),
    "SHUTOFF": (model.STOPPED, None, model.SHUTDOWN),
    "PAUSED": (model.PAUSED, None, model.POWER_PAUSED),
    "ERROR": (model.ERROR, None, model.RUNNING),
}

FORCED_ERROR = "The server was set to ERROR through Mimic's control endpoint."


def set_status(server: Server, status: str, now: float) -> None:
    """
    Put a server in ``status`` now, dropping whatever timed steps it had
    still to take (a build finishing, a reboot ending), so that the
    status holds until a client changes it.
    """
    server.cancel_pending()
    if status == "ERROR":
        server.go_to_error(now, FORCED_ERROR)
        return
    vm_state, task_state, power_state = _STATES[status]
    server.set_state(now, vm_state, task_state, power_state)
    server.progress = 0 if vm_state == model.BUILDING else 100
    server.fault = None


class ComputeControlAPI:
    """
    Compute's own control routes for one tenant in one region.
    """

    app = Klein()
    handle_errors(
        app,
        plain_error,
        not_found="This control endpoint has nothing at {path}.",
        not_allowed="{method} is not allowed on {path}.",
    )

    def __init__(self, core: IMimicCore, tenant_id: str, region: str) -> None:
        self.core = core
        self.tenant_id = tenant_id
        self.region = region

    def servers(self) -> ComputeState:
        """
        This tenant's servers in this region: the state the compute
        service itself serves (created empty, as compute would, if the
        tenant has not used it yet).
        """
        return region_compute(self.core, self.tenant_id, self.region)

    @app.route("/attributes", methods=["POST"])
    @app.route("/attributes/", methods=["POST"])
    def change_attributes(self, request: IRequest) -> bytes:
        body = require_object(read_json(request, plain_error), "body", plain_error)
        unknown = sorted(set(body) - {"status"})
        if unknown:
            raise plain_error(
                400, f"Unknown attribute(s) {', '.join(map(repr, unknown))}; only 'status' can be set."
            )
        statuses = require_object(body.get("status", {}), "status", plain_error)
        for server_id, status in statuses.items():
            if not isinstance(status, str) or status not in _STATES:
                raise plain_error(
                    400,
                    f"Status {status!r} for server {server_id!r} cannot be set; "
                    f"one of {', '.join(_STATES)} can.",
                )
        now = self.core.clock.seconds()
        state = self.servers()
        servers = {server_id: state.get(server_id, now) for server_id in statuses}
        missing = sorted(server_id for server_id, server in servers.items() if server is None)
        if missing:
            raise plain_error(
                400,
                f"No server {', '.join(map(repr, missing))} for tenant {self.tenant_id!r} in "
                f"{self.region}; nothing was changed.",
            )
        for server_id, server in servers.items():
            assert server is not None
            set_status(server, statuses[server_id], now)
        return json_response(request, None, 201)

