# -*- test-case-name: mimic.test.test_compute_server_groups -*-
"""
Nova's policy, as far as Mimic's compute needs it: the 403 Nova gives a
caller a rule refuses, and the other tenants' states an administrator's
``all_projects`` views read.  Whether the caller is an administrator
(its token carries identity's admin role, see
:data:`mimic.session.ADMIN_ROLE`) is the request context's ``is_admin``.
"""

from __future__ import annotations

from typing import Any

from mimic.http import HTTPError
from mimic.interfaces import IMimicCore
from mimic.services.compute.errors import nova_error
from mimic.services.compute.failures import SERVICE


def policy_refused(rule: str) -> HTTPError:
    """
    The 403 Nova answers when policy ``rule`` does not allow the caller.
    """
    return nova_error(403, f"Policy doesn't allow {rule} to be performed.")


def every_tenants_state(core: IMimicCore, own: Any) -> list[Any]:
    """
    For an administrator's ``all_projects`` views: the compute state, in
    ``own``'s region, of each tenant of the users identity knows that has
    one, ``own`` (the caller's) first.
    """
    tenants = dict.fromkeys([own.tenant_id, *(user.tenant_id for user in core.sessions.users())])
    states = [own]
    for tenant_id in tenants:
        if tenant_id != own.tenant_id:
            state = core.existing_region_state(SERVICE, tenant_id, own.region)
            if state is not None:
                states.append(state)
    return states
