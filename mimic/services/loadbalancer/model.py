# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
Cloud Load Balancers' state for one tenant in one region: balancers, their
nodes, settings and metadata, and the rules of their life cycle.  No HTTP
here: :mod:`.routes` parses requests and calls these methods, which raise
the service's errors (:mod:`.errors`) when the real service would refuse.

A balancer's status is computed from timestamps, never by timers: each
transition records the status it is in, until when, and what follows, so
reading a status is O(1) and Mimic's clock alone decides (advanced by the
tick API, or real with ``--realtime``).
"""

from __future__ import annotations

from typing import Any, Iterator

from attrs import define, field
from twisted.internet.interfaces import IReactorTime
from zope.interface import implementer

from mimic.interfaces import IRegionState
from mimic.services.loadbalancer.errors import (
    immutable,
    immutable_for_delete,
    item_not_found,
    loadbalancer_not_found,
    marked_deleted,
    node_not_found,
    over_limit,
    unknown_for_delete,
    validation_error,
)
from mimic.timestamps import iso_seconds

ACTIVE = "ACTIVE"
BUILD = "BUILD"
PENDING_UPDATE = "PENDING_UPDATE"
PENDING_DELETE = "PENDING_DELETE"
DELETED = "DELETED"
ERROR = "ERROR"
STATUSES = (ACTIVE, BUILD, PENDING_UPDATE, PENDING_DELETE, DELETED, ERROR)
#: The statuses the control plane may put a balancer in directly.
FORCEABLE_STATUSES = (ACTIVE, ERROR, PENDING_UPDATE, PENDING_DELETE)

#: Protocols and their default ports, as ``GET /loadbalancers/protocols``.
PROTOCOLS: dict[str, int] = {
    "DNS_TCP": 53,
    "DNS_UDP": 53,
    "FTP": 21,
    "HTTP": 80,
    "HTTPS": 443,
    "IMAPS": 993,
    "IMAPv2": 143,
    "IMAPv3": 220,
    "IMAPv4": 143,
    "LDAP": 389,
    "LDAPS": 636,
    "MYSQL": 3306,
    "POP3": 110,
    "POP3S": 995,
    "SFTP": 22,
    "SMTP": 25,
    "TCP": 0,
    "TCP_CLIENT_FIRST": 0,
    "UDP": 0,
    "UDP_STREAM": 0,
}

ALGORITHMS = (
    "LEAST_CONNECTIONS",
    "RANDOM",
    "ROUND_ROBIN",
    "WEIGHTED_LEAST_CONNECTIONS",
    "WEIGHTED_ROUND_ROBIN",
)

#: CLB's default absolute limits, as ``GET /loadbalancers/absolutelimits``.
DEFAULT_LIMITS: dict[str, int] = {
    "IPV6_LIMIT": 25,
    "LOADBALANCER_LIMIT": 25,
    "BATCH_DELETE_LIMIT": 10,
    "ACCESS_LIST_LIMIT": 100,
    "NODE_LIMIT": 25,
    "NODE_META_LIMIT": 25,
    "LOADBALANCER_META_LIMIT": 25,
    "CERTIFICATE_MAPPING_LIMIT": 20,
}

#: How long CLB keeps showing a deleted balancer (as DELETED): 90 days.
DELETED_RETENTION = 90 * 24 * 60 * 60

DEFAULT_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>The service is temporarily "
    "unavailable. Please try again later.</p></body></html>"
)


def _time(seconds: float) -> dict[str, str]:
    return {"time": iso_seconds(seconds)}


@define
class MetadataItem:
    id: int
    key: str
    value: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "value": self.value}


@define
class Node:
    """
    A back-end address and port the balancer sends traffic to.
    """

    id: int
    address: str
    port: int
    condition: str = "ENABLED"
    type: str = "PRIMARY"
    weight: int = 1
    metadata: dict[int, MetadataItem] = field(factory=dict)

    @property
    def status(self) -> str:
        """
        Mimic's nodes are always reachable, so they are ONLINE unless taken
        out of rotation.
        """
        return "OFFLINE" if self.condition == "DISABLED" else "ONLINE"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "address": self.address,
            "port": self.port,
            "condition": self.condition,
            "status": self.status,
            "type": self.type,
            "weight": self.weight,
        }


@define
class VirtualIP:
    id: int
    address: str
    type: str
    ip_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "address": self.address,
            "type": self.type,
            "ipVersion": self.ip_version,
        }


@define
class AccessRule:
    id: int
    address: str
    type: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "address": self.address, "type": self.type}


@define
class LoadBalancer:
    """
    One balancer.  ``_status`` holds until ``_until``; from then on the
    status is ``_next`` (the transitions are BUILD -> ACTIVE,
    PENDING_UPDATE -> ACTIVE or ERROR, PENDING_DELETE -> DELETED).
    """

    id: int
    name: str
    protocol: str
    port: int
    algorithm: str
    virtual_ips: list[VirtualIP]
    created: float
    updated: float
    nodes: dict[int, Node] = field(factory=dict)
    metadata: dict[int, MetadataItem] = field(factory=dict)
    timeout: int = 30
    half_closed: bool = False
    https_redirect: bool = False
    health_monitor: dict[str, Any] | None = None
    connection_throttle: dict[str, Any] | None = None
    session_persistence: str | None = None
    connection_logging: bool = False
    content_caching: bool = False
    access_list: dict[int, AccessRule] = field(factory=dict)
    error_page: str | None = None
    _status: str = BUILD
    _until: float = 0.0
    _next: str = ACTIVE

    def status(self, now: float) -> str:
        return self._status if now < self._until else self._next

    def transition(self, now: float, status: str, seconds: float, then: str) -> None:
        """
        Be ``status`` for ``seconds`` from ``now``, then ``then``.
        """
        self._status, self._until, self._next = status, now + seconds, then
        self.updated = now

    def deleted_since(self, now: float) -> float | None:
        """
        When the balancer became DELETED, if it is.
        """
        if self._next == DELETED and now >= self._until:
            return self._until
        return None

    def metadata_dict(self) -> dict[str, str]:
        return {item.key: item.value for item in self.metadata.values()}

    def summary_json(self, now: float) -> dict[str, Any]:
        """
        A balancer as listed: no nodes, but how many.
        """
        return {
            "id": self.id,
            "name": self.name,
            "protocol": self.protocol,
            "port": self.port,
            "algorithm": self.algorithm,
            "status": self.status(now),
            "timeout": self.timeout,
            "nodeCount": len(self.nodes),
            "virtualIps": [vip.to_json() for vip in self.virtual_ips],
            "created": _time(self.created),
            "updated": _time(self.updated),
        }

    def to_json(self, now: float, status: str | None = None) -> dict[str, Any]:
        described = self.summary_json(now)
        del described["nodeCount"]
        if status is not None:
            described["status"] = status
        described.update(
            {
                "halfClosed": self.half_closed,
                "httpsRedirect": self.https_redirect,
                "cluster": {"name": "ztm-n01.mimic.lbaas.rackspace.net"},
                "sourceAddresses": {
                    "ipv4Public": "203.0.113.250",
                    "ipv4Servicenet": "10.183.252.250",
                    "ipv6Public": "2001:db8:ffff::/64",
                },
                "connectionLogging": {"enabled": self.connection_logging},
                "contentCaching": {"enabled": self.content_caching},
            }
        )
        if self.nodes:
            described["nodes"] = [node.to_json() for node in self.nodes.values()]
        if self.metadata:
            described["metadata"] = [item.to_json() for item in self.metadata.values()]
        if self.health_monitor is not None:
            described["healthMonitor"] = dict(self.health_monitor)
        if self.connection_throttle is not None:
            described["connectionThrottle"] = dict(self.connection_throttle)
        if self.session_persistence is not None:
            described["sessionPersistence"] = {"persistenceType": self.session_persistence}
        if self.access_list:
            described["accessList"] = [rule.to_json() for rule in self.access_list.values()]
        return described


@implementer(IRegionState)
@define
class RegionLoadBalancers:
    """
    Every balancer of one tenant in one region.

    Ids are per region and increase, so the dict's insertion order is the
    listing order.  ``limits`` are CLB's absolute limits; a harness may
    raise them (a benchmark creating thousands of balancers, say).
    """

    clock: IReactorTime
    tenant_id: str
    region: str
    limits: dict[str, int] = field(factory=lambda: dict(DEFAULT_LIMITS))
    balancers: dict[int, LoadBalancer] = field(factory=dict)
    _live: int = 0
    _next_lb_id: int = 1
    _next_id: int = 1
    _vips_by_id: dict[int, tuple[VirtualIP, int]] = field(factory=dict)

    def now(self) -> float:
        return self.clock.seconds()

    def new_lb_id(self) -> int:
        allocated = self._next_lb_id
        self._next_lb_id += 1
        return allocated

    def new_id(self) -> int:
        """
        An id for a node, virtual IP, metadata item or network item.
        """
        allocated = self._next_id
        self._next_id += 1
        return allocated

    # --- lookups ---------------------------------------------------------

    def get(self, lb_id: int) -> LoadBalancer:
        """
        The balancer with this id, deleted or not; 404 if there is none
        (or it was deleted so long ago that CLB forgot it).
        """
        balancer = self.balancers.get(lb_id)
        if balancer is None or self._forgotten(balancer, self.now()):
            raise loadbalancer_not_found()
        return balancer

    def existing(self, lb_id: int) -> LoadBalancer:
        """
        A balancer whose parts can be read: 410 once it is deleted.
        """
        balancer = self.get(lb_id)
        if balancer.status(self.now()) == DELETED:
            raise marked_deleted()
        return balancer

    def mutable(self, lb_id: int) -> LoadBalancer:
        """
        A balancer that can be changed now: ACTIVE, else 422 (410 if
        deleted).
        """
        balancer = self.existing(lb_id)
        status = balancer.status(self.now())
        if status != ACTIVE:
            raise immutable(balancer.id, status)
        return balancer

    def node(self, balancer: LoadBalancer, node_id: int) -> Node:
        node = balancer.nodes.get(node_id)
        if node is None:
            raise node_not_found()
        return node

    def _forgotten(self, balancer: LoadBalancer, now: float) -> bool:
        """
        Whether the balancer was deleted longer ago than CLB keeps showing
        it; if so it is dropped from the state here, on first sight.
        """
        since = balancer.deleted_since(now)
        if since is None or now < since + DELETED_RETENTION:
            return False
        self._forget(balancer)
        return True

    def _forget(self, balancer: LoadBalancer) -> None:
        del self.balancers[balancer.id]
        for vip in balancer.virtual_ips:
            holder = self._vips_by_id.get(vip.id)
            if holder is not None and holder[1] == balancer.id:
                del self._vips_by_id[vip.id]

    def listing(self) -> Iterator[LoadBalancer]:
        """
        Every balancer CLB still knows, in id order.
        """
        now = self.now()
        for balancer in list(self.balancers.values()):
            if not self._forgotten(balancer, now):
                yield balancer

    # --- life cycle ------------------------------------------------------

    def create(
        self,
        *,
        name: str,
        protocol: str,
        port: int,
        algorithm: str,
        virtual_ips: list[dict[str, Any]],
        nodes: list[dict[str, Any]],
        metadata: list[dict[str, str]],
        settings: dict[str, Any],
        access_list: list[dict[str, str]],
        build_seconds: float,
        then: str,
    ) -> LoadBalancer:
        """
        Add a balancer, in BUILD for ``build_seconds`` and then ``then``.
        Everything has been validated except what depends on the state
        (limits, shared virtual IPs).
        """
        if self._live >= self.limits["LOADBALANCER_LIMIT"]:
            raise over_limit(
                f"Load balancer limit of {self.limits['LOADBALANCER_LIMIT']} reached; "
                "delete a load balancer or ask for a higher limit."
            )
        self._check_node_count(0, len(nodes))
        self._check_meta_count(0, len(metadata), "LOADBALANCER_META_LIMIT", "load balancer")
        self.check_access_rules(None, access_list)
        lb_id = self.new_lb_id()
        vips = [vip for spec in virtual_ips for vip in self._virtual_ips(spec, lb_id, port)]
        now = self.now()
        balancer = LoadBalancer(
            id=lb_id,
            name=name,
            protocol=protocol,
            port=port,
            algorithm=algorithm,
            virtual_ips=vips,
            created=now,
            updated=now,
            **settings,
        )
        for spec in nodes:
            self._add_node(balancer, spec)
        for item in metadata:
            self._add_metadata(balancer.metadata, item)
        self.add_access_rules(balancer, access_list)
        balancer.transition(now, BUILD, build_seconds, then)
        for vip in vips:
            self._vips_by_id.setdefault(vip.id, (vip, lb_id))
        self.balancers[lb_id] = balancer
        self._live += 1
        return balancer

    def _virtual_ips(self, spec: dict[str, Any], lb_id: int, port: int) -> list[VirtualIP]:
        """
        The addresses one ``virtualIps`` item asks for: a shared one by id,
        or new ones; PUBLIC without an ``ipVersion`` gets an IPv4 and an
        IPv6 address, as at Rackspace.
        """
        if "id" in spec:
            shared = self._vips_by_id.get(spec["id"])
            if shared is None:
                raise validation_error([f"Virtual ip {spec['id']} not found."])
            vip, owner_id = shared
            owner = self.balancers.get(owner_id)
            if owner is not None and owner.port == port:
                raise validation_error(
                    [f"Virtual ip {vip.id} is already used by a load balancer on port {port}."]
                )
            return [vip]
        versions = [spec["ipVersion"]] if spec["ipVersion"] else ["IPV4"]
        if spec["ipVersion"] is None and spec["type"] == "PUBLIC":
            versions.append("IPV6")
        vips = []
        for version in versions:
            if version == "IPV6":
                address = f"2001:db8:{lb_id // 65536:x}:{lb_id % 65536:x}::1"
            elif spec["type"] == "SERVICENET":
                address = f"10.{(lb_id >> 16) & 255}.{(lb_id >> 8) & 255}.{lb_id & 255}"
            else:
                address = f"198.{18 + ((lb_id >> 16) & 1)}.{(lb_id >> 8) & 255}.{lb_id & 255}"
            vips.append(VirtualIP(self.new_id(), address, spec["type"], version))
        return vips

    def delete(self, balancer: LoadBalancer, seconds: float) -> None:
        """
        Start deleting a balancer that may be deleted (ACTIVE or ERROR).
        """
        balancer.transition(self.now(), PENDING_DELETE, seconds, DELETED)
        self._live -= 1

    def check_deletable(self, balancer: LoadBalancer) -> None:
        """
        CLB deletes ACTIVE and ERROR balancers; it refuses others with 422,
        and a second delete with 400 (its batch-delete wording).
        """
        status = balancer.status(self.now())
        if status == PENDING_DELETE:
            raise immutable_for_delete([balancer.id])
        if status == DELETED:
            raise unknown_for_delete([balancer.id])
        if status not in (ACTIVE, ERROR):
            raise immutable(balancer.id, status)

    def force_status(self, lb_id: int, status: str) -> LoadBalancer:
        """
        For the control plane (the old mimic's ``cloudLoadBalancerControl``):
        put a balancer in ``status`` now, whatever it was doing, until a
        client's next change moves it on (which CLB accepts only from
        ACTIVE).  Only ACTIVE, ERROR, PENDING_UPDATE and PENDING_DELETE
        can be set (ValueError otherwise); a PENDING_DELETE set this way
        does not delete it.  404 for an unknown balancer, 410 for a
        deleted one, in CLB's shape.
        """
        if status not in FORCEABLE_STATUSES:
            raise ValueError(status)
        balancer = self.existing(lb_id)
        balancer.transition(self.now(), status, float("inf"), status)
        return balancer

    def changed(self, balancer: LoadBalancer, seconds: float, then: str) -> None:
        """
        A change was accepted: PENDING_UPDATE for ``seconds``, then
        ``then`` (ACTIVE, or ERROR when applying it fails).
        """
        balancer.transition(self.now(), PENDING_UPDATE, seconds, then)

    # --- nodes -----------------------------------------------------------

    def _check_node_count(self, existing: int, adding: int) -> None:
        limit = self.limits["NODE_LIMIT"]
        if existing + adding > limit:
            raise over_limit(f"Nodes must not exceed {limit} per load balancer.")

    def _check_meta_count(self, existing: int, adding: int, limit_name: str, what: str) -> None:
        limit = self.limits[limit_name]
        if existing + adding > limit:
            raise over_limit(f"Metadata must not exceed {limit} per {what}.")

    def check_new_nodes(self, balancer: LoadBalancer, specs: list[dict[str, Any]]) -> None:
        """
        Refuse nodes that repeat an address and port, or exceed the limit.
        """
        seen = {(n.address, n.port) for n in balancer.nodes.values()}
        for spec in specs:
            key = (spec["address"], spec["port"])
            if key in seen:
                raise over_limit(
                    "Duplicate nodes detected. One or more nodes already configured "
                    "on load balancer."
                )
            seen.add(key)
        self._check_node_count(len(balancer.nodes), len(specs))

    def add_nodes(self, balancer: LoadBalancer, specs: list[dict[str, Any]]) -> list[Node]:
        return [self._add_node(balancer, spec) for spec in specs]

    def _add_node(self, balancer: LoadBalancer, spec: dict[str, Any]) -> Node:
        node = Node(id=self.new_id(), **spec)
        balancer.nodes[node.id] = node
        return node

    # --- metadata --------------------------------------------------------

    def add_metadata(
        self, items: dict[int, MetadataItem], new: list[dict[str, str]], limit_name: str, what: str
    ) -> list[MetadataItem]:
        keys = {item.key for item in items.values()}
        for item in new:
            if item["key"] in keys:
                raise validation_error([f"Duplicate key '{item['key']}' found in metadata."])
            keys.add(item["key"])
        self._check_meta_count(len(items), len(new), limit_name, what)
        return [self._add_metadata(items, item) for item in new]

    def _add_metadata(self, items: dict[int, MetadataItem], item: dict[str, str]) -> MetadataItem:
        added = MetadataItem(self.new_id(), item["key"], item["value"])
        items[added.id] = added
        return added

    @staticmethod
    def metadata_item(items: dict[int, MetadataItem], meta_id: int) -> MetadataItem:
        item = items.get(meta_id)
        if item is None:
            raise item_not_found("Metadata item")
        return item

    # --- access list -----------------------------------------------------

    def check_access_rules(self, balancer: LoadBalancer | None, rules: list[dict[str, str]]) -> None:
        """
        Refuse rules that repeat an address or exceed the limit.
        """
        current = balancer.access_list.values() if balancer is not None else ()
        existing = {rule.address for rule in current}
        for rule in rules:
            if rule["address"] in existing:
                raise validation_error(
                    [f"Duplicate network item address '{rule['address']}' in access list."]
                )
            existing.add(rule["address"])
        limit = self.limits["ACCESS_LIST_LIMIT"]
        if len(existing) > limit:
            raise over_limit(f"Access list must not exceed {limit} network items.")

    def add_access_rules(self, balancer: LoadBalancer, rules: list[dict[str, str]]) -> None:
        self.check_access_rules(balancer, rules)
        for rule in rules:
            added = AccessRule(self.new_id(), rule["address"], rule["type"])
            balancer.access_list[added.id] = added

    # --- control plane ---------------------------------------------------

    def summary(self) -> dict[str, Any]:
        now = self.now()
        by_status: dict[str, int] = {}
        for balancer in self.balancers.values():
            status = balancer.status(now)
            by_status[status] = by_status.get(status, 0) + 1
        return {
            "loadbalancers": len(self.balancers),
            "by_status": by_status,
            "ids": list(self.balancers),
            "nodes": sum(len(b.nodes) for b in self.balancers.values()),
        }

