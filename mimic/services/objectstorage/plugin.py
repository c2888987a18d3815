# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Object storage (Swift v1) as a Mimic plugin: Rackspace's ``cloudFiles``
catalog entry of type ``object-store``, one account per tenant and
region, named as Rackspace names it (``MossoCloudFS_<id>``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from twisted.plugin import IPlugin
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.failures import Event
from mimic.http import header
from mimic.interfaces import (
    IAdmitsAnonymous,
    IAPIMock,
    IHasSettings,
    IMimicCore,
    IPersistentState,
    ITakesLargeBodies,
)
from mimic.services.objectstorage import tempurl
from mimic.services.objectstorage.errors import swift_error_body
from mimic.services.objectstorage.failures import EVENTS
from mimic.services.objectstorage.formpost import is_form
from mimic.services.objectstorage.middleware import devstack_proxy, is_reseller
from mimic.services.objectstorage.model import (
    DEFAULT_MAX_BYTES,
    MAX_FILE_SIZE,
    SERVICE_NAME,
    Account,
    account_name,
    region_account,
)
from mimic.services.objectstorage.persistence import STATE_FORMAT, restore_account, save_account
from mimic.services.objectstorage.routes import ObjectStorageAPI
from mimic.settings import Setting, byte_size

#: Rackspace's Cloud Files regions beside its compute regions, in the
#: same order, so that a client picking the first region of each service
#: stays in one.
REGIONS = ("ORD", "DFW", "IAD")


@implementer(IPlugin, IAPIMock, IAdmitsAnonymous, ITakesLargeBodies, IHasSettings, IPersistentState)
class ObjectStoragePlugin:
    name = SERVICE_NAME
    state_format = STATE_FORMAT
    #: Swift's largest object, and a manifest's largest body.
    max_body_size = MAX_FILE_SIZE

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        """
        One ``cloudFiles`` entry of type ``object-store`` per region, with
        the account in the URL and as the entry's tenant (as Rackspace
        lists it), public and internal (ServiceNet) URLs alike; and its
        CDN management API, ``cloudFilesCDN`` of type ``rax:object-cdn``.
        """
        return list(_catalog_entries(tenant_id))

    def failure_events(self) -> tuple[Event, ...]:
        return EVENTS

    def settings(self) -> list[Setting]:
        return [
            Setting(
                "objectstorage.max_bytes",
                "The bytes all stored objects may hold together; an upload past "
                "it is refused with Swift's 507.",
                DEFAULT_MAX_BYTES,
                byte_size,
            )
        ]

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        account = region_account(core, tenant_id, region)
        return ObjectStorageAPI(core, account, region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return {("info",), ("healthcheck",), ("crossdomain.xml",)}

    def admits(self, core: IMimicCore, region: str, tenant_id: str, request: IRequest) -> bool:
        """
        Requests the account's token is not needed for reach the account
        (once it exists), which then decides (:mod:`.access`): those with
        a temporary URL, a signed form (:mod:`.formpost`), a reseller admin's (where the profile has one,
        :mod:`.middleware`), and those for a container with ACLs (public
        reads, or grants to other projects).
        """
        account = core.existing_region_state(SERVICE_NAME, tenant_id, region)
        if not isinstance(account, Account):
            return False
        if tempurl.present(request.args):
            return True
        if is_reseller(core.profile, core.sessions.token(header(request, "x-auth-token"))):
            return True
        if request.method == b"POST" and devstack_proxy(core.profile) and is_form(header(request, "content-type")):
            return True
        return any(
            container.acls.get("x-container-read") or container.acls.get("x-container-write")
            for container in _named_container(account, request)
        )

    def error_body(self, status: int, message: str) -> Any:
        return swift_error_body(status)

    def save_region_state(self, state: Any) -> Any:
        return save_account(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
        return restore_account(core, tenant_id, region, saved)


def _named_container(account: Account, request: IRequest) -> list[Any]:
    segments = request.postpath
    if len(segments) >= 3 and segments[0] == b"v1":
        found = account.containers.get(segments[2].decode("utf-8", "replace"))
        if found is not None:
            return [found]
    return []


@lru_cache(maxsize=4096)
def _catalog_entries(tenant_id: str) -> tuple[Entry, ...]:
    """
    A tenant's entries, made once: the core asks for them on every
    request (to know the service's regions), and making the account's
    name is most of that cost.
    """
    account = account_name(tenant_id)
    path = f"v1/{account}"
    return (
        Entry(
            "object-store",
            "cloudFiles",
            tuple(
                Endpoint(region, path, tenant_id=account, internal_path=path)
                for region in REGIONS
            ),
        ),
        # Rackspace lists the CDN management API beside the store
        # (public only), and clients look for both: libcloud's Cloud
        # Files driver refuses to start without it.
        Entry(
            "rax:object-cdn",
            "cloudFilesCDN",
            tuple(Endpoint(region, f"cdn/{path}", tenant_id=account) for region in REGIONS),
        ),
    )

