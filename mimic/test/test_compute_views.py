# -*- test-case-name: mimic.test.test_compute_views -*-
"""
Server listings are written as text for speed (see
:mod:`mimic.services.compute.views`); these tests hold that text to the
document the dictionaries give, byte for byte, for servers in every
shape a client can make, at every microversion that changes the
document.  Also the ordered index that pages a listing, and addresses
derived rather than stored.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.http import encode_json
from mimic.interfaces import INetworking
from mimic.services.compute.model import ComputeState, addresses_for
from mimic.services.compute.views import ServerViews
from mimic.test.test_compute_resources import UBUNTU, Compute

#: Microversions at which a server's document changes.
MICROVERSIONS = ("2.1", "2.9", "2.19", "2.26", "2.47", "2.63", "2.71", "2.73", "2.90", "2.96", "2.98", "2.100")


class Context:
    """
    The little of a request context the views read.
    """

    def __init__(self, microversion: tuple[int, int], state: ComputeState) -> None:
        self.microversion = microversion
        self.versioned_url = 'http://mimic.test/service/compute/ORD/t"1/v2.1/t"1'
        self.unversioned_url = 'http://mimic.test/service/compute/ORD/t"1/t"1'
        self.images = state.images
        self.networking = state.networking


class ListingTextTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.compute = Compute()
        self.made: list[str] = []

    def create(self, microversion: str = "2.96", hints: Any = None, **spec: Any) -> None:
        server = {"name": "plain", "imageRef": UBUNTU, "flavorRef": "general1-1"}
        server.update(spec)
        body: dict[str, Any] = {"server": server}
        if hints is not None:
            body["os:scheduler_hints"] = hints
        response = self.compute.request("POST", "/servers", body, microversion)
        self.assertEqual(response.code, 202, response)
        self.made.append(response.json()["server"]["id"])

    def make_every_shape(self) -> None:
        self.create()
        self.create(name='quotes " and \\ and ünïcode ☃', metadata={"k": 'v"\\', "ü": "☃"})
        self.create(accessIPv4="203.0.113.9")
        self.create(accessIPv6="2001:db8::9")
        self.create(networks="none")
        self.create(networks=[{"uuid": "11111111-1111-1111-1111-111111111111"}])
        self.create(networks=[{"uuid": "00000000-0000-0000-0000-000000000000"}, {"uuid": "11111111-1111-1111-1111-111111111111", "fixed_ip": "10.176.9.9"}])
        self.create(security_groups=[])
        # Groups other than ``default`` must exist in the network service.
        networking = self.compute.mimic.core.shared(INetworking, self.compute.access.tenant_id, "ORD")
        if networking is not None:
            for name in ("web", "db"):
                networking.create_security_group(name, "", 0.0)
            # A network whose name (the addresses' label) needs escaping.
            access = self.compute.access
            neutron = access.endpoint("network") + "/v2.0"
            made = self.compute.mimic.request(
                "POST", neutron + "/networks", {"network": {"name": 'net " \\ ü'}}, token=access.token
            ).json()["network"]
            subnet = {"subnet": {"network_id": made["id"], "cidr": "10.3.0.0/24", "ip_version": 4}}
            self.compute.mimic.request("POST", neutron + "/subnets", subnet, token=access.token)
            self.create(networks=[{"uuid": made["id"]}])
        self.create(security_groups=[{"name": "web"}, {"name": "db"}])
        self.create(description="about it", tags=["a", "b"])
        self.create(metadata={"server_building": "30"})
        self.create(metadata={"server_error": "1"})
        self.create(name="rebooted")
        self.compute.request("POST", f"/servers/{self.made[-1]}/action", {"reboot": {"type": "HARD"}})
        self.create(name="locked")
        self.compute.request("POST", f"/servers/{self.made[-1]}/action", {"lock": None})
        self.create(imageRef="", block_device_mapping_v2=[{"boot_index": 0, "uuid": UBUNTU, "source_type": "image"}])
        self.create(hints={"same_host": self.made[0], "query": {"op": ["=", "$ram", 'a"ü']}, "build_near_host_ip": 'x"'})

    def test_listing_text_is_the_dictionary_document_byte_for_byte(self) -> None:
        self.make_every_shape()
        state = next(s for key, s in self.compute.mimic.core.region_states() if key[0] == "compute")
        servers = state.live(self.compute.mimic.clock.seconds())
        self.assertEqual(len(servers), len(self.made))
        for version in MICROVERSIONS:
            major, minor = version.split(".")
            views = ServerViews(Context((int(major), int(minor)), state))  # type: ignore[arg-type]
            for server in servers:
                expected = encode_json(views.detail(server, listing=True)).decode("utf-8")
                self.assertEqual(views.detail_text(server), expected, (version, server.name))

    def test_listing_entries_are_the_servers_as_shown_one_by_one(self) -> None:
        self.make_every_shape()
        for version in MICROVERSIONS:
            listed = self.compute.get("/servers/detail", version)
            self.assertEqual(listed.code, 200)
            self.assertEqual(listed.header("content-type"), "application/json")
            for entry in listed.json()["servers"]:
                shown = self.compute.get(f"/servers/{entry['id']}", version).json()["server"]
                shown.pop("server_groups", None)
                self.assertEqual(entry, shown, version)


class IndexTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.compute = Compute()
        put = {"quota_set": {"instances": -1}}
        self.compute.request("PUT", f"/os-quota-sets/{self.compute.access.tenant_id}", put)

    def create(self, count: int, **metadata: str) -> list[str]:
        server = {"name": "s", "imageRef": UBUNTU, "flavorRef": "general1-1", "max_count": count}
        if metadata:
            server["metadata"] = metadata
        self.assertEqual(self.compute.request("POST", "/servers", {"server": server}).code, 202)
        return [s["id"] for s in self.compute.get("/servers?limit=1000").json()["servers"]]

    def walk(self, limit: int) -> list[str]:
        ids: list[str] = []
        path = f"/servers/detail?limit={limit}"
        while True:
            body = self.compute.get(path).json()
            ids.extend(s["id"] for s in body["servers"])
            links = body.get("servers_links")
            if not links:
                return ids
            path = "/servers/detail" + links[0]["href"].split("/servers/detail", 1)[1]

    def test_walking_pages_gives_every_server_once_newest_first(self) -> None:
        newest_first = self.create(25)
        self.assertEqual(self.walk(7), newest_first)

    def test_deleted_servers_leave_the_pages_and_their_marker_is_400(self) -> None:
        ids = self.create(10)
        for server_id in ids[2:5]:
            self.assertEqual(self.compute.request("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual(self.walk(3), ids[:2] + ids[5:])
        self.assertEqual(self.compute.get(f"/servers/detail?marker={ids[3]}").code, 400)

    def test_server_gone_after_a_delay_leaves_listings_and_usage_when_due(self) -> None:
        self.create(3)
        doomed = self.create(1, server_deleting="20")[0]
        self.assertEqual(self.compute.request("DELETE", f"/servers/{doomed}").code, 204)
        self.assertIn(doomed, self.walk(2))
        self.compute.mimic.tick(21)
        self.assertNotIn(doomed, self.walk(2))
        absolute = self.compute.get("/limits").json()["limits"]["absolute"]
        self.assertEqual(absolute["totalInstancesUsed"], 3)

    def test_addresses_are_derived_from_the_server_number(self) -> None:
        for number in (1, 255, 70000, 0x10000 + 5):
            addresses, v4, v6 = addresses_for(number, None)
            public = str(ipaddress.IPv4Address("198.18.0.10") + number)
            self.assertEqual([a["addr"] for a in addresses["public"]], [public, str(ipaddress.IPv6Address("2001:db8:1::10") + number)])
            self.assertEqual(addresses["private"][0]["addr"], str(ipaddress.IPv4Address("10.176.0.10") + number))
            self.assertEqual((v4, v6), (public, addresses["public"][1]["addr"]))
        self.assertEqual(addresses_for(70000, None)[0]["private"][0]["OS-EXT-IPS-MAC:mac_addr"], "fa:16:3e:01:11:70")
        self.assertEqual(addresses_for(7, "none"), ({}, "", ""))


class ChangeResponseTests(SynchronousTestCase):
    """
    ``PUT /servers/{id}`` and ``rebuild`` answer without the extended
    attributes before 2.75, as Nova does (tempest's schemas check it).
    """

    def test_update_response_is_plain_before_2_75(self) -> None:
        compute = Compute()
        created = compute.request("POST", "/servers", {"server": {"name": "u", "imageRef": UBUNTU,
                                                                  "flavorRef": "general1-1"}})
        server_id = created.json()["server"]["id"]
        old = compute.request("PUT", f"/servers/{server_id}", {"server": {"name": "v"}}, "2.74").json()["server"]
        self.assertNotIn("OS-EXT-STS:vm_state", old)
        self.assertNotIn("security_groups", old)
        self.assertEqual(set(old["addresses"]["public"][0]), {"version", "addr"})
        new = compute.request("PUT", f"/servers/{server_id}", {"server": {"name": "w"}}, "2.75").json()["server"]
        self.assertEqual(new["OS-EXT-STS:vm_state"], "active")
        self.assertIn("OS-EXT-IPS:type", new["addresses"]["public"][0])
