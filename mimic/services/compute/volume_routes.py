# -*- test-case-name: mimic.test.test_compute_volumes -*-
"""
Nova's volume APIs, each a Klein app the compute API hands a path to:

- ``/servers/{id}/os-volume_attachments`` (:class:`VolumeAttachmentsAPI`):
  attach, list, show, update or swap (PUT, with 2.85's rules), detach;
- ``/os-volumes`` (:class:`VolumesProxyAPI`): Nova's proxy to Cinder's
  volumes, which Nova dropped at microversion 2.36 (404 from there on).

The rules live in :mod:`mimic.services.compute.volumes`; this module
parses requests (with the 400s Nova's schemas give) and writes Nova's
shapes per microversion.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.failures import FailureEngine
from mimic.http import json_response, query_arg, read_json, request_id
from mimic.interfaces import ContractRefused, IVolume, IVolumes
from mimic.services.compute.block_devices import nova_boolean
from mimic.services.compute.errors import NOT_FOUND, handle_nova_errors, invalid_input, nova_error
from mimic.services.compute.failures import VOLUME_ATTACH
from mimic.services.compute.images import LAST_PROXY_MICROVERSION
from mimic.services.compute.model import ComputeState, Server
from mimic.services.compute.views import nova_usage_time
from mimic.services.compute.volumes import (
    BlockDevice,
    attach_volume,
    detach_volume,
    find_block_device,
    swap_volume,
    update_attachment,
    volume_not_found,
)
from mimic.services.compute.web import ContextFactory, RequestContext

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_DEVICE = re.compile(r"(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$")
_TAG = re.compile(r"^[^,/]*$")


def attachment_json(mapping: BlockDevice, server_id: str, ctx: RequestContext) -> dict[str, Any]:
    """
    A volume attachment as Nova shows it at the request's microversion.
    """
    version = ctx.microversion
    body: dict[str, Any] = {}
    if version < (2, 89):
        body["id"] = mapping.volume_id
    body.update({"device": mapping.device, "serverId": server_id, "volumeId": mapping.volume_id})
    if version >= (2, 70):
        body["tag"] = mapping.tag
    if version >= (2, 79):
        body["delete_on_termination"] = mapping.delete_on_termination
    if version >= (2, 89):
        body["attachment_id"] = mapping.attachment_id
        body["bdm_uuid"] = mapping.bdm_id
    return body


def _attachment_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or "volumeAttachment" not in body:
        raise invalid_input("volumeAttachment", body, "'volumeAttachment' is a required property")
    attachment = body["volumeAttachment"]
    if not isinstance(attachment, dict):
        raise invalid_input("volumeAttachment", attachment, f"{attachment!r} is not of type 'object'")
    if "volumeId" not in attachment:
        raise invalid_input("volumeAttachment", attachment, "'volumeId' is a required property")
    return attachment


def _unexpected(attachment: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(attachment) - allowed)
    if extra:
        listed = ", ".join(repr(name) for name in extra)
        verb = "were" if len(extra) > 1 else "was"
        raise invalid_input(
            "volumeAttachment", attachment, f"Additional properties are not allowed ({listed} {verb} unexpected)"
        )


def _volume_id(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid_input("volumeId", value, f"{value!r} is not of type 'string'")
    if not _UUID.match(value):
        raise invalid_input("volumeId", value, f"{value!r} is not a 'uuid'")
    return value


def _tag(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 60 or not _TAG.match(value):
        raise invalid_input("tag", value, f"{value!r} does not match '^[^,/]*$'")
    return value


def attach_request(body: Any, ctx: RequestContext) -> tuple[str, str | None, str | None, bool]:
    """
    An attach's body: the volume, the device asked for (None for the
    next free one; Rackspace also takes ``auto``), the tag (2.49+) and
    ``delete_on_termination`` (2.79+).
    """
    attachment = _attachment_body(body)
    allowed = {"volumeId", "device"}
    if ctx.microversion >= (2, 49):
        allowed.add("tag")
    if ctx.microversion >= (2, 79):
        allowed.add("delete_on_termination")
    _unexpected(attachment, allowed)
    volume_id = _volume_id(attachment["volumeId"])
    device = attachment.get("device")
    if device is not None and device != "auto":
        if not isinstance(device, str):
            raise invalid_input("device", device, f"{device!r} is not of type 'string', 'null'")
        if not _DEVICE.match(device):
            raise invalid_input("device", device, f"{device!r} does not match {_DEVICE.pattern!r}")
    tag = _tag(attachment["tag"]) if "tag" in attachment else None
    keep = attachment.get("delete_on_termination", False)
    delete_on_termination = nova_boolean("delete_on_termination", keep)
    return volume_id, device, tag, delete_on_termination


class VolumeAttachmentsAPI:
    """
    ``/servers/{id}/os-volume_attachments`` for one request.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState, volumes: IVolumes,
                 failures: FailureEngine, server_id: str) -> None:
        self.context = context
        self.state = state
        self.volumes = volumes
        self.failures = failures
        self.server_id = server_id

    def _server(self) -> tuple[RequestContext, Server]:
        ctx = self.context()
        return ctx, self.state.require(self.server_id, ctx.now)

    @app.route("/", methods=["GET"])
    def list_attachments(self, request: IRequest) -> bytes:
        ctx, server = self._server()
        mappings = list(server.block_devices)
        offset = _non_negative(request, "offset", 0)
        limit = _non_negative(request, "limit", len(mappings)) or len(mappings)
        items = mappings[offset:offset + limit]
        return json_response(
            request, {"volumeAttachments": [attachment_json(m, server.id, ctx) for m in items]}
        )

    @app.route("/", methods=["POST"])
    def attach(self, request: IRequest) -> bytes:
        ctx, server = self._server()
        volume_id, device, tag, delete_on_termination = attach_request(read_json(request, nova_error), ctx)
        outcome = self.failures.decide(
            VOLUME_ATTACH,
            {
                "server_id": server.id,
                "server_name": server.name,
                "volume_id": volume_id,
                "tenant_id": ctx.tenant_id,
                "region": ctx.region,
            },
            server.metadata,
        )
        mapping = attach_volume(
            self.volumes, server, volume_id, device, tag, delete_on_termination, outcome,
            request_id(request), ctx.user_id, ctx.now, ctx.is_admin,
        )
        return json_response(request, {"volumeAttachment": attachment_json(mapping, server.id, ctx)})

    @app.route("/<volume_id>", methods=["GET"])
    def show(self, request: IRequest, volume_id: str) -> bytes:
        ctx, server = self._server()
        if not server.block_devices:
            raise nova_error(404, f"Instance {server.id} is not attached.")
        mapping = find_block_device(server, volume_id)
        if mapping is None:
            raise nova_error(404, f"volume_id not found: {volume_id}")
        return json_response(request, {"volumeAttachment": attachment_json(mapping, server.id, ctx)})

    @app.route("/<volume_id>", methods=["PUT"])
    def update(self, request: IRequest, volume_id: str) -> bytes:
        """
        Before 2.85, a swap to another volume; from 2.85, a PUT naming
        the same volume changes ``delete_on_termination`` (nothing else
        of an attachment may change).
        """
        ctx, server = self._server()
        attachment = _attachment_body(read_json(request, nova_error))
        allowed = {"volumeId"}
        if ctx.microversion >= (2, 85):
            allowed |= {"id", "serverId", "device", "tag", "delete_on_termination"}
        _unexpected(attachment, allowed)
        new_id = _volume_id(attachment["volumeId"])
        if ctx.microversion >= (2, 85) and new_id == volume_id:
            self._update_in_place(server, volume_id, attachment)
        else:
            if ctx.microversion >= (2, 85) and set(attachment) - {"volumeId"}:
                raise nova_error(400, "The volumeId is the only attribute that may change when swapping volumes")
            swap_volume(
                self.volumes, server, volume_id, new_id, request_id(request), ctx.user_id, ctx.now, ctx.is_admin
            )
        return json_response(request, None, 202)

    def _update_in_place(self, server: Server, volume_id: str, attachment: Mapping[str, Any]) -> None:
        if self.volumes.get(volume_id) is None:
            raise volume_not_found(volume_id)
        mapping = find_block_device(server, volume_id)
        if mapping is None:
            raise nova_error(404, "The volume was either invalid or not attached to the instance.")
        for field, current in (("id", volume_id), ("serverId", server.id), ("device", mapping.device),
                               ("tag", mapping.tag)):
            if field in attachment and attachment[field] != current:
                raise nova_error(400, f"The {field} property is not mutable")
        if "delete_on_termination" in attachment:
            update_attachment(
                server, volume_id, nova_boolean("delete_on_termination", attachment["delete_on_termination"])
            )

    @app.route("/<volume_id>", methods=["DELETE"])
    def detach(self, request: IRequest, volume_id: str) -> bytes:
        ctx, server = self._server()
        detach_volume(self.volumes, server, volume_id, request_id(request), ctx.user_id, ctx.now, ctx.is_admin)
        return json_response(request, None, 202)


