# -*- test-case-name: mimic.test.test_compute_model -*-
"""
Compute's state and rules without HTTP (:mod:`mimic.services.compute.model`):
servers made and deleted as the failure engine's outcomes say, quotas,
lookups and filtered listings.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.compute.errors import DeleteFailed, QuotaExceeded, ServerNotFound, nova_error
from mimic.services.compute.failures import (
    ACTIVE_NOW,
    DELETE_NOW,
    OVER_QUOTA,
    ActiveThenError,
    BuildFor,
    DeletingFor,
    ErrorNow,
    FailDeletes,
    FalseNegative,
)
from mimic.services.compute.flavors import get_flavor
from mimic.services.compute.model import (
    DEFAULT_SECURITY_GROUPS,
    DELETED_SERVER_RETENTION,
    DELETED_SERVERS_KEPT,
    ComputeState,
    Quotas,
    ServerFilters,
    ServerSpec,
)

UBUNTU = "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c"


def spec(**changes: Any) -> ServerSpec:
    """
    What the smallest create request asks for, with ``changes``.
    """
    flavor = get_flavor("general1-1")
    assert flavor is not None
    asked = ServerSpec(
        name="web",
        flavor=flavor,
        image_id=UBUNTU,
        metadata={},
        key_name=None,
        networks=None,
        disk_config="AUTO",
        access_ipv4="",
        access_ipv6="",
        description=None,
        admin_pass=None,
        user_data=None,
        tags=(),
        security_groups=DEFAULT_SECURITY_GROUPS,
        availability_zone="nova",
        config_drive="",
        min_count=1,
        max_count=1,
        return_reservation_id=False,
    )
    return attrs.evolve(asked, **changes)


class CreateTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.state = ComputeState("t1", "ORD")

    def test_a_server_is_active_at_once_normally(self) -> None:
        [server] = self.state.create_servers(spec(), ACTIVE_NOW, "u1", 10.0)
        self.assertEqual((server.status, server.progress, server.launched_at), ("ACTIVE", 100, 10.0))
        self.assertIs(self.state.get(server.id, 10.0), server)

    def test_build_for_keeps_the_server_in_build_until_the_time_is_up(self) -> None:
        [server] = self.state.create_servers(spec(), BuildFor(30.0), "u1", 0.0)
        self.assertEqual((server.status, server.task_state), ("BUILD", "spawning"))
        self.state.settle(29.0)
        self.assertEqual(server.status, "BUILD")
        self.state.settle(30.0)
        self.assertEqual((server.status, server.launched_at), ("ACTIVE", 30.0))

    def test_error_now_fails_the_server_with_a_fault(self) -> None:
        [server] = self.state.create_servers(spec(), ErrorNow("no host"), "u1", 0.0)
        self.assertEqual(server.status, "ERROR")
        self.assertEqual(server.fault, {"code": 500, "message": "no host", "created": 0.0})

    def test_active_then_error(self) -> None:
        [server] = self.state.create_servers(spec(), ActiveThenError(60.0, "host died"), "u1", 0.0)
        self.assertEqual(server.status, "ACTIVE")
        self.state.settle(60.0)
        self.assertEqual((server.status, server.fault and server.fault["message"]), ("ERROR", "host died"))

    def test_a_false_negative_makes_the_server_as_normal(self) -> None:
        [server] = self.state.create_servers(spec(), FalseNegative(nova_error(500, "x")), "u1", 0.0)
        self.assertEqual(server.status, "ACTIVE")

    def test_over_quota_refuses_naming_the_tenants_instances(self) -> None:
        self.state.create_servers(spec(), ACTIVE_NOW, "u1", 0.0)
        error = self.assertRaises(QuotaExceeded, self.state.create_servers, spec(min_count=2, max_count=2), OVER_QUOTA, "u1", 0.0)
        self.assertEqual(
            error.message, "Quota exceeded for instances: Requested 2, but already used 1 of 1 instances"
        )
        self.assertEqual(len(self.state.servers), 1)

    def test_servers_made_together_are_numbered_in_their_names(self) -> None:
        made = self.state.create_servers(spec(min_count=2, max_count=3), ACTIVE_NOW, "u1", 0.0)
        self.assertEqual([s.name for s in made], ["web-1", "web-2", "web-3"])

    def test_max_count_falls_back_to_min_count_when_the_quota_is_short(self) -> None:
        self.state.quotas = Quotas(instances=2)
        made = self.state.create_servers(spec(min_count=2, max_count=3), ACTIVE_NOW, "u1", 0.0)
        self.assertEqual(len(made), 2)
        self.assertRaises(QuotaExceeded, self.state.create_servers, spec(), ACTIVE_NOW, "u1", 0.0)

    def test_servers_share_their_name_and_image_strings(self) -> None:
        first, second = self.state.create_servers(spec(min_count=2, max_count=2), ACTIVE_NOW, "u1", 0.0)
        self.assertIs(first.image_id, second.image_id)
        self.assertIs(first.security_groups, DEFAULT_SECURITY_GROUPS)

    def test_an_unknown_server_is_not_found(self) -> None:
        error = self.assertRaises(ServerNotFound, self.state.require, "nope", 0.0)
        self.assertEqual(error.server_id, "nope")


class DeleteTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.state = ComputeState("t1", "ORD")
        [self.server] = self.state.create_servers(spec(), ACTIVE_NOW, "u1", 0.0)

    def test_a_server_is_gone_at_once_normally(self) -> None:
        self.state.delete_server(self.server, DELETE_NOW, 5.0)
        self.assertIsNone(self.state.get(self.server.id, 5.0))
        self.assertEqual((self.server.status, self.server.terminated_at), ("DELETED", 5.0))

    def test_fail_deletes_fails_the_first_n_then_deletes(self) -> None:
        failing = FailDeletes(2, 503, "busy")
        for _ in range(2):
            error = self.assertRaises(DeleteFailed, self.state.delete_server, self.server, failing, 1.0)
            self.assertEqual((error.code, error.message), (503, "busy"))
            self.assertIsNotNone(self.state.get(self.server.id, 1.0))
        self.state.delete_server(self.server, failing, 1.0)
        self.assertIsNone(self.state.get(self.server.id, 1.0))

    def test_fail_deletes_without_times_fails_every_delete(self) -> None:
        for _ in range(5):
            self.assertRaises(DeleteFailed, self.state.delete_server, self.server, FailDeletes(None, 500, "x"), 1.0)

    def test_deleting_for_keeps_the_server_visible_until_the_time_is_up(self) -> None:
        self.state.delete_server(self.server, DeletingFor(20.0), 0.0)
        self.assertTrue(self.server.being_deleted)
        self.assertIs(self.state.get(self.server.id, 19.0), self.server)
        self.assertIsNone(self.state.get(self.server.id, 20.0))

    def test_a_false_negative_deletes_as_normal(self) -> None:
        self.state.delete_server(self.server, FalseNegative(nova_error(500, "x")), 0.0)
        self.assertIsNone(self.state.get(self.server.id, 0.0))


class ListingTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.state = ComputeState("t1", "ORD")
        self.web = self.state.create_servers(spec(name="web"), ACTIVE_NOW, "u1", 0.0)[0]
        self.db = self.state.create_servers(spec(name="db", key_name="k"), BuildFor(10.0), "u1", 1.0)[0]

    def test_no_filter_lists_newest_first(self) -> None:
        self.assertEqual(self.state.matching(ServerFilters(), 0.0), [self.db, self.web])

    def test_filters_by_status_name_and_key(self) -> None:
        self.assertEqual(self.state.matching(ServerFilters(status="BUILD"), 1.0), [self.db])
        self.assertEqual(self.state.matching(ServerFilters(name=re.compile("^w")), 1.0), [self.web])
        self.assertEqual(self.state.matching(ServerFilters(key_name="k"), 1.0), [self.db])

    def test_filters_by_address(self) -> None:
        public = self.web.addresses["public"][0]["addr"]
        self.assertEqual(self.state.matching(ServerFilters(ipv4=re.compile(re.escape(public) + "$")), 1.0), [self.web])

    def test_a_change_time_lists_deleted_servers_too(self) -> None:
        self.state.delete_server(self.web, DELETE_NOW, 5.0)
        self.assertEqual(self.state.matching(ServerFilters(), 5.0), [self.db])
        changed = self.state.matching(ServerFilters(changed_after=5.0), 5.0)
        self.assertEqual([(s.name, s.status) for s in changed], [("web", "DELETED")])


class DeletedServerRetentionTests(SynchronousTestCase):
    """
    Deleted servers are kept for ``changes-since`` listings, but not
    forever: for a window on the clock, and never more than a fixed
    number per tenant and region.
    """

    def setUp(self) -> None:
        self.state = ComputeState("123", "ORD")

    def cycle(self, count: int, now: float) -> None:
        for _ in range(count):
            (server,) = self.state.create_servers(spec(), ACTIVE_NOW, "user", now)
            self.state.delete_server(server, DELETE_NOW, now)

    def test_create_delete_cycles_keep_a_bounded_number_of_records(self) -> None:
        self.cycle(DELETED_SERVERS_KEPT + 500, 1.0)
        self.assertEqual((len(self.state.servers), len(self.state.deleted)), (0, DELETED_SERVERS_KEPT))

    def test_the_latest_deletions_are_the_ones_kept(self) -> None:
        self.cycle(DELETED_SERVERS_KEPT, 1.0)
        (last,) = self.state.create_servers(spec(name="last"), ACTIVE_NOW, "user", 2.0)
        self.state.delete_server(last, DELETE_NOW, 2.0)
        changed = self.state.matching(ServerFilters(changed_after=2.0), 2.0)
        self.assertEqual([s.name for s in changed], ["last"])
        self.assertEqual(len(self.state.deleted), DELETED_SERVERS_KEPT)

    def test_deleted_servers_are_listed_for_the_retention_window(self) -> None:
        self.cycle(3, 1.0)
        later = 1.0 + DELETED_SERVER_RETENTION - 1
        changed = self.state.matching(ServerFilters(changed_after=0.0), later)
        self.assertEqual(len(changed), 3)

    def test_deleted_servers_are_forgotten_after_the_window(self) -> None:
        self.cycle(3, 1.0)
        after = 1.0 + DELETED_SERVER_RETENTION
        self.assertEqual(self.state.matching(ServerFilters(changed_after=0.0), after), [])
        self.assertEqual(self.state.deleted, {})

    def test_a_deletion_forgets_what_the_window_has_passed(self) -> None:
        self.cycle(3, 1.0)
        self.cycle(1, 1.0 + DELETED_SERVER_RETENTION)
        self.assertEqual(len(self.state.deleted), 1)
