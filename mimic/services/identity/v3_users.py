# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
``/v3/users``: Keystone's users (create with or without a password,
list, show, update, delete, change one's own password), the projects and
groups of a user, and a user's application credentials.

A user made here is *managed* (:mod:`~mimic.services.identity.directory`):
it must give its password, and holds only the roles it is granted.
Listing, creating, changing and deleting users are an administrator's;
a user may read itself, change its own password and manage its own
application credentials.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.http import Mounted, json_response, query_arg
from mimic.services.identity.directory import DEFAULT_DOMAIN_ID, Account
from mimic.services.identity.errors import keystone_error, keystone_error_body
from mimic.services.identity.policy import require_admin, require_reader, require_self_or_admin
from mimic.services.identity.v3_credentials import EC2CredentialsAPI
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import bool_field, string_field
from mimic.services.identity.views import (
    application_credential_json,
    group_json,
    project_json,
    v3_user_json,
)
from mimic.session import AuthenticationFailed, Role, User
from mimic.timestamps import parse_iso

USER_KEYS = ("name", "domain_id", "password", "enabled", "default_project_id", "email",
             "description", "options", "federated")


class UsersAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    def _json(self, request: IRequest, user: User) -> dict[str, Any]:
        return v3_user_json(
            self.url(request), user, self.directory.accounts.get(user.id), self.core.profile.rackspace_extensions
        )

    @app.route("/", methods=["GET", "HEAD"])
    def list_users(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        require_reader(caller, "list_users")
        name = query_arg(request, "name")
        sessions = self.core.sessions
        if name is not None:
            users = [u for u in [sessions.user_by_name(name)] if u is not None]
        else:
            users = list(sessions.users())
        described = self.filtered(
            request, (self._json(request, u) for u in users), ("id", "domain_id", "enabled")
        )
        return self.collection(request, "users", described)

    @app.route("/", methods=["POST"])
    def create_user(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "create_user")
        given = self.body(request, "user")
        name = string_field(given, "name", required=True, empty=False)
        domain_id = string_field(given, "domain_id", default=DEFAULT_DOMAIN_ID) or DEFAULT_DOMAIN_ID
        password = string_field(given, "password", nullable=True)
        account = Account(
            "",
            email=string_field(given, "email", nullable=True),
            description=string_field(given, "description", nullable=True),
            enabled=bool_field(given, "enabled", True),
            default_project_id=string_field(given, "default_project_id", nullable=True),
            extra={k: v for k, v in given.items() if k not in USER_KEYS},
        )
        options = given.get("options", {})
        if not isinstance(options, dict):
            raise keystone_error(400, f"Invalid input for field 'options': {options!r} is not of type 'object'")
        account.options = dict(options)
        user = self.directory.add_user(name, domain_id, password, account)
        return json_response(request, {"user": self._json(request, user)}, 201)

    @app.route("/<user_id>", methods=["GET", "HEAD"])
    def show_user(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        require_self_or_admin(caller, user_id, "get_user")
        return json_response(request, {"user": self._json(request, self.directory.user(user_id))})

    @app.route("/<user_id>", methods=["PATCH"])
    def update_user(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "update_user")
        user = self.directory.user(user_id)
        given = self.body(request, "user")
        name = string_field(given, "name", empty=False)
        password = string_field(given, "password", nullable=True)
        email = string_field(given, "email", nullable=True)
        description = string_field(given, "description", nullable=True)
        enabled = bool_field(given, "enabled")
        default_project_id = string_field(given, "default_project_id", nullable=True)
        if "domain_id" in given and given["domain_id"] != user.domain_id:
            raise keystone_error(400, "Update of `domain_id` is not allowed.")
        if default_project_id is not None:
            self.directory.project(default_project_id)
        if name is not None and name != user.username:
            if self.core.sessions.user_by_name(name) is not None:
                raise keystone_error(
                    409, f"Conflict occurred attempting to store user - Duplicate entry found with name {name}."
                )
            self.core.sessions.rename_user(user, name)
        account = self.directory.account(user)
        if "password" in given:
            user.password = password
            account.checks_password = True
            self.core.sessions.revoke_where(user_id=user.id)
        if "email" in given:
            account.email = email
        if "description" in given:
            account.description = description
        if "default_project_id" in given:
            account.default_project_id = default_project_id
        if enabled is not None:
            if account.enabled and not enabled:
                self.core.sessions.revoke_where(user_id=user.id)
            account.enabled = enabled
        if isinstance(given.get("options"), dict):
            account.options.update(given["options"])
        account.extra.update({k: v for k, v in given.items() if k not in USER_KEYS})
        return json_response(request, {"user": self._json(request, user)})

    @app.route("/<user_id>", methods=["DELETE"])
    def delete_user(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "delete_user")
        user = self.directory.user(user_id)
        if user.username == self.directory.admin_name:
            raise keystone_error(403, "Mimic's configured administrator cannot be deleted.")
        self.directory.remove_user(user)
        return json_response(request, None, 204)

    @app.route("/<user_id>/password", methods=["POST"])
    def change_password(self, request: IRequest, user_id: str) -> bytes:
        """
        A user changes its own password, giving the old one (no token
        needed, as in Keystone).
        """
        given = self.body(request, "user")
        original = string_field(given, "original_password", required=True)
        password = string_field(given, "password", required=True, empty=False)
        user = self.directory.user(user_id)
        try:
            self.directory.check_password(user, original)
        except AuthenticationFailed:
            raise keystone_error(401, "The request you have made requires authentication.")
        if user.username == self.directory.admin_name:
            raise keystone_error(403, "Set the administrator's password with --set identity.admin_password.")
        user.password = password
        self.directory.account(user).checks_password = True
        self.core.sessions.revoke_where(user_id=user.id)
        return json_response(request, None, 204)

    @app.route("/<user_id>/projects", methods=["GET", "HEAD"])
    def user_projects(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        require_self_or_admin(caller, user_id, "list_user_projects")
        user = self.directory.user(user_id)
        url = self.url(request)
        projects = self.filtered(
            request,
            (project_json(url, p) for p in self.directory.projects_of(user)),
            ("name", "enabled", "domain_id"),
        )
        return self.collection(request, "projects", projects)

    @app.route("/<user_id>/groups", methods=["GET", "HEAD"])
    def user_groups(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        require_self_or_admin(caller, user_id, "list_groups_for_user")
        user = self.directory.user(user_id)
        url = self.url(request)
        groups = [group_json(url, g) for g in self.directory.groups_of(user)]
        return self.collection(request, "groups", groups)

    @app.route("/<user_id>/credentials/OS-EC2", branch=True)
    def ec2_credentials(self, request: IRequest, user_id: str) -> IResource:
        return Mounted(EC2CredentialsAPI(self.core, user_id).app.resource(), keystone_error_body)

    # -- application credentials ------------------------------------------

    @app.route("/<user_id>/application_credentials", methods=["GET", "HEAD"])
    def list_credentials(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        require_self_or_admin(caller, user_id, "list_application_credentials")
        user = self.directory.user(user_id)
        name = query_arg(request, "name")
        url = self.url(request)
        described = [
            application_credential_json(url, c)
            for c in self.directory.credentials.values()
            if c.user_id == user.id and (name is None or c.name == name)
        ]
        return self.collection(request, "application_credentials", described)

    @app.route("/<user_id>/application_credentials", methods=["POST"])
    def create_credential(self, request: IRequest, user_id: str) -> bytes:
        caller = self.caller(request)
        if caller.user.id != user_id:
            raise keystone_error(
                403, "You are not authorized to perform the requested action: "
                "identity:create_application_credential."
            )
        user = self.directory.user(user_id)
        given = self.body(request, "application_credential")
        name = string_field(given, "name", required=True, empty=False)
        secret = string_field(given, "secret", nullable=True)
        description = string_field(given, "description", nullable=True)
        expires = string_field(given, "expires_at", nullable=True)
        expires_at = None
        if expires is not None:
            expires_at = parse_iso(expires)
            if expires_at is None:
                raise keystone_error(400, f"Invalid input for field 'expires_at': {expires!r} is not a date")
            if expires_at <= self.core.clock.seconds():
                raise keystone_error(400, "The expiration date of an application credential must be in the future.")
        unrestricted = bool_field(given, "unrestricted", False)
        roles = self._roles(given.get("roles"))
        credential = self.directory.add_credential(
            user, caller, name, secret, description, expires_at, roles, unrestricted
        )
        body = application_credential_json(self.url(request), credential, with_secret=True)
        return json_response(request, {"application_credential": body}, 201)

    def _roles(self, given: Any) -> list[Role] | None:
        if given is None:
            return None
        if not isinstance(given, list):
            raise keystone_error(400, f"Invalid input for field 'roles': {given!r} is not of type 'array'")
        roles = []
        for ref in given:
            if not isinstance(ref, dict) or not isinstance(ref.get("id", ref.get("name")), str):
                raise keystone_error(400, f"Invalid input for field 'roles': {ref!r} names no role")
            role = (
                self.directory.roles.get(ref["id"]) if "id" in ref
                else self.directory.role_named(ref["name"])
            )
            if role is None:
                raise keystone_error(404, f"Could not find role: {ref.get('id', ref.get('name'))}.")
            roles.append(role)
        return roles

    @app.route("/<user_id>/application_credentials/<credential_id>", methods=["GET", "HEAD"])
    def show_credential(self, request: IRequest, user_id: str, credential_id: str) -> bytes:
        caller = self.caller(request)
        require_self_or_admin(caller, user_id, "get_application_credential")
        credential = self.directory.credential(self.directory.user(user_id), credential_id)
        body = application_credential_json(self.url(request), credential)
        return json_response(request, {"application_credential": body})

    @app.route("/<user_id>/application_credentials/<credential_id>", methods=["DELETE"])
    def delete_credential(self, request: IRequest, user_id: str, credential_id: str) -> bytes:
        caller = self.caller(request)
        require_self_or_admin(caller, user_id, "delete_application_credential")
        credential = self.directory.credential(self.directory.user(user_id), credential_id)
        self.directory.remove_credential(credential)
        return json_response(request, None, 204)
