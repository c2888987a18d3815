# -*- test-case-name: mimic.test.test_identity_catalog -*-
"""
Rackspace identity v2.0's administrative catalog, as the earlier mimic
served it: ``OS-KSADM`` services and roles, ``OS-KSCATALOG`` endpoint
templates and the tenants they are enabled for, and ``RAX-AUTH``
domains.

An API outside Mimic is registered as a service (``POST
/OS-KSADM/services``, or the earlier mimic's ``POST /services``), given
one endpoint template per region (``POST /OS-KSCATALOG/endpointTemplates``,
whose ``serviceid`` header or ``name`` names the service), and enabled
for every tenant (the template's ``enabled``) or for some
(``POST /tenants/{t}/OS-KSCATALOG/endpoints``): it then appears in the
catalog of those tenants' tokens, in v2.0 and v3 alike.  The services
are the same as Keystone's ``/v3/services``.  Every call is an
administrator's.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import handle_errors, header, json_response, query_arg, read_json, require_object
from mimic.interfaces import IMimicCore
from mimic.services.identity.directory import Directory, directory_of
from mimic.services.identity.errors import (
    DOMAIN_ERRORS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNEXPECTED,
    keystone_error,
)
from mimic.services.identity.policy import require_admin
from mimic.services.identity.views import v2_roles_json
from mimic.services.identity.written import EndpointTemplate, Service, WrittenCatalog
from mimic.session import Token

#: An endpoint template's attributes: (wire name, attribute).
TEMPLATE_FIELDS = (
    ("publicURL", "public_url"),
    ("internalURL", "internal_url"),
    ("adminURL", "admin_url"),
    ("RAX-AUTH:tenantAlias", "tenant_alias"),
    ("versionId", "version_id"),
    ("versionInfo", "version_info"),
    ("versionList", "version_list"),
)

#: What a tenant's endpoint shows of its template.
TENANT_FIELDS = ("id", "region", "type", "publicURL", "internalURL", "adminURL")


def template_json(template: EndpointTemplate) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": template.id,
        "region": template.region,
        "type": template.type,
        "name": template.name,
        "enabled": template.enabled,
        "serviceId": template.service_id,
    }
    for wire, attribute in TEMPLATE_FIELDS:
        described[wire] = getattr(template, attribute)
    return described


def tenant_endpoint_json(template: EndpointTemplate, tenant_id: str) -> dict[str, Any]:
    described = template_json(template)
    shown = {k: described[k] for k in TENANT_FIELDS}
    for wire in ("publicURL", "internalURL", "adminURL"):
        shown[wire] = shown[wire].replace(template.tenant_alias, tenant_id)
    return {"tenantId": tenant_id, **shown}


def v2_service_json(service: Service) -> dict[str, Any]:
    return {"id": service.id, "name": service.name, "type": service.type, "description": service.description}


def _text(given: dict[str, Any], key: str, required: bool = False, default: str = "") -> str:
    value = given.get(key)
    if value is None:
        if required:
            raise keystone_error(400, f"Expecting to find {key} in the request body.")
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        raise keystone_error(400, f"Invalid input: {key!r} must be a non-empty string.")
    return value


class V2Admin:
    """
    What the v2.0 administrative apps share.
    """

    def __init__(self, core: IMimicCore) -> None:
        self.core = core

    @property
    def directory(self) -> Directory:
        return directory_of(self.core)

    @property
    def written(self) -> WrittenCatalog:
        return self.directory.catalog

    def admin(self, request: IRequest, action: str) -> Token:
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        require_admin(token, action)
        return token

    def body(self, request: IRequest, *names: str) -> dict[str, Any]:
        """
        The object under the first of ``names`` the body has, or the body
        itself (the earlier mimic took bare objects).
        """
        body = require_object(read_json(request, keystone_error), "body", keystone_error)
        for name in names:
            if name in body:
                return require_object(body[name], name, keystone_error)
        return body


def v2_errors(app: Klein) -> None:
    handle_errors(
        app,
        keystone_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )


class ServicesV2(V2Admin):
    """
    ``/OS-KSADM/services`` (and the earlier mimic's ``/services``).
    """

    app = Klein()
    v2_errors(app)

    @app.route("/", methods=["GET"])
    def list_services(self, request: IRequest) -> bytes:
        self.admin(request, "list_services")
        services = [v2_service_json(s) for s in self.written.services.values()]
        return json_response(request, {"OS-KSADM:services": services, "OS-KSADM:services_links": []})

    @app.route("/", methods=["POST"])
    def create_service(self, request: IRequest) -> bytes:
        self.admin(request, "create_service")
        given = self.body(request, "OS-KSADM:service")
        name = _text(given, "name", required=True)
        if self.written.service_named(name) is not None:
            raise keystone_error(409, "Conflict: Service with the same name already exists.")
        service_id = given.get("id")
        if service_id is not None and not isinstance(service_id, str):
            raise keystone_error(400, "Invalid input: 'id' must be a string.")
        service = self.written.add_service(
            _text(given, "type", required=True), name, _text(given, "description"), True, {}, service_id
        )
        return json_response(request, {"OS-KSADM:service": v2_service_json(service)}, 201)

    @app.route("/<service_id>", methods=["GET"])
    def show_service(self, request: IRequest, service_id: str) -> bytes:
        self.admin(request, "get_service")
        return json_response(request, {"OS-KSADM:service": v2_service_json(self.written.service(service_id))})

    @app.route("/<service_id>", methods=["DELETE"])
    def delete_service(self, request: IRequest, service_id: str) -> bytes:
        self.admin(request, "delete_service")
        service = self.written.service(service_id)
        if any(t.service_id == service.id for t in self.written.templates.values()):
            raise keystone_error(409, "Service still has endpoint templates.")
        self.written.remove_service(service)
        return json_response(request, None, 204)


class RolesV2(V2Admin):
    """
    ``/OS-KSADM/roles``: the global roles (Keystone's ``/v3/roles``).
    """

    app = Klein()
    v2_errors(app)

    @app.route("/", methods=["GET"])
    def list_roles(self, request: IRequest) -> bytes:
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        name = query_arg(request, "name")
        roles = [
            r for r in self.directory.roles.values()
            if r.domain_id is None and (name is None or r.name == name)
        ]
        return json_response(request, {"roles": v2_roles_json(roles), "roles_links": []})

    @app.route("/", methods=["POST"])
    def create_role(self, request: IRequest) -> bytes:
        self.admin(request, "create_role")
        given = self.body(request, "role")
        role = self.directory.add_role(_text(given, "name", required=True), _text(given, "description"), None)
        return json_response(request, {"role": v2_roles_json([role])[0]}, 201)

    @app.route("/<role_id>", methods=["GET"])
    def show_role(self, request: IRequest, role_id: str) -> bytes:
        self.admin(request, "get_role")
        return json_response(request, {"role": v2_roles_json([self.directory.role(role_id)])[0]})

    @app.route("/<role_id>", methods=["DELETE"])
    def delete_role(self, request: IRequest, role_id: str) -> bytes:
        self.admin(request, "delete_role")
        self.directory.remove_role(self.directory.role(role_id))
        return json_response(request, None, 204)


class EndpointTemplatesV2(V2Admin):
    """
    ``/OS-KSCATALOG/endpointTemplates``.
    """

    app = Klein()
    v2_errors(app)

    def _template(self, request: IRequest, given: dict[str, Any], template_id: str | None) -> EndpointTemplate:
        """
        A template from a request: its service from the ``serviceid``
        header, ``serviceId``, or the service named as the template is.
        """
        if template_id is None:
            raw_id = given.get("id")
            if raw_id is None:
                numbers = [int(t) for t in self.written.templates if t.isdigit()]
                raw_id = str(max(numbers, default=0) + 1)
            if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not str(raw_id):
                raise keystone_error(400, "Invalid input: 'id' must be a string or a number.")
            template_id = str(raw_id)
        name = _text(given, "name", required=True)
        kind = _text(given, "type", required=True)
        region = _text(given, "region", required=True)
        service_id = given.get("serviceId")
        service_id = header(request, "serviceid") or (service_id if isinstance(service_id, str) else None)
        if service_id is None:
            service = self.written.service_named(name)
            if service is None:
                raise keystone_error(404, "Service API for endpoint template not found")
            service_id = service.id
        elif service_id not in self.written.services:
            raise keystone_error(404, "Service API for endpoint template not found")
        enabled = given.get("enabled", given.get("global", False))
        if not isinstance(enabled, bool):
            raise keystone_error(400, "Invalid input: 'enabled' must be a boolean.")
        values = {}
        for wire, attribute in TEMPLATE_FIELDS:
            value = given.get(wire)
            if value is not None:
                if not isinstance(value, str):
                    raise keystone_error(400, f"Invalid input: {wire!r} must be a string.")
                values[attribute] = value
        return EndpointTemplate(template_id, service_id, region, kind, name, enabled, **values)

    @app.route("/", methods=["GET"])
    def list_templates(self, request: IRequest) -> bytes:
        self.admin(request, "list_endpoint_templates")
        service_id = header(request, "serviceid") or query_arg(request, "serviceId")
        if service_id is not None:
            self.written.service(service_id)
        templates = [
            template_json(t) for t in self.written.templates.values()
            if service_id is None or t.service_id == service_id
        ]
        return json_response(request, {"OS-KSCATALOG": templates, "OS-KSCATALOG:endpointsTemplates_links": []})

    @app.route("/", methods=["POST"])
    def create_template(self, request: IRequest) -> bytes:
        self.admin(request, "add_endpoint_template")
        template = self._template(request, self.body(request, "OS-KSCATALOG:endpointTemplate"), None)
        if template.id in self.written.templates:
            raise keystone_error(409, "ID value is already assigned to an existing template")
        self.written.add_template(template)
        return json_response(request, {"OS-KSCATALOG:endpointTemplate": template_json(template)}, 201)

    @app.route("/<template_id>", methods=["GET"])
    def show_template(self, request: IRequest, template_id: str) -> bytes:
        self.admin(request, "get_endpoint_template")
        template = self.written.template(template_id)
        return json_response(request, {"OS-KSCATALOG:endpointTemplate": template_json(template)})

    @app.route("/<template_id>", methods=["PUT"])
    def update_template(self, request: IRequest, template_id: str) -> bytes:
        """
        Replace a template (201, as the earlier mimic answered); the id
        in the body, if any, must be the path's.
        """
        self.admin(request, "update_endpoint_template")
        existing = self.written.template(template_id)
        given = self.body(request, "OS-KSCATALOG:endpointTemplate")
        if "id" in given and str(given["id"]) != template_id:
            raise keystone_error(409, "Template ID in URL does not match that of the JSON body")
        merged = {**template_json(existing), **given}
        merged.pop("serviceId", None)
        template = self._template(request, {**merged, "serviceId": existing.service_id}, template_id)
        if self.written.service(template.service_id).type != template.type:
            raise keystone_error(409, "Endpoint already exists and service id or service type does not match.")
        self.written.templates[template_id] = template
        return json_response(request, {"OS-KSCATALOG:endpointTemplate": template_json(template)}, 201)

    @app.route("/<template_id>", methods=["DELETE"])
    def delete_template(self, request: IRequest, template_id: str) -> bytes:
        self.admin(request, "delete_endpoint_template")
        self.written.remove_template(self.written.template(template_id))
        return json_response(request, None, 204)


class TenantEndpointsV2(V2Admin):
    """
    ``/tenants/{t}/OS-KSCATALOG/endpoints``: the templates enabled for a
    tenant.
    """

    app = Klein()
    v2_errors(app)

    def __init__(self, core: IMimicCore, tenant_id: str) -> None:
        super().__init__(core)
        self.tenant_id = tenant_id

    @app.route("/", methods=["GET"])
    def list_endpoints(self, request: IRequest) -> bytes:
        self.admin(request, "list_endpoints_for_tenant")
        endpoints = [tenant_endpoint_json(t, self.tenant_id) for t in self.written.templates_for(self.tenant_id)]
        return json_response(request, {"endpoints": endpoints, "endpoints_links": []})

    @app.route("/", methods=["POST"])
    def enable(self, request: IRequest) -> bytes:
        self.admin(request, "add_endpoint_to_tenant")
        given = self.body(request, "OS-KSCATALOG:endpointTemplate")
        template_id = given.get("id")
        if isinstance(template_id, bool) or not isinstance(template_id, (str, int)):
            raise keystone_error(400, "Invalid Content. OS-KSCATALOG:endpointTemplate:id is required.")
        template = self.written.template(str(template_id))
        self.written.enable_template(self.tenant_id, template)
        return json_response(request, {"endpoint": tenant_endpoint_json(template, self.tenant_id)}, 201)

    @app.route("/<template_id>", methods=["DELETE"])
    def disable(self, request: IRequest, template_id: str) -> bytes:
        self.admin(request, "remove_endpoint_from_tenant")
        self.written.disable_template(self.tenant_id, self.written.template(template_id))
        return json_response(request, None, 204)


class DomainsV2(V2Admin):
    """
    ``/RAX-AUTH/domains``: Rackspace's domains, which are Keystone's
    domains and each first-use user's own (its tenant id, as
    ``RAX-AUTH:domainId`` says).
    """

    app = Klein()
    v2_errors(app)

    def _domains(self, caller: Token) -> list[dict[str, Any]]:
        directory = self.directory
        domains = [
            {"id": d.id, "name": d.name, "description": d.description, "enabled": d.enabled}
            for d in directory.domains.values()
        ]
        users = self.core.sessions.users() if caller.is_admin else [caller.user]
        known = {d["id"] for d in domains}
        for user in users:
            if user.tenant_id not in known:
                known.add(user.tenant_id)
                domains.append({"id": user.tenant_id, "name": user.tenant_id, "description": "", "enabled": True})
        return domains

    def _caller(self, request: IRequest) -> Token:
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        return token

    @app.route("/", methods=["GET"])
    def list_domains(self, request: IRequest) -> bytes:
        domains = self._domains(self._caller(request))
        return json_response(request, {"RAX-AUTH:domains": domains})

    @app.route("/<domain_id>", methods=["GET"])
    def show_domain(self, request: IRequest, domain_id: str) -> bytes:
        for domain in self._domains(self._caller(request)):
            if domain["id"] == domain_id:
                return json_response(request, {"RAX-AUTH:domain": domain})
        raise keystone_error(404, f"Domain with id {domain_id} was not found.")
