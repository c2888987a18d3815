"""
The control API over real HTTP, against a real ``twistd mimic``, with real
identity clients seeing the conditions it registers.

Each test gets its own Mimic process (start-up is well under a second).
"""

from __future__ import annotations

from typing import Any

import requests
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2, v3
from twisted.trial.unittest import TestCase

from mimic.testing import pristine_mimic


class ControlOverHTTPTests(TestCase):
    def setUp(self) -> None:
        self.url = pristine_mimic()

    def control(self, path: str) -> str:
        return f"{self.url}/mimic/v1.1/{path}"

    def register(self, path: str, body: dict[str, Any]) -> requests.Response:
        response = requests.post(self.control(path), json=body, timeout=10)
        self.assertEqual(response.status_code, 201, response.text)
        return response

    def v2_token(self, username: str) -> str:
        auth = v2.Password(f"{self.url}/identity/v2.0", username=username, password="pw")
        return ks_session.Session(auth=auth).get_token()

    def v3_token(self, username: str) -> str:
        auth = v3.Password(
            f"{self.url}/identity/v3",
            username=username,
            password="pw",
            user_domain_id="default",
            project_name=f"{username}-project",
            project_domain_id="default",
        )
        return ks_session.Session(auth=auth).get_token()

    def test_keystoneauth_sees_registered_auth_failure_until_deleted(self) -> None:
        location = self.register(
            "identity/behaviors/auth",
            {"name": "fail", "parameters": {"code": 503, "message": "Down for maintenance"},
             "criteria": [{"username": "^ci-"}]},
        ).headers["Location"]
        self.assertTrue(location.startswith(self.url + "/mimic/v1.1/identity/behaviors/"))
        e = self.assertRaises(ks_exceptions.HttpError, self.v2_token, "ci-alice")
        self.assertEqual(e.http_status, 503)
        self.assertTrue(self.v2_token("dev-bob"))
        self.assertEqual(requests.delete(location, timeout=10).status_code, 204)
        self.assertTrue(self.v2_token("ci-alice"))

    def test_v3_auth_fails_once_then_succeeds(self) -> None:
        self.register(
            "IdentityControlAPI/behaviors/auth",
            {"name": "fail", "parameters": {"code": 500}, "criteria": [], "times": 1},
        )
        self.assertRaises(ks_exceptions.HttpError, self.v3_token, "carol")
        self.assertTrue(self.v3_token("carol"))
        self.assertEqual(requests.get(self.control("behaviors"), timeout=10).json(), {"behaviors": []})

    def test_reset_between_tests_leaves_nothing_behind(self) -> None:
        self.v2_token("dave")
        self.register("identity/behaviors/authentication", {"name": "fail"})
        state = requests.get(self.control("state"), timeout=10).json()
        self.assertEqual([t["username"] for t in state["tenants"]], ["dave"])
        self.assertEqual(len(state["behaviors"]), 1)
        self.assertEqual(requests.post(self.control("reset"), timeout=10).status_code, 200)
        state = requests.get(self.control("state"), timeout=10).json()
        self.assertEqual((state["tenants"], state["behaviors"]), ([], []))
        self.assertTrue(self.v2_token("dave"))

    def test_bad_registration_is_a_400_naming_the_problem(self) -> None:
        response = requests.post(
            self.control("identity/behaviors/auth"),
            json={"name": "fail", "criteria": [{"username": "(unclosed"}]},
            timeout=10,
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("regular expression", response.json()["message"])

    def test_catalogue_and_presets_are_served(self) -> None:
        catalogue = requests.get(self.control("failures"), timeout=10).json()
        self.assertIn("identity.authentication", [e["id"] for e in catalogue["events"]])
        presets = requests.get(f"{self.url}/mimic/v1.0/presets", timeout=10)
        self.assertEqual(presets.status_code, 200)
        self.assertIsInstance(presets.json(), dict)

    def test_tick_moves_the_served_clock(self) -> None:
        before = requests.get(self.control("clock"), timeout=10).json()["seconds"]
        ticked = requests.post(self.control("tick"), json={"amount": 60}, timeout=10).json()
        self.assertEqual(ticked["seconds"], before + 60)

    def test_novaclient_sees_registered_server_create_failure(self) -> None:
        """
        A client that cannot set metadata (Horizon, say) still provokes a
        compute failure: registered by the test, seen by novaclient.
        """
        from novaclient import client as nova_client
        from novaclient import exceptions as nova_exceptions

        auth = v2.Password(f"{self.url}/identity/v2.0", username="nova-user", password="pw")
        sess = ks_session.Session(auth=auth)
        nova = nova_client.Client("2.1", session=sess, region_name="ORD")
        flavor = nova.flavors.list()[0]
        image = sess.get("/images", endpoint_filter={"service_type": "compute", "region_name": "ORD"})
        image_id = image.json()["images"][0]["id"]
        self.register(
            "compute/behaviors/creation",
            {"name": "fail", "parameters": {"code": 503, "message": "No capacity"},
             "criteria": [{"server_name": "^doomed"}], "times": 1},
        )
        e = self.assertRaises(
            nova_exceptions.ClientException, nova.servers.create, "doomed-1", image_id, flavor.id
        )
        self.assertEqual(e.code, 503)
        self.assertIn("No capacity", str(e))
        server = nova.servers.create("doomed-1", image_id, flavor.id)
        self.assertEqual(server.name, "doomed-1")
