# -*- test-case-name: mimic.test.test_compute_tags -*-
"""
``/servers/{id}/tags`` and the tag listing filters, in memory.
"""

from __future__ import annotations

from typing import Any

from mimic.services.compute.model import region_compute
from mimic.services.compute.tags import MAX_TAGS, TagFilter
from mimic.test.test_compute_server_groups import GroupsTestCase
from mimic.testing import Response

TAGS = "2.26"


class TagTests(GroupsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server_id = self.server()
        self.mimic.tick(60)

    def server(self, **extra: Any) -> str:
        body = {"server": {"name": "web", "imageRef": "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c",
                           "flavorRef": "general1-1", **extra}}
        # A create takes tags from 2.52.
        version = "2.52" if "tags" in extra else None
        return str(self.ok(self.call("POST", "/servers", body, version), 202)["server"]["id"])

    def tags(self, method: str, suffix: str = "", body: Any = None, version: str = TAGS) -> Response:
        return self.call(method, f"/servers/{self.server_id}/tags{suffix}", body, version)

    def test_add_check_list_delete(self) -> None:
        added = self.tags("PUT", "/blue")
        self.assertEqual(added.code, 201)
        self.assertTrue(added.header("location").endswith(f"/servers/{self.server_id}/tags/blue"))
        self.assertEqual(self.tags("PUT", "/blue").code, 204)
        self.assertEqual(self.tags("GET", "/blue").code, 204)
        self.assertEqual(self.error(self.tags("GET", "/red"), 404), f"Server {self.server_id} has no tag 'red'")
        self.assertEqual(self.ok(self.tags("GET"))["tags"], ["blue"])
        shown = self.ok(self.call("GET", f"/servers/{self.server_id}", version=TAGS))["server"]
        self.assertEqual(shown["tags"], ["blue"])
        self.ok(self.tags("DELETE", "/blue"), 204)
        self.error(self.tags("DELETE", "/blue"), 404)

    def test_replace_and_delete_all(self) -> None:
        self.assertEqual(self.ok(self.tags("PUT", body={"tags": ["a", "b", "a"]}))["tags"], ["a", "b"])
        self.ok(self.tags("DELETE"), 204)
        self.assertEqual(self.ok(self.tags("GET"))["tags"], [])

    def test_validation_and_limit(self) -> None:
        for body in ({}, {"tags": "a"}, {"tags": ["a,b"]}, {"tags": ["a/b"]}, {"tags": [""]}, {"tags": ["x" * 61]},
                     {"tags": [str(n) for n in range(MAX_TAGS + 1)]}, {"tags": [], "more": 1}):
            self.error(self.tags("PUT", body=body), 400)
        self.error(self.tags("PUT", "/a,b"), 400)
        self.ok(self.tags("PUT", body={"tags": [str(n) for n in range(MAX_TAGS)]}))
        self.assertEqual(self.error(self.tags("PUT", "/one-more"), 400),
                         f"The number of tags exceeded the per-server limit {MAX_TAGS}")

    def test_before_2_26_and_unknown_server(self) -> None:
        self.error(self.tags("GET", version="2.25"), 404)
        self.error(self.call("GET", "/servers/nope/tags", version=TAGS), 404)

    def test_building_server_refuses_changes(self) -> None:
        # Put the server back to building, as a slow build would hold it.
        state = region_compute(self.mimic.core, self.access.tenant_id, "ORD")
        state.require(self.server_id, self.mimic.clock.seconds()).vm_state = "building"
        self.assertIn("while it is in vm_state building", self.error(self.tags("PUT", "/x"), 409))
        self.ok(self.tags("GET"))

    def test_listing_filters(self) -> None:
        self.ok(self.tags("PUT", body={"tags": ["a", "b"]}))
        other = self.server(tags=["b", "c"])

        def listed(query: str, version: str = TAGS) -> set[str]:
            servers = self.ok(self.call("GET", f"/servers?{query}", version=version))["servers"]
            return {s["id"] for s in servers}

        both = {self.server_id, other}
        self.assertEqual(listed("tags=a,b"), {self.server_id})
        self.assertEqual(listed("tags=b"), both)
        self.assertEqual(listed("tags-any=a,c"), both)
        self.assertEqual(listed("not-tags=b,c"), {self.server_id})
        self.assertEqual(listed("not-tags-any=a"), {other})
        self.assertEqual(listed("tags=a", version="2.25"), both)

    def test_create_takes_tags_by_novas_schema(self) -> None:
        tagged = self.server(tags=["x", "x", "y"])
        shown = self.ok(self.call("GET", f"/servers/{tagged}", version=TAGS))["server"]
        self.assertEqual(shown["tags"], ["x", "y"])
        body = {"server": {"name": "web", "imageRef": "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c",
                           "flavorRef": "general1-1", "tags": ["a/b"]}}
        self.assertIn("does not match", self.error(self.call("POST", "/servers", body, "2.52"), 400))

    def test_filter_matches(self) -> None:
        self.assertTrue(TagFilter(tags=frozenset({"a"})).matches(("a", "b")))
        self.assertFalse(TagFilter(not_tags_any=frozenset({"a"})).matches(("a",)))
