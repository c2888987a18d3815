# -*- test-case-name: mimic.test.test_compute_lifecycle -*-
"""
Server actions of :mod:`mimic.services.compute.backup`,
:mod:`~mimic.services.compute.shelve` and
:mod:`~mimic.services.compute.locks`, in memory: backups and their
rotation, shelving to SHELVED_OFFLOADED and back, locks with reasons and
administrators, crash dumps; and a snapshot keeping what they leave.
"""

from __future__ import annotations

from typing import Any

from mimic.interfaces import IImages
from mimic.session import ADMIN_ROLE, named_role
from mimic.test.test_compute_servers import ComputeTestCase


class LifecycleTestCase(ComputeTestCase):
    def act(self, server_id: str, body: Any, version: str | None = None, token: str | None = None) -> Any:
        return self.call("POST", f"/servers/{server_id}/action", body, version=version, token=token)

    def images(self) -> Any:
        return self.mimic.core.shared(IImages, self.access.tenant_id, "ORD")

    def backups(self, server_id: str) -> list[Any]:
        return [i for i in self.images() if i.server_id == server_id and i.metadata.get("image_type") == "backup"]

    def admin_token(self) -> str:
        # The tenant's own user with the admin role on it: an
        # administrator's token for this tenant's endpoint.
        sessions = self.mimic.core.sessions
        user = sessions.tenant_owner(self.access.tenant_id)
        roles = [*user.roles, named_role(ADMIN_ROLE)]
        return str(sessions.issue(user, self.access.tenant_id, roles=roles).id)


class BackupTests(LifecycleTestCase):
    def backup(self, server_id: str, rotation: Any = 2, kind: str = "daily", version: str | None = None) -> Any:
        return self.act(
            server_id, {"createBackup": {"name": "nightly", "backup_type": kind, "rotation": rotation}}, version
        )

    def test_backup_is_an_image_marked_as_one_with_a_location_before_2_45(self) -> None:
        server_id = self.created_id()
        response = self.backup(server_id)
        self.assertEqual(response.code, 202, response.body)
        self.assertEqual(response.body, b"")
        [image] = self.backups(server_id)
        self.assertTrue(response.header("Location").endswith(f"/images/{image.id}"))
        self.assertEqual(image.metadata["backup_type"], "daily")
        self.assertEqual(image.metadata["instance_uuid"], server_id)
        self.assertEqual(self.show(server_id)["OS-EXT-STS:task_state"], "image_backup")

    def test_2_45_answers_the_image_id(self) -> None:
        server_id = self.created_id()
        response = self.backup(server_id, version="2.45")
        self.assertEqual(response.json(), {"image_id": self.backups(server_id)[0].id})

    def test_rotation_keeps_the_newest_of_the_type(self) -> None:
        server_id = self.created_id()
        made = []
        for _ in range(3):
            made.append(self.backup(server_id, rotation=2, version="2.45").json()["image_id"])
            self.mimic.tick(60)
        self.backup(server_id, rotation=5, kind="weekly")
        self.mimic.tick(60)
        daily = [i.id for i in self.backups(server_id) if i.metadata["backup_type"] == "daily"]
        self.assertEqual(sorted(daily), sorted(made[1:]))
        self.assertEqual(self.backup(server_id, rotation=0).code, 202)
        self.assertEqual([i.metadata["backup_type"] for i in self.backups(server_id)], ["weekly"])

    def test_bad_bodies_are_400(self) -> None:
        server_id = self.created_id()
        for body in (
            {"name": "b", "backup_type": "daily"},
            {"name": "b", "backup_type": "daily", "rotation": -1},
            {"name": "b", "backup_type": "daily", "rotation": "x"},
            {"name": "b", "backup_type": "daily", "rotation": 1, "extra": 1},
            {"name": "", "backup_type": "daily", "rotation": 1},
        ):
            self.assertEqual(self.act(server_id, {"createBackup": body}).code, 400, body)
        self.assertEqual(self.backups(server_id), [])

    def test_backup_while_busy_is_409(self) -> None:
        server_id = self.created_id()
        self.act(server_id, {"reboot": {"type": "SOFT"}})
        self.assertEqual(self.backup(server_id).code, 409)


