# -*- test-case-name: mimic.test.test_loadbalancer_validation -*-
"""
Bad input gets CLB's 400 body (``message``, ``code``, ``details``), never
a traceback, and leaves nothing behind.
"""

from __future__ import annotations

import time
from typing import Any

from mimic.test.test_loadbalancer_helpers import LoadBalancerTestCase, balancer_spec


class CreateValidationTests(LoadBalancerTestCase):
    def assertRefused(self, spec: Any, *fragments: str) -> dict[str, Any]:
        response = self.request("POST", "", spec)
        body = self.assertError(response, 400)
        text = str(body)
        for fragment in fragments:
            self.assertIn(fragment, text)
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])
        return body

    def test_duplicate_metadata_keys_are_found_in_linear_time(self) -> None:
        """
        30,000 items fit in CLB's 1 MiB body; finding the repeated key
        among them took 44 s when each key was counted over the list.
        """
        items = [{"key": f"k{i}", "value": "v"} for i in range(30_000)] + [{"key": "k7", "value": "w"}]
        started = time.perf_counter()
        self.assertRefused({"loadBalancer": balancer_spec(metadata=items)}, "Duplicate key 'k7'")
        self.assertLess(time.perf_counter() - started, 5.0)

    def test_bad_protocol(self) -> None:
        self.assertRefused({"loadBalancer": balancer_spec(protocol="GOPHER")}, "GOPHER")

    def test_port_out_of_range(self) -> None:
        self.assertRefused({"loadBalancer": balancer_spec(port=70000)}, "between 1 and 65535")

    def test_missing_name(self) -> None:
        spec = balancer_spec()
        del spec["name"]
        self.assertRefused({"loadBalancer": spec}, "name")

    def test_missing_virtual_ips(self) -> None:
        spec = balancer_spec()
        del spec["virtualIps"]
        self.assertRefused({"loadBalancer": spec}, "virtual IP")

    def test_missing_port_for_a_protocol_without_a_default(self) -> None:
        spec = balancer_spec(protocol="TCP")
        del spec["port"]
        self.assertRefused({"loadBalancer": spec}, "port")

    def test_bad_algorithm_and_node_listed_together(self) -> None:
        body = self.assertRefused(
            {"loadBalancer": balancer_spec(algorithm="FASTEST", nodes=[{"address": "nowhere", "port": 0}])},
            "FASTEST",
        )
        self.assertEqual(body["message"], "Validation Failure")

    def test_bad_node(self) -> None:
        body = self.assertRefused(
            {"loadBalancer": balancer_spec(nodes=[{"address": "nowhere", "port": 0, "condition": "MAYBE"}])}
        )
        self.assertEqual(len(body["validationErrors"]["messages"]), 3)

    def test_bad_virtual_ip_type(self) -> None:
        self.assertRefused({"loadBalancer": balancer_spec(virtualIps=[{"type": "PRIVATE"}])}, "PRIVATE")

    def test_malformed_json(self) -> None:
        response = self.request("POST", "", raw=b"{not json", headers={"Content-Type": "application/json"})
        self.assertError(response, 400)

    def test_empty_body(self) -> None:
        self.assertError(self.request("POST", "", raw=b""), 400)

    def test_unwrapped_body_with_a_bad_value_is_refused_like_a_wrapped_one(self) -> None:
        body = self.assertRefused(balancer_spec(protocol="GOPHER"), "GOPHER")
        self.assertEqual(body["message"], "Validation Failure")

    def test_body_that_is_no_balancer_wrapped_or_not(self) -> None:
        self.assertRefused({}, "name")
        self.assertRefused({"loadBalancer": "web"}, "loadBalancer")

    def test_wrong_shapes_never_cause_a_server_error(self) -> None:
        """
        Whatever the shape of the body, the answer is a 4xx in CLB's shape.
        """
        bodies: list[Any] = [
            [], "x", 1, None, {"loadBalancer": []}, {"loadBalancer": None},
            {"loadBalancer": balancer_spec(nodes="x")}, {"loadBalancer": balancer_spec(nodes=[1])},
            {"loadBalancer": balancer_spec(virtualIps={})}, {"loadBalancer": balancer_spec(virtualIps=[1])},
            {"loadBalancer": balancer_spec(metadata={})}, {"loadBalancer": balancer_spec(metadata=[{"key": 1}])},
            {"loadBalancer": balancer_spec(port=True)}, {"loadBalancer": balancer_spec(name=["a"])},
            {"loadBalancer": balancer_spec(timeout="long")}, {"loadBalancer": balancer_spec(healthMonitor=[])},
            {"loadBalancer": balancer_spec(accessList=[{"address": "10.0.0.0/8"}])},
            {"loadBalancer": balancer_spec(virtualIps=[{"id": "abc"}])},
            {"loadBalancer": balancer_spec(virtualIps=[{"id": 424242}])},
        ]
        for body in bodies:
            raw = b"null" if body is None else None
            response = self.request("POST", "", None if raw else body, raw=raw)
            self.assertIn(response.code, (400, 413), (body, response))
            self.assertEqual(response.json()["code"], response.code)
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])


