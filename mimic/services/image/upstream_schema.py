# -*- test-case-name: mimic.test.test_image_views -*-
"""
The image schema an upstream Glance serves (``/v2/schemas/image`` and
``/v2/schemas/images``) as a DevStack install has it: Glance's own
properties, then the ones its ``schema-image.json`` adds (which DevStack
installs), each of those marked ``"is_base": false``.

Property names, their order, types, enumerations, patterns, lengths and
the read-only and write-only marks are Glance's; the descriptions are
Mimic's own words.  Nothing Rackspace adds (``image_type``,
``os_type``...) is declared: such properties are additional, and
additional properties are strings.

A profile with Rackspace's extensions keeps Mimic's Rackspace schema
(:func:`mimic.services.image.views.image_schema`).
"""

from __future__ import annotations

from typing import Any, Mapping

from mimic.services.image.schemas import collection_schema
from mimic.services.image.views import CONTAINER_FORMATS, DISK_FORMATS

#: A UUID, as Glance's ``id``, ``kernel_id`` and ``ramdisk_id`` check it.
UUID_PATTERN = "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"

#: Glance's statuses in the order its schema lists them.
SCHEMA_STATUSES = (
    "queued", "saving", "active", "killed", "deleted", "uploading", "importing", "pending_delete", "deactivated",
)

#: What ``cinder_encryption_key_deletion_policy`` may say.
KEY_DELETION_POLICIES = ("on_image_deletion", "do_not_delete")

_NULLABLE_STRING = ["null", "string"]


def _read_only(kind: Any, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "readOnly": True, "description": description, **extra}


def _plain(kind: Any, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "description": description, **extra}


def _hash_fields() -> dict[str, Any]:
    """
    What a location's ``validation_data`` may give (write-only: it fills
    the image's own hashes).
    """
    return {
        "description": "The hashes of the data at the location, checked against the image's own once it has data.",
        "type": "object",
        "writeOnly": True,
        "additionalProperties": False,
        "properties": {
            "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
            "os_hash_algo": {"type": "string", "maxLength": 64},
            "os_hash_value": {"type": "string", "maxLength": 128},
        },
        "required": ["os_hash_algo", "os_hash_value"],
    }


def base_properties() -> dict[str, Any]:
    """
    Glance's own image properties, in the order its schema lists them.
    """
    return {
        "id": _plain("string", "The image's identifier, a UUID.", pattern=UUID_PATTERN),
        "name": _plain(_NULLABLE_STRING, "A name for people to recognise the image by.", maxLength=255),
        "status": _read_only("string", "Where the image is in its lifecycle.", enum=list(SCHEMA_STATUSES)),
        "visibility": _plain("string", "Who may see the image.", enum=["community", "public", "private", "shared"]),
        "protected": _plain("boolean", "Whether the image is safe from deletion."),
        "os_hidden": _plain("boolean", "Whether default listings leave the image out."),
        "checksum": _read_only(_NULLABLE_STRING, "MD5 of the image data.", maxLength=32),
        "os_hash_algo": _read_only(_NULLABLE_STRING, "The algorithm of os_hash_value.", maxLength=64),
        "os_hash_value": _read_only(_NULLABLE_STRING, "The data's hexadecimal digest by os_hash_algo.", maxLength=128),
        "owner": _plain(_NULLABLE_STRING, "The project that owns the image.", maxLength=255),
        "size": _read_only(["null", "integer"], "The size of the image data, in bytes."),
        "virtual_size": _read_only(["null", "integer"], "The virtual size of the disk, in bytes."),
        "container_format": _plain(_NULLABLE_STRING, "The container the data comes in.", enum=[None, *CONTAINER_FORMATS]),
        "disk_format": _plain(_NULLABLE_STRING, "The format of the disk image.", enum=[None, *DISK_FORMATS]),
        "created_at": _read_only("string", "When the image was created."),
        "updated_at": _read_only("string", "When the image was last changed."),
        "tags": {
            "type": "array",
            "description": "Strings the image is tagged with.",
            "items": {"type": "string", "maxLength": 255},
        },
        "direct_url": _read_only("string", "Where the data is in the backing store, when shown."),
        "min_ram": _plain("integer", "RAM the image needs to boot, in MB."),
        "min_disk": _plain("integer", "Disk the image needs to boot, in GB."),
        "self": _read_only("string", "The image's own path."),
        "file": _read_only("string", "The path of the image's data."),
        "stores": _read_only("string", "The stores holding the data (comma-separated), with multiple stores only."),
        "schema": _read_only("string", "The path of this schema."),
        "locations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "maxLength": 255},
                    "metadata": {"type": "object"},
                    "validation_data": _hash_fields(),
                },
                "required": ["url", "metadata"],
            },
            "description": "Where the data is kept, when locations are shown.",
        },
    }


def custom_properties() -> dict[str, Any]:
    """
    The properties ``schema-image.json`` declares, as Glance merges them
    (``"is_base": false``): typed, yet still the image's additional
    properties.
    """
    declared = {
        "kernel_id": _plain(_NULLABLE_STRING, "The image to boot an AMI-style image's kernel from.", pattern=UUID_PATTERN),
        "ramdisk_id": _plain(_NULLABLE_STRING, "The image to boot an AMI-style image's ramdisk from.", pattern=UUID_PATTERN),
        "instance_uuid": _plain("string", "The server this image records being associated with (informational)."),
        "architecture": _plain("string", "The CPU architecture the operating system runs on."),
        "os_distro": _plain("string", "The operating system distribution's common name."),
        "os_version": _plain("string", "The operating system's version, as its distributor gives it."),
        "description": _plain("string", "A description of the image for people."),
        "cinder_encryption_key_id": _plain("string", "The key manager's key for volumes made from this image."),
        "cinder_encryption_key_deletion_policy": _plain(
            "string",
            "When the image service deletes the key cinder_encryption_key_id names.",
            enum=list(KEY_DELETION_POLICIES),
        ),
    }
    return {name: {**value, "is_base": False} for name, value in declared.items()}


def upstream_image_schema() -> dict[str, Any]:
    """
    ``GET /v2/schemas/image`` as an upstream Glance answers it.
    """
    return {
        "name": "image",
        "properties": {**base_properties(), **custom_properties()},
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def upstream_images_schema() -> dict[str, Any]:
    """
    ``GET /v2/schemas/images``: the image schema wrapped as Glance wraps
    a collection's.
    """
    return collection_schema("images", "images", upstream_image_schema())


#: :func:`custom_properties`, made once: what Glance checks a request's
#: additional properties of these names against.
DECLARED_PROPERTIES: Mapping[str, Mapping[str, Any]] = custom_properties()
