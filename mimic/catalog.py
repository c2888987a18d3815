# -*- test-case-name: mimic.test.test_catalog -*-
"""
Service catalog entries, and their Identity v2 and v3 wire shapes.

Services describe their endpoints relative to their own per-tenant URL
prefix; :func:`resolve` makes them absolute from the base URL the client
used, so a catalog always points back at whatever address reached Mimic.
Service and endpoint ids are derived from names, so they are the same on
every start (clients and test suites may record them).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Sequence
from uuid import NAMESPACE_URL, uuid5

from attrs import evolve, frozen

from mimic.profiles import CatalogChange

_ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://github.com/mimic-cloud/mimic/catalog")


@lru_cache(maxsize=4096)
def stable_id(*parts: str) -> str:
    """
    A 32-hex-digit id that depends only on ``parts``.  Cached: every token
    response derives an id for each catalog entry and endpoint.
    """
    return uuid5(_ID_NAMESPACE, "\0".join(parts)).hex


@frozen
class Endpoint:
    """
    One region's endpoint of a catalog entry.

    ``path`` is relative to the service's per-tenant prefix
    (``/service/<service>/<region>/<tenant>/``) unless ``absolute_path`` is
    set, in which case it is relative to Mimic's root (the identity service
    lists itself that way).  ``internal_path``, when set, also gives an
    internal URL (Rackspace's ServiceNet).
    """

    region: str | None
    path: str
    tenant_id: str | None = None
    version_id: str | None = None
    internal_path: str | None = None
    absolute_path: bool = False


@frozen
class Entry:
    type: str
    name: str
    endpoints: tuple[Endpoint, ...]


@frozen
class ResolvedEndpoint:
    id: str
    region: str | None
    public_url: str
    internal_url: str | None
    tenant_id: str | None
    version_id: str | None

    def to_v2(self) -> dict[str, Any]:
        endpoint: dict[str, Any] = {"publicURL": self.public_url}
        if self.region is not None:
            endpoint["region"] = self.region
        if self.tenant_id is not None:
            endpoint["tenantId"] = self.tenant_id
        if self.internal_url is not None:
            endpoint["internalURL"] = self.internal_url
        if self.version_id is not None:
            endpoint["versionId"] = self.version_id
            endpoint["versionInfo"] = self.public_url
            endpoint["versionList"] = self.public_url
        return endpoint

    def to_v3(self) -> list[dict[str, Any]]:
        interfaces = [("public", self.public_url)]
        if self.internal_url is not None:
            interfaces.append(("internal", self.internal_url))
        return [
            {
                "id": stable_id(self.id, interface),
                "interface": interface,
                "region": self.region,
                "region_id": self.region,
                "url": url,
            }
            for interface, url in interfaces
        ]


@frozen
class ResolvedEntry:
    id: str
    type: str
    name: str
    endpoints: tuple[ResolvedEndpoint, ...]

    def to_v2(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "endpoints": [e.to_v2() for e in self.endpoints],
        }

    def to_v3(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "endpoints": [v3 for e in self.endpoints for v3 in e.to_v3()],
        }


def resolve(
    service_name: str, tenant_id: str, base_url: str, entries: Iterable[Entry]
) -> list[ResolvedEntry]:
    """
    Make a service's entries absolute for one tenant, given the base URL
    (scheme and host, no trailing slash) the client reached Mimic at.
    """
    resolved = []
    for entry in entries:
        endpoints = []
        for endpoint in entry.endpoints:
            if endpoint.absolute_path:
                prefix = f"{base_url}/"
            else:
                prefix = f"{base_url}/service/{service_name}/{endpoint.region}/{tenant_id}/"
            endpoints.append(
                ResolvedEndpoint(
                    id=stable_id(service_name, entry.type, entry.name, str(endpoint.region)),
                    region=endpoint.region,
                    public_url=prefix + endpoint.path,
                    internal_url=(
                        None
                        if endpoint.internal_path is None
                        else prefix + endpoint.internal_path
                    ),
                    tenant_id=endpoint.tenant_id,
                    version_id=endpoint.version_id,
                )
            )
        resolved.append(
            ResolvedEntry(
                id=stable_id(service_name, entry.type, entry.name),
                type=entry.type,
                name=entry.name,
                endpoints=tuple(endpoints),
            )
        )
    return resolved


def endpoint_url(template: str, tenant_id: str | None, region: str | None) -> str:
    """
    A configured endpoint URL for one tenant and region: ``{tenant_id}``
    and ``{region}`` filled in (checked when the file was read).
    """
    return template.format(tenant_id=tenant_id or "", region=region or "")


def changed(
    entries: Iterable[ResolvedEntry], changes: Sequence[CatalogChange], tenant_id: str
) -> list[ResolvedEntry]:
    """
    Entries as a configuration file's ``[catalog.<type>]`` tables change
    them: renamed, retyped, their endpoints' URLs replaced.  Ids stay
    those of the entries as the service declares them.
    """
    by_type = {change.type: change for change in changes}
    result = []
    for entry in entries:
        change = by_type.get(entry.type)
        if change is None:
            result.append(entry)
            continue
        endpoints = entry.endpoints
        url = change.url
        if url is not None:
            endpoints = tuple(
                evolve(
                    endpoint,
                    public_url=endpoint_url(url, tenant_id, endpoint.region),
                    internal_url=None if endpoint.internal_url is None else endpoint_url(url, tenant_id, endpoint.region),
                )
                for endpoint in endpoints
            )
        result.append(
            evolve(
                entry,
                name=change.name if change.name is not None else entry.name,
                type=change.new_type if change.new_type is not None else entry.type,
                endpoints=endpoints,
            )
        )
    return result
