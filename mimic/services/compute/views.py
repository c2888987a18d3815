# -*- test-case-name: mimic.test.test_compute_views,mimic.test.test_compute_servers -*-
"""
Servers on the wire: the JSON Nova gives for a server, per microversion.

A server is described once, as a dictionary (:meth:`ServerViews.detail`).
Listings, the one place where hundreds of servers are written per
request, write each server's JSON text directly instead
(:meth:`ServerViews.detail_text`): the same document, with everything a
page's servers share encoded once per request, at a fifth of the cost of
building and encoding dictionaries.  Servers the fast writer does not
cover (a fault, networks other than Rackspace's own) go through the
dictionary; the tests check that both give the same document.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from mimic.http import encode_json
from mimic.profiles import DEFAULT_PROFILE
from mimic.services.compute.flavor_sets import flavor_set
from mimic.services.compute.flavors import embedded_flavor_json
from mimic.services.compute.images import IMAGE_PROPERTIES_VERSION, embedded_image_json
from mimic.services.compute.addresses import addresses_text_from_ports
from mimic.services.compute.model import (
    PROGRESS_STATUSES,
    PUBLIC_NETWORK,
    Server,
    mac_for,
    private_v4,
    public_v4,
    public_v6,
    status_of,
)
from mimic.services.compute.networking import security_group_names
from mimic.services.compute.web import RequestContext, resource_links
from mimic.services.compute.volumes import volumes_attached
from mimic.timestamps import iso_seconds


#: The microversion from which a server shows the scheduler hints its
#: create gave.
SCHEDULER_HINTS_VERSION = (2, 100)


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
        self._images: dict[Any, Any] = {}
        self._flavors: dict[str, dict[str, Any]] = {}
        #: Encoded JSON of values many servers share, by value, and of
        #: the embedded image and flavor documents, by id.
        self._encoded: dict[Any, str] = {}
        self._documents: dict[tuple[str, Any], str] = {}
        # The link prefixes as JSON strings, still open for the id.
        self._self_open = encode_basestring(self._self_prefix)[:-1]
        self._bookmark_open = encode_basestring(self._bookmark_prefix)[:-1]
        self._tail_version = self.microversion >= (2, 9)
        self._image_properties = self.microversion >= IMAGE_PROPERTIES_VERSION
        # The flavors of the request's cloud; a context that names no
        # profile (as a test may make by hand) is Rackspace's.
        self._flavor_set = flavor_set(getattr(ctx, "profile", DEFAULT_PROFILE), getattr(ctx, "region", None))

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

    def summary_listing(self, servers: list[Server], links: list[dict[str, str]]) -> dict[str, Any]:
        """
        The body of ``GET /servers``: one page and its ``next`` link.
        """
        body: dict[str, Any] = {"servers": [self.summary(s) for s in servers]}
        if links:
            body["servers_links"] = links
        return body

    def detail_listing(self, servers: list[Server], links: list[dict[str, str]]) -> bytes:
        """
        The body of ``GET /servers/detail``, encoded: one page and its
        ``next`` link, written as text (see :meth:`detail_text`).
        """
        text = '{"servers":[' + ",".join([self.detail_text(s) for s in servers]) + "]"
        if links:
            text += ',"servers_links":' + encode_json(links).decode("utf-8")
        try:
            return (text + "}").encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate from a client's \ud800 escape: the
            # dictionaries' encoder escapes it.
            body: dict[str, Any] = {"servers": [self.detail(s, listing=True) for s in servers]}
            if links:
                body["servers_links"] = links
            return encode_json(body)

    def _image_key(self, server: Server) -> Any:
        """
        What a server's embedded image depends on at this request's
        microversion: its id, and from 2.98 the properties it keeps.
        """
        if self._image_properties and server.image_id:
            return (server.image_id, server.image_properties)
        return server.image_id

    def _image(self, key: Any) -> Any:
        """
        The embedded image for a key of :meth:`_image_key` ("" for a
        server booted from a volume), made once per request.
        """
        image = self._images.get(key)
        if image is None:
            if isinstance(key, tuple):
                image = embedded_image_json(self.ctx, key[0], key[1])
            else:
                image = embedded_image_json(self.ctx, key) if key else ""
            self._images[key] = image
        return image

    def _flavor(self, flavor_id: str) -> dict[str, Any]:
        embedded = self._flavors.get(flavor_id)
        if embedded is None:
            flavor = self._flavor_set.get(flavor_id)
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
        networking = self.ctx.networking
        addresses, access_ipv4, access_ipv6 = server.addresses_and_access_ips(networking)
        body: dict[str, Any] = {
            "id": server.id,
            "name": server.name,
            "status": status,
            "tenant_id": server.tenant_id,
            "user_id": server.user_id,
            "metadata": dict(server.metadata),
            "hostId": server.host_id if vm_state != "building" else "",
            "image": self._image(self._image_key(server)),
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
            "os-extended-volumes:volumes_attached": volumes_attached(server, version),
        }
        groups = security_group_names(server, networking)
        if groups:
            body["security_groups"] = [{"name": name} for name in groups]
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
            body["server_groups"] = [server.server_group] if server.server_group else []
        if version >= (2, 73):
            body["locked_reason"] = server.locked_reason
        if version >= (2, 90):
            body["OS-EXT-SRV-ATTR:hostname"] = server.hostname
        if version >= (2, 96):
            body["pinned_availability_zone"] = None
        if version >= SCHEDULER_HINTS_VERSION:
            body["scheduler_hints"] = {name: list(values) for name, values in server.scheduler_hints}
        return body


    def _shared(self, value: Any) -> str:
        """
        ``value`` (a string, a tuple of security group names, or None) as
        JSON, encoded once per request.
        """
        encoded = self._encoded.get(value)
        if encoded is None:
            if value is None:
                encoded = "null"
            elif isinstance(value, tuple):
                encoded = encode_json([{"name": name} for name in value]).decode("utf-8")
            else:
                encoded = encode_basestring(value)
            self._encoded[value] = encoded
        return encoded

    def _shared_document(self, kind: str, key: Any) -> str:
        cache_key = (kind, key)
        encoded = self._documents.get(cache_key)
        if encoded is None:
            document = self._image(key) if kind == "image" else self._flavor(key)
            encoded = self._documents[cache_key] = encode_json(document).decode("utf-8")
        return encoded

    def detail_text(self, server: Server) -> str:
        """
        An entry of ``GET /servers/detail`` as JSON text: the document
        ``detail(server, listing=True)`` gives, written directly.
        """
        networked = server.networking_lookup is not None and self.ctx.networking is not None
        if (
            server.fault is not None
            or server.block_devices
            or (server.networks is not None and not networked)
        ):
            return encode_json(self.detail(server, listing=True)).decode("utf-8")
        shared = self._shared
        number = server.number
        vm_state = server.vm_state
        task_state = server.task_state
        status = status_of(vm_state, task_state)
        groups = server.security_groups
        if networked:
            # Read from the server's ports in the network service.
            networking = self.ctx.networking
            addresses_text, access_v4, access_v6 = addresses_text_from_ports(
                networking, server.id, (server._access_ipv4, server._access_ipv6), PUBLIC_NETWORK
            )
            access_text = f'"accessIPv4":{shared(access_v4)},"accessIPv6":{shared(access_v6)}'
            groups = security_group_names(server, networking)
        else:
            mac = mac_for(number)
            v4, v6 = public_v4(number), public_v6(number)
            addresses_text = (
                f'{{"public":[{{"version":4,"addr":"{v4}","OS-EXT-IPS:type":"fixed",'
                f'"OS-EXT-IPS-MAC:mac_addr":"{mac}"}},{{"version":6,"addr":"{v6}","OS-EXT-IPS:type":"fixed",'
                f'"OS-EXT-IPS-MAC:mac_addr":"{mac}"}}],"private":[{{"version":4,"addr":"{private_v4(number)}",'
                f'"OS-EXT-IPS:type":"fixed","OS-EXT-IPS-MAC:mac_addr":"{mac}"}}]}}'
            )
            own_v4 = server._access_ipv4
            own_v6 = server._access_ipv6
            access_text = (
                f'"accessIPv4":{chr(34) + v4 + chr(34) if own_v4 is None else shared(own_v4)},'
                f'"accessIPv6":{chr(34) + v6 + chr(34) if own_v6 is None else shared(own_v6)}'
            )
        server_id = encode_basestring(server.id)[1:]
        launched = nova_usage_time(server.launched_at)
        terminated = nova_usage_time(server.terminated_at)
        metadata = encode_json(dict(server.metadata)).decode("utf-8") if server.metadata else "{}"
        text = (
            f'{{"id":"{server_id},"name":{encode_basestring(server.name)},"status":"{status}",'
            f'"tenant_id":{shared(server.tenant_id)},"user_id":{shared(server.user_id)},'
            f'"metadata":{metadata},"hostId":{shared(server.host_id) if vm_state != "building" else chr(34) * 2},'
            f'"image":{self._shared_document("image", self._image_key(server))},'
            f'"flavor":{self._shared_document("flavor", server.flavor_id)},'
            f'"created":"{iso_seconds(server.created)}","updated":"{iso_seconds(server.updated)}",'
            f'"addresses":{addresses_text},{access_text},'
            f'"links":[{{"href":{self._self_open}{server_id},"rel":"self"}},'
            f'{{"href":{self._bookmark_open}{server_id},"rel":"bookmark"}}],'
            f'"OS-DCF:diskConfig":{shared(server.disk_config)},'
            f'"OS-EXT-AZ:availability_zone":{shared(server.availability_zone)},'
            f'"config_drive":{shared(server.config_drive)},"key_name":{shared(server.key_name)},'
            f'"OS-SRV-USG:launched_at":{chr(34) + launched + chr(34) if launched else "null"},'
            f'"OS-SRV-USG:terminated_at":{chr(34) + terminated + chr(34) if terminated else "null"},'
            f'"OS-EXT-STS:task_state":{shared(task_state)},"OS-EXT-STS:vm_state":{shared(vm_state)},'
            f'"OS-EXT-STS:power_state":{server.power_state:d},"os-extended-volumes:volumes_attached":[]'
        )
        if groups:
            text += f',"security_groups":{shared(groups)}'
        if status in PROGRESS_STATUSES:
            text += f',"progress":{server.progress:d}'
        if self._tail_version:
            text += self._version_tail(server)
        return text + "}"

    def _version_tail(self, server: Server) -> str:
        """
        The fields later microversions add to a listing's entry.
        """
        version = self.microversion
        tail = ',"locked":true' if server.locked else ',"locked":false'
        if version >= (2, 19):
            tail += f',"description":{self._shared(server.description)}'
        if version >= (2, 26):
            tail += f',"tags":{encode_json(list(server.tags)).decode("utf-8")}'
        if version >= (2, 63):
            tail += ',"trusted_image_certificates":null'
        if version >= (2, 73):
            tail += f',"locked_reason":{self._shared(server.locked_reason)}'
        if version >= (2, 90):
            tail += f',"OS-EXT-SRV-ATTR:hostname":{encode_basestring(server.hostname)}'
        if version >= (2, 96):
            tail += ',"pinned_availability_zone":null'
        if version >= SCHEDULER_HINTS_VERSION:
            hints = server.scheduler_hints
            tail += ',"scheduler_hints":' + (
                encode_json({name: list(values) for name, values in hints}).decode("utf-8") if hints else "{}"
            )
        return tail


def server_json(server: Server, ctx: RequestContext, listing: bool = False) -> dict[str, Any]:
    """
    A server as ``GET /servers/{id}`` (or, with ``listing``, an entry of
    ``GET /servers/detail``) gives it at the context's microversion.
    """
    return ServerViews(ctx).detail(server, listing)


#: What a server update's or rebuild's response leaves out before 2.75,
#: where Nova starts showing everything ``GET /servers/{id}`` shows.
_NOT_IN_CHANGE_RESPONSES = (
    "OS-EXT-AZ:availability_zone", "config_drive", "key_name", "OS-SRV-USG:launched_at",
    "OS-SRV-USG:terminated_at", "security_groups", "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state",
    "OS-EXT-STS:power_state", "os-extended-volumes:volumes_attached",
)


def changed_server_json(server: Server, ctx: RequestContext, rebuilt: bool = False) -> dict[str, Any]:
    """
    A server as ``PUT /servers/{id}`` and (``rebuilt``) ``rebuild``
    answer it: without the extended attributes before 2.75, with plain
    addresses.  A rebuild's answer adds ``key_name`` from 2.54 and
    ``user_data`` from 2.57, which a rebuild may change.
    """
    body = server_json(server, ctx)
    if ctx.microversion < (2, 75):
        for key in _NOT_IN_CHANGE_RESPONSES:
            body.pop(key, None)
        body["addresses"] = plain_addresses(server)
    if rebuilt:
        if ctx.microversion >= (2, 54):
            body["key_name"] = server.key_name
        if ctx.microversion >= (2, 57):
            body["user_data"] = server.user_data
    return body


def created_json(server: Server, ctx: RequestContext) -> dict[str, Any]:
    """
    The body of a create's 202: the (first) new server's id, links,
    disk config, security groups and admin password.
    """
    return {
        "server": {
            "id": server.id,
            "links": resource_links(ctx, "servers", server.id),
            "OS-DCF:diskConfig": server.disk_config,
            "security_groups": [{"name": n} for n in server.security_groups],
            "adminPass": server.admin_pass,
        }
    }


def reservation_json(server: Server) -> dict[str, Any]:
    """
    The body of a create's 202 when the request asked for a reservation
    id instead of the server.
    """
    return {"reservation_id": f"r-{server.id[:8]}"}


def plain_addresses(server: Server) -> dict[str, list[dict[str, Any]]]:
    """
    A server's addresses as the ``ips`` calls give them: version and
    address only.
    """
    return {
        network: [{"version": a["version"], "addr": a["addr"]} for a in addresses]
        for network, addresses in server.addresses.items()
    }
