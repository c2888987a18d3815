# -*- test-case-name: mimic.test.test_loadbalancer_validation -*-
"""
Parsing and checking Cloud Load Balancers requests: bodies and query
arguments.

Each parser takes the decoded JSON (or the request, for its query) and
returns plain values for the model, or raises CLB's 400: a schema error
when the body has the wrong shape, a "Validation Failure" listing every
broken rule when the values are wrong.  Unknown attributes are ignored,
as clients send more than they need to, and an attribute given as JSON
``null`` is taken as not given (see :func:`given`).
"""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from typing import Any

from attrs import frozen
from twisted.web.iweb import IRequest

from mimic.http import HTTPError, query_arg, read_json
from mimic.services.loadbalancer.errors import clb_error, validation_error
from mimic.services.loadbalancer.failures import OLD_METADATA_KEYS
from mimic.services.loadbalancer.model import ALGORITHMS, PROTOCOLS, STATUSES
from mimic.timestamps import parse_iso

CONDITIONS = ("ENABLED", "DISABLED", "DRAINING")
NODE_TYPES = ("PRIMARY", "SECONDARY")
VIP_TYPES = ("PUBLIC", "SERVICENET")
IP_VERSIONS = ("IPV4", "IPV6")
MONITOR_TYPES = ("CONNECT", "HTTP", "HTTPS")
PERSISTENCE_TYPES = ("HTTP_COOKIE", "SOURCE_IP")
ACCESS_TYPES = ("ALLOW", "DENY")
MAX_NAME = 128
MAX_ERROR_PAGE = 65536
MAX_META_KEY = 256
MAX_META_VALUE = 256

#: CLB takes bodies of up to 1 MB (an error page alone may be 64 KiB).
BODY_LIMIT = 1024 * 1024


def read_body(request: IRequest) -> Any:
    """
    The request's JSON body: CLB's 413 over :data:`BODY_LIMIT`, its 400
    when it is not JSON.
    """
    return read_json(request, clb_error, limit=BODY_LIMIT)


def ascii_int(text: str) -> int | None:
    """
    ``text`` as a non-negative integer if it is one in ASCII digits, else
    None.  (``int()`` takes digits of other scripts but not all that
    ``str.isdigit`` calls digits, such as ``"²"``, nor thousands of them.)
    """
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:
        return None


def schema_error(detail: str) -> HTTPError:
    """
    The body does not have the shape the API takes at all.
    """
    return clb_error(400, "JSON does not match the expected schema", detail)


