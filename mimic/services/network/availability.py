# -*- test-case-name: mimic.test.test_network -*-
"""
``/v2.0/network-ip-availabilities``: how many addresses each network's
subnets have, and how many are in use.
"""

from __future__ import annotations

from typing import Any

from mimic.services.network.model import Network
from mimic.services.network.state import TenantNetworking


def availability_json(state: TenantNetworking, network: Network) -> dict[str, Any]:
    subnets = []
    for subnet_id in network.subnet_ids:
        subnet = state.subnet(subnet_id)
        if subnet is None:
            continue
        total = subnet.allocator.size()
        used = total - subnet.allocator.free()
        subnets.append({
            "subnet_id": subnet.id,
            "subnet_name": subnet.name,
            "cidr": str(subnet.cidr),
            "ip_version": subnet.ip_version,
            "total_ips": total,
            "used_ips": used,
        })
    return {
        "network_id": network.id,
        "network_name": network.name,
        "tenant_id": network.tenant_id,
        "project_id": network.tenant_id,
        "total_ips": sum(s["total_ips"] for s in subnets),
        "used_ips": sum(s["used_ips"] for s in subnets),
        "subnet_ip_availability": subnets,
    }
