# -*- test-case-name: mimic.test.test_network_validation -*-
"""
Request bodies of Neutron's API, checked as Neutron's attribute
validation checks them, and turned into the values the model takes.

Neutron refuses an attribute it does not know (``Unrecognized
attribute(s) 'x'``), one a client may not change (``Cannot update
read-only attribute x``) and a value of the wrong type, each with 400
``HTTPBadRequest`` and the attribute's name.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Any, Mapping

from mimic.services.network.addresses import parse_address, parse_cidr
from mimic.services.network.errors import bad_request, policy_refused
from mimic.services.network.state import UNSET

#: Attributes every create takes: the owner (which must be the caller's
#: own project) and the description.
_COMMON = {"tenant_id", "project_id", "description"}

NETWORK_CREATE = _COMMON | {
    "name", "admin_state_up", "shared", "router:external", "port_security_enabled", "mtu",
    "availability_zone_hints",
}
NETWORK_UPDATE = {"name", "admin_state_up", "shared", "router:external", "port_security_enabled", "mtu", "description"}
SUBNET_CREATE = _COMMON | {
    "network_id", "cidr", "ip_version", "name", "gateway_ip", "allocation_pools", "enable_dhcp",
    "dns_nameservers", "host_routes", "ipv6_ra_mode", "ipv6_address_mode", "subnetpool_id", "service_types",
}
SUBNET_UPDATE = {
    "name", "gateway_ip", "allocation_pools", "enable_dhcp", "dns_nameservers", "host_routes", "description",
    "service_types",
}
SUBNET_READ_ONLY = {"network_id", "cidr", "ip_version", "ipv6_ra_mode", "ipv6_address_mode", "subnetpool_id", "id"}
PORT_CREATE = _COMMON | {
    "network_id", "name", "admin_state_up", "mac_address", "fixed_ips", "device_id", "device_owner",
    "security_groups", "port_security_enabled", "allowed_address_pairs",
}
PORT_UPDATE = {
    "name", "admin_state_up", "mac_address", "fixed_ips", "device_id", "device_owner", "security_groups",
    "port_security_enabled", "allowed_address_pairs", "description",
}
GROUP_CREATE = _COMMON | {"name", "stateful"}
GROUP_UPDATE = {"name", "description", "stateful"}
RULE_CREATE = _COMMON | {
    "security_group_id", "direction", "ethertype", "protocol", "port_range_min", "port_range_max",
    "remote_ip_prefix", "remote_group_id",
}
FLOATING_CREATE = _COMMON | {"floating_network_id", "port_id", "fixed_ip_address", "floating_ip_address", "subnet_id"}
FLOATING_UPDATE = {"port_id", "fixed_ip_address", "description"}
ROUTER_CREATE = _COMMON | {"name", "admin_state_up", "external_gateway_info", "availability_zone_hints"}
ROUTER_UPDATE = {"name", "admin_state_up", "external_gateway_info", "routes", "description"}

_MODES = ("slaac", "dhcpv6-stateful", "dhcpv6-stateless")


def resource_body(body: Any, resource: str) -> dict[str, Any]:
    """
    The ``{"<resource>": {...}}`` of a request body.
    """
    if not isinstance(body, dict) or resource not in body:
        raise bad_request(f"Unable to find '{resource}' in request body")
    inner = body[resource]
    if not isinstance(inner, dict):
        raise bad_request(f"Invalid input for {resource}. Reason: '{inner}' is not a dictionary.")
    return inner


def check_attributes(
    body: Mapping[str, Any], allowed: set[str], tenant_id: str, read_only: set[str] = frozenset(),  # type: ignore[assignment]
    action: str = "create",
) -> None:
    for key in body:
        if key in read_only or (key not in allowed and key in ("id", "status", "network_id", "tenant_id", "project_id", "created_at", "updated_at", "revision_number")):
            raise bad_request(f"Cannot update read-only attribute {key}")
    unknown = sorted(key for key in body if key not in allowed)
    if unknown:
        raise bad_request("Unrecognized attribute(s) '" + ", ".join(unknown) + "'")
    for key in ("tenant_id", "project_id"):
        owner = body.get(key)
        if owner is not None and owner != tenant_id:
            if not isinstance(owner, str):
                raise bad_request(f"Invalid input for {key}. Reason: '{owner}' is not a valid string.")
            # Only an administrator makes resources for another project.
            raise policy_refused(action)


def boolean(value: Any, name: str) -> bool:
    """
    Neutron's ``convert_to_boolean``: booleans, 0 and 1, and their text.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise bad_request(f"Invalid input for {name}. Reason: '{value}' cannot be converted to boolean.")


