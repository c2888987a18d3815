# -*- test-case-name: mimic.test.test_legacy_control -*-
"""
The old mimic's ``cloudServersBehavior`` catalog entry: compute's
control endpoint in each region, at ``.../v2/<tenant_id>``.

* ``/behaviors/<event>``: register compute's known error conditions for
  this tenant and region (:mod:`mimic.control.legacy`); ``creation``,
  ``deletion`` and ``action`` are the old names of its events;
* ``POST /attributes`` with ``{"status": {"<server id>": "ERROR", ...}}``
  sets servers' statuses at once (``201``, no body), as a test does to
  see how its code copes with a server that broke after it was built.
  The old mimic answered ``400`` without changing anything when one of
  the ids named no server; so does this.
"""

from __future__ import annotations

from typing import Any, Callable

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.control import legacy
from mimic.control.errors import control_error
from mimic.http import json_response, read_json, require_object
from mimic.services.compute import model
from mimic.services.compute.model import ComputeState, Server

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


class ComputeBehaviorAPI:
    app = Klein()

    def __init__(self, scope: legacy.Scope) -> None:
        self.scope = scope

    def servers(self) -> ComputeState:
        """
        This tenant's servers in this region: the state the compute
        service itself serves (created empty, as compute would, if the
        tenant has not used it yet).
        """
        scope = self.scope
        return scope.core.region_state(
            "compute", scope.tenant_id, scope.region, lambda: ComputeState(scope.tenant_id, scope.region)
        )

    @app.route("/v2/<tenant_id>/attributes", methods=["POST"])
    @app.route("/v2/<tenant_id>/attributes/", methods=["POST"])
    def change_attributes(self, request: IRequest, tenant_id: str) -> bytes:
        self.scope.check_tenant(tenant_id)
        body = require_object(read_json(request, control_error), "body", control_error)
        unknown = sorted(set(body) - {"status"})
        if unknown:
            raise control_error(
                400, f"Unknown attribute(s) {', '.join(map(repr, unknown))}; only 'status' can be set."
            )
        statuses = require_object(body.get("status", {}), "status", control_error)
        for server_id, status in statuses.items():
            if status not in _STATES:
                raise control_error(
                    400,
                    f"Status {status!r} for server {server_id!r} cannot be set; "
                    f"one of {', '.join(_STATES)} can.",
                )
        now = self.scope.core.clock.seconds()
        state = self.servers()
        servers = {server_id: state.get(server_id, now) for server_id in statuses}
        missing = sorted(server_id for server_id, server in servers.items() if server is None)
        if missing:
            raise control_error(
                400,
                f"No server {', '.join(map(repr, missing))} for tenant {tenant_id!r} in "
                f"{self.scope.region}; nothing was changed.",
            )
        for server_id, server in servers.items():
            assert server is not None
            set_status(server, statuses[server_id], now)
        return json_response(request, None, 201)


_scope_of: Callable[[Any], legacy.Scope] = lambda api: api.scope
legacy.install(ComputeBehaviorAPI.app, _scope_of)