class ShelveTests(LifecycleTestCase):
    def test_shelve_offloads_then_unshelve_comes_back(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.act(server_id, {"shelve": {}}).code, 202)
        self.assertEqual(self.show(server_id)["OS-EXT-STS:task_state"], "shelving")
        [image] = [i for i in self.images() if i.server_id == server_id]
        self.assertEqual(image.name, "web-shelved")
        self.mimic.tick(60)
        shown = self.show(server_id)
        self.assertEqual((shown["status"], shown["OS-EXT-STS:power_state"]), ("SHELVED_OFFLOADED", 4))
        self.assertEqual(self.act(server_id, {"reboot": {"type": "SOFT"}}).code, 409)
        self.assertEqual(self.act(server_id, {"unshelve": None}).code, 202)
        self.assertEqual(self.show(server_id)["OS-EXT-STS:task_state"], "unshelving")
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "ACTIVE")
        self.assertEqual([i for i in self.images() if i.server_id == server_id], [])

    def test_shelve_offload_of_a_shelved_server(self) -> None:
        from mimic.services.compute import shelve

        self.patch(shelve, "SHELVED_OFFLOAD_TIME", 3600.0)
        server_id = self.created_id()
        self.act(server_id, {"shelve": None})
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "SHELVED")
        self.assertEqual(self.act(server_id, {"shelveOffload": None}).code, 202)
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "SHELVED_OFFLOADED")
        self.assertEqual(self.act(server_id, {"shelveOffload": None}).code, 409)

    def test_unshelve_to_a_zone_from_2_77(self) -> None:
        server_id = self.created_id()
        self.act(server_id, {"shelve": None})
        self.mimic.tick(60)
        body = {"unshelve": {"availability_zone": "nowhere"}}
        self.assertEqual(self.act(server_id, body, version="2.77").code, 400)
        self.assertEqual(self.act(server_id, {"unshelve": {}}, version="2.77").code, 400)
        self.assertEqual(
            self.act(server_id, {"unshelve": {"availability_zone": None}}, version="2.77").code, 400
        )
        host = {"unshelve": {"availability_zone": None, "host": "mimic-compute-1"}}
        self.assertEqual(self.act(server_id, host, version="2.91").code, 403)
        self.assertEqual(self.act(server_id, {"unshelve": {"availability_zone": None}}, version="2.91").code, 202)

    def test_shelve_of_a_busy_server_is_409(self) -> None:
        server_id = self.created_id()
        self.act(server_id, {"reboot": {"type": "SOFT"}})
        self.assertEqual(self.act(server_id, {"shelve": None}).code, 409)
        self.assertEqual(self.act(server_id, {"unshelve": None}).code, 409)


class LockTests(LifecycleTestCase):
    def test_locked_server_refuses_its_owner_but_not_an_administrator(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.act(server_id, {"lock": None}).code, 202)
        self.assertTrue(self.show(server_id, version="2.9")["locked"])
        refused = self.act(server_id, {"reboot": {"type": "SOFT"}})
        self.assertEqual(refused.code, 409)
        self.assertEqual(refused.json()["conflictingRequest"]["message"], f"Instance {server_id} is locked")
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 409)
        admin = self.admin_token()
        self.assertEqual(self.act(server_id, {"reboot": {"type": "SOFT"}}, token=admin).code, 202)

    def test_reason_from_2_73(self) -> None:
        server_id = self.created_id()
        body = {"lock": {"locked_reason": "maintenance"}}
        self.assertEqual(self.act(server_id, body, version="2.73").code, 202)
        self.assertEqual(self.show(server_id, version="2.73")["locked_reason"], "maintenance")
        listed = self.call("GET", "/servers/detail", version="2.73").json()["servers"]
        self.assertEqual(listed[0]["locked_reason"], "maintenance")
        self.act(server_id, {"unlock": None})
        self.assertIsNone(self.show(server_id, version="2.73")["locked_reason"])
        self.assertEqual(self.act(server_id, {"lock": {"why": "x"}}, version="2.73").code, 400)

    def test_administrators_lock_only_they_lift(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.act(server_id, {"lock": None}, token=self.admin_token()).code, 202)
        self.assertEqual(self.act(server_id, {"unlock": None}).code, 403)
        self.assertEqual(self.act(server_id, {"unlock": None}, token=self.admin_token()).code, 202)


