# -*- test-case-name: mimic.test.test_persistence_services -*-
"""
The network service's region states saved as plain JSON and brought
back: what a named snapshot and ``--state-file`` keep of it (see
:class:`mimic.interfaces.IPersistentState`).

Two kinds of state are kept per region: each tenant's networking
(:class:`~mimic.services.network.state.TenantNetworking`: networks,
subnets with their allocations, ports, security groups and rules,
floating IPs, routers) and, under the tenant key
:data:`~mimic.services.network.region.REGION_TENANT`, what the region's
tenants share (:class:`~mimic.services.network.region.RegionNetworks`:
the provider's networks and subnets, so the addresses handed out on
them, the MACs in use and each project's quotas).  A restored tenant's
state finds its region's when it is next looked up
(:func:`~mimic.services.network.state.tenant_networking`), so the two
may be restored in either order.

Ports are many (a few per server), so each is a short list; sets of
numbers (addresses and MACs in use) are kept as runs of consecutive
numbers, which is what allocation in order makes of them.  Addresses
are kept as the numbers the model holds (IPv6 ones are large integers,
which JSON allows and Python reads back exactly).  Formatted texts are a
cache and are not kept.
"""

from __future__ import annotations

import ipaddress
from operator import attrgetter
from typing import Any, Iterable

from attrs import fields

