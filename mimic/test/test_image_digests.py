# -*- test-case-name: mimic.test.test_image_digests -*-
"""
What Glance works out from an image's data: its digests and the disk's
virtual size, read as the disk format says.
"""

from __future__ import annotations

import hashlib

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.digests import data_digests, stand_in_digests, virtual_size_of
from mimic.test.test_image_writes import WritesTestCase

#: The start of a qcow2 file's header for a 1 GiB disk: the magic, the
#: version, the backing file's offset and length, the cluster bits, then
#: the disk's size.
QCOW2_1GIB = b"QFI\xfb" + (3).to_bytes(4, "big") + bytes(12) + (16).to_bytes(4, "big") + (1024**3).to_bytes(8, "big")


class DigestTests(SynchronousTestCase):
    def test_digests_are_md5_and_sha512(self) -> None:
        self.assertEqual(
            data_digests(b"data"),
            {
                "checksum": hashlib.md5(b"data").hexdigest(),
                "os_hash_algo": "sha512",
                "os_hash_value": hashlib.sha512(b"data").hexdigest(),
            },
        )

    def test_stand_ins_differ_by_name_and_never_change(self) -> None:
        self.assertEqual(stand_in_digests("a"), stand_in_digests("a"))
        self.assertNotEqual(stand_in_digests("a")["checksum"], stand_in_digests("b")["checksum"])

    def test_virtual_size_of_raw_is_its_length_and_of_qcow2_its_headers(self) -> None:
        self.assertEqual(virtual_size_of(b"x" * 10, "raw"), 10)
        self.assertEqual(virtual_size_of(QCOW2_1GIB, "qcow2"), 1024**3)
        self.assertIsNone(virtual_size_of(b"not a qcow2 file at all, really", "qcow2"))
        self.assertIsNone(virtual_size_of(b"QFI\xfb", "qcow2"))
        self.assertIsNone(virtual_size_of(b"x" * 10, "vhd"))


class UploadedVirtualSizeTests(WritesTestCase):
    def test_an_upload_shows_its_virtual_size_once_active(self) -> None:
        raw = self.create()
        self.assertIsNone(self.show(raw["id"])["virtual_size"])
        self.assertEqual(self.put_data(raw["id"], b"y" * 42).code, 204)
        self.assertEqual(self.show(raw["id"])["virtual_size"], 42)
        qcow2 = self.create(disk_format="qcow2")
        self.assertEqual(self.put_data(qcow2["id"], QCOW2_1GIB).code, 204)
        self.assertEqual(self.show(qcow2["id"])["virtual_size"], 1024**3)
