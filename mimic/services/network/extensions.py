# -*- test-case-name: mimic.test.test_network -*-
"""
The API extensions Mimic's Neutron lists at ``/v2.0/extensions``: only
those whose behaviour it implements, so that clients and tempest, which
decide what to try from this list, try only what works.
"""

from __future__ import annotations

from typing import Any

#: (alias, name, description).
EXTENSIONS = (
    ("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
    ("external-net", "Neutron external network", "Adds external network attribute to network resource."),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode", "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway"),
    ("extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router"),
    ("fields", "Fields", "Fields of resources can be selected on listings."),
    ("network-ip-availability", "Network IP Availability", "Provides IP availability data for each network and subnet."),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
    ("port-security", "Port Security", "Provides port security"),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."),
    ("quotas", "Quota management support", "Expose functions for quotas management per tenant"),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway."),
    ("security-group", "security-group", "The security groups extension."),
    ("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
    ("standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes"),
    ("standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources."),
    ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."),
    ("stateful-security-group", "Stateful security group", "Indicates if the security group is stateful or not"),
)

def extension_json(alias: str, name: str, description: str) -> dict[str, Any]:
    return {
        "alias": alias,
        "name": name,
        "description": description,
        "updated": "2013-02-03T10:00:00-00:00",
        "links": [],
    }


def extensions_json() -> list[dict[str, Any]]:
    return [extension_json(*e) for e in EXTENSIONS]


def find_extension(alias: str) -> dict[str, Any] | None:
    for extension in EXTENSIONS:
        if extension[0] == alias:
            return extension_json(*extension)
    return None
