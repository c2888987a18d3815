# -*- test-case-name: mimic.test.test_snapshots -*-
"""
One tenant's object storage account in one region as plain JSON, for
snapshots and ``--state-file``: its metadata, containers (metadata,
ACLs, objects with their bytes in base64, recent tombstones) and CDN
settings.  The process's storage budget (under no tenant) is saved as
nothing: its limit is a setting, and restored accounts join the budget
of the Mimic they are restored into.  Objects due to expire
(``X-Delete-At``) are scheduled again on the clock when restored.
"""

from __future__ import annotations

from bisect import insort
from collections import deque
from typing import Any

from mimic.interfaces import IMimicCore
from mimic.saved import bytes_from, bytes_json, field_of, record_from, record_json
from mimic.services.objectstorage.model import (
    TOMBSTONE_COUNT,
    Account,
    CdnSettings,
    Container,
    Gone,
    Segment,
    StorageBudget,
    StoredObject,
    Tombstone,
    storage_budget,
)

#: The form :func:`save_account` writes.
STATE_FORMAT = 1


def _save_object(stored: StoredObject) -> dict[str, Any]:
    saved = record_json(stored, leave_out=("data", "segments", "expiry"))
    saved["data"] = bytes_json(stored.data)
    saved["segments"] = (
        None if stored.segments is None else [record_json(s) for s in stored.segments]
    )
    return saved


def _save_container(container: Container) -> dict[str, Any]:
    return {
        "name": container.name,
        "created": container.created,
        "metadata": dict(container.metadata),
        "acls": dict(container.acls),
        "objects": [_save_object(o) for o in container.objects.values()],
        "tombstones": [[record_json(t.entry), t.deleted_at] for t in container.tombstones],
    }


def save_account(state: Any) -> dict[str, Any]:
    if isinstance(state, StorageBudget):
        return {"budget": True}
    account: Account = state
    return {
        "name": account.name,
        "created": account.created,
        "metadata": dict(account.metadata),
        "containers": [_save_container(c) for c in account.containers.values()],
        "cdn": {name: record_json(settings) for name, settings in account.cdn.items()},
    }


def _restore_object(saved: Any) -> StoredObject:
    segments = saved.get("segments") if isinstance(saved, dict) else None
    plain = {k: v for k, v in saved.items() if k not in ("data", "segments")}
    return record_from(
        StoredObject,
        plain,
        data=bytes_from(saved.get("data")),
        segments=None if segments is None else tuple(record_from(Segment, s) for s in segments),
    )


def _restore_container(account: Account, saved: Any) -> Container:
    where = "a saved container"
    container = Container(
        name=field_of(saved, "name", str, where),
        created=float(field_of(saved, "created", (int, float), where)),
        metadata=dict(field_of(saved, "metadata", dict, where)),
        acls=dict(field_of(saved, "acls", dict, where)),
        tombstones=deque(
            (Tombstone(record_from(Gone, gone), float(at)) for gone, at in field_of(saved, "tombstones", list, where)),
            maxlen=TOMBSTONE_COUNT,
        ),
    )
    for stored in (_restore_object(o) for o in field_of(saved, "objects", list, where)):
        if stored.name not in container.objects:
            insort(container.names, stored.name)
        container.objects[stored.name] = stored
        container.bytes_used += stored.stored_bytes
        container.memory += stored.memory
    return container


def restore_account(core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
    if isinstance(saved, dict) and saved.get("budget") is True:
        return storage_budget(core)
    where = "a saved object storage account"
    account = Account(field_of(saved, "name", str, where), core.clock, storage_budget(core))
    account.created = float(field_of(saved, "created", (int, float), where))
    account.metadata = dict(field_of(saved, "metadata", dict, where))
    for container in (_restore_container(account, c) for c in field_of(saved, "containers", list, where)):
        account.containers[container.name] = container
    account.container_names = sorted(account.containers)
    account.cdn = {
        name: record_from(CdnSettings, settings)
        for name, settings in field_of(saved, "cdn", dict, where).items()
    }
    for container in account.containers.values():
        for stored in container.objects.values():
            account.schedule_expiry(container, stored)
    return account
