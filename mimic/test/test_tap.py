# -*- test-case-name: mimic.test.test_tap -*-
"""
``twistd mimic`` options and the service they make.
"""

from __future__ import annotations

from twisted.internet import endpoints
from twisted.internet.task import Clock
from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from mimic import tap
from mimic.core import MimicCore


class OptionsTests(SynchronousTestCase):
    def test_defaults_listen_on_loopback_port_8900_with_controlled_clock(self) -> None:
        options = tap.Options()
        options.parseOptions([])
        self.assertEqual(options["listen"], "tcp:8900:interface=127.0.0.1")
        self.assertFalse(options["realtime"])
        self.assertFalse(options["verbose"])

    def test_short_flags(self) -> None:
        options = tap.Options()
        options.parseOptions(["-l", "tcp:0", "-r", "-v"])
        self.assertEqual(options["listen"], "tcp:0")
        self.assertTrue(options["realtime"])
        self.assertTrue(options["verbose"])

    def test_make_service_listens_where_told(self) -> None:
        options = tap.Options()
        options.parseOptions(["--listen", "tcp:0:interface=127.0.0.1"])
        service = tap.makeService(options)
        self.assertEqual(service.description, "tcp:0:interface=127.0.0.1:backlog=1024")

    def test_site_hides_tracebacks_and_skips_access_log_unless_verbose(self) -> None:
        core = MimicCore.create(Clock(), [])
        quiet = tap.make_site(core)
        self.assertFalse(quiet.displayTracebacks)
        self.assertFalse(quiet.verbose)
        self.assertTrue(tap.make_site(core, verbose=True).verbose)


class ConnectionLimitTests(SynchronousTestCase):
    """
    Idle connections are closed after a while, and the listen backlog
    is longer than Twisted's 50 unless the description sets one.
    """

    def test_idle_timeout_defaults_to_a_minute_and_reaches_the_site(self) -> None:
        options = tap.Options()
        options.parseOptions([])
        self.assertEqual(options["idle-timeout"], tap.DEFAULT_IDLE_TIMEOUT)
        options.parseOptions(["--idle-timeout", "2.5"])
        service = tap.makeService(options)
        self.assertEqual(service.site.timeOut, 2.5)

    def test_idle_timeout_must_be_positive(self) -> None:
        for value in ("0", "-1", "nan"):
            self.assertRaises(usage.UsageError, tap.Options().parseOptions, ["--idle-timeout", value])

    def test_backlog_is_added_where_the_endpoint_takes_one(self) -> None:
        self.assertEqual(tap.with_backlog("tcp:8900", 7), "tcp:8900:backlog=7")
        self.assertEqual(tap.with_backlog("unix:/tmp/m.sock", 7), "unix:/tmp/m.sock:backlog=7")
        self.assertEqual(tap.with_backlog("tcp:8900:backlog=3", 7), "tcp:8900:backlog=3")
        self.assertEqual(tap.with_backlog("systemd:domain=INET:index=0", 7),
                         "systemd:domain=INET:index=0")

    def test_backlog_reaches_the_endpoint(self) -> None:
        options = tap.Options()
        options.parseOptions(["--listen", "tcp:0:interface=127.0.0.1", "--backlog", "300"])
        service = tap.makeService(options)
        endpoint = endpoints.serverFromString(Clock(), service.description)
        self.assertEqual(endpoint._backlog, 300)
