# -*- test-case-name: mimic.test.test_identity_catalog -*-
"""
Keystone's endpoint filter (``/v3/OS-EP-FILTER``): endpoint groups
(named filters over endpoints) and which projects written endpoints are
for, directly (``/projects/{p}/endpoints/{e}``) or through a group
(``/endpoint_groups/{g}/projects/{p}``).  An endpoint tied to projects
this way is in their catalogs only; one tied to none is in every
project's.  Mimic's own (the plugins') endpoints are in every catalog
whatever the filter says.  An administrator's.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.interfaces import IMimicCore
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin
from mimic.services.identity.records import new_id
from mimic.services.identity.v3_catalog import CatalogBase, written_endpoint_json
from mimic.services.identity.v3_support import keystone_errors
from mimic.services.identity.validation import string_field
from mimic.services.identity.views import link, project_json
from mimic.services.identity.written import EndpointGroup, WrittenEndpoint


def endpoint_group_json(v3_url: str, group: EndpointGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "filters": dict(group.filters),
        "links": {"self": link(v3_url, "OS-EP-FILTER", "endpoint_groups", group.id)},
    }


#: The attributes an endpoint group may filter on.
GROUP_FILTERS = ("service_id", "region_id", "interface")


class EndpointGroupsAPI(CatalogBase):
    """
    ``/v3/OS-EP-FILTER/endpoint_groups``: named filters over endpoints,
    and the projects each group's endpoints are for.
    """

    app = Klein()
    keystone_errors(app)

    def _filters(self, given: dict[str, Any], required: bool) -> Any:
        filters = given.get("filters")
        if filters is None and not required:
            return None
        if not isinstance(filters, dict) or not filters:
            raise keystone_error(400, "Invalid input for field 'filters': it must be a non-empty object.")
        unknown = sorted(set(filters) - set(GROUP_FILTERS))
        if unknown:
            raise keystone_error(400, f"Invalid input for field 'filters': unknown filter(s) {', '.join(unknown)}.")
        return dict(filters)

    def _group(self, group_id: str) -> EndpointGroup:
        group = self.written.endpoint_groups.get(group_id)
        if group is None:
            raise keystone_error(404, f"Could not find endpoint group: {group_id}.")
        return group

    @app.route("/", methods=["GET", "HEAD"])
    def list_groups(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "list_endpoint_groups")
        url = self.url(request)
        groups = [endpoint_group_json(url, g) for g in self.written.endpoint_groups.values()]
        return self.collection(request, "endpoint_groups", self.filtered(request, groups, ("name",)))

    @app.route("/", methods=["POST"])
    def create_group(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_endpoint_group")
        given = self.body(request, "endpoint_group")
        group = EndpointGroup(
            new_id(),
            string_field(given, "name", required=True, empty=False),
            self._filters(given, True),
            string_field(given, "description", nullable=True, default="") or "",
        )
        self.written.endpoint_groups[group.id] = group
        return json_response(request, {"endpoint_group": endpoint_group_json(self.url(request), group)}, 201)

    @app.route("/<group_id>", methods=["GET", "HEAD"])
    def show_group(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "get_endpoint_group")
        group = self._group(group_id)
        if request.method == b"HEAD":
            return json_response(request, None, 200)
        return json_response(request, {"endpoint_group": endpoint_group_json(self.url(request), group)})

    @app.route("/<group_id>", methods=["PATCH"])
    def update_group(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "update_endpoint_group")
        group = self._group(group_id)
        given = self.body(request, "endpoint_group")
        name = string_field(given, "name", empty=False)
        description = string_field(given, "description", nullable=True)
        filters = self._filters(given, False)
        group.name = name or group.name
        if description is not None:
            group.description = description
        if filters is not None:
            group.filters = filters
        return json_response(request, {"endpoint_group": endpoint_group_json(self.url(request), group)})

    @app.route("/<group_id>", methods=["DELETE"])
    def delete_group(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "delete_endpoint_group")
        self.written.remove_group(self._group(group_id))
        return json_response(request, None, 204)

    # -- the projects a group's endpoints are for --------------------------

    def _project_id(self, project_id: str) -> str:
        return self.directory.project(project_id).id

    @app.route("/<group_id>/projects", methods=["GET", "HEAD"])
    def group_projects(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "list_projects_associated_with_endpoint_group")
        group = self._group(group_id)
        url = self.url(request)
        projects = [
            project_json(url, p)
            for p in (self.directory.find_project(i) for i in sorted(self.written.group_projects.get(group.id, ())))
            if p is not None
        ]
        return self.collection(request, "projects", projects)

    @app.route("/<group_id>/endpoints", methods=["GET", "HEAD"])
    def group_endpoints(self, request: IRequest, group_id: str) -> bytes:
        require_admin(self.caller(request), "list_endpoints_associated_with_endpoint_group")
        group = self._group(group_id)
        url = self.url(request)
        endpoints = [
            written_endpoint_json(url, e) for e in self.written.endpoints.values()
            if self.written.group_matches(group, e)
        ]
        return self.collection(request, "endpoints", endpoints)

    @app.route("/<group_id>/projects/<project_id>", methods=["PUT"])
    def add_group_project(self, request: IRequest, group_id: str, project_id: str) -> bytes:
        require_admin(self.caller(request), "add_endpoint_group_to_project")
        group = self._group(group_id)
        self.written.group_projects.setdefault(group.id, set()).add(self._project_id(project_id))
        return json_response(request, None, 204)

    @app.route("/<group_id>/projects/<project_id>", methods=["GET", "HEAD"])
    def show_group_project(self, request: IRequest, group_id: str, project_id: str) -> bytes:
        require_admin(self.caller(request), "get_endpoint_group_in_project")
        group = self._group(group_id)
        project = self.directory.project(project_id)
        if project.id not in self.written.group_projects.get(group.id, ()):
            raise keystone_error(404, f"Could not find project endpoint group: {group.id} {project.id}.")
        if request.method == b"HEAD":
            return json_response(request, None, 200)
        return json_response(request, {"project": project_json(self.url(request), project)})

    @app.route("/<group_id>/projects/<project_id>", methods=["DELETE"])
    def remove_group_project(self, request: IRequest, group_id: str, project_id: str) -> bytes:
        require_admin(self.caller(request), "remove_endpoint_group_from_project")
        group = self._group(group_id)
        held = self.written.group_projects.get(group.id, set())
        if project_id not in held:
            raise keystone_error(404, f"Could not find project endpoint group: {group.id} {project_id}.")
        held.discard(project_id)
        return json_response(request, None, 204)


class ProjectEndpointsAPI(CatalogBase):
    """
    ``/v3/OS-EP-FILTER/projects/{p}/...``: the written endpoints (and
    endpoint groups) a project's catalog is tied to.
    """

    app = Klein()
    keystone_errors(app)

    def __init__(self, core: IMimicCore, project_id: str) -> None:
        super().__init__(core)
        self.project_id = project_id

    def _endpoint(self, request: IRequest, action: str, endpoint_id: str) -> WrittenEndpoint:
        require_admin(self.caller(request), action)
        self.directory.project(self.project_id)
        return self.written.endpoint(endpoint_id)

    @app.route("/endpoints", methods=["GET", "HEAD"])
    def list_endpoints(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "list_endpoints_for_project")
        project = self.directory.project(self.project_id)
        url = self.url(request)
        endpoints = [
            written_endpoint_json(url, e) for e in self.written.endpoints.values()
            if project.id in (self.written.projects_of_endpoint(e) or ())
        ]
        return self.collection(request, "endpoints", endpoints)

    @app.route("/endpoints/<endpoint_id>", methods=["PUT"])
    def add(self, request: IRequest, endpoint_id: str) -> bytes:
        endpoint = self._endpoint(request, "add_endpoint_to_project", endpoint_id)
        self.written.project_endpoints.setdefault(endpoint.id, set()).add(self.project_id)
        return json_response(request, None, 204)

    @app.route("/endpoints/<endpoint_id>", methods=["GET", "HEAD"])
    def check(self, request: IRequest, endpoint_id: str) -> bytes:
        endpoint = self._endpoint(request, "check_endpoint_in_project", endpoint_id)
        if self.project_id not in self.written.project_endpoints.get(endpoint.id, ()):
            raise keystone_error(404, f"Could not find endpoint: {endpoint.id} in project {self.project_id}.")
        return json_response(request, None, 204)

    @app.route("/endpoints/<endpoint_id>", methods=["DELETE"])
    def remove(self, request: IRequest, endpoint_id: str) -> bytes:
        endpoint = self._endpoint(request, "remove_endpoint_from_project", endpoint_id)
        held = self.written.project_endpoints.get(endpoint.id, set())
        if self.project_id not in held:
            raise keystone_error(404, f"Could not find endpoint: {endpoint.id} in project {self.project_id}.")
        held.discard(self.project_id)
        if not held:
            del self.written.project_endpoints[endpoint.id]
        return json_response(request, None, 204)

    @app.route("/endpoint_groups", methods=["GET", "HEAD"])
    def list_groups(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "list_endpoint_groups_for_project")
        project = self.directory.project(self.project_id)
        url = self.url(request)
        groups = [
            endpoint_group_json(url, self.written.endpoint_groups[g])
            for g, projects in self.written.group_projects.items()
            if project.id in projects and g in self.written.endpoint_groups
        ]
        return self.collection(request, "endpoint_groups", groups)


class EndpointProjectsAPI(CatalogBase):
    """
    ``/v3/OS-EP-FILTER/endpoints/{e}/projects``.
    """

    app = Klein()
    keystone_errors(app)

    def __init__(self, core: IMimicCore, endpoint_id: str) -> None:
        super().__init__(core)
        self.endpoint_id = endpoint_id

    @app.route("/projects", methods=["GET", "HEAD"])
    def list_projects(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "list_projects_for_endpoint")
        endpoint = self.written.endpoint(self.endpoint_id)
        url = self.url(request)
        projects = [
            project_json(url, p)
            for p in (self.directory.find_project(i) for i in sorted(self.written.project_endpoints.get(endpoint.id, ())))
            if p is not None
        ]
        return self.collection(request, "projects", projects)
