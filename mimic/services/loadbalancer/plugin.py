# -*- test-case-name: mimic.test.test_loadbalancer_plugin -*-
"""
Cloud Load Balancers as a Mimic plugin: catalog entries
``rax:load-balancer`` / ``cloudLoadBalancers`` in ORD, DFW and IAD, as
Rackspace's catalog lists them (apache-libcloud finds its endpoint by that
name and region), the resource for each (tenant, region), and the error
shape the core uses for requests it turns away.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from twisted.plugin import IPlugin
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.failures import Event
from mimic.interfaces import IAPIMock, IMimicCore, IPersistentState, IProfileMember
from mimic.services.loadbalancer.errors import clb_error_body
from mimic.services.loadbalancer.failures import EVENTS
from mimic.services.loadbalancer.model import SERVICE, region_balancers
from mimic.services.loadbalancer.persistence import STATE_FORMAT, restore_balancers, save_balancers
from mimic.services.loadbalancer.routes import LoadBalancerRegion

#: Rackspace's Cloud Load Balancers regions.
REGIONS = ("ORD", "DFW", "IAD")


@implementer(IAPIMock, IPlugin, IPersistentState, IProfileMember)
class LoadBalancerPlugin:
    name = SERVICE
    state_format = STATE_FORMAT
    #: Cloud Load Balancers is Rackspace's own API: upstream OpenStack
    #: has Octavia instead, so the openstack profile leaves it out.
    profiles = ("rackspace",)

    def layout(self, profile: Any) -> None:
        return None

    def __init__(self, regions: Sequence[str] = REGIONS) -> None:
        self.regions = tuple(regions)

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return [
            Entry(
                type="rax:load-balancer",
                name="cloudLoadBalancers",
                endpoints=tuple(
                    Endpoint(region, f"v1.0/{tenant_id}", tenant_id=tenant_id)
                    for region in self.regions
                ),
            )
        ]

    def failure_events(self) -> Sequence[Event]:
        return EVENTS

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        return LoadBalancerRegion(core, region_balancers(core, tenant_id, region)).app.resource()

    def anonymous_paths(self) -> Iterable[tuple[str, ...]]:
        return frozenset()

    def error_body(self, status: int, message: str) -> Any:
        return clb_error_body(status, message)

    def save_region_state(self, state: Any) -> Any:
        return save_balancers(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
        return restore_balancers(core, tenant_id, region, saved)