def _non_negative(request: IRequest, name: str, default: int) -> int:
    raw = query_arg(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise nova_error(400, f"{name} param must be an integer")
    if value < 0:
        raise nova_error(400, f"{name} param must be positive")
    return value


# The os-volumes proxy.


def proxy_volume_json(volume: IVolume, now: float) -> dict[str, Any]:
    """
    A Cinder volume as Nova's proxy shows it (camelCase, one attachment).
    """
    attachments = [
        {"id": volume.id, "volumeId": volume.id, "serverId": server_id, "device": device}
        for _, server_id, device in volume.attachments(now)
    ]
    return {
        "id": volume.id,
        "status": volume.status(now),
        "size": volume.size,
        "availabilityZone": volume.availability_zone,
        "createdAt": nova_usage_time(volume.created),
        "attachments": attachments[:1] or [{}],
        "displayName": volume.name,
        "displayDescription": volume.description,
        "volumeType": volume.volume_type,
        "snapshotId": volume.snapshot_id,
        "metadata": dict(volume.metadata),
    }


def _volume_create(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("volume"), dict):
        raise invalid_input("volume", body, "'volume' is a required property")
    volume = body["volume"]
    allowed = {"volume_type", "metadata", "snapshot_id", "size", "availability_zone",
               "display_name", "display_description"}
    extra = sorted(set(volume) - allowed)
    if extra:
        listed = ", ".join(repr(name) for name in extra)
        raise invalid_input("volume", volume, f"Additional properties are not allowed ({listed} was unexpected)")
    if "size" not in volume:
        raise invalid_input("volume", volume, "'size' is a required property")
    size = volume["size"]
    if isinstance(size, bool) or not isinstance(size, (int, str)) or (
        isinstance(size, str) and not re.match(r"^[0-9]{1,10}$", size)
    ):
        raise invalid_input("size", size, f"{size!r} is not of type 'integer', 'string'")
    if int(size) < 1:
        raise invalid_input("size", size, f"{size} is less than the minimum of 1")
    for name in ("volume_type", "availability_zone", "display_name", "display_description", "snapshot_id"):
        value = volume.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise invalid_input(name, value, f"{value!r} is not of type 'string', 'null'")
    metadata = volume.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise invalid_input("metadata", metadata, f"{metadata!r} is not of type 'object'")
        for key, value in metadata.items():
            if not isinstance(value, str) or len(value) > 255 or not 0 < len(key) <= 255:
                raise invalid_input("metadata", metadata, f"Invalid input for metadata item {key!r}")
    return volume


class VolumesProxyAPI:
    """
    ``/os-volumes``: Nova's proxy to the tenant's Cinder volumes, to 2.35.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, volumes: IVolumes) -> None:
        self.context = context
        self.volumes = volumes

    def proxy_context(self) -> RequestContext:
        ctx = self.context()
        if ctx.microversion > LAST_PROXY_MICROVERSION:
            raise nova_error(404, NOT_FOUND)
        return ctx

    def _listing(self, request: IRequest) -> bytes:
        ctx = self.proxy_context()
        every = list(self.volumes)
        offset = _non_negative(request, "offset", 0)
        limit = _non_negative(request, "limit", 1000) or 1000
        items = every[offset:offset + min(limit, 1000)]
        return json_response(request, {"volumes": [proxy_volume_json(v, ctx.now) for v in items]})

    @app.route("/", methods=["GET"])
    def list_volumes(self, request: IRequest) -> bytes:
        return self._listing(request)

    @app.route("/detail", methods=["GET"])
    def list_volumes_detail(self, request: IRequest) -> bytes:
        return self._listing(request)

    @app.route("/", methods=["POST"])
    def create_volume(self, request: IRequest) -> bytes:
        ctx = self.proxy_context()
        asked = _volume_create(read_json(request, nova_error))
        try:
            volume = self.volumes.create(
                int(asked["size"]),
                ctx.now,
                name=asked.get("display_name"),
                snapshot_id=asked.get("snapshot_id"),
                volume_type=asked.get("volume_type"),
                availability_zone=asked.get("availability_zone"),
                description=asked.get("display_description"),
                metadata=asked.get("metadata"),
            )
        except ContractRefused as refused:
            if refused.status == 404:
                raise nova_error(404, refused.message)
            raise nova_error(403 if refused.status == 413 else 400, refused.message)
        location = f"{ctx.versioned_url}/os-volumes/{volume.id}"
        return json_response(
            request, {"volume": proxy_volume_json(volume, ctx.now)}, 200, {b"Location": location.encode()}
        )

    @app.route("/<volume_id>", methods=["GET"])
    def show_volume(self, request: IRequest, volume_id: str) -> bytes:
        ctx = self.proxy_context()
        volume = self.volumes.get(volume_id)
        if volume is None:
            raise volume_not_found(volume_id)
        return json_response(request, {"volume": proxy_volume_json(volume, ctx.now)})

    @app.route("/<volume_id>", methods=["DELETE"])
    def delete_volume(self, request: IRequest, volume_id: str) -> bytes:
        ctx = self.proxy_context()
        if self.volumes.get(volume_id) is None:
            raise volume_not_found(volume_id)
        try:
            self.volumes.delete(volume_id, ctx.now)
        except ContractRefused as refused:
            raise nova_error(404 if refused.status == 404 else 400, refused.message)
        return json_response(request, None, 202)
