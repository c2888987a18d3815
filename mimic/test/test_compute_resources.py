# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute's reference data and small resources as clients see them:
flavors, images, keypairs, limits and availability zones, over HTTP in
memory, plus the helpers the servers routes build on.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from mimic.interfaces import IImages
from mimic.services.compute import flavors, images, keypairs, model, zones
from mimic.services.compute.errors import NoImageService
from mimic.services.image import model as image_model
from mimic.testing import InMemoryMimic, Response

#: An OpenStack client's ed25519 public key and its MD5 fingerprint, as
#: ``ssh-keygen -l -E md5`` prints it.
ED25519_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEbSZLbuaBqVY+1U0yfdc1Rt9NTf6I8+XzdeEE3BKDmP "
    "alice@example"
)
ED25519_FINGERPRINT = "d6:e0:b2:c6:29:b3:6c:37:72:93:77:b9:cf:4e:4e:98"

UBUNTU = "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c"


class Compute:
    """
    One tenant's compute endpoint in one region of an in-memory Mimic.
    """

    def __init__(self, mimic: InMemoryMimic | None = None, username: str = "alice", region: str = "ORD") -> None:
        self.mimic = mimic if mimic is not None else InMemoryMimic()
        self.access = self.mimic.authenticate(username)
        self.endpoint = self.access.endpoint("compute", region)

    def request(
        self, method: str, path: str, body: Any = None, microversion: str | None = None, raw: bytes | None = None
    ) -> Response:
        headers = {"X-OpenStack-Nova-API-Version": microversion} if microversion else {}
        return self.mimic.request(
            method, self.endpoint + path, body, token=self.access.token, headers=headers, raw=raw
        )

    def get(self, path: str, microversion: str | None = None) -> Response:
        return self.request("GET", path, microversion=microversion)


class ResourceTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.compute = Compute()

    def ok(self, response: Response, code: int = 200) -> Any:
        self.assertEqual(response.code, code, response)
        return response.json() if response.body else None

    def assertNovaError(self, response: Response, code: int, fault: str, message: str | None = None) -> None:
        self.assertEqual(response.code, code, response)
        body = response.json()
        self.assertEqual(list(body), [fault], body)
        self.assertEqual(body[fault]["code"], code)
        if message is not None:
            self.assertEqual(body[fault]["message"], message)


