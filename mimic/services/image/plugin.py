# -*- test-case-name: mimic.test.test_image -*-
"""
The Image service (Glance v2) as a Mimic plugin: Rackspace's
``cloudImages`` catalog entry in the compute regions, and the resource for
each (tenant, region) over the store compute shares.
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.cloud_content import ContentKey
from mimic.failures import Event
from mimic.interfaces import (
    IAPIMock,
    IConfiguredContent,
    IHasSettings,
    IImages,
    IMimicCore,
    IPersistentState,
    ISharesState,
    ITakesLargeBodies,
)
from mimic.services.image import configured
from mimic.services.image.base_images import base_images
from mimic.services.image.errors import glance_error_body
from mimic.services.image.failures import EVENTS
from mimic.services.image.model import SERVICE_NAME, image_store
from mimic.services.image.persistence import STATE_FORMAT, restore_store, save_store
from mimic.services.image.routes import MAX_IMAGE_SIZE, ImageAPI
from mimic.services.image.transitions import SNAPSHOT_SETTING
from mimic.settings import Setting

#: The compute regions, in the same order, so that a client picking the
#: first region of each service finds its servers' images.
REGIONS = ("ORD", "DFW", "IAD")


@implementer(IPlugin, IAPIMock, ISharesState, IPersistentState, IHasSettings, ITakesLargeBodies, IConfiguredContent)
class ImagePlugin:
    name = SERVICE_NAME
    state_format = STATE_FORMAT
    #: Image data comes in one request (``PUT /v2/images/{id}/file``).
    max_body_size = MAX_IMAGE_SIZE

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        """
        One ``cloudImages`` entry of type ``image`` with a ``v2`` endpoint
        per region, as Rackspace lists it (no tenant in the URL: Glance
        scopes by token).
        """
        return [
            Entry(
                "image",
                "cloudImages",
                tuple(Endpoint(region, "v2", tenant_id=tenant_id) for region in REGIONS),
            )
        ]

    def failure_events(self) -> tuple[Event, ...]:
        return EVENTS

    def settings(self) -> list[Setting]:
        return [SNAPSHOT_SETTING]

    def content_keys(self) -> tuple[ContentKey, ...]:
        return configured.content_keys()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        store = image_store(core, tenant_id, region, base_images(core, region))
        return ImageAPI(core, store, region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return {(), ("versions",), ("v2",)}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return glance_error_body(status, message)

    def shared_state(self, core: IMimicCore, contract: Any, tenant_id: str, region: str) -> Any:
        """
        The tenant's images in a region (:class:`~mimic.interfaces.IImages`),
        which compute's image proxy, boots and snapshots use.
        """
        if contract is IImages:
            return image_store(core, tenant_id, region, base_images(core, region))
        return None

    def save_region_state(self, state: Any) -> Any:
        return save_store(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
        return restore_store(saved, base_images(core, region))
