# -*- test-case-name: mimic.test.test_identity_trusts -*-
"""
Keystone's trusts (``OS-TRUST``): a trustor delegates some of the roles
it holds on a project to a trustee, who then gets tokens scoped to the
trust (``"scope": {"OS-TRUST:trust": {"id": ...}}``) carrying those
roles, as the trustor when the trust impersonates.  No HTTP: a refusal
raises :class:`~mimic.services.identity.records.DirectoryError` or
:class:`~mimic.session.AuthenticationFailed`.
"""

from __future__ import annotations

from typing import Any

from attrs import define, field

from mimic.services.identity.records import DirectoryError, Target, new_id
from mimic.session import AuthenticationFailed, Role, SessionStore, Token, User

@define
class Trust:
    id: str
    trustor_user_id: str
    trustee_user_id: str
    project_id: str | None
    impersonation: bool
    role_ids: list[str]
    expires_at: float | None = None
    remaining_uses: int | None = None
    allow_redelegation: bool = False


@define
class Trusts:
    """
    The directory's trusts, and which live tokens were made from which
    trust (what a token's ``OS-TRUST:trust`` says, and what deleting the
    trust revokes).
    """

    trusts: dict[str, Trust] = field(factory=dict)
    #: token id -> trust id, for the trust-scoped tokens.
    tokens: dict[str, str] = field(factory=dict)

    def trust(self, trust_id: str) -> Trust:
        found = self.trusts.get(trust_id)
        if found is None:
            raise DirectoryError(404, f"Could not find trust: {trust_id}.")
        return found

    def add(self, trust: Trust) -> Trust:
        self.trusts[trust.id] = trust
        return trust

    def remove(self, trust: Trust, sessions: SessionStore) -> None:
        del self.trusts[trust.id]
        for token_id, trust_id in list(self.tokens.items()):
            if trust_id == trust.id:
                sessions.revoke(token_id)
                del self.tokens[token_id]

    def forget_user(self, user_id: str, sessions: SessionStore) -> None:
        for trust in [t for t in self.trusts.values() if user_id in (t.trustor_user_id, t.trustee_user_id)]:
            self.remove(trust, sessions)

    def trust_of(self, token: Token) -> Trust | None:
        trust_id = self.tokens.get(token.id)
        return self.trusts.get(trust_id) if trust_id is not None else None

    def remember(self, token: Token, trust: Trust, sessions: SessionStore) -> None:
        """
        Note the token's trust, forgetting tokens the core no longer
        holds (expired or revoked), so the map stays as small as the
        live trust tokens.
        """
        for token_id in [t for t in self.tokens if sessions.token(t) is None]:
            del self.tokens[token_id]
        self.tokens[token.id] = trust.id


def new_trust(
    trustor: User,
    trustee: User,
    project_id: str | None,
    impersonation: bool,
    roles: list[Role],
    held: set[str],
    expires_at: float | None,
    remaining_uses: int | None,
    allow_redelegation: bool,
    now: float,
) -> Trust:
    """
    A trust, once its roles are known to be the trustor's on the project
    (``held``) and its expiry is in the future.
    """
    if project_id is None and roles:
        raise DirectoryError(400, "A trust without a project cannot delegate roles.")
    if project_id is not None and not roles:
        raise DirectoryError(400, "At least one role should be specified.")
    for role in roles:
        if role.id not in held:
            raise DirectoryError(403, f"Trustor {trustor.id} does not hold role {role.id} on project {project_id}.")
    if expires_at is not None and expires_at <= now:
        raise DirectoryError(400, "Invalid input for field 'expires_at': it must be in the future.")
    return Trust(
        new_id(), trustor.id, trustee.id, project_id, impersonation, [r.id for r in roles],
        expires_at, remaining_uses, allow_redelegation,
    )


def usable(trust: Trust | None, trust_id: str, trustee: User, now: float) -> Trust:
    """
    The trust a token is asked to be scoped to, if the caller is its
    trustee and it is live (a use is counted).
    """
    if trust is None or (trust.expires_at is not None and trust.expires_at <= now):
        raise AuthenticationFailed(f"Could not find trust: {trust_id}.")
    if trust.trustee_user_id != trustee.id:
        raise DirectoryError(403, "The authenticated user should match the trustee.")
    if trust.remaining_uses is not None:
        if trust.remaining_uses <= 0:
            raise AuthenticationFailed(f"Could not find trust: {trust_id}.")
        trust.remaining_uses -= 1
    return trust


def trust_target(trust: Trust) -> Target | None:
    return Target("project", trust.project_id) if trust.project_id is not None else None


def token_trust_json(trust: Trust) -> dict[str, Any]:
    """
    What a trust-scoped token says of its trust.
    """
    return {
        "id": trust.id,
        "impersonation": trust.impersonation,
        "trustee_user": {"id": trust.trustee_user_id},
        "trustor_user": {"id": trust.trustor_user_id},
    }

