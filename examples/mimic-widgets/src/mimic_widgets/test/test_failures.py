"""
The widget service's known error conditions, fired both ways: from a new
widget's metadata, and registered through Mimic's control API.
"""

from __future__ import annotations

import json

from mimic_widgets.test.test_widgets import WidgetsTestCase

REGISTER = "/mimic/v1.1/widgets/behaviors/create"


class MetadataTests(WidgetsTestCase):
    def test_building_metadata_keeps_the_widget_building_for_that_long(self) -> None:
        widget = self.create("w1", {"widget_building": "30"}).json()["widget"]
        self.assertEqual(widget["status"], "BUILDING")
        self.mimic.tick(29)
        self.assertEqual(self.status_now(widget), "BUILDING")
        self.mimic.tick(1)
        self.assertEqual(self.status_now(widget), "ACTIVE")

    def test_failure_metadata_refuses_the_creation_with_its_code(self) -> None:
        failure = json.dumps({"code": 503, "message": "Busy."})
        response = self.create("w1", {"widget_create_failure": failure})
        self.assertEqual(response.code, 503)
        self.assertEqual(response.json(), {"widgetFault": {"code": 503, "message": "Busy."}})
        self.assertEqual(self.get(self.widgets_url()).json(), {"widgets": []})

    def test_malformed_trigger_is_400(self) -> None:
        response = self.create("w1", {"widget_building": "a while"})
        self.assertEqual(response.code, 400)
        self.assertIn("'seconds' must be number", response.json()["widgetFault"]["message"])


class ControlAPITests(WidgetsTestCase):
    def register(self, body: dict[str, object]) -> None:
        response = self.mimic.request("POST", REGISTER, body)
        self.assertEqual(response.code, 201, response.body)

    def test_registered_failure_refuses_matching_creations_as_often_as_asked(self) -> None:
        self.register(
            {
                "name": "fail",
                "parameters": {"code": 503},
                "criteria": [{"widget_name": "^doomed"}],
                "times": 1,
            }
        )
        self.assertEqual(self.create("fine").code, 202)
        refused = self.create("doomed-1")
        self.assertEqual(refused.code, 503)
        self.assertEqual(refused.json()["widgetFault"]["message"], "The widget could not be made.")
        self.assertEqual(self.create("doomed-2").code, 202)

    def test_registered_building_keeps_new_widgets_building(self) -> None:
        self.register({"name": "building", "parameters": {"seconds": 10}})
        widget = self.create("w1").json()["widget"]
        self.assertEqual(widget["status"], "BUILDING")
        self.mimic.tick(10)
        self.assertEqual(self.status_now(widget), "ACTIVE")

    def test_unknown_condition_is_refused(self) -> None:
        response = self.mimic.request("POST", REGISTER, {"name": "explode"})
        self.assertEqual(response.code, 400)
        self.assertIn("no condition 'explode'", response.json()["message"])

    def test_the_failures_catalogue_lists_the_conditions(self) -> None:
        described = self.mimic.request("GET", "/mimic/v1.1/failures/widgets").json()
        self.assertIn('"widgets.create"', json.dumps(described))
        self.assertIn('"widget_building"', json.dumps(described))
