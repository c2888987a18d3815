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

    def test_the_endpoint_filter_ties_endpoints_to_projects(self) -> None:
        service = self.make_service()
        endpoint = self.call("POST", "/endpoints", {"endpoint": {
            "service_id": service["id"], "interface": "public", "region_id": "ORD", "url": "http://o/"}}, 201)["endpoint"]
        alice, bob = self.mimic.authenticate("alice"), self.mimic.authenticate("bob")

        def sees(name: str) -> bool:
            return any(e["type"] == "external" for e in self.catalog(self.login(name, "any")))

        self.assertTrue(sees("alice") and sees("bob"))
        path = f"/OS-EP-FILTER/projects/{alice.tenant_id}/endpoints/{endpoint['id']}"
        self.call("PUT", path, code=204)
        self.call("HEAD", path, code=204)
        self.assertEqual((sees("alice"), sees("bob")), (True, False))
        listed = self.call("GET", f"/OS-EP-FILTER/endpoints/{endpoint['id']}/projects")["projects"]
        self.assertEqual([p["id"] for p in listed], [alice.tenant_id])
        self.assertEqual(
            [e["id"] for e in self.call("GET", f"/OS-EP-FILTER/projects/{alice.tenant_id}/endpoints")["endpoints"]],
            [endpoint["id"]],
        )
        self.call("DELETE", path, code=204)
        self.call("DELETE", path, code=404)
        self.assertTrue(sees("bob"))
        # Through an endpoint group.
        group = self.call("POST", "/OS-EP-FILTER/endpoint_groups", {"endpoint_group": {
            "name": "g", "filters": {"service_id": service["id"]}}}, 201)["endpoint_group"]
        group_path = f"/OS-EP-FILTER/endpoint_groups/{group['id']}/projects/{bob.tenant_id}"
        self.call("PUT", group_path, code=204)
        self.assertEqual(self.call("GET", group_path)["project"]["id"], bob.tenant_id)
        self.assertEqual((sees("alice"), sees("bob")), (False, True))
        endpoints = self.call("GET", f"/OS-EP-FILTER/endpoint_groups/{group['id']}/endpoints")["endpoints"]
        self.assertEqual([e["id"] for e in endpoints], [endpoint["id"]])
        groups = self.call("GET", f"/OS-EP-FILTER/projects/{bob.tenant_id}/endpoint_groups")["endpoint_groups"]
        self.assertEqual([g["id"] for g in groups], [group["id"]])
        self.call("DELETE", f"/OS-EP-FILTER/endpoint_groups/{group['id']}", code=204)
        self.assertTrue(sees("alice"))
        self.call("PUT", f"/OS-EP-FILTER/projects/nonesuch/endpoints/{endpoint['id']}", code=404)

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


class V2CatalogTests(AdminCase):
    """
    Rackspace's OS-KSADM services and roles, OS-KSCATALOG endpoint
    templates enabled per tenant, and RAX-AUTH domains.
    """

    def v2(self, method: str, path: str, body: Any = None, code: int = 200, **headers: str) -> Any:
        response = self.mimic.request(method, V2 + path, body, token=self.admin, headers=headers or None)
        self.assertEqual(response.code, code, response)
        return response.json() if response.body else None

    def external(self, access: Any) -> list[dict[str, Any]]:
        return [e for e in access.access["serviceCatalog"] if e["type"] == "external-api"]

    def test_a_template_enabled_for_a_tenant_is_in_its_catalog_only(self) -> None:
        service = self.v2(
            "POST", "/OS-KSADM/services",
            {"OS-KSADM:service": {"name": "Outside", "type": "external-api", "description": "d"}}, 201,
        )["OS-KSADM:service"]
        self.v2("POST", "/services", {"name": "Outside", "type": "x"}, 409)
        template = self.v2(
            "POST", "/OS-KSCATALOG/endpointTemplates",
            {"OS-KSCATALOG:endpointTemplate": {
                "id": "42", "name": "Outside", "type": "external-api", "region": "EXT",
                "publicURL": "https://outside.example/v1/%tenant_id%"}},
            201,
        )["OS-KSCATALOG:endpointTemplate"]
        self.assertEqual((template["id"], template["enabled"], template["serviceId"]), ("42", False, service["id"]))
        self.v2("POST", "/OS-KSCATALOG/endpointTemplates",
                {"id": "42", "name": "Outside", "type": "external-api", "region": "EXT"}, 409)
        self.v2("POST", "/OS-KSCATALOG/endpointTemplates",
                {"name": "Nobody", "type": "external-api", "region": "EXT"}, 404)
        alice = self.mimic.authenticate("alice")
        self.assertEqual(self.external(alice), [])
        self.v2("POST", f"/tenants/{alice.tenant_id}/OS-KSCATALOG/endpoints",
                {"OS-KSCATALOG:endpointTemplate": {"id": 42}}, 201)
        listed = self.v2("GET", f"/tenants/{alice.tenant_id}/OS-KSCATALOG/endpoints")["endpoints"]
        self.assertEqual(listed[0]["publicURL"], f"https://outside.example/v1/{alice.tenant_id}")
        alice = self.mimic.authenticate("alice")
        [entry] = self.external(alice)
        self.assertEqual(entry["name"], "Outside")
        self.assertEqual(entry["endpoints"][0]["publicURL"], f"https://outside.example/v1/{alice.tenant_id}")
        self.assertEqual(self.external(self.mimic.authenticate("bob")), [])
        # Global once enabled; updated with PUT.
        self.v2("PUT", "/OS-KSCATALOG/endpointTemplates/42", {"enabled": True}, 201)
        self.assertEqual(len(self.external(self.mimic.authenticate("bob"))), 1)
        self.v2("PUT", "/OS-KSCATALOG/endpointTemplates/42", {"id": "43"}, 409)
        self.assertEqual([t["id"] for t in self.v2("GET", "/OS-KSCATALOG/endpointTemplates",
                                                   serviceid=service["id"])["OS-KSCATALOG"]], ["42"])
        self.v2("DELETE", f"/OS-KSADM/services/{service['id']}", code=409)
        self.v2("DELETE", f"/tenants/{alice.tenant_id}/OS-KSCATALOG/endpoints/42", code=204)
        self.v2("DELETE", f"/tenants/{alice.tenant_id}/OS-KSCATALOG/endpoints/42", code=404)
        self.v2("DELETE", "/OS-KSCATALOG/endpointTemplates/42", code=204)
        self.v2("DELETE", f"/OS-KSADM/services/{service['id']}", code=204)
        self.assertEqual(self.v2("GET", "/services")["OS-KSADM:services"], [])

    def test_roles_domains_and_the_administrator_only(self) -> None:
        role = self.v2("POST", "/OS-KSADM/roles", {"role": {"name": "watcher"}}, 201)["role"]
        self.assertEqual(self.v2("GET", f"/OS-KSADM/roles/{role['id']}")["role"]["name"], "watcher")
        self.assertEqual(len(self.v2("GET", "/OS-KSADM/roles?name=watcher")["roles"]), 1)
        self.v2("DELETE", f"/OS-KSADM/roles/{role['id']}", code=204)
        alice = self.mimic.authenticate("alice")
        domains = self.v2("GET", "/RAX-AUTH/domains")["RAX-AUTH:domains"]
        self.assertIn(alice.tenant_id, [d["id"] for d in domains])
        self.assertEqual(self.v2("GET", "/RAX-AUTH/domains/default")["RAX-AUTH:domain"]["name"], "Default")
        self.v2("GET", "/RAX-AUTH/domains/nowhere", code=404)
        response = self.mimic.request("GET", V2 + "/OS-KSCATALOG/endpointTemplates", token=alice.token)
        self.assertKeystoneError(response, 403)
        own = self.mimic.request("GET", V2 + "/RAX-AUTH/domains", token=alice.token).json()
        self.assertEqual([d["id"] for d in own["RAX-AUTH:domains"]], ["default", alice.tenant_id])


