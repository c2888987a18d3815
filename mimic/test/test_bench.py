# -*- test-case-name: mimic.test.test_bench -*-
"""
Tests for the benchmark harness in ``bench/`` (which is not part of the
package, so it is loaded from the checkout by path) and for the server
settings it led to.

The harness itself is never run here: it takes minutes and measures time.
These tests check that its load generator reads HTTP/1.1 responses the way
both Mimics send them and that its report says what it measured.
"""

from __future__ import annotations

import asyncio
import re
import importlib.util
import os
from types import ModuleType
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase
from twisted.web.test.requesthelper import DummyChannel

from mimic.core import MimicCore
from mimic.tap import make_site
from twisted.internet.task import Clock

#: tox tests the installed package from elsewhere and says where the
#: checkout is.
CHECKOUT = os.environ.get("MIMIC_CHECKOUT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
)
BENCH = os.path.join(CHECKOUT, "bench")


def load(name: str) -> ModuleType:
    path = os.path.join(BENCH, name + ".py")
    if not os.path.exists(path):
        raise SkipTest("bench/ is only in a checkout, not in an installed package")
    spec = importlib.util.spec_from_file_location(f"mimic_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHUNKED = (
    b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    b"9\r\n{\"server\"\r\n"
    b"10\r\n: {\"id\": \"s-1\"}}\r\n"
    b"0\r\n\r\n"
)
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
MISSING = b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}"


async def serve_and_run(
    loadgen: ModuleType,
    spec: dict[str, Any],
    answers: dict[bytes, bytes],
    bodies: list[tuple[int, int]] | None = None,
) -> tuple[dict[str, Any], list[bytes]]:
    """
    Run the load generator against a loopback server that answers each
    request line from ``answers`` over keep-alive connections; the size
    and number of distinct bytes of each request body go to ``bodies``.
    """
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0]
                seen.append(line)
                length = 0
                for header in head.split(b"\r\n"):
                    if header.lower().startswith(b"content-length:"):
                        length = int(header.split(b":")[1])
                if length:
                    body = await reader.readexactly(length)
                    if bodies is not None:
                        bodies.append((len(body), len(set(body))))
                method, path = line.split(b" ")[:2]
                writer.write(answers.get(method + b" " + path, MISSING))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            # The client left, or the test is over and the server stops.
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    spec = dict(spec, host="127.0.0.1", port=server.sockets[0].getsockname()[1])
    try:
        result = await loadgen.run(spec)
    finally:
        server.close()
        await server.wait_closed()
    return result, seen


class LoadGeneratorTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.loadgen = load("loadgen")

    def run_against(
        self, spec: dict[str, Any], answers: dict[bytes, bytes], bodies: list[tuple[int, int]] | None = None
    ) -> tuple[dict[str, Any], list[bytes]]:
        return asyncio.run(serve_and_run(self.loadgen, spec, answers, bodies))

    def test_create_then_delete_uses_the_id_from_a_chunked_body(self) -> None:
        """
        The old mimic answers with chunked bodies; the id a create returns
        is what the following delete is sent for, on the same connection.
        """
        spec = {
            "concurrency": 1,
            "count": 2,
            "collect": True,
            "operations": [
                [
                    {"method": "POST", "path": "/servers", "body": "{}", "expect": [202], "extract": ["server", "id"]},
                    {"method": "DELETE", "path": "/servers/{id}", "expect": [204]},
                ]
            ],
        }
        result, seen = self.run_against(spec, {b"POST /servers": CHUNKED, b"DELETE /servers/s-1": NO_CONTENT})
        self.assertEqual((result["operations"], result["errors"]), (2, 0))
        self.assertEqual(result["collected"], ["s-1", "s-1"])
        self.assertEqual(seen, [b"POST /servers HTTP/1.1", b"DELETE /servers/s-1 HTTP/1.1"] * 2)
        self.assertEqual(result["connections_opened"], 1)

    def test_large_bodies_are_sent_from_a_size_and_large_answers_dropped(self) -> None:
        """
        An object-storage step gives ``body_size`` instead of a body: that
        many bytes go up, in slices; a large answer is read and dropped
        (the operation succeeds), a small one kept.
        """
        size = 3 * 2**20 + 5
        big_answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size
        spec = {
            "concurrency": 1,
            "count": 2,
            "operations": [
                [
                    {"method": "PUT", "path": "/c/o", "body_size": size, "expect": [204]},
                    {"method": "GET", "path": "/c/o", "expect": [200]},
                    {"method": "GET", "path": "/small", "expect": [200], "extract": []},
                ]
            ],
        }
        answers = {b"PUT /c/o": NO_CONTENT, b"GET /c/o": big_answer, b"GET /small": OK}
        bodies: list[tuple[int, int]] = []
        result, seen = self.run_against(spec, answers, bodies)
        self.assertEqual((result["operations"], result["errors"]), (2, 0), result["error_samples"])
        self.assertEqual(seen[:3], [b"PUT /c/o HTTP/1.1", b"GET /c/o HTTP/1.1", b"GET /small HTTP/1.1"])
        self.assertEqual(bodies, [(size, 256)] * 2)
        self.assertEqual(result["connections_opened"], 1)

    def test_unexpected_status_counts_as_error_and_is_not_timed(self) -> None:
        spec = {
            "concurrency": 2,
            "count": 10,
            "warmup": 2,
            "operations": [
                [{"method": "GET", "path": "/ok"}],
                [{"method": "GET", "path": "/missing"}],
            ],
        }
        result, seen = self.run_against(spec, {b"GET /ok": OK})
        self.assertEqual(len(seen), 12)
        self.assertEqual(result["operations"] + result["errors"], 10)
        self.assertEqual(result["errors"], 5)
        self.assertIn("404", result["error_samples"][0])
        self.assertIsNotNone(result["p99_ms"])


class ReportTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.run = load("run")

    def test_table_shows_ratio_where_better_is_above_one(self) -> None:
        """
        Throughput ratios are ours/old and time ratios old/ours, so that a
        number above 1 always means this Mimic did better.
        """
        report = {
            "targets": {
                "ours": {"rows": {"startup": {"median_seconds": 0.5}, "token_c1": {"throughput": 900.0, "p50_ms": 1.0, "p99_ms": 2.0}}},
                "old": {"rows": {"startup": {"median_seconds": 1.0}, "token_c1": {"throughput": 300.0, "p50_ms": 3.0, "p99_ms": 4.0}}},
            }
        }
        text = self.run.table(report, 10_000)
        startup = next(line for line in text.splitlines() if line.startswith("start-up"))
        token = next(line for line in text.splitlines() if line.startswith("v2 token request, c=1 "))
        self.assertIn("2.00x", startup)
        self.assertIn("3.00x", token)

    def test_object_rows_in_mib_per_second_beside_bare_twisted(self) -> None:
        """
        A large-object row is shown in MiB/s beside the bare twisted.web
        server's, with their ratio; the memory row per stored byte.
        """
        mib = 2**20
        report = {
            "targets": {
                "ours": {
                    "rows": {
                        "object_get_1k_c1": {"throughput": 1500.0, "p50_ms": 0.6, "p99_ms": 1.0},
                        "object_get_big": {
                            "throughput": 2.0,
                            "body_bytes": 100 * mib,
                            "rss_peak_growth_bytes": 0,
                            "server_cpu_ms_per_op": 250.0,
                        },
                        "object_memory": {
                            "stored_bytes": 1024 * mib,
                            "rss_before_bytes": 100 * mib,
                            "rss_stored_bytes": 1124 * mib,
                            "rss_growth_per_byte": 1.0,
                            "put_peak_growth_per_byte": 1.5,
                            "put_spool_peak_bytes": 1024 * mib,
                            "put_seconds": 4.0,
                            "get_peak_growth_bytes": 0,
                            "get_seconds": 2.0,
                            "rss_after_delete_bytes": 100 * mib,
                        },
                    }
                }
            },
            "bare": {"rows": {"bare_get_bytes": {"throughput": 4.0, "body_bytes": 100 * mib, "server_cpu_ms_per_op": 100.0}}},
        }
        lines = self.run.table(report, 10_000).splitlines()
        small = next(line for line in lines if line.startswith("GET 1 KiB object, c=1 "))
        self.assertIn("1500", small)
        whole = next(line for line in lines if line.startswith("GET (bare: whole body"))
        self.assertEqual(re.split(r"\s{2,}", whole)[1:], ["200", "400", "0.50", "400", "1000", "0", "n/a"])
        growth = next(line for line in lines if "RSS growth per stored byte" in line)
        self.assertEqual(growth.split()[-1], "1.00")
        put = next(line for line in lines if line.strip().startswith("PUT (MiB/s)"))
        self.assertEqual(put.split()[-1], "256")

    def test_row_missing_on_one_side_is_not_available(self) -> None:
        report = {"targets": {"ours": {"rows": {}, "unsupported": {"lb_get": "no load balancers"}}}}
        text = self.run.table(report, 10_000)
        self.assertIn("ours: lb_get not measured: no load balancers", text)


