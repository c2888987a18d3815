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

import secrets
from typing import Any, Mapping, Sequence, Union

from attrs import frozen
from twisted.internet.interfaces import IReactorTime

from mimic.services.identity.directory import (
    DEFAULT_DOMAIN_ID,
    DEFAULT_DOMAIN_NAME,
    ApplicationCredential,
    Directory,
    Domain,
    Project,
    Target,
)
from mimic.catalog import stable_id
from mimic.services.identity.trust_tokens import trust_token
from mimic.session import AuthenticationFailed, SessionStore, Token, User


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
    domain_id: str | None = None
    domain_name: str | None = None


@frozen
class Scope:
    """
    What a token is asked to be scoped to: a project (by id, or by name
    in a domain given by id or name), a domain (by id or name), the
    system, nothing (unscoped), or, when the request names no scope, the
    user's default project, as Keystone does.
    """

    project: str | None = None
    project_by_name: bool = False
    domain: bool = False
    domain_id: str | None = None
    domain_name: str | None = None
    system: bool = False
    default_project: bool = False
    #: A trust's id (``OS-TRUST:trust``): a token of the trust.
    trust_id: str | None = None


@frozen
class V3ApplicationCredential:
    """
    v3's ``application_credential`` method: by id, or by name with its
    user (by id, or by name and domain).
    """

    secret: str
    id: str | None = None
    name: str | None = None
    user_id: str | None = None
    username: str | None = None


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

    @property
    def user_id(self) -> str:
        """
        The user's id, or the one it will have when made on first use.
        """
        return self.user.id if self.user is not None else stable_id("user", self.username)


