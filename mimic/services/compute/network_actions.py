# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
The server actions that change a server's networking, through the
network service: ``addSecurityGroup`` and ``removeSecurityGroup`` (on
every port of the server), and, to microversion 2.43 where Nova removed
them, ``addFloatingIp``/``removeFloatingIp`` and
``addFixedIp``/``removeFixedIp``.

:func:`mimic.services.compute.actions.run_action` runs them like the
other actions; without a network service they answer as Nova does with
nothing to act on.
"""

from __future__ import annotations

from typing import Any

from mimic.http import json_response
from mimic.interfaces import ContractRefused, IFloatingIP, INetworking
from mimic.services.compute.actions import Action, ActionRequest
from mimic.services.compute.addresses import ip_version
from mimic.services.compute.errors import NOT_FOUND, invalid_input, nova_error
from mimic.services.compute.networking import device_owner, find_group, refused

#: The last microversion with the floating- and fixed-IP actions.
LAST_IP_ACTIONS_MICROVERSION = (2, 43)


def _networking(act: ActionRequest) -> INetworking:
    networking = act.state.networking
    if networking is None:
        raise nova_error(400, f"instance_id {act.server.id} could not be found as device id on any ports")
    return networking


def _group_name(act: ActionRequest, action: str) -> str:
    argument = act.argument
    if not isinstance(argument, dict):
        raise nova_error(400, "Missing parameter dict")
    if "name" not in argument:
        raise nova_error(400, "Security group not specified")
    name = argument["name"]
    if not isinstance(name, str) or not name.strip():
        raise nova_error(400, "Security group name cannot be empty")
    return name


def _add_security_group(act: ActionRequest) -> bytes:
    name = _group_name(act, "addSecurityGroup")
    networking = _networking(act)
    server, now = act.server, act.ctx.now
    group = find_group(networking, name)
    if group is None:
        raise nova_error(404, f"Security group {name} is not found for project {act.ctx.tenant_id}")
    ports = list(networking.ports_of(server.id))
    if not ports:
        raise nova_error(404, f"instance_id {server.id} could not be found as device id on any ports")
    for port in ports:
        if group.id not in port.security_group_ids:
            try:
                networking.set_port_security_groups(port.id, [*port.security_group_ids, group.id], now)
            except ContractRefused:
                raise nova_error(
                    400,
                    "Network requires port_security_enabled and subnet associated in order to "
                    "apply security groups.",
                )
    if group.name not in server.security_groups:
        server.security_groups = (*server.security_groups, group.name)
    return json_response(act.request, None, 202)


def _remove_security_group(act: ActionRequest) -> bytes:
    name = _group_name(act, "removeSecurityGroup")
    networking = _networking(act)
    server, now = act.server, act.ctx.now
    group = find_group(networking, name)
    if group is None:
        raise nova_error(404, f"Security group {name} is not found for project {act.ctx.tenant_id}")
    ports = [port for port in networking.ports_of(server.id) if group.id in port.security_group_ids]
    if not ports:
        raise nova_error(
            400, f"Security group {name} not associated with the instance {server.id}"
        )
    for port in ports:
        kept = [group_id for group_id in port.security_group_ids if group_id != group.id]
        try:
            networking.set_port_security_groups(port.id, kept, now)
        except ContractRefused as e:
            raise refused(e)
    server.security_groups = tuple(n for n in server.security_groups if n != group.name)
    return json_response(act.request, None, 202)


def _ip_action_context(act: ActionRequest) -> INetworking:
    """
    The network service for an IP action; 404 from 2.44, where Nova
    removed them.
    """
    if act.ctx.microversion > LAST_IP_ACTIONS_MICROVERSION:
        raise nova_error(404, NOT_FOUND)
    return _networking(act)


def _floating_by_address(networking: INetworking, address: Any) -> IFloatingIP:
    for floating in networking.floating_ips():
        if floating.floating_ip_address == address:
            return floating
    raise nova_error(404, "floating IP not found")


def _argument(act: ActionRequest, action: str, required: str) -> dict[str, Any]:
    argument = act.argument
    if not isinstance(argument, dict):
        raise invalid_input(action, argument, f"{argument!r} is not of type 'object'")
    if required not in argument:
        raise invalid_input(action, argument, f"'{required}' is a required property")
    return argument


def _add_floating_ip(act: ActionRequest) -> bytes:
    networking = _ip_action_context(act)
    argument = _argument(act, "addFloatingIp", "address")
    address = argument["address"]
    if not isinstance(address, str):
        raise invalid_input("addFloatingIp/address", address, f"{address!r} is not a 'ipv4'")
    server, now = act.server, act.ctx.now
    fixed = [
        (port.id, ip) for port in networking.ports_of(server.id) for _, ip in port.fixed_ips
    ]
    if not fixed:
        raise nova_error(400, "No fixed IPs associated to instance")
    wanted = argument.get("fixed_address")
    if wanted is not None:
        chosen = [(port_id, ip) for port_id, ip in fixed if ip == wanted]
        if not chosen:
            raise nova_error(400, "Specified fixed address not assigned to instance")
    else:
        chosen = [(port_id, ip) for port_id, ip in fixed if ip_version(ip) == 4]
        if not chosen:
            raise nova_error(
                400,
                f"Unable to associate floating IP {address} to any fixed IPs for instance {server.id}. "
                "Instance has no fixed IPv4 addresses to associate.",
            )
    floating = _floating_by_address(networking, address)
    port_id, ip = chosen[0]
    try:
        networking.associate_floating_ip(floating.id, port_id, ip, now)
    except ContractRefused as e:
        raise nova_error(400, e.message)
    server.updated = now
    return json_response(act.request, None, 202)


def _remove_floating_ip(act: ActionRequest) -> bytes:
    networking = _ip_action_context(act)
    argument = _argument(act, "removeFloatingIp", "address")
    address = argument["address"]
    server, now = act.server, act.ctx.now
    floating = _floating_by_address(networking, address)
    port = networking.port(floating.port_id) if floating.port_id else None
    if port is None or port.device_id != server.id:
        raise nova_error(409, f"Floating IP {address} is not associated with instance {server.id}.")
    networking.disassociate_floating_ip(floating.id, now)
    server.updated = now
    return json_response(act.request, None, 202)


def _add_fixed_ip(act: ActionRequest) -> bytes:
    """
    Another address on a network the server is on: Mimic gives the
    server one more port there (Nova adds the address to the existing
    port, which the contract cannot do); it goes with the server.
    """
    networking = _ip_action_context(act)
    argument = _argument(act, "addFixedIp", "networkId")
    network_id = argument["networkId"]
    server, now = act.server, act.ctx.now
    if not isinstance(network_id, (str, int)) or not any(
        port.network_id == str(network_id) for port in networking.ports_of(server.id)
    ):
        raise nova_error(400, f"Network could not be found for instance {server.id}.")
    try:
        networking.create_port(str(network_id), server.id, device_owner(server), now)
    except ContractRefused as e:
        raise nova_error(400, e.message)
    server.updated = now
    return json_response(act.request, None, 202)


def _remove_fixed_ip(act: ActionRequest) -> bytes:
    """
    Take an address away: the server's port that has it goes (a port
    the user passed in is released instead).
    """
    networking = _ip_action_context(act)
    argument = _argument(act, "removeFixedIp", "address")
    address = argument["address"]
    server, now = act.server, act.ctx.now
    for port in networking.ports_of(server.id):
        if any(ip == address for _, ip in port.fixed_ips):
            if port.id in server.user_ports:
                networking.release_port(port.id, now)
                server.user_ports = tuple(p for p in server.user_ports if p != port.id)
            else:
                networking.delete_port(port.id, now)
            server.updated = now
            return json_response(act.request, None, 202)
    raise nova_error(400, f"Instance {server.id} doesn't have fixed IP '{address}'.")


NETWORK_ACTIONS: dict[str, Action] = {
    "addSecurityGroup": _add_security_group,
    "removeSecurityGroup": _remove_security_group,
    "addFloatingIp": _add_floating_ip,
    "removeFloatingIp": _remove_floating_ip,
    "addFixedIp": _add_fixed_ip,
    "removeFixedIp": _remove_fixed_ip,
}
