# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Nova's HTTP API for one tenant in one region.

Below the service prefix the app serves the version documents at ``/``,
``/v2`` and ``/v2.1``, and the API itself at ``/<version>/<tenant_id>/...``
for both versions.  Servers, their metadata, addresses and actions are
handled here and in :mod:`~mimic.services.compute.actions`; flavors,
images, keypairs, limits and availability zones are mounted from their
own modules.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from typing import Any

from attrs import define
from klein import Klein
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from mimic.failures import BadRegistration, Firing
from mimic.http import (
    JSON_CONTENT_TYPE,
    HTTPError,
    base_url,
    encode_json,
    header,
    json_response,
    page,
    query_arg,
    read_json,
    render_error,
)
from mimic.interfaces import IMimicCore
from mimic.services.compute import failures as events
from mimic.services.compute import flavors, images, keypairs, limits, quotas, zones
from mimic.services.compute.errors import (
    invalid_input,
    nova_error,
    server_not_found,
)
from mimic.services.compute.flavors import flavor_from_ref, limit_and_marker, next_links
from mimic.services.compute.images import image_id_from_ref
from mimic.services.compute.limits import Quotas, Usage
from mimic.services.compute.model import (
    ACTIVE,
    BUILDING,
    ERROR,
    KNOWN_STATUSES,
    NOSTATE,
    PUBLIC_NETWORK,
    RUNNING,
    DEFAULT_SECURITY_GROUPS,
    NO_METADATA,
    ComputeState,
    Server,
    Transition,
    admin_password,
    requested_networks,
)
from mimic.services.compute.versions import (
    Microversion,
    is_legacy,
    negotiate,
    version_document,
    version_documents,
)
from mimic.services.compute.validation import (
    check_metadata_quota,
    disk_config,
    integer,
    ip_address,
    networks,
    server_name,
    string_map,
    timestamp_arg,
)
from mimic.services.compute.views import ServerViews, server_json, server_summary_json

log = Logger()

PREFIX = "/<version>/<tenant_id>"

#: The query arguments that filter a server listing (anything else, such
#: as ``limit`` and ``marker``, leaves the listing whole).
_LISTING_FILTERS = tuple(
    name.encode("ascii")
    for name in ("changes-since", "changes-before", "status", "name", "image", "flavor", "ip", "ip6", "key_name")
)

@define
class RequestContext:
    """
    What one request's handlers need (the protocol
    :class:`mimic.services.compute.flavors.RequestContext` describes).
    """

    microversion: Microversion
    versioned_url: str
    unversioned_url: str
    user_id: str
    now: float
    state: ComputeState
    tenant_id: str
    region: str

    @property
    def keypairs(self) -> Any:
        return self.state.keypairs

    @property
    def images(self) -> Any:
        return self.state.images

    def flavor_ids_in_use(self) -> list[str]:
        return self.state.flavor_ids_in_use(self.now)

    @property
    def quotas(self) -> Quotas:
        return self.state.quotas

    @quotas.setter
    def quotas(self, quotas: Quotas) -> None:
        self.state.quotas = quotas

    def usage(self) -> Usage:
        return self.state.usage(self.now)


