# -*- test-case-name: mimic.test.test_blockstorage_model -*-
"""
Block storage's state for one tenant in one region, and its rules, with
no HTTP in it: volumes and their attachments (snapshots and backups are
changed in :mod:`~mimic.services.blockstorage.copies`).

A resource's status is a *timeline* (:class:`~mimic.services.blockstorage.records.Timeline`):
the statuses it takes and from when, on Mimic's clock (a volume is
``creating`` from its creation and ``available`` from ``create_seconds``
later).  Reading a status looks the timeline up and changes nothing, so a
read never alters state and the answer is the same however the clock was
ticked.  Each change replaces what was still to come with its own steps.

Deleted resources linger (``deleting``) until their time is up; the store
forgets them on its next change, oldest first, without a scan.

Refusals are :class:`~mimic.services.blockstorage.errors.BlockStorageError`\\ s
with Cinder's status, exception name and message; how long things take
is :class:`~mimic.services.blockstorage.records.Timings` (the
``blockstorage.*_seconds`` settings), and what a known error condition
changes arrives as an outcome from
:mod:`mimic.services.blockstorage.failures`.
"""

from __future__ import annotations

import heapq
from typing import Any, Iterator, Mapping

from attrs import define, field
from zope.interface import implementer

from mimic.interfaces import IPendingEvents, IRegionState
from mimic.pending import PendingEvent
from mimic.services.blockstorage.catalogue import (
    AVAILABILITY_ZONE,
    DEFAULT_QUOTAS,
    DEFAULT_TYPE,
    RACKSPACE_TYPES,
    VolumeType,
    VolumeTypes,
    default_quotas,
    volume_types,
)
from mimic.services.blockstorage.errors import (
    BlockStorageError,
    invalid_input,
    invalid_volume,
    not_found,
)
from mimic.services.blockstorage.failures import NORMALLY, EndsInError, Lingers, Outcome, OverQuota
from mimic.services.blockstorage.records import (
    Attachment,
    Backup,
    Snapshot,
    Timeline,
    Timings,
    Volume,
    gone_or_none,
    new_id,
)

SERVICE_NAME = "blockstorage"

#: The statuses from which Cinder deletes a volume.
DELETABLE = frozenset({"available", "error", "error_restoring", "error_extending", "error_managing"})

#: Cinder's message for a delete it refuses.
DELETE_REFUSED = (
    "Volume status must be available or error or error_restoring or error_extending or "
    "error_managing and must not be migrating, attached, belong to a group, have snapshots, "
    "awaiting a transfer, or be disassociated from snapshots after volume transfer."
)


