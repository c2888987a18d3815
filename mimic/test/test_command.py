# -*- test-case-name: mimic.test.test_command -*-
"""
The ``mimic`` command against a small recording fake of the control API:
what it asks for (method, path, query, body), what it prints, and the
exit code a CI script branches on.  The fake answers in the agreed wire
shapes, so the routes other parts of Mimic serve (the journal, coverage,
the clock's pending events, snapshots) are covered here without them;
:mod:`mimic.test.test_command_integration` runs the command against a
real ``twistd mimic``.

The command runs in process (:func:`mimic.command.main`), over real HTTP
to the fake.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic import command

EVENT = {
    "at": "2026-01-01T00:00:30.000000Z",
    "seconds": 1767225630.0,
    "in": 30.0,
    "service": "compute",
    "tenant_id": "t1",
    "region": "ORD",
    "resource": "server",
    "id": "s-1",
    "name": "web-1",
    "event": "becomes ACTIVE",
    "kind": "transition",
}

REQUEST = {
    "id": 7,
    "request_id": "req-1",
    "time": "2026-01-01T00:00:00.000000Z",
    "seconds": 1767225600.0,
    "real_time": "2026-11-30T22:00:00.000000Z",
    "method": "POST",
    "path": "/service/compute/ORD/t1/v2/t1/servers",
    "query": "",
    "service": "compute",
    "region": "ORD",
    "tenant_id": "t1",
    "user": "alice",
    "status": 500,
    "conditions": [{"service": "compute", "event": "server.create", "condition": "fail", "registration_id": "1"}],
    "request_body": "{}",
    "response_body": "{}",
}

COVERAGE = {
    "coverage": [
        {"service": "compute", "event": "server.create", "condition": "fail", "registered": 1, "fired": 2,
         "tenants": ["t1"]},
        {"service": "compute", "event": "server.create", "condition": "error", "registered": 1, "fired": 0,
         "tenants": []},
        {"service": "identity", "event": "auth", "condition": "fail", "registered": 0, "fired": 0, "tenants": []},
    ],
    "totals": {"known": 3, "registered": 2, "fired": 1},
}

SNAPSHOT = {"name": "world", "taken_at": "2026-01-01T00:00:00.000000Z", "seconds": 1767225600.0,
            "size": 2048, "services": ["compute", "identity"]}


class FakeControlAPI:
    """
    Answers each (method, path) with a canned status and JSON (or text)
    body, and records every request it gets.
    """

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], tuple[int, Any]] = {}
        self.asked: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def answer(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                fake.asked.append(
                    {
                        "method": self.command,
                        "path": url.path,
                        "query": dict(urllib.parse.parse_qsl(url.query)),
                        "body": json.loads(raw) if raw else None,
                    }
                )
                status, body = fake.answers.get(
                    (self.command, url.path),
                    (404, {"message": f"The control API has nothing at {url.path}.", "code": 404}),
                )
                if isinstance(body, str):
                    content, content_type = body.encode(), "text/plain"
                else:
                    content = b"" if body is None else json.dumps(body).encode()
                    content_type = "application/json"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_DELETE = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def on(self, method: str, path: str, status: int, body: Any) -> None:
        self.answers[(method, "/mimic/v1.1" + path)] = (status, body)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class CommandTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.fake = FakeControlAPI()
        self.addCleanup(self.fake.stop)

    def run_command(self, *argv: str, expected: int = 0) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        try:
            code = command.main(["--url", self.fake.url, *argv], out, err)
        except SystemExit as e:
            code = int(e.code or 0)
        self.assertEqual(code, expected, out.getvalue() + err.getvalue())
        return out.getvalue(), err.getvalue()

    def only_request(self) -> dict[str, Any]:
        self.assertEqual(len(self.fake.asked), 1, self.fake.asked)
        return self.fake.asked[0]


class ClockCommandTests(CommandTestCase):
    def test_tick_by_seconds_posts_the_amount(self) -> None:
        self.fake.on("POST", "/tick", 200, {"advanced": 30, "now": "N", "seconds": 30.0, "realtime": False})
        out, _ = self.run_command("tick", "30")
        self.assertEqual(self.only_request()["body"], {"amount": 30})
        self.assertEqual(out, "advanced 30s; now N (30.0)\n")

    def test_tick_until_idle_prints_what_happened_and_what_is_pending(self) -> None:
        expiry = dict(EVENT, kind="expiry", event="expires", resource="token", id="tok", name=None, **{"in": 86400})
        self.fake.on("POST", "/tick", 200, {"advanced": 30.0, "now": "N", "seconds": 1.0, "realtime": False,
                                           "happened": [EVENT], "pending": [expiry]})
        out, _ = self.run_command("tick", "--until", "idle")
        self.assertEqual(self.only_request()["body"], {"until": "idle"})
        lines = out.splitlines()
        self.assertEqual(lines[1], "happened (1):")
        self.assertIn("server s-1", lines[3])
        self.assertIn("becomes ACTIVE", lines[3])
        self.assertEqual(lines[4], "pending (1):")
        self.assertTrue(lines[6].startswith("1d  "), lines[6])

    def test_tick_needs_seconds_or_until_but_not_both(self) -> None:
        for argv in (["tick"], ["tick", "5", "--until", "next"]):
            _, err = self.run_command(*argv, expected=2)
            self.assertIn("give either SECONDS or --until", err)
        self.run_command("tick", "--until", "later", expected=2)
        self.assertEqual(self.fake.asked, [])

    def test_clock_lists_pending_events(self) -> None:
        self.fake.on("GET", "/clock", 200, {"now": "N", "seconds": 1.0, "realtime": False, "pending": [EVENT]})
        out, _ = self.run_command("clock")
        self.assertIn("pending (1):", out)
        self.assertIn("web-1", out)
        self.fake.on("GET", "/clock", 200, {"now": "N", "seconds": 1.0, "realtime": False, "pending": []})
        out, _ = self.run_command("clock")
        self.assertEqual(out, "now N (1.0)\nnothing pending\n")

    def test_json_prints_the_answer_as_it_is_and_options_may_follow_the_subcommand(self) -> None:
        answer = {"now": "N", "seconds": 1.0, "realtime": False, "pending": [EVENT]}
        self.fake.on("GET", "/clock", 200, answer)
        out, _ = self.run_command("clock", "--json")
        self.assertEqual(json.loads(out), answer)


class FailCommandTests(CommandTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.fake.on("POST", "/compute/behaviors/server.create", 201,
                     {"id": "4", "event_id": "compute.server.create", "name": "fail", "parameters": {"code": 500},
                      "times": 2, "criteria": [{"server_name": "web-.*"}], "fired": 0})

    def test_the_issue_example_maps_to_the_registration_body(self) -> None:
        out, _ = self.run_command(
            "fail", "compute.server.create", "--code", "500", "--times", "2", "--match", "server_name=web-.*"
        )
        asked = self.only_request()
        self.assertEqual(asked["path"], "/mimic/v1.1/compute/behaviors/server.create")
        self.assertEqual(
            asked["body"],
            {"name": "fail", "parameters": {"code": 500}, "criteria": [{"server_name": "web-.*"}], "times": 2},
        )
        self.assertTrue(out.startswith("registered 4: compute.server.create fail code=500; times 2"), out)

    def test_condition_parameters_and_metadata_criteria(self) -> None:
        self.run_command(
            "fail", "compute.server.create", "-c", "build", "--seconds", "60", "-p", "message=slow",
            "-p", "count:=3", "-m", "metadata.role=db", "-m", "tenant_id=^t1$",
        )
        self.assertEqual(
            self.only_request()["body"],
            {
                "name": "build",
                "parameters": {"seconds": 60.0, "message": "slow", "count": 3},
                "criteria": [{"metadata": {"role": "db"}}, {"tenant_id": "^t1$"}],
            },
        )

    def test_body_gives_the_whole_registration(self) -> None:
        sequence = {"name": "sequence", "parameters": {"behaviors": [{"name": "fail"}, {"name": "default"}]}}
        self.run_command("fail", "compute.server.create", "--body", json.dumps(sequence))
        self.assertEqual(self.only_request()["body"], sequence)

    def test_usage_errors_send_nothing(self) -> None:
        for argv, words in [
            (["fail", "compute"], "is not SERVICE.EVENT"),
            (["fail", "compute.server.create", "--match", "server_name"], "is not NAME=VALUE"),
            (["fail", "compute.server.create", "-p", "n:=nope"], "not JSON"),
            (["fail", "compute.server.create", "--body", "{}", "--code", "500"], "leave out --code"),
            (["fail", "compute.server.create", "--body", "[1]"], "must be a JSON object"),
            (["--url", "ftp://x", "clock"], "is not an http:// or https:// URL"),
        ]:
            _, err = self.run_command(*argv, expected=2)
            self.assertIn(words, err)
        self.assertEqual(self.fake.asked, [])

    def test_mimics_4xx_exits_1_with_its_message(self) -> None:
        self.fake.on("POST", "/compute/behaviors/server.create", 400,
                     {"message": "parameter 'code' must be from 400 to 599, got 900", "code": 400})
        out, err = self.run_command("fail", "compute.server.create", "--code", "900", expected=1)
        self.assertEqual((out, err), ("", "mimic: Mimic answered 400: parameter 'code' must be from 400 to 599, got 900\n"))

    def test_unfail_finds_the_registrations_event(self) -> None:
        self.fake.on("GET", "/behaviors", 200, {"behaviors": [
            {"id": "4", "service": "compute", "event": "server.create"}]})
        self.fake.on("DELETE", "/compute/behaviors/server.create/4", 204, None)
        out, _ = self.run_command("unfail", "4")
        self.assertEqual([(a["method"], a["path"]) for a in self.fake.asked],
                         [("GET", "/mimic/v1.1/behaviors"), ("DELETE", "/mimic/v1.1/compute/behaviors/server.create/4")])
        self.assertEqual(out, "deleted 4\n")
        _, err = self.run_command("unfail", "5", expected=1)
        self.assertIn("no live registration 5", err)
        self.run_command("unfail", expected=2)
        self.run_command("unfail", "4", "--all", expected=2)

    def test_unfail_all(self) -> None:
        self.fake.on("DELETE", "/behaviors", 204, None)
        self.run_command("unfail", "--all")
        self.assertEqual((self.only_request()["method"], self.only_request()["path"]), ("DELETE", "/mimic/v1.1/behaviors"))


class JournalCommandTests(CommandTestCase):
    def test_filters_become_the_query(self) -> None:
        self.fake.on("GET", "/requests", 200, {"requests": [REQUEST], "count": 1, "recorded": 9, "capacity": 10000})
        out, _ = self.run_command(
            "requests", "--service", "compute", "--status", "5xx", "--method", "post", "--path", "/servers$",
            "--tenant", "t1", "--condition", "compute.server.create.fail", "--since", "30", "--limit", "5",
        )
        self.assertEqual(
            self.only_request()["query"],
            {"service": "compute", "status": "5xx", "method": "POST", "path": "/servers$", "tenant_id": "t1",
             "condition": "compute.server.create.fail", "since": "30", "limit": "5"},
        )
        self.assertIn("compute.server.create.fail", out)
        self.assertIn("/service/compute/ORD/t1/v2/t1/servers", out)
        self.assertTrue(out.endswith("1 shown of 1 matching (journal holds 9 of at most 10000)\n"), out)

    def test_count_and_expectations_exit_1_when_they_do_not_hold(self) -> None:
        self.fake.on("GET", "/requests/count", 200, {"count": 2})
        out, _ = self.run_command("requests", "--method", "DELETE", "--count")
        self.assertEqual(out, "2\n")
        self.assertEqual(self.fake.asked[0]["query"], {"method": "DELETE"})
        self.run_command("requests", "--expect", "2")
        self.run_command("requests", "--expect-min", "1", "--expect-max", "2")
        _, err = self.run_command("requests", "--expect", "3", expected=1)
        self.assertIn("expected exactly 3 matching request(s), found 2", err)
        _, err = self.run_command("requests", "--expect-max", "1", expected=1)
        self.assertIn("expected at most 1", err)
        self.run_command("requests", "--count", "--limit", "3", expected=2)

    def test_clear(self) -> None:
        self.fake.on("DELETE", "/requests", 204, None)
        out, _ = self.run_command("requests", "--clear")
        self.assertEqual((self.only_request()["method"], out), ("DELETE", "journal cleared\n"))
        self.run_command("requests", "--clear", "--service", "compute", expected=2)

    def test_bad_filter_is_mimics_400(self) -> None:
        self.fake.on("GET", "/requests", 400, {"message": "'path' is not a valid RE2 pattern", "code": 400})
        _, err = self.run_command("requests", "--path", "(", expected=1)
        self.assertIn("not a valid RE2 pattern", err)


class CoverageCommandTests(CommandTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.fake.on("GET", "/failures/coverage", 200, COVERAGE)

    def test_text_table_and_totals(self) -> None:
        out, _ = self.run_command("coverage")
        self.assertEqual(out.splitlines()[0].split(), ["SERVICE", "EVENT", "CONDITION", "REGISTERED", "FIRED", "TENANTS"])
        self.assertEqual(out.splitlines()[1].split(), ["compute", "server.create", "fail", "1", "2", "t1"])
        self.assertEqual(out.splitlines()[-1], "known conditions 3, registered 2, fired 1 (33% fired)")

    def test_json_to_a_file(self) -> None:
        path = self.mktemp()
        out, _ = self.run_command("coverage", "--format", "json", "--output", path)
        self.assertEqual(out, "")
        with open(path) as f:
            self.assertEqual(json.load(f), COVERAGE)

    def test_require_fired_exits_1_naming_what_never_fired(self) -> None:
        self.run_command("coverage", "--require-fired", "compute.server.create.fail")
        out, err = self.run_command("coverage", "--require-fired", "compute", expected=1)
        self.assertIn("SERVICE", out)
        self.assertIn("compute.server.create.error: never fired", err)
        self.assertNotIn("compute.server.create.fail", err)
        _, err = self.run_command("coverage", "--require-fired", "comptue", expected=1)
        self.assertIn("comptue: no known condition is named so", err)
        _, err = self.run_command("coverage", "--require-registered-fired", expected=1)
        self.assertIn("compute.server.create.error: registered 1 time(s), never fired", err)
        self.assertNotIn("identity", err)


class SnapshotCommandTests(CommandTestCase):
    def test_save_restore_list_show_delete(self) -> None:
        self.fake.on("POST", "/snapshots", 201, {"snapshot": SNAPSHOT})
        self.fake.on("POST", "/snapshots/my%20world/restore", 200, {"restored": SNAPSHOT, "dropped": ["widgets"]})
        self.fake.on("GET", "/snapshots", 200, {"snapshots": [SNAPSHOT]})
        self.fake.on("GET", "/snapshots/world", 200, {"snapshot": SNAPSHOT})
        self.fake.on("DELETE", "/snapshots/world", 204, None)
        out, _ = self.run_command("snapshot", "save", "my world")
        self.assertIn("2048", out)
        out, _ = self.run_command("snapshot", "restore", "my world")
        self.assertIn("not restored (they keep no state in snapshots): widgets", out)
        out, _ = self.run_command("snapshot", "list")
        self.assertIn("compute,identity", out)
        self.run_command("snapshot", "show", "world")
        out, _ = self.run_command("snapshot", "delete", "world")
        self.assertEqual(out, "deleted snapshot world\n")
        self.assertEqual(
            [(a["method"], a["path"], a["body"]) for a in self.fake.asked],
            [
                ("POST", "/mimic/v1.1/snapshots", {"name": "my world"}),
                ("POST", "/mimic/v1.1/snapshots/my%20world/restore", None),
                ("GET", "/mimic/v1.1/snapshots", None),
                ("GET", "/mimic/v1.1/snapshots/world", None),
                ("DELETE", "/mimic/v1.1/snapshots/world", None),
            ],
        )

    def test_unknown_snapshot_exits_1(self) -> None:
        self.fake.on("POST", "/snapshots/nope/restore", 404, {"message": "No snapshot 'nope'.", "code": 404})
        _, err = self.run_command("snapshot", "restore", "nope", expected=1)
        self.assertEqual(err, "mimic: Mimic answered 404: No snapshot 'nope'.\n")
        self.run_command("snapshot", "restore", expected=2)
        self.run_command("snapshot", "list", "x", expected=2)


class OtherCommandTests(CommandTestCase):
    def test_state_reset_and_clouds_yaml_queries(self) -> None:
        self.fake.on("GET", "/state", 200, {
            "tenants": [{"tenant_id": "t1", "username": "alice", "user_id": "u", "live_tokens": 1}],
            "services": {"compute": {"t1": {"ORD": {"servers": [1, 2]}}}},
            "behaviors": [], "clock": {"now": "N"}})
        self.fake.on("POST", "/reset", 200, {"reset": "tenant", "tenant_id": "t1"})
        self.fake.on("GET", "/clouds.yaml", 200, "export OS_AUTH_URL=x\n")
        out, _ = self.run_command("state", "--tenant", "t1")
        self.assertIn("compute  t1      ORD     servers=2", out)
        out, _ = self.run_command("reset", "--tenant", "t1")
        self.assertEqual(out, "reset tenant t1\n")
        out, _ = self.run_command("clouds-yaml", "--env", "--region", "DFW")
        self.assertEqual(out, "export OS_AUTH_URL=x\n")
        self.assertEqual(
            [(a["path"], a["query"], a["body"]) for a in self.fake.asked],
            [
                ("/mimic/v1.1/state", {"tenant_id": "t1"}, None),
                ("/mimic/v1.1/reset", {}, {"tenant_id": "t1"}),
                ("/mimic/v1.1/clouds.yaml", {"format": "env", "region": "DFW"}, None),
            ],
        )

    def test_failures_of_one_service(self) -> None:
        self.fake.on("GET", "/failures/compute", 200, {"events": [{
            "id": "compute.server.create", "criteria": ["server_name"],
            "conditions": [{"name": "build", "parameters": [{"name": "seconds", "required": True}],
                            "metadata_trigger": {"key": "server_building"}}]}]})
        out, _ = self.run_command("failures", "compute")
        self.assertEqual(out.splitlines()[1].split(), ["compute.server.create", "build", "seconds!", "server_building"])

    def test_nothing_listening_exits_3(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        out, err = io.StringIO(), io.StringIO()
        self.assertEqual(command.main(["--url", f"http://127.0.0.1:{port}", "behaviors"], out, err), 3)
        self.assertIn(f"cannot reach Mimic at http://127.0.0.1:{port}", err.getvalue())

    def test_url_defaults_to_mimic_url(self) -> None:
        self.fake.on("GET", "/behaviors", 200, {"behaviors": []})
        self.patch(os, "environ", dict(os.environ, MIMIC_URL=self.fake.url))
        out, err = io.StringIO(), io.StringIO()
        self.assertEqual(command.main(["behaviors"], out, err), 0, err.getvalue())
        self.assertEqual(out.getvalue(), "no registrations\n")


class ConsoleScriptTests(SynchronousTestCase):
    """
    ``pip install`` puts a ``mimic`` script beside the environment's
    Python (``setup.py``'s console script): tox's environment has it.
    """

    def test_installed_script_runs_the_command(self) -> None:
        import subprocess
        import sys
        from pathlib import Path

        script = Path(sys.executable).parent / "mimic"
        if not script.exists():
            raise SkipTest(f"no {script}: the console script comes with a pip install of Mimic (tox has one)")
        shown = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("snapshot", shown.stdout)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        unreachable = subprocess.run(
            [str(script), "--url", f"http://127.0.0.1:{port}", "clock"], capture_output=True, text=True, timeout=60
        )
        self.assertEqual(unreachable.returncode, 3, unreachable.stderr)
