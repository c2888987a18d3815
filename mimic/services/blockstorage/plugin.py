# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Block storage (Cinder v3) as a Mimic plugin: Rackspace's
``cloudBlockStorage`` in the compute regions, listed under the service
types clients look for (``volumev3`` and ``block-storage``, and
``volumev2`` for older clients), the settings for how long its work
takes, and the volumes it shares with compute under
:class:`~mimic.interfaces.IVolumes`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from twisted.plugin import IPlugin
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.cloud_content import ContentKey
from mimic.services.blockstorage.catalogue import content_keys
from mimic.failures import Event
from mimic.interfaces import IAPIMock, IConfiguredContent, IHasSettings, IMimicCore, IPersistentState, ISharesState, IVolumes
from mimic.services.blockstorage.contract import SharedVolumes
from mimic.services.blockstorage.errors import cinder_error_body
from mimic.services.blockstorage.failures import EVENTS
from mimic.services.blockstorage.model import SERVICE_NAME, BlockStorage, region_storage
from mimic.services.blockstorage.persistence import STATE_FORMAT, restore_storage, save_storage
from mimic.services.blockstorage.routes import BlockStorageAPI
from mimic.settings import Setting

#: The compute regions, in the same order, so that a volume is made in
#: the region of the server it is for.
REGIONS = ("ORD", "DFW", "IAD")

#: The service types Cinder is listed under: what openstacksdk's
#: ``block_storage`` and the ``openstack volume`` commands look for
#: (``block-storage`` and its aliases), and what tempest's
#: ``catalog_type`` names by default (``volumev3``).
SERVICE_TYPES = (("volumev3", "v3"), ("block-storage", "v3"), ("volumev2", "v2"))

#: The work whose duration is a setting, and what it is.
TIMED_WORK = (
    ("create", "a new volume stays 'creating'"),
    ("attach", "an attaching volume stays 'attaching'"),
    ("detach", "a detaching volume stays 'detaching'"),
    ("extend", "an extended (or reverted) volume stays 'extending'"),
    ("delete", "a deleted volume, snapshot or backup stays 'deleting'"),
    ("snapshot", "a new snapshot stays 'creating' (and an upload to an image 'uploading')"),
    ("backup", "a backup stays 'creating' and its volume 'backing-up'"),
    ("restore", "a restore keeps the backup 'restoring' and the volume 'restoring-backup'"),
)


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 366 * 24 * 3600:
        raise ValueError(f"{text!r} is not a number of seconds from 0 to a year")
    return value


@implementer(IPlugin, IAPIMock, IHasSettings, ISharesState, IPersistentState, IConfiguredContent)
class BlockStoragePlugin:
    name = SERVICE_NAME
    #: The version of the form snapshots keep block storage's states in.
    state_format = STATE_FORMAT

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        """
        ``cloudBlockStorage`` under each service type, with the project
        in the URL as Cinder's endpoints have it.
        """
        return [
            Entry(
                service_type,
                "cloudBlockStorage",
                tuple(Endpoint(region, f"{api}/{tenant_id}", tenant_id=tenant_id) for region in REGIONS),
            )
            for service_type, api in SERVICE_TYPES
        ]

    def failure_events(self) -> tuple[Event, ...]:
        return EVENTS

    def settings(self) -> list[Setting]:
        return [
            Setting(
                f"{SERVICE_NAME}.{work}_seconds",
                f"Seconds {what} on Mimic's clock (0: done by the next request).",
                0.0,
                _seconds,
            )
            for work, what in TIMED_WORK
        ]

    def content_keys(self) -> tuple[ContentKey, ...]:
        return content_keys()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        state = partial(region_storage, core, tenant_id, region)
        return BlockStorageAPI(core, state, self.name, region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return {(), ("v3",), ("v2",)}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return cinder_error_body(status, message)

    def shared_state(self, core: IMimicCore, contract: Any, tenant_id: str, region: str) -> Any:
        """
        The tenant's volumes in a region (:class:`~mimic.interfaces.IVolumes`),
        which compute attaches and boots from.
        """
        if contract is IVolumes and (region in REGIONS or region in core.profile.regions):
            return SharedVolumes(core, region_storage(core, tenant_id, region), region)
        return None

    def save_region_state(self, state: BlockStorage) -> dict[str, Any]:
        return save_storage(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> BlockStorage:
        return restore_storage(core, tenant_id, region, saved)
