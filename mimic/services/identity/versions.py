# -*- test-case-name: mimic.test.test_identity_versions -*-
"""
Identity's API versions, as Keystone describes them: each version's own
document (at ``/identity/v2.0`` and ``/identity/v3``) and the list of both
at the unversioned root, which is where today's clients, given
``/identity``, discover v3.
"""

from __future__ import annotations

from typing import Any

#: The v3 minor version announced: Keystone's since the Ussuri release,
#: which clients accept for everything Mimic serves.
V3_ID = "v3.14"

V2_ID = "v2.0"

#: Where each version is, relative to Mimic's root.
V2_PATH = "identity/v2.0"
V3_PATH = "identity/v3"


def v2_document(root_url: str) -> dict[str, Any]:
    """
    The v2.0 version description; ``root_url`` is Mimic's (scheme and
    host the client used).
    """
    return {
        "id": V2_ID,
        "status": "stable",
        "updated": "2014-04-17T00:00:00Z",
        "media-types": [
            {
                "base": "application/json",
                "type": "application/vnd.openstack.identity-v2.0+json",
            }
        ],
        "links": [
            {"rel": "self", "href": f"{root_url}/{V2_PATH}/"},
            {
                "rel": "describedby",
                "type": "text/html",
                "href": "https://docs.rackspace.com/docs/cloud-identity/v2/",
            },
        ],
    }


def v3_document(root_url: str) -> dict[str, Any]:
    """
    The v3 version description.
    """
    return {
        "id": V3_ID,
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
        "links": [{"rel": "self", "href": f"{root_url}/{V3_PATH}/"}],
    }


def multiple_choices(
    root_url: str, offered: tuple[str, ...] = (V2_ID, "v3")
) -> tuple[dict[str, Any], int, dict[bytes, bytes]]:
    """
    What Keystone answers at its unversioned root: 300 Multiple Choices
    listing every version ``offered`` (the profile's), newest first, with
    the preferred one in ``Location``.  Keystone has served v3 alone since
    Queens; Rackspace's identity still offers v2.0.
    """
    values = [v3_document(root_url)]
    if V2_ID in offered:
        values.append(v2_document(root_url))
    body = {"versions": {"values": values}}
    return body, 300, {b"location": f"{root_url}/{V3_PATH}/".encode("utf-8")}