def string(value: Any, name: str, limit: int = 255) -> str:
    if not isinstance(value, str):
        raise bad_request(f"Invalid input for {name}. Reason: '{value}' is not a valid string.")
    if len(value) > limit:
        raise bad_request(f"Invalid input for {name}. Reason: '{value}' exceeds maximum length of {limit}.")
    return value


def identifier(value: Any, name: str) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError
        uuid.UUID(value)
    except ValueError:
        raise bad_request(f"Invalid input for {name}. Reason: '{value}' is not a valid UUID.")
    return value


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad_request(f"Invalid input for {name}. Reason: '{value}' is not a list.")
    return value


def _dict(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"Invalid input for {name}. Reason: '{value}' is not a dictionary.")
    return value


def _common(body: Mapping[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    for key in ("name", "description", "device_id", "device_owner"):
        if key in body:
            out[key] = string(body[key], key)
    for key in ("admin_state_up", "shared", "port_security_enabled", "enable_dhcp", "stateful"):
        if key in body:
            out[key] = boolean(body[key], key)
    return out


def network_fields(body: Mapping[str, Any], tenant_id: str, create: bool) -> dict[str, Any]:
    check_attributes(body, NETWORK_CREATE if create else NETWORK_UPDATE, tenant_id, action="create_network")
    out = _common(body, {})
    if "router:external" in body:
        out["external"] = boolean(body["router:external"], "router:external")
    if "mtu" in body:
        mtu = body["mtu"]
        if isinstance(mtu, bool) or not isinstance(mtu, int) or not 68 <= mtu <= 9000:
            raise bad_request(f"Invalid input for mtu. Reason: '{mtu}' is not an integer between 68 and 9000.")
        out["mtu"] = mtu
    return out


def _pools(value: Any, cidr: Any) -> list[tuple[int, int]]:
    pools = []
    for pool in _list(value, "allocation_pools"):
        pool = _dict(pool, "allocation_pools")
        if set(pool) != {"start", "end"}:
            raise bad_request(
                f"Invalid input for allocation_pools. Reason: Validation of dictionary's keys failed. "
                f"Expected keys: {{'end', 'start'}} Provided keys: {set(pool)}."
            )
        start = parse_address(pool["start"], "allocation_pools")
        end = parse_address(pool["end"], "allocation_pools")
        if cidr is not None and (start.version != cidr.version or end.version != cidr.version):
            raise bad_request(f"Invalid input for operation: The allocation pool {pool['start']}-{pool['end']} is not valid.")
        pools.append((int(start), int(end)))
    return pools


def _gateway(value: Any, cidr: Any) -> Any:
    if value is None:
        return None
    address = parse_address(value, "gateway_ip")
    if cidr is not None and address.version != cidr.version:
        raise bad_request("Invalid input for operation: Gateway is not valid on subnet.")
    return int(address)


def _routes(value: Any) -> list[tuple[str, str]]:
    routes = []
    for route in _list(value, "host_routes"):
        route = _dict(route, "host_routes")
        if set(route) != {"destination", "nexthop"}:
            raise bad_request("Invalid input for host_routes. Reason: Validation of dictionary's keys failed.")
        destination = parse_cidr(route["destination"], "host_routes")
        nexthop = parse_address(route["nexthop"], "host_routes")
        routes.append((str(destination), str(nexthop)))
    return routes


def _nameservers(value: Any) -> list[str]:
    servers = [str(parse_address(s, "dns_nameservers")) for s in _list(value, "dns_nameservers")]
    if len(servers) != len(set(servers)):
        raise bad_request("Invalid input for dns_nameservers. Reason: Duplicate nameserver.")
    return servers


def subnet_create(body: Mapping[str, Any], tenant_id: str) -> dict[str, Any]:
    check_attributes(body, SUBNET_CREATE, tenant_id, action="create_subnet")
    if "network_id" not in body:
        raise bad_request("Failed to parse request. Required attribute 'network_id' not specified")
    if "cidr" not in body or body["cidr"] is None:
        raise bad_request("Bad subnets request: a subnetpool must be specified in the absence of a cidr.")
    version = body.get("ip_version")
    if "ip_version" not in body:
        raise bad_request("Failed to parse request. Required attribute 'ip_version' not specified")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if version not in (4, 6):
        raise bad_request(f"Invalid input for ip_version. Reason: {version} is not in valid_values [4, 6].")
    cidr = parse_cidr(body["cidr"])
    out = _common(body, {"network_id": identifier(body["network_id"], "network_id"), "cidr": cidr, "ip_version": version})
    if "gateway_ip" in body:
        out["gateway"] = _gateway(body["gateway_ip"], cidr)
    else:
        out["gateway"] = UNSET
    if "allocation_pools" in body and body["allocation_pools"] is not None:
        out["pools"] = _pools(body["allocation_pools"], cidr)
    if "dns_nameservers" in body:
        out["dns_nameservers"] = _nameservers(body["dns_nameservers"])
    if "host_routes" in body:
        out["host_routes"] = _routes(body["host_routes"])
    for key in ("ipv6_ra_mode", "ipv6_address_mode"):
        if body.get(key) is not None:
            if body[key] not in _MODES:
                raise bad_request(
                    f"Invalid input for {key}. Reason: {body[key]} is not in valid_values {list(_MODES)}."
                )
            if version != 6:
                raise bad_request(f"Invalid input for operation: {key} is not valid when ip_version is 4.")
            out[key] = body[key]
    ra_mode, address_mode = out.get("ipv6_ra_mode"), out.get("ipv6_address_mode")
    if ra_mode and address_mode and ra_mode != address_mode:
        raise bad_request(
            f"Invalid input for operation: ipv6_ra_mode set to '{ra_mode}' with ipv6_address_mode set to "
            f"'{address_mode}' is not valid. If both attributes are set, they must be the same value."
        )
    if body.get("subnetpool_id") is not None:
        raise bad_request("Bad subnets request: subnetpool_id is not supported.")
    return out


def subnet_update(body: Mapping[str, Any], tenant_id: str, cidr: Any) -> dict[str, Any]:
    check_attributes(body, SUBNET_UPDATE, tenant_id, SUBNET_READ_ONLY)
    out = _common(body, {})
    if "gateway_ip" in body:
        out["gateway_ip"] = _gateway(body["gateway_ip"], cidr)
    if "allocation_pools" in body:
        out["allocation_pools"] = _pools(body["allocation_pools"], cidr)
    if "dns_nameservers" in body:
        out["dns_nameservers"] = tuple(_nameservers(body["dns_nameservers"]))
    if "host_routes" in body:
        out["host_routes"] = tuple(_routes(body["host_routes"]))
    return out


def _fixed_ips(value: Any) -> list[tuple[str | None, str | None]]:
    requested = []
    for entry in _list(value, "fixed_ips"):
        entry = _dict(entry, "fixed_ips")
        unknown = set(entry) - {"subnet_id", "ip_address"}
        if unknown:
            raise bad_request(f"Invalid input for fixed_ips. Reason: Unrecognized attribute(s) '{', '.join(sorted(unknown))}'.")
        subnet_id = entry.get("subnet_id")
        address = entry.get("ip_address")
        if subnet_id is None and address is None:
            raise bad_request("Invalid input for fixed_ips. Reason: Exactly one of 'subnet_id' or 'ip_address' must be given.")
        if subnet_id is not None:
            identifier(subnet_id, "fixed_ips")
        if address is not None:
            address = str(parse_address(address, "fixed_ips"))
        requested.append((subnet_id, address))
    return requested


def _pairs(value: Any) -> list[tuple[str, str | None]]:
    pairs = []
    for pair in _list(value, "allowed_address_pairs"):
        pair = _dict(pair, "allowed_address_pairs")
        if "ip_address" not in pair:
            raise bad_request("Invalid input for allowed_address_pairs. Reason: AllowedAddressPair must contain ip_address.")
        unknown = set(pair) - {"ip_address", "mac_address"}
        if unknown:
            raise bad_request(f"Unrecognized attribute(s) '{', '.join(sorted(unknown))}'")
        raw = pair["ip_address"]
        try:
            if not isinstance(raw, str):
                raise ValueError
            address = str(ipaddress.ip_network(raw, strict=False)) if "/" in raw else str(ipaddress.ip_address(raw))
        except ValueError:
            raise bad_request(f"Invalid input for ip_address. Reason: '{raw}' is not a valid IP address.")
        mac = pair.get("mac_address")
        if mac is not None and (not isinstance(mac, str) or not re.match(r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$", mac)):
            raise bad_request(f"Invalid input for mac_address. Reason: '{mac}' is not a valid MAC address.")
        pairs.append((address, mac.lower() if mac else None))
    if len(pairs) != len(set(pairs)):
        raise bad_request("Request contains duplicate address pair: " + str(pairs[0]))
    return pairs


def port_fields(body: Mapping[str, Any], tenant_id: str, create: bool) -> dict[str, Any]:
    check_attributes(body, PORT_CREATE if create else PORT_UPDATE, tenant_id, action="create_port")
    out = _common(body, {})
    if create:
        if "network_id" not in body:
            raise bad_request("Failed to parse request. Required attribute 'network_id' not specified")
        out["network_id"] = identifier(body["network_id"], "network_id")
    if "mac_address" in body:
        out["mac_address"] = body["mac_address"]
    if "fixed_ips" in body:
        out["fixed_ips"] = _fixed_ips(body["fixed_ips"])
    if "security_groups" in body:
        groups = body["security_groups"]
        out["security_groups"] = [identifier(g, "security_groups") for g in _list(groups, "security_groups")] if groups is not None else []
    if "allowed_address_pairs" in body:
        value = body["allowed_address_pairs"]
        out["allowed_address_pairs"] = _pairs(value) if value is not None else []
    return out


def group_fields(body: Mapping[str, Any], tenant_id: str, create: bool) -> dict[str, Any]:
    check_attributes(body, GROUP_CREATE if create else GROUP_UPDATE, tenant_id, action="create_security_group")
    return _common(body, {})


def rule_fields(body: Mapping[str, Any], tenant_id: str) -> dict[str, Any]:
    check_attributes(body, RULE_CREATE, tenant_id, action="create_security_group_rule")
    if "security_group_id" not in body:
        raise bad_request("Failed to parse request. Required attribute 'security_group_id' not specified")
    identifier(body["security_group_id"], "security_group_id")
    return dict(body)


def floating_fields(body: Mapping[str, Any], tenant_id: str, create: bool) -> dict[str, Any]:
    check_attributes(body, FLOATING_CREATE if create else FLOATING_UPDATE, tenant_id, action="create_floatingip")
    out: dict[str, Any] = {}
    if create:
        if "floating_network_id" not in body:
            raise bad_request("Failed to parse request. Required attribute 'floating_network_id' not specified")
        out["network_id"] = identifier(body["floating_network_id"], "floating_network_id")
        if body.get("floating_ip_address") is not None:
            out["floating_ip_address"] = str(parse_address(body["floating_ip_address"], "floating_ip_address"))
    if "port_id" in body:
        out["port_id"] = identifier(body["port_id"], "port_id") if body["port_id"] is not None else None
    if body.get("fixed_ip_address") is not None:
        out["fixed_ip_address"] = str(parse_address(body["fixed_ip_address"], "fixed_ip_address"))
    if "description" in body:
        out["description"] = string(body["description"], "description")
    return out


def router_fields(body: Mapping[str, Any], tenant_id: str, create: bool) -> dict[str, Any]:
    check_attributes(body, ROUTER_CREATE if create else ROUTER_UPDATE, tenant_id, action="create_router")
    out = _common(body, {})
    if "external_gateway_info" in body:
        gateway = body["external_gateway_info"]
        if gateway is not None:
            gateway = _dict(gateway, "external_gateway_info")
            unknown = set(gateway) - {"network_id", "enable_snat", "external_fixed_ips"}
            if unknown:
                raise bad_request(
                    "Invalid input for external_gateway_info. Reason: Unexpected keys supplied: "
                    + ", ".join(sorted(unknown)) + "."
                )
            if gateway and "network_id" not in gateway:
                raise bad_request("Invalid input for external_gateway_info. Reason: Validation of dictionary's keys failed.")
            if "network_id" in gateway:
                identifier(gateway["network_id"], "network_id")
            fixed = gateway.get("external_fixed_ips")
            if fixed is not None:
                for entry in _list(fixed, "external_fixed_ips"):
                    _dict(entry, "external_fixed_ips")
        out["external_gateway_info"] = gateway
    if "routes" in body:
        routes = []
        for route in _list(body["routes"] or [], "routes"):
            route = _dict(route, "routes")
            if set(route) != {"destination", "nexthop"}:
                raise bad_request("Invalid input for routes. Reason: Validation of dictionary's keys failed.")
            routes.append((str(parse_cidr(route["destination"], "routes")), str(parse_address(route["nexthop"], "routes"))))
        out["routes"] = tuple(routes)
    return out


def interface_body(body: Any) -> tuple[str | None, str | None]:
    if not isinstance(body, dict):
        raise bad_request("Either subnet_id or port_id must be specified")
    subnet_id = body.get("subnet_id")
    port_id = body.get("port_id")
    if subnet_id is not None:
        identifier(subnet_id, "subnet_id")
    if port_id is not None:
        identifier(port_id, "port_id")
    return subnet_id, port_id


def quota_body(body: Any, known: Mapping[str, int]) -> dict[str, int]:
    quota = resource_body(body, "quota")
    out = {}
    for key, value in quota.items():
        if key not in known:
            raise bad_request(f"Unrecognized attribute(s) '{key}'")
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise bad_request(f"Invalid input for {key}. Reason: '{value}' is not a valid quota limit.")
        out[key] = value
    return out
