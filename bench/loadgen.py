# -*- test-case-name: mimic.test.test_bench -*-
"""
A small, bounded HTTP/1.1 load generator for the benchmark.

It runs as its own process (``bench/run.py`` starts it, pinned to a CPU the
server does not use) so that the client's work does not slow the server
being measured.  It opens ``concurrency`` keep-alive connections to one
loopback address and performs exactly ``warmup + count`` operations, then
prints one JSON object with latency percentiles, throughput and its own
CPU time (so a run where the client was the bottleneck can be spotted).

An *operation* is one or more requests made in order on one connection: a
single GET, or a create followed by a delete of what was created (the id is
taken from the first response's JSON body).  Requests are pre-encoded
bytes; the response parser reads only the status line, Content-Length or
chunked framing and ``Connection: close``, so the client stays cheap.

Only the standard library is used: the script must run under any Python
3.10+, whichever Mimic is being measured.

Input (JSON on stdin)::

    {"host": "127.0.0.1", "port": 8900, "concurrency": 32, "count": 2000,
     "warmup": 100, "collect": false,
     "operations": [[{"method": "GET", "path": "/x/{id}", "headers": {...},
                      "body": null, "expect": [200],
                      "extract": ["server", "id"]}, ...], ...]}

Operations are taken round-robin from ``operations``.  ``{id}`` in a
step's path is replaced by what the previous step extracted.  With
``collect``, extracted ids are returned (to seed servers and learn their
ids).

For object storage a step may give ``"body_size": N`` instead of a
``body``: N bytes (a fixed pattern) are sent, so that a 100 MB upload
does not travel through this JSON.  Request bodies over
:data:`LARGE` are written a slice at a time, waiting for the socket to
drain, and response bodies over it (with nothing to extract) are read
and dropped a slice at a time: the client holds a buffer, not the
object, and copies it once.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

MAX_ERROR_SAMPLES = 5

#: Bodies larger than this are streamed in slices of this size.
LARGE = 1 << 20


class ProtocolError(Exception):
    pass


def pattern(size: int) -> bytes:
    """
    ``size`` bytes of a fixed, not all-alike pattern.
    """
    block = bytes(range(256)) * 4096
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


def encode_request(step: dict[str, Any], host: str, port: int, ident: str | None) -> bytes:
    path = step["path"]
    if ident is not None:
        path = path.replace("{id}", ident)
    body = step.get("body")
    if step.get("body_size") is not None:
        payload = pattern(int(step["body_size"]))
    else:
        payload = b"" if body is None else body.encode("utf-8")
    lines = [f"{step['method']} {path} HTTP/1.1", f"Host: {host}:{port}"]
    for name, value in (step.get("headers") or {}).items():
        lines.append(f"{name}: {value}")
    if payload or step["method"] in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + payload


class Connection:
    """
    One keep-alive connection; reconnects when the server closes it.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)
        self.reconnects += 1

    async def request(self, raw: bytes, method: str, keep_body: bool = True) -> tuple[int, bytes]:
        """
        Send one request and read its response: the status and the body
        (empty when the body was larger than :data:`LARGE` and not
        ``keep_body``: it is read and dropped).
        """
        if self.writer is None:
            await self._connect()
        assert self.reader is not None and self.writer is not None
        if len(raw) <= LARGE:
            self.writer.write(raw)
        else:
            view = memoryview(raw)
            for start in range(0, len(raw), LARGE):
                self.writer.write(view[start : start + LARGE])
                await self.writer.drain()
        reader = self.reader
        head = await reader.readuntil(b"\r\n\r\n")
        try:
            status = int(head[9:12])
        except ValueError:
            raise ProtocolError(f"bad status line {head[:40]!r}")
        lower = head.lower()
        close = b"\r\nconnection: close" in lower
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            end = lower.index(b"\r\n", at + 2)
            length = int(lower[at + 17 : end])
            if length > LARGE and not keep_body:
                await skip(reader, length)
                body = b""
            else:
                body = await reader.readexactly(length)
        elif b"\r\ntransfer-encoding: chunked" in lower:
            chunks = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    # Trailers, if any, end with an empty line.
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                chunks.append((await reader.readexactly(size + 2))[:-2])
            body = b"".join(chunks)
        elif status in (204, 304) or method == "HEAD" or 100 <= status < 200:
            body = b""
        else:
            body = await reader.read()
            close = True
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def skip(reader: asyncio.StreamReader, length: int) -> None:
    """
    Read ``length`` bytes and drop them.
    """
    while length > 0:
        chunk = await reader.read(min(length, LARGE))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", length)
        length -= len(chunk)


