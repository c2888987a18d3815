# -*- test-case-name: mimic.test.test_session -*-
"""
Users, tenants and tokens, shared by every identity API version and
checked by every service endpoint.

Mimic accepts any password or API key, as the old mimic did: the point is
to get a token and a catalog, not to guard anything.  What it keeps
consistent is identity: one username is always one user with one tenant,
whichever credentials or identity version is used, and a user asking for
somebody else's tenant is refused.  Tenant ids for new users are derived
from the username, so they are the same on every start.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Iterable

from attrs import define, field
from twisted.internet.interfaces import IReactorTime

from mimic.catalog import stable_id

#: Rackspace issues tokens valid for 24 hours.
TOKEN_LIFETIME = 24 * 60 * 60

DEFAULT_REGION = "ORD"

#: Roles every Mimic user holds (Rackspace's default user role, and the
#: role names OpenStack policy files and clients commonly look for).
DEFAULT_ROLES = (
    ("identity:user-admin", "User Admin Role."),
    ("admin", "Administrator of the tenant."),
    ("member", "Member of the tenant."),
)


class AuthenticationFailed(Exception):
    """
    The credentials cannot be honoured: the identity API answers 401 with
    this message.
    """


def derived_tenant_id(username: str) -> str:
    """
    A Rackspace-style numeric tenant id that depends only on the username.
    """
    digest = hashlib.sha256(username.encode("utf-8")).digest()
    return str(100000 + int.from_bytes(digest[:8], "big") % 900000)


@define
class Role:
    id: str
    name: str
    description: str


#: Computed once: every token response lists the roles, and deriving
#: their ids costs a hash each.
_DEFAULT_ROLES = tuple(
    Role(stable_id("role", name), name, description) for name, description in DEFAULT_ROLES
)


@define
class User:
    id: str
    username: str
    tenant_id: str
    api_key: str
    password: str | None = None
    default_region: str = DEFAULT_REGION
    domain_id: str = "default"

    @property
    def roles(self) -> list[Role]:
        return list(_DEFAULT_ROLES)


@define
class Token:
    """
    An issued token.  ``tenant_id`` is None for an unscoped token (Identity
    v3 can issue those); ``impersonator`` names the user who asked for an
    impersonation token.
    """

    id: str
    user: User
    tenant_id: str | None
    issued_at: float
    expires: float
    methods: tuple[str, ...] = ("PASSWORD",)
    impersonator: User | None = None
    domain_scoped: bool = False


@define
class SessionStore:
    """
    All users and tokens, with expiry read from Mimic's clock.
    """

    clock: IReactorTime
    token_lifetime: float = TOKEN_LIFETIME
    _users_by_name: dict[str, User] = field(factory=dict)
    _users_by_id: dict[str, User] = field(factory=dict)
    _owner_of_tenant: dict[str, User] = field(factory=dict)
    _tokens: dict[str, Token] = field(factory=dict)

    def user_by_name(self, username: str) -> User | None:
        return self._users_by_name.get(username)

    def user_by_id(self, user_id: str) -> User | None:
        return self._users_by_id.get(user_id)

    def users(self) -> Iterable[User]:
        return self._users_by_name.values()

    def tenant_owner(self, tenant_id: str) -> User | None:
        return self._owner_of_tenant.get(tenant_id)

    def user_for(
        self,
        username: str,
        tenant_id: str | None = None,
        api_key: str | None = None,
        password: str | None = None,
    ) -> User:
        """
        The user with this name, created on first use.  A new user takes
        the tenant it asks for, if nobody owns it, or else one derived from
        its name.  Asking for a tenant that is not the user's own fails.
        """
        user = self._users_by_name.get(username)
        if user is None:
            if tenant_id is None or tenant_id in self._owner_of_tenant:
                tenant_id = self._free_tenant_id(username)
            user = User(
                id=stable_id("user", username),
                username=username,
                tenant_id=tenant_id,
                api_key=api_key if api_key else secrets.token_hex(16),
                password=password,
            )
            self._users_by_name[username] = user
            self._users_by_id[user.id] = user
            self._owner_of_tenant[tenant_id] = user
        return user

    def _free_tenant_id(self, username: str) -> str:
        candidate = derived_tenant_id(username)
        while candidate in self._owner_of_tenant:
            candidate = str(int(candidate) + 1)
        return candidate

    def authenticate(
        self,
        username: str,
        tenant_id: str | None = None,
        *,
        api_key: str | None = None,
        password: str | None = None,
        methods: tuple[str, ...] = ("PASSWORD",),
        scoped: bool = True,
    ) -> Token:
        """
        Issue a token for ``username``, scoped to ``tenant_id`` (which, when
        given, must be the user's own tenant or a tenant nobody has yet).
        """
        existing = self._users_by_name.get(username)
        if existing is None and tenant_id is not None:
            owner = self._owner_of_tenant.get(tenant_id)
            if owner is not None:
                raise AuthenticationFailed(
                    f"User {username!r} does not have access to tenant {tenant_id!r}."
                )
        user = self.user_for(username, tenant_id, api_key=api_key, password=password)
        if tenant_id is not None and tenant_id != user.tenant_id:
            raise AuthenticationFailed(
                f"User {username!r} does not have access to tenant {tenant_id!r}."
            )
        return self.issue(user, user.tenant_id if scoped else None, methods)

    def issue(
        self,
        user: User,
        tenant_id: str | None,
        methods: tuple[str, ...] = ("PASSWORD",),
        lifetime: float | None = None,
        impersonator: User | None = None,
        domain_scoped: bool = False,
    ) -> Token:
        now = self.clock.seconds()
        token = Token(
            id=secrets.token_hex(16),
            user=user,
            tenant_id=tenant_id,
            issued_at=now,
            expires=now + (self.token_lifetime if lifetime is None else lifetime),
            methods=methods,
            impersonator=impersonator,
            domain_scoped=domain_scoped,
        )
        self._tokens[token.id] = token
        return token

    def token(self, token_id: str | None) -> Token | None:
        """
        The live token with this id; None if unknown, revoked or expired.
        """
        if token_id is None:
            return None
        token = self._tokens.get(token_id)
        if token is None:
            return None
        if token.expires <= self.clock.seconds():
            del self._tokens[token_id]
            return None
        return token

    def revoke(self, token_id: str) -> bool:
        return self._tokens.pop(token_id, None) is not None

    def tokens(self) -> Iterable[Token]:
        return self._tokens.values()

    def reset(self, tenant_id: str | None = None) -> None:
        """
        Forget every user and token, or only those of one tenant.
        """
        if tenant_id is None:
            self._users_by_name.clear()
            self._users_by_id.clear()
            self._owner_of_tenant.clear()
            self._tokens.clear()
            return
        user = self._owner_of_tenant.pop(tenant_id, None)
        if user is not None:
            del self._users_by_name[user.username]
            del self._users_by_id[user.id]
        for token_id in [t.id for t in self._tokens.values() if t.user is user or t.tenant_id == tenant_id]:
            del self._tokens[token_id]