class Problems:
    """
    Collects broken rules so one answer lists them all, as CLB's do.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def check(self) -> None:
        if self.messages:
            raise validation_error(self.messages)

    def integer(
        self, value: Any, label: str, low: int, high: int, required: bool = True
    ) -> int | None:
        if value is None:
            if required:
                self.add(f"Must provide a {label}.")
            return None
        if isinstance(value, str):
            text = value.strip()
            number = ascii_int(text.lstrip("-"))
            if number is not None and text.count("-") <= 1:
                value = -number if text.startswith("-") else number
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"The {label} must be an integer.")
            return None
        if not low <= value <= high:
            self.add(f"The {label} must be between {low} and {high}.")
            return None
        return value

    def choice(self, value: Any, label: str, choices: tuple[str, ...], required: bool = True) -> str | None:
        if value is None:
            if required:
                self.add(f"Must provide a {label}.")
            return None
        if value not in choices:
            self.add(f"The {label} '{value}' is not one of: {', '.join(choices)}.")
            return None
        return value

    def boolean(self, value: Any, label: str) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(f"The {label} must be true or false.")
            return None
        return value

    def string(self, value: Any, label: str, maximum: int, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.add(f"Must provide a {label}.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"The {label} must be a non-empty string.")
            return None
        if len(value) > maximum:
            self.add(f"The {label} must be at most {maximum} characters long.")
            return None
        return value


def given(spec: dict[str, Any]) -> dict[str, Any]:
    """
    The attributes of a request object that were given: those whose value
    is not JSON ``null``.  An optional attribute given as ``null`` takes
    its default; a required one gets the same "Must provide ..." as when
    it is missing.

    The real service takes ``null`` as "not given": pyrax, Rackspace's own
    SDK, sends every create with the attributes it was not given as
    ``null`` (``halfClosed``, ``accessList``, ``connectionLogging``,
    ``connectionThrottle``, ``healthMonitor``, ``metadata``, ``timeout``,
    ``sessionPersistence``, ``httpsRedirect``) and each node as
    ``{"address", "port", "condition", "type": null, "id": null}``, at
    creation and when it adds nodes.
    """
    return {k: v for k, v in spec.items() if v is not None}


def wrapped(body: Any, key: str, optional_wrapper: bool = False) -> dict[str, Any]:
    """
    ``body[key]``, which must be an object, without its ``null``
    attributes (see :func:`given`).  With ``optional_wrapper`` an
    unwrapped object is taken as is (apache-libcloud sends balancer, node,
    health monitor and throttle updates, and pkgcloud balancer creates
    and health monitors, without the wrapper the API reference shows).
    Every body that is one object under one name takes it unwrapped, so
    that no client meets one rule for some resources and another for
    the rest.
    """
    if not isinstance(body, dict):
        raise schema_error("The request body must be a JSON object.")
    if key in body:
        inner = body[key]
    elif optional_wrapper:
        inner = body
    else:
        raise schema_error(f"The request body must be an object with a '{key}' attribute.")
    if not isinstance(inner, dict):
        raise schema_error(f"'{key}' must be an object.")
    return given(inner)


def wrapped_list(body: Any, key: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise schema_error(f"The request body must be an object with a '{key}' list.")
    return body[key]


# --- nodes ---------------------------------------------------------------


def _ip_address(address: Any) -> bool:
    """
    Whether a node's ``address`` is an IPv4 or IPv6 address.
    """
    if not isinstance(address, str):
        return False
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def parse_new_node(spec: Any, problems: Problems) -> dict[str, Any] | None:
    if not isinstance(spec, dict):
        raise schema_error("Each node must be an object.")
    spec = given(spec)
    if "status" in spec or "id" in spec:
        raise schema_error("A node's 'id' and 'status' are set by the service.")
    address = spec.get("address")
    if address is None:
        problems.add("Must provide a node address.")
    elif not _ip_address(address):
        problems.add(f"The node address '{address}' is not a valid IP address.")
        address = None
    port = problems.integer(spec.get("port"), "node port", 1, 65535)
    condition = problems.choice(spec.get("condition", "ENABLED"), "node condition", CONDITIONS)
    node_type = problems.choice(spec.get("type", "PRIMARY"), "node type", NODE_TYPES)
    weight = problems.integer(spec.get("weight", 1), "node weight", 1, 100)
    if None in (address, port, condition, node_type, weight):
        return None
    return {
        "address": address,
        "port": port,
        "condition": condition,
        "type": node_type,
        "weight": weight,
    }


def parse_new_nodes(raw: Any, required: bool = True) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise schema_error("'nodes' must be a list.")
    if required and not raw:
        raise validation_error(["Must provide at least one node."])
    problems = Problems()
    parsed = [parse_new_node(spec, problems) for spec in raw]
    problems.check()
    return [p for p in parsed if p is not None]


def parse_node_update(body: Any) -> dict[str, Any]:
    """
    A node's condition, type and weight may change; its address, port and
    id may not (CLB answers that with a validation failure).
    """
    spec = wrapped(body, "node", optional_wrapper=True)
    problems = Problems()
    if "address" in spec:
        problems.add("Node ip field cannot be modified.")
    if "port" in spec:
        problems.add("Port field cannot be modified.")
    if "id" in spec:
        problems.add("Node id field cannot be modified.")
    if "status" in spec:
        problems.add("Node status field cannot be modified.")
    changes: dict[str, Any] = {}
    if "condition" in spec:
        changes["condition"] = problems.choice(spec["condition"], "node condition", CONDITIONS)
    if "type" in spec:
        changes["type"] = problems.choice(spec["type"], "node type", NODE_TYPES)
    if "weight" in spec:
        weight = spec["weight"]
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 100:
            problems.add("Node weight is invalid. Range is 1-100. Please specify a valid weight.")
        changes["weight"] = weight
    problems.check()
    if not changes:
        raise validation_error(["Must provide a condition, type or weight to update."])
    return changes


# --- balancers -----------------------------------------------------------


def parse_virtual_ips(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise schema_error("'virtualIps' must be a list.")
    if not raw:
        raise validation_error(["Must have at least one virtual IP."])
    problems = Problems()
    parsed: list[dict[str, Any]] = []
    for spec in raw:
        if not isinstance(spec, dict):
            raise schema_error("Each virtual IP must be an object.")
        spec = given(spec)
        if "id" in spec:
            vip_id = problems.integer(spec["id"], "virtual IP id", 1, 2**31 - 1)
            if vip_id is not None:
                parsed.append({"id": vip_id})
            continue
        vip_type = problems.choice(spec.get("type"), "virtual IP type", VIP_TYPES)
        version = problems.choice(
            spec.get("ipVersion"), "virtual IP version", IP_VERSIONS, required=False
        )
        if vip_type == "SERVICENET" and version == "IPV6":
            problems.add("IPv6 virtual IPs are only available on the PUBLIC network.")
        parsed.append({"type": vip_type, "ipVersion": version})
    problems.check()
    return parsed


def parse_protocol(value: Any, problems: Problems) -> str | None:
    return problems.choice(value, "protocol", tuple(PROTOCOLS))


def parse_create(body: Any) -> dict[str, Any]:
    """
    The arguments of :meth:`RegionLoadBalancers.create` (but the life
    cycle), from a ``{"loadBalancer": {...}}`` body or the balancer
    unwrapped.

    The API reference shows the wrapper only, but pkgcloud (written by
    Rackspace for its cloud) creates balancers without it, so the real
    service takes both, as it does for updates.
    """
    spec = wrapped(body, "loadBalancer", optional_wrapper=True)
    problems = Problems()
    name = problems.string(spec.get("name"), "load balancer name", MAX_NAME)
    protocol = parse_protocol(spec.get("protocol"), problems)
    port = spec.get("port")
    if port is None and protocol is not None and PROTOCOLS[protocol]:
        port = PROTOCOLS[protocol]
    port = problems.integer(port, "port", 1, 65535)
    algorithm = problems.choice(spec.get("algorithm", "RANDOM"), "algorithm", ALGORITHMS)
    settings = _parse_settings(spec, problems)
    problems.check()
    if "virtualIps" not in spec:
        raise validation_error(["Must have at least one virtual IP."])
    virtual_ips = parse_virtual_ips(spec["virtualIps"])
    nodes = parse_new_nodes(spec.get("nodes", []), required=False)
    metadata = parse_metadata_items(spec.get("metadata", []), on_balancer=True)
    if "healthMonitor" in spec:
        settings["health_monitor"] = parse_health_monitor({"healthMonitor": spec["healthMonitor"]})
    if "connectionThrottle" in spec:
        settings["connection_throttle"] = parse_connection_throttle(
            {"connectionThrottle": spec["connectionThrottle"]}
        )
    if "sessionPersistence" in spec:
        settings["session_persistence"] = parse_session_persistence(
            {"sessionPersistence": spec["sessionPersistence"]}
        )
    if "connectionLogging" in spec:
        settings["connection_logging"] = parse_enabled({"connectionLogging": spec["connectionLogging"]}, "connectionLogging")
    if "contentCaching" in spec:
        settings["content_caching"] = parse_enabled({"contentCaching": spec["contentCaching"]}, "contentCaching")
    access_list = parse_access_rules(spec["accessList"]) if "accessList" in spec else []
    return {
        "name": name,
        "protocol": protocol,
        "port": port,
        "algorithm": algorithm,
        "virtual_ips": virtual_ips,
        "nodes": nodes,
        "metadata": metadata,
        "settings": settings,
        "access_list": access_list,
    }


def _parse_settings(spec: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """
    The plain attributes a balancer takes at creation and update.
    """
    settings: dict[str, Any] = {}
    if "timeout" in spec:
        settings["timeout"] = problems.integer(spec["timeout"], "timeout", 30, 120)
    if "halfClosed" in spec:
        settings["half_closed"] = problems.boolean(spec["halfClosed"], "halfClosed")
    if "httpsRedirect" in spec:
        settings["https_redirect"] = problems.boolean(spec["httpsRedirect"], "httpsRedirect")
    return settings


#: Attributes ``PUT /loadbalancers/{id}`` may change, as model field names.
UPDATABLE = ("name", "protocol", "port", "algorithm", "timeout", "half_closed", "https_redirect")


def parse_update(body: Any) -> dict[str, Any]:
    spec = wrapped(body, "loadBalancer", optional_wrapper=True)
    problems = Problems()
    for fixed in ("id", "status", "nodes", "virtualIps", "created", "updated"):
        if fixed in spec:
            problems.add(f"The attribute '{fixed}' cannot be modified with this call.")
    changes: dict[str, Any] = {}
    if "name" in spec:
        changes["name"] = problems.string(spec["name"], "load balancer name", MAX_NAME)
    if "protocol" in spec:
        changes["protocol"] = parse_protocol(spec["protocol"], problems)
    if "port" in spec:
        changes["port"] = problems.integer(spec["port"], "port", 1, 65535)
    if "algorithm" in spec:
        changes["algorithm"] = problems.choice(spec["algorithm"], "algorithm", ALGORITHMS)
    changes.update(_parse_settings(spec, problems))
    problems.check()
    if not changes:
        raise validation_error(
            ["Must provide at least one of: name, protocol, port, algorithm, timeout, "
             "halfClosed, httpsRedirect."]
        )
    return changes


# --- settings ------------------------------------------------------------


def parse_health_monitor(body: Any) -> dict[str, Any]:
    spec = wrapped(body, "healthMonitor", optional_wrapper=True)
    problems = Problems()
    monitor_type = problems.choice(spec.get("type"), "health monitor type", MONITOR_TYPES)
    monitor: dict[str, Any] = {"type": monitor_type}
    monitor["delay"] = problems.integer(spec.get("delay"), "delay", 1, 3600)
    monitor["timeout"] = problems.integer(spec.get("timeout"), "timeout", 1, 3600)
    monitor["attemptsBeforeDeactivation"] = problems.integer(
        spec.get("attemptsBeforeDeactivation"), "attemptsBeforeDeactivation", 1, 10
    )
    if monitor_type in ("HTTP", "HTTPS"):
        path = problems.string(spec.get("path"), "path", 2048)
        if path is not None and not path.startswith("/"):
            problems.add("The path must start with '/'.")
        monitor["path"] = path
        monitor["statusRegex"] = problems.string(spec.get("statusRegex"), "statusRegex", 128)
        monitor["bodyRegex"] = problems.string(spec.get("bodyRegex", ".*"), "bodyRegex", 128)
        if "hostHeader" in spec:
            monitor["hostHeader"] = problems.string(spec["hostHeader"], "hostHeader", 256)
    problems.check()
    return monitor


def parse_connection_throttle(body: Any) -> dict[str, Any]:
    spec = wrapped(body, "connectionThrottle", optional_wrapper=True)
    problems = Problems()
    throttle: dict[str, Any] = {}
    for key, low, high in (
        ("maxConnectionRate", 0, 100000),
        ("maxConnections", 0, 100000),
        ("minConnections", 0, 1000),
        ("rateInterval", 1, 3600),
    ):
        value = problems.integer(spec.get(key), key, low, high, required=False)
        if value is not None:
            throttle[key] = value
    problems.check()
    if not throttle:
        raise validation_error(
            ["Must provide at least one of: maxConnectionRate, maxConnections, "
             "minConnections, rateInterval."]
        )
    return throttle


def parse_session_persistence(body: Any) -> str:
    spec = wrapped(body, "sessionPersistence", optional_wrapper=True)
    problems = Problems()
    persistence = problems.choice(spec.get("persistenceType"), "persistenceType", PERSISTENCE_TYPES)
    problems.check()
    assert persistence is not None
    return persistence


def parse_enabled(body: Any, key: str) -> bool:
    spec = wrapped(body, key, optional_wrapper=True)
    if not isinstance(spec.get("enabled"), bool):
        raise validation_error([f"Must provide '{key}.enabled' as true or false."])
    return spec["enabled"]


def parse_error_page(body: Any) -> str:
    spec = wrapped(body, "errorpage", optional_wrapper=True)
    problems = Problems()
    content = problems.string(spec.get("content"), "error page content", MAX_ERROR_PAGE)
    problems.check()
    assert content is not None
    return content


def _network(address: Any) -> bool:
    if not isinstance(address, str):
        return False
    try:
        ipaddress.ip_network(address, strict=False)
    except ValueError:
        return False
    return True


def parse_access_rules(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise schema_error("'accessList' must be a list.")
    if not raw:
        raise validation_error(["Must provide at least one network item."])
    problems = Problems()
    rules: list[dict[str, Any]] = []
    for spec in raw:
        if not isinstance(spec, dict):
            raise schema_error("Each network item must be an object.")
        spec = given(spec)
        address = spec.get("address")
        if not _network(address):
            problems.add(f"The address '{address}' is not a valid IP address or CIDR range.")
        rule_type = problems.choice(spec.get("type"), "network item type", ACCESS_TYPES)
        rules.append({"address": address, "type": rule_type})
    problems.check()
    return rules


def parse_access_list_body(body: Any) -> list[dict[str, str]]:
    """
    ``{"accessList": [...]}``, or one ``{"networkItem": {...}}`` as
    apache-libcloud sends a single rule.
    """
    if isinstance(body, dict) and "networkItem" in body and "accessList" not in body:
        return parse_access_rules([body["networkItem"]])
    return parse_access_rules(wrapped_list(body, "accessList"))


# --- metadata ------------------------------------------------------------


def _old_key_value(value: Any) -> Any:
    """
    A value given for one of the old mimic's keys (``lb_building`` ...):
    a number, as old suites send it, becomes the string CLB keeps, so the
    balancer shows it, its triggers read it and registrations match it as
    if it had been sent as a string.  Anything else is left for the
    string check.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return value
    return str(value)


