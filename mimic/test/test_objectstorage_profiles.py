# -*- test-case-name: mimic.test.test_objectstorage_profiles -*-
"""
Object storage as each profile's cloud has it: DevStack's Swift proxy
under ``openstack`` (a reseller admin, account quotas, a cross-domain
policy, form uploads, web sites, versioned containers, no CDN) and Rackspace's Cloud Files, unchanged,
under ``rackspace``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.profiles import OPENSTACK, RACKSPACE
from mimic.services.objectstorage.middleware import (
    CROSS_DOMAIN_POLICY,
    RESELLER_ADMIN_ROLE,
    devstack_proxy,
    quota_changes,
    quota_refusal,
)
from mimic.services.objectstorage.model import etag_of
from mimic.services.objectstorage.persistence import restore_account, save_account
from mimic.test.test_identity_role_sets import token
from mimic.testing import InMemoryMimic, Response


class MiddlewareTests(SynchronousTestCase):
    def test_devstacks_proxy_is_the_openstack_profiles(self) -> None:
        self.assertTrue(devstack_proxy(OPENSTACK))
        self.assertFalse(devstack_proxy(RACKSPACE))

    def test_quota_changes_read_sets_and_removals(self) -> None:
        self.assertEqual(
            quota_changes(
                {"x-account-meta-quota-bytes": "20", "x-account-quota-count": "", "x-remove-account-quota-bytes": "x"}
            ),
            {
                ("metadata", "quota-bytes"): "20",
                ("system", "quota-count"): None,
                ("system", "quota-bytes"): None,
            },
        )

    def test_only_a_reseller_sets_whole_numbers(self) -> None:
        self.assertIsNone(quota_refusal({}, reseller=False))
        self.assertEqual(quota_refusal({("metadata", "quota-bytes"): None}, reseller=False), 403)
        self.assertEqual(quota_refusal({("system", "quota-count"): "five"}, reseller=True), 400)
        self.assertIsNone(quota_refusal({("system", "quota-count"): "5"}, reseller=True))


class DevStackSwiftTests(SynchronousTestCase):
    """
    Swift under ``--profile openstack``, driven as tempest's account
    quota tests drive it.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic(profile="openstack")
        self.admin, _ = token(self.mimic, "admin", "password")
        self.alice, alice = token(self.mimic, "alice")
        self.account = f"/object-store/v1/AUTH_{alice['project']['id']}"
        self.reseller, self.reseller_id = self.reseller_token()
        self.swift("PUT", "/c", 201)

    def reseller_token(self) -> tuple[str, str]:
        """
        A token of another project's user holding ``ResellerAdmin``,
        granted by the administrator as tempest's dynamic credentials are.
        """
        _, made = token(self.mimic, "reseller")
        roles = self.mimic.request("GET", "/identity/v3/roles", token=self.admin).json()["roles"]
        role_id = next(r["id"] for r in roles if r["name"] == RESELLER_ADMIN_ROLE)
        project, user = made["project"]["id"], made["user"]["id"]
        granted = self.mimic.request(
            "PUT", f"/identity/v3/projects/{project}/users/{user}/roles/{role_id}", token=self.admin
        )
        self.assertEqual(granted.code, 204, granted)
        again, _ = token(self.mimic, "reseller")
        return again, project

    def swift(
        self, method: str, path: str, code: int, token: str | None = None, headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Response:
        response = self.mimic.request(
            method, self.account + path, token=token or self.alice, headers=headers, raw=raw
        )
        self.assertEqual(response.code, code, response)
        return response

    def test_info_lists_account_quotas_and_crossdomain(self) -> None:
        info: dict[str, Any] = self.mimic.request("GET", "/object-store/info").json()
        self.assertIn("account_quotas", info)
        self.assertIn("container_quotas", info)
        self.assertEqual(info["crossdomain"], {"cross_domain_policy": CROSS_DOMAIN_POLICY})
        self.assertIn("formpost", info)

    def test_crossdomain_serves_its_policy_without_a_token(self) -> None:
        response = self.mimic.request("GET", "/object-store/crossdomain.xml")
        self.assertEqual(response.code, 200, response)
        self.assertEqual(response.header("content-type"), "application/xml; charset=utf-8")
        self.assertTrue(response.body.startswith(b'<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy'))
        self.assertTrue(response.body.endswith(b'<allow-access-from domain="*" secure="false" />\n</cross-domain-policy>'))
        self.assertIsNotNone(response.header("x-trans-id"))

    def test_the_reseller_sets_a_quota_the_owner_sees_and_cannot_change(self) -> None:
        self.swift("POST", "", 204, self.reseller, {"X-Account-Meta-Quota-Bytes": "20", "X-Account-Quota-Count": "5"})
        head = self.swift("HEAD", "", 204)
        self.assertEqual(head.header("x-account-meta-quota-bytes"), "20")
        # The count is kept as system metadata, which no client sees.
        self.assertIsNone(head.header("x-account-quota-count"))
        for headers in ({"X-Account-Meta-Quota-Bytes": "100"}, {"X-Account-Meta-Quota-Bytes": ""},
                        {"X-Remove-Account-Meta-Quota-Bytes": "x"}, {"X-Account-Quota-Count": "9"}):
            self.swift("POST", "", 403, headers=headers)
        self.assertEqual(self.swift("HEAD", "", 204).header("x-account-meta-quota-bytes"), "20")
        # Other metadata is the owner's to change.
        self.swift("POST", "", 204, headers={"X-Account-Meta-Colour": "blue"})

    def test_a_quota_that_is_no_number_is_400(self) -> None:
        self.swift("POST", "", 400, self.reseller, {"X-Account-Quota-Count": "many"})
        self.swift("POST", "", 400, self.reseller, {"X-Account-Meta-Quota-Bytes": "-1"})

    def test_uploads_past_the_quotas_are_413_and_change_nothing(self) -> None:
        self.swift("POST", "", 204, self.reseller, {"X-Account-Meta-Quota-Bytes": "20"})
        self.swift("PUT", "/c/small", 201, raw=b"x" * 15)
        refused = self.swift("PUT", "/c/big", 413, raw=b"x" * 6)
        self.assertEqual(refused.body, b"Upload exceeds quota.")
        self.assertEqual(self.swift("HEAD", "", 204).header("x-account-bytes-used"), "15")
        self.swift("POST", "", 204, self.reseller, {"X-Remove-Account-Meta-Quota-Bytes": "x", "X-Account-Quota-Count": "1"})
        self.swift("PUT", "/c/big", 413, raw=b"x" * 6)
        self.swift("POST", "", 204, self.reseller, {"X-Account-Quota-Count": ""})
        self.swift("PUT", "/c/big", 201, raw=b"x" * 6)

    def test_the_reseller_reaches_any_account(self) -> None:
        self.swift("PUT", "/c/o", 201, raw=b"data")
        self.assertEqual(self.swift("GET", "/c/o", 200, self.reseller).body, b"data")
        self.swift("DELETE", "/c/o", 204, self.reseller)

    def test_a_reseller_role_does_not_make_the_admin_a_reseller(self) -> None:
        self.swift("GET", "", 403, self.admin)

    def test_the_rackspace_cdn_api_is_no_route(self) -> None:
        project = self.account.rsplit("_", 1)[1]
        response = self.mimic.request(
            "GET", f"/service/objectstorage/RegionOne/{project}/cdn/v1/AUTH_{project}", token=self.alice
        )
        self.assertEqual(response.code, 404, response)
        self.assertIn(b"<h1>Not Found</h1>", response.body)

    def form(self, path: str, expires: int, key: str = "secret", redirect: str = "", count: int = 10) -> bytes:
        """
        A form as tempest's formpost tests build one, signed with ``key``
        for ``path``, holding one file.
        """
        signed = f"{path}\n{redirect}\n1024\n{count}\n{expires}"
        fields = {
            "redirect": redirect, "max_file_size": "1024", "max_file_count": str(count), "expires": str(expires),
            "signature": hmac.new(key.encode(), signed.encode(), hashlib.sha1).hexdigest(),
        }
        lines = []
        for name, value in fields.items():
            lines += ["--b0undary", f'Content-Disposition: form-data; name="{name}"', "", value]
        lines += [
            "--b0undary", 'Content-Disposition: form-data; name="file1"; filename="hello.txt"',
            "Content-Type: text/plain", "", "hello world", "--b0undary--", "",
        ]
        return "\r\n".join(lines).encode()

    def post_form(self, path: str, body: bytes, code: int) -> Response:
        response = self.mimic.request(
            "POST", path, headers={"Content-Type": "multipart/form-data; boundary=b0undary"}, raw=body
        )
        self.assertEqual(response.code, code, response)
        return response

    def test_a_signed_form_uploads_without_a_token(self) -> None:
        self.swift("POST", "", 204, headers={"X-Account-Meta-Temp-URL-Key": "secret"})
        path = self.account + "/c/up-"
        now = int(self.mimic.clock.seconds())
        created = self.post_form(path, self.form(path, now + 60), 201)
        self.assertEqual(created.body, b"201 Created")
        stored = self.swift("GET", "/c/up-hello.txt", 200)
        self.assertEqual((stored.body, stored.header("content-type")), (b"hello world", "text/plain"))
        # Signed for the path from /v1/ on, as against a cluster of its own.
        short = self.account[len("/object-store"):] + "/c/"
        self.post_form(self.account + "/c/", self.form(short, now + 60), 201)
        self.swift("HEAD", "/c/hello.txt", 200)
        # A 303 to the form's redirect, which the test's client follows.
        after = "http://mimic.test/object-store/info"
        redirected = self.post_form(path, self.form(path, now + 60, redirect=after), 200)
        self.assertIn("formpost", redirected.json())

    def test_an_expired_or_forged_form_is_401_and_stores_nothing(self) -> None:
        self.swift("POST", "", 204, headers={"X-Account-Meta-Temp-URL-Key": "secret"})
        path = self.account + "/c/"
        now = int(self.mimic.clock.seconds())
        expired = self.post_form(path, self.form(path, now - 1), 401)
        self.assertEqual(expired.body, b"FormPost: Form Expired")
        forged = self.post_form(path, self.form(path, now + 60, key="guess"), 401)
        self.assertEqual(forged.body, b"FormPost: Invalid Signature")
        too_many = self.post_form(path, self.form(path, now + 60, count=0), 400)
        self.assertEqual(too_many.body, b"400 Bad Request\r\nFormPost: Max File Count Exceeded")
        self.assertEqual(self.swift("GET", "/c", 204).body, b"")

    def web_site(self, **metadata: str) -> None:
        headers = {"X-Container-Read": ".r:*,.rlistings"}
        headers.update({f"X-Container-Meta-{key.replace('_', '-')}": value for key, value in metadata.items()})
        self.swift("POST", "/c", 204, headers=headers)
        self.swift("PUT", "/c/index.html", 201, raw=b"<p>home</p>")
        self.swift("PUT", "/c/404oops.html", 201, raw=b"<p>lost</p>")
        self.swift("PUT", "/c/docs/a.txt", 201, raw=b"a")

    def anonymous(self, path: str, code: int, headers: dict[str, str] | None = None) -> Response:
        response = self.mimic.request("GET", self.account + path, headers=headers)
        self.assertEqual(response.code, code, response)
        return response

    def test_a_web_site_serves_its_index_and_error_page_without_a_token(self) -> None:
        self.web_site(Web_Index="index.html", Web_Error="oops.html")
        # The client follows the 301 to the container's trailing slash.
        self.assertEqual(self.anonymous("/c", 200).body, b"<p>home</p>")
        self.assertEqual(self.anonymous("/c/", 200).header("etag"), etag_of(b"<p>home</p>"))
        self.assertEqual(self.anonymous("/c/missing", 404).body, b"<p>lost</p>")
        self.assertEqual(self.anonymous("/c/docs/a.txt", 200).body, b"a")
        # With the owner's token, the container is a container.
        self.assertEqual(self.swift("GET", "/c", 200).body, b"404oops.html\ndocs/a.txt\nindex.html\n")

    def test_a_web_site_lists_directories_with_its_style_sheet(self) -> None:
        self.web_site(Web_Listings="true", Web_Listings_CSS="site.css")
        page = self.anonymous("/c/", 200)
        self.assertEqual(page.header("content-type"), "text/html; charset=UTF-8")
        self.assertIn(b'<link rel="stylesheet" type="text/css" href="site.css" />', page.body)
        self.assertIn(b'<a href="docs/">docs/</a>', page.body)
        self.assertIn(b'<a href="index.html">index.html</a>', page.body)
        sub = self.anonymous("/c/docs/", 200)
        self.assertIn(b'<a href="a.txt">a.txt</a>', sub.body)
        self.assertIn(b'<a href="../">../</a>', sub.body)
        owner = self.swift("GET", "/c", 200)
        self.assertEqual(owner.header("content-type"), "text/plain; charset=utf-8")
        web_mode = self.swift("GET", "/c/", 200, headers={"X-Web-Mode": "true"})
        self.assertIn(b"Listing of", web_mode.body)

    def test_a_versioned_container_keeps_replaced_versions_as_a_stack(self) -> None:
        self.swift("PUT", "/versions", 201)
        self.swift("POST", "/c", 204, headers={"X-Versions-Location": "versions"})
        self.assertEqual(self.swift("HEAD", "/c", 204).header("x-versions-location"), "versions")
        for data in (b"one", b"two", b"three"):
            self.swift("PUT", "/c/o", 201, raw=data)
            self.mimic.tick(1)
        kept = self.swift("GET", "/versions", 200).body.decode().split()
        self.assertEqual(len(kept), 2)
        self.assertTrue(all(name.startswith("001o/") for name in kept), kept)
        self.swift("DELETE", "/c/o", 204)
        self.assertEqual(self.swift("GET", "/c/o", 200).body, b"two")
        self.swift("DELETE", "/c/o", 204)
        self.assertEqual(self.swift("GET", "/c/o", 200).body, b"one")
        self.swift("DELETE", "/c/o", 204)
        self.swift("GET", "/c/o", 404)
        self.assertEqual(self.swift("GET", "/versions", 204).body, b"")
        self.swift("POST", "/c", 204, headers={"X-Remove-Versions-Location": "x"})
        self.assertIsNone(self.swift("HEAD", "/c", 204).header("x-versions-location"))

    def test_quotas_survive_a_snapshot(self) -> None:
        self.swift("POST", "", 204, self.reseller, {"X-Account-Quota-Count": "0"})
        project = self.account.rsplit("_", 1)[1]
        account = self.mimic.core.existing_region_state("objectstorage", project, "RegionOne")
        saved = save_account(account)
        self.assertEqual(saved["system_metadata"], {"quota-count": "0"})
        restored = restore_account(self.mimic.core, project, "RegionOne", saved)
        self.assertEqual(restored.system_metadata, {"quota-count": "0"})
        self.assertTrue(restored.enforces_quotas)


class RackspaceCloudFilesTests(SynchronousTestCase):
    """
    Under ``rackspace`` nothing of DevStack's proxy: ``Quota-Bytes`` is
    the owner's metadata like any other, and the CDN API answers.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.account = self.access.endpoint("object-store")

    def test_info_has_no_account_quotas_nor_crossdomain(self) -> None:
        root = self.account.split("/v1/")[0]
        info: dict[str, Any] = self.mimic.request("GET", root + "/info").json()
        self.assertNotIn("account_quotas", info)
        self.assertNotIn("crossdomain", info)
        self.assertNotIn("formpost", info)
        self.assertEqual(self.mimic.request("GET", root + "/crossdomain.xml").code, 404)

    def test_quota_bytes_is_plain_metadata(self) -> None:
        token = self.access.token
        posted = self.mimic.request("POST", self.account, token=token, headers={"X-Account-Meta-Quota-Bytes": "1"})
        self.assertEqual(posted.code, 204, posted)
        self.assertEqual(self.mimic.request("PUT", self.account + "/c", token=token).code, 201)
        stored = self.mimic.request("PUT", self.account + "/c/o", token=token, raw=b"more than one byte")
        self.assertEqual(stored.code, 201, stored)
        self.assertNotIn("system_metadata", save_account(self.mimic.core.existing_region_state(
            "objectstorage", self.access.tenant_id, "ORD"
        )))

    def test_a_form_post_is_metadata_post_needing_a_token(self) -> None:
        self.assertEqual(self.mimic.request("PUT", self.account + "/c", token=self.access.token).code, 201)
        response = self.mimic.request(
            "POST", self.account + "/c", headers={"Content-Type": "multipart/form-data; boundary=b"},
            raw=b'--b\r\nContent-Disposition: form-data; name="expires"\r\n\r\n1\r\n--b--\r\n',
        )
        self.assertEqual(response.code, 401, response)

    def test_web_site_metadata_is_only_metadata(self) -> None:
        token = self.access.token
        created = self.mimic.request(
            "PUT", self.account + "/c", token=token,
            headers={"X-Container-Read": ".r:*,.rlistings", "X-Container-Meta-Web-Index": "index.html"},
        )
        self.assertEqual(created.code, 201, created)
        self.mimic.request("PUT", self.account + "/c/index.html", token=token, raw=b"home")
        listed = self.mimic.request("GET", self.account + "/c")
        self.assertEqual((listed.code, listed.body), (200, b"index.html\n"))

    def test_versions_location_is_not_kept(self) -> None:
        token = self.access.token
        self.mimic.request("PUT", self.account + "/v", token=token)
        self.mimic.request("PUT", self.account + "/c", token=token, headers={"X-Versions-Location": "v"})
        head = self.mimic.request("HEAD", self.account + "/c", token=token)
        self.assertIsNone(head.header("x-versions-location"))
        for data in (b"one", b"two"):
            self.mimic.request("PUT", self.account + "/c/o", token=token, raw=data)
        self.assertEqual(self.mimic.request("GET", self.account + "/v", token=token).code, 204)

    def test_the_cdn_api_answers(self) -> None:
        cdn = self.access.endpoint("rax:object-cdn")
        self.assertEqual(self.mimic.request("GET", cdn, token=self.access.token).code, 204)
