# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
Cinder's other collections over HTTP in memory: snapshots, backups,
attachments, types, zones, limits, quotas.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.test.blockstorage_support import ADMIN, Cinder
from mimic.testing import InMemoryMimic

SERVER = "6f1c5a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


class ResourceTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.cinder = Cinder(self.mimic)
        self.volume_id = self.cinder.create(2)["id"]

    def test_snapshots(self) -> None:
        created = self.cinder.must(202, "POST", "/snapshots", {"snapshot": {
            "volume_id": self.volume_id, "name": "s", "metadata": {"k": "v"}}})["snapshot"]
        self.assertEqual((created["status"], created["size"]), ("creating", 2))
        shown = self.cinder.must(200, "GET", f"/snapshots/{created['id']}")["snapshot"]
        self.assertEqual(shown["status"], "available")
        self.assertIn("os-extended-snapshot-attributes:progress", shown)
        listed = self.cinder.must(200, "GET", "/snapshots")["snapshots"]
        self.assertNotIn("os-extended-snapshot-attributes:progress", listed[0])
        self.cinder.must(200, "PUT", f"/snapshots/{created['id']}/metadata/k", {"meta": {"k": "w"}})
        self.assertEqual(self.cinder.must(200, "GET", f"/snapshots/{created['id']}/metadata"), {"metadata": {"k": "w"}})
        self.cinder.must(202, "DELETE", f"/snapshots/{created['id']}")
        self.assertEqual(self.cinder.request("GET", f"/snapshots/{created['id']}").code, 404)

    def test_snapshot_of_in_use_volume_needs_force(self) -> None:
        self.cinder.contract().attach(self.volume_id, SERVER, "/dev/xvdb", self.mimic.clock.seconds())
        body = {"snapshot": {"volume_id": self.volume_id}}
        self.assertEqual(self.cinder.request("POST", "/snapshots", body).code, 400)
        body["snapshot"]["force"] = True
        self.assertEqual(self.cinder.request("POST", "/snapshots", body).code, 202)

    def test_backup_create_restore_delete(self) -> None:
        self.mimic.core.settings["blockstorage.backup_seconds"] = 5.0
        backup = self.cinder.must(202, "POST", "/backups", {"backup": {"volume_id": self.volume_id, "name": "b"}})["backup"]
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "backing-up")
        self.mimic.tick(5)
        shown = self.cinder.must(200, "GET", f"/backups/{backup['id']}")["backup"]
        self.assertEqual((shown["status"], shown["size"]), ("available", 2))
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "available")
        restored = self.cinder.must(202, "POST", f"/backups/{backup['id']}/restore", {"restore": {}})["restore"]
        self.assertEqual(self.cinder.show(restored["volume_id"])["status"], "available")
        self.cinder.must(202, "DELETE", f"/backups/{backup['id']}")
        self.assertEqual(self.cinder.request("GET", f"/backups/{backup['id']}").code, 404)

    def test_restore_brings_back_the_volume_metadata(self) -> None:
        """
        A backup keeps its volume's metadata, which a restore writes back,
        to a new volume or over an existing one's (as tempest's backup
        test checks); metadata set after the backup is not in it.
        """
        self.cinder.must(200, "PUT", f"/volumes/{self.volume_id}/metadata", {"metadata": {"k1": "v1", "k2": "v2"}})
        backup = self.cinder.must(202, "POST", "/backups", {"backup": {"volume_id": self.volume_id}})["backup"]
        self.cinder.must(200, "PUT", f"/volumes/{self.volume_id}/metadata", {"metadata": {"later": "x"}})
        restored = self.cinder.must(202, "POST", f"/backups/{backup['id']}/restore", {"restore": {}})["restore"]
        self.assertEqual(self.cinder.show(restored["volume_id"])["metadata"], {"k1": "v1", "k2": "v2"})
        target = self.cinder.create(2, metadata={"k1": "mine", "own": "y"})["id"]
        self.cinder.must(202, "POST", f"/backups/{backup['id']}/restore", {"restore": {"volume_id": target}})
        self.assertEqual(self.cinder.show(target)["metadata"], {"k1": "v1", "k2": "v2", "own": "y"})

    def test_one_extra_spec_of_a_type(self) -> None:
        sata = next(t for t in self.cinder.must(200, "GET", "/types")["volume_types"] if t["name"] == "SATA")
        shown = self.cinder.must(200, "GET", f"/types/{sata['id']}/extra_specs/volume_backend_name")
        self.assertEqual(shown, {"volume_backend_name": "sata"})
        missing = self.cinder.request("GET", f"/types/{sata['id']}/extra_specs/nope")
        self.assertEqual(missing.code, 404)
        self.assertEqual(missing.json()["itemNotFound"]["message"],
                         f"Volume Type {sata['id']} has no extra specs with key nope.")
        self.assertEqual(self.cinder.request("GET", "/types/nope/extra_specs/volume_backend_name").code, 404)

    def test_attachments_api(self) -> None:
        self.assertEqual(self.cinder.request("GET", "/attachments").code, 404)
        created = self.cinder.must(200, "POST", "/attachments", {"attachment": {
            "volume_uuid": self.volume_id, "instance_uuid": SERVER}}, version="3.27")["attachment"]
        self.assertEqual(created["status"], "reserved")
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "reserved")
        updated = self.cinder.must(200, "PUT", f"/attachments/{created['id']}", {"attachment": {
            "connector": {"host": "h", "mountpoint": "/dev/vdb"}}}, version="3.27")["attachment"]
        self.assertEqual(updated["status"], "attached")
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "in-use")
        self.cinder.must(200, "DELETE", f"/attachments/{created['id']}", version="3.27")
        self.assertEqual(self.cinder.show(self.volume_id)["status"], "available")

    def test_types_zones_limits_quotas(self) -> None:
        names = [t["name"] for t in self.cinder.must(200, "GET", "/types")["volume_types"]]
        self.assertEqual(names, ["SATA", "SSD", "__DEFAULT__"])
        zones = self.cinder.must(200, "GET", "/os-availability-zone")["availabilityZoneInfo"]
        self.assertEqual(zones[0]["zoneName"], "nova")
        absolute = self.cinder.must(200, "GET", "/limits")["limits"]["absolute"]
        self.assertEqual((absolute["totalVolumesUsed"], absolute["totalGigabytesUsed"]), (1, 2))
        tenant = self.cinder.tenant_id
        quotas = self.cinder.must(200, "GET", f"/os-quota-sets/{tenant}?usage=True")["quota_set"]
        self.assertEqual(quotas["volumes"]["in_use"], 1)
        refused = self.cinder.request("PUT", f"/os-quota-sets/{tenant}", {"quota_set": {"volumes": 1}})
        self.assertEqual(refused.code, 403)
        admin = Cinder(self.mimic, **ADMIN)
        admin.create()
        admin.must(200, "PUT", f"/os-quota-sets/{admin.tenant_id}", {"quota_set": {"volumes": 1}})
        response = admin.request("POST", "/volumes", {"volume": {"size": 1}})
        self.assertEqual(response.code, 413)
        self.assertEqual(response.json()["overLimit"]["message"],
                         "Maximum number of volumes allowed (1) exceeded for quota 'volumes'.")
        self.assertEqual(self.cinder.request("GET", "/os-quota-sets/other").code, 403)