from mimic.columns import column, from_runs, integers, read_column, runs
from mimic.interfaces import IMimicCore
from mimic.saved import explained, saved_object
from mimic.services.network.addresses import Allocator
from mimic.services.network.model import (
    SERVICE_NAME,
    FloatingIP,
    Network,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from mimic.services.network.region import REGION_TENANT, RegionNetworks, devstack_owner
from mimic.services.network.state import TenantNetworking

#: The version of the saved form (see
#: :attr:`mimic.interfaces.IPersistentState.state_format`).
STATE_FORMAT = 1


# Small resources: every field by name, tuples as lists.


def _record(resource: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    saved = {}
    for attribute in fields(type(resource)):
        if attribute.name in skip:
            continue
        value = getattr(resource, attribute.name)
        if isinstance(value, (tuple, list)):
            value = [list(v) if isinstance(v, (tuple, list)) else v for v in value]
        saved[attribute.name] = value
    return saved


def _network(saved: dict[str, Any]) -> Network:
    return Network(**{**saved, "subnet_ids": list(saved["subnet_ids"])})


def _subnet_json(subnet: Subnet) -> dict[str, Any]:
    saved = _record(subnet, skip=("cidr", "allocator"))
    allocator = subnet.allocator
    saved["cidr"] = str(subnet.cidr)
    saved["allocator"] = {
        "version": allocator.version,
        "pools": [list(pool) for pool in allocator.pools],
        "used": runs(allocator.used),
        "cursor": allocator.cursor,
    }
    return saved


def _subnet(saved: dict[str, Any]) -> Subnet:
    allocator = saved["allocator"]
    return Subnet(**{
        **saved,
        "cidr": ipaddress.ip_network(saved["cidr"]),
        "allocator": Allocator(
            allocator["version"],
            tuple((start, end) for start, end in allocator["pools"]),
            from_runs(allocator["used"]),
            allocator["cursor"],
        ),
        "dns_nameservers": tuple(saved["dns_nameservers"]),
        "host_routes": tuple((d, n) for d, n in saved["host_routes"]),
    })


def _group_json(group: SecurityGroup) -> dict[str, Any]:
    saved = _record(group, skip=("rule_map",))
    saved["rules"] = [_record(rule) for rule in group.rule_map.values()]
    return saved


def _group(saved: dict[str, Any]) -> SecurityGroup:
    rules = [SecurityGroupRule(**rule) for rule in saved["rules"]]
    group = SecurityGroup(**{k: v for k, v in saved.items() if k != "rules"})
    group.rule_map = {rule.id: rule for rule in rules}
    return group


def _router(saved: dict[str, Any]) -> Router:
    return Router(**{
        **saved,
        "gateway_ips": tuple((s, a) for s, a in saved["gateway_ips"]),
        "routes": tuple((d, n) for d, n in saved["routes"]),
        "interface_port_ids": list(saved["interface_port_ids"]),
    })


# Ports: many, so short lists.

#: A port's fields beyond those every saved port has, with their defaults.
_PORT_EXTRAS = (
    ("name", ""),
    ("admin_state_up", True),
    ("port_security_enabled", True),
    ("description", ""),
)


def ports_json(ports: list[Port], tenant_id: str) -> dict[str, Any]:
    """
    Ports as columns (see :mod:`mimic.columns`): their addresses as one
    flat column of subnets and one of numbers, each the difference from
    the one before on its subnet; their security groups as indices into
    a table of the sets in use; the rest of each where it has more.
    """
    group_sets: dict[tuple[str, ...], int] = {}
    counts: list[int] = []
    subnets: list[str] = []
    values: list[int] = []
    for port in ports:
        packed = port.addresses
        counts.append(len(packed) // 2)
        subnets += packed[0::2]
        values += packed[1::2]
    # Each address as its difference from the one before on its subnet:
    # ones, for addresses handed out in order.
    steps = []
    last: dict[str, int] = {}
    for subnet_id, value in zip(subnets, values):
        steps.append(value - last.get(subnet_id, 0))
        last[subnet_id] = value
    extras = []
    defaults = (*_PORT_DEFAULTS, (), tenant_id)
    for index, port in enumerate(ports):
        if _PORT_OPTIONAL(port) == defaults:
            continue
        extra = {name: getattr(port, name) for name, default in _PORT_EXTRAS if getattr(port, name) != default}
        if port.allowed_address_pairs:
            extra["allowed_address_pairs"] = [list(pair) for pair in port.allowed_address_pairs]
        if port.tenant_id != tenant_id:
            extra["tenant_id"] = port.tenant_id
        if extra:
            extras.append([index, extra])
    return {
        "count": len(ports),
        "id": list(map(attrgetter("id"), ports)),
        "network_id": column(list(map(attrgetter("network_id"), ports))),
        "mac": integers(list(map(attrgetter("mac"), ports))),
        "device_id": column(list(map(attrgetter("device_id"), ports))),
        "device_owner": column(list(map(attrgetter("device_owner"), ports))),
        "created_at": column(list(map(attrgetter("created_at"), ports))),
        "updated_at": column(list(map(attrgetter("updated_at"), ports))),
        "revision_number": column(list(map(attrgetter("revision_number"), ports))),
        "groups": column([group_sets.setdefault(p.security_group_ids, len(group_sets)) for p in ports]),
        "group_sets": [list(groups) for groups in group_sets],
        "address_count": column(counts),
        "address_subnet": column(subnets),
        "address_step": integers(steps),
        "extra": extras,
    }


def _ports(saved: dict[str, Any], tenant_id: str, default_ids: tuple[str, ...],
           known_ids: dict[str, str]) -> dict[str, Port]:
    """
    The ports :func:`ports_json` saved.  ``known_ids`` gives one copy of
    each network and subnet id, which the ports share.
    """
    count = saved["count"]
    ids = read_column(saved["id"], count, "id")
    networks = [known_ids.get(n, n) for n in read_column(saved["network_id"], count, "network_id")]
    macs = read_column(saved["mac"], count, "mac")
    devices = read_column(saved["device_id"], count, "device_id")
    owners = read_column(saved["device_owner"], count, "device_owner")
    created = read_column(saved["created_at"], count, "created_at")
    updated = read_column(saved["updated_at"], count, "updated_at")
    revisions = read_column(saved["revision_number"], count, "revision_number")
    group_sets = [tuple(groups) for groups in saved["group_sets"]]
    group_sets = [default_ids if groups == default_ids else groups for groups in group_sets]
    groups = [group_sets[i] for i in read_column(saved["groups"], count, "groups")]
    address_counts = read_column(saved["address_count"], count, "address_count")
    total = sum(address_counts)
    subnets = [known_ids.setdefault(s, s) for s in read_column(saved["address_subnet"], total, "address_subnet")]
    values = []
    last: dict[str, int] = {}
    for subnet_id, step in zip(subnets, read_column(saved["address_step"], total, "address_step")):
        value = last[subnet_id] = last.get(subnet_id, 0) + step
        values.append(value)
    packed: list[Any] = [None] * (2 * total)
    packed[0::2] = subnets
    packed[1::2] = values
    ports: dict[str, Port] = {}
    at = 0
    for port_id, network_id, mac, device_id, owner, created_at, updated_at, revision, group_ids, pairs in zip(
        ids, networks, macs, devices, owners, created, updated, revisions, groups, address_counts
    ):
        end = at + 2 * pairs
        ports[port_id] = Port(
            created_at, updated_at, revision, port_id, network_id, tenant_id, mac, tuple(packed[at:end]),
            device_id=device_id, device_owner=owner, security_group_ids=group_ids,
        )
        at = end
    for index, extra in saved["extra"]:
        port = ports[ids[index]]
        for name, value in extra.items():
            if name == "allowed_address_pairs":
                port.allowed_address_pairs = tuple((a, m) for a, m in value)
            elif name == "tenant_id" or name in _PORT_EXTRA_NAMES:
                setattr(port, name, value)
            else:
                raise ValueError(f"unknown port field {name!r}")
    return ports


_PORT_EXTRA_NAMES_IN_ORDER = tuple(name for name, _ in _PORT_EXTRAS)
_PORT_EXTRA_NAMES = frozenset(_PORT_EXTRA_NAMES_IN_ORDER)
_PORT_DEFAULTS = tuple(default for _, default in _PORT_EXTRAS)
#: What a port saves only where it differs from the defaults (and from
#: its state's tenant), read at once.
_PORT_OPTIONAL = attrgetter(*_PORT_EXTRA_NAMES_IN_ORDER, "allowed_address_pairs", "tenant_id")


def _ports_index(ports: Iterable[Port]) -> dict[str, list[str]]:
    """
    The port ids by device that binding each port in turn makes.
    """
    index: dict[str, list[str]] = {}
    for port in ports:
        device = port.device_id
        if device:
            ids = index.get(device)
            if ids is None:
                index[device] = [port.id]
            else:
                ids.append(port.id)
    return index


# Region and tenant states.


def save_region(region: RegionNetworks) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "kind": "region",
        "networks": [_record(n) for n in region.networks.values()],
        "subnets": [_subnet_json(s) for s in region.subnets.values()],
        "macs": runs(region.macs),
        "next_mac": region.next_mac,
        "quotas": {project: dict(quotas) for project, quotas in region.quotas.items()},
    }


def save_tenant(state: TenantNetworking) -> dict[str, Any]:
    tenant_id, default_ids = state.tenant_id, state.default_ids
    ports = state.ports_by_id.values()
    device_ports = state.device_ports
    return {
        "format": STATE_FORMAT,
        "kind": "tenant",
        "networks": [_record(n) for n in state.networks_by_id.values()],
        "subnets": [_subnet_json(s) for s in state.subnets_by_id.values()],
        "ports": ports_json(list(ports), tenant_id),
        # Kept only when binding the ports in order would not give it back.
        "device_ports": None if _ports_index(ports) == device_ports else {
            device: list(ids) for device, ids in device_ports.items()
        },
        "security_groups": [_group_json(g) for g in state.groups_by_id.values()],
        "rule_groups": dict(state.rule_groups),
        "floating_ips": [_record(f) for f in state.floating_by_id.values()],
        "routers": [_record(r) for r in state.routers_by_id.values()],
        "default_ids": list(default_ids),
    }


def save_network_state(state: Any) -> dict[str, Any]:
    """
    A tenant's networking in a region, or the region's shared state, as
    plain JSON.
    """
    if isinstance(state, RegionNetworks):
        return save_region(state)
    return save_tenant(state)


def restore_network_state(core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
    """
    A new state equal to the one :func:`save_network_state` saved, for
    ``core``; ``saved`` is left as it was.  ``ValueError`` naming what is
    wrong when it cannot be restored.
    """
    what = "shared networking" if tenant_id == REGION_TENANT else f"networking of tenant {tenant_id!r}"
    where = f"the {what} in {region!r}"
    saved = saved_object(where, saved, STATE_FORMAT)
    expected = "region" if tenant_id == REGION_TENANT else "tenant"
    if saved.get("kind") != expected:
        raise ValueError(f"{where} cannot be restored: it holds {saved.get('kind')!r} state, not {expected!r}")
    if tenant_id == REGION_TENANT:
        return explained(where, lambda: _restore_region(saved))
    return explained(where, lambda: _restore_tenant(core, tenant_id, region, saved))


def _restore_region(saved: dict[str, Any]) -> RegionNetworks:
    networks = {n.id: n for n in map(_network, saved["networks"])}
    subnets = {s.id: s for s in map(_subnet, saved["subnets"])}
    return RegionNetworks(
        networks,
        subnets,
        from_runs(saved["macs"]),
        saved["next_mac"],
        {project: dict(quotas) for project, quotas in saved["quotas"].items()},
    )


def _restore_tenant(core: IMimicCore, tenant_id: str, region: str, saved: dict[str, Any]) -> TenantNetworking:
    # The region's shared state is linked when the tenant's is next
    # looked up (it may not be restored yet): until then, the core's
    # current one, or a new one, stands in.
    shared = core.existing_region_state(SERVICE_NAME, REGION_TENANT, region)
    if not isinstance(shared, RegionNetworks):
        shared = RegionNetworks.create(core.clock.seconds(), devstack_owner(core))
    state = TenantNetworking(
        tenant_id, shared, core.clock, decide_outcome=core.failures.decide, region_name=region
    )
    state.networks_by_id = {n.id: n for n in map(_network, saved["networks"])}
    state.subnets_by_id = {s.id: s for s in map(_subnet, saved["subnets"])}
    default_ids = tuple(saved["default_ids"])
    state.default_ids = default_ids
    # One copy of each subnet id for every port's addresses, as the
    # model shares the subnets' own strings.
    known_ids = {known: known for known in [*state.subnets_by_id, *shared.subnets, *state.networks_by_id,
                                            *shared.networks]}
    ports = _ports(saved["ports"], tenant_id, default_ids, known_ids)
    state.ports_by_id = ports
    device_ports = saved["device_ports"]
    if device_ports is None:
        state.device_ports = _ports_index(ports.values())
    else:
        state.device_ports = {device: list(ids) for device, ids in device_ports.items()}
    state.groups_by_id = {g.id: g for g in map(_group, saved["security_groups"])}
    state.rule_groups = dict(saved["rule_groups"])
    state.floating_by_id = {f.id: f for f in (FloatingIP(**f) for f in saved["floating_ips"])}
    state.routers_by_id = {r.id: r for r in map(_router, saved["routers"])}
    return state
