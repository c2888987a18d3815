# -*- test-case-name: mimic.test.test_robustness -*-
"""
Every route Mimic declares, read from its routing tables: the Klein apps'
url maps (each service's, identity's, the control plane's, the old
control entries'), followed through the resources that mount them and
through Klein branch routes into the apps those hand the rest of the path
to.  A new service, or a new route in an old one, is found here without
a line of test code naming it, so the robustness probes cover it.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from attrs import frozen
from klein import Klein
from klein.resource import KleinResource
from twisted.web.resource import IResource, Resource
from twisted.web.test.requesthelper import DummyRequest

from mimic.interfaces import IAPIMock
from mimic.testing import InMemoryMimic

#: werkzeug's ``<converter:name>`` and ``<name>`` placeholders.
_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

#: What each method set stands for when a rule takes every method.
EVERY_METHOD = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"})


@frozen
class DeclaredRoute:
    """
    One route: who serves it (a plugin's name, ``identity`` or
    ``control``), the methods it takes, and its path from Mimic's root
    with ``{name}`` for each variable part (``{tenant}`` and
    ``{region}`` for the ones the dispatch to a service fills).
    """

    service: str
    methods: frozenset[str]
    path: str

    @property
    def arguments(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))


def _template(rule: str) -> str:
    return _PLACEHOLDER.sub(lambda m: "{" + m.group(1) + "}", rule)


def _joined(prefix: str, rule: str) -> str:
    """
    A mounted app's rule below its mount point; its ``/`` is the mount
    point itself, as clients write it.
    """
    if rule == "/" and prefix:
        return prefix
    if prefix.endswith("/") and rule.startswith("/"):
        return prefix + rule[1:]
    return prefix + rule


def _inner_resources(resource: Any) -> Iterator[IResource]:
    """
    The resources a wrapper (a mount, a token check) hands requests to.
    """
    for value in vars(resource).values():
        if IResource.providedBy(value):
            yield value


def _sample(name: str, samples: dict[str, str]) -> str:
    return samples.get(name, "x")


def walk(
    resource: Any, prefix: str, service: str, samples: dict[str, str], depth: int = 0
) -> Iterator[DeclaredRoute]:
    """
    The routes below ``resource`` mounted at ``prefix``.  ``samples``
    are values for the placeholders a branch route's handler is called
    with to get the app it hands the rest of the path to (a tenant id
    the handler checks, say).
    """
    if depth > 8:
        return
    if isinstance(resource, KleinResource):
        yield from _app_routes(resource._app, prefix, service, samples, depth)
        return
    children = getattr(resource, "children", {}) if isinstance(resource, Resource) else {}
    for name, child in sorted(children.items()):
        path = prefix + "/" + name.decode("utf-8") if name else prefix + "/"
        yield from walk(child, path, service, samples, depth + 1)
    inner = [r for r in _inner_resources(resource) if r not in children.values()]
    for found in inner:
        yield from walk(found, prefix, service, samples, depth + 1)
    if not children and not inner and isinstance(resource, Resource):
        # A plain resource answering its own path (identity's version
        # list): it is read.
        yield DeclaredRoute(service, frozenset({"GET"}), prefix)


def _app_routes(
    app: Klein, prefix: str, service: str, samples: dict[str, str], depth: int
) -> Iterator[DeclaredRoute]:
    rules = list(app.url_map.iter_rules())
    endpoints = {rule.endpoint for rule in rules}
    for rule in rules:
        endpoint = rule.endpoint
        if endpoint.endswith("_branch") and endpoint[: -len("_branch")] in endpoints:
            continue
        path = _joined(prefix, _template(rule.rule))
        if endpoint + "_branch" in endpoints:
            request = DummyRequest([b""])
            values = {name: _sample(name, samples) for name in rule.arguments}
            try:
                inner = app.execute_endpoint(endpoint, request, **values)
            except Exception:
                # A branch that answers the rest of the path itself
                # (Swift's /v1/<account>/..., whose names may hold any
                # slashes) refuses a bare request: it is a route of its
                # own, and {rest} stands for any path below it.
                inner = None
                path = path + ("" if path.endswith("/") else "/") + "{rest}"
            if IResource.providedBy(inner):
                yield from walk(inner, path, service, samples, depth + 1)
                continue
        methods = frozenset(rule.methods) if rule.methods else EVERY_METHOD
        if "GET" in methods:
            methods = methods - {"HEAD"}
        yield DeclaredRoute(service, methods, path)


def declared_routes(mimic: InMemoryMimic, tenant_id: str) -> list[DeclaredRoute]:
    """
    Every route of ``mimic``: identity's, the control plane's, and each
    plugin's in the first region of its catalog for ``tenant_id``.
    """
    samples = {"tenant_id": tenant_id, "tenant": tenant_id, "version": "v2"}
    root = mimic.resource
    found: list[DeclaredRoute] = []
    found.extend(walk(root.children[b"identity"], "/identity", "identity", samples))
    found.extend(walk(root.children[b"mimic"], "/mimic", "control", samples))
    for plugin in mimic.core.plugins.values():
        found.extend(plugin_routes(mimic, plugin, tenant_id, samples))
    merged: dict[tuple[str, str], frozenset[str]] = {}
    for route in found:
        key = (route.service, route.path)
        merged[key] = merged.get(key, frozenset()) | route.methods
    return [DeclaredRoute(service, methods, path) for (service, path), methods in sorted(merged.items())]


def plugin_region(plugin: IAPIMock, tenant_id: str) -> str:
    return [e.region for entry in plugin.catalog_entries(tenant_id) for e in entry.endpoints][0]


def plugin_routes(
    mimic: InMemoryMimic, plugin: IAPIMock, tenant_id: str, samples: dict[str, str]
) -> Iterator[DeclaredRoute]:
    region = plugin_region(plugin, tenant_id)
    resource = plugin.resource_for_region(mimic.core, region, tenant_id)
    prefix = f"/service/{plugin.name}/{region}/{{tenant}}"
    yield from walk(resource, prefix, plugin.name, samples)
