# -*- test-case-name: mimic.test.test_image_writes -*-
"""
What a project may set on an image, as Glance checks it when an image is
created (``POST /v2/images``) or changed (``PATCH``): an image's own
properties, each with its type (Glance validates against its image
schema and answers ``Provided object does not match schema 'image':
...``), the properties only Glance sets (403, read-only), the reserved
ones (403, including the ``os_glance_`` namespace), and additional
properties, which are strings.

:func:`checked` turns one property's value into what the image keeps;
:func:`with_properties` makes the changed image.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from attrs import evolve

from mimic.services.image.model import Image
from mimic.services.image.records import ImageRefused
from mimic.services.image.views import CONTAINER_FORMATS, DISK_FORMATS

#: Visibilities a project may give its image (``public`` needs an
#: administrator).
VISIBILITIES = ("public", "private", "shared", "community")

#: Properties only Glance sets.
READ_ONLY = frozenset(
    {
        "id",
        "status",
        "created_at",
        "updated_at",
        "size",
        "virtual_size",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "self",
        "file",
        "schema",
        "direct_url",
        "stores",
    }
)

#: Properties no request may set.
RESERVED = frozenset({"deleted", "deleted_at", "location"})

#: The image's own properties a project may set, by the name the image
#: keeps each under.
OWN_FIELDS = {
    "name": "name",
    "visibility": "visibility_given",
    "protected": "protected",
    "os_hidden": "os_hidden",
    "tags": "tags",
    "container_format": "container_format",
    "disk_format": "disk_format",
    "min_disk": "min_disk",
    "min_ram": "min_ram",
}

_LARGEST_INT = 2**31 - 1


def schema_error(detail: str) -> ImageRefused:
    return ImageRefused(400, f"Provided object does not match schema 'image': {detail}")


def _kind(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), "null"
    )


def check_name(name: str) -> None:
    """
    403 for the properties no project sets (read-only, reserved,
    ``os_glance_*``, locations); a property name must fit 255
    characters.
    """
    if name in READ_ONLY:
        raise ImageRefused(403, f"Attribute '{name}' is read-only.")
    if name in RESERVED or name.startswith("os_glance"):
        raise ImageRefused(403, f"Attribute '{name}' is reserved.")
    if name == "locations":
        raise ImageRefused(403, "It's not allowed to update locations if locations are invisible.")
    if not name or len(name) > 255:
        raise schema_error(f"'{name}' does not match any of the regexes: '^[^\\x00]{{1,255}}$'")


def checked(name: str, value: Any, declared: Mapping[str, Mapping[str, Any]] | None = None) -> Any:
    """
    The value an image keeps for property ``name`` (already allowed by
    :func:`check_name`), or Glance's 400 (403 for ``public``).
    ``declared`` are the additional properties the cloud's image schema
    types (upstream's ``schema-image.json``: :func:`checked_declared`).
    """
    if declared and name in declared:
        return checked_declared(name, value, declared[name])
    if name == "name":
        if value is not None and not isinstance(value, str):
            raise schema_error(f"{value!r} is not of type 'string', 'null'")
        if value is not None and len(value) > 255:
            raise schema_error(f"{value!r} is too long")
        return value
    if name == "visibility":
        if value not in VISIBILITIES:
            raise schema_error(f"{value!r} is not one of {list(VISIBILITIES)}")
        if value == "public":
            raise ImageRefused(403, "You are not authorized to complete publicize_image action.")
        return value
    if name in ("protected", "os_hidden"):
        if not isinstance(value, bool):
            raise schema_error(f"{value!r} is not of type 'boolean'")
        return value
    if name == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise schema_error(f"{value!r} is not of type 'array' of strings")
        if any(len(t) > 255 for t in value):
            raise schema_error("a tag is too long (255 characters at most)")
        return tuple(dict.fromkeys(value))
    if name == "container_format":
        if value is not None and value not in CONTAINER_FORMATS:
            raise schema_error(f"{value!r} is not one of {[*CONTAINER_FORMATS, None]}")
        return value
    if name == "disk_format":
        if value is not None and value not in DISK_FORMATS:
            raise schema_error(f"{value!r} is not one of {[*DISK_FORMATS, None]}")
        return value
    if name in ("min_disk", "min_ram"):
        if type(value) is not int:
            raise schema_error(f"{value!r} is not of type 'integer'")
        if value < 0:
            raise schema_error(f"{value!r} is less than the minimum of 0")
        if value > _LARGEST_INT:
            raise schema_error(f"{value!r} is greater than the maximum of {_LARGEST_INT}")
        return value
    if not isinstance(value, str):
        raise schema_error(f"{value!r} is not of type 'string' (additional properties are strings)")
    if len(value) > 65535:
        raise schema_error(f"the value of '{name}' is too long")
    return value


def checked_declared(name: str, value: Any, schema: Mapping[str, Any]) -> str | None:
    """
    An additional property the image schema declares, checked as Glance
    checks it against that declaration: its type (null allowed where
    the schema allows it; the image then has no such property), its
    pattern and its enumeration.
    """
    kinds = schema.get("type", "string")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if value is None and "null" in kinds:
        return None
    if not isinstance(value, str):
        wanted = ", ".join(repr(kind) for kind in kinds)
        raise schema_error(f"{value!r} is not of type {wanted}")
    pattern = schema.get("pattern")
    if pattern is not None and re.search(pattern, value) is None:
        raise schema_error(f"{value!r} does not match {pattern!r}")
    allowed = schema.get("enum")
    if allowed is not None and value not in allowed:
        raise schema_error(f"{value!r} is not one of {list(allowed)}")
    if len(value) > 65535:
        raise schema_error(f"the value of '{name}' is too long")
    return value


def with_properties(image: Image, own: Mapping[str, Any], metadata: Mapping[str, str]) -> Image:
    """
    ``image`` with its own properties ``own`` (checked values, by
    property name) and its additional properties replaced by
    ``metadata``.
    """
    fields: dict[str, Any] = {OWN_FIELDS[name]: value for name, value in own.items()}
    if "name" in fields and fields["name"] is None:
        fields["name"] = ""
    return evolve(image, metadata=dict(metadata), **fields)
