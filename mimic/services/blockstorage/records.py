# -*- test-case-name: mimic.test.test_blockstorage_model -*-
"""
What block storage keeps of each volume, attachment, snapshot and backup:
attrs records with their status *timelines* on Mimic's clock (see
:class:`Timeline`), and how long each kind of work takes
(:class:`Timings`).  The rules that change them are in
:mod:`~mimic.services.blockstorage.model` and
:mod:`~mimic.services.blockstorage.copies`.
"""

from __future__ import annotations

import uuid
from typing import Any, Mapping

from attrs import define, field, frozen
from zope.interface import implementer

from mimic.interfaces import IVolume


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


@frozen
class Fault:
    """
    Something that went wrong with a volume, as Cinder's user messages
    (``/messages``, 3.3) tell it: what was being done, why it failed,
    and when.
    """

    id: str
    volume_id: str
    action: str
    reason: str
    at: float


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
    #: What went wrong with it, oldest first (Cinder's user messages).
    faults: list[Fault] = field(factory=list)
    attachment_map: dict[str, Attachment] = field(factory=dict)
    #: The ids of its snapshots.
    snapshot_ids: set[str] = field(factory=set)

    def status(self, now: float) -> str:
        return self.timeline.at(now)

    @property
    def reason(self) -> str | None:
        """
        Why it last went into an error status, if it did.
        """
        return self.faults[-1].reason if self.faults else None

    def fail(self, action: str, reason: str, at: float) -> None:
        """
        Record that ``action`` (``create``, ``extend``, ``delete``) ends
        in error at ``at``, for ``reason``.
        """
        self.faults.append(Fault(new_id(), self.id, action, reason, at))

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
    #: The volume's metadata and image metadata when it was backed up,
    #: which a restore writes back, as Cinder's backup metadata does.
    volume_metadata: dict[str, str] = field(factory=dict)
    volume_image_metadata: dict[str, str] | None = None
    #: Who made it (shown from 3.56).
    user_id: str = ""

    def status(self, now: float) -> str:
        return self.timeline.at(now)

    def gone(self, now: float) -> bool:
        return self.gone_at is not None and now >= self.gone_at


def new_id() -> str:
    return str(uuid.uuid4())


def gone_or_none(resources: Mapping[str, Any], key: str, now: float) -> Any:
    found = resources.get(key)
    if found is None or found.gone(now):
        return None
    return found
