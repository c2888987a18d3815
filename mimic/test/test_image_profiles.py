# -*- test-case-name: mimic.test.test_image_profiles -*-
"""
Images as each profile's cloud makes them: a server's snapshot
(Nova's ``createImage`` and ``createBackup``, stored through Glance) is
what the cloud's hypervisor writes, a qcow2 disk in a bare container
under ``openstack`` (DevStack's libvirt/QEMU) and a VHD in an OVF
container under ``rackspace`` (XenServer).
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.base_images import CIRROS_IMAGE_ID
from mimic.test.test_compute_schemas import OpenStackCompute
from mimic.testing import InMemoryMimic


class OpenStackSnapshotTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.compute = OpenStackCompute()
        self.glance = self.compute.endpoint_of("image").rstrip("/")

    def ok(self, method: str, path: str, body: Any = None, code: int = 200) -> Any:
        response = self.compute.request(method, path, body)
        self.assertEqual(response.code, code, response)
        return response

    def glance_image(self, location: str) -> dict[str, Any]:
        image_id = location.rstrip("/").rsplit("/", 1)[-1]
        response = self.compute.mimic.request("GET", f"{self.glance}/v2/images/{image_id}", token=self.compute.token)
        self.assertEqual(response.code, 200, response)
        image: dict[str, Any] = response.json()
        return image

    def test_snapshots_and_backups_are_qcow2_in_a_bare_container(self) -> None:
        server = {"name": "vm", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "42"}
        server_id = self.ok("POST", "/servers", {"server": server}, 202).json()["server"]["id"]
        self.compute.mimic.tick(3600)
        action = f"/servers/{server_id}/action"
        snapshot = self.ok("POST", action, {"createImage": {"name": "snap"}}, 202)
        self.compute.mimic.tick(3600)
        backup = self.ok("POST", action, {"createBackup": {"name": "nightly", "backup_type": "daily", "rotation": 1}}, 202)
        for response in (snapshot, backup):
            location = response.header("location") or response.json()["image_id"]
            image = self.glance_image(location)
            self.assertEqual((image["disk_format"], image["container_format"]), ("qcow2", "bare"))
            self.assertEqual(image["owner"], self.compute.project_id)


class RackspaceSnapshotTests(SynchronousTestCase):
    def test_rackspace_snapshots_stay_vhd_in_ovf(self) -> None:
        mimic = InMemoryMimic()
        access = mimic.authenticate("alice")
        compute = access.endpoint("compute", "ORD")
        images = access.endpoint("image", "ORD")
        created = mimic.request(
            "POST", compute + "/servers",
            {"server": {"name": "vm", "imageRef": mimic_image(mimic, compute, access.token), "flavorRef": "general1-1"}},
            token=access.token,
        )
        self.assertEqual(created.code, 202, created)
        server_id = created.json()["server"]["id"]
        mimic.tick(3600)
        snapshot = mimic.request(
            "POST", f"{compute}/servers/{server_id}/action", {"createImage": {"name": "snap"}}, token=access.token
        )
        self.assertEqual(snapshot.code, 202, snapshot)
        image_id = (snapshot.header("location") or "").rsplit("/", 1)[-1]
        image = mimic.request("GET", f"{images}/images/{image_id}", token=access.token).json()
        self.assertEqual((image["disk_format"], image["container_format"]), ("vhd", "ovf"))


def mimic_image(mimic: InMemoryMimic, compute: str, token: str) -> str:
    """
    A base image's id, as Nova lists them.
    """
    image_id: str = mimic.request("GET", compute + "/images", token=token).json()["images"][0]["id"]
    return image_id
