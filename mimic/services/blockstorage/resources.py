# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
What Cinder serves beside volumes, snapshots, backups and attachments,
each a Klein app the API hands the rest of the path to: volume types,
availability zones, limits, quota sets, extensions and user messages.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.services.blockstorage.catalogue import AVAILABILITY_ZONE, DEFAULT_QUOTAS, default_quotas
from mimic.services.blockstorage.errors import (
    bad_request,
    cinder_error,
    handle_cinder_errors,
    not_found,
)
from mimic.services.blockstorage.records import Fault
from mimic.services.blockstorage.validation import body_object, query_flag
from mimic.services.blockstorage.views import message_json
from mimic.services.blockstorage.web import Context, ContextFactory, require_admin


class TypesAPI:
    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def list_types(self, request: IRequest) -> bytes:
        ctx = self.context()
        return json_response(request, {"volume_types": [t.to_json() for t in ctx.state.types.types]})

    @app.route("/default", methods=["GET"])
    def default(self, request: IRequest) -> bytes:
        ctx = self.context()
        if not ctx.view.at_least(3, 62):
            raise not_found("Volume type", "default")
        return json_response(request, {"volume_type": ctx.state.types.default.to_json()})

    @app.route("/<type_id>", methods=["GET"])
    def show(self, request: IRequest, type_id: str) -> bytes:
        found = self.context().state.types.find(type_id)
        if found is None:
            raise not_found("Volume type", type_id)
        return json_response(request, {"volume_type": found.to_json()})

    @app.route("/<type_id>/extra_specs", methods=["GET"])
    def extra_specs(self, request: IRequest, type_id: str) -> bytes:
        found = self.context().state.types.find(type_id)
        if found is None:
            raise not_found("Volume type", type_id)
        return json_response(request, {"extra_specs": dict(found.extra_specs)})

    @app.route("/<type_id>/extra_specs/<key>", methods=["GET"])
    def extra_spec(self, request: IRequest, type_id: str, key: str) -> bytes:
        """
        One extra spec, as Cinder answers it: ``{key: value}`` alone.
        """
        found = self.context().state.types.find(type_id)
        if found is None:
            raise not_found("Volume type", type_id)
        specs = dict(found.extra_specs)
        if key not in specs:
            raise cinder_error(404, f"Volume Type {type_id} has no extra specs with key {key}.")
        return json_response(request, {key: specs[key]})


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
    for volume_type in ctx.state.types.types:
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
        return json_response(request, {"quota_set": quota_set(ctx, project_id, default_quotas(ctx.core.profile), False)})

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
        ctx.state.quotas.update(default_quotas(ctx.core.profile))
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


class MessagesAPI:
    """
    User messages (3.3+): why the project's volumes went into error.
    They are read from the volumes' faults; a delete hides one.
    """

    app = Klein()
    handle_cinder_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    def ctx(self) -> Context:
        ctx = self.context()
        if not ctx.view.at_least(3, 3):
            raise cinder_error(404, "The resource could not be found.")
        return ctx

    def _messages(self, ctx: Context) -> dict[str, Fault]:
        return {
            fault.id: fault
            for volume in ctx.state.live_volumes(ctx.now)
            for fault in volume.faults
            if fault.at <= ctx.now and fault.id not in ctx.state.dismissed
        }

    def _message(self, ctx: Context, message_id: str) -> Fault:
        found = self._messages(ctx).get(message_id)
        if found is None:
            raise cinder_error(404, f"Message {message_id} could not be found.")
        return found

    @app.route("/", methods=["GET"])
    def list_messages(self, request: IRequest) -> bytes:
        ctx = self.ctx()
        faults = sorted(self._messages(ctx).values(), key=lambda f: f.at, reverse=True)
        return json_response(request, {"messages": [message_json(f, ctx.view) for f in faults]})

    @app.route("/<message_id>", methods=["GET"])
    def show(self, request: IRequest, message_id: str) -> bytes:
        ctx = self.ctx()
        return json_response(request, {"message": message_json(self._message(ctx, message_id), ctx.view)})

    @app.route("/<message_id>", methods=["DELETE"])
    def delete(self, request: IRequest, message_id: str) -> bytes:
        ctx = self.ctx()
        ctx.state.dismissed.add(self._message(ctx, message_id).id)
        return json_response(request, None, 204)
