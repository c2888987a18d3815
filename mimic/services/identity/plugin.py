# -*- test-case-name: mimic.test.test_root, mimic.test.test_identity_versions -*-
"""
Identity as Mimic serves it: at ``/identity``, beside the services rather
than under ``/service/<name>/...``, since a client has no token (and no
catalog) before it has asked identity for one.

The root mounts :meth:`IdentityService.resource` there and declares
:meth:`IdentityService.failure_events` in the failure engine when it
builds the core, just as the core does for each plugin's.
"""

from __future__ import annotations

from typing import Any, Sequence

from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from zope.interface import implementer

from mimic.failures import Event
from mimic.http import Mounted, NotFoundResource, base_url, json_response
from mimic.interfaces import IMimicCore, IPersistentState
from mimic.services.identity.errors import METHOD_NOT_ALLOWED, keystone_error_body
from mimic.services.identity.failures import EVENTS
from mimic.services.identity.persistence import STATE_FORMAT, restore_directory, save_directory
from mimic.services.identity.v2 import IdentityV2
from mimic.services.identity.v3 import IdentityV3
from mimic.services.identity.versions import multiple_choices


class IdentityVersions(Resource):
    """
    ``GET /identity/``: the versions Mimic speaks, as Keystone lists them
    at its root (300 Multiple Choices), so that clients given the
    unversioned URL discover v3.

    A plain leaf resource rather than a Klein app: it answers every path
    below ``/identity/`` (``/identity//v3`` included) and a ``HEAD`` with
    the length of the ``GET``, as it always has; its one error, 405, is
    written here.
    """

    isLeaf = True

    def __init__(self, offered: tuple[str, ...]) -> None:
        super().__init__()
        self.offered = offered

    def render(self, request: IRequest) -> bytes:
        if request.method not in (b"GET", b"HEAD"):
            body = keystone_error_body(405, METHOD_NOT_ALLOWED)
            return json_response(request, body, 405, {b"allow": b"GET, HEAD"})
        body, status, headers = multiple_choices(base_url(request), self.offered)
        return json_response(request, body, status, headers)


class SlashTolerant(Mounted):
    """
    Keystone answers ``/v3/projects/`` as ``/v3/projects`` (tempest's
    trust listing, for one, asks ``/OS-TRUST/trusts/?trustor_user_id=``):
    a trailing slash below the version is dropped before routing.
    """

    def render(self, request: IRequest) -> Any:
        while len(request.postpath) > 1 and request.postpath[-1] == b"":
            request.postpath = request.postpath[:-1]
        return super().render(request)


class IdentityRoot(Resource):
    """
    ``/identity``: one child per identity API version, and the list of
    versions at the root.
    """

    def __init__(self, core: IMimicCore) -> None:
        super().__init__()
        offered = core.profile.identity_versions
        self.versions = IdentityVersions(offered)
        self.putChild(b"", self.versions)
        if "v2.0" in offered:
            # Not under a profile without it: Keystone answers 404 there.
            self.putChild(b"v2.0", Mounted(IdentityV2(core).app.resource(), keystone_error_body))
        self.putChild(b"v3", SlashTolerant(IdentityV3(core).app.resource(), keystone_error_body))

    def render(self, request: IRequest) -> Any:
        return self.versions.render(request)

    def getChild(self, path: bytes, request: IRequest) -> IResource:
        return NotFoundResource(keystone_error_body)


@implementer(IPersistentState)
class IdentityService:
    """
    What the root needs of identity: its known error conditions, its
    resource, and how its directory (the session store's annex, one per
    Mimic rather than per tenant and region) is saved with a snapshot.
    """

    name = "identity"
    state_format = STATE_FORMAT

    def save_region_state(self, state: Any) -> Any:
        return save_directory(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
        return restore_directory(core, saved)

    def failure_events(self) -> Sequence[Event]:
        return EVENTS

    def resource(self, core: IMimicCore) -> IResource:
        return IdentityRoot(core)
