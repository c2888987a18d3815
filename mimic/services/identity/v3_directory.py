# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
``/v3/roles``, ``/v3/role_assignments``, ``/v3/domains`` and
``/v3/groups``: Keystone's roles (global and domain-specific), the list
of who holds which role where, domains (and roles on them) and groups
with their members.

Reading roles and domains is anyone's; changing anything, and listing
role assignments other than one's own, is an administrator's.
"""

from __future__ import annotations

from typing import Any, Callable

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.services.identity.directory import DEFAULT_DOMAIN_ID, Assignment, Target
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin, require_reader
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import SHORT_NAME_LENGTH, bool_field, flag, string_field, tags_field
from mimic.services.identity.views import domain_json, group_json, role_assignment_json, role_json, v3_user_json


#: Where system-scoped roles are held.
SYSTEM = Target("system", "all")


class RolesAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_roles(self, request: IRequest) -> bytes:
        self.caller(request)
        url = self.url(request)
        domain_id = query_arg(request, "domain_id")
        roles = [
            role_json(url, r) for r in self.directory.roles.values() if r.domain_id == domain_id
        ]
        return self.collection(request, "roles", self.filtered(request, roles, ("name",)))

    @app.route("/", methods=["POST"])
    def create_role(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_role")
        given = self.body(request, "role")
        name = string_field(given, "name", required=True, empty=False)
        description = string_field(given, "description", nullable=True) or ""
        domain_id = string_field(given, "domain_id", nullable=True)
        role = self.directory.add_role(name, description, domain_id)
        return json_response(request, {"role": role_json(self.url(request), role)}, 201)

    @app.route("/<role_id>", methods=["GET", "HEAD"])
    def show_role(self, request: IRequest, role_id: str) -> bytes:
        self.caller(request)
        role = self.directory.role(role_id)
        return json_response(request, {"role": role_json(self.url(request), role)})

    @app.route("/<role_id>", methods=["PATCH"])
    def update_role(self, request: IRequest, role_id: str) -> bytes:
        require_admin(self.caller(request), "update_role")
        role = self.directory.role(role_id)
        given = self.body(request, "role")
        name = string_field(given, "name", empty=False)
        description = string_field(given, "description", nullable=True)
        role = self.directory.update_role(role, name, description)
        return json_response(request, {"role": role_json(self.url(request), role)})

    @app.route("/<role_id>", methods=["DELETE"])
    def delete_role(self, request: IRequest, role_id: str) -> bytes:
        require_admin(self.caller(request), "delete_role")
        self.directory.remove_role(self.directory.role(role_id))
        return json_response(request, None, 204)


class RoleAssignmentsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_assignments(self, request: IRequest) -> bytes:
        """
        Filters: ``user.id``, ``group.id``, ``role.id``,
        ``scope.project.id``, ``scope.domain.id``, ``scope.system``;
        ``effective`` expands groups to their members and adds implied
        roles; ``include_names`` names everything mentioned.
        """
        caller = self.caller(request)
        user_id = query_arg(request, "user.id")
        if user_id != caller.user.id:
            require_reader(caller, "list_role_assignments")
        group_id = query_arg(request, "group.id")
        role_id = query_arg(request, "role.id")
        project_id = query_arg(request, "scope.project.id")
        domain_id = query_arg(request, "scope.domain.id")
        system = query_arg(request, "scope.system")
        effective = bool(flag(request, "effective"))
        if effective and group_id is not None:
            raise keystone_error(400, "Combining effective and group filter will always result in an empty list.")
        directory = self.directory
        source = directory.effective_assignments() if effective else directory.assignments()

        def wanted(a: Assignment) -> bool:
            if user_id is not None and (a.actor_kind != "user" or a.actor_id != user_id):
                return False
            if group_id is not None and (a.actor_kind != "group" or a.actor_id != group_id):
                return False
            if role_id is not None and a.role.id != role_id:
                return False
            if project_id is not None and a.target != Target("project", project_id):
                return False
            if domain_id is not None and a.target != Target("domain", domain_id):
                return False
            if system is not None and a.target.kind != "system":
                return False
            return True

        names = self._names if flag(request, "include_names") else None
        url = self.url(request)
        seen = set()
        described = []
        for assignment in source:
            if assignment in seen or not wanted(assignment):
                continue
            seen.add(assignment)
            described.append(role_assignment_json(url, assignment, names))
        return self.collection(request, "role_assignments", described)

    @property
    def _names(self) -> Callable[[Assignment], dict[str, Any]]:
        directory = self.directory

        def domain_ref(domain_id: str) -> dict[str, str]:
            domain = directory.domains.get(domain_id)
            return {"id": domain_id, "name": domain.name if domain else domain_id}

        def names(assignment: Assignment) -> dict[str, Any]:
            found: dict[str, Any] = {"role": {"name": assignment.role.name}}
            if assignment.role.domain_id is not None:
                found["role"]["domain"] = domain_ref(assignment.role.domain_id)
            if assignment.actor_kind == "user":
                user = directory.sessions.user_by_id(assignment.actor_id)
                if user is not None:
                    found["actor"] = {"name": user.username, "domain": domain_ref(user.domain_id)}
            else:
                group = directory.groups.get(assignment.actor_id)
                if group is not None:
                    found["actor"] = {"name": group.name, "domain": domain_ref(group.domain_id)}
            target = assignment.target
            if target.kind == "project":
                project = directory.find_project(target.id)
                if project is not None:
                    found["scope"] = {"name": project.name, "domain": domain_ref(project.domain_id)}
            elif target.kind == "domain":
                domain = directory.domains.get(target.id)
                if domain is not None:
                    found["scope"] = {"name": domain.name}
            return found

        return names


class DomainsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_domains(self, request: IRequest) -> bytes:
        self.caller(request)
        url = self.url(request)
        domains = self.filtered(
            request,
            (domain_json(url, d) for d in self.directory.domains.values()),
            ("id", "name", "enabled"),
        )
        return self.collection(request, "domains", domains)

    @app.route("/", methods=["POST"])
    def create_domain(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_domain")
        given = self.body(request, "domain")
        name = string_field(given, "name", required=True, empty=False, longest=SHORT_NAME_LENGTH)
        description = string_field(given, "description", nullable=True) or ""
        enabled = bool_field(given, "enabled", True)
        tags = tags_field(given, [])
        domain = self.directory.add_domain(name, description, enabled, tags)
        return json_response(request, {"domain": domain_json(self.url(request), domain)}, 201)

    @app.route("/<domain_id>", methods=["GET", "HEAD"])
    def show_domain(self, request: IRequest, domain_id: str) -> bytes:
        self.caller(request)
        domain = self.directory.domain(domain_id)
        return json_response(request, {"domain": domain_json(self.url(request), domain)})

    @app.route("/<domain_id>", methods=["PATCH"])
    def update_domain(self, request: IRequest, domain_id: str) -> bytes:
        require_admin(self.caller(request), "update_domain")
        domain = self.directory.domain(domain_id)
        given = self.body(request, "domain")
        name = string_field(given, "name", empty=False)
        description = string_field(given, "description", nullable=True)
        enabled = bool_field(given, "enabled")
        tags = tags_field(given)
        if domain.id == DEFAULT_DOMAIN_ID and enabled is False:
            raise keystone_error(403, "The default domain cannot be disabled.")
        if name is not None and name != domain.name:
            if self.directory.domain_named(name) is not None:
                raise keystone_error(
                    409, f"Conflict occurred attempting to store domain - Duplicate entry found with name {name}."
                )
            domain.name = name
        if "description" in given:
            domain.description = description or ""
        if enabled is not None:
            domain.enabled = enabled
        if tags is not None:
            domain.tags = tags
        return json_response(request, {"domain": domain_json(self.url(request), domain)})

    @app.route("/<domain_id>", methods=["DELETE"])
    def delete_domain(self, request: IRequest, domain_id: str) -> bytes:
        require_admin(self.caller(request), "delete_domain")
        self.directory.remove_domain(self.directory.domain(domain_id))
        return json_response(request, None, 204)

    def _actor(self, kind: str, actor_id: str) -> None:
        if kind == "users":
            self.directory.user(actor_id)
        else:
            self.directory.group(actor_id)

    @app.route("/<domain_id>/<any(users,groups):kind>/<user_id>/roles", methods=["GET", "HEAD"])
    def list_grants(self, request: IRequest, domain_id: str, kind: str, user_id: str) -> bytes:
        require_admin(self.caller(request), "list_grants")
        self.directory.domain(domain_id)
        self._actor(kind, user_id)
        held = self.directory.direct_roles(kind[:-1], user_id, Target("domain", domain_id))
        url = self.url(request)
        roles = [role_json(url, self.directory.roles[r]) for r in sorted(held) if r in self.directory.roles]
        return self.collection(request, "roles", roles)

    @app.route("/<domain_id>/<any(users,groups):kind>/<user_id>/roles/<role_id>", methods=["GET", "HEAD"])
    def check_grant(
        self, request: IRequest, domain_id: str, kind: str, user_id: str, role_id: str
    ) -> bytes:
        require_admin(self.caller(request), "check_grant")
        self.directory.domain(domain_id)
        self._actor(kind, user_id)
        role = self.directory.role(role_id)
        target = Target("domain", domain_id)
        if role.id not in self.directory.direct_roles(kind[:-1], user_id, target):
            raise self.directory.no_assignment(role, user_id, target)
        return json_response(request, None, 204)

    @app.route("/<domain_id>/<any(users,groups):kind>/<user_id>/roles/<role_id>", methods=["PUT"])
    def grant(self, request: IRequest, domain_id: str, kind: str, user_id: str, role_id: str) -> bytes:
        require_admin(self.caller(request), "create_grant")
        self.directory.domain(domain_id)
        self._actor(kind, user_id)
        role = self.directory.role(role_id)
        self.directory.grant(kind[:-1], user_id, Target("domain", domain_id), role)
        return json_response(request, None, 204)

    @app.route("/<domain_id>/<any(users,groups):kind>/<user_id>/roles/<role_id>", methods=["DELETE"])
    def revoke(self, request: IRequest, domain_id: str, kind: str, user_id: str, role_id: str) -> bytes:
        require_admin(self.caller(request), "revoke_grant")
        self.directory.domain(domain_id)
        self._actor(kind, user_id)
        role = self.directory.role(role_id)
        self.directory.revoke(kind[:-1], user_id, Target("domain", domain_id), role)
        return json_response(request, None, 204)


class GroupsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_groups(self, request: IRequest) -> bytes:
        require_reader(self.caller(request), "list_groups")
        url = self.url(request)
        groups = self.filtered(
            request, (group_json(url, g) for g in self.directory.groups.values()), ("name", "domain_id")
        )
        return self.collection(request, "groups", groups)

    @app.route("/", methods=["POST"])
    def create_group(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_group")
        given = self.body(request, "group")
        name = string_field(given, "name", required=True, empty=False, longest=SHORT_NAME_LENGTH)
        domain_id = string_field(given, "domain_id", default=DEFAULT_DOMAIN_ID) or DEFAULT_DOMAIN_ID
        description = string_field(given, "description", nullable=True) or ""
        group = self.directory.add_group(name, domain_id, description)
        return json_response(request, {"group": group_json(self.url(request), group)}, 201)

    @app.route("/<group_id>", methods=["GET", "HEAD"])
    def show_group(self, request: IRequest, group_id: str) -> bytes:
        require_reader(self.caller(request), "get_group")
        group = self.directory.group(group_id)
        return json_response(request, {"group": group_json(self.url(request), group)})

    @app.route("/<group_id>", methods=["PATCH"])
    def update_group(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "update_group")
        group = self.directory.group(group_id)
        given = self.body(request, "group")
        name = string_field(given, "name", empty=False)
        description = string_field(given, "description", nullable=True)
        if name is not None:
            group.name = name
        if "description" in given:
            group.description = description or ""
        return json_response(request, {"group": group_json(self.url(request), group)})

    @app.route("/<group_id>", methods=["DELETE"])
    def delete_group(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "delete_group")
        self.directory.remove_group(self.directory.group(group_id))
        return json_response(request, None, 204)

    @app.route("/<group_id>/users", methods=["GET", "HEAD"])
    def list_members(self, request: IRequest, group_id: str) -> bytes:
        require_reader(self.caller(request), "list_users_in_group")
        group = self.directory.group(group_id)
        url = self.url(request)
        users = [
            v3_user_json(url, u, self.directory.accounts.get(u.id))
            for u in (self.directory.sessions.user_by_id(i) for i in sorted(group.members))
            if u is not None
        ]
        return self.collection(request, "users", users)

    @app.route("/<group_id>/users/<user_id>", methods=["GET", "HEAD"])
    def check_member(self, request: IRequest, group_id: str, user_id: str) -> bytes:
        require_admin(self.caller(request), "check_user_in_group")
        group = self.directory.group(group_id)
        self.directory.user(user_id)
        if user_id not in group.members:
            raise keystone_error(404, f"User {user_id} is not a member of group {group_id}.")
        return json_response(request, None, 204)

    @app.route("/<group_id>/users/<user_id>", methods=["PUT"])
    def add_member(self, request: IRequest, group_id: str, user_id: str) -> bytes:
        require_admin(self.caller(request), "add_user_to_group")
        group = self.directory.group(group_id)
        self.directory.user(user_id)
        group.members.add(user_id)
        return json_response(request, None, 204)

    @app.route("/<group_id>/users/<user_id>", methods=["DELETE"])
    def remove_member(self, request: IRequest, group_id: str, user_id: str) -> bytes:
        require_admin(self.caller(request), "remove_user_from_group")
        group = self.directory.group(group_id)
        self.directory.user(user_id)
        if user_id not in group.members:
            raise keystone_error(404, f"User {user_id} is not a member of group {group_id}.")
        group.members.discard(user_id)
        self.directory.sessions.revoke_where(user_id=user_id)
        return json_response(request, None, 204)


class SystemAPI(V3Base):
    """
    ``/v3/system/{users,groups}/{id}/roles[/{role}]``: roles held on the
    whole system (Keystone's system scope), an administrator's to grant.
    """

    app = Klein()
    keystone_errors(app)

    def _actor(self, kind: str, actor_id: str) -> None:
        if kind == "users":
            self.directory.user(actor_id)
        else:
            self.directory.group(actor_id)

    @app.route("/<any(users,groups):kind>/<actor_id>/roles", methods=["GET", "HEAD"])
    def list_grants(self, request: IRequest, kind: str, actor_id: str) -> bytes:
        caller = self.caller(request)
        if not (kind == "users" and caller.user.id == actor_id):
            require_reader(caller, "list_system_grants")
        self._actor(kind, actor_id)
        held = self.directory.direct_roles(kind[:-1], actor_id, SYSTEM)
        url = self.url(request)
        roles = [role_json(url, self.directory.roles[r]) for r in sorted(held) if r in self.directory.roles]
        return self.collection(request, "roles", roles)

    @app.route("/<any(users,groups):kind>/<actor_id>/roles/<role_id>", methods=["GET", "HEAD"])
    def check_grant(self, request: IRequest, kind: str, actor_id: str, role_id: str) -> bytes:
        caller = self.caller(request)
        if not (kind == "users" and caller.user.id == actor_id):
            require_reader(caller, "check_system_grant")
        self._actor(kind, actor_id)
        role = self.directory.role(role_id)
        if role.id not in self.directory.direct_roles(kind[:-1], actor_id, SYSTEM):
            raise self.directory.no_assignment(role, actor_id, SYSTEM)
        return json_response(request, None, 204)

    @app.route("/<any(users,groups):kind>/<actor_id>/roles/<role_id>", methods=["PUT"])
    def grant(self, request: IRequest, kind: str, actor_id: str, role_id: str) -> bytes:
        require_admin(self.caller(request), "create_system_grant")
        self._actor(kind, actor_id)
        role = self.directory.role(role_id)
        self.directory.grant(kind[:-1], actor_id, SYSTEM, role)
        return json_response(request, None, 204)

    @app.route("/<any(users,groups):kind>/<actor_id>/roles/<role_id>", methods=["DELETE"])
    def revoke(self, request: IRequest, kind: str, actor_id: str, role_id: str) -> bytes:
        require_admin(self.caller(request), "revoke_system_grant")
        self._actor(kind, actor_id)
        role = self.directory.role(role_id)
        self.directory.revoke(kind[:-1], actor_id, SYSTEM, role)
        return json_response(request, None, 204)
