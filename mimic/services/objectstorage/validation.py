# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Swift requests -> values, or Swift's 4xx.

Swift takes most of what matters in headers: metadata
(``X-Container-Meta-Color``), ACLs, expiry, copy sources, ranges and
preconditions.  Each is checked against Swift's constraints (the limits
``/info`` reports) and refused with the message Swift gives.
"""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from attrs import frozen
from twisted.web.iweb import IRequest

from mimic.services.objectstorage.model import (
    CDN_MAX_TTL,
    CDN_MIN_TTL,
    LISTING_LIMIT,
    MAX_CONTAINER_NAME_LENGTH,
    MAX_MANIFEST_SEGMENTS,
    MAX_MANIFEST_SIZE,
    MAX_META_COUNT,
    MAX_META_NAME_LENGTH,
    MAX_META_OVERALL_SIZE,
    MAX_META_VALUE_LENGTH,
    MAX_OBJECT_NAME_LENGTH,
    SwiftRefusal,
    Window,
)

#: Headers Swift keeps with an object as they were given (its default
#: ``allowed_headers``), beside ``Content-Type`` and the metadata.
KEPT_OBJECT_HEADERS = (
    "content-disposition",
    "content-encoding",
    "content-language",
    "cache-control",
    "expires",
    "x-robots-tag",
)

#: Container headers that are stored as they are (ACLs and sync).
CONTAINER_ACL_HEADERS = ("x-container-read", "x-container-write")


def bad_request(message: str) -> SwiftRefusal:
    return SwiftRefusal(400, message)


def headers_of(request: IRequest) -> dict[str, str]:
    """
    The request's headers, lower-cased, as text (Latin-1, as HTTP
    carries them, then read as UTF-8 where they are UTF-8: Swift keeps
    metadata as UTF-8).
    """
    result: dict[str, str] = {}
    for name, values in request.requestHeaders.getAllRawHeaders():
        raw = values[-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        result[name.decode("latin-1").lower()] = text
    return result


def split_path(request: IRequest) -> tuple[str, str, str, str]:
    """
    The method and the path below ``/v1/``, as Swift reads it: the
    account, the container (or ``""``) and the object's name (or ``""``),
    the name keeping every slash it was given.  412 without an account.
    """
    segments = [s.decode("utf-8", "replace") for s in request.postpath]
    if not segments or not segments[0]:
        raise SwiftRefusal(412, "Bad URL")
    method = request.method.decode("ascii", "replace").upper()
    container = segments[1] if len(segments) > 1 else ""
    return method, segments[0], container, "/".join(segments[2:])


def check_name(raw: str, what: str, limit: int) -> str:
    if not raw:
        raise bad_request(f"{what} name is required")
    if "\x00" in raw or "\ufffd" in raw:
        raise SwiftRefusal(412, "Invalid UTF8 or contains NULL")
    length = len(raw.encode("utf-8"))
    if length > limit:
        raise bad_request(f"{what} name length of {length} longer than {limit}")
    return raw


def check_container_name(raw: str) -> str:
    name = check_name(raw, "Container", MAX_CONTAINER_NAME_LENGTH)
    if "/" in name:
        raise bad_request("Container name cannot contain slashes")
    return name


def check_object_name(raw: str) -> str:
    name = check_name(raw, "Object", MAX_OBJECT_NAME_LENGTH)
    if any(part in (".", "..") for part in name.split("/")):
        raise bad_request(f'Object name contains a "." or ".." path segment: {name}')
    return name


def metadata_changes(headers: dict[str, str], kind: str) -> dict[str, str | None]:
    """
    The metadata a request sets (``X-<kind>-Meta-Name: value``) and
    removes (``X-Remove-<kind>-Meta-Name``, or an empty value), keyed by
    the lower-cased name, checked against Swift's limits.
    """
    prefix = f"x-{kind}-meta-"
    remove = f"x-remove-{kind}-meta-"
    changes: dict[str, str | None] = {}
    for name, value in headers.items():
        if name.startswith(prefix):
            key = name[len(prefix):]
            if not key:
                raise bad_request("Metadata name cannot be empty")
            changes[key] = value
        elif name.startswith(remove) and name[len(remove):]:
            changes[name[len(remove):]] = None
    return changes


def object_metadata(headers: dict[str, str]) -> dict[str, str]:
    """
    An object's metadata from a ``PUT``, ``POST`` or copy: every
    ``X-Object-Meta-*`` header, an empty value kept as one (only accounts
    and containers take an empty value as a removal).
    """
    return {k: v for k, v in metadata_changes(headers, "object").items() if v is not None}


def check_metadata(metadata: dict[str, str], kind: str) -> None:
    """
    Swift's limits on what an account, container or object may hold:
    names of 128 bytes, values of 256, 90 items, 4096 bytes in all.
    """
    total = 0
    for key, value in metadata.items():
        name_length = len(key.encode("utf-8"))
        value_length = len(value.encode("utf-8"))
        if name_length > MAX_META_NAME_LENGTH:
            raise bad_request(f"Metadata name too long: X-{kind.title()}-Meta-{key}")
        if value_length > MAX_META_VALUE_LENGTH:
            raise bad_request(f"Metadata value longer than {MAX_META_VALUE_LENGTH}: X-{kind.title()}-Meta-{key}")
        total += name_length + value_length
    if len(metadata) > MAX_META_COUNT:
        raise bad_request(f"Too many metadata items; max {MAX_META_COUNT}")
    if total > MAX_META_OVERALL_SIZE:
        raise bad_request(f"Total metadata too large; max {MAX_META_OVERALL_SIZE}")


def object_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_OBJECT_HEADERS if name in headers}


def delete_at(headers: dict[str, str], now: float) -> int | None | bool:
    """
    When an object is to expire, from ``X-Delete-At`` (a Unix time) or
    ``X-Delete-After`` (seconds from now, on Mimic's clock); ``False``
    when neither is given (keep what the object had).
    """
    if "x-delete-after" in headers:
        raw = headers["x-delete-after"]
        try:
            after = int(raw)
        except ValueError:
            raise bad_request("Non-integer X-Delete-After")
        if after < 0:
            raise bad_request("X-Delete-After in past")
        return int(now) + after
    if "x-delete-at" in headers:
        raw = headers["x-delete-at"]
        try:
            at = int(raw)
        except ValueError:
            raise bad_request("Non-integer X-Delete-At")
        if at < now:
            raise bad_request("X-Delete-At in past")
        return at
    return False


def cdn_changes(headers: dict[str, str]) -> dict[str, Any]:
    """
    What a CDN-enable (``PUT``) or update (``POST``) asks of a container's
    CDN settings: ``X-Cdn-Enabled``, ``X-Ttl`` (seconds, within
    Rackspace's bounds) and ``X-Log-Retention``.
    """
    changes: dict[str, Any] = {}
    if "x-cdn-enabled" in headers:
        changes["enabled"] = flag(headers["x-cdn-enabled"])
    if "x-log-retention" in headers:
        changes["log_retention"] = flag(headers["x-log-retention"])
    if "x-ttl" in headers:
        try:
            ttl = int(headers["x-ttl"])
        except ValueError:
            raise bad_request("Invalid X-TTL header value")
        if not CDN_MIN_TTL <= ttl <= CDN_MAX_TTL:
            raise bad_request(f"X-TTL must be between {CDN_MIN_TTL} and {CDN_MAX_TTL} seconds")
        changes["ttl"] = ttl
    return changes


def flag(value: str | None) -> bool:
    """
    Swift's truth values (``true``, ``yes``, ``on``, ``1``, any case).
    """
    return value is not None and value.strip().lower() in ("true", "yes", "on", "1", "t", "y")


def etag_value(raw: str) -> str:
    return raw.strip().strip('"')


@frozen
class ListingQuery:
    limit: int
    marker: str | None
    end_marker: str | None
    prefix: str
    delimiter: str | None
    reverse: bool
    format: str

    @property
    def window(self) -> Window:
        return Window(self.marker, self.end_marker, self.prefix, self.reverse, self.delimiter)


def query_args(request: IRequest) -> dict[bytes, list[bytes]]:
    """
    The request's query, with the names given without a value kept
    (Swift's ``?bulk-delete``, a temporary URL's ``&inline``), which
    Twisted's ``request.args`` drops.
    """
    _, question, query = request.uri.partition(b"?")
    if not question:
        return {}
    # Parsed as text and turned back into the very bytes sent (whatever
    # their encoding): ``parse_qs`` given bytes re-encodes what it decoded
    # as ASCII, and fails on anything else.
    text = query.decode("utf-8", "surrogateescape")
    parsed = parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="surrogateescape")
    return {
        name.encode("utf-8", "surrogateescape"): [v.encode("utf-8", "surrogateescape") for v in values]
        for name, values in parsed.items()
    }


def query_value(request: IRequest, name: str) -> str | None:
    """
    The first value of one query argument, as text (or ``None``).
    """
    values = query_args(request).get(name.encode("ascii"))
    if not values:
        return None
    return values[0].decode("utf-8", "replace")


def _arg(request: IRequest, name: str) -> str | None:
    values = query_args(request).get(name.encode("ascii"))
    if not values:
        return None
    try:
        return values[0].decode("utf-8")
    except UnicodeDecodeError:
        raise SwiftRefusal(412, "Invalid UTF8 or contains NULL")


def listing_format(request: IRequest) -> str:
    """
    ``json``, ``xml`` or ``plain``, from ``format=`` or else the
    ``Accept`` header, as Swift's listing formats do.
    """
    asked = _arg(request, "format")
    if asked is not None:
        lowered = asked.lower()
        if lowered in ("json", "xml", "plain"):
            return lowered
        return "plain"
    accept = (request.getHeader(b"accept") or b"").decode("latin-1").lower()
    for media in (part.split(";")[0].strip() for part in accept.split(",")):
        if media == "application/json":
            return "json"
        if media in ("application/xml", "text/xml"):
            return "xml"
        if media in ("text/plain", "*/*", "text/*"):
            return "plain"
    return "plain"


def listing_query(request: IRequest) -> ListingQuery:
    raw_limit = _arg(request, "limit")
    if raw_limit is None:
        limit = LISTING_LIMIT
    else:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise SwiftRefusal(412, "Value of limit must be a positive integer")
        if limit < 0:
            raise SwiftRefusal(412, "Value of limit must be a positive integer")
        if limit > LISTING_LIMIT:
            raise SwiftRefusal(412, f"Maximum limit is {LISTING_LIMIT}")
    delimiter = _arg(request, "delimiter")
    if delimiter is not None and len(delimiter) != 1:
        raise SwiftRefusal(412, "Bad delimiter")
    for name in ("marker", "end_marker", "prefix", "delimiter"):
        value = _arg(request, name)
        if value is not None and ("\x00" in value or len(value.encode("utf-8")) > MAX_OBJECT_NAME_LENGTH):
            raise SwiftRefusal(412, f"Bad {name}")
    return ListingQuery(
        limit=limit,
        marker=_arg(request, "marker") or None,
        end_marker=_arg(request, "end_marker") or None,
        prefix=_arg(request, "prefix") or "",
        delimiter=delimiter or None,
        reverse=flag(_arg(request, "reverse")),
        format=listing_format(request),
    )


def parse_ranges(raw: str | None, length: int) -> list[tuple[int, int]] | None:
    """
    The byte ranges a ``Range`` header asks for, as ``(start, end)``
    with ``end`` exclusive: ``None`` when there is no usable header (Swift
    then answers the whole object), an empty list when none of the ranges
    can be satisfied (416).
    """
    if raw is None:
        return None
    units, _, specs = raw.strip().partition("=")
    if units.strip().lower() != "bytes" or not specs.strip():
        return None
    ranges: list[tuple[int, int]] = []
    parts = specs.split(",")
    if len(parts) > 100:
        return None
    for part in parts:
        first, dash, last = part.strip().partition("-")
        if not dash:
            return None
        first, last = first.strip(), last.strip()
        if (first and not first.isdigit()) or (last and not last.isdigit()) or not (first or last):
            return None
        if not first:
            suffix = int(last)
            if suffix == 0:
                continue
            ranges.append((max(0, length - suffix), length))
            continue
        start = int(first)
        end = length if not last else min(int(last) + 1, length)
        if last and int(last) < start:
            return None
        if start < length:
            ranges.append((start, end))
    return ranges


def http_time(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def etag_list(raw: str) -> list[str]:
    return [etag_value(item) for item in raw.split(",") if item.strip()]


def copy_source(raw: str) -> tuple[str, str]:
    """
    ``container/object`` from ``X-Copy-From`` or ``Destination``
    (URL-encoded, with or without a leading slash).
    """
    path = unquote(raw.strip())
    if path.startswith("/"):
        path = path[1:]
    container, slash, name = path.partition("/")
    if not slash or not container or not name:
        raise SwiftRefusal(
            412, "X-Copy-From header must be of the form <container name>/<object name>"
        )
    return check_container_name(container), check_object_name(name)


def dlo_manifest(raw: str) -> str:
    """
    A dynamic large object's ``X-Object-Manifest``: ``container/prefix``.
    """
    value = unquote(raw.strip())
    container, slash, _ = value.partition("/")
    if not slash or not container:
        raise bad_request(
            "X-Object-Manifest must be in the format container/prefix"
        )
    return value


@frozen
class ManifestEntry:
    container: str
    name: str
    etag: str | None
    size: int | None


def slo_manifest(body: bytes) -> list[ManifestEntry]:
    """
    A static large object's manifest: a JSON list of segments, each with
    a ``path`` (``/container/object``) and optional ``etag`` and
    ``size_bytes``.  Swift refuses a bad one with 400 and a list of what
    is wrong.
    """
    if len(body) > MAX_MANIFEST_SIZE:
        raise SwiftRefusal(413, f"Manifest File > {MAX_MANIFEST_SIZE} bytes")
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Manifest must be valid JSON.\n")
    if not isinstance(parsed, list):
        raise bad_request("Manifest must be a list.\n")
    if not parsed:
        raise bad_request("Manifest must have at least one segment.\n")
    if len(parsed) > MAX_MANIFEST_SEGMENTS:
        raise bad_request(f"Too many segments; max {MAX_MANIFEST_SEGMENTS}.\n")
    entries = []
    errors: list[str] = []
    for index, item in enumerate(parsed):
        where = f"Index {index}"
        if not isinstance(item, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        unknown = set(item) - {"path", "etag", "size_bytes", "range"}
        if unknown:
            errors.append(f"{where}: extraneous keys {', '.join(sorted(map(repr, unknown)))}")
            continue
        if "range" in item:
            errors.append(f"{where}: Mimic does not take segment ranges")
            continue
        path = item.get("path")
        if not isinstance(path, str) or path.count("/") < 2 or not path.startswith("/"):
            errors.append(f"{where}: \"path\" must be a string of the form \"container/object\"")
            continue
        etag = item.get("etag")
        if etag is not None and not isinstance(etag, str):
            errors.append(f"{where}: \"etag\" must be a string or null (if provided)")
            continue
        size = item.get("size_bytes")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            errors.append(f"{where}: \"size_bytes\" must be an integer or null (if provided)")
            continue
        container, _, name = path[1:].partition("/")
        entries.append(ManifestEntry(unquote(container), unquote(name), etag, size))
    if errors:
        raise bad_request("\n".join(errors) + "\n")
    return entries


def bulk_delete_paths(body: bytes) -> list[tuple[str, str | None]]:
    """
    The paths a bulk delete names, one per line, URL-encoded:
    ``/container/object`` or ``/container``.
    """
    paths: list[tuple[str, str | None]] = []
    for line in body.splitlines():
        text = unquote(line.decode("utf-8", "replace")).strip()
        if not text:
            continue
        container, _, name = text.lstrip("/").partition("/")
        paths.append((container, name or None))
    return paths
