# -*- test-case-name: mimic.test.test_loadbalancer_integration -*-
"""
apache-libcloud's Rackspace load-balancer driver, unmodified, against a
real ``twistd mimic``; raw HTTP for what libcloud does not cover (the
clock, the old mimic's metadata triggers).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from libcloud.common.types import LibcloudError
from libcloud.loadbalancer.base import Algorithm, Member
from libcloud.loadbalancer.providers import get_driver
from libcloud.loadbalancer.types import MemberCondition, Provider, State
from twisted.trial.unittest import TestCase

from mimic.testing import pristine_mimic


class MimicProcessTestCase(TestCase):
    def setUp(self) -> None:
        self.url = pristine_mimic()

    def http(self, method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token is not None:
            request.add_header("X-Auth-Token", token)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def driver(self, username: str = "libcloud-user", region: str = "ord") -> Any:
        cls = get_driver(Provider.RACKSPACE)
        return cls(
            username,
            "api-key",
            region=region,
            ex_force_auth_url=f"{self.url}/identity",
            ex_force_auth_version="2.0_apikey",
        )


class LibcloudTests(MimicProcessTestCase):
    def test_create_list_attach_detach_destroy(self) -> None:
        driver = self.driver()
        balancer = driver.create_balancer(
            name="web",
            members=[Member(None, "10.0.0.1", 80)],
            protocol="http",
            port=80,
            algorithm=Algorithm.ROUND_ROBIN,
        )
        self.assertEqual(balancer.name, "web")
        self.assertEqual(balancer.state, State.PENDING)
        self.assertTrue(balancer.ip)

        listed = driver.list_balancers()
        self.assertEqual([b.id for b in listed], [balancer.id])
        self.assertEqual(listed[0].state, State.RUNNING)

        fetched = driver.get_balancer(balancer.id)
        self.assertEqual(fetched.extra["algorithm"], Algorithm.ROUND_ROBIN)

        member = driver.balancer_attach_member(fetched, Member(None, "10.0.0.2", 8080))
        self.assertEqual((member.ip, member.port), ("10.0.0.2", 8080))
        members = driver.balancer_list_members(fetched)
        self.assertEqual(sorted(m.ip for m in members), ["10.0.0.1", "10.0.0.2"])

        self.assertTrue(driver.balancer_detach_member(fetched, member))
        self.assertEqual([m.ip for m in driver.balancer_list_members(fetched)], ["10.0.0.1"])

        self.assertTrue(driver.destroy_balancer(fetched))
        self.assertEqual(driver.get_balancer(balancer.id).state, State.DELETED)
        self.assertEqual(driver.list_balancers(), [])

    def test_polling_calls_update_and_configure_settings(self) -> None:
        """
        libcloud's blocking calls poll until ACTIVE, which Mimic's
        balancers reach without anybody advancing the clock.
        """
        driver = self.driver()
        balancer = driver.create_balancer("api", [Member(None, "10.0.0.1", 80)])
        updated = driver.update_balancer(balancer, name="api-2", port=8080)
        self.assertEqual((updated.name, updated.port), ("api-2", 8080))

        members = driver.ex_balancer_attach_members(
            updated, [Member(None, "10.0.0.3", 80), Member(None, "10.0.0.4", 80)]
        )
        member = driver.ex_balancer_update_member(
            updated, members[0], condition=MemberCondition.DRAINING, weight=10
        )
        self.assertEqual(member.extra["condition"], MemberCondition.DRAINING)
        after = driver.ex_balancer_detach_members(updated, members)
        self.assertEqual(len(after.extra["members"]), 1)

        logged = driver.ex_enable_balancer_connection_logging(updated)
        self.assertTrue(logged.extra["connectionLoggingEnabled"])
        persisted = driver.ex_enable_balancer_session_persistence(updated)
        self.assertEqual(persisted.extra["sessionPersistenceType"], "HTTP_COOKIE")
        driver.ex_update_balancer_error_page(updated, "<html>sorry</html>")
        self.assertEqual(driver.ex_get_balancer_error_page(updated), "<html>sorry</html>")

        from libcloud.loadbalancer.drivers.rackspace import (
            RackspaceAccessRule,
            RackspaceAccessRuleType,
            RackspaceConnectionThrottle,
            RackspaceHealthMonitor,
        )

        throttled = driver.ex_update_balancer_connection_throttle(
            updated, RackspaceConnectionThrottle(10, 100, 50, 60)
        )
        self.assertEqual(throttled.extra["connectionThrottle"].max_connections, 100)

        monitored = driver.ex_update_balancer_health_monitor(
            updated, RackspaceHealthMonitor("CONNECT", 10, 5, 2)
        )
        self.assertEqual(monitored.extra["healthMonitor"].type, "CONNECT")
        rule = driver.ex_create_balancer_access_rule(
            updated, RackspaceAccessRule(rule_type=RackspaceAccessRuleType.DENY, address="0.0.0.0/0")
        )
        self.assertEqual([r.id for r in driver.ex_balancer_access_list(updated)], [rule.id])
        driver.ex_destroy_balancer_access_rule(updated, rule)
        self.assertEqual(driver.ex_balancer_access_list(updated), [])

    def test_protocols_and_algorithms(self) -> None:
        driver = self.driver()
        self.assertIn("http", driver.list_protocols())
        self.assertIn(("https", 443), driver.ex_list_protocols_with_default_ports())
        self.assertIn("ROUND_ROBIN", driver.ex_list_algorithm_names())

    def test_batch_destroy(self) -> None:
        driver = self.driver()
        balancers = [driver.create_balancer(f"lb{i}", [Member(None, "10.0.0.1", 80)]) for i in range(3)]
        self.assertTrue(driver.ex_destroy_balancers(balancers[:2]))
        self.assertEqual([b.id for b in driver.list_balancers()], [balancers[2].id])

    def test_tenants_and_regions_are_isolated(self) -> None:
        alice, bob = self.driver("alice"), self.driver("bob")
        alice.create_balancer("alice-lb", [Member(None, "10.0.0.1", 80)])
        self.assertEqual(bob.list_balancers(), [])
        self.assertEqual(self.driver("alice", region="dfw").list_balancers(), [])

    def test_balancer_going_to_error_during_an_update_fails_the_libcloud_call(self) -> None:
        driver = self.driver()
        balancer = driver.create_balancer("doomed", [Member(None, "10.0.0.1", 80)])
        token = driver.connection.auth_token
        url = f"{driver.connection.get_endpoint()}/loadbalancers/{balancer.id}/metadata"
        code, _ = self.http("POST", url, {"metadata": [{"key": "lb_error_state", "value": "x"}]}, token)
        self.assertEqual(code, 200)
        error = self.assertRaises(LibcloudError, driver.update_balancer, balancer, name="x")
        self.assertIn("ERROR", str(error))
        self.assertEqual(driver.get_balancer(balancer.id).state, State.ERROR)


class RawHTTPTests(MimicProcessTestCase):
    def setUp(self) -> None:
        super().setUp()
        code, body = self.http(
            "POST",
            f"{self.url}/identity/v2.0/tokens",
            {"auth": {"passwordCredentials": {"username": "raw", "password": "pw"}}},
        )
        self.assertEqual(code, 200)
        access = body["access"]
        self.token = access["token"]["id"]
        (entry,) = [e for e in access["serviceCatalog"] if e["name"] == "cloudLoadBalancers"]
        (endpoint,) = [e for e in entry["endpoints"] if e["region"] == "ORD"]
        self.balancers_url = endpoint["publicURL"] + "/loadbalancers"

    def tick(self, seconds: float) -> None:
        code, _ = self.http("POST", f"{self.url}/mimic/v1.1/tick", {"amount": seconds})
        self.assertEqual(code, 200)

    def test_build_and_pending_update_follow_the_tick_api(self) -> None:
        spec = {
            "name": "slow",
            "protocol": "HTTP",
            "port": 80,
            "virtualIps": [{"type": "PUBLIC"}],
            "nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}],
            "metadata": [{"key": "lb_building", "value": "30"}, {"key": "lb_pending_update", "value": "10"}],
        }
        code, body = self.http("POST", self.balancers_url, {"loadBalancer": spec}, self.token)
        self.assertEqual(code, 202)
        lb_url = f"{self.balancers_url}/{body['loadBalancer']['id']}"
        status = lambda: self.http("GET", lb_url, token=self.token)[1]["loadBalancer"]["status"]
        self.assertEqual(status(), "BUILD")
        new_node = {"nodes": [{"address": "10.0.0.2", "port": 80, "condition": "ENABLED"}]}
        code, body = self.http("POST", lb_url + "/nodes", new_node, self.token)
        self.assertEqual((code, body["code"]), (422, 422))
        self.tick(30)
        self.assertEqual(status(), "ACTIVE")
        self.assertEqual(self.http("POST", lb_url + "/nodes", new_node, self.token)[0], 202)
        self.assertEqual(status(), "PENDING_UPDATE")
        self.tick(10)
        self.assertEqual(status(), "ACTIVE")

    def test_bad_json_is_a_clb_400(self) -> None:
        request = urllib.request.Request(self.balancers_url, data=b"{oops", method="POST")
        request.add_header("X-Auth-Token", self.token)
        request.add_header("Content-Type", "application/json")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=10)
        body = json.loads(caught.exception.read())
        self.assertEqual((caught.exception.code, body["code"]), (400, 400))
        self.assertIn("details", body)
