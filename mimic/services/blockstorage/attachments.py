# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
Cinder's v3 attachments API (3.27+), a Klein app the API hands the rest
of the path to.
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.services.blockstorage.errors import (
    BlockStorageError,
    bad_request,
    cinder_error,
    handle_cinder_errors,
    not_found,
)
from mimic.services.blockstorage.failures import VOLUME_ATTACH
from mimic.services.blockstorage.records import Attachment
from mimic.services.blockstorage.validation import body_object, optional_id, text_arg
from mimic.services.blockstorage.views import attachment_json
from mimic.services.blockstorage.web import Context, ContextFactory


class AttachmentsAPI:
    """
    The v3 attachments API (3.27+): how Nova attaches since Queens.  A
    create without a connector reserves the volume (``reserved``); an
    update with the connector completes it (``attaching``, then
    ``in-use``); a delete detaches.
    """

    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    def ctx(self) -> Context:
        ctx = self.context()
        if not ctx.view.at_least(3, 27):
            raise cinder_error(404, "The resource could not be found.")
        return ctx

    def _attachment(self, ctx: Context, attachment_id: str) -> Attachment:
        found = ctx.state.attachments.get(attachment_id)
        if found is None or ctx.state.get(found.volume_id, ctx.now) is None:
            raise not_found("Volume attachment", attachment_id)
        return found

    def _listing(self, request: IRequest, detail: bool) -> bytes:
        ctx = self.ctx()
        volume_id = text_arg(request.args, "volume_id")
        server_id = text_arg(request.args, "instance_id")
        items = [
            a for a in ctx.state.attachments.values()
            if a.live(ctx.now)
            and (volume_id is None or a.volume_id == volume_id)
            and (server_id is None or a.server_id == server_id)
        ]
        if detail:
            shown = [attachment_json(a, ctx.view) for a in items]
        else:
            shown = [
                {"id": a.id, "volume_id": a.volume_id, "instance": a.server_id,
                 "status": a.attach_status(ctx.now)}
                for a in items
            ]
        return json_response(request, {"attachments": shown})

    @app.route("/", methods=["GET"])
    def list_attachments(self, request: IRequest) -> bytes:
        return self._listing(request, detail=False)

    @app.route("/detail", methods=["GET"])
    def list_detail(self, request: IRequest) -> bytes:
        return self._listing(request, detail=True)

    @app.route("/", methods=["POST"])
    def create(self, request: IRequest) -> bytes:
        ctx = self.ctx()
        spec = body_object(read_json(request, cinder_error), "attachment")
        volume_uuid = optional_id(spec, "volume_uuid")
        if volume_uuid is None:
            raise bad_request("Invalid input for field/attribute volume_uuid. Value: None. 'volume_uuid' is a required property")
        server_id = optional_id(spec, "instance_uuid")
        connector = spec.get("connector")
        if connector is not None and not isinstance(connector, dict):
            raise bad_request(f"Invalid input for field/attribute connector. Value: {connector}. Not an object")
        mode = spec.get("mode", "rw")
        if mode not in ("rw", "ro"):
            raise bad_request("Invalid input received: Invalid attachment mode.")
        volume = ctx.state.volume(volume_uuid, ctx.now)
        attachment = ctx.state.reserve(volume.id, server_id, ctx.now, status="reserved")
        attachment.mode = mode
        if connector is not None:
            outcome = ctx.decide(VOLUME_ATTACH, volume, server_id=server_id)
            ctx.state.attach(volume.id, server_id, connector.get("mountpoint"), ctx.now, outcome=outcome,
                             attachment_id=attachment.id, host_name=connector.get("host"), mode=mode,
                             connector=connector)
        return json_response(request, {"attachment": attachment_json(attachment, ctx.view)}, 200)

    @app.route("/<attachment_id>", methods=["GET"])
    def show(self, request: IRequest, attachment_id: str) -> bytes:
        ctx = self.ctx()
        return json_response(request, {"attachment": attachment_json(self._attachment(ctx, attachment_id), ctx.view)})

    @app.route("/<attachment_id>", methods=["PUT"])
    def update(self, request: IRequest, attachment_id: str) -> bytes:
        ctx = self.ctx()
        attachment = self._attachment(ctx, attachment_id)
        spec = body_object(read_json(request, cinder_error), "attachment")
        connector = spec.get("connector")
        if not isinstance(connector, dict):
            raise bad_request("Invalid input for field/attribute connector. Value: None. 'connector' is a required property")
        if attachment.attached_at is not None:
            raise BlockStorageError(400, "InvalidVolume", "Invalid volume: The attachment is already attached.")
        volume = ctx.state.volume(attachment.volume_id, ctx.now)
        outcome = ctx.decide(VOLUME_ATTACH, volume, server_id=attachment.server_id)
        ctx.state.attach(volume.id, attachment.server_id, connector.get("mountpoint"), ctx.now, outcome=outcome,
                         attachment_id=attachment.id, host_name=connector.get("host"), mode=attachment.mode,
                         connector=connector)
        return json_response(request, {"attachment": attachment_json(attachment, ctx.view)})

    @app.route("/<attachment_id>", methods=["DELETE"])
    def delete(self, request: IRequest, attachment_id: str) -> bytes:
        ctx = self.ctx()
        attachment = self._attachment(ctx, attachment_id)
        ctx.state.detach(attachment.volume_id, attachment.server_id, ctx.now, attachment_id=attachment.id)
        return json_response(request, {"attachments": []}, 200)

    @app.route("/<attachment_id>/action", methods=["POST"])
    def action(self, request: IRequest, attachment_id: str) -> bytes:
        ctx = self.ctx()
        self._attachment(ctx, attachment_id)
        body = read_json(request, cinder_error)
        if not isinstance(body, dict) or "os-complete" not in body or not ctx.view.at_least(3, 44):
            raise bad_request("Malformed request body")
        return json_response(request, None, 204)
