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

from json.encoder import encode_basestring
from typing import Any

from mimic.interfaces import INetworking


def ip_version(address: str) -> int:
    """
    4 or 6, from the address's text.
    """
    return 6 if ":" in address else 4


def _walk(
    networking: INetworking, server_id: str, public_network_id: str
) -> tuple[list[tuple[str, list[tuple[int, str, str, str]]]], str, str]:
    """
    The server's addresses as (label, [(version, address, type, MAC)...])
    pairs in Nova's order, and its first IPv4 and IPv6 addresses on the
    public network.
    """
    labels: dict[str, list[tuple[int, str, str, str]]] = {}
    public_v4 = public_v6 = ""
    for port in networking.ports_of(server_id):
        network = networking.network(port.network_id)
        label = network.name if network is not None and network.name else port.network_id
        mac = port.mac_address
        entries = labels.setdefault(label, [])
        on_public = port.network_id == public_network_id
        for _, address in port.fixed_ips:
            version = ip_version(address)
            entries.append((version, address, "fixed", mac))
            if on_public:
                if version == 4 and not public_v4:
                    public_v4 = address
                elif version == 6 and not public_v6:
                    public_v6 = address
        for floating in networking.floating_ips_of(port.id):
            address = floating.floating_ip_address
            entries.append((ip_version(address), address, "floating", mac))
    return list(labels.items()), public_v4, public_v6


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
    labels, public_v4, public_v6 = _walk(networking, server_id, public_network_id)
    addresses = {
        label: [
            {"version": version, "addr": address, "OS-EXT-IPS:type": kind, "OS-EXT-IPS-MAC:mac_addr": mac}
            for version, address, kind, mac in entries
        ]
        for label, entries in labels
    }
    access_v4, access_v6 = access
    return (
        addresses,
        public_v4 if access_v4 is None else access_v4,
        public_v6 if access_v6 is None else access_v6,
    )


def addresses_text_from_ports(
    networking: INetworking,
    server_id: str,
    access: tuple[str | None, str | None],
    public_network_id: str,
) -> tuple[str, str, str]:
    """
    What :func:`addresses_from_ports` gives, with the addresses already
    written as the JSON text a listing of servers sends (the same
    document, without a dictionary per address: listings show every
    server's).  Addresses and MACs are the network service's own text,
    which needs no escaping; labels (network names) are escaped.
    """
    labels, public_v4, public_v6 = _walk(networking, server_id, public_network_id)
    text = ",".join(
        encode_basestring(label)
        + ":["
        + ",".join(
            f'{{"version":{version},"addr":"{address}","OS-EXT-IPS:type":"{kind}",'
            f'"OS-EXT-IPS-MAC:mac_addr":"{mac}"}}'
            for version, address, kind, mac in entries
        )
        + "]"
        for label, entries in labels
    )
    access_v4, access_v6 = access
    return (
        "{" + text + "}",
        public_v4 if access_v4 is None else access_v4,
        public_v6 if access_v6 is None else access_v6,
    )
