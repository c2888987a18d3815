# -*- test-case-name: mimic.test.test_network_model -*-
"""
Ports, as part of a tenant's networking
(:class:`~mimic.services.network.state.TenantNetworking` mixes this in):
their addresses (from the subnets' allocators, all or none), MACs
(unique in the region), security groups and devices.

What compute does to a server's ports goes through here as well, so the
port-creation conditions of :mod:`mimic.services.network.failures` apply
to both.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from mimic.services.network.addresses import address_text
from mimic.services.network.errors import NeutronFault, bad_request, invalid_input
from mimic.services.network.failures import NETWORK_STATE, PORT_CREATE
from mimic.services.network.model import Network, Port, Subnet, mac_number, new_id, pack_address

if TYPE_CHECKING:
    from mimic.services.network.model import SecurityGroup
    from mimic.services.network.region import RegionNetworks

_MAC = re.compile(r"^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$")

#: Device owners whose ports Neutron makes itself and deletes with the
#: network (DHCP), or that only the router API removes.
ROUTER_INTERFACE = "network:router_interface"

#: A port's request for an address: a subnet, an address, or both.
FixedIPRequest = tuple[str | None, str | None]

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


class Ports:
    """
    The port half of a tenant's networking.
    """

    if TYPE_CHECKING:
        # What TenantNetworking and the other halves provide.
        tenant_id: str
        region: RegionNetworks
        ports_by_id: dict[str, Port]
        device_ports: dict[str, list[str]]

        def require_network(self, network_id: str) -> Network: ...
        def require_subnet(self, subnet_id: str, visible: bool = False) -> Subnet: ...
        def subnet(self, subnet_id: str) -> Subnet | None: ...
        def require_port(self, port_id: str) -> Port: ...
        def port(self, port_id: str) -> Port | None: ...
        def network(self, network_id: str) -> Network | None: ...
        def check_quota(self, resource: str, used: int, more: int = 1) -> None: ...
        def decide(self, event: Any, **attributes: Any) -> Any: ...
        def default_group_ids(self, now: float) -> tuple[str, ...]: ...
        def require_group_ref(self, name_or_id: str) -> SecurityGroup: ...
        def disassociate_port(self, port_id: str, now: float) -> None: ...


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
        del self.ports_by_id[port.id]

    def set_port_security_groups(self, port_id: str, group_ids: Sequence[str], now: float) -> Port:
        return self.update_port(port_id, {"security_groups": list(group_ids)}, now)
