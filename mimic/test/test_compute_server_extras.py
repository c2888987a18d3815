# -*- test-case-name: mimic.test.test_compute_server_extras -*-
"""
A server's password and diagnostics, the tenant's usage, and Nova's
os-tenant-networks proxy, in memory.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.core import MimicCore, discover_plugins
from mimic.interfaces import INetworking
from mimic.services.compute.usage import nova_time
from mimic.test.test_compute_server_groups import GroupsTestCase
from mimic.testing import InMemoryMimic

POLICY = "Policy doesn't allow {} to be performed."


class ExtrasTestCase(GroupsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.admin = self.mimic.authenticate("admin", password="password")
        self.admin_url = self.admin.endpoint("compute", "ORD")

    def server(self, url: str | None = None, token: str | None = None) -> str:
        body = {"server": {"name": "web", "imageRef": "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c",
                           "flavorRef": "general1-1"}}
        return str(self.ok(self.call("POST", "/servers", body, url=url, token=token), 202)["server"]["id"])

    def as_admin(self, method: str, path: str, version: str | None = None) -> Any:
        return self.call(method, path, version=version, token=self.admin.token, url=self.admin_url)


class PasswordTests(ExtrasTestCase):
    def test_empty_password_and_clear(self) -> None:
        server_id = self.server()
        self.assertEqual(self.ok(self.call("GET", f"/servers/{server_id}/os-server-password")), {"password": ""})
        self.ok(self.call("DELETE", f"/servers/{server_id}/os-server-password"), 204)
        self.error(self.call("GET", "/servers/nope/os-server-password"), 404)


class DiagnosticsTests(ExtrasTestCase):
    def test_refused_to_members(self) -> None:
        server_id = self.server()
        self.assertEqual(self.error(self.call("GET", f"/servers/{server_id}/diagnostics"), 403),
                         POLICY.format("os_compute_api:os-server-diagnostics"))

    def test_administrators_shapes(self) -> None:
        server_id = self.server(self.admin_url, self.admin.token)
        self.mimic.tick(100)
        standard = self.ok(self.as_admin("GET", f"/servers/{server_id}/diagnostics", "2.48"))
        self.assertEqual((standard["state"], standard["driver"], standard["uptime"]), ("running", "libvirt", 100))
        self.assertEqual(standard["num_nics"], len(standard["nic_details"]))
        legacy = self.ok(self.as_admin("GET", f"/servers/{server_id}/diagnostics"))
        self.assertIn("cpu0_time", legacy)
        self.assertIn("vda_read", legacy)
        members = self.server()
        self.assertEqual(self.ok(self.as_admin("GET", f"/servers/{members}/diagnostics", "2.48"))["uptime"], 0)
        self.error(self.as_admin("GET", "/servers/nope/diagnostics"), 404)


class UsageTests(ExtrasTestCase):
    def test_own_usage_over_a_period(self) -> None:
        start = self.mimic.clock.seconds()
        kept, gone = self.server(), self.server()
        self.mimic.tick(3600)
        self.ok(self.call("DELETE", f"/servers/{gone}"), 204)
        self.mimic.tick(3600)
        tenant = self.access.tenant_id
        query = f"start={nova_time(start)}&end={nova_time(start + 10 * 3600)}"
        usage = self.ok(self.call("GET", f"/os-simple-tenant-usage/{tenant}?{query}"))["tenant_usage"]
        self.assertEqual(usage["total_hours"], 3.0)
        self.assertEqual(usage["total_memory_mb_usage"], 3.0 * 1024)
        by_id = {u["instance_id"]: u for u in usage["server_usages"]}
        self.assertEqual((by_id[kept]["hours"], by_id[kept]["state"], by_id[kept]["ended_at"]), (2.0, "active", None))
        self.assertEqual((by_id[gone]["hours"], by_id[gone]["state"]), (1.0, "terminated"))
        paged = self.ok(self.call("GET", f"/os-simple-tenant-usage/{tenant}?{query}&limit=1", version="2.40"))
        self.assertEqual(len(paged["tenant_usage"]["server_usages"]), 1)
        self.assertIn("marker=", paged["tenant_usage_links"][0]["href"])
        self.assertEqual(self.ok(self.call("GET", f"/os-simple-tenant-usage/{tenant}?start=2000-01-01"
                                                  "&end=2000-01-02"))["tenant_usage"], {})

    def test_bad_periods(self) -> None:
        tenant = self.access.tenant_id
        self.error(self.call("GET", f"/os-simple-tenant-usage/{tenant}?start=yesterday"), 400)
        self.error(self.call("GET", f"/os-simple-tenant-usage/{tenant}?start=2001-01-01&end=2000-01-01"), 400)

    def test_listing_and_other_tenants_are_an_administrators(self) -> None:
        self.assertEqual(self.error(self.call("GET", "/os-simple-tenant-usage"), 403),
                         POLICY.format("os_compute_api:os-simple-tenant-usage:list"))
        self.assertEqual(self.error(self.call("GET", "/os-simple-tenant-usage/someone"), 403),
                         POLICY.format("os_compute_api:os-simple-tenant-usage:show"))
        self.server(self.admin_url, self.admin.token)
        mine = self.server()
        self.mimic.tick(60)
        listed = self.ok(self.as_admin("GET", "/os-simple-tenant-usage?start=2000-01-01&detailed=1"))
        by_tenant = {u["tenant_id"]: u for u in listed["tenant_usages"]}
        self.assertEqual(set(by_tenant), {self.admin.tenant_id, self.access.tenant_id})
        self.assertEqual(len(by_tenant[self.access.tenant_id]), 8)
        theirs = self.ok(self.as_admin("GET", f"/os-simple-tenant-usage/{self.access.tenant_id}?start=2000-01-01"))
        self.assertEqual([u["instance_id"] for u in theirs["tenant_usage"]["server_usages"]], [mine])
        self.assertEqual(self.ok(self.as_admin("GET", "/os-simple-tenant-usage/nobody"))["tenant_usage"], {})


class TenantNetworkTests(ExtrasTestCase):
    def test_list_and_show_to_2_35(self) -> None:
        networking = self.mimic.core.shared(INetworking, self.access.tenant_id, "ORD")
        network = next(iter(networking.networks()))
        listed = self.ok(self.call("GET", "/os-tenant-networks"))["networks"]
        self.assertIn({"id": network.id, "cidr": "None", "label": network.name}, listed)
        shown = self.ok(self.call("GET", f"/os-tenant-networks/{network.id}"))["network"]
        self.assertEqual(shown["id"], network.id)
        self.assertEqual(self.error(self.call("GET", "/os-tenant-networks/nope"), 404), "Network not found")
        self.error(self.call("GET", "/os-tenant-networks", version="2.36"), 404)


class WithoutNetworkServiceTests(SynchronousTestCase):
    def test_no_tenant_networks_but_server_groups_answer(self) -> None:
        plugins = [
            p for p in discover_plugins()
            if MimicCore.create(Clock(), [p]).passing().shared(INetworking, "probe", "ORD") is None
        ]
        mimic = InMemoryMimic(plugins)
        access = mimic.authenticate("alice")
        url = access.endpoint("compute", "ORD")
        self.assertEqual(mimic.request("GET", url + "/os-tenant-networks", token=access.token).code, 404)
        body = {"server": {"name": "web", "imageRef": "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c",
                           "flavorRef": "general1-1"}}
        server_id = mimic.request("POST", url + "/servers", body, token=access.token).json()["server"]["id"]
        groups = mimic.request("GET", f"{url}/servers/{server_id}/os-security-groups", token=access.token)
        self.assertEqual([g["name"] for g in groups.json()["security_groups"]], ["default"])
