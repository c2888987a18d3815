# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Compute servers through HTTP, in memory: what a Nova client sees for
version discovery, the server lifecycle, listings, metadata, addresses,
actions and their timed transitions, bad input, and isolation.
"""

from __future__ import annotations

import time
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import InMemoryMimic, Response
from mimic.timestamps import iso_seconds

FLAVOR = "general1-1"


class ComputeTestCase(SynchronousTestCase):
    """
    One tenant with a compute endpoint in ORD.
    """

    version: str | None = None

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", "ORD")

    def call(self, method: str, path: str, body: Any = None, *, version: str | None = None,
             url: str | None = None, token: str | None = None, raw: bytes | None = None) -> Response:
        headers = {}
        if (version or self.version) is not None:
            headers["X-OpenStack-Nova-API-Version"] = version or self.version or ""
        return self.mimic.request(
            method, (url or self.url) + path, body, token=token or self.access.token,
            headers=headers, raw=raw,
        )

    def create(self, name: str = "web", **extra: Any) -> Response:
        server = {"name": name, "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}
        server.update(extra)
        return self.call("POST", "/servers", {"server": server})

    def created_id(self, name: str = "web", **extra: Any) -> str:
        response = self.create(name, **extra)
        self.assertEqual(response.code, 202, response.body)
        return response.json()["server"]["id"]

    def show(self, server_id: str, **kwargs: Any) -> dict[str, Any]:
        response = self.call("GET", f"/servers/{server_id}", **kwargs)
        self.assertEqual(response.code, 200, response.body)
        return response.json()["server"]

    def action(self, server_id: str, body: Any) -> Response:
        return self.call("POST", f"/servers/{server_id}/action", body)


class VersionTests(ComputeTestCase):
    def root(self) -> str:
        return self.url.rsplit("/", 2)[0]

    def test_root_lists_both_versions_without_a_token(self) -> None:
        response = self.mimic.request("GET", self.root() + "/")
        self.assertEqual(response.code, 200)
        versions = {v["id"]: v for v in response.json()["versions"]}
        self.assertEqual(versions["v2.1"]["min_version"], "2.1")
        self.assertEqual(versions["v2.1"]["version"], "2.100")
        self.assertEqual(versions["v2.1"]["links"][0]["href"], self.root() + "/v2.1/")

    def test_versioned_document_is_anonymous(self) -> None:
        response = self.mimic.request("GET", self.root() + "/v2.1")
        self.assertEqual(response.code, 200)
        self.assertEqual(response.json()["version"]["status"], "CURRENT")

    def test_microversion_is_echoed_in_both_headers(self) -> None:
        response = self.call("GET", "/servers", version="2.47")
        self.assertEqual(response.header("X-OpenStack-Nova-API-Version"), "2.47")
        self.assertEqual(response.header("OpenStack-API-Version"), "compute 2.47")
        self.assertIn("OpenStack-API-Version", response.header("Vary"))

    def test_no_microversion_means_2_1(self) -> None:
        self.assertEqual(self.call("GET", "/servers").header("OpenStack-API-Version"), "compute 2.1")

    def test_latest_means_the_maximum(self) -> None:
        response = self.call("GET", "/servers", version="latest")
        self.assertEqual(response.header("X-OpenStack-Nova-API-Version"), "2.100")

    def test_generic_header_wins(self) -> None:
        response = self.mimic.request(
            "GET", self.url + "/servers", token=self.access.token,
            headers={"OpenStack-API-Version": "compute 2.30", "X-OpenStack-Nova-API-Version": "2.5"},
        )
        self.assertEqual(response.header("X-OpenStack-Nova-API-Version"), "2.30")

    def test_unsupported_microversion_is_406(self) -> None:
        response = self.call("GET", "/servers", version="2.999")
        self.assertEqual(response.code, 406)
        self.assertIn("maximum is 2.100", response.json()["computeFault"]["message"])

    def test_malformed_microversion_is_400(self) -> None:
        response = self.call("GET", "/servers", version="two")
        self.assertEqual(response.code, 400)
        self.assertIn("invalid format", response.json()["badRequest"]["message"])

    def test_v2_1_path_serves_the_same_servers(self) -> None:
        server_id = self.created_id()
        v21 = self.url.replace("/v2/", "/v2.1/")
        self.assertEqual(self.call("GET", f"/servers/{server_id}", url=v21).code, 200)

    def test_other_tenant_in_url_is_400(self) -> None:
        response = self.call("GET", "/servers", url=self.url.rsplit("/", 1)[0] + "/999")
        self.assertEqual(response.code, 400)
        self.assertIn("doesn't match", response.json()["badRequest"]["message"])

    def test_missing_token_gets_nova_401(self) -> None:
        response = self.mimic.request("GET", self.url + "/servers")
        self.assertEqual(response.code, 401)
        self.assertIn("unauthorized", response.json())

    def test_unknown_path_is_nova_404(self) -> None:
        response = self.call("GET", "/nonsense/here")
        self.assertEqual(response.code, 404)
        self.assertIn("itemNotFound", response.json())

    def test_wrong_method_is_nova_405(self) -> None:
        response = self.call("PATCH", "/servers")
        self.assertEqual(response.code, 405)
        self.assertIn("badMethod", response.json())

    def test_catalog_lists_three_regions(self) -> None:
        for region in ("ORD", "DFW", "IAD"):
            self.assertIn(f"/compute/{region}/", self.access.endpoint("compute", region))


class CreateTests(ComputeTestCase):
    def test_create_answers_202_with_location_and_admin_pass(self) -> None:
        response = self.create()
        self.assertEqual(response.code, 202)
        server = response.json()["server"]
        self.assertEqual(response.header("Location"), f"{self.url}/servers/{server['id']}")
        self.assertTrue(server["adminPass"])
        self.assertEqual(server["links"][0]["rel"], "self")

    def test_new_server_is_active_with_nova_state_fields(self) -> None:
        server = self.show(self.created_id())
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual(server["OS-EXT-STS:vm_state"], "active")
        self.assertIsNone(server["OS-EXT-STS:task_state"])
        self.assertEqual(server["OS-EXT-STS:power_state"], 1)
        self.assertEqual(server["tenant_id"], self.access.tenant_id)
        self.assertEqual(server["image"]["id"], DEFAULT_IMAGE_ID)
        self.assertEqual(server["flavor"]["id"], FLAVOR)
        self.assertEqual(sorted(server["addresses"]), ["private", "public"])
        self.assertEqual(server["accessIPv4"], server["addresses"]["public"][0]["addr"])

    def test_access_ipv6_alone_is_kept(self) -> None:
        """
        A create that sets only ``accessIPv6`` shows it (in the show and
        the detail listing alike), and no derived ``accessIPv4``.
        """
        server_id = self.created_id(accessIPv6="2001:db8::7")
        for server in (self.show(server_id), self.call("GET", "/servers/detail").json()["servers"][0]):
            self.assertEqual((server["accessIPv4"], server["accessIPv6"]), ("", "2001:db8::7"))

    def test_access_ipv4_alone_is_kept(self) -> None:
        server_id = self.created_id(accessIPv4="192.0.2.7")
        for server in (self.show(server_id), self.call("GET", "/servers/detail").json()["servers"][0]):
            self.assertEqual((server["accessIPv4"], server["accessIPv6"]), ("192.0.2.7", ""))

    def test_no_access_address_shows_the_public_ones(self) -> None:
        server = self.show(self.created_id())
        public = server["addresses"]["public"]
        self.assertEqual((server["accessIPv4"], server["accessIPv6"]), (public[0]["addr"], public[1]["addr"]))

    def test_bad_access_addresses_are_400(self) -> None:
        for extra in ({"accessIPv6": "192.0.2.7"}, {"accessIPv6": "nope"}, {"accessIPv4": "2001:db8::7"}):
            response = self.create(**extra)
            self.assertEqual(response.code, 400, extra)
            self.assertIn("badRequest", response.json())

    def test_flavor_is_embedded_from_2_47(self) -> None:
        flavor = self.show(self.created_id(), version="2.47")["flavor"]
        self.assertEqual(flavor["original_name"], "1 GB General Purpose v1")
        self.assertEqual(flavor["ram"], 1024)

    def test_later_microversions_add_fields(self) -> None:
        server = self.show(self.created_id(), version="2.96")
        for field in ("locked", "description", "tags", "locked_reason", "server_groups",
                      "pinned_availability_zone", "trusted_image_certificates"):
            self.assertIn(field, server)
        self.assertNotIn("locked", self.show(server["id"]))

    def test_missing_name_is_400(self) -> None:
        response = self.call("POST", "/servers", {"server": {"imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}})
        self.assertEqual(response.code, 400)
        self.assertIn("'name' is a required property", response.json()["badRequest"]["message"])

    def test_missing_flavor_is_400(self) -> None:
        response = self.call("POST", "/servers", {"server": {"name": "x", "imageRef": DEFAULT_IMAGE_ID}})
        self.assertEqual(response.code, 400)
        self.assertIn("'flavorRef' is a required property", response.json()["badRequest"]["message"])

    def test_unknown_flavor_is_400(self) -> None:
        response = self.create(flavorRef="8888")
        self.assertEqual(response.code, 400)
        self.assertEqual(response.json()["badRequest"]["message"], "Invalid flavorRef provided.")

    def test_unknown_image_is_400(self) -> None:
        response = self.create(imageRef="11111111-2222-3333-4444-555555555555")
        self.assertEqual(response.code, 400)
        self.assertEqual(response.json()["badRequest"]["message"], "Can not find requested image")

    def test_image_that_is_not_a_uuid_is_400(self) -> None:
        response = self.create(imageRef="INVALID-IMAGE-ID")
        self.assertEqual(response.code, 400)
        self.assertEqual(response.json()["badRequest"]["message"], "Invalid imageRef provided.")

    def test_malformed_json_is_400_and_creates_nothing(self) -> None:
        response = self.call("POST", "/servers", raw=b"{not json")
        self.assertEqual(response.code, 400)
        self.assertIn("badRequest", response.json())
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_non_object_body_is_400(self) -> None:
        self.assertEqual(self.call("POST", "/servers", [1, 2]).code, 400)
        self.assertEqual(self.call("POST", "/servers", {"server": "x"}).code, 400)

    def test_bad_metadata_is_400(self) -> None:
        self.assertEqual(self.create(metadata={"k": 1}).code, 400)
        self.assertEqual(self.create(metadata=["k"]).code, 400)

    def test_too_many_metadata_items_is_403(self) -> None:
        response = self.create(metadata={str(i): "v" for i in range(41)})
        self.assertEqual(response.code, 403)

    def test_unknown_key_name_is_400(self) -> None:
        response = self.create(key_name="nope")
        self.assertEqual(response.json()["badRequest"]["message"], "Invalid key_name provided.")

    def test_bad_network_uuid_is_400(self) -> None:
        self.assertEqual(self.create(networks=[{"uuid": "not-a-uuid"}]).code, 400)

    def test_networks_none_gives_no_addresses_from_2_37(self) -> None:
        self.assertEqual(self.create(networks="none").code, 400)
        server = {"name": "n", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR, "networks": "none"}
        response = self.call("POST", "/servers", {"server": server}, version="2.37")
        self.assertEqual(self.show(response.json()["server"]["id"])["addresses"], {})

    def test_networks_list_picks_rackspace_networks(self) -> None:
        server_id = self.created_id(networks=[{"uuid": "00000000-0000-0000-0000-000000000000"}])
        self.assertEqual(list(self.show(server_id)["addresses"]), ["public"])

    def test_counts_past_what_one_create_makes_are_400(self) -> None:
        """
        With an unlimited quota, ``max_count`` of a billion (19 bytes of
        request) would have made a billion servers.
        """
        tenant = self.access.access["token"]["tenant"]["id"]
        unlimited = {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}
        self.assertEqual(self.call("PUT", f"/os-quota-sets/{tenant}", unlimited).code, 200)
        for counts in ({"max_count": 10**9}, {"min_count": "1001"}, {"max_count": 1001}):
            response = self.create("many", **counts)
            self.assertEqual(response.code, 400, counts)
            self.assertIn("maximum of 1000", response.json()["badRequest"]["message"])
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_max_count_creates_several_named_servers(self) -> None:
        self.create("many", max_count=3)
        names = sorted(s["name"] for s in self.call("GET", "/servers").json()["servers"])
        self.assertEqual(names, ["many-1", "many-2", "many-3"])

    def test_over_quota_create_is_403_with_nova_message(self) -> None:
        response = self.create("huge", flavorRef="memory1-60", min_count=3)
        self.assertEqual(response.code, 403)
        self.assertIn("Quota exceeded for ram: Requested 184320", response.json()["forbidden"]["message"])

    def test_unknown_server_is_404(self) -> None:
        response = self.call("GET", "/servers/11111111-2222-3333-4444-555555555555")
        self.assertEqual(response.code, 404)
        self.assertIn("could not be found", response.json()["itemNotFound"]["message"])

    def test_bad_uuid_in_url_is_404(self) -> None:
        self.assertEqual(self.call("GET", "/servers/not-a-uuid").code, 404)


class UpdateDeleteTests(ComputeTestCase):
    def test_rename(self) -> None:
        server_id = self.created_id()
        response = self.call("PUT", f"/servers/{server_id}", {"server": {"name": "renamed"}})
        self.assertEqual(response.code, 200)
        self.assertEqual(response.json()["server"]["name"], "renamed")
        self.assertEqual(self.show(server_id)["name"], "renamed")

    def test_update_with_unknown_field_is_400(self) -> None:
        server_id = self.created_id()
        response = self.call("PUT", f"/servers/{server_id}", {"server": {"flavor": "x"}})
        self.assertEqual(response.code, 400)

    def test_delete_answers_204_and_server_is_gone(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual(self.call("GET", f"/servers/{server_id}").code, 404)

    def test_delete_unknown_server_returns_404(self) -> None:
        response = self.call("DELETE", "/servers/11111111-2222-3333-4444-555555555555")
        self.assertEqual(response.code, 404)

    def test_locked_server_refuses_delete(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"lock": None}).code, 202)
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 409)
        self.action(server_id, {"unlock": None})
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)


class ListingTests(ComputeTestCase):
    def test_list_is_newest_first_with_links(self) -> None:
        first = self.created_id("first")
        self.mimic.tick(1)
        second = self.created_id("second")
        servers = self.call("GET", "/servers").json()["servers"]
        self.assertEqual([s["id"] for s in servers], [second, first])
        self.assertEqual(set(servers[0]), {"id", "name", "links"})

    def test_detail_has_full_servers(self) -> None:
        self.created_id()
        server = self.call("GET", "/servers/detail").json()["servers"][0]
        self.assertEqual(server["status"], "ACTIVE")

    def test_name_filter_is_a_regex(self) -> None:
        self.created_id("web-1")
        self.created_id("db-1")
        names = [s["name"] for s in self.call("GET", "/servers?name=^web").json()["servers"]]
        self.assertEqual(names, ["web-1"])

    def test_name_filter_is_a_case_sensitive_search(self) -> None:
        self.created_id("web-1")
        names = [s["name"] for s in self.call("GET", "/servers?name=eb-").json()["servers"]]
        self.assertEqual(names, ["web-1"])
        self.assertEqual(self.call("GET", "/servers?name=WEB").json()["servers"], [])

    def test_pathological_name_filter_answers_at_once(self) -> None:
        """
        ``(a+)+$`` against ``aaaa...!`` takes a backtracking engine time
        doubling with each ``a`` (about 8 s for these names with Python's
        ``re``); RE2 takes microseconds.
        """
        for number in range(3):
            self.created_id("a" * 26 + f"!{number}")
        started = time.perf_counter()
        response = self.call("GET", "/servers?name=(a%2B)%2B$")
        elapsed = time.perf_counter() - started
        self.assertEqual((response.code, response.json()["servers"]), (200, []))
        self.assertLess(elapsed, 2.0)

    def test_name_filter_refuses_a_backreference_with_nova_400(self) -> None:
        response = self.call("GET", "/servers?name=(web)%5C1")
        self.assertEqual(response.code, 400)
        message = response.json()["badRequest"]["message"]
        self.assertIn("'name'", message)
        self.assertIn("backreferences", message)

    def test_unbalanced_name_filter_is_400(self) -> None:
        """
        Python's ``re`` refused ``web[1`` too; it is no longer read as
        literal text, which Nova never did either.
        """
        self.assertEqual(self.call("GET", "/servers?name=web[1").code, 400)

    def test_ip_filters_refuse_lookaround(self) -> None:
        for name in ("ip", "ip6"):
            response = self.call("GET", f"/servers?{name}=(%3F%3D10)")
            self.assertEqual(response.code, 400, name)
            self.assertIn(f"'{name}'", response.json()["badRequest"]["message"])

    def test_overlong_name_filter_is_400(self) -> None:
        response = self.call("GET", "/servers?name=" + "a" * 2000)
        self.assertEqual(response.code, 400)
        self.assertIn("at most 1024", response.json()["badRequest"]["message"])

    def test_ip_filter_is_a_search(self) -> None:
        server_id = self.created_id()
        address = self.show(server_id)["accessIPv4"]
        prefix = address.rsplit(".", 1)[0].replace(".", "%5C.")
        found = self.call("GET", f"/servers?ip={prefix}").json()["servers"]
        self.assertEqual([s["id"] for s in found], [server_id])

    def test_status_filter(self) -> None:
        self.created_id("a")
        stopped = self.created_id("b")
        self.action(stopped, {"os-stop": None})
        self.mimic.tick(10)
        names = [s["name"] for s in self.call("GET", "/servers/detail?status=SHUTOFF").json()["servers"]]
        self.assertEqual(names, ["b"])

    def test_unknown_status_is_400_from_2_38(self) -> None:
        self.assertEqual(self.call("GET", "/servers?status=NOPE", version="2.38").code, 400)
        self.assertEqual(self.call("GET", "/servers?status=NOPE").json()["servers"], [])

    def test_changes_since_includes_deleted_servers(self) -> None:
        self.created_id("old")
        self.mimic.tick(100)
        since = self.mimic.clock.seconds()
        gone = self.created_id("gone")
        self.call("DELETE", f"/servers/{gone}")
        servers = self.call("GET", f"/servers/detail?changes-since={iso_seconds(since)}").json()["servers"]
        self.assertEqual([(s["name"], s["status"]) for s in servers], [("gone", "DELETED")])

    def test_bad_changes_since_is_400(self) -> None:
        self.assertEqual(self.call("GET", "/servers?changes-since=yesterday").code, 400)

    def test_changes_since_takes_an_offset_whose_plus_became_a_space(self) -> None:
        """
        An unencoded ``+00:00`` offset arrives as a space; Nova reads it as
        the offset, so the listing filters rather than refusing the time.
        """
        self.created_id("old")
        self.mimic.tick(100)
        since = iso_seconds(self.mimic.clock.seconds()).replace("Z", " 00:00")
        self.created_id("new")
        servers = self.call("GET", f"/servers?changes-since={since}").json()["servers"]
        self.assertEqual([s["name"] for s in servers], ["new"])

    def test_paging_with_limit_and_marker(self) -> None:
        ids = []
        for i in range(3):
            ids.append(self.created_id(f"s{i}"))
            self.mimic.tick(1)
        ids.reverse()
        first = self.call("GET", "/servers?limit=2").json()
        self.assertEqual([s["id"] for s in first["servers"]], ids[:2])
        next_href = first["servers_links"][0]["href"]
        self.assertIn(f"marker={ids[1]}", next_href)
        rest = self.mimic.request("GET", next_href, token=self.access.token).json()
        self.assertEqual([s["id"] for s in rest["servers"]], ids[2:])
        self.assertNotIn("servers_links", rest)

    def test_limit_zero_lists_no_servers(self) -> None:
        """
        Nova pages servers in its database, where ``limit=0`` asks for
        none: an empty page with no ``next`` link, summary or detail,
        filtered or not.
        """
        self.created_id("web-1")
        for path in ("/servers?limit=0", "/servers/detail?limit=0", "/servers?limit=0&name=web"):
            response = self.call("GET", path)
            self.assertEqual(response.code, 200, path)
            self.assertEqual(response.json(), {"servers": []}, path)

    def test_limit_zero_still_lists_every_flavor(self) -> None:
        """
        Flavors are paged in Nova's API layer, where ``limit=0`` means the
        largest page.
        """
        flavors = self.call("GET", "/flavors").json()["flavors"]
        self.assertEqual(self.call("GET", "/flavors?limit=0").json()["flavors"], flavors)

    def test_unknown_marker_is_400(self) -> None:
        self.assertEqual(self.call("GET", "/servers?marker=nope").code, 400)

    def test_bad_limit_is_400(self) -> None:
        self.assertEqual(self.call("GET", "/servers?limit=-1").code, 400)
        self.assertEqual(self.call("GET", "/servers?limit=x").code, 400)


class AddressAndMetadataTests(ComputeTestCase):
    def test_ips_and_one_network(self) -> None:
        server_id = self.created_id()
        addresses = self.call("GET", f"/servers/{server_id}/ips").json()["addresses"]
        self.assertEqual(addresses["public"][0]["version"], 4)
        public = self.call("GET", f"/servers/{server_id}/ips/public").json()
        self.assertEqual(public, {"public": addresses["public"]})
        self.assertEqual(self.call("GET", f"/servers/{server_id}/ips/nowhere").code, 404)

    def test_server_security_groups_are_the_tenants_default_group(self) -> None:
        """
        ``GET /servers/{id}/os-security-groups`` (Ansible reads it on every
        run) answers the tenant's ``default`` group in the shape of Nova's
        proxy, with the same id for every server and every call; its
        rules are the network service's (Nova shows the ingress ones).
        """
        first, second = self.created_id("a"), self.created_id("b")
        response = self.call("GET", f"/servers/{first}/os-security-groups")
        self.assertEqual(response.code, 200)
        groups = response.json()["security_groups"]
        self.assertEqual(len(groups), 1)
        group = groups[0]
        self.assertEqual(set(group), {"id", "name", "description", "tenant_id", "rules"})
        self.assertEqual(
            (group["name"], group["description"], group["tenant_id"]),
            ("default", "Default security group", self.access.tenant_id),
        )
        self.assertEqual({rule["parent_group_id"] for rule in group["rules"]} - {group["id"]}, set())
        again = self.call("GET", f"/servers/{second}/os-security-groups", version="2.96").json()
        self.assertEqual(again, {"security_groups": [group]})

    def test_other_tenants_default_group_has_another_id(self) -> None:
        mine = self.call("GET", f"/servers/{self.created_id()}/os-security-groups").json()
        bob = self.mimic.authenticate("bob")
        bob_url = bob.endpoint("compute", "ORD")
        created = self.call("POST", "/servers", {"server": {
            "name": "b", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}}, url=bob_url, token=bob.token)
        path = f"/servers/{created.json()['server']['id']}/os-security-groups"
        theirs = self.call("GET", path, url=bob_url, token=bob.token).json()
        self.assertNotEqual(mine["security_groups"][0]["id"], theirs["security_groups"][0]["id"])

    def test_security_groups_of_unknown_server_is_404(self) -> None:
        response = self.call("GET", "/servers/nope/os-security-groups")
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json()["itemNotFound"]["message"], "Instance nope could not be found.")

    def test_metadata_replace_merge_and_items(self) -> None:
        server_id = self.created_id(metadata={"a": "1"})
        path = f"/servers/{server_id}/metadata"
        self.assertEqual(self.call("GET", path).json(), {"metadata": {"a": "1"}})
        self.assertEqual(self.call("POST", path, {"metadata": {"b": "2"}}).json(), {"metadata": {"a": "1", "b": "2"}})
        self.assertEqual(self.call("PUT", path, {"metadata": {"c": "3"}}).json(), {"metadata": {"c": "3"}})
        self.assertEqual(self.call("PUT", path + "/d", {"meta": {"d": "4"}}).json(), {"meta": {"d": "4"}})
        self.assertEqual(self.call("GET", path + "/d").json(), {"meta": {"d": "4"}})
        self.assertEqual(self.call("DELETE", path + "/c").code, 204)
        self.assertEqual(self.call("GET", path).json(), {"metadata": {"d": "4"}})
        self.assertEqual(self.show(server_id)["metadata"], {"d": "4"})

    def test_metadata_item_errors(self) -> None:
        path = f"/servers/{self.created_id()}/metadata"
        self.assertEqual(self.call("GET", path + "/missing").code, 404)
        self.assertEqual(self.call("DELETE", path + "/missing").code, 404)
        self.assertEqual(self.call("PUT", path + "/a", {"meta": {"b": "1"}}).code, 400)
        self.assertEqual(self.call("PUT", path + "/a", {"meta": {"a": "1", "b": "2"}}).code, 400)
        self.assertEqual(self.call("PUT", path, {"nometa": {}}).code, 400)


class ActionTests(ComputeTestCase):
    def status(self, server_id: str) -> str:
        return self.show(server_id)["status"]

    def test_soft_reboot_takes_time(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"reboot": {"type": "SOFT"}}).code, 202)
        server = self.show(server_id)
        self.assertEqual((server["status"], server["OS-EXT-STS:task_state"]), ("REBOOT", "reboot_started"))
        self.mimic.tick(5)
        self.assertEqual(self.status(server_id), "ACTIVE")

    def test_hard_reboot(self) -> None:
        server_id = self.created_id()
        self.action(server_id, {"reboot": {"type": "HARD"}})
        self.assertEqual(self.status(server_id), "HARD_REBOOT")
        self.mimic.tick(5)
        self.assertEqual(self.status(server_id), "ACTIVE")

    def test_bad_reboot_type_is_400(self) -> None:
        self.assertEqual(self.action(self.created_id(), {"reboot": {"type": "GENTLE"}}).code, 400)

    def test_action_during_a_task_is_409(self) -> None:
        server_id = self.created_id()
        self.action(server_id, {"reboot": {"type": "SOFT"}})
        response = self.action(server_id, {"os-stop": None})
        self.assertEqual(response.code, 409)
        self.assertIn("task_state reboot_started", response.json()["conflictingRequest"]["message"])

    def test_stop_and_start(self) -> None:
        server_id = self.created_id()
        self.action(server_id, {"os-stop": None})
        self.mimic.tick(2)
        server = self.show(server_id)
        self.assertEqual((server["status"], server["OS-EXT-STS:power_state"]), ("SHUTOFF", 4))
        self.assertEqual(self.action(server_id, {"os-stop": None}).code, 409)
        self.action(server_id, {"os-start": None})
        self.mimic.tick(2)
        self.assertEqual(self.status(server_id), "ACTIVE")

    def test_pause_suspend_rescue_round_trips(self) -> None:
        server_id = self.created_id()
        for action, reverse, status in (("pause", "unpause", "PAUSED"), ("suspend", "resume", "SUSPENDED"),
                                        ("rescue", "unrescue", "RESCUE")):
            self.assertIn(self.action(server_id, {action: None}).code, (200, 202))
            self.mimic.tick(10)
            self.assertEqual(self.status(server_id), status)
            self.assertEqual(self.action(server_id, {reverse: None}).code, 202)
            self.mimic.tick(10)
            self.assertEqual(self.status(server_id), "ACTIVE")

    def test_rescue_returns_admin_pass(self) -> None:
        response = self.action(self.created_id(), {"rescue": {}})
        self.assertTrue(response.json()["adminPass"])

    def test_resize_then_confirm(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"resize": {"flavorRef": "general1-2"}}).code, 202)
        # At once by default (compute.resize_seconds): clients wait on it.
        self.assertEqual(self.status(server_id), "VERIFY_RESIZE")
        self.assertEqual(self.action(server_id, {"confirmResize": None}).code, 204)
        server = self.show(server_id)
        self.assertEqual((server["status"], server["flavor"]["id"]), ("ACTIVE", "general1-2"))

    def test_resize_then_revert(self) -> None:
        server_id = self.created_id()
        self.action(server_id, {"resize": {"flavorRef": "general1-2"}})
        self.mimic.tick(10)
        self.assertEqual(self.action(server_id, {"revertResize": None}).code, 202)
        self.assertEqual(self.status(server_id), "REVERT_RESIZE")
        self.mimic.tick(5)
        server = self.show(server_id)
        self.assertEqual((server["status"], server["flavor"]["id"]), ("ACTIVE", FLAVOR))

    def test_resize_sets_the_disk_config_asked_for(self) -> None:
        """
        Rackspace's ``OS-DCF:diskConfig`` on a resize becomes the
        server's: shown during the resize and after it is confirmed.
        """
        server_id = self.created_id()
        self.assertEqual(self.show(server_id)["OS-DCF:diskConfig"], "AUTO")
        body = {"resize": {"flavorRef": "general1-2", "OS-DCF:diskConfig": "MANUAL"}}
        self.assertEqual(self.action(server_id, body).code, 202)
        self.assertEqual(self.show(server_id)["OS-DCF:diskConfig"], "MANUAL")
        self.mimic.tick(10)
        self.action(server_id, {"confirmResize": None})
        server = self.show(server_id)
        self.assertEqual((server["OS-DCF:diskConfig"], server["flavor"]["id"]), ("MANUAL", "general1-2"))
        body = {"resize": {"flavorRef": FLAVOR, "OS-DCF:diskConfig": "AUTO"}}
        self.assertEqual(self.action(server_id, body).code, 202)
        self.assertEqual(self.show(server_id)["OS-DCF:diskConfig"], "AUTO")

    def test_resize_without_disk_config_keeps_the_servers(self) -> None:
        server_id = self.created_id(**{"OS-DCF:diskConfig": "MANUAL"})
        self.action(server_id, {"resize": {"flavorRef": "general1-2"}})
        self.assertEqual(self.show(server_id)["OS-DCF:diskConfig"], "MANUAL")

    def test_resize_to_same_flavor_is_400(self) -> None:
        self.assertEqual(self.action(self.created_id(), {"resize": {"flavorRef": FLAVOR}}).code, 400)

    def test_resize_with_unknown_disk_config_is_400_and_leaves_server_active(self) -> None:
        """
        Resize checks ``OS-DCF:diskConfig`` with the same schema message as
        create, rebuild and update, and a refused resize starts nothing.
        """
        server_id = self.created_id()
        self.mimic.tick(600)
        response = self.action(server_id, {"resize": {"flavorRef": "general1-2", "OS-DCF:diskConfig": "FAST"}})
        self.assertEqual(response.code, 400)
        self.assertEqual(
            response.json()["badRequest"]["message"],
            "Invalid input for field/attribute OS-DCF:diskConfig. Value: FAST. "
            "'FAST' is not one of ['AUTO', 'MANUAL']",
        )
        server = self.show(server_id)
        self.assertEqual((server["status"], server["flavor"]["id"]), ("ACTIVE", FLAVOR))

    def test_confirm_without_resize_is_400(self) -> None:
        response = self.action(self.created_id(), {"confirmResize": None})
        self.assertEqual(response.json()["badRequest"]["message"], "Instance has not been resized.")

    def test_rebuild_returns_server_with_new_password(self) -> None:
        server_id = self.created_id()
        response = self.action(server_id, {"rebuild": {"imageRef": DEFAULT_IMAGE_ID, "name": "fresh"}})
        self.assertEqual(response.code, 202)
        server = response.json()["server"]
        self.assertEqual((server["status"], server["name"]), ("REBUILD", "fresh"))
        self.assertTrue(server["adminPass"])
        self.mimic.tick(10)
        self.assertEqual(self.status(server_id), "ACTIVE")

    def test_rebuild_without_image_is_400(self) -> None:
        self.assertEqual(self.action(self.created_id(), {"rebuild": {}}).code, 400)

    def test_change_password(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"changePassword": {"adminPass": "s3cret"}}).code, 202)
        self.assertEqual(self.action(server_id, {"changePassword": {}}).code, 400)

    def test_create_image_gives_location_then_image_id_from_2_45(self) -> None:
        server_id = self.created_id()
        response = self.action(server_id, {"createImage": {"name": "snap"}})
        self.assertEqual(response.code, 202)
        self.assertIn("/images/", response.header("Location"))
        self.mimic.tick(5)
        response = self.call("POST", f"/servers/{server_id}/action", {"createImage": {"name": "snap2"}}, version="2.45")
        image_id = response.json()["image_id"]
        self.assertEqual(self.call("GET", f"/images/{image_id}").json()["image"]["name"], "snap2")

    def test_create_image_refuses_empty_or_long_metadata_keys(self) -> None:
        server_id = self.created_id()
        for metadata in ({"": "x"}, {"k" * 256: "x"}, {"k": 1}, {"k": "v" * 256}, ["k"]):
            response = self.action(server_id, {"createImage": {"name": "snap", "metadata": metadata}})
            self.assertEqual(response.code, 400, metadata)
            self.assertIn("badRequest", response.json())
        self.assertEqual(self.show(server_id)["OS-EXT-STS:task_state"], None)

    def test_create_image_over_the_metadata_quota_is_403_until_2_39(self) -> None:
        """
        Up to 2.38 Nova checks a snapshot's metadata against the
        ``metadata_items`` quota (Mimic's default is Rackspace's 40);
        from 2.39 it checks nothing.
        """
        server_id = self.created_id()
        limit = self.call("GET", f"/os-quota-sets/{self.access.tenant_id}").json()["quota_set"]["metadata_items"]
        over = {"createImage": {"name": "snap", "metadata": {f"k{i}": "v" for i in range(limit + 1)}}}
        response = self.action(server_id, over)
        self.assertEqual(response.code, 403)
        self.assertEqual(response.json(), {"forbidden": {"code": 403, "message": "Image metadata limit exceeded"}})
        self.assertEqual(self.show(server_id)["OS-EXT-STS:task_state"], None)
        fits = {"createImage": {"name": "snap", "metadata": {f"k{i}": "v" for i in range(limit)}}}
        self.assertEqual(self.action(server_id, fits).code, 202)
        self.mimic.tick(5)
        response = self.call("POST", f"/servers/{server_id}/action", over, version="2.39")
        self.assertEqual(response.code, 202)

    def test_unknown_action_is_400(self) -> None:
        response = self.action(self.created_id(), {"explode": None})
        self.assertEqual(response.json()["badRequest"]["message"], "There is no such action: explode")

    def test_malformed_action_body_is_400(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {}).code, 400)
        self.assertEqual(self.call("POST", f"/servers/{server_id}/action", raw=b"[").code, 400)

    def console(self, server_id: str, argument: Any) -> list[str]:
        response = self.action(server_id, {"os-getConsoleOutput": argument})
        self.assertEqual(response.code, 200, response.body)
        output = response.json()["output"]
        return output.split("\n") if output else []

    def test_console_output_is_the_last_length_lines(self) -> None:
        """
        Tempest asks for 10 lines and expects exactly 10, and for the
        whole log and expects more than 10.
        """
        server_id = self.created_id("web")
        whole = self.console(server_id, {})
        self.assertGreater(len(whole), 10)
        self.assertEqual(whole[-1], "web login: ")
        self.assertIn(f"Mimic console of web ({server_id})", whole)
        self.assertEqual(self.console(server_id, {"length": 10}), whole[-10:])
        self.assertEqual(self.console(server_id, {"length": "1"}), whole[-1:])
        self.assertEqual(self.console(server_id, {"length": 0}), [])

    def test_console_output_shorter_than_length_is_the_whole_log(self) -> None:
        server_id = self.created_id()
        whole = self.console(server_id, None)
        for argument in ({"length": len(whole) + 5}, {"length": 10 ** 6}, {"length": -1}, {"length": None}):
            self.assertEqual(self.console(server_id, argument), whole, argument)

    def test_console_output_length_not_an_integer_is_400(self) -> None:
        server_id = self.created_id()
        for length in ("ten", 1.5, True, -2, [1]):
            response = self.action(server_id, {"os-getConsoleOutput": {"length": length}})
            self.assertEqual(response.code, 400, length)
            self.assertIn("badRequest", response.json())


class IsolationTests(ComputeTestCase):
    def test_other_tenant_cannot_see_or_touch_servers(self) -> None:
        server_id = self.created_id()
        bob = self.mimic.authenticate("bob")
        bob_url = bob.endpoint("compute", "ORD")
        self.assertEqual(self.call("GET", "/servers", url=bob_url, token=bob.token).json()["servers"], [])
        self.assertEqual(self.call("GET", f"/servers/{server_id}", url=bob_url, token=bob.token).code, 404)
        self.assertEqual(self.call("GET", f"/servers/{server_id}", token=bob.token).code, 403)

    def test_regions_are_separate(self) -> None:
        server_id = self.created_id()
        dfw = self.access.endpoint("compute", "DFW")
        self.assertEqual(self.call("GET", "/servers", url=dfw).json()["servers"], [])
        self.assertEqual(self.call("GET", f"/servers/{server_id}", url=dfw).code, 404)

    def test_state_dump_lists_servers(self) -> None:
        server_id = self.created_id()
        summary = self.mimic.core.state_summary()["compute"][self.access.tenant_id]["ORD"]
        self.assertEqual(summary["server_ids"], [server_id])
