# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Servers on the wire: the JSON Nova gives for a server, per microversion.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from mimic.services.compute.flavors import (
    RequestContext,
    embedded_flavor_json,
    get_flavor,
    resource_links,
)
from mimic.services.compute.images import embedded_image_json
from mimic.services.compute.model import PROGRESS_STATUSES, Server, status_of
from mimic.timestamps import iso_seconds


@lru_cache(maxsize=4096)
def nova_usage_time(seconds: float | None) -> str | None:
    """
    ``2013-09-23T13:53:12.000000``: how Nova writes ``launched_at``.

    Cached like :func:`mimic.timestamps.iso_seconds`: a listing writes two
    of these per server, and under Mimic's stepped clock servers share a
    few distinct times.
    """
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def server_summary_json(server: Server, ctx: RequestContext) -> dict[str, Any]:
    """
    An entry of ``GET /servers``.
    """
    return {"id": server.id, "name": server.name, "links": resource_links(ctx, "servers", server.id)}


class ServerViews:
    """
    Servers as one request shows them.  What every server of a response
    shares (the link prefixes, the embedded image and flavor documents)
    is built once per request rather than once per server.
    """

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx
        self.microversion = ctx.microversion
        self._self_prefix = f"{ctx.versioned_url}/servers/"
        self._bookmark_prefix = f"{ctx.unversioned_url}/servers/"
        self._images: dict[str, Any] = {}
        self._flavors: dict[str, dict[str, Any]] = {}

    def links(self, server_id: str) -> list[dict[str, str]]:
        return [
            {"href": self._self_prefix + server_id, "rel": "self"},
            {"href": self._bookmark_prefix + server_id, "rel": "bookmark"},
        ]

    def summary(self, server: Server) -> dict[str, Any]:
        """
        An entry of ``GET /servers``.
        """
        return {"id": server.id, "name": server.name, "links": self.links(server.id)}

    def _image(self, image_id: str) -> Any:
        image = self._images.get(image_id)
        if image is None:
            image = self._images[image_id] = (
                embedded_image_json(self.ctx, image_id) if image_id else ""
            )
        return image

    def _flavor(self, flavor_id: str) -> dict[str, Any]:
        embedded = self._flavors.get(flavor_id)
        if embedded is None:
            flavor = get_flavor(flavor_id)
            if flavor is None:  # pragma: no cover - servers are only made with known flavors
                embedded = {"id": flavor_id, "links": []}
            else:
                embedded = embedded_flavor_json(self.ctx, flavor)
            self._flavors[flavor_id] = embedded
        return embedded

    def detail(self, server: Server, listing: bool = False) -> dict[str, Any]:
        """
        A server as ``GET /servers/{id}`` (or, with ``listing``, an entry
        of ``GET /servers/detail``) gives it at the request's microversion.
        """
        version = self.microversion
        vm_state = server.vm_state
        status = status_of(vm_state, server.task_state)
        addresses, access_ipv4, access_ipv6 = server.addresses_and_access_ips()
        body: dict[str, Any] = {
            "id": server.id,
            "name": server.name,
            "status": status,
            "tenant_id": server.tenant_id,
            "user_id": server.user_id,
            "metadata": dict(server.metadata),
            "hostId": server.host_id if vm_state != "building" else "",
            "image": self._image(server.image_id),
            "flavor": self._flavor(server.flavor_id),
            "created": iso_seconds(server.created),
            "updated": iso_seconds(server.updated),
            "addresses": addresses,
            "accessIPv4": access_ipv4,
            "accessIPv6": access_ipv6,
            "links": self.links(server.id),
            "OS-DCF:diskConfig": server.disk_config,
            "OS-EXT-AZ:availability_zone": server.availability_zone,
            "config_drive": server.config_drive,
            "key_name": server.key_name,
            "OS-SRV-USG:launched_at": nova_usage_time(server.launched_at),
            "OS-SRV-USG:terminated_at": nova_usage_time(server.terminated_at),
            "OS-EXT-STS:task_state": server.task_state,
            "OS-EXT-STS:vm_state": vm_state,
            "OS-EXT-STS:power_state": server.power_state,
            "os-extended-volumes:volumes_attached": [],
        }
        if server.security_groups:
            body["security_groups"] = [{"name": name} for name in server.security_groups]
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


def server_json(server: Server, ctx: RequestContext, listing: bool = False) -> dict[str, Any]:
    """
    A server as ``GET /servers/{id}`` (or, with ``listing``, an entry of
    ``GET /servers/detail``) gives it at the context's microversion.
    """
    return ServerViews(ctx).detail(server, listing)
