# -*- test-case-name: mimic.test.test_coverage -*-
"""
Tests for fault coverage (:mod:`mimic.coverage`,
:mod:`mimic.control.coverage`): every known condition beside how often
the run registered it and saw it fire, for which tenants; counts that
outlive registrations and resets.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.test.test_control_widgets import widgets
from mimic.testing import InMemoryMimic, Response

COVERAGE = "/mimic/v1.1/failures/coverage"
CREATE_BEHAVIORS = "/mimic/v1.1/widgets/behaviors/widget.create"
DELETE_BEHAVIORS = "/mimic/v1.1/widgets/behaviors/widget.delete"


class CoverageTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[widgets])
        self.alice = self.mimic.authenticate("alice")
        self.widgets = self.alice.endpoint("rax:widgets") + "/widgets"

    def create_widget(self, name: str = "w", metadata: dict[str, str] | None = None) -> Response:
        widget: dict[str, Any] = {"name": name}
        if metadata is not None:
            widget["metadata"] = metadata
        return self.mimic.request("POST", self.widgets, {"widget": widget}, token=self.alice.token)

    def register(self, path: str, body: Any) -> str:
        response = self.mimic.request("POST", path, body)
        self.assertEqual(response.code, 201, response.body)
        return response.header("location") or ""

    def coverage(self, query: str = "") -> dict[str, Any]:
        response = self.mimic.request("GET", COVERAGE + query)
        self.assertEqual(response.code, 200, response.body)
        return response.json()

    def entry(self, event: str, condition: str, query: str = "") -> dict[str, Any]:
        [found] = [
            e for e in self.coverage(query)["coverage"]
            if (e["event"], e["condition"]) == (event, condition)
        ]
        return found

    def test_every_known_condition_is_listed_with_zero_counts(self) -> None:
        described = self.coverage("?service=widgets")
        self.assertEqual(
            [(e["event"], e["condition"]) for e in described["coverage"]],
            [("widget.create", "fail"), ("widget.create", "build"),
             ("widget.create", "error"), ("widget.delete", "fail")],
        )
        self.assertEqual(described["totals"], {"known": 4, "registered": 0, "fired": 0})
        self.assertEqual(
            self.entry("widget.create", "fail"),
            {"service": "widgets", "event": "widget.create", "condition": "fail",
             "registered": 0, "fired": 0, "tenants": []},
        )

    def test_registrations_and_firings_are_counted_with_their_tenants(self) -> None:
        self.register(CREATE_BEHAVIORS, {"name": "fail", "parameters": {"code": 500}, "times": 2})
        self.create_widget()
        self.create_widget()
        self.create_widget()
        fail = self.entry("widget.create", "fail", "?service=widgets")
        self.assertEqual((fail["registered"], fail["fired"], fail["tenants"]), (1, 2, [self.alice.tenant_id]))
        self.assertEqual(
            self.coverage("?service=widgets")["totals"], {"known": 4, "registered": 1, "fired": 1}
        )

    def test_a_metadata_trigger_counts_as_fired_without_a_registration(self) -> None:
        self.create_widget("w", {"widget_building": "30"})
        build = self.entry("widget.create", "build")
        self.assertEqual((build["registered"], build["fired"]), (0, 1))

    def test_a_sequence_registers_each_condition_once(self) -> None:
        steps = [{"name": "fail"}, {"name": "fail"}, {"name": "default"}, {"name": "error"}]
        self.register(CREATE_BEHAVIORS, {"name": "sequence", "parameters": {"behaviors": steps}})
        for _ in range(4):
            self.create_widget()
        fail, error = self.entry("widget.create", "fail"), self.entry("widget.create", "error")
        self.assertEqual((fail["registered"], fail["fired"]), (1, 2))
        self.assertEqual((error["registered"], error["fired"]), (1, 1))

    def test_counts_outlive_removal_and_reset_and_are_cleared_by_delete(self) -> None:
        location = self.register(DELETE_BEHAVIORS, {"name": "fail"})
        self.create_widget()
        self.mimic.request("DELETE", self.widgets + "/1", token=self.alice.token)
        self.mimic.request("DELETE", location)
        self.mimic.request("POST", "/mimic/v1.1/reset")
        fail = self.entry("widget.delete", "fail")
        self.assertEqual((fail["registered"], fail["fired"]), (1, 1))
        self.assertEqual(self.mimic.request("DELETE", COVERAGE).code, 204)
        fail = self.entry("widget.delete", "fail")
        self.assertEqual((fail["registered"], fail["fired"], fail["tenants"]), (0, 0, []))

    def test_text_format_is_a_table(self) -> None:
        self.create_widget("w", {"widget_error": "1"})
        response = self.mimic.request("GET", COVERAGE + "?format=text&service=widgets")
        self.assertEqual(response.code, 200)
        self.assertEqual(response.header("content-type"), "text/plain; charset=utf-8")
        lines = response.body.decode().splitlines()
        self.assertEqual(lines[0].split(), ["condition", "registered", "fired", "tenants"])
        self.assertEqual(lines[3].split(), ["widgets.widget.create.error", "0", "1", self.alice.tenant_id])
        self.assertEqual(lines[-1], "4 known conditions: 0 registered, 1 fired.")

    def test_identity_conditions_are_in_the_catalogue(self) -> None:
        services = {e["service"] for e in self.coverage()["coverage"]}
        self.assertEqual(services, {"identity", "widgets"})

    def test_bad_arguments_are_refused(self) -> None:
        for query, status in (("?format=xml", 400), ("?colour=red", 400), ("?service=nope", 404)):
            response = self.mimic.request("GET", COVERAGE + query)
            self.assertEqual(response.code, status, query)
            self.assertEqual(set(response.json()), {"message", "code"})
