# -*- test-case-name: mimic.test.test_core -*-
"""
MimicCore's own rules: how the controlled clock moves, what a reset
forgets, how services share state and find their own URL.  (Requests
through the core are in test_root.)
"""

from __future__ import annotations

from typing import Any, cast

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest
from zope.interface import Interface, implementer

from mimic.core import MimicCore, advance_clock
from mimic.interfaces import IAPIMock, ISharesState


class AdvanceClockTests(SynchronousTestCase):
    """
    A tick steps through due calls so that each sees the time it was due
    at, as it would have under a real reactor.
    """

    def test_each_call_sees_the_time_it_was_due_at(self) -> None:
        clock = Clock()
        seen: list[float] = []
        clock.callLater(5, lambda: seen.append(clock.seconds()))
        clock.callLater(2, lambda: seen.append(clock.seconds()))
        advance_clock(clock, 10)
        self.assertEqual((seen, clock.seconds()), ([2.0, 5.0], 10.0))

    def test_a_call_scheduled_by_a_call_falls_due_within_the_same_tick(self) -> None:
        clock = Clock()
        seen: list[float] = []

        def first() -> None:
            seen.append(clock.seconds())
            clock.callLater(3, lambda: seen.append(clock.seconds()))

        clock.callLater(4, first)
        advance_clock(clock, 10)
        self.assertEqual(seen, [4.0, 7.0])

    def test_calls_due_after_the_tick_stay_scheduled(self) -> None:
        clock = Clock()
        seen: list[float] = []
        clock.callLater(11, lambda: seen.append(clock.seconds()))
        advance_clock(clock, 10)
        self.assertEqual((seen, len(clock.calls)), ([], 1))


class RegionStateTests(SynchronousTestCase):
    """
    The core keeps each service's state per (tenant, region), so that a
    reset can forget one tenant's without touching the others'.
    """

    def setUp(self) -> None:
        self.core = MimicCore.create(Clock(), plugins=[])

    def test_state_is_made_once_per_service_tenant_and_region(self) -> None:
        first = self.core.region_state("svc", "t1", "ORD", dict)
        self.assertIs(self.core.region_state("svc", "t1", "ORD", dict), first)
        self.assertIsNot(self.core.region_state("svc", "t1", "LON", dict), first)
        self.assertIsNot(self.core.region_state("svc", "t2", "ORD", dict), first)

    def test_resetting_a_tenant_keeps_other_tenants_state(self) -> None:
        kept = self.core.region_state("svc", "t2", "ORD", dict)
        forgotten = self.core.region_state("svc", "t1", "ORD", dict)
        self.core.reset("t1")
        self.assertIs(self.core.region_state("svc", "t2", "ORD", dict), kept)
        self.assertIsNot(self.core.region_state("svc", "t1", "ORD", dict), forgotten)

    def test_state_without_a_summary_is_listed_empty(self) -> None:
        self.core.region_state("svc", "t1", "ORD", dict)
        self.assertEqual(self.core.state_summary(), {"svc": {"t1": {"ORD": {}}}})


class IShelf(Interface):
    """
    A contract one test service shares with another.
    """


@implementer(ISharesState)
class ShelfSharer:
    """
    A plugin (only the part ``shared`` asks for) sharing its per-(tenant,
    region) state under :class:`IShelf`.
    """

    name = "shelves"

    def failure_events(self) -> tuple[()]:
        return ()

    def shared_state(self, core: MimicCore, contract: Any, tenant_id: str, region: str) -> Any:
        if contract is IShelf:
            return core.region_state(self.name, tenant_id, region, list)
        return None


class SharedStateTests(SynchronousTestCase):
    """
    A service reaches another's state through a contract, never through
    the other service's model.
    """

    def setUp(self) -> None:
        self.core = MimicCore.create(Clock(), plugins=[cast(IAPIMock, ShelfSharer())])

    def test_shared_state_is_the_sharing_plugins_state_for_that_tenant_and_region(self) -> None:
        shelf = self.core.shared(IShelf, "t1", "ORD")
        self.assertIs(shelf, self.core.region_state("shelves", "t1", "ORD", list))
        self.assertIsNot(self.core.shared(IShelf, "t1", "DFW"), shelf)

    def test_a_contract_nobody_shares_is_none(self) -> None:
        self.assertIsNone(self.core.shared(Interface, "t1", "ORD"))


class ServiceURLTests(SynchronousTestCase):
    def test_service_url_leads_back_to_the_host_the_client_used(self) -> None:
        core = MimicCore.create(Clock(), plugins=[])
        request = DummyRequest([b""])
        request.isSecure = lambda: False  # type: ignore[method-assign]
        request.requestHeaders.setRawHeaders(b"host", [b"mimic.test:8900"])
        self.assertEqual(
            core.service_url(request, "compute", "ORD", "t1"),
            "http://mimic.test:8900/service/compute/ORD/t1",
        )
