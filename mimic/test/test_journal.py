# -*- test-case-name: mimic.test.test_journal -*-
"""
Tests for the request journal (:mod:`mimic.journal`,
:mod:`mimic.control.journal`): every request Mimic answers is recorded,
with who made it and what fired, secrets masked; the listing filters;
the bounds.  In memory, with the small widgets plugin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from twisted.logger import globalLogPublisher
from twisted.trial.unittest import SynchronousTestCase

from mimic.core import MimicCore, declared_settings
from mimic.journal import MASK, mask_body, mask_text
from mimic.settings import BadSetting, parse_settings
from mimic.test.test_control_widgets import widgets
from mimic.testing import InMemoryMimic, Response

REQUESTS = "/mimic/v1.1/requests"
CREATE_BEHAVIORS = "/mimic/v1.1/widgets/behaviors/widget.create"


class JournalTestCase(SynchronousTestCase):
    settings: dict[str, str] = {}

    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[widgets], settings=self.settings)
        self.alice = self.mimic.authenticate("alice")
        self.widgets = self.alice.endpoint("rax:widgets") + "/widgets"

    def create_widget(self, name: str = "w", metadata: dict[str, str] | None = None) -> Response:
        widget: dict[str, Any] = {"name": name}
        if metadata is not None:
            widget["metadata"] = metadata
        return self.mimic.request("POST", self.widgets, {"widget": widget}, token=self.alice.token)

    def listing(self, **filters: Any) -> dict[str, Any]:
        query = f"?{urlencode(filters)}" if filters else ""
        response = self.mimic.request("GET", REQUESTS + query)
        self.assertEqual(response.code, 200, response.body)
        return response.json()

    def records(self, **filters: Any) -> list[dict[str, Any]]:
        return self.listing(**filters)["requests"]

    def count(self, **filters: Any) -> int:
        response = self.mimic.request("GET", f"{REQUESTS}/count?{urlencode(filters)}")
        self.assertEqual(response.code, 200, response.body)
        return response.json()["count"]

    def refused(self, path: str) -> str:
        response = self.mimic.request("GET", path)
        self.assertEqual(response.code, 400, response.body)
        self.assertEqual(set(response.json()), {"message", "code"})
        return response.json()["message"]


class RecordingTests(JournalTestCase):
    def test_a_service_request_is_recorded_with_who_and_where(self) -> None:
        created = self.create_widget("db")
        [record] = self.records(service="widgets")
        self.assertEqual(record["method"], "POST")
        self.assertEqual(record["path"], self.widgets.removeprefix(self.mimic.base))
        self.assertEqual(record["region"], "ORD")
        self.assertEqual(record["tenant_id"], self.alice.tenant_id)
        self.assertEqual(record["user"], "alice")
        self.assertEqual(record["status"], 202)
        self.assertEqual(record["request_id"], created.header("x-openstack-request-id"))
        self.assertEqual(record["seconds"], self.mimic.clock.seconds())
        self.assertEqual(record["time"], "2023-11-14T22:13:20.000000Z")
        self.assertEqual(record["request_body"], '{"widget": {"name": "db"}}')
        self.assertEqual(record["response_body"], created.body.decode())
        self.assertEqual(record["conditions"], [])

    def test_an_authentication_is_recorded_with_the_user_it_authenticated(self) -> None:
        self.mimic.request("POST", "/identity/v3/auth/tokens", {"auth": {"identity": {
            "methods": ["password"],
            "password": {"user": {"name": "bob", "domain": {"id": "default"}, "password": "pw"}},
        }}})
        v2, v3 = self.records(service="identity")
        self.assertEqual((v2["user"], v2["tenant_id"]), ("alice", self.alice.tenant_id))
        self.assertEqual((v3["user"], v3["status"]), ("bob", 201))

    def test_identity_control_and_unknown_paths_are_recorded_too(self) -> None:
        self.mimic.request("GET", "/nowhere?x=1")
        self.mimic.request("GET", "/mimic/v1.1/clock")
        services = [(r["service"], r["path"], r["status"]) for r in self.records()]
        self.assertEqual(
            services,
            [
                ("identity", "/identity/v2.0/tokens", 200),
                (None, "/nowhere", 404),
                ("mimic", "/mimic/v1.1/clock", 200),
            ],
        )
        self.assertEqual(self.records(status=404)[0]["query"], "x=1")

    def test_reading_the_journal_is_not_recorded(self) -> None:
        self.listing()
        self.count(method="GET")
        self.assertEqual(self.count(), 1)
        self.assertEqual(self.listing()["recorded"], 1)

    def test_records_are_numbered_and_timed_on_mimics_clock(self) -> None:
        self.mimic.tick(30)
        self.create_widget()
        first, second = self.records()
        self.assertEqual(second["id"], first["id"] + 1)
        self.assertEqual(second["seconds"] - first["seconds"], 30)

    def test_a_fired_registration_is_attributed_to_its_request(self) -> None:
        registered = self.mimic.request(
            "POST", CREATE_BEHAVIORS,
            {"name": "fail", "parameters": {"code": 503}, "criteria": [{"widget_name": "db"}]},
        )
        self.create_widget("db")
        self.create_widget("other")
        failed, succeeded = self.records(service="widgets")
        self.assertEqual(failed["status"], 503)
        self.assertEqual(
            failed["conditions"],
            [{"service": "widgets", "event": "widget.create", "condition": "fail",
              "registration_id": registered.json()["id"]}],
        )
        self.assertEqual(succeeded["conditions"], [])

    def test_a_metadata_trigger_is_attributed_without_a_registration(self) -> None:
        self.create_widget("db", {"widget_error": "yes"})
        [record] = self.records(condition="widgets.widget.create.error")
        self.assertEqual(record["conditions"][0]["registration_id"], None)

    def test_delete_clears_the_journal(self) -> None:
        self.assertEqual(self.mimic.request("DELETE", REQUESTS).code, 204)
        self.assertEqual(self.records(), [])
        self.create_widget()
        [record] = self.records()
        self.assertEqual(record["id"], 2, "ids are not reused")

    def test_a_reset_leaves_the_journal(self) -> None:
        self.mimic.request("POST", "/mimic/v1.1/reset")
        self.assertEqual(self.count(), 2)

    def test_looking_the_token_up_makes_nothing(self) -> None:
        before = self.mimic.core.state_summary()
        self.mimic.request("GET", self.widgets + "/1", token="not-a-token")
        self.assertEqual(self.records(status=401)[0]["user"], None)
        self.assertEqual(self.mimic.core.state_summary(), before)


class MaskingTests(JournalTestCase):
    def test_passwords_and_token_ids_are_masked(self) -> None:
        [record] = self.records()
        self.assertNotIn("secret", record["request_body"])
        self.assertIn(f'"password": "{MASK}"', record["request_body"])
        self.assertNotIn(self.alice.token, record["response_body"])
        self.assertIn(f'"id":"{MASK}"', record["response_body"])

    def test_no_kept_text_holds_a_secret(self) -> None:
        token = self.alice.token
        self.mimic.request("GET", self.widgets + "/1?token=" + token, token=token)
        self.mimic.request(
            "POST", "/identity/v2.0/tokens", raw=b'{"auth": {"passwordCredentials": {"password": "hunter2"',
        )
        for record in self.records():
            for value in (record["query"], record["request_body"], record["response_body"]):
                self.assertNotIn(token, value)
                self.assertNotIn("hunter2", value)

    def test_secrets_are_masked_at_any_depth(self) -> None:
        body = (
            b'{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"a",'
            b'"password":"s1"}}}},"RAX-KSKEY:apiKeyCredentials":{"username":"u","apiKey":"s2"},'
            b'"server":{"adminPass":"s3","key_name":"k"},"credential":{"blob":"s4"},'
            b'"old_passwords":["s5","s6"]}'
        )
        masked = mask_body(body, 4096)
        for secret in ("s1", "s2", "s3", "s4", "s5", "s6"):
            self.assertNotIn(f'"{secret}"', masked)
        self.assertIn('"methods":["password"]', masked)
        self.assertIn('"key_name":"k"', masked)

    def test_text_cut_short_is_masked_by_pattern(self) -> None:
        self.assertEqual(
            mask_text('{"token":{"expires":"x","id":"abc'),
            '{"token":{"expires":"x","id":"***"',
        )
        self.assertEqual(mask_text("user=a&password=b"), "user=a&password=***")


class FilterTests(JournalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.create_widget("one")
        self.mimic.tick(10)
        self.mimic.request("GET", self.widgets + "/1", token=self.alice.token)
        self.mimic.request("GET", self.widgets + "/404", token=self.alice.token)
        self.mimic.request("DELETE", self.widgets + "/1", token=self.alice.token)

    def test_by_method_status_tenant_and_service(self) -> None:
        self.assertEqual(self.count(method="get"), 2)
        self.assertEqual(self.count(method="GET,DELETE"), 3)
        self.assertEqual(self.count(status="404"), 1)
        self.assertEqual(self.count(status="2xx"), 4)
        self.assertEqual(self.count(status="204,404"), 2)
        self.assertEqual(self.count(tenant_id=self.alice.tenant_id), 5, "the authentication too")
        self.assertEqual(self.count(service="widgets"), 4)
        self.assertEqual(self.count(service="identity"), 1)

    def test_by_path_pattern(self) -> None:
        self.assertEqual(self.count(path=r"/widgets/1$"), 2)
        self.assertEqual(self.count(path=r"/widgets/1$", method="DELETE"), 1)

    def test_since_in_seconds_or_iso(self) -> None:
        start = self.mimic.clock.seconds() - 10
        self.assertEqual(self.count(since=str(start + 1)), 3)
        self.assertEqual(self.count(since="2023-11-14T22:13:25Z"), 3)
        self.assertEqual(self.count(since="2023-11-14T22:13:20Z"), 5)

    def test_paging_with_limit_and_marker(self) -> None:
        first = self.listing(limit=2)
        self.assertEqual([r["id"] for r in first["requests"]], [1, 2])
        self.assertEqual((first["count"], first["recorded"], first["capacity"]), (5, 5, 10_000))
        second = self.listing(limit=2, marker=2)
        self.assertEqual([r["id"] for r in second["requests"]], [3, 4])
        self.assertEqual(self.listing(marker=5)["requests"], [])

    def test_bad_filters_are_400_naming_them(self) -> None:
        self.assertIn("tenant", self.refused(REQUESTS + "?tenant=x"))
        self.assertIn("status", self.refused(REQUESTS + "?status=4x"))
        self.assertIn("status", self.refused(REQUESTS + "/count?status=600"))
        self.assertIn("RE2", self.refused(REQUESTS + "?path=(a"))
        self.assertIn("RE2", self.refused(REQUESTS + "?path=(a)%5C1"))
        self.assertIn("since", self.refused(REQUESTS + "?since=yesterday"))
        self.assertIn("since", self.refused(REQUESTS + "?since=nan"))
        self.assertIn("method", self.refused(REQUESTS + "?method=G%20T"))
        self.assertIn("limit", self.refused(REQUESTS + "?limit=0"))
        self.assertIn("marker", self.refused(REQUESTS + "?marker=x"))
        self.assertIn("limit", self.refused(REQUESTS + "/count?limit=1"))


class BoundsTests(JournalTestCase):
    settings = {"journal.size": "3", "journal.body_limit": "16"}

    def test_only_the_last_records_are_kept(self) -> None:
        for n in range(5):
            self.create_widget(f"w{n}")
        listed = self.listing()
        self.assertEqual((listed["count"], listed["recorded"], listed["capacity"]), (3, 3, 3))
        self.assertEqual([r["id"] for r in listed["requests"]], [4, 5, 6])

    def test_bodies_are_cut_at_the_limit(self) -> None:
        self.create_widget("a-rather-long-widget-name")
        record = self.records()[-1]
        self.assertEqual(len(record["request_body"]), 16)
        self.assertEqual(len(record["response_body"]), 16)
        self.assertGreater(record["request_bytes"], 16)
        self.assertGreater(record["response_bytes"], 16)

    def test_memory_stays_flat_under_many_requests(self) -> None:
        journal = self.mimic.core.journal
        for n in range(500):
            self.mimic.request("GET", f"/nowhere/{n}")
        self.assertEqual(len(journal._records), 3)
        self.assertIsNone(journal._current)


class OffTests(JournalTestCase):
    settings = {"journal.size": "0"}

    def test_nothing_is_kept_and_requests_are_still_answered(self) -> None:
        self.assertEqual(self.create_widget().code, 202)
        self.assertEqual(self.listing(), {"requests": [], "count": 0, "recorded": 0, "capacity": 0})
        self.assertIsNone(self.mimic.core.journal._current)


class SettingsTests(SynchronousTestCase):
    def test_journal_settings_are_declared_and_checked(self) -> None:
        declared = declared_settings([])
        values = parse_settings({"journal.size": "5", "journal.body_limit": "1K"}, declared)
        self.assertEqual((values["journal.size"], values["journal.body_limit"]), (5, 1024))
        for bad in ({"journal.size": "-1"}, {"journal.size": "x"}, {"journal.body_limit": "2G"}):
            self.assertRaises(BadSetting, parse_settings, bad, declared)

    def test_the_core_sizes_its_journal_from_the_settings(self) -> None:
        from twisted.internet.task import Clock

        core = MimicCore.create(Clock(), [], settings={"journal.size": "7"})
        self.assertEqual(core.journal.size, 7)


class VerboseTests(JournalTestCase):
    settings = {"journal.size": "0"}

    def test_verbose_logs_one_line_per_request_with_id_and_conditions(self) -> None:
        lines: list[str] = []

        def observe(event: dict[str, Any]) -> None:
            if event.get("log_namespace") == "mimic.journal":
                from twisted.logger import formatEvent

                lines.append(formatEvent(event))

        globalLogPublisher.addObserver(observe)
        self.addCleanup(globalLogPublisher.removeObserver, observe)
        self.mimic.core.journal.verbose = True
        response = self.create_widget("db", {"widget_error": "yes"})
        [line] = lines
        self.assertIn(f"POST {self.widgets.removeprefix(self.mimic.base)}", line)
        self.assertIn(" 202 ", line)
        self.assertIn("user=alice", line)
        self.assertIn(response.header("x-openstack-request-id") or "?", line)
        self.assertIn("fired=widgets.widget.create.error", line)