class ChangeValidationTests(LoadBalancerTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.lb = self.create()

    def test_add_nodes_with_bad_bodies(self) -> None:
        path = f"/{self.lb['id']}/nodes"
        for body in ({}, {"nodes": {}}, {"nodes": []}, {"nodes": [{"address": "10.0.0.5"}]},
                     {"nodes": [{"address": "10.0.0.5", "port": 80, "weight": 0}]},
                     {"nodes": [{"address": "10.0.0.5", "port": 80, "status": "ONLINE"}]}):
            self.assertError(self.request("POST", path, body), 400)
        self.assertEqual(len(self.request("GET", path).json()["nodes"]), 1)

    def test_node_weight_out_of_range(self) -> None:
        node_id = self.lb["nodes"][0]["id"]
        body = self.assertError(
            self.request("PUT", f"/{self.lb['id']}/nodes/{node_id}", {"node": {"weight": 101}}), 400
        )
        self.assertEqual(
            body["validationErrors"]["messages"],
            ["Node weight is invalid. Range is 1-100. Please specify a valid weight."],
        )

    def test_update_with_bad_values(self) -> None:
        for body in ({"loadBalancer": {"protocol": "GOPHER"}}, {"loadBalancer": {"port": 0}},
                     {"loadBalancer": {"timeout": 5}}, {"loadBalancer": {}}, [1]):
            self.assertError(self.request("PUT", f"/{self.lb['id']}", body), 400)
        self.assertEqual(self.show(self.lb["id"])["protocol"], "HTTP")

    def test_bad_json_on_every_body_taking_call(self) -> None:
        base = f"/{self.lb['id']}"
        node = f"{base}/nodes/{self.lb['nodes'][0]['id']}"
        for method, path in (
            ("PUT", base), ("POST", base + "/nodes"), ("PUT", node), ("PUT", base + "/healthmonitor"),
            ("PUT", base + "/connectionthrottle"), ("PUT", base + "/sessionpersistence"),
            ("PUT", base + "/connectionlogging"), ("PUT", base + "/contentcaching"),
            ("POST", base + "/accesslist"), ("PUT", base + "/errorpage"), ("POST", base + "/metadata"),
            ("POST", node + "/metadata"),
        ):
            response = self.request(method, path, raw=b"[}")
            self.assertError(response, 400)

    def test_non_numeric_batch_ids(self) -> None:
        self.assertError(self.request("DELETE", "?id=abc"), 400)
        self.assertError(self.request("DELETE", f"/{self.lb['id']}/nodes?id=abc"), 400)

    def test_bad_query_arguments_on_list(self) -> None:
        for query in ("?limit=0", "?limit=abc", "?marker=x", "?changes-since=yesterday"):
            self.assertError(self.request("GET", query), 400)
