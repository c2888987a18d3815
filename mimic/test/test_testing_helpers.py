# -*- test-case-name: mimic.test.test_testing_helpers -*-
"""
:class:`mimic.testing.MimicControl` and :class:`mimic.testing.MimicTestMixin`:
in memory against the routes Mimic serves, and over HTTP against the
recording fake of the control API (:mod:`mimic.test.test_command`), which
answers the journal, coverage and snapshot routes in their agreed shapes.
"""

from __future__ import annotations

import json
import unittest

from twisted.trial.unittest import SynchronousTestCase

from mimic.remote import MimicAnswered
from mimic.test.test_command import COVERAGE, REQUEST, SNAPSHOT, FakeControlAPI
from mimic.testing import InMemoryMimic, MimicControl, MimicTestMixin, assert_requested


class InMemoryControlTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.control = MimicControl(self.mimic)

    def test_fail_tick_and_reset(self) -> None:
        registered = self.control.fail(
            "identity.auth", parameters={"code": 503}, criteria=[{"username": "^ci-"}], times=1
        )
        self.assertEqual((registered["event_id"], registered["times"]), ("identity.authentication", 1))
        body = {"auth": {"passwordCredentials": {"username": "ci-x", "password": "p"}}}
        self.assertEqual(self.mimic.request("POST", "/identity/v2.0/tokens", body).code, 503)
        before = self.mimic.clock.seconds()
        self.assertEqual(self.control.tick(30)["advanced"], 30)
        self.assertEqual(self.mimic.clock.seconds(), before + 30)
        self.mimic.authenticate("bob")
        self.control.reset()
        self.assertEqual(self.control.call("GET", "/state")["tenants"], [])

    def test_mimics_errors_are_raised_with_status_and_message(self) -> None:
        e = self.assertRaises(MimicAnswered, self.control.fail, "compute.server.create", parameters={"code": 900})
        self.assertEqual(e.status, 400)
        self.assertIn("parameter 'code' must be from 400 to 599", e.message)
        self.assertRaises(ValueError, self.control.tick)
        self.assertRaises(ValueError, self.control.tick, 1, "idle")


class RemoteControlTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.fake = FakeControlAPI()
        self.addCleanup(self.fake.stop)
        self.control = MimicControl(self.fake.url)

    def test_assert_requested_counts_with_the_filters(self) -> None:
        self.fake.on("GET", "/requests/count", 200, {"count": 2})
        self.assertEqual(self.control.assert_requested("delete", "/servers/s-1$", times=2, tenant_id="t1"), 2)
        self.assertEqual(assert_requested(self.fake.url, "DELETE", "/servers/s-1$"), 2)
        self.assertEqual(
            self.fake.asked[0]["query"], {"method": "DELETE", "path": "/servers/s-1$", "tenant_id": "t1"}
        )

    def test_assert_requested_says_what_was_requested_instead(self) -> None:
        self.fake.on("GET", "/requests/count", 200, {"count": 1})
        self.fake.on("GET", "/requests", 200, {"requests": [REQUEST], "count": 1, "recorded": 1, "capacity": 10})
        e = self.assertRaises(AssertionError, self.control.assert_requested, "POST", "/servers$", 2, status="5xx")
        self.assertEqual(
            str(e),
            "expected POST '/servers$', status='5xx' exactly 2 time(s); Mimic recorded 1.\n"
            "POST requests it recorded (first 20):\n"
            "  POST /service/compute/ORD/t1/v2/t1/servers -> 500",
        )
        self.assertEqual(self.fake.asked[-1]["query"], {"method": "POST", "status": "5xx", "limit": "20"})
        self.fake.on("GET", "/requests/count", 200, {"count": 0})
        self.fake.on("GET", "/requests", 200, {"requests": [], "count": 0, "recorded": 0, "capacity": 10})
        e = self.assertRaises(AssertionError, self.control.assert_requested, "GET", "/x")
        self.assertEqual(str(e), "expected GET '/x' at least once; Mimic recorded 0.")

    def test_coverage_written_as_json_or_a_table(self) -> None:
        self.fake.on("GET", "/failures/coverage", 200, COVERAGE)
        path = self.mktemp()
        self.assertEqual(self.control.write_coverage(path), COVERAGE)
        with open(path) as f:
            self.assertEqual(json.load(f), COVERAGE)
        table = self.mktemp() + ".txt"
        self.control.write_coverage(table)
        with open(table) as f:
            self.assertTrue(f.read().startswith("SERVICE"))
        self.assertRaises(ValueError, self.control.write_coverage, path, "xml")

    def test_assert_fired(self) -> None:
        self.fake.on("GET", "/failures/coverage", 200, COVERAGE)
        self.control.assert_fired("compute.server.create.fail")
        e = self.assertRaises(AssertionError, self.control.assert_fired, "compute")
        self.assertIn("compute.server.create.error: never fired", str(e))

    def test_snapshots(self) -> None:
        self.fake.on("POST", "/snapshots", 201, {"snapshot": SNAPSHOT})
        self.fake.on("POST", "/snapshots/a%2Fb/restore", 200, {"restored": SNAPSHOT, "dropped": []})
        self.fake.on("GET", "/snapshots", 200, {"snapshots": [SNAPSHOT]})
        self.fake.on("DELETE", "/snapshots/a%2Fb", 204, None)
        self.assertEqual(self.control.save_snapshot("a/b"), SNAPSHOT)
        self.assertEqual(self.control.restore_snapshot("a/b")["restored"], SNAPSHOT)
        self.assertEqual(self.control.snapshots(), [SNAPSHOT])
        self.control.delete_snapshot("a/b")
        self.fake.on("POST", "/snapshots/nope/restore", 404, {"message": "No snapshot 'nope'.", "code": 404})
        e = self.assertRaises(MimicAnswered, self.control.restore_snapshot, "nope")
        self.assertEqual((e.status, e.message), (404, "No snapshot 'nope'."))

    def test_mixin_restores_the_snapshot_before_each_test(self) -> None:
        self.fake.on("POST", "/snapshots/world/restore", 200, {"restored": SNAPSHOT, "dropped": []})
        self.fake.on("GET", "/requests/count", 200, {"count": 1})
        control = self.control

        class UsersTests(MimicTestMixin, unittest.TestCase):
            mimic_control = control
            mimic_snapshot = "world"

            def test_one(self) -> None:
                self.assertRequested("GET", "/servers")

            def test_two(self) -> None:
                pass

        result = unittest.TestResult()
        unittest.defaultTestLoader.loadTestsFromTestCase(UsersTests).run(result)
        self.assertEqual((result.testsRun, result.errors, result.failures), (2, [], []))
        restores = [a for a in self.fake.asked if a["path"] == "/mimic/v1.1/snapshots/world/restore"]
        self.assertEqual(len(restores), 2)
