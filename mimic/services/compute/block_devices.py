# -*- test-case-name: mimic.test.test_compute_volumes -*-
"""
A server create's ``block_device_mapping_v2``: what a client asks Nova to
boot from and attach (an image copied to a new volume, an existing
volume, a snapshot, a blank volume), checked as Nova checks it: first the
shape (Nova's JSON schema, with its 400 wording naming the offending
field), then the rules Nova applies to the whole list (one boot device at
index 0, sizes where a new volume is made, a UUID where a source needs
one).

What exists (images, volumes) is checked later, against the Image and
Block Storage services (:mod:`mimic.services.compute.volumes`).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from attrs import frozen

from mimic.interfaces import IImages
from mimic.services.compute.errors import invalid_input, nova_error
from mimic.services.compute.versions import Microversion

#: Nova's message for a list with no (or a broken) boot sequence.
BAD_BOOT_SEQUENCE = (
    "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device "
    "mapping combination is not valid."
)

_SOURCE_TYPES = ["volume", "image", "snapshot", "blank"]
_UUID_SHAPE = re.compile(r"^[a-zA-Z0-9._-]*$")
_DEVICE_NAME = re.compile(r"^[a-zA-Z0-9._/-]*$")
_INTEGER_TEXT = re.compile(r"^-?[0-9]+$")
_NON_NEGATIVE_TEXT = re.compile(r"^[0-9]+$")
_TAG = re.compile(r"^[^,/]*$")

#: The spellings Nova's schemas take for a boolean (its ``boolean``
#: parameter type), and what each means.
_TRUE = {True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes", "y", "t"}
_FALSE = {False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no", "n", "f"}

#: The fields of an item Nova's schema allows at every microversion.
_FIELDS = frozenset(
    {
        "virtual_name", "volume_id", "snapshot_id", "volume_size", "device_name",
        "delete_on_termination", "no_device", "connection_info", "source_type", "uuid",
        "image_id", "destination_type", "guest_format", "device_type", "disk_bus", "boot_index",
    }
)


@frozen
class RequestedDevice:
    """
    One validated entry of ``block_device_mapping_v2``.
    """

    source_type: str
    #: ``volume`` (a Cinder volume) or ``local`` (the hypervisor's disk).
    destination_type: str
    #: The image, volume or snapshot id (None for a blank source).
    uuid: str | None
    #: 0 for the boot device; None (or negative) for one not booted from.
    boot_index: int | None
    volume_size: int | None
    delete_on_termination: bool
    device_name: str | None
    tag: str | None
    volume_type: str | None

    @property
    def is_root(self) -> bool:
        return self.boot_index == 0

    @property
    def makes_volume(self) -> bool:
        """
        Whether Nova asks Cinder for a new volume for this entry.
        """
        return self.destination_type == "volume" and self.source_type != "volume"


def _repr(value: Any) -> str:
    return repr(value)


def _string(field: str, value: Any, max_length: int = 255, min_length: int = 0,
            pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise invalid_input(field, value, f"{_repr(value)} is not of type 'string'")
    if len(value) < min_length:
        raise invalid_input(field, value, f"{_repr(value)} is too short")
    if len(value) > max_length:
        raise invalid_input(field, value, f"{_repr(value)} is too long")
    if pattern is not None and not pattern.match(value):
        raise invalid_input(field, value, f"{_repr(value)} does not match {pattern.pattern!r}")
    return value


def nova_boolean(field: str, value: Any) -> bool:
    if isinstance(value, bool) or isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
    allowed = sorted((v for v in _TRUE | _FALSE), key=str)
    raise invalid_input(field, value, f"{_repr(value)} is not one of {allowed!r}")


def _integer(field: str, value: Any, pattern: re.Pattern[str], minimum: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_input(field, value, f"{_repr(value)} is not of type 'integer', 'string'")
    if isinstance(value, str):
        if not pattern.match(value) or len(value) > 20:
            raise invalid_input(field, value, f"{_repr(value)} does not match {pattern.pattern!r}")
        value = int(value)
    if minimum is not None and value < minimum:
        raise invalid_input(field, value, f"{value} is less than the minimum of {minimum}")
    if value > 2**31 - 1:
        raise invalid_input(field, value, f"{value} is greater than the maximum of {2**31 - 1}")
    return value


def _item_shape(index: int, item: Any, microversion: Microversion) -> dict[str, Any]:
    """
    One entry as Nova's schema checks it; the 400 names the field (the
    entry's index when the entry itself is wrong, as Nova's does).
    """
    if not isinstance(item, dict):
        raise invalid_input(str(index), item, f"{_repr(item)} is not of type 'object'")
    allowed = set(_FIELDS)
    if microversion >= (2, 42):
        allowed.add("tag")
    if microversion >= (2, 67):
        allowed.add("volume_type")
    unexpected = sorted(set(item) - allowed)
    if unexpected:
        listed = ", ".join(repr(name) for name in unexpected)
        verb = "were" if len(unexpected) > 1 else "was"
        raise invalid_input(
            str(index), item, f"Additional properties are not allowed ({listed} {verb} unexpected)"
        )
    checked = dict(item)
    if "source_type" in item:
        source = item["source_type"]
        if not isinstance(source, str):
            raise invalid_input("source_type", source, f"{_repr(source)} is not of type 'string'")
        if source not in _SOURCE_TYPES:
            raise invalid_input("source_type", source, f"{_repr(source)} is not one of {_SOURCE_TYPES!r}")
    if "uuid" in item:
        _string("uuid", item["uuid"], min_length=1, pattern=_UUID_SHAPE)
    for name in ("destination_type", "guest_format", "device_type", "disk_bus", "virtual_name"):
        if name in item:
            _string(name, item[name])
    if "device_name" in item:
        _string("device_name", item["device_name"], min_length=1, pattern=_DEVICE_NAME)
    if "boot_index" in item and item["boot_index"] is not None:
        checked["boot_index"] = _integer("boot_index", item["boot_index"], _INTEGER_TEXT, None)
    if "volume_size" in item and item["volume_size"] is not None:
        checked["volume_size"] = _integer("volume_size", item["volume_size"], _NON_NEGATIVE_TEXT, 0)
    if "delete_on_termination" in item:
        checked["delete_on_termination"] = nova_boolean("delete_on_termination", item["delete_on_termination"])
    if "tag" in item:
        _string("tag", item["tag"], max_length=60, min_length=1, pattern=_TAG)
    if "volume_type" in item and item["volume_type"] is not None:
        _string("volume_type", item["volume_type"])
    return checked


def _from_api(item: Mapping[str, Any], image_given: bool) -> RequestedDevice:
    """
    One entry as Nova reads it: a UUID wherever the source needs one,
    and the destination a source implies when none is given.
    """
    source = item.get("source_type")
    uuid = item.get("uuid")
    if source is None:
        # The legacy single-id fields, which v2 still takes.
        for name, implied in (("volume_id", "volume"), ("snapshot_id", "snapshot"), ("image_id", "image")):
            if item.get(name):
                source, uuid = implied, item[name]
                break
        else:
            raise nova_error(400, "Block Device Mapping is Invalid: Missing device UUID.")
    if source == "blank" and uuid:
        raise nova_error(400, "Block Device Mapping is Invalid: Invalid device UUID.")
    if source != "blank" and not uuid:
        raise nova_error(400, "Block Device Mapping is Invalid: Missing device UUID.")
    asked_destination = item.get("destination_type")
    destination = asked_destination
    if destination is None:
        destination = "volume" if source in ("volume", "snapshot") else "local"
    if destination not in ("local", "volume"):
        raise nova_error(400, "Block Device Mapping is Invalid: Unrecognized destination_type.")
    boot_index = item.get("boot_index")
    if (
        source == "image"
        and asked_destination == "local"
        and not (image_given and boot_index == 0)
    ):
        raise nova_error(400, "Block Device Mapping is Invalid: Mapping image to local is not supported.")
    size = item.get("volume_size")
    if source == "image" and destination == "volume" and not size:
        raise nova_error(400, "Images with destination_type 'volume' need to have a non-zero size specified")
    if source == "blank" and destination == "volume" and not size:
        raise nova_error(400, "Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size")
    return RequestedDevice(
        source_type=source,
        destination_type=destination,
        uuid=uuid,
        boot_index=boot_index,
        volume_size=size,
        delete_on_termination=item.get("delete_on_termination", False),
        device_name=item.get("device_name"),
        tag=item.get("tag"),
        volume_type=item.get("volume_type"),
    )


def _check_boot_sequence(devices: tuple[RequestedDevice, ...], image_given: bool) -> None:
    """
    Nova's rule: the devices booted from are numbered 0, 1, 2... with no
    gap or repeat, and without an image there must be a device 0.
    """
    indexes = sorted(d.boot_index for d in devices if d.boot_index is not None and d.boot_index >= 0)
    if indexes != list(range(len(indexes))):
        raise nova_error(400, BAD_BOOT_SEQUENCE)
    if not image_given and not indexes:
        raise nova_error(400, BAD_BOOT_SEQUENCE)


def block_device_mapping(spec: Mapping[str, Any], microversion: Microversion) -> tuple[RequestedDevice, ...]:
    """
    A create request's ``block_device_mapping_v2`` (empty when absent),
    checked in Nova's order.
    """
    if "block_device_mapping_v2" not in spec:
        return ()
    value = spec["block_device_mapping_v2"]
    if not isinstance(value, list):
        raise invalid_input("block_device_mapping_v2", value, f"{_repr(value)} is not of type 'array'")
    image_given = spec.get("imageRef") not in (None, "")
    checked = [_item_shape(index, item, microversion) for index, item in enumerate(value)]
    devices = tuple(_from_api(item, image_given) for item in checked)
    _check_boot_sequence(devices, image_given)
    return devices


def boots_from_volume(devices: tuple[RequestedDevice, ...]) -> bool:
    """
    Whether the server's root disk is a volume (its ``image`` is then
    shown as ``""``, as Nova shows a volume-backed server's).
    """
    return any(d.is_root and d.destination_type == "volume" for d in devices)


def root_image_id(devices: tuple[RequestedDevice, ...]) -> str | None:
    """
    The image the boot device is made from, if it is made from one.
    """
    for device in devices:
        if device.is_root and device.source_type == "image":
            return device.uuid
    return None


def check_device_sources(devices: tuple[RequestedDevice, ...], images: IImages) -> None:
    """
    Nova's 400s for an image source the Image service does not have,
    or a volume made from one smaller than the image's ``min_disk``.
    (Volumes are the Block Storage service's question, asked when the
    server is made.)
    """
    for device in devices:
        if device.source_type != "image" or device.uuid is None:
            continue
        image = images.get(device.uuid)
        if image is None:
            raise nova_error(400, f"Block Device Mapping is Invalid: failed to get image {device.uuid}.")
        if device.destination_type == "volume" and (device.volume_size or 0) < image.min_disk:
            raise nova_error(
                400,
                "Volume is smaller than the minimum size specified in image metadata. Volume size is "
                f"{(device.volume_size or 0) * 2**30} bytes, minimum size is {image.min_disk * 2**30} bytes.",
            )


def check_device_count(devices: tuple[RequestedDevice, ...], max_count: int) -> None:
    """
    One volume cannot be attached to each of several new servers.
    """
    if max_count > 1 and any(device.source_type == "volume" for device in devices):
        raise nova_error(400, "Cannot attach one or more volumes to multiple instances")
