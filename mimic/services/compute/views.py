# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Servers on the wire: the JSON Nova gives for a server, per microversion.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mimic.services.compute.flavors import (
    RequestContext,
    embedded_flavor_json,
    get_flavor,
    resource_links,
)
from mimic.services.compute.images import embedded_image_json
from mimic.services.compute.model import PROGRESS_STATUSES, Server
from mimic.timestamps import iso_seconds


def nova_usage_time(seconds: float | None) -> str | None:
    """
    ``2013-09-23T13:53:12.000000``: how Nova writes ``launched_at``.
    """
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def server_summary_json(server: Server, ctx: RequestContext) -> dict[str, Any]:
    """
    An entry of ``GET /servers``.
    """
    return {"id": server.id, "name": server.name, "links": resource_links(ctx, "servers", server.id)}


def _flavor_json(server: Server, ctx: RequestContext) -> dict[str, Any]:
    flavor = get_flavor(server.flavor_id)
    if flavor is None:  # pragma: no cover - servers are only made with known flavors
        return {"id": server.flavor_id, "links": []}
    return embedded_flavor_json(ctx, flavor)


def server_json(server: Server, ctx: RequestContext, listing: bool = False) -> dict[str, Any]:
    """
    A server as ``GET /servers/{id}`` (or, with ``listing``, an entry of
    ``GET /servers/detail``) gives it at the context's microversion.
    """
    version = ctx.microversion
    status = server.status
    body: dict[str, Any] = {
        "id": server.id,
        "name": server.name,
        "status": status,
        "tenant_id": server.tenant_id,
        "user_id": server.user_id,
        "metadata": dict(server.metadata),
        "hostId": server.host_id if server.vm_state != "building" else "",
        "image": embedded_image_json(ctx, server.image_id) if server.image_id else "",
        "flavor": _flavor_json(server, ctx),
        "created": iso_seconds(server.created),
        "updated": iso_seconds(server.updated),
        "addresses": server.addresses,
        "accessIPv4": server.access_ipv4,
        "accessIPv6": server.access_ipv6,
        "links": resource_links(ctx, "servers", server.id),
        "OS-DCF:diskConfig": server.disk_config,
        "OS-EXT-AZ:availability_zone": server.availability_zone,
        "config_drive": server.config_drive,
        "key_name": server.key_name,
        "OS-SRV-USG:launched_at": nova_usage_time(server.launched_at),
        "OS-SRV-USG:terminated_at": nova_usage_time(server.terminated_at),
        "OS-EXT-STS:task_state": server.task_state,
        "OS-EXT-STS:vm_state": server.vm_state,
        "OS-EXT-STS:power_state": server.power_state,
        "os-extended-volumes:volumes_attached": [],
        "security_groups": [{"name": name} for name in server.security_groups],
    }
    if not server.security_groups:
        del body["security_groups"]
    if status in PROGRESS_STATUSES:
        body["progress"] = server.progress
    if server.fault is not None and status in ("ERROR", "DELETED"):
        fault = dict(server.fault)
        fault["created"] = iso_seconds(fault["created"])
        body["fault"] = fault
    if version >= (2, 9):
        body["locked"] = server.locked
    if version >= (2, 19):
        body["description"] = server.description
    if version >= (2, 26):
        body["tags"] = list(server.tags)
    if version >= (2, 63):
        body["trusted_image_certificates"] = None
    if version >= (2, 71) and not listing:
        body["server_groups"] = []
    if version >= (2, 73):
        body["locked_reason"] = None
    if version >= (2, 90):
        body["OS-EXT-SRV-ATTR:hostname"] = server.hostname
    if version >= (2, 96):
        body["pinned_availability_zone"] = None
    return body
