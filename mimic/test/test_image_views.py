# -*- test-case-name: mimic.test.test_image_views -*-
"""
The Image service's documents: a listing's links and Glance's schemas.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import STATUSES
from mimic.services.image.validation import parse_image_query
from mimic.services.image.views import image_schema, images_schema, listing_json, listing_links


class ListingLinksTests(SynchronousTestCase):
    def test_first_carries_the_query_without_its_marker(self) -> None:
        query = parse_image_query({b"limit": [b"2"], b"marker": [b"m"]})
        links = listing_links(query, "last", full=False)
        self.assertEqual(links, {"first": "/v2/images?limit=2", "schema": "/v2/schemas/images"})

    def test_a_full_page_links_on_from_its_last_image(self) -> None:
        query = parse_image_query({b"limit": [b"2"]})
        self.assertEqual(listing_links(query, "last", full=True)["next"], "/v2/images?limit=2&marker=last")

    def test_listing_body_has_the_images_and_links(self) -> None:
        query = parse_image_query({})
        body = listing_json(query, [{"id": "a"}], full=True)
        self.assertEqual(body["images"], [{"id": "a"}])
        self.assertEqual(body["first"], "/v2/images")
        self.assertEqual(body["next"], "/v2/images?marker=a")


class SchemaTests(SynchronousTestCase):
    def test_image_schema_lists_glances_statuses(self) -> None:
        schema = image_schema()
        self.assertEqual(schema["name"], "image")
        self.assertEqual(schema["properties"]["status"]["enum"], list(STATUSES))
        self.assertEqual(schema["additionalProperties"], {"type": "string"})

    def test_images_schema_holds_image_schemas(self) -> None:
        self.assertEqual(images_schema()["properties"]["images"]["items"], image_schema())
