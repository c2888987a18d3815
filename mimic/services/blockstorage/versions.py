# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Cinder's API versions and microversion negotiation.

Mimic serves Cinder v3 with microversions from 3.0 up to
:data:`MAX_VERSION` at ``/v3/<project>``, and the same API without
microversions (as 3.0) at ``/v2/<project>``, for clients that still look
for the ``volumev2`` catalog entry.  Clients find the versions at the
unversioned root (``300 Multiple Choices``, as Cinder answers) and ask
for a microversion with ``OpenStack-API-Version: volume 3.x``; the answer
says which one it follows in the same header.
"""

from __future__ import annotations

from typing import Any

from mimic import microversions
from mimic.microversions import Microversion, asked_version
from mimic.microversions import version_text as _text
from mimic.services.blockstorage.errors import cinder_error

MIN_VERSION = (3, 0)
#: The newest microversion Mimic's responses follow.
MAX_VERSION = (3, 70)

_MEDIA_TYPES = {
    "v2.0": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=2"}],
    "v3.0": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}],
}
_DESCRIBED_BY = {"rel": "describedby", "type": "text/html", "href": "https://docs.openstack.org/"}


def version_documents(root_url: str) -> list[dict[str, Any]]:
    """
    Every version, with links under ``root_url`` (the unversioned root,
    without a trailing slash).
    """
    return [
        {
            "id": "v2.0",
            "status": "DEPRECATED",
            "version": "",
            "min_version": "",
            "updated": "2017-02-25T12:00:00Z",
            "links": [_DESCRIBED_BY, {"rel": "self", "href": f"{root_url}/v2/"}],
            "media-types": _MEDIA_TYPES["v2.0"],
        },
        {
            "id": "v3.0",
            "status": "CURRENT",
            "version": _text(MAX_VERSION),
            "min_version": _text(MIN_VERSION),
            "updated": "2023-03-01T00:00:00Z",
            "links": [_DESCRIBED_BY, {"rel": "self", "href": f"{root_url}/v3/"}],
            "media-types": _MEDIA_TYPES["v3.0"],
        },
    ]


def version_document(root_url: str, version: str) -> list[dict[str, Any]]:
    """
    What ``GET /v3/`` (or ``/v2/``) lists: that version alone.
    """
    return [d for d in version_documents(root_url) if d["id"] == f"{version}.0"]


def negotiate(request: Any, api: str) -> Microversion:
    """
    The microversion to serve this request at (3.0 on ``/v2``), from
    ``OpenStack-API-Version: volume X``, setting Cinder's response
    headers; 400 for a malformed version, 406 for one outside the range.
    """
    if api == "v2":
        return MIN_VERSION
    asked = asked_version(request, "volume")
    version = microversions.negotiate(asked, MIN_VERSION, MAX_VERSION, cinder_error)
    request.setHeader(b"OpenStack-API-Version", f"volume {_text(version)}".encode())
    request.setHeader(b"Vary", b"OpenStack-API-Version")
    return version
