"""
The widget service's timed state on Mimic's clock: a building widget is
listed by ``GET /mimic/v1.1/clock`` and ticked to ACTIVE by ``until idle``.
"""

from __future__ import annotations

from mimic_widgets.test.test_widgets import WidgetsTestCase


class PendingTests(WidgetsTestCase):
    def test_building_widget_is_pending_until_ticked_idle(self) -> None:
        widget = self.create("w1", {"widget_building": "30"}).json()["widget"]
        clock = self.mimic.request("GET", "/mimic/v1.1/clock").json()
        [pending] = [e for e in clock["pending"] if e["kind"] == "transition"]
        self.assertEqual(
            (pending["resource"], pending["id"], pending["event"], pending["in"], pending["service"]),
            ("widget", widget["id"], "becomes ACTIVE", 30, "widgets"),
        )
        ticked = self.mimic.request("POST", "/mimic/v1.1/tick", {"until": "idle"}).json()
        self.assertEqual((ticked["advanced"], ticked["idle"]), (30, True))
        self.assertEqual(self.status_now(widget), "ACTIVE")
