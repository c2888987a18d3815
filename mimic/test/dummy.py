# -*- test-case-name: mimic.test.test_plugins -*-
"""
A minimal IAPIMock used by the core's tests: one Klein app per (tenant,
region) that counts requests, so tests can see routing, the token check
and state isolation without depending on any real service.
"""

from __future__ import annotations

from typing import Any

from attrs import define
from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.http import json_response
from mimic.interfaces import IAPIMock, IMimicCore, IRegionState


@implementer(IRegionState)
@define
class CounterState:
    hits: int = 0

    def summary(self) -> dict[str, Any]:
        return {"hits": self.hits}


class CounterAPI:
    app = Klein()

    def __init__(self, state: CounterState, region: str, tenant_id: str) -> None:
        self.state = state
        self.region = region
        self.tenant_id = tenant_id

    @app.route("/", methods=["GET"])
    def root(self, request: IRequest) -> bytes:
        return json_response(request, {"versions": ["v1"]})

    @app.route("/v1/<tenant_id>/hits", methods=["POST"])
    def hit(self, request: IRequest, tenant_id: str) -> bytes:
        self.state.hits += 1
        return json_response(
            request, {"hits": self.state.hits, "region": self.region, "tenant": self.tenant_id}
        )


@implementer(IAPIMock)
class CounterMock:
    """
    A service named ``counter`` in regions ORD and LON.
    """

    name = "counter"

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return [
            Entry(
                "counter",
                "cloudCounter",
                tuple(
                    Endpoint(region, f"v1/{tenant_id}", tenant_id=tenant_id)
                    for region in ("ORD", "LON")
                ),
            )
        ]

    def failure_events(self) -> tuple[()]:
        return ()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        state = core.region_state(self.name, tenant_id, region, CounterState)
        return CounterAPI(state, region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return {()}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"counterFault": {"code": status, "message": message}}
