# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
What identity knows beyond the core's users and tokens: domains, the
projects, users, roles, groups and application credentials made through
Keystone's write APIs, who holds which role where, and who the
administrator is.  No HTTP: a request that cannot be honoured raises
:class:`DirectoryError` (status and Keystone's message) or
:class:`~mimic.session.AuthenticationFailed`.

Two kinds of user live side by side.  A user made on first use (any
password, its own tenant, the default roles there) is what Mimic always
had and still is by default.  A *managed* user, made through ``POST
/v3/users`` or configured as the administrator, is Keystone's: its
password is checked and it holds exactly the roles it is granted.  Both
are the core's :class:`~mimic.session.User`; a managed one has an
:class:`Account` here too.

A project is a tenant: the core serves a token scoped to one whatever
made it.  A first-use user's own tenant is a project whose id and name
are the tenant id; projects made through the API get a fresh id.

The whole directory is one object per Mimic, kept beside the core's
users (:meth:`mimic.session.SessionStore.annex`) so that a full reset
forgets it with them.
"""

from __future__ import annotations

import secrets
from typing import Any, Iterable, Iterator

from attrs import define, field

from mimic.interfaces import IMimicCore
from mimic.services.identity.credential_store import CredentialStore
from mimic.services.identity.grants import Grants
from mimic.services.identity.inherited import InheritedGrants
from mimic.services.identity.trusts import Trusts
from mimic.services.identity.written import WrittenCatalog
from mimic.services.identity.records import (
    DEFAULT_DOMAIN_ID,
    DEFAULT_DOMAIN_NAME,
    RACKSPACE_ADMIN_ROLE,
    Account,
    ApplicationCredential,
    Assignment,
    Consumer,
    Credential,
    DirectoryError,
    Domain,
    Group,
    Project,
    Target,
    conflict,
    new_id,
    not_found,
)
from mimic.services.identity.role_options import IMMUTABLE
from mimic.services.identity.role_store import RoleStore
from mimic.services.identity.role_sets import RACKSPACE_ROLES, RoleSet, role_set
from mimic.session import (
    AuthenticationFailed,
    Role,
    SessionStore,
    User,
    named_role,
)

__all__ = [
    "DEFAULT_DOMAIN_ID",
    "DEFAULT_DOMAIN_NAME",
    "RACKSPACE_ADMIN_ROLE",
    "Account",
    "ApplicationCredential",
    "Assignment",
    "Credential",
    "Directory",
    "DirectoryError",
    "Domain",
    "Group",
    "Project",
    "Target",
    "directory_of",
]


#: How ``keystone-manage bootstrap`` describes the project it makes.
BOOTSTRAP_PROJECT = "Bootstrap project for initializing the cloud."


@define
class Directory(InheritedGrants, RoleStore, Grants, CredentialStore):
    sessions: SessionStore
    admin_name: str
    admin_password: str
    domains: dict[str, Domain] = field(factory=dict)
    projects: dict[str, Project] = field(factory=dict)
    accounts: dict[str, Account] = field(factory=dict)
    roles: dict[str, Role] = field(factory=dict)
    groups: dict[str, Group] = field(factory=dict)
    credentials: dict[str, ApplicationCredential] = field(factory=dict)
    #: (actor kind, actor id, target) -> role ids.  A first-use user's
    #: roles on its own tenant are implied until first changed.
    grants: dict[tuple[str, str, Target], set[str]] = field(factory=dict)
    #: Generic credentials (EC2 ones included), by id.
    blobs: dict[str, Credential] = field(factory=dict)
    #: Grants not yet visible (identity's not_yet_visible condition):
    #: (actor kind, actor id, target, role id) -> when they become so.
    unseen: dict[tuple[str, str, Target, str], float] = field(factory=dict)
    #: Prior role id -> the ids of the roles it implies.
    implications: dict[str, set[str]] = field(factory=dict)
    #: Grants inherited to projects (OS-INHERIT), as ``grants``.
    inherited: dict[tuple[str, str, Target], set[str]] = field(factory=dict)
    #: Services, endpoints, regions, templates and policies written
    #: through identity.
    catalog: WrittenCatalog = field(factory=WrittenCatalog)
    #: Trusts (OS-TRUST) and the tokens made from them.
    trusts: Trusts = field(factory=Trusts)
    #: Domain id -> its configuration: group -> option -> value.
    domain_configs: dict[str, dict[str, dict[str, Any]]] = field(factory=dict)
    #: OAuth 1.0a consumers, by id.
    consumers: dict[str, Consumer] = field(factory=dict)
    #: The roles the cloud starts with, and who holds which (the
    #: profile's: see :func:`directory_of`).
    role_set: RoleSet = RACKSPACE_ROLES
    #: Role id -> its resource options (:mod:`role_options`), for the
    #: roles that have any.
    role_options: dict[str, dict[str, Any]] = field(factory=dict)
    #: Whether the administrator is made as ``keystone-manage
    #: bootstrap`` makes it (no default project; its project described
    #: as the bootstrap's) rather than as Mimic's Rackspace cloud always
    #: has (its project its default).  Configuration, as the name is.
    bootstrapped_admin: bool = False

    def __attrs_post_init__(self) -> None:
        self.domains[DEFAULT_DOMAIN_ID] = Domain(
            DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, "The default domain"
        )
        for name, description in self.role_set.roles:
            role = named_role(name, description)
            self.roles[role.id] = role
            if name in self.role_set.immutable:
                self.role_options[role.id] = {IMMUTABLE: True}
        self.default_implications()

    def summary(self) -> dict[str, Any]:
        return {
            "projects": sorted(self.projects),
            "users": sorted(self.accounts),
            "roles": len(self.roles),
            "groups": len(self.groups),
            "application_credentials": len(self.credentials),
        }

    # -- domains ----------------------------------------------------------

    def domain(self, domain_id: str) -> Domain:
        domain = self.domains.get(domain_id)
        if domain is None:
            raise not_found("domain", domain_id)
        return domain

    def domain_named(self, name: str) -> Domain | None:
        for domain in self.domains.values():
            if domain.name == name:
                return domain
        return None

    def add_domain(self, name: str, description: str, enabled: bool, tags: list[str]) -> Domain:
        if self.domain_named(name) is not None:
            raise conflict("domain", "name", name)
        domain = Domain(new_id(), name, description, enabled, tags)
        self.domains[domain.id] = domain
        return domain

    def remove_domain(self, domain: Domain) -> None:
        if domain.id == DEFAULT_DOMAIN_ID:
            raise DirectoryError(403, "The default domain cannot be deleted.")
        if domain.enabled:
            raise DirectoryError(
                403, "Cannot delete a domain that is enabled, please disable it first."
            )
        for project in [p for p in self.projects.values() if p.domain_id == domain.id and p.id != domain.id]:
            self.remove_project(project)
        for user in [u for u in self.managed_users() if u.domain_id == domain.id]:
            self.remove_user(user)
        for group in [g for g in self.groups.values() if g.domain_id == domain.id]:
            self.remove_group(group)
        for role in [r for r in self.roles.values() if r.domain_id == domain.id]:
            self.remove_role(role)
        self.forget_inherited(source=Target("domain", domain.id))
        self.domain_configs.pop(domain.id, None)
        del self.domains[domain.id]
        acting = self.projects.pop(domain.id, None)
        if acting is not None:
            for key in [k for k in self.grants if k[2] == Target("project", acting.id)]:
                del self.grants[key]
            self.forget_inherited(source=Target("project", acting.id))
            self.sessions.revoke_where(tenant_id=acting.id)

    # -- projects ---------------------------------------------------------

    def own_project(self, tenant_id: str) -> Project | None:
        """
        The project a first-use user's tenant is, if it has an owner.
        """
        owner = self.sessions.tenant_owner(tenant_id)
        if owner is None or owner.id in self.accounts:
            return None
        return Project(tenant_id, tenant_id, own=True)

    def find_project(self, project_id: str) -> Project | None:
        return self.projects.get(project_id) or self.own_project(project_id)

    def project(self, project_id: str) -> Project:
        project = self.find_project(project_id)
        if project is None:
            raise not_found("project", project_id)
        return project

    def project_named(self, name: str, domain_id: str = DEFAULT_DOMAIN_ID) -> Project | None:
        for project in self.projects.values():
            if project.name == name and project.domain_id == domain_id:
                return project
        if domain_id == DEFAULT_DOMAIN_ID:
            return self.own_project(name)
        return None

    def all_projects(self) -> Iterator[Project]:
        yield from self.projects.values()
        for user in self.sessions.users():
            if user.id not in self.accounts and user.tenant_id not in self.projects:
                yield Project(user.tenant_id, user.tenant_id, own=True)

    def add_project(
        self,
        name: str,
        domain_id: str,
        description: str = "",
        enabled: bool = True,
        parent_id: str | None = None,
        tags: Iterable[str] = (),
        is_domain: bool = False,
    ) -> Project:
        self.domain(domain_id)
        if parent_id is not None and parent_id != domain_id:
            parent = self.find_project(parent_id)
            if parent is None:
                raise not_found("project", parent_id)
            if parent.domain_id != domain_id:
                raise DirectoryError(
                    400, "Cannot create project, the parent project belongs to another domain."
                )
        if self.project_named(name, domain_id) is not None or self.sessions.tenant_owner(name):
            raise conflict("project", "name", name)
        project = Project(
            new_id(), name, domain_id, description, enabled,
            parent_id if parent_id is not None else domain_id, list(tags), is_domain,
        )
        self.projects[project.id] = project
        return project

    def add_domain_project(self, name: str, description: str, enabled: bool, tags: list[str]) -> Project:
        """
        A project acting as a domain (``is_domain``): a domain, and a
        project of the same id and name.
        """
        domain = self.add_domain(name, description, enabled, tags)
        project = Project(domain.id, name, domain.id, description, enabled, None, list(tags), True)
        self.projects[project.id] = project
        return project

    def keep_project(self, project: Project) -> Project:
        """
        A project to change: a first-use user's tenant is kept here from
        its first change on.
        """
        if project.id not in self.projects:
            project.parent_id = project.domain_id
            self.projects[project.id] = project
        return project

    def children(self, project: Project) -> list[Project]:
        return [p for p in self.projects.values() if p.parent_id == project.id and p.id != project.id]

    def remove_project(self, project: Project) -> None:
        if project.is_domain and project.id in self.domains:
            # A project acting as a domain goes as its domain does.
            self.remove_domain(self.domains[project.id])
            return
        if project.own and self.sessions.tenant_owner(project.id) is not None:
            raise DirectoryError(
                403, "A Mimic user's own project goes with its user: delete the user instead."
            )
        if self.children(project):
            raise DirectoryError(
                403, f"Cannot delete the project {project.id} since it is not a leaf in the "
                "hierarchy. Use the cascade option if you want to delete a subtree."
            )
        self.projects.pop(project.id, None)
        target = Target("project", project.id)
        for key in [k for k in self.grants if k[2] == target]:
            del self.grants[key]
        self.forget_inherited(source=target)
        self.catalog.forget_project(project.id)
        for credential in [c for c in self.credentials.values() if c.project_id == project.id]:
            del self.credentials[credential.id]
        self.sessions.revoke_where(tenant_id=project.id)

    # -- users ------------------------------------------------------------

    def is_managed(self, user: User) -> bool:
        return user.id in self.accounts

    def managed_users(self) -> list[User]:
        return [u for u in (self.sessions.user_by_id(i) for i in self.accounts) if u is not None]

    def user(self, user_id: str) -> User:
        user = self.sessions.user_by_id(user_id)
        if user is None:
            raise not_found("user", user_id)
        return user

    def account(self, user: User) -> Account:
        """
        The user's account; a first-use user's is made when it is first
        changed (or given a password).
        """
        account = self.accounts.get(user.id)
        if account is None:
            account = Account(
                user.id, default_project_id=user.tenant_id, checks_password=False
            )
            self.accounts[user.id] = account
            # Its own tenant stays a project it holds its roles on.
            self._materialise(user)
        return account

    def _materialise(self, user: User) -> None:
        self.projects.setdefault(user.tenant_id, Project(user.tenant_id, user.tenant_id, own=True, parent_id=DEFAULT_DOMAIN_ID))
        self.grants.setdefault(
            ("user", user.id, Target("project", user.tenant_id)),
            self.role_set.first_use_ids,
        )

    def add_user(
        self,
        name: str,
        domain_id: str,
        password: str | None,
        account: Account,
    ) -> User:
        self.domain(domain_id)
        if self.sessions.user_by_name(name) is not None:
            raise conflict("user", "name", name)
        if account.default_project_id is not None:
            self.project(account.default_project_id)
        user = self.sessions.user_for(name, password=password)
        user.password = password
        user.domain_id = domain_id
        account.user_id = user.id
        self.accounts[user.id] = account
        return user

    def remove_user(self, user: User) -> None:
        for key in [k for k in self.grants if k[0] == "user" and k[1] == user.id]:
            del self.grants[key]
        self.forget_inherited("user", user.id)
        self.trusts.forget_user(user.id, self.sessions)
        for group in self.groups.values():
            group.members.discard(user.id)
        for credential in [c for c in self.credentials.values() if c.user_id == user.id]:
            del self.credentials[credential.id]
        for blob in [b for b in self.blobs.values() if b.user_id == user.id]:
            del self.blobs[blob.id]
        self.accounts.pop(user.id, None)
        self.sessions.remove_user(user)

    def ensure_admin(self) -> User:
        """
        The configured administrator, made on first use: a managed user
        with its own project (named as it is) and the admin role there;
        the project is its default unless it is made as the bootstrap
        makes it (:attr:`bootstrapped_admin`).
        """
        admin = self.sessions.user_by_name(self.admin_name)
        if admin is not None:
            return admin
        tenant = self.admin_name if self.sessions.tenant_owner(self.admin_name) is None else None
        admin = self.sessions.user_for(
            self.admin_name, tenant, api_key=self.admin_password, password=self.admin_password
        )
        default_project = None if self.bootstrapped_admin else admin.tenant_id
        self.accounts[admin.id] = Account(admin.id, default_project_id=default_project)
        self.projects[admin.tenant_id] = Project(
            admin.tenant_id, admin.tenant_id,
            description=BOOTSTRAP_PROJECT if self.bootstrapped_admin else "The administrator's project",
            parent_id=DEFAULT_DOMAIN_ID,
        )
        ids = {named_role(name).id for name in self.role_set.administrator}
        self.grants[("user", admin.id, Target("project", admin.tenant_id))] = set(ids)
        self.grants[("user", admin.id, Target("domain", DEFAULT_DOMAIN_ID))] = set(ids)
        self.grants[("user", admin.id, Target("system", "all"))] = set(ids)
        return admin

    def check_password(self, user: User, password: str, api_key: bool = False) -> None:
        """
        A managed user must give its password (the administrator its
        password or API key); anyone else may give any.
        """
        account = self.accounts.get(user.id)
        if account is None or not account.checks_password:
            self.check_enabled(user)
            return
        expected = user.api_key if api_key else user.password
        if expected is None or not secrets.compare_digest(
            password.encode("utf-8"), expected.encode("utf-8")
        ):
            raise AuthenticationFailed("The request you have made requires authentication.")
        if not account.enabled:
            raise AuthenticationFailed(f"The account is disabled for user: {user.id}.")

    def check_enabled(self, user: User) -> None:
        account = self.accounts.get(user.id)
        if account is not None and not account.enabled:
            raise AuthenticationFailed(f"The account is disabled for user: {user.id}.")

    # -- groups -----------------------------------------------------------

    def group(self, group_id: str) -> Group:
        group = self.groups.get(group_id)
        if group is None:
            raise not_found("group", group_id)
        return group

    def add_group(self, name: str, domain_id: str, description: str) -> Group:
        self.domain(domain_id)
        if any(g.name == name and g.domain_id == domain_id for g in self.groups.values()):
            raise conflict("group", "name", name)
        group = Group(new_id(), name, domain_id, description)
        self.groups[group.id] = group
        return group

    def remove_group(self, group: Group) -> None:
        for key in [k for k in self.grants if k[0] == "group" and k[1] == group.id]:
            del self.grants[key]
        self.forget_inherited("group", group.id)
        for member in group.members:
            self.sessions.revoke_where(user_id=member)
        del self.groups[group.id]

    def groups_of(self, user: User) -> list[Group]:
        return [g for g in self.groups.values() if user.id in g.members]


def new_directory(core: IMimicCore) -> Directory:
    """
    A fresh directory for the core: its configured administrator and
    its profile's roles.
    """
    settings = core.settings
    return Directory(
        core.sessions,
        str(settings.get("identity.admin_user", "admin")),
        str(settings.get("identity.admin_password", "password")),
        role_set=role_set(core.profile),
        bootstrapped_admin=not core.profile.rackspace_extensions,
    )


def directory_of(core: IMimicCore) -> Directory:
    """
    The core's directory, made on first use (:func:`new_directory`).
    """
    directory: Directory = core.sessions.annex(lambda: new_directory(core))
    return directory
