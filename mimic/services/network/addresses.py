# -*- test-case-name: mimic.test.test_network_model -*-
"""
IP addresses: subnets' CIDRs, allocation pools, and the allocator that
hands out fixed IPs and floating IPs.

Addresses are kept as integers (cheap to store and compare) and shown as
text.  Allocation is deterministic: each subnet hands out the lowest free
address of its pools after the last one it gave, wrapping around to
addresses given back once it reaches the end, so the same sequence of
requests always gets the same addresses, and the first ports on
Rackspace's shared networks get the addresses compute always gave its
servers (198.18.0.10, 2001:db8:1::10, 10.176.0.10...).
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Union

from attrs import define, field

from mimic.services.network.errors import NeutronFault, bad_request

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def parse_address(raw: object, what: str) -> IPAddress:
    """
    An IP address from a request, or Neutron's 400 naming the attribute.
    """
    if not isinstance(raw, str):
        raise bad_request(f"Invalid input for {what}. Reason: '{raw}' is not a valid IP address.")
    try:
        return ipaddress.ip_address(raw)
    except ValueError:
        raise bad_request(f"Invalid input for {what}. Reason: '{raw}' is not a valid IP address.")


def parse_cidr(raw: object, what: str = "cidr") -> IPNetwork:
    """
    A subnet's CIDR: a network address with its prefix length.  Neutron
    refuses host bits set (``10.0.0.1/24``) and a bare address.
    """
    if not isinstance(raw, str) or "/" not in raw:
        raise bad_request(f"Invalid input for {what}. Reason: '{raw}' is not a valid IP subnet.")
    try:
        network = ipaddress.ip_network(raw, strict=False)
    except ValueError:
        raise bad_request(f"Invalid input for {what}. Reason: '{raw}' is not a valid IP subnet.")
    if str(network) != raw and network.compressed != raw:
        # Neutron's validator: host bits set is not a valid subnet, with
        # the CIDR it would have meant.
        try:
            ipaddress.ip_network(raw, strict=True)
        except ValueError:
            raise bad_request(
                f"Invalid input for {what}. Reason: '{raw}' isn't a recommended IP prefix. "
                f"Did you mean to use '{network}' instead?"
            )
    return network


def parse_prefix(raw: object, what: str) -> IPNetwork:
    """
    A remote IP prefix or an address pair's address: a CIDR, or an
    address (a /32 or /128); host bits are masked away, as Neutron does.
    """
    if not isinstance(raw, str):
        raise bad_request(f"Invalid input for {what}. Reason: '{raw}' is not a valid IP subnet.")
    try:
        return ipaddress.ip_network(raw, strict=False)
    except ValueError:
        raise bad_request(f"Invalid input for {what}. Reason: '{raw}' is not a valid IP subnet.")


def default_gateway(network: IPNetwork) -> int | None:
    """
    The first host address, Neutron's default gateway; ``None`` for a
    subnet too small to have one.
    """
    if network.num_addresses < 2:
        return None
    return int(network.network_address) + 1


def usable_range(network: IPNetwork) -> tuple[int, int]:
    """
    The first and last address a pool may hold: not the network address,
    and for IPv4 not the broadcast address.
    """
    first = int(network.network_address)
    last = int(network.broadcast_address)
    if network.version == 4 and network.num_addresses > 2:
        return first + 1, last - 1
    if network.num_addresses > 1:
        return first + 1, last
    return first, last


def default_pools(network: IPNetwork, gateway: int | None) -> tuple[tuple[int, int], ...]:
    """
    Neutron's allocation pools when the request gives none: the usable
    range without the gateway.
    """
    first, last = usable_range(network)
    pools = []
    if gateway is None or not first <= gateway <= last:
        return ((first, last),)
    if first < gateway:
        pools.append((first, gateway - 1))
    if gateway < last:
        pools.append((gateway + 1, last))
    return tuple(pools)


def check_pools(
    network: IPNetwork, pools: Iterable[tuple[int, int]], gateway: int | None
) -> tuple[tuple[int, int], ...]:
    """
    Pools from a request, checked as Neutron checks them: inside the
    subnet (``OutOfBoundsAllocationPool``), start not after end
    (``InvalidAllocationPool``), not overlapping each other
    (``OverlappingAllocationPools``), and not holding the gateway
    (``GatewayConflictWithAllocationPools``, 409).
    """
    ordered = sorted(pools)
    first, last = int(network.network_address), int(network.broadcast_address)
    for start, end in ordered:
        shown = f"{_text(network.version, start)}-{_text(network.version, end)}"
        if start > end:
            raise NeutronFault(
                400, "InvalidAllocationPool", f"The allocation pool {shown} is not valid."
            )
        if start < first or end > last:
            raise NeutronFault(
                400,
                "OutOfBoundsAllocationPool",
                f"The allocation pool {shown} spans beyond the subnet cidr {network}.",
            )
    for (start_a, end_a), (start_b, end_b) in zip(ordered, ordered[1:]):
        if start_b <= end_a:
            a = f"{_text(network.version, start_a)}-{_text(network.version, end_a)}"
            b = f"{_text(network.version, start_b)}-{_text(network.version, end_b)}"
            raise NeutronFault(
                400,
                "OverlappingAllocationPools",
                f"Found overlapping allocation pools: {a} and {b} for subnet {network}.",
            )
    if gateway is not None:
        for start, end in ordered:
            if start <= gateway <= end:
                shown = f"{_text(network.version, start)}-{_text(network.version, end)}"
                raise NeutronFault(
                    409,
                    "GatewayConflictWithAllocationPools",
                    f"Gateway ip {_text(network.version, gateway)} conflicts with allocation pool {shown}.",
                )
    return tuple(ordered)


def _text(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


address_text = _text


@define
class Allocator:
    """
    The addresses of one subnet's pools in use, and where the next
    search starts.  One per subnet, shared by every tenant whose ports
    are on it (Rackspace's shared networks), so that no two ports in a
    region get the same address.
    """

    version: int
    pools: tuple[tuple[int, int], ...]
    used: set[int] = field(factory=set)
    #: Where the next search starts (after the last address handed out).
    cursor: int | None = None

    def in_pools(self, value: int) -> bool:
        return any(start <= value <= end for start, end in self.pools)

    def size(self) -> int:
        return sum(end - start + 1 for start, end in self.pools)

    def free(self) -> int:
        """
        How many pool addresses are free (for ip-availability).
        """
        return self.size() - sum(1 for value in self.used if self.in_pools(value))

    def take(self, value: int) -> bool:
        """
        Mark one address used; False if it already is.
        """
        if value in self.used:
            return False
        self.used.add(value)
        return True

    def give_back(self, value: int) -> None:
        self.used.discard(value)

    def allocate(self) -> int | None:
        """
        The next free pool address after the last one handed out,
        wrapping around once; ``None`` when the pools are full.
        """
        if not self.pools:
            return None
        start = self.cursor if self.cursor is not None else self.pools[0][0]
        found = self._scan(start, None)
        if found is None:
            found = self._scan(self.pools[0][0], start)
        if found is not None:
            self.used.add(found)
            self.cursor = found + 1
        return found

    def _scan(self, start: int, stop: int | None) -> int | None:
        for low, high in self.pools:
            if high < start:
                continue
            value = max(low, start)
            while value <= high:
                if stop is not None and value >= stop:
                    return None
                if value not in self.used:
                    return value
                value += 1
        return None
