# -*- test-case-name: mimic.test.test_robustness -*-
"""
Bad input, systematically: a seeded, bounded fuzzer over every route
Mimic declares.  The routes are read from the routing tables
(:mod:`mimic.test.route_tables`: every Klein app's url map, identity's,
the control plane's, the old control entries' and each installed
plugin's), so a new service is probed as soon as it is installed.  Each
route is sent bodies that are not JSON, JSON of every wrong type in
every field it reads, bad query arguments, unknown and malformed ids,
odd methods and odd headers.  What the tables cannot say (a valid body
to spoil field by field, the query arguments a route reads) comes from
hints (:func:`hints`); a route without one gets generic ones.

The default suite sends a fixed number of each service's probes of each
family, drawn with a fixed seed (``MIMIC_FUZZ_CASES``, ``MIMIC_FUZZ_SEED``);
``tox -e fuzz`` sends every one.  A failure names the seed to reproduce it.

Whatever is sent, a client must see what the real service would give: a
4xx (never a 500 or a traceback), as JSON in that service's own error
shape (Nova's ``{"badRequest": {...}}``, Keystone's ``{"error": {...}}``,
CLB's ``{"message", "code"}``, the control plane's ``{"message",
"code"}``, and for any other service the shape its plugin's
``error_body`` declares); no traceback in a body or in the log; and a
refused change must leave Mimic's state unchanged.

The probes run in memory (:class:`mimic.testing.InMemoryMimic`), each
route against a fresh tenant holding one of everything, so they are fast
and deterministic.  Whether a refused request changed anything is read
from the Mimic's state in memory before and after
(:mod:`mimic.test.robustness_support`), not asked for over HTTP: every
service's state for every tenant and region, the sessions and the
failure registrations, so that nothing the request could have touched
goes unseen, at the cost of one walk of the state.  Each test collects
every violation it finds and reports them all at once.
"""

from __future__ import annotations

import json
import os
import random
import re
from functools import lru_cache
from typing import Any, Callable, Iterator

from attrs import define, field, frozen
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.core import discover_plugins
from mimic.http import RawBody
from mimic.interfaces import IAPIMock
from mimic.test.robustness_support import StateSnapshots, differences
from mimic.test.route_tables import declared_routes
from mimic.testing import InMemoryMimic, Response

#: An OpenSSH public key for importing keypairs without generating one.
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMxjk7yOR8k6rHPACz5Sm/7JIhO0wjdPdoRDaQpOOrqI probe"

IMAGE = "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c"

#: Values of every JSON type (and some that only Python's parser lets
#: through: NaN and infinities), put in place of each field a route reads.
NASTY: list[Any] = [
    None,
    0,
    -1,
    2**63,
    10**30,
    -(10**30),
    1.5,
    float("inf"),
    float("-inf"),
    float("nan"),
    True,
    False,
    "",
    " ",
    "x" * 300,
    "\u2603 \U0001f600",
    "\x00",
    "\ud800",
    "\u00b2",
    "-5",
    "--5",
    "1e400",
    "9" * 5000,
    [],
    [None],
    {},
    {"x": 1},
]

#: One of each type, for fields nested deeper (nodes of a new balancer,
#: say), which take the same parsers as the fields above them.
FEW_NASTY: list[Any] = [None, -1, 10**30, float("inf"), True, "", "\ud800", "9" * 5000, [], {}]

#: Request bodies that are not what any route takes.
RAW_BODIES: list[bytes] = [
    b"",
    b"{",
    b"not json",
    b"\xff\xfe\x00garbage",
    b"null",
    b"[]",
    b'"text"',
    b"42",
    b"{}",
    b'{"a": 1}{"b": 2}',
    b"[" * 100_000,
    b'{"a": ' * 50_000,
    b'{"x": "' + b"y" * 200_000 + b'"}',
    b"1" * 5000,
]

#: Path segments put in place of each id a route names.  Percent
#: escapes stay as sent, so the app sees the raw oddity.
BAD_IDS = [
    "unknown",
    "0",
    "-1",
    "1" * 30,
    "1.5",
    "%00",
    "%ff",
    "%2F",
    "%E2%98%83",
    "%C0%AF",
    "a" * 3000,
    "%20",
    "None",
]

#: Query values for every argument a route reads.
BAD_QUERY_VALUES = [
    "unknown",
    "-1",
    "0",
    "abc",
    "1" + "0" * 30,
    "%C2%B2",
    "",
    "%ff",
    "%00",
    "(",
    "[",
    "2020-13-45",
    "0001-01-01T00:00:00%2B23:59",
    "9999-12-31T23:59:59-23:59",
    "1.5",
    "x" * 3000,
    "9" * 5000,
]

MUTATING = {"POST", "PUT", "DELETE", "PATCH"}
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FROB"]


# -- error shapes --------------------------------------------------------------


def nova_shape(body: Any, status: int) -> str | None:
    if not isinstance(body, dict) or len(body) != 1:
        return "not a Nova fault object with one key"
    (inner,) = body.values()
    if not isinstance(inner, dict) or not isinstance(inner.get("message"), str):
        return "Nova fault without a message"
    if inner.get("code") != status:
        return f"Nova fault code {inner.get('code')!r} is not the status"
    return None


def keystone_shape(body: Any, status: int) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return "not Keystone's {'error': {...}}"
    if error.get("code") != status or not isinstance(error.get("title"), str):
        return "Keystone error without the status as code, or without a title"
    return None


def plain_shape(body: Any, status: int) -> str | None:
    """
    CLB's and the control plane's ``{"message", "code"}``.
    """
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return "not {'message', 'code'}"
    if body.get("code") != status:
        return f"code {body.get('code')!r} is not the status"
    return None


SHAPES: dict[str, Callable[[Any, int], str | None]] = {
    "compute": nova_shape,
    "identity": keystone_shape,
    "loadbalancer": plain_shape,
    "control": plain_shape,
}

#: The control plane's window on a service's own GETs (the dashboard's
#: links): its own errors are the control plane's, the service's
#: answers (the probes name compute) are Nova's.
PROXIED = "/mimic/v1.1/resources/"
SHAPES["control-proxy"] = lambda body, status: (
    plain_shape(body, status) and nova_shape(body, status))


def shape_owner(route: Any) -> str:
    """
    Whose error shape a route's answers must have.
    """
    return "control-proxy" if route.path.startswith(PROXIED) else route.service


def _unlike(template: Any, body: Any, status: int, where: str) -> str | None:
    """
    Where ``body`` is not shaped like ``template`` (a service's own error
    body): the same keys, the status where the template has it, text
    where it has text.
    """
    if isinstance(template, dict):
        if not isinstance(body, dict):
            return f"{where or 'body'} is not an object"
        missing = sorted(set(template) - set(body))
        if missing:
            return f"{where or 'body'} lacks {missing}"
        for key, value in template.items():
            wrong = _unlike(value, body[key], status, f"{where}/{key}")
            if wrong is not None:
                return wrong
        return None
    if isinstance(template, bool) or template is None:
        return None
    if isinstance(template, int):
        return None if body == status else f"{where} is {body!r}, not the status"
    if isinstance(template, str):
        return None if isinstance(body, str) else f"{where} is not text"
    if isinstance(template, list):
        return None if isinstance(body, list) else f"{where} is not a list"
    return None


def textual_errors(service: str) -> bool:
    """
    Whether a service's errors are text rather than JSON (its
    ``error_body`` gives a :class:`~mimic.http.RawBody`).
    """
    plugin = {p.name: p for p in plugins()}.get(service)
    return plugin is not None and isinstance(plugin.error_body(404, "m"), RawBody)


def shape_of(service: str) -> Callable[[Any, int], str | None]:
    """
    The check of a service's error shape: a known one, or else one
    derived from the plugin's own ``error_body``, so a new service is
    held to the shape it declares.
    """
    known = SHAPES.get(service)
    if known is not None:
        return known
    plugin = {p.name: p for p in plugins()}[service]

    def check(body: Any, status: int) -> str | None:
        return _unlike(plugin.error_body(status, "m"), body, status, "")

    return check


# -- routes --------------------------------------------------------------------


@define
class Route:
    """
    One route: its service (for the error shape), method, path template
    (``{name}`` stands for a fixture's id or a URL prefix), a valid body
    whose every field is then spoiled in turn, the query arguments it
    reads, and headers it is sent with (a microversion, say).
    """

    service: str
    method: str
    path: str
    body: Any = None
    query: tuple[str, ...] = ()
    headers: dict[str, str] = field(factory=dict)


COMPUTE_QUERY = (
    "limit", "marker", "changes-since", "changes-before", "status", "name", "ip", "ip6",
    "image", "flavor", "key_name", "minDisk", "minRam", "is_public", "sort_key", "sort_dir",
    "type", "user_id", "server", "all_tenants", "deleted",
)
LB_QUERY = ("limit", "marker", "offset", "status", "changes-since", "nodeaddress", "id")
IDENTITY_QUERY = (
    "belongsTo", "name", "nocatalog", "include_names", "user.id", "scope.project.id", "role.id",
    "enabled", "id", "domain_id", "interface", "service_id", "region_id", "type",
    "parent_region_id", "is_domain", "parent_id", "scope.domain.id", "group.id",
)
CONTROL_QUERY = ("tenant_id",)

SERVER_BODY = {
    "server": {
        "name": "probe",
        "flavorRef": "2",
        "imageRef": IMAGE,
        "metadata": {"role": "web"},
        "key_name": "{keypair}",
        "networks": [{"uuid": "00000000-0000-0000-0000-000000000000", "fixed_ip": "10.0.0.9"}],
        "OS-DCF:diskConfig": "AUTO",
        "accessIPv4": "192.0.2.1",
        "accessIPv6": "2001:db8::1",
        "adminPass": "secret",
        "user_data": "aGVsbG8=",
        "tags": ["a"],
        "security_groups": [{"name": "default"}],
        "availability_zone": "nova",
        "min_count": 1,
        "max_count": 1,
        "config_drive": True,
        "block_device_mapping_v2": [{"boot_index": 0, "uuid": IMAGE, "source_type": "image"}],
    }
}

