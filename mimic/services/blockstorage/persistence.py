# -*- test-case-name: mimic.test.test_persistence_services -*-
"""
Block storage's region states saved as plain JSON and brought back:
what a named snapshot and ``--state-file`` keep of it (see
:class:`mimic.interfaces.IPersistentState`).

Everything a client can see is kept: volumes with their status
timelines (so work under way goes on finishing on Mimic's clock after a
restore), metadata, faults (Cinder's user messages) and attachments;
snapshots; backups; the deleted resources still lingering; the user
messages dismissed; and the project's quotas.  How long work takes is
not kept: it comes from the settings of the Mimic restoring it.

An attachment is one object held both by its volume and, while live,
by the store's index; the saved form keeps it once, inside its volume,
and lists the ids the index holds.
"""

from __future__ import annotations

from typing import Any

from attrs import fields

from mimic.interfaces import IMimicCore
from mimic.saved import explained, saved_object
from mimic.services.blockstorage.model import BlockStorage, timings_from
from mimic.services.blockstorage.records import Attachment, Backup, Fault, Snapshot, Timeline, Volume

#: The version of the saved form (see
#: :attr:`mimic.interfaces.IPersistentState.state_format`).
STATE_FORMAT = 1

#: The fields saved by name, for each kind of record (the rest are
#: converted by hand).
_VOLUME_FIELDS = tuple(
    a.name for a in fields(Volume) if a.name not in ("timeline", "faults", "attachment_map", "snapshot_ids")
)
_SNAPSHOT_FIELDS = tuple(a.name for a in fields(Snapshot) if a.name != "timeline")
_BACKUP_FIELDS = tuple(a.name for a in fields(Backup) if a.name != "timeline")
_ATTACHMENT_FIELDS = tuple(a.name for a in fields(Attachment))
_FAULT_FIELDS = tuple(a.name for a in fields(Fault))


def _copy(value: Any) -> Any:
    """
    A copy of a JSON value's containers, so that restored records never
    share a dict with the saved form (which is restored again).
    """
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def _fields(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _copy(getattr(record, name)) for name in names}


def _timeline(timeline: Timeline) -> list[list[Any]]:
    return [[when, status] for when, status in timeline.steps]


def _read_timeline(saved: list[list[Any]]) -> Timeline:
    steps = [(float(when), status) for when, status in saved]
    if not steps or not all(isinstance(status, str) for _, status in steps):
        raise ValueError(f"{saved!r} is not a timeline of statuses")
    return Timeline(steps)


def _volume_json(volume: Volume) -> dict[str, Any]:
    saved = _fields(volume, _VOLUME_FIELDS)
    saved["timeline"] = _timeline(volume.timeline)
    saved["faults"] = [_fields(fault, _FAULT_FIELDS) for fault in volume.faults]
    saved["attachments"] = [_fields(a, _ATTACHMENT_FIELDS) for a in volume.attachment_map.values()]
    saved["snapshot_ids"] = sorted(volume.snapshot_ids)
    return saved


def _attachment(saved: dict[str, Any]) -> Attachment:
    attachment = Attachment(**_copy(saved))
    if attachment.connector is not None:
        attachment.connector = dict(attachment.connector)
    return attachment


def _volume(saved: dict[str, Any]) -> Volume:
    volume = Volume(
        timeline=_read_timeline(saved["timeline"]),
        **{name: _copy(saved[name]) for name in _VOLUME_FIELDS},
    )
    volume.faults = [Fault(**fault) for fault in saved["faults"]]
    volume.attachment_map = {a.id: a for a in map(_attachment, saved["attachments"])}
    volume.snapshot_ids = set(saved["snapshot_ids"])
    return volume


def save_storage(state: BlockStorage) -> dict[str, Any]:
    """
    Everything one tenant's block storage in one region holds, as plain
    JSON.
    """
    return {
        "format": STATE_FORMAT,
        "tenant_id": state.tenant_id,
        "region": state.region,
        "quotas": dict(state.quotas),
        "volumes": [_volume_json(v) for v in state.volumes.values()],
        "snapshots": [
            {**_fields(s, _SNAPSHOT_FIELDS), "timeline": _timeline(s.timeline)} for s in state.snapshots.values()
        ],
        "backups": [
            {**_fields(b, _BACKUP_FIELDS), "timeline": _timeline(b.timeline)} for b in state.backups.values()
        ],
        "attachments": list(state.attachments),
        "dismissed": sorted(state.dismissed),
        "doomed": [list(entry) for entry in state._doomed],
    }


def restore_storage(core: IMimicCore, tenant_id: str, region: str, saved: Any) -> BlockStorage:
    """
    A new block-storage state equal to the one :func:`save_storage`
    saved, for ``core`` (whose settings say how long work takes);
    ``saved`` is left as it was.  ``ValueError`` naming what is wrong
    when it cannot be restored.
    """
    where = f"the block storage of tenant {tenant_id!r} in {region!r}"
    saved = saved_object(where, saved, STATE_FORMAT)
    return explained(where, lambda: _restore(core, tenant_id, region, saved))


def _restore(core: IMimicCore, tenant_id: str, region: str, saved: dict[str, Any]) -> BlockStorage:
    state = BlockStorage(tenant_id, region, timings=timings_from(core.settings))
    state.quotas = {str(k): int(v) for k, v in saved["quotas"].items()}
    state.volumes = {v.id: v for v in map(_volume, saved["volumes"])}
    state.snapshots = {
        s["id"]: Snapshot(
            timeline=_read_timeline(s["timeline"]), **{name: _copy(s[name]) for name in _SNAPSHOT_FIELDS}
        )
        for s in saved["snapshots"]
    }
    state.backups = {
        b["id"]: Backup(timeline=_read_timeline(b["timeline"]), **{name: _copy(b[name]) for name in _BACKUP_FIELDS if name in b})
        for b in saved["backups"]
    }
    # The store's index holds the very attachments the volumes hold.
    held = {a.id: a for v in state.volumes.values() for a in v.attachment_map.values()}
    state.attachments = {attachment_id: held[attachment_id] for attachment_id in saved["attachments"]}
    state.dismissed = set(saved["dismissed"])
    state._doomed = [(float(at), str(kind), str(identifier)) for at, kind, identifier in saved["doomed"]]
    return state
