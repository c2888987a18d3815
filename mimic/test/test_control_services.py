"""
Registrations through the control API fire for the real services' own
events (compute server creation, load balancer creation), with Mimic as
``twistd mimic`` loads it: every discovered plugin.

Each test is skipped while its service's plugin is not installed.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import InMemoryMimic, Response

CONTROL = "/mimic/v1.1"


class RealServiceTestCase(SynchronousTestCase):
    service = ""

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("control-user")

    def register(self, event: str, body: dict[str, Any]) -> Response:
        response = self.mimic.request("POST", f"{CONTROL}/{self.service}/behaviors/{event}", body)
        self.assertEqual(response.code, 201, response.body)
        return response

    def call(self, method: str, url: str, body: Any = None) -> Response:
        return self.mimic.request(method, url, body, token=self.access.token)


class LoadBalancerControlTests(RealServiceTestCase):
    service = "loadbalancer"

    def create(self, name: str) -> Response:
        return self.call(
            "POST",
            self.access.endpoint("rax:load-balancer") + "/loadbalancers",
            {"loadBalancer": {"name": name, "protocol": "HTTP", "port": 80,
                              "virtualIps": [{"type": "PUBLIC"}]}},
        )

    def test_registered_create_failure_fires_for_matching_names(self) -> None:
        self.register(
            "creation",
            {"name": "fail", "parameters": {"code": 503, "message": "try later"},
             "criteria": [{"loadbalancer_name": "^doomed"}]},
        )
        failed = self.create("doomed-1")
        self.assertEqual(failed.code, 503, failed.body)
        self.assertIn("try later", failed.body.decode())
        self.assertEqual(self.create("fine-1").code, 202)

    def test_registered_building_keeps_the_balancer_in_build(self) -> None:
        self.register("loadbalancer.create", {"name": "building", "parameters": {"seconds": 60}, "times": 1})
        created = self.create("slow").json()["loadBalancer"]
        url = self.access.endpoint("rax:load-balancer") + f"/loadbalancers/{created['id']}"
        self.mimic.tick(59)
        self.assertEqual(self.call("GET", url).json()["loadBalancer"]["status"], "BUILD")
        self.mimic.tick(1)
        self.assertEqual(self.call("GET", url).json()["loadBalancer"]["status"], "ACTIVE")

    def test_state_dump_shows_the_balancers(self) -> None:
        self.create("seen")
        services = self.mimic.request("GET", CONTROL + "/state").json()["services"]
        self.assertIn(self.access.tenant_id, services["loadbalancer"])


class ComputeControlTests(RealServiceTestCase):
    service = "compute"

    def first_id(self, collection: str) -> str:
        listing = self.call("GET", self.access.endpoint("compute") + f"/{collection}")
        return listing.json()[collection][0]["id"]

    def create(self, name: str) -> Response:
        return self.call(
            "POST",
            self.access.endpoint("compute") + "/servers",
            {"server": {"name": name, "imageRef": self.first_id("images"),
                        "flavorRef": self.first_id("flavors")}},
        )

    def test_registered_create_failure_fires_for_matching_names(self) -> None:
        self.register(
            "creation",
            {"name": "fail", "parameters": {"code": 500, "message": "no hosts"},
             "criteria": [{"server_name": "^doomed"}]},
        )
        failed = self.create("doomed-1")
        self.assertEqual(failed.code, 500, failed.body)
        self.assertIn("no hosts", failed.body.decode())
        self.assertEqual(self.create("fine-1").code, 202)

    def test_sequence_fails_then_succeeds_then_fails(self) -> None:
        self.register(
            "server.create",
            {"name": "sequence",
             "parameters": {"behaviors": [{"name": "fail", "parameters": {"code": 503}}, {"name": "default"}]}},
        )
        self.assertEqual([self.create(f"s{i}").code for i in range(3)], [503, 202, 503])

    def test_presets_list_the_old_server_keys(self) -> None:
        presets = self.mimic.request("GET", "/mimic/v1.0/presets").json()
        self.assertIn("server_building", presets["servers"])
        self.assertIn("create_server_failure", presets["servers"])
