# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
Shared set-up for the Cloud Load Balancers unit tests: an in-memory Mimic,
a user, and helpers that speak the API as a client would.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import InMemoryMimic, Response

LB_TYPE = "rax:load-balancer"


def balancer_spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "web",
        "protocol": "HTTP",
        "port": 80,
        "virtualIps": [{"type": "PUBLIC"}],
        "nodes": [{"address": "10.0.0.1", "port": 80, "condition": "ENABLED"}],
    }
    spec.update(overrides)
    return spec


class LoadBalancerTestCase(SynchronousTestCase):
    region = "ORD"

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("lb-user")
        self.url = self.access.endpoint(LB_TYPE, self.region) + "/loadbalancers"

    def request(self, method: str, path: str = "", body: Any = None, **kwargs: Any) -> Response:
        return self.mimic.request(method, self.url + path, body, token=self.access.token, **kwargs)

    def create(self, **overrides: Any) -> dict[str, Any]:
        response = self.request("POST", "", {"loadBalancer": balancer_spec(**overrides)})
        self.assertEqual(response.code, 202, response)
        return response.json()["loadBalancer"]

    def show(self, lb_id: int) -> dict[str, Any]:
        response = self.request("GET", f"/{lb_id}")
        self.assertEqual(response.code, 200, response)
        return response.json()["loadBalancer"]

    def status(self, lb_id: int) -> str:
        return self.show(lb_id)["status"]

    def assertError(self, response: Response, code: int, message: str | None = None) -> dict[str, Any]:
        """
        The response is CLB's error body with this code (and message).
        """
        self.assertEqual(response.code, code, response)
        body = response.json()
        self.assertEqual(body["code"], code)
        self.assertIn("message", body)
        if code == 400:
            self.assertIn("details", body)
        if message is not None:
            self.assertEqual(body["message"], message)
        return body
