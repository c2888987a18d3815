# -*- test-case-name: mimic.test.test_identity_catalog -*-
"""
``/v3/services``, ``/v3/endpoints``, ``/v3/regions`` and
``/v3/policies``: Keystone's catalog and policy APIs (its endpoint
filter, ``/v3/OS-EP-FILTER``, is
:mod:`~mimic.services.identity.v3_endpoint_filter`).

Listings hold both what the plugins serve (read only: the caller's
catalog, whose URLs name its project) and what was written here
(:mod:`~mimic.services.identity.written`), which an administrator
creates, changes and deletes.  Services and endpoints written here
appear in the catalog of every token issued afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.catalog import ResolvedEntry
from mimic.http import base_url, json_response
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin
from mimic.services.identity.records import new_id
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import bool_field, string_field
from mimic.services.identity.versions import V3_PATH
from mimic.services.identity.views import (
    catalog_interfaces,
    catalog_with_identity,
    endpoints_json,
    link,
    regions_json,
    service_json,
)
from mimic.services.identity.written import (
    INTERFACES,
    KEEP,
    Policy,
    Region,
    Service,
    WrittenCatalog,
    WrittenEndpoint,
    WrittenEntry,
)

#: How DevStack's scripts describe the services they register (lib/nova,
#: lib/glance, lib/neutron, lib/cinder, lib/swift); the identity service,
#: which ``keystone-manage bootstrap`` registers, has no description.
DEVSTACK_SERVICE_DESCRIPTIONS = {
    ("compute", "nova"): "Nova Compute Service",
    ("image", "glance"): "Glance Image Service",
    ("network", "neutron"): "Neutron Service",
    ("block-storage", "cinder"): "Cinder Volume Service",
    ("volumev3", "cinderv3"): "Cinder Volume Service V3",
    ("object-store", "swift"): "Swift Service",
}

#: Keystone's longest URL and id (its schema's limits).
URL_LENGTH = 225
ID_LENGTH = 255


def extra_of(given: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    """
    Attributes Keystone keeps as they were given (its ``extra``).
    """
    return {k: v for k, v in given.items() if k not in known and k != "links"}


def written_service_json(v3_url: str, service: Service) -> dict[str, Any]:
    return {
        **service.extra,
        "id": service.id,
        "type": service.type,
        "name": service.name,
        "description": service.description,
        "enabled": service.enabled,
        "links": {"self": link(v3_url, "services", service.id)},
    }


def written_endpoint_json(v3_url: str, endpoint: WrittenEndpoint) -> dict[str, Any]:
    return {
        **endpoint.extra,
        "id": endpoint.id,
        "service_id": endpoint.service_id,
        "interface": endpoint.interface,
        "url": endpoint.url,
        "region": endpoint.region_id,
        "region_id": endpoint.region_id,
        "enabled": endpoint.enabled,
        "links": {"self": link(v3_url, "endpoints", endpoint.id)},
    }


def region_json(v3_url: str, region: Region) -> dict[str, Any]:
    return {
        **region.extra,
        "id": region.id,
        "description": region.description,
        "parent_region_id": region.parent_region_id,
        "links": {"self": link(v3_url, "regions", region.id)},
    }


def policy_json(v3_url: str, policy: Policy) -> dict[str, Any]:
    return {
        **policy.extra,
        "id": policy.id,
        "type": policy.type,
        "blob": policy.blob,
        "links": {"self": link(v3_url, "policies", policy.id)},
    }


class CatalogBase(V3Base):
    """
    What the catalog's apps share: the written catalog and the plugins'
    entries as the caller's project sees them.
    """

    @property
    def written(self) -> WrittenCatalog:
        return self.directory.catalog

    @property
    def interfaces(self) -> tuple[str, ...]:
        """
        The interfaces the plugins' endpoints are listed under: those of
        a token's catalog.
        """
        return catalog_interfaces(self.core.profile)

    @property
    def service_descriptions(self) -> dict[tuple[str, str], str] | None:
        """
        The served services' descriptions: DevStack's for an upstream
        cloud, none (empty ones) for Rackspace's.
        """
        return None if self.core.profile.rackspace_extensions else DEVSTACK_SERVICE_DESCRIPTIONS

    def plugin_entries(self, request: IRequest) -> list[ResolvedEntry]:
        caller = self.caller(request)
        tenant = caller.tenant_id if caller.tenant_id is not None else caller.user.tenant_id
        entries = catalog_with_identity(self.core, tenant, base_url(request), V3_PATH)
        return [e for e in entries if not isinstance(e, WrittenEntry)]


def _url(given: dict[str, Any], required: bool) -> Any:
    return string_field(given, "url", required=required, empty=False, longest=URL_LENGTH)


def _interface(given: dict[str, Any], required: bool) -> Any:
    interface = string_field(given, "interface", required=required)
    if interface is not None and interface not in INTERFACES:
        raise keystone_error(
            400, f"Invalid input for field 'interface': {interface!r} is not one of {list(INTERFACES)}"
        )
    return interface


def _region_of(given: dict[str, Any]) -> Any:
    """
    ``region_id``, or the older ``region`` Keystone still takes; KEEP
    when neither is given.
    """
    for key in ("region_id", "region"):
        if key in given:
            return string_field(given, key, nullable=True, longest=ID_LENGTH)
    return KEEP


class ServicesAPI(CatalogBase):
    app = Klein()
    keystone_errors(app)

    @app.route("/", methods=["GET", "HEAD"])
    def list_services(self, request: IRequest) -> bytes:
        url = self.url(request)
        descriptions = self.service_descriptions
        described = [service_json(url, e, descriptions) for e in self.plugin_entries(request)]
        described += [written_service_json(url, s) for s in self.written.services.values()]
        services = self.filtered(request, described, ("name", "type", "enabled"))
        return self.collection(request, "services", services)

    @app.route("/", methods=["POST"])
    def create_service(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_service")
        given = self.body(request, "service")
        service = self.written.add_service(
            string_field(given, "type", required=True, empty=False),
            string_field(given, "name", default=""),
            string_field(given, "description", nullable=True, default="") or "",
            bool_field(given, "enabled", True),
            extra_of(given, ("type", "name", "description", "enabled", "id")),
        )
        return json_response(request, {"service": written_service_json(self.url(request), service)}, 201)

    @app.route("/<service_id>", methods=["GET", "HEAD"])
    def show_service(self, request: IRequest, service_id: str) -> bytes:
        url = self.url(request)
        for entry in self.plugin_entries(request):
            if entry.id == service_id:
                return json_response(request, {"service": service_json(url, entry, self.service_descriptions)})
        service = self.written.service(service_id)
        return json_response(request, {"service": written_service_json(url, service)})

    def _own(self, request: IRequest, service_id: str, action: str) -> Service:
        require_admin(self.caller(request), action)
        if service_id not in self.written.services and any(
            e.id == service_id for e in self.plugin_entries(request)
        ):
            raise keystone_error(403, f"Service {service_id} is one of Mimic's own and cannot be changed.")
        return self.written.service(service_id)

    @app.route("/<service_id>", methods=["PATCH"])
    def update_service(self, request: IRequest, service_id: str) -> bytes:
        service = self._own(request, service_id, "update_service")
        given = self.body(request, "service")
        service.type = string_field(given, "type", empty=False) or service.type
        name = string_field(given, "name")
        description = string_field(given, "description", nullable=True)
        enabled = bool_field(given, "enabled")
        if name is not None:
            service.name = name
        if description is not None:
            service.description = description
        if enabled is not None:
            service.enabled = enabled
        service.extra.update(extra_of(given, ("type", "name", "description", "enabled", "id")))
        return json_response(request, {"service": written_service_json(self.url(request), service)})

    @app.route("/<service_id>", methods=["DELETE"])
    def delete_service(self, request: IRequest, service_id: str) -> bytes:
        self.written.remove_service(self._own(request, service_id, "delete_service"))
        return json_response(request, None, 204)


class EndpointsAPI(CatalogBase):
    app = Klein()
    keystone_errors(app)

    KNOWN = ("service_id", "interface", "url", "region", "region_id", "enabled", "id")

    @app.route("/", methods=["GET", "HEAD"])
    def list_endpoints(self, request: IRequest) -> bytes:
        url = self.url(request)
        described = endpoints_json(url, self.plugin_entries(request), self.interfaces)
        described += [written_endpoint_json(url, e) for e in self.written.endpoints.values()]
        endpoints = self.filtered(request, described, ("interface", "service_id", "region_id", "enabled"))
        return self.collection(request, "endpoints", endpoints)

    @app.route("/", methods=["POST"])
    def create_endpoint(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_endpoint")
        given = self.body(request, "endpoint")
        service_id = string_field(given, "service_id", required=True, empty=False)
        interface = _interface(given, True)
        address = _url(given, True)
        region_id = _region_of(given)
        enabled = bool_field(given, "enabled", True)
        self.written.service(service_id)
        endpoint = self.written.add_endpoint(
            service_id, interface, address, None if region_id is KEEP else region_id, enabled,
            extra_of(given, self.KNOWN),
        )
        return json_response(request, {"endpoint": written_endpoint_json(self.url(request), endpoint)}, 201)

    @app.route("/<endpoint_id>", methods=["GET", "HEAD"])
    def show_endpoint(self, request: IRequest, endpoint_id: str) -> bytes:
        url = self.url(request)
        if endpoint_id not in self.written.endpoints:
            for served in endpoints_json(url, self.plugin_entries(request), self.interfaces):
                if served["id"] == endpoint_id:
                    return json_response(request, {"endpoint": served})
        endpoint = self.written.endpoint(endpoint_id)
        return json_response(request, {"endpoint": written_endpoint_json(url, endpoint)})

    @app.route("/<endpoint_id>", methods=["PATCH"])
    def update_endpoint(self, request: IRequest, endpoint_id: str) -> bytes:
        require_admin(self.caller(request), "update_endpoint")
        endpoint = self.written.endpoint(endpoint_id)
        given = self.body(request, "endpoint")
        service_id = string_field(given, "service_id", empty=False)
        interface = _interface(given, False)
        address = _url(given, False)
        region_id = _region_of(given)
        enabled = bool_field(given, "enabled")
        if service_id is not None:
            self.written.service(service_id)
            endpoint.service_id = service_id
        if region_id is not KEEP:
            self.written.ensure_region(region_id)
            endpoint.region_id = region_id
        endpoint.interface = interface or endpoint.interface
        endpoint.url = address or endpoint.url
        if enabled is not None:
            endpoint.enabled = enabled
        endpoint.extra.update(extra_of(given, self.KNOWN))
        return json_response(request, {"endpoint": written_endpoint_json(self.url(request), endpoint)})

    @app.route("/<endpoint_id>", methods=["DELETE"])
    def delete_endpoint(self, request: IRequest, endpoint_id: str) -> bytes:
        require_admin(self.caller(request), "delete_endpoint")
        self.written.remove_endpoint(self.written.endpoint(endpoint_id))
        return json_response(request, None, 204)


class RegionsAPI(CatalogBase):
    app = Klein()
    keystone_errors(app)

    KNOWN = ("id", "description", "parent_region_id")

    def _all(self, request: IRequest) -> list[dict[str, Any]]:
        url = self.url(request)
        written = self.written.regions
        described = [region_json(url, r) for r in written.values()]
        described += [
            r for r in regions_json(url, self.plugin_entries(request)) if r["id"] not in written
        ]
        return described

    @app.route("/", methods=["GET", "HEAD"])
    def list_regions(self, request: IRequest) -> bytes:
        regions = self.filtered(request, self._all(request), ("parent_region_id",))
        return self.collection(request, "regions", regions)

    def _create(self, request: IRequest, region_id: str | None) -> bytes:
        require_admin(self.caller(request), "create_region")
        given = self.body(request, "region")
        if region_id is None:
            region_id = string_field(given, "id", empty=False, longest=ID_LENGTH)
        elif "id" in given and given["id"] != region_id:
            raise keystone_error(400, "Conflicting region IDs specified: the path and the body differ.")
        if region_id is not None and any(r["id"] == region_id for r in self._all(request)):
            raise keystone_error(409, f"Conflict occurred attempting to store region - Duplicate ID, {region_id}.")
        region = self.written.add_region(
            region_id,
            string_field(given, "description", default="") or "",
            string_field(given, "parent_region_id", nullable=True),
            extra_of(given, self.KNOWN),
        )
        return json_response(request, {"region": region_json(self.url(request), region)}, 201)

    @app.route("/", methods=["POST"])
    def create_region(self, request: IRequest) -> bytes:
        return self._create(request, None)

    @app.route("/<region_id>", methods=["PUT"])
    def create_region_with_id(self, request: IRequest, region_id: str) -> bytes:
        return self._create(request, region_id)

    @app.route("/<region_id>", methods=["GET", "HEAD"])
    def show_region(self, request: IRequest, region_id: str) -> bytes:
        for region in self._all(request):
            if region["id"] == region_id:
                return json_response(request, {"region": region})
        raise keystone_error(404, f"Could not find region: {region_id}.")

    def _own(self, request: IRequest, region_id: str, action: str) -> Region:
        require_admin(self.caller(request), action)
        if region_id not in self.written.regions and any(r["id"] == region_id for r in self._all(request)):
            raise keystone_error(403, f"Region {region_id} is one of Mimic's own and cannot be changed.")
        return self.written.region(region_id)

    @app.route("/<region_id>", methods=["PATCH"])
    def update_region(self, request: IRequest, region_id: str) -> bytes:
        region = self._own(request, region_id, "update_region")
        given = self.body(request, "region")
        parent = (
            string_field(given, "parent_region_id", nullable=True) if "parent_region_id" in given else KEEP
        )
        region = self.written.update_region(
            region, string_field(given, "description"), parent, extra_of(given, self.KNOWN)
        )
        return json_response(request, {"region": region_json(self.url(request), region)})

    @app.route("/<region_id>", methods=["DELETE"])
    def delete_region(self, request: IRequest, region_id: str) -> bytes:
        self.written.remove_region(self._own(request, region_id, "delete_region"))
        return json_response(request, None, 204)


class PoliciesAPI(CatalogBase):
    """
    ``/v3/policies``: policy blobs of a MIME type, kept for whoever reads
    them (Mimic enforces its own policy, not these).
    """

    app = Klein()
    keystone_errors(app)

    KNOWN = ("id", "type", "blob")

    def _policy(self, policy_id: str) -> Policy:
        policy = self.written.policies.get(policy_id)
        if policy is None:
            raise keystone_error(404, f"Could not find policy: {policy_id}.")
        return policy

    @staticmethod
    def _blob(given: dict[str, Any], required: bool) -> Any:
        blob = given.get("blob")
        if blob is None and not required:
            return None
        if isinstance(blob, (dict, list)):
            return json.dumps(blob)
        if not isinstance(blob, str):
            raise keystone_error(400, "Invalid input for field 'blob': it must be a string.")
        return blob

    @app.route("/", methods=["GET", "HEAD"])
    def list_policies(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "list_policies")
        url = self.url(request)
        policies = [policy_json(url, p) for p in self.written.policies.values()]
        return self.collection(request, "policies", self.filtered(request, policies, ("type",)))

    @app.route("/", methods=["POST"])
    def create_policy(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_policy")
        given = self.body(request, "policy")
        policy = Policy(
            new_id(),
            string_field(given, "type", required=True, empty=False),
            self._blob(given, True),
            extra_of(given, self.KNOWN),
        )
        self.written.policies[policy.id] = policy
        return json_response(request, {"policy": policy_json(self.url(request), policy)}, 201)

    @app.route("/<policy_id>", methods=["GET", "HEAD"])
    def show_policy(self, request: IRequest, policy_id: str) -> bytes:
        require_admin(self.caller(request), "get_policy")
        return json_response(request, {"policy": policy_json(self.url(request), self._policy(policy_id))})

    @app.route("/<policy_id>", methods=["PATCH"])
    def update_policy(self, request: IRequest, policy_id: str) -> bytes:
        require_admin(self.caller(request), "update_policy")
        policy = self._policy(policy_id)
        given = self.body(request, "policy")
        kind = string_field(given, "type", empty=False)
        blob = self._blob(given, False)
        policy.type = kind or policy.type
        policy.blob = blob if blob is not None else policy.blob
        policy.extra.update(extra_of(given, self.KNOWN))
        return json_response(request, {"policy": policy_json(self.url(request), policy)})

    @app.route("/<policy_id>", methods=["DELETE"])
    def delete_policy(self, request: IRequest, policy_id: str) -> bytes:
        require_admin(self.caller(request), "delete_policy")
        del self.written.policies[self._policy(policy_id).id]
        return json_response(request, None, 204)
