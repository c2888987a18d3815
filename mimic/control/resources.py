# -*- test-case-name: mimic.test.test_control_resources -*-
"""
A service's own answer to a GET for one tenant and region, without that
tenant's token: ``GET /mimic/v1.1/resources/<service>/<region>/<tenant_id>/<path>``
answers what ``GET /service/<service>/<region>/<tenant_id>/<path>`` answers
with a valid token.

The dashboard links each resource to its JSON this way, since a browser
holds no token.  It shows nothing the control plane does not already
give to anyone who can reach it (``/mimic/v1.1/state`` lists every
resource, and a control call can reset them all), and it only reads:
any other method is refused before a service sees the request.
"""

from __future__ import annotations

from typing import Any

from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.control.errors import control_error
from mimic.core import MimicCore


def service_resource(
    core: MimicCore, request: IRequest, service: str, region: str, tenant_id: str
) -> IResource:
    """
    The resource ``service`` serves ``tenant_id`` in ``region``, for the
    rest of ``request``'s path; 404 naming what is unknown.  A tenant
    nobody authenticated as is served as an anonymous request is (nothing
    is kept for it).
    """
    plugin = core.plugins.get(service)
    if plugin is None:
        raise control_error(
            404, f"Mimic has no service named {service!r}; it has {', '.join(sorted(core.plugins))}."
        )
    regions = core.service_regions(plugin, tenant_id)
    if region not in regions:
        known = ", ".join(sorted(str(r) for r in regions))
        raise control_error(404, f"Service {service!r} has no region {region!r}; it has {known}.")
    served: Any = core
    if core.sessions.tenant_owner(tenant_id) is None:
        served = core.passing()
    if not request.postpath:
        request.postpath = [b""]
    return plugin.resource_for_region(served, region, tenant_id)