@frozen
class Identity:
    """
    The rules, over the core's session store and clock and identity's
    directory.
    """

    sessions: SessionStore
    clock: IReactorTime
    directory: Directory

    def _existing(self, username: str) -> User | None:
        if username == self.directory.admin_name:
            return self.directory.ensure_admin()
        return self.sessions.user_by_name(username)

    # -- scoping ----------------------------------------------------------

    def _project(self, scope: Scope) -> Project | None:
        assert scope.project is not None
        if not scope.project_by_name:
            return self.directory.find_project(scope.project)
        domain = self._domain(scope)
        return self.directory.project_named(scope.project, domain.id)

    def _domain(self, scope: Scope) -> Domain:
        if scope.domain_id is not None:
            domain = self.directory.domains.get(scope.domain_id)
        elif scope.domain_name is not None:
            domain = self.directory.domain_named(scope.domain_name)
            if domain is None:
                domain = next(
                    (d for d in self.directory.domains.values()
                     if d.name.lower() == scope.domain_name.lower()),
                    None,
                )
        else:
            domain = self.directory.domains[DEFAULT_DOMAIN_ID]
        if domain is None:
            raise AuthenticationFailed(
                f"Could not find domain: {scope.domain_id or scope.domain_name}."
            )
        return domain

    def issue(
        self,
        user: User,
        scope: Scope,
        methods: Sequence[str],
        lifetime: float | None = None,
        expires: float | None = None,
    ) -> Token:
        """
        A token of ``user`` scoped as asked, carrying the roles the user
        holds there; 401 if it holds none.  ``expires``: when it expires
        (a token made from a token expires with the original).
        """
        self.directory.check_enabled(user)
        methods = tuple(m.upper() for m in methods)
        if scope.trust_id is not None:
            return trust_token(self.sessions, self.clock.seconds(), self.directory, user, scope.trust_id,
                               methods, expires)
        if scope.system:
            roles = self.directory.token_roles(user, Target("system", "all"))
            if not roles:
                raise AuthenticationFailed(f"User {user.id} has no access to the system.")
            return self.sessions.issue(user, None, methods, lifetime=lifetime, expires=expires, roles=roles, system=True)
        if scope.domain:
            domain = self._domain(scope)
            if not domain.enabled:
                raise AuthenticationFailed(f"Domain is disabled: {domain.id}.")
            roles = self.directory.token_roles(user, Target("domain", domain.id))
            if not roles:
                raise AuthenticationFailed(f"User {user.id} has no access to domain {domain.id}.")
            return self.sessions.issue(
                user, None, methods, lifetime=lifetime, expires=expires, domain_scoped=True, roles=roles
            )
        project_id: str | None
        if scope.default_project:
            project_id = self.default_project(user)
            if project_id is None:
                return self.sessions.issue(user, None, methods, lifetime=lifetime, expires=expires, roles=())
        elif scope.project is None:
            return self.sessions.issue(user, None, methods, lifetime=lifetime, expires=expires, roles=())
        else:
            project = self._project(scope)
            if project is None:
                raise AuthenticationFailed(
                    f"User {user.username!r} has no role on project {scope.project!r}."
                )
            if not project.enabled:
                raise AuthenticationFailed(f"Project is disabled: {project.id}.")
            project_id = project.id
        roles = self.directory.token_roles(user, Target("project", project_id))
        if not roles:
            raise AuthenticationFailed(f"User {user.id} has no access to project {project_id}.")
        return self.sessions.issue(user, project_id, methods, lifetime=lifetime, expires=expires, roles=roles)

    def default_project(self, user: User) -> str | None:
        """
        The project a token is scoped to when none is asked for: a
        first-use user's own; a managed user's default project if it
        holds a role there (else the token is unscoped, as Keystone's).
        """
        account = self.directory.accounts.get(user.id)
        if account is None:
            return user.tenant_id
        project_id = account.default_project_id
        if project_id is None or self.directory.find_project(project_id) is None:
            return None
        if not self.directory.effective_role_ids(user, Target("project", project_id)):
            return None
        return project_id

    def first_use(self, username: str, scope: Scope, password: str | None = None,
                  api_key: str | None = None) -> User:
        """
        A user made on first use, which may take the project it asks for
        if nobody has it.
        """
        tenant_id = None
        if scope.project is not None:
            if scope.project_by_name:
                self._domain(scope)
            taken = (
                self._project(scope) is not None
                or scope.project in self.directory.projects
                or self.directory.project_named(scope.project) is not None
            )
            if taken:
                raise AuthenticationFailed(
                    f"User {username!r} has no role on project {scope.project!r}."
                )
            tenant_id = scope.project
        return self.sessions.user_for(username, tenant_id, api_key=api_key, password=password)

    # -- v2.0 ---------------------------------------------------------------

    def v2_claim(self, credentials: V2Credentials, tenant_id: str | None) -> Claim:
        """
        Who v2.0 credentials are for.  A token must be live.
        """
        if not isinstance(credentials, TokenCredentials):
            return Claim(credentials.username, self._existing(credentials.username))
        existing = self.sessions.token(credentials.token_id)
        if existing is None:
            raise AuthenticationFailed("The token given for re-authentication is not valid.")
        return Claim(existing.user.username, existing.user)

    def v2_token(self, credentials: V2Credentials, claim: Claim, tenant_id: str | None) -> Token:
        """
        The token v2.0 credentials get: a password or an API key makes
        the user on first use; a token is exchanged for a new one of the
        same user.  A tenant asked for must be one the user holds a role
        on.
        """
        scope = DEFAULT_SCOPE if tenant_id is None else Scope(project=tenant_id)
        user = claim.user
        if isinstance(credentials, PasswordCredentials):
            if user is None:
                user = self.first_use(credentials.username, scope, password=credentials.password)
            else:
                self.directory.check_password(user, credentials.password)
            return self._v2_issue(user, scope, ("PASSWORD",))
        if isinstance(credentials, ApiKeyCredentials):
            if user is None:
                user = self.first_use(credentials.username, scope, api_key=credentials.api_key)
            else:
                self.directory.check_password(user, credentials.api_key, api_key=True)
            return self._v2_issue(user, scope, ("APIKEY",))
        assert user is not None, "a token's claim names its user"
        return self._v2_issue(user, scope, ("TOKEN",))

    def _v2_issue(self, user: User, scope: Scope, methods: tuple[str, ...]) -> Token:
        if scope.project is not None and self.directory.find_project(scope.project) is None:
            # v2 names a tenant by id or name alike.
            named = self.directory.project_named(scope.project)
            if named is not None:
                scope = Scope(project=named.id)
        try:
            return self.issue(user, scope, methods)
        except AuthenticationFailed as failed:
            if scope.project is not None and "no access" in str(failed):
                raise AuthenticationFailed(
                    f"User {user.username!r} does not have access to tenant {scope.project!r}."
                )
            raise

    def impersonate(self, impersonator: User, username: str, lifetime: int) -> Token:
        """
        Rackspace's impersonation: a token of ``username`` (made on first
        use) that records who asked for it.
        """
        impersonated = self._existing(username) or self.sessions.user_for(username)
        project_id = self.default_project(impersonated)
        roles = (
            self.directory.token_roles(impersonated, Target("project", project_id))
            if project_id is not None
            else ()
        )
        return self.sessions.issue(
            impersonated,
            project_id,
            ("IMPERSONATION",),
            lifetime=lifetime,
            impersonator=impersonator,
            roles=roles,
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
            domain = self._domain(
                Scope(domain_id=password.domain_id, domain_name=password.domain_name)
            )
            found = self._existing(username)
            if found is not None and found.domain_id != domain.id:
                raise AuthenticationFailed(f"Could not find user: {username}.")
            if found is None and domain.id != DEFAULT_DOMAIN_ID:
                raise AuthenticationFailed(f"Could not find user: {username}.")
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
        and may choose its project if nobody has it; otherwise the
        project must be one the user holds a role on.  A token made from
        a token lives no longer than the original.
        """
        user = claim.user
        if user is None:
            user = self.first_use(
                claim.username, scope, password=password.password if password else None
            )
        elif password is not None:
            self.directory.check_password(user, password.password)
        expires = None
        if rescoped is not None:
            expires = rescoped.expires
            # Keystone's rescoped token lists how the original was got too.
            methods = [*dict.fromkeys([*(m.lower() for m in rescoped.methods), *methods])]
        return self.issue(user, scope, methods, expires=expires)

    def application_credential(self, given: V3ApplicationCredential) -> tuple[ApplicationCredential, User]:
        """
        The application credential v3's method names, with its user;
        401 if unknown, expired, or the secret is wrong.
        """
        found = None
        if given.id is not None:
            found = self.directory.credentials.get(given.id)
        else:
            user = (
                self.sessions.user_by_id(given.user_id)
                if given.user_id is not None
                else self.sessions.user_by_name(given.username or "")
            )
            if user is not None:
                found = next(
                    (c for c in self.directory.credentials.values()
                     if c.user_id == user.id and c.name == given.name),
                    None,
                )
        if found is None:
            raise AuthenticationFailed(
                f"Could not find Application Credential: {given.id or given.name}."
            )
        owner = self.sessions.user_by_id(found.user_id)
        if owner is None or not secrets.compare_digest(
            found.secret.encode("utf-8"), given.secret.encode("utf-8")
        ):
            raise AuthenticationFailed("The request you have made requires authentication.")
        if found.expires_at is not None and found.expires_at <= self.clock.seconds():
            raise AuthenticationFailed(
                f"Could not find Application Credential: {found.id}."
            )
        return found, owner

    def credential_token(self, credential: ApplicationCredential, owner: User) -> Token:
        """
        A token of an application credential: its project, its roles
        (those the user still holds there).
        """
        self.directory.check_enabled(owner)
        held = self.directory.effective_role_ids(owner, Target("project", credential.project_id))
        roles = tuple(r for r in credential.roles if r.id in held)
        if not roles:
            raise AuthenticationFailed(
                f"User {owner.id} has no access to project {credential.project_id}."
            )
        lifetime = None
        if credential.expires_at is not None:
            lifetime = min(
                credential.expires_at - self.clock.seconds(), self.sessions.token_lifetime
            )
        return self.sessions.issue(
            owner, credential.project_id, ("APPLICATION_CREDENTIAL",), lifetime=lifetime,
            roles=roles,
        )
