# -*- test-case-name: mimic.test.test_command_integration -*-
"""
The ``mimic`` command against a real ``twistd mimic``, with a client
making servers over HTTP in between: what it prints and the exit codes a
CI script sees.  A few runs are ``python -m mimic`` subprocesses, as a
shell runs it (one per exit code); the rest call
:func:`mimic.command.main` in process, over the same HTTP, which costs
no interpreter start.

One Mimic serves every test of this module (per trial worker,
:func:`mimic.testing.shared_mimic`); tests
keep out of each other's way with their own user names and snapshot
names, and delete every registration first.

:class:`CommandOnNewRoutesTests` drives the routes of the journal, fault
coverage, the clock's pending events and snapshots; where the Mimic under
test does not serve one yet (it answers "The control API has nothing
at ..."), that test is skipped and says so.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

import mimic
from mimic import command
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import shared_mimic

FLAVOR = "general1-1"


def mimic_command(url: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    """
    Run ``python -m mimic --url URL ARGS...`` as a shell would, with this
    checkout's package importable.
    """
    env = dict(os.environ)
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in [package_parent, env.get("PYTHONPATH", "")] if p)
    env.pop("MIMIC_URL", None)
    url_args = ["--url", url] if url else []
    return subprocess.run(
        [sys.executable, "-m", "mimic", *url_args, *args], capture_output=True, text=True, env=env, timeout=60
    )


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            content = response.read()
            return response.status, json.loads(content) if content else None
    except urllib.error.HTTPError as error:
        content = error.read()
        return error.code, json.loads(content) if content else None


class Client:
    """
    One user of the Mimic at ``url``, making servers in ORD.
    """

    def __init__(self, url: str, username: str) -> None:
        status, body = http("POST", url + "/identity/v2.0/tokens",
                            {"auth": {"passwordCredentials": {"username": username, "password": "pw"}}})
        assert status == 200, body
        access = body["access"]
        self.token = access["token"]["id"]
        self.tenant_id = access["token"]["tenant"]["id"]
        compute = next(e for e in access["serviceCatalog"] if e["type"] == "compute")
        self.compute = next(e["publicURL"] for e in compute["endpoints"] if e.get("region") == "ORD")

    def create_server(self, name: str, **metadata: str) -> tuple[int, Any]:
        server = {"name": name, "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR, "metadata": metadata}
        return http("POST", self.compute + "/servers", {"server": server}, self.token)

    def servers(self) -> list[dict[str, Any]]:
        status, body = http("GET", self.compute + "/servers/detail", token=self.token)
        assert status == 200, body
        return body["servers"]


class Ran:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


class CommandTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = shared_mimic()
        self.assertEqual(http("DELETE", self.url + "/mimic/v1.1/behaviors")[0], 204)

    def mimic(self, *args: str, expected: int = 0) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        code = command.main(["--url", self.url, *args], out, err)
        result = Ran(code, out.getvalue(), err.getvalue())
        self.assertEqual(code, expected, f"mimic {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result

    def shell(self, *args: str, expected: int = 0) -> subprocess.CompletedProcess[str]:
        result = mimic_command(self.url, *args)
        self.assertEqual(result.returncode, expected, f"mimic {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result

    def mimic_json(self, *args: str) -> Any:
        return json.loads(self.mimic("--json", *args).stdout)


class CommandOnExistingRoutesTests(CommandTestCase):
    def test_tick_fail_behaviors_unfail_and_mimics_400(self) -> None:
        self.assertEqual(json.loads(self.shell("tick", "30", "--json").stdout)["advanced"], 30)
        self.assertIn("compute.server.create            fail", self.mimic("failures", "compute").stdout)
        registered = self.mimic_json(
            "fail", "compute.server.create", "--code", "503", "--times", "2", "--match", "server_name=web-.*"
        )
        self.assertEqual((registered["name"], registered["times"], registered["parameters"]["code"]),
                         ("fail", 2, 503))
        alice = Client(self.url, "cmd-alice")
        self.assertEqual(alice.create_server("web-1")[0], 503)
        self.assertEqual(alice.create_server("db-1")[0], 202)
        listed = self.mimic("behaviors").stdout.splitlines()
        self.assertEqual(listed[1].split()[:3], [registered["id"], "compute.server.create", "fail"])
        self.mimic("unfail", registered["id"])
        self.assertEqual(self.mimic("behaviors").stdout, "no registrations\n")
        self.assertEqual(alice.create_server("web-2")[0], 202)
        refused = self.shell("fail", "compute.server.create", "--code", "900", expected=1)
        self.assertEqual(
            refused.stderr, "mimic: Mimic answered 400: parameter 'code' must be from 400 to 599, got 900\n"
        )

    def test_state_reset_clouds_yaml_and_exit_codes_2_and_3(self) -> None:
        bob = Client(self.url, "bob")
        self.assertIn(bob.tenant_id, self.mimic("state").stdout)
        self.assertEqual(self.mimic("reset", "--tenant", bob.tenant_id).stdout, f"reset tenant {bob.tenant_id}\n")
        self.assertEqual(self.mimic_json("state", "--tenant", bob.tenant_id)["tenants"], [])
        exports = self.mimic("clouds-yaml", "--env").stdout
        self.assertIn(f"export OS_AUTH_URL={self.url}/identity\n", exports)
        self.assertIn(f'auth_url: "{self.url}/identity"', self.mimic("clouds-yaml").stdout)
        self.assertIn("give either SECONDS or --until", self.shell("tick", expected=2).stderr)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed = f"http://127.0.0.1:{s.getsockname()[1]}"
        unreachable = mimic_command(closed, "clock")
        self.assertEqual(unreachable.returncode, 3, unreachable.stderr)
        self.assertIn(f"cannot reach Mimic at {closed}", unreachable.stderr)


class CommandOnNewRoutesTests(CommandTestCase):
    """
    One test per route added for issue 17, through the command.
    """

    def test_requests_count_and_expect(self) -> None:
        alice = Client(self.url, "journal-user")
        alice.create_server("one")
        mine = ("--service", "compute", "--tenant", alice.tenant_id, "--method", "POST")
        self.mimic("requests", *mine, "--path", "/servers$", "--count", "--expect", "1")
        failed = self.mimic("requests", *mine, "--expect", "2", expected=1)
        self.assertIn("expected exactly 2 matching request(s), found 1", failed.stderr)
        listed = self.mimic_json("requests", *mine, "--status", "2xx")
        self.assertEqual([(r["method"], r["status"]) for r in listed["requests"]], [("POST", 202)])
        self.mimic("requests", "--path", "(", expected=1)

    def test_coverage_require_fired(self) -> None:
        self.mimic("fail", "compute.server.create", "--code", "500", "--times", "1")
        self.assertEqual(Client(self.url, "coverage-user").create_server("web")[0], 500)
        path = os.path.abspath(self.mktemp())
        self.mimic("coverage", "--format", "json", "--output", path, "--require-fired", "compute.server.create.fail")
        with open(path) as f:
            rows = json.load(f)["coverage"]
        fired = [r for r in rows if (r["service"], r["event"], r["condition"]) == ("compute", "server.create", "fail")]
        self.assertGreaterEqual(fired[0]["fired"], 1)
        missing = self.mimic("coverage", "--require-fired", "compute.server.create", expected=1)
        self.assertIn("compute.server.create.error: never fired", missing.stderr)

    def test_clock_pending_and_tick_until_idle(self) -> None:
        alice = Client(self.url, "clock-user")
        status, body = alice.create_server("slow", server_building="60")
        self.assertEqual(status, 202, body)
        pending = self.mimic_json("clock")
        ours = [e for e in pending["pending"] if e["id"] == body["server"]["id"]]
        self.assertEqual([(e["kind"], e["in"]) for e in ours], [("transition", 60.0)])
        ticked = self.mimic_json("tick", "--until", "idle")
        self.assertIn(body["server"]["id"], [e["id"] for e in ticked["happened"]])
        self.assertEqual([s["status"] for s in alice.servers()], ["ACTIVE"])

    def test_snapshot_save_restore_list_delete(self) -> None:
        alice = Client(self.url, "snapshot-user")
        registered = self.mimic_json("fail", "identity.auth", "--match", "username=^snapshot-nobody$")
        self.assertEqual(self.mimic_json("snapshot", "save", "world")["snapshot"]["name"], "world")
        self.mimic("reset")
        self.mimic("unfail", "--all")
        restored = self.mimic("snapshot", "restore", "world").stdout
        self.assertTrue(restored.startswith("RESTORED"), restored)
        self.assertEqual([b["id"] for b in self.mimic_json("behaviors")["behaviors"]], [registered["id"]])
        self.assertIn(alice.tenant_id, [t["tenant_id"] for t in self.mimic_json("state")["tenants"]])
        self.assertIn("world", [s["name"] for s in self.mimic_json("snapshot", "list")["snapshots"]])
        self.mimic("snapshot", "delete", "world")
        self.assertIn("Mimic answered 404", self.mimic("snapshot", "restore", "world", expected=1).stderr)