def _parse_meta_item(
    spec: Any, problems: Problems, key_required: bool = True, on_balancer: bool = False
) -> dict[str, str]:
    if not isinstance(spec, dict):
        raise schema_error("Each metadata item must be an object with a key and a value.")
    spec = given(spec)
    item: dict[str, str] = {}
    if key_required or "key" in spec:
        key = problems.string(spec.get("key"), "metadata key", MAX_META_KEY)
        if key is not None:
            item["key"] = key
    value = spec.get("value")
    if on_balancer and isinstance(spec.get("key"), str) and spec["key"] in OLD_METADATA_KEYS:
        value = _old_key_value(value)
    if not isinstance(value, str):
        problems.add("The metadata value must be a string.")
    elif len(value) > MAX_META_VALUE:
        problems.add(f"The metadata value must be at most {MAX_META_VALUE} characters long.")
    else:
        item["value"] = value
    return item


def parse_metadata_items(raw: Any, on_balancer: bool = False) -> list[dict[str, str]]:
    """
    A list of ``{"key", "value"}`` items.  Values must be strings, as CLB
    requires, except that on a balancer (``on_balancer``) the old mimic's
    keys (:data:`OLD_METADATA_KEYS`) take numbers too: only there do they
    mean anything.
    """
    if not isinstance(raw, list):
        raise schema_error("'metadata' must be a list of {\"key\", \"value\"} objects.")
    problems = Problems()
    items = [_parse_meta_item(spec, problems, on_balancer=on_balancer) for spec in raw]
    problems.check()
    # Counted once: list.count per key made this quadratic, 44 s for the
    # 30,000 items a body under CLB's 1 MiB limit can carry.
    counts = Counter(item["key"] for item in items)
    duplicates = sorted(k for k, seen in counts.items() if seen > 1)
    if duplicates:
        raise validation_error([f"Duplicate key '{k}' found in metadata." for k in duplicates])
    return items


