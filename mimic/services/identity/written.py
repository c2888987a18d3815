# -*- test-case-name: mimic.test.test_identity_catalog -*-
"""
The catalog written through identity: Keystone's services, endpoints,
regions and endpoint groups (``/v3/services``...), Rackspace's
``OS-KSCATALOG`` endpoint templates and the tenants they are enabled
for (``/v2.0/OS-KSCATALOG``), and Keystone's policy blobs.

The plugins' own entries are the core's and are not written here; what
is written here is added beside them to the catalog a token carries
(:meth:`WrittenCatalog.entries`), so a test suite can point a client at
an API outside Mimic through identity, as it would on a real cloud.  A
written endpoint is for every project unless Keystone's endpoint filter
(``OS-EP-FILTER``) ties it to some, directly or through an endpoint
group; a template, unless it is global, for the tenants it is enabled
for.  No
HTTP: a refused change raises
:class:`~mimic.services.identity.records.DirectoryError`.
"""

from __future__ import annotations

from typing import Any

from attrs import define, field, frozen

from mimic.catalog import ResolvedEndpoint, ResolvedEntry
from mimic.services.identity.records import DirectoryError, conflict, new_id, not_found

#: Keystone's endpoint interfaces.
INTERFACES = ("public", "internal", "admin")

#: What Keystone substitutes in an endpoint's URL (``$(project_id)s``
#: as written, ``%(project_id)s`` as stored).
TENANT_MARKERS = ("$(project_id)s", "$(tenant_id)s", "%(project_id)s", "%(tenant_id)s")


@define
class Region:
    id: str
    description: str = ""
    parent_region_id: str | None = None
    extra: dict[str, Any] = field(factory=dict)


@define
class Service:
    id: str
    type: str
    name: str = ""
    description: str = ""
    enabled: bool = True
    extra: dict[str, Any] = field(factory=dict)


@define
class WrittenEndpoint:
    id: str
    service_id: str
    interface: str
    url: str
    region_id: str | None = None
    enabled: bool = True
    extra: dict[str, Any] = field(factory=dict)


@define
class EndpointTemplate:
    """
    Rackspace identity's endpoint template: one region's URLs of a
    service, for every tenant (``enabled``, Rackspace's "global") or for
    the tenants it is enabled for; ``tenant_alias`` in a URL is replaced
    by the tenant's id.
    """

    id: str
    service_id: str
    region: str
    type: str
    name: str
    enabled: bool = False
    public_url: str = ""
    internal_url: str = ""
    admin_url: str = ""
    tenant_alias: str = "%tenant_id%"
    version_id: str = ""
    version_info: str = ""
    version_list: str = ""


@define
class EndpointGroup:
    id: str
    name: str
    filters: dict[str, Any]
    description: str = ""


@define
class Policy:
    id: str
    type: str
    blob: str
    extra: dict[str, Any] = field(factory=dict)


@frozen
class WrittenEntry(ResolvedEntry):
    """
    A written service as a tenant's catalog lists it: Keystone's
    endpoints one per interface (``v3``), Rackspace's one per region
    (``v2``).  ``endpoints`` (one per region, public and internal URL)
    serves whatever reads a catalog generically.
    """

    v3: tuple[Any, ...] = ()
    v2: tuple[Any, ...] = ()

    def to_v2(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "endpoints": [dict(e) for e in self.v2]}

    def to_v3(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "endpoints": [dict(e) for e in self.v3]}


def substituted(url: str, tenant_id: str, markers: tuple[str, ...] = TENANT_MARKERS) -> str:
    for marker in markers:
        url = url.replace(marker, tenant_id)
    return url


