# -*- test-case-name: mimic.test.test_compute_volumes_integration -*-
"""
Real clients attaching Block Storage volumes to servers on a real
``twistd mimic`` (one for the class): openstacksdk's compute proxy and
cloud layer, and the ``openstack`` CLI's ``server add volume``,
``server remove volume`` and ``server create --boot-from-volume``.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import subprocess
import sys
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import MimicProcess

FLAVOR = "general1-1"


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    """
    The base URL of the module's one Mimic, started on first use.
    """
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


class ComputeVolumeClientTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = mimic_url()
        #: This test's own user and project.
        self.user = f"cv-{self._testMethodName.removeprefix('test_')[:30]}"

    def connect(self) -> Any:
        import openstack

        conn = openstack.connect(
            auth_url=f"{self.url}/identity/v3",
            username=self.user,
            password="pw",
            project_name=f"{self.user}-project",
            user_domain_name="Default",
            project_domain_name="Default",
            region_name="ORD",
        )
        self.addCleanup(conn.close)
        return conn

    def openstack(self, *args: str, output: bool = True) -> Any:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(
            {
                "OS_AUTH_URL": f"{self.url}/identity/v3",
                "OS_USERNAME": self.user,
                "OS_PASSWORD": "pw",
                "OS_PROJECT_NAME": f"{self.user}-project",
                "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_REGION_NAME": "ORD",
            }
        )
        command = [sys.executable, "-m", "openstackclient.shell", *args]
        if output:
            command += ["-f", "json"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout) if output else result.stdout

    def test_sdk_proxy_and_cloud_layer(self) -> None:
        conn = self.connect()
        server = conn.compute.create_server(name="app", image_id=DEFAULT_IMAGE_ID, flavor_id=FLAVOR)
        server = conn.compute.wait_for_server(server, wait=10)
        volume = conn.block_storage.create_volume(size=1, name="data")
        volume = conn.block_storage.wait_for_status(volume, "available", wait=10)

        attachment = conn.compute.create_volume_attachment(server, volume_id=volume.id)
        self.assertEqual((attachment.volume_id, attachment.device), (volume.id, "/dev/xvdb"))
        volume = conn.block_storage.wait_for_status(volume, "in-use", wait=10)
        self.assertEqual([a["server_id"] for a in volume.attachments], [server.id])
        self.assertEqual([a.volume_id for a in conn.compute.volume_attachments(server)], [volume.id])
        conn.compute.delete_volume_attachment(server, volume.id)
        conn.block_storage.wait_for_status(volume, "available", wait=10)

        # The cloud layer waits on Cinder's status both ways.
        conn.attach_volume(server, conn.get_volume(volume.id), wait=True, timeout=10)
        shown = conn.compute.get_server(server.id)
        self.assertEqual([v["id"] for v in shown.attached_volumes], [volume.id])
        conn.detach_volume(server, conn.get_volume(volume.id), wait=True, timeout=10)
        self.assertEqual(conn.get_volume(volume.id).status, "available")

        booted = conn.create_server(
            "bfv", image=DEFAULT_IMAGE_ID, flavor=FLAVOR, boot_from_volume=True, volume_size=20,
            terminate_volume=True, wait=True, timeout=10,
        )
        self.assertEqual(booted.status, "ACTIVE")
        [root] = conn.compute.get_server(booted.id).attached_volumes
        root_volume = conn.get_volume(root["id"])
        self.assertEqual((root_volume.size, root_volume.status), (20, "in-use"))
        self.assertTrue(conn.delete_server(booted.id, wait=True, timeout=10))
        self.assertIsNone(conn.get_volume(root["id"]))

    def test_cli_add_remove_and_boot_from_volume(self) -> None:
        conn = self.connect()
        server = conn.compute.create_server(name="cli-app", image_id=DEFAULT_IMAGE_ID, flavor_id=FLAVOR)
        volume = conn.block_storage.create_volume(size=1, name="cli-data")
        conn.block_storage.wait_for_status(volume, "available", wait=10)

        self.openstack("server", "add", "volume", server.id, volume.id, output=False)
        self.assertEqual(conn.get_volume(volume.id).status, "in-use")
        self.openstack("server", "remove", "volume", server.id, volume.id, output=False)
        self.assertEqual(conn.get_volume(volume.id).status, "available")

        created = self.openstack(
            "server", "create", "--image", DEFAULT_IMAGE_ID, "--flavor", FLAVOR, "--boot-from-volume", "20",
            "--wait", "cli-bfv",
        )
        self.assertEqual(created["status"], "ACTIVE")
        [root] = conn.compute.get_server(created["id"]).attached_volumes
        self.assertEqual(conn.get_volume(root["id"]).size, 20)
