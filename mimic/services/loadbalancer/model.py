# -*- test-case-name: mimic.test.test_loadbalancer_model -*-
"""
Cloud Load Balancers' state for one tenant in one region: balancers, their
nodes, settings and metadata, and the rules of their life cycle.  No HTTP
here: :mod:`.routes` parses requests and calls these methods, which raise
the service's domain errors (:class:`.errors.LoadBalancerError`) when the
real service would refuse; :mod:`.views` shows the result.

A balancer's status is computed from timestamps, never by timers: each
transition records the status it is in, until when, and what follows, so
reading a status is O(1) and Mimic's clock alone decides (advanced by the
tick API, or real with ``--realtime``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, NoReturn, TypeVar

from attrs import define, field
from twisted.internet.interfaces import IReactorTime
from zope.interface import implementer

from mimic.interfaces import IMimicCore, IPendingEvents, IRegionState
from mimic.pending import PendingEvent
from mimic.services.loadbalancer.errors import (
    Immutable,
    ImmutableForDelete,
    Invalid,
    ItemNotFound,
    LoadBalancerNotFound,
    MarkedDeleted,
    NodeNotFound,
    NotActive,
    OverLimit,
    UnknownForDelete,
)

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

#: At most this many deleted balancers are kept per tenant and region,
#: the earliest deleted forgotten first, so that memory stays bounded
#: while the clock stands still (Mimic's clock moves only when ticked,
#: so the 90 days may never pass).
DELETED_BALANCERS_KEPT = 1000

DEFAULT_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>The service is temporarily "
    "unavailable. Please try again later.</p></body></html>"
)


@define
class MetadataItem:
    id: int
    key: str
    value: str


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


@define
class VirtualIP:
    id: int
    address: str
    type: str
    ip_version: str


@define
class AccessRule:
    id: int
    address: str
    type: str


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

    @property
    def deleting(self) -> bool:
        """
        Whether the balancer is being deleted or has been.
        """
        return self._next == DELETED

    def upcoming(self, now: float) -> tuple[float, str] | None:
        """
        (when, what a client will see) of the status change still due
        after ``now``, if one is: ``becomes ACTIVE`` after BUILD,
        ``leaves PENDING_UPDATE (ACTIVE)``, ``is deleted``.  None for a
        status the control plane set, which holds until a change.
        """
        if not now < self._until < float("inf") or self._status == self._next:
            return None
        if self._next == DELETED:
            return self._until, "is deleted"
        if self._status == BUILD:
            return self._until, f"becomes {self._next}"
        return self._until, f"leaves {self._status} ({self._next})"

    def deleted_since(self, now: float) -> float | None:
        """
        When the balancer became DELETED, if it is.
        """
        if self._next == DELETED and now >= self._until:
            return self._until
        return None

    def metadata_dict(self) -> dict[str, str]:
        return {item.key: item.value for item in self.metadata.values()}

    def has_node_at(self, address: str) -> bool:
        return any(node.address == address for node in self.nodes.values())


#: What making a change gives back (the nodes it added, say).
T = TypeVar("T")


@implementer(IRegionState, IPendingEvents)
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
    #: Ids of the balancers being or been deleted, in the order their
    #: deletes were accepted: the order they are forgotten in.
    _deleting: dict[int, None] = field(factory=dict)
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
        The balancer with this id, deleted or not; not found if there is
        none (or it was deleted so long ago that CLB forgot it).
        """
        balancer = self.balancers.get(lb_id)
        if balancer is None or self._forgotten(balancer, self.now()):
            raise LoadBalancerNotFound(lb_id)
        return balancer

    def readable(self, lb_id: int) -> LoadBalancer:
        """
        A balancer whose parts can be read: marked deleted once it is
        deleted.
        """
        balancer = self.get(lb_id)
        if balancer.status(self.now()) == DELETED:
            raise MarkedDeleted(lb_id)
        return balancer

    def changeable(self, lb_id: int) -> LoadBalancer:
        """
        A balancer that can be changed now: ACTIVE, else immutable (marked
        deleted if deleted).
        """
        balancer = self.readable(lb_id)
        status = balancer.status(self.now())
        if status != ACTIVE:
            raise Immutable(balancer.id, status)
        return balancer

    def node(self, balancer: LoadBalancer, node_id: int) -> Node:
        node = balancer.nodes.get(node_id)
        if node is None:
            raise NodeNotFound(node_id)
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
        self._deleting.pop(balancer.id, None)
        for vip in balancer.virtual_ips:
            holder = self._vips_by_id.get(vip.id)
            if holder is not None and holder[1] == balancer.id:
                del self._vips_by_id[vip.id]

    def listing(self) -> Iterator[LoadBalancer]:
        """
        Every balancer CLB still knows, in id order.
        """
        now = self.now()
        self.forget_deleted(now)
        for balancer in list(self.balancers.values()):
            if not self._forgotten(balancer, now):
                yield balancer

    def find(
        self,
        now: float,
        *,
        status: str | None = None,
        node_address: str | None = None,
        changed_since: float | None = None,
        after: int | None = None,
    ) -> list[LoadBalancer]:
        """
        The balancers a listing shows, in id order: those in ``status``
        (all but DELETED ones without it), with a node at
        ``node_address``, changed at or after ``changed_since``, with ids
        above ``after`` (a paging marker); statuses as they are at ``now``.
        """
        found = []
        for balancer in self.listing():
            if after is not None and balancer.id <= after:
                continue
            current = balancer.status(now)
            if status is None and current == DELETED:
                continue
            if status is not None and current != status:
                continue
            if changed_since is not None and balancer.updated < changed_since:
                continue
            if node_address is not None and not balancer.has_node_at(node_address):
                continue
            found.append(balancer)
        return found

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
            raise OverLimit(
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
                raise Invalid((f"Virtual ip {spec['id']} not found.",))
            vip, owner_id = shared
            owner = self.balancers.get(owner_id)
            if owner is not None and owner.port == port:
                raise Invalid(
                    (f"Virtual ip {vip.id} is already used by a load balancer on port {port}.",)
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

    def change(
        self, balancer: LoadBalancer, seconds: float, then: str, make: Callable[[LoadBalancer], T]
    ) -> T:
        """
        Make an accepted change to an ACTIVE balancer: ``make`` it, then
        PENDING_UPDATE for ``seconds`` and ``then`` (ACTIVE, or ERROR when
        applying it fails).
        """
        made = make(balancer)
        self.changed(balancer, seconds, then)
        return made

    def changed(self, balancer: LoadBalancer, seconds: float, then: str) -> None:
        """
        A change was accepted: PENDING_UPDATE for ``seconds``, then
        ``then``.
        """
        balancer.transition(self.now(), PENDING_UPDATE, seconds, then)

    def refuse_change(self, balancer: LoadBalancer, seconds: float) -> NoReturn:
        """
        Refuse a change as if another client's were still being applied:
        immutable, the balancer showing PENDING_UPDATE for ``seconds``
        (none: the refusal only).
        """
        if seconds > 0:
            self.changed(balancer, seconds, ACTIVE)
        raise Immutable(balancer.id, PENDING_UPDATE)

    def update_attributes(self, balancer: LoadBalancer, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(balancer, name, value)

    def set_setting(self, balancer: LoadBalancer, name: str, value: Any) -> None:
        """
        Set (``None``: remove) one setting: a health monitor, connection
        throttle, session persistence, logging, caching or error page.
        """
        setattr(balancer, name, value)

    # --- deletion --------------------------------------------------------

    def check_deletable(self, balancer: LoadBalancer) -> None:
        """
        CLB deletes ACTIVE and ERROR balancers; it refuses others as
        immutable, and a second delete in its batch-delete words.
        """
        status = balancer.status(self.now())
        if status == PENDING_DELETE:
            raise ImmutableForDelete((balancer.id,))
        if status == DELETED:
            raise UnknownForDelete((balancer.id,))
        if status not in (ACTIVE, ERROR):
            raise Immutable(balancer.id, status)

    def deletable(self, lb_ids: Iterable[int]) -> list[LoadBalancer]:
        """
        The balancers a batch delete names, if every one can be deleted
        (ACTIVE or ERROR); else the ones that are gone, or failing that
        the ones that are busy, all named in one refusal.
        """
        now = self.now()
        missing, refused, balancers = [], [], []
        for lb_id in lb_ids:
            balancer = self.balancers.get(lb_id)
            status = balancer.status(now) if balancer is not None else DELETED
            if balancer is None or status == DELETED:
                missing.append(lb_id)
            elif status not in (ACTIVE, ERROR):
                refused.append(lb_id)
            else:
                balancers.append(balancer)
        if missing:
            raise UnknownForDelete(tuple(missing))
        if refused:
            raise ImmutableForDelete(tuple(refused))
        return balancers

    def delete(self, balancer: LoadBalancer, seconds: float) -> None:
        """
        Start deleting a balancer that may be deleted (ACTIVE or ERROR):
        PENDING_DELETE for ``seconds``, then DELETED.
        """
        now = self.now()
        balancer.transition(now, PENDING_DELETE, seconds, DELETED)
        self._live -= 1
        self._deleting[balancer.id] = None
        self.forget_deleted(now)

    def forget_deleted(self, now: float) -> None:
        """
        Drop deleted balancers shown longer than :data:`DELETED_RETENTION`,
        and the earliest deleted beyond :data:`DELETED_BALANCERS_KEPT`
        (those still PENDING_DELETE are kept until they are DELETED).
        One step per balancer dropped.
        """
        while self._deleting:
            lb_id = next(iter(self._deleting))
            balancer = self.balancers.get(lb_id)
            if balancer is None or not balancer.deleting:
                # Gone already, or put in another status by the control
                # plane.
                del self._deleting[lb_id]
                continue
            since = balancer.deleted_since(now)
            if since is None:
                break
            if len(self._deleting) <= DELETED_BALANCERS_KEPT and now < since + DELETED_RETENTION:
                break
            self._forget(balancer)

    def force(self, lb_id: int, status: str) -> LoadBalancer:
        """
        For the control plane (the old mimic's ``cloudLoadBalancerControl``):
        put a balancer in ``status`` now, whatever it was doing, until a
        client's next change moves it on (which CLB accepts only from
        ACTIVE).  Only ACTIVE, ERROR, PENDING_UPDATE and PENDING_DELETE
        can be set (ValueError otherwise); a PENDING_DELETE set this way
        does not delete it.  Not found for an unknown balancer, marked
        deleted for a deleted one.
        """
        if status not in FORCEABLE_STATUSES:
            raise ValueError(status)
        balancer = self.readable(lb_id)
        balancer.transition(self.now(), status, float("inf"), status)
        return balancer

    # --- nodes -----------------------------------------------------------

    def _check_node_count(self, existing: int, adding: int) -> None:
        limit = self.limits["NODE_LIMIT"]
        if existing + adding > limit:
            raise OverLimit(f"Nodes must not exceed {limit} per load balancer.")

    def _check_meta_count(self, existing: int, adding: int, limit_name: str, what: str) -> None:
        limit = self.limits[limit_name]
        if existing + adding > limit:
            raise OverLimit(f"Metadata must not exceed {limit} per {what}.")

    def check_new_nodes(self, balancer: LoadBalancer, specs: list[dict[str, Any]]) -> None:
        """
        Refuse nodes that repeat an address and port, or exceed the limit.
        """
        seen = {(n.address, n.port) for n in balancer.nodes.values()}
        for spec in specs:
            key = (spec["address"], spec["port"])
            if key in seen:
                raise OverLimit(
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

    def update_node(self, balancer: LoadBalancer, node_id: int, changes: dict[str, Any]) -> None:
        node = balancer.nodes[node_id]
        for name, value in changes.items():
            setattr(node, name, value)

    def nodes_removable(self, lb_id: int, node_ids: list[int]) -> LoadBalancer:
        """
        The balancer, if these nodes of it can be removed in one batch: it
        must be ACTIVE and have them all.
        """
        balancer = self.readable(lb_id)
        if balancer.status(self.now()) != ACTIVE:
            raise NotActive(lb_id)
        unknown = [str(i) for i in node_ids if i not in balancer.nodes]
        if unknown:
            raise Invalid((f"Node ids {','.join(unknown)} are not a part of your loadbalancer",))
        return balancer

    def remove_nodes(self, balancer: LoadBalancer, node_ids: Iterable[int]) -> None:
        for node_id in node_ids:
            del balancer.nodes[node_id]

    # --- metadata --------------------------------------------------------

    def _metadata_owner(
        self, lb_id: int, node_id: int | None
    ) -> tuple[dict[int, MetadataItem], str, str]:
        """
        The metadata of a balancer (``node_id`` None) or of one of its
        nodes, its limit's name, and what to call the owner.
        """
        balancer = self.readable(lb_id)
        if node_id is None:
            return balancer.metadata, "LOADBALANCER_META_LIMIT", "load balancer"
        return self.node(balancer, node_id).metadata, "NODE_META_LIMIT", "node"

    def metadata(self, lb_id: int, node_id: int | None) -> list[MetadataItem]:
        items, _, _ = self._metadata_owner(lb_id, node_id)
        return list(items.values())

    def add_metadata(
        self, lb_id: int, node_id: int | None, new: list[dict[str, str]]
    ) -> list[MetadataItem]:
        items, limit_name, what = self._metadata_owner(lb_id, node_id)
        keys = {item.key for item in items.values()}
        for item in new:
            if item["key"] in keys:
                raise Invalid((f"Duplicate key '{item['key']}' found in metadata.",))
            keys.add(item["key"])
        self._check_meta_count(len(items), len(new), limit_name, what)
        return [self._add_metadata(items, item) for item in new]

    def _add_metadata(self, items: dict[int, MetadataItem], item: dict[str, str]) -> MetadataItem:
        added = MetadataItem(self.new_id(), item["key"], item["value"])
        items[added.id] = added
        return added

    def delete_metadata(self, lb_id: int, node_id: int | None, meta_ids: list[int]) -> None:
        """
        Delete several items, or none if one of them is not there.
        """
        items, _, _ = self._metadata_owner(lb_id, node_id)
        unknown = [str(i) for i in meta_ids if i not in items]
        if unknown:
            raise ItemNotFound(f"Metadata item(s) {','.join(unknown)}")
        for meta_id in meta_ids:
            del items[meta_id]

    def metadata_item(self, lb_id: int, node_id: int | None, meta_id: int) -> MetadataItem:
        items, _, _ = self._metadata_owner(lb_id, node_id)
        item = items.get(meta_id)
        if item is None:
            raise ItemNotFound("Metadata item")
        return item

    def set_metadata_value(
        self, lb_id: int, node_id: int | None, meta_id: int, value: str
    ) -> None:
        self.metadata_item(lb_id, node_id, meta_id).value = value

    def delete_metadata_item(self, lb_id: int, node_id: int | None, meta_id: int) -> None:
        items, _, _ = self._metadata_owner(lb_id, node_id)
        if meta_id not in items:
            raise ItemNotFound("Metadata item")
        del items[meta_id]

    # --- access list -----------------------------------------------------

    def check_access_rules(self, balancer: LoadBalancer | None, rules: list[dict[str, str]]) -> None:
        """
        Refuse rules that repeat an address or exceed the limit.
        """
        current = balancer.access_list.values() if balancer is not None else ()
        existing = {rule.address for rule in current}
        for rule in rules:
            if rule["address"] in existing:
                raise Invalid(
                    (f"Duplicate network item address '{rule['address']}' in access list.",)
                )
            existing.add(rule["address"])
        limit = self.limits["ACCESS_LIST_LIMIT"]
        if len(existing) > limit:
            raise OverLimit(f"Access list must not exceed {limit} network items.")

    def add_access_rules(self, balancer: LoadBalancer, rules: list[dict[str, str]]) -> None:
        self.check_access_rules(balancer, rules)
        for rule in rules:
            added = AccessRule(self.new_id(), rule["address"], rule["type"])
            balancer.access_list[added.id] = added

    def check_access_rules_exist(self, balancer: LoadBalancer, rule_ids: Iterable[int]) -> None:
        unknown = [str(i) for i in rule_ids if i not in balancer.access_list]
        if unknown:
            raise ItemNotFound(f"Network item(s) {','.join(unknown)}")

    def check_access_rule_exists(self, balancer: LoadBalancer, rule_id: int) -> None:
        if rule_id not in balancer.access_list:
            raise ItemNotFound("Network item")

    def remove_access_rules(self, balancer: LoadBalancer, rule_ids: Iterable[int] | None) -> None:
        """
        Remove these network items (``None``: every one).
        """
        if rule_ids is None:
            balancer.access_list.clear()
            return
        for rule_id in rule_ids:
            del balancer.access_list[rule_id]

    # --- control plane ---------------------------------------------------

    def pending_events(self, now: float) -> list[PendingEvent]:
        """
        The status changes the balancers still have to come (the clock's
        pending events): one look at each balancer, nothing changed.
        """
        events = []
        for balancer in self.balancers.values():
            upcoming = balancer.upcoming(now)
            if upcoming is not None:
                at, event = upcoming
                events.append(PendingEvent(at, "load_balancer", str(balancer.id), balancer.name, event))
        return events

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
            # Each balancer as the dashboard lists it, with the path of
            # its JSON below the tenant's endpoint.
            "loadbalancer_list": [
                {
                    "id": balancer.id,
                    "name": balancer.name,
                    "status": balancer.status(now),
                    "nodes": len(balancer.nodes),
                    "path": f"v1.0/{self.tenant_id}/loadbalancers/{balancer.id}",
                }
                for balancer in self.balancers.values()
            ],
        }


#: The name the core keeps the balancers under (the plugin's name).
SERVICE = "loadbalancer"


def region_balancers(core: IMimicCore, tenant_id: str, region: str) -> RegionLoadBalancers:
    """
    One tenant's balancers in one region, made empty on first use: what
    the plugin serves and the old control entry changes.
    """
    return core.region_state(
        SERVICE, tenant_id, region, lambda: RegionLoadBalancers(core.clock, tenant_id, region)
    )
