# -*- test-case-name: mimic.test.test_blockstorage_contract -*-
"""
The volumes block storage shares with compute (:class:`IVolumes`): the
whole contract, and that Cinder's API sees what the contract did.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from mimic.interfaces import ContractRefused, IVolume, IVolumes
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.test.blockstorage_support import Cinder
from mimic.testing import InMemoryMimic

SERVER = "6f1c5a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


class ContractTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.cinder = Cinder(self.mimic)
        self.volumes = self.cinder.contract()

    def now(self) -> float:
        return self.mimic.clock.seconds()

    def test_provides_the_contract(self) -> None:
        self.assertTrue(verifyObject(IVolumes, self.volumes))
        volume = self.volumes.create(10, self.now(), name="data")
        self.assertTrue(verifyObject(IVolume, volume))

    def test_no_contract_in_an_unknown_region(self) -> None:
        self.assertIsNone(self.mimic.core.shared(IVolumes, self.cinder.tenant_id, "LON"))

    def test_create_is_seen_by_cinder(self) -> None:
        volume = self.volumes.create(10, self.now(), name="data", volume_type="SSD")
        self.assertEqual(volume.status(self.now()), "available")
        shown = self.cinder.show(volume.id)
        self.assertEqual((shown["name"], shown["size"], shown["volume_type"], shown["status"]),
                         ("data", 10, "SSD", "available"))
        self.assertIs(self.volumes.get(volume.id), volume)

    def test_create_takes_time_from_the_setting(self) -> None:
        self.mimic.core.settings["blockstorage.create_seconds"] = 5.0
        volume = self.cinder.contract().create(10, self.now())
        self.assertEqual(volume.status(self.now()), "creating")
        self.mimic.tick(5)
        self.assertEqual(volume.status(self.now()), "available")

    def test_create_from_image_is_bootable(self) -> None:
        volume = self.volumes.create(None, self.now(), image_id=DEFAULT_IMAGE_ID)
        self.assertTrue(volume.bootable)
        self.assertEqual(volume.image_id, DEFAULT_IMAGE_ID)
        self.assertEqual(volume.size, 20)
        self.assertEqual(self.cinder.show(volume.id)["bootable"], "true")

    def test_create_refusals(self) -> None:
        cases = [
            (dict(size=0), 400, "InvalidInput"),
            (dict(size=1, image_id="nope"), 400, "InvalidInput"),
            (dict(size=1, image_id=DEFAULT_IMAGE_ID), 400, "InvalidInput"),
            (dict(size=1, volume_type="GOLD"), 404, "VolumeTypeNotFoundByName"),
            (dict(size=1, snapshot_id="nope"), 404, "SnapshotNotFound"),
            (dict(size=1, source_volid="nope"), 404, "VolumeNotFound"),
            (dict(size=10**6), 413, "VolumeSizeExceedsAvailableQuota"),
        ]
        for arguments, status, kind in cases:
            size = arguments.pop("size")
            with self.assertRaises(ContractRefused) as refused:
                self.volumes.create(size, self.now(), **arguments)
            self.assertEqual((refused.exception.status, refused.exception.kind), (status, kind), arguments)
        self.assertEqual(self.cinder.must(200, "GET", "/volumes")["volumes"], [])

    def test_reserve_attach_detach(self) -> None:
        volume = self.volumes.create(10, self.now())
        self.volumes.reserve(volume.id, SERVER, self.now())
        self.assertEqual(volume.status(self.now()), "attaching")
        self.assertEqual(self.volumes.attached_to(SERVER, self.now()), [volume])
        attachment_id = self.volumes.attach(volume.id, SERVER, "/dev/xvdb", self.now())
        self.assertEqual(volume.status(self.now()), "in-use")
        self.assertEqual(volume.attachments(self.now()), [(attachment_id, SERVER, "/dev/xvdb")])
        shown = self.cinder.show(volume.id)
        self.assertEqual(shown["status"], "in-use")
        self.assertEqual(
            [(a["attachment_id"], a["server_id"], a["device"]) for a in shown["attachments"]],
            [(attachment_id, SERVER, "/dev/xvdb")],
        )
        self.volumes.detach(volume.id, SERVER, self.now())
        self.assertEqual(volume.status(self.now()), "available")
        self.assertEqual(volume.attachments(self.now()), [])
        self.assertEqual(self.volumes.attached_to(SERVER, self.now()), [])

    def test_attach_and_detach_take_time(self) -> None:
        self.mimic.core.settings["blockstorage.attach_seconds"] = 3.0
        self.mimic.core.settings["blockstorage.detach_seconds"] = 4.0
        volumes = self.cinder.contract()
        volume = volumes.create(10, self.now())
        volumes.reserve(volume.id, SERVER, self.now())
        volumes.attach(volume.id, SERVER, "/dev/xvdb", self.now())
        self.assertEqual(volume.status(self.now()), "attaching")
        self.assertEqual(volumes.attached_to(SERVER, self.now()), [volume])
        self.mimic.tick(3)
        self.assertEqual(volume.status(self.now()), "in-use")
        volumes.detach(volume.id, SERVER, self.now())
        self.assertEqual(volume.status(self.now()), "detaching")
        self.mimic.tick(4)
        self.assertEqual(volume.status(self.now()), "available")
        self.assertEqual(volumes.attached_to(SERVER, self.now()), [])

    def test_unreserve_makes_it_available_again(self) -> None:
        volume = self.volumes.create(10, self.now())
        self.volumes.reserve(volume.id, SERVER, self.now())
        self.volumes.unreserve(volume.id, self.now())
        self.assertEqual(volume.status(self.now()), "available")
        self.assertEqual(self.volumes.attached_to(SERVER, self.now()), [])

    def test_refusals_while_attached(self) -> None:
        volume = self.volumes.create(10, self.now())
        self.volumes.reserve(volume.id, SERVER, self.now())
        self.volumes.attach(volume.id, SERVER, "/dev/xvdb", self.now())
        for call in (
            lambda: self.volumes.reserve(volume.id, "other", self.now()),
            lambda: self.volumes.detach(volume.id, "other", self.now()),
            lambda: self.volumes.delete(volume.id, self.now()),
        ):
            with self.assertRaises(ContractRefused) as refused:
                call()
            self.assertEqual(refused.exception.status, 400)
        self.assertEqual(volume.status(self.now()), "in-use")
        self.assertEqual(len(volume.attachments(self.now())), 1)

    def test_detach_of_an_unattached_volume_is_refused(self) -> None:
        volume = self.volumes.create(10, self.now())
        with self.assertRaises(ContractRefused) as refused:
            self.volumes.detach(volume.id, SERVER, self.now())
        self.assertEqual((refused.exception.status, refused.exception.kind), (400, "InvalidVolume"))

    def test_unknown_volume_is_refused_with_404(self) -> None:
        for call in (
            lambda: self.volumes.reserve("nope", SERVER, self.now()),
            lambda: self.volumes.attach("nope", SERVER, None, self.now()),
            lambda: self.volumes.delete("nope", self.now()),
        ):
            with self.assertRaises(ContractRefused) as refused:
                call()
            self.assertEqual((refused.exception.status, refused.exception.kind), (404, "VolumeNotFound"))
        self.assertIsNone(self.volumes.get("nope"))

    def test_delete(self) -> None:
        volume = self.volumes.create(10, self.now())
        self.volumes.delete(volume.id, self.now())
        self.assertIsNone(self.volumes.get(volume.id))
        self.cinder.must(404, "GET", f"/volumes/{volume.id}")

    def test_delete_takes_time(self) -> None:
        self.mimic.core.settings["blockstorage.delete_seconds"] = 2.0
        volumes = self.cinder.contract()
        volume = volumes.create(10, self.now())
        volumes.delete(volume.id, self.now())
        self.assertEqual(volume.status(self.now()), "deleting")
        self.assertIs(volumes.get(volume.id), volume)
        self.mimic.tick(2)
        self.assertIsNone(volumes.get(volume.id))

    def test_delete_with_snapshots_is_refused(self) -> None:
        volume = self.volumes.create(10, self.now())
        self.cinder.must(202, "POST", "/snapshots", {"snapshot": {"volume_id": volume.id}})
        with self.assertRaises(ContractRefused) as refused:
            self.volumes.delete(volume.id, self.now())
        self.assertEqual(refused.exception.status, 400)

    def test_create_condition_refuses_through_the_contract(self) -> None:
        self.mimic.request("POST", "/mimic/v1.1/blockstorage/behaviors/volume.create", {
            "name": "fail", "parameters": {"code": 503, "message": "down"}})
        with self.assertRaises(ContractRefused) as refused:
            self.volumes.create(10, self.now(), name="x")
        self.assertEqual((refused.exception.status, refused.exception.message), (503, "down"))

    def test_create_error_condition(self) -> None:
        self.mimic.request("POST", "/mimic/v1.1/blockstorage/behaviors/volume.create", {
            "name": "no-valid-backend", "criteria": [{"volume_name": "^doomed$"}]})
        volume = self.volumes.create(10, self.now(), name="doomed")
        self.assertEqual(volume.status(self.now()), "error")
        self.assertEqual(self.volumes.create(10, self.now(), name="fine").status(self.now()), "available")

    def test_attach_lingers_with_a_condition_on_the_server(self) -> None:
        self.mimic.request("POST", "/mimic/v1.1/blockstorage/behaviors/volume.attach", {
            "name": "attaching", "parameters": {"seconds": 10}, "criteria": [{"server_id": SERVER}]})
        volume = self.volumes.create(10, self.now())
        self.volumes.reserve(volume.id, SERVER, self.now())
        self.volumes.attach(volume.id, SERVER, "/dev/xvdb", self.now())
        self.assertEqual(volume.status(self.now()), "attaching")
        self.mimic.tick(10)
        self.assertEqual(volume.status(self.now()), "in-use")
