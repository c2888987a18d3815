# -*- test-case-name: mimic.test.test_root -*-
"""
The root of Mimic's one HTTP port.

``/identity`` serves the identity API, ``/service/<service>/<region>/<tenant>/``
leads to each plugin after the token check, the services a profile mounts
at the root (``/compute``... under ``openstack``) lead there too
(:mod:`mimic.mounts`), and ``/mimic`` is the control plane.  The tree is plain :mod:`twisted.web.resource` traversal down to each
API, which is a Klein app bound to its own state.
"""

from __future__ import annotations

from typing import Any

from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource, getChildForRequest

from mimic.control.api import ControlAPI
from mimic.control.guard import ControlGuard
from mimic.core import MimicCore
from mimic.dashboard.resource import DASHBOARD_PATH, ControlPlane
from mimic.failures import Event
from mimic.http import (
    HARD_BODY_LIMIT,
    HTTPError,
    Mounted,
    NotFoundResource,
    base_url,
    header,
    json_response,
    plain_error_body,
    request_id,
    stamp_request_id,
    unroutable_url,
)
from mimic.interfaces import IAdmitsAnonymous, INamesRequestIds, ITakesLargeBodies
from mimic.mounts import mount_all, mounted_plugin
from mimic.profiles import REGIONS_SEGMENT
from mimic.services.identity.plugin import IdentityService

HELP = """\
This is Mimic, a fake OpenStack and Rackspace cloud.
A browser finds its dashboard at {root}/mimic/dashboard/.

Authenticate with Identity v3 (what openstacksdk, the openstack CLI and
keystoneauth use by default; point them at {root}/identity) at:

    POST {root}/identity/v3/auth/tokens

{v2}Any password or API key is accepted for a user Mimic has not been told
about; the administrator (admin / password unless configured) and users
made through identity's API need their own.  The service catalog in the
response leads to every mocked service.

Control Mimic itself at {root}/mimic/v1.1/:

    POST {root}/mimic/v1.1/tick             advance the clock
    GET  {root}/mimic/v1.1/clock            the time and what is due to happen
    GET  {root}/mimic/v1.1/failures         every known error condition
    POST {root}/mimic/v1.1/<service>/behaviors/<event>   inject one
    POST {root}/mimic/v1.1/reset            forget everything
    GET  {root}/mimic/v1.1/requests         the request journal (filters: ?service=&status=...)
    GET  {root}/mimic/v1.1/failures/coverage    which known conditions fired
    GET  {root}/mimic/v1.1/state            what Mimic holds
    POST {root}/mimic/v1.1/snapshots        save it all; .../snapshots/<name>/restore
    GET  {root}/mimic/v1.1/clouds.yaml      a clouds.yaml for this Mimic
"""


def wants_html(request: IRequest) -> bool:
    """
    Whether the client asks for a web page (a browser's ``Accept`` names
    ``text/html``; curl's ``*/*`` and API clients' JSON do not).
    """
    accept = header(request, "accept") or ""
    return any(part.split(";", 1)[0].strip().lower() == "text/html" for part in accept.split(","))


#: The help's paragraph on Identity v2.0, for a profile that offers it.
HELP_V2 = """\
or with Identity v2.0 (Rackspace flavour, API keys) at:

    POST {root}/identity/v2.0/tokens

"""


class Help(Resource):
    isLeaf = True

    def __init__(self, offers_v2: bool = True) -> None:
        super().__init__()
        self.offers_v2 = offers_v2

    def render(self, request: IRequest) -> bytes:
        if request.method not in (b"GET", b"HEAD"):
            method = request.method.decode("ascii", "replace")
            body = plain_error_body(405, f"{method} is not allowed on /; GET it for help.")
            return json_response(request, body, 405, {b"allow": b"GET, HEAD"})
        if wants_html(request):
            # A person with a browser; API clients and curl keep the text.
            request.setResponseCode(302)
            request.setHeader(b"location", DASHBOARD_PATH.encode("ascii"))
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        root = base_url(request)
        v2 = HELP_V2.format(root=root) if self.offers_v2 else ""
        return HELP.format(root=root, v2=v2).encode("utf-8")


