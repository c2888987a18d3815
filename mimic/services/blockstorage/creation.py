# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
What a new volume is made from, checked as Cinder checks it, for both
ways a volume is made: Cinder's own ``POST /volumes`` and compute's boot
from volume through :class:`~mimic.interfaces.IVolumes`.

A volume made from an image, a snapshot or another volume must be at
least as large as its source (and as the image's ``min_disk``); without
a size it takes its source's.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from mimic.interfaces import IImages, IMimicCore
from mimic.services.blockstorage.catalogue import RACKSPACE_TYPES, VolumeType, VolumeTypes
from mimic.services.blockstorage.errors import BlockStorageError, invalid_input
from mimic.services.blockstorage.model import BlockStorage
from mimic.services.blockstorage.records import Snapshot, Volume

#: Bytes in a GB, as Cinder rounds an image's size up to whole GBs.
GB = 1024**3


@frozen
class Sources:
    size: int
    volume_type: VolumeType
    image: Any = None
    snapshot: Snapshot | None = None
    source: Volume | None = None


def volume_type_named(name: str | None, types: VolumeTypes = RACKSPACE_TYPES) -> VolumeType:
    if name is None:
        return types.default
    found = types.find(name)
    if found is None:
        raise BlockStorageError(
            404, "VolumeTypeNotFoundByName", f"Volume type with name {name} could not be found."
        )
    return found


def volume_sources(
    core: IMimicCore,
    state: BlockStorage,
    region: str,
    now: float,
    size: int | None,
    volume_type: str | None = None,
    image_id: str | None = None,
    snapshot_id: str | None = None,
    source_volid: str | None = None,
) -> Sources:
    """
    The checked sources and size of a new volume; Cinder's 400 or 404
    when one cannot be used.
    """
    chosen_type = volume_type_named(volume_type, state.types)
    image = snapshot = source = None
    if snapshot_id is not None:
        snapshot = state.snapshot(snapshot_id, now)
        if snapshot.status(now) != "available":
            raise BlockStorageError(
                400, "InvalidSnapshot",
                "Invalid snapshot: Originating snapshot status must be one of 'available' values",
            )
        if size is None:
            size = snapshot.size
        elif size < snapshot.size:
            raise invalid_input(
                f"Volume size '{size}'GB cannot be smaller than the snapshot size {snapshot.size}GB. "
                "They must be >= original snapshot size."
            )
    if source_volid is not None:
        source = state.volume(source_volid, now)
        if source.status(now) not in ("available", "in-use"):
            raise BlockStorageError(
                400, "InvalidVolume", "Invalid volume: Source volume status must be available or in-use."
            )
        if size is None:
            size = source.size
        elif size < source.size:
            raise invalid_input(
                f"Volume size '{size}'GB cannot be smaller than original volume size  {source.size}GB. "
                "They must be >= original volume size."
            )
    if image_id is not None:
        images = core.shared(IImages, state.tenant_id, region)
        image = None if images is None else images.get(image_id)
        if image is None:
            raise invalid_input("Invalid image identifier or unable to access requested image.")
        if image.status(now) != "ACTIVE":
            # Glance's queued, saving, deactivated or killed images have
            # no data Cinder may copy.
            raise invalid_input(f"Image {image_id} is not active.")
        image_gb = max(1, -(-int(image.size) // GB))
        if size is None:
            size = max(int(image.min_disk), image_gb)
        if size < image_gb:
            raise invalid_input(f"Size of specified image {image_gb}GB is larger than volume size {size}GB.")
        if size < image.min_disk:
            raise invalid_input(
                f"Volume size {size}GB cannot be smaller than the image minDisk size {image.min_disk}GB."
            )
    if size is None:
        raise invalid_input("Volume size must be specified.")
    return Sources(size, chosen_type, image, snapshot, source)
