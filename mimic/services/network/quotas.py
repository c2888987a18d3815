# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's quotas (``/v2.0/quotas``): each project's limits on networks,
subnets, ports, routers, floating IPs, security groups and rules.

Limits are kept per region for any project named (an administrator sets
another project's quotas before it exists); a project that was never
given any has Neutron's defaults, and ``GET /v2.0/quotas`` lists only
the projects whose quotas were changed.
"""

from __future__ import annotations

from typing import Any

from mimic.services.network.region import DEFAULT_QUOTAS
from mimic.services.network.state import TenantNetworking
from mimic.services.network.validation import quota_body


def quotas_listing(state: TenantNetworking) -> dict[str, Any]:
    changed = sorted(state.region.quotas)
    return {"quotas": [{**state.region.quotas_of(p), "tenant_id": p, "project_id": p} for p in changed]}


def quota_json(state: TenantNetworking, project_id: str) -> dict[str, Any]:
    return {"quota": state.region.quotas_of(project_id)}


def default_quota_json() -> dict[str, Any]:
    return {"quota": dict(DEFAULT_QUOTAS)}


def quota_details_json(state: TenantNetworking, project_id: str) -> dict[str, Any]:
    """
    Each limit with what the project uses of it (``quota_details``).
    """
    limits = state.region.quotas_of(project_id)
    used = state.usage() if project_id == state.tenant_id else {}
    return {"quota": {key: {"limit": limit, "used": used.get(key, 0), "reserved": 0} for key, limit in limits.items()}}


def update_quota(state: TenantNetworking, project_id: str, body: Any) -> dict[str, Any]:
    changes = quota_body(body, DEFAULT_QUOTAS)
    state.region.quotas.setdefault(project_id, {}).update(changes)
    return quota_json(state, project_id)


def reset_quota(state: TenantNetworking, project_id: str) -> None:
    state.region.quotas.pop(project_id, None)
