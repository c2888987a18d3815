# -*- test-case-name: mimic.test.test_network -*-
"""
The network service's HTTP API (Neutron v2.0), in memory.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.network.model import EXTERNAL_NETWORK, PRIVATE_NETWORK, PUBLIC_NETWORK
from mimic.testing import InMemoryMimic, Response


class NeutronTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.root = self.access.endpoint("network")
        self.url = self.root + "/v2.0"

    def call(self, method: str, path: str, body: Any = None, token: str | None = "") -> Response:
        return self.mimic.request(
            method, self.url + path, body, token=self.access.token if token == "" else token
        )

    def as_admin(self, status: int, method: str, path: str, body: Any = None) -> Any:
        """
        A call by identity's administrator (on its own project's
        endpoint; Neutron's quotas are kept by project id).
        """
        admin = self.mimic.authenticate("admin", password="password")
        url = admin.endpoint("network") + "/v2.0" + path
        response = self.mimic.request(method, url, body, token=admin.token)
        self.assertEqual(response.code, status, response.body)
        return response.json() if response.body else None

    def ok(self, status: int, method: str, path: str, body: Any = None) -> Any:
        response = self.call(method, path, body)
        self.assertEqual(response.code, status, response.body)
        return response.json() if response.body else None

    def refused(self, status: int, kind: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.call(method, path, body)
        self.assertEqual(response.code, status, response.body)
        error = response.json()["NeutronError"]
        self.assertEqual(error["type"], kind, error)
        self.assertEqual(error["detail"], "")
        return error

    def network_with_subnet(self, cidr: str = "192.168.10.0/24", **subnet: Any) -> tuple[str, str]:
        network = self.ok(201, "POST", "/networks", {"network": {"name": "net"}})["network"]
        made = self.ok(201, "POST", "/subnets", {"subnet": {
            "network_id": network["id"], "cidr": cidr, "ip_version": 6 if ":" in cidr else 4, **subnet}})
        return network["id"], made["subnet"]["id"]


class DiscoveryTests(NeutronTestCase):
    def test_catalog_lists_cloud_networks_at_neutrons_root_in_every_region(self) -> None:
        entries = [e for e in self.access.access["serviceCatalog"] if e["type"] == "network"]
        self.assertEqual([e["name"] for e in entries], ["cloudNetworks"])
        self.assertEqual([ep["region"] for ep in entries[0]["endpoints"]], ["ORD", "DFW", "IAD"])
        self.assertFalse(self.root.endswith("/"))

    def test_versions_at_the_root_and_resources_at_v2_0_without_a_token(self) -> None:
        versions = self.mimic.request("GET", self.root)
        self.assertEqual(versions.code, 200)
        self.assertEqual(versions.json()["versions"][0]["id"], "v2.0")
        resources = self.mimic.request("GET", self.url)
        self.assertIn("networks", [r["collection"] for r in resources.json()["resources"]])

    def test_collections_need_a_token(self) -> None:
        response = self.call("GET", "/networks", token=None)
        self.assertEqual(response.code, 401)
        self.assertIn("NeutronError", response.json())

    def test_extensions_list_what_is_implemented(self) -> None:
        aliases = {e["alias"] for e in self.ok(200, "GET", "/extensions")["extensions"]}
        self.assertTrue({"security-group", "router", "external-net", "quotas", "allowed-address-pairs",
                         "port-security", "standard-attr-revisions"} <= aliases)
        self.ok(200, "GET", "/extensions/router")
        self.refused(404, "HTTPNotFound", "GET", "/extensions/qos")

    def test_unknown_path_is_neutrons_404(self) -> None:
        self.refused(404, "HTTPNotFound", "GET", "/widgets")


class NetworkTests(NeutronTestCase):
    def test_shared_networks_are_listed_with_subnets(self) -> None:
        networks = self.ok(200, "GET", "/networks")["networks"]
        by_id = {n["id"]: n for n in networks}
        self.assertEqual(by_id[PUBLIC_NETWORK]["name"], "public")
        self.assertEqual(len(by_id[PUBLIC_NETWORK]["subnets"]), 2)
        self.assertEqual(by_id[PRIVATE_NETWORK]["name"], "private")
        self.assertTrue(by_id[EXTERNAL_NETWORK]["router:external"])

    def test_create_shows_standard_attributes_and_answers_201_without_location(self) -> None:
        response = self.call("POST", "/networks", {"network": {"name": "n", "description": "d"}})
        self.assertEqual(response.code, 201)
        self.assertIsNone(response.header("location"))
        network = response.json()["network"]
        self.assertEqual((network["revision_number"], network["status"]), (1, "ACTIVE"))
        self.assertTrue(network["created_at"].endswith("Z"))
        self.mimic.tick(10)
        updated = self.ok(200, "PUT", f"/networks/{network['id']}", {"network": {"name": "m"}})["network"]
        self.assertEqual((updated["name"], updated["revision_number"]), ("m", 2))
        self.assertNotEqual(updated["updated_at"], network["updated_at"])

    def test_filters_fields_sorting_and_paging(self) -> None:
        for name in ("c", "a", "b"):
            self.ok(201, "POST", "/networks", {"network": {"name": name}})
        named = self.ok(200, "GET", "/networks?name=a&name=b&fields=name")["networks"]
        self.assertEqual(sorted(n["name"] for n in named), ["a", "b"])
        self.assertEqual(named[0].keys(), {"name"})
        shared = self.ok(200, "GET", "/networks?shared=true")["networks"]
        self.assertEqual({n["id"] for n in shared}, {PUBLIC_NETWORK, PRIVATE_NETWORK})
        ordered = self.ok(200, "GET", "/networks?sort_key=name&sort_dir=desc&shared=false&router:external=false")
        self.assertEqual([n["name"] for n in ordered["networks"]], ["c", "b", "a"])
        first = self.ok(200, "GET", "/networks?limit=2&sort_key=name&sort_dir=asc")
        self.assertEqual(len(first["networks"]), 2)
        following = first["networks_links"][0]
        self.assertEqual(following["rel"], "next")
        rest = self.mimic.request("GET", following["href"], token=self.access.token).json()
        self.assertEqual(len(rest["networks"]), 2)
        self.assertEqual({link["rel"] for link in rest["networks_links"]}, {"next", "previous"})
        self.refused(400, "HTTPBadRequest", "GET", "/networks?sort_dir=sideways&sort_key=name")

    def test_provider_networks_cannot_be_changed(self) -> None:
        self.refused(403, "PolicyNotAuthorized", "DELETE", f"/networks/{PUBLIC_NETWORK}")
        self.refused(404, "NetworkNotFound", "GET", "/networks/nope")

    def test_unknown_attribute_is_refused(self) -> None:
        error = self.refused(400, "HTTPBadRequest", "POST", "/networks", {"network": {"colour": "red"}})
        self.assertEqual(error["message"], "Unrecognized attribute(s) 'colour'")

    def test_another_projects_resources_need_an_administrator(self) -> None:
        error = self.refused(403, "PolicyNotAuthorized", "POST", "/networks", {"network": {"tenant_id": "someone-else"}})
        self.assertEqual(error["message"], "(create_network) is disallowed by policy")
        own = self.ok(201, "POST", "/networks", {"network": {"project_id": self.access.tenant_id}})
        self.assertEqual(own["network"]["project_id"], self.access.tenant_id)

    def test_network_with_ports_cannot_be_deleted(self) -> None:
        network_id, _ = self.network_with_subnet()
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id}})["port"]
        self.refused(409, "NetworkInUse", "DELETE", f"/networks/{network_id}")
        self.ok(204, "DELETE", f"/ports/{port['id']}")
        self.ok(204, "DELETE", f"/networks/{network_id}")
        self.assertEqual(self.ok(200, "GET", f"/subnets?network_id={network_id}")["subnets"], [])

    def test_bulk_create_is_all_or_nothing(self) -> None:
        made = self.ok(201, "POST", "/networks", {"networks": [{"name": "x"}, {"name": "y"}]})
        self.assertEqual([n["name"] for n in made["networks"]], ["x", "y"])
        self.refused(400, "HTTPBadRequest", "POST", "/networks", {"networks": [{"name": "z"}, {"bad": 1}]})
        self.assertEqual(self.ok(200, "GET", "/networks?name=z")["networks"], [])


class SubnetTests(NeutronTestCase):
    def test_defaults_gateway_and_pool(self) -> None:
        network_id, subnet_id = self.network_with_subnet()
        subnet = self.ok(200, "GET", f"/subnets/{subnet_id}")["subnet"]
        self.assertEqual(subnet["gateway_ip"], "192.168.10.1")
        self.assertEqual(subnet["allocation_pools"], [{"start": "192.168.10.2", "end": "192.168.10.254"}])
        self.assertTrue(subnet["enable_dhcp"])

    def test_ipv6_subnet(self) -> None:
        _, subnet_id = self.network_with_subnet("2001:db8:5::/64", ipv6_address_mode="slaac", ipv6_ra_mode="slaac")
        subnet = self.ok(200, "GET", f"/subnets/{subnet_id}")["subnet"]
        self.assertEqual((subnet["ip_version"], subnet["gateway_ip"]), (6, "2001:db8:5::1"))

    def test_invalid_cidr_and_overlaps_are_refused(self) -> None:
        network_id, _ = self.network_with_subnet()
        body = {"network_id": network_id, "ip_version": 4}
        self.refused(400, "HTTPBadRequest", "POST", "/subnets", {"subnet": {**body, "cidr": "10.0.0.300/24"}})
        self.refused(400, "InvalidInput", "POST", "/subnets", {"subnet": {**body, "cidr": "192.168.10.128/25"}})
        self.refused(400, "OverlappingAllocationPools", "POST", "/subnets", {"subnet": {
            **body, "cidr": "10.1.0.0/24",
            "allocation_pools": [{"start": "10.1.0.10", "end": "10.1.0.20"}, {"start": "10.1.0.15", "end": "10.1.0.30"}]}})
        self.refused(400, "OutOfBoundsAllocationPool", "POST", "/subnets", {"subnet": {
            **body, "cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.10", "end": "10.2.0.20"}]}})
        self.assertEqual(len(self.ok(200, "GET", f"/subnets?network_id={network_id}")["subnets"]), 1)


class PortTests(NeutronTestCase):
    def test_fixed_ips_collisions_and_exhaustion(self) -> None:
        network_id, subnet_id = self.network_with_subnet(
            "10.5.0.0/29", allocation_pools=[{"start": "10.5.0.2", "end": "10.5.0.3"}])
        first = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id}})["port"]
        self.assertEqual(first["fixed_ips"], [{"subnet_id": subnet_id, "ip_address": "10.5.0.2"}])
        self.refused(409, "IpAddressAlreadyAllocated", "POST", "/ports", {"port": {
            "network_id": network_id, "fixed_ips": [{"ip_address": "10.5.0.2"}]}})
        self.ok(201, "POST", "/ports", {"port": {"network_id": network_id}})
        self.refused(409, "IpAddressGenerationFailure", "POST", "/ports", {"port": {"network_id": network_id}})
        outside_pool = self.ok(201, "POST", "/ports", {"port": {
            "network_id": network_id, "fixed_ips": [{"subnet_id": subnet_id, "ip_address": "10.5.0.6"}]}})
        self.assertEqual(outside_pool["port"]["fixed_ips"][0]["ip_address"], "10.5.0.6")

    def test_macs_are_unique(self) -> None:
        network_id, _ = self.network_with_subnet()
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id, "mac_address": "fa:16:3e:aa:bb:cc"}})
        self.assertEqual(port["port"]["mac_address"], "fa:16:3e:aa:bb:cc")
        self.refused(409, "MacAddressInUse", "POST", "/ports", {"port": {
            "network_id": network_id, "mac_address": "fa:16:3e:aa:bb:cc"}})
        self.refused(400, "HTTPBadRequest", "POST", "/ports", {"port": {"network_id": network_id, "mac_address": "zz"}})

    def test_port_security_and_address_pairs(self) -> None:
        network_id, _ = self.network_with_subnet()
        port = self.ok(201, "POST", "/ports", {"port": {
            "network_id": network_id, "allowed_address_pairs": [{"ip_address": "10.9.9.9"}]}})["port"]
        self.assertEqual(port["allowed_address_pairs"], [{"ip_address": "10.9.9.9", "mac_address": port["mac_address"]}])
        self.refused(400, "PortSecurityAndIPRequiredForSecurityGroups", "POST", "/ports", {"port": {
            "network_id": network_id, "port_security_enabled": False,
            "security_groups": [port["security_groups"][0]]}})
        bare = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id, "port_security_enabled": False}})
        self.assertEqual(bare["port"]["security_groups"], [])

    def test_update_moves_addresses_and_device(self) -> None:
        network_id, subnet_id = self.network_with_subnet()
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id}})["port"]
        moved = self.ok(200, "PUT", f"/ports/{port['id']}", {"port": {
            "fixed_ips": [{"subnet_id": subnet_id, "ip_address": "192.168.10.99"}], "device_id": "d1"}})["port"]
        self.assertEqual(moved["fixed_ips"][0]["ip_address"], "192.168.10.99")
        self.assertEqual(moved["status"], "ACTIVE")
        self.assertEqual(len(self.ok(200, "GET", "/ports?device_id=d1")["ports"]), 1)
        self.refused(400, "HTTPBadRequest", "PUT", f"/ports/{port['id']}", {"port": {"network_id": network_id}})

    def test_ports_on_another_tenants_network_are_refused(self) -> None:
        network_id, _ = self.network_with_subnet()
        other = self.mimic.authenticate("bob")
        response = self.mimic.request(
            "POST", other.endpoint("network") + "/v2.0/ports", {"port": {"network_id": network_id}}, token=other.token)
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json()["NeutronError"]["type"], "NetworkNotFound")


class SecurityGroupTests(NeutronTestCase):
    def test_default_group_with_its_rules_and_duplicates_refused(self) -> None:
        groups = self.ok(200, "GET", "/security-groups")["security_groups"]
        self.assertEqual([g["name"] for g in groups], ["default"])
        self.assertEqual(len(groups[0]["security_group_rules"]), 4)
        self.refused(409, "SecurityGroupDefaultAlreadyExists", "POST", "/security-groups",
                     {"security_group": {"name": "default"}})
        rule = {"security_group_id": groups[0]["id"], "direction": "ingress", "protocol": "tcp",
                "port_range_min": 22, "port_range_max": 22}
        made = self.ok(201, "POST", "/security-group-rules", {"security_group_rule": rule})["security_group_rule"]
        error = self.refused(409, "SecurityGroupRuleExists", "POST", "/security-group-rules", {"security_group_rule": rule})
        self.assertIn(made["id"], error["message"])
        self.ok(204, "DELETE", f"/security-group-rules/{made['id']}")
        self.refused(409, "SecurityGroupCannotRemoveDefault", "DELETE", f"/security-groups/{groups[0]['id']}")


class RouterAndFloatingIPTests(NeutronTestCase):
    def test_floating_ip_on_a_tenant_network_needs_a_router(self) -> None:
        network_id, subnet_id = self.network_with_subnet()
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id}})["port"]
        body = {"floatingip": {"floating_network_id": EXTERNAL_NETWORK, "port_id": port["id"]}}
        self.refused(404, "ExternalGatewayForFloatingIPNotFound", "POST", "/floatingips", body)
        router = self.ok(201, "POST", "/routers", {"router": {
            "name": "r", "external_gateway_info": {"network_id": EXTERNAL_NETWORK}}})["router"]
        self.assertEqual(len(router["external_gateway_info"]["external_fixed_ips"]), 1)
        interface = self.ok(200, "PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet_id})
        self.assertEqual(interface["subnet_id"], subnet_id)
        gateway_port = self.ok(200, "GET", f"/ports/{interface['port_id']}")["port"]
        self.assertEqual(gateway_port["fixed_ips"][0]["ip_address"], "192.168.10.1")
        self.refused(409, "L3PortInUse", "DELETE", f"/ports/{interface['port_id']}")
        floating = self.ok(201, "POST", "/floatingips", body)["floatingip"]
        self.assertEqual((floating["status"], floating["router_id"]), ("ACTIVE", router["id"]))
        self.refused(409, "RouterInUse", "DELETE", f"/routers/{router['id']}")
        detached = self.ok(200, "PUT", f"/floatingips/{floating['id']}", {"floatingip": {"port_id": None}})
        self.assertEqual(detached["floatingip"]["status"], "DOWN")
        self.ok(200, "PUT", f"/routers/{router['id']}/remove_router_interface", {"subnet_id": subnet_id})
        self.ok(204, "DELETE", f"/floatingips/{floating['id']}")
        self.ok(204, "DELETE", f"/routers/{router['id']}")

    def test_floating_ip_on_publicnet_needs_no_router(self) -> None:
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": PUBLIC_NETWORK}})["port"]
        floating = self.ok(201, "POST", "/floatingips", {"floatingip": {
            "floating_network_id": EXTERNAL_NETWORK, "port_id": port["id"]}})["floatingip"]
        self.assertEqual(floating["fixed_ip_address"], port["fixed_ips"][0]["ip_address"])
        self.refused(400, "BadRequest", "POST", "/floatingips", {"floatingip": {"floating_network_id": PUBLIC_NETWORK}})


class QuotaAndAvailabilityTests(NeutronTestCase):
    def test_quotas_show_update_and_reset(self) -> None:
        tenant = self.access.tenant_id
        self.assertEqual(self.ok(200, "GET", f"/quotas/{tenant}")["quota"]["port"], 500)
        self.refused(403, "PolicyNotAuthorized", "PUT", f"/quotas/{tenant}", {"quota": {"port": 1}})
        self.as_admin(200, "PUT", f"/quotas/{tenant}", {"quota": {"port": 1}})
        self.assertEqual([q["project_id"] for q in self.ok(200, "GET", "/quotas")["quotas"]], [tenant])
        self.ok(201, "POST", "/ports", {"port": {"network_id": PRIVATE_NETWORK}})
        details = self.ok(200, "GET", f"/quotas/{tenant}/details")["quota"]["port"]
        self.assertEqual((details["limit"], details["used"]), (1, 1))
        self.refused(409, "OverQuota", "POST", "/ports", {"port": {"network_id": PRIVATE_NETWORK}})
        self.as_admin(400, "PUT", f"/quotas/{tenant}", {"quota": {"port": "many"}})
        self.refused(403, "PolicyNotAuthorized", "DELETE", f"/quotas/{tenant}")
        self.as_admin(204, "DELETE", f"/quotas/{tenant}")
        self.assertEqual(self.ok(200, "GET", f"/quotas/{tenant}")["quota"]["port"], 500)

    def test_ip_availability_counts_addresses_in_use(self) -> None:
        network_id, _ = self.network_with_subnet("10.7.0.0/28")
        self.ok(201, "POST", "/ports", {"port": {"network_id": network_id}})
        shown = self.ok(200, "GET", f"/network-ip-availabilities/{network_id}")["network_ip_availability"]
        self.assertEqual((shown["total_ips"], shown["used_ips"]), (13, 1))

    def test_slaac_ports_get_their_eui64_address(self) -> None:
        network_id, subnet_id = self.network_with_subnet(
            "2001:db8:9::/64", ipv6_address_mode="slaac", ipv6_ra_mode="slaac")
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": network_id, "mac_address": "fa:16:3e:11:22:33"}})
        self.assertEqual(port["port"]["fixed_ips"], [{"subnet_id": subnet_id, "ip_address": "2001:db8:9:0:f816:3eff:fe11:2233"}])