def parse_metadata_body(body: Any, on_balancer: bool = False) -> list[dict[str, str]]:
    items = parse_metadata_items(wrapped_list(body, "metadata"), on_balancer)
    if not items:
        raise validation_error(["Must provide at least one metadata item."])
    return items


def parse_meta_value(body: Any, balancer_key: str | None = None) -> str:
    """
    ``{"meta": {"value": "..."}}``: the body that changes one item.
    ``balancer_key`` is the item's key when it is a balancer's (so one of
    the old mimic's keys takes a number, as at creation).
    """
    spec = wrapped(body, "meta")
    problems = Problems()
    if "key" in spec:
        problems.add("The metadata key cannot be modified.")
    if balancer_key is not None and "key" not in spec:
        spec = {**spec, "key": balancer_key}
    item = _parse_meta_item(
        spec, problems, key_required=False, on_balancer=balancer_key is not None
    )
    problems.check()
    return item["value"]


def parse_ids(raw: list[bytes], what: str, limit: int | None = None) -> list[int]:
    """
    ``?id=1&id=2``: the ids a batch operation names.
    """
    if not raw:
        raise clb_error(400, "Must supply one or more id's to process this request.")
    ids = []
    for value in raw:
        text = value.decode("utf-8", "replace")
        number = ascii_int(text)
        if number is None:
            raise clb_error(400, f"The {what} id '{text}' is not a valid id.")
        ids.append(number)
    if limit is not None and len(ids) > limit:
        raise clb_error(
            400, f"Request to delete {len(ids)} {what}s exceeds the limit of {limit} per request."
        )
    return list(dict.fromkeys(ids))