def extract(body: bytes, keys: list[Any]) -> str:
    value: Any = json.loads(body)
    for key in keys:
        value = value[key]
    return str(value)


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], spec["port"]
    operations: list[list[dict[str, Any]]] = spec["operations"]
    # Steps without {id} are encoded once, up front.
    encoded = [
        [None if "{id}" in s["path"] else encode_request(s, host, port, None) for s in op]
        for op in operations
    ]
    warmup = int(spec.get("warmup", 0))
    count = int(spec["count"])
    total = warmup + count
    collect = bool(spec.get("collect"))
    latencies: list[int] = []
    collected: list[str] = []
    errors = 0
    samples: list[str] = []
    next_index = 0
    measure_from = [0.0]

    async def worker() -> Connection:
        nonlocal next_index, errors
        connection = Connection(host, port)
        while next_index < total:
            index = next_index
            next_index += 1
            if index == warmup:
                measure_from[0] = time.perf_counter()
            which = index % len(operations)
            ident: str | None = None
            started = time.perf_counter_ns()
            failed = False
            for step, raw in zip(operations[which], encoded[which]):
                if raw is None:
                    if ident is None:
                        failed = True
                        break
                    raw = encode_request(step, host, port, ident)
                try:
                    status, body = await connection.request(raw, step["method"], bool(step.get("extract")))
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError, ValueError) as e:
                    connection.close()
                    failed = True
                    if len(samples) < MAX_ERROR_SAMPLES:
                        samples.append(f"{step['method']} {step['path']}: {e!r}")
                    break
                if status not in step.get("expect", (200,)):
                    failed = True
                    if len(samples) < MAX_ERROR_SAMPLES:
                        samples.append(f"{step['method']} {step['path']}: {status} {body[:300]!r}")
                    break
                if step.get("extract"):
                    try:
                        ident = extract(body, step["extract"])
                    except (ValueError, KeyError, IndexError, TypeError) as e:
                        failed = True
                        if len(samples) < MAX_ERROR_SAMPLES:
                            samples.append(f"cannot extract id: {e!r} from {body[:200]!r}")
                        break
            elapsed = time.perf_counter_ns() - started
            if index >= warmup:
                if failed:
                    errors += 1
                else:
                    latencies.append(elapsed)
                    if collect and ident is not None:
                        collected.append(ident)
        return connection

    cpu_start = time.process_time()
    wall_start = time.perf_counter()
    if warmup == 0:
        measure_from[0] = wall_start
    connections = await asyncio.gather(*(worker() for _ in range(int(spec["concurrency"]))))
    wall = time.perf_counter() - measure_from[0]
    cpu = time.process_time() - cpu_start
    for connection in connections:
        connection.close()
    latencies.sort()

    def percentile(p: float) -> float | None:
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, int(p / 100.0 * len(latencies)))] / 1e6

    result: dict[str, Any] = {
        "operations": len(latencies),
        "errors": errors,
        "error_samples": samples,
        "seconds": wall,
        "throughput": len(latencies) / wall if wall > 0 else None,
        "p50_ms": percentile(50),
        "p90_ms": percentile(90),
        "p99_ms": percentile(99),
        "max_ms": latencies[-1] / 1e6 if latencies else None,
        "mean_ms": sum(latencies) / len(latencies) / 1e6 if latencies else None,
        "client_cpu_seconds": cpu,
        "client_cpu_share": cpu / (time.perf_counter() - wall_start),
        "connections_opened": sum(c.reconnects for c in connections),
    }
    if collect:
        result["collected"] = collected
    return result


def main() -> None:
    spec = json.load(sys.stdin)
    result = asyncio.run(run(spec))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
