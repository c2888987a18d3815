# -*- test-case-name: mimic.test.test_compute_instance_actions -*-
"""
``/servers/{id}/os-instance-actions`` in memory: every action a server
went through, keyed by the request id of the request that caused it,
with events ending on Mimic's clock, the fault of a known error
condition, and each microversion's shape.
"""

from __future__ import annotations

from typing import Any

from mimic.services.compute.failures import SERVER_ACTION
from mimic.test.test_compute_servers import ComputeTestCase
from mimic.timestamps import iso_seconds


class InstanceActionTestCase(ComputeTestCase):
    def actions(self, server_id: str, query: str = "", version: str | None = None) -> Any:
        response = self.call("GET", f"/servers/{server_id}/os-instance-actions{query}", version=version)
        self.assertEqual(response.code, 200, response.body)
        return response.json()

    def one(self, server_id: str, request_id: str, version: str = "2.84") -> dict[str, Any]:
        response = self.call("GET", f"/servers/{server_id}/os-instance-actions/{request_id}", version=version)
        self.assertEqual(response.code, 200, response.body)
        return dict(response.json()["instanceAction"])


class RecordTests(InstanceActionTestCase):
    def test_create_is_recorded_under_the_request_id_the_response_carried(self) -> None:
        response = self.create()
        server_id = response.json()["server"]["id"]
        request_id = response.header("X-OpenStack-Request-ID")
        self.assertEqual(response.header("X-Compute-Request-ID"), request_id)
        [action] = self.actions(server_id)["instanceActions"]
        self.assertEqual((action["action"], action["request_id"]), ("create", request_id))
        self.assertEqual(action["user_id"], self.show(server_id)["user_id"])
        self.assertEqual(action["project_id"], self.access.tenant_id)
        self.assertIsNone(action["message"])

    def test_every_action_is_listed_newest_first(self) -> None:
        server_id = self.created_id()
        steps = [
            {"reboot": {"type": "HARD"}}, {"os-stop": None}, {"os-start": None}, {"pause": None},
            {"unpause": None}, {"suspend": None}, {"resume": None}, {"rescue": None}, {"unrescue": None},
            {"resize": {"flavorRef": "general1-2"}}, {"confirmResize": None},
            {"resize": {"flavorRef": "general1-4"}}, {"revertResize": None},
            {"changePassword": {"adminPass": "n3w-Pass"}}, {"createImage": {"name": "snap"}},
            {"lock": None}, {"unlock": None}, {"shelve": None}, {"unshelve": None},
        ]
        for step in steps:
            response = self.action(server_id, step)
            self.assertIn(response.code, (200, 202, 204), f"{step}: {response.body!r}")
            self.mimic.tick(60)
        names = [a["action"] for a in self.actions(server_id)["instanceActions"]]
        expected = [
            "create", "reboot", "stop", "start", "pause", "unpause", "suspend", "resume", "rescue", "unrescue",
            "resize", "confirmResize", "resize", "revertResize", "changePassword", "createImage", "lock",
            "unlock", "shelve", "unshelve",
        ]
        self.assertEqual(names, expected[::-1])

    def test_refused_action_leaves_no_record(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"os-start": None}).code, 409)
        self.assertEqual([a["action"] for a in self.actions(server_id)["instanceActions"]], ["create"])

    def test_console_output_leaves_no_record(self) -> None:
        server_id = self.created_id()
        self.action(server_id, {"os-getConsoleOutput": {}})
        self.assertEqual(len(self.actions(server_id)["instanceActions"]), 1)


class EventTests(InstanceActionTestCase):
    def test_event_under_way_has_no_finish_or_result_until_the_clock_gets_there(self) -> None:
        server_id = self.created_id()
        response = self.action(server_id, {"reboot": {"type": "SOFT"}})
        request_id = response.header("X-OpenStack-Request-ID") or ""
        [event] = self.one(server_id, request_id)["events"]
        self.assertEqual(event["event"], "compute_reboot_instance")
        self.assertEqual((event["finish_time"], event["result"]), (None, None))
        start = self.mimic.clock.seconds()
        self.mimic.tick(60)
        [event] = self.one(server_id, request_id)["events"]
        self.assertEqual(event["result"], "Success")
        self.assertEqual(event["start_time"][:19], iso_seconds(start)[:19])
        self.assertGreater(event["finish_time"], event["start_time"])
        self.assertIsNone(event["details"])

    def test_condition_failing_an_action_is_on_the_record(self) -> None:
        self.mimic.core.failures.register(
            SERVER_ACTION, "error", {"message": "Hypervisor refused the reboot."}, times=1
        )
        server_id = self.created_id()
        request_id = self.action(server_id, {"reboot": {"type": "SOFT"}}).header("X-OpenStack-Request-ID") or ""
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "ERROR")
        action = self.one(server_id, request_id)
        self.assertEqual(action["message"], "Error")
        [event] = action["events"]
        self.assertEqual((event["result"], event["details"]), ("Error", "Hypervisor refused the reboot."))
        self.assertNotIn("traceback", event)

    def test_server_created_in_error_has_a_failed_build(self) -> None:
        server_id = self.created_id(metadata={"server_error": "1"})
        [listed] = self.actions(server_id)["instanceActions"]
        self.assertEqual(listed["message"], "Error")
        events = self.one(server_id, listed["request_id"])["events"]
        self.assertEqual([e["result"] for e in events], ["Success", "Error"])

    def test_events_before_2_51_are_an_administrators(self) -> None:
        server_id = self.created_id()
        [listed] = self.actions(server_id)["instanceActions"]
        self.assertNotIn("events", self.one(server_id, listed["request_id"], version="2.50"))
        self.assertIn("events", self.one(server_id, listed["request_id"], version="2.51"))

    def test_host_id_from_2_62_and_details_from_2_84(self) -> None:
        server_id = self.created_id()
        [listed] = self.actions(server_id)["instanceActions"]
        [_, event] = self.one(server_id, listed["request_id"], version="2.62")["events"]
        self.assertEqual(event["hostId"], self.show(server_id)["hostId"])
        self.assertNotIn("host", event)
        self.assertNotIn("details", event)
        [_, event] = self.one(server_id, listed["request_id"], version="2.61")["events"]
        self.assertNotIn("hostId", event)

    def test_unknown_request_id_is_404(self) -> None:
        server_id = self.created_id()
        response = self.call("GET", f"/servers/{server_id}/os-instance-actions/req-nothing")
        self.assertEqual(response.code, 404)
        self.assertIn("req-nothing", response.json()["itemNotFound"]["message"])


