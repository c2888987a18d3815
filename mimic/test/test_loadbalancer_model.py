# -*- test-case-name: mimic.test.test_loadbalancer_model -*-
"""
Cloud Load Balancers' model on its own, without HTTP: statuses read from
the clock, the rules a change or a delete must pass, and the domain
errors it raises when the real service would refuse.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

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
from mimic.services.loadbalancer.model import (
    ACTIVE,
    BUILD,
    DELETED,
    DELETED_BALANCERS_KEPT,
    DELETED_RETENTION,
    ERROR,
    PENDING_DELETE,
    PENDING_UPDATE,
    LoadBalancer,
    RegionLoadBalancers,
)


def spec(**overrides: Any) -> dict[str, Any]:
    """
    What :func:`mimic.services.loadbalancer.validation.parse_create` makes
    of a small create request.
    """
    made: dict[str, Any] = {
        "name": "web",
        "protocol": "HTTP",
        "port": 80,
        "algorithm": "RANDOM",
        "virtual_ips": [{"type": "PUBLIC", "ipVersion": None}],
        "nodes": [{"address": "10.0.0.1", "port": 80}],
        "metadata": [],
        "settings": {},
        "access_list": [],
        "build_seconds": 0.0,
        "then": ACTIVE,
    }
    made.update(overrides)
    return made


class ModelTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.state = RegionLoadBalancers(self.clock, "tenant", "ORD")

    def create(self, **overrides: Any) -> LoadBalancer:
        return self.state.create(**spec(**overrides))


class StatusTests(ModelTestCase):
    def test_status_follows_the_clock_from_build_to_what_comes_next(self) -> None:
        balancer = self.create(build_seconds=5, then=ERROR)
        self.assertEqual(balancer.status(self.state.now()), BUILD)
        self.clock.advance(5)
        self.assertEqual(balancer.status(self.state.now()), ERROR)

    def test_accepted_change_is_made_then_pending_update(self) -> None:
        balancer = self.create()
        made = self.state.change(balancer, 3, ACTIVE, lambda b: b.nodes.clear() or "made")
        self.assertEqual(made, "made")
        self.assertEqual(balancer.nodes, {})
        self.assertEqual(balancer.status(self.state.now()), PENDING_UPDATE)
        self.clock.advance(3)
        self.assertEqual(balancer.status(self.state.now()), ACTIVE)

    def test_refused_change_shows_pending_update_for_its_seconds(self) -> None:
        balancer = self.create()
        error = self.assertRaises(Immutable, self.state.refuse_change, balancer, 4)
        self.assertEqual((error.lb_id, error.status), (balancer.id, PENDING_UPDATE))
        self.assertEqual(balancer.status(self.state.now()), PENDING_UPDATE)
        self.clock.advance(4)
        self.assertEqual(balancer.status(self.state.now()), ACTIVE)

    def test_refusal_without_seconds_changes_nothing(self) -> None:
        balancer = self.create()
        self.assertRaises(Immutable, self.state.refuse_change, balancer, 0)
        self.assertEqual(balancer.status(self.state.now()), ACTIVE)


class LookupTests(ModelTestCase):
    def test_unknown_balancer_is_not_found(self) -> None:
        error = self.assertRaises(LoadBalancerNotFound, self.state.get, 99)
        self.assertEqual(error.lb_id, 99)

    def test_deleted_balancer_is_found_but_not_readable(self) -> None:
        balancer = self.create()
        self.state.delete(balancer, 0)
        self.assertIs(self.state.get(balancer.id), balancer)
        self.assertRaises(MarkedDeleted, self.state.readable, balancer.id)

    def test_deleted_balancer_is_forgotten_after_the_retention(self) -> None:
        balancer = self.create()
        self.state.delete(balancer, 0)
        self.clock.advance(DELETED_RETENTION)
        self.assertRaises(LoadBalancerNotFound, self.state.get, balancer.id)
        self.assertNotIn(balancer.id, self.state.balancers)

    def test_building_balancer_is_not_changeable(self) -> None:
        balancer = self.create(build_seconds=10)
        error = self.assertRaises(Immutable, self.state.changeable, balancer.id)
        self.assertEqual(error.status, BUILD)

    def test_unknown_node_is_not_found(self) -> None:
        self.assertRaises(NodeNotFound, self.state.node, self.create(), 12345)


class FindTests(ModelTestCase):
    def test_listing_leaves_out_deleted_balancers_unless_asked(self) -> None:
        kept, gone = self.create(), self.create(name="gone")
        self.state.delete(gone, 0)
        now = self.state.now()
        self.assertEqual(self.state.find(now), [kept])
        self.assertEqual(self.state.find(now, status=DELETED), [gone])

    def test_listing_by_node_address_changes_since_and_after_a_marker(self) -> None:
        first = self.create()
        self.clock.advance(10)
        second = self.create(nodes=[{"address": "10.0.0.9", "port": 80}])
        now = self.state.now()
        self.assertEqual(self.state.find(now, node_address="10.0.0.9"), [second])
        self.assertEqual(self.state.find(now, changed_since=5), [second])
        self.assertEqual(self.state.find(now, after=first.id), [second])


class DeleteTests(ModelTestCase):
    def test_delete_goes_through_pending_delete(self) -> None:
        balancer = self.create()
        self.state.delete(balancer, 7)
        self.assertEqual(balancer.status(self.state.now()), PENDING_DELETE)
        self.clock.advance(7)
        self.assertEqual(balancer.status(self.state.now()), DELETED)

    def test_second_delete_is_refused_in_batch_delete_words(self) -> None:
        balancer = self.create()
        self.state.delete(balancer, 7)
        self.assertRaises(ImmutableForDelete, self.state.check_deletable, balancer)
        self.clock.advance(7)
        self.assertRaises(UnknownForDelete, self.state.check_deletable, balancer)

    def test_batch_names_every_missing_balancer_before_busy_ones(self) -> None:
        busy = self.create(build_seconds=10)
        error = self.assertRaises(UnknownForDelete, self.state.deletable, [busy.id, 98, 99])
        self.assertEqual(error.lb_ids, (98, 99))
        error = self.assertRaises(ImmutableForDelete, self.state.deletable, [busy.id])
        self.assertEqual(error.lb_ids, (busy.id,))

    def test_batch_of_active_and_error_balancers_is_deletable(self) -> None:
        active, broken = self.create(), self.create(then=ERROR)
        self.assertEqual(self.state.deletable([active.id, broken.id]), [active, broken])


class LimitTests(ModelTestCase):
    def test_balancer_limit(self) -> None:
        self.state.limits["LOADBALANCER_LIMIT"] = 1
        self.create()
        self.assertRaises(OverLimit, self.create)

    def test_duplicate_node_is_over_limit(self) -> None:
        balancer = self.create()
        self.assertRaises(
            OverLimit, self.state.check_new_nodes, balancer, [{"address": "10.0.0.1", "port": 80}]
        )

    def test_unknown_shared_virtual_ip_is_invalid(self) -> None:
        error = self.assertRaises(Invalid, self.create, virtual_ips=[{"id": 4242}])
        self.assertEqual(error.messages, ("Virtual ip 4242 not found.",))


class NodeTests(ModelTestCase):
    def test_batch_node_removal_needs_an_active_balancer(self) -> None:
        balancer = self.create(build_seconds=10)
        self.assertRaises(NotActive, self.state.nodes_removable, balancer.id, [1])

    def test_batch_node_removal_needs_every_node(self) -> None:
        balancer = self.create()
        self.assertRaises(Invalid, self.state.nodes_removable, balancer.id, [4242])


class MetadataTests(ModelTestCase):
    def test_metadata_of_a_balancer_and_of_a_node(self) -> None:
        balancer = self.create()
        node_id = next(iter(balancer.nodes))
        self.state.add_metadata(balancer.id, None, [{"key": "a", "value": "1"}])
        self.state.add_metadata(balancer.id, node_id, [{"key": "b", "value": "2"}])
        self.assertEqual([i.key for i in self.state.metadata(balancer.id, None)], ["a"])
        self.assertEqual([i.key for i in self.state.metadata(balancer.id, node_id)], ["b"])

    def test_duplicate_key_is_invalid(self) -> None:
        balancer = self.create()
        self.state.add_metadata(balancer.id, None, [{"key": "a", "value": "1"}])
        self.assertRaises(
            Invalid, self.state.add_metadata, balancer.id, None, [{"key": "a", "value": "2"}]
        )

    def test_deleting_unknown_items_deletes_none(self) -> None:
        balancer = self.create()
        (item,) = self.state.add_metadata(balancer.id, None, [{"key": "a", "value": "1"}])
        self.assertRaises(ItemNotFound, self.state.delete_metadata, balancer.id, None, [item.id, 4242])
        self.assertEqual(self.state.metadata(balancer.id, None), [item])


class ControlPlaneTests(ModelTestCase):
    def test_force_puts_a_balancer_in_a_status_until_changed(self) -> None:
        balancer = self.create()
        self.state.force(balancer.id, ERROR)
        self.clock.advance(10**6)
        self.assertEqual(balancer.status(self.state.now()), ERROR)

    def test_force_refuses_statuses_that_cannot_be_set(self) -> None:
        self.assertRaises(ValueError, self.state.force, self.create().id, DELETED)


class DeletedRetentionTests(ModelTestCase):
    """
    Deleted balancers show as DELETED for CLB's 90 days, but no more
    than a fixed number of them are kept per tenant and region, and
    those past the window go whether or not anyone lists them.
    """

    def cycle(self, count: int) -> None:
        for _ in range(count):
            self.state.delete(self.create(), 0)

    def test_create_delete_cycles_keep_a_bounded_number_of_records(self) -> None:
        self.cycle(DELETED_BALANCERS_KEPT + 500)
        self.assertEqual(len(self.state.balancers), DELETED_BALANCERS_KEPT)
        self.assertEqual(len(self.state._deleting), DELETED_BALANCERS_KEPT)

    def test_the_latest_deletions_are_the_ones_kept(self) -> None:
        self.cycle(DELETED_BALANCERS_KEPT + 1)
        self.assertNotIn(1, self.state.balancers)
        self.assertEqual(self.state.get(DELETED_BALANCERS_KEPT + 1).status(self.state.now()), DELETED)

    def test_balancers_still_pending_delete_are_kept(self) -> None:
        slow = self.create()
        self.state.delete(slow, 60)
        self.cycle(DELETED_BALANCERS_KEPT + 5)
        self.assertIn(slow.id, self.state.balancers)
        self.clock.advance(60)
        self.cycle(1)
        self.assertNotIn(slow.id, self.state.balancers)
        self.assertLessEqual(len(self.state.balancers), DELETED_BALANCERS_KEPT)

    def test_past_the_window_a_deletion_forgets_without_a_listing(self) -> None:
        self.cycle(3)
        self.clock.advance(DELETED_RETENTION)
        self.cycle(1)
        self.assertEqual(len(self.state.balancers), 1)

    def test_a_balancer_forced_out_of_deletion_does_not_hold_the_queue(self) -> None:
        stuck = self.create()
        self.state.delete(stuck, 60)
        self.state.force(stuck.id, PENDING_DELETE)
        self.cycle(DELETED_BALANCERS_KEPT + 1)
        self.assertIn(stuck.id, self.state.balancers)
        self.assertEqual(len(self.state._deleting), DELETED_BALANCERS_KEPT)