class FlavorTests(ResourceTestCase):
    def test_list_gives_ids_names_and_links(self) -> None:
        listed = self.ok(self.compute.get("/flavors"))["flavors"]
        self.assertEqual(len(listed), len(flavors.FLAVORS))
        general = next(f for f in listed if f["id"] == "general1-1")
        self.assertEqual(set(general), {"id", "name", "links"})
        self.assertEqual(general["name"], "1 GB General Purpose v1")
        self.assertEqual(
            general["links"],
            [
                {"href": self.compute.endpoint + "/flavors/general1-1", "rel": "self"},
                {
                    "href": self.compute.endpoint.replace("/v2/", "/") + "/flavors/general1-1",
                    "rel": "bookmark",
                },
            ],
        )

    def test_detail_has_sizes_and_nova_extension_fields(self) -> None:
        listed = self.ok(self.compute.get("/flavors/detail"))["flavors"]
        io = next(f for f in listed if f["id"] == "io1-15")
        self.assertEqual(
            {k: io[k] for k in ("ram", "vcpus", "disk", "OS-FLV-EXT-DATA:ephemeral", "swap")},
            {"ram": 15360, "vcpus": 4, "disk": 40, "OS-FLV-EXT-DATA:ephemeral": 150, "swap": ""},
        )
        self.assertIs(io["os-flavor-access:is_public"], True)
        self.assertIs(io["OS-FLV-DISABLED:disabled"], False)
        self.assertEqual(io["rxtx_factor"], 1250.0)
        self.assertEqual(io["OS-FLV-WITH-EXT-SPECS:extra_specs"]["class"], "io1")

    def test_get_one_flavor(self) -> None:
        flavor = self.ok(self.compute.get("/flavors/general1-2"))["flavor"]
        self.assertEqual((flavor["name"], flavor["ram"], flavor["vcpus"]), ("2 GB General Purpose v1", 2048, 2))

    def test_get_unknown_flavor_returns_404(self) -> None:
        self.assertNovaError(
            self.compute.get("/flavors/m1.huge"), 404, "itemNotFound", "Flavor m1.huge could not be found."
        )

    def test_newer_microversions_add_description_extra_specs_and_integer_swap(self) -> None:
        flavor = self.ok(self.compute.get("/flavors/general1-1", "2.75"))["flavor"]
        self.assertIsNone(flavor["description"])
        self.assertEqual(flavor["extra_specs"]["class"], "general1")
        self.assertEqual(flavor["swap"], 0)
        old = self.ok(self.compute.get("/flavors/general1-1", "2.54"))["flavor"]
        self.assertNotIn("description", old)
        self.assertNotIn("extra_specs", old)

    def test_min_ram_and_min_disk_filter_the_listing(self) -> None:
        listed = self.ok(self.compute.get("/flavors/detail?minRam=30720&minDisk=40"))["flavors"]
        self.assertEqual(sorted(f["id"] for f in listed), ["8", "io1-30"])

    def test_bad_filter_returns_400(self) -> None:
        self.assertNovaError(
            self.compute.get("/flavors?minRam=lots"), 400, "badRequest", "Invalid minRam filter [lots]"
        )

    def test_paging_follows_next_links_to_the_end(self) -> None:
        seen: list[str] = []
        url = "/flavors?limit=10"
        while True:
            body = self.ok(self.compute.get(url))
            seen.extend(f["id"] for f in body["flavors"])
            links = body.get("flavors_links")
            if not links:
                break
            self.assertEqual(links[0]["rel"], "next")
            url = links[0]["href"][len(self.compute.endpoint) :]
        self.assertEqual(seen, [f.id for f in flavors.FLAVORS])

    def test_unknown_marker_returns_400(self) -> None:
        self.assertNovaError(
            self.compute.get("/flavors?marker=nope"), 400, "badRequest", "marker [nope] not found"
        )

    def test_limit_zero_means_no_limit(self) -> None:
        self.assertEqual(len(self.ok(self.compute.get("/flavors?limit=0"))["flavors"]), len(flavors.FLAVORS))

    def test_negative_limit_returns_400(self) -> None:
        self.assertNovaError(self.compute.get("/flavors?limit=-1"), 400, "badRequest")

    def test_extra_specs_and_one_key(self) -> None:
        specs = self.ok(self.compute.get("/flavors/compute1-4/os-extra_specs"))["extra_specs"]
        self.assertEqual(specs["policy_class"], "compute_flavor")
        self.assertEqual(self.ok(self.compute.get("/flavors/compute1-4/os-extra_specs/class")), {"class": "compute1"})
        self.assertNovaError(self.compute.get("/flavors/compute1-4/os-extra_specs/nope"), 404, "itemNotFound")

    def test_creating_a_flavor_is_forbidden(self) -> None:
        response = self.compute.request("POST", "/flavors", {"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1}})
        self.assertNovaError(response, 403, "forbidden")


class ImageTests(ResourceTestCase):
    def test_list_gives_base_images_newest_first_with_links(self) -> None:
        listed = self.ok(self.compute.get("/images"))["images"]
        self.assertEqual([i["id"] for i in listed], [i.id for i in image_model.BASE_IMAGES])
        self.assertEqual(listed[0]["id"], UBUNTU)
        self.assertEqual(set(listed[0]), {"id", "name", "links"})
        self.assertEqual([link["rel"] for link in listed[0]["links"]], ["self", "bookmark", "alternate"])
        self.assertEqual(listed[0]["links"][2]["type"], "application/vnd.openstack.image")

    def test_get_has_status_progress_minimums_and_metadata(self) -> None:
        image = self.ok(self.compute.get(f"/images/{UBUNTU}"))["image"]
        self.assertEqual(image["name"], "Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)")
        self.assertEqual(
            {k: image[k] for k in ("status", "progress", "minDisk", "minRam")},
            {"status": "ACTIVE", "progress": 100, "minDisk": 20, "minRam": 512},
        )
        self.assertEqual(image["metadata"]["image_type"], "base")
        self.assertEqual(image["metadata"]["os_distro"], "ubuntu")
        self.assertEqual(image["created"], "2024-01-15T00:00:00Z")
        self.assertEqual(image["OS-DCF:diskConfig"], "AUTO")
        self.assertNotIn("server", image)

    def test_get_unknown_image_returns_404(self) -> None:
        self.assertNovaError(
            self.compute.get("/images/00000000-0000-0000-0000-000000000001"), 404, "itemNotFound", "Image not found."
        )

    def test_detail_filters_by_name_and_min_ram(self) -> None:
        by_name = self.ok(self.compute.get("/images/detail?name=Debian%2012%20(Bookworm)%20(PVHVM)"))["images"]
        self.assertEqual([i["metadata"]["os_distro"] for i in by_name], ["debian"])
        windows = self.ok(self.compute.get("/images/detail?minRam=1024"))["images"]
        self.assertEqual([i["metadata"]["os_type"] for i in windows], ["windows"])

    def test_paging_with_limit_and_marker(self) -> None:
        first = self.ok(self.compute.get("/images?limit=2"))
        self.assertEqual(len(first["images"]), 2)
        marker = first["images"][1]["id"]
        self.assertIn(f"marker={marker}", first["images_links"][0]["href"])
        rest = self.ok(self.compute.get(f"/images?marker={marker}"))
        self.assertEqual(len(rest["images"]), len(image_model.BASE_IMAGES) - 2)
        self.assertNotIn("images_links", rest)

    def test_image_metadata_and_one_key(self) -> None:
        metadata = self.ok(self.compute.get(f"/images/{UBUNTU}/metadata"))["metadata"]
        self.assertEqual(metadata["org.openstack__1__os_version"], "22.04")
        self.assertEqual(self.ok(self.compute.get(f"/images/{UBUNTU}/metadata/os_type")), {"meta": {"os_type": "linux"}})
        self.assertNovaError(self.compute.get(f"/images/{UBUNTU}/metadata/nope"), 404, "itemNotFound")

    def test_image_changes_since_filters_and_refuses_what_is_not_a_time(self) -> None:
        """
        The image proxy's ``changes-since`` keeps the images updated since
        then (none of the base images, here), and a value that is not a
        time is Nova's 400 naming it.
        """
        self.assertEqual(self.ok(self.compute.get("/images?changes-since=2000-01-01T00:00:00Z"))["images"][0]["id"], UBUNTU)
        self.assertEqual(self.ok(self.compute.get("/images?changes-since=2999-01-01T00:00:00z"))["images"], [])
        response = self.compute.get("/images?changes-since=yesterday")
        self.assertNovaError(response, 400, "badRequest")
        self.assertEqual(response.json()["badRequest"]["message"], "Invalid changes-since value: yesterday")

    def test_base_images_cannot_be_deleted(self) -> None:
        self.assertNovaError(self.compute.request("DELETE", f"/images/{UBUNTU}"), 403, "forbidden")
        self.ok(self.compute.get(f"/images/{UBUNTU}"))

    def test_server_snapshot_is_listed_saving_then_active_and_deletable(self) -> None:
        server = {"server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "general1-1"}}
        server_id = self.ok(self.compute.request("POST", "/servers", server), 202)["server"]["id"]
        self.compute.mimic.tick(600)
        action = {"createImage": {"name": "web-backup", "metadata": {"purpose": "test"}}}
        response = self.compute.request("POST", f"/servers/{server_id}/action", action)
        self.assertEqual(response.code, 202, response)
        image_id = response.header("location").rsplit("/", 1)[-1]
        image = self.ok(self.compute.get(f"/images/{image_id}"))["image"]
        self.assertEqual((image["status"], image["progress"]), ("SAVING", 25))
        self.assertEqual(image["server"]["id"], server_id)
        self.assertEqual(image["metadata"]["purpose"], "test")
        self.assertEqual(image["metadata"]["base_image_ref"], UBUNTU)
        listed = self.ok(self.compute.get(f"/images/detail?server={server_id}"))["images"]
        self.assertEqual([i["id"] for i in listed], [image_id])
        self.compute.mimic.tick(image_model.SNAPSHOT_SECONDS)
        image = self.ok(self.compute.get(f"/images/{image_id}"))["image"]
        self.assertEqual((image["status"], image["progress"]), ("ACTIVE", 100))
        self.assertEqual(self.compute.request("DELETE", f"/images/{image_id}").code, 204)
        self.assertNovaError(self.compute.get(f"/images/{image_id}"), 404, "itemNotFound")

    def test_snapshot_links_to_its_server_with_self_and_bookmark(self) -> None:
        """
        A snapshot names the server it came from with Nova's versioned
        ``self`` and unversioned ``bookmark`` links, so a client can follow
        them back to the server.
        """
        server = {"server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "general1-1"}}
        server_id = self.ok(self.compute.request("POST", "/servers", server), 202)["server"]["id"]
        self.compute.mimic.tick(600)
        response = self.compute.request("POST", f"/servers/{server_id}/action", {"createImage": {"name": "snap"}})
        image_id = response.header("location").rsplit("/", 1)[-1]
        links = self.ok(self.compute.get(f"/images/{image_id}"))["image"]["server"]["links"]
        tenant_id = self.compute.access.tenant_id
        self.assertEqual(
            links,
            [
                {"href": f"{self.compute.endpoint}/servers/{server_id}", "rel": "self"},
                {
                    "href": self.compute.endpoint.replace(f"/v2/{tenant_id}", f"/{tenant_id}") + f"/servers/{server_id}",
                    "rel": "bookmark",
                },
            ],
        )

    def test_image_proxy_is_gone_from_microversion_2_36(self) -> None:
        self.ok(self.compute.get("/images", "2.35"))
        self.assertNovaError(self.compute.get("/images", "2.36"), 404, "itemNotFound")
        self.assertNovaError(self.compute.get(f"/images/{UBUNTU}", "2.36"), 404, "itemNotFound")


class ImageMetadataTests(ResourceTestCase):
    """
    Nova's image-metadata proxy (to 2.38): a snapshot's metadata changed
    in the Image service's store, where the Image service sees it too.
    """

    def snapshot(self) -> str:
        server = {"server": {"name": "web", "imageRef": UBUNTU, "flavorRef": "general1-1"}}
        server_id = self.ok(self.compute.request("POST", "/servers", server), 202)["server"]["id"]
        response = self.compute.request(
            "POST", f"/servers/{server_id}/action", {"createImage": {"name": "snap", "metadata": {"a": "1"}}}
        )
        return response.header("location").rsplit("/", 1)[-1]

    def metadata(self, image_id: str) -> dict[str, str]:
        return self.ok(self.compute.get(f"/images/{image_id}/metadata"))["metadata"]

    def test_post_merges_and_put_replaces(self) -> None:
        image_id = self.snapshot()
        path = f"/images/{image_id}/metadata"
        merged = self.ok(self.compute.request("POST", path, {"metadata": {"b": "2", "a": "9"}}))["metadata"]
        self.assertEqual((merged["a"], merged["b"]), ("9", "2"))
        self.assertEqual(self.metadata(image_id), merged)
        self.assertEqual(self.ok(self.compute.request("PUT", path, {"metadata": {"only": "x"}})), {"metadata": {"only": "x"}})
        self.assertEqual(self.metadata(image_id), {"only": "x"})
        self.assertEqual(self.ok(self.compute.get(f"/images/{image_id}"))["image"]["metadata"], {"only": "x"})

    def test_item_put_and_delete(self) -> None:
        image_id = self.snapshot()
        path = f"/images/{image_id}/metadata/colour"
        self.assertEqual(self.ok(self.compute.request("PUT", path, {"meta": {"colour": "red"}})), {"meta": {"colour": "red"}})
        self.assertEqual(self.ok(self.compute.get(path)), {"meta": {"colour": "red"}})
        self.assertEqual(self.compute.request("DELETE", path).code, 204)
        self.assertNotIn("colour", self.metadata(image_id))
        self.assertNovaError(self.compute.request("DELETE", path), 404, "itemNotFound", "Invalid metadata key")

    def test_item_put_must_name_its_key_alone(self) -> None:
        path = f"/images/{self.snapshot()}/metadata/colour"
        self.assertNovaError(self.compute.request("PUT", path, {"meta": {"size": "l"}}), 400, "badRequest",
                             "Request body and URI mismatch")
        self.assertNovaError(self.compute.request("PUT", path, {"meta": {"colour": "r", "size": "l"}}), 400,
                             "badRequest", "Request body contains too many items")

    def test_bad_metadata_is_400(self) -> None:
        path = f"/images/{self.snapshot()}/metadata"
        for body in ({"metadata": {"": "x"}}, {"metadata": {"k" * 256: "x"}}, {"metadata": {"k": 1}}, {"meta": {}}):
            self.assertNovaError(self.compute.request("POST", path, body), 400, "badRequest")

    def test_over_the_metadata_quota_is_403(self) -> None:
        image_id = self.snapshot()
        path = f"/images/{image_id}/metadata"
        limit = model.DEFAULT_QUOTAS.metadata_items
        over = {"metadata": {f"k{i}": "v" for i in range(limit + 1)}}
        self.assertNovaError(self.compute.request("PUT", path, over), 403, "forbidden", "Image metadata limit exceeded")
        self.assertEqual(self.metadata(image_id)["a"], "1")

    def test_unknown_image_is_404(self) -> None:
        missing = "00000000-0000-0000-0000-00000000abcd"
        for method, path, body in (
            ("POST", "/metadata", {"metadata": {"a": "b"}}),
            ("PUT", "/metadata", {"metadata": {"a": "b"}}),
            ("PUT", "/metadata/a", {"meta": {"a": "b"}}),
            ("DELETE", "/metadata/a", None),
        ):
            response = self.compute.request(method, f"/images/{missing}{path}", body)
            self.assertNovaError(response, 404, "itemNotFound", "Image not found.")

    def test_base_images_metadata_is_403(self) -> None:
        before = self.metadata(UBUNTU)
        response = self.compute.request("POST", f"/images/{UBUNTU}/metadata", {"metadata": {"a": "b"}})
        self.assertNovaError(response, 403, "forbidden", f"Not authorized for image {UBUNTU}.")
        key = next(iter(before))
        self.assertNovaError(self.compute.request("DELETE", f"/images/{UBUNTU}/metadata/{key}"), 403, "forbidden")
        self.assertEqual(self.metadata(UBUNTU), before)

    def test_metadata_proxy_answers_to_2_38_and_is_gone_from_2_39(self) -> None:
        image_id = self.snapshot()
        path = f"/images/{image_id}/metadata"
        self.ok(self.compute.get(path, "2.38"))
        self.ok(self.compute.request("POST", path, {"metadata": {"b": "2"}}, microversion="2.38"))
        self.assertNovaError(self.compute.get(path, "2.39"), 404, "itemNotFound")
        self.assertNovaError(self.compute.request("POST", path, {"metadata": {"b": "2"}}, microversion="2.39"),
                             404, "itemNotFound")
        self.assertNovaError(self.compute.request("DELETE", path + "/b", microversion="2.39"), 404, "itemNotFound")
        self.assertEqual(self.metadata(image_id)["b"], "2")


class SharedImagesTests(SynchronousTestCase):
    """
    The images compute reaches through the IImages contract: the Image
    service's store for the tenant and region, where the ``createImage``
    server action records snapshots.
    """

    def setUp(self) -> None:
        self.images = InMemoryMimic().core.shared(IImages, "t1", "ORD")

    def test_the_image_service_shares_its_images_under_the_contract(self) -> None:
        self.assertTrue(verifyObject(IImages, self.images))

    def test_set_metadata_replaces_a_snapshots_and_not_a_base_images(self) -> None:
        store = self.images
        snapshot = store.create_snapshot("backup", "server-1", now=1000.0, base_image=store.get(UBUNTU))
        changed = store.set_metadata(snapshot.id, {"k": "v"}, now=5000.0)
        self.assertEqual(dict(changed.metadata), {"k": "v"})
        self.assertEqual(dict(store.get(snapshot.id).metadata), {"k": "v"})
        self.assertEqual(changed.updated(6000.0), 5000.0)
        self.assertIsNone(store.set_metadata(UBUNTU, {"k": "v"}, now=5000.0))
        self.assertNotIn("k", store.get(UBUNTU).metadata)
        self.assertIsNone(store.set_metadata("nope", {}, now=5000.0))

    def test_without_an_image_service_there_is_no_metadata_to_set(self) -> None:
        self.assertIsNone(model.NO_IMAGES.set_metadata(UBUNTU, {"k": "v"}, now=1.0))

    def test_snapshot_is_saving_then_active_on_the_clock(self) -> None:
        store = self.images
        base = store.get(UBUNTU)
        snapshot = store.create_snapshot("backup", "server-1", now=1000.0, base_image=base)
        self.assertEqual((snapshot.status(1000.0), snapshot.progress(1000.0)), ("SAVING", 25))
        ready = 1000.0 + image_model.SNAPSHOT_SECONDS
        self.assertEqual((snapshot.status(ready), snapshot.progress(ready)), ("ACTIVE", 100))
        self.assertEqual(snapshot.metadata["image_type"], "snapshot")
        self.assertEqual(snapshot.metadata["base_image_ref"], UBUNTU)
        self.assertEqual(snapshot.metadata["instance_uuid"], "server-1")
        self.assertEqual(snapshot.min_disk, base.min_disk if base else None)

    def test_snapshots_list_first_and_can_be_deleted(self) -> None:
        store = self.images
        older = store.create_snapshot("one", "s", now=1.0)
        newer = store.create_snapshot("two", "s", now=2.0)
        self.assertEqual([i.id for i in store][:3], [newer.id, older.id, UBUNTU])
        self.assertIs(store.get(older.id), older)
        self.assertTrue(store.delete(older.id))
        self.assertIsNone(store.get(older.id))
        self.assertFalse(store.delete(UBUNTU))
        self.assertEqual(len(list(store)), len(image_model.BASE_IMAGES) + 1)

    def test_without_an_image_service_there_are_no_images(self) -> None:
        self.assertTrue(verifyObject(IImages, model.NO_IMAGES))
        self.assertIsNone(model.NO_IMAGES.get(UBUNTU))
        self.assertEqual(list(model.NO_IMAGES), [])
        self.assertFalse(model.NO_IMAGES.delete(UBUNTU))
        self.assertRaises(NoImageService, model.NO_IMAGES.create_snapshot, "backup", "server-1", 1.0)

    def test_image_refs_are_uuids_or_urls_ending_in_one(self) -> None:
        self.assertEqual(images.image_id_from_ref(UBUNTU), UBUNTU)
        self.assertEqual(images.image_id_from_ref(f"http://h/v2/t/images/{UBUNTU}"), UBUNTU)
        self.assertIsNone(images.image_id_from_ref("ubuntu"))
        self.assertIsNone(images.image_id_from_ref(""))
        self.assertIsNone(images.image_id_from_ref(12))


class FlavorRefTests(SynchronousTestCase):
    def test_flavor_refs_are_ids_or_urls(self) -> None:
        self.assertEqual(flavors.flavor_from_ref("general1-1"), flavors.get_flavor("general1-1"))
        self.assertEqual(flavors.flavor_from_ref("http://h/v2/t/flavors/2"), flavors.get_flavor("2"))
        self.assertEqual(flavors.flavor_from_ref(3), flavors.get_flavor("3"))
        self.assertIsNone(flavors.flavor_from_ref("m1.tiny"))
        self.assertIsNone(flavors.flavor_from_ref(None))
        self.assertIsNone(flavors.flavor_from_ref(True))


class KeypairTests(ResourceTestCase):
    def create(self, body: Any, microversion: str | None = "2.2", code: int = 201) -> dict[str, Any]:
        return self.ok(self.compute.request("POST", "/os-keypairs", body, microversion), code)["keypair"]

    def test_create_generates_a_usable_key_pair(self) -> None:
        from cryptography.hazmat.primitives import serialization

        keypair = self.create({"keypair": {"name": "deploy"}})
        self.assertEqual(keypair["name"], "deploy")
        self.assertEqual(keypair["type"], "ssh")
        self.assertTrue(keypair["public_key"].startswith("ssh-rsa "))
        self.assertEqual(keypairs.ssh_fingerprint(keypair["public_key"]), keypair["fingerprint"])
        private = serialization.load_pem_private_key(keypair["private_key"].encode(), password=None)
        public = private.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()
        self.assertEqual(keypair["public_key"].split()[:2], public.split())
        self.assertEqual(keypair["user_id"], self.ok(self.compute.get("/os-keypairs/deploy"))["keypair"]["user_id"])

    def test_v2_1_create_answers_200_without_type(self) -> None:
        keypair = self.create({"keypair": {"name": "old"}}, microversion=None, code=200)
        self.assertNotIn("type", keypair)
        self.assertIn("private_key", keypair)

    def test_import_keeps_the_public_key_and_computes_its_fingerprint(self) -> None:
        keypair = self.create({"keypair": {"name": "laptop", "public_key": ED25519_KEY}})
        self.assertEqual(keypair["fingerprint"], ED25519_FINGERPRINT)
        self.assertEqual(keypair["public_key"], ED25519_KEY)
        self.assertNotIn("private_key", keypair)

    def test_get_shows_the_stored_key(self) -> None:
        self.create({"keypair": {"name": "laptop", "public_key": ED25519_KEY}})
        keypair = self.ok(self.compute.get("/os-keypairs/laptop", "2.10"))["keypair"]
        self.assertEqual(keypair["public_key"], ED25519_KEY)
        self.assertEqual(keypair["fingerprint"], ED25519_FINGERPRINT)
        self.assertEqual((keypair["deleted"], keypair["deleted_at"], keypair["id"]), (False, None, 1))
        self.assertEqual(keypair["created_at"], "2023-11-14T22:13:20.000000")

    def test_list_wraps_each_keypair(self) -> None:
        self.create({"keypair": {"name": "a", "public_key": ED25519_KEY}})
        self.create({"keypair": {"name": "b"}})
        listed = self.ok(self.compute.get("/os-keypairs", "2.2"))["keypairs"]
        self.assertEqual([k["keypair"]["name"] for k in listed], ["a", "b"])
        self.assertEqual(set(listed[0]["keypair"]), {"name", "public_key", "fingerprint", "type"})

    def test_list_pages_from_2_35(self) -> None:
        for name in ("a", "b", "c"):
            self.create({"keypair": {"name": name, "public_key": ED25519_KEY}})
        first = self.ok(self.compute.get("/os-keypairs?limit=2", "2.35"))
        self.assertEqual([k["keypair"]["name"] for k in first["keypairs"]], ["a", "b"])
        self.assertIn("marker=b", first["keypairs_links"][0]["href"])
        rest = self.ok(self.compute.get("/os-keypairs?marker=b", "2.35"))
        self.assertEqual([k["keypair"]["name"] for k in rest["keypairs"]], ["c"])

    def test_duplicate_name_returns_409(self) -> None:
        self.create({"keypair": {"name": "dup", "public_key": ED25519_KEY}})
        response = self.compute.request("POST", "/os-keypairs", {"keypair": {"name": "dup"}}, "2.2")
        self.assertNovaError(response, 409, "conflictingRequest", "Key pair 'dup' already exists.")

    def test_invalid_public_key_returns_400(self) -> None:
        response = self.compute.request(
            "POST", "/os-keypairs", {"keypair": {"name": "bad", "public_key": "ssh-rsa not-a-key"}}
        )
        self.assertNovaError(response, 400, "badRequest", "Keypair data is invalid: failed to generate fingerprint")
        self.assertNovaError(self.compute.get("/os-keypairs/bad"), 404, "itemNotFound")

    def test_missing_or_unsafe_names_return_400(self) -> None:
        for body in (
            {"keypair": {}},
            {"keypair": {"name": ""}},
            {"keypair": {"name": " padded"}},
            {"keypair": {"name": "slash/name"}},
            {"keypair": {"name": 7}},
            {"keypair": "deploy"},
            {"key": {"name": "x"}},
            {"keypair": {"name": "x", "colour": "red"}},
        ):
            response = self.compute.request("POST", "/os-keypairs", body)
            self.assertNovaError(response, 400, "badRequest")
        self.assertEqual(self.ok(self.compute.get("/os-keypairs"))["keypairs"], [])

    def test_malformed_json_returns_400(self) -> None:
        response = self.compute.request("POST", "/os-keypairs", raw=b"{nope")
        self.assertNovaError(response, 400, "badRequest")

    def test_unknown_type_returns_400(self) -> None:
        response = self.compute.request("POST", "/os-keypairs", {"keypair": {"name": "k", "type": "pgp"}}, "2.2")
        self.assertNovaError(response, 400, "badRequest")

    def test_x509_keypair_is_a_certificate(self) -> None:
        keypair = self.create({"keypair": {"name": "win", "type": "x509"}})
        self.assertTrue(keypair["public_key"].startswith("-----BEGIN CERTIFICATE-----"))
        self.assertEqual(keypair["type"], "x509")
        self.assertEqual(keypair["fingerprint"], keypairs.x509_fingerprint(keypair["public_key"]))
        self.assertIn("PRIVATE KEY", keypair["private_key"])

    def test_microversion_2_92_requires_a_public_key(self) -> None:
        response = self.compute.request("POST", "/os-keypairs", {"keypair": {"name": "k"}}, "2.92")
        self.assertNovaError(response, 400, "badRequest")
        keypair = self.create({"keypair": {"name": "me@laptop", "public_key": ED25519_KEY}}, "2.92")
        self.assertEqual(keypair["name"], "me@laptop")

    def test_delete_then_get_returns_404(self) -> None:
        self.create({"keypair": {"name": "gone", "public_key": ED25519_KEY}})
        self.assertEqual(self.compute.request("DELETE", "/os-keypairs/gone", microversion="2.2").code, 204)
        self.assertNovaError(self.compute.get("/os-keypairs/gone"), 404, "itemNotFound")
        self.assertNovaError(self.compute.request("DELETE", "/os-keypairs/gone"), 404, "itemNotFound")

    def test_v2_1_delete_answers_202(self) -> None:
        self.create({"keypair": {"name": "gone", "public_key": ED25519_KEY}})
        self.assertEqual(self.compute.request("DELETE", "/os-keypairs/gone").code, 202)

    def test_quota_of_keypairs_returns_403(self) -> None:
        for n in range(keypairs.MAX_KEYPAIRS):
            self.create({"keypair": {"name": f"k{n}", "public_key": ED25519_KEY}})
        response = self.compute.request("POST", "/os-keypairs", {"keypair": {"name": "one-more"}})
        self.assertNovaError(response, 403, "forbidden", "Quota exceeded, too many key pairs.")

    def test_keypairs_are_per_tenant_and_region(self) -> None:
        self.create({"keypair": {"name": "mine", "public_key": ED25519_KEY}})
        other_region = Compute(self.compute.mimic, "alice", "DFW")
        self.assertEqual(self.ok(other_region.get("/os-keypairs"))["keypairs"], [])
        other_tenant = Compute(self.compute.mimic, "bob")
        self.assertNovaError(other_tenant.get("/os-keypairs/mine"), 404, "itemNotFound")


class LimitsTests(ResourceTestCase):
    def test_limits_report_quotas_and_no_usage_for_a_new_tenant(self) -> None:
        body = self.ok(self.compute.get("/limits"))["limits"]
        self.assertEqual(body["rate"], [])
        absolute = body["absolute"]
        self.assertEqual(absolute["maxTotalInstances"], model.DEFAULT_QUOTAS.instances)
        self.assertEqual(absolute["maxTotalRAMSize"], model.DEFAULT_QUOTAS.ram)
        self.assertEqual(absolute["maxTotalCores"], -1)
        self.assertEqual(
            (absolute["totalInstancesUsed"], absolute["totalCoresUsed"], absolute["totalRAMUsed"]), (0, 0, 0)
        )
        self.assertIn("maxSecurityGroups", absolute)
        self.assertIn("maxPersonality", absolute)

    def test_used_counts_follow_the_tenants_servers(self) -> None:
        for flavor in ("general1-1", "general1-4"):
            server = {"server": {"name": f"on-{flavor}", "imageRef": UBUNTU, "flavorRef": flavor}}
            self.ok(self.compute.request("POST", "/servers", server), 202)
        absolute = self.ok(self.compute.get("/limits"))["limits"]["absolute"]
        self.assertEqual(
            (absolute["totalInstancesUsed"], absolute["totalCoresUsed"], absolute["totalRAMUsed"]),
            (2, 5, 5120),
        )
        other_region = Compute(self.compute.mimic, "alice", "DFW")
        self.assertEqual(self.ok(other_region.get("/limits"))["limits"]["absolute"]["totalInstancesUsed"], 0)

    def test_network_and_file_limits_go_away_in_later_microversions(self) -> None:
        absolute = self.ok(self.compute.get("/limits", "2.57"))["limits"]["absolute"]
        for gone in ("maxSecurityGroups", "maxTotalFloatingIps", "totalFloatingIpsUsed", "maxPersonality"):
            self.assertNotIn(gone, absolute)
        self.assertIn("maxTotalKeypairs", absolute)

    def test_usage_sums_the_servers_flavors(self) -> None:
        usage = model.usage_of(["general1-1", "general1-4", "unknown"])
        self.assertEqual(usage, model.Usage(instances=3, cores=5, ram=5120))

    def test_quota_message_names_what_is_over(self) -> None:
        flavor = flavors.get_flavor("general1-2")
        assert flavor is not None
        self.assertIsNone(model.quota_exceeded_message(model.Usage(10, 20, 4096), flavor))
        quotas = model.Quotas(instances=10, cores=20, ram=51200)
        self.assertEqual(
            model.quota_exceeded_message(model.Usage(10, 10, 4096), flavor, quotas=quotas),
            "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances",
        )
        self.assertEqual(
            model.quota_exceeded_message(model.Usage(1, 19, 4096), flavor, quotas=quotas),
            "Quota exceeded for cores: Requested 2, but already used 19 of 20 cores",
        )
        self.assertEqual(
            model.quota_exceeded_message(model.Usage(10, 20, 51200), flavor, quotas=quotas),
            "Quota exceeded for instances, cores, ram: Requested 1, 2, 2048, but already used "
            "10, 20, 51200 of 10, 20, 51200 instances, cores, ram",
        )


class ZoneTests(ResourceTestCase):
    def test_zones_list_names_the_default_zone(self) -> None:
        body = self.ok(self.compute.get("/os-availability-zone"))
        self.assertEqual(
            body, {"availabilityZoneInfo": [{"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]}
        )
        self.assertTrue(zones.is_known_zone(zones.DEFAULT_ZONE))
        self.assertFalse(zones.is_known_zone("moon"))

    def test_detail_lists_hosts_and_services(self) -> None:
        info = self.ok(self.compute.get("/os-availability-zone/detail"))["availabilityZoneInfo"]
        by_name = {zone["zoneName"]: zone for zone in info}
        self.assertEqual(set(by_name), {"internal", "nova"})
        hosts = by_name["nova"]["hosts"]
        self.assertTrue(hosts)
        for services in hosts.values():
            self.assertEqual(services["nova-compute"]["available"], True)
            self.assertEqual(services["nova-compute"]["updated_at"], "2023-11-14T22:13:20.000000")
        self.assertIn("nova-scheduler", next(iter(by_name["internal"]["hosts"].values())))


class ExtensionTests(ResourceTestCase):
    def test_extensions_list_in_novas_shape(self) -> None:
        extensions = self.ok(self.compute.get("/extensions"))["extensions"]
        aliases = [e["alias"] for e in extensions]
        for alias in ("OS-DCF", "OS-EXT-STS", "os-keypairs", "os-availability-zone",
                      "os-console-output", "os-quota-sets"):
            self.assertIn(alias, aliases)
        self.assertEqual(len(aliases), len(set(aliases)))
        for extension in extensions:
            self.assertEqual(
                set(extension), {"name", "alias", "description", "namespace", "updated", "links"}, extension
            )
            self.assertEqual(extension["links"], [])
            self.assertEqual(extension["updated"], "2014-12-03T00:00:00Z")

    def test_extension_shown_by_alias(self) -> None:
        listed = {e["alias"]: e for e in self.ok(self.compute.get("/extensions"))["extensions"]}
        shown = self.ok(self.compute.get("/extensions/OS-DCF"))
        self.assertEqual(shown, {"extension": listed["OS-DCF"]})
        self.assertEqual(shown["extension"]["name"], "DiskConfig")

    def test_unknown_extension_is_404(self) -> None:
        self.assertNovaError(self.compute.get("/extensions/os-nothing"), 404, "itemNotFound")

    def test_novas_whole_list_is_answered(self) -> None:
        """
        Nova's fixed list, with what tempest looks for (``Hosts``,
        ``os-consoles``), at ``v2.1``; the legacy ``v2`` endpoint (the
        catalog's) lists one more, in alias order.
        """
        endpoint = self.compute.endpoint
        self.assertIn("/v2/", endpoint)

        def listed(url: str) -> list[dict[str, Any]]:
            response = self.compute.mimic.request("GET", url + "/extensions", token=self.compute.access.token)
            return self.ok(response)["extensions"]

        current = listed(endpoint.replace("/v2/", "/v2.1/"))
        self.assertEqual(len(current), 99)
        self.assertIn("Hosts", [e["name"] for e in current])
        self.assertNotIn("OS-EXT-VIF-NET", [e["alias"] for e in current])
        self.assertEqual(self.ok(self.compute.get("/extensions/os-consoles"))["extension"]["name"], "Consoles")
        legacy = [e["alias"] for e in listed(endpoint)]
        self.assertEqual(len(legacy), 100)
        self.assertIn("OS-EXT-VIF-NET", legacy)
        self.assertEqual(legacy, sorted(legacy))


class FingerprintTests(SynchronousTestCase):
    def test_ssh_fingerprint_matches_ssh_keygen(self) -> None:
        self.assertEqual(keypairs.ssh_fingerprint(ED25519_KEY), ED25519_FINGERPRINT)

    def test_garbage_has_no_fingerprint(self) -> None:
        for text in ("", "ssh-rsa", "ssh-rsa !!!", "hello world", "ssh-ed25519 AAAA"):
            self.assertIsNone(keypairs.ssh_fingerprint(text), text)
        self.assertIsNone(keypairs.x509_fingerprint("-----BEGIN CERTIFICATE-----\nxx\n"))


class ClientTests(SynchronousTestCase):
    """
    python-novaclient, openstacksdk and the openstack CLI using flavors,
    images, keypairs, limits and zones of a real ``twistd mimic``,
    discovering compute from the catalog as they do against a real cloud.
    """

    def setUp(self) -> None:
        from mimic.testing import pristine_mimic

        self.url = pristine_mimic()

    def session(self, username: str = "client-alice") -> Any:
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v2

        return ks_session.Session(
            auth=v2.Password(f"{self.url}/identity/v2.0", username=username, password="pw")
        )

    def novaclient(self, version: str = "2.1") -> Any:
        from novaclient import client

        return client.Client(version, session=self.session(), region_name="ORD")

    def connection(self) -> Any:
        import openstack

        return openstack.connection.Connection(
            session=self.session(), region_name="ORD", compute_api_version="2"
        )

    def test_novaclient_flavors_and_images(self) -> None:
        nova = self.novaclient("2.35")
        names = {flavor.name for flavor in nova.flavors.list()}
        self.assertIn("1 GB General Purpose v1", names)
        flavor = nova.flavors.get("general1-1")
        self.assertEqual((flavor.ram, flavor.vcpus, flavor.disk, flavor.ephemeral), (1024, 1, 20, 0))
        self.assertTrue(flavor.is_public)
        self.assertEqual(flavor.get_keys()["class"], "general1")
        self.assertEqual(nova.flavors.find(name="2 GB General Purpose v1").id, "general1-2")

    def test_novaclient_keypair_lifecycle(self) -> None:
        from novaclient import exceptions

        nova = self.novaclient("2.10")
        created = nova.keypairs.create("nova-key")
        self.assertTrue(created.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----"))
        imported = nova.keypairs.create("imported", public_key=ED25519_KEY)
        self.assertEqual(imported.fingerprint, ED25519_FINGERPRINT)
        self.assertEqual(sorted(k.name for k in nova.keypairs.list()), ["imported", "nova-key"])
        self.assertEqual(nova.keypairs.get("imported").public_key, ED25519_KEY)
        with self.assertRaises(exceptions.Conflict):
            nova.keypairs.create("imported", public_key=ED25519_KEY)
        nova.keypairs.delete("nova-key")
        with self.assertRaises(exceptions.NotFound):
            nova.keypairs.get("nova-key")

    def test_novaclient_limits_and_zones(self) -> None:
        nova = self.novaclient("2.1")
        absolute = {limit.name: limit.value for limit in nova.limits.get().absolute}
        self.assertEqual(absolute["maxTotalInstances"], model.DEFAULT_QUOTAS.instances)
        self.assertEqual(absolute["totalInstancesUsed"], 0)
        self.assertEqual([zone.zoneName for zone in nova.availability_zones.list(detailed=False)], ["nova"])

    def test_openstacksdk_flavors_images_keypairs_limits_zones(self) -> None:
        conn = self.connection()
        flavor = conn.compute.find_flavor("1 GB General Purpose v1", ignore_missing=False)
        self.assertEqual((flavor.id, flavor.ram, flavor.is_public), ("general1-1", 1024, True))
        self.assertEqual(conn.compute.get_flavor("io1-15").ephemeral, 150)
        self.assertIn(UBUNTU, [image.id for image in conn.compute.images()])
        self.assertEqual(conn.compute.get_image(UBUNTU).min_disk, 20)
        keypair = conn.compute.create_keypair(name="sdk-key")
        self.assertTrue(keypair.private_key)
        self.assertEqual([k.name for k in conn.compute.keypairs()], ["sdk-key"])
        conn.compute.delete_keypair("sdk-key")
        self.assertEqual(list(conn.compute.keypairs()), [])
        self.assertEqual(conn.compute.get_limits().absolute.instances_used, 0)
        self.assertEqual([zone.name for zone in conn.compute.availability_zones()], ["nova"])

    def test_openstack_cli_flavor_list_and_keypair_create(self) -> None:
        import json
        import os
        import subprocess
        import sys

        def openstack(*args: str) -> Any:
            env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
            env.update(
                {
                    # The keypair commands insist on Identity v3.
                    "OS_AUTH_URL": f"{self.url}/identity/v3",
                    "OS_USERNAME": "cli-carol",
                    "OS_PASSWORD": "pw",
                    "OS_PROJECT_NAME": "cli-carol-project",
                    "OS_USER_DOMAIN_NAME": "Default",
                    "OS_PROJECT_DOMAIN_NAME": "Default",
                    "OS_REGION_NAME": "ORD",
                }
            )
            result = subprocess.run(
                [sys.executable, "-m", "openstackclient.shell", *args, "-f", "json"],
                env=env, capture_output=True, text=True, timeout=120,
            )
            self.assertEqual(result.returncode, 0, result.stderr)
            return json.loads(result.stdout)

        listed = openstack("flavor", "list")
        self.assertIn("general1-1", [flavor["ID"] for flavor in listed])
        shown = openstack("flavor", "show", "4 GB General Purpose v1")
        self.assertEqual((shown["id"], shown["ram"], shown["vcpus"]), ("general1-4", 4096, 4))
        key_file = self.mktemp()
        with open(key_file, "w") as f:
            f.write(ED25519_KEY + "\n")
        keypair = openstack("keypair", "create", "--public-key", key_file, "cli-key")
        self.assertEqual(keypair["fingerprint"], ED25519_FINGERPRINT)
        self.assertEqual([k["Name"] for k in openstack("keypair", "list")], ["cli-key"])
