# -*- test-case-name: mimic.test.test_blockstorage_model -*-
"""
Block storage's state for one tenant in one region, and its rules, with
no HTTP in it: volumes, their attachments, snapshots and backups.

A resource's status is a *timeline*: the statuses it takes and from
when, on Mimic's clock (a volume is ``creating`` from its creation and
``available`` from ``create_seconds`` later).  Reading a status looks the
timeline up and changes nothing, so a read never alters state and the
answer is the same however the clock was ticked.  Each change replaces
what was still to come with its own steps.

Deleted resources linger (``deleting``) until their time is up; the store
forgets them on its next change, oldest first, without a scan.

Refusals are :class:`~mimic.services.blockstorage.errors.BlockStorageError`\\ s
with Cinder's status, exception name and message; how long things take
is :class:`Timings` (the ``blockstorage.*_seconds`` settings), and what a
known error condition changes arrives as an outcome from
:mod:`mimic.services.blockstorage.failures`.
"""

from __future__ import annotations

import heapq
import uuid
from typing import Any, Iterator, Mapping

from attrs import define, field, frozen
from zope.interface import implementer

from mimic.interfaces import IRegionState, IVolume
from mimic.services.blockstorage.catalogue import (
    AVAILABILITY_ZONE,
    DEFAULT_QUOTAS,
    DEFAULT_TYPE,
    HOST,
    VolumeType,
)
from mimic.services.blockstorage.errors import (
    BlockStorageError,
    invalid_input,
    invalid_volume,
    not_found,
)
from mimic.services.blockstorage.failures import NORMALLY, EndsInError, Lingers, Outcome, OverQuota

SERVICE_NAME = "blockstorage"

#: The statuses from which Cinder deletes a volume.
DELETABLE = frozenset({"available", "error", "error_restoring", "error_extending", "error_managing"})

#: Cinder's message for a delete it refuses.
DELETE_REFUSED = (
    "Volume status must be available or error or error_restoring or error_extending or "
    "error_managing and must not be migrating, attached, belong to a group, have snapshots, "
    "awaiting a transfer, or be disassociated from snapshots after volume transfer."
)


@frozen
class Timings:
    """
    How long each piece of work takes on Mimic's clock, in seconds (the
    ``blockstorage.*_seconds`` settings).
    """

    create: float = 0.0
    attach: float = 0.0
    detach: float = 0.0
    extend: float = 0.0
    delete: float = 0.0
    snapshot: float = 0.0
    backup: float = 0.0
    restore: float = 0.0


@define(slots=True)
class Timeline:
    """
    The statuses a resource takes, each from a time on, oldest first.
    """

    steps: list[tuple[float, str]]

    def at(self, now: float) -> str:
        for when, status in reversed(self.steps):
            if when <= now:
                return status
        return self.steps[0][1]

    def then(self, now: float, *steps: tuple[float, str]) -> None:
        """
        From ``now`` on, the given steps replace whatever was to come.
        """
        current = self.at(now)
        self.steps = [(now, current), *steps]

    def last_change(self, now: float) -> float:
        return max((when for when, _ in self.steps if when <= now), default=self.steps[0][0])


@define(slots=True)
class Attachment:
    """
    One attachment of a volume to a server: ``reserved`` until an attach
    names its device, ``attaching`` until ``attached_at``, then attached
    until it is detached at ``detached_at``.
    """

    id: str
    volume_id: str
    server_id: str | None
    created: float
    device: str | None = None
    attached_at: float | None = None
    detached_at: float | None = None
    host_name: str | None = None
    mode: str = "rw"
    connector: Mapping[str, Any] | None = None

    def live(self, now: float) -> bool:
        return self.detached_at is None or now < self.detached_at

    def attach_status(self, now: float) -> str:
        if self.detached_at is not None:
            return "detached" if now >= self.detached_at else "detaching"
        if self.attached_at is None:
            return "reserved"
        return "attached" if now >= self.attached_at else "attaching"


