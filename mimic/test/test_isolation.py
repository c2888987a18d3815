# -*- test-case-name: mimic.test.test_isolation -*-
"""
No tenant's request reaches another tenant's state.

Two tenants: the probes' world (tenant B, holding one of everything) and
a second user (tenant A).  For every route every service declares (read
from the routing tables, so a new service is covered as soon as it is
installed), tenant A's token is sent:

* against B's URL: refused (401 or 403) before the service sees it,
  except for the paths a service serves without a token (version
  documents), and nothing in Mimic changes;
* against A's own URL naming B's ids (B's server, balancer, project,
  registration...): whatever A's own state does, B's is unchanged.

The old control entries take no token by design, so anyone may change a
tenant's state through them without one; a token that is given must be
the tenant's own, which the first probe checks.  The control plane's
``/mimic/v1.1`` calls are global by design and identity is not scoped by
tenant URLs; neither is probed here.  (Identity's own token isolation,
a user validating or revoking another's token, is issue 15's.)
"""

from __future__ import annotations

from typing import Any

from attrs import define
from twisted.internet.interfaces import IReactorTime
from twisted.trial.unittest import SynchronousTestCase

from mimic.test.robustness_support import StateSnapshots, differences
from mimic.test.test_robustness import BODY_METHODS, Route, World, encode, plugins, route_table


@define
class TenantView:
    """
    One tenant's part of a Mimic, for a snapshot: its services' states in
    every region and its tokens.
    """

    clock: IReactorTime
    states: dict[Any, Any]
    tokens: list[Any]


def tenant_view(world: World, tenant_id: str) -> TenantView:
    core = world.mimic.core
    return TenantView(
        core.clock,
        {key: state for key, state in core.region_states() if key[1] == tenant_id},
        [token for token in core.sessions.tokens() if token.tenant_id == tenant_id],
    )


def not_theirs(world: World, tenant_id: str) -> list[Any]:
    """
    The states kept for other keys than the tenant's, which its own
    states may refer to without their being its: the network service's
    region-wide state (PublicNet's addresses, which every tenant's ports
    take from) is reached from every tenant's networking.
    """
    return [state for key, state in world.mimic.core.region_states() if key[1] != tenant_id]


def service_routes() -> list[Route]:
    """
    Every declared route of every plugin, one per method and path.
    """
    seen: dict[tuple[str, str], Route] = {}
    for plugin in plugins():
        for route in route_table().routes.get(plugin.name, []):
            seen.setdefault((route.method, route.path), route)
    return list(seen.values())


class TenantIsolationTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.world = World()
        self.victim = self.world.values["tenant"]
        self.intruder = self.world.values["other_tenant"]
        self.token = self.world.values["other_token"]
        self.snapshots = StateSnapshots()
        self.problems: list[str] = []

    def send(self, route: Route, url: str) -> Any:
        body = encode(self.world.fill(route.body)) if route.body is not None else None
        headers = {k: self.world.expand(v) for k, v in route.headers.items()}
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        return self.world.mimic.request(route.method, url, token=self.token, headers=headers, raw=body)

    def test_another_tenants_token_is_refused_on_every_route(self) -> None:
        """
        Tenant A's token against tenant B's URL: 401 or 403 on every
        route but the anonymous ones, and nothing changes anywhere.
        """
        anonymous = {
            (plugin.name, path) for plugin in plugins() for path in plugin.anonymous_paths()
        }
        routes = service_routes()
        self.assertTrue(routes)
        before = self.snapshots.take(self.world.mimic.core)
        for route in routes:
            url = self.world.expand(route.path)
            response = self.send(route, url)
            rest = tuple(
                s for s in url.split("?")[0].split(f"/{self.victim}", 1)[-1].split("/") if s
            )
            label = f"{route.method} {route.path}"
            if response.code not in (401, 403) and (route.service, rest) not in anonymous:
                self.problems.append(f"{label}: {response.code} with another tenant's token")
            after = self.snapshots.take(self.world.mimic.core)
            if after != before:
                self.problems.append(f"{label}: changed {differences(before, after)[:5]}")
                before = after
        self.assertEqual(self.problems, [])

    def test_another_tenants_ids_reach_nothing_of_theirs(self) -> None:
        """
        Tenant A's token against A's own URLs, naming B's ids: B's state
        and tokens are unchanged whatever A's requests do to A's own.
        """
        values = self.world.values
        own = dict(values)
        for name in ("tenant", "tenant_id"):
            own[name] = self.intruder
        for name in ("compute", "compute_root", "lb"):
            own[name] = values[name].replace(f"/{self.victim}", f"/{self.intruder}")
        snapshots = StateSnapshots()
        before = snapshots.take(tenant_view(self.world, self.victim), not_theirs(self.world, self.victim))
        for route in service_routes():
            self.world.values = own
            try:
                url = self.world.expand(route.path)
                response = self.send(route, url)
            finally:
                self.world.values = values
            after = snapshots.take(tenant_view(self.world, self.victim), not_theirs(self.world, self.victim))
            if after != before:
                self.problems.append(
                    f"{route.method} {route.path} ({response.code}): changed tenant B's "
                    f"{differences(before, after)[:5]}"
                )
                before = after
            if route.method in BODY_METHODS | {"DELETE"}:
                self.world.settle(15)
                before = snapshots.take(tenant_view(self.world, self.victim), not_theirs(self.world, self.victim))
        self.assertEqual(self.problems, [])