class BareServerTests(SynchronousTestCase):
    """
    ``bench/bare.py``, the physical limit of the large-object rows, sends
    and takes the bytes it says.
    """

    def setUp(self) -> None:
        self.bare = load("bare")
        self.site = self.bare.site(300_000)

    def render(self, method: bytes, path: bytes, body: bytes = b"") -> Any:
        import io

        from twisted.web.test.requesthelper import DummyRequest

        request = DummyRequest([path])
        request.method = method
        request.content = io.BytesIO(body)
        resource = self.site.resource.getChildWithDefault(path, request)
        result = resource.render(request)
        return request, result

    def test_get_bytes_sends_the_pattern(self) -> None:
        request, result = self.render(b"GET", b"bytes")
        self.assertEqual(result, self.bare.pattern(300_000))
        self.assertEqual(len(set(result)), 256)

    def test_get_producer_streams_the_same_bytes(self) -> None:
        from twisted.web.server import NOT_DONE_YET

        # The dummy request pulls the producer until it is done.
        request, result = self.render(b"GET", b"producer")
        self.assertIs(result, NOT_DONE_YET)
        self.assertEqual(b"".join(request.written), self.bare.pattern(300_000))

    def test_put_stream_keeps_the_body_without_a_temporary_file(self) -> None:
        """
        ``/stream`` is given a :class:`Preallocated` body by its request
        factory, filled as chunks arrive, MD5 included.
        """
        import hashlib

        from twisted.web.test.requesthelper import DummyChannel

        channel = DummyChannel()
        channel._path = b"/stream"
        channel.site = self.site
        request = self.site.requestFactory(channel)
        request.gotLength(10)
        request.handleContentChunk(b"hello")
        request.handleContentChunk(b"world")
        self.assertIsInstance(request.content, self.bare.Preallocated)
        self.assertEqual(request.content.buffer, bytearray(b"helloworld"))
        self.assertEqual(request.content.md5.hexdigest(), hashlib.md5(b"helloworld").hexdigest())
        request.process = lambda: None
        request.requestReceived(b"PUT", b"/stream", b"HTTP/1.1")
        resource = self.site.resource.getChildWithDefault(b"stream", request)
        resource.render(request)
        self.assertEqual(request.code, 201)
        self.assertEqual(resource.kept, bytearray(b"helloworld"))

    def test_put_md5_answers_the_etag(self) -> None:
        import hashlib

        request, _ = self.render(b"PUT", b"md5", b"hello")
        self.assertEqual(request.responseCode, 201)
        self.assertEqual(
            request.responseHeaders.getRawHeaders(b"etag"), [hashlib.md5(b"hello").hexdigest().encode()]
        )


class SiteTests(SynchronousTestCase):
    def test_post_bodies_are_not_parsed_as_forms(self) -> None:
        """
        Mimic's APIs take JSON; a form-encoded POST body is left for the
        service to read (and refuse) instead of being parsed into query
        arguments on every request.
        """
        site = make_site(MimicCore.create(Clock(), plugins=[]))
        channel = DummyChannel()
        channel.site = site
        request = site.requestFactory(channel)
        request.requestHeaders.setRawHeaders(b"content-type", [b"application/x-www-form-urlencoded"])
        request.gotLength(5)
        request.handleContentChunk(b"a=b&c")
        request.process = lambda: None
        request.requestReceived(b"POST", b"/x?q=1", b"HTTP/1.1")
        self.assertEqual(request.args, {b"q": [b"1"]})
        self.assertEqual(request.content.read(), b"a=b&c")


class EncodingTests(SynchronousTestCase):
    """
    Response bodies are encoded by a faster encoder the benchmark led to;
    what clients receive must still be valid JSON in UTF-8.
    """

    def test_non_ascii_text_is_sent_as_utf8(self) -> None:
        from mimic.http import encode_json

        encoded = encode_json({"name": "caf\u00e9 \u2603"})
        self.assertEqual(encoded, '{"name":"caf\u00e9 \u2603"}'.encode("utf-8"))

    def test_lone_surrogate_is_sent_escaped(self) -> None:
        """
        A client can send ``"\\ud800"`` (valid JSON, no UTF-8 form); echoing
        it back must not fail the request.
        """
        import json

        from mimic.http import encode_json

        body = json.loads('{"name": "a\\ud800b"}')
        encoded = encode_json(body)
        self.assertEqual(encoded, b'{"name":"a\\ud800b"}')
        self.assertEqual(json.loads(encoded), body)
