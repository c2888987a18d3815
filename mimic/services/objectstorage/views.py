# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Swift's wire format: the headers that describe an account, a container
or an object, and listings as JSON, XML or plain text.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import formatdate
from functools import lru_cache
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from mimic.catalog import stable_id
from mimic.http import encode_json
from mimic.services.objectstorage.middleware import CROSS_DOMAIN_POLICY, VERSIONS_HEADERS
from mimic.services.objectstorage.model import (
    LISTING_LIMIT,
    MAX_CONTAINER_NAME_LENGTH,
    MAX_DELETES_PER_REQUEST,
    MAX_FILE_SIZE,
    MAX_MANIFEST_SEGMENTS,
    MAX_MANIFEST_SIZE,
    MAX_META_COUNT,
    MAX_META_NAME_LENGTH,
    MAX_META_OVERALL_SIZE,
    MAX_META_VALUE_LENGTH,
    MAX_OBJECT_NAME_LENGTH,
    Account,
    CdnSettings,
    Container,
    Gone,
    StoredObject,
)


def x_timestamp(seconds: float) -> str:
    """
    Swift's ``X-Timestamp``: seconds with five decimals.
    """
    return f"{seconds:016.05f}"


def http_date(seconds: float) -> str:
    """
    ``Last-Modified``: Swift rounds the timestamp up to a whole second.
    """
    return formatdate(math.ceil(seconds), usegmt=True)


@lru_cache(maxsize=4096)
def listing_time(seconds: float) -> str:
    """
    ``last_modified`` in listings: ISO 8601 with microseconds, no zone.
    Cached, as a listing formats one per object and under Mimic's
    stepped clock most share a few times.
    """
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def meta_headers(kind: str, metadata: dict[str, str]) -> dict[str, str]:
    return {f"X-{kind}-Meta-{key.title()}": value for key, value in metadata.items()}


def account_headers(account: Account) -> dict[str, str]:
    headers = {
        "X-Account-Container-Count": str(len(account.containers)),
        "X-Account-Object-Count": str(account.object_count),
        "X-Account-Bytes-Used": str(account.bytes_used),
        "X-Timestamp": x_timestamp(account.created),
        "X-Account-Storage-Policy-Policy-0-Container-Count": str(len(account.containers)),
        "X-Account-Storage-Policy-Policy-0-Object-Count": str(account.object_count),
        "X-Account-Storage-Policy-Policy-0-Bytes-Used": str(account.bytes_used),
    }
    headers.update(meta_headers("Account", account.metadata))
    return headers


def container_headers(container: Container) -> dict[str, str]:
    headers = {
        "X-Container-Object-Count": str(container.object_count),
        "X-Container-Bytes-Used": str(container.bytes_used),
        "X-Timestamp": x_timestamp(container.created),
        "X-Storage-Policy": "Policy-0",
        "Last-Modified": http_date(container.created),
    }
    headers.update(meta_headers("Container", container.metadata))
    for name, value in container.acls.items():
        headers["-".join(part.title() for part in name.split("-"))] = value
    return headers


def object_headers(stored: StoredObject, etag: str, length: int) -> dict[str, str]:
    headers = {
        "Content-Type": stored.content_type,
        "Content-Length": str(length),
        "Etag": etag,
        "Last-Modified": http_date(stored.timestamp),
        "X-Timestamp": x_timestamp(stored.timestamp),
        "Accept-Ranges": "bytes",
    }
    for name, value in stored.headers.items():
        headers["-".join(part.title() for part in name.split("-"))] = value
    if stored.delete_at is not None:
        headers["X-Delete-At"] = str(stored.delete_at)
    if stored.manifest is not None:
        headers["X-Object-Manifest"] = stored.manifest
    if stored.segments is not None:
        headers["X-Static-Large-Object"] = "True"
    headers.update(meta_headers("Object", stored.metadata))
    return headers


def cdn_uris(account: str, container: str) -> dict[str, str]:
    """
    A CDN-enabled container's public URIs, in the form Rackspace gives
    them (``http://<20 hex>-<32 hex>.r<n>.cf1.rackcdn.com``: the second
    part names the container, the first the kind of URI), the same on
    every start.  They name no real host: Mimic is not a CDN.
    """
    container_id = stable_id("cloudFilesCDN", account, container)
    shard = int(container_id[:2], 16) % 100

    def host(kind: str) -> str:
        return f"{stable_id(container_id, kind)[:20]}-{container_id}"

    return {
        "uri": f"http://{host('uri')}.r{shard}.cf1.rackcdn.com",
        "ssl_uri": f"https://{host('ssl')}.ssl.cf1.rackcdn.com",
        "streaming_uri": f"http://{host('streaming')}.r{shard}.stream.cf1.rackcdn.com",
        "ios_uri": f"http://{host('ios')}.iosr.cf1.rackcdn.com",
    }


def cdn_headers(account: str, container: str, settings: CdnSettings) -> dict[str, str]:
    uris = cdn_uris(account, container)
    return {
        "X-Cdn-Enabled": str(settings.enabled),
        "X-Ttl": str(settings.ttl),
        "X-Log-Retention": str(settings.log_retention),
        "X-Cdn-Uri": uris["uri"],
        "X-Cdn-Ssl-Uri": uris["ssl_uri"],
        "X-Cdn-Streaming-Uri": uris["streaming_uri"],
        "X-Cdn-Ios-Uri": uris["ios_uri"],
    }


