# -*- test-case-name: mimic.test.test_compute_networking,mimic.test.test_compute_servers -*-
"""
Security groups as Nova shows them: Neutron's groups (through
:class:`~mimic.interfaces.INetworking`) in Nova's older shape, for
``GET /servers/{id}/os-security-groups``, the ``addSecurityGroup`` and
``removeSecurityGroup`` actions, and Nova's deprecated proxy
``/os-security-groups`` and ``/os-security-group-rules`` (gone from
microversion 2.36, as in Nova, where clients use Neutron instead).

Without a network service, a server's groups are the tenant's
``default`` group alone, with an id derived from the tenant so that a
client reading it twice (Ansible's ``openstack.cloud.server`` reads it
on every run) sees the same group.
"""

from __future__ import annotations

from typing import Any, Mapping
from uuid import NAMESPACE_URL, UUID, uuid5

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.interfaces import ContractRefused, INetworking, ISecurityGroup
from mimic.services.compute.errors import NOT_FOUND, handle_nova_errors, nova_error
from mimic.services.compute.networking import server_groups
from mimic.services.compute.web import ContextFactory, RequestContext

_ID_NAMESPACE = uuid5(NAMESPACE_URL, "https://github.com/mimic-cloud/mimic/compute/security-groups")

#: The last microversion with Nova's security-group and network proxies.
LAST_PROXY_MICROVERSION = (2, 35)


def default_security_group_id(tenant_id: str) -> str:
    """
    The id of the tenant's ``default`` security group when no network
    service keeps groups: stable across calls, restarts and regions.
    """
    return str(uuid5(_ID_NAMESPACE, f"{tenant_id}\0default"))


def default_security_group(tenant_id: str) -> dict[str, Any]:
    """
    The tenant's ``default`` group in Nova's shape when no network
    service keeps groups (with no rules: there are none to show).
    """
    return {
        "id": default_security_group_id(tenant_id),
        "name": "default",
        "description": "Default security group",
        "tenant_id": tenant_id,
        "rules": [],
    }


def nova_rule_json(rule: Mapping[str, Any], networking: INetworking) -> dict[str, Any]:
    """
    A Neutron ingress rule as Nova's proxy shows it: ``ip_protocol``,
    ``from_port``/``to_port`` (all ports of TCP and UDP, -1 for others,
    when Neutron has no range), and either the remote ``group`` or the
    ``ip_range`` (everything when Neutron has no prefix).
    """
    protocol = rule.get("protocol")
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol and low is None and high is None:
        low, high = (1, 65535) if str(protocol).upper() in ("TCP", "UDP") else (-1, -1)
    body: dict[str, Any] = {
        "id": rule.get("id"),
        "parent_group_id": rule.get("security_group_id"),
        "ip_protocol": protocol,
        "from_port": low,
        "to_port": high,
        "group": {},
        "ip_range": {},
    }
    remote_group = rule.get("remote_group_id")
    if remote_group:
        group = networking.find_security_group(remote_group)
        if group is not None:
            body["group"] = {"name": group.name, "tenant_id": group.tenant_id}
    else:
        body["ip_range"] = {"cidr": rule.get("remote_ip_prefix") or "0.0.0.0/0"}
    return body


def nova_group_json(group: ISecurityGroup, networking: INetworking) -> dict[str, Any]:
    """
    A Neutron group as Nova's proxy shows it: its ingress rules only.
    """
    rules = []
    for rule in group.rules:
        if rule.get("direction") == "ingress":
            rule = dict(rule)
            rule.setdefault("security_group_id", group.id)
            rules.append(nova_rule_json(rule, networking))
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "tenant_id": group.tenant_id,
        "rules": rules,
    }


def validate_id(group_id: str) -> None:
    """
    Nova's check of a group's (or rule's) id before it asks Neutron: a
    UUID, else 400.
    """
    try:
        UUID(str(group_id))
    except ValueError:
        raise nova_error(400, "Security group id should be uuid")


def group_not_found(group_id: str) -> Exception:
    return nova_error(404, f"Security group {group_id} not found.")


