# -*- test-case-name: mimic.test.test_image_profiles -*-
"""
Images as each profile's cloud makes them: a server's snapshot
(Nova's ``createImage`` and ``createBackup``, stored through Glance) is
what the cloud's hypervisor writes, a qcow2 disk in a bare container
under ``openstack`` (DevStack's libvirt/QEMU) and a VHD in an OVF
container under ``rackspace`` (XenServer).
"""

from __future__ import annotations

import json
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.base_images import CIRROS_IMAGE_ID
from mimic.testing import InMemoryMimic, Response


class OpenStackCompute:
    """
    The ``demo`` project of an in-memory Mimic with the ``openstack``
    profile, as a client of that cloud reaches it: a Keystone v3 token
    and the endpoints of its catalog; requests go to compute.
    """

    def __init__(self, mimic: InMemoryMimic | None = None) -> None:
        self.mimic = mimic or InMemoryMimic(profile="openstack")
        self.access = self.mimic.authenticate("demo")
        self.token = self.access.token
        self.project_id = self.access.tenant_id

    def endpoint_of(self, service_type: str) -> str:
        """
        The public URL of a service type in the token's catalog.
        """
        return self.access.endpoint(service_type)

    def request(self, method: str, path: str, body: Any = None) -> Response:
        return self.mimic.request(method, self.endpoint_of("compute") + path, body, token=self.token)


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

    def test_a_snapshot_has_its_uploads_digests_once_active(self) -> None:
        server = {"name": "vm", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "42"}
        server_id = self.ok("POST", "/servers", {"server": server}, 202).json()["server"]["id"]
        self.compute.mimic.tick(3600)
        made = self.ok("POST", f"/servers/{server_id}/action", {"createImage": {"name": "snap"}}, 202)
        location = made.header("location") or made.json()["image_id"]
        saving = self.glance_image(location)
        self.assertEqual(saving["status"], "saving")
        self.assertEqual([saving[k] for k in ("checksum", "os_hash_value", "virtual_size")], [None] * 3)
        self.compute.mimic.tick(3600)
        active = self.glance_image(location)
        self.assertEqual(active["status"], "active")
        self.assertRegex(active["checksum"], "^[0-9a-f]{32}$")
        self.assertEqual((active["os_hash_algo"], active["virtual_size"]), ("sha512", 117440512))


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


#: Upstream Glance's own image properties, in its schema's order, then
#: those DevStack's ``schema-image.json`` adds.
UPSTREAM_BASE_PROPERTIES = [
    "id", "name", "status", "visibility", "protected", "os_hidden", "checksum", "os_hash_algo", "os_hash_value",
    "owner", "size", "virtual_size", "container_format", "disk_format", "created_at", "updated_at", "tags",
    "direct_url", "min_ram", "min_disk", "self", "file", "stores", "schema", "locations",
]
UPSTREAM_CUSTOM_PROPERTIES = [
    "kernel_id", "ramdisk_id", "instance_uuid", "architecture", "os_distro", "os_version", "description",
    "cinder_encryption_key_id", "cinder_encryption_key_deletion_policy",
]

#: What only Rackspace's schema declares.
RACKSPACE_ONLY_PROPERTIES = {"image_type", "os_type", "base_image_ref"}


class Glance:
    """
    One project's Glance in an in-memory Mimic, reached through the
    project's catalog: a Rackspace token under ``rackspace``, a
    Keystone v3 one otherwise.
    """

    def __init__(self, mimic: InMemoryMimic) -> None:
        self.mimic = mimic
        if mimic.core.profile.rackspace_extensions:
            access = mimic.authenticate("alice")
            self.token, url = access.token, access.endpoint("image")
        else:
            project = OpenStackCompute(mimic)
            self.token, url = project.token, project.endpoint_of("image")
        self.root = url.rstrip("/").removesuffix("/v2")

    def get(self, path: str) -> Any:
        response = self.mimic.request("GET", self.root + path, token=self.token)
        if response.code != 200:
            raise AssertionError(f"GET {path}: {response!r}")
        return response.json()

    def create(self, body: dict[str, Any]) -> Response:
        return self.mimic.request("POST", self.root + "/v2/images", body, token=self.token)

    def patch(self, image_id: str, changes: list[dict[str, Any]]) -> Response:
        return self.mimic.request(
            "PATCH",
            f"{self.root}/v2/images/{image_id}",
            token=self.token,
            headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
            raw=json.dumps(changes).encode("utf-8"),
        )


