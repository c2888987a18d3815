"""
Plugin settings: declared by plugins, given as ``twistd mimic --set``.
"""

from __future__ import annotations

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from mimic.settings import BadSetting, Setting, byte_size, parse_settings, yes_or_no
from mimic.tap import Options

DECLARED = [Setting("svc.size", "A size.", 10, byte_size), Setting("svc.name", "A name.", "x")]


class ParseTests(SynchronousTestCase):
    def test_defaults_when_nothing_is_given(self) -> None:
        self.assertEqual(parse_settings({}, DECLARED), {"svc.size": 10, "svc.name": "x"})

    def test_given_values_are_parsed(self) -> None:
        self.assertEqual(parse_settings({"svc.size": "2K"}, DECLARED)["svc.size"], 2048)

    def test_unknown_name_and_bad_value_are_refused(self) -> None:
        self.assertRaises(BadSetting, parse_settings, {"svc.sise": "1"}, DECLARED)
        self.assertRaises(BadSetting, parse_settings, {"svc.size": "big"}, DECLARED)

    def test_byte_sizes(self) -> None:
        self.assertEqual(byte_size("1048576"), 1048576)
        self.assertEqual(byte_size("512M"), 512 * 1024**2)
        self.assertEqual(byte_size("2GiB"), 2 * 1024**3)
        self.assertRaises(ValueError, byte_size, "-1")


    def test_switches(self) -> None:
        for word in ("yes", "True", "on", "1"):
            self.assertIs(yes_or_no(word), True)
        for word in ("no", "FALSE", "off", "0"):
            self.assertIs(yes_or_no(word), False)
        self.assertRaises(ValueError, yes_or_no, "maybe")


class OptionsTests(SynchronousTestCase):
    def test_set_reaches_the_options(self) -> None:
        options = Options()
        options.parseOptions(["--set", "objectstorage.max_bytes=4G"])
        self.assertEqual(options["settings"], {"objectstorage.max_bytes": "4G"})

    def test_unknown_setting_stops_mimic(self) -> None:
        self.assertRaises(usage.UsageError, Options().parseOptions, ["--set", "nothing.reads=this"])
        self.assertRaises(usage.UsageError, Options().parseOptions, ["--set", "novalue"])
        self.assertRaises(usage.UsageError, Options().parseOptions, ["--set", "objectstorage.max_bytes=lots"])
