# -*- test-case-name: mimic.test.test_compute_validation -*-
"""
Request bodies and queries to the values compute's model takes
(:mod:`mimic.services.compute.validation`), with Nova's 400s.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from mimic.http import HTTPError
from mimic.interfaces import IImages
from mimic.services.compute.model import DEFAULT_SECURITY_GROUPS, PUBLIC_NETWORK, ComputeState
from mimic.services.compute.validation import listing_filters, server_create, server_update
from mimic.test.test_compute_model import UBUNTU
from mimic.testing import InMemoryMimic


def create_body(**server: Any) -> dict[str, Any]:
    asked = {"name": "web", "imageRef": UBUNTU, "flavorRef": "general1-1"}
    asked.update(server)
    return {"server": asked}


class ServerCreateTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.state = ComputeState("t1", "ORD")
        self.state.images = InMemoryMimic().core.shared(IImages, "t1", "ORD")

    def refused(self, body: Any, microversion: tuple[int, int] = (2, 1)) -> tuple[int, str]:
        error = self.assertRaises(HTTPError, server_create, body, microversion, self.state, 0.0)
        ((fault, described),) = error.body.items()
        return error.status, described["message"]

    def test_the_smallest_request_takes_novas_defaults(self) -> None:
        spec = server_create(create_body(), (2, 1), self.state, 0.0)
        self.assertEqual((spec.name, spec.flavor.id, spec.image_id), ("web", "general1-1", UBUNTU))
        self.assertEqual((spec.min_count, spec.max_count), (1, 1))
        self.assertEqual((spec.disk_config, spec.availability_zone, spec.networks), ("AUTO", "nova", None))
        self.assertIs(spec.security_groups, DEFAULT_SECURITY_GROUPS)
        self.assertFalse(spec.return_reservation_id)

    def test_networks_are_kept_compactly_and_a_zones_host_is_dropped(self) -> None:
        spec = server_create(
            create_body(networks=[{"uuid": PUBLIC_NETWORK}], availability_zone="nova:compute-01"), (2, 1), self.state, 0.0
        )
        self.assertEqual((spec.networks, spec.availability_zone), (((PUBLIC_NETWORK, None),), "nova"))
        self.assertEqual(server_create(create_body(networks="none"), (2, 37), self.state, 0.0).networks, ())

    def test_the_first_problem_nova_finds_is_the_one_answered(self) -> None:
        # Both the flavor and the image are wrong: Nova checks the flavor first.
        self.assertEqual(self.refused(create_body(flavorRef="nope", imageRef="nope")), (400, "Invalid flavorRef provided."))
        self.assertEqual(self.refused(create_body(imageRef="nope")), (400, "Invalid imageRef provided."))

    def test_what_must_exist_is_looked_up_in_the_state(self) -> None:
        self.assertEqual(
            self.refused(create_body(imageRef="11111111-2222-3333-4444-555555555555")),
            (400, "Can not find requested image"),
        )
        self.assertEqual(self.refused(create_body(key_name="nokey")), (400, "Invalid key_name provided."))

    def test_a_flavor_smaller_than_the_image_asks_is_400(self) -> None:
        windows = "9d7e6f5a-4b3c-4d2e-9f1a-0b9c8d7e6f5a"  # min_ram 1024 MB, min_disk 40 GB
        self.assertEqual(
            self.refused(create_body(imageRef=windows, flavorRef="2")),
            (400, "Flavor's memory is too small for requested image."),
        )
        self.assertEqual(
            self.refused(create_body(imageRef=windows, flavorRef="general1-1")),
            (400, "Flavor's disk is too small for requested image. Flavor disk is "
                  f"{20 * 2**30} bytes, minimum size is {40 * 2**30} bytes."),
        )
        self.assertEqual(server_create(create_body(imageRef=windows, flavorRef="3"), (2, 1), self.state, 0.0).image_id, windows)

    def test_description_arrives_at_2_19(self) -> None:
        self.assertEqual(self.refused(create_body(description="d"))[0], 400)
        self.assertEqual(server_create(create_body(description="d"), (2, 19), self.state, 0.0).description, "d")

    def test_counts(self) -> None:
        spec = server_create(create_body(min_count=2, max_count="3"), (2, 1), self.state, 0.0)
        self.assertEqual((spec.min_count, spec.max_count), (2, 3))
        self.assertEqual(self.refused(create_body(min_count=3, max_count=2)), (400, "min_count must be <= max_count"))


class ServerUpdateTests(SynchronousTestCase):
    def test_changes_are_named_as_the_server_names_them(self) -> None:
        changes = server_update({"server": {"name": "n", "accessIPv4": "192.0.2.3", "OS-DCF:diskConfig": "MANUAL"}}, (2, 1))
        self.assertEqual(changes, {"name": "n", "access_ipv4": "192.0.2.3", "disk_config": "MANUAL"})

    def test_what_the_microversion_does_not_take_is_400(self) -> None:
        error = self.assertRaises(HTTPError, server_update, {"server": {"hostname": "h"}}, (2, 89))
        self.assertEqual(error.status, 400)
        self.assertEqual(server_update({"server": {"description": None}}, (2, 19)), {"description": None})


def query(**args: str) -> DummyRequest:
    request = DummyRequest([])
    request.args = {name.encode(): [value.encode()] for name, value in args.items()}
    return request


class ListingFilterTests(SynchronousTestCase):
    def test_no_filter_lets_the_model_page_its_index(self) -> None:
        self.assertIsNone(listing_filters(query(limit="5", marker="m"), (2, 1)))

    def test_filters_are_parsed(self) -> None:
        filters = listing_filters(query(status="active", name="^web", image=f"http://h/images/{UBUNTU}"), (2, 1))
        assert filters is not None
        self.assertEqual((filters.status, filters.image_id), ("ACTIVE", UBUNTU))
        self.assertTrue(filters.name is not None and filters.name.search("web-1"))

    def test_a_name_that_is_no_regular_expression_is_400(self) -> None:
        """
        It was once searched for as literal text, which Nova never does
        (its database refuses the pattern); now it is told, as a pattern
        RE2 cannot match in linear time is.
        """
        for pattern in ("(", r"(a)\1", "(?=a)"):
            error = self.assertRaises(HTTPError, listing_filters, query(name=pattern), (2, 1))
            self.assertEqual(error.status, 400)
            self.assertIn("Query parameter 'name'", error.body["badRequest"]["message"])

    def test_changes_before_counts_from_2_66(self) -> None:
        asked = {"changes-before": "2020-01-01T00:00:00Z"}
        early, late = listing_filters(query(**asked), (2, 65)), listing_filters(query(**asked), (2, 66))
        assert early is not None and late is not None
        self.assertIsNone(early.changed_before)
        self.assertIsNotNone(late.changed_before)

    def test_an_unknown_status_is_400_from_2_38(self) -> None:
        self.assertIsNotNone(listing_filters(query(status="bogus"), (2, 37)))
        error = self.assertRaises(HTTPError, listing_filters, query(status="bogus"), (2, 38))
        self.assertEqual(error.body, {"badRequest": {"code": 400, "message": "Invalid status value"}})