class OpenStackImageSchemaTests(SynchronousTestCase):
    """
    Under ``openstack`` Glance's schemas are upstream's: its own
    properties, then ``schema-image.json``'s, nothing of Rackspace's.
    """

    def setUp(self) -> None:
        self.glance = Glance(InMemoryMimic(profile="openstack"))

    def test_image_schema_has_upstreams_properties_in_order(self) -> None:
        schema = self.glance.get("/v2/schemas/image")
        self.assertEqual(list(schema["properties"]), UPSTREAM_BASE_PROPERTIES + UPSTREAM_CUSTOM_PROPERTIES)
        self.assertFalse(RACKSPACE_ONLY_PROPERTIES & set(schema["properties"]))
        self.assertEqual(schema["additionalProperties"], {"type": "string"})
        self.assertEqual([link["rel"] for link in schema["links"]], ["self", "enclosure", "describedby"])

    def test_custom_properties_are_marked_and_typed_as_upstreams(self) -> None:
        properties = self.glance.get("/v2/schemas/image")["properties"]
        self.assertEqual({n for n, p in properties.items() if "is_base" in p}, set(UPSTREAM_CUSTOM_PROPERTIES))
        self.assertTrue(all(properties[n]["is_base"] is False for n in UPSTREAM_CUSTOM_PROPERTIES))
        self.assertEqual(properties["kernel_id"]["type"], ["null", "string"])
        self.assertEqual(properties["cinder_encryption_key_deletion_policy"]["enum"], ["on_image_deletion", "do_not_delete"])
        self.assertEqual(properties["status"]["enum"][-3:], ["importing", "pending_delete", "deactivated"])
        self.assertEqual(properties["container_format"]["enum"][0], None)
        self.assertEqual(properties["os_hash_value"]["maxLength"], 128)
        self.assertTrue(properties["locations"]["items"]["properties"]["validation_data"]["writeOnly"])

    def test_images_schema_wraps_the_image_schema(self) -> None:
        images = self.glance.get("/v2/schemas/images")
        self.assertEqual(images["properties"]["images"]["items"], self.glance.get("/v2/schemas/image"))
        self.assertEqual(list(images["properties"]), ["images", "first", "next", "schema"])

    def test_cirros_has_the_digests_of_uploaded_data(self) -> None:
        image = self.glance.get(f"/v2/images/{CIRROS_IMAGE_ID}")
        self.assertRegex(image["checksum"], "^[0-9a-f]{32}$")
        self.assertEqual(image["os_hash_algo"], "sha512")
        self.assertRegex(image["os_hash_value"], "^[0-9a-f]{128}$")
        self.assertEqual((image["size"], image["virtual_size"]), (21692416, 117440512))
        # The same on every start.
        again = Glance(InMemoryMimic(profile="openstack")).get(f"/v2/images/{CIRROS_IMAGE_ID}")
        self.assertEqual(again["os_hash_value"], image["os_hash_value"])


class DeclaredPropertiesTests(SynchronousTestCase):
    """
    Under ``openstack`` the additional properties upstream's schema
    types are checked as Glance checks them; Rackspace's schema types
    none, so anything a string goes there.
    """

    KERNEL = "6d0c3a5e-8f1b-4b7a-9c2e-3f4d5e6a7b8c"

    def test_openstack_checks_declared_properties(self) -> None:
        glance = Glance(InMemoryMimic(profile="openstack"))
        for body, text in (
            ({"kernel_id": "not-a-uuid"}, "does not match"),
            ({"cinder_encryption_key_deletion_policy": "never"}, "is not one of"),
            ({"os_distro": 7}, "is not of type 'string'"),
        ):
            refused = glance.create({"name": "x", **body})
            self.assertEqual(refused.code, 400, refused)
            self.assertIn(text, refused.json()["message"])
        made = glance.create({"name": "x", "kernel_id": self.KERNEL, "ramdisk_id": None})
        self.assertEqual(made.code, 201, made)
        image = made.json()
        self.assertEqual(image["kernel_id"], self.KERNEL)
        self.assertNotIn("ramdisk_id", image)
        bad = glance.patch(image["id"], [{"op": "replace", "path": "/kernel_id", "value": "nope"}])
        self.assertEqual(bad.code, 400, bad)
        cleared = glance.patch(image["id"], [{"op": "add", "path": "/kernel_id", "value": None}])
        self.assertEqual(cleared.code, 200, cleared)
        self.assertNotIn("kernel_id", cleared.json())

    def test_rackspace_takes_any_string(self) -> None:
        glance = Glance(InMemoryMimic())
        made = glance.create({"name": "x", "kernel_id": "not-a-uuid"})
        self.assertEqual(made.code, 201, made)
        self.assertEqual(made.json()["kernel_id"], "not-a-uuid")


class RackspaceImageSchemaTests(SynchronousTestCase):
    def test_rackspace_keeps_its_own_schema_and_null_digests(self) -> None:
        glance = Glance(InMemoryMimic())
        properties = glance.get("/v2/schemas/image")["properties"]
        self.assertLessEqual(RACKSPACE_ONLY_PROPERTIES, set(properties))
        self.assertNotIn("is_base", properties["os_distro"])
        image = glance.get("/v2/images")["images"][0]
        self.assertEqual(
            [image[k] for k in ("checksum", "os_hash_algo", "os_hash_value", "virtual_size")], [None] * 4
        )
        self.assertEqual(image["image_type"], "base")


class ConfiguredImageDigestTests(SynchronousTestCase):
    """
    A configuration file's ``[[images]]`` are active base images: each
    has its digests and a virtual size, under either profile.
    """

    def test_configured_images_have_digests_and_virtual_sizes(self) -> None:
        from mimic.test.test_cloud_config import profile_from

        text = (
            '[[images]]\nname = "alpine"\nsize = 1000\n'
            '[[images]]\nname = "cirros"\nsize = 2000\nvirtual_size = 117440512\n'
        )
        for profile in ("openstack", "rackspace"):
            glance = Glance(InMemoryMimic(profile=profile_from(text, profile)))
            images = {i["name"]: i for i in glance.get("/v2/images")["images"]}
            self.assertEqual(images["alpine"]["virtual_size"], 1000, profile)
            self.assertEqual(images["cirros"]["virtual_size"], 117440512, profile)
            self.assertEqual(images["cirros"]["os_hash_algo"], "sha512", profile)
            self.assertNotEqual(images["alpine"]["checksum"], images["cirros"]["checksum"])
