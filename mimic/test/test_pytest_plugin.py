# -*- test-case-name: mimic.test.test_pytest_plugin -*-
"""
The pytest fixtures, used as a user's suite would use them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from twisted.trial.unittest import SynchronousTestCase

USERS_SUITE = textwrap.dedent(
    """
    import json
    import urllib.request

    pytest_plugins = ["mimic.pytest_plugin"]

    def test_real_process(mimic_process):
        body = json.dumps({"auth": {"passwordCredentials": {"username": "u", "password": "p"}}})
        request = urllib.request.Request(
            mimic_process.url + "/identity/v2.0/tokens", data=body.encode(), method="POST"
        )
        access = json.load(urllib.request.urlopen(request))["access"]
        assert access["token"]["id"]

    def test_in_memory(in_memory_mimic):
        access = in_memory_mimic.authenticate("alice")
        response = in_memory_mimic.request("GET", "/identity/v2.0/tenants", token=access.token)
        assert response.json()["tenants"][0]["id"] == access.tenant_id
    """
)


class PytestPluginTests(SynchronousTestCase):
    def test_fixtures_serve_a_users_suite(self) -> None:
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        with open(os.path.join(directory, "test_users_suite.py"), "w") as f:
            f.write(USERS_SUITE)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", directory],
            capture_output=True,
            text=True,
            cwd=directory,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("2 passed", result.stdout)
