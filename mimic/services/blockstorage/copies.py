# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
Snapshots and backups of a tenant's volumes (the copies Cinder makes of
them), and what is made from them again: a revert to a snapshot, a
restore from a backup.  Functions of the tenant's
:class:`~mimic.services.blockstorage.model.BlockStorage`, with its
refusals as Cinder's errors.
"""

from __future__ import annotations

from typing import Mapping

from mimic.services.blockstorage.errors import BlockStorageError, invalid_input, invalid_volume
from mimic.services.blockstorage.failures import NORMALLY, EndsInError, Outcome
from mimic.services.blockstorage.model import BlockStorage
from mimic.services.blockstorage.records import Backup, Snapshot, Timeline, Volume, new_id


def create_snapshot(
    state: BlockStorage,
    volume_id: str,
    now: float,
    name: str | None = None,
    description: str | None = None,
    metadata: Mapping[str, str] | None = None,
    force: bool = False,
    user_id: str = "",
) -> Snapshot:
    volume = state.volume(volume_id, now)
    status = volume.status(now)
    if status != "available" and not (force and status == "in-use"):
        raise invalid_volume(f"Volume {volume.id} status must be available, but current status is: {status}.")
    state.forget_gone(now)
    state.check_quota(now, snapshots=1, gigabytes=volume.size)
    snapshot = Snapshot(
        id=new_id(),
        volume_id=volume.id,
        name=name,
        description=description,
        size=volume.size,
        created=now,
        user_id=user_id,
        timeline=Timeline([(now, "creating"), (now + state.timings.snapshot, "available")]),
        metadata=dict(metadata or {}),
    )
    state.snapshots[snapshot.id] = snapshot
    volume.snapshot_ids.add(snapshot.id)
    return snapshot


def delete_snapshot(state: BlockStorage, snapshot_id: str, now: float, force: bool = False) -> None:
    snapshot = state.snapshot(snapshot_id, now)
    status = snapshot.status(now)
    if not force and status not in ("available", "error", "error_deleting"):
        raise BlockStorageError(
            400, "InvalidSnapshot", "Invalid snapshot: Volume Snapshot status must be available or error."
        )
    dependents = [
        v for v in state.live_volumes(now) if v.snapshot_id == snapshot.id and v.status(now) == "creating"
    ]
    if dependents:
        raise BlockStorageError(
            400, "InvalidSnapshot", "Invalid snapshot: Snapshot is in use by a volume being created."
        )
    state.start_deleting_snapshot(snapshot, now)


def revert(state: BlockStorage, volume_id: str, snapshot_id: str, now: float) -> None:
    """
    Revert a volume to its latest snapshot (Cinder reverts only to
    the latest): ``reverting`` for the extend time, then
    ``available``.
    """
    volume = state.volume(volume_id, now)
    snapshot = state.snapshot(snapshot_id, now)
    if snapshot.volume_id != volume.id:
        raise invalid_input(f"Snapshot {snapshot.id} is not a snapshot of volume {volume.id}.")
    latest = max(
        (s for s in (state.snapshots.get(i) for i in volume.snapshot_ids) if s is not None and s.gone_at is None),
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
    volume.timeline.then(now, (now, "reverting"), (now + state.timings.extend, "available"))
    snapshot.timeline.then(now, (now, "restoring"), (now + state.timings.extend, "available"))
    volume.changed(now)


def create_backup(
    state: BlockStorage,
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
    user_id: str = "",
) -> Backup:
    volume = state.volume(volume_id, now)
    status = volume.status(now)
    if status != "available" and not (force and status == "in-use"):
        raise invalid_volume(f"Volume to be backed up must be available or in-use, but the current status is \"{status}\".")
    if snapshot_id is not None:
        state.snapshot(snapshot_id, now)
    if incremental and not any(
        b.volume_id == volume.id and b.gone_at is None and b.status(now) == "available" for b in state.backups.values()
    ):
        raise invalid_volume("No backups available to do an incremental backup.")
    state.forget_gone(now)
    used = state.usage(now)
    if state.quotas["backups"] != -1 and used["backups"] + 1 > state.quotas["backups"]:
        raise BlockStorageError(
            413, "BackupLimitExceeded", f"Maximum number of backups allowed ({state.quotas['backups']}) exceeded"
        )
    allowed = state.quotas["backup_gigabytes"]
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
        volume_metadata=dict(volume.metadata),
        user_id=user_id,
        volume_image_metadata=None if volume.image_metadata is None else dict(volume.image_metadata),
    )
    end = state.finish(backup.timeline, now, state.timings.backup, outcome, "available", "error")
    if isinstance(outcome, EndsInError):
        backup.fail_reason = outcome.reason
    volume.timeline.then(now, (now, "backing-up"), (end, status))
    state.backups[backup.id] = backup
    return backup


def delete_backup(state: BlockStorage, backup_id: str, now: float, force: bool = False) -> None:
    backup = state.backup(backup_id, now)
    status = backup.status(now)
    if not force and status not in ("available", "error"):
        raise BlockStorageError(400, "InvalidBackup", "Invalid backup: Backup status must be available or error")
    if any(
        b.volume_id == backup.volume_id and b.incremental and b.created > backup.created and b.gone_at is None
        for b in state.backups.values()
    ):
        raise BlockStorageError(
            400, "InvalidBackup", "Invalid backup: Incremental backups exist for this backup."
        )
    backup.timeline.then(now, (now, "deleting"))
    backup.gone_at = now + state.timings.delete
    state.doom("backup", backup.id, backup.gone_at, now)


def restore_backup(
    state, backup_id: str, now: float, volume_id: str | None = None, name: str | None = None, user_id: str = ""
) -> Volume:
    backup = state.backup(backup_id, now)
    status = backup.status(now)
    if status != "available":
        raise BlockStorageError(400, "InvalidBackup", "Invalid backup: Backup status must be available")
    if volume_id is None:
        volume = state.create_volume(
            backup.size, now, user_id=user_id, name=name or f"restore_backup_{backup.id}",
            status="restoring-backup", ready="restoring-backup",
        )
    else:
        volume = state.volume(volume_id, now)
        current = volume.status(now)
        if current != "available":
            raise invalid_volume(f"Volume to be restored to must be available, but the current status is \"{current}\".")
        if volume.size < backup.size:
            raise invalid_input(
                f"volume size {volume.size} is too small to restore backup of size {backup.size}."
            )
    # The backed-up volume's metadata comes back with its data (over the
    # target's own, key by key), and its image metadata too.
    volume.metadata = {**volume.metadata, **backup.volume_metadata}
    if backup.volume_image_metadata is not None:
        volume.image_metadata = {**(volume.image_metadata or {}), **backup.volume_image_metadata}
    volume.changed(now)
    end = now + state.timings.restore
    volume.timeline.then(now, (now, "restoring-backup"), (end, "available"))
    volume.backup_id = backup.id
    backup.timeline.then(now, (now, "restoring"), (end, "available"))
    backup.restore_volume_id = volume.id
    return volume