class SecurityGroupsAPI:
    """
    ``/os-security-groups`` (Nova's proxy to Neutron's groups) for one
    request, to 2.35.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, networking: INetworking | None, tenant_id: str) -> None:
        self.context = context
        self.networking = networking
        self.tenant_id = tenant_id

    def proxy_context(self) -> RequestContext:
        """
        The request's context; 404 from 2.36 (or with no network service
        to proxy to).
        """
        ctx = self.context()
        if ctx.microversion > LAST_PROXY_MICROVERSION or self.networking is None:
            raise nova_error(404, NOT_FOUND)
        return ctx

    def _group(self, group_id: str) -> ISecurityGroup:
        assert self.networking is not None
        validate_id(group_id)
        try:
            group = self.networking.find_security_group(group_id)
        except ContractRefused:
            group = None
        if group is None or group.id != group_id:
            raise group_not_found(group_id)
        return group

    @app.route("/", methods=["GET"])
    def list_groups(self, request: IRequest) -> bytes:
        self.proxy_context()
        assert self.networking is not None
        networking = self.networking
        groups = [nova_group_json(group, networking) for group in networking.security_groups()]
        return json_response(request, {"security_groups": groups})

    @app.route("/", methods=["POST"])
    def create_group(self, request: IRequest) -> bytes:
        ctx = self.proxy_context()
        assert self.networking is not None
        name, description = _group_body(read_json(request, nova_error))
        try:
            group = self.networking.create_security_group(name, description, ctx.now)
        except ContractRefused as e:
            raise nova_error(400 if e.status == 409 else e.status, e.message)
        return json_response(request, {"security_group": nova_group_json(group, self.networking)})

    @app.route("/<group_id>", methods=["GET"])
    def show_group(self, request: IRequest, group_id: str) -> bytes:
        self.proxy_context()
        assert self.networking is not None
        group = self._group(group_id)
        return json_response(request, {"security_group": nova_group_json(group, self.networking)})

    @app.route("/<group_id>", methods=["PUT"])
    def update_group(self, request: IRequest, group_id: str) -> bytes:
        """
        Rename a group (and change its description) in the network
        service.
        """
        ctx = self.proxy_context()
        assert self.networking is not None
        group = self._group(group_id)
        name, description = _group_body(read_json(request, nova_error))
        try:
            group = self.networking.update_security_group(
                group.id, {"name": name, "description": description}, ctx.now
            )
        except ContractRefused as e:
            raise nova_error(400 if e.status == 409 else e.status, e.message)
        return json_response(request, {"security_group": nova_group_json(group, self.networking)})

    @app.route("/<group_id>", methods=["DELETE"])
    def delete_group(self, request: IRequest, group_id: str) -> bytes:
        ctx = self.proxy_context()
        assert self.networking is not None
        group = self._group(group_id)
        try:
            self.networking.delete_security_group(group.id, ctx.now)
        except ContractRefused as e:
            # Nova answers Neutron's 409 (in use, or ``default``) as an
            # invalid request.
            raise nova_error(400 if e.status == 409 else e.status, e.message)
        return json_response(request, None, 202)


def _group_body(body: Any) -> tuple[str, str]:
    """
    ``{"security_group": {"name", "description"}}``, as Nova's schema
    takes it.
    """
    if not isinstance(body, dict) or not isinstance(body.get("security_group"), dict):
        raise nova_error(400, "Invalid input for field/attribute security_group. 'security_group' is a required property")
    group = body["security_group"]
    name = group.get("name")
    description = group.get("description", "")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise nova_error(400, "Security group name is not a string or unicode")
    if not isinstance(description, str) or len(description) > 255:
        raise nova_error(400, "Security group description is not a string or unicode")
    return name, description


_PROTOCOLS = ("tcp", "udp", "icmp")


class SecurityGroupRulesAPI:
    """
    ``/os-security-group-rules`` (Nova's proxy to Neutron's rules) for
    one request, to 2.35: ingress rules only, as Nova makes them.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, networking: INetworking | None) -> None:
        self.context = context
        self.networking = networking

    def proxy_context(self) -> RequestContext:
        ctx = self.context()
        if ctx.microversion > LAST_PROXY_MICROVERSION or self.networking is None:
            raise nova_error(404, NOT_FOUND)
        return ctx

    @app.route("/", methods=["POST"])
    def create_rule(self, request: IRequest) -> bytes:
        ctx = self.proxy_context()
        networking = self.networking
        assert networking is not None
        body = read_json(request, nova_error)
        if not isinstance(body, dict) or not isinstance(body.get("security_group_rule"), dict):
            raise nova_error(400, "Invalid input for field/attribute security_group_rule. "
                                  "'security_group_rule' is a required property")
        asked = body["security_group_rule"]
        parent = asked.get("parent_group_id")
        if not isinstance(parent, str) or not parent:
            raise nova_error(400, "Security group id should be uuid")
        validate_id(parent)
        group = networking.find_security_group(parent)
        if group is None or group.id != parent:
            raise group_not_found(str(parent))
        rule = _neutron_rule(asked, networking)
        try:
            made = networking.add_security_group_rule(group.id, rule, ctx.now)
        except ContractRefused as e:
            if e.status == 409:
                raise nova_error(400, f"This rule already exists in group {group.id}")
            raise nova_error(400 if e.status < 500 else e.status, e.message)
        made = dict(made)
        made.setdefault("security_group_id", group.id)
        return json_response(request, {"security_group_rule": nova_rule_json(made, networking)})

    @app.route("/<rule_id>", methods=["DELETE"])
    def delete_rule(self, request: IRequest, rule_id: str) -> bytes:
        ctx = self.proxy_context()
        assert self.networking is not None
        validate_id(rule_id)
        try:
            self.networking.delete_security_group_rule(rule_id, ctx.now)
        except ContractRefused:
            raise nova_error(404, f"Security group rule {rule_id} not found.")
        return json_response(request, None, 202)


