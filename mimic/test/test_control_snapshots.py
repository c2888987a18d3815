# -*- test-case-name: mimic.test.test_control_snapshots -*-
"""
Named snapshots through the control API: take, list, read, delete and
restore, and every bad request answered in the control API's shape.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.control.snapshots import MAX_SNAPSHOTS
from mimic.services.loadbalancer.plugin import LoadBalancerPlugin
from mimic.test.dummy import CounterMock
from mimic.testing import InMemoryMimic

SNAPSHOTS = "/mimic/v1.1/snapshots"


class SnapshotAPITests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[LoadBalancerPlugin(), CounterMock()])
        self.alice = self.mimic.authenticate("alice")
        self.balancers = self.alice.endpoint("rax:load-balancer", "ORD") + "/loadbalancers"

    def make_balancer(self, name: str) -> None:
        body = {"loadBalancer": {"name": name, "protocol": "HTTP", "port": 80, "virtualIps": [{"type": "PUBLIC"}]}}
        response = self.mimic.request("POST", self.balancers, body, token=self.alice.token)
        self.assertEqual(response.code, 202, response)

    def names(self) -> list[str]:
        return [b["name"] for b in self.mimic.request("GET", self.balancers, token=self.alice.token).json()["loadBalancers"]]

    def test_take_list_read_restore_delete(self) -> None:
        self.make_balancer("first")
        taken = self.mimic.request("POST", SNAPSHOTS, {"name": "world-1"})
        self.assertEqual(taken.code, 201, taken)
        self.assertEqual(taken.header("location"), "http://mimic.test/mimic/v1.1/snapshots/world-1")
        snapshot = taken.json()["snapshot"]
        self.assertEqual(snapshot["name"], "world-1")
        self.assertEqual(snapshot["seconds"], self.mimic.clock.seconds())
        self.assertEqual(snapshot["taken_at"], "2023-11-14T22:13:20.000000Z")
        self.assertEqual(snapshot["services"], ["identity", "loadbalancer"])
        self.assertGreater(snapshot["size"], 100)
        self.assertEqual(self.mimic.request("GET", SNAPSHOTS).json(), {"snapshots": [snapshot]})
        self.assertEqual(self.mimic.request("GET", SNAPSHOTS + "/world-1").json(), {"snapshot": snapshot})

        self.make_balancer("second")
        self.mimic.tick(60)
        for _ in range(2):
            restored = self.mimic.request("POST", SNAPSHOTS + "/world-1/restore")
            self.assertEqual(restored.code, 200, restored)
            self.assertEqual(restored.json(), {"restored": snapshot, "dropped": []})
            self.assertEqual(self.names(), ["first"])
            self.assertEqual(self.mimic.clock.seconds(), snapshot["seconds"])

        self.assertEqual(self.mimic.request("DELETE", SNAPSHOTS + "/world-1").code, 204)
        self.assertEqual(self.mimic.request("GET", SNAPSHOTS).json(), {"snapshots": []})
        self.assertEqual(self.mimic.request("GET", SNAPSHOTS + "/world-1").code, 404)

    def test_a_name_in_use_is_refused_unless_replaced(self) -> None:
        self.assertEqual(self.mimic.request("POST", SNAPSHOTS, {"name": "w"}).code, 201)
        self.make_balancer("later")
        again = self.mimic.request("POST", SNAPSHOTS, {"name": "w"})
        self.assertEqual(again.code, 409)
        self.assertIn("replace", again.json()["message"])
        self.assertEqual(self.mimic.request("POST", SNAPSHOTS, {"name": "w", "replace": True}).code, 201)
        self.make_balancer("latest")
        self.mimic.request("POST", SNAPSHOTS + "/w/restore")
        self.assertEqual(self.names(), ["later"])

    def test_bad_requests_are_400_in_the_control_shape(self) -> None:
        for body in (
            None, [], "w", {}, {"name": ""}, {"name": "a/b"}, {"name": "x" * 101}, {"name": 3},
            {"name": "ok", "replace": "yes"}, {"name": "ok", "extra": 1},
        ):
            response = self.mimic.request("POST", SNAPSHOTS, body)
            self.assertEqual(response.code, 400, (body, response))
            self.assertEqual(set(response.json()), {"message", "code"})
        self.assertEqual(
            self.mimic.request(
                "POST", SNAPSHOTS, raw=b"{nope", headers={"Content-Type": "application/json"}
            ).code,
            400,
        )
        self.assertEqual(self.mimic.request("GET", SNAPSHOTS).json(), {"snapshots": []})

    def test_unknown_snapshots_are_404(self) -> None:
        for method, path in (
            ("GET", "/nope"), ("DELETE", "/nope"), ("POST", "/nope/restore"),
        ):
            response = self.mimic.request(method, SNAPSHOTS + path)
            self.assertEqual(response.code, 404, response)
            self.assertIn("nope", response.json()["message"])

    def test_a_reset_keeps_snapshots(self) -> None:
        self.make_balancer("kept")
        self.mimic.request("POST", SNAPSHOTS, {"name": "w"})
        self.mimic.request("POST", "/mimic/v1.1/reset")
        self.assertEqual(self.mimic.request("GET", self.balancers, token=self.alice.token).code, 401)
        self.assertEqual(self.mimic.request("POST", SNAPSHOTS + "/w/restore").code, 200)
        self.assertEqual(self.names(), ["kept"])

    def test_restore_names_the_states_it_dropped(self) -> None:
        counter = self.alice.endpoint("counter", "ORD")
        self.mimic.request("POST", counter + "/hits", token=self.alice.token)
        self.mimic.request("POST", SNAPSHOTS, {"name": "w"})
        restored = self.mimic.request("POST", SNAPSHOTS + "/w/restore").json()
        self.assertEqual(restored["dropped"], ["counter"])

    def test_snapshots_are_bounded(self) -> None:
        for n in range(MAX_SNAPSHOTS):
            self.assertEqual(self.mimic.request("POST", SNAPSHOTS, {"name": f"s{n}"}).code, 201)
        self.assertEqual(self.mimic.request("POST", SNAPSHOTS, {"name": "one-more"}).code, 409)
        self.assertEqual(self.mimic.request("POST", SNAPSHOTS, {"name": "s0", "replace": True}).code, 201)


class BrokenBalancers(LoadBalancerPlugin):
    """
    A plugin whose saving or restoring fails as a bug would.
    """

    broken = "save"

    def save_region_state(self, state: Any) -> Any:
        if self.broken == "save":
            raise RuntimeError("a bug")
        return super().save_region_state(state)

    def restore_region_state(self, core: Any, tenant_id: str, region: str, saved: Any) -> Any:
        raise RuntimeError("another bug")


class BrokenPluginTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.plugin = BrokenBalancers()
        self.mimic = InMemoryMimic(plugins=[self.plugin])
        alice = self.mimic.authenticate("alice")
        balancers = alice.endpoint("rax:load-balancer", "ORD") + "/loadbalancers"
        body = {"loadBalancer": {"name": "b", "protocol": "HTTP", "port": 80, "virtualIps": [{"type": "PUBLIC"}]}}
        self.mimic.request("POST", balancers, body, token=alice.token)

    def test_a_plugin_that_cannot_save_is_named(self) -> None:
        response = self.mimic.request("POST", SNAPSHOTS, {"name": "w"})
        self.assertEqual(response.code, 500)
        self.assertIn("loadbalancer could not save its state", response.json()["message"])
        self.assertEqual(self.mimic.request("GET", SNAPSHOTS).json(), {"snapshots": []})

    def test_a_plugin_that_cannot_restore_changes_nothing(self) -> None:
        self.plugin.broken = "restore"
        self.mimic.request("POST", SNAPSHOTS, {"name": "w"})
        self.mimic.tick(30)
        before = self.mimic.request("GET", "/mimic/v1.1/state").json()
        response = self.mimic.request("POST", SNAPSHOTS + "/w/restore")
        self.assertEqual(response.code, 409)
        self.assertIn("another bug", response.json()["message"])
        self.assertEqual(self.mimic.request("GET", "/mimic/v1.1/state").json(), before)
