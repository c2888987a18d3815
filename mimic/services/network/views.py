# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's wire shapes for each resource.

Every resource shows its standard attributes (``created_at``,
``updated_at``, ``revision_number``, ``tags``, ``description``) and both
``tenant_id`` and ``project_id``, as Neutron has since Newton.
"""

from __future__ import annotations

from typing import Any

from mimic.services.network.addresses import address_text
from mimic.services.network.model import (
    FloatingIP,
    Network,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    standard_attributes,
)


def network_json(network: Network) -> dict[str, Any]:
    return standard_attributes(
        network,
        network.tenant_id,
        {
            "id": network.id,
            "name": network.name,
            "admin_state_up": network.admin_state_up,
            "status": network.status,
            "subnets": list(network.subnet_ids),
            "shared": network.shared,
            "router:external": network.external,
            "mtu": network.mtu,
            "port_security_enabled": network.port_security_enabled,
            "availability_zone_hints": [],
            "availability_zones": ["nova"],
            "ipv4_address_scope": None,
            "ipv6_address_scope": None,
            "is_default": network.external,
            "l2_adjacency": True,
            "description": network.description,
        },
    )


def subnet_json(subnet: Subnet) -> dict[str, Any]:
    version = subnet.ip_version
    return standard_attributes(
        subnet,
        subnet.tenant_id,
        {
            "id": subnet.id,
            "name": subnet.name,
            "network_id": subnet.network_id,
            "ip_version": version,
            "cidr": str(subnet.cidr),
            "gateway_ip": None if subnet.gateway_ip is None else address_text(version, subnet.gateway_ip),
            "allocation_pools": [
                {"start": address_text(version, start), "end": address_text(version, end)}
                for start, end in subnet.allocator.pools
            ],
            "enable_dhcp": subnet.enable_dhcp,
            "dns_nameservers": list(subnet.dns_nameservers),
            "host_routes": [{"destination": d, "nexthop": n} for d, n in subnet.host_routes],
            "ipv6_ra_mode": subnet.ipv6_ra_mode,
            "ipv6_address_mode": subnet.ipv6_address_mode,
            "subnetpool_id": None,
            "service_types": [],
            "description": subnet.description,
        },
    )


def port_json(port: Port) -> dict[str, Any]:
    return standard_attributes(
        port,
        port.tenant_id,
        {
            "id": port.id,
            "name": port.name,
            "network_id": port.network_id,
            "mac_address": port.mac_address,
            "admin_state_up": port.admin_state_up,
            "status": port.status,
            "device_id": port.device_id,
            "device_owner": port.device_owner,
            "fixed_ips": [{"subnet_id": s, "ip_address": a} for s, a in port.fixed_ips],
            "allowed_address_pairs": [
                {"ip_address": a, "mac_address": m} for a, m in port.allowed_address_pairs
            ],
            "extra_dhcp_opts": [],
            "security_groups": list(port.security_group_ids),
            "port_security_enabled": port.port_security_enabled,
            "binding:vnic_type": "normal",
            "description": port.description,
        },
    )


def rule_json(rule: SecurityGroupRule) -> dict[str, Any]:
    return rule.to_json()


def security_group_json(group: SecurityGroup) -> dict[str, Any]:
    return standard_attributes(
        group,
        group.tenant_id,
        {
            "id": group.id,
            "name": group.name,
            "description": group.description,
            "stateful": group.stateful,
            "shared": False,
            "security_group_rules": [rule_json(rule) for rule in group.rule_map.values()],
        },
    )


def floating_ip_json(floating_ip: FloatingIP) -> dict[str, Any]:
    return standard_attributes(
        floating_ip,
        floating_ip.tenant_id,
        {
            "id": floating_ip.id,
            "floating_network_id": floating_ip.floating_network_id,
            "floating_ip_address": floating_ip.floating_ip_address,
            "fixed_ip_address": floating_ip.fixed_ip_address,
            "port_id": floating_ip.port_id,
            "router_id": floating_ip.router_id,
            "status": floating_ip.status,
            "port_details": None,
            "port_forwardings": [],
            "qos_policy_id": None,
            "dns_domain": "",
            "dns_name": "",
            "description": floating_ip.description,
        },
    )


def router_json(router: Router) -> dict[str, Any]:
    gateway: dict[str, Any] | None = None
    if router.gateway_network_id is not None:
        gateway = {
            "network_id": router.gateway_network_id,
            "enable_snat": router.enable_snat,
            "external_fixed_ips": [{"subnet_id": s, "ip_address": a} for s, a in router.gateway_ips],
        }
    return standard_attributes(
        router,
        router.tenant_id,
        {
            "id": router.id,
            "name": router.name,
            "admin_state_up": router.admin_state_up,
            "status": router.status,
            "external_gateway_info": gateway,
            "routes": [{"destination": d, "nexthop": n} for d, n in router.routes],
            "availability_zone_hints": [],
            "availability_zones": ["nova"],
            "distributed": False,
            "ha": False,
            "flavor_id": None,
            "description": router.description,
        },
    )
