# -*- test-case-name: mimic.test.test_network -*-
"""
The network service (Neutron v2.0) as a Mimic plugin: Rackspace's
``cloudNetworks`` catalog entry in the compute regions, the resource for
each (tenant, region), and the tenant's networking shared with compute
under :class:`~mimic.interfaces.INetworking`.
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.cloud_content import ContentKey
from mimic.failures import Event
from mimic.interfaces import IAPIMock, IConfiguredContent, IMimicCore, INetworking, IPersistentState, ISharesState
from mimic.services.network.errors import neutron_error_body
from mimic.services.network.failures import EVENTS
from mimic.services.network.model import SERVICE_NAME
from mimic.services.network.region import content_keys
from mimic.services.network.persistence import STATE_FORMAT, restore_network_state, save_network_state
from mimic.services.network.routes import NeutronAPI
from mimic.services.network.state import tenant_networking

#: The compute regions, in the same order, so that a client picking the
#: first region of each service finds its servers' networks.
REGIONS = ("ORD", "DFW", "IAD")


@implementer(IPlugin, IAPIMock, ISharesState, IPersistentState, IConfiguredContent)
class NetworkPlugin:
    name = SERVICE_NAME
    #: The version of the form snapshots keep the network states in.
    state_format = STATE_FORMAT

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        """
        One ``cloudNetworks`` entry of type ``network`` per region, at
        Neutron's unversioned root (clients add ``/v2.0``).  Given from
        Mimic's root so that the URL has no trailing slash, as clients
        join paths to it with one.
        """
        return [
            Entry(
                "network",
                "cloudNetworks",
                tuple(
                    Endpoint(
                        region, f"service/{SERVICE_NAME}/{region}/{tenant_id}",
                        tenant_id=tenant_id, absolute_path=True,
                    )
                    for region in REGIONS
                ),
            )
        ]

    def failure_events(self) -> tuple[Event, ...]:
        return EVENTS

    def content_keys(self) -> tuple[ContentKey, ...]:
        return content_keys()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        return NeutronAPI(core, lambda: tenant_networking(core, tenant_id, region), region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return {(), ("v2.0",)}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return neutron_error_body(status, message)

    def shared_state(self, core: IMimicCore, contract: Any, tenant_id: str, region: str) -> Any:
        """
        The tenant's networking in a region
        (:class:`~mimic.interfaces.INetworking`), on which compute makes
        its servers' ports.
        """
        if contract is INetworking:
            return tenant_networking(core, tenant_id, region)
        return None

    def save_region_state(self, state: Any) -> dict[str, Any]:
        """
        A tenant's networking, or (under the tenant key ``*region*``)
        what a region's tenants share, as plain JSON.
        """
        return save_network_state(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
        return restore_network_state(core, tenant_id, region, saved)
