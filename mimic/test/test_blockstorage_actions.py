# -*- test-case-name: mimic.test.test_blockstorage_actions -*-
"""
Volume actions over HTTP in memory.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.test.blockstorage_support import ADMIN, Cinder
from mimic.testing import InMemoryMimic

SERVER = "6f1c5a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


class ActionTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.cinder = Cinder(self.mimic)
        self.volume_id = self.cinder.create(1)["id"]

    def test_extend(self) -> None:
        self.mimic.core.settings["blockstorage.extend_seconds"] = 2.0
        response = self.cinder.action(self.volume_id, {"os-extend": {"new_size": 3}})
        self.assertEqual((response.code, response.body), (202, b""))
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "extending")
        self.mimic.tick(2)
        shown = self.cinder.show(self.volume_id)
        self.assertEqual((shown["status"], shown["size"]), ("available", 3))

    def test_extend_refusals(self) -> None:
        for new_size in (1, 0, "x", None):
            response = self.cinder.action(self.volume_id, {"os-extend": {"new_size": new_size}})
            self.assertEqual(response.code, 400, new_size)
        self.assertEqual(self.cinder.show(self.volume_id)["size"], 1)

    def test_unknown_action_is_400(self) -> None:
        response = self.cinder.action(self.volume_id, {"os-frobnicate": {}})
        self.assertEqual(response.code, 400)
        self.assertEqual(response.json()["badRequest"]["message"], "There is no such action: os-frobnicate")

    def test_attach_protocol(self) -> None:
        self.assertEqual(self.cinder.action(self.volume_id, {"os-reserve": None}).code, 202)
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "attaching")
        self.assertEqual(self.cinder.action(self.volume_id, {"os-attach": {
            "instance_uuid": SERVER, "mountpoint": "/dev/vdb", "mode": "rw"}}).code, 202)
        shown = self.cinder.show(self.volume_id)
        self.assertEqual(shown["status"], "in-use")
        self.assertEqual(shown["attachments"][0]["server_id"], SERVER)
        self.assertEqual(self.cinder.request("DELETE", f"/volumes/{self.volume_id}").code, 400)
        self.assertEqual(self.cinder.action(self.volume_id, {"os-begin_detaching": {}}).code, 202)
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "detaching")
        self.assertEqual(self.cinder.action(self.volume_id, {"os-detach": {}}).code, 202)
        shown = self.cinder.show(self.volume_id)
        self.assertEqual((shown["status"], shown["attachments"]), ("available", []))

    def test_reserve_and_unreserve(self) -> None:
        self.cinder.action(self.volume_id, {"os-reserve": {}})
        self.assertEqual(self.cinder.action(self.volume_id, {"os-reserve": {}}).code, 400)
        self.cinder.action(self.volume_id, {"os-unreserve": {}})
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "available")

    def test_flags_and_reset_status(self) -> None:
        self.assertEqual(self.cinder.action(self.volume_id, {"os-set_bootable": {"bootable": True}}).code, 200)
        self.assertEqual(self.cinder.show(self.volume_id)["bootable"], "true")
        self.assertEqual(self.cinder.action(self.volume_id, {"os-update_readonly_flag": {"readonly": True}}).code, 202)
        self.assertEqual(self.cinder.show(self.volume_id)["metadata"]["readonly"], "True")
        reset = {"os-reset_status": {"status": "error"}}
        refused = self.cinder.action(self.volume_id, reset)
        self.assertEqual(refused.code, 403)
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "available")
        admin = Cinder(self.mimic, **ADMIN)
        volume_id = admin.create()["id"]
        self.assertEqual(admin.action(volume_id, reset).code, 202)
        self.assertEqual(admin.show(volume_id)["status"], "error")
        self.assertEqual(admin.action(volume_id, {"os-reset_status": {"status": "bogus"}}).code, 400)

    def test_upload_to_image_makes_a_glance_image(self) -> None:
        response = self.cinder.action(self.volume_id, {"os-volume_upload_image": {"image_name": "from-volume"}})
        self.assertEqual(response.code, 202)
        image_id = response.json()["os-volume_upload_image"]["image_id"]
        images = self.cinder.access.endpoint("image")
        shown = self.mimic.request("GET", f"{images}/images/{image_id}", token=self.cinder.access.token)
        self.assertEqual((shown.code, shown.json()["name"]), (200, "from-volume"))

    def _glance_image(self, image_id: str) -> dict[str, object]:
        images = self.cinder.access.endpoint("image")
        shown = self.mimic.request("GET", f"{images}/images/{image_id}", token=self.cinder.access.token)
        self.assertEqual(shown.code, 200)
        return dict(shown.json())

    def test_upload_to_image_is_raw_in_bare_by_default(self) -> None:
        """
        Cinder asks Glance for a raw disk in a bare container unless told
        otherwise, whatever format the cloud's server snapshots have.
        """
        answered = self.cinder.action(
            self.volume_id, {"os-volume_upload_image": {"image_name": "plain"}}
        ).json()["os-volume_upload_image"]
        self.assertEqual((answered["disk_format"], answered["container_format"]), ("raw", "bare"))
        image = self._glance_image(answered["image_id"])
        self.assertEqual((image["disk_format"], image["container_format"]), ("raw", "bare"))

    def test_upload_to_image_keeps_the_formats_asked_for(self) -> None:
        for disk_format, container_format in (("qcow2", "bare"), ("vhd", "ovf"), ("vmdk", "ova")):
            self.mimic.tick(60)
            answered = self.cinder.action(self.volume_id, {"os-volume_upload_image": {
                "image_name": disk_format, "disk_format": disk_format, "container_format": container_format,
            }}).json()["os-volume_upload_image"]
            self.assertEqual((answered["disk_format"], answered["container_format"]), (disk_format, container_format))
            image = self._glance_image(answered["image_id"])
            self.assertEqual((image["disk_format"], image["container_format"]), (disk_format, container_format))

    def test_upload_to_image_refuses_unknown_formats_and_makes_nothing(self) -> None:
        images = self.cinder.access.endpoint("image")
        before = self.mimic.request("GET", f"{images}/images", token=self.cinder.access.token).json()["images"]
        for formats in (
            {"disk_format": "iso"}, {"disk_format": 7}, {"container_format": "tarball"},
            {"container_format": ["bare"]}, {"container_format": "compressed"},
        ):
            response = self.cinder.action(self.volume_id, {"os-volume_upload_image": {"image_name": "x", **formats}})
            self.assertEqual(response.code, 400, formats)
            self.assertIn("badRequest", response.json())
        after = self.mimic.request("GET", f"{images}/images", token=self.cinder.access.token).json()["images"]
        self.assertEqual(len(after), len(before))
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "available")

    def test_revert_to_latest_snapshot(self) -> None:
        snapshot = self.cinder.must(202, "POST", "/snapshots", {"snapshot": {"volume_id": self.volume_id}})["snapshot"]
        response = self.cinder.action(self.volume_id, {"revert": {"snapshot_id": snapshot["id"]}}, version="3.40")
        self.assertEqual(response.code, 202)
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "available")
        self.assertEqual(self.cinder.action(self.volume_id, {"revert": {"snapshot_id": snapshot["id"]}}).code, 400)


class OpenStackUploadTests(SynchronousTestCase):
    """
    Upload to an image in a DevStack-shaped cloud, whose server snapshots
    are qcow2 in bare: a volume's upload is still what Cinder asks for.
    """

    def test_upload_is_raw_in_bare_or_as_asked(self) -> None:
        mimic = InMemoryMimic(profile="openstack")
        cinder = Cinder(mimic, region="RegionOne")
        volume_id = cinder.create(1)["id"]
        glance = cinder.access.endpoint("image", "RegionOne")
        made = []
        for asked in ({}, {"disk_format": "qcow2", "container_format": "bare"}):
            mimic.tick(60)
            response = cinder.action(volume_id, {"os-volume_upload_image": {"image_name": "up", **asked}})
            self.assertEqual(response.code, 202)
            image = mimic.request(
                "GET", f"{glance}/v2/images/{response.json()['os-volume_upload_image']['image_id']}",
                token=cinder.access.token,
            ).json()
            made.append((image["disk_format"], image["container_format"], image["status"]))
        self.assertEqual(made, [("raw", "bare", "active"), ("qcow2", "bare", "active")])
