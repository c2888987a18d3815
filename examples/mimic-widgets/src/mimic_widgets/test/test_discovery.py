"""
A real ``twistd mimic`` finds the plugin where it was installed, as a
user's Mimic does.  (The in-memory tests prove the rest.)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.request import Request, urlopen

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import start_mimic


def call(url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-Auth-Token"] = token
    data = None if body is None else json.dumps(body).encode()
    with urlopen(Request(url, data, headers), timeout=10) as response:
        return response.status, json.load(response)


class ProcessTests(SynchronousTestCase):
    def test_twistd_mimic_serves_the_installed_plugin(self) -> None:
        root = start_mimic(self)
        _, access = call(
            root + "/identity/v2.0/tokens",
            {"auth": {"passwordCredentials": {"username": "alice", "password": "p"}}},
        )
        token = access["access"]["token"]["id"]
        [entry] = [e for e in access["access"]["serviceCatalog"] if e["type"] == "widget"]
        status, created = call(
            entry["endpoints"][0]["publicURL"] + "/widgets", {"widget": {"name": "w1"}}, token
        )
        self.assertEqual((status, created["widget"]["status"]), (202, "ACTIVE"))
