# -*- test-case-name: mimic.test.test_image_writes -*-
"""
Glance v2's writes over HTTP in memory: registering an image, uploading
and downloading its data, JSON-patches of both media types,
deactivation, tags, sharing between projects, the interoperable import
with its tasks on Mimic's clock, the known error conditions of uploads
and imports, schemas and discovery, and that snapshots keep all of it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mimic.interfaces import IImages
from mimic.services.image.failures import IMAGE_IMPORT, IMAGE_UPLOAD
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.services.image.patch import PATCH_V20, PATCH_V21
from mimic.services.image.writes import IMPORT_SECONDS
from mimic.test.test_image import ImageTestCase, Tenant
from mimic.testing import Response

DATA = bytes(range(256)) * 4


class WritesTestCase(ImageTestCase):
    def create(self, tenant: Tenant | None = None, **fields: Any) -> dict[str, Any]:
        fields.setdefault("name", "mine")
        fields.setdefault("container_format", "bare")
        fields.setdefault("disk_format", "raw")
        return self.ok((tenant or self.alice).glance("POST", "/images", fields), 201)

    def put_data(self, image_id: str, data: bytes = DATA, path: str = "file", tenant: Tenant | None = None) -> Response:
        who = tenant or self.alice
        return self.mimic.request(
            "PUT",
            f"{who.images}/images/{image_id}/{path}",
            token=who.access.token,
            headers={"Content-Type": "application/octet-stream"},
            raw=data,
        )

    def patch(self, image_id: str, changes: Any, media: str = PATCH_V21) -> Response:
        return self.mimic.request(
            "PATCH",
            f"{self.alice.images}/images/{image_id}",
            token=self.alice.access.token,
            headers={"Content-Type": media},
            raw=json.dumps(changes).encode(),
        )

    def show(self, image_id: str, tenant: Tenant | None = None) -> dict[str, Any]:
        return self.ok((tenant or self.alice).glance("GET", f"/images/{image_id}"))


class CreateTests(WritesTestCase):
    def test_create_is_201_queued_with_location_and_import_methods(self) -> None:
        response = self.alice.glance("POST", "/images", {"name": "x", "disk_format": "qcow2", "hw_disk_bus": "scsi"})
        image = self.ok(response, 201)
        self.assertEqual(image["status"], "queued")
        self.assertEqual(image["visibility"], "shared")
        self.assertEqual(image["owner"], self.alice.access.tenant_id)
        self.assertIsNone(image["size"])
        self.assertEqual(image["hw_disk_bus"], "scsi")
        self.assertTrue(response.header("location").endswith(f"/v2/images/{image['id']}"))
        self.assertEqual(response.header("openstack-image-import-methods"), "glance-direct,web-download")
        self.assertIn(image["id"], self.listed())

    def test_chosen_id_is_kept_and_a_taken_one_is_409(self) -> None:
        chosen = "a8c1f7e2-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
        self.assertEqual(self.create(id=chosen)["id"], chosen)
        self.assertGlanceError(self.alice.glance("POST", "/images", {"id": chosen}), 409, "already exists")
        self.assertGlanceError(self.alice.glance("POST", "/images", {"id": DEFAULT_IMAGE_ID}), 409)

    def test_bad_bodies_are_glance_errors_and_create_nothing(self) -> None:
        before = self.listed()
        for body, code, text in [
            ({"disk_format": "wrong"}, 400, "does not match schema"),
            ({"container_format": "wrong"}, 400, "is not one of"),
            ({"min_ram": -1}, 400, "minimum"),
            ({"protected": "yes"}, 400, "boolean"),
            ({"name": "x" * 256}, 400, "too long"),
            ({"tags": "a"}, 400, "array"),
            ({"custom": 5}, 400, "string"),
            ({"status": "active"}, 403, "read-only"),
            ({"os_glance_foo": "bar"}, 403, "reserved"),
            ({"visibility": "public"}, 403, "publicize_image"),
            ({"owner": "someone-else"}, 403, "owned by"),
            ({"id": "not-a-uuid"}, 400, "UUID"),
            ([1], 400, "JSON object"),
        ]:
            self.assertGlanceError(self.alice.glance("POST", "/images", body), code, text)
        self.assertEqual(self.listed(), before)


class DataTests(WritesTestCase):
    def test_upload_makes_the_image_active_with_hashes_and_download_returns_it(self) -> None:
        image = self.create()
        empty = self.alice.glance("GET", f"/images/{image['id']}/file")
        self.assertEqual((empty.code, empty.body), (204, b""))
        self.assertEqual(self.put_data(image["id"]).code, 204)
        shown = self.show(image["id"])
        self.assertEqual(shown["status"], "active")
        self.assertEqual(shown["size"], len(DATA))
        self.assertEqual(shown["checksum"], hashlib.md5(DATA).hexdigest())
        self.assertEqual(shown["os_hash_algo"], "sha512")
        self.assertEqual(shown["os_hash_value"], hashlib.sha512(DATA).hexdigest())
        self.assertEqual(shown["stores"], "file")
        download = self.alice.glance("GET", f"/images/{image['id']}/file")
        self.assertEqual((download.code, download.body), (200, DATA))
        self.assertEqual(download.header("content-md5"), shown["checksum"])

    def test_second_upload_and_wrong_content_type_are_refused(self) -> None:
        image = self.create()
        wrong = self.mimic.request(
            "PUT",
            f"{self.alice.images}/images/{image['id']}/file",
            token=self.alice.access.token,
            headers={"Content-Type": "text/plain"},
            raw=b"x",
        )
        self.assertGlanceError(wrong, 415)
        self.put_data(image["id"])
        self.assertGlanceError(self.put_data(image["id"]), 409, "from active to saving")

    def test_base_images_and_unknown_images_take_no_data(self) -> None:
        self.assertGlanceError(self.put_data(DEFAULT_IMAGE_ID), 403)
        self.assertGlanceError(self.put_data("nope"), 404)
        self.assertEqual(self.alice.glance("GET", f"/images/{DEFAULT_IMAGE_ID}/file").code, 204)

    def test_deactivated_images_cannot_be_downloaded_until_reactivated(self) -> None:
        image_id = self.create()["id"]
        self.assertGlanceError(self.alice.glance("POST", f"/images/{image_id}/actions/deactivate"), 403, "'queued'")
        self.put_data(image_id)
        self.assertEqual(self.alice.glance("POST", f"/images/{image_id}/actions/deactivate").code, 204)
        self.assertEqual(self.show(image_id)["status"], "deactivated")
        self.assertGlanceError(self.alice.glance("GET", f"/images/{image_id}/file"), 403, "deactivated")
        self.assertEqual(self.alice.glance("POST", f"/images/{image_id}/actions/reactivate").code, 204)
        self.assertEqual(self.alice.glance("GET", f"/images/{image_id}/file").body, DATA)

    def test_nova_shows_glance_images_with_novas_statuses(self) -> None:
        image_id = self.create()["id"]
        self.assertEqual(self.ok(self.alice.nova("GET", f"/images/{image_id}"))["image"]["status"], "SAVING")
        self.put_data(image_id)
        self.assertEqual(self.ok(self.alice.nova("GET", f"/images/{image_id}"))["image"]["status"], "ACTIVE")


class PatchTests(WritesTestCase):
    def test_both_media_types_add_replace_and_remove(self) -> None:
        image_id = self.create(custom="a")["id"]
        changed = self.ok(
            self.patch(
                image_id,
                [
                    {"op": "replace", "path": "/name", "value": "renamed"},
                    {"op": "add", "path": "/speed", "value": "88mph"},
                    {"op": "replace", "path": "/custom", "value": "b"},
                    {"op": "add", "path": "/os_hidden", "value": True},
                    {"op": "add", "path": "/a~1b", "value": "slash"},
                ],
            )
        )
        self.assertEqual((changed["name"], changed["speed"], changed["custom"]), ("renamed", "88mph", "b"))
        self.assertTrue(changed["os_hidden"])
        self.assertEqual(changed["a/b"], "slash")
        self.assertNotIn(image_id, self.listed())
        again = self.ok(self.patch(image_id, [{"remove": "/custom"}, {"replace": "/min_ram", "value": 512}], PATCH_V20))
        self.assertNotIn("custom", again)
        self.assertEqual(again["min_ram"], 512)

    def test_other_content_types_are_415_with_accept_patch(self) -> None:
        image_id = self.create()["id"]
        response = self.alice.glance("PATCH", f"/images/{image_id}", [])
        self.assertGlanceError(response, 415)
        self.assertIn(PATCH_V21, response.header("accept-patch"))

    def test_refused_patches_change_nothing(self) -> None:
        image_id = self.create(custom="a")["id"]
        before = self.show(image_id)
        for changes, code, text in [
            ({"op": "add"}, 400, "array"),
            ([{"path": "/name", "value": "x"}], 400, "Unable to find `op`"),
            ([{"op": "move", "path": "/name", "value": "x"}], 400, "Invalid operation"),
            ([{"op": "add", "path": "name", "value": "x"}], 400, "does not start with"),
            ([{"op": "add", "path": "/a/b", "value": "x"}], 400, "Invalid JSON pointer"),
            ([{"op": "add", "path": "/name"}], 400, "value"),
            ([{"op": "add", "path": "/name", "value": "ok"}, {"op": "replace", "path": "/nope", "value": "x"}], 409, "does not exist"),
            ([{"op": "remove", "path": "/nope"}], 409, "does not exist"),
            ([{"op": "remove", "path": "/name"}], 403, "may not be removed"),
            ([{"op": "replace", "path": "/status", "value": "active"}], 403, "read-only"),
            ([{"op": "add", "path": "/os_glance_foo", "value": "bar"}], 403, "reserved"),
            ([{"op": "add", "path": "/min_disk", "value": "1"}], 400, "integer"),
            (["x"], 400, "JSON objects"),
        ]:
            self.assertGlanceError(self.patch(image_id, changes), code, text)
        self.assertEqual(self.show(image_id), before)

    def test_formats_change_only_while_queued_and_base_images_not_at_all(self) -> None:
        image_id = self.create()["id"]
        self.put_data(image_id)
        self.assertGlanceError(
            self.patch(image_id, [{"op": "replace", "path": "/disk_format", "value": "qcow2"}]), 403, "queued"
        )
        self.assertGlanceError(self.patch(DEFAULT_IMAGE_ID, [{"op": "add", "path": "/x", "value": "y"}]), 403)

    def test_protected_images_are_not_deleted(self) -> None:
        image_id = self.create(protected=True)["id"]
        self.assertGlanceError(self.alice.glance("DELETE", f"/images/{image_id}"), 403, "protected")
        self.ok(self.patch(image_id, [{"op": "replace", "path": "/protected", "value": False}]))
        self.assertEqual(self.alice.glance("DELETE", f"/images/{image_id}").code, 204)
        self.assertGlanceError(self.alice.glance("GET", f"/images/{image_id}"), 404)


class TagTests(WritesTestCase):
    def test_tags_are_added_once_listed_and_removed(self) -> None:
        image_id = self.create()["id"]
        for _ in range(2):
            self.assertEqual(self.alice.glance("PUT", f"/images/{image_id}/tags/blue").code, 204)
        self.assertEqual(self.show(image_id)["tags"], ["blue"])
        self.assertEqual(self.listed("?tag=blue"), [image_id])
        self.assertEqual(self.alice.glance("DELETE", f"/images/{image_id}/tags/blue").code, 204)
        self.assertGlanceError(self.alice.glance("DELETE", f"/images/{image_id}/tags/blue"), 404)
        self.assertGlanceError(self.alice.glance("PUT", "/images/nope/tags/blue"), 404)
        self.assertGlanceError(self.alice.glance("PUT", f"/images/{image_id}/tags/{'x' * 256}"), 400)


class SharingTests(WritesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob = Tenant(self.mimic, "bob")
        self.bob_id = self.bob.access.tenant_id
        self.image_id = self.create()["id"]
        self.put_data(self.image_id)

    def share(self) -> dict[str, Any]:
        return self.ok(self.alice.glance("POST", f"/images/{self.image_id}/members", {"member": self.bob_id}))

    def set_status(self, status: str, tenant: Tenant | None = None) -> Response:
        return (tenant or self.bob).glance(
            "PUT", f"/images/{self.image_id}/members/{self.bob_id}", {"status": status}
        )

    def test_pending_members_see_the_image_but_list_it_only_once_accepted(self) -> None:
        member = self.share()
        self.assertEqual((member["status"], member["member_id"]), ("pending", self.bob_id))
        self.assertEqual(self.show(self.image_id, self.bob)["owner"], self.alice.access.tenant_id)
        self.assertNotIn(self.image_id, self.listed(tenant=self.bob))
        self.assertEqual(self.listed("?visibility=shared&member_status=pending", self.bob), [self.image_id])
        self.assertEqual(self.ok(self.set_status("accepted"))["status"], "accepted")
        self.assertIn(self.image_id, self.listed(tenant=self.bob))
        self.assertEqual(self.bob.glance("GET", f"/images/{self.image_id}/file").body, DATA)
        self.ok(self.set_status("rejected"))
        self.assertNotIn(self.image_id, self.listed(tenant=self.bob))
        self.assertEqual(self.listed("?member_status=all&visibility=shared", self.bob), [self.image_id])

    def test_members_are_listed_to_the_owner_and_each_member_sees_its_own(self) -> None:
        self.share()
        self.ok(self.alice.glance("POST", f"/images/{self.image_id}/members", {"member": "carol"}))
        owner_view = self.ok(self.alice.glance("GET", f"/images/{self.image_id}/members"))
        self.assertEqual(sorted(m["member_id"] for m in owner_view["members"]), sorted([self.bob_id, "carol"]))
        bob_view = self.ok(self.bob.glance("GET", f"/images/{self.image_id}/members"))
        self.assertEqual([m["member_id"] for m in bob_view["members"]], [self.bob_id])
        self.ok(self.bob.glance("GET", f"/images/{self.image_id}/members/{self.bob_id}"))
        self.assertGlanceError(self.bob.glance("GET", f"/images/{self.image_id}/members/carol"), 404)

    def test_sharing_rules(self) -> None:
        self.share()
        self.assertGlanceError(
            self.alice.glance("POST", f"/images/{self.image_id}/members", {"member": self.bob_id}), 409, "duplicated"
        )
        self.assertGlanceError(self.alice.glance("POST", f"/images/{self.image_id}/members", {}), 400)
        self.assertGlanceError(self.set_status("accepted", self.alice), 403)
        self.assertGlanceError(self.set_status("maybe"), 400, "Status must be")
        self.assertGlanceError(self.bob.glance("DELETE", f"/images/{self.image_id}/members/{self.bob_id}"), 403)
        self.assertGlanceError(self.bob.glance("DELETE", f"/images/{self.image_id}"), 403)
        self.assertGlanceError(
            self.bob.glance("PUT", f"/images/{self.image_id}/tags/mine"), 403
        )
        private = self.create(visibility="private")["id"]
        self.assertGlanceError(
            self.alice.glance("POST", f"/images/{private}/members", {"member": self.bob_id}), 403, "Only shared"
        )

    def test_removing_the_member_or_the_image_ends_the_sharing(self) -> None:
        self.share()
        self.ok(self.set_status("accepted"))
        self.assertEqual(self.alice.glance("DELETE", f"/images/{self.image_id}/members/{self.bob_id}").code, 204)
        self.assertNotIn(self.image_id, self.listed(tenant=self.bob))
        self.assertGlanceError(self.bob.glance("GET", f"/images/{self.image_id}"), 404)
        self.share()
        self.assertEqual(self.alice.glance("DELETE", f"/images/{self.image_id}").code, 204)
        self.assertGlanceError(self.bob.glance("GET", f"/images/{self.image_id}"), 404)


class ImportTests(WritesTestCase):
    def stage(self) -> str:
        image_id = self.create()["id"]
        self.assertEqual(self.put_data(image_id, path="stage").code, 204)
        self.assertEqual(self.show(image_id)["status"], "uploading")
        return image_id

    def start(self, image_id: str, method: str = "glance-direct", **extra: Any) -> Response:
        return self.alice.glance("POST", f"/images/{image_id}/import", {"method": {"name": method, **extra}})

    def test_glance_direct_imports_on_mimics_clock_with_a_task(self) -> None:
        image_id = self.stage()
        response = self.start(image_id)
        self.assertEqual(response.code, 202, response)
        importing = self.show(image_id)
        self.assertEqual((importing["status"], importing["os_glance_importing_to_stores"]), ("importing", "file"))
        [task] = self.ok(self.alice.glance("GET", f"/images/{image_id}/tasks"))["tasks"]
        self.assertEqual((task["status"], task["type"]), ("processing", "api_image_import"))
        self.assertEqual(task["request_id"], response.header("x-openstack-request-id"))
        self.assertEqual(task["input"]["import_req"]["method"]["name"], "glance-direct")
        self.mimic.tick(IMPORT_SECONDS)
        self.assertEqual(self.show(image_id)["status"], "active")
        self.assertEqual(self.alice.glance("GET", f"/images/{image_id}/file").body, DATA)
        [task] = self.ok(self.alice.glance("GET", f"/images/{image_id}/tasks"))["tasks"]
        self.assertEqual(task["status"], "success")

    def test_import_needs_staged_data_and_a_known_method(self) -> None:
        image_id = self.create()["id"]
        self.assertGlanceError(self.start(image_id), 409, "staged")
        self.assertGlanceError(self.start(image_id, "glance-download"), 400, "Unknown import method")
        self.assertGlanceError(self.alice.glance("POST", f"/images/{image_id}/import", {}), 400)
        self.assertGlanceError(
            self.start(image_id, "web-download", uri="http://example.com/x.img"), 400, "does not pass filtering"
        )
        self.assertEqual(self.show(image_id)["status"], "queued")

    def test_a_failing_import_task_puts_the_image_back_to_queued(self) -> None:
        image_id = self.stage()
        self.mimic.core.failures.register(IMAGE_IMPORT, "task_fails", parameters={"message": "disk on fire"})
        self.assertEqual(self.start(image_id).code, 202)
        self.mimic.tick(IMPORT_SECONDS)
        shown = self.show(image_id)
        self.assertEqual((shown["status"], shown["os_glance_failed_import"]), ("queued", "file"))
        [task] = self.ok(self.alice.glance("GET", f"/images/{image_id}/tasks"))["tasks"]
        self.assertEqual((task["status"], task["message"]), ("failure", "disk on fire"))

    def test_info_lists_methods_and_stores(self) -> None:
        methods = self.ok(self.alice.glance("GET", "/info/import"))["import-methods"]["value"]
        self.assertEqual(methods, ["glance-direct", "web-download"])
        self.assertEqual([s["id"] for s in self.ok(self.alice.glance("GET", "/info/stores"))["stores"]], ["file"])


class UploadConditionTests(WritesTestCase):
    def test_killed_upload_is_an_error_and_a_killed_image(self) -> None:
        image_id = self.create()["id"]
        self.mimic.core.failures.register(IMAGE_UPLOAD, "killed", parameters={"code": 503, "message": "store down"})
        self.assertGlanceError(self.put_data(image_id), 503, "store down")
        self.assertEqual(self.show(image_id)["status"], "killed")
        self.assertEqual(self.ok(self.alice.nova("GET", f"/images/{image_id}"))["image"]["status"], "ERROR")

    def test_failed_upload_leaves_the_image_queued(self) -> None:
        image_id = self.create()["id"]
        self.mimic.core.failures.register(IMAGE_UPLOAD, "fail", times=1)
        self.assertGlanceError(self.put_data(image_id), 500)
        self.assertEqual(self.show(image_id)["status"], "queued")
        self.assertEqual(self.put_data(image_id).code, 204)

    def test_slow_upload_is_saving_until_the_clock_says(self) -> None:
        image_id = self.create()["id"]
        self.mimic.core.failures.register(IMAGE_UPLOAD, "slow", parameters={"seconds": 30})
        self.assertEqual(self.put_data(image_id).code, 204)
        self.assertEqual(self.show(image_id)["status"], "saving")
        self.assertIn("image", [e["resource"] for e in self.ok(self.mimic.request("GET", "/mimic/v1.1/clock"))["pending"]])
        self.mimic.tick(30)
        self.assertEqual(self.show(image_id)["status"], "active")


class SchemaTests(WritesTestCase):
    def test_every_schema_glance_serves_is_named(self) -> None:
        for path, name in [
            ("member", "member"),
            ("members", "members"),
            ("tasks", "tasks"),
            ("metadefs/namespace", "namespace"),
            ("metadefs/namespaces", "namespaces"),
            ("metadefs/resource_type", "resource_type_association"),
            ("metadefs/resource_types", "resource_type_associations"),
            ("metadefs/object", "object"),
            ("metadefs/objects", "objects"),
            ("metadefs/property", "property"),
            ("metadefs/properties", "properties"),
            ("metadefs/tag", "tag"),
            ("metadefs/tags", "tags"),
        ]:
            self.assertEqual(self.ok(self.alice.glance("GET", f"/schemas/{path}"))["name"], name, path)
        self.assertGlanceError(self.alice.glance("GET", "/schemas/metadefs/nope"), 404)


class PersistenceTests(WritesTestCase):
    def test_a_snapshot_keeps_data_members_tasks_and_sharing(self) -> None:
        bob = Tenant(self.mimic, "bob")
        image_id = self.create(tags=["t"])["id"]
        self.put_data(image_id)
        self.alice.glance("POST", f"/images/{image_id}/members", {"member": bob.access.tenant_id})
        staged = self.create()["id"]
        self.put_data(staged, path="stage")
        self.assertEqual(self.mimic.request("POST", "/mimic/v1.1/snapshots", {"name": "s"}).code, 201)
        self.alice.glance("DELETE", f"/images/{image_id}")
        self.assertEqual(self.mimic.request("POST", "/mimic/v1.1/snapshots/s/restore").code, 200)
        self.assertEqual(self.alice.glance("GET", f"/images/{image_id}/file").body, DATA)
        self.assertEqual(self.show(image_id, bob)["tags"], ["t"])
        started = self.alice.glance("POST", f"/images/{staged}/import", {"method": {"name": "glance-direct"}})
        self.assertEqual(started.code, 202)
        images = self.mimic.core.shared(IImages, self.alice.access.tenant_id, "ORD")
        self.assertIsNotNone(images.get(image_id))
