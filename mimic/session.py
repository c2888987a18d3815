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
import heapq
import secrets
from collections import deque
from typing import Any, Callable, Iterable, TypeVar, cast

from attrs import define, field
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from mimic.catalog import stable_id
from mimic.settings import Setting

T = TypeVar("T")

#: Rackspace issues tokens valid for 24 hours.
TOKEN_LIFETIME = 24 * 60 * 60

DEFAULT_REGION = "ORD"

#: How long an expired token may be held before it is forgotten: expired
#: tokens are swept at most this often, on Mimic's clock.  A token is
#: refused from the moment it expires; the sweep only gives its memory
#: back.
EXPIRY_SWEEP_INTERVAL = 60.0

#: Roles every Mimic user holds on its own tenant (Rackspace's role for
#: an account's owner, and Keystone's member and reader).  ``admin`` is
#: not among them: OpenStack's policies read it as "administrator of the
#: whole cloud", which only identity's configured administrators are.
DEFAULT_ROLES = (
    ("identity:user-admin", "User Admin Role."),
    ("member", "Member of the tenant."),
    ("reader", "Reader of the tenant."),
)

#: The role that makes a token an administrator's, for every service's
#: policy (Keystone's ``admin_required``, Nova's ``context_is_admin``).
ADMIN_ROLE = "admin"

#: The role OpenStack services' own users hold (Keystone's
#: ``service_role``): it may validate any token, as an administrator may.
SERVICE_ROLE = "service"

