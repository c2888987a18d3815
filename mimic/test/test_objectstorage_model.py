"""
Object storage's model: listing order and paging by bisection, the
byte budget shared by every account, expiry on the clock.
"""

from __future__ import annotations

import gc

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.objectstorage.model import (
    TOMBSTONE_COUNT,
    Account,
    StorageBudget,
    StoredObject,
    SwiftRefusal,
    etag_of,
)


def stored(name: str, data: bytes = b"x", delete_at: int | None = None) -> StoredObject:
    return StoredObject(name, data, etag_of(data), "text/plain", 0.0, delete_at=delete_at)


class AccountTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.budget = StorageBudget(100)
        self.account = Account("AUTH_test", self.clock, self.budget)
        self.account.put_container("c", {}, {})

    def names(self, **query: object) -> list[str]:
        container = self.account.container("c")
        args = {"marker": None, "end_marker": None, "prefix": "", "reverse": False}
        args.update(query)
        return [o.name for o in self.account.iter_objects(container, **args)]  # type: ignore[arg-type]

    def test_listing_order_marker_prefix_and_reverse(self) -> None:
        for name in ["b", "a/2", "a/1", "c", "ä"]:
            self.account.put_object("c", stored(name))
        self.assertEqual(self.names(), ["a/1", "a/2", "b", "c", "ä"])
        self.assertEqual(self.names(prefix="a/"), ["a/1", "a/2"])
        self.assertEqual(self.names(marker="a/2"), ["b", "c", "ä"])
        self.assertEqual(self.names(end_marker="b"), ["a/1", "a/2"])
        self.assertEqual(self.names(reverse=True, marker="c"), ["b", "a/2", "a/1"])
        self.assertEqual(self.names(reverse=True, prefix="a/"), ["a/2", "a/1"])

    def test_overwrite_counts_once(self) -> None:
        self.account.put_object("c", stored("o", b"12345"))
        self.account.put_object("c", stored("o", b"12"))
        container = self.account.container("c")
        self.assertEqual((container.object_count, container.bytes_used), (1, 2))
        self.assertEqual(self.budget.used, 2)

    def test_budget_refuses_past_its_limit_and_frees_on_delete(self) -> None:
        self.account.put_object("c", stored("big", b"x" * 90))
        with self.assertRaises(SwiftRefusal) as refused:
            self.account.put_object("c", stored("more", b"x" * 20))
        self.assertEqual(refused.exception.status, 507)
        self.account.delete_object("c", "big")
        self.account.put_object("c", stored("more", b"x" * 20))

    def test_budget_is_shared_and_forgets_dropped_accounts(self) -> None:
        other = Account("AUTH_other", self.clock, self.budget)
        other.put_container("c", {}, {})
        other.put_object("c", stored("o", b"x" * 60))
        self.assertRaises(SwiftRefusal, self.account.put_object, "c", stored("o", b"x" * 60))
        del other
        gc.collect()
        self.account.put_object("c", stored("o", b"x" * 60))

    def test_expiry_frees_memory_when_the_clock_passes(self) -> None:
        self.account.put_object("c", stored("o", b"x" * 50, delete_at=10))
        self.clock.advance(10)
        container = self.account.container("c")
        self.assertEqual((container.object_count, container.memory), (0, 0))
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_overwrite_cancels_the_old_expiry(self) -> None:
        self.account.put_object("c", stored("o", delete_at=10))
        self.account.put_object("c", stored("o"))
        self.clock.advance(20)
        self.assertEqual(self.names(), ["o"])

    def test_tombstones_are_bounded(self) -> None:
        for index in range(TOMBSTONE_COUNT + 10):
            self.account.put_object("c", stored(f"o{index}"))
            self.account.delete_object("c", f"o{index}")
        self.assertEqual(len(self.account.container("c").tombstones), TOMBSTONE_COUNT)

    def test_container_delete_needs_it_empty(self) -> None:
        self.account.put_object("c", stored("o"))
        with self.assertRaises(SwiftRefusal) as refused:
            self.account.delete_container("c")
        self.assertEqual(refused.exception.status, 409)

    def test_pending_expiry_does_not_keep_a_dropped_account_alive(self) -> None:
        import weakref

        self.account.put_object("c", stored("o", b"x" * 50, delete_at=3600))
        dropped = weakref.ref(self.account)
        del self.account
        gc.collect()
        self.assertIsNone(dropped())
        self.clock.advance(3600)
        self.assertEqual(self.budget.used, 0)
