# -*- test-case-name: mimic.test.test_network_model -*-
"""
One tenant's networking in one region: its networks and subnets (this
module), ports (:mod:`.ports`), security groups (:mod:`.security`),
floating IPs and routers (:mod:`.l3`), over the region's shared state
(:class:`~mimic.services.network.region.RegionNetworks`).

It is what the Neutron API changes and what compute uses through
:class:`mimic.interfaces.INetworking`: refusals are
:class:`~mimic.services.network.errors.NeutronFault`, a
:class:`~mimic.interfaces.ContractRefused`, so both answer them in their
own shape.  Nothing changes before every check has passed.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from attrs import define, field
from twisted.internet.interfaces import IReactorTime
from zope.interface import implementer

from mimic.failures import Event
from mimic.interfaces import IMimicCore, INetworking, IRegionState
from mimic.services.network.addresses import (
    Allocator,
    IPNetwork,
    check_pools,
    default_gateway,
    default_pools,
)
from mimic.services.network.errors import NeutronFault, invalid_input, not_found, policy_refused
from mimic.services.network.l3 import L3
from mimic.services.network.model import SERVICE_NAME, Network, Port, Subnet, new_id
from mimic.services.network.ports import ROUTER_INTERFACE, Ports
from mimic.services.network.region import RegionNetworks, region_networks
from mimic.services.network.security import SecurityGroups

#: Nothing given: the subnet takes Neutron's default.
UNSET: Any = object()


def over_quota(resource: str) -> NeutronFault:
    return NeutronFault(409, "OverQuota", f"Quota exceeded for resources: ['{resource}'].")


@implementer(INetworking, IRegionState)
@define
class TenantNetworking(Ports, SecurityGroups, L3):
    tenant_id: str
    region: RegionNetworks
    clock: IReactorTime
    networks_by_id: dict[str, Network] = field(factory=dict)
    subnets_by_id: dict[str, Subnet] = field(factory=dict)
    ports_by_id: dict[str, Port] = field(factory=dict)
    #: Port ids by device (a server's id), in creation order.
    device_ports: dict[str, list[str]] = field(factory=dict)
    groups_by_id: dict[str, Any] = field(factory=dict)
    rule_groups: dict[str, str] = field(factory=dict)
    floating_by_id: dict[str, Any] = field(factory=dict)
    routers_by_id: dict[str, Any] = field(factory=dict)
    #: ``(default group's id,)``, the security groups of most ports: one
    #: tuple for all of them.
    default_ids: tuple[str, ...] = ()
    #: The core's failure engine's ``decide`` (the function, not the
    #: engine, which is no part of this tenant's state) and this state's
    #: region, for the known error conditions of what both Neutron's API
    #: and compute do here.
    decide_outcome: Any = None
    region_name: str = ""

    # -- lookups -------------------------------------------------------

    def quota(self, resource: str) -> int:
        return self.region.quotas_of(self.tenant_id)[resource]

    def check_quota(self, resource: str, used: int, more: int = 1) -> None:
        limit = self.quota(resource)
        if limit >= 0 and used + more > limit:
            raise over_quota(resource)

    def networks(self) -> list[Network]:
        """
        Every network the tenant sees: the provider's, then its own,
        oldest first.
        """
        return [*self.region.networks.values(), *self.networks_by_id.values()]

    def network(self, network_id: str) -> Network | None:
        return self.networks_by_id.get(network_id) or self.region.networks.get(network_id)

    def require_network(self, network_id: str) -> Network:
        network = self.network(network_id)
        if network is None:
            raise not_found("Network", "Network", network_id)
        return network

    def own_network(self, network_id: str, action: str) -> Network:
        """
        A network the tenant may change: 404 for one it does not see,
        403 for the provider's.
        """
        network = self.require_network(network_id)
        if network.id not in self.networks_by_id:
            raise policy_refused(action)
        return network

    def subnets(self) -> list[Subnet]:
        """
        The subnets the tenant sees: the shared networks' and its own
        (not the external network's, which belong to the provider).
        """
        shared = [s for s in self.region.subnets.values() if self.region.networks[s.network_id].shared]
        return [*shared, *self.subnets_by_id.values()]

    def subnet(self, subnet_id: str) -> Subnet | None:
        return self.subnets_by_id.get(subnet_id) or self.region.subnets.get(subnet_id)

    def require_subnet(self, subnet_id: str, visible: bool = False) -> Subnet:
        """
        A subnet by id; with ``visible``, only one the tenant may see
        through the API (not the external network's).
        """
        subnet = self.subnet(subnet_id)
        if subnet is not None and visible and subnet.id in self.region.subnets:
            if not self.region.networks[subnet.network_id].shared:
                subnet = None
        if subnet is None:
            raise not_found("Subnet", "Subnet", subnet_id)
        return subnet

    def port(self, port_id: str) -> Port | None:
        return self.ports_by_id.get(port_id)

    def require_port(self, port_id: str) -> Port:
        port = self.ports_by_id.get(port_id)
        if port is None:
            raise not_found("Port", "Port", port_id)
        return port

    def ports(self) -> Iterable[Port]:
        return self.ports_by_id.values()

    def ports_of(self, device_id: str) -> list[Port]:
        return [self.ports_by_id[p] for p in self.device_ports.get(device_id, ())]

    def now(self) -> float:
        return self.clock.seconds()

    def decide(self, event: Event, **attributes: Any) -> Any:
        """
        Whether a known error condition applies here (see
        :mod:`mimic.services.network.failures`).
        """
        if self.decide_outcome is None:
            return None
        return self.decide_outcome(event, {"tenant_id": self.tenant_id, "region": self.region_name, **attributes})

    def usage(self) -> dict[str, int]:
        """
        What the tenant uses of each quota.
        """
        return {
            "network": len(self.networks_by_id),
            "subnet": len(self.subnets_by_id),
            "port": len(self.ports_by_id),
            "router": len(self.routers_by_id),
            "floatingip": len(self.floating_by_id),
            "security_group": len(self.groups_by_id),
            "security_group_rule": len(self.rule_groups),
        }

    # -- networks ------------------------------------------------------

    def create_network(
        self,
        now: float,
        name: str = "",
        admin_state_up: bool = True,
        shared: bool = False,
        external: bool = False,
        port_security_enabled: bool = True,
        mtu: int | None = None,
        description: str = "",
    ) -> Network:
        self.check_quota("network", len(self.networks_by_id))
        network = Network(
            created_at=now, updated_at=now, revision_number=1,
            id=new_id(), name=name, tenant_id=self.tenant_id, admin_state_up=admin_state_up,
            shared=shared, external=external, port_security_enabled=port_security_enabled,
            mtu=1500 if mtu is None else mtu, description=description,
        )
        self.networks_by_id[network.id] = network
        return network

    def update_network(self, network_id: str, changes: dict[str, Any], now: float) -> Network:
        network = self.own_network(network_id, "update_network")
        for key, value in changes.items():
            setattr(network, key, value)
        network.touch(now)
        return network

    def delete_network(self, network_id: str, now: float) -> None:
        """
        Delete a network and its subnets; 409 ``NetworkInUse`` while
        ports other than Neutron's own are on it.
        """
        network = self.own_network(network_id, "delete_network")
        if any(port.network_id == network.id for port in self.ports_by_id.values()):
            raise NeutronFault(
                409,
                "NetworkInUse",
                f"Unable to complete operation on network {network.id}. "
                "There are one or more ports still in use on the network.",
            )
        for subnet_id in network.subnet_ids:
            self.subnets_by_id.pop(subnet_id, None)
        del self.networks_by_id[network.id]

    # -- subnets -------------------------------------------------------

    def create_subnet(
        self,
        now: float,
        network_id: str,
        cidr: IPNetwork,
        ip_version: int,
        name: str = "",
        gateway: Any = UNSET,
        pools: Sequence[tuple[int, int]] | None = None,
        enable_dhcp: bool = True,
        dns_nameservers: Sequence[str] = (),
        host_routes: Sequence[tuple[str, str]] = (),
        ipv6_ra_mode: str | None = None,
        ipv6_address_mode: str | None = None,
        description: str = "",
    ) -> Subnet:
        """
        A subnet on one of the tenant's networks.  ``gateway`` is an
        address (int), ``None`` for no gateway, or :data:`UNSET` for the
        first host address.
        """
        network = self.require_network(network_id)
        if network.id not in self.networks_by_id:
            raise policy_refused("create_subnet")
        if cidr.version != ip_version:
            raise invalid_input("Cidr and IP version mismatch")
        for other_id in network.subnet_ids:
            other = self.subnets_by_id[other_id]
            if other.cidr.version == cidr.version and other.cidr.overlaps(cidr):
                raise invalid_input(
                    f"Requested subnet with cidr: {cidr} for network: {network.id} overlaps with another subnet"
                )
        self.check_quota("subnet", len(self.subnets_by_id))
        gateway_ip = self._gateway(cidr, gateway)
        checked = check_pools(cidr, pools, gateway_ip) if pools is not None else default_pools(cidr, gateway_ip)
        subnet = Subnet(
            created_at=now, updated_at=now, revision_number=0,
            id=new_id(), name=name, tenant_id=self.tenant_id, network_id=network.id,
            cidr=cidr, gateway_ip=gateway_ip, allocator=Allocator(cidr.version, checked),
            enable_dhcp=enable_dhcp, dns_nameservers=tuple(dns_nameservers),
            host_routes=tuple(host_routes), ipv6_ra_mode=ipv6_ra_mode,
            ipv6_address_mode=ipv6_address_mode, description=description,
        )
        self.subnets_by_id[subnet.id] = subnet
        network.subnet_ids.append(subnet.id)
        network.touch(now)
        return subnet

    def _gateway(self, cidr: IPNetwork, gateway: Any) -> int | None:
        if gateway is UNSET:
            return default_gateway(cidr)
        if gateway is None:
            return None
        value = int(gateway)
        if cidr.version == 4 and cidr.num_addresses > 2 and value in (
            int(cidr.network_address), int(cidr.broadcast_address)
        ):
            raise invalid_input("Gateway is not valid on subnet")
        return value

    def update_subnet(self, subnet_id: str, changes: dict[str, Any], now: float) -> Subnet:
        subnet = self.require_subnet(subnet_id)
        if subnet.id not in self.subnets_by_id:
            raise policy_refused("update_subnet")
        gateway = subnet.gateway_ip
        if "gateway_ip" in changes:
            gateway = self._gateway(subnet.cidr, changes.pop("gateway_ip"))
        pools = subnet.allocator.pools
        if "allocation_pools" in changes:
            pools = check_pools(subnet.cidr, changes.pop("allocation_pools"), gateway)
        elif gateway != subnet.gateway_ip and gateway is not None:
            check_pools(subnet.cidr, pools, gateway)
        subnet.gateway_ip = gateway
        subnet.allocator.pools = tuple(pools)
        for key, value in changes.items():
            setattr(subnet, key, value)
        subnet.touch(now)
        return subnet

    def delete_subnet(self, subnet_id: str, now: float) -> None:
        subnet = self.require_subnet(subnet_id)
        if subnet.id not in self.subnets_by_id:
            raise policy_refused("delete_subnet")
        users = [port for port in self.ports_by_id.values() if any(s == subnet.id for s, _ in port.fixed_ips)]
        if subnet.auto_address and all(port.device_owner != ROUTER_INTERFACE for port in users):
            # Neutron takes SLAAC addresses away from the ports with the subnet.
            for port in users:
                self._give_back(pair for pair in port.fixed_ips if pair[0] == subnet.id)
                port.fixed_ips = tuple(pair for pair in port.fixed_ips if pair[0] != subnet.id)
                port.touch(now)
            users = []
        if users:
            raise NeutronFault(
                409,
                "SubnetInUse",
                f"Unable to complete operation on subnet {subnet.id}: "
                "One or more ports have an IP allocation from this subnet.",
            )
        network = self.networks_by_id[subnet.network_id]
        network.subnet_ids.remove(subnet.id)
        network.touch(now)
        del self.subnets_by_id[subnet.id]

    # -- the control plane's view ---------------------------------------

    def summary(self) -> dict[str, Any]:
        return {
            "networks": sorted(self.networks_by_id),
            # Each of the tenant's networks as the dashboard lists it.
            "network_list": [
                {"id": n.id, "name": n.name, "status": n.status, "path": f"v2.0/networks/{n.id}"}
                for n in self.networks_by_id.values()
            ],
            "subnets": len(self.subnets_by_id),
            "ports": len(self.ports_by_id),
            "security_groups": len(self.groups_by_id),
            "floating_ips": len(self.floating_by_id),
            "routers": len(self.routers_by_id),
        }


def tenant_networking(core: IMimicCore, tenant_id: str, region: str) -> TenantNetworking:
    """
    The one networking state of a tenant in a region, shared by the
    Neutron API and compute.
    """
    shared = region_networks(core, region)
    state = core.region_state(
        SERVICE_NAME, tenant_id, region,
        lambda: TenantNetworking(tenant_id, shared, core.clock, decide_outcome=core.failures.decide, region_name=region),
    )
    if state.region is not shared:
        # Restored from a snapshot before (or without) its region's
        # shared state: it shares the one the core keeps now.
        state.region = shared
    return state
