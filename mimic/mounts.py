# -*- test-case-name: mimic.test.test_mounts -*-
"""
Services at the root of Mimic's port, where a profile mounts them
(:class:`mimic.profiles.ServiceLayout`): DevStack's ``/compute``,
``/image``, ``/networking``, ``/volume`` and ``/object-store``.

A request under a mount reaches the same resource as one under
``/service/<service>/<region>/<tenant>/`` would, for the profile's first
region; every region's are also under ``/regions/<region>/``
(``/regions/RegionTwo/compute/v2.1``).  The URL names no tenant (or
names it inside the service's own path), so it is found here: from the
token, or from the path for a service whose URLs carry it (Swift's
``AUTH_<project>``).  Without a token only the service's anonymous paths
(version documents) answer; anything else gets the service's own 401.
"""

from __future__ import annotations

from typing import Any

from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource, getChildForRequest

from mimic.core import MimicCore
from mimic.http import HTTPError, header, imply_tenant, json_response, request_id, unroutable_url
from mimic.interfaces import IAdmitsAnonymous, IAPIMock, INamesRequestIds
from mimic.profiles import REGIONS_SEGMENT, ServiceLayout

UNAUTHENTICATED = "The request you have made requires authentication."


class MountDispatch(Resource):
    """
    ``/<mount>/...``: find the tenant, check the token, and hand the rest
    of the path to the plugin's resource for that tenant in the profile's
    mount region.
    """

    isLeaf = True

    def __init__(self, core: MimicCore, layout: ServiceLayout, region: str) -> None:
        super().__init__()
        self.core = core
        self.layout = layout
        self.region = region

    def render(self, request: IRequest) -> Any:
        if not request.postpath:
            request.postpath = [b""]
        try:
            resource = self._resource_for(request)
        except HTTPError as error:
            return json_response(request, error.body, error.status, error.headers)
        return getChildForRequest(resource, request).render(request)

    def _resource_for(self, request: IRequest) -> IResource:
        core = self.core
        plugin = core.plugins[self.layout.service]
        if INamesRequestIds.providedBy(plugin):
            identifier = request_id(request).encode("ascii")
            for name in plugin.request_id_headers:
                request.setHeader(name.encode("ascii"), identifier)
        bad = unroutable_url(request)
        if bad is not None:
            status, message = bad
            raise HTTPError(status, plugin.error_body(status, message))
        region = self.region
        rest = tuple(s.decode("utf-8") for s in request.postpath if s)
        anonymous = rest in plugin.anonymous_paths()
        if self.layout.tenant_from_path:
            tenant_id = self._tenant_in_path(plugin, request, region, anonymous)
        else:
            tenant_id = self._tenant_of_token(plugin, request, anonymous)
        core.journal.place(plugin.name, region, tenant_id)
        served: Any = core
        if anonymous and core.sessions.tenant_owner(tenant_id) is None:
            # Served, but nothing is kept for a tenant nobody has.
            served = core.passing()
        return plugin.resource_for_region(served, region, tenant_id)

    def _tenant_of_token(self, plugin: IAPIMock, request: IRequest, anonymous: bool) -> str:
        """
        The token's tenant (put into the service's path where its routes
        take one and the URL left it out); ``""`` for an anonymous path
        reached without one.
        """
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None or token.tenant_id is None:
            if anonymous:
                return ""
            raise HTTPError(401, plugin.error_body(401, UNAUTHENTICATED))
        tenant_id: str = token.tenant_id
        where = self.layout.tenant_segment
        if where is not None and not anonymous and len(request.postpath) > where:
            named = request.postpath[where].decode("utf-8")
            # A tenant named in the URL is the service's to check (Nova
            # and Cinder answer 400 when it is not the token's); anything
            # else there is the start of the API's own path.
            if named != tenant_id and self.core.sessions.tenant_owner(named) is None:
                request.postpath.insert(where, tenant_id.encode("utf-8"))
                imply_tenant(request)
        return tenant_id

    def _tenant_in_path(self, plugin: IAPIMock, request: IRequest, region: str, anonymous: bool) -> str:
        """
        The tenant the path names (Swift's ``v1/AUTH_<project>``), which
        the token, when needed, must be for.
        """
        where = self.layout.tenant_segment
        prefix = self.layout.tenant_prefix
        named = ""
        if where is not None and len(request.postpath) > where:
            segment = request.postpath[where].decode("utf-8")
            if segment.startswith(prefix):
                named = segment[len(prefix):]
        if anonymous:
            return named
        if not named:
            raise HTTPError(404, plugin.error_body(404, "The resource could not be found."))
        if IAdmitsAnonymous.providedBy(plugin) and plugin.admits(self.core, region, named, request):
            return named
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise HTTPError(401, plugin.error_body(401, UNAUTHENTICATED))
        if token.tenant_id != named:
            message = f"The token given is not valid for tenant {named!r}."
            raise HTTPError(403, plugin.error_body(403, message))
        return named


def mount_all(root: Resource, core: MimicCore) -> None:
    """
    Put each service the profile mounts at the root of ``root`` for the
    profile's first region, and under ``/regions/<region>/`` for each of
    its regions.
    """
    layouts = core.mounts()
    if not layouts:
        return
    regions = Resource()
    root.putChild(REGIONS_SEGMENT.encode("ascii"), regions)
    for region in core.profile.regions:
        mounts = Resource()
        regions.putChild(region.encode("utf-8"), mounts)
        for layout in layouts:
            mounts.putChild(layout.mount.encode("utf-8"), MountDispatch(core, layout, region))
            if region == core.profile.mount_region:
                root.putChild(layout.mount.encode("utf-8"), MountDispatch(core, layout, region))


def mounted_plugin(core: MimicCore, segment: bytes) -> IAPIMock | None:
    """
    The plugin mounted at a root segment, if any (for the body limit).
    """
    name = segment.decode("utf-8", "replace")
    for layout in core.mounts():
        if layout.mount == name:
            return core.plugins.get(layout.service)
    return None
