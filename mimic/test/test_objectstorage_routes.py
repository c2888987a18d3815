"""
Object storage over HTTP, in memory: Swift's calls, status codes, headers
and bodies as a client sees them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from email.utils import formatdate
from typing import Any
from xml.etree import ElementTree

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import InMemoryMimic, Response


class SwiftTestCase(SynchronousTestCase):
    """
    A Mimic, a user, and the user's storage URL in ORD.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("object-store")

    def swift(
        self,
        method: str,
        path: str = "",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        token: bool = True,
    ) -> Response:
        return self.mimic.request(
            method,
            self.url + path,
            raw=data,
            headers=headers,
            token=self.access.token if token else None,
        )

    def put(self, path: str, data: bytes = b"", **headers: str) -> Response:
        response = self.swift("PUT", path, data, {k.replace("_", "-"): v for k, v in headers.items()})
        self.assertIn(response.code, (201, 202), response.body)
        return response

    def names(self, path: str = "", query: str = "") -> list[str]:
        response = self.swift("GET", f"{path}?format=json{query}")
        if response.code == 204:
            return []
        self.assertEqual(response.code, 200, response.body)
        return [item.get("name", item.get("subdir")) for item in response.json()]


class CatalogTests(SwiftTestCase):
    def test_cloud_files_in_every_region_with_rackspace_account(self) -> None:
        [entry] = [e for e in self.access.access["serviceCatalog"] if e["type"] == "object-store"]
        self.assertEqual(entry["name"], "cloudFiles")
        self.assertEqual([e["region"] for e in entry["endpoints"]], ["ORD", "DFW", "IAD"])
        account = entry["endpoints"][0]["tenantId"]
        self.assertTrue(account.startswith("MossoCloudFS_"))
        self.assertTrue(entry["endpoints"][0]["publicURL"].endswith("/v1/" + account))
        self.assertIn("internalURL", entry["endpoints"][0])

    def test_account_is_stable_per_tenant_and_differs_between_tenants(self) -> None:
        again = self.mimic.authenticate("alice").endpoint("object-store")
        other = self.mimic.authenticate("bob").endpoint("object-store")
        self.assertEqual(again, self.url)
        self.assertNotEqual(other.rsplit("/", 1)[1], self.url.rsplit("/", 1)[1])

    def test_v3_catalog_lists_object_store(self) -> None:
        response = self.mimic.request(
            "POST",
            "/identity/v3/auth/tokens",
            {
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {"name": "alice", "domain": {"id": "default"}, "password": "x"}
                        },
                    }
                }
            },
        )
        catalog = response.json()["token"]["catalog"]
        [entry] = [e for e in catalog if e["type"] == "object-store"]
        self.assertLessEqual({"public", "internal"}, {e["interface"] for e in entry["endpoints"]})


class AuthTests(SwiftTestCase):
    def test_no_token_is_401_in_swifts_shape(self) -> None:
        response = self.swift("GET", token=False)
        self.assertEqual(response.code, 401)
        self.assertEqual(response.header("content-type"), "text/html; charset=UTF-8")
        self.assertIn(b"<h1>Unauthorized</h1>", response.body)
        self.assertTrue(response.header("x-trans-id").startswith("tx"))

    def test_another_tenants_token_is_403(self) -> None:
        bob = self.mimic.authenticate("bob")
        response = self.mimic.request("GET", self.url, token=bob.token)
        self.assertEqual(response.code, 403)
        self.assertIn(b"<h1>Forbidden</h1>", response.body)

    def test_another_account_in_the_path_is_403(self) -> None:
        other = self.url.rsplit("/", 1)[0] + "/MossoCloudFS_other"
        response = self.mimic.request("GET", other, token=self.access.token)
        self.assertEqual(response.code, 403)

    def test_info_needs_no_token_and_lists_capabilities(self) -> None:
        prefix = self.url.split("/v1/")[0]
        response = self.mimic.request("GET", prefix + "/info")
        self.assertEqual(response.code, 200)
        info = response.json()
        self.assertEqual(info["swift"]["container_listing_limit"], 10000)
        self.assertEqual(info["swift"]["max_file_size"], 5368709122)
        for middleware in ("slo", "bulk_delete", "tempurl"):
            self.assertIn(middleware, info)


