"""
Object storage's known error conditions, registered through the control
API as a test suite would.
"""

from __future__ import annotations

from typing import Any

from mimic.test.test_objectstorage_routes import SwiftTestCase

BEHAVIORS = "/mimic/v1.1/objectstorage/behaviors/"


class ConditionTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")
        self.put("/c/o", b"data")

    def register(self, event: str, name: str, parameters: dict[str, Any] | None = None, **criteria: str) -> None:
        body = {
            "name": name,
            "parameters": parameters or {},
            "criteria": [{key: value} for key, value in criteria.items()],
        }
        response = self.mimic.request("POST", BEHAVIORS + event, body)
        self.assertEqual(response.code, 201, response.body)

    def test_fail_on_put_is_503_and_nothing_is_stored(self) -> None:
        self.register("object_write", "fail", object="new$")
        response = self.swift("PUT", "/c/new", b"x")
        self.assertEqual(response.code, 503)
        self.assertIn(b"<h1>Service Unavailable</h1>", response.body)
        self.assertEqual(self.swift("HEAD", "/c/new").code, 404)
        self.assertEqual(self.swift("PUT", "/c/other", b"x").code, 201)

    def test_insufficient_storage_timeout_and_checksum(self) -> None:
        for name, status in (("insufficient_storage", 507), ("request_timeout", 408), ("checksum_mismatch", 422)):
            self.register("object_write", name, container="c$")
            self.assertEqual(self.swift("PUT", "/c/x", b"x").code, status)
            self.mimic.request("POST", "/mimic/v1.1/reset")
            self.access = self.mimic.authenticate("alice")
            self.put("/c")

    def test_vanish_is_404_while_the_listing_shows_it(self) -> None:
        self.register("object_read", "vanish", object="o$")
        self.assertEqual(self.swift("GET", "/c/o").code, 404)
        self.assertEqual(self.names("/c"), ["o"])

    def test_conflict_on_empty_container_delete(self) -> None:
        self.put("/empty")
        self.register("container_delete", "conflict", container="empty")
        self.assertEqual(self.swift("DELETE", "/empty").code, 409)
        self.assertEqual(self.swift("HEAD", "/empty").code, 204)

    def test_stale_listing_lags_behind_writes_and_deletes(self) -> None:
        self.mimic.tick(100)
        self.register("listing", "stale", {"seconds": 30}, container="c")
        self.put("/c/fresh", b"x")
        self.swift("DELETE", "/c/o")
        self.assertEqual(self.names("/c"), ["o"])
        self.assertEqual(self.swift("GET", "/c/fresh").code, 200)
        self.mimic.tick(31)
        self.assertEqual(self.names("/c"), ["fresh"])

    def test_slow_read_waits_for_mimics_clock(self) -> None:
        self.register("object_read", "slow", {"seconds": 10})
        results: list[Any] = []
        d = self.mimic.treq.get(self.url + "/c/o", headers={b"X-Auth-Token": [self.access.token.encode()]})
        d.addCallback(results.append)
        self.mimic.treq.flush()
        self.assertEqual(results, [])
        self.mimic.tick(10)
        self.mimic.treq.flush()
        self.assertEqual(results[0].code, 200)

    def test_fail_with_a_message_is_plain_text(self) -> None:
        self.register("object_delete", "fail", {"code": 500, "message": "disk on fire"})
        response = self.swift("DELETE", "/c/o")
        self.assertEqual((response.code, response.body), (500, b"disk on fire"))
        self.assertEqual(response.header("content-type"), "text/plain; charset=UTF-8")
        self.assertEqual(self.swift("HEAD", "/c/o").code, 200)

    def test_conditions_are_in_the_catalogue(self) -> None:
        listed = self.mimic.request("GET", "/mimic/v1.1/failures").json()
        events = {e["id"] for e in listed["events"]} if isinstance(listed, dict) else {e["id"] for e in listed}
        for event in ("object_write", "object_read", "object_delete", "container_delete", "listing"):
            self.assertIn("objectstorage." + event, events)