class ServiceDispatch(Resource):
    """
    ``/service/<service>/<region>/<tenant_id>/...``: check the token, then
    hand the rest of the path to the plugin's resource for that tenant and
    region.
    """

    isLeaf = True

    def __init__(self, core: MimicCore) -> None:
        super().__init__()
        self.core = core

    def render(self, request: IRequest) -> Any:
        if len(request.postpath) < 3:
            return NotFoundResource().render(request)
        try:
            resource = self._resource_for(request)
        except HTTPError as error:
            return json_response(request, error.body, error.status, error.headers)
        if not request.postpath:
            request.postpath = [b""]
        return getChildForRequest(resource, request).render(request)

    def _resource_for(self, request: IRequest) -> IResource:
        service, region, tenant_id = (s.decode("utf-8", "replace") for s in request.postpath[:3])
        plugin = self.core.plugins.get(service)
        if plugin is None:
            raise HTTPError(404, {"message": f"Mimic has no service named {service!r}.", "code": 404})
        if INamesRequestIds.providedBy(plugin):
            identifier = request_id(request).encode("ascii")
            for name in plugin.request_id_headers:
                request.setHeader(name.encode("ascii"), identifier)
        if region not in self.core.service_regions(plugin, tenant_id):
            raise HTTPError(404, plugin.error_body(404, f"Service {service!r} has no region {region!r}."))
        request.prepath.extend(request.postpath[:3])
        request.postpath = request.postpath[3:]
        rest = tuple(s.decode("utf-8", "replace") for s in request.postpath if s)
        core: Any = self.core
        if rest in plugin.anonymous_paths():
            if self.core.sessions.tenant_owner(tenant_id) is None:
                # Served, but nothing is kept for a tenant nobody has.
                core = self.core.passing()
        elif not (
            IAdmitsAnonymous.providedBy(plugin)
            and plugin.admits(self.core, region, tenant_id, request)
        ):
            token = self.core.sessions.token(header(request, "x-auth-token"))
            if token is None:
                message = "The request you have made requires authentication."
                raise HTTPError(401, plugin.error_body(401, message))
            if token.tenant_id != tenant_id:
                message = f"The token given is not valid for tenant {tenant_id!r}."
                raise HTTPError(403, plugin.error_body(403, message))
        bad = unroutable_url(request)
        if bad is not None:
            status, message = bad
            raise HTTPError(status, plugin.error_body(status, message))
        return plugin.resource_for_region(core, region, tenant_id)


class MimicRoot(Resource):
    """
    The whole of Mimic's port for one core.  Building it declares
    identity's known error conditions beside the plugins' (the core
    declared those), so a core serves every condition once it has a root.
    """

    def __init__(self, core: MimicCore) -> None:
        super().__init__()
        self.core = core
        identity = IdentityService()
        for event in identity.failure_events():
            core.failures.declare(event)
        core.annex_persistence = identity
        self.putChild(b"", Help("v2.0" in core.profile.identity_versions))
        self.putChild(b"identity", identity.resource(core))
        self.putChild(b"service", ServiceDispatch(core))
        # The services the profile serves at the root (DevStack's /compute...).
        mount_all(self, core)
        # The control plane, with the dashboard beside it, behind the
        # guard that keeps web pages from changing state (see guard.py).
        control = Mounted(ControlAPI(core).app.resource())
        self.putChild(b"mimic", ControlGuard(ControlPlane(control)))

    def getChildWithDefault(self, path: bytes, request: IRequest) -> IResource:
        # Every request Mimic answers gets an id first, whoever answers it
        # and however: an error carries one as a success does.
        stamp_request_id(request)
        # And a place in the request journal, whatever answers it.
        self.core.journal.begin(request)
        return super().getChildWithDefault(path, request)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        return NotFoundResource()

    def body_limit(self, path: bytes) -> int:
        """
        The most of a request's body to buffer, by the path it is for
        (:class:`~mimic.http.MimicRequest` asks before the body arrives):
        a service that takes uploads says how large; anything else gets
        :data:`~mimic.http.HARD_BODY_LIMIT`.
        """
        segments = path.split(b"?", 1)[0].split(b"/", 3)
        plugin: Any = None
        if len(segments) > 2 and segments[1] == b"service":
            plugin = self.core.plugins.get(segments[2].decode("utf-8", "replace"))
        elif len(segments) > 3 and segments[1] == REGIONS_SEGMENT.encode("ascii"):
            plugin = mounted_plugin(self.core, segments[3].split(b"/", 1)[0])
        elif len(segments) > 1:
            plugin = mounted_plugin(self.core, segments[1])
        if plugin is not None and ITakesLargeBodies.providedBy(plugin):
            return max(HARD_BODY_LIMIT, int(plugin.max_body_size))
        return HARD_BODY_LIMIT


def declared_events() -> list[Event]:
    """
    The events of a Mimic as ``twistd mimic`` serves it: every discovered
    plugin's, and identity's.  The docs page of known error conditions is
    generated from these.
    """
    from twisted.internet.task import Clock

    core = MimicCore.create(Clock())
    MimicRoot(core)
    return core.failures.events()
