# -*- test-case-name: mimic.test.test_legacy_control_integration -*-
"""
The old mimic's catalog control entries against a real ``twistd mimic``:
found in a real catalog by keystoneauth, called over HTTP without a
token as otter's integration tests call them, with python-novaclient
and apache-libcloud seeing the effect.
"""

from __future__ import annotations

from typing import Any

import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import start_mimic

FLAVOR = "general1-1"


class LegacyControlOverHTTPTests(SynchronousTestCase):
    def start(self, *args: str) -> None:
        self.url = start_mimic(self, *args)
        self.session = ks_session.Session(
            auth=v2.Password(f"{self.url}/identity/v2.0", username="otter", password="pw")
        )

    def endpoint(self, service_type: str, service_name: str | None = None) -> str:
        return self.session.get_endpoint(
            service_type=service_type, service_name=service_name, region_name="ORD", interface="public"
        )

    def nova(self) -> Any:
        from novaclient import client

        return client.Client("2", session=self.session, region_name="ORD")

    def test_compute_behaviors_found_in_the_catalog_fail_novaclient_creates(self) -> None:
        """
        With ``legacy_control.service_types``, an old suite finds the entry
        as it did: by the service's type and the entry's name.
        """
        from novaclient import exceptions

        self.start("--set", "legacy_control.service_types=yes")
        control = self.endpoint("compute", "cloudServersBehavior")
        self.assertNotEqual(control, self.endpoint("compute"))
        body = {
            "criteria": [{"server_name": "as-.*"}],
            "name": "sequence",
            "parameters": {"behaviors": [{"name": "fail", "parameters": {"code": 500}}, {"name": "default"}]},
        }
        response = requests.post(f"{control}/behaviors/creation", json=body, timeout=10)
        self.assertEqual(response.status_code, 201, response.text)
        behavior_id = response.json()["id"]

        nova = self.nova()
        e = self.assertRaises(
            exceptions.ClientException, nova.servers.create, "as-1", DEFAULT_IMAGE_ID, FLAVOR
        )
        self.assertEqual(e.code, 500)
        server = nova.servers.create("as-2", DEFAULT_IMAGE_ID, FLAVOR)

        response = requests.post(f"{control}/attributes", json={"status": {server.id: "ERROR"}}, timeout=10)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(nova.servers.get(server.id).status, "ERROR")

        deleted = requests.delete(f"{control}/behaviors/creation/{behavior_id}", timeout=10)
        self.assertEqual(deleted.status_code, 204)
        self.assertEqual(nova.servers.create("as-3", DEFAULT_IMAGE_ID, FLAVOR).name, "as-3")

    def test_load_balancer_control_sets_a_status_libcloud_sees(self) -> None:
        from libcloud.loadbalancer.base import Algorithm, Member
        from libcloud.loadbalancer.providers import Provider, get_driver
        from libcloud.loadbalancer.types import State

        """
        By default the entry has a type of its own; found by name, it is
        the same control API.
        """
        self.start()
        control = self.endpoint("mimic:load-balancer-control", "cloudLoadBalancerControl")
        self.assertNotEqual(control, self.endpoint("rax:load-balancer"))
        driver = get_driver(Provider.RACKSPACE)(
            "otter", "api-key", region="ord", ex_force_auth_url=f"{self.url}/identity",
            ex_force_auth_version="2.0_apikey",
        )
        balancer = driver.create_balancer(
            name="web", port=80, protocol="http", algorithm=Algorithm.ROUND_ROBIN,
            members=[Member(None, "10.0.0.1", 80)],
        )
        response = requests.patch(
            f"{control}/loadbalancer/{balancer.id}/attributes", json={"status": "ERROR"}, timeout=10
        )
        self.assertEqual(response.status_code, 204, response.text)
        self.assertEqual(driver.get_balancer(balancer.id).state, State.ERROR)
