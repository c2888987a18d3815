# -*- test-case-name: mimic.test.test_blockstorage_integration -*-
"""
Block storage as its users reach it, against one real ``twistd mimic``
on loopback for the module: openstacksdk's ``block_storage`` proxy
(create, wait, extend, snapshot, delete), and the ``openstack volume``
commands in one batch (the CLI is slow to start).
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


def json_documents(text: str) -> list[Any]:
    """
    The JSON documents the CLI printed one after another.
    """
    decoder = json.JSONDecoder()
    found, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return found
        document, position = decoder.raw_decode(text, position)
        found.append(document)


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    """
    The base URL of the class's one Mimic, started on first use and
    stopped when the test process exits.
    """
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


class BlockStorageClientTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = mimic_url()

    def credentials(self, name: str) -> dict[str, str]:
        return {
            "auth_url": f"{self.url}/identity/v3",
            "username": name,
            "password": "any",
            "project_name": name,
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": "ORD",
        }

    def test_openstacksdk_create_wait_extend_snapshot_delete(self) -> None:
        import openstack

        conn = openstack.connect(**self.credentials("vol-sdk"))
        storage = conn.block_storage
        volume = storage.create_volume(size=1, name="sdk-volume", metadata={"role": "data"})
        self.assertEqual(volume.status, "creating")
        volume = storage.wait_for_status(volume, "available", wait=10, interval=0.1)
        self.assertEqual((volume.size, volume.volume_type), (1, "SATA"))
        storage.extend_volume(volume, 2)
        volume = storage.wait_for_status(volume, "available", wait=10, interval=0.1)
        self.assertEqual(storage.get_volume(volume).size, 2)
        snapshot = storage.create_snapshot(volume_id=volume.id, name="sdk-snapshot")
        snapshot = storage.wait_for_status(snapshot, "available", wait=10, interval=0.1)
        self.assertEqual(snapshot.size, 2)
        storage.delete_snapshot(snapshot)
        storage.wait_for_delete(snapshot, wait=10, interval=0.1)
        storage.delete_volume(volume)
        storage.wait_for_delete(volume, wait=10, interval=0.1)
        self.assertEqual(list(storage.volumes()), [])

    def test_openstack_cli_volume_commands(self) -> None:
        credentials = self.credentials("vol-cli")
        env = dict(os.environ)
        env.update({f"OS_{key.upper()}": value for key, value in credentials.items()})
        commands = "\n".join([
            "volume create --size 1 --property role=data cli-volume -f json",
            f"volume create --size 20 --image {DEFAULT_IMAGE_ID} cli-boot -f json",
            "volume set --size 3 cli-volume",
            "volume snapshot create --volume cli-volume cli-snapshot -f json",
            "volume list --long -f json",
            "volume show cli-boot -f json",
        ]) + "\n"
        openstack = os.path.join(os.path.dirname(sys.executable), "openstack")
        result = subprocess.run(
            [openstack], input=commands, env=env, capture_output=True, text=True, timeout=300
        )
        # The interactive shell exits 1 at the end of its input whatever
        # happened; a command that failed says so on stderr.
        self.assertEqual(result.stderr.strip(), "")
        created, boot, snapshot, listing, boot_shown = json_documents(result.stdout)
        self.assertEqual((created["name"], created["size"], created["properties"]), ("cli-volume", 1, {"role": "data"}))
        self.assertTrue(boot["bootable"])
        self.assertEqual(boot_shown["volume_image_metadata"]["image_id"], DEFAULT_IMAGE_ID)
        self.assertEqual((snapshot["name"], snapshot["volume_id"]), ("cli-snapshot", created["id"]))
        by_name = {volume["Name"]: volume for volume in listing}
        self.assertEqual(by_name["cli-volume"]["Size"], 3)
        self.assertEqual(by_name["cli-volume"]["Status"], "available")
        self.assertTrue(by_name["cli-boot"]["Bootable"])
