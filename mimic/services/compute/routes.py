# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Nova's HTTP API for one tenant in one region.

Below the service prefix the app serves the version documents at ``/``,
``/v2`` and ``/v2.1``, and the API itself at ``/<version>/<tenant_id>/...``
for both versions.  Servers, their metadata and addresses are routed
here, each request in one direction: validation
(:mod:`~mimic.services.compute.validation`), the failure engine where a
known error condition may apply (:mod:`~mimic.services.compute.failures`),
the model (:mod:`~mimic.services.compute.model`), the views
(:mod:`~mimic.services.compute.views`).  Server actions run in
:mod:`~mimic.services.compute.actions`; flavors, images, keypairs,
limits, quotas and availability zones are Klein apps of their own,
which branch routes here hand the rest of the path to.
"""

from __future__ import annotations

from functools import partial

from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.http import JSON_CONTENT_TYPE, header, json_response, page, read_json, request_id, tenant_implied
from mimic.interfaces import IMimicCore
from mimic.services.compute.actions import run_action
from mimic.services.compute.backup import BACKUP_ACTIONS
from mimic.services.compute.locks import LOCK_ACTIONS, check_unlocked
from mimic.services.compute.shares import SharesAPI
from mimic.services.compute.shelve import SHELVE_ACTIONS
from mimic.services.compute.errors import handle_nova_errors, nova_error, server_locked
from mimic.services.compute.failures import SERVER_CREATE, SERVER_DELETE, FalseNegative
from mimic.services.compute.extensions import ExtensionsAPI
from mimic.services.compute.flavors import FlavorsAPI
from mimic.services.compute.images import ImagesAPI
from mimic.services.compute.instance_action_routes import InstanceActionsAPI
from mimic.services.compute.instance_actions import record_create, record_delete
from mimic.services.compute.keypairs import KeypairsAPI
from mimic.services.compute.limits import LimitsAPI
from mimic.services.compute.model import ComputeState, Server
from mimic.services.compute.quotas import QuotasAPI
from mimic.services.compute.tags import TagsAPI
from mimic.services.compute.password import PasswordAPI
from mimic.services.compute.diagnostics import DiagnosticsAPI
from mimic.services.compute.usage import UsageAPI
from mimic.services.compute.tenant_networks import TenantNetworksAPI
from mimic.services.compute.server_groups_api import ServerGroupsAPI, join_group, requested_group
from mimic.services.compute.interface_attachments import InterfacesAPI
from mimic.services.compute.network_actions import NETWORK_ACTIONS
from mimic.services.compute.network_proxies import FloatingIPsAPI, NetworksAPI
from mimic.services.compute.networking import allocate_all, plan_for_create, release_deleted
from mimic.services.compute.security_groups import (
    SecurityGroupRulesAPI,
    SecurityGroupsAPI,
    server_security_groups_json,
)
from mimic.services.compute.metadata import check_metadata_quota, metadata_body
from mimic.services.compute.validation import listing_filters, server_create, server_update
from mimic.services.compute.versions import is_legacy, negotiate, version_document, version_documents
from mimic.services.compute.views import (
    ServerViews,
    changed_server_json,
    created_json,
    plain_addresses,
    reservation_json,
    server_json,
)
from mimic.services.compute.web import (
    ContextFactory,
    RequestContext,
    limit_and_marker,
    next_links,
    sub_collection,
)
from mimic.services.compute.volume_routes import VolumeAttachmentsAPI, VolumesProxyAPI
from mimic.services.compute.volumes import (
    NO_VOLUMES,
    check_boot_volumes,
    provide_boot_volumes,
    release_volumes,
    volumes_for,
)
from mimic.services.compute.zones import ZonesAPI

PREFIX = "/<version>/<tenant_id>"

#: Server actions whose modules are beside :mod:`~mimic.services.compute.actions`.
MORE_ACTIONS = {**NETWORK_ACTIONS, **LOCK_ACTIONS, **BACKUP_ACTIONS, **SHELVE_ACTIONS}


def _server_id(server: Server) -> str:
    return server.id


class ComputeAPI:
    """
    The API for one tenant in one region; ``self.state`` is that
    (tenant, region)'s :class:`ComputeState`.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(
        self, core: IMimicCore, state: ComputeState, service: str, region: str, tenant_id: str
    ) -> None:
        self.core = core
        self.state = state
        self.service = service
        self.region = region
        self.tenant_id = tenant_id

    # -- context --------------------------------------------------------

    def root_url(self, request: IRequest) -> str:
        return self.core.service_url(request, self.service, self.region, self.tenant_id)

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
        # Links name the project where the client's URL did (Nova's own
        # rule): not under a profile's /compute/v2.1 (see mimic.mounts).
        project = "" if tenant_implied(request) else f"/{tenant_id}"
        return RequestContext(
            microversion=microversion,
            versioned_url=f"{root}/{version}{project}",
            unversioned_url=f"{root}{project}",
            user_id=token.user.id if token is not None else "",
            now=self.core.clock.seconds(),
            tenant_id=self.tenant_id,
            region=self.region,
            networking=self.state.networking,
            profile=self.core.profile,
            is_admin=token is not None and token.is_admin,
        )

    def later_context(self, request: IRequest, version: str, tenant_id: str) -> ContextFactory:
        """
        The request's context, for a sub-collection's handler to make
        once its own route has matched.
        """
        return partial(self.context, request, version, tenant_id)

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
        ctx = self.context(request, version, tenant_id)
        items, links = self._page(request, ctx, "servers")
        return json_response(request, ServerViews(ctx).summary_listing(items, links))

    @app.route(PREFIX + "/servers/detail", methods=["GET"])
    def list_servers_detail(self, request: IRequest, version: str, tenant_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        items, links = self._page(request, ctx, "servers/detail")
        encoded = ServerViews(ctx).detail_listing(items, links)
        request.setResponseCode(200)
        request.setHeader(b"content-type", JSON_CONTENT_TYPE)
        return encoded

    def _page(
        self, request: IRequest, ctx: RequestContext, path: str
    ) -> tuple[list[Server], list[dict[str, str]]]:
        """
        The page of servers a listing's query asks for, and its ``next``
        link.
        """
        limit, marker = limit_and_marker(request, zero_is_empty=True)
        filters = listing_filters(request, ctx.microversion)
        if filters is None:
            # No filter: the model pages its own ordered index, so a page
            # costs its length, not the tenant's size.
            paged = self.state.page(ctx.now, limit, marker)
        else:
            paged = page(self.state.matching(filters, ctx.now), _server_id, limit, marker)
        if paged is None:
            raise nova_error(400, f"marker [{marker}] not found")
        items, more = paged
        return items, next_links(ctx, request, path, items[-1].id if items else None, more)

    @app.route(PREFIX + "/servers", methods=["POST"])
    def create_server(self, request: IRequest, version: str, tenant_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        body = read_json(request, nova_error)
        spec = server_create(body, ctx.microversion, self.state, ctx.now)
        group = requested_group(body, self.state, spec.min_count)
        plan = plan_for_create(self.state, body, spec, self.tenant_id)
        start = self.core.failures.decide(
            SERVER_CREATE,
            {
                "server_name": spec.name,
                "tenant_id": self.tenant_id,
                "region": self.region,
                "image_ref": spec.image_id,
                "flavor_ref": spec.flavor.id,
            },
            spec.metadata,
        )
        volumes = volumes_for(self.core, self.tenant_id, self.region) if spec.block_devices else NO_VOLUMES
        check_boot_volumes(volumes, spec.block_devices, ctx.now)
        servers = self.state.create_servers(spec, start, ctx.user_id, ctx.now)
        join_group(self.state, group, servers, self.core.failures, ctx.now)
        allocate_all(self.state, servers, plan, self.core.failures, ctx.now, self.region)
        for server in servers if spec.block_devices else ():
            provide_boot_volumes(volumes, self.state, server, spec.block_devices, ctx.now)
        record_create(servers, request_id(request), ctx.user_id, ctx.now)
        first = servers[0]
        if isinstance(start, FalseNegative):
            raise start.error
        if spec.return_reservation_id:
            return json_response(request, reservation_json(first), 202)
        location = f"{ctx.versioned_url}/servers/{first.id}"
        return json_response(request, created_json(first, ctx), 202, {b"Location": location.encode()})

    @app.route(PREFIX + "/servers/<server_id>", methods=["GET"])
    def show_server(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        return json_response(request, {"server": server_json(server, ctx)})

    @app.route(PREFIX + "/servers/<server_id>", methods=["PUT"])
    def update_server(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        server.change(ctx.now, server_update(read_json(request, nova_error), ctx.microversion))
        return json_response(request, {"server": changed_server_json(server, ctx)})

    @app.route(PREFIX + "/servers/<server_id>", methods=["DELETE"])
    def delete_server(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        if server.being_deleted:
            # Nova answers a delete of a server on its way out as it
            # answered the first.
            return json_response(request, None, 204)
        if server.locked and not ctx.is_admin:
            raise server_locked(server.id)
        outcome = self.core.failures.decide(
            SERVER_DELETE,
            {
                "server_id": server.id,
                "server_name": server.name,
                "tenant_id": self.tenant_id,
                "region": self.region,
            },
            server.metadata,
        )
        self.state.delete_server(server, outcome, ctx.now)
        record_delete(server, request_id(request), ctx.user_id, ctx.now)
        release_deleted(self.state.networking, server, ctx.now)
        if server.block_devices:
            release_volumes(volumes_for(self.core, self.tenant_id, self.region), server, ctx.now)
        if isinstance(outcome, FalseNegative):
            raise outcome.error
        return json_response(request, None, 204)

    @app.route(PREFIX + "/servers/<server_id>/action", methods=["POST"])
    def server_action(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        return run_action(request, ctx, self.state, server, self.core.failures, MORE_ACTIONS)

    # -- addresses ------------------------------------------------------

    @app.route(PREFIX + "/servers/<server_id>/ips", methods=["GET"])
    def list_ips(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        return json_response(request, {"addresses": plain_addresses(self.state.require(server_id, ctx.now))})

    @app.route(PREFIX + "/servers/<server_id>/ips/<network>", methods=["GET"])
    def show_ips(self, request: IRequest, version: str, tenant_id: str, server_id: str, network: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        addresses = plain_addresses(self.state.require(server_id, ctx.now))
        if network not in addresses:
            raise nova_error(404, "Instance is not a member of specified network")
        return json_response(request, {network: addresses[network]})

    # -- security groups ------------------------------------------------

    @app.route(PREFIX + "/servers/<server_id>/os-security-groups", methods=["GET"])
    def server_security_groups(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        groups = server_security_groups_json(self.state.networking, server, self.tenant_id)
        return json_response(request, {"security_groups": groups})

    # -- metadata -------------------------------------------------------

    @app.route(PREFIX + "/servers/<server_id>/metadata", methods=["GET"])
    def list_metadata(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        return json_response(request, {"metadata": dict(self.state.require(server_id, ctx.now).metadata)})

    @app.route(PREFIX + "/servers/<server_id>/metadata", methods=["PUT"])
    def replace_metadata(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        metadata = metadata_body(read_json(request, nova_error), "metadata")
        check_metadata_quota(metadata, self.state.quotas.metadata_items)
        check_unlocked(server, ctx)
        server.set_metadata(ctx.now, metadata)
        return json_response(request, {"metadata": dict(metadata)})

    @app.route(PREFIX + "/servers/<server_id>/metadata", methods=["POST"])
    def update_metadata(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        merged = dict(server.metadata)
        merged.update(metadata_body(read_json(request, nova_error), "metadata"))
        check_metadata_quota(merged, self.state.quotas.metadata_items)
        check_unlocked(server, ctx)
        server.set_metadata(ctx.now, merged)
        return json_response(request, {"metadata": dict(merged)})

    @app.route(PREFIX + "/servers/<server_id>/metadata/<key>", methods=["GET"])
    def show_metadata_item(self, request: IRequest, version: str, tenant_id: str, server_id: str, key: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        if key not in server.metadata:
            raise nova_error(404, "Metadata item was not found")
        return json_response(request, {"meta": {key: server.metadata[key]}})

    @app.route(PREFIX + "/servers/<server_id>/metadata/<key>", methods=["PUT"])
    def set_metadata_item(self, request: IRequest, version: str, tenant_id: str, server_id: str, key: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        meta = metadata_body(read_json(request, nova_error), "meta")
        if len(meta) > 1:
            raise nova_error(400, "Request body contains too many items")
        if key not in meta:
            raise nova_error(400, "Request body and URI mismatch")
        merged = dict(server.metadata)
        merged.update(meta)
        check_metadata_quota(merged, self.state.quotas.metadata_items)
        check_unlocked(server, ctx)
        server.set_metadata(ctx.now, merged)
        return json_response(request, {"meta": meta})

    @app.route(PREFIX + "/servers/<server_id>/metadata/<key>", methods=["DELETE"])
    def delete_metadata_item(self, request: IRequest, version: str, tenant_id: str, server_id: str, key: str) -> bytes:
        ctx = self.context(request, version, tenant_id)
        server = self.state.require(server_id, ctx.now)
        if key not in server.metadata:
            raise nova_error(404, "Metadata item was not found")
        check_unlocked(server, ctx)
        server.set_metadata(ctx.now, {k: v for k, v in server.metadata.items() if k != key})
        return json_response(request, None, 204)

    # -- sub-collections, each its own app ------------------------------

    @app.route(PREFIX + "/flavors", branch=True)
    def flavors(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        return sub_collection(FlavorsAPI(self.later_context(request, version, tenant_id), self.state.flavors).app)

    @app.route(PREFIX + "/images", branch=True)
    def images(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(ImagesAPI(context, self.state.images, self.state.quotas.metadata_items).app)

    @app.route(PREFIX + "/os-keypairs", branch=True)
    def keypairs(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(KeypairsAPI(context, self.state).app)

    @app.route(PREFIX + "/limits", branch=True)
    def limits(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(LimitsAPI(context, self.state).app)

    @app.route(PREFIX + "/os-quota-sets", branch=True)
    def quotas(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(QuotasAPI(context, self.state).app)

    @app.route(PREFIX + "/os-server-groups", branch=True)
    def server_groups(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(ServerGroupsAPI(context, self.state, self.core).app)

    @app.route(PREFIX + "/os-simple-tenant-usage", branch=True)
    def usage(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(UsageAPI(context, self.state, self.core).app)

    @app.route(PREFIX + "/os-availability-zone", branch=True)
    def zones(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        return sub_collection(ZonesAPI(self.later_context(request, version, tenant_id)).app)

    @app.route(PREFIX + "/extensions", branch=True)
    def extensions(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(ExtensionsAPI(context, legacy=version == "v2").app)

    @app.route(PREFIX + "/servers/<server_id>/os-volume_attachments", branch=True)
    def volume_attachments(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        volumes = volumes_for(self.core, self.tenant_id, self.region)
        return sub_collection(VolumeAttachmentsAPI(context, self.state, volumes, self.core.failures, server_id).app)

    @app.route(PREFIX + "/servers/<server_id>/os-instance-actions", branch=True)
    def instance_actions(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(InstanceActionsAPI(context, self.state, server_id).app)

    @app.route(PREFIX + "/servers/<server_id>/tags", branch=True)
    def tags(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(TagsAPI(context, self.state, server_id).app)

    @app.route(PREFIX + "/servers/<server_id>/shares", branch=True)
    def shares(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(SharesAPI(context, self.state, server_id).app)

    @app.route(PREFIX + "/servers/<server_id>/os-server-password", branch=True)
    def server_password(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(PasswordAPI(context, self.state, server_id).app)

    @app.route(PREFIX + "/servers/<server_id>/diagnostics", branch=True)
    def diagnostics(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(DiagnosticsAPI(context, self.state, server_id, self.core).app)

    @app.route(PREFIX + "/os-volumes", branch=True)
    def volumes_proxy(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(VolumesProxyAPI(context, volumes_for(self.core, self.tenant_id, self.region)).app)

    # -- networking, through the network service -------------------------

    @app.route(PREFIX + "/servers/<server_id>/os-interface", branch=True)
    def interfaces(self, request: IRequest, version: str, tenant_id: str, server_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(InterfacesAPI(context, self.state, server_id, self.core.failures).app)

    @app.route(PREFIX + "/os-security-groups", branch=True)
    def security_groups(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(SecurityGroupsAPI(context, self.state.networking, self.tenant_id).app)

    @app.route(PREFIX + "/os-security-group-rules", branch=True)
    def security_group_rules(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(SecurityGroupRulesAPI(context, self.state.networking).app)

    @app.route(PREFIX + "/os-floating-ips", branch=True)
    def floating_ips(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(FloatingIPsAPI(context, self.state.networking).app)

    @app.route(PREFIX + "/os-tenant-networks", branch=True)
    def tenant_networks(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(TenantNetworksAPI(context, self.state.networking).app)

    @app.route(PREFIX + "/os-networks", branch=True)
    def networks(self, request: IRequest, version: str, tenant_id: str) -> IResource:
        context = self.later_context(request, version, tenant_id)
        return sub_collection(NetworksAPI(context, self.state.networking).app)
