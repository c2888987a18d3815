# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Cinder's request bodies and query strings, checked as Cinder's JSON
schemas check them, with its messages (``Invalid input for
field/attribute size. Value: 0. 0 is less than the minimum of 1``).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from attrs import frozen

from mimic.http import HTTPError
from mimic.services.blockstorage.catalogue import MAX_SIZE
from mimic.services.blockstorage.errors import BlockStorageError, bad_request

_DIGITS = re.compile(r"^[0-9]+$")

_JSON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
    type(None): "null",
}


def invalid_field(field: str, value: Any, reason: str) -> HTTPError:
    return bad_request(f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


def _not_of_type(field: str, value: Any, types: str) -> HTTPError:
    return invalid_field(field, value, f"{value!r} is not of type {types}")


def body_object(body: Any, key: str) -> dict[str, Any]:
    """
    ``body[key]``, which must be an object (Cinder: ``'key' is a required
    property``).
    """
    if not isinstance(body, dict) or key not in body:
        raise bad_request(f"Invalid input for field/attribute {key}. Value: {body}. '{key}' is a required property")
    inner = body[key]
    if not isinstance(inner, dict):
        raise _not_of_type(key, inner, "'object'")
    return inner


def size(value: Any, field: str = "size", allow_none: bool = False) -> int | None:
    """
    A size in GB: an integer or a string of digits, 1 to Cinder's
    largest.
    """
    if value is None:
        if allow_none:
            return None
        raise _not_of_type(field, value, "'integer', 'string'")
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _not_of_type(field, value, "'integer', 'string', 'null'" if allow_none else "'integer', 'string'")
    if isinstance(value, str):
        if not _DIGITS.match(value) or len(value) > 12:
            raise invalid_field(field, value, f"{value!r} does not match '^[0-9]+$'")
        value = int(value)
    if value < 1:
        raise invalid_field(field, value, f"{value} is less than the minimum of 1")
    if value > MAX_SIZE:
        raise invalid_field(field, value, f"{value} is greater than the maximum of {MAX_SIZE}")
    return value


def optional_text(obj: Mapping[str, Any], key: str, max_length: int = 255) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _not_of_type(key, value, "'string', 'null'")
    if len(value) > max_length:
        raise invalid_field(key, value, f"{value!r} is too long")
    return value


def optional_id(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 255:
        raise _not_of_type(key, value, "'string', 'null'")
    return value


def boolean(value: Any, field: str) -> bool:
    """
    A boolean as Cinder's ``strutils.bool_from_string(strict=True)`` reads
    it: a JSON boolean or ``true``/``false``/``1``/``0``/``yes``/``no``...
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "t", "true", "on", "y", "yes"):
            return True
        if lowered in ("0", "f", "false", "off", "n", "no"):
            return False
    raise bad_request(f"Invalid input received: {field} must be a boolean, got {str(value)[:64]!r}.")


def metadata(value: Any, field: str = "metadata", allow_none: bool = True) -> dict[str, str] | None:
    """
    Metadata: keys of 1 to 255 characters, values of up to 255, all
    strings.
    """
    if value is None:
        if allow_none:
            return None
        raise _not_of_type(field, value, "'object'")
    if not isinstance(value, dict):
        raise _not_of_type(field, value, "'object', 'null'" if allow_none else "'object'")
    checked: dict[str, str] = {}
    for key, item in value.items():
        if not 1 <= len(key) <= 255:
            raise invalid_field(field, value, f"Additional properties are not allowed ({key!r} was unexpected)")
        if not isinstance(item, str):
            raise _not_of_type(f"{field}/{key}", item, "'string'")
        if len(item) > 255:
            raise invalid_field(f"{field}/{key}", item, f"{item!r} is too long")
        checked[key] = item
    return checked


@frozen
class VolumeSpec:
    """
    A checked volume create.
    """

    size: int | None
    name: str | None
    description: str | None
    metadata: dict[str, str]
    volume_type: str | None
    availability_zone: str | None
    image_ref: str | None
    snapshot_id: str | None
    source_volid: str | None
    backup_id: str | None
    multiattach: bool


def volume_create(body: Any) -> VolumeSpec:
    spec = body_object(body, "volume")
    name = optional_text(spec, "name")
    if name is None:
        name = optional_text(spec, "display_name")
    description = optional_text(spec, "description")
    if description is None:
        description = optional_text(spec, "display_description")
    image_ref = optional_id(spec, "imageRef")
    if image_ref is None:
        image_ref = optional_id(spec, "image_id")
    multiattach = spec.get("multiattach", False)
    return VolumeSpec(
        size=size(spec.get("size"), allow_none=True),
        name=name,
        description=description,
        metadata=metadata(spec.get("metadata")) or {},
        volume_type=optional_id(spec, "volume_type"),
        availability_zone=optional_id(spec, "availability_zone"),
        image_ref=image_ref,
        snapshot_id=optional_id(spec, "snapshot_id"),
        source_volid=optional_id(spec, "source_volid"),
        backup_id=optional_id(spec, "backup_id"),
        multiattach=boolean(multiattach, "multiattach"),
    )


#: The fields a volume update takes.
UPDATABLE = ("name", "description", "display_name", "display_description", "metadata")


def volume_update(body: Any) -> dict[str, Any]:
    """
    What a volume update changes: ``name``, ``description`` (Cinder's
    old ``display_*`` names too) and ``metadata``; 400 for an empty
    update.
    """
    spec = body_object(body, "volume")
    changes: dict[str, Any] = {}
    for key, target in (("name", "name"), ("display_name", "name"), ("description", "description"),
                        ("display_description", "description")):
        if key in spec:
            changes[target] = optional_text(spec, key)
    if "metadata" in spec:
        changes["metadata"] = metadata(spec["metadata"], allow_none=False)
    if not changes:
        raise bad_request(
            "Invalid input for field/attribute volume. Value: {}. {} does not have enough properties"
        )
    return changes


def metadata_body(body: Any, key: str = "metadata") -> dict[str, str]:
    if not isinstance(body, dict) or key not in body:
        raise bad_request("Malformed request body")
    return metadata(body[key], key, allow_none=False) or {}


def snapshot_create(body: Any) -> dict[str, Any]:
    spec = body_object(body, "snapshot")
    volume_id = spec.get("volume_id")
    if volume_id is None:
        # Cinder looks the volume up before it checks the rest.
        raise BlockStorageError(404, "VolumeNotFound", "Volume None could not be found.")
    if not isinstance(volume_id, str) or not volume_id:
        raise _not_of_type("volume_id", volume_id, "'string'")
    name = optional_text(spec, "name")
    if name is None:
        name = optional_text(spec, "display_name")
    description = optional_text(spec, "description")
    if description is None:
        description = optional_text(spec, "display_description")
    force = spec.get("force", False)
    return {
        "volume_id": volume_id,
        "name": name,
        "description": description,
        "metadata": metadata(spec.get("metadata")) or {},
        "force": boolean(force, "force") if force is not None else False,
    }


def snapshot_update(body: Any) -> dict[str, Any]:
    spec = body_object(body, "snapshot")
    changes: dict[str, Any] = {}
    for key, target in (("name", "name"), ("display_name", "name"), ("description", "description"),
                        ("display_description", "description")):
        if key in spec:
            changes[target] = optional_text(spec, key)
    if not changes:
        raise bad_request(
            "Invalid input for field/attribute snapshot. Value: {}. {} does not have enough properties"
        )
    return changes


def query_flag(args: Mapping[bytes, list[bytes]], name: str) -> bool:
    raw = args.get(name.encode())
    if not raw:
        return False
    return boolean(raw[0].decode("utf-8", "replace"), name)


def limit_arg(args: Mapping[bytes, list[bytes]]) -> int | None:
    raw = args.get(b"limit")
    if not raw:
        return None
    text = raw[0].decode("utf-8", "replace")
    if not _DIGITS.match(text) or len(text) > 12:
        raise bad_request("Invalid input received: limit param must be an integer")
    return int(text)


def text_arg(args: Mapping[bytes, list[bytes]], name: str) -> str | None:
    raw = args.get(name.encode())
    if not raw:
        return None
    return raw[0].decode("utf-8", "replace")
