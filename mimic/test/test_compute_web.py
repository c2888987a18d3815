# -*- test-case-name: mimic.test.test_compute_web -*-
"""
What every compute handler shares (:mod:`mimic.services.compute.web`):
links, listing pages and filters, and the sub-collection apps the API
hands paths to.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from mimic.http import HTTPError
from mimic.services.compute.web import (
    MAX_LIMIT,
    RequestContext,
    bookmark_links,
    int_filter,
    limit_and_marker,
    next_links,
    resource_links,
)
from mimic.test.test_compute_resources import Compute

CTX = RequestContext(
    microversion=(2, 1),
    versioned_url="http://mimic.test/service/compute/ORD/t1/v2.1/t1",
    unversioned_url="http://mimic.test/service/compute/ORD/t1/t1",
    user_id="u1",
    now=0.0,
    tenant_id="t1",
    region="ORD",
)


def request_with(**args: str) -> DummyRequest:
    request = DummyRequest([])
    request.args = {name.encode(): [value.encode()] for name, value in args.items()}
    return request


class LinkTests(SynchronousTestCase):
    def test_a_resource_links_to_itself_with_and_without_the_version(self) -> None:
        self.assertEqual(
            resource_links(CTX, "flavors", "2"),
            [
                {"href": CTX.versioned_url + "/flavors/2", "rel": "self"},
                {"href": CTX.unversioned_url + "/flavors/2", "rel": "bookmark"},
            ],
        )

    def test_an_embedded_resource_links_by_bookmark_only(self) -> None:
        self.assertEqual(
            bookmark_links(CTX, "images", "i"),
            [{"href": CTX.unversioned_url + "/images/i", "rel": "bookmark"}],
        )


class PagingTests(SynchronousTestCase):
    def assertBadRequest(self, request: DummyRequest, message: str) -> None:
        error = self.assertRaises(HTTPError, limit_and_marker, request)
        self.assertEqual((error.status, error.body["badRequest"]["message"]), (400, message))

    def test_no_limit_is_the_largest_page(self) -> None:
        self.assertEqual(limit_and_marker(request_with()), (MAX_LIMIT, None))

    def test_zero_is_no_limit_and_a_large_limit_is_capped(self) -> None:
        self.assertEqual(limit_and_marker(request_with(limit="0"))[0], MAX_LIMIT)
        self.assertEqual(limit_and_marker(request_with(limit="5000"))[0], MAX_LIMIT)

    def test_zero_is_an_empty_page_where_asked(self) -> None:
        self.assertEqual(limit_and_marker(request_with(limit="0"), zero_is_empty=True), (0, None))

    def test_limit_and_marker_are_read(self) -> None:
        self.assertEqual(limit_and_marker(request_with(limit="5", marker="m")), (5, "m"))

    def test_a_limit_that_is_no_integer_or_negative_is_400(self) -> None:
        self.assertBadRequest(request_with(limit="x"), "limit param must be an integer")
        self.assertBadRequest(request_with(limit="-1"), "limit param must be positive")

    def test_no_next_link_on_the_last_page(self) -> None:
        self.assertEqual(next_links(CTX, request_with(limit="2"), "flavors", "b", more=False), [])

    def test_next_link_keeps_the_query_and_moves_the_marker(self) -> None:
        links = next_links(CTX, request_with(limit="2", marker="a", minRam="512"), "flavors/detail", "b", more=True)
        self.assertEqual(
            links,
            [{"href": CTX.versioned_url + "/flavors/detail?limit=2&minRam=512&marker=b", "rel": "next"}],
        )

    def test_integer_filters(self) -> None:
        self.assertIsNone(int_filter(request_with(), "minRam"))
        self.assertEqual(int_filter(request_with(minRam="512"), "minRam"), 512)
        error = self.assertRaises(HTTPError, int_filter, request_with(minRam="big"), "minRam")
        self.assertEqual(error.body["badRequest"]["message"], "Invalid minRam filter [big]")


class SubCollectionTests(SynchronousTestCase):
    """
    Flavors, images, keypairs, limits, quotas and zones are apps of their
    own, below the API's branch routes.
    """

    def setUp(self) -> None:
        self.compute = Compute()

    def test_the_collection_itself_is_the_apps_root(self) -> None:
        self.assertEqual(self.compute.get("/limits").code, 200)
        self.assertEqual(self.compute.get("/flavors").code, 200)

    def test_an_unknown_path_below_a_collection_is_novas_404(self) -> None:
        response = self.compute.get("/flavors/general1-1/no/such/thing")
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json(), {"itemNotFound": {"code": 404, "message": "The resource could not be found."}})

    def test_an_unknown_path_is_404_whatever_the_version_asked(self) -> None:
        response = self.compute.get("/flavors/general1-1/no/such/thing", microversion="9.9")
        self.assertEqual(response.code, 404)

    def test_a_method_a_collection_does_not_take_is_novas_405_with_allow(self) -> None:
        response = self.compute.request("DELETE", "/flavors")
        self.assertEqual(response.code, 405)
        self.assertIn("badMethod", response.json())
        self.assertEqual(response.header("allow"), "GET, HEAD, POST")

    def test_the_collection_checks_the_version_and_tenant_as_the_api_does(self) -> None:
        self.assertEqual(self.compute.get("/flavors", microversion="9.9").code, 406)
        other = self.compute.endpoint.rsplit("/", 1)[0] + "/other/flavors"
        response = self.compute.mimic.request("GET", other, token=self.compute.access.token)
        self.assertEqual(response.code, 400)
        self.assertIn("doesn't match", response.json()["badRequest"]["message"])
