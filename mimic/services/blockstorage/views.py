# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Block storage's model as Cinder's v3 wire format, per microversion:
volumes (summary and detail), attachments, snapshots and backups.

Fields Cinder added in later microversions appear only from theirs
(``group_id`` 3.13, ``provider_id`` 3.21, ``service_uuid`` and
``shared_targets`` 3.48, ``volume_type_id`` 3.63, ``consumes_quota``
3.65...), as Cinder's view builders add them.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from mimic.services.blockstorage.catalogue import HOST, known_type
from mimic.services.blockstorage.failures import NO_VALID_BACKEND
from mimic.services.blockstorage.records import Attachment, Backup, Fault, Snapshot, Volume
from mimic.services.blockstorage.versions import Microversion
from mimic.timestamps import iso_microseconds

#: The service's id, as Cinder's volume view names the backend's service.
SERVICE_UUID = "6e5d1e0a-3c21-4b8e-9d55-0f8a3c1b2a77"


def cinder_time(seconds: float | None) -> str | None:
    """
    Cinder's timestamps: microseconds and no zone (``2026-11-30T19:40:00.000000``).
    """
    if seconds is None:
        return None
    return iso_microseconds(seconds)[:-1]


@frozen
class View:
    """
    What shapes a response: the microversion, the URLs links are made
    under, the time, the project.
    """

    microversion: Microversion
    versioned_url: str
    bookmark_url: str
    now: float
    tenant_id: str

    def links(self, collection: str, identifier: str) -> list[dict[str, str]]:
        return [
            {"href": f"{self.versioned_url}/{collection}/{identifier}", "rel": "self"},
            {"href": f"{self.bookmark_url}/{collection}/{identifier}", "rel": "bookmark"},
        ]

    def at_least(self, major: int, minor: int) -> bool:
        return self.microversion >= (major, minor)


def attachment_summary(attachment: Attachment, view: View) -> dict[str, Any]:
    """
    An attachment as a volume lists it.
    """
    return {
        "server_id": attachment.server_id,
        "attachment_id": attachment.id,
        "attached_at": cinder_time(attachment.attached_at),
        "host_name": attachment.host_name,
        "volume_id": attachment.volume_id,
        "device": attachment.device,
        "id": attachment.volume_id,
    }


def volume_summary(volume: Volume, view: View) -> dict[str, Any]:
    return {"id": volume.id, "name": volume.name, "links": view.links("volumes", volume.id)}


def volume_detail(volume: Volume, view: View) -> dict[str, Any]:
    now = view.now
    status = volume.status(now)
    attached = [
        attachment_summary(a, view)
        for a in volume.attachment_map.values()
        if a.attached_at is not None and a.attached_at <= now and a.live(now)
    ]
    described: dict[str, Any] = {
        "id": volume.id,
        "name": volume.name,
        "description": volume.description,
        "status": status,
        "size": volume.size,
        "availability_zone": volume.availability_zone,
        "created_at": cinder_time(volume.created),
        "updated_at": cinder_time(volume.updated_at(now)),
        "attachments": attached,
        "links": view.links("volumes", volume.id),
        "metadata": dict(volume.metadata),
        "volume_type": volume.volume_type,
        "snapshot_id": volume.snapshot_id,
        "source_volid": volume.source_volid,
        "bootable": "true" if volume.bootable else "false",
        "encrypted": False,
        "multiattach": volume.multiattach,
        "replication_status": None,
        "consistencygroup_id": None,
        "migration_status": None,
        "user_id": volume.user_id,
        "os-vol-tenant-attr:tenant_id": view.tenant_id,
        "os-vol-host-attr:host": HOST,
        "os-vol-mig-status-attr:migstat": None,
        "os-vol-mig-status-attr:name_id": None,
    }
    if volume.image_metadata is not None:
        described["volume_image_metadata"] = dict(volume.image_metadata)
    if view.at_least(3, 13):
        described["group_id"] = None
    if view.at_least(3, 21):
        described["provider_id"] = None
    if view.at_least(3, 48):
        described["service_uuid"] = SERVICE_UUID
        described["shared_targets"] = False
    if view.at_least(3, 61):
        described["cluster_name"] = None
    if view.at_least(3, 63):
        found = known_type(volume.volume_type)
        described["volume_type_id"] = None if found is None else found.id
    if view.at_least(3, 65):
        described["consumes_quota"] = True
    return described


def created_volume(volume: Volume, view: View) -> dict[str, Any]:
    """
    A new volume as the create answers it: ``creating`` (Cinder answers
    before its scheduler has looked at it).
    """
    described = changed_volume(volume, view)
    described["status"] = volume.timeline.steps[0][1]
    return described