@define
class WrittenCatalog:
    regions: dict[str, Region] = field(factory=dict)
    services: dict[str, Service] = field(factory=dict)
    endpoints: dict[str, WrittenEndpoint] = field(factory=dict)
    templates: dict[str, EndpointTemplate] = field(factory=dict)
    #: tenant id -> the ids of the templates enabled for it.
    tenant_templates: dict[str, set[str]] = field(factory=dict)
    endpoint_groups: dict[str, EndpointGroup] = field(factory=dict)
    policies: dict[str, Policy] = field(factory=dict)
    #: OS-EP-FILTER: endpoint id -> the projects it is for.
    project_endpoints: dict[str, set[str]] = field(factory=dict)
    #: OS-EP-FILTER: endpoint group id -> the projects it is for.
    group_projects: dict[str, set[str]] = field(factory=dict)

    # -- regions ----------------------------------------------------------

    def region(self, region_id: str) -> Region:
        found = self.regions.get(region_id)
        if found is None:
            raise not_found("region", region_id)
        return found

    def _check_parent(self, region_id: str, parent_id: str | None) -> None:
        if parent_id is None:
            return
        if parent_id not in self.regions:
            raise not_found("region", parent_id)
        seen = {region_id}
        while parent_id is not None:
            if parent_id in seen:
                raise DirectoryError(
                    400, f"Circular reference or a repeated entry found in region tree - {region_id}."
                )
            seen.add(parent_id)
            parent_id = self.regions[parent_id].parent_region_id if parent_id in self.regions else None

    def add_region(self, region_id: str | None, description: str, parent_id: str | None,
                   extra: dict[str, Any]) -> Region:
        region_id = region_id or new_id()
        if region_id in self.regions:
            raise conflict("region", "id", region_id)
        self._check_parent(region_id, parent_id)
        region = Region(region_id, description, parent_id, extra)
        self.regions[region.id] = region
        return region

    def ensure_region(self, region_id: str | None) -> None:
        """
        Keystone makes the region an endpoint names if it is new.
        """
        if region_id is not None and region_id not in self.regions:
            self.regions[region_id] = Region(region_id)

    def update_region(self, region: Region, description: str | None, parent_id: Any,
                      extra: dict[str, Any]) -> Region:
        if parent_id is not _KEEP:
            self._check_parent(region.id, parent_id)
            region.parent_region_id = parent_id
        if description is not None:
            region.description = description
        region.extra.update(extra)
        return region

    def remove_region(self, region: Region) -> None:
        if any(r.parent_region_id == region.id for r in self.regions.values()) or any(
            e.region_id == region.id for e in self.endpoints.values()
        ):
            raise DirectoryError(
                403, f"Unable to delete region {region.id} because it or its child regions "
                "have associated endpoints."
            )
        del self.regions[region.id]

    # -- services ---------------------------------------------------------

    def service(self, service_id: str) -> Service:
        found = self.services.get(service_id)
        if found is None:
            raise not_found("service", service_id)
        return found

    def service_named(self, name: str) -> Service | None:
        for service in self.services.values():
            if service.name == name:
                return service
        return None

    def add_service(self, type: str, name: str, description: str, enabled: bool,
                    extra: dict[str, Any], service_id: str | None = None) -> Service:
        service_id = service_id or new_id()
        if service_id in self.services:
            raise conflict("service", "id", service_id)
        service = Service(service_id, type, name, description, enabled, extra)
        self.services[service.id] = service
        return service

    def remove_service(self, service: Service) -> None:
        """
        Keystone deletes a service's endpoints with it; so does Mimic,
        and its endpoint templates too.
        """
        for endpoint in [e for e in self.endpoints.values() if e.service_id == service.id]:
            self.remove_endpoint(endpoint)
        for template in [t for t in self.templates.values() if t.service_id == service.id]:
            self.remove_template(template)
        del self.services[service.id]

    # -- endpoints --------------------------------------------------------

    def endpoint(self, endpoint_id: str) -> WrittenEndpoint:
        found = self.endpoints.get(endpoint_id)
        if found is None:
            raise not_found("endpoint", endpoint_id)
        return found

    def add_endpoint(self, service_id: str, interface: str, url: str, region_id: str | None,
                     enabled: bool, extra: dict[str, Any]) -> WrittenEndpoint:
        self.service(service_id)
        self.ensure_region(region_id)
        endpoint = WrittenEndpoint(new_id(), service_id, interface, url, region_id, enabled, extra)
        self.endpoints[endpoint.id] = endpoint
        return endpoint

    def remove_endpoint(self, endpoint: WrittenEndpoint) -> None:
        del self.endpoints[endpoint.id]
        self.project_endpoints.pop(endpoint.id, None)

    # -- the endpoint filter (OS-EP-FILTER) --------------------------------

    def group_matches(self, group: EndpointGroup, endpoint: WrittenEndpoint) -> bool:
        return all(getattr(endpoint, key, None) == value for key, value in group.filters.items())

    def projects_of_endpoint(self, endpoint: WrittenEndpoint) -> set[str] | None:
        """
        The projects an endpoint is for, directly or through endpoint
        groups; None when it is for every project (nothing says
        otherwise).
        """
        projects = self.project_endpoints.get(endpoint.id)
        found = set(projects) if projects else None
        for group_id, group_projects in self.group_projects.items():
            group = self.endpoint_groups.get(group_id)
            if group_projects and group is not None and self.group_matches(group, endpoint):
                found = (found or set()) | group_projects
        return found

    def visible_to(self, endpoint: WrittenEndpoint, tenant_id: str) -> bool:
        projects = self.projects_of_endpoint(endpoint) if (self.project_endpoints or self.group_projects) else None
        return projects is None or tenant_id in projects

    def remove_group(self, group: EndpointGroup) -> None:
        del self.endpoint_groups[group.id]
        self.group_projects.pop(group.id, None)

    def forget_project(self, project_id: str) -> None:
        for projects in (*self.project_endpoints.values(), *self.group_projects.values()):
            projects.discard(project_id)

    # -- endpoint templates (Rackspace's OS-KSCATALOG) -------------------

    def template(self, template_id: str) -> EndpointTemplate:
        found = self.templates.get(template_id)
        if found is None:
            raise not_found("endpoint template", template_id)
        return found

    def add_template(self, template: EndpointTemplate) -> EndpointTemplate:
        if template.id in self.templates:
            raise conflict("endpoint template", "id", template.id)
        service = self.service(template.service_id)
        if service.type != template.type:
            raise DirectoryError(409, "Endpoint already exists or service type does not match.")
        self.templates[template.id] = template
        return template

    def remove_template(self, template: EndpointTemplate) -> None:
        del self.templates[template.id]
        for enabled in self.tenant_templates.values():
            enabled.discard(template.id)

    def enable_template(self, tenant_id: str, template: EndpointTemplate) -> None:
        self.tenant_templates.setdefault(tenant_id, set()).add(template.id)

    def disable_template(self, tenant_id: str, template: EndpointTemplate) -> None:
        enabled = self.tenant_templates.get(tenant_id, set())
        if template.id not in enabled:
            raise DirectoryError(404, f"Endpoint template {template.id} is not enabled for tenant {tenant_id}.")
        enabled.discard(template.id)
        if not enabled:
            del self.tenant_templates[tenant_id]

    def templates_for(self, tenant_id: str) -> list[EndpointTemplate]:
        """
        The templates in a tenant's catalog: the global ones and those
        enabled for it.
        """
        enabled = self.tenant_templates.get(tenant_id, set())
        return [t for t in self.templates.values() if t.enabled or t.id in enabled]

    # -- the catalog ------------------------------------------------------

    def entries(self, tenant_id: str) -> list[ResolvedEntry]:
        """
        The written services a tenant's catalog lists: each enabled
        service with its enabled endpoints and the endpoint templates
        enabled for the tenant, URLs made the tenant's.
        """
        v3: dict[str, list[dict[str, Any]]] = {}
        v2: dict[str, dict[str | None, dict[str, Any]]] = {}
        for endpoint in self.endpoints.values():
            if not endpoint.enabled or not self.visible_to(endpoint, tenant_id):
                continue
            url = substituted(endpoint.url, tenant_id)
            v3.setdefault(endpoint.service_id, []).append(
                {"id": endpoint.id, "interface": endpoint.interface, "region": endpoint.region_id,
                 "region_id": endpoint.region_id, "url": url}
            )
            by_region = v2.setdefault(endpoint.service_id, {})
            described = by_region.setdefault(
                endpoint.region_id, {"id": endpoint.id, "region": endpoint.region_id, "tenantId": tenant_id}
            )
            described[endpoint.interface + "URL"] = url
        for template in self.templates_for(tenant_id):
            urls = {
                interface: substituted(url, tenant_id, (template.tenant_alias,))
                for interface, url in (
                    ("public", template.public_url), ("internal", template.internal_url),
                    ("admin", template.admin_url),
                )
                if url
            }
            for interface, url in urls.items():
                v3.setdefault(template.service_id, []).append(
                    {"id": f"{template.id}-{interface}", "interface": interface, "region": template.region,
                     "region_id": template.region, "url": url}
                )
            described = {"id": template.id, "region": template.region, "tenantId": tenant_id}
            described.update({f"{interface}URL": url for interface, url in urls.items()})
            for key, value in (("versionId", template.version_id), ("versionInfo", template.version_info),
                               ("versionList", template.version_list)):
                if value:
                    described[key] = value
            v2.setdefault(template.service_id, {})[f"template:{template.id}"] = described
        entries: list[ResolvedEntry] = []
        for service in self.services.values():
            if not service.enabled or service.id not in v3:
                continue
            generic = tuple(
                ResolvedEndpoint(
                    id=str(e["id"]), region=e.get("region"),
                    public_url=e.get("publicURL") or e.get("internalURL") or e.get("adminURL") or "",
                    internal_url=e.get("internalURL"), tenant_id=tenant_id, version_id=None,
                )
                for e in v2[service.id].values()
            )
            entries.append(
                WrittenEntry(
                    id=service.id, type=service.type, name=service.name, endpoints=generic,
                    v3=tuple(v3[service.id]), v2=tuple(v2[service.id].values()),
                )
            )
        return entries


class _Keep:
    """
    The value of an attribute an update leaves as it is.
    """


_KEEP: Any = _Keep()
KEEP = _KEEP
