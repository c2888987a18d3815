# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
``/v3/roles``, ``/v3/role_inferences`` and ``/v3/role_assignments``:
Keystone's roles (global and domain-specific), the roles each implies,
and the list of who holds which role where.

Reading roles is anyone's (implications a reader's); changing them is
an administrator's, and so is listing role assignments other than one's
own.  An immutable role (the bootstrap's, under ``openstack``) refuses
changes and deletion (:mod:`~mimic.services.identity.role_options`).
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Callable

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.services.identity.directory import Assignment, Target
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin, require_reader
from mimic.services.identity.role_options import requested_options
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import flag, string_field
from mimic.services.identity.views import link, role_assignment_json
from mimic.session import Role


def inference_json(v3_url: str, prior: Role, implied: Role | list[Role]) -> dict[str, Any]:
    """
    Keystone's ``role_inference``: a prior role and the role (or
    roles) it implies, each as an id, a name and a link.
    """

    def ref(role: Role) -> dict[str, Any]:
        return {"id": role.id, "name": role.name, "links": {"self": link(v3_url, "roles", role.id)}}

    implies: Any = [ref(r) for r in implied] if isinstance(implied, list) else ref(implied)
    return {"prior_role": ref(prior), "implies": implies}


class RolesAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_roles(self, request: IRequest) -> bytes:
        self.caller(request)
        url = self.url(request)
        domain_id = query_arg(request, "domain_id")
        roles = [
            self.role_view(url, r) for r in self.directory.roles.values() if r.domain_id == domain_id
        ]
        return self.collection(request, "roles", self.filtered(request, roles, ("name",)))

    @app.route("/", methods=["POST"])
    def create_role(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_role")
        given = self.body(request, "role")
        name = string_field(given, "name", required=True, empty=False)
        description = string_field(given, "description", nullable=True) or ""
        domain_id = string_field(given, "domain_id", nullable=True)
        role = self.directory.add_role(name, description, domain_id, requested_options(given))
        return json_response(request, {"role": self.role_view(self.url(request), role)}, 201)

    @app.route("/<role_id>", methods=["GET", "HEAD"])
    def show_role(self, request: IRequest, role_id: str) -> bytes:
        self.caller(request)
        role = self.directory.role(role_id)
        return json_response(request, {"role": self.role_view(self.url(request), role)})

    @app.route("/<role_id>", methods=["PATCH"])
    def update_role(self, request: IRequest, role_id: str) -> bytes:
        require_admin(self.caller(request), "update_role")
        role = self.directory.role(role_id)
        given = self.body(request, "role")
        name = string_field(given, "name", empty=False)
        description = string_field(given, "description", nullable=True)
        options = requested_options(given)
        role = self.directory.update_role(role, name, description, given, options)
        return json_response(request, {"role": self.role_view(self.url(request), role)})

    @app.route("/<role_id>", methods=["DELETE"])
    def delete_role(self, request: IRequest, role_id: str) -> bytes:
        require_admin(self.caller(request), "delete_role")
        self.directory.remove_role(self.directory.role(role_id))
        return json_response(request, None, 204)


    # -- implied roles ----------------------------------------------------

    def _inference(self, request: IRequest, prior: Role, implied: Any) -> dict[str, Any]:
        return inference_json(self.url(request), prior, implied)

    @app.route("/<prior_id>/implies", methods=["GET", "HEAD"])
    def list_implied(self, request: IRequest, prior_id: str) -> bytes:
        require_reader(self.caller(request), "list_implied_roles")
        prior = self.directory.role(prior_id)
        implied = [self.directory.roles[i] for i in sorted(self.directory.implications.get(prior.id, ()))]
        body = {"role_inference": self._inference(request, prior, implied)}
        return json_response(request, body)

    @app.route("/<prior_id>/implies/<implied_id>", methods=["PUT"])
    def imply(self, request: IRequest, prior_id: str, implied_id: str) -> bytes:
        require_admin(self.caller(request), "create_implied_role")
        prior, implied = self.directory.role(prior_id), self.directory.role(implied_id)
        self.directory.imply(prior, implied)
        return json_response(request, {"role_inference": self._inference(request, prior, implied)}, 201)

    @app.route("/<prior_id>/implies/<implied_id>", methods=["GET", "HEAD"])
    def show_implied(self, request: IRequest, prior_id: str, implied_id: str) -> bytes:
        """
        The implication (``GET``), or whether it holds (``HEAD``, 204).
        """
        require_reader(self.caller(request), "get_implied_role")
        prior, implied = self.directory.role(prior_id), self.directory.role(implied_id)
        if not self.directory.implies(prior, implied):
            raise keystone_error(404, f"Could not find implied role: {prior.id} implies {implied.id}.")
        if request.method == b"HEAD":
            return json_response(request, None, 204)
        return json_response(request, {"role_inference": self._inference(request, prior, implied)})

    @app.route("/<prior_id>/implies/<implied_id>", methods=["DELETE"])
    def unimply(self, request: IRequest, prior_id: str, implied_id: str) -> bytes:
        require_admin(self.caller(request), "delete_implied_role")
        prior, implied = self.directory.role(prior_id), self.directory.role(implied_id)
        self.directory.unimply(prior, implied)
        return json_response(request, None, 204)


class RoleInferencesAPI(V3Base):
    """
    ``/v3/role_inferences``: every implication between roles.
    """

    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_inferences(self, request: IRequest) -> bytes:
        require_reader(self.caller(request), "list_role_inference_rules")
        url = self.url(request)
        roles = self.directory.roles
        inferences = [
            inference_json(url, roles[prior], [roles[i] for i in sorted(implied) if i in roles])
            for prior, implied in sorted(self.directory.implications.items())
            if prior in roles and implied
        ]
        return json_response(request, {"role_inferences": inferences})


class RoleAssignmentsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_assignments(self, request: IRequest) -> bytes:
        """
        Filters: ``user.id``, ``group.id``, ``role.id``,
        ``scope.project.id``, ``scope.domain.id``, ``scope.system``,
        ``scope.OS-INHERIT:inherited_to`` (inherited grants only);
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
        inherited_to = query_arg(request, "scope.OS-INHERIT:inherited_to")
        if inherited_to is not None and inherited_to != "projects":
            raise keystone_error(400, f"Invalid value for scope.OS-INHERIT:inherited_to: {inherited_to}.")
        source = (
            directory.effective_assignments()
            if effective
            else chain(directory.assignments(), directory.inherited_assignments())
        )

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
            if inherited_to is not None and not (a.inherited or a.inherited_from is not None):
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
