# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
Cinder's snapshots (with their metadata and actions) and backups (with
restores), each a Klein app the API hands the rest of the path to.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.services.blockstorage.errors import (
    bad_request,
    cinder_error,
    handle_cinder_errors,
    invalid_input,
)
from mimic.services.blockstorage.failures import BACKUP_CREATE
from mimic.services.blockstorage.copies import (
    create_backup,
    create_snapshot,
    delete_backup,
    delete_snapshot,
    restore_backup,
)
from mimic.services.blockstorage.validation import (
    body_object,
    boolean,
    metadata,
    metadata_body,
    optional_id,
    optional_text,
    query_flag,
    snapshot_create,
    snapshot_update,
    text_arg,
)
from mimic.services.blockstorage.views import backup_json, backup_summary, snapshot_json
from mimic.services.blockstorage.web import (
    ContextFactory,
    listing_args,
    listing_body,
    require_admin,
)


SNAPSHOT_SORT_KEYS = (
    "created_at", "updated_at", "id", "name", "size", "status", "volume_id", "display_name",
    "display_description", "description",
)


def _sort_value(resource: Any, key: str, now: float) -> Any:
    if key == "created_at":
        return resource.created
    if key == "updated_at":
        return resource.updated
    if key == "status":
        return resource.status(now)
    if key.startswith("display_"):
        key = key[len("display_"):]
    return getattr(resource, key, None)


def _id(resource: Any) -> str:
    return str(resource.id)


def _status_filter(args: Any) -> Any:
    status = text_arg(args, "status")
    name = text_arg(args, "name")
    volume_id = text_arg(args, "volume_id")

    def wanted(resource: Any, now: float) -> bool:
        return (
            (status is None or resource.status(now) == status)
            and (name is None or resource.name == name)
            and (volume_id is None or resource.volume_id == volume_id)
        )

    return wanted


class SnapshotsAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    def _listing(self, request: IRequest, detail: bool) -> bytes:
        ctx = self.context()
        listing = listing_args(request.args, SNAPSHOT_SORT_KEYS)
        if query_flag(request.args, "all_tenants"):
            require_admin(ctx.core, request)
        wanted = _status_filter(request.args)
        now = ctx.now
        snapshots = [s for s in ctx.state.snapshots.values() if not s.gone(now) and wanted(s, now)]
        body = listing_body(
            request, ctx.view, "snapshots", snapshots, listing, lambda s, k: _sort_value(s, k, now), _id,
            lambda s: snapshot_json(s, ctx.view, detail), detail,
        )
        return json_response(request, body)

    @app.route("/", methods=["GET"])
    def list_snapshots(self, request: IRequest) -> bytes:
        return self._listing(request, detail=False)

    @app.route("/detail", methods=["GET"])
    def list_detail(self, request: IRequest) -> bytes:
        return self._listing(request, detail=True)

    @app.route("/", methods=["POST"])
    def create(self, request: IRequest) -> bytes:
        ctx = self.context()
        spec = snapshot_create(read_json(request, cinder_error))
        snapshot = create_snapshot(
            ctx.state, 
            spec["volume_id"], ctx.now, name=spec["name"], description=spec["description"],
            metadata=spec["metadata"], force=spec["force"], user_id=ctx.user_id,
        )
        described = snapshot_json(snapshot, ctx.view, detail=False)
        described["status"] = "creating"
        return json_response(request, {"snapshot": described}, 202)

    @app.route("/<snapshot_id>", methods=["GET"])
    def show(self, request: IRequest, snapshot_id: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        return json_response(request, {"snapshot": snapshot_json(snapshot, ctx.view)})

    @app.route("/<snapshot_id>", methods=["PUT"])
    def update(self, request: IRequest, snapshot_id: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        changes = snapshot_update(read_json(request, cinder_error))
        for key, value in changes.items():
            setattr(snapshot, key, value)
        snapshot.updated = ctx.now
        return json_response(request, {"snapshot": snapshot_json(snapshot, ctx.view, detail=False)})

    @app.route("/<snapshot_id>", methods=["DELETE"])
    def delete(self, request: IRequest, snapshot_id: str) -> bytes:
        ctx = self.context()
        delete_snapshot(ctx.state, snapshot_id, ctx.now)
        return json_response(request, None, 202)

    @app.route("/<snapshot_id>/action", methods=["POST"])
    def action(self, request: IRequest, snapshot_id: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        body = read_json(request, cinder_error)
        if not isinstance(body, dict) or not body:
            raise bad_request("Malformed request body")
        if "os-reset_status" in body:
            require_admin(ctx.core, request)
            argument = body["os-reset_status"]
            status = argument.get("status") if isinstance(argument, dict) else None
            if status not in ("available", "error", "creating", "deleting", "error_deleting"):
                raise invalid_input(f"Invalid input received: '{str(status)[:32]}' is not a valid status.")
            snapshot.timeline.then(ctx.now, (ctx.now, status))
            snapshot.updated = ctx.now
            return json_response(request, None, 202)
        if "os-force_delete" in body:
            require_admin(ctx.core, request)
            delete_snapshot(ctx.state, snapshot.id, ctx.now, force=True)
            return json_response(request, None, 202)
        if "os-update_snapshot_status" in body:
            argument = body["os-update_snapshot_status"]
            status = argument.get("status") if isinstance(argument, dict) else None
            if status not in ("available", "error", "creating", "error_deleting"):
                raise invalid_input(f"Invalid input received: '{str(status)[:32]}' is not a valid status.")
            snapshot.timeline.then(ctx.now, (ctx.now, status))
            snapshot.updated = ctx.now
            return json_response(request, None, 202)
        raise bad_request(f"There is no such action: {next(iter(body))}")

    # -- metadata -------------------------------------------------------

    @app.route("/<snapshot_id>/metadata", methods=["GET"])
    def show_metadata(self, request: IRequest, snapshot_id: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        return json_response(request, {"metadata": dict(snapshot.metadata)})

    @app.route("/<snapshot_id>/metadata", methods=["POST", "PUT"])
    def set_metadata(self, request: IRequest, snapshot_id: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        given = metadata_body(read_json(request, cinder_error))
        snapshot.metadata = given if request.method == b"PUT" else {**snapshot.metadata, **given}
        snapshot.updated = ctx.now
        return json_response(request, {"metadata": dict(snapshot.metadata)})

    @app.route("/<snapshot_id>/metadata/<key>", methods=["GET"])
    def show_item(self, request: IRequest, snapshot_id: str, key: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        if key not in snapshot.metadata:
            raise cinder_error(404, f"Snapshot {snapshot_id} has no metadata with key {key}.")
        return json_response(request, {"meta": {key: snapshot.metadata[key]}})

    @app.route("/<snapshot_id>/metadata/<key>", methods=["PUT"])
    def set_item(self, request: IRequest, snapshot_id: str, key: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        given = metadata_body(read_json(request, cinder_error), "meta")
        if len(given) != 1:
            raise bad_request("Request body contains too many items.")
        if key not in given:
            raise bad_request("Request body and URI mismatch")
        snapshot.metadata = {**snapshot.metadata, **given}
        snapshot.updated = ctx.now
        return json_response(request, {"meta": given})

    @app.route("/<snapshot_id>/metadata/<key>", methods=["DELETE"])
    def delete_item(self, request: IRequest, snapshot_id: str, key: str) -> bytes:
        ctx = self.context()
        snapshot = ctx.state.snapshot(snapshot_id, ctx.now)
        if key not in snapshot.metadata:
            raise cinder_error(404, f"Snapshot {snapshot_id} has no metadata with key {key}.")
        snapshot.metadata = {k: v for k, v in snapshot.metadata.items() if k != key}
        snapshot.updated = ctx.now
        return json_response(request, None, 200)


class BackupsAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    def _listing(self, request: IRequest, detail: bool) -> bytes:
        ctx = self.context()
        listing = listing_args(request.args, SNAPSHOT_SORT_KEYS)
        if query_flag(request.args, "all_tenants"):
            require_admin(ctx.core, request)
        wanted = _status_filter(request.args)
        now = ctx.now
        backups = [b for b in ctx.state.backups.values() if not b.gone(now) and wanted(b, now)]
        show = backup_json if detail else backup_summary
        body = listing_body(
            request, ctx.view, "backups", backups, listing, lambda b, k: _sort_value(b, k, now), _id,
            lambda b: show(b, ctx.view), detail,
        )
        return json_response(request, body)

    @app.route("/", methods=["GET"])
    def list_backups(self, request: IRequest) -> bytes:
        return self._listing(request, detail=False)

    @app.route("/detail", methods=["GET"])
    def list_detail(self, request: IRequest) -> bytes:
        return self._listing(request, detail=True)

    @app.route("/", methods=["POST"])
    def create(self, request: IRequest) -> bytes:
        ctx = self.context()
        spec = body_object(read_json(request, cinder_error), "backup")
        volume_id = optional_id(spec, "volume_id")
        if volume_id is None:
            raise bad_request("Invalid input for field/attribute volume_id. Value: None. None is not of type 'string'")
        name = optional_text(spec, "name")
        volume = ctx.state.volume(volume_id, ctx.now)
        outcome = ctx.decide(BACKUP_CREATE, volume, backup_name=name or "")
        backup = create_backup(
            ctx.state,
            volume.id,
            ctx.now,
            name=name,
            description=optional_text(spec, "description"),
            container=optional_text(spec, "container"),
            incremental=boolean(spec.get("incremental", False), "incremental"),
            force=boolean(spec.get("force", False), "force"),
            snapshot_id=optional_id(spec, "snapshot_id"),
            metadata=metadata(spec.get("metadata")),
            outcome=outcome,
            user_id=ctx.user_id,
        )
        return json_response(request, {"backup": backup_summary(backup, ctx.view)}, 202)

    @app.route("/<backup_id>", methods=["GET"])
    def show(self, request: IRequest, backup_id: str) -> bytes:
        ctx = self.context()
        return json_response(request, {"backup": backup_json(ctx.state.backup(backup_id, ctx.now), ctx.view)})

    @app.route("/<backup_id>", methods=["PUT"])
    def update(self, request: IRequest, backup_id: str) -> bytes:
        ctx = self.context()
        if not ctx.view.at_least(3, 9):
            raise cinder_error(404, "The resource could not be found.")
        backup = ctx.state.backup(backup_id, ctx.now)
        spec = body_object(read_json(request, cinder_error), "backup")
        name = optional_text(spec, "name") if "name" in spec else backup.name
        description = optional_text(spec, "description") if "description" in spec else backup.description
        given = metadata(spec["metadata"], allow_none=False) if "metadata" in spec else None
        backup.name, backup.description = name, description
        if given is not None:
            backup.metadata = given
        backup.updated = ctx.now
        return json_response(request, {"backup": backup_summary(backup, ctx.view)})

    @app.route("/<backup_id>", methods=["DELETE"])
    def delete(self, request: IRequest, backup_id: str) -> bytes:
        ctx = self.context()
        delete_backup(ctx.state, backup_id, ctx.now)
        return json_response(request, None, 202)

    @app.route("/<backup_id>/restore", methods=["POST"])
    def restore(self, request: IRequest, backup_id: str) -> bytes:
        ctx = self.context()
        body = read_json(request, cinder_error, required=False)
        spec = body_object(body, "restore") if body is not None else {}
        backup = ctx.state.backup(backup_id, ctx.now)
        volume = restore_backup(
            ctx.state,
            backup.id, ctx.now, volume_id=optional_id(spec, "volume_id"), name=optional_text(spec, "name"),
            user_id=ctx.user_id,
        )
        described = {"backup_id": backup.id, "volume_id": volume.id, "volume_name": volume.name}
        return json_response(request, {"restore": described}, 202)

    @app.route("/<backup_id>/action", methods=["POST"])
    def action(self, request: IRequest, backup_id: str) -> bytes:
        ctx = self.context()
        backup = ctx.state.backup(backup_id, ctx.now)
        body = read_json(request, cinder_error)
        if not isinstance(body, dict) or not body:
            raise bad_request("Malformed request body")
        if "os-reset_status" in body:
            require_admin(ctx.core, request)
            argument = body["os-reset_status"]
            status = argument.get("status") if isinstance(argument, dict) else None
            if status not in ("available", "error"):
                raise invalid_input(f"Invalid input received: '{str(status)[:32]}' is not a valid status.")
            backup.timeline.then(ctx.now, (ctx.now, status))
            backup.updated = ctx.now
            return json_response(request, None, 202)
        if "os-force_delete" in body:
            require_admin(ctx.core, request)
            delete_backup(ctx.state, backup.id, ctx.now, force=True)
            return json_response(request, None, 202)
        raise bad_request(f"There is no such action: {next(iter(body))}")
