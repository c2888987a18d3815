# -*- test-case-name: mimic.test.test_compute_recent_microversions -*-
"""
What Nova's microversions 2.97 to 2.100 change, through HTTP in memory:
share attachments (2.97, with no Shared File Systems service behind
them), the image properties a server shows (2.98), and the scheduler
hints it was created with (2.100); and two checks of a server create
that hold at every microversion (an image that is not active, tags
before 2.52).
"""

from __future__ import annotations

from typing import Any

from attrs import evolve

from mimic.services.compute import model
from mimic.services.compute.flavor_sets import FlavorSet, flavor_set
from mimic.services.compute.shares import MEMORY_PAGES_SPEC
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.test.test_compute_servers import FLAVOR, ComputeTestCase

SHARE = "e8debdc0-447a-4376-a10a-4cd9122d7986"
OTHER = "48e6a9f6-30af-47e0-bc04-acaed113bb4e"


class RecentMicroversionCase(ComputeTestCase):
    version = "2.100"

    def error(self, response: Any, code: int) -> str:
        """
        The message of Nova's error ``code``.
        """
        self.assertEqual(response.code, code, response.body)
        (fault,) = response.json().values()
        self.assertEqual(fault["code"], code)
        return str(fault["message"])

    def stopped_server(self) -> str:
        server_id = self.created_id()
        self.mimic.tick(60)
        self.assertEqual(self.action(server_id, {"os-stop": None}).code, 202)
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "SHUTOFF")
        return server_id


class ShareTests(RecentMicroversionCase):
    def test_shares_arrive_at_2_97(self) -> None:
        server_id = self.created_id()
        self.error(self.call("GET", f"/servers/{server_id}/shares", version="2.96"), 404)
        self.error(self.call("POST", f"/servers/{server_id}/shares", {"share": {"share_id": SHARE}}, version="2.96"), 404)
        listed = self.call("GET", f"/servers/{server_id}/shares", version="2.97")
        self.assertEqual((listed.code, listed.json()), (200, {"shares": []}))

    def test_an_unknown_server_is_404(self) -> None:
        for method, path in (("GET", ""), ("GET", f"/{SHARE}"), ("DELETE", f"/{SHARE}")):
            message = self.error(self.call(method, f"/servers/{OTHER}/shares{path}"), 404)
            self.assertEqual(message, f"Instance {OTHER} could not be found.")

    def test_no_share_is_attached_so_none_is_found(self) -> None:
        server_id = self.stopped_server()
        message = self.error(self.call("GET", f"/servers/{server_id}/shares/{SHARE}"), 404)
        self.assertEqual(message, f"Share {SHARE} could not be found.")
        self.error(self.call("DELETE", f"/servers/{server_id}/shares/{SHARE}"), 404)

    def test_listing_and_showing_take_no_query(self) -> None:
        server_id = self.created_id()
        message = self.error(self.call("GET", f"/servers/{server_id}/shares?x=1"), 400)
        self.assertEqual(message, "Additional properties are not allowed ('x' was unexpected)")
        # Before the server is looked up.
        self.error(self.call("GET", f"/servers/{OTHER}/shares/{SHARE}?x=1&y=2"), 400)

    def test_attach_checks_the_body_first(self) -> None:
        server_id = self.created_id()
        for body in (
            {}, {"share": None}, {"share": {}}, {"share": {"share_id": "nope"}},
            {"share": {"share_id": SHARE, "tag": ""}}, {"share": {"share_id": SHARE, "more": 1}},
            {"share": {"share_id": SHARE}, "more": 1}, {"share": {"share_id": SHARE, "tag": "t" * 256}},
        ):
            self.error(self.call("POST", f"/servers/{server_id}/shares", body), 400)
        # Before the server is looked up.
        self.error(self.call("POST", f"/servers/{OTHER}/shares", {"share": {"share_id": 5}}), 400)

    def test_attach_and_detach_need_a_stopped_server(self) -> None:
        server_id = self.created_id()
        self.mimic.tick(60)
        message = self.error(self.call("POST", f"/servers/{server_id}/shares", {"share": {"share_id": SHARE}}), 409)
        self.assertEqual(message, f"Cannot 'create share' instance {server_id} while it is in vm_state active")
        message = self.error(self.call("DELETE", f"/servers/{server_id}/shares/{SHARE}"), 409)
        self.assertEqual(message, f"Cannot 'delete share' instance {server_id} while it is in vm_state active")

    def test_a_server_without_huge_pages_cannot_mount_shares(self) -> None:
        server_id = self.stopped_server()
        message = self.error(self.call("POST", f"/servers/{server_id}/shares", {"share": {"share_id": SHARE}}), 409)
        self.assertEqual(
            message, "Feature not supported because either compute or instance are not configured correctly."
        )

    def test_with_huge_pages_the_share_is_not_found_as_there_is_no_manila(self) -> None:
        def with_huge_pages(profile: Any, region: str | None = None) -> FlavorSet:
            flavors = flavor_set(profile, region)
            return FlavorSet(
                tuple(
                    evolve(f, extra_specs={**f.extra_specs, MEMORY_PAGES_SPEC: "large"}) if f.id == FLAVOR else f
                    for f in flavors.flavors
                ),
                flavors.default_id,
            )

        self.patch(model, "flavor_set", with_huge_pages)
        server_id = self.stopped_server()
        body = {"share": {"share_id": SHARE, "tag": "data"}}
        message = self.error(self.call("POST", f"/servers/{server_id}/shares", body), 404)
        self.assertEqual(message, f"Share {SHARE} could not be found.")
        self.assertEqual(self.call("GET", f"/servers/{server_id}/shares").json(), {"shares": []})


