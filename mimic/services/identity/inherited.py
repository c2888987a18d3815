# -*- test-case-name: mimic.test.test_identity_inherited -*-
"""
Keystone's inherited role assignments (``OS-INHERIT``): a role granted
on a domain or a project "inherited to projects" is held on every
project below it (every project of the domain; every project under the
project, not the project itself) rather than on the domain or project.

:class:`InheritedGrants` is a part of
:class:`~mimic.services.identity.directory.Directory` beside
:class:`~mimic.services.identity.grants.Grants`: the grants are kept
apart from the direct ones, so a role may be held both directly and
inherited on the same target, as in Keystone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Iterator

from mimic.services.identity.records import Assignment, DirectoryError, Group, Project, Target
from mimic.session import Role, SessionStore, User


class InheritedGrants(ABC):
    """
    The inherited half of the directory's grants (its fields and the
    lookups declared abstract are the directory's).
    """

    sessions: SessionStore
    roles: dict[str, Role]
    groups: dict[str, Group]
    #: (actor kind, actor id, domain or project) -> role ids inherited
    #: to the projects below it.
    inherited: dict[tuple[str, str, Target], set[str]]

    @abstractmethod
    def groups_of(self, user: User) -> list[Group]:
        ...

    @abstractmethod
    def all_projects(self) -> Iterator[Project]:
        ...

    @abstractmethod
    def find_project(self, project_id: str) -> Project | None:
        ...

    def inherited_roles(self, actor_kind: str, actor_id: str, source: Target) -> set[str]:
        return {r for r in self.inherited.get((actor_kind, actor_id, source), ()) if r in self.roles}

    def grant_inherited(self, actor_kind: str, actor_id: str, source: Target, role: Role) -> None:
        self.inherited.setdefault((actor_kind, actor_id, source), set()).add(role.id)

    def revoke_inherited(self, actor_kind: str, actor_id: str, source: Target, role: Role) -> None:
        key = (actor_kind, actor_id, source)
        held = self.inherited.get(key, set())
        if role.id not in held:
            raise DirectoryError(
                404,
                f"Could not find role assignment with role: {role.id}, user or group: "
                f"{actor_id}, project, domain, or system: {source.id}.",
            )
        held.discard(role.id)
        if not held:
            del self.inherited[key]
        members = [actor_id] if actor_kind == "user" else sorted(self.groups[actor_id].members) if actor_id in self.groups else []
        for user_id in members:
            self.sessions.revoke_where(user_id=user_id)

    def forget_inherited(self, actor_kind: str | None = None, actor_id: str | None = None,
                         source: Target | None = None, role_id: str | None = None) -> None:
        """
        Drop the inherited grants of a removed actor, domain, project or
        role.
        """
        for key in list(self.inherited):
            kind, actor, target = key
            if (actor_kind, actor_id) == (kind, actor) or source == target:
                del self.inherited[key]
            elif role_id is not None:
                self.inherited[key].discard(role_id)

    def sources_of(self, project: Project) -> list[Target]:
        """
        Where roles inherited to ``project`` are granted: its domain and
        every project above it.
        """
        sources = [Target("domain", project.domain_id)]
        seen = {project.id}
        parent_id = project.parent_id
        while parent_id is not None and parent_id not in seen and parent_id != project.domain_id:
            seen.add(parent_id)
            parent = self.find_project(parent_id)
            if parent is None:
                break
            sources.append(Target("project", parent.id))
            parent_id = parent.parent_id
        return sources

    def inherited_role_ids(self, user: User, target: Target) -> set[str]:
        """
        The roles a user (or its groups) inherits on a project.
        """
        if target.kind != "project" or not self.inherited:
            return set()
        project = self.find_project(target.id)
        if project is None:
            return set()
        actors = [("user", user.id)] + [("group", g.id) for g in self.groups_of(user)]
        held: set[str] = set()
        for source in self.sources_of(project):
            for kind, actor in actors:
                held |= self.inherited_roles(kind, actor, source)
        return held

    def inherited_assignments(self) -> Iterator[Assignment]:
        """
        The inherited grants as ``/role_assignments`` lists them.
        """
        for (kind, actor, source), held in self.inherited.items():
            for role_id in sorted(held):
                role = self.roles.get(role_id)
                if role is not None:
                    yield Assignment(role, kind, actor, source, inherited=True)

    def inherited_projects(self, source: Target) -> list[Project]:
        """
        The projects a grant inherited from ``source`` reaches.
        """
        return [
            p for p in self.all_projects() if p.id != source.id and source in self.sources_of(p)
        ]