ACTION_BODIES: list[Any] = [
    {"reboot": {"type": "SOFT"}},
    {"os-stop": None},
    {"os-start": None},
    {"pause": None},
    {"suspend": None},
    {"rescue": {"adminPass": "pw"}},
    {"resize": {"flavorRef": "3", "OS-DCF:diskConfig": "AUTO"}},
    {"confirmResize": None},
    {"revertResize": None},
    {
        "rebuild": {
            "imageRef": IMAGE,
            "name": "n",
            "metadata": {"a": "b"},
            "accessIPv4": "192.0.2.2",
            "accessIPv6": "2001:db8::2",
            "OS-DCF:diskConfig": "MANUAL",
            "description": "d",
            "key_name": "{keypair}",
            "adminPass": "pw",
        }
    },
    {"changePassword": {"adminPass": "pw"}},
    {"createImage": {"name": "snap", "metadata": {"a": "b"}}},
    {"lock": None},
    {"unlock": None},
    {"os-getConsoleOutput": {"length": 5}},
    {"addSecurityGroup": {"name": "default"}},
    {"removeSecurityGroup": {"name": "default"}},
]

C = "{compute}"


def compute_routes() -> list[Route]:
    def r(method: str, path: str, body: Any = None, **kwargs: Any) -> Route:
        query = COMPUTE_QUERY if method == "GET" else ()
        return Route("compute", method, C + path, body, query, **kwargs)

    routes = [
        Route("compute", "GET", "{compute_root}/"),
        Route("compute", "GET", "{compute_root}/v2"),
        Route("compute", "GET", "{compute_root}/v2.1/"),
        r("GET", ""),
        r("GET", "/servers"),
        r("GET", "/servers/detail"),
        r("POST", "/servers", SERVER_BODY),
        r("POST", "/servers", SERVER_BODY, headers={"OpenStack-API-Version": "compute latest"}),
        r("GET", "/servers/{server}"),
        r("PUT", "/servers/{server}", {"server": {"name": "n", "accessIPv4": "192.0.2.3",
                                                  "accessIPv6": "2001:db8::3",
                                                  "OS-DCF:diskConfig": "AUTO"}}),
        r("PUT", "/servers/{server}", {"server": {"description": "d", "hostname": "h"}},
          headers={"OpenStack-API-Version": "compute latest"}),
        r("DELETE", "/servers/{server}"),
        r("GET", "/servers/{server}/ips"),
        r("GET", "/servers/{server}/ips/public"),
        r("GET", "/servers/{server}/metadata"),
        r("PUT", "/servers/{server}/metadata", {"metadata": {"a": "b"}}),
        r("POST", "/servers/{server}/metadata", {"metadata": {"a": "b"}}),
        r("GET", "/servers/{server}/metadata/role"),
        r("PUT", "/servers/{server}/metadata/role", {"meta": {"role": "db"}}),
        r("DELETE", "/servers/{server}/metadata/role"),
        r("GET", "/flavors"),
        r("GET", "/flavors/detail"),
        r("POST", "/flavors", {"flavor": {"name": "f", "ram": 1, "vcpus": 1, "disk": 1}}),
        r("GET", "/flavors/{flavor}"),
        r("GET", "/flavors/{flavor}/os-extra_specs"),
        r("GET", "/flavors/{flavor}/os-extra_specs/{extra_spec}"),
        r("GET", "/images"),
        r("GET", "/images/detail"),
        r("GET", "/images/{image}"),
        r("GET", "/images/{image}/metadata"),
        r("GET", "/images/{image}/metadata/{image_meta}"),
        r("DELETE", "/images/{snapshot}"),
        r("GET", "/os-keypairs"),
        r("GET", "/os-keypairs", headers={"OpenStack-API-Version": "compute latest"}),
        r("POST", "/os-keypairs", {"keypair": {"name": "k2", "public_key": PUBLIC_KEY}}),
        r("POST", "/os-keypairs", {"keypair": {"name": "k3", "public_key": PUBLIC_KEY,
                                               "type": "ssh", "user_id": "u"}},
          headers={"OpenStack-API-Version": "compute latest"}),
        r("GET", "/os-keypairs/{keypair}"),
        r("DELETE", "/os-keypairs/{keypair}"),
        r("GET", "/limits"),
        r("GET", "/os-availability-zone"),
        r("GET", "/os-availability-zone/detail"),
        r("POST", "/servers/{server}/os-interface",
          {"interfaceAttachment": {"net_id": "11111111-1111-1111-1111-111111111111"}}),
        r("POST", "/os-security-groups", {"security_group": {"name": "probe", "description": "d"}}),
        r("POST", "/os-floating-ips", {"pool": "probe"}),
    ]
    for body in ACTION_BODIES:
        routes.append(r("POST", "/servers/{server}/action", body,
                        headers={"OpenStack-API-Version": "compute latest"}))
    return routes


L = "{lb}"

LB_BODY = {
    "loadBalancer": {
        "name": "probe",
        "protocol": "HTTP",
        "port": 80,
        "algorithm": "RANDOM",
        "timeout": 30,
        "halfClosed": False,
        "httpsRedirect": False,
        "virtualIps": [{"type": "PUBLIC", "ipVersion": "IPV4"}],
        "nodes": [{"address": "10.0.0.2", "port": 80, "condition": "ENABLED",
                   "type": "PRIMARY", "weight": 1}],
        "metadata": [{"key": "k", "value": "v"}],
        "healthMonitor": {"type": "CONNECT", "delay": 10, "timeout": 5,
                          "attemptsBeforeDeactivation": 2},
        "connectionThrottle": {"maxConnections": 10, "minConnections": 1,
                               "maxConnectionRate": 5, "rateInterval": 60},
        "sessionPersistence": {"persistenceType": "HTTP_COOKIE"},
        "connectionLogging": {"enabled": True},
        "contentCaching": {"enabled": True},
        "accessList": [{"address": "10.0.0.0/8", "type": "ALLOW"}],
    }
}


def lb_routes() -> list[Route]:
    def r(method: str, path: str, body: Any = None) -> Route:
        query = LB_QUERY if method in ("GET", "DELETE") else ()
        return Route("loadbalancer", method, L + path, body, query)

    one = "/loadbalancers/{balancer}"
    node = one + "/nodes/{node}"
    return [
        r("GET", "/loadbalancers/protocols"),
        r("GET", "/loadbalancers/algorithms"),
        r("GET", "/loadbalancers/absolutelimits"),
        r("POST", "/loadbalancers", LB_BODY),
        r("GET", "/loadbalancers"),
        r("DELETE", "/loadbalancers"),
        r("GET", one),
        r("PUT", one, {"loadBalancer": {"name": "n", "protocol": "HTTPS", "port": 443,
                                        "algorithm": "ROUND_ROBIN", "timeout": 60,
                                        "halfClosed": True, "httpsRedirect": False}}),
        r("DELETE", one),
        r("GET", one + "/virtualips"),
        r("GET", one + "/nodes"),
        r("POST", one + "/nodes", {"nodes": [{"address": "10.0.0.3", "port": 81,
                                              "condition": "DRAINING", "type": "SECONDARY",
                                              "weight": 5}]}),
        r("DELETE", one + "/nodes"),
        r("GET", node),
        r("PUT", node, {"node": {"condition": "DISABLED", "type": "PRIMARY", "weight": 3}}),
        r("DELETE", node),
        r("GET", one + "/healthmonitor"),
        r("PUT", one + "/healthmonitor", {"healthMonitor": {
            "type": "HTTP", "delay": 10, "timeout": 5, "attemptsBeforeDeactivation": 2,
            "path": "/", "statusRegex": "^2", "bodyRegex": ".*", "hostHeader": "h"}}),
        r("DELETE", one + "/healthmonitor"),
        r("GET", one + "/connectionthrottle"),
        r("PUT", one + "/connectionthrottle", {"connectionThrottle": {
            "maxConnections": 10, "minConnections": 1, "maxConnectionRate": 5,
            "rateInterval": 60}}),
        r("DELETE", one + "/connectionthrottle"),
        r("GET", one + "/sessionpersistence"),
        r("PUT", one + "/sessionpersistence", {"sessionPersistence": {"persistenceType": "SOURCE_IP"}}),
        r("DELETE", one + "/sessionpersistence"),
        r("GET", one + "/connectionlogging"),
        r("PUT", one + "/connectionlogging", {"connectionLogging": {"enabled": True}}),
        r("GET", one + "/contentcaching"),
        r("PUT", one + "/contentcaching", {"contentCaching": {"enabled": True}}),
        r("GET", one + "/errorpage"),
        r("PUT", one + "/errorpage", {"errorpage": {"content": "<html>down</html>"}}),
        r("DELETE", one + "/errorpage"),
        r("GET", one + "/accesslist"),
        r("POST", one + "/accesslist", {"accessList": [{"address": "192.0.2.0/24", "type": "DENY"}]}),
        r("POST", one + "/accesslist", {"networkItem": {"address": "192.0.2.7", "type": "DENY"}}),
        r("DELETE", one + "/accesslist"),
        r("DELETE", one + "/accesslist/{rule}"),
        r("GET", one + "/metadata"),
        r("POST", one + "/metadata", {"metadata": [{"key": "k2", "value": "v"}]}),
        r("DELETE", one + "/metadata"),
        r("GET", one + "/metadata/{meta}"),
        r("PUT", one + "/metadata/{meta}", {"meta": {"value": "v2"}}),
        r("DELETE", one + "/metadata/{meta}"),
        r("GET", node + "/metadata"),
        r("POST", node + "/metadata", {"metadata": [{"key": "k2", "value": "v"}]}),
        r("DELETE", node + "/metadata"),
        r("GET", node + "/metadata/{node_meta}"),
        r("PUT", node + "/metadata/{node_meta}", {"meta": {"value": "v2"}}),
        r("DELETE", node + "/metadata/{node_meta}"),
    ]


V2_AUTH = {"auth": {"passwordCredentials": {"username": "{username}", "password": "p"},
                    "tenantId": "{tenant}"}}
