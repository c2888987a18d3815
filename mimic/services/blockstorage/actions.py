# -*- test-case-name: mimic.test.test_blockstorage_actions -*-
"""
Volume actions (``POST /volumes/{id}/action``): extend, reset status,
bootable and read-only flags, the attach protocol Nova drives (reserve,
attach, begin detaching, detach, unreserve, connections), upload to an
image, revert to a snapshot, retype and force delete.

Each action is a function of the request's context, the volume and its
argument, registered in :data:`ACTIONS` under Cinder's name for it.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.interfaces import IImages, IImageUploads
from mimic.services.blockstorage.errors import BlockStorageError, bad_request, invalid_input, invalid_volume
from mimic.services.blockstorage.failures import VOLUME_ATTACH, VOLUME_EXTEND
from mimic.services.blockstorage.copies import revert as revert_to_snapshot
from mimic.services.blockstorage.records import Volume
from mimic.services.blockstorage.validation import boolean, metadata, optional_id, optional_text, size
from mimic.services.blockstorage.views import cinder_time
from mimic.services.blockstorage.web import Context, require_admin

#: The statuses os-reset_status sets.
RESETTABLE = frozenset({
    "available", "error", "creating", "deleting", "in-use", "attaching", "detaching",
    "error_deleting", "maintenance", "reserved", "error_extending", "extending",
    "backing-up", "restoring-backup", "error_restoring", "downloading", "uploading", "retyping",
})

Action = Callable[[Context, IRequest, Volume, Any], bytes]

ACTIONS: dict[str, Action] = {}


def action(name: str) -> Callable[[Action], Action]:
    def register(function: Action) -> Action:
        ACTIONS[name] = function
        return function

    return register


def run_action(ctx: Context, request: IRequest, volume: Volume, body: Any) -> bytes:
    """
    Run the one action the body names; 400 for anything else.
    """
    if not isinstance(body, dict) or not body:
        raise bad_request("Malformed request body")
    for name, argument in body.items():
        found = ACTIONS.get(name)
        if found is not None:
            return found(ctx, request, volume, argument)
    raise bad_request(f"There is no such action: {next(iter(body))}")


def _argument(argument: Any, name: str) -> dict[str, Any]:
    if argument is None:
        return {}
    if not isinstance(argument, dict):
        raise bad_request(f"Invalid input for field/attribute {name}. Value: {argument}. "
                          f"{argument!r} is not of type 'object'")
    return argument


def _accepted(request: IRequest) -> bytes:
    return json_response(request, None, 202)


@action("os-extend")
def extend(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-extend")
    new_size = size(argument.get("new_size"), "new_size")
    assert new_size is not None
    outcome = ctx.decide(VOLUME_EXTEND, volume)
    ctx.state.extend_volume(volume.id, new_size, ctx.now, outcome=outcome)
    return _accepted(request)


@action("os-reset_status")
def reset_status(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    require_admin(ctx.core, request)
    argument = _argument(argument, "os-reset_status")
    status = optional_text(argument, "status")
    attach_status = optional_text(argument, "attach_status")
    if status is None and attach_status is None and argument.get("migration_status") is None:
        raise bad_request("Must specify 'status', 'attach_status' or 'migration_status' for update.")
    if status is not None and status.lower() not in RESETTABLE:
        raise invalid_input(f"Invalid input received: '{status}' is not a valid status.")
    if attach_status is not None and attach_status not in ("attached", "detached"):
        raise invalid_input(f"'{attach_status}' is not a valid attach_status.")
    ctx.state.reset_status(volume, ctx.now, None if status is None else status.lower(), attach_status)
    return _accepted(request)


@action("os-set_bootable")
def set_bootable(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-set_bootable")
    if "bootable" not in argument:
        raise invalid_input("Must specify bootable in request.")
    volume.bootable = boolean(argument["bootable"], "bootable")
    volume.changed(ctx.now)
    return json_response(request, None, 200)


@action("os-update_readonly_flag")
def update_readonly(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-update_readonly_flag")
    if "readonly" not in argument:
        raise invalid_input("Must specify readonly in request.")
    readonly = boolean(argument["readonly"], "readonly")
    status = volume.status(ctx.now)
    if status != "available":
        raise invalid_volume(f"Volume {volume.id} status must be available to update readonly flag, but current status is: {status}.")
    volume.readonly = readonly
    volume.metadata["readonly"] = "True" if readonly else "False"
    volume.changed(ctx.now)
    return _accepted(request)


@action("os-reserve")
def reserve(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    ctx.state.reserve(volume.id, None, ctx.now)
    return _accepted(request)


@action("os-unreserve")
def unreserve(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    ctx.state.unreserve(volume.id, ctx.now)
    return _accepted(request)


@action("os-begin_detaching")
def begin_detaching(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    ctx.state.begin_detaching(volume.id, ctx.now)
    return _accepted(request)


@action("os-roll_detaching")
def roll_detaching(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    ctx.state.roll_detaching(volume.id, ctx.now)
    return _accepted(request)


@action("os-attach")
def attach(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-attach")
    server_id = optional_id(argument, "instance_uuid")
    host_name = optional_text(argument, "host_name")
    if server_id is None and host_name is None:
        raise invalid_volume("Invalid request to attach volume to an invalid target")
    mountpoint = optional_text(argument, "mountpoint")
    if mountpoint is None:
        raise invalid_input("Must specify 'mountpoint'")
    mode = argument.get("mode", "rw")
    if mode not in ("rw", "ro"):
        raise invalid_volume("Invalid attaching mode '%s' for volume %s." % (str(mode)[:16], volume.id))
    outcome = ctx.decide(VOLUME_ATTACH, volume, server_id=server_id)
    ctx.state.attach(volume.id, server_id, mountpoint, ctx.now, outcome=outcome, host_name=host_name, mode=mode)
    return _accepted(request)


@action("os-detach")
def detach(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-detach")
    attachment_id = optional_id(argument, "attachment_id")
    ctx.state.detach(volume.id, None, ctx.now, attachment_id=attachment_id)
    return _accepted(request)


@action("os-initialize_connection")
def initialize_connection(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-initialize_connection")
    if not isinstance(argument.get("connector"), dict):
        raise invalid_input("Must specify 'connector'")
    info = {
        "driver_volume_type": "iscsi",
        "data": {
            "target_discovered": False,
            "target_iqn": f"iqn.2010-10.org.openstack:volume-{volume.id}",
            "target_portal": "127.0.0.1:3260",
            "target_lun": 0,
            "volume_id": volume.id,
            "access_mode": "ro" if volume.readonly else "rw",
        },
    }
    return json_response(request, {"connection_info": info}, 200)


@action("os-terminate_connection")
def terminate_connection(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-terminate_connection")
    if not isinstance(argument.get("connector"), dict):
        raise invalid_input("Must specify 'connector'")
    return _accepted(request)


@action("os-force_delete")
def force_delete(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    require_admin(ctx.core, request)
    ctx.state.delete_volume(volume.id, ctx.now, cascade=True, force=True)
    return _accepted(request)


@action("os-retype")
def retype(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-retype")
    new_type = optional_id(argument, "new_type")
    if new_type is None:
        raise invalid_input("New volume type must be specified.")
    found = ctx.state.types.find(new_type)
    if found is None:
        raise BlockStorageError(404, "VolumeTypeNotFoundByName", f"Volume type with name {new_type} could not be found.")
    status = volume.status(ctx.now)
    if status not in ("available", "in-use"):
        raise invalid_volume(f"Volume {volume.id} status must be available or in-use, but current status is: {status}.")
    if found.name == volume.volume_type:
        raise invalid_input("Retype requires a different volume type.")
    volume.volume_type = found.name
    volume.changed(ctx.now)
    return _accepted(request)


@action("revert")
def revert(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    if not ctx.view.at_least(3, 40):
        raise bad_request("There is no such action: revert")
    argument = _argument(argument, "revert")
    snapshot_id = optional_id(argument, "snapshot_id")
    if snapshot_id is None:
        raise invalid_input("Must specify 'snapshot_id'")
    revert_to_snapshot(ctx.state, volume.id, snapshot_id, ctx.now)
    return _accepted(request)


@action("os-volume_upload_image")
def upload_image(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    """
    Make a Glance image of the volume (through the image service's
    :class:`~mimic.interfaces.IImages`); the volume is ``uploading``
    while it is copied.
    """
    argument = _argument(argument, "os-volume_upload_image")
    image_name = optional_text(argument, "image_name")
    if not image_name:
        raise bad_request("No image_name was specified in request.")
    force = boolean(argument.get("force", False), "force")
    disk_format, container_format = _upload_formats(argument)
    status = volume.status(ctx.now)
    if status != "available" and not (force and status == "in-use"):
        raise invalid_volume(f"Volume {volume.id} status must be available or in-use, but current status is: {status}.")
    images = ctx.core.shared(IImages, ctx.tenant_id, ctx.region)
    if not IImageUploads.providedBy(images):
        raise BlockStorageError(503, "ImageServiceUnavailable", "The image service is not available.")
    metadata = dict(volume.image_metadata or {})
    for internal in ("image_id", "image_name", "checksum", "size", "container_format", "disk_format"):
        metadata.pop(internal, None)
    image = images.upload_volume(
        image_name, volume.id, volume.size, ctx.now, metadata, (disk_format, container_format)
    )
    end = ctx.now + ctx.state.timings.snapshot
    volume.timeline.then(ctx.now, (ctx.now, "uploading"), (end, status))
    volume.changed(ctx.now)
    found = ctx.state.types.find(volume.volume_type)
    described = {
        "id": volume.id,
        "updated_at": cinder_time(ctx.now),
        "status": "uploading",
        "display_description": volume.description,
        "size": volume.size,
        "volume_type": None if found is None else found.to_json(),
        "image_id": image.id,
        "container_format": container_format,
        "disk_format": disk_format,
        "image_name": image_name,
    }
    if ctx.view.at_least(3, 1):
        described["visibility"] = argument.get("visibility", "private")
        described["protected"] = bool(argument.get("protected", False))
    return json_response(request, {"os-volume_upload_image": described}, 202)


#: The disk formats Cinder uploads a volume in.
UPLOAD_DISK_FORMATS = ("raw", "vmdk", "vdi", "qcow2", "vhd", "vhdx", "ploop")

#: The container formats Glance takes (Cinder passes the one asked for
#: on, and answers Glance's refusal of any other as its own 400).
GLANCE_CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")


def _upload_formats(argument: dict[str, Any]) -> tuple[str, str]:
    """
    The ``(disk_format, container_format)`` an upload asks for: Cinder's
    ``raw`` in ``bare`` unless the request says otherwise.  400 for a
    disk format Cinder does not write, a container format Glance does
    not know, or ``compressed`` (which Cinder refuses unless its
    ``allow_compression_on_image_upload`` is set, and it is not by
    default).
    """
    disk_format = argument.get("disk_format", "raw")
    container_format = argument.get("container_format", "bare")
    if disk_format not in UPLOAD_DISK_FORMATS:
        raise invalid_input(
            f"Invalid disk-format '{str(disk_format)[:32]}' is specified. "
            f"Allowed disk-formats are {', '.join(UPLOAD_DISK_FORMATS)}."
        )
    if not isinstance(container_format, str) or container_format not in GLANCE_CONTAINER_FORMATS:
        raise bad_request(f"Invalid container format '{str(container_format)[:32]}' for image.")
    if container_format == "compressed":
        raise bad_request("Image compression upload disallowed, but container_format is compressed")
    return disk_format, container_format


@action("os-set_image_metadata")
def set_image_metadata(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    """
    Add to the volume's image metadata (``volume_image_metadata``).
    """
    argument = _argument(argument, "os-set_image_metadata")
    given = metadata(argument.get("metadata"), allow_none=False) or {}
    volume.image_metadata = {**(volume.image_metadata or {}), **given}
    volume.changed(ctx.now)
    return json_response(request, {"metadata": dict(volume.image_metadata)}, 200)


@action("os-unset_image_metadata")
def unset_image_metadata(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    argument = _argument(argument, "os-unset_image_metadata")
    key = argument.get("key")
    if not isinstance(key, str) or key not in (volume.image_metadata or {}):
        raise BlockStorageError(
            404, "GlanceMetadataNotFound", f"Glance metadata for volume {volume.id} with key {str(key)[:255]} not found."
        )
    volume.image_metadata = {k: v for k, v in (volume.image_metadata or {}).items() if k != key}
    volume.changed(ctx.now)
    return json_response(request, None, 200)


@action("os-show_image_metadata")
def show_image_metadata(ctx: Context, request: IRequest, volume: Volume, argument: Any) -> bytes:
    return json_response(request, {"metadata": dict(volume.image_metadata or {})}, 200)
