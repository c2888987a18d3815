# -*- test-case-name: mimic.test.test_image_validation -*-
"""
A listing's query string checked as Glance checks it: defaults, limits,
sorting, ``in:`` lists, and Glance's 400 for what it refuses.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.http import HTTPError
from mimic.services.image.model import BASE_IMAGES, ImageQuery, ImageStore
from mimic.services.image.validation import MAX_LIMIT, parse_image_query


def parse(**args: str | list[str]) -> ImageQuery:
    raw = {
        key.encode(): [v.encode() for v in (value if isinstance(value, list) else [value])]
        for key, value in args.items()
    }
    return parse_image_query(raw)


class DefaultsTests(SynchronousTestCase):
    def test_defaults_are_25_newest_first(self) -> None:
        query = parse_image_query({})
        self.assertEqual(query.limit, 25)
        self.assertIsNone(query.marker)
        self.assertEqual(query.sorting, (("created_at", True), ("id", True)))
        self.assertTrue(query.default_order)

    def test_limit_is_capped(self) -> None:
        self.assertEqual(parse_image_query({b"limit": [b"5000"]}).limit, MAX_LIMIT)


class RefusalTests(SynchronousTestCase):
    def assertRefused(self, message: str, **args: str | list[str]) -> None:
        error = self.assertRaises(HTTPError, parse, **args)
        self.assertEqual(error.status, 400)
        self.assertEqual(error.body["code"], "400 Bad Request")
        self.assertIn(message, error.body["message"])

    def test_bad_limits(self) -> None:
        self.assertRefused("limit param must be an integer", limit="x")
        self.assertRefused("limit param must be positive", limit="-1")

    def test_bad_sorting(self) -> None:
        self.assertRefused("cannot be used with", sort="name:asc", sort_key="id")
        self.assertRefused("Invalid sort key: colour", sort_key="colour")
        self.assertRefused("Invalid sort direction: up", sort_key="name", sort_dir="up")
        self.assertRefused("Number of sort dirs", sort_key=["name", "id", "size"], sort_dir=["asc", "desc"])

    def test_bad_filter_values(self) -> None:
        self.assertRefused("Invalid status value: nope", status="nope")
        self.assertRefused("Invalid visibility value: nope", visibility="nope")
        self.assertRefused("expected a boolean", protected="maybe")
        self.assertRefused("expected an integer", size_min="big")
        self.assertRefused("Invalid operator 'after'", created_at="after:2024-01-01T00:00:00Z")
        self.assertRefused("Invalid time format", created_at="gt:yesterday")


class QueryTests(SynchronousTestCase):
    def test_sort_pairs_take_glances_tie_breakers(self) -> None:
        query = parse(sort="name:asc,size")
        self.assertEqual(
            query.sorting,
            (("name", False), ("size", True), ("created_at", True), ("id", True)),
        )

    def test_a_repeated_sort_key_sorts_once(self) -> None:
        """
        The listing sorts once per key; a repeated key decides nothing
        more, so a thousand of them cost what one does.
        """
        self.assertEqual(
            parse(sort_key=["name"] * 1000).sorting,
            (("name", True), ("created_at", True), ("id", True)),
        )
        self.assertEqual(
            parse(sort="name:asc," * 500 + "size").sorting,
            (("name", False), ("size", True), ("created_at", True), ("id", True)),
        )

    def test_in_lists_may_quote_commas(self) -> None:
        query = parse(name='in:"a,b",c')
        self.assertEqual(query.names, frozenset(["a,b", "c"]))

    def test_filters_pick_from_the_store(self) -> None:
        windows = next(i for i in BASE_IMAGES if i.metadata["os_type"] == "windows")
        query = parse_image_query({b"os_type": [b"windows"], b"size_min": [b"1"]})
        images, _ = ImageStore().listing(query, 0.0, "t1")
        self.assertEqual([i["id"] for i in images], [windows.id])