@implementer(IVolume)
@define(slots=True)
class Volume:
    id: str
    name: str | None
    description: str | None
    size: int
    volume_type: str
    availability_zone: str
    created: float
    user_id: str
    timeline: Timeline
    metadata: dict[str, str] = field(factory=dict)
    bootable: bool = False
    readonly: bool = False
    multiattach: bool = False
    image_id: str | None = None
    image_metadata: dict[str, str] | None = None
    snapshot_id: str | None = None
    source_volid: str | None = None
    backup_id: str | None = None
    updated: float | None = None
    #: When it is gone, once deleted.
    gone_at: float | None = None
    #: Why it is in error, as Cinder's user messages say.
    reason: str | None = None
    attachment_map: dict[str, Attachment] = field(factory=dict)
    #: The ids of its snapshots.
    snapshot_ids: set[str] = field(factory=set)

    def status(self, now: float) -> str:
        return self.timeline.at(now)

    def attachments(self, now: float) -> list[tuple[str, str | None, str | None]]:
        return [
            (a.id, a.server_id, a.device)
            for a in self.attachment_map.values()
            if a.attached_at is not None and a.live(now)
        ]

    def live_attachments(self, now: float) -> list[Attachment]:
        return [a for a in self.attachment_map.values() if a.live(now)]

    def gone(self, now: float) -> bool:
        return self.gone_at is not None and now >= self.gone_at

    def changed(self, now: float) -> None:
        self.updated = now

    def updated_at(self, now: float) -> float | None:
        moved = self.timeline.last_change(now)
        latest = max(moved, self.updated or 0.0)
        return None if latest <= self.created else latest


@define(slots=True)
class Snapshot:
    id: str
    volume_id: str
    name: str | None
    description: str | None
    size: int
    created: float
    user_id: str
    timeline: Timeline
    metadata: dict[str, str] = field(factory=dict)
    updated: float | None = None
    gone_at: float | None = None

    def status(self, now: float) -> str:
        return self.timeline.at(now)

    def gone(self, now: float) -> bool:
        return self.gone_at is not None and now >= self.gone_at


@define(slots=True)
class Backup:
    id: str
    volume_id: str
    name: str | None
    description: str | None
    size: int
    created: float
    timeline: Timeline
    container: str | None = None
    incremental: bool = False
    snapshot_id: str | None = None
    fail_reason: str | None = None
    metadata: dict[str, str] = field(factory=dict)
    updated: float | None = None
    gone_at: float | None = None
    restore_volume_id: str | None = None

    def status(self, now: float) -> str:
        return self.timeline.at(now)

    def gone(self, now: float) -> bool:
        return self.gone_at is not None and now >= self.gone_at


def new_id() -> str:
    return str(uuid.uuid4())


def _gone(resources: Mapping[str, Any], key: str, now: float) -> Any:
    found = resources.get(key)
    if found is None or found.gone(now):
        return None
    return found


