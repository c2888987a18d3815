# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute limits (``GET /limits``, by :class:`LimitsAPI`): the tenant's
quotas and how much of them its servers use.  Quotas and usage are the
compute state's (:class:`mimic.services.compute.model.Quotas`); see
:mod:`~mimic.services.compute.quotas` for changing them.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.compute.errors import handle_nova_errors
from mimic.services.compute.model import DEFAULT_QUOTAS, ComputeState, Quotas, Usage
from mimic.services.compute.versions import Microversion
from mimic.services.compute.web import ContextFactory


def absolute_limits(
    usage: Usage, microversion: Microversion, quotas: Quotas = DEFAULT_QUOTAS
) -> dict[str, int]:
    """
    The ``absolute`` part of ``GET /limits``: network quotas disappear at
    2.36 (Neutron owns them), image metadata at 2.39 (Glance's proxy is
    gone) and file injection at 2.57, as in Nova.
    """
    absolute = {
        "maxServerMeta": quotas.metadata_items,
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
    if microversion < (2, 39):
        absolute["maxImageMeta"] = quotas.metadata_items
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


class LimitsAPI:
    """
    ``/limits`` for one request, from the quotas and usage in ``state``.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState) -> None:
        self.context = context
        self.state = state

    @app.route("/", methods=["GET"])
    def show_limits(self, request: IRequest) -> bytes:
        """
        The tenant's absolute limits (as ``os-quota-sets`` last set them)
        with used counts; no rate limits.
        """
        ctx = self.context()
        state = self.state
        absolute = absolute_limits(state.usage(ctx.now), ctx.microversion, state.quotas)
        body: dict[str, Any] = {"limits": {"absolute": absolute, "rate": []}}
        return json_response(request, body)