class SavedCatalogTests(AdminCase):
    def test_the_written_catalog_and_inherited_grants_survive_a_save(self) -> None:
        """
        Everything written here is in identity's saved directory, and a
        restored one serves the same answers.
        """
        import json

        from mimic.services.identity.directory import directory_of
        from mimic.services.identity.persistence import restore_directory, save_directory

        service = self.call("POST", "/services", {"service": {"type": "external", "name": "o"}}, 201)["service"]
        self.call("POST", "/endpoints", {"endpoint": {
            "service_id": service["id"], "interface": "public", "region_id": "R1", "url": "http://o/"}}, 201)
        self.call("POST", "/policies", {"policy": {"type": "t", "blob": "b"}}, 201)
        self.call("POST", "/OS-EP-FILTER/endpoint_groups",
                  {"endpoint_group": {"name": "g", "filters": {"region_id": "R1"}}}, 201)
        self.mimic.request(
            "POST", V2 + "/OS-KSCATALOG/endpointTemplates",
            {"id": "7", "name": "o", "type": "external", "region": "R2", "publicURL": "http://t/%tenant_id%"},
            token=self.admin,
        )
        self.mimic.request("POST", V2 + "/tenants/t1/OS-KSCATALOG/endpoints", {"OS-KSCATALOG:endpointTemplate": {"id": "7"}}, token=self.admin)
        endpoint_id = self.call("GET", f"/endpoints?service_id={service['id']}")["endpoints"][0]["id"]
        self.call("PUT", f"/OS-EP-FILTER/projects/admin/endpoints/{endpoint_id}", code=204)
        paths_extra = [f"/OS-EP-FILTER/endpoints/{endpoint_id}/projects"]
        domain = self.call("POST", "/domains", {"domain": {"name": "d"}}, 201)["domain"]
        alice = self.mimic.authenticate("alice")
        user_id = alice.access["user"]["id"]
        [member] = self.call("GET", "/roles?name=member")["roles"]
        self.call("PUT", f"/OS-INHERIT/domains/{domain['id']}/users/{user_id}/roles/{member['id']}/inherited_to_projects", code=204)
        paths = ["/services", "/endpoints", "/regions", "/policies", "/OS-EP-FILTER/endpoint_groups",
                 "/role_assignments", *paths_extra]
        before = [self.call("GET", p) for p in paths]
        v2_before = self.mimic.request("GET", V2 + "/tenants/t1/OS-KSCATALOG/endpoints", token=self.admin).json()
        core = self.mimic.core
        saved = json.loads(json.dumps(save_directory(directory_of(core))))
        restored = restore_directory(core, saved)
        core.sessions._annex = restored
        self.assertEqual([self.call("GET", p) for p in paths], before)
        v2_after = self.mimic.request("GET", V2 + "/tenants/t1/OS-KSCATALOG/endpoints", token=self.admin).json()
        self.assertEqual(v2_after, v2_before)
        # A save from before these existed still restores.
        for key in ("catalog", "inherited"):
            del saved[key]
        self.assertEqual(restore_directory(core, saved).catalog.services, {})
