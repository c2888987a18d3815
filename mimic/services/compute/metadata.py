# -*- test-case-name: mimic.test.test_compute_servers,mimic.test.test_compute_resources -*-
"""
Metadata as Nova's API takes it, for servers and (through Nova's
image-metadata proxy) images: the shape of a body (an object of strings,
keys of 1 to 255 characters), and the ``metadata_items`` quota, which
Nova answers with a 403 where a server's or an image's metadata would
exceed it.

A module of its own so that both the servers' validation and the images
app use it, and neither needs the other.
"""

from __future__ import annotations

from typing import Any, Mapping

from mimic.services.compute.errors import invalid_input, nova_error
from mimic.services.compute.model import MAX_METADATA_ITEMS


def string_map(value: Any, field: str) -> dict[str, str]:
    """
    Validate metadata as Nova's schema does: an object of strings, keys of
    1 to 255 characters, values of at most 255.
    """
    if not isinstance(value, dict):
        raise invalid_input(field, value, f"{value!r} is not of type 'object'")
    for key, item in value.items():
        if not 1 <= len(key) <= 255:
            raise invalid_input(field, value, f"'{key}' does not match any of the regexes")
        if not isinstance(item, str):
            raise invalid_input(f"{field}/{key}", item, f"{item!r} is not of type 'string'")
        if len(item) > 255:
            raise invalid_input(f"{field}/{key}", item, f"'{item}' is too long")
    return dict(value)


def check_metadata_quota(metadata: Mapping[str, str], limit: int = MAX_METADATA_ITEMS) -> None:
    """
    Nova's 403 when a server would carry more metadata items than the
    tenant's ``metadata_items`` quota (-1: unlimited).
    """
    if 0 <= limit < len(metadata):
        raise nova_error(403, "Quota exceeded for metadata_items: Requested "
                              f"{len(metadata)}, but already used 0 of {limit} metadata_items")


def check_image_metadata_quota(metadata: Mapping[str, str], limit: int) -> None:
    """
    Nova's 403 when an image's metadata would have more items than the
    tenant's ``metadata_items`` quota (-1: unlimited).
    """
    if 0 <= limit < len(metadata):
        raise nova_error(403, "Image metadata limit exceeded")


def metadata_body(body: Any, key: str) -> dict[str, str]:
    """
    A metadata call's body: ``{key: {...}}`` (``metadata`` or ``meta``),
    an object of strings.
    """
    if not isinstance(body, dict) or key not in body:
        raise invalid_input("body", body, f"'{key}' is a required property")
    return string_map(body[key], key)
