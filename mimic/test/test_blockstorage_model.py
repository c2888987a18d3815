# -*- test-case-name: mimic.test.test_blockstorage_model -*-
"""
Block storage's model without HTTP: timelines, lingering deletes and
usage.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.blockstorage.errors import BlockStorageError
from mimic.services.blockstorage.failures import EndsInError, Lingers
from mimic.services.blockstorage.copies import create_snapshot
from mimic.services.blockstorage.model import BlockStorage
from mimic.services.blockstorage.records import Timeline, Timings


class TimelineTests(SynchronousTestCase):
    def test_status_is_the_last_step_due(self) -> None:
        timeline = Timeline([(0.0, "creating"), (5.0, "available")])
        self.assertEqual([timeline.at(t) for t in (0, 4.9, 5, 100)], ["creating", "creating", "available", "available"])

    def test_then_replaces_what_was_to_come(self) -> None:
        timeline = Timeline([(0.0, "creating"), (5.0, "available")])
        timeline.then(2.0, (2.0, "error"))
        self.assertEqual(timeline.at(10), "error")
        self.assertEqual(timeline.at(2), "error")


class StoreTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.store = BlockStorage("t", "ORD", timings=Timings(create=2.0, delete=3.0, extend=1.0))

    def test_reading_changes_nothing(self) -> None:
        volume = self.store.create_volume(1, 0.0)
        before = list(volume.timeline.steps)
        self.assertEqual(volume.status(10.0), "available")
        self.assertEqual(volume.timeline.steps, before)

    def test_error_outcome(self) -> None:
        volume = self.store.create_volume(1, 0.0, outcome=EndsInError("boom"))
        self.assertEqual((volume.status(1.0), volume.status(2.0), volume.reason), ("creating", "error", "boom"))

    def test_lingers_outcome(self) -> None:
        volume = self.store.create_volume(1, 0.0, outcome=Lingers(30.0))
        self.assertEqual((volume.status(29.0), volume.status(30.0)), ("creating", "available"))

    def test_deleted_volumes_are_forgotten_on_a_later_change(self) -> None:
        volume = self.store.create_volume(1, 0.0)
        self.store.delete_volume(volume.id, 2.0)
        self.assertEqual(volume.status(4.0), "deleting")
        self.assertIsNone(self.store.get(volume.id, 5.0))
        self.assertIn(volume.id, self.store.volumes)
        self.store.create_volume(1, 6.0)
        self.assertNotIn(volume.id, self.store.volumes)

    def test_usage_counts_live_volumes_and_snapshots(self) -> None:
        volume = self.store.create_volume(4, 0.0)
        create_snapshot(self.store, volume.id, 2.0)
        self.assertEqual(self.store.usage(2.0)["gigabytes"], 8)
        self.assertEqual(self.store.usage(2.0)["volumes"], 1)

    def test_extend_error_keeps_the_size(self) -> None:
        volume = self.store.create_volume(4, 0.0)
        self.store.extend_volume(volume.id, 8, 2.0, outcome=EndsInError("no"))
        self.assertEqual((volume.size, volume.status(3.0)), (4, "error_extending"))
        with self.assertRaises(BlockStorageError):
            self.store.extend_volume(volume.id, 9, 3.0)
