# -*- test-case-name: mimic.test.test_root -*-
"""
The root of Mimic's one HTTP port.

``/identity`` serves the identity API, ``/service/<service>/<region>/<tenant>/``
leads to each plugin after the token check, and ``/mimic`` is the control
plane.  The tree is plain :mod:`twisted.web.resource` traversal down to each
API, which is a Klein app bound to its own state.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource, getChildForRequest

from mimic.control.api import ControlAPI
from mimic.core import MimicCore
from mimic.http import HTTPError, base_url, header, json_response
from mimic.services.identity import failures as identity_failures
from mimic.services.identity.errors import METHOD_NOT_ALLOWED, keystone_error_body
from mimic.services.identity.v2 import IdentityV2
from mimic.services.identity.v3 import IdentityV3, multiple_choices

HELP = """\
This is Mimic, a fake OpenStack and Rackspace cloud.

Authenticate with Identity v3 (what openstacksdk, the openstack CLI and
keystoneauth use by default; point them at {root}/identity) at:

    POST {root}/identity/v3/auth/tokens

or with Identity v2.0 (Rackspace flavour, API keys) at:

    POST {root}/identity/v2.0/tokens

Any password or API key is accepted.  The service catalog in the response
leads to every mocked service.

Control Mimic itself at {root}/mimic/v1.1/:

    POST {root}/mimic/v1.1/tick             advance the clock
    GET  {root}/mimic/v1.1/failures         every known error condition
    POST {root}/mimic/v1.1/<service>/behaviors/<event>   inject one
    POST {root}/mimic/v1.1/reset            forget everything
    GET  {root}/mimic/v1.1/state            what Mimic holds
"""


def _not_found(request: IRequest) -> bytes:
    path = request.path.decode("utf-8", "replace")
    return json_response(
        request, {"message": f"Mimic serves nothing at {path}; GET / for help.", "code": 404}, 404
    )


def _plain_error_body(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "code": status}


def _unroutable_url(request: IRequest) -> tuple[int, str] | None:
    """
    Klein needs the host and every path segment in UTF-8 (and answers an
    HTML 400 otherwise), and joins segments with slashes, so that an
    encoded slash (``%2F``) in one would make werkzeug redirect to some
    other path.  Say what is wrong so that the service can answer in its
    own shape: 404 for a path (no resource is named that way), 400 for a
    host.
    """
    try:
        request.getRequestHostname().decode("utf-8")
    except UnicodeDecodeError:
        return 400, "The Host header is not UTF-8."
    for segment in [*request.prepath, *request.postpath]:
        try:
            segment.decode("utf-8")
        except UnicodeDecodeError:
            return 404, "The resource could not be found: the path is not UTF-8."
        if b"/" in segment:
            return 404, "The resource could not be found: no name holds an encoded '/'."
    return None


class Mounted(Resource):
    """
    A Klein app mounted at a path.  Klein sees the path below the mount
    point; the mount point itself reaches it as ``/`` (rather than the
    empty path, which werkzeug would redirect).  ``error_body(status,
    message)`` shapes the errors answered before the app sees a request.
    """

    isLeaf = True

    def __init__(
        self,
        app_resource: IResource,
        error_body: Callable[[int, str], Any] = _plain_error_body,
    ) -> None:
        super().__init__()
        self.app_resource = app_resource
        self.error_body = error_body

    def render(self, request: IRequest) -> Any:
        if not request.postpath:
            request.postpath = [b""]
        bad = _unroutable_url(request)
        if bad is not None:
            status, message = bad
            return json_response(request, self.error_body(status, message), status)
        return self.app_resource.render(request)


class NotFound(Resource):
    """
    A 404 for any method, in ``error_body``'s shape (the root's own by
    default).
    """

    isLeaf = True

    def __init__(self, error_body: Callable[[int, str], Any] | None = None) -> None:
        super().__init__()
        self.error_body = error_body

    def render(self, request: IRequest) -> bytes:
        if self.error_body is None:
            return _not_found(request)
        path = request.path.decode("utf-8", "replace")
        return json_response(request, self.error_body(404, f"Mimic serves nothing at {path}."), 404)


class Help(Resource):
    isLeaf = True

    def render(self, request: IRequest) -> bytes:
        if request.method not in (b"GET", b"HEAD"):
            method = request.method.decode("ascii", "replace")
            body = _plain_error_body(405, f"{method} is not allowed on /; GET it for help.")
            return json_response(request, body, 405, {b"allow": b"GET, HEAD"})
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return HELP.format(root=base_url(request)).encode("utf-8")


class IdentityVersions(Resource):
    """
    ``GET /identity/``: the versions Mimic speaks, as Keystone lists them
    at its root (300 Multiple Choices), so that clients given the
    unversioned URL discover v3.
    """

    isLeaf = True

    def render(self, request: IRequest) -> bytes:
        if request.method not in (b"GET", b"HEAD"):
            body = keystone_error_body(405, METHOD_NOT_ALLOWED)
            return json_response(request, body, 405, {b"allow": b"GET, HEAD"})
        body, status, headers = multiple_choices(base_url(request))
        return json_response(request, body, status, headers)


class IdentityRoot(Resource):
    """
    ``/identity``: one child per identity API version, and the list of
    versions at the root.
    """

    def __init__(self, core: MimicCore) -> None:
        super().__init__()
        self.versions = IdentityVersions()
        self.putChild(b"", self.versions)
        self.putChild(b"v2.0", Mounted(IdentityV2(core).app.resource(), keystone_error_body))
        self.putChild(b"v3", Mounted(IdentityV3(core).app.resource(), keystone_error_body))

    def render(self, request: IRequest) -> Any:
        return self.versions.render(request)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        return NotFound(keystone_error_body)


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
            return _not_found(request)
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
        regions = {
            endpoint.region
            for entry in plugin.catalog_entries(tenant_id)
            for endpoint in entry.endpoints
        }
        if region not in regions:
            raise HTTPError(404, plugin.error_body(404, f"Service {service!r} has no region {region!r}."))
        request.prepath.extend(request.postpath[:3])
        request.postpath = request.postpath[3:]
        rest = tuple(s.decode("utf-8", "replace") for s in request.postpath if s)
        if rest not in plugin.anonymous_paths():
            token = self.core.sessions.token(header(request, "x-auth-token"))
            if token is None:
                message = "The request you have made requires authentication."
                raise HTTPError(401, plugin.error_body(401, message))
            if token.tenant_id != tenant_id:
                message = f"The token given is not valid for tenant {tenant_id!r}."
                raise HTTPError(403, plugin.error_body(403, message))
        bad = _unroutable_url(request)
        if bad is not None:
            status, message = bad
            raise HTTPError(status, plugin.error_body(status, message))
        return plugin.resource_for_region(self.core, region, tenant_id)


class MimicRoot(Resource):
    def __init__(self, core: MimicCore) -> None:
        super().__init__()
        self.core = core
        for event in identity_failures.EVENTS:
            core.failures.declare(event)
        self.putChild(b"", Help())
        self.putChild(b"identity", IdentityRoot(core))
        self.putChild(b"service", ServiceDispatch(core))
        self.putChild(b"mimic", Mounted(ControlAPI(core).app.resource()))

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        return NotFound()
