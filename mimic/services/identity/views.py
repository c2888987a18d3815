# -*- test-case-name: mimic.test.test_identity_v3 -*-
"""
What identity adds to the service catalog: itself.

The core lists every plugin's entries; real clouds also list identity, in
every region the other services use (a client filtering on its region
must still find it), at the version the token was asked of.
"""

from __future__ import annotations

from mimic.catalog import Endpoint, Entry, ResolvedEntry, resolve
from mimic.core import MimicCore
from mimic.session import DEFAULT_REGION


def catalog_with_identity(
    core: MimicCore, tenant_id: str, base_url: str, identity_path: str
) -> list[ResolvedEntry]:
    """
    The tenant's catalog with identity's own entry at the end;
    ``identity_path`` is the version's path from Mimic's root
    (``"identity/v3"``).
    """
    entries = core.catalog(tenant_id, base_url)
    regions = sorted(
        {e.region for entry in entries for e in entry.endpoints if e.region is not None}
    ) or [DEFAULT_REGION]
    identity = Entry(
        type="identity",
        name="keystone",
        endpoints=tuple(Endpoint(region, identity_path, absolute_path=True) for region in regions),
    )
    return entries + resolve("identity", tenant_id, base_url, [identity])
