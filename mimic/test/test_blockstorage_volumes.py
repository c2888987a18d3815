# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Cinder's volumes over HTTP in memory: the catalog, version discovery and
microversions, create/show/list/update/delete with Cinder's statuses on
Mimic's clock, listing filters and paging, metadata, and errors in
Cinder's shape.
"""

from __future__ import annotations

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.core import MimicCore
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.settings import BadSetting
from mimic.test.blockstorage_support import Cinder
from mimic.testing import InMemoryMimic


class CatalogAndVersionsTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.cinder = Cinder(self.mimic)

    def test_catalog_lists_every_type_clients_look_for_in_every_region(self) -> None:
        catalog = self.cinder.access.access["serviceCatalog"]
        found = {(e["type"], e["name"]) for e in catalog}
        for service_type in ("volumev3", "block-storage", "volumev2"):
            self.assertIn((service_type, "cloudBlockStorage"), found)
        entry = next(e for e in catalog if e["type"] == "volumev3")
        self.assertEqual([e["region"] for e in entry["endpoints"]], ["ORD", "DFW", "IAD"])
        self.assertTrue(entry["endpoints"][0]["publicURL"].endswith(f"/v3/{self.cinder.tenant_id}"))

    def test_root_lists_versions_with_300(self) -> None:
        root = self.cinder.url.rsplit("/v3/", 1)[0]
        response = self.mimic.request("GET", root + "/")
        self.assertEqual(response.code, 300)
        current = [v for v in response.json()["versions"] if v["status"] == "CURRENT"]
        self.assertEqual([(v["id"], v["min_version"], v["version"]) for v in current], [("v3.0", "3.0", "3.70")])
        response = self.mimic.request("GET", root + "/v3")
        self.assertEqual(response.code, 200)
        self.assertEqual([v["id"] for v in response.json()["versions"]], ["v3.0"])

    def test_microversion_is_honoured_and_echoed(self) -> None:
        response = self.cinder.request("GET", "/volumes", version="3.45")
        self.assertEqual(response.code, 200)
        self.assertEqual(response.header("openstack-api-version"), "volume 3.45")
        response = self.cinder.request("GET", "/volumes")
        self.assertEqual(response.header("openstack-api-version"), "volume 3.0")

    def test_unsupported_microversion_is_406(self) -> None:
        response = self.cinder.request("GET", "/volumes", version="3.999")
        self.assertEqual(response.code, 406)
        self.assertIn("not supported by the API", response.json()["computeFault"]["message"])
        response = self.cinder.request("GET", "/volumes", version="three")
        self.assertEqual(response.code, 400)

    def test_v2_serves_the_same_api_without_microversions(self) -> None:
        volume = self.cinder.create(1, name="both")
        v2 = self.cinder.access.endpoint("volumev2")
        self.assertTrue(v2.endswith(f"/v2/{self.cinder.tenant_id}"))
        response = self.mimic.request("GET", f"{v2}/volumes/{volume['id']}", token=self.cinder.access.token)
        self.assertEqual((response.code, response.json()["volume"]["name"]), (200, "both"))
        self.assertIsNone(response.header("openstack-api-version"))

    def test_durations_are_settings(self) -> None:
        core = MimicCore.create(Clock(), settings={"blockstorage.create_seconds": "2.5"})
        self.assertEqual(core.settings["blockstorage.create_seconds"], 2.5)
        self.assertEqual(core.settings["blockstorage.delete_seconds"], 0.0)
        for bad in ("-1", "soon", "1e9"):
            with self.assertRaises(BadSetting):
                MimicCore.create(Clock(), settings={"blockstorage.attach_seconds": bad})

    def test_token_is_needed(self) -> None:
        response = self.mimic.request("GET", self.cinder.url + "/volumes")
        self.assertEqual(response.code, 401)
        self.assertEqual(response.json()["unauthorized"]["code"], 401)


class VolumeTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.cinder = Cinder(self.mimic)

    def test_create_answers_creating_then_available(self) -> None:
        self.mimic.core.settings["blockstorage.create_seconds"] = 10.0
        created = self.cinder.create(5, name="data", metadata={"a": "b"})
        self.assertEqual((created["status"], created["size"], created["name"]), ("creating", 5, "data"))
        self.assertEqual(self.cinder.show(created["id"])["status"], "creating")
        self.mimic.tick(10)
        shown = self.cinder.show(created["id"])
        self.assertEqual((shown["status"], shown["metadata"], shown["volume_type"]), ("available", {"a": "b"}, "SATA"))

    def test_create_with_zero_default_is_available_at_once(self) -> None:
        created = self.cinder.create(1)
        self.assertEqual(created["status"], "creating")
        self.assertEqual(self.cinder.show(created["id"])["status"], "available")

    def test_bad_sizes_are_400_in_cinders_shape(self) -> None:
        for size in (0, -1, "x", 1.5, True, 2**40):
            response = self.cinder.request("POST", "/volumes", {"volume": {"size": size}})
            self.assertEqual(response.code, 400, size)
            self.assertEqual(response.json()["badRequest"]["code"], 400)
        self.assertEqual(self.cinder.must(200, "GET", "/volumes")["volumes"], [])

    def test_unknown_type_is_404(self) -> None:
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 1, "volume_type": "GOLD"}})
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json()["itemNotFound"]["message"], "Volume type with name GOLD could not be found.")

    def test_over_quota_is_413_over_limit(self) -> None:
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 20000}})
        self.assertEqual(response.code, 413)
        self.assertIn("exceeds allowed gigabytes quota", response.json()["overLimit"]["message"])

    def test_unknown_volume_is_404(self) -> None:
        response = self.cinder.request("GET", "/volumes/nope")
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json(), {"itemNotFound": {"message": "Volume nope could not be found.", "code": 404}})

    def test_create_from_image(self) -> None:
        created = self.cinder.create(20, imageRef=DEFAULT_IMAGE_ID)
        shown = self.cinder.show(created["id"])
        self.assertEqual(shown["bootable"], "true")
        self.assertEqual(shown["volume_image_metadata"]["image_id"], DEFAULT_IMAGE_ID)
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 1, "imageRef": DEFAULT_IMAGE_ID}})
        self.assertEqual(response.code, 400)
        self.assertIn("minDisk", response.json()["badRequest"]["message"])
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 20, "imageRef": "nope"}})
        self.assertEqual(response.code, 400)

    def test_create_from_an_image_without_data_is_400(self) -> None:
        """
        Cinder copies only an active image: one registered but never
        given data (``queued``) is refused, and no volume is made.
        """
        images = self.cinder.access.endpoint("image")
        registered = self.mimic.request("POST", f"{images}/images", {
            "name": "empty", "disk_format": "raw", "container_format": "bare",
        }, token=self.cinder.access.token)
        self.assertEqual(registered.code, 201)
        image_id = registered.json()["id"]
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 1, "imageRef": image_id}})
        self.assertEqual(response.code, 400)
        self.assertEqual(response.json()["badRequest"]["message"],
                         f"Invalid input received: Image {image_id} is not active.")
        self.assertEqual(self.cinder.must(200, "GET", "/volumes")["volumes"], [])

    def test_create_from_snapshot_and_volume(self) -> None:
        source = self.cinder.create(3)
        snapshot = self.cinder.must(202, "POST", "/snapshots", {"snapshot": {"volume_id": source["id"]}})["snapshot"]
        from_snapshot = self.cinder.create(None, snapshot_id=snapshot["id"])
        self.assertEqual((from_snapshot["size"], from_snapshot["snapshot_id"]), (3, snapshot["id"]))
        clone = self.cinder.create(4, source_volid=source["id"])
        self.assertEqual(clone["source_volid"], source["id"])
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 1, "source_volid": source["id"]}})
        self.assertEqual(response.code, 400)
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 1, "snapshot_id": "nope"}})
        self.assertEqual(response.code, 404)

    def test_list_filters_sorts_and_pages(self) -> None:
        ids = [self.cinder.create(i + 1, name=f"v{i}", metadata={"n": str(i % 2)})["id"] for i in range(5)]
        self.mimic.tick(1)
        listed = self.cinder.must(200, "GET", "/volumes")["volumes"]
        self.assertEqual(sorted(v["id"] for v in listed), sorted(ids))
        self.assertEqual(set(listed[0]), {"id", "name", "links"})
        named = self.cinder.must(200, "GET", "/volumes/detail?name=v3")["volumes"]
        self.assertEqual([v["id"] for v in named], [ids[3]])
        odd = self.cinder.must(200, "GET", "/volumes/detail?metadata=%7B%22n%22%3A%221%22%7D")["volumes"]
        self.assertEqual(sorted(v["id"] for v in odd), sorted([ids[1], ids[3]]))
        by_size = self.cinder.must(200, "GET", "/volumes/detail?sort=size:asc&limit=2")
        self.assertEqual([v["size"] for v in by_size["volumes"]], [1, 2])
        self.assertEqual(by_size["volumes_links"][0]["rel"], "next")
        after = self.cinder.must(200, "GET", f"/volumes/detail?sort=size:asc&limit=2&marker={ids[1]}")
        self.assertEqual([v["size"] for v in after["volumes"]], [3, 4])
        counted = self.cinder.must(200, "GET", "/volumes?with_count=true&limit=1", version="3.45")
        self.assertEqual(counted["count"], 5)
        self.assertEqual(self.cinder.request("GET", "/volumes?marker=nope").code, 404)
        self.assertEqual(self.cinder.request("GET", "/volumes?sort_key=bogus").code, 400)
        self.assertEqual(self.cinder.must(200, "GET", "/volumes?status=error")["volumes"], [])

    def test_update(self) -> None:
        volume = self.cinder.create(1, name="a")
        updated = self.cinder.must(200, "PUT", f"/volumes/{volume['id']}",
                                   {"volume": {"name": "b", "description": "d"}})["volume"]
        self.assertEqual((updated["name"], updated["description"]), ("b", "d"))
        self.assertEqual(self.cinder.request("PUT", f"/volumes/{volume['id']}", {"volume": {}}).code, 400)

    def test_metadata_crud(self) -> None:
        volume_id = self.cinder.create(1, metadata={"a": "1"})["id"]
        path = f"/volumes/{volume_id}/metadata"
        merged = self.cinder.must(200, "POST", path, {"metadata": {"b": "2"}})["metadata"]
        self.assertEqual(merged, {"a": "1", "b": "2"})
        replaced = self.cinder.must(200, "PUT", path, {"metadata": {"c": "3"}})["metadata"]
        self.assertEqual(replaced, {"c": "3"})
        self.assertEqual(self.cinder.must(200, "PUT", path + "/d", {"meta": {"d": "4"}}), {"meta": {"d": "4"}})
        self.assertEqual(self.cinder.must(200, "GET", path + "/d"), {"meta": {"d": "4"}})
        self.cinder.must(200, "DELETE", path + "/c")
        self.assertEqual(self.cinder.must(200, "GET", path), {"metadata": {"d": "4"}})
        self.assertEqual(self.cinder.request("GET", path + "/c").code, 404)
        self.assertEqual(self.cinder.request("PUT", path + "/e", {"meta": {"f": "1"}}).code, 400)

    def test_delete_refused_with_snapshots_unless_cascade(self) -> None:
        volume_id = self.cinder.create(1)["id"]
        self.cinder.must(202, "POST", "/snapshots", {"snapshot": {"volume_id": volume_id}})
        response = self.cinder.request("DELETE", f"/volumes/{volume_id}")
        self.assertEqual(response.code, 400)
        self.assertIn("have snapshots", response.json()["badRequest"]["message"])
        self.cinder.must(202, "DELETE", f"/volumes/{volume_id}?cascade=true")
        self.assertEqual(self.cinder.must(200, "GET", "/snapshots")["snapshots"], [])
        self.assertEqual(self.cinder.request("GET", f"/volumes/{volume_id}").code, 404)

    def test_delete_takes_time(self) -> None:
        self.mimic.core.settings["blockstorage.delete_seconds"] = 3.0
        volume_id = self.cinder.create(1)["id"]
        self.cinder.must(202, "DELETE", f"/volumes/{volume_id}")
        self.assertEqual(self.cinder.show(volume_id)["status"], "deleting")
        self.assertEqual(self.cinder.request("DELETE", f"/volumes/{volume_id}").code, 400)
        self.mimic.tick(3)
        self.assertEqual(self.cinder.request("GET", f"/volumes/{volume_id}").code, 404)

    def test_regions_and_tenants_are_apart(self) -> None:
        self.cinder.create(1)
        self.assertEqual(Cinder(self.mimic, region="DFW").must(200, "GET", "/volumes")["volumes"], [])
        self.assertEqual(Cinder(self.mimic, username="bob").must(200, "GET", "/volumes")["volumes"], [])
