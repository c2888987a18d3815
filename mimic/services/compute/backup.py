# -*- test-case-name: mimic.test.test_compute_lifecycle -*-
"""
``createBackup``: a snapshot of a server kept as one of a rotating set.

Nova makes the image through the Image service (here the
:class:`~mimic.interfaces.IImages` contract) with the properties that
mark it a backup (``image_type: backup``, ``backup_type`` and
``instance_uuid``), then keeps the newest ``rotation`` backups of that
server and type and deletes the older ones.  A rotation of 0 makes no
image and deletes every backup of the type.  From 2.45 the answer is
``{"image_id": ...}``; before, a ``Location`` header.
"""

from __future__ import annotations

from typing import Any

from mimic.http import json_response
from mimic.interfaces import IImages
from mimic.services.compute.actions import ActionRequest, _check_state
from mimic.services.compute.errors import invalid_input
from mimic.services.compute.images import LAST_IMAGE_METADATA_MICROVERSION
from mimic.services.compute.metadata import check_image_metadata_quota, string_map
from mimic.services.compute.model import ACTIVE, PAUSED, STOPPED, SUSPENDED

#: The vm_states Nova backs a server up in.
BACKUP_STATES = (ACTIVE, STOPPED, PAUSED, SUSPENDED)

_KNOWN = {"name", "backup_type", "rotation", "metadata"}


def _rotation(value: Any) -> int:
    """
    Nova's non-negative integer: a number, or a string of digits.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_input("rotation", value, f"{value!r} is not of type 'integer', 'string'")
    if isinstance(value, str):
        if not value.isdigit():
            raise invalid_input("rotation", value, f"{value!r} does not match '^[0-9]*$'")
        value = int(value)
    if value < 0:
        raise invalid_input("rotation", value, f"{value} is less than the minimum of 0")
    return value


def backup_request(argument: Any) -> tuple[str, str, int, dict[str, str]]:
    """
    ``{"name", "backup_type", "rotation", "metadata"?}`` as Nova's schema
    checks it: (name, backup type, rotation, metadata).
    """
    if not isinstance(argument, dict):
        raise invalid_input("createBackup", argument, f"{argument!r} is not of type 'object'")
    for required in ("name", "backup_type", "rotation"):
        if required not in argument:
            raise invalid_input("createBackup", argument, f"'{required}' is a required property")
    unexpected = set(argument) - _KNOWN
    if unexpected:
        raise invalid_input(
            "createBackup", argument,
            f"Additional properties are not allowed ({', '.join(map(repr, sorted(unexpected)))} was unexpected)",
        )
    name, backup_type = argument["name"], argument["backup_type"]
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise invalid_input("name", name, f"{name!r} is not a valid name")
    if not isinstance(backup_type, str):
        raise invalid_input("backup_type", backup_type, f"{backup_type!r} is not of type 'string'")
    metadata = string_map(argument.get("metadata", {}), "metadata")
    return name, backup_type, _rotation(argument["rotation"]), metadata


def backups_of(images: IImages, server_id: str, backup_type: str) -> list[Any]:
    """
    The server's backups of a type, newest first (the images' order).
    """
    return [
        image
        for image in images
        if image.is_snapshot
        and image.server_id == server_id
        and image.metadata.get("image_type") == "backup"
        and image.metadata.get("backup_type") == backup_type
    ]


def rotate(images: IImages, server_id: str, backup_type: str, rotation: int) -> None:
    """
    Keep the newest ``rotation`` backups of the type, delete the rest.
    """
    for image in backups_of(images, server_id, backup_type)[rotation:]:
        images.delete(image.id)


def create_backup(act: ActionRequest) -> bytes:
    name, backup_type, rotation, metadata = backup_request(act.argument)
    server, ctx, state = act.server, act.ctx, act.state
    if ctx.microversion <= LAST_IMAGE_METADATA_MICROVERSION:
        check_image_metadata_quota(metadata, state.quotas.metadata_items)
    _check_state(server, "createBackup", BACKUP_STATES)
    images = state.images
    if rotation == 0:
        rotate(images, server.id, backup_type, 0)
        return json_response(act.request, None, 202)
    properties = dict(metadata)
    properties.update({"image_type": "backup", "backup_type": backup_type, "instance_uuid": server.id})
    base = images.get(server.image_id) if server.image_id else None
    image = images.create_snapshot(name, server.id, ctx.now, properties, base)
    rotate(images, server.id, backup_type, rotation)
    act.timed("createBackup", "image_backup", (server.vm_state, None, server.power_state))
    if ctx.microversion >= (2, 45):
        return json_response(act.request, {"image_id": image.id}, 202)
    location = f"{ctx.versioned_url}/images/{image.id}"
    return json_response(act.request, None, 202, {b"Location": location.encode()})


BACKUP_ACTIONS = {"createBackup": create_backup}