@implementer(IRegionState)
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
    #: (gone at, kind, id) of deleted resources still lingering.
    _doomed: list[tuple[float, str, str]] = field(factory=list)

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

    def _doom(self, kind: str, identifier: str, at: float, now: float) -> None:
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
        return _gone(self.volumes, volume_id, now)

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
        self._finish(volume.timeline, now, self.timings.create, outcome, ready, "error", volume)
        self.volumes[volume.id] = volume
        return volume

    def _finish(
        self,
        timeline: Timeline,
        now: float,
        seconds: float,
        outcome: Outcome,
        done: str,
        failed: str,
        volume: Volume | None = None,
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
                volume.reason = outcome.reason
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
            self._delete_snapshot(snapshot, now)
        self._delete(volume, now, outcome)

    def _delete(self, volume: Volume, now: float, outcome: Outcome) -> None:
        if isinstance(outcome, EndsInError):
            volume.timeline.then(now, (now, "deleting"), (now + self.timings.delete, "error_deleting"))
            volume.reason = outcome.reason
            return
        volume.timeline.then(now, (now, "deleting"))
        volume.gone_at = now + self.timings.delete
        self._doom("volume", volume.id, volume.gone_at, now)

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
        self._finish(volume.timeline, now, self.timings.extend, outcome, status, "error_extending", volume)
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
        end = self._finish(volume.timeline, now, self.timings.attach, outcome, "in-use", "error_attaching")
        attachment.attached_at = end
        volume.changed(now)
        return attachment

    def begin_detaching(self, volume_id: str, now: float) -> None:
        volume = self.volume(volume_id, now)
        status = volume.status(now)
        if status != "in-use":
            raise invalid_volume(f"Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach.")
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

    # -- snapshots ------------------------------------------------------

    def snapshot(self, snapshot_id: str, now: float) -> Snapshot:
        found = _gone(self.snapshots, snapshot_id, now)
        if found is None:
            raise not_found("Snapshot", snapshot_id)
        return found

    def create_snapshot(
        self,
        volume_id: str,
        now: float,
        name: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        force: bool = False,
        user_id: str = "",
    ) -> Snapshot:
        volume = self.volume(volume_id, now)
        status = volume.status(now)
        if status != "available" and not (force and status == "in-use"):
            raise invalid_volume(f"Volume {volume.id} status must be available, but current status is: {status}.")
        self.forget_gone(now)
        self.check_quota(now, snapshots=1, gigabytes=volume.size)
        snapshot = Snapshot(
            id=new_id(),
            volume_id=volume.id,
            name=name,
            description=description,
            size=volume.size,
            created=now,
            user_id=user_id,
            timeline=Timeline([(now, "creating"), (now + self.timings.snapshot, "available")]),
            metadata=dict(metadata or {}),
        )
        self.snapshots[snapshot.id] = snapshot
        volume.snapshot_ids.add(snapshot.id)
        return snapshot

    def delete_snapshot(self, snapshot_id: str, now: float, force: bool = False) -> None:
        snapshot = self.snapshot(snapshot_id, now)
        status = snapshot.status(now)
        if not force and status not in ("available", "error", "error_deleting"):
            raise BlockStorageError(
                400, "InvalidSnapshot", "Invalid snapshot: Volume Snapshot status must be available or error."
            )
        dependents = [
            v for v in self.live_volumes(now) if v.snapshot_id == snapshot.id and v.status(now) == "creating"
        ]
        if dependents:
            raise BlockStorageError(
                400, "InvalidSnapshot", "Invalid snapshot: Snapshot is in use by a volume being created."
            )
        self._delete_snapshot(snapshot, now)

    def _delete_snapshot(self, snapshot: Snapshot, now: float) -> None:
        snapshot.timeline.then(now, (now, "deleting"))
        snapshot.gone_at = now + self.timings.delete
        self._doom("snapshot", snapshot.id, snapshot.gone_at, now)

    def revert(self, volume_id: str, snapshot_id: str, now: float) -> None:
        """
        Revert a volume to its latest snapshot (Cinder reverts only to
        the latest): ``reverting`` for the extend time, then
        ``available``.
        """
        volume = self.volume(volume_id, now)
        snapshot = self.snapshot(snapshot_id, now)
        if snapshot.volume_id != volume.id:
            raise invalid_input(f"Snapshot {snapshot.id} is not a snapshot of volume {volume.id}.")
        latest = max(
            (s for s in (self.snapshots.get(i) for i in volume.snapshot_ids) if s is not None and s.gone_at is None),
            key=lambda s: s.created,
        )
        if latest.id != snapshot.id:
            raise invalid_input(f"Cannot revert volume {volume.id} to snapshot {snapshot.id}: it is not the latest one.")
        status = volume.status(now)
        if status != "available":
            raise invalid_volume(f"Volume {volume.id} status must be available, but current status is: {status}.")
        if snapshot.status(now) != "available":
            raise BlockStorageError(
                400, "InvalidSnapshot", f"Invalid snapshot: Snapshot {snapshot.id} status must be available."
            )
        if volume.size != snapshot.size:
            raise invalid_input("Volume and snapshot sizes differ: a volume extended since cannot be reverted.")
        volume.timeline.then(now, (now, "reverting"), (now + self.timings.extend, "available"))
        snapshot.timeline.then(now, (now, "restoring"), (now + self.timings.extend, "available"))
        volume.changed(now)

    # -- backups --------------------------------------------------------

    def backup(self, backup_id: str, now: float) -> Backup:
        found = _gone(self.backups, backup_id, now)
        if found is None:
            raise not_found("Backup", backup_id)
        return found

    def create_backup(
        self,
        volume_id: str,
        now: float,
        name: str | None = None,
        description: str | None = None,
        container: str | None = None,
        incremental: bool = False,
        force: bool = False,
        snapshot_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        outcome: Outcome = NORMALLY,
    ) -> Backup:
        volume = self.volume(volume_id, now)
        status = volume.status(now)
        if status != "available" and not (force and status == "in-use"):
            raise invalid_volume(f"Volume to be backed up must be available or in-use, but the current status is \"{status}\".")
        if snapshot_id is not None:
            self.snapshot(snapshot_id, now)
        if incremental and not any(
            b.volume_id == volume.id and b.gone_at is None and b.status(now) == "available" for b in self.backups.values()
        ):
            raise invalid_volume("No backups available to do an incremental backup.")
        self.forget_gone(now)
        used = self.usage(now)
        if self.quotas["backups"] != -1 and used["backups"] + 1 > self.quotas["backups"]:
            raise BlockStorageError(
                413, "BackupLimitExceeded", f"Maximum number of backups allowed ({self.quotas['backups']}) exceeded"
            )
        allowed = self.quotas["backup_gigabytes"]
        if allowed != -1 and used["backup_gigabytes"] + volume.size > allowed:
            raise BlockStorageError(
                413,
                "VolumeBackupSizeExceedsAvailableQuota",
                f"Requested backup exceeds allowed Backup gigabytes quota. Requested {volume.size}G, "
                f"quota is {allowed}G and {used['backup_gigabytes']}G has been consumed.",
            )
        backup = Backup(
            id=new_id(),
            volume_id=volume.id,
            name=name,
            description=description,
            size=volume.size,
            created=now,
            timeline=Timeline([(now, "creating")]),
            container=container or "volumebackups",
            incremental=incremental,
            snapshot_id=snapshot_id,
            metadata=dict(metadata or {}),
        )
        end = self._finish(backup.timeline, now, self.timings.backup, outcome, "available", "error")
        if isinstance(outcome, EndsInError):
            backup.fail_reason = outcome.reason
        volume.timeline.then(now, (now, "backing-up"), (end, status))
        self.backups[backup.id] = backup
        return backup

    def delete_backup(self, backup_id: str, now: float, force: bool = False) -> None:
        backup = self.backup(backup_id, now)
        status = backup.status(now)
        if not force and status not in ("available", "error"):
            raise BlockStorageError(400, "InvalidBackup", "Invalid backup: Backup status must be available or error")
        if any(
            b.volume_id == backup.volume_id and b.incremental and b.created > backup.created and b.gone_at is None
            for b in self.backups.values()
        ):
            raise BlockStorageError(
                400, "InvalidBackup", "Invalid backup: Incremental backups exist for this backup."
            )
        backup.timeline.then(now, (now, "deleting"))
        backup.gone_at = now + self.timings.delete
        self._doom("backup", backup.id, backup.gone_at, now)

    def restore_backup(
        self, backup_id: str, now: float, volume_id: str | None = None, name: str | None = None, user_id: str = ""
    ) -> Volume:
        backup = self.backup(backup_id, now)
        status = backup.status(now)
        if status != "available":
            raise BlockStorageError(400, "InvalidBackup", "Invalid backup: Backup status must be available")
        if volume_id is None:
            volume = self.create_volume(
                backup.size, now, user_id=user_id, name=name or f"restore_backup_{backup.id}",
                status="restoring-backup", ready="restoring-backup",
            )
        else:
            volume = self.volume(volume_id, now)
            current = volume.status(now)
            if current != "available":
                raise invalid_volume(f"Volume to be restored to must be available, but the current status is \"{current}\".")
            if volume.size < backup.size:
                raise invalid_input(
                    f"volume size {volume.size} is too small to restore backup of size {backup.size}."
                )
        end = now + self.timings.restore
        volume.timeline.then(now, (now, "restoring-backup"), (end, "available"))
        volume.backup_id = backup.id
        backup.timeline.then(now, (now, "restoring"), (end, "available"))
        backup.restore_volume_id = volume.id
        return volume

    def summary(self) -> dict[str, Any]:
        return {
            "volumes": len(self.volumes),
            "volume_ids": list(self.volumes),
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
    state = core.region_state(SERVICE_NAME, tenant_id, region, lambda: BlockStorage(tenant_id, region))
    state.timings = timings_from(core.settings)
    return state


def timings_from(settings: Mapping[str, Any]) -> Timings:
    return Timings(
        **{
            name: float(settings.get(f"{SERVICE_NAME}.{name}_seconds", 0.0))
            for name in ("create", "attach", "detach", "extend", "delete", "snapshot", "backup", "restore")
        }
    )