def changed_volume(volume: Volume, view: View) -> dict[str, Any]:
    """
    A volume as a create or an update answers it: without the admin
    fields and the image metadata, which only a show or a detailed
    listing gives.
    """
    described = volume_detail(volume, view)
    for admin_only in (
        "volume_image_metadata",
        "os-vol-tenant-attr:tenant_id",
        "os-vol-host-attr:host",
        "os-vol-mig-status-attr:migstat",
        "os-vol-mig-status-attr:name_id",
        "cluster_name",
    ):
        described.pop(admin_only, None)
    return described


def snapshot_json(snapshot: Snapshot, view: View, detail: bool = True) -> dict[str, Any]:
    """
    A snapshot; the detail (show, detailed listing) adds its progress and
    project.
    """
    described: dict[str, Any] = {
        "id": snapshot.id,
        "name": snapshot.name,
        "description": snapshot.description,
        "volume_id": snapshot.volume_id,
        "size": snapshot.size,
        "status": snapshot.status(view.now),
        "created_at": cinder_time(snapshot.created),
        "updated_at": cinder_time(snapshot.updated),
        "metadata": dict(snapshot.metadata),
    }
    if detail:
        described["os-extended-snapshot-attributes:progress"] = "100%"
        described["os-extended-snapshot-attributes:project_id"] = view.tenant_id
    if view.at_least(3, 14):
        described["group_snapshot_id"] = None
    if view.at_least(3, 41):
        described["user_id"] = snapshot.user_id
    if view.at_least(3, 65):
        described["consumes_quota"] = True
    return described


def backup_summary(backup: Backup, view: View) -> dict[str, Any]:
    return {"id": backup.id, "name": backup.name, "links": view.links("backups", backup.id)}


def backup_json(backup: Backup, view: View) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": backup.id,
        "name": backup.name,
        "description": backup.description,
        "volume_id": backup.volume_id,
        "size": backup.size,
        "status": backup.status(view.now),
        "availability_zone": "nova",
        "container": backup.container,
        "created_at": cinder_time(backup.created),
        "updated_at": cinder_time(backup.updated),
        "data_timestamp": cinder_time(backup.created),
        "fail_reason": backup.fail_reason,
        "object_count": 0,
        "is_incremental": backup.incremental,
        "has_dependent_backups": False,
        "snapshot_id": backup.snapshot_id,
        "links": view.links("backups", backup.id),
    }
    if view.at_least(3, 18):
        described["os-backup-project-attr:project_id"] = view.tenant_id
    if view.at_least(3, 43):
        described["metadata"] = dict(backup.metadata)
    if view.at_least(3, 56):
        described["user_id"] = backup.user_id
    # No ``encryption_key_id`` (3.64): Cinder shows it for backups of
    # encrypted volumes only, and Mimic's are not encrypted.
    return described


def attachment_json(attachment: Attachment, view: View) -> dict[str, Any]:
    """
    An attachment as the v3 attachments API (3.27+) shows it.
    """
    return {
        "id": attachment.id,
        "status": attachment.attach_status(view.now),
        "instance": attachment.server_id,
        "volume_id": attachment.volume_id,
        "attached_at": cinder_time(attachment.attached_at),
        "detached_at": cinder_time(attachment.detached_at),
        "attach_mode": attachment.mode,
        "connection_info": (
            {"driver_volume_type": "iscsi", "data": {"target_discovered": False}}
            if attachment.connector is not None
            else {}
        ),
    }


#: Cinder's codes and words for what was being done, in user messages.
MESSAGE_ACTIONS = {
    "create": ("001", "schedule allocate volume"),
    "extend": ("007", "extend volume"),
    "delete": ("015", "delete volume"),
}

#: How long Cinder keeps a user message (``message_ttl``), in seconds.
MESSAGE_TTL = 30 * 24 * 3600


def message_json(fault: Fault, view: View) -> dict[str, Any]:
    """
    A volume's fault as a user message (3.3): what was being done and
    why it failed, as Cinder tells a project why its volume is in error.
    """
    code, doing = MESSAGE_ACTIONS.get(fault.action, ("001", fault.action))
    detail = "002" if fault.reason == NO_VALID_BACKEND else "001"
    return {
        "id": fault.id,
        "request_id": f"req-{fault.id}",
        "message_level": "ERROR",
        "event_id": f"VOLUME_VOLUME_{code}_{detail}",
        "user_message": f"{doing}: {fault.reason}",
        "resource_type": "VOLUME",
        "resource_uuid": fault.volume_id,
        "created_at": cinder_time(fault.at),
        "guaranteed_until": cinder_time(fault.at + MESSAGE_TTL),
        "links": view.links("messages", fault.id),
    }
