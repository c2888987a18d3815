# -*- test-case-name: mimic.test.test_tap -*-
"""
``twistd mimic`` options and the service they make.
"""

from __future__ import annotations

from twisted.internet.task import Clock
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
        self.assertEqual(service.description, "tcp:0:interface=127.0.0.1")

    def test_site_hides_tracebacks_and_skips_access_log_unless_verbose(self) -> None:
        core = MimicCore.create(Clock(), [])
        quiet = tap.make_site(core)
        self.assertFalse(quiet.displayTracebacks)
        self.assertFalse(quiet.verbose)
        self.assertTrue(tap.make_site(core, verbose=True).verbose)
