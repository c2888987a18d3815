# -*- test-case-name: mimic.test.test_image_integration -*-
"""
The Image service (Glance v2) as openstacksdk's image proxy uses it,
unmodified, against one real ``twistd mimic`` on loopback: create an
image with data (upload), download it, change it (JSON-patch), tag it,
deactivate it, share it with another project that accepts it, and a
``glance-direct`` import whose task finishes when the test advances
Mimic's clock.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
from typing import Any

import requests
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.writes import IMPORT_SECONDS
from mimic.testing import MimicProcess

DATA = hashlib.sha512(b"mimic").digest() * 64


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


class OpenStackSDKImageTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = mimic_url()

    def connect(self, name: str) -> Any:
        import openstack

        return openstack.connect(
            auth_url=f"{self.url}/identity/v3",
            username=name,
            password="any",
            project_name=name,
            user_domain_name="Default",
            project_domain_name="Default",
            region_name="ORD",
        )

    def test_create_upload_download_update_tag_deactivate_delete(self) -> None:
        conn = self.connect("img-sdk")
        images = conn.image
        image = images.create_image(
            name="sdk-image",
            data=DATA,
            disk_format="raw",
            container_format="bare",
            allow_duplicates=True,
            role="web",
        )
        image = images.get_image(image)
        self.assertEqual((image.status, image.size), ("active", len(DATA)))
        self.assertEqual(image.checksum, hashlib.md5(DATA, usedforsecurity=False).hexdigest())
        self.assertEqual(image.hash_value, hashlib.sha512(DATA).hexdigest())
        self.assertEqual(image.properties["role"], "web")
        self.assertEqual(images.download_image(image).content, DATA)

        images.update_image(image, name="renamed", min_ram=512)
        changed = images.get_image(image)
        self.assertEqual((changed.name, changed.min_ram, changed.properties["role"]), ("renamed", 512, "web"))
        images.add_tag(changed, "blue")
        self.assertEqual(images.get_image(image).tags, ["blue"])
        self.assertEqual([i.id for i in images.images(tag="blue")], [image.id])
        images.remove_tag(images.get_image(image), "blue")
        self.assertEqual(images.get_image(image).tags, [])

        images.deactivate_image(image)
        self.assertEqual(images.get_image(image).status, "deactivated")
        images.reactivate_image(image)
        images.delete_image(image)
        self.assertIsNone(images.find_image(image.id))

    def test_share_accept_and_import_with_a_task(self) -> None:
        owner, member = self.connect("img-owner"), self.connect("img-member")
        member_id = member.current_project_id
        image = owner.image.create_image(
            name="shared", data=b"x" * 1024, disk_format="raw", container_format="bare", allow_duplicates=True
        )
        added = owner.image.add_member(image, member_id=member_id)
        self.assertEqual(added.status, "pending")
        self.assertNotIn(image.id, [i.id for i in member.image.images()])
        member.image.update_member(added, image, status="accepted")
        self.assertIn(image.id, [i.id for i in member.image.images()])
        self.assertEqual([m.member_id for m in owner.image.members(image)], [member_id])

        staged = owner.image.create_image(
            name="imported", disk_format="raw", container_format="bare", allow_duplicates=True
        )
        owner.image.stage_image(staged, data=DATA)
        owner.image.import_image(staged, method="glance-direct")
        self.assertEqual(owner.image.get_image(staged).status, "importing")
        response = requests.post(f"{self.url}/mimic/v1.1/tick", json={"amount": IMPORT_SECONDS}, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(owner.image.get_image(staged).status, "active")
        self.assertEqual(owner.image.download_image(staged).content, DATA)
