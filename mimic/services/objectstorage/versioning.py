# -*- test-case-name: mimic.test.test_objectstorage_profiles -*-
"""
Swift's ``versioned_writes`` middleware in its first form, which
DevStack's proxy runs: a container whose ``X-Versions-Location`` names
another container keeps, there, each version of an object that a new
upload replaces, and a ``DELETE`` puts the newest kept version back
(the container's objects behave as a stack).

A kept version is named ``<length><name>/<timestamp>``: the object's
name's length as three hex digits, the name, and the replaced version's
``X-Timestamp``, so that a listing of one object's versions is in the
order they were written.
"""

from __future__ import annotations

from attrs import evolve

from mimic.services.objectstorage.model import Account, StoredObject
from mimic.services.objectstorage.views import x_timestamp

def versions_prefix(name: str) -> str:
    return f"{len(name.encode('utf-8')):03x}{name}/"


def versions_of(account: Account, container_name: str) -> str | None:
    """
    The container that keeps the versions of this one's objects, if it
    names one that exists.
    """
    container = account.containers.get(container_name)
    location = container.acls.get("x-versions-location") if container is not None else None
    if not location or location not in account.containers:
        return None
    return location


def keep_replaced(account: Account, container_name: str, name: str) -> None:
    """
    Before an upload replaces an object, keep the version it replaces.
    """
    location = versions_of(account, container_name)
    old = account.find_object(container_name, name) if location is not None else None
    if location is None or old is None:
        return
    kept = evolve(old, name=versions_prefix(name) + x_timestamp(old.timestamp), expiry=None)
    account.put_object(location, kept)


def restore_newest(account: Account, container_name: str, name: str) -> bool:
    """
    For a ``DELETE``: put the newest kept version back in place of the
    object, if there is one (True), forgetting it where it was kept.
    """
    location = versions_of(account, container_name)
    if location is None:
        return False
    prefix = versions_prefix(name)
    kept = [
        stored
        for stored in account.containers[location].objects.values()
        if stored.name.startswith(prefix) and isinstance(stored, StoredObject)
    ]
    if not kept:
        return False
    newest = max(kept, key=lambda stored: stored.name)
    account.put_object(container_name, evolve(newest, name=name, expiry=None))
    account.delete_object(location, newest.name)
    return True