class DeletedServerTests(InstanceActionTestCase):
    def test_deleted_server_actions_from_2_21(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        listed = self.actions(server_id, version="2.21")["instanceActions"]
        self.assertEqual([a["action"] for a in listed], ["delete", "create"])
        response = self.call("GET", f"/servers/{server_id}/os-instance-actions", version="2.20")
        self.assertEqual(response.code, 404)


class PagingTests(InstanceActionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server_id = self.created_id()
        for _ in range(3):
            self.mimic.tick(10)
            self.action(self.server_id, {"reboot": {"type": "SOFT"}})
        self.mimic.tick(60)

    def test_updated_at_from_2_58(self) -> None:
        self.assertNotIn("updated_at", self.actions(self.server_id, version="2.57")["instanceActions"][0])
        newest = self.actions(self.server_id, version="2.58")["instanceActions"][0]
        self.assertGreater(newest["updated_at"], newest["start_time"])

    def test_limit_and_marker_page_with_a_next_link(self) -> None:
        first = self.actions(self.server_id, "?limit=2", version="2.58")
        self.assertEqual([a["action"] for a in first["instanceActions"]], ["reboot", "reboot"])
        [link] = first["links"]
        self.assertEqual(link["rel"], "next")
        marker = first["instanceActions"][-1]["request_id"]
        self.assertIn(f"marker={marker}", link["href"])
        rest = self.actions(self.server_id, f"?limit=2&marker={marker}", version="2.58")
        self.assertEqual([a["action"] for a in rest["instanceActions"]], ["reboot", "create"])
        self.assertNotIn("links", rest)

    def test_unknown_marker_is_400(self) -> None:
        response = self.call("GET", f"/servers/{self.server_id}/os-instance-actions?marker=req-x", version="2.58")
        self.assertEqual(response.code, 400)

    def test_changes_since_and_before(self) -> None:
        listed = self.actions(self.server_id, version="2.58")["instanceActions"]
        since = listed[1]["updated_at"]
        newer = self.actions(self.server_id, f"?changes-since={since}", version="2.58")["instanceActions"]
        self.assertEqual(len(newer), 2)
        older = self.actions(self.server_id, f"?changes-before={since}", version="2.58")["instanceActions"]
        self.assertEqual(len(older), 3)
        bad = self.call("GET", f"/servers/{self.server_id}/os-instance-actions?changes-since=soon", version="2.58")
        self.assertEqual(bad.code, 400)
        backwards = self.call(
            "GET", f"/servers/{self.server_id}/os-instance-actions?changes-since={since}"
            f"&changes-before={listed[-1]['updated_at']}", version="2.58",
        )
        self.assertEqual(backwards.code, 400)


class TimingTests(InstanceActionTestCase):
    def test_slow_build_finishes_when_the_server_leaves_build(self) -> None:
        server_id = self.created_id(metadata={"server_building": "30"})
        [listed] = self.actions(server_id)["instanceActions"]
        self.mimic.tick(10)
        self.assertIsNone(self.one(server_id, listed["request_id"])["events"][-1]["result"])
        self.mimic.tick(30)
        self.assertEqual(self.one(server_id, listed["request_id"])["events"][-1]["result"], "Success")

    def test_an_action_ends_with_its_own_step_not_a_later_failure(self) -> None:
        server_id = self.created_id(metadata={"server_error_after": "3600"})
        request_id = self.action(server_id, {"changePassword": {"adminPass": "n3w-Pass"}}).header(
            "X-OpenStack-Request-ID"
        ) or ""
        [event] = self.one(server_id, request_id)["events"]
        self.assertEqual(event["result"], "Success")
        [create] = [a for a in self.actions(server_id)["instanceActions"] if a["action"] == "create"]
        self.assertEqual(self.one(server_id, create["request_id"])["events"][-1]["result"], "Success")
