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


async def serve_and_run(loadgen: ModuleType, spec: dict[str, Any], answers: dict[bytes, bytes]) -> tuple[dict[str, Any], list[bytes]]:
    """
    Run the load generator against a loopback server that answers each
    request line from ``answers`` over keep-alive connections.
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
                    await reader.readexactly(length)
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

    def run_against(self, spec: dict[str, Any], answers: dict[bytes, bytes]) -> tuple[dict[str, Any], list[bytes]]:
        return asyncio.run(serve_and_run(self.loadgen, spec, answers))

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

    def test_row_missing_on_one_side_is_not_available(self) -> None:
        report = {"targets": {"ours": {"rows": {}, "unsupported": {"lb_get": "no load balancers"}}}}
        text = self.run.table(report, 10_000)
        self.assertIn("ours: lb_get not measured: no load balancers", text)


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
