# -*- test-case-name: mimic.test.test_http -*-
"""
The shared request helpers: paging and the body limit.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.http import HARD_BODY_LIMIT, page
from mimic.testing import InMemoryMimic


class PageTests(SynchronousTestCase):
    items = ["a", "b", "c", "d", "e"]

    def test_limit_without_marker_takes_the_first_items(self) -> None:
        self.assertEqual(page(self.items, str, 2, None), (["a", "b"], True))

    def test_marker_starts_after_the_named_item(self) -> None:
        self.assertEqual(page(self.items, str, 2, "b"), (["c", "d"], True))

    def test_last_page_says_nothing_follows(self) -> None:
        self.assertEqual(page(self.items, str, 2, "c"), (["d", "e"], False))

    def test_no_limit_takes_the_rest(self) -> None:
        self.assertEqual(page(self.items, str, None, "d"), (["e"], False))

    def test_unknown_marker_is_none(self) -> None:
        self.assertIsNone(page(self.items, str, 2, "zz"))


class BodyLimitTests(SynchronousTestCase):
    def test_body_over_the_hard_limit_is_413_not_buffered(self) -> None:
        mimic = InMemoryMimic(plugins=[])
        response = mimic.request("POST", "/identity/v2.0/tokens", raw=b"x" * (HARD_BODY_LIMIT + 1))
        self.assertEqual(response.code, 413)
        self.assertEqual(response.json()["error"]["title"], "Request Entity Too Large")
