"""
Client-supplied regular expressions against a real ``twistd mimic``: a
pattern that makes a backtracking engine take exponential time answers
at once, and the requests sent beside it are not held up.

With Python's ``re``, ``GET .../servers?name=(a%2B)%2B$`` over servers
named ``aaaa...!`` took 25 s for names of about 30 characters, doubling
with each one more, and Mimic, serving one request at a time, answered
nobody else meanwhile.  The names here are far longer, so a regression
would not finish at all within the bound.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import requests
from twisted.trial.unittest import TestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import start_mimic

#: Generous, so that a loaded machine does not fail the test, and still
#: far under what the backtracking engine took for much shorter names.
BOUND = 5.0

PATHOLOGICAL_NAME = "a" * 200 + "!"


class PathologicalPatternTests(TestCase):
    def setUp(self) -> None:
        self.url = start_mimic(self)
        auth = {"auth": {"passwordCredentials": {"username": "alice", "password": "pw"}}}
        access = requests.post(f"{self.url}/identity/v2.0/tokens", json=auth, timeout=10).json()["access"]
        self.headers = {"X-Auth-Token": access["token"]["id"]}
        self.servers = next(
            e["endpoints"][0]["publicURL"]
            for e in access["serviceCatalog"]
            if e["name"] == "cloudServersOpenStack"
        ) + "/servers"

    def create(self, name: str) -> requests.Response:
        server = {"name": name, "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1"}
        return requests.post(self.servers, json={"server": server}, headers=self.headers, timeout=30)

    def test_pathological_filter_and_criterion_answer_at_once_beside_another_request(self) -> None:
        for number in range(5):
            self.assertEqual(self.create(f"{PATHOLOGICAL_NAME}{number}").status_code, 202)
        # A criterion is matched on every create: this one against the
        # same long names.
        registered = requests.post(
            f"{self.url}/mimic/v1.1/compute/behaviors/creation",
            json={"name": "fail", "parameters": {"code": 503}, "criteria": [{"server_name": "(a+)+$"}]},
            timeout=10,
        )
        self.assertEqual(registered.status_code, 201, registered.text)

        calls: dict[str, Callable[[], requests.Response]] = {
            "filter": lambda: requests.get(
                self.servers, params={"name": "(a+)+$"}, headers=self.headers, timeout=30
            ),
            "criterion": lambda: self.create(PATHOLOGICAL_NAME),
            "bystander": lambda: requests.get(f"{self.url}/mimic/v1.1/clock", timeout=30),
        }

        def timed(call: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
            started = time.perf_counter()
            response = call()
            return response, time.perf_counter() - started

        with ThreadPoolExecutor(len(calls)) as pool:
            futures = {name: pool.submit(timed, call) for name, call in calls.items()}
            results: dict[str, Any] = {name: future.result() for name, future in futures.items()}

        listing, _ = results["filter"]
        self.assertEqual((listing.status_code, listing.json()["servers"]), (200, []))
        # The name does not match (it ends with "!"), so the create goes on.
        self.assertEqual(results["criterion"][0].status_code, 202)
        self.assertEqual(results["bystander"][0].status_code, 200)
        for name, (_, elapsed) in results.items():
            self.assertLess(elapsed, BOUND, f"{name} took {elapsed:.1f} s")
        # And the criterion still fires where it matches.
        self.assertEqual(self.create("aaaa").status_code, 503)