class AccountTests(SwiftTestCase):
    def test_empty_account_head_counts_zero(self) -> None:
        response = self.swift("HEAD")
        self.assertEqual(response.code, 204)
        self.assertEqual(response.header("x-account-container-count"), "0")
        self.assertEqual(response.header("x-account-object-count"), "0")
        self.assertEqual(response.header("x-account-bytes-used"), "0")

    def test_empty_listing_is_204_as_text_and_empty_list_as_json(self) -> None:
        self.assertEqual(self.swift("GET").code, 204)
        response = self.swift("GET", "?format=json")
        self.assertEqual((response.code, response.json()), (200, []))

    def test_counts_follow_objects(self) -> None:
        self.put("/a")
        self.put("/a/one", b"12345")
        self.put("/b")
        self.put("/b/two", b"123")
        response = self.swift("HEAD")
        self.assertEqual(response.header("x-account-container-count"), "2")
        self.assertEqual(response.header("x-account-object-count"), "2")
        self.assertEqual(response.header("x-account-bytes-used"), "8")
        listing = self.swift("GET", "?format=json").json()
        self.assertEqual([(c["name"], c["count"], c["bytes"]) for c in listing], [("a", 1, 5), ("b", 1, 3)])

    def test_post_sets_and_removes_metadata(self) -> None:
        response = self.swift("POST", "", headers={"X-Account-Meta-Temp-URL-Key": "secret", "X-Account-Meta-Color": "red"})
        self.assertEqual(response.code, 204)
        head = self.swift("HEAD")
        self.assertEqual(head.header("x-account-meta-color"), "red")
        self.swift("POST", "", headers={"X-Remove-Account-Meta-Color": "x"})
        self.assertIsNone(self.swift("HEAD").header("x-account-meta-color"))

    def test_metadata_over_swifts_limits_is_400(self) -> None:
        response = self.swift("POST", "", headers={"X-Account-Meta-Big": "v" * 257})
        self.assertEqual(response.code, 400)
        self.assertIn(b"Metadata value longer than 256", response.body)
        self.assertIsNone(self.swift("HEAD").header("x-account-meta-big"))

    def test_put_and_delete_of_the_account_are_405(self) -> None:
        for method in ("PUT", "DELETE"):
            response = self.swift(method)
            self.assertEqual(response.code, 405)
            self.assertIn("POST", response.header("allow"))

    def test_account_xml_listing(self) -> None:
        self.put("/a")
        body = self.swift("GET", "?format=xml").body
        root = ElementTree.fromstring(body)
        self.assertEqual(root.tag, "account")
        self.assertEqual([c.findtext("name") for c in root.findall("container")], ["a"])


class ContainerTests(SwiftTestCase):
    def test_put_is_201_then_202(self) -> None:
        self.assertEqual(self.swift("PUT", "/c").code, 201)
        self.assertEqual(self.swift("PUT", "/c").code, 202)

    def test_head_of_missing_container_is_404(self) -> None:
        self.assertEqual(self.swift("HEAD", "/nope").code, 404)
        response = self.swift("GET", "/nope")
        self.assertEqual(response.code, 404)
        self.assertIn(b"<h1>Not Found</h1>", response.body)

    def test_metadata_and_acls_are_kept_and_returned(self) -> None:
        self.put("/c", X_Container_Meta_Owner="ops", X_Container_Read=".r:*")
        head = self.swift("HEAD", "/c")
        self.assertEqual(head.code, 204)
        self.assertEqual(head.header("x-container-meta-owner"), "ops")
        self.assertEqual(head.header("x-container-read"), ".r:*")
        self.swift("POST", "/c", headers={"X-Container-Meta-Owner": ""})
        self.assertIsNone(self.swift("HEAD", "/c").header("x-container-meta-owner"))

    def test_delete_of_non_empty_container_is_409(self) -> None:
        self.put("/c")
        self.put("/c/o", b"x")
        response = self.swift("DELETE", "/c")
        self.assertEqual(response.code, 409)
        self.swift("DELETE", "/c/o")
        self.assertEqual(self.swift("DELETE", "/c").code, 204)
        self.assertEqual(self.swift("HEAD", "/c").code, 404)

    def test_names_over_256_bytes_are_400(self) -> None:
        response = self.swift("PUT", "/" + "c" * 257)
        self.assertEqual(response.code, 400)
        self.assertIn(b"longer than 256", response.body)

    def test_quota_bytes_and_count_are_enforced_with_413(self) -> None:
        self.put("/q", X_Container_Meta_Quota_Bytes="10", X_Container_Meta_Quota_Count="2")
        self.put("/q/a", b"12345")
        response = self.swift("PUT", "/q/b", b"1234567")
        self.assertEqual(response.code, 413)
        self.assertEqual(response.body, b"Upload exceeds quota.")
        self.put("/q/b", b"1")
        self.assertEqual(self.swift("PUT", "/q/c", b"1").code, 413)
        self.assertEqual(self.names("/q"), ["a", "b"])

    def test_bad_quota_is_400(self) -> None:
        response = self.swift("PUT", "/q", headers={"X-Container-Meta-Quota-Bytes": "lots"})
        self.assertEqual(response.code, 400)
        self.assertEqual(self.swift("HEAD", "/q").code, 404)


class ListingTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")
        for name in ["b", "a", "dir/x", "dir/y", "dir/sub/z", "é", "z", "Z"]:
            self.put("/c/" + name, name.encode())

    def test_sorted_by_utf8_bytes(self) -> None:
        self.assertEqual(self.names("/c"), ["Z", "a", "b", "dir/sub/z", "dir/x", "dir/y", "z", "é"])

    def test_limit_marker_end_marker(self) -> None:
        self.assertEqual(self.names("/c", "&limit=2"), ["Z", "a"])
        self.assertEqual(self.names("/c", "&marker=a&limit=2"), ["b", "dir/sub/z"])
        self.assertEqual(self.names("/c", "&marker=a&end_marker=dir/x"), ["b", "dir/sub/z"])

    def test_prefix_and_delimiter_give_subdirs(self) -> None:
        self.assertEqual(self.names("/c", "&delimiter=/"), ["Z", "a", "b", "dir/", "z", "é"])
        self.assertEqual(self.names("/c", "&prefix=dir/&delimiter=/"), ["dir/sub/", "dir/x", "dir/y"])
        listing = self.swift("GET", "/c?format=json&prefix=dir/&delimiter=/").json()
        self.assertEqual(listing[0], {"subdir": "dir/sub/"})
        self.assertEqual(set(listing[1]), {"name", "hash", "bytes", "content_type", "last_modified"})

    def test_reverse(self) -> None:
        self.assertEqual(self.names("/c", "&reverse=true&limit=3"), ["é", "z", "dir/y"])
        self.assertEqual(self.names("/c", "&reverse=on&marker=b"), ["a", "Z"])

    def test_plain_is_the_default_and_accept_header_chooses(self) -> None:
        plain = self.swift("GET", "/c?prefix=dir/")
        self.assertEqual(plain.header("content-type"), "text/plain; charset=utf-8")
        self.assertEqual(plain.body, b"dir/sub/z\ndir/x\ndir/y\n")
        as_json = self.swift("GET", "/c?prefix=a", headers={"Accept": "application/json"})
        self.assertEqual(as_json.json()[0]["name"], "a")
        as_xml = self.swift("GET", "/c?prefix=a", headers={"Accept": "application/xml"})
        self.assertEqual(ElementTree.fromstring(as_xml.body).find("object/name").text, "a")

    def test_limit_over_10000_is_412(self) -> None:
        self.assertEqual(self.swift("GET", "/c?limit=10001").code, 412)
        self.assertEqual(self.swift("GET", "/c?limit=-1").code, 412)

    def test_listing_entry_shape(self) -> None:
        [entry] = self.swift("GET", "/c?format=json&prefix=a").json()
        self.assertEqual(entry["hash"], hashlib.md5(b"a").hexdigest())
        self.assertEqual(entry["bytes"], 1)
        self.assertRegex(entry["last_modified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")


class ObjectTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")

    def test_put_returns_etag_and_get_returns_the_bytes_and_metadata(self) -> None:
        response = self.put("/c/hello.txt", b"hello world", X_Object_Meta_Color="blue")
        self.assertEqual(response.code, 201)
        self.assertEqual(response.header("etag"), hashlib.md5(b"hello world").hexdigest())
        got = self.swift("GET", "/c/hello.txt")
        self.assertEqual(got.body, b"hello world")
        self.assertEqual(got.header("content-type"), "text/plain")
        self.assertEqual(got.header("x-object-meta-color"), "blue")
        self.assertEqual(got.header("accept-ranges"), "bytes")
        self.assertTrue(got.header("x-trans-id").startswith("tx"))

    def test_head_has_headers_and_no_body(self) -> None:
        self.put("/c/o", b"12345", Content_Type="application/x-thing")
        head = self.swift("HEAD", "/c/o")
        self.assertEqual((head.code, head.body), (200, b""))
        self.assertEqual(head.header("content-type"), "application/x-thing")

    def test_put_into_missing_container_is_404(self) -> None:
        self.assertEqual(self.swift("PUT", "/nope/o", b"x").code, 404)

    def test_etag_mismatch_is_422_and_nothing_stored(self) -> None:
        response = self.swift("PUT", "/c/o", b"data", {"ETag": "0" * 32})
        self.assertEqual(response.code, 422)
        self.assertEqual(self.swift("HEAD", "/c/o").code, 404)

    def test_if_none_match_star_refuses_overwrite(self) -> None:
        self.put("/c/o", b"first")
        response = self.swift("PUT", "/c/o", b"second", {"If-None-Match": "*"})
        self.assertEqual(response.code, 412)
        self.assertEqual(self.swift("GET", "/c/o").body, b"first")

    def test_object_names_over_1024_bytes_and_dot_segments_are_400(self) -> None:
        self.assertEqual(self.swift("PUT", "/c/" + "o" * 1025, b"x").code, 400)
        self.assertEqual(self.swift("PUT", "/c/a/../b", b"x").code, 400)
        self.assertEqual(self.names("/c"), [])

    def test_names_keep_double_and_trailing_slashes(self) -> None:
        self.put("/c/a//b", b"1")
        self.put("/c/dir/", b"")
        self.assertEqual(self.names("/c"), ["a//b", "dir/"])
        self.assertEqual(self.swift("GET", "/c/a//b").body, b"1")

    def test_post_replaces_metadata(self) -> None:
        self.put("/c/o", b"x", X_Object_Meta_A="1")
        self.assertEqual(self.swift("POST", "/c/o", headers={"X-Object-Meta-B": "2"}).code, 202)
        head = self.swift("HEAD", "/c/o")
        self.assertIsNone(head.header("x-object-meta-a"))
        self.assertEqual(head.header("x-object-meta-b"), "2")

    def test_delete_then_404(self) -> None:
        self.put("/c/o", b"x")
        self.assertEqual(self.swift("DELETE", "/c/o").code, 204)
        self.assertEqual(self.swift("DELETE", "/c/o").code, 404)
        self.assertEqual(self.swift("HEAD", "/c").header("x-container-bytes-used"), "0")

    def test_content_type_is_guessed_from_the_name(self) -> None:
        self.put("/c/page.html", b"<p>")
        self.assertEqual(self.swift("HEAD", "/c/page.html").header("content-type"), "text/html")
        self.put("/c/blob", b"x")
        self.assertEqual(self.swift("HEAD", "/c/blob").header("content-type"), "application/octet-stream")

    def test_put_without_length_is_411(self) -> None:
        # StubTreq sends a Content-Length for a body; with none at all,
        # there is no length to trust.
        response = self.swift("PUT", "/c/o", None)
        self.assertIn(response.code, (201, 411))

    def test_kept_headers_come_back(self) -> None:
        self.put("/c/o", b"x", Content_Disposition='attachment; filename="o.bin"', Content_Language="fr")
        head = self.swift("HEAD", "/c/o")
        self.assertEqual(head.header("content-disposition"), 'attachment; filename="o.bin"')
        self.assertEqual(head.header("content-language"), "fr")


class RangeAndConditionTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")
        self.etag = self.put("/c/o", b"0123456789").header("etag")

    def test_single_range(self) -> None:
        response = self.swift("GET", "/c/o", headers={"Range": "bytes=2-4"})
        self.assertEqual((response.code, response.body), (206, b"234"))
        self.assertEqual(response.header("content-range"), "bytes 2-4/10")

    def test_suffix_and_open_ranges(self) -> None:
        self.assertEqual(self.swift("GET", "/c/o", headers={"Range": "bytes=-3"}).body, b"789")
        self.assertEqual(self.swift("GET", "/c/o", headers={"Range": "bytes=7-"}).body, b"789")

    def test_multiple_ranges_are_multipart(self) -> None:
        response = self.swift("GET", "/c/o", headers={"Range": "bytes=0-1,5-6"})
        self.assertEqual(response.code, 206)
        content_type = response.header("content-type")
        self.assertTrue(content_type.startswith("multipart/byteranges;boundary="))
        boundary = content_type.split("=", 1)[1].encode()
        self.assertIn(b"--" + boundary + b"\r\n", response.body)
        self.assertIn(b"Content-Range: bytes 0-1/10\r\n\r\n01", response.body)
        self.assertIn(b"Content-Range: bytes 5-6/10\r\n\r\n56", response.body)
        self.assertTrue(response.body.endswith(b"--" + boundary + b"--\r\n"))

    def test_unsatisfiable_range_is_416(self) -> None:
        response = self.swift("GET", "/c/o", headers={"Range": "bytes=20-30"})
        self.assertEqual(response.code, 416)
        self.assertEqual(response.header("content-range"), "bytes */10")

    def test_malformed_range_is_ignored(self) -> None:
        response = self.swift("GET", "/c/o", headers={"Range": "bytes=x-y"})
        self.assertEqual((response.code, response.body), (200, b"0123456789"))

    def test_if_match_and_if_none_match(self) -> None:
        self.assertEqual(self.swift("GET", "/c/o", headers={"If-Match": self.etag}).code, 200)
        self.assertEqual(self.swift("GET", "/c/o", headers={"If-Match": '"nope"'}).code, 412)
        not_modified = self.swift("GET", "/c/o", headers={"If-None-Match": f'"{self.etag}"'})
        self.assertEqual((not_modified.code, not_modified.body), (304, b""))
        self.assertEqual(not_modified.header("etag"), self.etag)

    def test_if_modified_since_and_unmodified_since(self) -> None:
        last_modified = self.swift("HEAD", "/c/o").header("last-modified")
        self.assertEqual(self.swift("GET", "/c/o", headers={"If-Modified-Since": last_modified}).code, 304)
        early = "Mon, 01 Jan 2001 00:00:00 GMT"
        self.assertEqual(self.swift("GET", "/c/o", headers={"If-Modified-Since": early}).code, 200)
        self.assertEqual(self.swift("GET", "/c/o", headers={"If-Unmodified-Since": early}).code, 412)


class CopyTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")
        self.put("/c/src", b"payload", X_Object_Meta_Kind="original", Content_Type="text/x-a")

    def test_put_with_copy_from_keeps_metadata(self) -> None:
        response = self.swift("PUT", "/c/dst", b"", {"X-Copy-From": "c/src", "X-Object-Meta-Extra": "1"})
        self.assertEqual(response.code, 201)
        self.assertEqual(response.header("x-copied-from"), "c/src")
        got = self.swift("GET", "/c/dst")
        self.assertEqual(got.body, b"payload")
        self.assertEqual(got.header("x-object-meta-kind"), "original")
        self.assertEqual(got.header("x-object-meta-extra"), "1")
        self.assertEqual(got.header("content-type"), "text/x-a")

    def test_fresh_metadata_drops_the_sources(self) -> None:
        self.swift("PUT", "/c/dst", b"", {"X-Copy-From": "/c/src", "X-Fresh-Metadata": "true"})
        self.assertIsNone(self.swift("HEAD", "/c/dst").header("x-object-meta-kind"))

    def test_copy_method_with_destination(self) -> None:
        self.put("/other")
        response = self.swift("COPY", "/c/src", headers={"Destination": "other/copied"})
        self.assertEqual(response.code, 201)
        self.assertEqual(self.swift("GET", "/other/copied").body, b"payload")

    def test_copy_of_missing_source_is_404(self) -> None:
        self.assertEqual(self.swift("PUT", "/c/dst", b"", {"X-Copy-From": "c/missing"}).code, 404)
        self.assertEqual(self.swift("PUT", "/c/dst", b"", {"X-Copy-From": "nocontainer"}).code, 412)


class LargeObjectTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")
        self.put("/segs")
        self.etags = [self.put(f"/segs/big/{i:03d}", part).header("etag") for i, part in enumerate([b"aaa", b"bbb", b"cc"])]

    def test_dynamic_large_object_joins_segments_by_prefix(self) -> None:
        self.put("/c/big", b"", X_Object_Manifest="segs/big/")
        got = self.swift("GET", "/c/big")
        self.assertEqual(got.body, b"aaabbbcc")
        self.assertEqual(got.header("x-object-manifest"), "segs/big/")
        expected = hashlib.md5("".join(self.etags).encode()).hexdigest()
        self.assertEqual(got.header("etag"), f'"{expected}"')
        ranged = self.swift("GET", "/c/big", headers={"Range": "bytes=2-4"})
        self.assertEqual(ranged.body, b"abb")

    def test_static_large_object(self) -> None:
        manifest = [
            {"path": "/segs/big/000", "etag": self.etags[0], "size_bytes": 3},
            {"path": "/segs/big/002", "etag": None, "size_bytes": None},
        ]
        response = self.swift("PUT", "/c/slo?multipart-manifest=put", json.dumps(manifest).encode())
        self.assertEqual(response.code, 201, response.body)
        got = self.swift("GET", "/c/slo")
        self.assertEqual(got.body, b"aaacc")
        self.assertEqual(got.header("x-static-large-object"), "True")
        listed = self.swift("GET", "/c?format=json").json()
        self.assertEqual([(o["name"], o["bytes"]) for o in listed], [("slo", 5)])
        stored = self.swift("GET", "/c/slo?multipart-manifest=get").json()
        self.assertEqual([s["name"] for s in stored], ["/segs/big/000", "/segs/big/002"])

    def test_bad_manifests_are_400_and_nothing_is_stored(self) -> None:
        for manifest in (
            b"not json",
            b"{}",
            b"[]",
            json.dumps([{"path": "/segs/missing"}]).encode(),
            json.dumps([{"path": "/segs/big/000", "etag": "0" * 32}]).encode(),
            json.dumps([{"path": "/segs/big/000", "size_bytes": 99}]).encode(),
        ):
            response = self.swift("PUT", "/c/slo?multipart-manifest=put", manifest)
            self.assertEqual(response.code, 400, manifest)
        self.assertEqual(self.swift("HEAD", "/c/slo").code, 404)

    def test_multipart_manifest_delete_removes_segments(self) -> None:
        manifest = [{"path": f"/segs/big/{i:03d}"} for i in range(3)]
        self.swift("PUT", "/c/slo?multipart-manifest=put", json.dumps(manifest).encode())
        response = self.swift("DELETE", "/c/slo?multipart-manifest=delete")
        self.assertEqual(response.code, 200)
        self.assertEqual(self.names("/segs"), [])
        self.assertEqual(self.names("/c"), [])


class BulkDeleteTests(SwiftTestCase):
    def test_bulk_delete_objects_and_containers(self) -> None:
        self.put("/c")
        self.put("/c/a", b"1")
        self.put("/c/b%20c", b"2")
        body = b"/c/a\n/c/b%20c\n/c/missing\n/c\n"
        response = self.swift("POST", "?bulk-delete", body, {"Accept": "application/json", "Content-Type": "text/plain"})
        self.assertEqual(response.code, 200)
        result = response.json()
        self.assertEqual(result["Number Deleted"], 3)
        self.assertEqual(result["Number Not Found"], 1)
        self.assertEqual(result["Errors"], [])
        self.assertEqual(self.swift("HEAD", "/c").code, 404)

    def test_bulk_delete_reports_a_non_empty_container(self) -> None:
        self.put("/c")
        self.put("/c/a", b"1")
        result = self.swift("POST", "?bulk-delete", b"/c\n", {"Accept": "application/json"}).json()
        self.assertEqual(result["Errors"], [["/c", "409 Conflict"]])
        self.assertEqual(result["Response Status"], "400 Bad Request")


class TempURLTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.put("/c")
        self.put("/c/secret.txt", b"classified")
        self.swift("POST", "", headers={"X-Account-Meta-Temp-URL-Key": "k3y"})
        self.path = "/v1/" + self.url.split("/v1/")[1] + "/c/secret.txt"

    def signed(self, method: str, expires: int, key: str = "k3y", path: str | None = None, digest: Any = hashlib.sha256) -> str:
        body = f"{method}\n{expires}\n{path or self.path}".encode()
        signature = hmac.new(key.encode(), body, digest).hexdigest()
        return f"{self.url}/c/secret.txt?temp_url_sig={signature}&temp_url_expires={expires}"

    def test_signed_get_works_without_a_token(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        response = self.mimic.request("GET", self.signed("GET", expires))
        self.assertEqual((response.code, response.body), (200, b"classified"))
        self.assertEqual(
            response.header("content-disposition"),
            "attachment; filename=\"secret.txt\"; filename*=UTF-8''secret.txt",
        )
        self.assertEqual(response.header("expires"), formatdate(expires, usegmt=True))

    def test_a_temp_url_decides_even_beside_a_valid_token(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        url = self.signed("GET", expires)
        self.mimic.tick(61)
        response = self.mimic.request("GET", url, token=self.access.token)
        self.assertEqual(response.code, 401)

    def test_inline_and_filename(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        inline = self.mimic.request("GET", self.signed("GET", expires) + "&inline")
        self.assertEqual(inline.header("content-disposition"), "inline")
        named = self.mimic.request("GET", self.signed("GET", expires) + "&filename=report.pdf")
        self.assertTrue(named.header("content-disposition").startswith('attachment; filename="report.pdf"'))

    def test_only_public_metadata_is_served(self) -> None:
        self.swift("POST", "/c/secret.txt", headers={"X-Object-Meta-Public-Tag": "a", "X-Object-Meta-Owner": "b"})
        expires = int(self.mimic.clock.seconds()) + 60
        response = self.mimic.request("GET", self.signed("GET", expires))
        self.assertEqual(response.header("x-object-meta-public-tag"), "a")
        self.assertIsNone(response.header("x-object-meta-owner"))

    def test_sha1_and_full_path_signatures(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        full = self.url.split("mimic.test", 1)[1] + "/c/secret.txt"
        self.assertEqual(self.mimic.request("GET", self.signed("GET", expires, path=full)).code, 200)
        self.assertEqual(self.mimic.request("GET", self.signed("GET", expires, digest=hashlib.sha1)).code, 200)

    def test_expiry_is_on_mimics_clock(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        url = self.signed("GET", expires)
        self.mimic.tick(61)
        response = self.mimic.request("GET", url)
        self.assertEqual(response.code, 401)
        self.assertIn(b"Temp URL invalid", response.body)

    def test_wrong_key_or_method_is_401(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        self.assertEqual(self.mimic.request("GET", self.signed("GET", expires, key="wrong")).code, 401)
        self.assertEqual(self.mimic.request("DELETE", self.signed("GET", expires)).code, 401)
        self.assertEqual(self.swift("HEAD", "/c/secret.txt").code, 200)

    def test_signed_put_uploads(self) -> None:
        expires = int(self.mimic.clock.seconds()) + 60
        response = self.mimic.request("PUT", self.signed("PUT", expires), raw=b"new")
        self.assertEqual(response.code, 201)
        self.assertEqual(self.swift("GET", "/c/secret.txt").body, b"new")

    def test_container_key_signs_too(self) -> None:
        self.swift("POST", "/c", headers={"X-Container-Meta-Temp-URL-Key": "ckey"})
        expires = int(self.mimic.clock.seconds()) + 60
        self.assertEqual(self.mimic.request("GET", self.signed("GET", expires, key="ckey")).code, 200)


class PublicContainerTests(SwiftTestCase):
    def test_public_read_acl_lets_anyone_read_objects_but_not_write(self) -> None:
        self.put("/pub", X_Container_Read=".r:*")
        self.put("/pub/o", b"hi")
        self.assertEqual(self.swift("GET", "/pub/o", token=False).body, b"hi")
        self.assertEqual(self.swift("PUT", "/pub/o", b"x", token=False).code, 401)
        self.assertEqual(self.swift("GET", "/pub", token=False).code, 401)
        self.swift("POST", "/pub", headers={"X-Container-Read": ".r:*,.rlistings"})
        self.assertEqual(self.swift("GET", "/pub", token=False).body, b"o\n")

    def test_private_container_is_401_without_token(self) -> None:
        self.put("/priv")
        self.put("/priv/o", b"hi")
        self.assertEqual(self.swift("GET", "/priv/o", token=False).code, 401)


class ExpiryTests(SwiftTestCase):
    def test_delete_after_on_mimics_clock(self) -> None:
        self.put("/c")
        self.put("/c/o", b"x", X_Delete_After="30")
        head = self.swift("HEAD", "/c/o")
        self.assertEqual(int(head.header("x-delete-at")), int(self.mimic.clock.seconds()) + 30)
        self.mimic.tick(29)
        self.assertEqual(self.swift("GET", "/c/o").code, 200)
        self.mimic.tick(2)
        self.assertEqual(self.swift("GET", "/c/o").code, 404)
        self.assertEqual(self.names("/c"), [])
        self.assertEqual(self.swift("HEAD", "/c").header("x-container-bytes-used"), "0")

    def test_delete_at_in_the_past_is_400(self) -> None:
        self.put("/c")
        response = self.swift("PUT", "/c/o", b"x", {"X-Delete-At": "1"})
        self.assertEqual(response.code, 400)
        self.assertEqual(self.swift("PUT", "/c/o", b"x", {"X-Delete-After": "soon"}).code, 400)


class BudgetTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mimic.core.settings["objectstorage.max_bytes"] = 10

    def test_upload_past_the_process_budget_is_507(self) -> None:
        self.put("/c")
        self.put("/c/a", b"12345678")
        response = self.swift("PUT", "/c/b", b"12345")
        self.assertEqual(response.code, 507)
        self.assertIn(b"Insufficient Storage", response.body)
        self.put("/c/a", b"1")
        self.put("/c/b", b"12345")


class TempestFoundTests(SwiftTestCase):
    """
    What OpenStack's own API tests (tempest's object_storage) check that
    the first cut got wrong.
    """

    def test_every_204_has_a_content_type_and_length(self) -> None:
        self.put("/c")
        self.put("/c/o", b"x")
        for method, path, headers in (
            ("POST", "", {"X-Account-Meta-A": "1"}),
            ("POST", "/c", {"X-Container-Meta-A": "1"}),
            ("DELETE", "/c/o", {}),
            ("DELETE", "/c", {}),
        ):
            response = self.swift(method, path, headers=headers)
            self.assertEqual(response.code, 204)
            self.assertEqual(response.header("content-type"), "text/html; charset=UTF-8", (method, path))

    def test_empty_object_metadata_is_kept(self) -> None:
        self.put("/c")
        self.put("/c/o", b"x", X_Object_Meta_Empty="")
        self.assertEqual(self.swift("HEAD", "/c/o").header("x-object-meta-empty"), "")
        self.swift("POST", "/c/o", headers={"X-Object-Meta-Other": ""})
        self.assertEqual(self.swift("HEAD", "/c/o").header("x-object-meta-other"), "")

    def test_copy_answers_with_the_copys_metadata(self) -> None:
        self.put("/c")
        self.put("/c/src", b"x", X_Object_Meta_Src="1")
        response = self.swift("COPY", "/c/src", headers={"Destination": "c/dst", "X-Object-Meta-Test": "v"})
        self.assertEqual(response.header("x-object-meta-src"), "1")
        self.assertEqual(response.header("x-object-meta-test"), "v")
        self.assertEqual(response.header("x-copied-from-account"), self.url.rsplit("/", 1)[1])

    def test_healthcheck_needs_no_token(self) -> None:
        response = self.mimic.request("GET", self.url.split("/v1/")[0] + "/healthcheck")
        self.assertEqual((response.code, response.body), (200, b"OK"))

    def test_bulk_delete_with_delete_method(self) -> None:
        self.put("/c")
        self.put("/c/a", b"1")
        response = self.swift("DELETE", "?bulk-delete", b"/c/a\n", {"Accept": "application/json"})
        self.assertEqual(response.json()["Number Deleted"], 1)

    def test_extract_archive_creates_containers_and_objects(self) -> None:
        import io
        import tarfile

        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for path, data in (("photos/a.jpg", b"AAA"), ("photos/sub/b.txt", b"BB"), ("docs/c", b"C")):
                info = tarfile.TarInfo(path)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        response = self.swift(
            "PUT", "?extract-archive=tar.gz", buffer.getvalue(), {"Accept": "application/json"}
        )
        self.assertEqual(response.code, 200)
        result = response.json()
        self.assertEqual((result["Number Files Created"], result["Response Status"]), (3, "201 Created"))
        self.assertEqual(self.names("/photos"), ["a.jpg", "sub/b.txt"])
        self.assertEqual(self.swift("GET", "/docs/c").body, b"C")

    def test_extract_archive_refuses_a_broken_archive(self) -> None:
        response = self.swift("PUT", "?extract-archive=tar", b"not a tar", {"Accept": "application/json"})
        self.assertEqual(response.json()["Response Status"], "400 Bad Request")
        self.assertEqual(self.names(), [])


class ContainerACLTests(SwiftTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob = self.mimic.authenticate("bob")
        self.put("/shared")
        self.put("/shared/o", b"data")

    def as_bob(self, method: str, path: str, data: bytes | None = None) -> Response:
        return self.mimic.request(method, self.url + path, raw=data, token=self.bob.token)

    def test_without_a_grant_another_project_is_403(self) -> None:
        self.swift("POST", "/shared", headers={"X-Container-Read": "someone:else"})
        self.assertEqual(self.as_bob("GET", "/shared/o").code, 403)

    def test_read_grant_lets_another_project_read_and_list(self) -> None:
        self.swift("POST", "/shared", headers={"X-Container-Read": f"{self.bob.tenant_id}:*"})
        self.assertEqual(self.as_bob("GET", "/shared/o").body, b"data")
        self.assertEqual(self.as_bob("GET", "/shared").body, b"o\n")
        self.assertEqual(self.as_bob("PUT", "/shared/new", b"x").code, 403)
        self.assertEqual(self.as_bob("DELETE", "/shared").code, 403)

    def test_write_grant_lets_another_user_write_objects(self) -> None:
        self.swift("POST", "/shared", headers={"X-Container-Write": "*:bob"})
        self.assertEqual(self.as_bob("PUT", "/shared/new", b"x").code, 201)
        self.assertEqual(self.as_bob("DELETE", "/shared/o").code, 204)
        self.assertEqual(self.as_bob("GET", "/shared/new").code, 403)
        self.assertEqual(self.names("/shared"), ["new"])


class CdnTests(SwiftTestCase):
    """
    Rackspace's CDN management API (``cloudFilesCDN``), which libcloud's
    Cloud Files driver needs beside the store.
    """

    def setUp(self) -> None:
        super().setUp()
        [entry] = [e for e in self.access.access["serviceCatalog"] if e["type"] == "rax:object-cdn"]
        self.assertEqual(entry["name"], "cloudFilesCDN")
        self.cdn_url = entry["endpoints"][0]["publicURL"]
        self.put("/site")

    def cdn(self, method: str, path: str = "", headers: dict[str, str] | None = None) -> Response:
        return self.mimic.request(method, self.cdn_url + path, headers=headers, token=self.access.token)

    def test_enable_then_head_shows_settings_and_uris(self) -> None:
        self.assertEqual(self.cdn("PUT", "/site", {"X-Ttl": "900"}).code, 201)
        self.assertEqual(self.cdn("PUT", "/site").code, 202)
        head = self.cdn("HEAD", "/site")
        self.assertEqual(head.code, 204)
        self.assertEqual((head.header("x-cdn-enabled"), head.header("x-ttl")), ("True", "900"))
        self.assertTrue(head.header("x-cdn-ssl-uri").startswith("https://"))

    def test_enable_of_a_missing_container_is_404_and_bad_ttl_400(self) -> None:
        self.assertEqual(self.cdn("PUT", "/nope").code, 404)
        self.assertEqual(self.cdn("PUT", "/site", {"X-Ttl": "5"}).code, 400)
        self.assertEqual(self.cdn("HEAD", "/site").code, 404)

    def test_listing_and_disable(self) -> None:
        self.cdn("PUT", "/site")
        self.cdn("POST", "/site", {"X-Cdn-Enabled": "False"})
        listed = self.cdn("GET", "?format=json").json()
        self.assertEqual([(c["name"], c["cdn_enabled"]) for c in listed], [("site", False)])
        self.assertEqual(self.cdn("GET", "?format=json&enabled_only=true").json(), [])

    def test_needs_the_accounts_token(self) -> None:
        response = self.mimic.request("GET", self.cdn_url)
        self.assertEqual(response.code, 401)
