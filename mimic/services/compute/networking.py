# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
A server's networks, the way Nova uses Neutron: the network service owns
the ports (through :class:`~mimic.interfaces.INetworking`), and compute
keeps only which of a server's ports the user passed in.

A create is checked against the network service before anything changes
(:func:`plan_networks`: unknown networks and security groups are 400s, a
port bound elsewhere 409, as Nova's API checks them); then, once the
servers exist, each gets its ports (:func:`allocate`): made on each
network asked for (Rackspace's PublicNet and ServiceNet when the request
named none), or the ports passed in bound to it, with ``device_id`` the
server and ``device_owner`` ``compute:<zone>``.  A refusal at that point
is a failed build, as in Nova: the server goes to ERROR.  A delete
(:func:`deallocate`) deletes the ports Nova made and releases the others.

With no network service loaded, none of this runs and servers keep the
addresses compute derives for them.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from attrs import frozen

from mimic.failures import FailureEngine
from mimic.http import HTTPError
from mimic.interfaces import ContractRefused, INetworking, INetworkPort, ISecurityGroup
from mimic.services.compute.errors import nova_error
from mimic.services.compute.model import PRIVATE_NETWORK, PUBLIC_NETWORK, ComputeState, Server
from mimic.services.compute.network_failures import NETWORK_ALLOCATION_FAULT, SERVER_NETWORK, FailAllocation


@frozen
class NetworkRequest:
    """
    One entry of a create's ``networks``: a network (with a fixed IP or
    not) or a port the user made.
    """

    network_id: str | None = None
    port_id: str | None = None
    fixed_ip: str | None = None


#: Rackspace's networks, for a server whose create named none.
DEFAULT_REQUESTS = (NetworkRequest(PUBLIC_NETWORK), NetworkRequest(PRIVATE_NETWORK))

#: A DevStack cloud's: its ``private`` network only (``public`` is
#: external: Nova puts no server on it unasked).
DEVSTACK_REQUESTS = (NetworkRequest(PRIVATE_NETWORK),)


def network_requests(
    raw: Any, defaults: tuple[NetworkRequest, ...] = DEFAULT_REQUESTS
) -> tuple[NetworkRequest, ...]:
    """
    A create's ``networks`` (already checked for shape by
    :func:`mimic.services.compute.validation.networks`) as requests:
    the cloud's ``defaults`` (Rackspace's two networks) when absent or
    ``"auto"``, none for ``"none"``.
    """
    if raw is None or raw == "auto":
        return defaults
    if raw == "none":
        return ()
    return tuple(
        NetworkRequest(entry.get("uuid"), entry.get("port"), entry.get("fixed_ip"))
        if entry.get("port") is None
        else NetworkRequest(None, entry.get("port"))
        for entry in raw
    )


def refused(error: ContractRefused) -> HTTPError:
    """
    A refusal of the network service as Nova passes it on: the same
    status and message, in Nova's shape.
    """
    return nova_error(error.status, error.message)


def port_in_use(port_id: str) -> HTTPError:
    return nova_error(409, f"Port {port_id} is still in use.")


def security_group_not_found(name: str, tenant_id: str) -> HTTPError:
    return nova_error(400, f"Security group {name} is not found for project {tenant_id}")


def find_group(networking: INetworking, name: str) -> ISecurityGroup | None:
    """
    The tenant's group with this name or id; Nova's 409 when the name is
    ambiguous.
    """
    try:
        return networking.find_security_group(name)
    except ContractRefused as e:
        raise refused(e)


@frozen
class NetworkPlan:
    """
    What a create's servers get on the network side, checked: the
    requests, and the security groups (ids, or ``default``) of the
    ports made for them.
    """

    requests: tuple[NetworkRequest, ...]
    security_groups: tuple[str, ...]


def holder_of(networking: INetworking, server_ids: Iterable[str], network_id: str, address: str) -> str | None:
    """
    Which of these servers has ``address`` on a port on ``network_id``,
    if any: Nova's check of a requested fixed IP (an error path only:
    it costs one look at each server's ports).
    """
    for server_id in server_ids:
        for port in networking.ports_of(server_id):
            if port.network_id == network_id and any(ip == address for _, ip in port.fixed_ips):
                return server_id
    return None


def plan_networks(
    networking: INetworking,
    requests: Sequence[NetworkRequest],
    group_names: Iterable[str],
    max_count: int,
    tenant_id: str,
    server_ids: Iterable[str] = (),
) -> NetworkPlan:
    """
    Check a create's networks and security groups against the network
    service, in Nova's order and with Nova's answers, changing nothing.
    A fixed IP already on one of ``server_ids`` (the tenant's servers) is
    Nova's 400; one held by a port of no server fails the build instead.
    """
    for request in requests:
        if request.fixed_ip is not None and max_count > 1:
            raise nova_error(400, "max_count cannot be greater than 1 if an fixed_ip is specified.")
        if request.port_id is not None and max_count > 1:
            raise nova_error(
                400,
                "Unable to launch multiple instances with a single configured port ID. "
                "Please launch your instance one by one with different ports.",
            )
    for request in requests:
        if request.port_id is not None:
            port = networking.port(request.port_id)
            if port is None:
                raise nova_error(400, f"Port id {request.port_id} could not be found.")
            if port.device_id:
                raise port_in_use(request.port_id)
        elif request.network_id is not None and networking.network(request.network_id) is None:
            raise nova_error(400, f"Network {request.network_id} could not be found.")
        elif request.network_id is not None and request.fixed_ip is not None:
            holder = holder_of(networking, server_ids, request.network_id, request.fixed_ip)
            if holder is not None:
                raise nova_error(400, f"Fixed IP address {request.fixed_ip} is already in use on instance {holder}.")
    groups = []
    for name in group_names:
        if name == "default":
            # Nova leaves ``default`` to Neutron, which makes it on first use.
            groups.append(name)
            continue
        group = find_group(networking, name)
        if group is None:
            raise security_group_not_found(name, tenant_id)
        groups.append(group.id)
    return NetworkPlan(tuple(requests), tuple(dict.fromkeys(groups)))


def device_owner(server: Server) -> str:
    """
    Nova's ``device_owner`` of a server's ports.
    """
    return f"compute:{server.availability_zone}"


def _network_name(networking: INetworking, network_id: str) -> str:
    network = networking.network(network_id)
    return network.name if network is not None else ""


def allocate(
    networking: INetworking, server: Server, plan: NetworkPlan, failures: FailureEngine, now: float,
    region: str = "",
) -> None:
    """
    Give a new server its ports, as Nova does while building it; on a
    refusal (or a known error condition), undo what was done and fail
    the build.  A server already in ERROR (no host was found) gets none.
    """
    if server.fault is not None:
        return
    made: list[str] = []
    bound: list[str] = []
    owner = device_owner(server)
    try:
        for request in plan.requests:
            network_id = request.network_id
            if request.port_id is not None:
                port = networking.port(request.port_id)
                network_id = port.network_id if port is not None else ""
            outcome = failures.decide(
                SERVER_NETWORK,
                {
                    "server_name": server.name,
                    "tenant_id": server.tenant_id,
                    "region": region,
                    "network_id": network_id or "",
                    "network_name": _network_name(networking, network_id or ""),
                },
                server.metadata,
            )
            if isinstance(outcome, FailAllocation):
                raise ContractRefused(500, "PortBindingFailed", NETWORK_ALLOCATION_FAULT)
            if request.port_id is not None:
                networking.bind_port(request.port_id, server.id, owner, now)
                bound.append(request.port_id)
            else:
                port = networking.create_port(
                    network_id, server.id, owner, now, fixed_ip=request.fixed_ip,
                    security_groups=list(plan.security_groups),
                )
                made.append(port.id)
    except ContractRefused:
        for port_id in made:
            networking.delete_port(port_id, now)
        for port_id in bound:
            networking.release_port(port_id, now)
        server.go_to_error(now, f"Build of instance {server.id} aborted: {NETWORK_ALLOCATION_FAULT}")
        return
    server.user_ports = tuple(bound)


def deallocate(networking: INetworking, server: Server, now: float) -> None:
    """
    A server is going: delete the ports Nova made for it and release
    the ones the user passed in (they stay, unbound), as Nova does.
    """
    for port in list(networking.ports_of(server.id)):
        if port.id in server.user_ports:
            networking.release_port(port.id, now)
        else:
            networking.delete_port(port.id, now)
    server.user_ports = ()


def server_groups(networking: INetworking, server: Server) -> list[ISecurityGroup]:
    """
    The security groups of a server's ports, each once, in the order the
    ports have them: what Nova shows as the server's groups.
    """
    seen: dict[str, ISecurityGroup] = {}
    for port in networking.ports_of(server.id):
        for group_id in port.security_group_ids:
            if group_id not in seen:
                group = networking.find_security_group(group_id)
                if group is not None:
                    seen[group_id] = group
    return list(seen.values())


def security_group_names(server: Server, networking: INetworking | None = None) -> tuple[str, ...]:
    """
    The names of the server's security groups as ``GET /servers/{id}``
    shows them: from its ports when the network service is loaded
    (falling back to the groups the create asked for when its ports
    carry none, as on networks without port security), else the groups
    the create asked for.  ``networking`` is the tenant's, if the request
    already looked it up.
    """
    if server.networking_lookup is None:
        return server.security_groups
    if networking is None:
        networking = server.networking
    if networking is None:
        return server.security_groups
    names = tuple(dict.fromkeys(group.name for group in server_groups(networking, server)))
    return names or server.security_groups


def port_of(networking: INetworking, server: Server, port_id: str) -> INetworkPort | None:
    """
    The port with this id if it is the server's.
    """
    port = networking.port(port_id)
    if port is None or port.device_id != server.id:
        return None
    return port


def plan_for_create(state: ComputeState, body: Any, spec: Any, tenant_id: str) -> NetworkPlan | None:
    """
    The network plan of a create request whose body
    :func:`~mimic.services.compute.validation.server_create` accepted as
    ``spec``, or None without a network service.
    """
    networking = state.networking
    if networking is None:
        return None
    defaults = DEFAULT_REQUESTS if state.profile.rackspace_extensions else DEVSTACK_REQUESTS
    requests = network_requests(body["server"].get("networks"), defaults)
    return plan_networks(networking, requests, spec.security_groups, spec.max_count, tenant_id, state.servers)


def allocate_all(
    state: ComputeState,
    servers: Iterable[Server],
    plan: NetworkPlan | None,
    failures: FailureEngine,
    now: float,
    region: str,
) -> None:
    """
    :func:`allocate` for each server a create made, and the servers'
    addresses read from their ports from now on.
    """
    networking = state.networking
    if networking is None or plan is None:
        return
    for server in servers:
        server.networking_lookup = state.networking_lookup
        allocate(networking, server, plan, failures, now, region)


def release_deleted(networking: INetworking | None, server: Server, now: float) -> None:
    """
    :func:`deallocate` once a delete was accepted.
    """
    if networking is not None and server.networking is not None:
        deallocate(networking, server, now)
