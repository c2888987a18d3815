# -*- test-case-name: mimic.test.test_legacy_control -*-
"""
The old mimic's ``cloudLoadBalancerControl`` catalog entry: Cloud Load
Balancers' control endpoint in each region, at ``.../v2/<tenant_id>``.

* ``PATCH /loadbalancer/<id>/attributes`` with ``{"status": "ERROR"}``
  puts one of the tenant's balancers in that status at once (``204``), as
  a test does to see how its code copes with a balancer that broke or is
  stuck in PENDING_UPDATE.  ACTIVE, ERROR, PENDING_UPDATE and
  PENDING_DELETE can be set; the status holds until a client's next
  change (setting ACTIVE puts things back).  ``404`` for a balancer the
  tenant does not have here, ``400`` for anything else that cannot be set;
* ``/behaviors/<event>``: register the service's known error conditions
  for this tenant and region (:mod:`mimic.control.legacy`).
"""

from __future__ import annotations

from typing import Any, Callable

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.control import legacy
from mimic.control.errors import control_error
from mimic.http import HTTPError, json_response, read_json, require_object
from mimic.services.loadbalancer.model import FORCEABLE_STATUSES, RegionLoadBalancers


class LoadBalancerControlAPI:
    app = Klein()

    def __init__(self, scope: legacy.Scope) -> None:
        self.scope = scope

    def balancers(self) -> RegionLoadBalancers:
        """
        This tenant's balancers in this region: the state the load
        balancer service itself serves.
        """
        scope = self.scope
        core = scope.core
        return core.region_state(
            "loadbalancer",
            scope.tenant_id,
            scope.region,
            lambda: RegionLoadBalancers(core.clock, scope.tenant_id, scope.region),
        )

    @app.route("/v2/<tenant_id>/loadbalancer/<lb_id>/attributes", methods=["PATCH"])
    def set_attributes(self, request: IRequest, tenant_id: str, lb_id: str) -> bytes:
        self.scope.check_tenant(tenant_id)
        not_owned = control_error(
            404, f"Tenant {tenant_id!r} has no load balancer {lb_id!r} in {self.scope.region}."
        )
        if not lb_id.isdigit():
            raise not_owned
        body = require_object(read_json(request, control_error), "body", control_error)
        unknown = sorted(set(body) - {"status"})
        if unknown:
            raise control_error(
                400, f"Unknown attribute(s) {', '.join(map(repr, unknown))}; only 'status' can be set."
            )
        status = body.get("status")
        if status is not None and status not in FORCEABLE_STATUSES:
            raise control_error(
                400,
                f"Status {status!r} cannot be set; one of {', '.join(FORCEABLE_STATUSES)} can.",
            )
        try:
            balancers = self.balancers()
            if status is None:
                balancers.existing(int(lb_id))
            else:
                balancers.force_status(int(lb_id), status)
        except HTTPError as e:
            if e.status == 404:
                raise not_owned
            raise control_error(e.status, f"Load balancer {lb_id} is deleted; its status cannot be set.")
        return json_response(request, None, 204)


_scope_of: Callable[[Any], legacy.Scope] = lambda api: api.scope
legacy.install(LoadBalancerControlAPI.app, _scope_of)
