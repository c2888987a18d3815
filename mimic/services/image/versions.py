# -*- test-case-name: mimic.test.test_image -*-
"""
Glance's API versions, as its root lists them.

Glance v2 has minor versions (v2.0 ... v2.16) but no microversion
headers: every minor version is the same ``/v2`` API, listed separately
so clients can tell which features the cloud has.  Clients discover them
at the unversioned root (300 Multiple Choices) or at ``/versions`` (200);
a bare ``/v2`` answers with the same list, as Glance's version
negotiation does for a path naming no resource.
"""

from __future__ import annotations

from typing import Any

#: The newest minor version Mimic's Glance lists as CURRENT.
CURRENT_MINOR = 16


def version_documents(root_url: str) -> list[dict[str, Any]]:
    """
    Every v2 minor version, newest first, each linking to ``/v2/`` under
    ``root_url`` (the unversioned image root, without a trailing slash).
    """
    link = [{"rel": "self", "href": f"{root_url}/v2/"}]
    return [
        {
            "id": f"v2.{minor}",
            "status": "CURRENT" if minor == CURRENT_MINOR else "SUPPORTED",
            "links": link,
        }
        for minor in range(CURRENT_MINOR, -1, -1)
    ]
