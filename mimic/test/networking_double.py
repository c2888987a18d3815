# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
A tiny stand-in for the network service's INetworking, for compute's
tests until the network service is in this branch: just enough state
(two shared networks, ports, groups, floating IPs) to check compute's
side of the contract.
"""

from __future__ import annotations

import itertools
from typing import Any

from attrs import define, field
from zope.interface import implementer

from mimic.interfaces import (
    ContractRefused,
    IAPIMock,
    ISharesState,
    IFloatingIP,
    INetwork,
    INetworking,
    INetworkPort,
    ISecurityGroup,
)

PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"
EXTERNAL = "eeeeeeee-0000-0000-0000-000000000000"


@implementer(INetwork)
@define
class Net:
    id: str
    name: str
    prefix: str
    tenant_id: str = "provider"
    status: str = "ACTIVE"
    shared: bool = True
    external: bool = False
    subnet_ids: tuple[str, ...] = ()
    mtu: int = 1500


@implementer(INetworkPort)
@define
class Port:
    id: str
    network_id: str
    mac_address: str
    fixed_ips: tuple[tuple[str, str], ...]
    device_id: str = ""
    device_owner: str = ""
    name: str = ""
    security_group_ids: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        return "ACTIVE" if self.device_id else "DOWN"


@implementer(ISecurityGroup)
@define
class Group:
    id: str
    name: str
    description: str
    tenant_id: str
    rules: list[dict[str, Any]] = field(factory=list)


@implementer(IFloatingIP)
@define
class Floating:
    id: str
    floating_ip_address: str
    floating_network_id: str = EXTERNAL
    port_id: str | None = None
    fixed_ip_address: str | None = None

    @property
    def status(self) -> str:
        return "ACTIVE" if self.port_id else "DOWN"


@implementer(INetworking)
class NetworkingDouble:
    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.nets = {
            PUBLIC: Net(PUBLIC, "public", "198.51.100."),
            PRIVATE: Net(PRIVATE, "private", "10.176.0."),
            EXTERNAL: Net(EXTERNAL, "ext", "203.0.113.", external=True),
        }
        self.ports: dict[str, Port] = {}
        self.groups = {"sg-default": Group("sg-default", "default", "Default security group", tenant_id)}
        self.floating: dict[str, Floating] = {}
        self.numbers = itertools.count(10)

    def add_network(self, network_id: str, name: str, prefix: str) -> None:
        self.nets[network_id] = Net(network_id, name, prefix, tenant_id=self.tenant_id, shared=False)

    def networks(self) -> list[Net]:
        return list(self.nets.values())

    def network(self, network_id: str) -> Net | None:
        return self.nets.get(network_id)

    def port(self, port_id: str) -> Port | None:
        return self.ports.get(port_id)

    def ports_of(self, device_id: str) -> list[Port]:
        return [p for p in self.ports.values() if p.device_id == device_id]

    def create_port(self, network_id: str, device_id: str, device_owner: str, now: float,
                    fixed_ip: str | None = None, security_groups: Any = None) -> Port:
        network = self.nets.get(network_id)
        if network is None:
            raise ContractRefused(404, "NetworkNotFound", f"Network {network_id} could not be found.")
        if fixed_ip is not None and any(ip == fixed_ip for p in self.ports.values() for _, ip in p.fixed_ips):
            raise ContractRefused(409, "IpAddressAlreadyAllocated", f"IP address {fixed_ip} already allocated")
        number = next(self.numbers)
        groups = tuple(self.find_security_group(g).id for g in (security_groups or ["default"]))  # type: ignore
        port = Port(f"port-{number}", network_id, f"fa:16:3e:00:00:{number:02x}",
                    (("subnet-" + network.name, fixed_ip or f"{network.prefix}{number}"),),
                    device_id, device_owner, security_group_ids=groups)
        self.ports[port.id] = port
        return port

    def bind_port(self, port_id: str, device_id: str, device_owner: str, now: float) -> Port:
        port = self.ports[port_id]
        if port.device_id and port.device_id != device_id:
            raise ContractRefused(409, "PortInUse", f"Port {port_id} is in use")
        port.device_id, port.device_owner = device_id, device_owner
        return port

    def release_port(self, port_id: str, now: float) -> None:
        self.ports[port_id].device_id = self.ports[port_id].device_owner = ""

    def delete_port(self, port_id: str, now: float) -> None:
        del self.ports[port_id]
        for floating in self.floating.values():
            if floating.port_id == port_id:
                floating.port_id = floating.fixed_ip_address = None

    def set_port_security_groups(self, port_id: str, group_ids: Any, now: float) -> Port:
        self.ports[port_id].security_group_ids = tuple(group_ids)
        return self.ports[port_id]

    def security_groups(self) -> list[Group]:
        return list(self.groups.values())

    def find_security_group(self, name_or_id: str) -> Group | None:
        if name_or_id in self.groups:
            return self.groups[name_or_id]
        named = [g for g in self.groups.values() if g.name == name_or_id]
        if len(named) > 1:
            raise ContractRefused(409, "NoUniqueMatch", f"Multiple security_group matches found for name '{name_or_id}'")
        return named[0] if named else None

    def create_security_group(self, name: str, description: str, now: float) -> Group:
        group = Group(f"sg-{next(self.numbers)}", name, description, self.tenant_id)
        self.groups[group.id] = group
        return group

    def delete_security_group(self, group_id: str, now: float) -> None:
        del self.groups[group_id]

    def add_security_group_rule(self, group_id: str, rule: Any, now: float) -> dict[str, Any]:
        made = dict(rule, id=f"rule-{next(self.numbers)}", security_group_id=group_id)
        self.groups[group_id].rules.append(made)
        return made

    def delete_security_group_rule(self, rule_id: str, now: float) -> None:
        for group in self.groups.values():
            for rule in group.rules:
                if rule["id"] == rule_id:
                    group.rules.remove(rule)
                    return
        raise ContractRefused(404, "SecurityGroupRuleNotFound", f"Security group rule {rule_id} not found")

    def floating_ips(self) -> list[Floating]:
        return list(self.floating.values())

    def floating_ips_of(self, port_id: str) -> list[Floating]:
        return [f for f in self.floating.values() if f.port_id == port_id]

    def allocate_floating_ip(self, network_id: str | None, now: float) -> Floating:
        number = next(self.numbers)
        floating = Floating(f"fip-{number}", f"203.0.113.{number}")
        self.floating[floating.id] = floating
        return floating

    def associate_floating_ip(self, floating_ip_id: str, port_id: str, fixed_ip_address: str | None,
                              now: float) -> Floating:
        floating = self.floating[floating_ip_id]
        floating.port_id = port_id
        floating.fixed_ip_address = fixed_ip_address or self.ports[port_id].fixed_ips[0][1]
        return floating

    def disassociate_floating_ip(self, floating_ip_id: str, now: float) -> Floating:
        floating = self.floating[floating_ip_id]
        floating.port_id = floating.fixed_ip_address = None
        return floating

    def release_floating_ip(self, floating_ip_id: str, now: float) -> None:
        del self.floating[floating_ip_id]


@implementer(IAPIMock, ISharesState)
class DoubleNetworkPlugin:
    """
    Shares a :class:`NetworkingDouble` per (tenant, region) under
    INetworking; no API of its own.
    """

    name = "network-double"

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], NetworkingDouble] = {}

    def catalog_entries(self, tenant_id: str) -> list[Any]:
        return []

    def failure_events(self) -> tuple[Any, ...]:
        return ()

    def resource_for_region(self, core: Any, region: str, tenant_id: str) -> Any:
        raise NotImplementedError

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return set()

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"message": message}

    def shared_state(self, core: Any, contract: Any, tenant_id: str, region: str) -> Any:
        if contract is INetworking:
            return self.states.setdefault((tenant_id, region), NetworkingDouble(tenant_id))
        return None