@implementer(IRegionState, IPendingEvents)
@define
class BlockStorage:
    """
    One tenant's volumes, snapshots, backups and attachments in one region.
    Lookups by id are dict lookups; listings keep creation order.
    """

    tenant_id: str
    region: str
    timings: Timings = field(factory=Timings)
    quotas: dict[str, int] = field(factory=lambda: dict(DEFAULT_QUOTAS))
    volumes: dict[str, Volume] = field(factory=dict)
    snapshots: dict[str, Snapshot] = field(factory=dict)
    backups: dict[str, Backup] = field(factory=dict)
    attachments: dict[str, Attachment] = field(factory=dict)
    #: The ids of the user messages the project deleted.
    dismissed: set[str] = field(factory=set)
    #: (gone at, kind, id) of deleted resources still lingering.
    _doomed: list[tuple[float, str, str]] = field(factory=list)
    #: The cloud's volume types (its profile's).
    types: VolumeTypes = RACKSPACE_TYPES

    # -- bookkeeping ----------------------------------------------------

    def forget_gone(self, now: float) -> None:
        """
        Drop what has finished being deleted, oldest first.
        """
        while self._doomed and self._doomed[0][0] <= now:
            _, kind, identifier = heapq.heappop(self._doomed)
            if kind == "volume":
                volume = self.volumes.pop(identifier, None)
                if volume is not None:
                    for attachment_id in volume.attachment_map:
                        self.attachments.pop(attachment_id, None)
            elif kind == "snapshot":
                snapshot = self.snapshots.pop(identifier, None)
                if snapshot is not None and snapshot.volume_id in self.volumes:
                    self.volumes[snapshot.volume_id].snapshot_ids.discard(identifier)
            else:
                self.backups.pop(identifier, None)

    def doom(self, kind: str, identifier: str, at: float, now: float) -> None:
        heapq.heappush(self._doomed, (at, kind, identifier))
        self.forget_gone(now)

    def usage(self, now: float) -> dict[str, int]:
        """
        What the project's live resources take of each quota.
        """
        volumes = [v for v in self.volumes.values() if v.gone_at is None]
        snapshots = [s for s in self.snapshots.values() if s.gone_at is None]
        backups = [b for b in self.backups.values() if b.gone_at is None]
        return {
            "volumes": len(volumes),
            "gigabytes": sum(v.size for v in volumes) + sum(s.size for s in snapshots),
            "snapshots": len(snapshots),
            "backups": len(backups),
            "backup_gigabytes": sum(b.size for b in backups),
            "groups": 0,
            "per_volume_gigabytes": 0,
        }

    def check_quota(self, now: float, volumes: int = 0, gigabytes: int = 0, snapshots: int = 0) -> None:
        """
        Cinder's 413 when a change would go over the project's quota.
        """
        per_volume = self.quotas["per_volume_gigabytes"]
        if volumes and per_volume != -1 and gigabytes > per_volume:
            raise BlockStorageError(
                413,
                "VolumeSizeExceedsLimit",
                f"Requested volume size {gigabytes}G is larger than maximum allowed limit {per_volume}G.",
            )
        used = self.usage(now)
        allowed = self.quotas["gigabytes"]
        if gigabytes and allowed != -1 and used["gigabytes"] + gigabytes > allowed:
            raise gigabytes_over_quota(gigabytes, allowed, used["gigabytes"])
        if volumes and self.quotas["volumes"] != -1 and used["volumes"] + volumes > self.quotas["volumes"]:
            raise BlockStorageError(
                413,
                "VolumeLimitExceeded",
                f"Maximum number of volumes allowed ({self.quotas['volumes']}) exceeded for quota 'volumes'.",
            )
        if snapshots and self.quotas["snapshots"] != -1 and used["snapshots"] + snapshots > self.quotas["snapshots"]:
            raise BlockStorageError(
                413,
                "SnapshotLimitExceeded",
                f"Maximum number of snapshots allowed ({self.quotas['snapshots']}) exceeded",
            )

    # -- volumes --------------------------------------------------------

    def get(self, volume_id: str, now: float) -> Volume | None:
        return gone_or_none(self.volumes, volume_id, now)

    def volume(self, volume_id: str, now: float) -> Volume:
        found = self.get(volume_id, now)
        if found is None:
            raise not_found("Volume", volume_id)
        return found

    def live_volumes(self, now: float) -> Iterator[Volume]:
        return (v for v in self.volumes.values() if not v.gone(now))

    def create_volume(
        self,
        size: int,
        now: float,
        volume_type: VolumeType = DEFAULT_TYPE,
        user_id: str = "",
        name: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        availability_zone: str | None = None,
        image: Any = None,
        snapshot: Snapshot | None = None,
        source: Volume | None = None,
        bootable: bool = False,
        multiattach: bool = False,
        outcome: Outcome = NORMALLY,
        status: str = "creating",
        ready: str = "available",
    ) -> Volume:
        """
        Make a volume: ``creating`` for ``create_seconds`` (or as a
        condition says), then ``available`` or ``error``.  The quota is
        checked first (413, and nothing made).
        """
        self.forget_gone(now)
        if isinstance(outcome, OverQuota):
            raise gigabytes_over_quota(size, self.quotas["gigabytes"], self.usage(now)["gigabytes"])
        self.check_quota(now, volumes=1, gigabytes=size)
        if availability_zone is not None and availability_zone != AVAILABILITY_ZONE:
            raise invalid_input(f"Availability zone '{availability_zone}' is invalid.")
        image_metadata = None
        if image is not None:
            bootable = True
            image_metadata = image_metadata_of(image)
        if source is not None:
            bootable = bootable or source.bootable
            if source.image_metadata is not None:
                image_metadata = dict(source.image_metadata)
        if snapshot is not None:
            origin = self.volumes.get(snapshot.volume_id)
            if origin is not None:
                bootable = bootable or origin.bootable
                if origin.image_metadata is not None:
                    image_metadata = dict(origin.image_metadata)
        timeline = Timeline([(now, status)])
        volume = Volume(
            id=new_id(),
            name=name,
            description=description,
            size=size,
            volume_type=volume_type.name,
            availability_zone=availability_zone or AVAILABILITY_ZONE,
            created=now,
            user_id=user_id,
            timeline=timeline,
            metadata=dict(metadata or {}),
            bootable=bootable,
            multiattach=multiattach,
            image_id=None if image is None else image.id,
            image_metadata=image_metadata,
            snapshot_id=None if snapshot is None else snapshot.id,
            source_volid=None if source is None else source.id,
        )
        self.finish(volume.timeline, now, self.timings.create, outcome, ready, "error", volume)
        self.volumes[volume.id] = volume
        return volume

    def finish(
        self,
        timeline: Timeline,
        now: float,
        seconds: float,
        outcome: Outcome,
        done: str,
        failed: str,
        volume: Volume | None = None,
        action: str = "create",
    ) -> float:
        """
        End a piece of work: ``done`` after ``seconds`` (or after the
        seconds a :class:`Lingers` gives), or ``failed`` for an
        :class:`EndsInError`.  When it ends.
        """
        if isinstance(outcome, Lingers):
            seconds = max(seconds, outcome.seconds)
        end = now + seconds
        if isinstance(outcome, EndsInError):
            timeline.steps.append((end, failed))
            if volume is not None:
                volume.fail(action, outcome.reason, end)
        else:
            timeline.steps.append((end, done))
        return end

    def update_volume(
        self, volume: Volume, now: float, name: Any = ..., description: Any = ..., metadata: Any = None
    ) -> Volume:
        if name is not ...:
            volume.name = name
        if description is not ...:
            volume.description = description
        if metadata is not None:
            volume.metadata = dict(metadata)
        volume.changed(now)
        return volume

    def delete_volume(
        self, volume_id: str, now: float, cascade: bool = False, force: bool = False, outcome: Outcome = NORMALLY
    ) -> None:
        """
        Start deleting a volume: ``deleting`` for ``delete_seconds``, then
        gone (or ``error_deleting`` when a condition says so).  400 while
        it is attached, in a transitional status, or has snapshots
        (unless ``cascade``, which deletes them too).
        """
        volume = self.volume(volume_id, now)
        status = volume.status(now)
        live_snapshots = [s for s in (self.snapshots.get(i) for i in volume.snapshot_ids) if s and s.gone_at is None]
        if volume.live_attachments(now) or (not force and status not in DELETABLE):
            raise invalid_volume(DELETE_REFUSED)
        if live_snapshots and not cascade:
            raise invalid_volume(DELETE_REFUSED)
        for snapshot in live_snapshots:
            self.start_deleting_snapshot(snapshot, now)
        self._delete(volume, now, outcome)

    def _delete(self, volume: Volume, now: float, outcome: Outcome) -> None:
        if isinstance(outcome, EndsInError):
            volume.timeline.then(now, (now, "deleting"), (now + self.timings.delete, "error_deleting"))
            volume.fail("delete", outcome.reason, now + self.timings.delete)
            return
        volume.timeline.then(now, (now, "deleting"))
        volume.gone_at = now + self.timings.delete
        self.doom("volume", volume.id, volume.gone_at, now)

    def extend_volume(self, volume_id: str, new_size: int, now: float, outcome: Outcome = NORMALLY) -> Volume:
        volume = self.volume(volume_id, now)
        status = volume.status(now)
        if status not in ("available", "in-use"):
            raise invalid_volume(f"Volume status must be 'available' or 'in-use' to extend, currently {status}.")
        if new_size <= volume.size:
            raise invalid_input(
                f"New size for extend must be greater than current size. (current: {volume.size}, extended: {new_size})."
            )
        if not isinstance(outcome, EndsInError):
            self.check_quota(now, gigabytes=new_size - volume.size)
        volume.timeline.then(now, (now, "extending"))
        self.finish(volume.timeline, now, self.timings.extend, outcome, status, "error_extending", volume, "extend")
        if not isinstance(outcome, EndsInError):
            volume.size = new_size
        volume.changed(now)
        return volume

    def reset_status(self, volume: Volume, now: float, status: str | None, attach_status: str | None) -> None:
        if status is not None:
            volume.timeline.then(now, (now, status))
        if attach_status == "detached":
            for attachment in volume.live_attachments(now):
                attachment.detached_at = now
                self.attachments.pop(attachment.id, None)
        volume.changed(now)

    # -- attachments ----------------------------------------------------

    def reserve(self, volume_id: str, server_id: str | None, now: float, status: str = "attaching") -> Attachment:
        """
        Hold an ``available`` volume (or an attached multiattach one) for
        an attachment; 400 otherwise.
        """
        volume = self.volume(volume_id, now)
        current = volume.status(now)
        if not (current == "available" or (volume.multiattach and current in ("in-use", "reserved"))):
            raise invalid_volume(f"Volume status must be available to reserve, but the status is {current}.")
        attachment = Attachment(new_id(), volume.id, server_id, now)
        volume.attachment_map[attachment.id] = attachment
        self.attachments[attachment.id] = attachment
        if current == "available":
            volume.timeline.then(now, (now, status))
        volume.changed(now)
        return attachment

    def unreserve(self, volume_id: str, now: float) -> None:
        volume = self.volume(volume_id, now)
        for attachment in list(volume.attachment_map.values()):
            if attachment.attached_at is None and attachment.detached_at is None:
                self._drop(volume, attachment)
        self._settle_attach_status(volume, now)

    def _drop(self, volume: Volume, attachment: Attachment) -> None:
        volume.attachment_map.pop(attachment.id, None)
        self.attachments.pop(attachment.id, None)

    def _settle_attach_status(self, volume: Volume, now: float) -> None:
        """
        After an attachment went: ``in-use`` while another is attached,
        else ``available``.
        """
        if volume.status(now) not in ("attaching", "reserved", "in-use", "detaching"):
            return
        attached = [a for a in volume.live_attachments(now) if a.attached_at is not None]
        volume.timeline.then(now, (now, "in-use" if attached else "available"))
        volume.changed(now)

    def attach(
        self,
        volume_id: str,
        server_id: str | None,
        device: str | None,
        now: float,
        outcome: Outcome = NORMALLY,
        attachment_id: str | None = None,
        host_name: str | None = None,
        mode: str = "rw",
        connector: Mapping[str, Any] | None = None,
    ) -> Attachment:
        """
        Complete an attachment: the reservation for this server (or
        ``attachment_id``), made now if there is none; ``attaching`` for
        ``attach_seconds``, then ``in-use``.
        """
        volume = self.volume(volume_id, now)
        attachment = None
        if attachment_id is not None:
            attachment = volume.attachment_map.get(attachment_id)
            if attachment is None:
                raise not_found("Volume attachment", attachment_id)
        else:
            for candidate in volume.attachment_map.values():
                if candidate.attached_at is None and candidate.detached_at is None and (
                    candidate.server_id in (None, server_id)
                ):
                    attachment = candidate
                    break
        if attachment is None:
            if any(a.server_id == server_id and a.live(now) for a in volume.attachment_map.values()) and server_id:
                raise invalid_volume(f"Volume {volume_id} is already attached to server {server_id}.")
            attachment = self.reserve(volume_id, server_id, now)
        if attachment.server_id is None:
            attachment.server_id = server_id
        attachment.device = device
        attachment.host_name = host_name
        attachment.mode = mode
        attachment.connector = connector
        volume.timeline.then(now, (now, "attaching"))
        end = self.finish(volume.timeline, now, self.timings.attach, outcome, "in-use", "error_attaching")
        attachment.attached_at = end
        volume.changed(now)
        return attachment

    def begin_detaching(self, volume_id: str, now: float) -> None:
        volume = self.volume(volume_id, now)
        status = volume.status(now)
        if status != "in-use":
            raise invalid_volume("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")
        volume.timeline.then(now, (now, "detaching"))
        volume.changed(now)

    def roll_detaching(self, volume_id: str, now: float) -> None:
        volume = self.volume(volume_id, now)
        if volume.status(now) == "detaching":
            volume.timeline.then(now, (now, "in-use"))
            volume.changed(now)

    def detach(self, volume_id: str, server_id: str | None, now: float, attachment_id: str | None = None) -> None:
        """
        End an attachment (the one to ``server_id``, or ``attachment_id``):
        ``detaching`` for ``detach_seconds``, then ``available`` (or
        ``in-use`` while another attachment stays).  400 if the volume
        is not attached there.
        """
        volume = self.volume(volume_id, now)
        attachment = None
        for candidate in volume.live_attachments(now):
            if candidate.detached_at is not None:
                continue
            if attachment_id is not None and candidate.id != attachment_id:
                continue
            if attachment_id is None and server_id is not None and candidate.server_id != server_id:
                continue
            attachment = candidate
            break
        if attachment is None:
            if server_id is not None:
                raise invalid_volume(f"Volume {volume_id} is not attached to server {server_id}.")
            raise invalid_volume("Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")
        if attachment.attached_at is None:
            # Only reserved: giving it up needs no detach.
            self._drop(volume, attachment)
            self._settle_attach_status(volume, now)
            return
        others = [a for a in volume.live_attachments(now) if a is not attachment and a.attached_at is not None]
        end = now + self.timings.detach
        attachment.detached_at = end
        self.attachments.pop(attachment.id, None)
        volume.timeline.then(now, (now, "detaching"), (end, "in-use" if others else "available"))
        volume.changed(now)

    def attached_to(self, server_id: str, now: float) -> list[Volume]:
        found = []
        for attachment in self.attachments.values():
            if attachment.server_id == server_id and attachment.live(now):
                volume = self.get(attachment.volume_id, now)
                if volume is not None and volume not in found:
                    found.append(volume)
        return found

    # -- snapshots and backups (their changes are in copies.py) --------

    def snapshot(self, snapshot_id: str, now: float) -> Snapshot:
        found = gone_or_none(self.snapshots, snapshot_id, now)
        if found is None:
            raise not_found("Snapshot", snapshot_id)
        return found

    def start_deleting_snapshot(self, snapshot: Snapshot, now: float) -> None:
        snapshot.timeline.then(now, (now, "deleting"))
        snapshot.gone_at = now + self.timings.delete
        self.doom("snapshot", snapshot.id, snapshot.gone_at, now)

    def backup(self, backup_id: str, now: float) -> Backup:
        found = gone_or_none(self.backups, backup_id, now)
        if found is None:
            raise not_found("Backup", backup_id)
        return found

    def pending_events(self, now: float) -> list[PendingEvent]:
        """
        The status changes still to come of the volumes, snapshots and
        backups (the clock's pending events), read from their timelines:
        ``becomes available``, ``is deleted``.
        """
        events: list[PendingEvent] = []
        for kind, resources in (("volume", self.volumes), ("snapshot", self.snapshots), ("backup", self.backups)):
            for resource in resources.values():
                if resource.gone(now):
                    continue
                events.extend(
                    PendingEvent(when, kind, resource.id, resource.name, f"becomes {status}")
                    for when, status in resource.timeline.steps
                    if when > now
                )
                if resource.gone_at is not None:
                    events.append(PendingEvent(resource.gone_at, kind, resource.id, resource.name, "is deleted"))
        return events

    def summary(self) -> dict[str, Any]:
        return {
            "volumes": len(self.volumes),
            "volume_ids": list(self.volumes),
            # Each volume as the dashboard lists it (its status, which
            # moves with the clock, is in the JSON the path leads to).
            "volume_list": [
                {"id": v.id, "name": v.name, "size": v.size, "path": f"v3/{self.tenant_id}/volumes/{v.id}"}
                for v in self.volumes.values()
            ],
            "snapshots": len(self.snapshots),
            "backups": len(self.backups),
        }


