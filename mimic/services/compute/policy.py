# -*- test-case-name: mimic.test.test_compute_server_groups -*-
"""
Nova's policy, as far as Mimic's compute needs it: whether the caller's
token is an administrator's (it carries identity's admin role, see
:data:`mimic.session.ADMIN_ROLE`), and the 403 Nova gives a caller a
rule refuses.
"""

from __future__ import annotations

from twisted.web.iweb import IRequest

from mimic.http import HTTPError, header
from mimic.interfaces import IMimicCore
from mimic.services.compute.errors import nova_error


def caller_is_admin(core: IMimicCore, request: IRequest) -> bool:
    """
    Whether the request's token carries the admin role.
    """
    token = core.sessions.token(header(request, "x-auth-token"))
    return token is not None and bool(token.is_admin)


def policy_refused(rule: str) -> HTTPError:
    """
    The 403 Nova answers when policy ``rule`` does not allow the caller.
    """
    return nova_error(403, f"Policy doesn't allow {rule} to be performed.")
