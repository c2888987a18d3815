# -*- test-case-name: mimic.test.test_control_clients -*-
"""
``GET /mimic/v1.1/clouds.yaml``: client configuration written for the
Mimic that serves it, checked in memory (the real clients read it in
:mod:`mimic.test.test_control_clients_integration`).
"""

from __future__ import annotations

import json
import shlex

from twisted.trial.unittest import SynchronousTestCase

from mimic.control import clients
from mimic.testing import InMemoryMimic

URL = "/mimic/v1.1/clouds.yaml"


class CloudsYamlTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()

    def test_names_this_mimic_identity_v3_and_a_region(self) -> None:
        response = self.mimic.request("GET", URL, headers={"Host": "mimic.example:8900"})
        self.assertEqual(response.code, 200)
        self.assertEqual(response.header("content-type"), "text/yaml; charset=utf-8")
        text = response.body.decode()
        self.assertIn('      auth_url: "http://mimic.example:8900/identity"\n', text)
        self.assertIn("    identity_api_version: 3\n", text)
        self.assertIn('    region_name: "ORD"\n', text)
        self.assertIn("clouds:\n  mimic:\n    auth:\n", text)

    def test_every_value_is_a_json_string_yaml_reads_as_is(self) -> None:
        text = clients.clouds_yaml('http://h"x\\y', "u", "DFW")
        line = next(l for l in text.splitlines() if "auth_url" in l)
        self.assertEqual(json.loads(line.split(": ", 1)[1]), 'http://h"x\\y/identity')

    def test_credentials_work_for_identity_v3(self) -> None:
        env = self.environment("?format=env&username=carol&region=IAD")
        self.assertEqual(env["OS_REGION_NAME"], "IAD")
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": env["OS_USERNAME"],
                        "password": env["OS_PASSWORD"],
                        "domain": {"name": env["OS_USER_DOMAIN_NAME"]},
                    }
                },
            },
            "scope": {
                "project": {"name": env["OS_PROJECT_NAME"], "domain": {"name": env["OS_PROJECT_DOMAIN_NAME"]}}
            },
        }
        for attempt in range(2):
            response = self.mimic.request("POST", "/identity/v3/auth/tokens", {"auth": auth})
            self.assertEqual(response.code, 201, response.body)
        self.assertEqual(response.json()["token"]["project"]["name"], "carol-project")

    def environment(self, query: str) -> dict[str, str]:
        response = self.mimic.request("GET", URL + query)
        self.assertEqual(response.code, 200, response.body)
        found = {}
        for line in response.body.decode().splitlines():
            export, assignment = line.split(" ", 1)
            self.assertEqual(export, "export")
            name, value = assignment.split("=", 1)
            found[name] = shlex.split(value)[0]
        return found

    def test_env_lines_are_shell_quoted(self) -> None:
        env = self.environment("?format=env")
        self.assertEqual(env["OS_AUTH_URL"], "http://mimic.test/identity")
        self.assertEqual(env["OS_IDENTITY_API_VERSION"], "3")
        text = clients.environment("http://h'; rm -rf /", "u")
        self.assertIn("export OS_AUTH_URL='http://h'\"'\"'; rm -rf //identity'\n", text)

    def test_unknown_format_and_bad_names_are_400(self) -> None:
        for query, words in [
            ("?format=xml", "Unknown format 'xml'"),
            ("?username=a%20b", "username 'a b' cannot be used"),
            ("?region=" + "x" * 80, "region 'xxx"),
        ]:
            response = self.mimic.request("GET", URL + query)
            self.assertEqual(response.code, 400, query)
            self.assertIn(words, response.json()["message"])

    def test_listed_in_the_index(self) -> None:
        index = self.mimic.request("GET", "/mimic/v1.1").json()
        self.assertEqual(index["clouds.yaml"], "GET http://mimic.test/mimic/v1.1/clouds.yaml[?format=env]")
        self.assertIn("/mimic/v1.1/clouds.yaml", self.mimic.request("GET", "/").body.decode())