def query_ids(request: IRequest, what: str, limit: int | None = None) -> list[int]:
    """
    The ids a batch operation names in its query (``?id=1&id=2``).
    """
    return parse_ids(request.args.get(b"id", []), what, limit)


def optional_query_ids(request: IRequest, what: str) -> list[int] | None:
    """
    The ids named in the query, or ``None`` for none (meaning all).
    """
    raw = request.args.get(b"id")
    return parse_ids(raw, what) if raw else None


# --- listing -------------------------------------------------------------


@frozen
class ListQuery:
    """
    What a listing of balancers asks for: a status (else every one not
    DELETED), a node address, changes since a time, and a page.
    """

    status: str | None
    node_address: str | None
    changed_since: float | None
    limit: int | None
    offset: int
    marker: int | None


def _changes_since(text: str | None) -> float | None:
    if text is None:
        return None
    seconds = parse_iso(text)
    if seconds is None:
        raise clb_error(400, f"'changes-since' must be an ISO 8601 time, got '{text}'.")
    return seconds


def _at_least(request: IRequest, name: str, minimum: int) -> int | None:
    text = query_arg(request, name)
    if text is None:
        return None
    number = ascii_int(text)
    if number is None or number < minimum:
        raise clb_error(400, f"'{name}' must be an integer of at least {minimum}.")
    return number


def parse_list_query(request: IRequest) -> ListQuery:
    status = query_arg(request, "status")
    if status is not None and status not in STATUSES:
        raise clb_error(400, f"Status '{status}' is not one of: {', '.join(STATUSES)}.")
    node_address = query_arg(request, "nodeaddress")
    changed_since = _changes_since(query_arg(request, "changes-since"))
    limit = _at_least(request, "limit", 1)
    offset = _at_least(request, "offset", 0) or 0
    marker = _at_least(request, "marker", 0)
    return ListQuery(status, node_address, changed_since, limit, offset, marker)
