# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
Keystone's policy, as far as Mimic enforces it: who may read and revoke
tokens, read credentials, impersonate, and manage users, projects and
roles.

An administrator is a token carrying the ``admin`` role (Keystone's
``admin_required``); OpenStack services' own users carry ``service``
(``service_role``) and may validate any token.  Anyone may validate or
revoke a token of its own, and read or change itself.  A refusal is
Keystone's 403, naming the policy rule that refused.
"""

from __future__ import annotations

from mimic.http import HTTPError
from mimic.services.identity.errors import keystone_error
from mimic.session import SERVICE_ROLE, Token


def forbidden(action: str) -> HTTPError:
    return keystone_error(
        403, f"You are not authorized to perform the requested action: identity:{action}."
    )


def require_admin(caller: Token, action: str) -> None:
    """
    Keystone's ``admin_required``.
    """
    if not caller.is_admin:
        raise forbidden(action)


def may_act_on_token(caller: Token, subject: Token) -> bool:
    """
    Keystone's ``token_subject or service_role or admin_required``:
    validating, checking or revoking a token.
    """
    return caller.user.id == subject.user.id or caller.is_admin or caller.has_role(SERVICE_ROLE)


def require_token_access(caller: Token, subject: Token, action: str) -> None:
    if not may_act_on_token(caller, subject):
        raise forbidden(action)


def require_self_or_admin(caller: Token, user_id: str, action: str) -> None:
    """
    Keystone's ``admin_required or user_id:%(target.user.id)s`` (or a
    system reader, for reading).
    """
    if caller.user.id != user_id:
        require_reader(caller, action)


def require_reader(caller: Token, action: str) -> None:
    """
    Keystone's readers of everything: an administrator, or a token
    scoped to the system that carries ``reader``.
    """
    if not (caller.is_admin or (caller.system and caller.has_role("reader"))):
        raise forbidden(action)
