# -*- test-case-name: mimic.test.test_identity_versions -*-
"""
Identity's versions: each version's document, and the list of both at
the unversioned root, where clients given ``/identity`` discover v3.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.identity.versions import multiple_choices, v2_document, v3_document
from mimic.test.test_identity_v3 import V3Case


class DocumentTests(SynchronousTestCase):
    def test_each_version_links_to_itself_under_the_root_given(self) -> None:
        self.assertEqual(v2_document("http://h")["links"][0], {"rel": "self", "href": "http://h/identity/v2.0/"})
        self.assertEqual(v3_document("http://h")["links"], [{"rel": "self", "href": "http://h/identity/v3/"}])

    def test_multiple_choices_lists_v3_first_and_prefers_it(self) -> None:
        body, status, headers = multiple_choices("http://h")
        self.assertEqual(status, 300)
        self.assertEqual([v["id"] for v in body["versions"]["values"]], ["v3.14", "v2.0"])
        self.assertEqual(headers, {b"location": b"http://h/identity/v3/"})


class RootTests(V3Case):
    def test_identity_root_lists_v3_and_v2_as_multiple_choices(self) -> None:
        for path in ("/identity", "/identity/"):
            response = self.mimic.request("GET", path)
            self.assertEqual(response.code, 300, path)
            values = response.json()["versions"]["values"]
            self.assertEqual([v["id"] for v in values], ["v3.14", "v2.0"])
            self.assertEqual(values[0]["links"][0]["href"], "http://mimic.test/identity/v3/")
            self.assertEqual(response.header("location"), "http://mimic.test/identity/v3/")

    def test_identity_root_answers_head(self) -> None:
        response = self.mimic.request("HEAD", "/identity/")
        self.assertEqual((response.code, response.body), (300, b""))

    def test_identity_root_refuses_post_with_keystone_405(self) -> None:
        self.assertKeystoneError(self.mimic.request("POST", "/identity/", {}), 405)
