# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Nova's API versions and microversion negotiation.

Mimic serves the same API, with microversions from 2.1 up to
:data:`MAX_VERSION`, at ``/v2`` and at ``/v2.1``.  Real Nova's ``/v2`` is a
compatibility mode that ignores microversions, but Rackspace's catalog
points at ``/v2/<tenant>`` and clients such as novaclient send their
microversion to the catalog URL as it is, so Mimic honours them there too
(and says so in the ``v2.0`` version document).  Clients discover the
versions at the unversioned root, which keystoneauth reaches by trimming
the version and project id off the catalog URL.
"""

from __future__ import annotations

from typing import Any

from mimic import microversions
from mimic.microversions import Microversion, asked_version
from mimic.microversions import version_text as _text
from mimic.services.compute.errors import nova_error

MIN_VERSION = (2, 1)
#: The newest microversion Mimic's responses follow.
MAX_VERSION = (2, 100)

LEGACY_ID = "v2.0"
CURRENT_ID = "v2.1"


def version_documents(root_url: str) -> list[dict[str, Any]]:
    """
    The two versions, with links under ``root_url`` (the unversioned
    compute root, ending without a slash).
    """
    return [
        {
            "id": LEGACY_ID,
            "status": "SUPPORTED",
            "version": _text(MAX_VERSION),
            "min_version": _text(MIN_VERSION),
            "updated": "2011-01-21T11:33:21Z",
            "links": [{"rel": "self", "href": f"{root_url}/v2/"}],
        },
        {
            "id": CURRENT_ID,
            "status": "CURRENT",
            "version": _text(MAX_VERSION),
            "min_version": _text(MIN_VERSION),
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{root_url}/v2.1/"}],
        },
    ]


_MEDIA_TYPES = [
    {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}
]
_DESCRIBED_BY = {
    "rel": "describedby",
    "type": "text/html",
    "href": "http://docs.openstack.org/",
}


def version_document(root_url: str, version_id: str) -> dict[str, Any]:
    """
    One version as ``GET /v2`` or ``GET /v2.1`` describes it.
    """
    for document in version_documents(root_url):
        if document["id"] == version_id:
            described = dict(document)
            described["links"] = document["links"] + [_DESCRIBED_BY]
            described["media-types"] = _MEDIA_TYPES
            return described
    raise KeyError(version_id)


def negotiate(request: Any) -> Microversion:
    """
    The microversion to serve this request at, from ``OpenStack-API-Version:
    compute X`` (which wins, as in Nova) or ``X-OpenStack-Nova-API-Version:
    X``, setting Nova's response headers; 400 for a malformed version, 406
    for one outside the range.
    """
    asked = asked_version(request, "compute", "x-openstack-nova-api-version")
    version = microversions.negotiate(asked, MIN_VERSION, MAX_VERSION, nova_error)
    text = _text(version)
    request.setHeader(b"OpenStack-API-Version", f"compute {text}".encode())
    request.setHeader(b"X-OpenStack-Nova-API-Version", text.encode())
    request.setHeader(b"Vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version")
    return version


def is_legacy(version: str) -> bool:
    """
    Whether a path segment names the legacy ``v2`` API rather than
    ``v2.1``; 404 for anything else.
    """
    if version == "v2":
        return True
    if version == "v2.1":
        return False
    raise nova_error(404, "The resource could not be found.")
