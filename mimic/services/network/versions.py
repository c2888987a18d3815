# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's version discovery and its v2.0 resource list.

Neutron has one API version, v2.0 (its changes since are extensions,
listed at ``/v2.0/extensions``).  Its root lists it; ``/v2.0`` lists the
collections it serves.  Both are served without a token.
"""

from __future__ import annotations

from typing import Any

#: The collections of /v2.0, (singular, plural), as Neutron names them.
RESOURCES = (
    ("network", "networks"),
    ("subnet", "subnets"),
    ("port", "ports"),
    ("security_group", "security-groups"),
    ("security_group_rule", "security-group-rules"),
    ("floatingip", "floatingips"),
    ("router", "routers"),
    ("quota", "quotas"),
    ("network_ip_availability", "network-ip-availabilities"),
)


def versions_document(root_url: str) -> dict[str, Any]:
    return {
        "versions": [
            {"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": f"{root_url}/v2.0/"}]}
        ]
    }


def resources_document(root_url: str) -> dict[str, Any]:
    return {
        "resources": [
            {
                "name": singular,
                "collection": plural,
                "links": [{"rel": "self", "href": f"{root_url}/v2.0/{plural}"}],
            }
            for singular, plural in RESOURCES
        ]
    }
