# -*- test-case-name: mimic.test.test_image_writes -*-
"""
The bodies of Glance's writes, checked: a new image (``POST
/v2/images``) and a JSON-patch (``PATCH /v2/images/{id}``).

Glance takes two JSON-patch media types: ``application/
openstack-images-v2.1-json-patch`` (RFC 6902: ``{"op": "replace",
"path": "/name", "value": ...}``, as openstacksdk sends) and the older
``application/openstack-images-v2.0-json-patch`` (the operation as the
key: ``{"replace": "/name", "value": ...}``, as tempest sends); any
other content type is 415 with an ``Accept-Patch`` header.  Paths are
one property deep; ``add`` sets (or replaces) a property, ``replace``
needs an additional property to exist (409), ``remove`` drops an
additional property (the image's own cannot be removed: 403).  Every
operation is checked before any applies: a refused patch changes
nothing.
"""

from __future__ import annotations

import uuid
from typing import Any, Mapping

from mimic.services.image.model import Image
from mimic.services.image.properties import OWN_FIELDS, check_name, checked, with_properties
from mimic.services.image.records import ImageRefused

PATCH_V21 = "application/openstack-images-v2.1-json-patch"
PATCH_V20 = "application/openstack-images-v2.0-json-patch"
PATCH_TYPES = (PATCH_V20, PATCH_V21)

OPERATIONS = ("add", "remove", "replace")
_OPERATIONS_TEXT = ", ".join(OPERATIONS)

#: Formats are the data's: they change only before there is any.
_FORMATS = ("container_format", "disk_format")


def _bad(message: str) -> ImageRefused:
    return ImageRefused(400, message)


def new_image_fields(
    body: Any, tenant_id: str, declared: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[str | None, str | None, dict[str, Any]]:
    """
    The id (None: Glance chooses), name and other fields of ``POST
    /v2/images``'s body, for :meth:`ImageStore.register`; ``declared``
    are the additional properties the image schema types.
    """
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object of image properties.")
    image_id = body.get("id")
    if image_id is not None:
        if not isinstance(image_id, str) or not _is_uuid(image_id):
            raise _bad(f"Provided object does not match schema 'image': {image_id!r} does not match UUID format")
    own: dict[str, Any] = {}
    metadata: dict[str, str] = {}
    for name, value in body.items():
        if name == "id":
            continue
        if name == "owner":
            if value != tenant_id:
                raise ImageRefused(403, f"You are not permitted to create images owned by '{value}'.")
            continue
        check_name(name)
        if name in OWN_FIELDS:
            own[name] = checked(name, value)
        elif value is not None:
            kept = checked(name, value, declared)
            if kept is not None:
                metadata[name] = kept
    fields = {OWN_FIELDS[name]: value for name, value in own.items() if name != "name"}
    fields["metadata"] = metadata
    return image_id, own.get("name"), fields


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) in (32, 36)


def _pointer(raw: Any) -> str:
    """
    The property a JSON pointer names (one level deep, ``~0``/``~1``
    decoded).
    """
    if not isinstance(raw, str):
        raise _bad(f"Pointer `{raw}` does not start with \"/\".")
    if not raw.startswith("/"):
        raise _bad(f"Pointer `{raw}` does not start with \"/\".")
    if raw.endswith("/") and len(raw) > 1:
        raise _bad(f"Pointer `{raw}` end with \"/\".")
    if "//" in raw:
        raise _bad(f"Pointer `{raw}` contains adjacent \"/\".")
    segments = raw[1:].split("/")
    if len(segments) != 1:
        raise _bad(f"Invalid JSON pointer for this resource: '{raw}'")
    name = segments[0]
    if "~" in name.replace("~0", "").replace("~1", ""):
        raise _bad(f"Pointer `{raw}` contains \"~\" not part of a recognized escape sequence.")
    return name.replace("~1", "/").replace("~0", "~")


def _operation(change: Any, content_type: str) -> tuple[str, str, Any]:
    """
    One change as (operation, property name, value).
    """
    if not isinstance(change, dict):
        raise _bad("Operations must be JSON objects.")
    if content_type == PATCH_V21:
        if "op" not in change:
            raise _bad(f"Unable to find `op` in JSON Schema change. It must be one of the following: {_OPERATIONS_TEXT}.")
        op = change["op"]
        if op not in OPERATIONS:
            raise _bad(f"Invalid operation: `{op}`. It must be one of the following: {_OPERATIONS_TEXT}.")
        if "path" not in change:
            raise _bad("Unable to find 'path' in JSON Schema change")
        raw_path = change["path"]
    else:
        given = [op for op in OPERATIONS if op in change]
        if len(given) != 1:
            raise _bad(f"Unable to find `op` in JSON Schema change. It must be one of the following: {_OPERATIONS_TEXT}.")
        op = given[0]
        raw_path = change[op]
    name = _pointer(raw_path)
    if op != "remove" and "value" not in change:
        raise _bad(f"Operation \"{op}\" requires a member named \"value\".")
    return op, name, change.get("value")


def patched(
    image: Image,
    body: Any,
    content_type: str,
    queued: bool,
    declared: Mapping[str, Mapping[str, Any]] | None = None,
) -> Image:
    """
    ``image`` after the JSON-patch ``body`` (of ``content_type``, one of
    :data:`PATCH_TYPES`); ``queued`` says whether it has no data yet
    (formats may change only then); ``declared`` are the additional
    properties the image schema types (one set to null is dropped).
    """
    if not isinstance(body, list):
        raise _bad("Request body must be a JSON array of operation objects.")
    own: dict[str, Any] = {}
    metadata = dict(image.metadata)
    for change in body:
        op, name, value = _operation(change, content_type)
        check_name(name)
        if name in OWN_FIELDS:
            if op == "remove":
                raise ImageRefused(403, f"Property {name} may not be removed.")
            if name in _FORMATS and not queued:
                raise ImageRefused(403, f"Attribute {name} can be only replaced for a queued image.")
            own[name] = checked(name, value)
        elif op == "remove":
            if name not in metadata:
                raise ImageRefused(409, f"Property {name} does not exist.")
            del metadata[name]
        else:
            if op == "replace" and name not in metadata:
                raise ImageRefused(409, f"Property {name} does not exist.")
            kept = checked(name, value, declared)
            if kept is None:
                metadata.pop(name, None)
            else:
                metadata[name] = kept
    return with_properties(image, own, metadata)