V2_KEY_AUTH = {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "{username}", "apiKey": "k"},
                        "tenantName": "{tenant}"}}
V2_TOKEN_AUTH = {"auth": {"token": {"id": "{token}"}, "tenantId": "{tenant}"}}
V3_AUTH = {"auth": {
    "identity": {"methods": ["password"],
                 "password": {"user": {"name": "{username}", "domain": {"id": "default"},
                                       "password": "p"}}},
    "scope": {"project": {"name": "{tenant}", "domain": {"name": "Default"}}},
}}
V3_ID_AUTH = {"auth": {
    "identity": {"methods": ["password", "token"],
                 "password": {"user": {"id": "{user}", "password": "p"}},
                 "token": {"id": "{token}"}},
    "scope": {"project": {"id": "{tenant}"}},
}}
V3_DOMAIN_AUTH = {"auth": {
    "identity": {"methods": ["token"], "token": {"id": "{token}"}},
    "scope": {"domain": {"id": "default"}},
}}


def identity_routes() -> list[Route]:
    def v2(method: str, path: str, body: Any = None) -> Route:
        return Route("identity", method, "/identity/v2.0" + path, body,
                     IDENTITY_QUERY if method == "GET" else ())

    def v3(method: str, path: str, body: Any = None, **kwargs: Any) -> Route:
        return Route("identity", method, "/identity/v3" + path, body,
                     IDENTITY_QUERY if method == "GET" else (), **kwargs)

    subject = {"X-Subject-Token": "{token}"}
    return [
        Route("identity", "GET", "/identity/"),
        v2("GET", "/"),
        v2("POST", "/tokens", V2_AUTH),
        v2("POST", "/tokens", V2_KEY_AUTH),
        v2("POST", "/tokens", V2_TOKEN_AUTH),
        v2("GET", "/tokens/{token}"),
        v2("HEAD", "/tokens/{token}"),
        v2("GET", "/tokens/{token}/endpoints"),
        v2("GET", "/tenants"),
        v2("POST", "/RAX-AUTH/impersonation-tokens", {"RAX-AUTH:impersonation": {
            "user": {"username": "{username}"}, "expire-in-seconds": 60}}),
        v2("GET", "/users"),
        v2("GET", "/users/{user}"),
        v2("GET", "/users/{user}/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials"),
        v3("GET", "/"),
        v3("POST", "/auth/tokens", V3_AUTH),
        v3("POST", "/auth/tokens", V3_ID_AUTH),
        v3("POST", "/auth/tokens", V3_DOMAIN_AUTH),
        v3("GET", "/auth/tokens", headers=subject),
        v3("HEAD", "/auth/tokens", headers=subject),
        v3("DELETE", "/auth/tokens", headers={"X-Subject-Token": "{other_token}"}),
        v3("GET", "/auth/catalog"),
        v3("GET", "/auth/projects"),
        v3("GET", "/auth/domains"),
        v3("GET", "/auth/system"),
        v3("GET", "/domains"),
        v3("GET", "/domains/default"),
        v3("GET", "/projects"),
        v3("GET", "/projects/{tenant}"),
        v3("GET", "/users"),
        v3("GET", "/users/{user}"),
        v3("GET", "/users/{user}/projects"),
        v3("GET", "/users/{user}/groups"),
        v3("GET", "/groups"),
        v3("GET", "/roles"),
        v3("GET", "/roles/{role}"),
        v3("GET", "/projects/{tenant}/users/{user}/roles"),
        v3("GET", "/projects/{tenant}/users/{user}/roles/{role}"),
        v3("GET", "/role_assignments"),
        v3("GET", "/services"),
        v3("GET", "/services/{service_id}"),
        v3("GET", "/endpoints"),
        v3("GET", "/endpoints/{endpoint_id}"),
        v3("GET", "/regions"),
        v3("GET", "/regions/ORD"),
    ]


def control_routes() -> list[Route]:
    def r(method: str, path: str, body: Any = None) -> Route:
        return Route("control", method, "/mimic" + path, body,
                     CONTROL_QUERY if method in ("GET", "POST") else ())

    return [
        r("GET", "/"),
        r("GET", "/v1.1"),
        r("GET", "/v1.1/clock"),
        r("POST", "/v1.1/tick", {"amount": 1.5}),
        r("POST", "/v1.1/tick", {"until": "idle"}),
        r("GET", "/v1.1/failures"),
        r("GET", "/v1.1/failures/compute"),
        r("GET", "/v1.0/presets"),
        r("GET", "/v1.1/behaviors"),
        r("GET", "/v1.1/compute/behaviors"),
        r("POST", "/v1.1/compute/behaviors/server.create", {
            "name": "fail", "parameters": {"code": 400, "message": "m"},
            "criteria": [{"server_name": "^never-matches-anything$"}], "times": 1}),
        r("POST", "/v1.1/compute/behaviors/server.create", {
            "name": "sequence", "parameters": {"behaviors": [
                {"name": "build", "parameters": {"seconds": 5}}, {"name": "default"}]},
            "criteria": [{"server_name": "^never-matches-anything$"}]}),
        r("POST", "/v1.1/identity/behaviors/auth", {
            "name": "fail", "parameters": {"code": 401},
            "criteria": [{"username": "^never-matches-anything$"}]}),
        r("GET", "/v1.1/compute/behaviors/server.create"),
        r("GET", "/v1.1/compute/behaviors/server.create/{registration}"),
        r("DELETE", "/v1.1/compute/behaviors/server.create/{registration}"),
        r("POST", "/v1.1/reset", {"tenant_id": "{other_tenant}"}),
        r("GET", "/v1.1/state"),
        r("GET", "/v1.1/requests"),
        r("GET", "/v1.1/requests/count"),
        r("DELETE", "/v1.1/requests"),
        r("GET", "/v1.1/failures/coverage"),
        r("DELETE", "/v1.1/failures/coverage"),
    ]


# -- the world each route is probed in ------------------------------------------

#: What the world puts in place of each placeholder the routing tables
#: name, by the placeholder's name: one of the world's values (see
#: :class:`World`) or a literal.  Names found nowhere here are filled
#: with :data:`UNKNOWN_ID`, so a new service's routes are probed as with
#: unknown ids until its ids are added here.
ARGUMENT_VALUES: dict[str, str] = {
    "tenant_id": "tenant",
    "project_id": "tenant",
    "version": "=v2",
    "server_id": "server",
    "flavor_id": "flavor",
    "image_id": "image",
    "name": "keypair",
    "key": "=role",
    "network": "=public",
    "lb_id": "balancer",
    "node_id": "node",
    "meta_id": "meta",
    "rule_id": "rule",
    "event": "=server.create",
    "registration_id": "registration",
    "service": "=compute",
    "token_id": "token",
    "user_id": "user",
    "role_id": "role",
    "domain_id": "=default",
    "region_id": "=ORD",
    "region": "=ORD",
    "alias": "=OS-DCF",
    "compute_control_event": "=creation",
    "volume_id": "volume",
    "snapshot_id": "volume_snapshot",
    "backup_id": "volume_backup",
    "attachment_id": "volume_attachment",
    "share_id": "=e8debdc0-447a-4376-a10a-4cd9122d7986",
    "type_id": "=SATA",
    "message_id": "=6d1f0c3e-5b8a-4c2d-9e7f-0a1b2c3d4e5f",
    "lb_control_event": "=loadbalancer.create",
    "action_request_id": "=req-00000000-0000-4000-8000-000000000000",
    "identity_group": "=probe-group",
    "endpoint_group": "=probe-endpoint-group",
    "kind": "=users",
    "actor_id": "user",
    "tag": "=probe-tag",
    "credential_id": "=probe-credential",
    "prior_id": "role",
    "implied_id": "role",
    "access": "=probe-access",
    # Identity's catalog, trusts, OS-INHERIT, domain configuration, OAuth.
    "template_id": "=probe-template",
    "where": "=domains",
    "where_id": "=default",
    "trust_id": "=probe-trust",
    "consumer_id": "=probe-consumer",
    "policy_id": "=probe-policy",
    "group": "=identity",
    "option": "=driver",
    "member_id": "=probe-member",
}

#: Where a placeholder's name means something else in one place: the
#: path's ending (a regular expression), the placeholder, and the name
#: it takes there.
ARGUMENTS_IN_CONTEXT: list[tuple[str, str, str]] = [
    (r"/images/\{image_id\}/metadata/\{key\}$", "key", "image_meta"),
    (r"/os-extra_specs/\{key\}$", "key", "extra_spec"),
    (r"/nodes/\{node_id\}/metadata/\{meta_id\}$", "meta_id", "node_meta"),
    (r"^/service/compute-control/.*/behaviors/\{event\}", "event", "compute_control_event"),
    (r"^/service/loadbalancer-control/.*/behaviors/\{event\}", "event", "lb_control_event"),
    (r"/security-group-rules/\{rule_id\}$", "rule_id", "sg_rule"),
    # Keystone's groups, not the network service's security groups.
    (r"^/identity/v3/groups/\{group_id\}", "group_id", "identity_group"),
    (r"^/identity/v3/OS-EP-FILTER/endpoint_groups/\{group_id\}", "group_id", "endpoint_group"),
]


def in_context(path: str) -> str:
    """
    A declared path with its placeholders renamed where they mean
    something else there (see :data:`ARGUMENTS_IN_CONTEXT`).
    """
    for pattern, name, renamed in ARGUMENTS_IN_CONTEXT:
        if re.search(pattern, path):
            head, _, tail = path.rpartition("{" + name + "}")
            path = head + "{" + renamed + "}" + tail
    return path


#: What a path names when the world has nothing for it.
UNKNOWN_ID = "mimic-fuzz-unknown"


@lru_cache(maxsize=None)
def plugins() -> tuple[IAPIMock, ...]:
    """
    The installed services, found once: each world is a new Mimic.
    """
    return tuple(discover_plugins())


