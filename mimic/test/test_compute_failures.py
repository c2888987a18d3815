# -*- test-case-name: mimic.test.test_compute_failures -*-
"""
Compute's known error conditions, fired by server metadata (the old
mimic's keys) and by registrations with the failure engine, as a test
suite using Mimic would see them.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.failures import Event
from mimic.http import HTTPError
from mimic.services.compute.failures import (
    DEFAULT_FAULT,
    SERVER_ACTION,
    SERVER_CREATE,
    SERVER_DELETE,
    ActionFinish,
    ActiveNow,
    ActiveThenError,
    BuildFor,
    DeleteNow,
    DeletingFor,
    ErrorNow,
    FailDeletes,
    FalseNegative,
    OverQuota,
)
from mimic.test.test_compute_servers import ComputeTestCase
from mimic.testing import InMemoryMimic


class CreateConditionTests(ComputeTestCase):
    def test_server_building_stays_in_build_until_ticked(self) -> None:
        server_id = self.created_id(metadata={"server_building": "30"})
        server = self.show(server_id)
        self.assertEqual((server["status"], server["OS-EXT-STS:vm_state"]), ("BUILD", "building"))
        self.mimic.tick(29)
        self.assertEqual(self.show(server_id)["status"], "BUILD")
        self.mimic.tick(1)
        server = self.show(server_id)
        self.assertEqual((server["status"], server["OS-EXT-STS:power_state"]), ("ACTIVE", 1))

    def test_server_error_creates_a_server_in_error_with_a_fault(self) -> None:
        server = self.show(self.created_id(metadata={"server_error": "1"}))
        self.assertEqual((server["status"], server["OS-EXT-STS:vm_state"]), ("ERROR", "error"))
        self.assertEqual(server["fault"]["code"], 500)

    def test_create_server_failure_answers_with_that_error(self) -> None:
        failure = json.dumps({"message": "Sorry, no room", "code": 503})
        response = self.create(metadata={"create_server_failure": failure})
        self.assertEqual(response.code, 503)
        self.assertEqual(response.json()["serviceUnavailable"]["message"], "Sorry, no room")
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_malformed_trigger_is_400(self) -> None:
        response = self.create(metadata={"create_server_failure": "not json"})
        self.assertEqual(response.code, 400)
        self.assertIn("badRequest", response.json())

    def test_trigger_outside_its_declared_range_is_400_and_makes_nothing(self) -> None:
        for metadata in (
            {"server_building": "1e308"},
            {"server_error_after": "-1"},
            {"create_server_failure": json.dumps({"code": 600})},
            {"create_server_failure": json.dumps({"code": 10**20})},
        ):
            response = self.create(metadata=metadata)
            self.assertEqual(response.code, 400, metadata)
            self.assertIn("must be from", response.json()["badRequest"]["message"])
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_active_then_error(self) -> None:
        server_id = self.created_id(metadata={"server_error_after": "60"})
        self.assertEqual(self.show(server_id)["status"], "ACTIVE")
        self.mimic.tick(60)
        server = self.show(server_id)
        self.assertEqual(server["status"], "ERROR")
        self.assertIn("fault", server)

    def test_false_negative_creates_the_server_but_reports_failure(self) -> None:
        response = self.create("ghost", metadata={"create_server_false_negative": ""})
        self.assertEqual(response.code, 500)
        names = [s["name"] for s in self.call("GET", "/servers").json()["servers"]]
        self.assertEqual(names, ["ghost"])

    def test_over_quota_condition_is_403(self) -> None:
        response = self.create(metadata={"server_over_quota": "1"})
        self.assertEqual(response.code, 403)
        self.assertIn("Quota exceeded for instances", response.json()["forbidden"]["message"])

    def test_registration_with_criteria_applies_to_matching_names(self) -> None:
        event = self.mimic.core.failures.event("compute", "creation")
        self.assertIs(event, SERVER_CREATE)
        self.mimic.core.failures.register(
            event, "build", {"seconds": 10}, criteria=[{"server_name": "^slow"}]
        )
        slow, fast = self.created_id("slow-1"), self.created_id("fast-1")
        self.assertEqual(self.show(slow)["status"], "BUILD")
        self.assertEqual(self.show(fast)["status"], "ACTIVE")

    def test_registered_error_via_metadata_criterion(self) -> None:
        self.mimic.core.failures.register(
            SERVER_CREATE, "error", criteria=[{"metadata": {"key": "role", "value": "db"}}]
        )
        self.assertEqual(self.show(self.created_id(metadata={"role": "db"}))["status"], "ERROR")
        self.assertEqual(self.show(self.created_id(metadata={"role": "web"}))["status"], "ACTIVE")


class DeleteConditionTests(ComputeTestCase):
    def test_delete_server_failure_fails_the_next_n_deletes_with_that_code(self) -> None:
        server_id = self.created_id(metadata={"delete_server_failure": json.dumps({"code": 500, "times": 2})})
        codes = [self.call("DELETE", f"/servers/{server_id}").code for _ in range(3)]
        self.assertEqual(codes, [500, 500, 204])
        self.assertEqual(self.call("GET", f"/servers/{server_id}").code, 404)

    def test_delete_trigger_outside_its_declared_range_is_400_and_the_server_stays(self) -> None:
        """
        A delete's trigger is read when the server is deleted, so that is
        when it is refused.
        """
        failure = json.dumps({"code": 500, "times": 10**30})
        server_id = self.created_id(metadata={"delete_server_failure": failure})
        response = self.call("DELETE", f"/servers/{server_id}")
        self.assertEqual(response.code, 400)
        self.assertIn("'times'", response.json()["badRequest"]["message"])
        self.assertEqual(self.show(server_id)["status"], "ACTIVE")

    def test_delete_failure_honours_other_codes(self) -> None:
        server_id = self.created_id(metadata={"delete_server_failure": json.dumps({"code": 409, "times": 1})})
        response = self.call("DELETE", f"/servers/{server_id}")
        self.assertEqual(response.code, 409)
        self.assertIn("conflictingRequest", response.json())

    def test_deleting_keeps_the_server_for_n_seconds(self) -> None:
        server_id = self.created_id(metadata={"server_deleting": "20"})
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual(self.show(server_id)["OS-EXT-STS:task_state"], "deleting")
        self.mimic.tick(19)
        self.assertEqual(self.call("GET", f"/servers/{server_id}").code, 200)
        self.mimic.tick(1)
        self.assertEqual(self.call("GET", f"/servers/{server_id}").code, 404)
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_registered_delete_false_negative(self) -> None:
        self.mimic.core.failures.register(SERVER_DELETE, "false-negative", {"code": 503}, times=1)
        server_id = self.created_id()
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 503)
        self.assertEqual(self.call("GET", f"/servers/{server_id}").code, 404)


class ActionConditionTests(ComputeTestCase):
    def test_registered_action_failure_for_one_action(self) -> None:
        self.mimic.core.failures.register(
            SERVER_ACTION, "fail", {"code": 409, "message": "busy"}, criteria=[{"action": "reboot"}]
        )
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"reboot": {"type": "SOFT"}}).code, 409)
        self.assertEqual(self.action(server_id, {"os-stop": None}).code, 202)

    def test_action_error_from_metadata_ends_in_error(self) -> None:
        server_id = self.created_id(metadata={"server_action_error": "1"})
        self.action(server_id, {"reboot": {"type": "HARD"}})
        self.mimic.tick(5)
        self.assertEqual(self.show(server_id)["status"], "ERROR")


class CatalogueTests(ComputeTestCase):
    def test_every_condition_has_a_metadata_key_and_description(self) -> None:
        for event in (SERVER_CREATE, SERVER_DELETE, SERVER_ACTION):
            for condition in event.conditions:
                self.assertIsNotNone(condition.metadata, condition.name)
                self.assertTrue(condition.description)

    def test_old_mimic_keys_are_declared(self) -> None:
        keys = {
            c.metadata.key
            for e in (SERVER_CREATE, SERVER_DELETE)
            for c in e.conditions
            if c.metadata is not None
        }
        self.assertTrue({"server_building", "server_error", "create_server_failure", "delete_server_failure"} <= keys)


class OutcomeTests(SynchronousTestCase):
    """
    What each condition does, as the failure engine decides it: the
    outcome the model applies, or Nova's error raised before anything
    changes.
    """

    def setUp(self) -> None:
        self.failures = InMemoryMimic().core.failures

    def decide(self, event: Event, metadata: dict[str, str]) -> Any:
        return self.failures.decide(event, {}, metadata)

    def test_nothing_applies_gives_each_events_normal_outcome(self) -> None:
        self.assertEqual(self.decide(SERVER_CREATE, {}), ActiveNow())
        self.assertEqual(self.decide(SERVER_DELETE, {}), DeleteNow())
        self.assertEqual(self.decide(SERVER_ACTION, {}), ActionFinish(fault=None))

    def test_create_conditions_give_how_the_server_starts(self) -> None:
        self.assertEqual(self.decide(SERVER_CREATE, {"server_building": "30"}), BuildFor(30.0))
        self.assertEqual(
            self.decide(SERVER_CREATE, {"server_error": "1"}),
            ErrorNow("No valid host was found. There are not enough hosts available."),
        )
        self.assertEqual(
            self.decide(SERVER_CREATE, {"server_error_after": '{"seconds": 60, "message": "gone"}'}),
            ActiveThenError(60.0, "gone"),
        )
        self.assertIsInstance(self.decide(SERVER_CREATE, {"server_over_quota": ""}), OverQuota)

    def test_false_negative_carries_the_error_to_answer_after(self) -> None:
        outcome = self.decide(SERVER_CREATE, {"create_server_false_negative": '{"code": 504}'})
        self.assertIsInstance(outcome, FalseNegative)
        self.assertEqual(outcome.error.status, 504)

    def test_failures_refuse_before_anything_changes(self) -> None:
        error = self.assertRaises(
            HTTPError, self.decide, SERVER_CREATE, {"create_server_failure": '{"code": 503, "message": "no"}'}
        )
        self.assertEqual((error.status, error.body), (503, {"serviceUnavailable": {"code": 503, "message": "no"}}))
        error = self.assertRaises(HTTPError, self.decide, SERVER_ACTION, {"server_action_failure": ""})
        self.assertEqual(error.status, 500)

    def test_delete_conditions_give_how_the_delete_goes(self) -> None:
        self.assertEqual(
            self.decide(SERVER_DELETE, {"delete_server_failure": '{"code": 409, "times": 2}'}),
            FailDeletes(2, 409, DEFAULT_FAULT),
        )
        self.assertEqual(self.decide(SERVER_DELETE, {"server_deleting": "20"}), DeletingFor(20.0))

    def test_action_error_ends_the_task_in_error(self) -> None:
        self.assertEqual(
            self.decide(SERVER_ACTION, {"server_action_error": ""}),
            ActionFinish(fault="The action failed on the server's host."),
        )

    def test_every_condition_declares_its_effect(self) -> None:
        for event in (SERVER_CREATE, SERVER_DELETE, SERVER_ACTION):
            for condition in event.conditions:
                self.assertIsNotNone(condition.effect, (event.id, condition.name))
