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
  for this tenant and region (served by :mod:`mimic.control.legacy`,
  which hands the other paths to this module's app).

:class:`LoadBalancerControlAPI` sees the paths below ``v2/<tenant_id>``,
the tenant already checked, and answers errors in the control plane's
``{"message", "code"}`` shape (CLB's, without the ``details`` CLB adds
to a 400).
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import handle_errors, json_response, plain_error, read_json, require_object
from mimic.interfaces import IMimicCore
from mimic.services.loadbalancer.errors import LoadBalancerNotFound, MarkedDeleted
from mimic.services.loadbalancer.model import (
    FORCEABLE_STATUSES,
    RegionLoadBalancers,
    region_balancers,
)


class LoadBalancerControlAPI:
    """
    Cloud Load Balancers' own control routes for one tenant in one region.
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

    def balancers(self) -> RegionLoadBalancers:
        """
        This tenant's balancers in this region: the state the load
        balancer service itself serves.
        """
        return region_balancers(self.core, self.tenant_id, self.region)

    @app.route("/loadbalancer/<lb_id>/attributes", methods=["PATCH"])
    def set_attributes(self, request: IRequest, lb_id: str) -> bytes:
        not_owned = plain_error(
            404, f"Tenant {self.tenant_id!r} has no load balancer {lb_id!r} in {self.region}."
        )
        # ASCII digits only (str.isdigit takes "²", which int() refuses), and
        # no more than an id can have (int() refuses thousands of digits).
        if not (lb_id.isascii() and lb_id.isdigit() and len(lb_id) <= 18):
            raise not_owned
        body = require_object(read_json(request, plain_error), "body", plain_error)
        unknown = sorted(set(body) - {"status"})
        if unknown:
            raise plain_error(
                400, f"Unknown attribute(s) {', '.join(map(repr, unknown))}; only 'status' can be set."
            )
        status = body.get("status")
        if status is not None and (not isinstance(status, str) or status not in FORCEABLE_STATUSES):
            raise plain_error(
                400,
                f"Status {status!r} cannot be set; one of {', '.join(FORCEABLE_STATUSES)} can.",
            )
        balancers = self.balancers()
        try:
            if status is None:
                balancers.readable(int(lb_id))
            else:
                balancers.force(int(lb_id), status)
        except LoadBalancerNotFound:
            raise not_owned
        except MarkedDeleted:
            raise plain_error(410, f"Load balancer {lb_id} is deleted; its status cannot be set.")
        return json_response(request, None, 204)
