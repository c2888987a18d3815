# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute limits (``GET /limits``): the tenant's quotas and how much of
them its servers use, and the over-quota message Nova answers a server
create with.

Public surface (for the servers routes to use):

- :class:`Quotas` (:data:`DEFAULT_QUOTAS`, Rackspace-like values) and
  :class:`Usage`, with :func:`usage_of` (the usage of servers given
  their flavor ids).
- :func:`quota_exceeded_message` -- None if one more server of a flavor
  fits the quota, else Nova's 403 message ("Quota exceeded for
  instances: Requested 1, but already used 100 of 100 instances").
- :func:`install_routes` -- mounts ``GET /limits``; the limits and used
  counts come from the request context's ``quotas`` and ``usage()``
  (kept per tenant and region by the compute state; see
  :mod:`~mimic.services.compute.quotas` for changing them).
"""

from __future__ import annotations

from typing import Any, Iterable

from attrs import frozen
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.compute.flavors import (
    ContextFactory,
    Flavor,
    RequestContext,
    get_flavor,
    mount,
)

#: Unlimited, in Nova's quota vocabulary.
UNLIMITED = -1


@frozen
class Quotas:
    """
    A tenant's compute quotas.  ``-1`` is unlimited.  Immutable: a change
    through ``os-quota-sets`` makes new quotas for that tenant and region.
    """

    instances: int = 100
    cores: int = UNLIMITED
    ram: int = 131072
    key_pairs: int = 100
    metadata_items: int = 40
    injected_files: int = 5
    injected_file_content_bytes: int = 1000
    injected_file_path_bytes: int = 255
    security_groups: int = 10
    security_group_rules: int = 20
    floating_ips: int = 10
    fixed_ips: int = UNLIMITED
    server_groups: int = 10
    server_group_members: int = 10


#: The quotas every tenant has (Rackspace's public cloud defaults: 100
#: servers, 128 GB of RAM, cores unlimited).
DEFAULT_QUOTAS = Quotas()


@frozen
class Usage:
    """
    What a tenant's servers take of the quota.
    """

    instances: int = 0
    cores: int = 0
    ram: int = 0


def usage_of(flavor_ids: Iterable[str]) -> Usage:
    """
    The usage of servers with these flavors (unknown ids count as
    instances only).
    """
    instances = cores = ram = 0
    for flavor_id in flavor_ids:
        instances += 1
        flavor = get_flavor(flavor_id)
        if flavor is not None:
            cores += flavor.vcpus
            ram += flavor.ram
    return Usage(instances, cores, ram)


def quota_exceeded_message(
    usage: Usage, flavor: Flavor, count: int = 1, quotas: Quotas = DEFAULT_QUOTAS
) -> str | None:
    """
    Nova's 403 message when ``count`` more servers of ``flavor`` would go
    over the quota, naming each resource that would be over with what
    was requested, used and allowed of it (comma-separated, as Nova
    joins them); None when they fit.
    """
    requested = {"instances": count, "cores": flavor.vcpus * count, "ram": flavor.ram * count}
    used = {"instances": usage.instances, "cores": usage.cores, "ram": usage.ram}
    allowed = {"instances": quotas.instances, "cores": quotas.cores, "ram": quotas.ram}
    overs = [
        resource
        for resource in ("instances", "cores", "ram")
        if allowed[resource] != UNLIMITED and used[resource] + requested[resource] > allowed[resource]
    ]
    if not overs:
        return None

    def joined(values: dict[str, int]) -> str:
        return ", ".join(str(values[resource]) for resource in overs)

    names = ", ".join(overs)
    return (
        f"Quota exceeded for {names}: Requested {joined(requested)}, but already used "
        f"{joined(used)} of {joined(allowed)} {names}"
    )


def absolute_limits(
    usage: Usage, microversion: tuple[int, int], quotas: Quotas = DEFAULT_QUOTAS
) -> dict[str, int]:
    """
    The ``absolute`` part of ``GET /limits``: network quotas disappear at
    2.36 (Neutron owns them) and file injection at 2.57, as in Nova.
    """
    absolute = {
        "maxServerMeta": quotas.metadata_items,
        "maxImageMeta": quotas.metadata_items,
        "maxTotalInstances": quotas.instances,
        "maxTotalCores": quotas.cores,
        "maxTotalRAMSize": quotas.ram,
        "maxTotalKeypairs": quotas.key_pairs,
        "maxServerGroups": quotas.server_groups,
        "maxServerGroupMembers": quotas.server_group_members,
        "totalInstancesUsed": usage.instances,
        "totalCoresUsed": usage.cores,
        "totalRAMUsed": usage.ram,
        "totalServerGroupsUsed": 0,
    }
    if microversion < (2, 57):
        absolute["maxPersonality"] = quotas.injected_files
        absolute["maxPersonalitySize"] = quotas.injected_file_content_bytes
    if microversion < (2, 36):
        absolute.update(
            {
                "maxSecurityGroups": quotas.security_groups,
                "maxSecurityGroupRules": quotas.security_group_rules,
                "maxTotalFloatingIps": quotas.floating_ips,
                "totalSecurityGroupsUsed": 0,
                "totalFloatingIpsUsed": 0,
            }
        )
    return absolute


def show_limits(request: IRequest, ctx: RequestContext) -> bytes:
    """
    ``GET /limits``: the tenant's absolute limits (as ``os-quota-sets``
    last set them) with used counts; no rate limits.
    """
    body: dict[str, Any] = {
        "limits": {"absolute": absolute_limits(ctx.usage(), ctx.microversion, ctx.quotas), "rate": []}
    }
    return json_response(request, body)


def install_routes(app: Klein, context: ContextFactory, prefix: str) -> None:
    """
    Mount ``GET /limits`` on ``app`` below ``prefix``; see
    :func:`mimic.services.compute.flavors.install_routes`.
    """
    mount(app, context, prefix, "compute_limits_show", "/limits", show_limits)
