# -*- test-case-name: mimic.test.test_network_model -*-
"""
Neutron's resources: networks, subnets, ports, security groups and their
rules, floating IPs and routers.

Each is a slotted attrs class holding only what it needs; what Neutron
shows of it is in :mod:`mimic.services.network.views`.  Every resource
carries Neutron's standard attributes (``created_at``, ``updated_at``,
``revision_number``) in seconds on Mimic's clock; :meth:`Stamped.touch`
moves them on each change.
"""

from __future__ import annotations

import ipaddress
import uuid
from functools import lru_cache
from typing import Any, Iterable

from attrs import define, field
from zope.interface import implementer

from mimic.interfaces import IFloatingIP, INetwork, INetworkPort, ISecurityGroup
from mimic.services.network.addresses import Allocator, IPNetwork
from mimic.timestamps import iso_seconds

SERVICE_NAME = "network"

#: Rackspace's two networks every tenant sees.
PUBLIC_NETWORK = "00000000-0000-0000-0000-000000000000"
PRIVATE_NETWORK = "11111111-1111-1111-1111-111111111111"

#: The external network floating IPs and router gateways come from
#: (Rackspace has none; an OpenStack cloud has one, and clients expect it).
EXTERNAL_NETWORK = "5d2b4e7e-0bdc-5a36-9d4f-7f9d2e0d8a01"

#: The owner of the provider's shared networks.
PROVIDER_TENANT = "rackspace"

#: Neutron's default MTU for a network.
DEFAULT_MTU = 1500


@define(slots=True)
class Stamped:
    created_at: float
    updated_at: float
    revision_number: int

    def touch(self, now: float) -> None:
        """
        Record a change: Neutron moves ``updated_at`` and the revision.
        """
        self.updated_at = now
        self.revision_number += 1


def new_id() -> str:
    return str(uuid.uuid4())


