# -*- test-case-name: mimic.test.test_image_views -*-
"""
The Image service's documents on the wire: a listing's body and links,
and the JSON schemas Glance publishes for its image documents
(``/v2/schemas/image``, ``/v2/schemas/images``), which some clients fetch
to learn which properties are an image's own and which are additional.

An image's own document is :meth:`mimic.services.image.model.Image.glance_json`,
which the listing also sorts and filters on.  Mimic's schema lists the
properties its images carry, with their types; additional properties are
strings, as in Glance.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from mimic.services.image.model import STATUSES, ImageQuery
from mimic.services.image.schemas import collection_schema


def listing_json(query: ImageQuery, images: list[dict[str, Any]], full: bool) -> dict[str, Any]:
    """
    ``GET /v2/images``: the page of image documents with Glance's
    ``first``, ``schema`` and (for a full page) ``next`` links.
    """
    body: dict[str, Any] = {"images": images}
    body.update(listing_links(query, images[-1]["id"] if images else None, full))
    return body


def listing_links(query: ImageQuery, last_id: str | None, full: bool) -> dict[str, str]:
    """
    Glance's ``first``, ``schema`` and (for a full page) ``next``: the
    query again, relative to the service root, the last image of the page
    as the next page's marker.
    """
    kept = [(k, v) for k, values in query.args.items() if k != "marker" for v in values]
    encoded = urlencode(kept)
    links = {
        "first": "/v2/images" + (f"?{encoded}" if encoded else ""),
        "schema": "/v2/schemas/images",
    }
    if full and last_id is not None:
        links["next"] = "/v2/images?" + urlencode(kept + [("marker", last_id)])
    return links


DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"]
CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]


def _nullable(kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], "description": description, **extra}


def _read_only(kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "readOnly": True, "description": description, **extra}


def image_schema() -> dict[str, Any]:
    return {
        "name": "image",
        "additionalProperties": {"type": "string"},
        "properties": {
            "id": {
                "type": "string",
                "description": "The image's identifier, a UUID.",
                "pattern": "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
            },
            "name": _nullable("string", "A name for people to recognise the image by.", maxLength=255),
            "status": _read_only("string", "Where the image is in its lifecycle.", enum=list(STATUSES)),
            "visibility": {
                "type": "string",
                "description": "Who may see the image.",
                "enum": ["community", "public", "private", "shared"],
            },
            "protected": {"type": "boolean", "description": "Whether the image is safe from deletion."},
            "os_hidden": {"type": "boolean", "description": "Whether default listings leave the image out."},
            "checksum": _nullable("string", "MD5 of the image data.", readOnly=True, maxLength=32),
            "os_hash_algo": _nullable("string", "The algorithm of os_hash_value.", readOnly=True),
            "os_hash_value": _nullable("string", "A secure hash of the image data.", readOnly=True),
            "owner": _nullable("string", "The project that owns the image.", maxLength=255),
            "size": _nullable("integer", "The size of the image data, in bytes.", readOnly=True),
            "virtual_size": _nullable("integer", "The virtual size of the disk, in bytes.", readOnly=True),
            "container_format": _nullable("string", "The container the data comes in.", enum=[*CONTAINER_FORMATS, None]),
            "disk_format": _nullable("string", "The format of the disk image.", enum=[*DISK_FORMATS, None]),
            "created_at": _read_only("string", "When the image was created."),
            "updated_at": _read_only("string", "When the image was last changed."),
            "tags": {
                "type": "array",
                "description": "Strings the image is tagged with.",
                "items": {"type": "string", "maxLength": 255},
            },
            "min_ram": {"type": "integer", "description": "RAM the image needs to boot, in MB."},
            "min_disk": {"type": "integer", "description": "Disk the image needs to boot, in GB."},
            "self": _read_only("string", "The image's own path."),
            "file": _read_only("string", "The path of the image's data."),
            "schema": _read_only("string", "The path of this schema."),
            "image_type": {"type": "string", "description": "base or snapshot (Rackspace)."},
            "instance_uuid": {"type": "string", "description": "The server a snapshot was taken of."},
            "base_image_ref": {"type": "string", "description": "The image the snapshotted server was built from."},
            "os_distro": {"type": "string", "description": "The operating system distribution."},
            "os_type": {"type": "string", "description": "linux or windows."},
        },
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def images_schema() -> dict[str, Any]:
    return collection_schema("images", "images", image_schema())
