# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
A server's security groups as Nova's proxy answers
``GET /servers/{id}/os-security-groups``, before Mimic has a network
service to own them.

Every tenant has Neutron's ``default`` group, made with the project; until
a network service keeps groups, that group is what every server of the
tenant is in.  Its id is derived from the tenant, so a client that reads
it twice (Ansible's ``openstack.cloud.server`` reads it on every run)
sees the same group.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, uuid5

_ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://github.com/mimic-cloud/mimic/compute/security-groups")


def default_security_group_id(tenant_id: str) -> str:
    """
    The id of the tenant's ``default`` security group: stable across
    calls, restarts and regions' views of it, as a UUID.
    """
    return str(uuid5(_ID_NAMESPACE, f"{tenant_id}\0default"))


def default_security_group(tenant_id: str) -> dict[str, Any]:
    """
    The tenant's ``default`` group in the shape Nova's security-group
    proxy gives a group (with no rules: Nova shows none until a network
    service has some to show).
    """
    return {
        "id": default_security_group_id(tenant_id),
        "name": "default",
        "description": "Default security group",
        "tenant_id": tenant_id,
        "rules": [],
    }