class ComputeAPI:
    """
    The API for one tenant in one region; ``self.state`` is that
    (tenant, region)'s :class:`ComputeState`.
    """

    app = Klein()

    def __init__(self, core: IMimicCore, state: ComputeState, region: str, tenant_id: str) -> None:
        self.core = core
        self.state = state
        self.region = region
        self.tenant_id = tenant_id
        self.root_path = f"/service/compute/{region}/{tenant_id}"

    # -- errors ---------------------------------------------------------

    @app.handle_errors(HTTPError)
    def _render_error(self, request: IRequest, failure: Failure) -> bytes:
        return render_error(request, failure)

    @app.handle_errors(NotFound)
    def _not_found(self, request: IRequest, failure: Failure) -> bytes:
        return json_response(request, nova_error(404, "The resource could not be found.").body, 404)

    @app.handle_errors(MethodNotAllowed)
    def _bad_method(self, request: IRequest, failure: Failure) -> bytes:
        return json_response(request, nova_error(405, "The method specified is not allowed for this resource.").body, 405)

    @app.handle_errors(Exception)
    def _unexpected(self, request: IRequest, failure: Failure) -> bytes:
        log.failure("Unexpected error in the compute API", failure)
        message = "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible."
        return json_response(request, nova_error(500, message).body, 500)

    # -- context --------------------------------------------------------

    def root_url(self, request: IRequest) -> str:
        return base_url(request) + self.root_path

    def context(self, request: IRequest, version: str, tenant_id: str) -> RequestContext:
        """
        Check the version and tenant in the URL, negotiate the
        microversion, and describe the request for the handlers.
        """
        is_legacy(version)
        microversion = negotiate(request)
        if tenant_id != self.tenant_id:
            raise nova_error(
                400,
                f"Malformed request URL: URL's project_id '{tenant_id}' doesn't match "
                f"Context's project_id '{self.tenant_id}'",
            )
        token = self.core.sessions.token(header(request, "x-auth-token"))
        root = self.root_url(request)
        return RequestContext(
            microversion=microversion,
            versioned_url=f"{root}/{version}/{tenant_id}",
            unversioned_url=f"{root}/{tenant_id}",
            user_id=token.user.id if token is not None else "",
            now=self.core.clock.seconds(),
            state=self.state,
            tenant_id=self.tenant_id,
            region=self.region,
        )

    def consult(self, event_id: str, attributes: dict[str, Any], metadata: dict[str, str]) -> Firing | None:
        """
        Ask the failure engine about this occurrence of an event; a
        malformed trigger in the metadata is the client's 400.
        """
        try:
            return self.core.failures.consult(event_id, attributes=attributes, metadata=metadata)
        except BadRegistration as e:
            raise nova_error(400, str(e))

    def server(self, ctx: RequestContext, server_id: str) -> Server:
        server = self.state.get(server_id, ctx.now)
        if server is None:
            raise server_not_found(server_id)
        return server

    # -- versions -------------------------------------------------------

    @app.route("/", methods=["GET", "HEAD"])
    def versions(self, request: IRequest) -> bytes:
        return json_response(request, {"versions": version_documents(self.root_url(request))})

    @app.route("/<version>", methods=["GET", "HEAD"])
    @app.route("/<version>/", methods=["GET", "HEAD"], endpoint="version_slash")
    def version(self, request: IRequest, version: str) -> bytes:
        legacy = is_legacy(version)
        negotiate(request)
        version_id = "v2.0" if legacy else "v2.1"
        return json_response(request, {"version": version_document(self.root_url(request), version_id)})

    @app.route(PREFIX, methods=["GET", "HEAD"])
    @app.route(PREFIX + "/", methods=["GET", "HEAD"], endpoint="project_version_slash")
    def project_version(self, request: IRequest, version: str, tenant_id: str) -> bytes:
        self.context(request, version, tenant_id)
        version_id = "v2.0" if is_legacy(version) else "v2.1"
        return json_response(request, {"version": version_document(self.root_url(request), version_id)})

    # -- servers --------------------------------------------------------

    @app.route(PREFIX + "/servers", methods=["GET"])
    def list_servers(self, request: IRequest, version: str, tenant_id: str) -> bytes:
        return self._list(request, self.context(request, version, tenant_id), detail=False)

    @app.route(PREFIX + "/servers/detail", methods=["GET"])
    def list_servers_detail(self, request: IRequest, version: str, tenant_id: str) -> bytes:
        return self._list(request, self.context(request, version, tenant_id), detail=True)

    def _list(self, request: IRequest, ctx: RequestContext, detail: bool) -> bytes:
        limit, marker = limit_and_marker(request)
        if any(name in request.args for name in _LISTING_FILTERS):
            servers = self._filtered(request, ctx)
            paged = page(servers, lambda s: s.id, limit, marker)
        else:
            # No filter: the model pages its own ordered index, so a page
            # costs its length, not the tenant's size.
            paged = self.state.page(ctx.now, limit, marker)
        if paged is None:
            raise nova_error(400, f"marker [{marker}] not found")
        items, more = paged
        views = ServerViews(ctx)
        path = "servers/detail" if detail else "servers"
        links = next_links(ctx, request, path, items[-1].id if items else None, more)
        if detail:
            # Written as text: see mimic.services.compute.views.
            text = '{"servers":[' + ",".join([views.detail_text(s) for s in items]) + "]"
            if links:
                text += ',"servers_links":' + encode_json(links).decode("utf-8")
            try:
                encoded = (text + "}").encode("utf-8")
            except UnicodeEncodeError:
                # A lone surrogate from a client's \ud800 escape: the
                # dictionaries' encoder escapes it.
                body: dict[str, Any] = {"servers": [views.detail(s, listing=True) for s in items]}
                if links:
                    body["servers_links"] = links
                return json_response(request, body)
            request.setResponseCode(200)
            request.setHeader(b"content-type", JSON_CONTENT_TYPE)
            return encoded
        body = {"servers": [views.summary(s) for s in items]}
        if links:
            body["servers_links"] = links
        return json_response(request, body)

    def _filtered(self, request: IRequest, ctx: RequestContext) -> list[Server]:
        servers = self.state.live(ctx.now)
        since = query_arg(request, "changes-since")
        before = query_arg(request, "changes-before") if ctx.microversion >= (2, 66) else None
        if since is not None or before is not None:
            after_time = timestamp_arg(since, "changes-since") if since is not None else None
            before_time = timestamp_arg(before, "changes-before") if before is not None else None
            if after_time is not None and before_time is not None and before_time < after_time:
                raise nova_error(400, "The value of changes-since must be less than or equal to changes-before.")
            servers = servers + list(reversed(self.state.deleted.values()))
            servers.sort(key=lambda s: s.created, reverse=True)
            servers = [
                s
                for s in servers
                if (after_time is None or s.updated >= after_time)
                and (before_time is None or s.updated <= before_time)
            ]
        status = query_arg(request, "status")
        if status is not None:
            wanted = status.upper()
            if wanted not in KNOWN_STATUSES and ctx.microversion >= (2, 38):
                raise nova_error(400, "Invalid status value")
            servers = [s for s in servers if s.status == wanted]
        name = query_arg(request, "name")
        if name is not None:
            try:
                pattern = re.compile(name)
            except re.error:
                pattern = re.compile(re.escape(name))
            servers = [s for s in servers if pattern.search(s.name)]
        image = query_arg(request, "image")
        if image is not None:
            image_id = image.rstrip("/").rsplit("/", 1)[-1]
            servers = [s for s in servers if s.image_id == image_id]
        flavor = query_arg(request, "flavor")
        if flavor is not None:
            flavor_id = flavor.rstrip("/").rsplit("/", 1)[-1]
            servers = [s for s in servers if s.flavor_id == flavor_id]
        for argument, version in (("ip", 4), ("ip6", 6)):
            raw = query_arg(request, argument)
            if raw is not None:
                try:
                    ip_pattern = re.compile(raw)
                except re.error:
                    ip_pattern = re.compile(re.escape(raw))
                servers = [
                    s
                    for s in servers
                    if any(
                        a["version"] == version and ip_pattern.search(a["addr"])
                        for addresses in s.addresses.values()
                        for a in addresses
                    )
                ]
        key_name = query_arg(request, "key_name")
        if key_name is not None:
            servers = [s for s in servers if s.key_name == key_name]
        return servers

    @app.route(PREFIX + "/servers", methods=["POST"])
    def create_server(self, request: IRequest, version: str, tenant_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        body = read_json(request, nova_error)
        if not isinstance(body, dict) or not isinstance(body.get("server"), dict):
            raise invalid_input("server", body, "'server' is a required property")
        spec = body["server"]
        for required in ("name", "flavorRef"):
            if required not in spec:
                raise invalid_input("server", spec, f"'{required}' is a required property")
        name = server_name(spec["name"])
        flavor_ref = spec["flavorRef"]
        if isinstance(flavor_ref, bool) or not isinstance(flavor_ref, (str, int)) or flavor_ref == "":
            raise invalid_input("flavorRef", flavor_ref, f"{flavor_ref!r} is not of type 'string', 'integer'")
        flavor = flavor_from_ref(flavor_ref)
        if flavor is None:
            raise nova_error(400, "Invalid flavorRef provided.")
        image_id = self._image_for_create(spec)
        metadata = string_map(spec.get("metadata", {}), "metadata")
        check_metadata_quota(metadata, ctx.quotas.metadata_items)
        key_name = spec.get("key_name")
        if key_name is not None:
            if not isinstance(key_name, str) or self.state.keypairs.get(key_name) is None:
                raise nova_error(400, "Invalid key_name provided.")
        networks_asked = networks(spec["networks"], ctx.microversion) if "networks" in spec else None
        disk_setting = disk_config(spec.get("OS-DCF:diskConfig", "AUTO"))
        access_ipv4 = ip_address(spec.get("accessIPv4"), "accessIPv4", 4)
        access_ipv6 = ip_address(spec.get("accessIPv6"), "accessIPv6", 6)
        description = self._description(spec, ctx)
        admin_pass = spec.get("adminPass")
        if admin_pass is not None and not isinstance(admin_pass, str):
            raise invalid_input("adminPass", admin_pass, f"{admin_pass!r} is not of type 'string'")
        user_data = spec.get("user_data")
        if user_data is not None:
            try:
                base64.b64decode(user_data, validate=True)
            except (binascii.Error, ValueError, TypeError):
                raise nova_error(400, "User data needs to be valid base 64.")
        tags = spec.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 60 for t in tags):
            raise invalid_input("tags", tags, "tags must be a list of strings of 1 to 60 characters")
        security_groups = spec.get("security_groups", [{"name": "default"}])
        if not isinstance(security_groups, list) or not all(
            isinstance(g, dict) and isinstance(g.get("name"), str) for g in security_groups
        ):
            raise invalid_input("security_groups", security_groups, "each must be an object with a 'name'")
        zone = spec.get("availability_zone") or zones.DEFAULT_ZONE
        if not isinstance(zone, str):
            raise invalid_input("availability_zone", zone, f"{zone!r} is not of type 'string'")
        if not zones.is_known_zone(zone.split(":", 1)[0]):
            raise nova_error(400, "The requested availability zone is not available")
        zone = zone.split(":", 1)[0]
        min_count, max_count = self._counts(body, spec)

        firing = self.consult(
            events.SERVER_CREATE.id,
            {
                "server_name": name,
                "tenant_id": self.tenant_id,
                "region": self.region,
                "image_ref": image_id,
                "flavor_ref": flavor.id,
            },
            metadata,
        )
        if firing is not None and firing.name == "fail":
            raise nova_error(firing["code"], firing["message"])
        if firing is not None and firing.name == "over-quota":
            used = len(self.state.servers)
            raise nova_error(
                403,
                f"Quota exceeded for instances: Requested {min_count}, but already used "
                f"{used} of {used} instances",
            )
        quota = self.state.over_quota(min_count, flavor.id, ctx.now)
        if quota is not None:
            raise nova_error(403, quota)
        if self.state.over_quota(max_count, flavor.id) is not None:
            max_count = min_count

        kept_networks = requested_networks(networks_asked)
        derive_access = not access_ipv4 and (
            kept_networks is None or any(n == PUBLIC_NETWORK for n, _ in kept_networks)
        )
        group_names = tuple(g["name"] for g in security_groups)
        if group_names == DEFAULT_SECURITY_GROUPS:
            group_names = DEFAULT_SECURITY_GROUPS
        created = []
        for index in range(max_count):
            display_name = name if max_count == 1 else f"{name}-{index + 1}"
            number = next(self.state.numbers)
            server = Server(
                id=self.state.new_id(),
                number=number,
                # Interned: servers made in bulk share a name and an image.
                name=sys.intern(display_name),
                tenant_id=self.tenant_id,
                user_id=ctx.user_id,
                image_id=sys.intern(image_id),
                flavor_id=flavor.id,
                created=ctx.now,
                updated=ctx.now,
                host_id=self.state.host_id,
                admin_pass=admin_pass or admin_password(),
                metadata=dict(metadata) if metadata else NO_METADATA,
                networks=kept_networks,
                key_name=key_name,
                availability_zone=zone,
                disk_config=disk_setting,
                config_drive="True" if spec.get("config_drive") in (True, "true", "True") else "",
                # None: the public addresses, when the request set no IPv4.
                access_ipv4=None if derive_access else access_ipv4,
                access_ipv6=None if derive_access else access_ipv6,
                description=description,
                tags=tuple(tags),
                user_data=user_data,
                security_groups=group_names,
            )
            self._start(server, ctx.now, firing)
            self.state.add(server)
            created.append(server)

        if firing is not None and firing.name == "false-negative":
            raise nova_error(firing["code"], firing["message"])
        first = created[0]
        if body.get("return_reservation_id") or spec.get("return_reservation_id"):
            return json_response(request, {"reservation_id": f"r-{first.id[:8]}"}, 202)
        described = {
            "id": first.id,
            "links": server_summary_json(first, ctx)["links"],
            "OS-DCF:diskConfig": first.disk_config,
            "security_groups": [{"name": n} for n in first.security_groups],
            "adminPass": first.admin_pass,
        }
        location = f"{ctx.versioned_url}/servers/{first.id}"
        return json_response(request, {"server": described}, 202, {b"Location": location.encode()})

    def _image_for_create(self, spec: dict[str, Any]) -> str:
        """
        The image a server boots from: ``imageRef``, or the image source of
        a boot-from-volume request (whose server shows no image).
        """
        ref = spec.get("imageRef")
        mappings = spec.get("block_device_mapping_v2")
        if ref in (None, "") and isinstance(mappings, list) and mappings:
            return ""
        if ref in (None, ""):
            raise nova_error(400, "Can not find requested image")
        image_id = image_id_from_ref(ref)
        if image_id is None:
            raise nova_error(400, "Invalid imageRef provided.")
        if self.state.images.get(image_id) is None:
            raise nova_error(400, "Can not find requested image")
        return image_id

    def _description(self, spec: dict[str, Any], ctx: RequestContext) -> str | None:
        if "description" not in spec:
            return None
        if ctx.microversion < (2, 19):
            raise invalid_input("server", spec, "Additional properties are not allowed ('description' was unexpected)")
        description = spec["description"]
        if description is not None and (not isinstance(description, str) or len(description) > 255):
            raise invalid_input("description", description, "must be a string of at most 255 characters")
        return description

    @staticmethod
    def _counts(body: dict[str, Any], spec: dict[str, Any]) -> tuple[int, int]:
        def count(name: str, default: int) -> int:
            return integer(spec.get(name, body.get(name, default)), name, 1)

        min_count = count("min_count", 1)
        max_count = count("max_count", min_count)
        if max_count < min_count:
            raise nova_error(400, "min_count must be <= max_count")
        return min_count, max_count

    def _start(self, server: Server, now: float, firing: Firing | None) -> None:
        """
        Set a new server on its way: ACTIVE at once unless a known error
        condition says otherwise.
        """
        active = (ACTIVE, None, RUNNING)
        if firing is None or firing.name in ("fail", "false-negative", "over-quota"):
            server.set_state(now, *active)
            server.progress = 100
        elif firing.name == "build":
            server.set_state(now, BUILDING, "spawning", NOSTATE)
            server.schedule(Transition(now + firing["seconds"], *active))
        elif firing.name == "error":
            server.set_state(now, BUILDING, None, NOSTATE)
            server.go_to_error(now, firing["message"])
        elif firing.name == "active-then-error":
            server.set_state(now, *active)
            server.progress = 100
            message = firing["message"]
            server.schedule(
                Transition(
                    now + firing["seconds"],
                    ERROR,
                    None,
                    RUNNING,
                    apply=lambda s: s.go_to_error(s.updated, message),
                )
            )

    @app.route(PREFIX + "/servers/<server_id>", methods=["GET"])
    def show_server(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        return json_response(request, {"server": server_json(self.server(ctx, server_id), ctx)})

    @app.route(PREFIX + "/servers/<server_id>", methods=["PUT"])
    def update_server(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        body = read_json(request, nova_error)
        if not isinstance(body, dict) or not isinstance(body.get("server"), dict):
            raise invalid_input("server", body, "'server' is a required property")
        spec = body["server"]
        allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
        if ctx.microversion >= (2, 19):
            allowed.add("description")
        if ctx.microversion >= (2, 90):
            allowed.add("hostname")
        unexpected = sorted(set(spec) - allowed)
        if unexpected:
            raise invalid_input(
                "server", spec,
                f"Additional properties are not allowed ({', '.join(repr(u) for u in unexpected)} was unexpected)",
            )
        changes: dict[str, Any] = {}
        if "name" in spec:
            changes["name"] = server_name(spec["name"])
        if "accessIPv4" in spec:
            changes["access_ipv4"] = ip_address(spec["accessIPv4"], "accessIPv4", 4)
        if "accessIPv6" in spec:
            changes["access_ipv6"] = ip_address(spec["accessIPv6"], "accessIPv6", 6)
        if "OS-DCF:diskConfig" in spec:
            changes["disk_config"] = disk_config(spec["OS-DCF:diskConfig"])
        if "description" in spec:
            changes["description"] = self._description(spec, ctx)
        for attribute, value in changes.items():
            setattr(server, attribute, value)
        server.updated = ctx.now
        return json_response(request, {"server": server_json(server, ctx)})

    @app.route(PREFIX + "/servers/<server_id>", methods=["DELETE"])
    def delete_server(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        if server.task_state == "deleting":
            return json_response(request, None, 204)
        if server.locked:
            raise nova_error(409, f"Instance {server.id} is locked")
        firing = self.consult(
            events.SERVER_DELETE.id,
            {
                "server_id": server.id,
                "server_name": server.name,
                "tenant_id": self.tenant_id,
                "region": self.region,
            },
            server.metadata,
        )
        if firing is not None and firing.name == "fail":
            times = firing["times"]
            if times is None or server.failed_deletes < times:
                server.failed_deletes += 1
                raise nova_error(firing["code"], firing["message"])
            firing = None
        if firing is not None and firing.name == "deleting":
            server.set_state(ctx.now, server.vm_state, "deleting", server.power_state)
            server.cancel_pending()
            self.state.schedule(
                server, Transition(ctx.now + firing["seconds"], server.vm_state, None, NOSTATE, gone=True)
            )
            if firing["seconds"] <= 0:
                self.state.get(server.id, ctx.now)
            return json_response(request, None, 204)
        self.state.remove(server, ctx.now)
        if firing is not None and firing.name == "false-negative":
            raise nova_error(firing["code"], firing["message"])
        return json_response(request, None, 204)

    # -- addresses ------------------------------------------------------

    @app.route(PREFIX + "/servers/<server_id>/ips", methods=["GET"])
    def list_ips(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        return json_response(request, {"addresses": self._plain_addresses(self.server(ctx, server_id))})

    @app.route(PREFIX + "/servers/<server_id>/ips/<network>", methods=["GET"])
    def show_ips(self, request: IRequest, version: str, tenant_id: str, server_id: str, network: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        addresses = self._plain_addresses(self.server(ctx, server_id))
        if network not in addresses:
            raise nova_error(404, "Instance is not a member of specified network")
        return json_response(request, {network: addresses[network]})

    @staticmethod
    def _plain_addresses(server: Server) -> dict[str, list[dict[str, Any]]]:
        """
        Addresses as the ``ips`` calls give them: version and address only.
        """
        return {
            network: [{"version": a["version"], "addr": a["addr"]} for a in addresses]
            for network, addresses in server.addresses.items()
        }

    # -- metadata -------------------------------------------------------

    def _metadata_body(self, request: IRequest, key: str) -> dict[str, str]:
        body = read_json(request, nova_error)
        if not isinstance(body, dict) or key not in body:
            raise invalid_input("body", body, f"'{key}' is a required property")
        return string_map(body[key], key)

    @app.route(PREFIX + "/servers/<server_id>/metadata", methods=["GET"])
    def list_metadata(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        return json_response(request, {"metadata": dict(self.server(ctx, server_id).metadata)})

    @app.route(PREFIX + "/servers/<server_id>/metadata", methods=["PUT"])
    def replace_metadata(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        metadata = self._metadata_body(request, "metadata")
        check_metadata_quota(metadata, ctx.quotas.metadata_items)
        server.metadata = metadata
        server.updated = ctx.now
        return json_response(request, {"metadata": dict(metadata)})

    @app.route(PREFIX + "/servers/<server_id>/metadata", methods=["POST"])
    def update_metadata(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        merged = dict(server.metadata)
        merged.update(self._metadata_body(request, "metadata"))
        check_metadata_quota(merged, ctx.quotas.metadata_items)
        server.metadata = merged
        server.updated = ctx.now
        return json_response(request, {"metadata": dict(merged)})

    @app.route(PREFIX + "/servers/<server_id>/metadata/<key>", methods=["GET"])
    def show_metadata_item(self, request: IRequest, version: str, tenant_id: str, server_id: str, key: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        if key not in server.metadata:
            raise nova_error(404, "Metadata item was not found")
        return json_response(request, {"meta": {key: server.metadata[key]}})

    @app.route(PREFIX + "/servers/<server_id>/metadata/<key>", methods=["PUT"])
    def set_metadata_item(self, request: IRequest, version: str, tenant_id: str, server_id: str, key: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        meta = self._metadata_body(request, "meta")
        if len(meta) > 1:
            raise nova_error(400, "Request body contains too many items")
        if key not in meta:
            raise nova_error(400, "Request body and URI mismatch")
        merged = dict(server.metadata)
        merged.update(meta)
        check_metadata_quota(merged, ctx.quotas.metadata_items)
        server.metadata = merged
        server.updated = ctx.now
        return json_response(request, {"meta": meta})

    @app.route(PREFIX + "/servers/<server_id>/metadata/<key>", methods=["DELETE"])
    def delete_metadata_item(self, request: IRequest, version: str, tenant_id: str, server_id: str, key: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.server(ctx, server_id)
        if key not in server.metadata:
            raise nova_error(404, "Metadata item was not found")
        server.metadata = {k: v for k, v in server.metadata.items() if k != key}
        server.updated = ctx.now
        return json_response(request, None, 204)


def _resource_context(instance: ComputeAPI, request: IRequest, version: str, tenant_id: str) -> RequestContext:
    return instance.context(request, version, tenant_id)


for _module in (flavors, images, keypairs, limits, quotas, zones):
    _module.install_routes(ComputeAPI.app, _resource_context, PREFIX)

from mimic.services.compute import actions as _actions  # noqa: E402  (adds its routes)

_actions.install_routes(ComputeAPI.app, PREFIX)
