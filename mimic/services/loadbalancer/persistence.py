# -*- test-case-name: mimic.test.test_snapshots -*-
"""
One tenant's load balancers in one region as plain JSON, for snapshots
and ``--state-file``: every balancer (deleted ones CLB still shows
included) with its nodes, metadata, virtual IPs and access list, the
limits, and the next ids.  A virtual IP shared by several balancers is
saved with each and shared again on restore.
"""

from __future__ import annotations

from typing import Any

from mimic.interfaces import IMimicCore
from mimic.saved import field_of, record_from, record_json
from mimic.services.loadbalancer.model import (
    AccessRule,
    LoadBalancer,
    MetadataItem,
    Node,
    RegionLoadBalancers,
    VirtualIP,
)

#: The form :func:`save_balancers` writes.
STATE_FORMAT = 1

_NESTED = ("nodes", "metadata", "virtual_ips", "access_list")


def _save_balancer(balancer: LoadBalancer) -> dict[str, Any]:
    saved = record_json(balancer, leave_out=_NESTED)
    saved["nodes"] = [
        {**record_json(node, leave_out=("metadata",)), "metadata": [record_json(m) for m in node.metadata.values()]}
        for node in balancer.nodes.values()
    ]
    saved["metadata"] = [record_json(m) for m in balancer.metadata.values()]
    saved["virtual_ips"] = [record_json(v) for v in balancer.virtual_ips]
    saved["access_list"] = [record_json(r) for r in balancer.access_list.values()]
    return saved


def save_balancers(state: RegionLoadBalancers) -> dict[str, Any]:
    saved = record_json(state, leave_out=("clock", "tenant_id", "region", "balancers", "deleting", "vips_by_id"))
    saved["balancers"] = [_save_balancer(b) for b in state.balancers.values()]
    saved["deleting"] = list(state._deleting)
    saved["vips_by_id"] = [[vip_id, lb_id] for vip_id, (_, lb_id) in state._vips_by_id.items()]
    return saved


def _metadata(saved: Any) -> dict[int, MetadataItem]:
    items = [record_from(MetadataItem, m) for m in saved]
    return {item.id: item for item in items}


def _restore_balancer(saved: Any) -> LoadBalancer:
    where = "a saved load balancer"
    nodes = [
        record_from(Node, {k: v for k, v in n.items() if k != "metadata"}, metadata=_metadata(n["metadata"]))
        for n in field_of(saved, "nodes", list, where)
    ]
    rules = [record_from(AccessRule, r) for r in field_of(saved, "access_list", list, where)]
    plain = {k: v for k, v in saved.items() if k not in _NESTED}
    return record_from(
        LoadBalancer,
        plain,
        nodes={node.id: node for node in nodes},
        metadata=_metadata(field_of(saved, "metadata", list, where)),
        virtual_ips=[record_from(VirtualIP, v) for v in field_of(saved, "virtual_ips", list, where)],
        access_list={rule.id: rule for rule in rules},
    )


def restore_balancers(core: IMimicCore, tenant_id: str, region: str, saved: Any) -> RegionLoadBalancers:
    where = "a tenant's saved load balancers"
    balancers = [_restore_balancer(b) for b in field_of(saved, "balancers", list, where)]
    by_id = {b.id: b for b in balancers}
    vips_by_id: dict[int, tuple[VirtualIP, int]] = {}
    for vip_id, lb_id in field_of(saved, "vips_by_id", list, where):
        owner = by_id.get(lb_id)
        vip = next((v for v in owner.virtual_ips if v.id == vip_id), None) if owner else None
        if vip is None:
            raise ValueError(f"virtual IP {vip_id!r} is not on load balancer {lb_id!r}")
        vips_by_id[vip_id] = (vip, lb_id)
    # A virtual IP on several balancers is one object again.
    for balancer in balancers:
        balancer.virtual_ips = [
            vips_by_id[v.id][0] if v.id in vips_by_id else v for v in balancer.virtual_ips
        ]
    plain = {k: v for k, v in saved.items() if k not in ("balancers", "deleting", "vips_by_id")}
    return record_from(
        RegionLoadBalancers,
        plain,
        clock=core.clock,
        tenant_id=tenant_id,
        region=region,
        balancers=by_id,
        deleting={lb_id: None for lb_id in field_of(saved, "deleting", list, where)},
        vips_by_id=vips_by_id,
    )
