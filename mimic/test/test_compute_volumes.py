# -*- test-case-name: mimic.test.test_compute_volumes -*-
"""
Compute with Block Storage, in memory, both plugins loaded: volume
attachments, booting from volumes, a server's delete releasing its
volumes, the ``os-volumes`` proxy, and the attach that fails on the
compute host.  Volumes are made and read through the
:class:`~mimic.interfaces.IVolumes` contract, as compute sees them.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.interfaces import IVolumes
from mimic.services.compute.block_devices import BAD_BOOT_SEQUENCE, block_device_mapping
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.test.test_compute_servers import ComputeTestCase

UNKNOWN = "0f0f0f0f-0000-4000-8000-000000000000"


class VolumeTestCase(ComputeTestCase):
    """
    A tenant with compute and block storage in ORD.
    """

    def volumes(self) -> Any:
        volumes = self.mimic.core.shared(IVolumes, self.access.tenant_id, "ORD")
        self.assertIsNotNone(volumes, "no plugin shares IVolumes")
        return volumes

    def now(self) -> float:
        return self.mimic.clock.seconds()

    def new_volume(self, size: int = 10) -> str:
        volume = self.volumes().create(size, self.now(), name="data")
        self.assertEqual(volume.status(self.now()), "available")
        return str(volume.id)

    def status(self, volume_id: str) -> str:
        volume = self.volumes().get(volume_id)
        return "gone" if volume is None else volume.status(self.now())

    def attachments(self, volume_id: str) -> list[Any]:
        return [tuple(a) for a in self.volumes().get(volume_id).attachments(self.now())]

    def attach(self, server_id: str, volume_id: str, version: str | None = None, **extra: Any) -> Any:
        body = {"volumeAttachment": {"volumeId": volume_id, **extra}}
        return self.call("POST", f"/servers/{server_id}/os-volume_attachments", body, version=version)

    def assertNovaError(self, response: Any, code: int, fault: str, message: str | None = None) -> None:
        self.assertEqual(response.code, code, response.body)
        body = response.json()
        self.assertEqual(list(body), [fault], body)
        if message is not None:
            self.assertEqual(body[fault]["message"], message)


class AttachTests(VolumeTestCase):
    def test_attach_names_the_next_free_device_and_both_sides_agree(self) -> None:
        server_id = self.created_id()
        volume_id = self.new_volume()
        response = self.attach(server_id, volume_id)
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(
            response.json(),
            {"volumeAttachment": {"id": volume_id, "volumeId": volume_id, "serverId": server_id,
                                  "device": "/dev/xvdb"}},
        )
        self.assertEqual(self.status(volume_id), "in-use")
        [(_, attached_server, device)] = self.attachments(volume_id)
        self.assertEqual((attached_server, device), (server_id, "/dev/xvdb"))
        self.assertEqual(self.show(server_id)["os-extended-volumes:volumes_attached"], [{"id": volume_id}])
        self.assertEqual(
            self.show(server_id, version="2.3")["os-extended-volumes:volumes_attached"],
            [{"id": volume_id, "delete_on_termination": False}],
        )
        listed = self.call("GET", "/servers/detail").json()["servers"][0]
        self.assertEqual(listed["os-extended-volumes:volumes_attached"], [{"id": volume_id}])
        second = self.attach(server_id, self.new_volume(), device="auto")
        self.assertEqual(second.json()["volumeAttachment"]["device"], "/dev/xvdc")

    def test_attach_honours_a_device_name_and_refuses_one_in_use(self) -> None:
        server_id = self.created_id()
        response = self.attach(server_id, self.new_volume(), device="/dev/xvdf")
        self.assertEqual(response.json()["volumeAttachment"]["device"], "/dev/xvdf")
        again = self.attach(server_id, self.new_volume(), device="/dev/xvdf")
        self.assertNovaError(again, 409, "conflictingRequest", "The supplied device path (/dev/xvdf) is in use.")

    def test_microversions_add_tag_delete_on_termination_and_attachment_ids(self) -> None:
        server_id = self.created_id()
        volume_id = self.new_volume()
        old = self.attach(server_id, volume_id, version="2.48", tag="db")
        self.assertNovaError(old, 400, "badRequest")
        response = self.attach(server_id, volume_id, version="2.89", tag="db", delete_on_termination=True)
        shown = response.json()["volumeAttachment"]
        self.assertNotIn("id", shown)
        self.assertEqual(shown["tag"], "db")
        self.assertIs(shown["delete_on_termination"], True)
        self.assertEqual(shown["attachment_id"], self.attachments(volume_id)[0][0])
        self.assertIn("bdm_uuid", shown)

    def test_attach_refusals(self) -> None:
        server_id = self.created_id()
        self.assertNovaError(
            self.attach(server_id, UNKNOWN), 404, "itemNotFound", f"Volume {UNKNOWN} could not be found."
        )
        self.assertNovaError(self.attach(server_id, "not-a-uuid"), 400, "badRequest")
        self.assertNovaError(self.attach(server_id, self.new_volume(), device="xvdb"), 400, "badRequest")
        self.assertNovaError(self.attach(server_id, self.new_volume(), color="red"), 400, "badRequest")
        self.assertNovaError(
            self.call("POST", f"/servers/{UNKNOWN}/os-volume_attachments", {"volumeAttachment": {"volumeId": UNKNOWN}}),
            404, "itemNotFound",
        )

    def test_attaching_an_attached_volume_is_invalid_and_changes_nothing(self) -> None:
        first, second = self.created_id("a"), self.created_id("b")
        volume_id = self.new_volume()
        self.attach(first, volume_id)
        response = self.attach(second, volume_id)
        self.assertNovaError(response, 400, "badRequest")
        self.assertTrue(response.json()["badRequest"]["message"].startswith("Invalid volume"))
        self.assertEqual([a[1] for a in self.attachments(volume_id)], [first])
        self.assertEqual(self.show(second)["os-extended-volumes:volumes_attached"], [])

    def test_attach_to_a_building_server_is_a_conflict(self) -> None:
        server_id = self.created_id(metadata={"server_building": "30"})
        volume_id = self.new_volume()
        response = self.attach(server_id, volume_id)
        self.assertNovaError(
            response, 409, "conflictingRequest",
            f"Cannot 'attach_volume' instance {server_id} while it is in vm_state building",
        )
        self.assertEqual(self.status(volume_id), "available")

    def test_list_and_show(self) -> None:
        server_id = self.created_id()
        self.assertEqual(
            self.call("GET", f"/servers/{server_id}/os-volume_attachments").json(), {"volumeAttachments": []}
        )
        self.assertNovaError(
            self.call("GET", f"/servers/{server_id}/os-volume_attachments/{UNKNOWN}"), 404, "itemNotFound",
            f"Instance {server_id} is not attached.",
        )
        volume_id = self.new_volume()
        self.attach(server_id, volume_id)
        listed = self.call("GET", f"/servers/{server_id}/os-volume_attachments").json()["volumeAttachments"]
        self.assertEqual([a["volumeId"] for a in listed], [volume_id])
        shown = self.call("GET", f"/servers/{server_id}/os-volume_attachments/{volume_id}")
        self.assertEqual(shown.json()["volumeAttachment"]["device"], "/dev/xvdb")
        self.assertNovaError(
            self.call("GET", f"/servers/{server_id}/os-volume_attachments/{UNKNOWN}"), 404, "itemNotFound",
            f"volume_id not found: {UNKNOWN}",
        )


class DetachTests(VolumeTestCase):
    def test_detach_gives_the_volume_back(self) -> None:
        server_id = self.created_id()
        volume_id = self.new_volume()
        self.attach(server_id, volume_id)
        response = self.call("DELETE", f"/servers/{server_id}/os-volume_attachments/{volume_id}")
        self.assertEqual(response.code, 202, response.body)
        self.assertEqual(self.status(volume_id), "available")
        self.assertEqual(self.attachments(volume_id), [])
        self.assertEqual(self.show(server_id)["os-extended-volumes:volumes_attached"], [])

    def test_detach_from_the_wrong_server_is_404_and_changes_nothing(self) -> None:
        owner, other = self.created_id("a"), self.created_id("b")
        volume_id = self.new_volume()
        self.attach(owner, volume_id)
        response = self.call("DELETE", f"/servers/{other}/os-volume_attachments/{volume_id}")
        self.assertNovaError(response, 404, "itemNotFound", f"volume_id not found: {volume_id}")
        self.assertEqual(self.status(volume_id), "in-use")
        self.assertNovaError(
            self.call("DELETE", f"/servers/{owner}/os-volume_attachments/{UNKNOWN}"), 404, "itemNotFound"
        )

    def test_server_delete_detaches_and_deletes_on_termination(self) -> None:
        server_id = self.created_id()
        kept, doomed = self.new_volume(), self.new_volume()
        self.attach(server_id, kept)
        self.attach(server_id, doomed, version="2.79", delete_on_termination=True)
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual(self.status(kept), "available")
        self.assertIn(self.status(doomed), ("deleting", "gone"))


class UpdateTests(VolumeTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server_id = self.created_id()
        self.volume_id = self.new_volume()
        self.attach(self.server_id, self.volume_id)

    def put(self, volume_id: str, version: str, **attachment: Any) -> Any:
        return self.call(
            "PUT", f"/servers/{self.server_id}/os-volume_attachments/{self.volume_id}",
            {"volumeAttachment": {"volumeId": volume_id, **attachment}}, version=version,
        )

    def test_update_delete_on_termination_from_2_85(self) -> None:
        self.assertNovaError(self.put(self.volume_id, "2.84", delete_on_termination=True), 400, "badRequest")
        self.assertEqual(self.put(self.volume_id, "2.85", delete_on_termination=True).code, 202)
        shown = self.show(self.server_id, version="2.85")["os-extended-volumes:volumes_attached"]
        self.assertEqual(shown, [{"id": self.volume_id, "delete_on_termination": True}])
        self.assertNovaError(
            self.put(self.volume_id, "2.85", device="/dev/xvdq"), 400, "badRequest",
            "The device property is not mutable",
        )

    def test_swap_moves_the_attachment_to_another_volume(self) -> None:
        new_id = self.new_volume()
        response = self.put(new_id, "2.1")
        self.assertEqual(response.code, 202, response.body)
        self.assertEqual(self.status(self.volume_id), "available")
        self.assertEqual(self.status(new_id), "in-use")
        self.assertEqual([a[1:] for a in self.attachments(new_id)], [(self.server_id, "/dev/xvdb")])
        self.assertEqual(self.show(self.server_id)["os-extended-volumes:volumes_attached"], [{"id": new_id}])

    def test_swap_to_an_unknown_volume_is_400(self) -> None:
        self.assertNovaError(self.put(UNKNOWN, "2.1"), 400, "badRequest", f"Volume {UNKNOWN} could not be found.")


class AttachFailureTests(VolumeTestCase):
    def test_attach_failing_on_the_host_leaves_the_volume_available_and_records_the_fault(self) -> None:
        server_id = self.created_id(metadata={"volume_attach_failure": "1"})
        volume_id = self.new_volume()
        response = self.attach(server_id, volume_id)
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(self.status(volume_id), "available")
        self.assertEqual(self.show(server_id)["os-extended-volumes:volumes_attached"], [])
        self.assertEqual(self.show(server_id)["status"], "ACTIVE")
        actions = self.call("GET", f"/servers/{server_id}/os-instance-actions").json()["instanceActions"]
        self.assertEqual(
            [(a["action"], a["message"]) for a in actions], [("attach_volume", "Error"), ("create", None)]
        )
        action = self.call(
            "GET", f"/servers/{server_id}/os-instance-actions/{actions[0]['request_id']}", version="2.84"
        ).json()["instanceAction"]
        [event] = action["events"]
        self.assertEqual((event["event"], event["result"]), ("compute_attach_volume", "Error"))
        self.assertEqual(event["details"], "Failed to attach the volume on the compute host.")

    def test_condition_registered_through_the_control_api(self) -> None:
        server_id = self.created_id()
        registered = self.mimic.request(
            "POST", "/mimic/v1.1/compute/behaviors/server.attach_volume",
            {"name": "fail", "criteria": [{"server_id": server_id}], "parameters": {"message": "host on fire"}},
        )
        self.assertEqual(registered.code, 201, registered.body)
        volume_id = self.new_volume()
        self.assertEqual(self.attach(server_id, volume_id).code, 200)
        self.assertEqual(self.status(volume_id), "available")


class BootFromVolumeTests(VolumeTestCase):
    def boot(self, mapping: list[dict[str, Any]], image: str = "", **extra: Any) -> Any:
        return self.create(imageRef=image, block_device_mapping_v2=mapping, **extra)

    def test_boot_from_a_new_volume_made_from_an_image(self) -> None:
        response = self.boot([{"boot_index": "0", "uuid": DEFAULT_IMAGE_ID, "source_type": "image",
                               "destination_type": "volume", "volume_size": 30,
                               "delete_on_termination": True}])
        self.assertEqual(response.code, 202, response.body)
        server_id = response.json()["server"]["id"]
        server = self.show(server_id, version="2.3")
        self.assertEqual(server["status"], "ACTIVE")
        self.assertEqual(server["image"], "")
        [attached] = server["os-extended-volumes:volumes_attached"]
        self.assertIs(attached["delete_on_termination"], True)
        volume = self.volumes().get(attached["id"])
        self.assertEqual((volume.size, volume.image_id, volume.status(self.now())), (30, DEFAULT_IMAGE_ID, "in-use"))
        self.assertEqual([a[1:] for a in self.attachments(volume.id)], [(server_id, "/dev/xvda")])
        detach = self.call("DELETE", f"/servers/{server_id}/os-volume_attachments/{volume.id}")
        self.assertNovaError(detach, 400, "badRequest", "Cannot detach a root device volume")
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertIn(self.status(volume.id), ("deleting", "gone"))

    def test_boot_from_an_existing_volume(self) -> None:
        volume_id = self.new_volume()
        response = self.boot([{"boot_index": 0, "uuid": volume_id, "source_type": "volume",
                               "destination_type": "volume"}])
        self.assertEqual(response.code, 202, response.body)
        server_id = response.json()["server"]["id"]
        self.assertEqual(self.show(server_id)["os-extended-volumes:volumes_attached"], [{"id": volume_id}])
        self.assertEqual(self.status(volume_id), "in-use")
        self.call("DELETE", f"/servers/{server_id}")
        self.assertEqual(self.status(volume_id), "available")

    def test_image_and_a_blank_data_volume(self) -> None:
        response = self.boot(
            [{"source_type": "blank", "destination_type": "volume", "volume_size": 5, "boot_index": -1}],
            image=DEFAULT_IMAGE_ID,
        )
        self.assertEqual(response.code, 202, response.body)
        server = self.show(response.json()["server"]["id"])
        self.assertEqual(server["image"]["id"], DEFAULT_IMAGE_ID)
        [attached] = server["os-extended-volumes:volumes_attached"]
        self.assertEqual([a[2] for a in self.attachments(attached["id"])], ["/dev/xvdb"])

    def test_refusals_leave_nothing_behind(self) -> None:
        cases = [
            ([{"boot_index": 0, "uuid": UNKNOWN, "source_type": "volume", "destination_type": "volume"}],
             f"Block Device Mapping is Invalid: failed to get volume {UNKNOWN}."),
            ([{"boot_index": 0, "uuid": UNKNOWN, "source_type": "image", "destination_type": "volume",
               "volume_size": 1}], f"Block Device Mapping is Invalid: failed to get image {UNKNOWN}."),
            ([{"boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image", "destination_type": "volume",
               "volume_size": 1}],
             "Volume is smaller than the minimum size specified in image metadata. Volume size is 1073741824 "
             "bytes, minimum size is 21474836480 bytes."),
            ([{"boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image", "destination_type": "volume"}],
             "Images with destination_type 'volume' need to have a non-zero size specified"),
            ([{"source_type": "blank", "destination_type": "volume", "volume_size": 1}], BAD_BOOT_SEQUENCE),
            ([{"boot_index": 0, "source_type": "volume", "destination_type": "volume"}],
             "Block Device Mapping is Invalid: Missing device UUID."),
            ([{"boot_index": 0, "source_type": "disk", "uuid": UNKNOWN}],
             f"Invalid input for field/attribute source_type. Value: disk. 'disk' is not one of "
             f"['volume', 'image', 'snapshot', 'blank']"),
        ]
        for mapping, message in cases:
            self.assertNovaError(self.boot(mapping), 400, "badRequest", message)
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_an_in_use_volume_cannot_be_booted_from(self) -> None:
        volume_id = self.new_volume()
        self.attach(self.created_id(), volume_id)
        response = self.boot([{"boot_index": 0, "uuid": volume_id, "source_type": "volume",
                               "destination_type": "volume"}])
        self.assertNovaError(response, 400, "badRequest")
        self.assertEqual(len(self.call("GET", "/servers").json()["servers"]), 1)

    def test_one_volume_for_several_servers_is_refused(self) -> None:
        response = self.boot(
            [{"boot_index": 0, "uuid": self.new_volume(), "source_type": "volume", "destination_type": "volume"}],
            max_count=2,
        )
        self.assertNovaError(response, 400, "badRequest", "Cannot attach one or more volumes to multiple instances")


class BlockDeviceMappingShapeTests(SynchronousTestCase):
    def test_strings_are_read_as_numbers_and_booleans(self) -> None:
        [device] = block_device_mapping(
            {"block_device_mapping_v2": [{"boot_index": "0", "uuid": DEFAULT_IMAGE_ID, "source_type": "image",
                                          "destination_type": "volume", "volume_size": "3",
                                          "delete_on_termination": "true"}]},
            (2, 1),
        )
        self.assertEqual((device.boot_index, device.volume_size, device.delete_on_termination), (0, 3, True))
        self.assertTrue(device.is_root and device.makes_volume)

    def test_tag_and_volume_type_need_their_microversions(self) -> None:
        item = {"boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image", "destination_type": "volume",
                "volume_size": 1, "tag": "root"}
        with self.assertRaises(Exception):
            block_device_mapping({"block_device_mapping_v2": [item]}, (2, 41))
        [device] = block_device_mapping({"block_device_mapping_v2": [item]}, (2, 42))
        self.assertEqual(device.tag, "root")


class VolumesProxyTests(VolumeTestCase):
    def test_create_show_list_delete(self) -> None:
        created = self.call("POST", "/os-volumes", {"volume": {"size": 2, "display_name": "scratch"}})
        self.assertEqual(created.code, 200, created.body)
        volume = created.json()["volume"]
        self.assertEqual((volume["size"], volume["displayName"], volume["attachments"]), (2, "scratch", [{}]))
        shown = self.call("GET", f"/os-volumes/{volume['id']}").json()["volume"]
        self.assertEqual(shown["status"], "available")
        self.assertIn(volume["id"], [v["id"] for v in self.call("GET", "/os-volumes/detail").json()["volumes"]])
        self.assertEqual(self.call("DELETE", f"/os-volumes/{volume['id']}").code, 202)
        self.assertNovaError(self.call("GET", f"/os-volumes/{UNKNOWN}"), 404, "itemNotFound")

    def test_description_and_metadata_are_kept(self) -> None:
        body = {"volume": {"size": 1, "display_description": "logs", "metadata": {"role": "db"}}}
        volume = self.call("POST", "/os-volumes", body).json()["volume"]
        shown = self.call("GET", f"/os-volumes/{volume['id']}").json()["volume"]
        self.assertEqual((shown["displayDescription"], shown["metadata"]), ("logs", {"role": "db"}))
        bad = self.call("POST", "/os-volumes", {"volume": {"size": 1, "metadata": {"role": 1}}})
        self.assertNovaError(bad, 400, "badRequest")
        self.assertEqual(len(self.call("GET", "/os-volumes").json()["volumes"]), 1)

    def test_attached_volume_shows_its_server(self) -> None:
        server_id = self.created_id()
        volume_id = self.new_volume()
        self.attach(server_id, volume_id)
        shown = self.call("GET", f"/os-volumes/{volume_id}").json()["volume"]
        self.assertEqual(shown["attachments"][0]["serverId"], server_id)

    def test_gone_from_2_36(self) -> None:
        self.assertNovaError(self.call("GET", "/os-volumes", version="2.36"), 404, "itemNotFound")
        self.assertNovaError(self.call("POST", "/os-volumes", {"volume": {"size": 0}}), 400, "badRequest")


class BootVolumeTimingTests(VolumeTestCase):
    """
    A server whose new volume Cinder is slow to make, or fails to make.
    """

    mapping = [{"boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image",
                "destination_type": "volume", "volume_size": 20}]

    def register(self, name: str, **parameters: Any) -> None:
        response = self.mimic.request(
            "POST", "/mimic/v1.1/blockstorage/behaviors/volume.create",
            {"name": name, "parameters": parameters},
        )
        self.assertEqual(response.code, 201, response.body)

    def test_server_waits_in_build_while_its_volume_is_creating(self) -> None:
        self.register("creating", seconds=7)
        response = self.create(imageRef="", block_device_mapping_v2=self.mapping)
        server_id = response.json()["server"]["id"]
        server = self.show(server_id)
        self.assertEqual((server["status"], server["OS-EXT-STS:task_state"]), ("BUILD", "block_device_mapping"))
        self.assertEqual(server["os-extended-volumes:volumes_attached"], [])
        self.mimic.tick(6)
        self.assertEqual(self.show(server_id)["status"], "BUILD")
        self.mimic.tick(3)
        server = self.show(server_id)
        self.assertEqual(server["status"], "ACTIVE")
        [attached] = server["os-extended-volumes:volumes_attached"]
        self.assertEqual(self.status(attached["id"]), "in-use")

    def test_a_volume_in_error_fails_the_build(self) -> None:
        self.register("error")
        response = self.create(imageRef="", block_device_mapping_v2=self.mapping)
        server = self.show(response.json()["server"]["id"])
        self.assertEqual(server["status"], "ERROR")
        self.assertIn("did not finish being created", server["fault"]["message"])
        self.assertIn("And its status is error.", server["fault"]["message"])

    def test_a_volume_never_made_fails_the_build_after_nova_gives_up(self) -> None:
        self.register("creating", seconds=3600)
        response = self.create(imageRef="", block_device_mapping_v2=self.mapping)
        server_id = response.json()["server"]["id"]
        self.mimic.tick(600)
        server = self.show(server_id)
        self.assertEqual(server["status"], "ERROR")
        self.assertIn("180 seconds or 61 attempts", server["fault"]["message"])

    def test_a_refused_create_fails_the_build(self) -> None:
        self.register("over-quota")
        response = self.create(imageRef="", block_device_mapping_v2=self.mapping)
        server = self.show(response.json()["server"]["id"])
        self.assertEqual(server["status"], "ERROR")
        self.assertTrue(server["fault"]["message"].startswith("Build of instance"))


class StoppedServerTests(VolumeTestCase):
    def test_a_stopped_server_takes_and_gives_back_volumes(self) -> None:
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"os-stop": None}).code, 202)
        self.mimic.tick(60)
        self.assertEqual(self.show(server_id)["status"], "SHUTOFF")
        volume_id = self.new_volume()
        self.assertEqual(self.attach(server_id, volume_id).code, 200)
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}/os-volume_attachments/{volume_id}").code, 202)
        self.assertEqual(self.status(volume_id), "available")


class WithoutBlockStorageTests(ComputeTestCase):
    """
    Compute alone: no volumes to attach, none to boot from.
    """

    def setUp(self) -> None:
        from mimic.core import discover_plugins
        from mimic.testing import InMemoryMimic

        self.mimic = InMemoryMimic(plugins=[p for p in discover_plugins() if p.name != "blockstorage"])
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", "ORD")

    def test_volumes_are_unknown(self) -> None:
        server_id = self.created_id()
        body = {"volumeAttachment": {"volumeId": UNKNOWN}}
        self.assertEqual(self.call("POST", f"/servers/{server_id}/os-volume_attachments", body).code, 404)
        self.assertEqual(self.call("GET", "/os-volumes").json(), {"volumes": []})
        response = self.create(imageRef="", block_device_mapping_v2=[
            {"boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image", "destination_type": "volume",
             "volume_size": 20}])
        self.assertEqual(self.show(response.json()["server"]["id"])["status"], "ERROR")
