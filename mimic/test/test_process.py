# -*- test-case-name: mimic.test.test_process -*-
"""
``twistd mimic`` as a user starts it: the clock it starts with, and what
``--realtime`` changes.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from twisted.trial.unittest import TestCase

from mimic.testing import MimicProcess, start_mimic


def call(url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="POST" if data else "GET", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


class ProcessClockTests(TestCase):
    def start(self, *args: str) -> str:
        return start_mimic(self, *args)

    def test_controlled_clock_starts_at_the_real_time_and_moves_only_on_tick(self) -> None:
        url = self.start()
        before = time.time()
        status, clock = call(url + "/mimic/v1.1/clock")
        self.assertEqual(status, 200)
        self.assertFalse(clock["realtime"])
        self.assertLess(abs(clock["seconds"] - before), 60)
        status, ticked = call(url + "/mimic/v1.1/tick", {"amount": 3600})
        self.assertEqual(status, 200)
        self.assertLess(abs(ticked["seconds"] - clock["seconds"] - 3600), 1e-3)

    def test_realtime_refuses_tick_and_says_why(self) -> None:
        url = self.start("--realtime")
        status, clock = call(url + "/mimic/v1.1/clock")
        self.assertTrue(clock["realtime"])
        self.assertLess(abs(clock["seconds"] - time.time()), 60)
        status, refused = call(url + "/mimic/v1.1/tick", {"amount": 10})
        self.assertEqual(status, 400)
        self.assertIn("--realtime", refused["message"])

    def test_root_points_at_both_identity_versions(self) -> None:
        url = self.start()
        with urllib.request.urlopen(url + "/") as response:
            text = response.read().decode()
        self.assertIn(url + "/identity/v2.0/tokens", text)
        self.assertIn(url + "/identity/v3", text)


class RequestIdLogTests(TestCase):
    def test_verbose_log_names_each_requests_id(self) -> None:
        """
        With --verbose, the access log line of a request ends with the id
        its response carried, so a client's log can be matched to
        Mimic's.
        """
        with MimicProcess(["--verbose"]) as mimic:
            assert mimic.url is not None
            with urllib.request.urlopen(mimic.url + "/mimic/v1.1/clock") as response:
                identifier = response.headers["X-OpenStack-Request-ID"]
            self.assertRegex(identifier, r"^req-[0-9a-f-]{36}$")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if any(identifier in line and "/mimic/v1.1/clock" in line for line in mimic.output):
                    break
                time.sleep(0.05)
            else:
                self.fail(f"{identifier} not in the log: {mimic.output[-5:]}")
