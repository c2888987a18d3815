# -*- test-case-name: mimic.test.test_microversions -*-
"""
Microversion negotiation as the services with microversions share it.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from mimic.http import HTTPError
from mimic.microversions import asked_version, negotiate, version_text


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


def refuse(status: int, message: str) -> HTTPError:
    raise Refused(status, message)


def request_with(**headers: str) -> DummyRequest:
    request = DummyRequest([b""])
    for name, value in headers.items():
        request.requestHeaders.setRawHeaders(name.replace("_", "-").encode(), [value.encode()])
    return request


class AskedVersionTests(SynchronousTestCase):
    def test_the_generic_header_names_the_service(self) -> None:
        request = request_with(OpenStack_API_Version="volume 3.27, compute 2.79")
        self.assertEqual(asked_version(request, "compute"), "2.79")
        self.assertEqual(asked_version(request, "volume"), "3.27")
        self.assertIsNone(asked_version(request, "shared-file-system"))

    def test_the_generic_header_wins_over_the_legacy_one(self) -> None:
        both = request_with(OpenStack_API_Version="compute 2.60", X_OpenStack_Nova_API_Version="2.10")
        legacy = request_with(X_OpenStack_Nova_API_Version="2.10")
        self.assertEqual(asked_version(both, "compute", "x-openstack-nova-api-version"), "2.60")
        self.assertEqual(asked_version(legacy, "compute", "x-openstack-nova-api-version"), "2.10")
        self.assertIsNone(asked_version(legacy, "compute"))


class NegotiateTests(SynchronousTestCase):
    def test_none_latest_and_in_range(self) -> None:
        self.assertEqual(negotiate(None, (2, 1), (2, 96), refuse), (2, 1))
        self.assertEqual(negotiate("latest", (2, 1), (2, 96), refuse), (2, 96))
        self.assertEqual(negotiate(" 2.10 ", (2, 1), (2, 96), refuse), (2, 10))

    def test_malformed_is_400_and_out_of_range_406(self) -> None:
        for bad in ("2", "2.01", "x.y", "2.1.1"):
            refused = self.assertRaises(Refused, negotiate, bad, (2, 1), (2, 96), refuse)
            self.assertEqual(refused.status, 400)
            self.assertIn("is of invalid format", refused.message)
        refused = self.assertRaises(Refused, negotiate, "3.0", (2, 1), (2, 96), refuse)
        self.assertEqual(
            (refused.status, refused.message),
            (406, "Version 3.0 is not supported by the API. Minimum is 2.1 and maximum is 2.96."),
        )

    def test_text(self) -> None:
        self.assertEqual(version_text((3, 70)), "3.70")
