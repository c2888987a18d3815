# -*- test-case-name: mimic.test.test_compute_server_extras -*-
"""
``/os-tenant-networks`` (by :class:`TenantNetworksAPI`): Nova's
deprecated, read-only proxy onto the networks the tenant sees in the
network service (reached through the
:class:`~mimic.interfaces.INetworking` contract), to microversion 2.35;
404 from 2.36, and without a network service.

Nova shows each network's id, its name as ``label``, and the ``cidr``
it finds none of in Neutron's network, written as the string ``"None"``.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.interfaces import INetwork, INetworking
from mimic.services.compute.errors import NOT_FOUND, handle_nova_errors, nova_error
from mimic.services.compute.security_groups import LAST_PROXY_MICROVERSION
from mimic.services.compute.web import ContextFactory


def tenant_network_json(network: INetwork) -> dict[str, Any]:
    return {"id": network.id, "cidr": "None", "label": network.name}


class TenantNetworksAPI:
    """
    ``/os-tenant-networks`` for one request.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, networking: INetworking | None) -> None:
        self.context = context
        self.networking = networking

    def _networking(self) -> INetworking:
        ctx = self.context()
        if ctx.microversion > LAST_PROXY_MICROVERSION or self.networking is None:
            raise nova_error(404, NOT_FOUND)
        return self.networking

    @app.route("/", methods=["GET"])
    def list_networks(self, request: IRequest) -> bytes:
        networks = [tenant_network_json(n) for n in self._networking().networks()]
        return json_response(request, {"networks": networks})

    @app.route("/<network_id>", methods=["GET"])
    def show_network(self, request: IRequest, network_id: str) -> bytes:
        network = self._networking().network(network_id)
        if network is None:
            raise nova_error(404, "Network not found")
        return json_response(request, {"network": tenant_network_json(network)})
