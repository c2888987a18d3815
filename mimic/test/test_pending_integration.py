# -*- test-case-name: mimic.test.test_pending_integration -*-
"""
The clock's pending events through a real ``twistd mimic``: openstacksdk
creates a slow server, ``GET /mimic/v1.1/clock`` says when it becomes
ACTIVE, and ``POST /mimic/v1.1/tick {"until": "idle"}`` gets it there.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import start_mimic


class PendingThroughOpenStackSDKTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = start_mimic(self)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        import requests

        response = requests.request(method, f"{self.url}/mimic/v1.1{path}", json=body, timeout=10)
        self.assertEqual(response.status_code, 200 if method != "POST" or path == "/tick" else 201, response.text)
        return response.json()

    def test_slow_server_is_listed_then_ticked_to_active(self) -> None:
        import openstack
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v2

        self.control(
            "POST", "/compute/behaviors/server.create", {"name": "build", "parameters": {"seconds": 45}}
        )
        session = ks_session.Session(auth=v2.Password(f"{self.url}/identity/v2.0", username="clock", password="pw"))
        conn = openstack.connection.Connection(session=session, region_name="ORD", compute_api_version="2")
        server = conn.compute.create_server(name="slow", image_id=DEFAULT_IMAGE_ID, flavor_id="general1-1")
        self.assertEqual(conn.compute.get_server(server.id).status, "BUILD")

        clock = self.control("GET", "/clock")
        [building] = [e for e in clock["pending"] if e["kind"] == "transition"]
        self.assertEqual(
            (building["resource"], building["id"], building["name"], building["event"], building["in"]),
            ("server", server.id, "slow", "becomes ACTIVE", 45),
        )

        ticked = self.control("POST", "/tick", {"until": "idle"})
        self.assertEqual((ticked["advanced"], ticked["idle"]), (45, True))
        self.assertEqual([e["id"] for e in ticked["happened"]], [server.id])
        self.assertEqual([e["resource"] for e in ticked["pending"]], ["token"])
        self.assertEqual(conn.compute.get_server(server.id).status, "ACTIVE")
