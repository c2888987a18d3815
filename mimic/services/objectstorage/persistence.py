# -*- test-case-name: mimic.test.test_snapshots -*-
"""
One tenant's object storage account in one region as plain JSON, for
snapshots and ``--state-file``: its metadata, containers (metadata,
ACLs, objects with their bytes in base64, recent tombstones), CDN
settings and, where it has any, the quotas kept as system metadata.
The process's storage budget (under no tenant) is saved as nothing:
its limit is a setting, and restored accounts join the budget of the
Mimic they are restored into.  Objects due to expire
(``X-Delete-At``) are scheduled again on the clock when restored.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from mimic.interfaces import IMimicCore
from mimic.saved import bytes_from, bytes_json, field_of, record_from, record_json
from mimic.services.objectstorage.middleware import devstack_proxy
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


def _save_object(stored: StoredObject) -> list[Any]:
    # A list rather than an object: a container may hold many thousands.
    return [
        stored.name,
        bytes_json(stored.data),
        stored.etag,
        stored.content_type,
        stored.timestamp,
        stored.metadata,
        stored.headers,
        stored.delete_at,
        stored.manifest,
        None if stored.segments is None else [record_json(s) for s in stored.segments],
    ]


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
    saved = {
        "name": account.name,
        "created": account.created,
        "metadata": dict(account.metadata),
        "containers": [_save_container(c) for c in account.containers.values()],
        "cdn": {name: record_json(settings) for name, settings in account.cdn.items()},
    }
    if account.system_metadata:
        saved["system_metadata"] = dict(account.system_metadata)
    return saved


def _restore_object(saved: Any) -> StoredObject:
    if type(saved) is not list or len(saved) != 10:
        raise ValueError("a saved object must be a list of its 10 fields")
    name, data, etag, content_type, timestamp, metadata, headers, delete_at, manifest, segments = saved
    if not (
        type(name) is str and type(etag) is str and type(content_type) is str
        and type(metadata) is dict and type(headers) is dict
        and isinstance(timestamp, (int, float)) and (delete_at is None or type(delete_at) is int)
        and (manifest is None or type(manifest) is str)
    ):
        raise ValueError(f"the saved object {name!r} has a field of the wrong kind")
    return StoredObject(
        name,
        bytes_from(data),
        etag,
        content_type,
        float(timestamp),
        dict(metadata),
        dict(headers),
        delete_at,
        manifest,
        None if segments is None else tuple(record_from(Segment, s) for s in segments),
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
    objects = container.objects
    for stored in map(_restore_object, field_of(saved, "objects", list, where)):
        objects[stored.name] = stored
    container.names = sorted(objects)
    container.bytes_used = sum(stored.stored_bytes for stored in objects.values())
    container.memory = sum(len(stored.data) for stored in objects.values())
    return container


def restore_account(core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
    if isinstance(saved, dict) and saved.get("budget") is True:
        return storage_budget(core)
    where = "a saved object storage account"
    account = Account(field_of(saved, "name", str, where), core.clock, storage_budget(core))
    account.created = float(field_of(saved, "created", (int, float), where))
    account.metadata = dict(field_of(saved, "metadata", dict, where))
    # Snapshots taken before accounts had quotas of their own have none.
    if "system_metadata" in saved:
        account.system_metadata = dict(field_of(saved, "system_metadata", dict, where))
    account.enforces_quotas = devstack_proxy(core.profile)
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
