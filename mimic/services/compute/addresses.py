# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
A server's ``addresses`` as Nova builds them from Neutron: one list per
network label (the network's name), with each fixed IP of each of the
server's ports (oldest port first), then the floating IPs mapped to that
port, each with ``OS-EXT-IPS:type`` and the port's MAC.

Read from the network service every time a server is shown, so that a
port or floating IP changed through Neutron shows on the server at once:
Nova's own cache of them (its ``info_cache``) is refreshed by Neutron's
notifications, which Mimic has no need to imitate.

This module knows only the :class:`~mimic.interfaces.INetworking`
contract, so that the model can use it without importing the rest of
compute's networking.
"""

from __future__ import annotations

from typing import Any

from mimic.interfaces import INetworking


def ip_version(address: str) -> int:
    """
    4 or 6, from the address's text.
    """
    return 6 if ":" in address else 4


def addresses_from_ports(
    networking: INetworking,
    server_id: str,
    access: tuple[str | None, str | None],
    public_network_id: str,
) -> tuple[dict[str, list[dict[str, Any]]], str, str]:
    """
    The server's addresses by network label, and its ``accessIPv4`` and
    ``accessIPv6``: ``access`` where set, else its first IPv4 and IPv6
    addresses on the public network (Rackspace's PublicNet), as Mimic
    shows them for a server on Rackspace's default networks.
    """
    addresses: dict[str, list[dict[str, Any]]] = {}
    public_v4 = public_v6 = ""
    for port in networking.ports_of(server_id):
        network = networking.network(port.network_id)
        label = network.name if network is not None and network.name else port.network_id
        mac = port.mac_address
        entries = addresses.setdefault(label, [])
        for _, address in port.fixed_ips:
            version = ip_version(address)
            entries.append(
                {"version": version, "addr": address, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}
            )
            if port.network_id == public_network_id:
                if version == 4 and not public_v4:
                    public_v4 = address
                elif version == 6 and not public_v6:
                    public_v6 = address
        for floating in networking.floating_ips_of(port.id):
            address = floating.floating_ip_address
            entries.append(
                {
                    "version": ip_version(address),
                    "addr": address,
                    "OS-EXT-IPS:type": "floating",
                    "OS-EXT-IPS-MAC:mac_addr": mac,
                }
            )
    access_v4, access_v6 = access
    return (
        addresses,
        public_v4 if access_v4 is None else access_v4,
        public_v6 if access_v6 is None else access_v6,
    )
