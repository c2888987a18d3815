# -*- test-case-name: mimic.test.test_network_profiles -*-
"""
Networking as each profile's cloud has it: DevStack's networks and
subnets under ``openstack`` (owned by the administrator's project, with
nothing of Rackspace's PublicNet or ServiceNet, floating IPs from
``public``'s 172.24.4.0/24), Rackspace's unchanged under ``rackspace``;
the same upstream extensions under both.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.network.extensions import EXTENSIONS
from mimic.services.network.model import EXTERNAL_NETWORK, PROVIDER_TENANT, PUBLIC_NETWORK
from mimic.testing import InMemoryMimic


class NetworkProfileTests(SynchronousTestCase):
    def neutron(self, profile: str) -> tuple[InMemoryMimic, str, str]:
        mimic = InMemoryMimic(profile=profile)
        access = mimic.authenticate("alice")
        return mimic, access.endpoint("network").rstrip("/") + "/v2.0", access.token

    def get(self, profile: str, *paths: str) -> list[Any]:
        mimic, root, token = self.neutron(profile)
        found = []
        for path in paths:
            response = mimic.request("GET", root + path, token=token)
            self.assertEqual(response.code, 200, response)
            found.append(response.json())
        return found

    def test_openstack_has_devstacks_networks_and_no_rackspace_content(self) -> None:
        networks, subnets, extensions = self.get("openstack", "/networks", "/subnets", "/extensions")
        self.assertEqual(sorted(n["name"] for n in networks["networks"]), ["private", "public"])
        # The external network's subnets are not shared: as in Neutron,
        # a project that does not own them does not see them.
        self.assertEqual(
            sorted((s["name"], s["cidr"]) for s in subnets["subnets"]),
            [("ipv6-private-subnet", "fd5e:6c0a:2b4d::/64"), ("private-subnet", "10.0.0.0/22")],
        )
        owners = {n["project_id"] for n in networks["networks"]} | {s["project_id"] for s in subnets["subnets"]}
        self.assertEqual(owners, {"admin"})
        self.assertNotIn(PUBLIC_NETWORK, [n["id"] for n in networks["networks"]])
        self.assertNotIn(PROVIDER_TENANT, str(networks) + str(subnets))
        self.assertEqual(sorted(e["alias"] for e in extensions["extensions"]), sorted(e[0] for e in EXTENSIONS))

    def test_openstack_floating_ips_come_from_public(self) -> None:
        mimic, root, token = self.neutron("openstack")
        made = mimic.request(
            "POST", root + "/floatingips", {"floatingip": {"floating_network_id": EXTERNAL_NETWORK}}, token=token
        )
        self.assertEqual(made.code, 201, made)
        self.assertTrue(made.json()["floatingip"]["floating_ip_address"].startswith("172.24.4."))

    def test_rackspace_keeps_its_networks(self) -> None:
        networks, extensions = self.get("rackspace", "/networks", "/extensions")
        names = {n["name"]: n["project_id"] for n in networks["networks"]}
        self.assertEqual(names, {"public": PROVIDER_TENANT, "private": PROVIDER_TENANT, "ext-net": PROVIDER_TENANT})
        self.assertIn(PUBLIC_NETWORK, [n["id"] for n in networks["networks"]])
        self.assertEqual(sorted(e["alias"] for e in extensions["extensions"]), sorted(e[0] for e in EXTENSIONS))
