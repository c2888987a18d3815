"""
Tests for :mod:`mimic.control.resources` (a service's own GET for a
tenant, without its token: the dashboard's links to each resource's
JSON) and for what the state dump gives the dashboard to list: compute's
servers with their status, as they are now on Mimic's clock.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import InMemoryMimic

RESOURCES = "/mimic/v1.1/resources"


class ServiceResourceTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.alice = self.mimic.authenticate("alice")
        self.tenant = self.alice.tenant_id

    def create_server(self, name: str) -> dict[str, Any]:
        compute = self.alice.endpoint("compute")
        images = self.mimic.request("GET", compute + "/images", token=self.alice.token).json()["images"]
        response = self.mimic.request(
            "POST", compute + "/servers",
            {"server": {"name": name, "imageRef": images[0]["id"], "flavorRef": "2"}},
            token=self.alice.token,
        )
        self.assertEqual(response.code, 202, response.body)
        return response.json()["server"]

    def compute_summary(self) -> dict[str, Any]:
        state = self.mimic.request("GET", "/mimic/v1.1/state").json()
        return state["services"]["compute"][self.tenant]["ORD"]

    def test_answers_what_the_service_answers_with_a_token(self) -> None:
        server = self.create_server("web-1")
        path = f"/v2/{self.tenant}/servers/{server['id']}"
        without_token = self.mimic.request("GET", f"{RESOURCES}/compute/ORD/{self.tenant}{path}")
        with_token = self.mimic.request(
            "GET", f"/service/compute/ORD/{self.tenant}{path}", token=self.alice.token
        )
        self.assertEqual(without_token.code, 200, without_token.body)
        self.assertEqual(without_token.json(), with_token.json())

    def test_summary_lists_servers_with_status_and_their_paths(self) -> None:
        server = self.create_server("web-1")
        listed = self.compute_summary()["server_list"]
        self.assertEqual(len(listed), 1)
        entry = listed[0]
        self.assertEqual(entry["id"], server["id"])
        self.assertEqual(entry["name"], "web-1")
        self.assertEqual(entry["status"], "ACTIVE")
        self.assertIn("task_state", entry)
        response = self.mimic.request("GET", f"{RESOURCES}/compute/ORD/{self.tenant}/{entry['path']}")
        self.assertEqual(response.json()["server"]["id"], server["id"])

    def test_summary_shows_a_building_server_become_active_on_the_clock(self) -> None:
        registered = self.mimic.request(
            "POST", "/mimic/v1.1/compute/behaviors/server.create",
            {"name": "build", "parameters": {"seconds": 30}, "criteria": [{"server_name": "^slow"}]},
        )
        self.assertEqual(registered.code, 201, registered.body)
        self.create_server("slow-1")
        self.assertEqual(self.compute_summary()["server_list"][0]["status"], "BUILD")
        tick = self.mimic.request("POST", "/mimic/v1.1/tick", {"amount": 31})
        self.assertEqual(tick.code, 200)
        self.assertEqual(self.compute_summary()["server_list"][0]["status"], "ACTIVE")

    def test_unknown_service_or_region_is_a_control_404(self) -> None:
        for path in (f"/nothing/ORD/{self.tenant}/v2", f"/compute/NOWHERE/{self.tenant}/v2"):
            response = self.mimic.request("GET", RESOURCES + path)
            self.assertEqual(response.code, 404, path)
            self.assertIn("message", response.json())
            self.assertEqual(response.json()["code"], 404)

    def test_only_reads(self) -> None:
        compute = f"{RESOURCES}/compute/ORD/{self.tenant}/v2/{self.tenant}/servers"
        response = self.mimic.request("POST", compute, {"server": {"name": "x"}})
        self.assertEqual(response.code, 405)
        self.assertEqual(response.json()["code"], 405)
        self.assertNotIn("compute", self.services())

    def services(self) -> dict[str, Any]:
        return self.mimic.request("GET", "/mimic/v1.1/state").json()["services"]

    def test_a_tenant_nobody_has_keeps_nothing(self) -> None:
        response = self.mimic.request("GET", f"{RESOURCES}/compute/ORD/nobody/v2/nobody/servers")
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(response.json(), {"servers": []})
        self.assertNotIn("nobody", self.services().get("compute", {}))

    def test_listed_in_the_control_index(self) -> None:
        index = self.mimic.request("GET", "/mimic/v1.1").json()
        self.assertIn("/mimic/v1.1/resources/<service>/<region>/<tenant_id>/<path>", index["resources"])

    def test_summary_lists_load_balancers_with_status_and_their_paths(self) -> None:
        endpoint = self.alice.endpoint("rax:load-balancer")
        created = self.mimic.request(
            "POST", endpoint + "/loadbalancers",
            {"loadBalancer": {"name": "web", "port": 80, "protocol": "HTTP",
                              "virtualIps": [{"type": "PUBLIC"}],
                              "nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}]}},
            token=self.alice.token,
        )
        self.assertEqual(created.code, 202, created.body)
        balancer = created.json()["loadBalancer"]
        summary = self.services()["loadbalancer"][self.tenant]["ORD"]
        [entry] = summary["loadbalancer_list"]
        self.assertEqual((entry["id"], entry["name"], entry["nodes"]), (balancer["id"], "web", 1))
        response = self.mimic.request("GET", f"{RESOURCES}/loadbalancer/ORD/{self.tenant}/{entry['path']}")
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(response.json()["loadBalancer"]["id"], balancer["id"])
        self.assertEqual(entry["status"], response.json()["loadBalancer"]["status"])


class EveryServiceListsItsResourcesTests(SynchronousTestCase):
    """
    Each service's summary lists what the dashboard shows as a table
    (``<kind>_list``: an id, a name and the path of the resource's JSON
    below the service's endpoint), and each path leads, through the
    control plane's window, to what the service itself answers.
    """

    def test_images_networks_volumes_and_containers(self) -> None:
        mimic = InMemoryMimic()
        alice = mimic.authenticate("alice")
        tenant = alice.tenant_id

        def made(method: str, url: str, body: Any = None, expected: tuple[int, ...] = (201, 202)) -> Any:
            response = mimic.request(method, url, body, token=alice.token)
            self.assertIn(response.code, expected, response.body)
            return response

        network = made("POST", alice.endpoint("network") + "/v2.0/networks", {"network": {"name": "blue"}})
        volume = made("POST", alice.endpoint("volumev3") + "/volumes", {"volume": {"name": "data", "size": 1}})
        made("PUT", alice.endpoint("object-store") + "/logs", expected=(201,))
        compute = alice.endpoint("compute")
        image_ref = made("GET", compute + "/images", expected=(200,)).json()["images"][0]["id"]
        server = made("POST", compute + "/servers", {"server": {"name": "s", "imageRef": image_ref, "flavorRef": "2"}})
        snapshot = made(
            "POST", f"{compute}/servers/{server.json()['server']['id']}/action", {"createImage": {"name": "snap"}}
        )
        expected = {
            ("network", "network_list"): network.json()["network"]["id"],
            ("blockstorage", "volume_list"): volume.json()["volume"]["id"],
            ("objectstorage", "container_list"): "logs",
            ("image", "image_list"): snapshot.header("location").rsplit("/", 1)[-1],
        }
        services = mimic.request("GET", "/mimic/v1.1/state").json()["services"]
        for (service, kind), resource_id in expected.items():
            listed = services[service][tenant]["ORD"][kind]
            self.assertEqual([entry["id"] for entry in listed], [resource_id], (service, listed))
            if service == "objectstorage":
                # Swift checks a container read's token itself: no link.
                self.assertNotIn("path", listed[0])
                continue
            response = mimic.request("GET", f"{RESOURCES}/{service}/ORD/{tenant}/{listed[0]['path']}")
            self.assertEqual(response.code, 200, (service, response))
            self.assertIn(resource_id, response.body.decode())
