# -*- test-case-name: mimic.test.test_loadbalancer_views -*-
"""
Cloud Load Balancers' wire format: the model's balancers, nodes, settings
and metadata as the v1.0 API shows them.  Every response body this
service sends is built here.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from mimic.services.loadbalancer.model import (
    ALGORITHMS,
    DEFAULT_ERROR_PAGE,
    PROTOCOLS,
    AccessRule,
    LoadBalancer,
    MetadataItem,
    Node,
    VirtualIP,
)
from mimic.timestamps import iso_seconds

#: What every balancer shows of the cluster it runs on and the addresses
#: its traffic to the nodes comes from.
CLUSTER = {"name": "ztm-n01.mimic.lbaas.rackspace.net"}
SOURCE_ADDRESSES = {
    "ipv4Public": "203.0.113.250",
    "ipv4Servicenet": "10.183.252.250",
    "ipv6Public": "2001:db8:ffff::/64",
}


def _time(seconds: float) -> dict[str, str]:
    return {"time": iso_seconds(seconds)}


# --- parts -----------------------------------------------------------------


def node_json(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "address": node.address,
        "port": node.port,
        "condition": node.condition,
        "status": node.status,
        "type": node.type,
        "weight": node.weight,
    }


def virtual_ip_json(vip: VirtualIP) -> dict[str, Any]:
    return {
        "id": vip.id,
        "address": vip.address,
        "type": vip.type,
        "ipVersion": vip.ip_version,
    }


def access_rule_json(rule: AccessRule) -> dict[str, Any]:
    return {"id": rule.id, "address": rule.address, "type": rule.type}


def metadata_item_json(item: MetadataItem) -> dict[str, Any]:
    return {"id": item.id, "key": item.key, "value": item.value}


# --- balancers ---------------------------------------------------------------


def balancer_summary(balancer: LoadBalancer, now: float) -> dict[str, Any]:
    """
    A balancer as listed: no nodes, but how many.
    """
    return {
        "id": balancer.id,
        "name": balancer.name,
        "protocol": balancer.protocol,
        "port": balancer.port,
        "algorithm": balancer.algorithm,
        "status": balancer.status(now),
        "timeout": balancer.timeout,
        "nodeCount": len(balancer.nodes),
        "virtualIps": [virtual_ip_json(vip) for vip in balancer.virtual_ips],
        "created": _time(balancer.created),
        "updated": _time(balancer.updated),
    }


def balancer_json(balancer: LoadBalancer, now: float, status: str | None = None) -> dict[str, Any]:
    """
    A balancer in full, as shown alone; ``status`` overrides the current
    one (a create answers BUILD, whatever the balancer does next).
    """
    described: dict[str, Any] = {
        "id": balancer.id,
        "name": balancer.name,
        "protocol": balancer.protocol,
        "port": balancer.port,
        "algorithm": balancer.algorithm,
        "status": balancer.status(now) if status is None else status,
        "timeout": balancer.timeout,
        "virtualIps": [virtual_ip_json(vip) for vip in balancer.virtual_ips],
        "created": _time(balancer.created),
        "updated": _time(balancer.updated),
        "halfClosed": balancer.half_closed,
        "httpsRedirect": balancer.https_redirect,
        "cluster": dict(CLUSTER),
        "sourceAddresses": dict(SOURCE_ADDRESSES),
        "connectionLogging": {"enabled": balancer.connection_logging},
        "contentCaching": {"enabled": balancer.content_caching},
    }
    if balancer.nodes:
        described["nodes"] = [node_json(node) for node in balancer.nodes.values()]
    if balancer.metadata:
        described["metadata"] = [metadata_item_json(item) for item in balancer.metadata.values()]
    if balancer.health_monitor is not None:
        described["healthMonitor"] = dict(balancer.health_monitor)
    if balancer.connection_throttle is not None:
        described["connectionThrottle"] = dict(balancer.connection_throttle)
    if balancer.session_persistence is not None:
        described["sessionPersistence"] = {"persistenceType": balancer.session_persistence}
    if balancer.access_list:
        described["accessList"] = [access_rule_json(r) for r in balancer.access_list.values()]
    return described


def balancer_body(balancer: LoadBalancer, now: float, status: str | None = None) -> dict[str, Any]:
    return {"loadBalancer": balancer_json(balancer, now, status)}


def balancer_list(
    balancers: Iterable[LoadBalancer], now: float, next_href: str | None = None
) -> dict[str, Any]:
    """
    A page of the listing, with a ``next`` link when more follow.
    """
    body: dict[str, Any] = {"loadBalancers": [balancer_summary(b, now) for b in balancers]}
    if next_href is not None:
        body["links"] = [{"href": next_href, "rel": "next"}]
    return body


def virtual_ips_body(balancer: LoadBalancer) -> dict[str, Any]:
    return {"virtualIps": [virtual_ip_json(vip) for vip in balancer.virtual_ips]}


# --- nodes -------------------------------------------------------------------


def nodes_body(nodes: Iterable[Node]) -> dict[str, Any]:
    return {"nodes": [node_json(node) for node in nodes]}


def node_body(node: Node) -> dict[str, Any]:
    return {"node": node_json(node)}


# --- settings ----------------------------------------------------------------


def health_monitor_body(balancer: LoadBalancer) -> dict[str, Any]:
    return {"healthMonitor": balancer.health_monitor or {}}


def connection_throttle_body(balancer: LoadBalancer) -> dict[str, Any]:
    return {"connectionThrottle": balancer.connection_throttle or {}}


def session_persistence_body(balancer: LoadBalancer) -> dict[str, Any]:
    persistence = balancer.session_persistence
    return {"sessionPersistence": {"persistenceType": persistence} if persistence else {}}


def connection_logging_body(balancer: LoadBalancer) -> dict[str, Any]:
    return {"connectionLogging": {"enabled": balancer.connection_logging}}


def content_caching_body(balancer: LoadBalancer) -> dict[str, Any]:
    return {"contentCaching": {"enabled": balancer.content_caching}}


def error_page_body(balancer: LoadBalancer) -> dict[str, Any]:
    page = balancer.error_page
    return {"errorpage": {"content": page if page is not None else DEFAULT_ERROR_PAGE}}


def access_list_body(balancer: LoadBalancer) -> dict[str, Any]:
    return {"accessList": [access_rule_json(rule) for rule in balancer.access_list.values()]}


# --- metadata ----------------------------------------------------------------


def metadata_body(items: Iterable[MetadataItem]) -> dict[str, Any]:
    return {"metadata": [metadata_item_json(item) for item in items]}


def meta_item_body(item: MetadataItem) -> dict[str, Any]:
    return {"meta": metadata_item_json(item)}


# --- the service ---------------------------------------------------------------


def protocols_body() -> dict[str, Any]:
    return {"protocols": [{"name": name, "port": port} for name, port in PROTOCOLS.items()]}


def algorithms_body() -> dict[str, Any]:
    return {"algorithms": [{"name": name} for name in ALGORITHMS]}


def absolute_limits_body(limits: Mapping[str, int]) -> dict[str, Any]:
    return {"absolute": [{"name": name, "value": value} for name, value in limits.items()]}
