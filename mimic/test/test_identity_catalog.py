# -*- test-case-name: mimic.test.test_identity_catalog -*-
"""
The catalog written through identity, in memory: Keystone's services,
endpoints, regions, endpoint groups and policies (v3), and Rackspace's
endpoint templates (v2.0 ``OS-KSCATALOG``), and what they add to the
catalogs tokens carry.
"""

from __future__ import annotations

from typing import Any

from mimic.test.test_identity_v3_admin import AdminCase

V2 = "/identity/v2.0"


class V3CatalogTests(AdminCase):
    def make_service(self, **given: Any) -> dict[str, Any]:
        body = {"type": "external", "name": "outside", **given}
        service: dict[str, Any] = self.call("POST", "/services", {"service": body}, 201)["service"]
        return service

    def catalog(self, token: str) -> list[dict[str, Any]]:
        catalog: list[dict[str, Any]] = self.call("GET", "/auth/catalog", token=token)["catalog"]
        return catalog

    def test_a_written_service_and_endpoint_appear_in_every_new_token(self) -> None:
        service = self.make_service(description="d")
        self.assertEqual((service["type"], service["name"], service["description"]), ("external", "outside", "d"))
        endpoint = self.call(
            "POST", "/endpoints",
            {"endpoint": {"service_id": service["id"], "interface": "public", "region": "XYZ",
                          "url": "http://outside.example/v1/$(project_id)s"}},
            201,
        )["endpoint"]
        self.assertEqual((endpoint["region"], endpoint["region_id"], endpoint["enabled"]), ("XYZ", "XYZ", True))
        # The region was made with it.
        self.assertEqual(self.call("GET", "/regions/XYZ")["region"]["id"], "XYZ")
        alice = self.login("alice", "any")
        [entry] = [e for e in self.catalog(alice) if e["type"] == "external"]
        alice_tenant = self.token_body(alice)["project"]["id"]
        self.assertEqual(
            entry["endpoints"],
            [{"id": endpoint["id"], "interface": "public", "region": "XYZ", "region_id": "XYZ",
              "url": f"http://outside.example/v1/{alice_tenant}"}],
        )
        # In v2 too.
        access = self.mimic.authenticate("bob")
        [v2] = [e for e in access.access["serviceCatalog"] if e["type"] == "external"]
        self.assertEqual(v2["endpoints"][0]["publicURL"], f"http://outside.example/v1/{access.tenant_id}")
        listed = self.call("GET", f"/endpoints?service_id={service['id']}")["endpoints"]
        self.assertEqual([e["id"] for e in listed], [endpoint["id"]])
        # A disabled endpoint leaves the catalog.
        self.call("PATCH", f"/endpoints/{endpoint['id']}", {"endpoint": {"enabled": False}})
        self.assertEqual([e for e in self.catalog(self.login("alice", "any")) if e["type"] == "external"], [])
        self.call("PATCH", f"/endpoints/{endpoint['id']}", {"endpoint": {"enabled": "True"}}, 400)
        # The region is in use; deleting the service deletes its endpoints.
        self.call("DELETE", "/regions/XYZ", code=403)
        self.call("DELETE", f"/services/{service['id']}", code=204)
        self.call("GET", f"/endpoints/{endpoint['id']}", code=404)
        self.call("DELETE", "/regions/XYZ", code=204)

    def test_services_are_listed_filtered_and_updated(self) -> None:
        service = self.make_service()
        types = [s["type"] for s in self.call("GET", "/services")["services"]]
        self.assertIn("external", types)
        self.assertIn("identity", types)
        [only] = self.call("GET", "/services?type=external")["services"]
        self.assertEqual(only["id"], service["id"])
        updated = self.call("PATCH", f"/services/{service['id']}", {"service": {"description": "new"}})["service"]
        self.assertEqual(updated["description"], "new")
        self.assertEqual(self.call("GET", f"/services/{service['id']}")["service"], updated)
        identity = [s for s in self.call("GET", "/services")["services"] if s["type"] == "identity"][0]
        self.call("DELETE", f"/services/{identity['id']}", code=403)
        self.call("POST", "/services", {"service": {"name": "no type"}}, 400)
        alice = self.login("alice", "any")
        response = self.mimic.request("POST", "/identity/v3/services", {"service": {"type": "x"}}, token=alice)
        self.assertKeystoneError(response, 403)

    def test_regions(self) -> None:
        parent = self.call("POST", "/regions", {"region": {"description": "p"}}, 201)["region"]
        child = self.call(
            "PUT", "/regions/child-1", {"region": {"description": "c", "parent_region_id": parent["id"]}}, 201
        )["region"]
        self.assertEqual(child["id"], "child-1")
        self.call("PUT", "/regions/child-1", {"region": {}}, 409)
        listed = self.call("GET", f"/regions?parent_region_id={parent['id']}")["regions"]
        self.assertEqual(listed, [child])
        self.call("PATCH", f"/regions/{parent['id']}", {"region": {"parent_region_id": "child-1"}}, 400)
        self.call("POST", "/regions", {"region": {"parent_region_id": "nope"}}, 404)
        self.call("DELETE", f"/regions/{parent['id']}", code=403)
        self.call("DELETE", "/regions/child-1", code=204)
        self.call("DELETE", f"/regions/{parent['id']}", code=204)
        self.assertIn("ORD", [r["id"] for r in self.call("GET", "/regions")["regions"]])

    def test_endpoint_groups_and_policies(self) -> None:
        group = self.call(
            "POST", "/OS-EP-FILTER/endpoint_groups",
            {"endpoint_group": {"name": "g", "filters": {"interface": "public"}}}, 201,
        )["endpoint_group"]
        self.call("HEAD", f"/OS-EP-FILTER/endpoint_groups/{group['id']}", code=200)
        self.call("PATCH", f"/OS-EP-FILTER/endpoint_groups/{group['id']}", {"endpoint_group": {"name": "h"}})
        self.call("POST", "/OS-EP-FILTER/endpoint_groups", {"endpoint_group": {"name": "g", "filters": {"x": 1}}}, 400)
        self.call("DELETE", f"/OS-EP-FILTER/endpoint_groups/{group['id']}", code=204)
        policy = self.call("POST", "/policies", {"policy": {"type": "application/json", "blob": "{}"}}, 201)["policy"]
        self.call("PATCH", f"/policies/{policy['id']}", {"policy": {"type": "text/plain"}})
        [listed] = self.call("GET", "/policies?type=text/plain")["policies"]
        self.assertEqual(listed["id"], policy["id"])
        self.call("DELETE", f"/policies/{policy['id']}", code=204)
        self.call("GET", f"/policies/{policy['id']}", code=404)
