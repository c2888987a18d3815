# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
The compute service as a Mimic plugin: catalog entries, regions, the
resource for each (tenant, region), and the error shape the core uses for
requests it turns away.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from twisted.plugin import IPlugin
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.cloud_content import ContentKey
from mimic.failures import Event
from mimic.interfaces import IAPIMock, IConfiguredContent, IHasSettings, IImages, IMimicCore, INamesRequestIds, INetworking, IPersistentState
from mimic.services.compute import configured
from mimic.services.compute.errors import nova_error_body
from mimic.services.compute.failures import EVENTS, SERVICE
from mimic.services.compute.network_failures import NETWORK_EVENTS
from mimic.services.compute.server_group_failures import SERVER_GROUP_EVENTS
from mimic.services.compute.model import NO_IMAGES, ComputeState, region_compute
from mimic.services.compute.persistence import STATE_FORMAT, restore_compute, save_compute
from mimic.services.compute.routes import ComputeAPI
from mimic.services.compute.transitions import durations_from, settings as transition_settings
from mimic.settings import Setting

#: Rackspace's compute regions.
REGIONS = ("ORD", "DFW", "IAD")


@implementer(IPlugin, IAPIMock, INamesRequestIds, IPersistentState, IHasSettings, IConfiguredContent)
class ComputePlugin:
    name = SERVICE
    #: The version of the form snapshots keep compute's states in.
    state_format = STATE_FORMAT
    #: Nova sends its request id under its older name too.
    request_id_headers = ("X-Compute-Request-ID",)

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        """
        One ``cloudServersOpenStack`` entry, with Rackspace's ``v2/<tenant>``
        endpoint in each region.  Clients find ``v2.1`` and its
        microversions through the version document at the unversioned
        root.
        """
        return [
            Entry(
                "compute",
                "cloudServersOpenStack",
                tuple(
                    Endpoint(region, f"v2/{tenant_id}", tenant_id=tenant_id, version_id="2")
                    for region in REGIONS
                ),
            )
        ]

    def failure_events(self) -> tuple[Event, ...]:
        return EVENTS + NETWORK_EVENTS + SERVER_GROUP_EVENTS

    def settings(self) -> list[Setting]:
        return transition_settings()

    def content_keys(self) -> tuple[ContentKey, ...]:
        return configured.content_keys()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        state = region_compute(core, tenant_id, region)
        state.durations = durations_from(core.settings)
        # Nova's images are the Image service's: one store per (tenant,
        # region), shared under the IImages contract.  Looked up on each
        # request, so compute always sees the store the Image service
        # serves.
        images = core.shared(IImages, tenant_id, region)
        state.images = NO_IMAGES if images is None else images
        # Its ports, addresses and security groups are the network
        # service's, under INetworking, when one is loaded: looked up
        # through the core when needed, never held.
        if core.shared(INetworking, tenant_id, region) is None:
            state.networking_lookup = None
        else:
            state.networking_lookup = partial(core.shared, INetworking, tenant_id, region)
        return ComputeAPI(core, state, self.name, region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return {(), ("v2",), ("v2.1",)}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return nova_error_body(status, message)

    def save_region_state(self, state: ComputeState) -> dict[str, Any]:
        return save_compute(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> ComputeState:
        return restore_compute(core, tenant_id, region, saved)
