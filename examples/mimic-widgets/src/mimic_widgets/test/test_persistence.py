"""
Widgets in Mimic's snapshots: taken, changed, restored, through the
control API, as a test suite uses them.
"""

from __future__ import annotations

from mimic_widgets.persistence import restore_store, save_store
from mimic_widgets.test.test_widgets import WidgetsTestCase


class SnapshotTests(WidgetsTestCase):
    def test_a_restored_snapshot_brings_the_widgets_back(self) -> None:
        kept = self.create("kept", {"colour": "blue"}).json()["widget"]
        taken = self.mimic.request("POST", "/mimic/v1.1/snapshots", {"name": "widgets"})
        self.assertEqual(taken.code, 201, taken.body)
        self.assertIn("widgets", taken.json()["snapshot"]["services"])
        self.create("later")
        self.mimic.tick(60)
        restored = self.mimic.request("POST", "/mimic/v1.1/snapshots/widgets/restore")
        self.assertEqual((restored.code, restored.json()["dropped"]), (200, []))
        self.assertEqual(self.get(self.widgets_url()).json()["widgets"], [kept])

    def test_a_saved_store_that_does_not_fit_is_refused(self) -> None:
        self.assertRaises(ValueError, restore_store, {"widgets": [{"id": "w"}]})
        self.assertRaises(ValueError, restore_store, [])

    def test_restoring_does_not_change_the_saved_form(self) -> None:
        self.create("w1", {"a": "b"})
        store = self.mimic.core.existing_region_state("widgets", self.alice.tenant_id, "ORD")
        saved = save_store(store)
        copy = restore_store(saved)
        copy.listing()[0].metadata["a"] = "changed"  # type: ignore[index]
        self.assertEqual(saved["widgets"][0]["metadata"], {"a": "b"})
