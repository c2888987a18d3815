# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
A server's network interfaces (``/servers/{id}/os-interface``, by
:class:`InterfacesAPI`): its ports in the network service, listed and
shown in Nova's ``interfaceAttachment`` shape, attached (a new port on a
network, or a port the user made) and detached (the port Nova made is
deleted, the user's released), as Nova does through Neutron.

Without a network service there is nothing to attach to: the calls
answer as Nova's do when Neutron has no ports for the server.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.failures import FailureEngine
from mimic.http import json_response, read_json, request_id
from mimic.interfaces import ContractRefused, INetworking, INetworkPort
from mimic.services.compute.errors import conflicting_state, handle_nova_errors, invalid_input, nova_error, server_locked
from mimic.services.compute.instance_actions import record_action
from mimic.services.compute.model import ACTIVE, PAUSED, STOPPED, ComputeState, Server
from mimic.services.compute.network_failures import INTERFACE_ATTACH, FailAttach
from mimic.services.compute.networking import device_owner, port_in_use
from mimic.services.compute.web import ContextFactory, RequestContext


def interface_json(port: INetworkPort, microversion: tuple[int, int]) -> dict[str, Any]:
    """
    A port as Nova's ``interfaceAttachment``.
    """
    body: dict[str, Any] = {
        "port_state": port.status,
        "fixed_ips": [{"subnet_id": subnet_id, "ip_address": ip} for subnet_id, ip in port.fixed_ips],
        "port_id": port.id,
        "net_id": port.network_id,
        "mac_addr": port.mac_address,
    }
    if microversion >= (2, 70):
        body["tag"] = None
    return body


def _attach_body(body: Any) -> dict[str, Any]:
    """
    ``{"interfaceAttachment": {"net_id" | "port_id", "fixed_ips"}}``, as
    Nova's schema takes it.
    """
    if not isinstance(body, dict) or not isinstance(body.get("interfaceAttachment", {}), dict):
        raise invalid_input("interfaceAttachment", body, "is not of type 'object'")
    attachment = body.get("interfaceAttachment", {})
    for name in ("net_id", "port_id"):
        value = attachment.get(name)
        if value is not None and not isinstance(value, str):
            raise invalid_input(f"interfaceAttachment/{name}", value, f"{value!r} is not a 'uuid'")
    fixed_ips = attachment.get("fixed_ips")
    if fixed_ips is not None:
        if (
            not isinstance(fixed_ips, list)
            or len(fixed_ips) != 1
            or not isinstance(fixed_ips[0], dict)
            or not isinstance(fixed_ips[0].get("ip_address"), str)
        ):
            raise invalid_input(
                "interfaceAttachment/fixed_ips", fixed_ips, "must be a list of one {'ip_address': <address>}"
            )
    return attachment


class InterfacesAPI:
    """
    ``/servers/<id>/os-interface`` for one request.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(
        self, context: ContextFactory, state: ComputeState, server_id: str, failures: FailureEngine
    ) -> None:
        self.context = context
        self.state = state
        self.server_id = server_id
        self.failures = failures

    def _server(self) -> tuple[RequestContext, Server]:
        ctx = self.context()
        return ctx, self.state.require(self.server_id, ctx.now)

    def _ports(self, server: Server) -> list[INetworkPort]:
        networking = self.state.networking
        return [] if networking is None else list(networking.ports_of(server.id))

    @app.route("/", methods=["GET"])
    def list_interfaces(self, request: IRequest) -> bytes:
        ctx, server = self._server()
        attachments = [interface_json(port, ctx.microversion) for port in self._ports(server)]
        return json_response(request, {"interfaceAttachments": attachments})

    def _own_port(self, server: Server, port_id: str) -> INetworkPort:
        networking = self.state.networking
        port = networking.port(port_id) if networking is not None else None
        if port is None:
            raise nova_error(404, f"Port id {port_id} could not be found.")
        if port.device_id != server.id:
            raise nova_error(404, f"Instance {server.id} does not have a port with id {port_id}")
        return port

    @app.route("/<port_id>", methods=["GET"])
    def show_interface(self, request: IRequest, port_id: str) -> bytes:
        ctx, server = self._server()
        port = self._own_port(server, port_id)
        return json_response(request, {"interfaceAttachment": interface_json(port, ctx.microversion)})

    @app.route("/", methods=["POST"])
    def attach_interface(self, request: IRequest) -> bytes:
        ctx, server = self._server()
        attachment = _attach_body(read_json(request, nova_error))
        net_id, port_id = attachment.get("net_id"), attachment.get("port_id")
        fixed_ips = attachment.get("fixed_ips")
        if net_id and port_id:
            raise nova_error(400, "Must not input both network_id and port_id")
        if fixed_ips and not net_id:
            raise nova_error(400, "Must input network_id when request IP address")
        if server.locked and not ctx.is_admin:
            raise server_locked(server.id)
        if server.vm_state not in (ACTIVE, PAUSED, STOPPED):
            raise conflicting_state("attach_interface", server.id, "vm_state", server.vm_state)
        if server.task_state is not None:
            raise conflicting_state("attach_interface", server.id, "task_state", server.task_state)
        networking = self.state.networking
        if networking is None:
            raise nova_error(
                400, f"No specific network was requested and none are available for project '{ctx.tenant_id}'."
            )
        if port_id:
            port = networking.port(port_id)
            if port is None:
                raise nova_error(404, f"Port id {port_id} could not be found.")
            if port.device_id:
                raise port_in_use(port_id)
            net_id = port.network_id
        elif net_id:
            if networking.network(net_id) is None:
                raise nova_error(404, f"Network {net_id} could not be found.")
        else:
            candidates = [n for n in networking.networks() if not n.external]
            if len(candidates) != 1:
                raise nova_error(
                    400,
                    "More than one possible network found. Specify network ID(s) to select "
                    "which one(s) to connect to.",
                )
            net_id = candidates[0].id
        outcome = self.failures.decide(
            INTERFACE_ATTACH,
            {
                "server_id": server.id,
                "server_name": server.name,
                "tenant_id": ctx.tenant_id,
                "region": ctx.region,
                "network_id": net_id or "",
                "port_id": port_id or "",
            },
            server.metadata,
        )
        if isinstance(outcome, FailAttach):
            message = f"Failed to attach network adapter device to {server.id}"
            record_action(server, "attach_interface", request_id(request), ctx.user_id, ctx.now, message)
            raise nova_error(500, message)
        attached = self._attach(networking, server, ctx, net_id or "", port_id, fixed_ips)
        record_action(server, "attach_interface", request_id(request), ctx.user_id, ctx.now)
        return json_response(request, {"interfaceAttachment": interface_json(attached, ctx.microversion)})

    def _attach(
        self,
        networking: INetworking,
        server: Server,
        ctx: RequestContext,
        net_id: str,
        port_id: str | None,
        fixed_ips: Any,
    ) -> INetworkPort:
        owner = device_owner(server)
        try:
            if port_id:
                port = networking.bind_port(port_id, server.id, owner, ctx.now)
                server.user_ports = (*server.user_ports, port.id)
            else:
                fixed_ip = fixed_ips[0]["ip_address"] if fixed_ips else None
                port = networking.create_port(net_id, server.id, owner, ctx.now, fixed_ip=fixed_ip)
        except ContractRefused as e:
            if e.kind == "IpAddressAlreadyAllocated" or (e.status == 409 and fixed_ips):
                address = fixed_ips[0]["ip_address"] if fixed_ips else ""
                holder = next(
                    (
                        other.id
                        for other in self.state.servers.values()
                        for held in networking.ports_of(other.id)
                        if any(ip == address for _, ip in held.fixed_ips)
                    ),
                    "",
                )
                raise nova_error(409, f"Fixed IP address {address} is already in use on instance {holder}.")
            if e.status == 409:
                raise nova_error(409, e.message)
            raise nova_error(400, e.message)
        server.updated = ctx.now
        return port

    @app.route("/<port_id>", methods=["DELETE"])
    def detach_interface(self, request: IRequest, port_id: str) -> bytes:
        ctx, server = self._server()
        if server.locked and not ctx.is_admin:
            raise server_locked(server.id)
        if server.vm_state not in (ACTIVE, PAUSED, STOPPED):
            raise conflicting_state("detach_interface", server.id, "vm_state", server.vm_state)
        if server.task_state is not None:
            raise conflicting_state("detach_interface", server.id, "task_state", server.task_state)
        networking = self.state.networking
        port = networking.port(port_id) if networking is not None else None
        if networking is None or port is None or port.device_id != server.id:
            raise nova_error(404, f"Port {port_id} is not attached")
        if port.id in server.user_ports:
            networking.release_port(port.id, ctx.now)
            server.user_ports = tuple(p for p in server.user_ports if p != port.id)
        else:
            networking.delete_port(port.id, ctx.now)
        server.updated = ctx.now
        record_action(server, "detach_interface", request_id(request), ctx.user_id, ctx.now)
        return json_response(request, None, 202)