class ImagePropertiesTests(RecentMicroversionCase):
    def test_the_image_shows_its_properties_from_2_98(self) -> None:
        server_id = self.created_id()
        self.assertNotIn("properties", self.show(server_id, version="2.97")["image"])
        properties = self.show(server_id, version="2.98")["image"]["properties"]
        self.assertEqual(properties["base_image_ref"], DEFAULT_IMAGE_ID)
        image = self.call("GET", f"/images/{DEFAULT_IMAGE_ID}", version="2.35").json()["image"]
        flavor = self.call("GET", f"/flavors/{FLAVOR}").json()["flavor"]
        self.assertEqual(properties["min_ram"], str(image["minRam"]))
        self.assertEqual(properties["min_disk"], str(max(image["minDisk"], flavor["disk"])))
        for name, value in image["metadata"].items():
            # Not what Nova keeps: a hint for its image cache.
            if name != "cache_in_nova":
                self.assertEqual(properties[name], value)
        self.assertNotIn("cache_in_nova", properties)
        self.assertTrue(all(isinstance(v, str) for v in properties.values()))
        listed = self.call("GET", "/servers/detail", version="2.98").json()["servers"][0]
        self.assertEqual(listed["image"]["properties"], properties)

    def test_a_server_booted_from_a_volume_shows_no_image(self) -> None:
        server_id = self.created_id(
            imageRef="", block_device_mapping_v2=[{"boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image"}]
        )
        self.assertEqual(self.show(server_id, version="2.98")["image"], "")

    def test_a_rebuild_keeps_the_new_images_properties(self) -> None:
        server_id = self.created_id()
        self.mimic.tick(60)
        images = self.call("GET", "/images", version="2.35").json()["images"]
        other = next(i["id"] for i in images if i["id"] != DEFAULT_IMAGE_ID)
        rebuilt = self.call("POST", f"/servers/{server_id}/action", {"rebuild": {"imageRef": other}}, version="2.98")
        self.assertEqual(rebuilt.code, 202, rebuilt.body)
        self.assertEqual(rebuilt.json()["server"]["image"]["properties"]["base_image_ref"], other)
        self.assertEqual(self.show(server_id, version="2.98")["image"]["properties"]["base_image_ref"], other)


class SchedulerHintsTests(RecentMicroversionCase):
    def create_with_hints(self, hints: Any, key: str = "os:scheduler_hints") -> Any:
        server = {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}
        return self.call("POST", "/servers", {"server": server, key: hints})

    def test_hints_are_shown_from_2_100_each_as_a_list(self) -> None:
        created = self.create_with_hints({"same_host": OTHER, "different_host": [OTHER], "custom": "x"})
        server_id = created.json()["server"]["id"]
        self.assertNotIn("scheduler_hints", self.show(server_id, version="2.99"))
        expected = {"same_host": [OTHER], "different_host": [OTHER], "custom": ["x"]}
        self.assertEqual(self.show(server_id)["scheduler_hints"], expected)
        self.assertEqual(self.call("GET", "/servers/detail").json()["servers"][0]["scheduler_hints"], expected)
        updated = self.call("PUT", f"/servers/{server_id}", {"server": {"name": "web2"}})
        self.assertEqual(updated.json()["server"]["scheduler_hints"], expected)

    def test_the_legacy_key_and_no_hints(self) -> None:
        created = self.create_with_hints({"target_cell": "cell1"}, key="OS-SCH-HNT:scheduler_hints")
        self.assertEqual(self.show(created.json()["server"]["id"])["scheduler_hints"], {"target_cell": ["cell1"]})
        self.assertEqual(self.show(self.created_id())["scheduler_hints"], {})

    def test_hints_naming_servers_must_name_them_by_uuid(self) -> None:
        for hints in ({"same_host": "nope"}, {"different_host": ["nope"]}, {"same_host": 5}, "nope"):
            self.error(self.create_with_hints(hints), 400)
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])


class CreateCheckTests(RecentMicroversionCase):
    def test_tags_on_create_arrive_at_2_52(self) -> None:
        server = {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR, "tags": ["a"]}
        message = self.error(self.call("POST", "/servers", {"server": server}, version="2.51"), 400)
        self.assertIn("Additional properties are not allowed ('tags' was unexpected)", message)
        created = self.call("POST", "/servers", {"server": server}, version="2.52")
        self.assertEqual(created.code, 202, created.body)
        self.assertEqual(self.show(created.json()["server"]["id"])["tags"], ["a"])

    def test_an_image_that_is_not_active_is_400(self) -> None:
        server_id = self.created_id()
        self.mimic.tick(60)
        snapshot = self.action(server_id, {"createImage": {"name": "snap"}})
        self.assertEqual(snapshot.code, 202, snapshot.body)
        image_id = snapshot.json()["image_id"]
        response = self.create(imageRef=image_id)
        self.assertEqual(self.error(response, 400), f"Image {image_id} is not active.")
        rebuilt = self.action(server_id, {"rebuild": {"imageRef": image_id}})
        self.assertEqual(self.error(rebuilt, 400), f"Image {image_id} is not active.")
        self.mimic.tick(3600)
        self.assertEqual(self.create(imageRef=image_id).code, 202)

    def test_an_image_registered_without_data_is_queued_so_not_active(self) -> None:
        glance = self.access.endpoint("image", "ORD")
        made = self.mimic.request(
            "POST", glance + "/images", {"name": "empty", "disk_format": "qcow2", "container_format": "bare"},
            token=self.access.token,
        )
        self.assertEqual(made.code, 201, made.body)
        image_id = made.json()["id"]
        self.assertEqual(self.error(self.create(imageRef=image_id), 400), f"Image {image_id} is not active.")