class CrashDumpTests(LifecycleTestCase):
    def test_crash_dump_from_2_17_on_a_running_server(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.act(server_id, {"trigger_crash_dump": None}, version="2.16").code, 400)
        self.assertEqual(self.act(server_id, {"trigger_crash_dump": None}, version="2.17").code, 202)
        self.act(server_id, {"os-stop": None})
        self.mimic.tick(60)
        self.assertEqual(self.act(server_id, {"trigger_crash_dump": None}, version="2.17").code, 409)


class SnapshotTests(LifecycleTestCase):
    def test_snapshot_keeps_shelved_state_locks_and_instance_actions(self) -> None:
        from mimic.testing import MimicControl

        server_id = self.created_id()
        self.act(server_id, {"lock": {"locked_reason": "hold"}}, version="2.73")
        self.act(server_id, {"unlock": None})
        self.act(server_id, {"lock": {"locked_reason": "hold"}}, version="2.73")
        self.act(server_id, {"shelve": None}, token=self.admin_token())
        control = MimicControl(self.mimic)
        control.save_snapshot("shelved")
        actions = self.call("GET", f"/servers/{server_id}/os-instance-actions").json()
        self.act(server_id, {"unlock": None})
        self.mimic.tick(60)
        control.restore_snapshot("shelved")
        self.assertEqual(self.show(server_id, version="2.73")["locked_reason"], "hold")
        self.assertEqual(self.call("GET", f"/servers/{server_id}/os-instance-actions").json(), actions)
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "SHELVED_OFFLOADED")


class LockedMetadataTests(LifecycleTestCase):
    def test_metadata_of_a_locked_server_is_its_owners_to_read_only(self) -> None:
        server_id = self.created_id(metadata={"a": "1"})
        self.act(server_id, {"lock": None})
        path = f"/servers/{server_id}/metadata"
        self.assertEqual(self.call("GET", path).code, 200)
        self.assertEqual(self.call("PUT", path, {"metadata": {"b": "2"}}).code, 409)
        self.assertEqual(self.call("POST", path, {"metadata": {"b": "2"}}).code, 409)
        self.assertEqual(self.call("PUT", f"{path}/b", {"meta": {"b": "2"}}).code, 409)
        self.assertEqual(self.call("DELETE", f"{path}/a").code, 409)
        self.assertEqual(self.call("DELETE", f"{path}/a", token=self.admin_token()).code, 204)


class LockedVolumeTests(LifecycleTestCase):
    def test_an_administrator_attaches_to_a_locked_server(self) -> None:
        from mimic.interfaces import IVolumes

        volumes = self.mimic.core.shared(IVolumes, self.access.tenant_id, "ORD")
        volume_id = volumes.create(1, self.mimic.clock.seconds(), name="data").id
        server_id = self.created_id()
        self.act(server_id, {"lock": None})
        path = f"/servers/{server_id}/os-volume_attachments"
        body = {"volumeAttachment": {"volumeId": volume_id}}
        self.assertEqual(self.call("POST", path, body).code, 409)
        self.assertEqual(self.call("POST", path, body, token=self.admin_token()).code, 200)
        self.assertEqual(self.call("DELETE", f"{path}/{volume_id}").code, 409)
        self.assertEqual(self.call("DELETE", f"{path}/{volume_id}", token=self.admin_token()).code, 202)
