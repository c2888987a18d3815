# -*- test-case-name: mimic.test.test_objectstorage_integration -*-
"""
Object storage as its users reach it: python-swiftclient (``Connection``,
``SwiftService`` and the ``swift`` command line), openstacksdk's object
store and apache-libcloud's Cloud Files driver, unmodified, against a
real ``twistd mimic`` on loopback; plain ``requests`` and ``http.client``
for what a client would not send (temporary URLs without a token,
malformed paths).

One Mimic serves the whole module (started by the first test that needs
it, stopped when the test process exits): every test authenticates as
its own tenant, so tests never see each other's containers.  Times that
matter (temporary URL expiry) are read from Mimic's clock, which a test
advances over HTTP, so no test sleeps.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import http.client
import io
import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Iterator
from urllib.parse import urlparse

import requests
from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import MimicProcess


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    """
    The base URL of the module's one Mimic, started on first use.
    """
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def pattern(size: int, seed: int = 0) -> bytes:
    """
    ``size`` bytes that differ from segment to segment (so a segment out
    of order would change the checksum), made fast.
    """
    block = hashlib.sha512(b"%d" % seed).digest() * 16384
    whole, rest = divmod(size, len(block))
    return b"".join(bytes([i % 251]) + block[1:] for i in range(whole)) + block[:rest]


class ObjectStorageTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = mimic_url()
        #: This test's own tenant and user.
        self.tenant = f"os-{self._testMethodName.removeprefix('test_')[:40]}"

    def connection(self, auth_version: str = "2") -> Any:
        import swiftclient

        if auth_version == "3":
            return swiftclient.Connection(
                authurl=f"{self.url}/identity/v3",
                user=self.tenant,
                key="any password",
                auth_version="3",
                os_options={
                    "project_name": self.tenant,
                    "user_domain_name": "Default",
                    "project_domain_name": "Default",
                    "region_name": "ORD",
                },
                retries=0,
            )
        return swiftclient.Connection(
            authurl=f"{self.url}/identity/v2.0",
            user=self.tenant,
            key="any key",
            tenant_name=self.tenant,
            auth_version="2",
            os_options={"region_name": "ORD"},
            retries=0,
        )

    def service_options(self) -> dict[str, Any]:
        return {
            "auth": f"{self.url}/identity/v2.0",
            "user": self.tenant,
            "key": "any key",
            "auth_version": "2",
            "os_tenant_name": self.tenant,
            "os_region_name": "ORD",
            "retries": 0,
        }

    def tick(self, seconds: float) -> None:
        response = requests.post(f"{self.url}/mimic/v1.1/tick", json={"amount": seconds}, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)

    def mimic_now(self) -> int:
        """
        Mimic's clock (the time of its writes and of temporary URLs'
        expiry), in whole seconds.
        """
        response = requests.get(f"{self.url}/mimic/v1.1/clock", timeout=10)
        return int(response.json()["seconds"])

    def raw(self, method: str, path: str, token: str | None, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        """
        A request with its path sent exactly as given (no client tidies
        ``..`` or re-quotes it).
        """
        parsed = urlparse(self.url)
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        sent = {} if token is None else {"X-Auth-Token": token}
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def assertClientError(self, status: int, call: Any, *args: Any, **kwargs: Any) -> Any:
        from swiftclient import ClientException

        error = self.assertRaises(ClientException, call, *args, **kwargs)
        self.assertEqual(error.http_status, status, error)
        return error


class SwiftclientConnectionTests(ObjectStorageTestCase):
    def test_v2_key_and_v3_password_reach_the_same_cloud_files_account(self) -> None:
        v2_url, _ = self.connection("2").get_auth()
        v3_url, _ = self.connection("3").get_auth()
        self.assertEqual(v2_url, v3_url)
        self.assertIn(f"/service/objectstorage/ORD/{self.tenant}/v1/MossoCloudFS_", v2_url)
        account = self.connection("3").head_account()
        self.assertEqual(account["x-account-container-count"], "0")
        self.assertTrue(account["x-trans-id"].startswith("tx"))

    def test_containers_objects_metadata_copy_and_ranges(self) -> None:
        conn = self.connection()
        conn.put_container("photos", headers={"X-Container-Meta-Owner": "ops"})
        etag = conn.put_object("photos", "2024/cat.txt", b"hello world", content_type="text/plain")
        self.assertEqual(etag, md5(b"hello world"))

        head = conn.head_object("photos", "2024/cat.txt")
        self.assertEqual((head["content-length"], head["etag"]), ("11", etag))
        self.assertEqual(head["content-type"], "text/plain")
        self.assertEqual(conn.get_object("photos", "2024/cat.txt")[1], b"hello world")

        conn.post_object("photos", "2024/cat.txt", {"X-Object-Meta-Color": "tabby"})
        self.assertEqual(conn.head_object("photos", "2024/cat.txt")["x-object-meta-color"], "tabby")
        conn.post_container("photos", {"X-Container-Meta-Shared": "yes"})
        container = conn.head_container("photos")
        self.assertEqual(
            (container["x-container-meta-owner"], container["x-container-meta-shared"]), ("ops", "yes")
        )
        self.assertEqual(container["x-container-object-count"], "1")

        headers, body = conn.get_object("photos", "2024/cat.txt", headers={"Range": "bytes=0-4"})
        self.assertEqual((body, headers["content-range"]), (b"hello", "bytes 0-4/11"))
        self.assertEqual(conn.get_object("photos", "2024/cat.txt", headers={"Range": "bytes=-5"})[1], b"world")
        headers, body = conn.get_object("photos", "2024/cat.txt", headers={"Range": "bytes=0-1,6-7"})
        self.assertTrue(headers["content-type"].startswith("multipart/byteranges"))
        self.assertIn(b"Content-Range: bytes 6-7/11\r\n\r\nwo", body)
        self.assertClientError(304, conn.get_object, "photos", "2024/cat.txt", headers={"If-None-Match": etag})

        conn.copy_object("photos", "2024/cat.txt", "/photos/copy.txt")
        headers, body = conn.get_object("photos", "copy.txt")
        self.assertEqual((body, headers["x-object-meta-color"]), (b"hello world", "tabby"))
        conn.copy_object(
            "photos", "2024/cat.txt", "/photos/fresh.txt",
            headers={"X-Fresh-Metadata": "true", "X-Object-Meta-New": "1"},
        )
        fresh = conn.head_object("photos", "fresh.txt")
        self.assertEqual(fresh["x-object-meta-new"], "1")
        self.assertNotIn("x-object-meta-color", fresh)
        conn.put_object("photos", "via-put.txt", None, headers={"X-Copy-From": "/photos/2024/cat.txt"})
        self.assertEqual(conn.get_object("photos", "via-put.txt")[1], b"hello world")

        self.assertClientError(409, conn.delete_container, "photos")
        for name in ("2024/cat.txt", "copy.txt", "fresh.txt", "via-put.txt"):
            conn.delete_object("photos", name)
        self.assertClientError(404, conn.head_object, "photos", "copy.txt")
        conn.delete_container("photos")
        self.assertClientError(404, conn.head_container, "photos")

    def test_listings_with_prefix_delimiter_marker_and_paging(self) -> None:
        conn = self.connection()
        conn.put_container("tree")
        names = ["a/1.txt", "a/2.txt", "a/deep/3.txt", "b.txt", "c/4.txt", "z.txt"]
        for name in names:
            conn.put_object("tree", name, name.encode())
        _, listing = conn.get_container("tree", delimiter="/")
        self.assertEqual([e.get("name", e.get("subdir")) for e in listing], ["a/", "b.txt", "c/", "z.txt"])
        _, listing = conn.get_container("tree", prefix="a/", delimiter="/")
        self.assertEqual([e.get("name", e.get("subdir")) for e in listing], ["a/1.txt", "a/2.txt", "a/deep/"])
        _, listing = conn.get_container("tree", marker="a/deep/3.txt", end_marker="z.txt")
        self.assertEqual([e["name"] for e in listing], ["b.txt", "c/4.txt"])
        # full_listing pages with limit and marker until a short page.
        _, listing = conn.get_container("tree", limit=2, full_listing=True)
        self.assertEqual([e["name"] for e in listing], names)
        self.assertEqual(listing[0]["bytes"], 7)
        self.assertEqual(listing[0]["hash"], md5(b"a/1.txt"))
        _, containers = conn.get_account(prefix="t")
        self.assertEqual([(c["name"], c["count"]) for c in containers], [("tree", 6)])

    def test_capabilities(self) -> None:
        info = self.connection().get_capabilities()
        self.assertEqual(info["swift"]["max_object_name_length"], 1024)
        self.assertEqual(info["swift"]["container_listing_limit"], 10000)
        for middleware in ("slo", "bulk_delete", "tempurl"):
            self.assertIn(middleware, info)

    def test_dynamic_and_static_large_objects_upload_and_download_whole(self) -> None:
        from swiftclient.service import SwiftService, SwiftUploadObject

        data = pattern(250_000, seed=1)
        with tempfile.TemporaryDirectory() as directory:
            source = os.path.join(directory, "source.bin")
            with open(source, "wb") as f:
                f.write(data)
            with SwiftService(options=self.service_options()) as service:
                for use_slo in (False, True):
                    name = "static.bin" if use_slo else "dynamic.bin"
                    results = list(
                        service.upload(
                            "large",
                            [SwiftUploadObject(source, object_name=name)],
                            options={"segment_size": 100_000, "use_slo": use_slo},
                        )
                    )
                    self.assertEqual([r for r in results if not r["success"]], [])
                    segments = [r for r in results if r["action"] == "upload_segment"]
                    self.assertEqual(len(segments), 3)
                out = os.path.join(directory, "out")
                results = list(
                    service.download("large", ["dynamic.bin", "static.bin"], options={"out_directory": out})
                )
                self.assertEqual([r for r in results if not r["success"]], [])
                for name in ("dynamic.bin", "static.bin"):
                    with open(os.path.join(out, name), "rb") as f:
                        self.assertEqual(md5(f.read()), md5(data), name)
                # Again, skipping what is already there: swiftclient reads
                # each manifest and compares the segments' checksums with
                # the file's, and downloads nothing.
                results = list(
                    service.download(
                        "large",
                        ["dynamic.bin", "static.bin"],
                        options={"out_directory": out, "skip_identical": True},
                    )
                )
                self.assertEqual(
                    sorted((r["object"], r["error"].http_status, r["error"].msg) for r in results),
                    [
                        ("dynamic.bin", 304, "Large object is identical"),
                        ("static.bin", 304, "Large object is identical"),
                    ],
                )

        conn = self.connection()
        dynamic = conn.head_object("large", "dynamic.bin")
        self.assertTrue(dynamic["x-object-manifest"].startswith("large_segments/dynamic.bin/"))
        self.assertEqual(dynamic["content-length"], "250000")
        headers, manifest = conn.get_object("large", "dynamic.bin", query_string="multipart-manifest=get")
        self.assertEqual((manifest, headers["x-object-manifest"]), (b"", dynamic["x-object-manifest"]))
        static = conn.head_object("large", "static.bin")
        self.assertEqual(static["x-static-large-object"], "True")
        _, manifest = conn.get_object("large", "static.bin", query_string="multipart-manifest=get")
        self.assertEqual([s["bytes"] for s in json.loads(manifest)], [100_000, 100_000, 50_000])
        _, body = conn.get_object("large", "static.bin", headers={"Range": "bytes=99998-100001"})
        self.assertEqual(body, data[99998:100002])
        _, segments = conn.get_container("large_segments")
        self.assertEqual(len(segments), 6)

        # Deleting a static large object takes its segments along.
        with SwiftService(options=self.service_options()) as service:
            results = list(service.delete("large", ["static.bin"]))
        self.assertEqual([r for r in results if not r["success"]], [])
        _, segments = conn.get_container("large_segments")
        self.assertEqual(len(segments), 3)

    def test_bulk_delete_through_swift_service(self) -> None:
        from swiftclient.service import SwiftService

        conn = self.connection()
        conn.put_container("many")
        names = [f"obj-{i:02d}" for i in range(30)]
        for name in names:
            conn.put_object("many", name, b"x")
        with SwiftService(options=self.service_options()) as service:
            results = list(service.delete("many", names + ["never-there"]))
        # More objects than its threads: SwiftService asks /info and
        # deletes with POST ?bulk-delete, each page's result in JSON.
        self.assertEqual({r["action"] for r in results}, {"bulk_delete"})
        self.assertEqual([r.get("error") for r in results if not r["success"]], [])
        totals = [r["result"] for r in results]
        self.assertEqual(sum(t["Number Deleted"] for t in totals), 30)
        self.assertEqual(sum(t["Number Not Found"] for t in totals), 1)
        self.assertEqual(conn.head_container("many")["x-container-object-count"], "0")

    def test_temp_url_fetched_without_a_token_until_it_expires(self) -> None:
        from swiftclient.utils import generate_temp_url

        conn = self.connection()
        storage_url, _ = conn.get_auth()
        conn.post_account({"X-Account-Meta-Temp-URL-Key": "account-secret"})
        conn.put_container("shared", headers={"X-Container-Meta-Temp-URL-Key": "container-secret"})
        conn.put_object("shared", "report.pdf", b"%PDF quarterly", content_type="application/pdf")
        now = self.mimic_now()
        parsed = urlparse(storage_url)
        full_path = f"{parsed.path}/shared/report.pdf"
        v1_path = full_path[full_path.index("/v1/"):]
        host = f"{parsed.scheme}://{parsed.netloc}"
        prefix = host + full_path[: full_path.index("/v1/")]

        signed = [
            host + generate_temp_url(full_path, now + 60, "account-secret", "GET", absolute=True),
            prefix + generate_temp_url(v1_path, now + 60, "container-secret", "GET", absolute=True),
        ]
        for url in signed:
            response = requests.get(url, timeout=10)
            self.assertEqual((response.status_code, response.content), (200, b"%PDF quarterly"), url)
            self.assertEqual(
                response.headers["content-disposition"],
                "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf",
            )
        sha256 = host + generate_temp_url(
            full_path, now + 60, "account-secret", "GET", absolute=True, digest="sha256"
        )
        self.assertEqual(requests.get(sha256, timeout=10).status_code, 200)
        self.assertEqual(requests.head(signed[0], timeout=10).status_code, 200)
        inline = requests.get(signed[0] + "&inline", timeout=10)
        # Swift's tempurl: "inline" alone unless a filename is asked for.
        self.assertEqual(inline.headers["content-disposition"], "inline")
        # A prefix-based URL (swiftclient can only cut the prefix from a
        # /v1/account/container/prefix path) opens every object under it.
        conn.put_object("shared", "q3/summary.txt", b"up")
        conn.put_object("shared", "q4/summary.txt", b"down")
        by_prefix = generate_temp_url(
            v1_path.replace("/report.pdf", "/q3/"), now + 60, "account-secret", "GET", absolute=True, prefix=True
        )
        base, query = by_prefix.split("?")
        self.assertEqual(requests.get(f"{prefix}{base}summary.txt?{query}", timeout=10).content, b"up")
        other = prefix + base.replace("/q3/", "/q4/") + "summary.txt?" + query
        self.assertEqual(requests.get(other, timeout=10).status_code, 401)

        wrong_key = host + generate_temp_url(full_path, now + 60, "guess", "GET", absolute=True)
        response = requests.get(wrong_key, timeout=10)
        self.assertEqual(response.status_code, 401)
        self.assertIn(b"Temp URL invalid", response.content)
        self.assertEqual(requests.put(signed[0], data=b"overwrite", timeout=10).status_code, 401)
        self.assertEqual(requests.get(host + full_path, timeout=10).status_code, 401)

        self.tick(61)
        for url in signed:
            self.assertEqual(requests.get(url, timeout=10).status_code, 401, url)
        self.assertEqual(conn.get_object("shared", "report.pdf")[1], b"%PDF quarterly")

    def test_object_expires_when_mimics_clock_passes_its_delete_at(self) -> None:
        conn = self.connection()
        conn.put_container("tmp")
        conn.put_object("tmp", "session.lock", b"held", headers={"X-Delete-After": "30"})
        conn.put_object("tmp", "keep", b"kept")
        delete_at = int(conn.head_object("tmp", "session.lock")["x-delete-at"])
        self.assertEqual(delete_at, self.mimic_now() + 30)
        self.tick(31)
        self.assertClientError(404, conn.get_object, "tmp", "session.lock")
        self.assertEqual([o["name"] for o in conn.get_container("tmp")[1]], ["keep"])

    def test_large_streamed_download_and_chunked_upload(self) -> None:
        from swiftclient.service import SwiftService, SwiftUploadObject

        data = pattern(24 * 1024 * 1024, seed=2)
        with tempfile.NamedTemporaryFile() as f, SwiftService(options=self.service_options()) as service:
            f.write(data)
            f.flush()
            results = list(
                service.upload(
                    "stream",
                    [SwiftUploadObject(f.name, object_name="video.bin")],
                    options={"segment_size": 10 * 1024 * 1024, "use_slo": True},
                )
            )
        self.assertEqual([r for r in results if not r["success"]], [])
        self.assertEqual(len([r for r in results if r["action"] == "upload_segment"]), 3)

        conn = self.connection()
        headers, chunks = conn.get_object("stream", "video.bin", resp_chunk_size=1024 * 1024)
        self.assertEqual(headers["content-length"], str(len(data)))
        digest = hashlib.md5(usedforsecurity=False)
        count = 0
        for chunk in chunks:
            digest.update(chunk)
            count += 1
        self.assertEqual(digest.hexdigest(), md5(data))
        self.assertGreater(count, 3)

        def generate() -> Iterator[bytes]:
            for i in range(4):
                yield data[i * 1_000_000 : (i + 1) * 1_000_000]

        # No length: swiftclient sends Transfer-Encoding: chunked.
        etag = conn.put_object("stream", "chunked.bin", generate())
        self.assertEqual(etag, md5(data[:4_000_000]))
        self.assertEqual(conn.head_object("stream", "chunked.bin")["content-length"], "4000000")
        response = requests.put(
            f"{conn.url}/stream/chunked-requests.bin",
            data=generate(),
            headers={"X-Auth-Token": conn.token, "ETag": md5(data[:4_000_000])},
            timeout=30,
        )
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.request.headers.get("Transfer-Encoding"), "chunked")


class KnownConditionTests(ObjectStorageTestCase):
    """
    Object storage's known error conditions, registered over Mimic's
    control API for this test's tenant only, as swiftclient meets them.
    """

    def register(self, event: str, name: str, times: int | None = None, **criteria: str) -> None:
        body: dict[str, Any] = {
            "name": name,
            "criteria": [{"tenant_id": f"^{self.tenant}$"}] + [{k: v} for k, v in criteria.items()],
        }
        if times is not None:
            body["times"] = times
        response = requests.post(
            f"{self.url}/mimic/v1.1/objectstorage/behaviors/{event}", json=body, timeout=10
        )
        self.assertEqual(response.status_code, 201, response.text)

    def test_swiftclient_retries_a_503_and_meets_eventual_consistency(self) -> None:
        import swiftclient

        conn = self.connection()
        conn.put_container("flaky")
        self.register("object_write", "fail", times=1, object="^retried$")
        retrying = swiftclient.Connection(
            preauthurl=conn.get_auth()[0], preauthtoken=conn.token, retries=1, starting_backoff=0
        )
        # swiftclient re-sends only what it can rewind.
        retrying.put_object("flaky", "retried", io.BytesIO(b"second time lucky"), content_length=17)
        self.assertEqual(retrying.attempts, 2)
        self.assertEqual(conn.get_object("flaky", "retried")[1], b"second time lucky")

        conn.put_object("flaky", "ghost", b"boo")
        self.register("object_read", "vanish", object="^ghost$")
        self.assertEqual([o["name"] for o in conn.get_container("flaky")[1]], ["ghost", "retried"])
        self.assertClientError(404, conn.get_object, "flaky", "ghost")

        conn.put_container("empty")
        self.register("container_delete", "conflict", times=1, container="^empty$")
        self.assertClientError(409, conn.delete_container, "empty")
        conn.delete_container("empty")


class SwiftCommandLineTests(ObjectStorageTestCase):
    """
    The ``swift`` command a person types, as a subprocess.  Each costs an
    interpreter start, so independent commands run side by side.
    """

    def command(self) -> list[str]:
        script = os.path.join(os.path.dirname(sys.executable), "swift")
        if os.path.exists(script):
            return [script]
        return [sys.executable, "-m", "swiftclient.shell"]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "ST_"))}
        env.update(
            {
                "OS_AUTH_URL": f"{self.url}/identity/v3",
                "OS_USERNAME": self.tenant,
                "OS_PASSWORD": "any",
                "OS_PROJECT_NAME": self.tenant,
                "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_REGION_NAME": "ORD",
                "ST_AUTH_VERSION": "3",
            }
        )
        return env

    def swift(self, *argvs: list[str], cwd: str) -> list[str]:
        """
        Run ``swift`` once per argument list, all at once; their outputs.
        """
        processes = [
            subprocess.Popen(
                self.command() + argv,
                cwd=cwd,
                env=self.environment(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for argv in argvs
        ]
        outputs = []
        for argv, process in zip(argvs, processes):
            out, err = process.communicate(timeout=60)
            self.assertEqual(process.returncode, 0, f"swift {' '.join(argv)}:\n{out}\n{err}")
            outputs.append(out)
        return outputs

    def test_upload_list_post_stat_download_tempurl_delete(self) -> None:
        big = pattern(300_000, seed=3)
        with tempfile.TemporaryDirectory() as directory:
            os.makedirs(os.path.join(directory, "docs", "api"))
            for name, content in [
                ("docs/readme.txt", b"read me"),
                ("docs/api/v1.txt", b"v1"),
                ("docs/guide.txt", b"guide"),
            ]:
                with open(os.path.join(directory, name), "wb") as f:
                    f.write(content)
            with open(os.path.join(directory, "big.bin"), "wb") as f:
                f.write(big)

            conn = self.connection("3")
            now = self.mimic_now()
            conn.post_account({"X-Account-Meta-Temp-URL-Key": "cli-secret"})
            conn.put_container("site")
            object_url = f"{conn.url}/site/docs/readme.txt"
            # Three rounds of commands that need not wait for each other
            # (an upload's PUT of the container keeps its metadata).
            self.swift(
                ["upload", "site", "docs"],
                ["upload", "site", "big.bin", "--segment-size", "100000"],
                ["post", "-m", "color:blue", "site"],
                cwd=directory,
            )
            listed, _, stat, temp = self.swift(
                ["list", "site", "--prefix", "docs/", "--delimiter", "/"],
                ["download", "site", "big.bin", "-o", "fetched.bin"],
                ["stat", "site"],
                ["tempurl", "--absolute", "GET", str(now + 300), object_url, "cli-secret"],
                cwd=directory,
            )
            self.assertEqual(listed.split(), ["docs/api/", "docs/guide.txt", "docs/readme.txt"])
            with open(os.path.join(directory, "fetched.bin"), "rb") as f:
                self.assertEqual(md5(f.read()), md5(big))
            response = requests.get(temp.strip(), timeout=10)
            self.assertEqual((response.status_code, response.content), (200, b"read me"))
            self.assertIn("Meta Color: blue", stat)
            self.assertIn("Objects: 4", stat)
            # Segmented: a static large object, since /info offers them.
            self.assertEqual(conn.head_object("site", "big.bin")["x-static-large-object"], "True")
            self.assertEqual(conn.head_container("site_segments")["x-container-object-count"], "3")

            self.swift(["delete", "--all"], cwd=directory)
            self.assertEqual(conn.get_account()[1], [])


class OpenStackSDKTests(ObjectStorageTestCase):
    def connect(self) -> Any:
        import openstack

        return openstack.connect(
            auth_url=f"{self.url}/identity/v3",
            username=self.tenant,
            password="any",
            project_name=self.tenant,
            user_domain_name="Default",
            project_domain_name="Default",
            region_name="ORD",
        )

    def test_cloud_layer_and_object_store_proxy(self) -> None:
        cloud = self.connect()
        cloud.create_container("sdk")
        cloud.create_object("sdk", "notes/hello.txt", data=b"hello sdk", metadata={"mood": "good"})
        headers, body = cloud.get_object("sdk", "notes/hello.txt")
        # openstacksdk's cloud layer hands the body back as text.
        self.assertEqual((body, headers["content-type"]), ("hello sdk", "text/plain"))
        self.assertEqual(headers["x-object-meta-mood"], "good")

        data = pattern(300_000, seed=4)
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(data)
            f.flush()
            cloud.create_object("sdk", "large.bin", filename=f.name, segment_size=100_000)
        meta = cloud.object_store.get_object_metadata("large.bin", container="sdk")
        self.assertTrue(meta.is_static_large_object)
        self.assertEqual(meta.content_length, 300_000)
        self.assertEqual(md5(cloud.object_store.download_object("large.bin", container="sdk")), md5(data))
        streamed = b"".join(cloud.object_store.stream_object("large.bin", container="sdk", chunk_size=65536))
        self.assertEqual(md5(streamed), md5(data))
        raw = cloud.get_object_raw("sdk", "large.bin", stream=True)
        self.assertEqual(md5(b"".join(raw.iter_content(65536))), md5(data))

        names = [o.name for o in cloud.list_objects("sdk")]
        self.assertIn("large.bin", names)
        self.assertIn("notes/hello.txt", names)
        info = cloud.object_store.get_info()
        self.assertEqual(info.swift["max_file_size"], 5368709122)

        self.assertTrue(cloud.delete_object("sdk", "large.bin"))
        self.assertEqual([o.name for o in cloud.list_objects("sdk")], ["notes/hello.txt"])
        self.assertTrue(cloud.delete_object("sdk", "notes/hello.txt"))
        self.assertTrue(cloud.delete_container("sdk"))
        self.assertEqual([c.name for c in cloud.list_containers()], [])


class LibcloudTests(ObjectStorageTestCase):
    def driver(self, version: str = "2.0_apikey") -> Any:
        from libcloud.storage.drivers.cloudfiles import CloudFilesStorageDriver

        return CloudFilesStorageDriver(
            self.tenant,
            "api-key",
            region="ord",
            ex_force_auth_url=f"{self.url}/identity",
            ex_force_auth_version=version,
        )

    def test_create_upload_download_list_delete(self) -> None:
        from libcloud.storage.types import ContainerAlreadyExistsError, ContainerIsNotEmptyError

        driver = self.driver()
        container = driver.create_container("assets")
        self.assertRaises(ContainerAlreadyExistsError, driver.create_container, "assets")
        # libcloud hashes the stream after sending it, so it must seek.
        uploaded = driver.upload_object_via_stream(
            io.BytesIO(b"body { color: red }\n"), container, "css/site.css", extra={"meta_data": {"v": "2"}}
        )
        self.assertEqual(uploaded.hash, md5(b"body { color: red }\n"))
        data = pattern(200_000, seed=5)
        with tempfile.NamedTemporaryFile(suffix=".js") as f:
            f.write(data)
            f.flush()
            driver.upload_object(f.name, container, "js/app.js")

        self.assertEqual([o.name for o in driver.list_container_objects(container)], ["css/site.css", "js/app.js"])
        fetched = driver.get_object("assets", "css/site.css")
        self.assertEqual((fetched.size, fetched.meta_data), (20, {"v": "2"}))
        self.assertEqual(b"".join(driver.download_object_as_stream(fetched)), b"body { color: red }\n")
        app = driver.get_object("assets", "js/app.js")
        self.assertEqual(md5(b"".join(driver.download_object_as_stream(app, chunk_size=65536))), md5(data))
        self.assertEqual(driver.ex_get_meta_data()["object_count"], 2)

        password_driver = self.driver("2.0_password")
        self.assertEqual([c.name for c in password_driver.list_containers()], ["assets"])

        # The CDN management API the catalog lists beside the store.
        self.assertTrue(driver.enable_container_cdn(container, ex_ttl=3600))
        cdn_url = driver.get_container_cdn_url(container)
        self.assertRegex(cdn_url, r"^http://[0-9a-f]{20}-[0-9a-f]{32}\.r\d+\.cf1\.rackcdn\.com$")
        self.assertTrue(driver.get_container_cdn_url(container, ex_ssl_uri=True).startswith("https://"))
        self.assertEqual(driver.get_object_cdn_url(app), f"{cdn_url}/js/app.js")
        self.assertTrue(driver.ex_purge_object_from_cdn(app))

        self.assertRaises(ContainerIsNotEmptyError, driver.delete_container, container)
        self.assertTrue(driver.delete_object(fetched))
        self.assertTrue(driver.delete_object(app))
        self.assertTrue(driver.delete_container(container))
        self.assertEqual(driver.list_containers(), [])


class BadInputTests(ObjectStorageTestCase):
    """
    What Swift refuses, over a real socket: each refusal is Swift's 4xx,
    and nothing of the refused request stays behind.
    """

    def setUp(self) -> None:
        super().setUp()
        self.conn = self.connection()
        storage_url, self.token = self.conn.get_auth()
        self.path = urlparse(storage_url).path
        self.conn.put_container("c")
        self.conn.put_object("c", "existing", b"hello world")

    def names(self) -> list[str]:
        return [o["name"] for o in self.conn.get_container("c")[1]]

    def test_names_over_the_limits(self) -> None:
        error = self.assertClientError(400, self.conn.put_container, "x" * 257)
        self.assertIn(b"longer than 256", error.http_response_content)
        self.conn.put_container("y" * 256)
        error = self.assertClientError(400, self.conn.put_object, "c", "o" * 1025, b"data")
        self.assertIn(b"longer than 1024", error.http_response_content)
        self.conn.put_object("c", "o" * 1024, b"data")
        self.assertEqual(sorted(c["name"] for c in self.conn.get_account()[1]), ["c", "y" * 256])
        self.assertEqual(self.names(), ["existing", "o" * 1024])

    def test_dot_segments_unknown_account_and_no_token(self) -> None:
        for name in ("a/../existing", "%2E%2E/existing", "./x"):
            status, headers, body = self.raw("PUT", f"{self.path}/c/{name}", self.token, b"z")
            self.assertEqual(status, 400, name)
            self.assertIn(b'"." or ".."', body)
            self.assertEqual(headers["content-length"], str(len(body)))
        other = self.path.replace("MossoCloudFS_", "MossoCloudFS_0")
        status, headers, _ = self.raw("GET", f"{other}/c/existing", self.token)
        self.assertEqual(status, 403)
        self.assertTrue(headers["x-trans-id"].startswith("tx"))
        status, _, body = self.raw("GET", f"{self.path}/c/existing", None)
        self.assertEqual(status, 401)
        self.assertIn(b"<h1>Unauthorized</h1>", body)
        self.assertEqual(self.names(), ["existing"])

    def test_bad_ranges(self) -> None:
        error = self.assertClientError(
            416, self.conn.get_object, "c", "existing", headers={"Range": "bytes=100-200"}
        )
        self.assertEqual(error.http_response_headers["content-range"], "bytes */11")
        # A Range Swift cannot parse is ignored: the whole object.
        headers, body = self.conn.get_object("c", "existing", headers={"Range": "bytes=5-2"})
        self.assertEqual((body, headers.get("content-range")), (b"hello world", None))

    def test_a_flood_of_metadata_headers_is_refused(self) -> None:
        flood = {f"X-Object-Meta-Key{i}": "v" * 250 for i in range(2000)}
        response = requests.put(
            f"{self.conn.url}/c/flooded", data=b"x", headers=dict(flood, **{"X-Auth-Token": self.token}), timeout=10
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.names(), ["existing"])

    def test_bad_manifests_and_checksums_leave_nothing(self) -> None:
        put = self.conn.put_object
        manifest = "multipart-manifest=put"
        error = self.assertClientError(400, put, "c", "slo", json.dumps([{"path": "/c/missing"}]), query_string=manifest)
        self.assertIn(b"/c/missing, 404 Not Found", error.http_response_content)
        error = self.assertClientError(400, put, "c", "slo", "not json", query_string=manifest)
        self.assertIn(b"Manifest must be valid JSON", error.http_response_content)
        error = self.assertClientError(
            400, put, "c", "slo", json.dumps([{"path": "/c/existing", "etag": "0" * 32}]), query_string=manifest
        )
        self.assertIn(b"Etag Mismatch", error.http_response_content)
        self.assertClientError(400, put, "c", "slo", json.dumps([{"path": "/c/existing", "size_bytes": 5}]), query_string=manifest)
        self.assertClientError(422, put, "c", "checked", b"data", etag="0" * 32)
        too_much = {f"X-Object-Meta-Key{i}": "v" * 200 for i in range(30)}
        error = self.assertClientError(400, put, "c", "meta", b"data", headers=too_much)
        self.assertIn(b"Total metadata too large", error.http_response_content)
        self.assertEqual(self.names(), ["existing"])

        # The good manifest then works.
        good = json.dumps([{"path": "/c/existing", "etag": md5(b"hello world"), "size_bytes": 11}])
        put("c", "slo", good, query_string=manifest)
        self.assertEqual(self.conn.get_object("c", "slo")[1], b"hello world")
