# -*- test-case-name: mimic.test.test_image_digests -*-
"""
What Glance works out from an image's data once it holds it: the MD5
``checksum``, the secure hash (``os_hash_algo`` and ``os_hash_value``)
and the disk's ``virtual_size``, which it reads from the data as its
format says (a raw disk is as large as its data; a qcow2 file gives the
size in its header).  An image without data (queued) has none of them.

A base image has data Mimic does not hold: :func:`stand_in_digests`
gives it the digests of a fixed stand-in, so that it looks as an
uploaded image does, the same on every start.
"""

from __future__ import annotations

import hashlib
from typing import Any

#: The secure hash Glance computes besides MD5 (its default
#: ``hashing_algorithm``).
HASH_ALGORITHM = "sha512"

#: How a qcow2 file starts, and where its header keeps the virtual size
#: (a big-endian 64-bit count of bytes).
_QCOW2_MAGIC = b"QFI\xfb"
_QCOW2_SIZE_AT = slice(24, 32)


def data_digests(data: bytes) -> dict[str, Any]:
    """
    The image fields Glance sets from data it received: ``checksum``,
    ``os_hash_algo`` and ``os_hash_value``.
    """
    return {
        "checksum": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "os_hash_algo": HASH_ALGORITHM,
        "os_hash_value": hashlib.new(HASH_ALGORITHM, data).hexdigest(),
    }


def virtual_size_of(data: bytes, disk_format: str | None) -> int | None:
    """
    The disk's size as a guest would see it, as Glance reads it from
    the data: the data's own length for a raw disk, the header's for a
    qcow2 file; None when the data does not say (another format, or
    data that is not what its format claims).
    """
    if disk_format == "raw":
        return len(data)
    if disk_format == "qcow2" and data.startswith(_QCOW2_MAGIC) and len(data) >= _QCOW2_SIZE_AT.stop:
        return int.from_bytes(data[_QCOW2_SIZE_AT], "big")
    return None


def stand_in_digests(name: str) -> dict[str, Any]:
    """
    A base image's digests: those of a stand-in naming it (``name``
    should be the image's id or another fixed text of its own).
    """
    return data_digests(f"mimic base image {name}".encode("utf-8"))
