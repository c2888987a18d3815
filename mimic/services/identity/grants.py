# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
Who holds which role where: the directory's grants to users and groups
on projects, domains and the system, the roles they imply, and the
tokens a change revokes (Keystone revokes those a role change makes
wrong).  A first-use user holds the default roles on its own tenant
until they are first changed.  :class:`Grants` is a part of
:class:`~mimic.services.identity.directory.Directory`, kept apart to
keep each module to one concern.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterator

from mimic.services.identity.records import (
    DEFAULT_DOMAIN_ID,
    Assignment,
    Domain,
    DirectoryError,
    Group,
    Project,
    Target,
)
from mimic.services.identity.role_sets import RoleSet
from mimic.session import Role, SessionStore, User


class Grants(ABC):
    """
    The role assignment half of the directory (its fields are the
    directory's, and so are the lookups declared abstract below, which
    :class:`~mimic.services.identity.directory.Directory` provides).
    """

    sessions: SessionStore
    roles: dict[str, Role]
    groups: dict[str, Group]
    domains: dict[str, Domain]
    accounts: dict
    grants: dict[tuple[str, str, Target], set[str]]
    inherited: dict[tuple[str, str, Target], set[str]]
    implications: dict[str, set[str]]
    unseen: dict[tuple[str, str, Target, str], float]
    role_set: RoleSet

    @abstractmethod
    def user(self, user_id: str) -> User:
        ...

    @abstractmethod
    def account(self, user: User) -> object:
        ...

    @abstractmethod
    def groups_of(self, user: User) -> list[Group]:
        ...

    @abstractmethod
    def role_named(self, name: str, domain_id: str | None = None) -> Role | None:
        ...

    @abstractmethod
    def all_projects(self) -> Iterator[Project]:
        ...

    @abstractmethod
    def find_project(self, project_id: str) -> Project | None:
        ...

    @abstractmethod
    def inherited_role_ids(self, user: User, target: Target) -> set[str]:
        ...

    @abstractmethod
    def inherited_assignments(self) -> Iterator[Assignment]:
        ...

    @abstractmethod
    def inherited_projects(self, source: Target) -> list[Project]:
        ...

    def _implied_grants(self, user: User, target: Target) -> set[str] | None:
        """
        A first-use user's default roles (the role set's) on its own
        tenant and the default domain, unless they have been changed.
        """
        if user.id in self.accounts:
            return None
        if (target.kind == "project" and target.id == user.tenant_id) or (
            target.kind == "domain" and target.id == DEFAULT_DOMAIN_ID
        ):
            return self.role_set.first_use_ids
        return None

    def direct_roles(self, actor_kind: str, actor_id: str, target: Target) -> set[str]:
        held = self.grants.get((actor_kind, actor_id, target))
        if held is not None:
            if self.unseen:
                now = self.sessions.clock.seconds()
                return {
                    r for r in held
                    if self.unseen.get((actor_kind, actor_id, target, r), now) <= now
                }
            return set(held)
        if actor_kind == "user":
            user = self.sessions.user_by_id(actor_id)
            if user is not None:
                return self._implied_grants(user, target) or set()
        return set()

    def grant(
        self, actor_kind: str, actor_id: str, target: Target, role: Role, visible_at: float | None = None
    ) -> None:
        """
        Grant a role; with ``visible_at`` (identity's ``not_yet_visible``
        condition) it is not held until then on Mimic's clock.
        """
        self._grant(actor_kind, actor_id, target, role)
        key = (actor_kind, actor_id, target, role.id)
        if visible_at is not None:
            self.unseen[key] = visible_at
        else:
            self.unseen.pop(key, None)

    def _grant(self, actor_kind: str, actor_id: str, target: Target, role: Role) -> None:
        if actor_kind == "user":
            user = self.user(actor_id)
            if user.id not in self.accounts and target.kind == "project" and target.id == user.tenant_id:
                self.account(user)
        key = (actor_kind, actor_id, target)
        held = self.grants.get(key)
        if held is None:
            held = self.grants[key] = self.direct_roles(actor_kind, actor_id, target)
        held.add(role.id)

    def revoke(self, actor_kind: str, actor_id: str, target: Target, role: Role) -> None:
        key = (actor_kind, actor_id, target)
        held = self.grants.get(key)
        if held is None:
            held = self.direct_roles(actor_kind, actor_id, target)
            if role.id not in held:
                raise self.no_assignment(role, actor_id, target)
            self.grants[key] = held
        if role.id not in held:
            raise self.no_assignment(role, actor_id, target)
        held.discard(role.id)
        self.unseen.pop((actor_kind, actor_id, target, role.id), None)
        self._revoke_for(key)

    def _revoke_for(self, key: tuple[str, str, Target]) -> None:
        """
        Keystone revokes the tokens a role change makes wrong.
        """
        actor_kind, actor_id, target = key
        tenant = target.id if target.kind == "project" else None
        users = [actor_id] if actor_kind == "user" else sorted(self.groups[actor_id].members) if actor_id in self.groups else []
        for user_id in users:
            self.sessions.revoke_where(user_id=user_id, tenant_id=tenant)

    @staticmethod
    def no_assignment(role: Role, actor_id: str, target: Target) -> DirectoryError:
        return DirectoryError(
            404,
            f"Could not find role assignment with role: {role.id}, user or group: "
            f"{actor_id}, project, domain, or system: {target.id}.",
        )

    def effective_role_ids(self, user: User, target: Target) -> set[str]:
        """
        Every role a user holds on a target: its own, its groups', and
        those they imply.
        """
        held = self.direct_roles("user", user.id, target)
        for group in self.groups_of(user):
            held |= self.grants.get(("group", group.id, target), set())
        held |= self.inherited_role_ids(user, target)
        return self._with_implied(held)

    def _with_implied(self, role_ids: set[str]) -> set[str]:
        """
        The roles and every role they imply, through chains of
        implications.
        """
        found = {r for r in role_ids if r in self.roles}
        todo = list(found)
        while todo:
            for implied in self.implications.get(todo.pop(), ()):
                if implied not in found and implied in self.roles:
                    found.add(implied)
                    todo.append(implied)
        return found

    # -- implied roles ----------------------------------------------------

    def default_implications(self) -> None:
        """
        The implications the cloud starts with (the role set's): under
        both profiles, Keystone's bootstrap chain down to ``reader``.
        """
        for prior, implied in self.role_set.implies:
            prior_role = self.role_named(prior)
            for name in implied:
                implied_role = self.role_named(name)
                if prior_role is not None and implied_role is not None:
                    self.implications.setdefault(prior_role.id, set()).add(implied_role.id)

    def imply(self, prior: Role, implied: Role) -> None:
        if prior.id == implied.id or prior.id in self._with_implied({implied.id}):
            raise DirectoryError(
                403, f"Implied role {implied.id} would make a cycle with {prior.id}."
            )
        if implied.domain_id is not None and prior.domain_id is None:
            raise DirectoryError(
                403, f"Global role {prior.id} cannot imply the domain-specific role {implied.id}."
            )
        self.implications.setdefault(prior.id, set()).add(implied.id)

    def implies(self, prior: Role, implied: Role) -> bool:
        return implied.id in self.implications.get(prior.id, set())

    def unimply(self, prior: Role, implied: Role) -> None:
        if not self.implies(prior, implied):
            raise DirectoryError(
                404, f"Could not find implied role: {prior.id} implies {implied.id}."
            )
        self.implications[prior.id].discard(implied.id)

    def token_roles(self, user: User, target: Target) -> tuple[Role, ...]:
        """
        The roles a token carries: the effective ones, without
        domain-specific roles (Keystone leaves those out of tokens).
        """
        ids = self.effective_role_ids(user, target)
        return tuple(
            sorted(
                (self.roles[i] for i in ids if i in self.roles and self.roles[i].domain_id is None),
                key=lambda r: r.name,
            )
        )

    def assignments(self) -> Iterator[Assignment]:
        """
        Every direct assignment, the implied defaults of first-use users
        included.
        """
        for (actor_kind, actor_id, target), held in self.grants.items():
            for role_id in sorted(held):
                role = self.roles.get(role_id)
                if role is not None:
                    yield Assignment(role, actor_kind, actor_id, target)
        for user in self.sessions.users():
            if user.id in self.accounts:
                continue
            target = Target("project", user.tenant_id)
            if ("user", user.id, target) in self.grants:
                continue
            for role_id in sorted(self._implied_grants(user, target) or ()):
                yield Assignment(self.roles[role_id], "user", user.id, target)

    def effective_assignments(self) -> Iterator[Assignment]:
        """
        Assignments as they apply to users: a group's expanded to its
        members, each with the roles it implies.
        """
        for assignment in self.assignments():
            yield from self._effective(assignment, assignment.target, None)
        for assignment in self.inherited_assignments():
            for project in self.inherited_projects(assignment.target):
                yield from self._effective(
                    assignment, Target("project", project.id), assignment.target
                )

    def _effective(
        self, assignment: Assignment, target: Target, inherited_from: Target | None
    ) -> Iterator[Assignment]:
        if assignment.actor_kind == "group":
            group = self.groups.get(assignment.actor_id)
            members = sorted(group.members) if group is not None else []
            pairs: list[tuple[str, str | None]] = [(m, assignment.actor_id) for m in members]
        else:
            pairs = [(assignment.actor_id, None)]
        for user_id, via in pairs:
            for role_id in sorted(self._with_implied({assignment.role.id})):
                role = self.roles[role_id]
                if role.domain_id is None:
                    # Domain-specific roles are not effective.
                    yield Assignment(
                        role, "user", user_id, target, via, inherited_from=inherited_from
                    )

    def projects_of(self, user: User) -> list[Project]:
        """
        The projects a user holds a role on.
        """
        actors = {("user", user.id)} | {("group", g.id) for g in self.groups_of(user)}
        candidates = {user.tenant_id} | {
            target.id
            for (kind, actor, target) in self.grants
            if target.kind == "project" and (kind, actor) in actors
        }
        for (kind, actor, source) in self.inherited:
            if (kind, actor) in actors:
                candidates |= {p.id for p in self.inherited_projects(source)}
        found = []
        for project_id in sorted(candidates):
            project = self.find_project(project_id)
            if project is not None and self.effective_role_ids(user, Target("project", project.id)):
                found.append(project)
        return found

    def domains_of(self, user: User) -> list[Domain]:
        return [
            d for d in self.domains.values()
            if self.effective_role_ids(user, Target("domain", d.id))
        ]
