# -*- test-case-name: mimic.test.test_compute_volumes -*-
"""
A stand-in for the Block Storage service while it is being written: the
:class:`~mimic.interfaces.IVolumes` contract over a dictionary, every
transition instant.  Only compute's volume tests use it, and only until
the real service is merged.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator

from attrs import define, field
from twisted.web.resource import IResource, NoResource
from zope.interface import implementer

from mimic.catalog import Entry
from mimic.interfaces import IAPIMock, IMimicCore, ISharesState, IVolume, IVolumes, ContractRefused


@implementer(IVolume)
@define
class DoubleVolume:
    id: str
    size: int
    created: float
    name: str | None = None
    image_id: str | None = None
    volume_type: str = "SATA"
    availability_zone: str = "nova"
    bootable: bool = False
    state: str = "available"
    attached: list[tuple[str, str, str]] = field(factory=list)

    def status(self, now: float) -> str:
        return self.state

    def attachments(self, now: float) -> list[tuple[str, str, str]]:
        return list(self.attached)


@implementer(IVolumes)
@define
class DoubleVolumes:
    by_id: dict[str, DoubleVolume] = field(factory=dict)

    def get(self, volume_id: str) -> DoubleVolume | None:
        return self.by_id.get(volume_id)

    def __iter__(self) -> Iterator[DoubleVolume]:
        return iter(list(self.by_id.values()))

    def create(self, size: int, now: float, name: str | None = None, image_id: str | None = None,
               snapshot_id: str | None = None, source_volid: str | None = None, volume_type: str | None = None,
               availability_zone: str | None = None) -> DoubleVolume:
        volume = DoubleVolume(str(uuid.uuid4()), size, now, name, image_id, bootable=image_id is not None)
        self.by_id[volume.id] = volume
        return volume

    def _require(self, volume_id: str) -> DoubleVolume:
        volume = self.by_id.get(volume_id)
        if volume is None:
            raise ContractRefused(404, "VolumeNotFound", f"Volume {volume_id} could not be found.")
        return volume

    def reserve(self, volume_id: str, server_id: str, now: float) -> None:
        volume = self._require(volume_id)
        if volume.state != "available":
            raise ContractRefused(400, "InvalidVolume", f"Invalid volume: Volume status must be available, but the current status is {volume.state}.")
        volume.state = "attaching"

    def unreserve(self, volume_id: str, now: float) -> None:
        self._require(volume_id).state = "available"

    def attach(self, volume_id: str, server_id: str, device: str, now: float) -> str:
        volume = self._require(volume_id)
        attachment_id = str(uuid.uuid4())
        volume.attached.append((attachment_id, server_id, device))
        volume.state = "in-use"
        return attachment_id

    def detach(self, volume_id: str, server_id: str, now: float) -> None:
        volume = self._require(volume_id)
        kept = [a for a in volume.attached if a[1] != server_id]
        if len(kept) == len(volume.attached):
            raise ContractRefused(400, "InvalidVolume", "Invalid volume: not attached to that server.")
        volume.attached = kept
        volume.state = "in-use" if kept else "available"

    def delete(self, volume_id: str, now: float) -> None:
        volume = self._require(volume_id)
        if volume.attached:
            raise ContractRefused(400, "InvalidVolume", "Invalid volume: attached.")
        del self.by_id[volume_id]

    def attached_to(self, server_id: str, now: float) -> list[DoubleVolume]:
        return [v for v in self.by_id.values() if any(a[1] == server_id for a in v.attached)]


@implementer(IAPIMock, ISharesState)
class DoubleBlockStorage:
    name = "volume-double"

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return []

    def failure_events(self) -> tuple[()]:
        return ()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        return NoResource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return set()

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"error": message}

    def shared_state(self, core: IMimicCore, contract: Any, tenant_id: str, region: str) -> Any:
        if contract is IVolumes:
            return core.region_state(self.name, tenant_id, region, DoubleVolumes)
        return None
