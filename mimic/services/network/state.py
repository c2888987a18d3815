# -*- test-case-name: mimic.test.test_network_model -*-
"""
One tenant's networking in one region: its networks, subnets and ports
(this module), security groups (:mod:`.security`), floating IPs and
routers (:mod:`.l3`), over the region's shared state
(:class:`~mimic.services.network.region.RegionNetworks`).

It is what the Neutron API changes and what compute uses through
:class:`mimic.interfaces.INetworking`: refusals are
:class:`~mimic.services.network.errors.NeutronFault`, a
:class:`~mimic.interfaces.ContractRefused`, so both answer them in their
own shape.  Nothing changes before every check has passed.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any, Iterable, Iterator, Sequence

from attrs import define, field
from twisted.internet.interfaces import IReactorTime
from zope.interface import implementer

from mimic.interfaces import IMimicCore, INetworking, IRegionState
from mimic.services.network.addresses import (
    Allocator,
    IPNetwork,
    address_text,
    check_pools,
    default_gateway,
    default_pools,
)
from mimic.services.network.errors import NeutronFault, bad_request, invalid_input, not_found, policy_refused
from mimic.failures import Event
from mimic.services.network.failures import NETWORK_STATE, PORT_CREATE
from mimic.services.network.l3 import L3
from mimic.services.network.model import SERVICE_NAME, Network, Port, Subnet, mac_number, pack_address
from mimic.services.network.region import RegionNetworks, region_networks
from mimic.services.network.security import SecurityGroups

_MAC = re.compile(r"^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$")

#: Device owners whose ports Neutron makes itself and deletes with the
#: network (DHCP), or that only the router API removes.
ROUTER_INTERFACE = "network:router_interface"

#: A port's request for an address: a subnet, an address, or both.
FixedIPRequest = tuple[str | None, str | None]

#: Nothing given: the port takes Neutron's defaults.
UNSET: Any = object()


def eui64(subnet: Subnet, mac: str) -> int:
    """
    The address SLAAC gives an interface with MAC ``mac`` on an IPv6
    subnet: the prefix, then the MAC with ``ff:fe`` in its middle and
    its universal/local bit flipped.
    """
    octets = [int(part, 16) for part in mac.split(":")]
    octets[0] ^= 0x02
    interface = 0
    for octet in octets[:3] + [0xFF, 0xFE] + octets[3:]:
        interface = (interface << 8) | octet
    return int(subnet.cidr.network_address) | interface


def new_id() -> str:
    return str(uuid.uuid4())


def over_quota(resource: str) -> NeutronFault:
    return NeutronFault(409, "OverQuota", f"Quota exceeded for resources: ['{resource}'].")


@implementer(INetworking, IRegionState)
@define
class TenantNetworking(SecurityGroups, L3):
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

    # -- ports ---------------------------------------------------------

    def _resolve_fixed_ips(
        self,
        network: Network,
        requested: Sequence[FixedIPRequest] | None,
        mac: str,
        existing: Sequence[tuple[str, str]] = (),
        router_port: bool = False,
    ) -> list[tuple[Subnet, int | None]]:
        """
        The (subnet, address or None for "any") each requested fixed IP
        means, checked: the subnet is on the network, the address is in
        it and free.  ``None``: Neutron's default, an address from the
        first subnet of each IP version.  Either way, a port (but a
        router's) also gets its EUI-64 address (from ``mac``) on each
        SLAAC or DHCPv6-stateless subnet, as Neutron gives it.
        """
        subnets = [self.require_subnet(s) for s in network.subnet_ids]
        kept = {(s, a) for s, a in existing}
        auto = [] if router_port else [s for s in subnets if s.auto_address]
        if requested is None:
            chosen: list[tuple[Subnet, int | None]] = []
            versions: set[int] = set()
            for subnet in subnets:
                if subnet.auto_address:
                    continue
                if subnet.ip_version not in versions:
                    versions.add(subnet.ip_version)
                    chosen.append((subnet, None))
            requested_auto: list[tuple[Subnet, int | None]] = [(s, eui64(s, mac)) for s in auto]
            return self._check_free(chosen + requested_auto, kept)
        resolved: list[tuple[Subnet, int | None]] = []
        for subnet_id, address in requested:
            value = None
            parsed = None
            if address is not None:
                try:
                    parsed = ipaddress.ip_address(address)
                except ValueError:
                    raise bad_request(
                        f"Invalid input for fixed_ips. Reason: '{address}' is not a valid IP address."
                    )
                value = int(parsed)
            if subnet_id is not None:
                found = self.subnet(subnet_id)
                if found is None or found.network_id != network.id:
                    raise invalid_input(
                        f"Failed to create port on network {network.id}, because fixed_ips "
                        f"included invalid subnet {subnet_id}"
                    )
                subnet = found
                if parsed is not None and (subnet.ip_version != parsed.version or parsed not in subnet.cidr):
                    raise NeutronFault(
                        400, "InvalidIpForSubnet",
                        f"IP address {address} is not a valid IP for the specified subnet.",
                    )
            else:
                matching = [s for s in subnets if parsed is not None and s.ip_version == parsed.version and parsed in s.cidr]
                if not matching:
                    raise NeutronFault(
                        400, "InvalidIpForNetwork",
                        f"IP address {address} is not a valid IP for any of the subnets on the specified network.",
                    )
                subnet = matching[0]
            if value is None and subnet.auto_address:
                value = eui64(subnet, mac)
            resolved.append((subnet, value))
        named = {subnet.id for subnet, _ in resolved}
        resolved += [(s, eui64(s, mac)) for s in auto if s.id not in named]
        addresses = [(s.id, v) for s, v in resolved if v is not None]
        if len(addresses) != len(set(addresses)):
            raise bad_request("Invalid input for fixed_ips. Reason: Duplicate IP address.")
        return self._check_free(resolved, kept)

    def _check_free(
        self, resolved: list[tuple[Subnet, int | None]], kept: set[tuple[str, str]]
    ) -> list[tuple[Subnet, int | None]]:
        for subnet, value in resolved:
            if value is None:
                continue
            text = address_text(subnet.ip_version, value)
            if value in subnet.allocator.used and (subnet.id, text) not in kept:
                raise NeutronFault(
                    409, "IpAddressAlreadyAllocated", f"IP address {text} already allocated in subnet {subnet.id}",
                )
        return resolved

    def _take(
        self, network: Network, resolved: Sequence[tuple[Subnet, int | None]], existing: Sequence[tuple[str, str]] = ()
    ) -> list[tuple[Subnet, int]]:
        """
        Take the addresses: all or none (a refusal leaves every
        allocator as it was).
        """
        taken: list[tuple[Subnet, int]] = []
        kept = {(s, a) for s, a in existing}
        cursors = [(subnet.allocator, subnet.allocator.cursor) for subnet, _ in resolved]
        for subnet, value in resolved:
            if value is None:
                value = subnet.allocator.allocate()
                if value is None:
                    for done_subnet, done in taken:
                        done_subnet.allocator.give_back(done)
                    for allocator, cursor in cursors:
                        allocator.cursor = cursor
                    raise NeutronFault(
                        409, "IpAddressGenerationFailure",
                        f"No more IP addresses available on network {network.id}.",
                    )
            elif (subnet.id, address_text(subnet.ip_version, value)) in kept:
                continue
            else:
                subnet.allocator.take(value)
            taken.append((subnet, value))
        return taken

    def _allocate(
        self, network: Network, resolved: Sequence[tuple[Subnet, int | None]], existing: Sequence[tuple[str, str]] = ()
    ) -> tuple[tuple[str, str], ...]:
        """
        Take the addresses, as (subnet id, address) pairs.
        """
        taken = self._take(network, resolved, existing)
        return tuple((subnet.id, address_text(subnet.ip_version, value)) for subnet, value in taken)

    def _give_back(self, fixed_ips: Iterable[tuple[str, str]]) -> None:
        for subnet_id, address in fixed_ips:
            subnet = self.subnet(subnet_id)
            if subnet is not None:
                subnet.allocator.give_back(int(ipaddress.ip_address(address)))

    def _check_mac(self, mac: str) -> str:
        if not isinstance(mac, str) or not _MAC.match(mac):
            raise bad_request(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC address.")
        return mac.lower().replace("-", ":")

    def create_port(
        self,
        network_id: str,
        device_id: str,
        device_owner: str,
        now: float,
        fixed_ip: str | None = None,
        security_groups: Sequence[str] | None = None,
        *,
        fixed_ips: Sequence[FixedIPRequest] | None = None,
        name: str = "",
        mac_address: str | None = None,
        admin_state_up: bool = True,
        port_security_enabled: bool | None = None,
        allowed_address_pairs: Sequence[tuple[str, str | None]] = (),
        description: str = "",
    ) -> Port:
        """
        A port (see :meth:`mimic.interfaces.INetworking.create_port`);
        the keyword-only arguments are what Neutron's API takes beyond
        what compute passes.
        """
        network = self.require_network(network_id)
        attributes = {
            "network_id": network.id, "network_name": network.name,
            "device_id": device_id, "device_owner": device_owner,
        }
        if self.decide(NETWORK_STATE, network_id=network.id, network_name=network.name) == "ERROR":
            raise NeutronFault(
                409, "NetworkError", f"Network {network.id} is in ERROR state; ports cannot be created on it.",
            )
        self.decide(PORT_CREATE, **attributes)
        if fixed_ip is not None:
            fixed_ips = [(None, fixed_ip)]
        if mac_address is not None:
            mac = self._check_mac(mac_address)
            if self.region.mac_in_use(mac):
                raise NeutronFault(
                    409, "MacAddressInUse",
                    f"Unable to complete operation for network {network.id}. The mac address {mac} is in use.",
                )
        else:
            mac = self.region.next_free_mac()
        resolved = self._resolve_fixed_ips(network, fixed_ips, mac, router_port=device_owner == ROUTER_INTERFACE)
        secure = network.port_security_enabled if port_security_enabled is None else port_security_enabled
        wants_default = security_groups is None and secure and not device_owner.startswith("network:")
        group_ids: tuple[str, ...] = ()
        if security_groups is not None:
            group_ids = tuple(self.require_group_ref(g).id for g in security_groups)
        if not secure and group_ids:
            raise NeutronFault(
                400, "PortSecurityAndIPRequiredForSecurityGroups",
                "Port security must be enabled and port must have an IP address in order to use security groups.",
            )
        if not secure and allowed_address_pairs:
            raise NeutronFault(
                409, "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        self.check_quota("port", len(self.ports_by_id))
        taken = self._take(network, resolved)
        # The numbers the allocators hold, shared rather than copied.
        addresses = tuple(
            part for subnet, value in taken for part in (subnet.id, pack_address(subnet.ip_version, value))
        )
        self.region.claim_mac(mac)
        if wants_default:
            group_ids = self.default_group_ids(now)
        port = Port(
            created_at=now, updated_at=now, revision_number=1,
            id=new_id(), network_id=network.id, tenant_id=self.tenant_id,
            mac=mac_number(mac), addresses=addresses, name=name, device_id=device_id,
            device_owner=device_owner, security_group_ids=group_ids,
            admin_state_up=admin_state_up, port_security_enabled=secure,
            allowed_address_pairs=tuple((a, m or mac) for a, m in allowed_address_pairs),
            description=description,
        )
        self.ports_by_id[port.id] = port
        network.port_count += 1
        if device_id:
            self.device_ports.setdefault(device_id, []).append(port.id)
        return port

    def update_port(self, port_id: str, changes: dict[str, Any], now: float) -> Port:
        """
        Change a port's attributes; new ``fixed_ips`` are allocated
        before the old ones are given back, all or nothing.
        """
        port = self.require_port(port_id)
        network = self.require_network(port.network_id)
        changes = dict(changes)
        secure = changes.get("port_security_enabled", port.port_security_enabled)
        groups = port.security_group_ids
        if "security_groups" in changes:
            requested = changes.pop("security_groups")
            groups = tuple(self.require_group_ref(g).id for g in (requested or ()))
        elif "port_security_enabled" in changes and not secure:
            if groups:
                raise NeutronFault(
                    409, "PortSecurityPortHasSecurityGroup",
                    "Port has security group associated. Cannot disable port security or ip address "
                    "until security group is removed",
                )
        if not secure and groups:
            raise NeutronFault(
                400, "PortSecurityAndIPRequiredForSecurityGroups",
                "Port security must be enabled and port must have an IP address in order to use security groups.",
            )
        pairs = port.allowed_address_pairs
        if "allowed_address_pairs" in changes:
            pairs = tuple((a, m or port.mac_address) for a, m in changes.pop("allowed_address_pairs"))
        if not secure and pairs:
            raise NeutronFault(
                409, "AddressPairAndPortSecurityRequired",
                "Port Security must be enabled in order to have allowed address pairs on a port.",
            )
        mac = port.mac_address
        if "mac_address" in changes:
            mac = self._check_mac(changes.pop("mac_address"))
            if mac != port.mac_address and self.region.mac_in_use(mac):
                raise NeutronFault(
                    409, "MacAddressInUse",
                    f"Unable to complete operation for network {network.id}. The mac address {mac} is in use.",
                )
        fixed_ips = port.fixed_ips
        if "fixed_ips" in changes:
            requested = changes.pop("fixed_ips")
            resolved = self._resolve_fixed_ips(
                network, requested, mac, port.fixed_ips, router_port=port.device_owner == ROUTER_INTERFACE
            )
            new = self._allocate(network, resolved, port.fixed_ips)
            wanted = {(s.id, address_text(s.ip_version, v)) for s, v in resolved if v is not None}
            kept = tuple(pair for pair in port.fixed_ips if pair in wanted)
            self._give_back(pair for pair in port.fixed_ips if pair not in wanted)
            fixed_ips = kept + new
        if mac != port.mac_address:
            self.region.release_mac(port.mac_address)
            self.region.claim_mac(mac)
            port.mac_address = mac
        port.fixed_ips = fixed_ips
        port.security_group_ids = groups
        port.allowed_address_pairs = pairs
        device_id = changes.pop("device_id", port.device_id)
        if device_id != port.device_id:
            self._unindex(port)
            port.device_id = device_id
            self._index(port)
        for key, value in changes.items():
            setattr(port, key, value)
        port.touch(now)
        return port

    def _index(self, port: Port) -> None:
        if port.device_id:
            self.device_ports.setdefault(port.device_id, []).append(port.id)

    def _unindex(self, port: Port) -> None:
        if port.device_id:
            ids = self.device_ports.get(port.device_id)
            if ids is not None and port.id in ids:
                ids.remove(port.id)
                if not ids:
                    del self.device_ports[port.device_id]

    def bind_port(self, port_id: str, device_id: str, device_owner: str, now: float) -> Port:
        port = self.require_port(port_id)
        if port.device_id and port.device_id != device_id:
            raise NeutronFault(
                409, "PortInUse",
                f"Unable to complete operation on port {port.id} for network {port.network_id}. "
                f"Port already has an attached device {port.device_id}.",
            )
        self._unindex(port)
        port.device_id = device_id
        port.device_owner = device_owner
        self._index(port)
        port.touch(now)
        return port

    def release_port(self, port_id: str, now: float) -> None:
        port = self.port(port_id)
        if port is None:
            return
        self._unindex(port)
        port.device_id = ""
        port.device_owner = ""
        port.touch(now)

    def delete_port(self, port_id: str, now: float, from_api: bool = False) -> None:
        port = self.require_port(port_id)
        if from_api and port.device_owner == ROUTER_INTERFACE:
            raise NeutronFault(
                409, "L3PortInUse",
                f"Port {port.id} cannot be deleted directly via the port API: "
                f"has device owner {port.device_owner}.",
            )
        self.disassociate_port(port.id, now)
        self._unindex(port)
        self._give_back(port.fixed_ips)
        self.region.release_mac(port.mac_address)
        network = self.network(port.network_id)
        if network is not None:
            network.port_count -= 1
        del self.ports_by_id[port.id]

    def set_port_security_groups(self, port_id: str, group_ids: Sequence[str], now: float) -> Port:
        return self.update_port(port_id, {"security_groups": list(group_ids)}, now)

    # -- the control plane's view ---------------------------------------

    def summary(self) -> dict[str, Any]:
        return {
            "networks": sorted(self.networks_by_id),
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
    return core.region_state(
        SERVICE_NAME, tenant_id, region,
        lambda: TenantNetworking(tenant_id, shared, core.clock, decide_outcome=core.failures.decide, region_name=region),
    )
