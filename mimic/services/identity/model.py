# -*- test-case-name: mimic.test.test_identity_model -*-
"""
Identity's rules over the core's users and tokens (:mod:`mimic.session`):
who an authentication request is for, which token it gets, and how long
that token lives.  No HTTP: a request that cannot be honoured is
:class:`~mimic.session.AuthenticationFailed`, which both API versions
answer with 401.

Mimic has one domain, ``default``; a project is a user's tenant (its id
and its name are the tenant id), so one username is one user with one
project whichever API version a client uses.

The values below are what the API versions' requests say once they are
understood (:mod:`mimic.services.identity.validation` makes them).
Authentication goes in two steps so that the failure engine is asked in
between, once it is known who asks and before anything is created:
:meth:`Identity.v2_claim` / :meth:`Identity.v3_claim`, then
:meth:`Identity.v2_token` / :meth:`Identity.v3_token`.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, Union

from attrs import frozen
from twisted.internet.interfaces import IReactorTime

from mimic.session import AuthenticationFailed, SessionStore, Token, User

DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"

#: How long an impersonation token lives unless the request says otherwise
#: (Rackspace's default, three hours).
IMPERSONATION_LIFETIME = 3 * 60 * 60

#: The longest lifetime Mimic grants one (ten years: its expiry must
#: still be a date it can write).
MAX_IMPERSONATION_LIFETIME = 10 * 365 * 24 * 60 * 60


def is_default_domain(domain: Mapping[str, Any]) -> bool:
    """
    Whether a ``{"id": ...}`` or ``{"name": ...}`` reference names the one
    domain Mimic has (names compared as Keystone's SQL backend usually
    does, without regard to case).
    """
    if "id" in domain:
        return isinstance(domain["id"], str) and domain["id"] == DEFAULT_DOMAIN_ID
    name = domain.get("name")
    return isinstance(name, str) and name.lower() == DEFAULT_DOMAIN_NAME.lower()


@frozen
class PasswordCredentials:
    """
    v2.0 ``passwordCredentials``.
    """

    username: str
    password: str


#: The name v2.0 requests and responses give API key credentials.
API_KEY_CREDENTIALS = "RAX-KSKEY:apiKeyCredentials"


@frozen
class ApiKeyCredentials:
    """
    Rackspace's v2.0 ``RAX-KSKEY:apiKeyCredentials``.
    """

    username: str
    api_key: str


@frozen
class TokenCredentials:
    """
    A live token, to be exchanged for another (v2.0 ``token``).
    """

    token_id: str


V2Credentials = Union[PasswordCredentials, ApiKeyCredentials, TokenCredentials]


@frozen
class V3Password:
    """
    v3's ``password`` method: a user named by id, or by name in the
    default domain.
    """

    password: str
    user_id: str | None = None
    username: str | None = None


@frozen
class Scope:
    """
    What a v3 token is asked to be scoped to: a project (by id or name,
    the same thing in Mimic), the domain, nothing (unscoped), or, when
    the request names no scope, the user's own project, as Keystone does.
    """

    project: str | None = None
    domain: bool = False
    default_project: bool = False


UNSCOPED = Scope()
DOMAIN_SCOPE = Scope(domain=True)
DEFAULT_SCOPE = Scope(default_project=True)


@frozen
class Claim:
    """
    Who an authentication request is for: the username (what failure
    conditions match on) and the user, when the credentials name one who
    exists already.
    """

    username: str
    user: User | None


@frozen
class Identity:
    """
    The rules, over the core's session store and clock.
    """

    sessions: SessionStore
    clock: IReactorTime

    # -- v2.0 ---------------------------------------------------------------

    def v2_claim(self, credentials: V2Credentials, tenant_id: str | None) -> Claim:
        """
        Who v2.0 credentials are for.  A token must be live and, when a
        tenant is asked for, its user's.
        """
        if not isinstance(credentials, TokenCredentials):
            return Claim(credentials.username, None)
        existing = self.sessions.token(credentials.token_id)
        if existing is None:
            raise AuthenticationFailed("The token given for re-authentication is not valid.")
        user = existing.user
        if tenant_id is not None and tenant_id != user.tenant_id:
            raise AuthenticationFailed(
                f"User {user.username!r} does not have access to tenant {tenant_id!r}."
            )
        return Claim(user.username, user)

    def v2_token(self, credentials: V2Credentials, claim: Claim, tenant_id: str | None) -> Token:
        """
        The token v2.0 credentials get: a password or an API key makes
        the user on first use (see :meth:`mimic.session.SessionStore.authenticate`);
        a token is exchanged for a new one of the same user and tenant.
        """
        if isinstance(credentials, PasswordCredentials):
            return self.sessions.authenticate(
                credentials.username, tenant_id, password=credentials.password
            )
        if isinstance(credentials, ApiKeyCredentials):
            return self.sessions.authenticate(
                credentials.username, tenant_id, api_key=credentials.api_key, methods=("APIKEY",)
            )
        user = claim.user
        assert user is not None, "a token's claim names its user"
        return self.sessions.issue(user, user.tenant_id, ("TOKEN",))

    def impersonate(self, impersonator: User, username: str, lifetime: int) -> Token:
        """
        Rackspace's impersonation: a token of ``username`` (made on first
        use) that records who asked for it.
        """
        impersonated = self.sessions.user_for(username)
        return self.sessions.issue(
            impersonated,
            impersonated.tenant_id,
            ("IMPERSONATION",),
            lifetime=lifetime,
            impersonator=impersonator,
        )

    # -- v3 -----------------------------------------------------------------

    def rescoping(self, token_id: str) -> Token:
        """
        The live token v3's ``token`` method names.
        """
        existing = self.sessions.token(token_id)
        if existing is None:
            raise AuthenticationFailed(f"Could not find token: {token_id}.")
        return existing

    def v3_claim(self, rescoped: Token | None, password: V3Password | None) -> Claim:
        """
        Who v3's methods authenticate: the token's user, the password's,
        or both when they are the same.  A user named by id must exist; a
        user named by name is made on first use (by :meth:`v3_token`).
        """
        user = rescoped.user if rescoped is not None else None
        if password is None:
            assert user is not None, "v3 authentication has a token or a password"
            return Claim(user.username, user)
        if password.user_id is not None:
            found = self.sessions.user_by_id(password.user_id)
            if found is None:
                raise AuthenticationFailed(f"Could not find user: {password.user_id}.")
            username = found.username
        else:
            assert password.username is not None
            username = password.username
            found = self.sessions.user_by_name(username)
        if user is not None and (found is None or found.id != user.id):
            raise AuthenticationFailed("The methods given authenticate different users.")
        return Claim(username, found)

    def v3_token(
        self,
        claim: Claim,
        scope: Scope,
        methods: Sequence[str],
        password: V3Password | None = None,
        rescoped: Token | None = None,
    ) -> Token:
        """
        The token v3 authentication gets.  A new user is made on first use
        and may choose its project if nobody owns it; a project must be
        the user's own.  A token made from a token lives no longer than
        the original.
        """
        tenant_id = scope.project
        user = claim.user
        if user is None:
            if tenant_id is not None and self.sessions.tenant_owner(tenant_id) is not None:
                raise AuthenticationFailed(
                    f"User {claim.username!r} has no role on project {tenant_id!r}."
                )
            user = self.sessions.user_for(
                claim.username, tenant_id, password=password.password if password else None
            )
        if tenant_id is not None and tenant_id != user.tenant_id:
            raise AuthenticationFailed(
                f"User {user.username!r} has no role on project {tenant_id!r}."
            )
        lifetime = None
        if rescoped is not None:
            lifetime = rescoped.expires - self.clock.seconds()
        if scope.default_project:
            tenant_id = user.tenant_id
        return self.sessions.issue(
            user,
            tenant_id,
            tuple(m.upper() for m in methods),
            lifetime=lifetime,
            domain_scoped=scope.domain,
        )
