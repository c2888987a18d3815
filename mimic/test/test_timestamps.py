# -*- test-case-name: mimic.test.test_timestamps -*-
"""
The ISO 8601 forms each real service writes its times in: clients parse
them, and some parsers accept only the exact form their service uses.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.timestamps import iso_microseconds, iso_milliseconds, iso_seconds, parse_iso


class TimestampTests(SynchronousTestCase):
    def test_seconds_form_drops_the_fraction(self) -> None:
        self.assertEqual(iso_seconds(1_700_000_000.75), "2023-11-14T22:13:20Z")

    def test_milliseconds_form_has_three_digits(self) -> None:
        self.assertEqual(iso_milliseconds(1_700_000_000.25), "2023-11-14T22:13:20.250Z")

    def test_microseconds_form_has_six_digits(self) -> None:
        self.assertEqual(iso_microseconds(1_700_000_000.5), "2023-11-14T22:13:20.500000Z")

    def test_times_are_written_in_utc(self) -> None:
        self.assertEqual(iso_seconds(0), "1970-01-01T00:00:00Z")


class ParseISOTests(SynchronousTestCase):
    """
    The one parser of times in query arguments (``changes-since`` and
    friends) that compute, image and load balancers share.
    """

    def test_zulu_offset_and_no_zone_mean_the_same_moment(self) -> None:
        expected = 1700000000.0
        for text in (
            "2023-11-14T22:13:20Z",
            "2023-11-14T22:13:20z",
            "2023-11-14T22:13:20+00:00",
            "2023-11-14T23:13:20+01:00",
            "2023-11-14T22:13:20",
        ):
            self.assertEqual(parse_iso(text), expected, text)

    def test_space_where_query_decoding_ate_a_plus(self) -> None:
        self.assertEqual(parse_iso("2023-11-14T23:13:20 01:00"), 1700000000.0)

    def test_not_a_time_is_none(self) -> None:
        for text in ("", "yesterday", "2023-13-45", "Z"):
            self.assertIsNone(parse_iso(text), text)
