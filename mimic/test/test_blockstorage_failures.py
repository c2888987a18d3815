# -*- test-case-name: mimic.test.test_blockstorage_failures -*-
"""
Block storage's known error conditions, through create metadata and
through the control API with criteria.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.blockstorage.failures import NO_VALID_BACKEND
from mimic.test.blockstorage_support import Cinder
from mimic.testing import InMemoryMimic

SERVER = "6f1c5a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"


class FailureTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.cinder = Cinder(self.mimic)

    def register(self, event: str, body: dict[str, Any]) -> None:
        response = self.mimic.request("POST", f"/mimic/v1.1/blockstorage/behaviors/{event}", body)
        assert response.code == 201, response

    def test_error_on_create_through_metadata(self) -> None:
        volume = self.cinder.create(1, metadata={"volume_create_error": ""})
        self.assertEqual(self.cinder.show(volume["id"])["status"], "error")

    def test_no_valid_backend_through_metadata(self) -> None:
        volume = self.cinder.create(1, metadata={"volume_no_valid_backend": "1"})
        self.assertEqual(self.cinder.show(volume["id"])["status"], "error")
        stored = self.cinder.contract().get(volume["id"])
        self.assertEqual(stored.reason, NO_VALID_BACKEND)

    def test_the_reason_is_a_user_message(self) -> None:
        volume = self.cinder.create(1, metadata={"volume_no_valid_backend": "1"})
        self.assertEqual(self.cinder.request("GET", "/messages").code, 404)
        messages = self.cinder.must(200, "GET", "/messages", version="3.3")["messages"]
        self.assertEqual([(m["resource_uuid"], m["message_level"]) for m in messages], [(volume["id"], "ERROR")])
        self.assertIn(NO_VALID_BACKEND, messages[0]["user_message"])
        self.assertEqual(messages[0]["event_id"], "VOLUME_VOLUME_001_002")
        message_id = messages[0]["id"]
        shown = self.cinder.must(200, "GET", f"/messages/{message_id}", version="3.3")["message"]
        self.assertEqual(shown["id"], message_id)
        self.assertEqual(self.cinder.request("DELETE", f"/messages/{message_id}", version="3.3").code, 204)
        self.assertEqual(self.cinder.must(200, "GET", "/messages", version="3.3")["messages"], [])
        self.assertEqual(self.cinder.request("GET", f"/messages/{message_id}", version="3.3").code, 404)

    def test_creating_until_a_tick(self) -> None:
        volume = self.cinder.create(1, metadata={"volume_creating": "1"})
        self.assertEqual(self.cinder.show(volume["id"])["status"], "creating")
        self.mimic.tick(1)
        self.assertEqual(self.cinder.show(volume["id"])["status"], "available")

    def test_over_quota_through_metadata(self) -> None:
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 1, "metadata": {"volume_over_quota": ""}}})
        self.assertEqual(response.code, 413)
        self.assertIn("overLimit", response.json())
        self.assertEqual(self.cinder.must(200, "GET", "/volumes")["volumes"], [])

    def test_create_fail_by_criteria(self) -> None:
        self.register("volume.create", {"name": "fail", "parameters": {"code": 503, "message": "down"},
                                        "criteria": [{"volume_type": "^SSD$"}, {"size": "^5$"}]})
        response = self.cinder.request("POST", "/volumes", {"volume": {"size": 5, "volume_type": "SSD"}})
        self.assertEqual((response.code, response.json()["serviceUnavailable"]["message"]), (503, "down"))
        self.cinder.create(4, volume_type="SSD")
        self.cinder.create(5, volume_type="SATA")

    def test_extend_error_armed_at_create(self) -> None:
        volume_id = self.cinder.create(1, metadata={"volume_extend_error": ""})["id"]
        self.assertEqual(self.cinder.action(volume_id, {"os-extend": {"new_size": 2}}).code, 202)
        shown = self.cinder.show(volume_id)
        self.assertEqual((shown["status"], shown["size"]), ("error_extending", 1))

    def test_delete_error_by_name(self) -> None:
        self.register("volume.delete", {"name": "error", "criteria": [{"volume_name": "^stuck$"}]})
        volume_id = self.cinder.create(1, name="stuck")["id"]
        self.cinder.must(202, "DELETE", f"/volumes/{volume_id}")
        self.assertEqual(self.cinder.show(volume_id)["status"], "error_deleting")

    def test_attaching_by_server(self) -> None:
        self.register("volume.attach", {"name": "attaching", "criteria": [{"server_id": SERVER}]})
        volume_id = self.cinder.create(1)["id"]
        self.cinder.action(volume_id, {"os-attach": {"instance_uuid": SERVER, "mountpoint": "/dev/vdb"}})
        self.assertEqual(self.cinder.show(volume_id)["status"], "attaching")
        self.mimic.tick(1)
        self.assertEqual(self.cinder.show(volume_id)["status"], "in-use")

    def test_backup_error(self) -> None:
        self.register("backup.create", {"name": "error", "parameters": {"reason": "disk full"}})
        volume_id = self.cinder.create(1)["id"]
        backup = self.cinder.must(202, "POST", "/backups", {"backup": {"volume_id": volume_id}})["backup"]
        shown = self.cinder.must(200, "GET", f"/backups/{backup['id']}")["backup"]
        self.assertEqual((shown["status"], shown["fail_reason"]), ("error", "disk full"))
        self.assertEqual(self.cinder.show(volume_id)["status"], "available")
