# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
Cinder's collections beside volumes, each a Klein app the API hands the
rest of the path to: snapshots (with metadata and actions), backups
(create, restore, delete), the v3 attachments API (3.27+), volume types,
availability zones, limits, quota sets and extensions.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.services.blockstorage.catalogue import AVAILABILITY_ZONE, DEFAULT_QUOTAS, DEFAULT_TYPE, VOLUME_TYPES, find_type
from mimic.services.blockstorage.errors import (
    BlockStorageError,
    bad_request,
    cinder_error,
    handle_cinder_errors,
    invalid_input,
    not_found,
)
from mimic.services.blockstorage.failures import BACKUP_CREATE, VOLUME_ATTACH
from mimic.services.blockstorage.model import Attachment, Backup, Snapshot
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
from mimic.services.blockstorage.views import (
    attachment_json,
    backup_json,
    backup_summary,
    snapshot_json,
    volume_detail,
)
from mimic.services.blockstorage.web import (
    Context,
    ContextFactory,
    listing_args,
    next_links,
    paged,
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
        page, more = paged(snapshots, listing, lambda s, k: _sort_value(s, k, now), _id, "snapshot")
        body: dict[str, Any] = {"snapshots": [snapshot_json(s, ctx.view, detail) for s in page]}
        links = next_links(request, ctx.view, "snapshots/detail" if detail else "snapshots", page, more, _id,
                           listing.limit is not None and len(page) >= listing.limit)
        if links:
            body["snapshots_links"] = links
        if listing.with_count and ctx.view.at_least(3, 45):
            body["count"] = len(snapshots)
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
        snapshot = ctx.state.create_snapshot(
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
        ctx.state.delete_snapshot(snapshot_id, ctx.now)
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
            ctx.state.delete_snapshot(snapshot.id, ctx.now, force=True)
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
        page, more = paged(backups, listing, lambda b, k: _sort_value(b, k, now), _id, "backup")
        show = backup_json if detail else backup_summary
        body: dict[str, Any] = {"backups": [show(b, ctx.view) for b in page]}
        links = next_links(request, ctx.view, "backups/detail" if detail else "backups", page, more, _id,
                           listing.limit is not None and len(page) >= listing.limit)
        if links:
            body["backups_links"] = links
        if listing.with_count and ctx.view.at_least(3, 45):
            body["count"] = len(backups)
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
        backup = ctx.state.create_backup(
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
        ctx.state.delete_backup(backup_id, ctx.now)
        return json_response(request, None, 202)

    @app.route("/<backup_id>/restore", methods=["POST"])
    def restore(self, request: IRequest, backup_id: str) -> bytes:
        ctx = self.context()
        body = read_json(request, cinder_error, required=False)
        spec = body_object(body, "restore") if body is not None else {}
        backup = ctx.state.backup(backup_id, ctx.now)
        volume = ctx.state.restore_backup(
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
            ctx.state.delete_backup(backup.id, ctx.now, force=True)
            return json_response(request, None, 202)
        raise bad_request(f"There is no such action: {next(iter(body))}")


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
        attachment = self._attachment(ctx, attachment_id)
        body = read_json(request, cinder_error)
        if not isinstance(body, dict) or "os-complete" not in body or not ctx.view.at_least(3, 44):
            raise bad_request("Malformed request body")
        return json_response(request, None, 204)


class TypesAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def list_types(self, request: IRequest) -> bytes:
        self.context()
        return json_response(request, {"volume_types": [t.to_json() for t in VOLUME_TYPES]})

    @app.route("/default", methods=["GET"])
    def default(self, request: IRequest) -> bytes:
        ctx = self.context()
        if not ctx.view.at_least(3, 62):
            raise not_found("Volume type", "default")
        return json_response(request, {"volume_type": DEFAULT_TYPE.to_json()})

    @app.route("/<type_id>", methods=["GET"])
    def show(self, request: IRequest, type_id: str) -> bytes:
        self.context()
        found = find_type(type_id)
        if found is None:
            raise not_found("Volume type", type_id)
        return json_response(request, {"volume_type": found.to_json()})

    @app.route("/<type_id>/extra_specs", methods=["GET"])
    def extra_specs(self, request: IRequest, type_id: str) -> bytes:
        self.context()
        found = find_type(type_id)
        if found is None:
            raise not_found("Volume type", type_id)
        return json_response(request, {"extra_specs": dict(found.extra_specs)})


class ZonesAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def list_zones(self, request: IRequest) -> bytes:
        self.context()
        zones = [{"zoneName": AVAILABILITY_ZONE, "zoneState": {"available": True}}]
        return json_response(request, {"availabilityZoneInfo": zones})


class LimitsAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def limits(self, request: IRequest) -> bytes:
        ctx = self.context()
        used = ctx.state.usage(ctx.now)
        quotas = ctx.state.quotas
        absolute = {
            "maxTotalVolumes": quotas["volumes"],
            "maxTotalSnapshots": quotas["snapshots"],
            "maxTotalVolumeGigabytes": quotas["gigabytes"],
            "maxTotalBackups": quotas["backups"],
            "maxTotalBackupGigabytes": quotas["backup_gigabytes"],
            "totalVolumesUsed": used["volumes"],
            "totalSnapshotsUsed": used["snapshots"],
            "totalGigabytesUsed": used["gigabytes"],
            "totalBackupsUsed": used["backups"],
            "totalBackupGigabytesUsed": used["backup_gigabytes"],
        }
        return json_response(request, {"limits": {"rate": [], "absolute": absolute}})


#: The quotas a project may change.
QUOTA_NAMES = tuple(DEFAULT_QUOTAS)


def quota_set(ctx: Context, project_id: str, quotas: dict[str, int], usage: bool) -> dict[str, Any]:
    used = ctx.state.usage(ctx.now)
    described: dict[str, Any] = {"id": project_id}
    per_type = {}
    for name in QUOTA_NAMES:
        per_type[name] = quotas[name]
    for volume_type in VOLUME_TYPES:
        for name in ("volumes", "gigabytes", "snapshots"):
            per_type[f"{name}_{volume_type.name}"] = -1
    for name, limit in per_type.items():
        if usage:
            described[name] = {"limit": limit, "in_use": used.get(name, 0), "reserved": 0, "allocated": 0}
        else:
            described[name] = limit
    return described


class QuotasAPI:
    """
    ``/os-quota-sets/{project}``: a project may read and change its own
    (every Mimic user is its project's admin), not another's.
    """

    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    def _own(self, ctx: Context, project_id: str) -> None:
        if project_id != ctx.tenant_id:
            raise cinder_error(403, "Policy doesn't allow volume_extension:quotas:show to be performed.")

    @app.route("/<project_id>/defaults", methods=["GET"])
    def defaults(self, request: IRequest, project_id: str) -> bytes:
        ctx = self.context()
        return json_response(request, {"quota_set": quota_set(ctx, project_id, dict(DEFAULT_QUOTAS), False)})

    @app.route("/<project_id>", methods=["GET"])
    def show(self, request: IRequest, project_id: str) -> bytes:
        ctx = self.context()
        self._own(ctx, project_id)
        usage = query_flag(request.args, "usage")
        return json_response(request, {"quota_set": quota_set(ctx, project_id, ctx.state.quotas, usage)})

    @app.route("/<project_id>", methods=["PUT"])
    def update(self, request: IRequest, project_id: str) -> bytes:
        ctx = self.context()
        self._own(ctx, project_id)
        require_admin(ctx.core, request)
        spec = body_object(read_json(request, cinder_error), "quota_set")
        changes: dict[str, int] = {}
        for name, value in spec.items():
            if name in ("tenant_id", "id"):
                continue
            if name not in QUOTA_NAMES and not any(name.startswith(f"{n}_") for n in ("volumes", "gigabytes", "snapshots")):
                raise bad_request(f"Bad key(s) in quota set: {name}")
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise bad_request(f"Invalid input received: Quota '{name}' must be an integer.")
            try:
                number = int(value)
            except ValueError:
                raise bad_request(f"Invalid input received: Quota '{name}' must be an integer.")
            if number < -1 or number > 2**31 - 1:
                raise bad_request(f"Invalid input received: Quota limit {number} for {name} must be in the range of -1 and 2147483647.")
            if name in QUOTA_NAMES:
                changes[name] = number
        used = ctx.state.usage(ctx.now)
        for name, number in changes.items():
            if number != -1 and name in used and used[name] > number:
                raise bad_request(
                    f"Invalid input received: Quota limit must be equal or greater than existing resources. "
                    f"Current usage of {name} is {used[name]}."
                )
        ctx.state.quotas.update(changes)
        body = quota_set(ctx, project_id, ctx.state.quotas, False)
        body.pop("id")
        return json_response(request, {"quota_set": body})

    @app.route("/<project_id>", methods=["DELETE"])
    def revert(self, request: IRequest, project_id: str) -> bytes:
        ctx = self.context()
        self._own(ctx, project_id)
        require_admin(ctx.core, request)
        ctx.state.quotas.clear()
        ctx.state.quotas.update(DEFAULT_QUOTAS)
        return json_response(request, None, 200)


#: The extensions Mimic's Cinder lists.
EXTENSIONS = (
    ("AvailabilityZones", "os-availability-zone", "Describe Availability Zones."),
    ("Backups", "backups", "Backups support."),
    ("ExtendedSnapshotAttributes", "os-extended-snapshot-attributes", "Extended SnapshotAttributes support."),
    ("Quotas", "os-quota-sets", "Quota management support."),
    ("SchedulerHints", "OS-SCH-HNT", "Pass arbitrary key/value pairs to the scheduler."),
    ("TypesManage", "os-types-manage", "Types manage support."),
    ("VolumeActions", "os-volume-actions", "Enable volume actions."),
    ("VolumeHostAttribute", "os-vol-host-attr", "Expose host as an attribute of a volume."),
    ("VolumeImageMetadata", "os-vol-image-meta", "Show image metadata associated with the volume."),
    ("VolumeTenantAttribute", "os-vol-tenant-attr", "Expose the internal project_id as an attribute of a volume."),
    ("AdminActions", "os-admin-actions", "Enable admin actions."),
)


class ExtensionsAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def list_extensions(self, request: IRequest) -> bytes:
        self.context()
        extensions = [
            {"name": name, "alias": alias, "description": description, "links": [],
             "updated": "2013-04-18T00:00:00+00:00"}
            for name, alias, description in EXTENSIONS
        ]
        return json_response(request, {"extensions": extensions})
