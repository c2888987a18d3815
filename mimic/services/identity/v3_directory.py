# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
``/v3/domains``, ``/v3/groups`` and ``/v3/system``: Keystone's domains
(and the roles held on them), groups with their members, and the roles
held on the whole system.

Reading domains is anyone's; reading groups a reader's; changing
anything an administrator's.
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.http import Mounted, json_response
from mimic.services.identity.directory import DEFAULT_DOMAIN_ID, Target
from mimic.services.identity.errors import keystone_error, keystone_error_body
from mimic.services.identity.policy import require_admin, require_reader
from mimic.services.identity.v3_domain_config import DefaultConfigAPI, DomainConfigAPI
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import SHORT_NAME_LENGTH, bool_field, string_field, tags_field
from mimic.services.identity.views import domain_json, group_json, v3_user_json


#: Where system-scoped roles are held.
SYSTEM = Target("system", "all")


class DomainsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/config", branch=True)
    def default_config(self, request: IRequest) -> IResource:
        return Mounted(DefaultConfigAPI(self.core).app.resource(), keystone_error_body)

    @app.route("/<domain_id>/config", branch=True)
    def domain_config(self, request: IRequest, domain_id: str) -> IResource:
        return Mounted(DomainConfigAPI(self.core, domain_id).app.resource(), keystone_error_body)

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
        roles = [self.role_view(url, self.directory.roles[r]) for r in sorted(held) if r in self.directory.roles]
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
            v3_user_json(url, u, self.directory.accounts.get(u.id), self.core.profile.rackspace_extensions)
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
        roles = [self.role_view(url, self.directory.roles[r]) for r in sorted(held) if r in self.directory.roles]
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
