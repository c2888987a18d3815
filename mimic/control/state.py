# -*- test-case-name: mimic.test.test_control -*-
"""
The state dump: what Mimic holds, for a test suite checking its own
clean-up or a developer wondering what a client did.

Services describe their own state (``IRegionState.summary()``); this module
only gathers those descriptions with the users, tokens and registrations
the core holds.
"""

from __future__ import annotations

from typing import Any

from mimic.control.behaviors import listing
from mimic.core import MimicCore


def tenants(core: MimicCore, tenant_id: str | None = None) -> list[dict[str, Any]]:
    """
    Every tenant with a user, and how many live tokens it holds.
    """
    now = core.clock.seconds()
    live_tokens: dict[str, int] = {}
    for token in core.sessions.tokens():
        if token.expires > now:
            owner = token.user.tenant_id
            live_tokens[owner] = live_tokens.get(owner, 0) + 1
    described = [
        {
            "tenant_id": user.tenant_id,
            "username": user.username,
            "user_id": user.id,
            "live_tokens": live_tokens.get(user.tenant_id, 0),
        }
        for user in core.sessions.users()
        if tenant_id is None or user.tenant_id == tenant_id
    ]
    return sorted(described, key=lambda t: t["tenant_id"])


def dump(core: MimicCore, tenant_id: str | None, root: str) -> dict[str, Any]:
    services = core.state_summary()
    if tenant_id is not None:
        services = {
            service: {tenant_id: by_tenant[tenant_id]}
            for service, by_tenant in services.items()
            if tenant_id in by_tenant
        }
    return {
        "tenants": tenants(core, tenant_id),
        "services": services,
        **listing(core.failures.registrations(), root),
    }
