# -*- test-case-name: mimic.test.test_catalog -*-
"""
Catalog entries in the v2 and v3 wire shapes.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.catalog import Endpoint, Entry, resolve

ENTRY = Entry(
    "compute",
    "cloudServersOpenStack",
    (Endpoint("ORD", "v2/123", tenant_id="123", internal_path="v2/123?snet"),),
)


class ResolveTests(SynchronousTestCase):
    def test_v2_shape_with_absolute_urls(self) -> None:
        [entry] = resolve("compute", "123", "http://h:1", [ENTRY])
        self.assertEqual(
            entry.to_v2(),
            {
                "name": "cloudServersOpenStack",
                "type": "compute",
                "endpoints": [
                    {
                        "publicURL": "http://h:1/service/compute/ORD/123/v2/123",
                        "internalURL": "http://h:1/service/compute/ORD/123/v2/123?snet",
                        "region": "ORD",
                        "tenantId": "123",
                    }
                ],
            },
        )

    def test_v3_shape_has_one_endpoint_per_interface(self) -> None:
        [entry] = resolve("compute", "123", "http://h:1", [ENTRY])
        v3 = entry.to_v3()
        self.assertEqual(v3["type"], "compute")
        self.assertEqual(
            [(e["interface"], e["region_id"], e["url"]) for e in v3["endpoints"]],
            [
                ("public", "ORD", "http://h:1/service/compute/ORD/123/v2/123"),
                ("internal", "ORD", "http://h:1/service/compute/ORD/123/v2/123?snet"),
            ],
        )

    def test_ids_are_stable_and_distinct(self) -> None:
        [first] = resolve("compute", "123", "http://a", [ENTRY])
        [again] = resolve("compute", "456", "http://b", [ENTRY])
        self.assertEqual(first.id, again.id)
        self.assertEqual(len(first.id), 32)
        ids = [e["id"] for e in first.to_v3()["endpoints"]]
        self.assertEqual(len(set(ids)), 2)

    def test_absolute_path_is_relative_to_mimics_root(self) -> None:
        entry = Entry("identity", "keystone", (Endpoint("ORD", "identity/v3", absolute_path=True),))
        [resolved] = resolve("identity", "123", "http://h", [entry])
        self.assertEqual(resolved.endpoints[0].public_url, "http://h/identity/v3")