def _port(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise nova_error(400, f"Invalid port range {value}:{value}. Invalid {name}")


def _neutron_rule(asked: Mapping[str, Any], networking: INetworking) -> dict[str, Any]:
    """
    A Nova rule request as the Neutron rule Nova makes of it: ingress,
    IPv4 or IPv6 from the CIDR, the ports (-1 meaning none for ICMP),
    from a CIDR or from another group.
    """
    protocol = asked.get("ip_protocol")
    if protocol is not None and (not isinstance(protocol, str) or protocol.lower() not in _PROTOCOLS):
        raise nova_error(400, f"Invalid IP protocol {protocol}.")
    low, high = _port(asked.get("from_port"), "from_port"), _port(asked.get("to_port"), "to_port")
    cidr = asked.get("cidr")
    group_id = asked.get("group_id")
    if cidr is not None and group_id is not None:
        raise nova_error(400, "Not enough parameters to build a valid rule.")
    rule: dict[str, Any] = {
        "direction": "ingress",
        "ethertype": "IPv6" if isinstance(cidr, str) and ":" in cidr else "IPv4",
        "protocol": protocol.lower() if isinstance(protocol, str) else None,
    }
    if protocol is not None and protocol.lower() == "icmp":
        if low is not None and low != -1:
            rule["port_range_min"] = low
        if high is not None and high != -1:
            rule["port_range_max"] = high
    elif protocol is not None:
        if low is None or high is None or not 1 <= low <= high <= 65535:
            raise nova_error(400, f"Invalid port range {low}:{high}. Valid TCP ports should be between 1-65535")
        rule["port_range_min"], rule["port_range_max"] = low, high
    if group_id is not None:
        validate_id(str(group_id))
        group = networking.find_security_group(str(group_id))
        if group is None:
            raise group_not_found(str(group_id))
        rule["remote_group_id"] = group.id
    else:
        rule["remote_ip_prefix"] = cidr if isinstance(cidr, str) and cidr else "0.0.0.0/0"
    return rule


def server_security_groups_json(networking: INetworking | None, server: Any, tenant_id: str) -> list[dict[str, Any]]:
    """
    ``GET /servers/{id}/os-security-groups``: the groups of the server's
    ports in Nova's shape, or the tenant's ``default`` group when no
    network service keeps groups.
    """
    if networking is None:
        return [default_security_group(tenant_id)]
    return [nova_group_json(group, networking) for group in server_groups(networking, server)]
