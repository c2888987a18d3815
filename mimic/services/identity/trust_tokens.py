# -*- test-case-name: mimic.test.test_identity_trusts -*-
"""
The tokens of trusts: what a trustee gets when it authenticates with
``"scope": {"OS-TRUST:trust": {"id": ...}}`` (the trusts themselves are
:mod:`~mimic.services.identity.trusts`).
"""

from __future__ import annotations

from mimic.services.identity.directory import Directory
from mimic.services.identity.records import DirectoryError
from mimic.services.identity.trusts import trust_target, usable
from mimic.session import AuthenticationFailed, SessionStore, Token, User


def trust_token(
    sessions: SessionStore,
    now: float,
    directory: Directory,
    trustee: User,
    trust_id: str,
    methods: tuple[str, ...],
    expires: float | None,
) -> Token:
    """
    A token of a trust, for its trustee: scoped to the trust's project
    with the delegated roles the trustor still holds, as the trustor if
    the trust impersonates; it lives no longer than the trust.
    """
    trust = usable(directory.trusts.trusts.get(trust_id), trust_id, trustee, now)
    trustor = sessions.user_by_id(trust.trustor_user_id)
    if trustor is None:
        raise AuthenticationFailed(f"Could not find trust: {trust_id}.")
    target = trust_target(trust)
    held = directory.effective_role_ids(trustor, target) if target is not None else set()
    roles = tuple(sorted((directory.roles[r] for r in trust.role_ids if r in held), key=lambda r: r.name))
    if target is not None and not roles:
        raise DirectoryError(403, f"Trustor {trustor.id} no longer holds the trust's roles.")
    if trust.expires_at is not None:
        expires = trust.expires_at if expires is None else min(expires, trust.expires_at)
    token = sessions.issue(
        trustor if trust.impersonation else trustee,
        trust.project_id, methods, expires=expires, roles=roles,
    )
    directory.trusts.remember(token, trust, sessions)
    return token
