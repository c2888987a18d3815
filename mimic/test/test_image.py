# -*- test-case-name: mimic.test.test_image -*-
"""
The Image service (Glance v2) over HTTP in memory: discovery, listing
with Glance's filters, sorting and paging, showing and deleting images,
its errors, and the one image store it shares with compute's image proxy
and ``createImage``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.failures import IMAGE_DELETE, IMAGE_LIST
from mimic.services.image.model import BASE_IMAGES, DEFAULT_IMAGE_ID, SNAPSHOT_SECONDS
from mimic.testing import InMemoryMimic, Response

FLAVOR = "general1-1"
WINDOWS = "9d7e6f5a-4b3c-4d2e-9f1a-0b9c8d7e6f5a"
BASE_IDS = [image.id for image in BASE_IMAGES]


class Tenant:
    """
    One tenant's image and compute endpoints in one region of an
    in-memory Mimic.
    """

    def __init__(self, mimic: InMemoryMimic, username: str = "alice", region: str = "ORD") -> None:
        self.mimic = mimic
        self.access = mimic.authenticate(username)
        self.images = self.access.endpoint("image", region)
        self.compute = self.access.endpoint("compute", region)

    def glance(self, method: str, path: str, body: Any = None) -> Response:
        return self.mimic.request(method, self.images + path, body, token=self.access.token)

    def nova(self, method: str, path: str, body: Any = None) -> Response:
        return self.mimic.request(method, self.compute + path, body, token=self.access.token)

    def snapshot(self, name: str = "backup") -> str:
        """
        Boot a server and snapshot it through Nova; the new image's id.
        """
        server = {"server": {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}}
        response = self.nova("POST", "/servers", server)
        assert response.code == 202, response
        server_id = response.json()["server"]["id"]
        self.mimic.tick(600)
        response = self.nova("POST", f"/servers/{server_id}/action", {"createImage": {"name": name}})
        assert response.code == 202, response
        return response.header("location").rsplit("/", 1)[-1]


class ImageTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.alice = Tenant(self.mimic)

    def ok(self, response: Response, code: int = 200) -> Any:
        self.assertEqual(response.code, code, response)
        return response.json() if response.body else None

    def assertGlanceError(self, response: Response, code: int, text: str = "") -> None:
        self.assertEqual(response.code, code, response)
        self.assertEqual(response.header("content-type"), "application/json")
        body = response.json()
        self.assertEqual(body["code"].split()[0], str(code))
        self.assertIn(text, body["message"])

    def listed(self, query: str = "", tenant: Tenant | None = None) -> list[str]:
        body = self.ok((tenant or self.alice).glance("GET", f"/images{query}"))
        return [image["id"] for image in body["images"]]


class DiscoveryTests(ImageTestCase):
    def test_catalog_lists_cloud_images_in_the_compute_regions(self) -> None:
        [entry] = [e for e in self.alice.access.access["serviceCatalog"] if e["type"] == "image"]
        self.assertEqual(entry["name"], "cloudImages")
        self.assertEqual([e["region"] for e in entry["endpoints"]], ["ORD", "DFW", "IAD"])
        tenant = self.alice.access.tenant_id
        self.assertEqual(
            entry["endpoints"][0]["publicURL"], f"{self.mimic.base}/service/image/ORD/{tenant}/v2"
        )

    def test_root_lists_versions_without_a_token(self) -> None:
        root = self.alice.images[: -len("/v2")]
        response = self.mimic.request("GET", root + "/")
        body = self.ok(response, 300)
        current = [v for v in body["versions"] if v["status"] == "CURRENT"]
        self.assertEqual([v["id"] for v in current], ["v2.16"])
        self.assertEqual(current[0]["links"], [{"rel": "self", "href": f"{root}/v2/"}])
        self.assertIn("v2.0", [v["id"] for v in body["versions"]])

    def test_versions_path_and_bare_version_list_versions_too(self) -> None:
        root = self.alice.images[: -len("/v2")]
        self.assertEqual(self.mimic.request("GET", root + "/versions").code, 200)
        self.assertEqual(self.mimic.request("GET", root + "/v2").code, 300)
        self.assertEqual(self.mimic.request("GET", root + "/v2/").code, 300)

    def test_images_need_a_token(self) -> None:
        response = self.mimic.request("GET", self.alice.images + "/images")
        self.assertGlanceError(response, 401, "requires authentication")

    def test_another_tenants_token_is_403(self) -> None:
        bob = Tenant(self.mimic, "bob")
        response = self.mimic.request("GET", self.alice.images + "/images", token=bob.access.token)
        self.assertGlanceError(response, 403)

    def test_schemas_describe_images(self) -> None:
        image = self.ok(self.alice.glance("GET", "/schemas/image"))
        self.assertEqual(image["name"], "image")
        self.assertIn("visibility", image["properties"])
        images = self.ok(self.alice.glance("GET", "/schemas/images"))
        self.assertEqual(images["properties"]["images"]["items"]["name"], "image")

    def test_unknown_path_and_method_answer_in_glance_shape(self) -> None:
        self.assertGlanceError(self.alice.glance("GET", "/nothing"), 404)
        self.assertGlanceError(self.alice.glance("PUT", "/images"), 405)


class ListingTests(ImageTestCase):
    def test_default_listing_is_base_images_newest_first(self) -> None:
        body = self.ok(self.alice.glance("GET", "/images"))
        self.assertEqual([image["id"] for image in body["images"]], BASE_IDS)
        self.assertEqual((body["first"], body["schema"]), ("/v2/images", "/v2/schemas/images"))
        self.assertNotIn("next", body)
        ubuntu = body["images"][0]
        self.assertEqual(
            {k: ubuntu[k] for k in ("status", "visibility", "owner", "disk_format", "self", "os_distro")},
            {
                "status": "active",
                "visibility": "public",
                "owner": "rackspace",
                "disk_format": "vhd",
                "self": f"/v2/images/{DEFAULT_IMAGE_ID}",
                "os_distro": "ubuntu",
            },
        )

    def test_pages_follow_next_links_to_the_end(self) -> None:
        seen: list[str] = []
        path = "/images?limit=3"
        pages = 0
        while path is not None:
            body = self.ok(self.alice.glance("GET", path[len("/v2"):] if path.startswith("/v2") else path))
            seen += [image["id"] for image in body["images"]]
            path = body.get("next")
            pages += 1
        self.assertEqual(seen, BASE_IDS)
        self.assertEqual(pages, 3)

    def test_full_page_has_a_next_link_carrying_the_query(self) -> None:
        body = self.ok(self.alice.glance("GET", "/images?limit=2&visibility=public"))
        second = body["images"][1]["id"]
        self.assertEqual(body["next"], f"/v2/images?limit=2&visibility=public&marker={second}")
        self.assertEqual(body["first"], "/v2/images?limit=2&visibility=public")

    def test_bad_limit_and_unknown_marker_are_400(self) -> None:
        self.assertGlanceError(self.alice.glance("GET", "/images?limit=many"), 400, "integer")
        self.assertGlanceError(self.alice.glance("GET", "/images?limit=-1"), 400, "positive")
        self.assertGlanceError(self.alice.glance("GET", "/images?marker=nope"), 400, "nope")

    def test_name_filter_is_exact_or_a_list(self) -> None:
        name = BASE_IMAGES[1].name
        self.assertEqual(self.listed(f"?name={quote(name)}"), [BASE_IMAGES[1].id])
        both = quote(f'in:"{BASE_IMAGES[2].name}","{BASE_IMAGES[0].name}"')
        self.assertEqual(self.listed(f"?name={both}"), [BASE_IMAGES[0].id, BASE_IMAGES[2].id])
        self.assertEqual(self.listed("?name=Ubuntu"), [])

    def test_id_in_filter_lists_those_images(self) -> None:
        wanted = f"in:{WINDOWS},{DEFAULT_IMAGE_ID},00000000-0000-0000-0000-000000000000"
        self.assertEqual(self.listed(f"?id={wanted}"), [DEFAULT_IMAGE_ID, WINDOWS])

    def test_property_filters_match_image_properties(self) -> None:
        self.assertEqual(self.listed("?os_type=windows"), [WINDOWS])
        ubuntus = [image.id for image in BASE_IMAGES if image.metadata["os_distro"] == "ubuntu"]
        self.assertEqual(self.listed("?os_distro=ubuntu"), ubuntus)

    def test_status_size_and_owner_filters(self) -> None:
        self.assertEqual(self.listed("?status=active"), BASE_IDS)
        self.assertEqual(self.listed("?status=queued"), [])
        self.assertGlanceError(self.alice.glance("GET", "/images?status=shiny"), 400, "shiny")
        self.assertEqual(self.listed("?size_min=10000000000"), [WINDOWS])
        self.assertEqual(self.listed("?owner=rackspace"), BASE_IDS)

    def test_hidden_tagged_and_shared_listings_are_empty(self) -> None:
        self.assertEqual(self.listed("?os_hidden=true"), [])
        self.assertEqual(self.listed("?tag=gold"), [])
        self.assertEqual(self.listed("?visibility=shared"), [])
        self.assertGlanceError(self.alice.glance("GET", "/images?visibility=secret"), 400, "secret")
        self.assertGlanceError(self.alice.glance("GET", "/images?member_status=maybe"), 400, "maybe")

    def test_sorting_by_name_both_ways(self) -> None:
        by_name = [image.id for image in sorted(BASE_IMAGES, key=lambda image: image.name)]
        self.assertEqual(self.listed("?sort_key=name&sort_dir=asc"), by_name)
        self.assertEqual(self.listed("?sort=name:desc"), list(reversed(by_name)))
        self.assertEqual(self.listed("?sort=created_at:asc"), list(reversed(BASE_IDS)))

    def test_paging_follows_the_sort_order(self) -> None:
        by_name = [image.id for image in sorted(BASE_IMAGES, key=lambda image: image.name)]
        self.assertEqual(self.listed(f"?sort=name:asc&limit=2&marker={by_name[2]}"), by_name[3:5])

    def test_bad_sorting_is_400(self) -> None:
        self.assertGlanceError(self.alice.glance("GET", "/images?sort_key=colour"), 400, "colour")
        self.assertGlanceError(self.alice.glance("GET", "/images?sort_dir=up"), 400, "up")
        self.assertGlanceError(self.alice.glance("GET", "/images?sort=name:asc&sort_key=id"), 400)
        self.assertGlanceError(self.alice.glance("GET", "/images?created_at=after:2020"), 400)

    def test_time_filters_compare_with_created_at(self) -> None:
        newest = BASE_IMAGES[0]
        self.assertEqual(self.listed("?created_at=gte:2024-01-15T00:00:00Z"), [newest.id])
        self.assertEqual(len(self.listed("?created_at=lt:2024-01-15T00:00:00Z")), len(BASE_IMAGES) - 1)


class ImageTests(ImageTestCase):
    def test_show_image(self) -> None:
        image = self.ok(self.alice.glance("GET", f"/images/{WINDOWS}"))
        self.assertEqual(
            (image["id"], image["min_disk"], image["min_ram"], image["os_type"]),
            (WINDOWS, 40, 1024, "windows"),
        )

    def test_show_unknown_image_is_404(self) -> None:
        response = self.alice.glance("GET", "/images/00000000-0000-0000-0000-000000000000")
        self.assertGlanceError(response, 404, "No image found with ID 00000000-")

    def test_base_images_cannot_be_deleted(self) -> None:
        self.assertGlanceError(self.alice.glance("DELETE", f"/images/{DEFAULT_IMAGE_ID}"), 403)
        self.ok(self.alice.glance("GET", f"/images/{DEFAULT_IMAGE_ID}"))

    def test_delete_unknown_image_is_404(self) -> None:
        self.assertGlanceError(self.alice.glance("DELETE", "/images/nope"), 404)


class SharedStoreTests(ImageTestCase):
    """
    One store per (tenant, region): what Nova makes Glance shows, and
    what Glance deletes Nova no longer has.
    """

    def test_nova_snapshot_shows_in_glance_saving_then_active(self) -> None:
        image_id = self.alice.snapshot("web-backup")
        image = self.ok(self.alice.glance("GET", f"/images/{image_id}"))
        self.assertEqual(
            (image["name"], image["status"], image["visibility"], image["owner"], image["size"]),
            ("web-backup", "saving", "private", self.alice.access.tenant_id, None),
        )
        self.assertEqual(image["image_type"], "snapshot")
        self.assertEqual(self.listed(), [image_id] + BASE_IDS)
        self.assertEqual(self.listed("?visibility=private"), [image_id])
        self.assertEqual(self.listed("?status=saving"), [image_id])
        self.mimic.tick(SNAPSHOT_SECONDS)
        image = self.ok(self.alice.glance("GET", f"/images/{image_id}"))
        self.assertEqual(image["status"], "active")
        self.assertIsInstance(image["size"], int)

    def test_glance_delete_removes_the_snapshot_from_nova(self) -> None:
        image_id = self.alice.snapshot()
        self.ok(self.alice.nova("GET", f"/images/{image_id}"))
        self.assertEqual(self.alice.glance("DELETE", f"/images/{image_id}").code, 204)
        self.assertEqual(self.alice.nova("GET", f"/images/{image_id}").code, 404)
        self.assertGlanceError(self.alice.glance("GET", f"/images/{image_id}"), 404)

    def test_nova_delete_removes_the_image_from_glance(self) -> None:
        image_id = self.alice.snapshot()
        self.assertEqual(self.alice.nova("DELETE", f"/images/{image_id}").code, 204)
        self.assertEqual(self.listed(), BASE_IDS)

    def test_servers_boot_from_a_snapshot_glance_lists(self) -> None:
        image_id = self.alice.snapshot()
        self.mimic.tick(600)  # Nova boots from an active image only.
        server = {"server": {"name": "clone", "imageRef": image_id, "flavorRef": FLAVOR}}
        created = self.ok(self.alice.nova("POST", "/servers", server), 202)
        shown = self.ok(self.alice.nova("GET", f"/servers/{created['server']['id']}"))
        self.assertEqual(shown["server"]["image"]["id"], image_id)

    def test_snapshots_stay_in_their_tenant_and_region(self) -> None:
        image_id = self.alice.snapshot()
        bob = Tenant(self.mimic, "bob")
        self.assertEqual(self.listed(tenant=bob), BASE_IDS)
        self.assertGlanceError(bob.glance("GET", f"/images/{image_id}"), 404)
        dfw = Tenant(self.mimic, "alice", "DFW")
        self.assertEqual(self.listed(tenant=dfw), BASE_IDS)

    def test_state_dump_and_tenant_reset_cover_the_store(self) -> None:
        image_id = self.alice.snapshot()
        tenant = self.alice.access.tenant_id
        summary = self.mimic.core.state_summary()
        self.assertEqual(summary["image"][tenant]["ORD"]["snapshot_ids"], [image_id])
        self.mimic.core.reset(tenant)
        alice = Tenant(self.mimic)
        self.assertEqual(self.listed(tenant=alice), BASE_IDS)
        self.assertEqual(alice.nova("GET", f"/images/{image_id}").code, 404)


class KnownErrorTests(ImageTestCase):
    def test_registered_list_failure_is_glance_error(self) -> None:
        self.mimic.core.failures.register(
            IMAGE_LIST, "fail", parameters={"code": 503, "message": "Glance is down"}, times=1
        )
        self.assertGlanceError(self.alice.glance("GET", "/images"), 503, "Glance is down")
        self.assertEqual(self.listed(), BASE_IDS)

    def test_registered_delete_failure_keeps_the_image(self) -> None:
        image_id = self.alice.snapshot("keep-me")
        self.mimic.core.failures.register(
            IMAGE_DELETE, "fail", criteria=[{"image_name": "^keep"}]
        )
        self.assertGlanceError(self.alice.glance("DELETE", f"/images/{image_id}"), 500)
        self.ok(self.alice.glance("GET", f"/images/{image_id}"))

    def test_control_api_registers_image_conditions(self) -> None:
        response = self.mimic.request(
            "POST", "/mimic/v1.1/image/behaviors/list", {"name": "fail", "parameters": {"code": 500}}
        )
        self.assertEqual(response.code, 201, response)
        self.assertGlanceError(self.alice.glance("GET", "/images"), 500)


#: Query values that are wrong in every way a client can get them wrong.
_BAD_VALUES = [
    "-1", "0", "abc", "1" + "0" * 30, "%C2%B2", "", "%ff", "%00", "(", "[", "in:", 'in:"a', "gt:",
    "gt:2020-13-45", "eq:0001-01-01T00:00:00%2B23:59", "name:sideways", ",", "%E2%98%83",
]
_QUERY = (
    "limit", "marker", "sort_key", "sort_dir", "sort", "name", "id", "status", "visibility",
    "owner", "member_status", "tag", "protected", "os_hidden", "size_min", "size_max",
    "created_at", "updated_at", "os_distro",
)


class BadInputTests(ImageTestCase):
    """
    Whatever a client sends, it gets a 2xx or a 4xx in Glance's shape,
    never a 500.
    """

    def assertClientOutcome(self, response: Response, what: str) -> None:
        self.assertTrue(response.code < 500, f"{what}: {response!r}")
        if response.code >= 400:
            self.assertEqual(response.json()["code"].split()[0], str(response.code), what)

    def test_bad_query_values_never_give_500(self) -> None:
        for name in _QUERY:
            for value in _BAD_VALUES:
                what = f"?{name}={value}"
                self.assertClientOutcome(self.alice.glance("GET", f"/images{what}"), what)
            twice = f"?{name}=1&{name}=x"
            self.assertClientOutcome(self.alice.glance("GET", f"/images{twice}"), twice)

    def test_bad_ids_are_404(self) -> None:
        for bad in ("unknown", "0", "%00", "%ff", "%2F", "%E2%98%83", "a" * 3000, "%20"):
            for method in ("GET", "DELETE"):
                response = self.alice.glance(method, f"/images/{bad}")
                self.assertGlanceError(response, 404)
        self.assertEqual(self.listed(), BASE_IDS)

    def test_odd_methods_are_405_in_glance_shape(self) -> None:
        odd = [
            (method, path)
            for method in ("PUT", "OPTIONS", "FROB")
            for path in ("/images", f"/images/{DEFAULT_IMAGE_ID}", "/schemas/image")
        ] + [("POST", f"/images/{DEFAULT_IMAGE_ID}"), ("PATCH", "/images"), ("POST", "/schemas/image")]
        for method, path in odd:
            response = self.alice.glance(method, path)
            self.assertIn(response.code, (404, 405), f"{method} {path}: {response!r}")
            self.assertClientOutcome(response, f"{method} {path}")