def gigabytes_over_quota(requested: int, allowed: int, used: int) -> BlockStorageError:
    return BlockStorageError(
        413,
        "VolumeSizeExceedsAvailableQuota",
        f"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes "
        f"quota. Requested {requested}G, quota is {allowed}G and {used}G has been consumed.",
    )


def image_metadata_of(image: Any) -> dict[str, str]:
    """
    What a volume made from an image shows as its ``volume_image_metadata``.
    """
    described = {k: str(v) for k, v in image.metadata.items()}
    described.update(
        {
            "image_id": image.id,
            "image_name": image.name,
            "min_disk": str(image.min_disk),
            "min_ram": str(image.min_ram),
            "size": str(image.size),
            "container_format": "ovf",
            "disk_format": "vhd",
            "checksum": "",
        }
    )
    return described


def region_storage(core: Any, tenant_id: str, region: str) -> BlockStorage:
    """
    The one block-storage state of a tenant in a region, with the timings
    the settings give now.
    """
    state = core.region_state(
        SERVICE_NAME,
        tenant_id,
        region,
        lambda: BlockStorage(tenant_id, region, quotas=default_quotas(core.profile)),
    )
    state.timings = timings_from(core.settings)
    state.types = volume_types(core.profile)
    return state


def timings_from(settings: Mapping[str, Any]) -> Timings:
    return Timings(
        **{
            name: float(settings.get(f"{SERVICE_NAME}.{name}_seconds", 0.0))
            for name in ("create", "attach", "detach", "extend", "delete", "snapshot", "backup", "restore")
        }
    )