def cdn_entry(account: str, container: str, settings: CdnSettings) -> dict[str, Any]:
    """
    A container in the CDN's listing of an account.
    """
    uris = cdn_uris(account, container)
    return {
        "name": container,
        "cdn_enabled": settings.enabled,
        "ttl": settings.ttl,
        "log_retention": settings.log_retention,
        "cdn_uri": uris["uri"],
        "cdn_ssl_uri": uris["ssl_uri"],
        "cdn_streaming_uri": uris["streaming_uri"],
        "cdn_ios_uri": uris["ios_uri"],
    }


def object_entry(stored: StoredObject | Gone) -> dict[str, Any]:
    etag = stored.etag.strip('"')
    entry: dict[str, Any] = {
        "name": stored.name,
        "hash": etag,
        "bytes": stored.stored_bytes,
        "content_type": stored.content_type,
        "last_modified": listing_time(stored.timestamp),
    }
    if stored.segments is not None:
        entry["slo_etag"] = stored.etag
    return entry


def container_entry(container: Container) -> dict[str, Any]:
    return {
        "name": container.name,
        "count": container.object_count,
        "bytes": container.bytes_used,
        "last_modified": listing_time(container.created),
    }


def listing_body(
    kind: str, owner: str, entries: Iterable[dict[str, Any]], form: str
) -> tuple[bytes, bytes]:
    """
    A listing (``kind`` is ``account`` or ``container``) in the format
    asked for, and its content type.  Pseudo-directories are entries
    with only a ``subdir``.
    """
    items = list(entries)
    if form == "json":
        return encode_json(items), b"application/json; charset=utf-8"
    if form == "xml":
        tag = "container" if kind == "account" else "object"
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<{kind} name={quoteattr(owner)}>"]
        for item in items:
            if "subdir" in item:
                name = escape(item["subdir"])
                parts.append(f"<subdir name={quoteattr(item['subdir'])}><name>{name}</name></subdir>")
                continue
            fields = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in item.items())
            parts.append(f"<{tag}>{fields}</{tag}>")
        parts.append(f"</{kind}>")
        return "".join(parts).encode("utf-8"), b"application/xml; charset=utf-8"
    text = "".join(f"{item.get('name', item.get('subdir'))}\n" for item in items)
    return text.encode("utf-8"), b"text/plain; charset=utf-8"


def capabilities(devstack: bool = False) -> dict[str, Any]:
    """
    ``GET /info``: the middleware Mimic's Swift has and its limits, as a
    Swift proxy reports them; with ``devstack``, DevStack's proxy, which
    also has ``account_quotas``, ``crossdomain`` (:mod:`.middleware`),
    ``formpost`` (:mod:`.formpost`) and ``staticweb`` (:mod:`.staticweb`).
    """
    found: dict[str, Any] = {
        "swift": {
            "version": "2.35.0",
            "max_file_size": MAX_FILE_SIZE,
            "max_meta_name_length": MAX_META_NAME_LENGTH,
            "max_meta_value_length": MAX_META_VALUE_LENGTH,
            "max_meta_count": MAX_META_COUNT,
            "max_meta_overall_size": MAX_META_OVERALL_SIZE,
            "max_header_size": 8192,
            "max_object_name_length": MAX_OBJECT_NAME_LENGTH,
            "container_listing_limit": LISTING_LIMIT,
            "account_listing_limit": LISTING_LIMIT,
            "max_account_name_length": 256,
            "max_container_name_length": MAX_CONTAINER_NAME_LENGTH,
            "extra_header_count": 0,
            "valid_api_versions": ["v1", "v1.0"],
            "policies": [{"name": "Policy-0", "aliases": "Policy-0", "default": True}],
            "allow_account_management": False,
            "account_autocreate": True,
            "strict_cors_mode": True,
        },
        "slo": {
            "max_manifest_segments": MAX_MANIFEST_SEGMENTS,
            "max_manifest_size": MAX_MANIFEST_SIZE,
            "min_segment_size": 1,
            "yield_frequency": 10,
        },
        "dlo": {"max_get_time": 86400},
        "bulk_delete": {
            "max_deletes_per_request": MAX_DELETES_PER_REQUEST,
            "max_failed_deletes": 1000,
        },
        "tempurl": {
            "methods": ["GET", "HEAD", "PUT", "POST", "DELETE"],
            "incoming_remove_headers": ["x-timestamp"],
            "incoming_allow_headers": [],
            "outgoing_remove_headers": ["x-object-meta-*"],
            "outgoing_allow_headers": ["x-object-meta-public-*"],
            "allowed_digests": ["sha1", "sha256", "sha512"],
        },
        "bulk_upload": {
            "max_containers_per_extraction": 10000,
            "max_failed_extractions": 1000,
        },
        "container_quotas": {},
        "healthcheck": {},
    }
    if devstack:
        found["account_quotas"] = {}
        found["crossdomain"] = {"cross_domain_policy": CROSS_DOMAIN_POLICY}
        found["formpost"] = {}
        found["staticweb"] = {}
        found["versioned_writes"] = {"allowed_flags": list(VERSIONS_HEADERS)}
    return found