def standard_attributes(resource: Stamped, tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """
    ``body`` with Neutron's standard attributes added: the owner (as
    ``tenant_id`` and ``project_id``), timestamps, revision and tags.
    """
    body["tenant_id"] = tenant_id
    body["project_id"] = tenant_id
    body["created_at"] = iso_seconds(resource.created_at)
    body["updated_at"] = iso_seconds(resource.updated_at)
    body["revision_number"] = resource.revision_number
    body["tags"] = []
    return body


@implementer(INetwork)
@define(slots=True)
class Network(Stamped):
    id: str
    name: str
    tenant_id: str
    shared: bool = False
    external: bool = False
    admin_state_up: bool = True
    status: str = "ACTIVE"
    mtu: int = DEFAULT_MTU
    port_security_enabled: bool = True
    description: str = ""
    subnet_ids: list[str] = field(factory=list)


@define(slots=True)
class Subnet(Stamped):
    id: str
    name: str
    tenant_id: str
    network_id: str
    cidr: IPNetwork
    gateway_ip: int | None
    allocator: Allocator
    enable_dhcp: bool = True
    dns_nameservers: tuple[str, ...] = ()
    host_routes: tuple[tuple[str, str], ...] = ()
    ipv6_ra_mode: str | None = None
    ipv6_address_mode: str | None = None
    description: str = ""
    #: The router whose interface holds the gateway address, if any.
    router_id: str | None = None

    @property
    def ip_version(self) -> int:
        return self.cidr.version

    @property
    def auto_address(self) -> bool:
        """
        Whether ports get their address here from the MAC (SLAAC), not
        from the pool.
        """
        return self.ipv6_address_mode in ("slaac", "dhcpv6-stateless")


#: Marks an IPv6 address below 2**32 in a port's packed addresses (only
#: ::/96, which no one puts a subnet in).  Every other address is its
#: own number (the very int the subnet's allocator holds): below 2**32
#: IPv4, above IPv6.
_V6 = 1 << 128
_V4_END = 1 << 32


def mac_number(mac: str) -> int:
    return int(mac.replace(":", ""), 16)


#: How many addresses' and MACs' texts are kept formatted: a listing of
#: servers shows each of their ports' every time, and ``ipaddress``
#: takes longer to write an IPv6 address than Mimic takes to find it.
FORMATTED_KEPT = 8192


@lru_cache(maxsize=FORMATTED_KEPT)
def mac_text(number: int) -> str:
    digits = f"{number:012x}"
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def pack_address(version: int, value: int) -> int:
    return value | _V6 if version == 6 and value < _V4_END else value


@lru_cache(maxsize=FORMATTED_KEPT)
def unpack_address(packed: int) -> str:
    if packed & _V6:
        return str(ipaddress.IPv6Address(packed ^ _V6))
    if packed >= _V4_END:
        return str(ipaddress.IPv6Address(packed))
    return str(ipaddress.IPv4Address(packed))


def pack_addresses(pairs: Iterable[tuple[str, str]]) -> tuple[Any, ...]:
    """
    (subnet id, address text) pairs as a port keeps them.
    """
    packed: list[Any] = []
    for subnet_id, address in pairs:
        parsed = ipaddress.ip_address(address)
        packed += [subnet_id, pack_address(parsed.version, int(parsed))]
    return tuple(packed)


@implementer(INetworkPort)
@define(slots=True)
class Port(Stamped):
    """
    A port, kept small (a region may hold tens of thousands): its MAC as
    a number and its addresses as one flat tuple of subnet ids and
    address numbers, shown as Neutron's text by :attr:`mac_address` and
    :attr:`fixed_ips`.
    """

    id: str
    network_id: str
    tenant_id: str
    mac: int
    #: subnet id, address number, subnet id, address number...: the
    #: subnet ids are the subnets' own strings (shared, not copied).
    addresses: tuple[Any, ...]
    name: str = ""
    device_id: str = ""
    device_owner: str = ""
    security_group_ids: tuple[str, ...] = ()
    admin_state_up: bool = True
    port_security_enabled: bool = True
    allowed_address_pairs: tuple[tuple[str, str], ...] = ()
    description: str = ""

    @property
    def status(self) -> str:
        return "ACTIVE" if self.device_id else "DOWN"

    @property
    def mac_address(self) -> str:
        return mac_text(self.mac)

    @mac_address.setter
    def mac_address(self, value: str) -> None:
        self.mac = mac_number(value)

    @property
    def fixed_ips(self) -> tuple[tuple[str, str], ...]:
        """
        Its (subnet id, address) pairs, in allocation order.
        """
        packed = self.addresses
        return tuple((packed[i], unpack_address(packed[i + 1])) for i in range(0, len(packed), 2))

    @fixed_ips.setter
    def fixed_ips(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.addresses = pack_addresses(pairs)


@define(slots=True)
class SecurityGroupRule(Stamped):
    id: str
    security_group_id: str
    tenant_id: str
    direction: str
    ethertype: str
    protocol: str | None = None
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        """
        The rule as Neutron shows it (and as
        :attr:`mimic.interfaces.ISecurityGroup.rules` gives it).
        """
        return standard_attributes(
            self,
            self.tenant_id,
            {
                "id": self.id,
                "security_group_id": self.security_group_id,
                "direction": self.direction,
                "ethertype": self.ethertype,
                "protocol": self.protocol,
                "port_range_min": self.port_range_min,
                "port_range_max": self.port_range_max,
                "remote_ip_prefix": self.remote_ip_prefix,
                "remote_group_id": self.remote_group_id,
                "remote_address_group_id": None,
                "normalized_cidr": self.remote_ip_prefix,
                "belongs_to_default_sg": False,
                "description": self.description,
            },
        )

    def identity(self) -> tuple[Any, ...]:
        """
        What two rules must share to be duplicates (Neutron's
        ``SecurityGroupRuleExists``).
        """
        return (
            self.direction,
            self.ethertype,
            self.protocol,
            self.port_range_min,
            self.port_range_max,
            self.remote_ip_prefix,
            self.remote_group_id,
        )


@implementer(ISecurityGroup)
@define(slots=True)
class SecurityGroup(Stamped):
    id: str
    name: str
    tenant_id: str
    description: str = ""
    stateful: bool = True
    rule_map: dict[str, SecurityGroupRule] = field(factory=dict)

    @property
    def rules(self) -> list[dict[str, Any]]:
        return [rule.to_json() for rule in self.rule_map.values()]


@implementer(IFloatingIP)
@define(slots=True)
class FloatingIP(Stamped):
    id: str
    tenant_id: str
    floating_network_id: str
    floating_ip_address: str
    subnet_id: str
    port_id: str | None = None
    fixed_ip_address: str | None = None
    router_id: str | None = None
    description: str = ""

    @property
    def status(self) -> str:
        return "ACTIVE" if self.port_id else "DOWN"


@define(slots=True)
class Router(Stamped):
    id: str
    name: str
    tenant_id: str
    admin_state_up: bool = True
    description: str = ""
    #: The external network, whether it SNATs, and the router's
    #: addresses on it ((subnet id, address) pairs); None without one.
    gateway_network_id: str | None = None
    enable_snat: bool = True
    gateway_ips: tuple[tuple[str, str], ...] = ()
    routes: tuple[tuple[str, str], ...] = ()
    #: The ids of its interface ports.
    interface_port_ids: list[str] = field(factory=list)

    @property
    def status(self) -> str:
        return "ACTIVE"
