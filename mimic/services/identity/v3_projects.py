# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
``/v3/projects``: Keystone's projects (create, list, show, update,
delete, tags) and the roles users and groups hold on them (grant, check,
revoke, list).

Listing every project, creating, changing and deleting them, and
granting roles are an administrator's; anyone may show or list the roles
on a project it holds a role on.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.services.identity.directory import DEFAULT_DOMAIN_ID, Project, Target
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.failures import ROLE_GRANT, NotYetVisible
from mimic.services.identity.policy import forbidden, require_admin, require_reader
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import SHORT_NAME_LENGTH, bool_field, string_field, tags_field
from mimic.services.identity.views import project_json
from mimic.session import Token

#: The attributes a project has; others a request gives are kept as
#: Keystone keeps them (its schema allows extras), under ``options``.
PROJECT_KEYS = ("name", "domain_id", "description", "enabled", "parent_id", "tags", "is_domain", "options")


class ProjectsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    def _readable(self, caller: Token, project: Project) -> None:
        """
        Keystone lets a project's members read it; others need admin.
        """
        if caller.is_admin or caller.tenant_id == project.id or (caller.system and caller.has_role("reader")):
            return
        if self.directory.effective_role_ids(caller.user, Target("project", project.id)):
            return
        raise forbidden("get_project")

    def _json(self, request: IRequest, project: Project) -> dict[str, Any]:
        return project_json(self.url(request), project)

    @app.route("/", methods=["GET", "HEAD"])
    def list_projects(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        require_reader(caller, "list_projects")
        name = query_arg(request, "name")
        projects = [p for p in self.directory.all_projects() if name is None or p.name == name]
        tags = query_arg(request, "tags")
        if tags is not None:
            wanted = set(tags.split(","))
            projects = [p for p in projects if wanted <= set(p.tags)]
        tags_any = query_arg(request, "tags-any")
        if tags_any is not None:
            wanted = set(tags_any.split(","))
            projects = [p for p in projects if wanted & set(p.tags)]
        described = self.filtered(
            request,
            (self._json(request, p) for p in projects),
            ("id", "domain_id", "enabled", "is_domain", "parent_id"),
        )
        return self.collection(request, "projects", described)

    @app.route("/", methods=["POST"])
    def create_project(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "create_project")
        given = self.body(request, "project")
        name = string_field(given, "name", required=True, empty=False, longest=SHORT_NAME_LENGTH)
        domain_id = string_field(given, "domain_id", default=None, nullable=True)
        parent_id = string_field(given, "parent_id", default=None, nullable=True)
        if domain_id is None:
            parent = self.directory.find_project(parent_id) if parent_id else None
            domain_id = parent.domain_id if parent is not None else DEFAULT_DOMAIN_ID
        description = string_field(given, "description", default="", nullable=True) or ""
        enabled = bool_field(given, "enabled", True)
        is_domain = bool_field(given, "is_domain", False)
        tags = tags_field(given, [])
        if is_domain:
            if parent_id is not None:
                raise keystone_error(400, "A project acting as a domain cannot have a parent.")
            project = self.directory.add_domain_project(name, description, enabled, tags)
        else:
            project = self.directory.add_project(
                name, domain_id, description, enabled, parent_id, tags
            )
        for key, value in given.items():
            if key not in PROJECT_KEYS:
                project.options[key] = value
        return json_response(request, {"project": self._json(request, project)}, 201)

    @app.route("/<project_id>", methods=["GET", "HEAD"])
    def show_project(self, request: IRequest, project_id: str) -> bytes:
        caller = self.caller(request)
        project = self.directory.project(project_id)
        self._readable(caller, project)
        return json_response(request, {"project": self._json(request, project)})

    @app.route("/<project_id>", methods=["PATCH"])
    def update_project(self, request: IRequest, project_id: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "update_project")
        project = self.directory.project(project_id)
        given = self.body(request, "project")
        name = string_field(given, "name", empty=False)
        description = string_field(given, "description", nullable=True)
        enabled = bool_field(given, "enabled")
        tags = tags_field(given)
        for fixed in ("domain_id", "parent_id", "is_domain"):
            if fixed in given and given[fixed] != getattr(project, fixed):
                raise keystone_error(400, f"Update of `{fixed}` is not allowed.")
        if name is not None and name != project.name:
            other = self.directory.project_named(name, project.domain_id)
            if other is not None and other.id != project.id:
                raise keystone_error(
                    409, f"Conflict occurred attempting to store project - Duplicate entry found with name {name}."
                )
            if project.own:
                raise keystone_error(403, "A Mimic user's own project keeps its name (its tenant id).")
        project = self.directory.keep_project(project)
        if name is not None:
            project.name = name
        if "description" in given:
            project.description = description or ""
        if tags is not None:
            project.tags = tags
        if enabled is not None:
            if project.enabled and not enabled:
                self.core.sessions.revoke_where(tenant_id=project.id)
            project.enabled = enabled
            if project.is_domain:
                self.directory.domain(project.id).enabled = enabled
        for key, value in given.items():
            if key not in PROJECT_KEYS:
                project.options[key] = value
        return json_response(request, {"project": self._json(request, project)})

    @app.route("/<project_id>", methods=["DELETE"])
    def delete_project(self, request: IRequest, project_id: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "delete_project")
        self.directory.remove_project(self.directory.project(project_id))
        return json_response(request, None, 204)

    # -- tags -------------------------------------------------------------

    @app.route("/<project_id>/tags", methods=["GET", "HEAD"])
    def list_tags(self, request: IRequest, project_id: str) -> bytes:
        caller = self.caller(request)
        project = self.directory.project(project_id)
        self._readable(caller, project)
        return json_response(request, {"tags": list(project.tags)})

    @app.route("/<project_id>/tags", methods=["PUT"])
    def replace_tags(self, request: IRequest, project_id: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "update_project_tags")
        project = self.directory.keep_project(self.directory.project(project_id))
        body = self.body_object(request)
        project.tags = tags_field(body, [])
        return json_response(request, {"tags": list(project.tags)})

    @app.route("/<project_id>/tags", methods=["DELETE"])
    def clear_tags(self, request: IRequest, project_id: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "delete_project_tags")
        project = self.directory.keep_project(self.directory.project(project_id))
        project.tags = []
        return json_response(request, None, 204)

    @app.route("/<project_id>/tags/<tag>", methods=["GET", "HEAD"])
    def check_tag(self, request: IRequest, project_id: str, tag: str) -> bytes:
        caller = self.caller(request)
        project = self.directory.project(project_id)
        self._readable(caller, project)
        if tag not in project.tags:
            raise keystone_error(404, f"Could not find project tag: {tag}.")
        return json_response(request, None, 204)

    @app.route("/<project_id>/tags/<tag>", methods=["PUT"])
    def add_tag(self, request: IRequest, project_id: str, tag: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "create_project_tag")
        project = self.directory.keep_project(self.directory.project(project_id))
        tags_field({"tags": project.tags + [tag]})
        if tag not in project.tags:
            project.tags.append(tag)
        return json_response(request, None, 201)

    @app.route("/<project_id>/tags/<tag>", methods=["DELETE"])
    def remove_tag(self, request: IRequest, project_id: str, tag: str) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "delete_project_tag")
        project = self.directory.keep_project(self.directory.project(project_id))
        if tag not in project.tags:
            raise keystone_error(404, f"Could not find project tag: {tag}.")
        project.tags.remove(tag)
        return json_response(request, None, 204)

    # -- role grants ------------------------------------------------------

    def _actor(self, kind: str, actor_id: str) -> None:
        if kind == "users":
            self.directory.user(actor_id)
        else:
            self.directory.group(actor_id)

    @app.route("/<project_id>/<any(users,groups):kind>/<actor_id>/roles", methods=["GET", "HEAD"])
    def list_grants(self, request: IRequest, project_id: str, kind: str, actor_id: str) -> bytes:
        caller = self.caller(request)
        project = self.directory.project(project_id)
        if not (kind == "users" and caller.user.id == actor_id):
            require_reader(caller, "list_grants")
        self._actor(kind, actor_id)
        held = self.directory.direct_roles(kind[:-1], actor_id, Target("project", project.id))
        url = self.url(request)
        roles = [self.role_view(url, self.directory.roles[r]) for r in sorted(held) if r in self.directory.roles]
        return self.collection(request, "roles", roles)

    @app.route("/<project_id>/<any(users,groups):kind>/<actor_id>/roles/<role_id>", methods=["GET", "HEAD"])
    def check_grant(
        self, request: IRequest, project_id: str, kind: str, actor_id: str, role_id: str
    ) -> bytes:
        caller = self.caller(request)
        if not (kind == "users" and caller.user.id == actor_id):
            require_reader(caller, "check_grant")
        project = self.directory.project(project_id)
        self._actor(kind, actor_id)
        role = self.directory.role(role_id)
        target = Target("project", project.id)
        if role.id not in self.directory.direct_roles(kind[:-1], actor_id, target):
            raise self.directory.no_assignment(role, actor_id, target)
        return json_response(request, None, 204)

    @app.route("/<project_id>/<any(users,groups):kind>/<actor_id>/roles/<role_id>", methods=["PUT"])
    def grant(
        self, request: IRequest, project_id: str, kind: str, actor_id: str, role_id: str
    ) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "create_grant")
        project = self.directory.project(project_id)
        self._actor(kind, actor_id)
        role = self.directory.role(role_id)
        if role.domain_id is not None and role.domain_id != project.domain_id:
            raise keystone_error(
                403, f"Role {role.id} belongs to domain {role.domain_id}, not the project's."
            )
        visible_at = None
        if kind == "users":
            outcome = self.core.failures.decide(
                ROLE_GRANT, {"user_id": actor_id, "project_id": project.id, "role_name": role.name}
            )
            if isinstance(outcome, NotYetVisible):
                visible_at = self.core.clock.seconds() + outcome.seconds
        self.directory.grant(kind[:-1], actor_id, Target("project", project.id), role, visible_at)
        return json_response(request, None, 204)

    @app.route("/<project_id>/<any(users,groups):kind>/<actor_id>/roles/<role_id>", methods=["DELETE"])
    def revoke(
        self, request: IRequest, project_id: str, kind: str, actor_id: str, role_id: str
    ) -> bytes:
        caller = self.caller(request)
        require_admin(caller, "revoke_grant")
        project = self.directory.project(project_id)
        self._actor(kind, actor_id)
        role = self.directory.role(role_id)
        self.directory.revoke(kind[:-1], actor_id, Target("project", project.id), role)
        return json_response(request, None, 204)
