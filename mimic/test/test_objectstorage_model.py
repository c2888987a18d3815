"""
Object storage's model: listing order and paging by bisection, the
byte budget shared by every account, expiry on the clock.
"""

from __future__ import annotations

import gc
import sys

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.objectstorage.model import (
    TOMBSTONE_COUNT,
    Account,
    StorageBudget,
    StoredObject,
    Subdir,
    SwiftRefusal,
    Window,
    etag_of,
)
from mimic.services.objectstorage.streaming import JoinedReader


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
        return [o.name for o in self.account.iter_objects(container, Window(**args))]  # type: ignore[arg-type]

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

    def test_deleted_objects_leave_no_bytes_behind(self) -> None:
        self.account.put_object("c", stored("big", b"x" * 90))
        self.account.delete_object("c", "big")
        [tombstone] = self.account.container("c").tombstones
        self.assertEqual(tombstone.entry.stored_bytes, 90)
        self.assertFalse(hasattr(tombstone.entry, "data"))

    def test_tombstones_are_forgotten_after_an_hour(self) -> None:
        self.account.put_object("c", stored("a"))
        self.account.delete_object("c", "a")
        self.clock.advance(3601)
        self.account.put_object("c", stored("b"))
        self.account.delete_object("c", "b")
        self.assertEqual([t.entry.name for t in self.account.container("c").tombstones], ["b"])


class DelimiterTests(SynchronousTestCase):
    """
    Pseudo-directories fold by bisection, in both directions, and a page
    that ends on one goes on after it.
    """

    def setUp(self) -> None:
        self.account = Account("AUTH_test", Clock(), StorageBudget(10**6))
        self.account.put_container("c", {}, {})
        for name in ["a", "d1/x", "d1/y", "d2/deep/z", "d2/x", "e", "f/"]:
            self.account.put_object("c", stored(name))

    def listed(self, **query: object) -> list[str]:
        args: dict[str, object] = {"marker": None, "end_marker": None, "prefix": "", "reverse": False}
        args.update(query)
        container = self.account.container("c")
        items = self.account.iter_objects(container, Window(**args))  # type: ignore[arg-type]
        return [item.name + ("*" if isinstance(item, Subdir) else "") for item in items]

    def test_folding(self) -> None:
        self.assertEqual(self.listed(delimiter="/"), ["a", "d1/*", "d2/*", "e", "f/*"])
        self.assertEqual(self.listed(delimiter="/", prefix="d2/"), ["d2/deep/*", "d2/x"])

    def test_marker_on_a_subdir_goes_on_after_it(self) -> None:
        self.assertEqual(self.listed(delimiter="/", marker="d1/"), ["d2/*", "e", "f/*"])

    def test_reverse(self) -> None:
        self.assertEqual(self.listed(delimiter="/", reverse=True), ["f/*", "e", "d2/*", "d1/*", "a"])
        self.assertEqual(self.listed(delimiter="/", reverse=True, marker="e"), ["d2/*", "d1/*", "a"])

    def test_a_directory_of_many_costs_one_entry(self) -> None:
        for index in range(2000):
            self.account.put_object("c", stored(f"d1/{index:05d}"))
        container = self.account.container("c")
        lookups = []
        original = container.objects.__class__.__getitem__

        class Counting(dict):  # type: ignore[type-arg]
            def __getitem__(self, key: str) -> StoredObject:
                lookups.append(key)
                return original(self, key)

        container.objects = Counting(container.objects)
        self.assertEqual(self.listed(delimiter="/")[:2], ["a", "d1/*"])
        self.assertLess(len(lookups), 10)


class JoinedReaderTests(SynchronousTestCase):
    def test_reads_across_parts_and_seeks(self) -> None:
        reader = JoinedReader([b"abc", b"", b"defg", b"h"])
        self.assertEqual(reader.length, 8)
        self.assertEqual(reader.read(5), b"abcde")
        reader.seek(2)
        self.assertEqual(reader.read(), b"cdefgh")
        self.assertEqual(reader.read(3), b"")

    def test_close_lets_go_of_the_bytes(self) -> None:
        # A download's reader can outlive its response (a kept-alive
        # connection holds the finished request): closing it must not
        # leave it holding a deleted object's bytes.
        data = bytes(range(256)) * 4
        before = sys.getrefcount(data)
        reader = JoinedReader([data])
        self.assertGreater(sys.getrefcount(data), before)
        reader.close()
        self.assertEqual(sys.getrefcount(data), before)