class World:
    """
    A fresh in-memory Mimic with a tenant holding one of everything a
    route can name: a server with metadata, a keypair, a
    snapshot image, a balancer with a node, metadata on both and an access
    rule, a registration, and a second user whose tenant and token can be
    spoiled.
    """

    def __init__(self) -> None:
        self.build()

    def build(self) -> None:
        self.mimic = mimic = InMemoryMimic(plugins=plugins())
        name = "probe"
        self.snapshots = StateSnapshots()
        #: The last snapshot of the state, while no request has been
        #: made since but refused changes.
        self.known: Any = None
        access = mimic.authenticate(name)
        other = mimic.authenticate(name + "-other")
        self.token = access.token
        compute = access.endpoint("compute")
        lb = access.endpoint("rax:load-balancer")
        storage = access.endpoint("object-store")
        cdn = access.endpoint("rax:object-cdn")
        self.values: dict[str, str] = {
            "compute": compute,
            "compute_root": compute.rsplit("/v2/", 1)[0],
            "lb": lb,
            "objectstorage": storage,
            "objectstorage_cdn": cdn,
            # Below Swift's /v1/ (a branch route that reads the rest of
            # the path itself): the probe object, in the account.
            "rest": storage.rsplit("/", 1)[1] + "/probe/probe-object",
            "username": name,
            "tenant": access.tenant_id,
            "token": access.token,
            "user": access.access["user"]["id"],
            "role": access.access["user"]["roles"][0]["id"],
            "other_tenant": other.tenant_id,
            "other_token": other.token,
            "flavor": "2",
            "image": IMAGE,
            "keypair": "probe-key",
        }
        self.must(200, "POST", C + "/os-keypairs",
                  {"keypair": {"name": "probe-key", "public_key": PUBLIC_KEY}})
        server = self.must(202, "POST", C + "/servers", {"server": {
            "name": "probe", "flavorRef": "2", "imageRef": IMAGE, "metadata": {"role": "web"},
            "key_name": "probe-key"}})["server"]
        self.values["server"] = server["id"]
        snapshot = self.mimic.request(
            "POST", self.expand(C + f"/servers/{server['id']}/action"),
            {"createImage": {"name": "snap", "metadata": {"a": "b"}}},
            token=self.token, headers={"OpenStack-API-Version": "compute 2.45"},
        )
        assert snapshot.code == 202, snapshot
        self.values["snapshot"] = snapshot.json()["image_id"]
        mimic.tick(60)
        specs = self.must(200, "GET", C + "/flavors/2/os-extra_specs")["extra_specs"]
        self.values["extra_spec"] = sorted(specs)[0] if specs else "none"
        image = self.must(200, "GET", C + f"/images/{IMAGE}/metadata")["metadata"]
        self.values["image_meta"] = sorted(image)[0] if image else "none"
        balancer = self.must(202, "POST", L + "/loadbalancers", {"loadBalancer": {
            "name": "probe", "protocol": "HTTP", "port": 80,
            "virtualIps": [{"type": "PUBLIC"}],
            "nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}],
            "metadata": [{"key": "k", "value": "v"}],
            "accessList": [{"address": "10.0.0.0/8", "type": "ALLOW"}],
        }})["loadBalancer"]
        self.values["balancer"] = str(balancer["id"])
        one = L + f"/loadbalancers/{balancer['id']}"
        node = self.must(200, "GET", one + "/nodes")["nodes"][0]
        self.values["node"] = str(node["id"])
        self.values["meta"] = str(self.must(200, "GET", one + "/metadata")["metadata"][0]["id"])
        added = self.must(200, "POST", one + f"/nodes/{node['id']}/metadata",
                          {"metadata": [{"key": "k", "value": "v"}]})
        self.values["node_meta"] = str(added["metadata"][0]["id"])
        self.values["rule"] = str(self.must(200, "GET", one + "/accesslist")["accessList"][0]["id"])
        for method, url in (("PUT", S + "/probe"), ("PUT", S + "/probe/probe-object"), ("PUT", SC + "/probe")):
            response = self.mimic.request(method, self.expand(url), raw=b"probe", token=self.token)
            assert response.code == 201, (url, response)
        self.build_blockstorage(access.endpoint("volumev3"))
        self.build_network(access.endpoint("network") + "/v2.0")
        services = self.must(200, "GET", "/identity/v3/services")["services"]
        self.values["service_id"] = services[0]["id"]
        endpoints = self.must(200, "GET", "/identity/v3/endpoints")["endpoints"]
        self.values["endpoint_id"] = endpoints[0]["id"]
        registration = self.must(201, "POST", "/mimic/v1.1/compute/behaviors/server.create", {
            "name": "fail", "criteria": [{"server_name": "^never-matches-anything$"}]})
        self.values["registration"] = registration["id"]
        for name, value in ARGUMENT_VALUES.items():
            self.values[name] = value[1:] if value.startswith("=") else self.values[value]
        self.settle(0)

    def build_blockstorage(self, cinder: str) -> None:
        """
        A volume with metadata, a snapshot and a backup, and a second
        volume reserved by the attachments API.
        """
        self.values["blockstorage"] = cinder
        volume = self.must(202, "POST", cinder + "/volumes", {"volume": {
            "size": 1, "name": "probe", "metadata": {"role": "probe"}}})["volume"]
        self.values["volume"] = volume["id"]
        snapshot = self.must(202, "POST", cinder + "/snapshots", {"snapshot": {
            "volume_id": volume["id"], "metadata": {"role": "probe"}}})["snapshot"]
        self.values["volume_snapshot"] = snapshot["id"]
        backup = self.must(202, "POST", cinder + "/backups", {"backup": {"volume_id": volume["id"]}})["backup"]
        self.values["volume_backup"] = backup["id"]
        reserved = self.must(202, "POST", cinder + "/volumes", {"volume": {"size": 1}})["volume"]
        attachment = self.mimic.request(
            "POST", cinder + "/attachments", {"attachment": {"volume_uuid": reserved["id"], "instance_uuid": IMAGE}},
            token=self.token, headers={"OpenStack-API-Version": "volume 3.27"},
        )
        assert attachment.code == 200, attachment
        self.values["volume_attachment"] = attachment.json()["attachment"]["id"]

    def build_network(self, neutron: str) -> None:
        """
        One of each of the network service's resources.
        """
        network = self.must(201, "POST", neutron + "/networks", {"network": {"name": "probe"}})["network"]
        subnet = self.must(201, "POST", neutron + "/subnets", {"subnet": {
            "network_id": network["id"], "cidr": "10.9.0.0/24", "ip_version": 4}})["subnet"]
        port = self.must(201, "POST", neutron + "/ports", {"port": {"network_id": network["id"]}})["port"]
        group = self.must(201, "POST", neutron + "/security-groups", {"security_group": {"name": "probe"}})
        rule = self.must(201, "POST", neutron + "/security-group-rules", {"security_group_rule": {
            "security_group_id": group["security_group"]["id"], "direction": "ingress", "protocol": "tcp",
            "port_range_min": 22, "port_range_max": 22}})
        external = self.must(200, "GET", neutron + "/networks?router:external=true")["networks"][0]["id"]
        router = self.must(201, "POST", neutron + "/routers", {"router": {
            "name": "probe", "external_gateway_info": {"network_id": external}}})["router"]
        self.must(200, "PUT", neutron + f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]})
        floating = self.must(201, "POST", neutron + "/floatingips", {"floatingip": {
            "floating_network_id": external, "port_id": port["id"]}})["floatingip"]
        self.values.update(
            network_id=network["id"], subnet_id=subnet["id"], port_id=port["id"],
            group_id=group["security_group"]["id"], sg_rule=rule["security_group_rule"]["id"],
            floating_ip_id=floating["id"], router_id=router["id"],
        )

    def settle(self, seconds: float) -> None:
        """
        Let ``seconds`` pass, so that whatever a change started finishes,
        and read what the services bring up to the clock only when read
        (a server's due transitions, a deleted balancer CLB stops
        showing), so that the state in memory is what any next request
        will meet and a refused request's snapshots differ only by what
        it did.
        """
        self.mimic.tick(seconds)
        for path in (C + "/servers/detail", L + "/loadbalancers"):
            self.mimic.request("GET", self.expand(path), token=self.token)

    def expand(self, template: str) -> str:
        """
        A path template with the world's values in it; a placeholder the
        world has no value for (a new service's id) names nothing here.
        """
        return re.sub(r"\{(\w+)\}", lambda m: self.values.get(m.group(1), UNKNOWN_ID), template)

    def fill(self, body: Any) -> Any:
        """
        A body template with the world's ids put in its strings.
        """
        if isinstance(body, str):
            return self.expand(body)
        if isinstance(body, dict):
            return {k: self.fill(v) for k, v in body.items()}
        if isinstance(body, list):
            return [self.fill(v) for v in body]
        return body

    def must(self, status: int, method: str, path: str, body: Any = None) -> Any:
        response = self.mimic.request(method, self.expand(path), body, token=self.token)
        assert response.code == status, (method, path, response)
        return response.json() if response.body else None

    def snapshot(self) -> Any:
        """
        Everything Mimic holds, as a value, to compare before and after
        a refused change.
        """
        return self.snapshots.take(self.mimic.core)


# -- the prober ------------------------------------------------------------------


