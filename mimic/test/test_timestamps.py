# -*- test-case-name: mimic.test.test_timestamps -*-
"""
The ISO 8601 forms each real service writes its times in: clients parse
them, and some parsers accept only the exact form their service uses.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.timestamps import iso_microseconds, iso_milliseconds, iso_seconds


class TimestampTests(SynchronousTestCase):
    def test_seconds_form_drops_the_fraction(self) -> None:
        self.assertEqual(iso_seconds(1_700_000_000.75), "2023-11-14T22:13:20Z")

    def test_milliseconds_form_has_three_digits(self) -> None:
        self.assertEqual(iso_milliseconds(1_700_000_000.25), "2023-11-14T22:13:20.250Z")

    def test_microseconds_form_has_six_digits(self) -> None:
        self.assertEqual(iso_microseconds(1_700_000_000.5), "2023-11-14T22:13:20.500000Z")

    def test_times_are_written_in_utc(self) -> None:
        self.assertEqual(iso_seconds(0), "1970-01-01T00:00:00Z")