#: The settings identity reads: who its administrator is.  Declared here,
#: beside the users, because identity is part of every Mimic rather than
#: a discovered plugin.
IDENTITY_SETTINGS = (
    Setting(
        "identity.admin_user",
        "The administrator's username: its token carries the admin role "
        "(and Rackspace's identity:admin) and it may manage users, projects "
        "and roles and read or revoke anyone's tokens.",
        "admin",
    ),
    Setting(
        "identity.admin_password",
        "The administrator's password (and API key): unlike other users, the "
        "administrator must give it.",
        "password",
    ),
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


@define(frozen=True)
class Role:
    """
    A role; ``domain_id`` is None for a global role (Keystone's roles may
    belong to one domain).
    """

    id: str
    name: str
    #: None for a role made without one (Keystone shows ``null``).
    description: str | None
    domain_id: str | None = None


def named_role(name: str, description: str | None = "") -> Role:
    """
    The global role with this name: its id is derived from the name, so
    it is the same on every start.
    """
    return Role(stable_id("role", name), name, description)


#: Computed once: every token response lists the roles, and deriving
#: their ids costs a hash each.
_DEFAULT_ROLES = tuple(named_role(name, description) for name, description in DEFAULT_ROLES)


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
    #: Scoped to the whole system (Keystone's ``{"system": {"all": true}}``).
    system: bool = False
    #: The roles the token carries (on its project or domain), fixed when
    #: it is issued: services read them for their admin-only APIs.
    roles: tuple[Role, ...] = ()

    def has_role(self, name: str) -> bool:
        return any(role.name == name for role in self.roles)

    @property
    def is_admin(self) -> bool:
        """
        Whether the token is an administrator's (it carries ``admin``).
        """
        return self.has_role(ADMIN_ROLE)


@define
class SessionStore:
    """
    All users and tokens, with expiry read from Mimic's clock.

    Expired tokens are forgotten on that clock, not only when presented
    again: every issued token is queued by expiry, and one call
    scheduled on the clock (never more than one, and none while nothing
    is queued) sweeps away those that have expired, at most every
    :data:`EXPIRY_SWEEP_INTERVAL` seconds.  Each token is queued once and
    swept once, so the cost is constant per token issued.  Tokens of the
    default lifetime expire in the order they were issued and queue in a
    plain FIFO; the few with a lifetime of their own (impersonation) in
    a heap.
    """

    clock: IReactorTime
    token_lifetime: float = TOKEN_LIFETIME
    #: The region new users default to (the cloud's first).
    default_region: str = DEFAULT_REGION
    _users_by_name: dict[str, User] = field(factory=dict)
    _users_by_id: dict[str, User] = field(factory=dict)
    _owner_of_tenant: dict[str, User] = field(factory=dict)
    _tokens: dict[str, Token] = field(factory=dict)
    #: Ids of default-lifetime tokens, in issue order (so in expiry
    #: order): ids only, their expiry is the token's.
    _expiring: deque[str] = field(factory=deque)
    #: (expires, token id) of tokens issued with a lifetime of their own.
    _expiring_odd: list[tuple[float, str]] = field(factory=list)
    _sweep: IDelayedCall | None = None
    #: The most tokens held since the token table was last rebuilt.
    _tokens_peak: int = 0
    #: What identity keeps beside the users (its directory of projects,
    #: roles and grants), forgotten with them by a full reset.
    _annex: Any = None

    def annex(self, factory: Callable[[], T]) -> T:
        """
        Identity's state beside the users, made by ``factory`` on first
        use and after every full reset.
        """
        if self._annex is None:
            self._annex = factory()
        return cast(T, self._annex)

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
                default_region=self.default_region,
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
        roles: Iterable[Role] | None = None,
        system: bool = False,
        expires: float | None = None,
    ) -> Token:
        """
        A new token; it carries ``roles``, or, when none are given, the
        user's default roles if it is scoped.
        """
        now = self.clock.seconds()
        if roles is None:
            roles = user.roles if tenant_id is not None or domain_scoped else ()
        token = Token(
            id=secrets.token_hex(16),
            user=user,
            tenant_id=tenant_id,
            issued_at=now,
            expires=expires
            if expires is not None
            else now + (self.token_lifetime if lifetime is None else lifetime),
            methods=methods,
            impersonator=impersonator,
            domain_scoped=domain_scoped,
            roles=tuple(roles),
            system=system,
        )
        self._tokens[token.id] = token
        self._tokens_peak = max(self._tokens_peak, len(self._tokens))
        if lifetime is None and expires is None:
            self._expiring.append(token.id)
        else:
            heapq.heappush(self._expiring_odd, (token.expires, token.id))
        self._schedule_sweep()
        return token

    def expire_early(self, token: Token, at: float) -> None:
        """
        Have a live token expire at ``at`` (if that is sooner than it
        would): for identity's "token expires early" condition.
        """
        if at >= token.expires:
            return
        token.expires = at
        heapq.heappush(self._expiring_odd, (at, token.id))
        self._schedule_sweep()

    def _next_expiry(self) -> float | None:
        candidates = []
        while self._expiring:
            first = self._tokens.get(self._expiring[0])
            if first is not None:
                candidates.append(first.expires)
                break
            # Revoked, reset or presented after expiry: already gone.
            self._expiring.popleft()
        if self._expiring_odd:
            candidates.append(self._expiring_odd[0][0])
        return min(candidates) if candidates else None

    def _schedule_sweep(self) -> None:
        """
        Have the clock call :meth:`expire` once the first queued token
        has expired (and not sooner than a sweep interval from now):
        one call, moved earlier if a token expiring sooner is queued.
        """
        due = self._next_expiry()
        if due is None:
            return
        now = self.clock.seconds()
        at = now + max(due - now, EXPIRY_SWEEP_INTERVAL)
        sweep = self._sweep
        if sweep is not None and sweep.active():
            if sweep.getTime() > at:
                sweep.reset(at - now)
            return
        self._sweep = self.clock.callLater(at - now, self._swept)

    def _swept(self) -> None:
        self._sweep = None
        self.expire()
        self._schedule_sweep()

    def expire(self) -> int:
        """
        Forget every token that has expired by now; how many were.
        """
        now = self.clock.seconds()
        expired: list[str] = []
        while self._expiring:
            first = self._tokens.get(self._expiring[0])
            if first is not None and first.expires > now:
                break
            expired.append(self._expiring.popleft())
        while self._expiring_odd and self._expiring_odd[0][0] <= now:
            expired.append(heapq.heappop(self._expiring_odd)[1])
        forgotten = 0
        for token_id in expired:
            token = self._tokens.get(token_id)
            # None: gone already (revoked, presented after expiry, reset).
            if token is not None and token.expires <= now:
                del self._tokens[token_id]
                forgotten += 1
        if len(self._tokens) * 4 < self._tokens_peak:
            # A dict never shrinks its table as entries go: copied, it
            # takes the size of what is left.  Done only once three
            # quarters have gone, so the copy costs what was swept.
            self._tokens = dict(self._tokens)
            self._tokens_peak = len(self._tokens)
        return forgotten

    def queued(self) -> int:
        """
        How many tokens wait in the expiry queues (live, and revoked or
        expired ones not yet swept): what the sweep bounds.
        """
        return len(self._expiring) + len(self._expiring_odd)

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

    def revoke_where(self, user_id: str | None = None, tenant_id: str | None = None) -> int:
        """
        Revoke every token of a user, or scoped to a tenant (or only those
        of that user on that tenant, given both); how many were.  A scan:
        for deletions and role changes, which are rare.
        """
        doomed = [
            token.id
            for token in self._tokens.values()
            if (user_id is None or token.user.id == user_id)
            and (tenant_id is None or token.tenant_id == tenant_id)
        ]
        for token_id in doomed:
            del self._tokens[token_id]
        return len(doomed)

    def remove_user(self, user: User) -> None:
        """
        Forget a user and revoke its tokens (its tenant's services keep
        their state, as a tenant's servers outlive a deleted user).
        """
        if self._users_by_id.get(user.id) is not user:
            return
        del self._users_by_id[user.id]
        del self._users_by_name[user.username]
        if self._owner_of_tenant.get(user.tenant_id) is user:
            del self._owner_of_tenant[user.tenant_id]
        self.revoke_where(user_id=user.id)

    def rename_user(self, user: User, username: str) -> None:
        """
        Give a user a new name (which nobody else has).
        """
        del self._users_by_name[user.username]
        user.username = username
        self._users_by_name[username] = user

    def tokens(self) -> Iterable[Token]:
        return self._tokens.values()

    def adopt(self, users: Iterable[User], tokens: Iterable[Token]) -> None:
        """
        Hold these users and tokens (a snapshot being restored into a
        new, empty store): each user owns its tenant, and every token is
        queued for the sweep by its expiry.
        """
        for user in users:
            self._users_by_name[user.username] = user
            self._users_by_id[user.id] = user
            self._owner_of_tenant[user.tenant_id] = user
        for token in tokens:
            self._tokens[token.id] = token
            self._expiring_odd.append((token.expires, token.id))
        heapq.heapify(self._expiring_odd)
        self._tokens_peak = len(self._tokens)

    def start_sweeping(self) -> None:
        """
        Schedule the sweep of expired tokens on the clock (once a store
        filled by :meth:`adopt` is the one in use).
        """
        self._schedule_sweep()

    def stop_sweeping(self) -> None:
        """
        Cancel the scheduled sweep: a store a restore replaced holds
        nothing anyone will ask for.
        """
        if self._sweep is not None and self._sweep.active():
            self._sweep.cancel()
        self._sweep = None

    @property
    def annexed(self) -> Any:
        """
        The annex, if one was made (``None`` otherwise), without making one.
        """
        return self._annex

    def reset(self, tenant_id: str | None = None) -> None:
        """
        Forget every user and token, or only those of one tenant.
        """
        if tenant_id is None:
            self._users_by_name.clear()
            self._users_by_id.clear()
            self._owner_of_tenant.clear()
            self._tokens.clear()
            self._expiring.clear()
            self._expiring_odd.clear()
            self._annex = None
            return
        user = self._owner_of_tenant.pop(tenant_id, None)
        if user is not None:
            del self._users_by_name[user.username]
            del self._users_by_id[user.id]
        for token_id in [t.id for t in self._tokens.values() if t.user is user or t.tenant_id == tenant_id]:
            del self._tokens[token_id]