def spoiled(body: Any) -> Iterator[tuple[str, Any]]:
    """
    ``body`` with each field in turn (at every depth) replaced by each of
    :data:`NASTY`, or removed: (description, body) pairs.
    """

    def paths(value: Any, prefix: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield prefix + (key,)
                yield from paths(item, prefix + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield prefix + (index,)
                yield from paths(item, prefix + (index,))

    def replaced(value: Any, path: tuple[Any, ...], new: Any, remove: bool) -> Any:
        if not path:
            return new
        head, rest = path[0], path[1:]
        copy = dict(value) if isinstance(value, dict) else list(value)
        if not rest and remove:
            del copy[head]
        else:
            copy[head] = replaced(value[head], rest, new, remove)
        return copy

    for path in paths(body, ()):
        where = "/".join(map(str, path))
        yield f"{where} removed", replaced(body, path, None, True)
        for nasty in NASTY if len(path) <= 2 else FEW_NASTY:
            yield f"{where}={nasty!r:.40}", replaced(body, path, nasty, False)
    for nasty in NASTY:
        yield f"body={nasty!r:.40}", nasty
    if isinstance(body, dict) and len(body) == 1:
        ((key, inner),) = body.items()
        if isinstance(inner, dict):
            yield "unknown field", {key: {**inner, "surprise\u2603": {"x": [1]}}}
            for nasty in NASTY:
                yield f"{key} of one nasty key", {key: {str(nasty)[:50]: nasty}}


def encode(body: Any) -> bytes:
    """
    JSON as Python writes it: NaN and infinities as bare words (which
    Python's parser reads back), lone surrogates escaped.
    """
    return json.dumps(body).encode("utf-8")


class Prober:
    """
    Sends requests and collects every way a response falls short.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        #: The last world made, and its snapshot when it was new.
        self._pristine: tuple[World, Any] | None = None
        #: While the probes are gathered rather than sent (see
        #: :meth:`gather`): each probe, as :meth:`send`'s arguments.
        self.gathered: list[tuple[Route, str, dict[str, Any]]] | None = None

    def gather(self, probes: Callable[[], None]) -> list[tuple[Route, str, dict[str, Any]]]:
        """
        The probes ``probes()`` would send, unsent: (route, what,
        arguments to :meth:`send`), in order.  They are made against the
        world :meth:`world` gives, which gathering leaves as it was.
        """
        self.gathered = []
        try:
            probes()
            return self.gathered
        finally:
            self.gathered = None

    def run(self, probes: list[tuple[Route, str, dict[str, Any]]]) -> None:
        """
        Send gathered probes, in the world they were gathered in.
        """
        world = self.world()
        for route, what, arguments in probes:
            self.send(world, route, what, **arguments)

    def world(self) -> World:
        """
        A world as a new one is: the last one made, if nothing in it has
        changed since (the probes of a route that only reads or is
        refused leave it so), or else a new one.  Building a world is
        the dearest step after the requests themselves.
        """
        if self._pristine is not None:
            world, new = self._pristine
            if world.snapshot() == new:
                return world
        return self._new(World())

    def _new(self, world: World) -> World:
        self._pristine = (world, world.snapshot())
        return world

    def send(
        self,
        world: World,
        route: Route,
        what: str,
        url: str | None = None,
        raw: bytes | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Response | None:
        if self.gathered is not None:
            arguments = {"url": url, "raw": raw, "method": method, "headers": headers, "token": token}
            self.gathered.append((route, what, arguments))
            return None
        method = method or route.method
        url = url if url is not None else world.expand(route.path)
        sent_headers = {k: world.expand(v) for k, v in route.headers.items()}
        sent_headers.update(headers or {})
        if raw is not None:
            sent_headers.setdefault("Content-Type", "application/json")
        mutating = method in MUTATING
        if mutating and world.known is None:
            world.known = world.snapshot()
        before = world.known
        # A read may make state as it goes (a tenant's first request to
        # a region, say): the next change is measured from after it.
        world.known = None
        label = f"{method} {route.path} [{what}]"
        try:
            response = world.mimic.request(
                method, url, token=token if token is not None else world.token,
                headers=sent_headers, raw=raw,
            )
        except Exception as e:  # the app broke the connection or the stub
            self.problems.append(f"{label}: no response: {e!r}")
            return None
        self.check(shape_owner(route), label, method, response)
        if mutating and response.code >= 400:
            after = world.snapshot()
            if after != before:
                changed = differences(before, after)
                self.problems.append(
                    f"{label}: refused with {response.code} but changed {changed[:5]}"
                )
            world.known = after
        elif mutating and route.service == "control":
            # A reset or registration may have undone the world: the
            # next probe meets a new one.
            world.build()
            self._new(world)
        elif mutating:
            # Let whatever the change started finish, so the next probe
            # meets a settled world.
            world.settle(15)
        return response

    def check(self, service: str, label: str, method: str, response: Response) -> None:
        status = response.code
        text = response.body.decode("utf-8", "replace")
        if status >= 500:
            self.problems.append(f"{label}: {status} {text[:300]}")
            return
        if "Traceback" in text or 'File "' in text:
            self.problems.append(f"{label}: traceback in body {text[:300]}")
        if status < 400 or method == "HEAD":
            return
        content_type = response.header("content-type") or ""
        if textual_errors(service):
            # Swift's errors are its status pages (HTML) or a line of
            # text, never JSON.
            if not content_type.startswith(("text/html", "text/plain")):
                self.problems.append(f"{label}: {status} with content-type {content_type!r}: {text[:200]}")
            return
        if not content_type.startswith("application/json"):
            self.problems.append(f"{label}: {status} with content-type {content_type!r}: {text[:200]}")
            return
        try:
            body = response.json()
        except ValueError:
            self.problems.append(f"{label}: {status} body is not JSON: {text[:200]}")
            return
        wrong = shape_of(service)(body, status)
        if wrong is not None:
            self.problems.append(f"{label}: {status} {wrong}: {text[:200]}")

    # The probes.

    def bodies(self, route: Route) -> None:
        world = self.world()
        for raw in RAW_BODIES:
            self.send(world, route, f"raw {raw[:20]!r}", raw=raw)
        if route.body is not None:
            for what, body in spoiled(world.fill(route.body)):
                self.send(world, route, what, raw=encode(body))

    def queries(self, route: Route) -> None:
        world = self.world()
        base = world.expand(route.path)
        for name in route.query:
            for value in BAD_QUERY_VALUES:
                self.send(world, route, f"?{name}={value[:20]}", url=f"{base}?{name}={value}")
            self.send(world, route, f"?{name} twice", url=f"{base}?{name}=1&{name}=x")
        if route.query:
            self.send(world, route, "every argument", url=base + "?" + "&".join(
                f"{name}=%ff" for name in route.query))

    def ids(self, route: Route) -> None:
        names = re.findall(r"\{(\w+)\}", route.path.split("}", 1)[1] if route.path.startswith("{") else route.path)
        if not names:
            return
        world = self.world()
        for name in names:
            for bad in BAD_IDS:
                original = world.values[name]
                world.values[name] = bad
                url = world.expand(route.path)
                world.values[name] = original
                body = encode(world.fill(route.body)) if route.body is not None else None
                self.send(world, route, f"{name}={bad[:20]}", url=url, raw=body)

    def methods(self, routes: list[Route]) -> None:
        world = self.world()
        routed: dict[str, set[str]] = {}
        for route in routes:
            routed.setdefault(route.path, set()).add(route.method)
        by_path = {route.path: route for route in routes}
        for path, methods in routed.items():
            for method in ALL_METHODS:
                if method in methods or (method == "HEAD" and "GET" in methods):
                    continue
                self.send(world, by_path[path], f"method {method}", method=method, raw=b"{}")

    def headers(self, routes: list[Route]) -> None:
        """
        Odd tokens, microversions, subject tokens and content types on
        every route.
        """
        world = self.world()
        odd_tokens = ["", " ", "x" * 10000, "\u2603", "%ff", world.values["other_token"]]
        odd_headers = [
            {"OpenStack-API-Version": value}
            for value in ("compute", "compute abc", "compute 2.", "compute 2.1.1", "compute -2.1",
                          "compute 99999999999999999999.1", "compute 2.99999999999999999999",
                          "compute 3.0", "compute 1.9", "compute latest, compute 2.1",
                          "volume 3.0", "\u2603", "")
        ] + [
            {"X-OpenStack-Nova-API-Version": value} for value in ("abc", "2.1000", "", " 2.1 ")
        ] + [
            {"X-Subject-Token": value} for value in ("", "x" * 10000, "\u2603")
        ] + [
            {"Content-Type": value} for value in ("text/plain", "application/xml", "\u2603", "")
        ] + [{"Accept": "application/xml"}, {"Host": "\u2603"}, {"Host": ""}]
        for route in routes:
            body = encode(world.fill(route.body)) if route.body is not None else None
            for token in odd_tokens:
                self.send(world, route, f"token {token[:10]!r}", raw=body, token=token)
            for headers in odd_headers:
                self.send(world, route, f"headers {headers!r:.60}", raw=body, headers=headers)

    def paths(self) -> None:
        """
        Odd paths to the root, the identity mount, the control plane and
        the per-service dispatch: each answered in the shape of whoever
        owns that path.
        """
        world = self.world()
        tenant = world.values["tenant"]
        long = "a" * 8000
        cases = [
            ("control", "/"),  # the help text is a 200
            ("control", "/nowhere"),
            ("control", "/%ff"),
            ("control", "/%00"),
            ("control", "/" + long),
            ("control", "/service"),
            ("control", "/service/compute"),
            ("control", "/service/compute/ORD"),
            ("control", "/service/nothing/ORD/" + tenant + "/v2"),
            ("control", "/service/%ff/ORD/" + tenant + "/v2"),
            ("compute", "/service/compute/XYZ/" + tenant + "/v2"),
            ("compute", "/service/compute/%ff/" + tenant + "/v2"),
            ("compute", "/service/compute/ORD/%ff/v2/" + tenant),
            ("compute", "/service/compute/ORD/other/v2/other/servers"),
            ("compute", "/service/compute/ORD/" + tenant + "/v2/other/servers"),
            ("compute", "/service/compute/ORD/" + tenant + "/v3/" + tenant + "/servers"),
            ("compute", "/service/compute/ORD/" + tenant + "/v2/" + tenant + "/" + long),
            ("compute", "/service/compute/ORD/" + tenant + "/v2/" + tenant + "/servers/%00"),
            ("compute", "/service/compute/ORD/" + tenant + "/v2/" + tenant + "//servers//"),
            ("compute", "/service/compute/ORD/" + tenant + "/v2/" + tenant + "/servers/../flavors"),
            ("loadbalancer", "/service/loadbalancer/ORD/" + tenant + "/v1.0/other/loadbalancers"),
            ("loadbalancer", "/service/loadbalancer/ORD/" + tenant + "/v1.1/" + tenant),
            ("loadbalancer", "/service/loadbalancer/ORD/" + tenant + "/v1.0/" + tenant
             + "/loadbalancers/1.5"),
            ("loadbalancer", "/service/loadbalancer/ORD/" + tenant + "/v1.0/" + tenant
             + "/loadbalancers/-1"),
            ("loadbalancer", "/service/loadbalancer/ORD/" + tenant + "/v1.0/" + tenant
             + "/loadbalancers/" + "9" * 5000),
            ("identity", "/identity/v4"),
            ("identity", "/identity/v2.0/" + long),
            ("identity", "/identity/v3/%ff"),
            ("identity", "/identity/v3/users/%00"),
            ("control", "/mimic/v1.1/%ff"),
            ("control", "/mimic/v9"),
        ]
        for service, path in cases:
            for method in ("GET", "POST", "DELETE", "PATCH"):
                probe = Route(service, method, path)
                self.send(world, probe, "odd path", url=world.mimic.base + path, raw=b"{}")

    def report(self) -> str:
        return f"{len(self.problems)} problems:\n" + "\n".join(self.problems[:200])


def legacy_control_routes() -> list[Route]:
    """
    Bodies for the old control entries' routes (their paths come from
    the routing tables).
    """
    compute = "/service/compute-control/ORD/{tenant}/v2/{tenant}"
    lb = "/service/loadbalancer-control/ORD/{tenant}/v2/{tenant}"
    return [
        Route("compute-control", "POST", compute + "/attributes",
              {"status": {"{server}": "ERROR"}}),
        Route("compute-control", "POST", compute + "/behaviors/creation", {
            "name": "fail", "parameters": {"code": 500, "message": "m"},
            "criteria": [{"server_name": "^never-matches-anything$"}]}),
        Route("loadbalancer-control", "PATCH", lb + "/loadbalancer/{balancer}/attributes",
              {"status": "ERROR"}),
        Route("loadbalancer-control", "POST", lb + "/behaviors/loadbalancer.create", {
            "name": "fail", "parameters": {"code": 500, "message": "m"},
            "criteria": [{"loadbalancer_name": "^never-matches-anything$"}]}),
    ]


S = "{objectstorage}"
SC = "{objectstorage_cdn}"

#: Swift's listing arguments.
LISTING_QUERY = ("limit", "marker", "end_marker", "prefix", "delimiter", "format", "reverse")


def objectstorage_routes() -> list[Route]:
    """
    Swift's account, container and object (one branch route below
    ``/v1/``, as names may hold any slashes), and the CDN's.  Bodies are
    sent as they are: Swift reads headers, and an object's body is its
    bytes.
    """
    routes = [
        Route("objectstorage", "GET", S, query=LISTING_QUERY),
        Route("objectstorage", "POST", S, headers={"X-Account-Meta-Probe": "1"}),
        Route("objectstorage", "GET", S + "/probe", query=LISTING_QUERY),
        Route("objectstorage", "PUT", S + "/probe", headers={"X-Container-Meta-Quota-Bytes": "10"}),
        Route("objectstorage", "POST", S + "/probe", headers={"X-Container-Read": ".r:*"}),
        Route("objectstorage", "DELETE", S + "/probe"),
        Route("objectstorage", "GET", S + "/probe/probe-object",
              query=("multipart-manifest", "temp_url_sig", "temp_url_expires", "filename")),
        Route("objectstorage", "PUT", S + "/probe/probe-object",
              query=("multipart-manifest", "extract-archive"), headers={"X-Delete-After": "60"}),
        Route("objectstorage", "POST", S + "/probe/probe-object", headers={"X-Object-Meta-Probe": "1"}),
        Route("objectstorage", "COPY", S + "/probe/probe-object", headers={"Destination": "probe/copied"}),
        Route("objectstorage", "DELETE", S + "/probe/probe-object", query=("multipart-manifest",)),
        Route("objectstorage", "GET", SC, query=LISTING_QUERY + ("enabled_only",)),
        Route("objectstorage", "PUT", SC + "/probe", headers={"X-Ttl": "900"}),
        Route("objectstorage", "POST", SC + "/probe", headers={"X-Cdn-Enabled": "False"}),
    ]
    return routes


B = "{blockstorage}"

#: Cinder's listing arguments.
BLOCKSTORAGE_QUERY = (
    "limit", "marker", "sort", "sort_key", "sort_dir", "offset", "with_count", "status", "name",
    "metadata", "all_tenants", "bootable", "volume_type", "availability_zone",
)


def blockstorage_routes() -> list[Route]:
    """
    Cinder's bodies, each action's among them, sent at the newest
    microversion so that every route (the attachments API's too) is
    reached.
    """
    latest = {"OpenStack-API-Version": "volume 3.70"}

    def r(method: str, path: str, body: Any = None) -> Route:
        query = BLOCKSTORAGE_QUERY if method == "GET" else ("cascade", "force") if method == "DELETE" else ()
        return Route("blockstorage", method, B + path, body, query, headers=latest)

    volume = B + "/volumes/{volume}"
    routes = [
        r("GET", "/volumes"),
        r("GET", "/volumes/detail"),
        r("POST", "/volumes", {"volume": {
            "size": 1, "name": "n", "description": "d", "volume_type": "SSD", "availability_zone": "nova",
            "metadata": {"k": "v"}, "multiattach": False}}),
        r("POST", "/volumes", {"volume": {"size": 1, "snapshot_id": "{volume_snapshot}"}}),
        r("POST", "/volumes", {"volume": {"size": 1, "source_volid": "{volume}"}}),
        r("POST", "/volumes", {"volume": {"size": 20, "imageRef": IMAGE}}),
        r("POST", "/volumes", {"volume": {"size": 1, "backup_id": "{volume_backup}"}}),
        r("PUT", "/volumes/{volume}", {"volume": {"name": "n", "description": "d", "metadata": {"k": "v"}}}),
        r("POST", "/volumes/{volume}/metadata", {"metadata": {"k": "v"}}),
        r("PUT", "/volumes/{volume}/metadata", {"metadata": {"k": "v"}}),
        r("PUT", "/volumes/{volume}/metadata/role", {"meta": {"role": "v"}}),
        r("POST", "/snapshots", {"snapshot": {
            "volume_id": "{volume}", "name": "n", "description": "d", "force": True, "metadata": {"k": "v"}}}),
        r("PUT", "/snapshots/{volume_snapshot}", {"snapshot": {"name": "n", "description": "d"}}),
        r("POST", "/snapshots/{volume_snapshot}/metadata", {"metadata": {"k": "v"}}),
        r("PUT", "/snapshots/{volume_snapshot}/metadata/role", {"meta": {"role": "v"}}),
        r("POST", "/snapshots/{volume_snapshot}/action", {"os-reset_status": {"status": "available"}}),
        r("POST", "/backups", {"backup": {
            "volume_id": "{volume}", "name": "n", "description": "d", "container": "c", "incremental": False,
            "force": True, "metadata": {"k": "v"}}}),
        r("PUT", "/backups/{volume_backup}", {"backup": {"name": "n", "description": "d", "metadata": {"k": "v"}}}),
        r("POST", "/backups/{volume_backup}/restore", {"restore": {"volume_id": "{volume}", "name": "n"}}),
        r("POST", "/backups/{volume_backup}/action", {"os-reset_status": {"status": "available"}}),
        r("POST", "/attachments", {"attachment": {
            "volume_uuid": "{volume}", "instance_uuid": IMAGE, "mode": "rw",
            "connector": {"host": "h", "mountpoint": "/dev/vdb"}}}),
        r("PUT", "/attachments/{volume_attachment}", {"attachment": {"connector": {"host": "h", "mountpoint": "/dev/vdb"}}}),
        r("PUT", "/os-quota-sets/{tenant}", {"quota_set": {"volumes": 50, "gigabytes": 5000}}),
    ]
    for body in (
        {"os-extend": {"new_size": 2}},
        {"os-reset_status": {"status": "available", "attach_status": "detached"}},
        {"os-set_bootable": {"bootable": True}},
        {"os-update_readonly_flag": {"readonly": True}},
        {"os-attach": {"instance_uuid": IMAGE, "mountpoint": "/dev/vdb", "mode": "rw"}},
        {"os-detach": {"attachment_id": "{volume_attachment}"}},
        {"os-initialize_connection": {"connector": {"host": "h"}}},
        {"os-volume_upload_image": {"image_name": "n", "force": True, "disk_format": "raw", "container_format": "bare"}},
        {"os-retype": {"new_type": "SSD", "migration_policy": "never"}},
        {"revert": {"snapshot_id": "{volume_snapshot}"}},
    ):
        routes.append(Route("blockstorage", "POST", volume + "/action", body, headers=latest))
    return routes


def hints() -> list[Route]:
    """
    What the routing tables cannot say about a route: a valid body to
    spoil field by field, the query arguments it reads, headers it is
    sent with.  Each names a route by its method and a path in the
    world (see :func:`route_table`); a route without a hint is probed
    with :data:`GENERIC_BODY` and :data:`GENERIC_QUERY`.
    """
    return (
        compute_routes()
        + lb_routes()
        + identity_routes()
        + control_routes()
        + legacy_control_routes()
        + objectstorage_routes()
        + blockstorage_routes()
    )


#: The body a route that takes one is given when no hint says what it
#: reads: its field is then spoiled like any other.
GENERIC_BODY = {"name": "probe"}

#: The query arguments a route is sent when no hint says what it reads.
GENERIC_QUERY = ("limit", "marker", "name", "status", "sort_key", "sort_dir", "changes-since", "id")

BODY_METHODS = {"POST", "PUT", "PATCH"}


@define
class RouteTable:
    """
    The probed routes by service, from the routing tables and the hints,
    and the hints that named no declared route.
    """

    routes: dict[str, list[Route]]
    unmatched: list[Route]


def _concrete(world: World, path: str) -> str:
    url = world.expand(path)
    return url[len(world.mimic.base):] if url.startswith(world.mimic.base) else url


def _pattern(path: str) -> re.Pattern[str]:
    """
    What a declared path matches: its placeholders stand for any segment.
    """
    head, rest, _ = path.partition("{rest}")
    parts = re.split(r"\{\w+\}", head)
    return re.compile("[^/]+".join(map(re.escape, parts)) + (".*" if rest else "") + "$")


@lru_cache(maxsize=None)
def route_table() -> RouteTable:
    """
    Every declared route (see :mod:`mimic.test.route_tables`), each
    method a :class:`Route` of its own, with its hints where there are
    some (a route may have several: one per action body, say).  A hint
    belongs to the most specific declared route whose path matches the
    path it names in a world.
    """
    world = World()
    declared = [
        (found, method, in_context(found.path))
        for found in declared_routes(world.mimic, world.values["tenant"])
        for method in sorted(found.methods)
    ]
    patterns = [_pattern(path) for _, _, path in declared]
    hinted: dict[int, list[Route]] = {}
    unmatched = []
    for hint in hints():
        concrete = _concrete(world, hint.path)
        matches = [
            i for i, (found, method, path) in enumerate(declared)
            if method == hint.method and patterns[i].match(concrete)
        ]
        if not matches:
            unmatched.append(hint)
            continue
        best = min(matches, key=lambda i: declared[i][2].count("{"))
        hinted.setdefault(best, []).append(hint)
    routes: dict[str, list[Route]] = {}
    for i, (found, method, path) in enumerate(declared):
        if i in hinted:
            routes.setdefault(found.service, []).extend(hinted[i])
            continue
        body = GENERIC_BODY if method in BODY_METHODS else None
        query = GENERIC_QUERY if method == "GET" else ()
        routes.setdefault(found.service, []).append(Route(found.service, method, path, body, query))
    return RouteTable(routes, unmatched)


FAMILIES = ("bodies", "queries", "ids", "methods", "headers")

#: How many probes of one family each service gets in the default suite
#: (``MIMIC_FUZZ_CASES``; ``all`` for every one, as ``tox -e fuzz`` runs).
DEFAULT_CASES = 40

#: The seed the default suite samples with (``MIMIC_FUZZ_SEED``).
DEFAULT_SEED = "19"


def sample_size() -> int | None:
    """
    Probes per service and family, or None for all of them.
    """
    cases = os.environ.get("MIMIC_FUZZ_CASES", str(DEFAULT_CASES))
    return None if cases == "all" else int(cases)


def fuzz_seed() -> str:
    return os.environ.get("MIMIC_FUZZ_SEED", DEFAULT_SEED)


def sampled(probes: list[Any], service: str, family: str) -> list[Any]:
    """
    A fixed number of ``probes``, drawn with the seed (the same ones on
    every run with the same seed), in the order they were made; all of
    them when sampling is off.
    """
    size = sample_size()
    if size is None or size >= len(probes):
        return probes
    chosen = random.Random(f"{fuzz_seed()}/{service}/{family}").sample(range(len(probes)), size)
    return [probes[i] for i in sorted(chosen)]


class PathProbes(SynchronousTestCase):
    def test_odd_paths_give_4xx_in_the_shape_of_whoever_owns_the_path(self) -> None:
        """
        Unknown services, regions, tenants, versions; paths that are
        not UTF-8, hold NUL or dot segments, or run to thousands of
        characters: each gets a JSON 4xx from the part of Mimic it
        reached, never a 500 or HTML.
        """
        prober = Prober()
        prober.paths()
        for logged in self.flushLoggedErrors():
            prober.problems.append(f"logged: {logged.getErrorMessage()[:300]}")
        if prober.problems:
            self.fail(prober.report())


class RouteTableTests(SynchronousTestCase):
    """
    The probed routes are the declared ones.
    """

    def test_every_service_is_probed(self) -> None:
        """
        Identity, the control plane and every installed plugin have
        routes to probe, found in their routing tables.
        """
        expected = {"identity", "control"} | {plugin.name for plugin in plugins()}
        self.assertEqual(set(route_table().routes), expected)

    def test_every_hint_names_a_declared_route(self) -> None:
        """
        A hint whose route went (or moved) would quietly stop being
        used: each names a route the tables declare.
        """
        unmatched = [(hint.method, hint.path) for hint in route_table().unmatched
                     if hint.body is not None or hint.headers]
        self.assertEqual(unmatched, [])


class RouteProbes(SynchronousTestCase):
    """
    Every declared route of one service against one family of bad input;
    each test names the family and the service.  The default suite sends
    a seeded sample of each family's probes; ``MIMIC_FUZZ_CASES=all``
    (``tox -e fuzz``) sends every one.
    """

    def probe(self, service: str, family: str) -> None:
        prober = Prober()
        routes = route_table().routes[service]

        def probes() -> None:
            if family == "methods":
                prober.methods(routes)
            elif family == "headers":
                prober.headers(routes)
            else:
                for route in routes:
                    if family == "bodies" and route.method in BODY_METHODS:
                        prober.bodies(route)
                    elif family == "queries":
                        prober.queries(route)
                    elif family == "ids":
                        prober.ids(route)

        prober.run(sampled(prober.gather(probes), service, family))
        for logged in self.flushLoggedErrors():
            prober.problems.append(f"logged: {logged.getErrorMessage()[:300]}")
        if prober.problems:
            self.fail(f"seed {fuzz_seed()!r} (MIMIC_FUZZ_SEED), "
                      f"cases {os.environ.get('MIMIC_FUZZ_CASES', DEFAULT_CASES)}: " + prober.report())


def _add_probe(service: str, family: str) -> None:
    def test(self: RouteProbes) -> None:
        self.probe(service, family)

    test.__doc__ = f"""
    Bad {family} sent to every {service} route give the service's own
    4xx error, and refused changes change nothing.
    """
    name = f"test_{service.replace('-', '_')}_bad_{family}_give_4xx_in_service_shape"
    test.__name__ = name
    setattr(RouteProbes, name, test)


def _services() -> list[str]:
    """
    The services probed: identity, the control plane and every installed
    plugin, each a test per family.
    """
    return ["identity", "control"] + sorted(plugin.name for plugin in plugins())


for _service in _services():
    for _family in FAMILIES:
        _add_probe(_service, _family)


@define
class _Leaf:
    values: dict[str, Any]
    tags: list[Any] = field(factory=list)


@frozen
class _Fixed:
    name: str
    leaf: _Leaf


@define
class _State:
    """
    A stand-in for the core: a clock, and state of every shape.
    """

    clock: Clock
    fixed: tuple[_Fixed, ...]
    numbers: Iterator[int] = field(factory=lambda: iter(range(1, 100)))
    hook: Callable[[], None] = lambda: None
    ratio: float = float("nan")
    other: Any = None


class SnapshotTests(SynchronousTestCase):
    """
    The probes' oracle: snapshots of the state in memory, equal exactly
    when nothing has changed.
    """

    def state(self) -> _State:
        leaf = _Leaf({"a": "b"}, [1])
        return _State(Clock(), (_Fixed("one", leaf), _Fixed("two", _Leaf({}))))

    def test_unchanged_state_gives_an_equal_snapshot(self) -> None:
        """
        Taken again, with nothing changed, a snapshot is equal to the
        last one and to one taken from scratch; NaN is equal to itself.
        """
        state = self.state()
        snapshots = StateSnapshots()
        first = snapshots.take(state)
        self.assertEqual(differences(first, snapshots.take(state)), [])
        self.assertEqual(differences(first, StateSnapshots().take(state)), [])

    def test_a_change_deep_inside_unchanged_parts_is_seen(self) -> None:
        """
        A change inside a mutable object held by frozen ones, which
        themselves are the same objects as before, shows, and where.
        """
        state = self.state()
        snapshots = StateSnapshots()
        before = snapshots.take(state)
        state.fixed[0].leaf.values["a"] = "c"
        after = snapshots.take(state)
        self.assertNotEqual(after, before)
        self.assertEqual(after, StateSnapshots().take(state))
        self.assertEqual(differences(before, after), ["/core/fixed/0/leaf/values/a"])
        state.fixed[1].leaf.tags.append(1.5)
        self.assertEqual(differences(after, snapshots.take(state)),
                         ["/core/fixed/1/leaf/tags"])

    def test_time_shows_but_not_functions_nor_counters(self) -> None:
        """
        Moving the clock is a change; replacing a function, or drawing
        from an id counter, is not.
        """
        state = self.state()
        snapshots = StateSnapshots()
        before = snapshots.take(state)
        state.hook = lambda: print("other")
        next(state.numbers)
        self.assertEqual(snapshots.take(state), before)
        state.clock.advance(1)
        self.assertEqual(differences(before, snapshots.take(state)), ["/clock"])

    def test_shared_and_cyclic_objects(self) -> None:
        """
        An object held twice is walked once (so a cycle ends), and
        holding the same object twice differs from holding two equal
        ones.
        """
        state = self.state()
        state.other = state
        leaf = state.fixed[0].leaf
        leaf.tags.append(leaf)
        shared = StateSnapshots().take(state)
        leaf.tags[-1] = _Leaf({"a": "b"}, [1])
        self.assertNotEqual(StateSnapshots().take(state), shared)

    def test_refused_request_leaves_the_snapshot_equal(self) -> None:
        """
        Against a real in-memory Mimic: a refused create leaves the
        snapshot as it was, an accepted one changes compute's state.
        (The tenant's first request to compute makes its state there.)
        """
        mimic = InMemoryMimic(plugins=plugins())
        access = mimic.authenticate("alice")
        servers = access.endpoint("compute") + "/servers"
        self.assertEqual(mimic.request("GET", servers, token=access.token).code, 200)
        snapshots = StateSnapshots()
        before = snapshots.take(mimic.core)
        refused = mimic.request("POST", servers, {"server": {"name": 5}}, token=access.token)
        self.assertEqual(refused.code, 400, refused)
        self.assertEqual(differences(before, snapshots.take(mimic.core)), [])
        accepted = mimic.request("POST", servers, {"server": {
            "name": "s", "flavorRef": "2", "imageRef": IMAGE}}, token=access.token)
        self.assertEqual(accepted.code, 202, accepted)
        changed = differences(before, snapshots.take(mimic.core))
        self.assertTrue(changed)
        self.assertTrue(all(where.startswith("/core/_region_states/") for where in changed), changed)


class DefectTests(SynchronousTestCase):
    """
    The defects the probes found, each pinned down as a client sees it.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=plugins())
        self.access = self.mimic.authenticate("alice")

    def test_deeply_nested_json_body_is_400_not_500(self) -> None:
        """
        Python's JSON parser gives up on deep nesting with a
        RecursionError rather than a ValueError; that is still a malformed
        body, answered 400 in the service's shape.
        """
        response = self.mimic.request(
            "POST", self.access.endpoint("compute") + "/servers", raw=b"[" * 100_000,
            token=self.access.token, headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.code, 400)
        self.assertIn("nested too deeply", response.json()["badRequest"]["message"])

    def test_tick_past_what_mimic_can_show_is_refused_and_the_clock_kept(self) -> None:
        """
        A tick to a time no date can show (infinity, 1e300 seconds) would
        leave every later response failing to format its times; it is a
        400 and the clock does not move.
        """
        before = self.mimic.request("GET", "/mimic/v1.1/clock").json()
        for amount in (1e300, 10**20):
            response = self.mimic.request("POST", "/mimic/v1.1/tick", {"amount": amount})
            self.assertEqual(response.code, 400, response)
            self.assertIn("9000", response.json()["message"])
        response = self.mimic.request(
            "POST", "/mimic/v1.1/tick", raw=b'{"amount": Infinity}',
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.code, 400, response)
        self.assertEqual(self.mimic.request("GET", "/mimic/v1.1/clock").json(), before)
        self.mimic.authenticate("bob")  # tokens' expiry times can still be shown

    def test_path_that_is_not_utf8_is_404_in_each_services_shape(self) -> None:
        """
        Klein answers a path that does not decode as UTF-8 with an HTML
        400; Mimic answers first, 404 in the shape of the service the path
        leads to.
        """
        token = self.access.token
        compute = self.mimic.request(
            "GET", self.access.endpoint("compute") + "/servers/%ff", token=token
        )
        self.assertEqual((compute.code, nova_shape(compute.json(), 404)), (404, None))
        balancer = self.mimic.request(
            "GET", self.access.endpoint("rax:load-balancer") + "/loadbalancers/%C0%AF",
            token=token,
        )
        self.assertEqual((balancer.code, plain_shape(balancer.json(), 404)), (404, None))
        identity = self.mimic.request("GET", "/identity/v2.0/tokens/%ff", token=token)
        self.assertEqual((identity.code, keystone_shape(identity.json(), 404)), (404, None))
        control = self.mimic.request("GET", "/mimic/v1.1/compute/behaviors/server.create/%ff")
        self.assertEqual((control.code, plain_shape(control.json(), 404)), (404, None))

    def test_load_balancer_numbers_must_be_ascii_digits(self) -> None:
        """
        ``"²"`` is a digit to Python's ``str.isdigit`` but not a number to
        ``int()``; CLB's query arguments, batch ids and integer fields
        given one (or five thousand digits) are 400s.
        """
        url = self.access.endpoint("rax:load-balancer") + "/loadbalancers"
        token = self.access.token
        for query in ("?limit=%C2%B2", "?marker=%C2%B2", "?offset=" + "9" * 5000):
            response = self.mimic.request("GET", url + query, token=token)
            self.assertEqual(response.code, 400, (query, response))
        response = self.mimic.request("DELETE", url + "?id=%C2%B2", token=token)
        self.assertEqual(response.code, 400, response)
        for port in ("\u00b2", "9" * 5000, "--5"):
            spec = {"name": "web", "protocol": "HTTP", "port": port,
                    "virtualIps": [{"type": "PUBLIC"}]}
            response = self.mimic.request("POST", url, {"loadBalancer": spec}, token=token)
            self.assertEqual(response.code, 400, (port, response))
            self.assertEqual(response.json()["message"], "Validation Failure")
        self.assertEqual(self.mimic.request("GET", url, token=token).json(), {"loadBalancers": []})

    def test_lone_surrogate_in_a_body_is_400(self) -> None:
        """
        ``"\\ud800"`` parses as JSON but is text with no UTF-8 form, so
        a user named by it could not be hashed to a tenant nor shown; it
        is a malformed body.  An escaped surrogate pair is fine.
        """
        body = b'{"auth": {"passwordCredentials": {"username": "\\ud800", "password": "p"}}}'
        response = self.mimic.request("POST", "/identity/v2.0/tokens", raw=body)
        self.assertEqual(response.code, 400, response)
        self.assertIn("surrogate", response.json()["error"]["message"])
        body = b'{"auth": {"passwordCredentials": {"username": "\\ud83d\\ude00", "password": "p"}}}'
        response = self.mimic.request("POST", "/identity/v2.0/tokens", raw=body)
        self.assertEqual(response.code, 200, response)
        self.assertEqual(response.json()["access"]["user"]["name"], "\U0001f600")

    def test_impersonation_lifetime_is_bounded_and_nothing_issued_when_refused(self) -> None:
        """
        An impersonation token living 10**30 seconds would expire on no
        date Mimic can write; it is refused before any token is issued.
        """
        admin = self.mimic.authenticate("admin", password="password").token
        before = self.mimic.request("GET", "/mimic/v1.1/state").json()["tenants"]
        for lifetime in (10**30, 2**63, 0, 1.5):
            response = self.mimic.request(
                "POST", "/identity/v2.0/RAX-AUTH/impersonation-tokens",
                {"RAX-AUTH:impersonation": {"user": {"username": "alice"},
                                            "expire-in-seconds": lifetime}},
                token=admin,
            )
            self.assertEqual(response.code, 400, (lifetime, response))
        after = self.mimic.request("GET", "/mimic/v1.1/state").json()["tenants"]
        self.assertEqual(after, before)

    def test_server_counts_and_console_length_are_integers(self) -> None:
        """
        ``min_count`` of Infinity (which Python's parser reads), 1.5 or
        true, and a console ``length`` of Infinity, are 400s as Nova's
        schemas give them, not 500s from ``int()``; no server is made.
        """
        compute = self.access.endpoint("compute")
        token = self.access.token
        for count in (b"Infinity", b"1.5", b"true", b'"1e3"', b'"--1"'):
            body = (b'{"server": {"name": "s", "flavorRef": "2", "imageRef": "' + IMAGE.encode()
                    + b'", "min_count": ' + count + b"}}")
            response = self.mimic.request("POST", compute + "/servers", raw=body, token=token,
                                          headers={"Content-Type": "application/json"})
            self.assertEqual(response.code, 400, (count, response))
            self.assertIn("min_count", response.json()["badRequest"]["message"])
        self.assertEqual(self.mimic.request("GET", compute + "/servers", token=token).json(),
                         {"servers": []})
        server = self.mimic.request("POST", compute + "/servers", {"server": {
            "name": "s", "flavorRef": "2", "imageRef": IMAGE, "min_count": "1"}}, token=token)
        self.assertEqual(server.code, 202, server)
        action = compute + f"/servers/{server.json()['server']['id']}/action"
        response = self.mimic.request("POST", action, raw=b'{"os-getConsoleOutput": {"length": Infinity}}',
                                      token=token, headers={"Content-Type": "application/json"})
        self.assertEqual(response.code, 400, response)
        response = self.mimic.request("POST", action, {"os-getConsoleOutput": {"length": -1}}, token=token)
        self.assertEqual(response.code, 200, response)
        whole = self.mimic.request("POST", action, {"os-getConsoleOutput": {}}, token=token)
        self.assertEqual(response.json()["output"], whole.json()["output"])

    def test_rebuild_key_name_of_the_wrong_type_is_400(self) -> None:
        """
        A ``key_name`` that is a list or object cannot name a keypair (it
        was a 500 looking it up); the server is unchanged.
        """
        compute = self.access.endpoint("compute")
        token = self.access.token
        latest = {"OpenStack-API-Version": "compute latest"}
        server = self.mimic.request("POST", compute + "/servers", {"server": {
            "name": "s", "flavorRef": "2", "imageRef": IMAGE}}, token=token).json()["server"]
        url = compute + f"/servers/{server['id']}"
        before = self.mimic.request("GET", url, token=token, headers=latest).json()
        for key_name in ([], {"a": 1}):
            response = self.mimic.request(
                "POST", url + "/action", {"rebuild": {"imageRef": IMAGE, "key_name": key_name}},
                token=token, headers=latest,
            )
            self.assertEqual(response.code, 400, response)
        response = self.mimic.request(
            "POST", url + "/action", {"rebuild": {"imageRef": IMAGE, "description": 5}},
            token=token, headers=latest,
        )
        self.assertEqual(response.code, 400, response)
        self.assertEqual(self.mimic.request("GET", url, token=token, headers=latest).json(), before)

    def test_encoded_slash_in_an_id_is_404(self) -> None:
        """
        ``%2F`` decodes to a slash inside one segment, which werkzeug
        would route as two (a redirect to another path, or a 500); no
        name holds one, so it is a 404 in the service's shape.
        """
        compute = self.access.endpoint("compute")
        response = self.mimic.request("GET", compute + "/servers/%2F/ips", token=self.access.token)
        self.assertEqual((response.code, nova_shape(response.json(), 404)), (404, None))
        response = self.mimic.request("GET", "/identity/v3/users/a%2Fb", token=self.access.token)
        self.assertEqual((response.code, keystone_shape(response.json(), 404)), (404, None))

    def test_root_and_identity_mount_answer_other_methods_and_paths_in_json(self) -> None:
        """
        ``POST /`` was Twisted's HTML 405 (``DELETE /`` an HTML 501), and
        ``/identity/v4`` the root's 404 rather than Keystone's.
        """
        for method in ("POST", "DELETE", "PATCH"):
            response = self.mimic.request(method, "/", raw=b"{}")
            self.assertEqual((response.code, plain_shape(response.json(), 405)), (405, None))
            self.assertEqual(response.header("allow"), "GET, HEAD")
        response = self.mimic.request("GET", "/identity/v4")
        self.assertEqual((response.code, keystone_shape(response.json(), 404)), (404, None))
