# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Large objects: objects whose bytes are other objects' (segments), joined
on read.

A *dynamic* large object names a ``container/prefix`` (``X-Object-Manifest``)
and joins whatever objects are there when it is read, in name order; its
ETag is the MD5 of their ETags, quoted.  A *static* large object keeps a
manifest checked when it is written (each segment exists, and matches the
ETag and size given); a segment changed or gone since makes a read fail
with 409, as Swift's does.
"""

from __future__ import annotations

from typing import Any

from mimic.services.objectstorage.errors import swift_error
from mimic.services.objectstorage.model import Account, Segment, StoredObject, etag_of
from mimic.services.objectstorage.validation import ManifestEntry, bad_request, etag_value
from mimic.services.objectstorage.views import listing_time


def joined(account: Account, stored: StoredObject) -> tuple[list[bytes], str]:
    """
    The bytes a GET of ``stored`` returns, in parts, and its ETag: its
    own data, or its segments'.
    """
    if stored.manifest is not None:
        found = account.segments_of_manifest(stored.manifest)
        etag = etag_of("".join(s.etag for s in found).encode("ascii"))
        return [s.data for s in found], f'"{etag}"'
    if stored.segments is not None:
        parts = []
        for segment in stored.segments:
            current = account.find_object(segment.container, segment.name)
            if current is None or current.etag != segment.etag:
                raise swift_error(409)
            parts.append(current.data)
        return parts, f'"{stored.etag}"'
    return [stored.data], stored.etag


def segments_for(account: Account, entries: list[ManifestEntry]) -> tuple[tuple[Segment, ...], str]:
    """
    A static manifest's segments, each checked against the object it
    names, and the large object's ETag; Swift's 400 listing every
    problem otherwise.
    """
    segments = []
    problems = []
    for entry in entries:
        found = account.find_object(entry.container, entry.name)
        path = f"/{entry.container}/{entry.name}"
        if found is None:
            problems.append(f"{path}, 404 Not Found")
        elif found.segments is not None or found.manifest is not None:
            problems.append(f"{path}, Segments cannot be large objects")
        elif entry.etag is not None and etag_value(entry.etag) != found.etag:
            problems.append(f"{path}, Etag Mismatch")
        elif entry.size is not None and entry.size != len(found.data):
            problems.append(f"{path}, Size Mismatch")
        else:
            segments.append(
                Segment(entry.container, entry.name, found.etag, len(found.data), found.content_type, found.timestamp)
            )
    if problems:
        raise bad_request("Errors:\n" + "\n".join(problems))
    return tuple(segments), etag_of("".join(s.etag for s in segments).encode("ascii"))


def manifest_listing(segments: tuple[Segment, ...], raw: bool) -> list[dict[str, Any]]:
    """
    A static manifest as ``?multipart-manifest=get`` returns it: as it
    was put (``format=raw``), or as Swift stores it.
    """
    if raw:
        return [{"path": s.path, "etag": s.etag, "size_bytes": s.size} for s in segments]
    return [
        {
            "name": s.path,
            "hash": s.etag,
            "bytes": s.size,
            "content_type": s.content_type,
            "last_modified": listing_time(s.last_modified),
        }
        for s in segments
    ]


def delete_with_segments(account: Account, container: str, stored: StoredObject) -> dict[str, Any]:
    """
    ``?multipart-manifest=delete``: the manifest and every segment still
    there, reported as a bulk delete is.
    """
    segments = stored.segments or ()
    deleted = 0
    for segment in segments:
        if account.find_object(segment.container, segment.name) is not None:
            account.delete_object(segment.container, segment.name)
            deleted += 1
    account.delete_object(container, stored.name)
    return {
        "Number Deleted": deleted + 1,
        "Number Not Found": len(segments) - deleted,
        "Response Status": "200 OK",
        "Response Body": "",
        "Errors": [],
    }
