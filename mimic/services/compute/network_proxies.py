# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
Nova's deprecated proxies to Neutron's floating IPs (``/os-floating-ips``,
by :class:`FloatingIPsAPI`) and networks (``/os-networks``, by
:class:`NetworksAPI`), as Nova keeps them to microversion 2.35: from
2.36 on they answer 404 and clients use the network service itself.
Without a network service they answer 404 too.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.interfaces import ContractRefused, IFloatingIP, INetwork, INetworking
from mimic.services.compute.errors import NOT_FOUND, handle_nova_errors, nova_error
from mimic.services.compute.security_groups import LAST_PROXY_MICROVERSION
from mimic.services.compute.web import ContextFactory, RequestContext


def _proxy_context(context: ContextFactory, networking: INetworking | None) -> tuple[RequestContext, INetworking]:
    ctx = context()
    if ctx.microversion > LAST_PROXY_MICROVERSION or networking is None:
        raise nova_error(404, NOT_FOUND)
    return ctx, networking


def floating_ip_json(floating: IFloatingIP, networking: INetworking) -> dict[str, Any]:
    """
    A Neutron floating IP as Nova's proxy shows it: the pool is the
    external network's name, the instance the server its port is on.
    """
    network = networking.network(floating.floating_network_id)
    port = networking.port(floating.port_id) if floating.port_id else None
    return {
        "id": floating.id,
        "ip": floating.floating_ip_address,
        "pool": network.name if network is not None else floating.floating_network_id,
        "fixed_ip": floating.fixed_ip_address,
        "instance_id": port.device_id or None if port is not None else None,
    }


class FloatingIPsAPI:
    """
    ``/os-floating-ips`` for one request, to 2.35.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, networking: INetworking | None) -> None:
        self.context = context
        self.networking = networking

    def _find(self, networking: INetworking, floating_ip_id: str) -> IFloatingIP:
        for floating in networking.floating_ips():
            if floating.id == floating_ip_id:
                return floating
        raise nova_error(404, f"Floating IP not found for ID {floating_ip_id}")

    @app.route("/", methods=["GET"])
    def list_floating_ips(self, request: IRequest) -> bytes:
        _, networking = _proxy_context(self.context, self.networking)
        floating = [floating_ip_json(f, networking) for f in networking.floating_ips()]
        return json_response(request, {"floating_ips": floating})

    @app.route("/", methods=["POST"])
    def allocate_floating_ip(self, request: IRequest) -> bytes:
        """
        Allocate from the pool named (an external network's name), or
        from the region's default external network.
        """
        ctx, networking = _proxy_context(self.context, self.networking)
        body = read_json(request, nova_error, required=False)
        pool = body.get("pool") if isinstance(body, dict) else None
        network_id = None
        if pool is not None:
            matching = [n for n in networking.networks() if n.external and (n.name == pool or n.id == pool)]
            if not matching:
                raise nova_error(404, "Floating IP pool not found.")
            network_id = matching[0].id
        try:
            floating = networking.allocate_floating_ip(network_id, ctx.now)
        except ContractRefused as e:
            if e.status == 409:
                raise nova_error(404, f"No more floating IPs in pool {pool or ''}.".replace(" .", "."))
            if e.status == 404:
                raise nova_error(404, "Floating IP pool not found.")
            raise nova_error(400 if e.status < 500 else e.status, e.message)
        return json_response(request, {"floating_ip": floating_ip_json(floating, networking)})

    @app.route("/<floating_ip_id>", methods=["GET"])
    def show_floating_ip(self, request: IRequest, floating_ip_id: str) -> bytes:
        _, networking = _proxy_context(self.context, self.networking)
        floating = self._find(networking, floating_ip_id)
        return json_response(request, {"floating_ip": floating_ip_json(floating, networking)})

    @app.route("/<floating_ip_id>", methods=["DELETE"])
    def release_floating_ip(self, request: IRequest, floating_ip_id: str) -> bytes:
        ctx, networking = _proxy_context(self.context, self.networking)
        floating = self._find(networking, floating_ip_id)
        networking.release_floating_ip(floating.id, ctx.now)
        return json_response(request, None, 202)


#: The fields of a network Nova's proxy shows a project member (the
#: rest are an administrator's); Neutron gives values for few of them.
_NETWORK_FIELDS = (
    "id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6", "gateway_v6", "label",
    "netmask_v6",
)


def network_json(network: INetwork) -> dict[str, Any]:
    """
    A Neutron network as Nova's ``os-networks`` shows it.
    """
    body: dict[str, Any] = dict.fromkeys(_NETWORK_FIELDS)
    body["id"] = network.id
    body["label"] = network.name
    return body


class NetworksAPI:
    """
    ``/os-networks`` for one request, to 2.35: read only, as Nova keeps
    it for Neutron.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, networking: INetworking | None) -> None:
        self.context = context
        self.networking = networking

    @app.route("/", methods=["GET"])
    def list_networks(self, request: IRequest) -> bytes:
        _, networking = _proxy_context(self.context, self.networking)
        return json_response(request, {"networks": [network_json(n) for n in networking.networks()]})

    @app.route("/<network_id>", methods=["GET"])
    def show_network(self, request: IRequest, network_id: str) -> bytes:
        _, networking = _proxy_context(self.context, self.networking)
        network = networking.network(network_id)
        if network is None:
            raise nova_error(404, f"Network {network_id} could not be found.")
        return json_response(request, {"network": network_json(network)})
