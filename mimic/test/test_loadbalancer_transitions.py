# -*- test-case-name: mimic.test.test_loadbalancer_transitions -*-
"""
How long a balancer's transitions take: ``loadbalancer.build_seconds``,
``update_seconds`` and ``delete_seconds``, zero by default (each done by
the next request), a custom value showing BUILD, PENDING_UPDATE or
PENDING_DELETE until the clock has moved that far, and a condition
keeping its own time.
"""

from __future__ import annotations

from mimic.test.test_loadbalancer_helpers import LB_TYPE, LoadBalancerTestCase
from mimic.testing import InMemoryMimic

SETTINGS = {
    "loadbalancer.build_seconds": "4",
    "loadbalancer.update_seconds": "3",
    "loadbalancer.delete_seconds": "2",
}


class ZeroByDefaultTests(LoadBalancerTestCase):
    def test_every_transition_is_done_by_the_next_request(self) -> None:
        lb_id = self.create()["id"]
        self.assertEqual(self.status(lb_id), "ACTIVE")
        self.assertEqual(self.request("PUT", f"/{lb_id}", {"loadBalancer": {"name": "new"}}).code, 202)
        self.assertEqual(self.status(lb_id), "ACTIVE")
        self.assertEqual(self.request("DELETE", f"/{lb_id}").code, 202)
        self.assertEqual(self.status(lb_id), "DELETED")


class CustomTimesTests(LoadBalancerTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(settings=SETTINGS)
        self.access = self.mimic.authenticate("lb-user")
        self.url = self.access.endpoint(LB_TYPE, self.region) + "/loadbalancers"

    def test_build_takes_build_seconds(self) -> None:
        lb_id = self.create()["id"]
        self.mimic.tick(3.5)
        self.assertEqual(self.status(lb_id), "BUILD")
        self.assertEqual(self.request("PUT", f"/{lb_id}", {"loadBalancer": {"name": "x"}}).code, 422)
        self.mimic.tick(0.5)
        self.assertEqual(self.status(lb_id), "ACTIVE")

    def test_every_change_takes_update_seconds(self) -> None:
        lb_id = self.create()["id"]
        self.mimic.tick(4)
        nodes = [{"address": "10.0.0.9", "port": 80, "condition": "ENABLED"}]
        for method, path, body in (
            ("PUT", "", {"loadBalancer": {"name": "new"}}),
            ("POST", "/nodes", {"nodes": nodes}),
            ("PUT", "/connectionlogging", {"connectionLogging": {"enabled": True}}),
        ):
            self.assertEqual(self.request(method, f"/{lb_id}{path}", body).code, 202)
            self.assertEqual(self.status(lb_id), "PENDING_UPDATE")
            self.mimic.tick(2.5)
            self.assertEqual(self.status(lb_id), "PENDING_UPDATE")
            self.mimic.tick(0.5)
            self.assertEqual(self.status(lb_id), "ACTIVE")

    def test_delete_takes_delete_seconds(self) -> None:
        lb_id = self.create()["id"]
        self.mimic.tick(4)
        self.assertEqual(self.request("DELETE", f"/{lb_id}").code, 202)
        self.assertEqual(self.status(lb_id), "PENDING_DELETE")
        self.mimic.tick(2)
        self.assertEqual(self.status(lb_id), "DELETED")

    def test_a_condition_keeps_its_own_time(self) -> None:
        """
        ``lb_building`` (here a number, as old suites send it) says how
        long BUILD lasts, whatever ``build_seconds`` says; so does a zero
        given explicitly.
        """
        lb_id = self.create(metadata=[{"key": "lb_building", "value": 20}])["id"]
        self.mimic.tick(4)
        self.assertEqual(self.status(lb_id), "BUILD")
        self.mimic.tick(16)
        self.assertEqual(self.status(lb_id), "ACTIVE")
        quick = self.create(metadata=[{"key": "lb_building", "value": "0"}])["id"]
        self.assertEqual(self.status(quick), "ACTIVE")
