"""
What the request journal costs a request, measured where nothing else
interferes: one Mimic's site in this process, fed whole HTTP requests
through an in-memory transport (no sockets, no client), with the
journal switched on and off between small batches of the same requests,
so that whatever else the machine is doing weighs on both alike.

Usage (from the checkout, with the development virtualenv)::

    python bench/journal_cost.py [--batches 100] [--batch 20]

It prints, per kind of request, the server's CPU time per request with
the journal on and off (each the quickest batch's) and their ratio (throughput on / off, the figure
``bench/run.py --journal-off`` measures over real sockets on a quiet
machine).  This is not a test: nothing in the test suite runs it.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, Callable

from twisted.internet.address import IPv4Address
from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport

from mimic.core import MimicCore
from mimic.tap import make_site


class Wire:
    """
    One keep-alive connection to a site, in memory.
    """

    def __init__(self, site: Any) -> None:
        self.protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
        self.protocol.callLater = Clock().callLater
        self.transport = StringTransport()
        self.protocol.makeConnection(self.transport)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, bytes]:
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", "Host: mimic.bench", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        if token:
            head.append(f"X-Auth-Token: {token}")
        self.protocol.dataReceived(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        response = self.transport.value()
        self.transport.clear()
        status = int(response.split(b" ", 2)[1])
        head_bytes, content = response.split(b"\r\n\r\n", 1)
        if b"transfer-encoding: chunked" in head_bytes.lower():
            chunks = []
            while content:
                length_line, rest = content.split(b"\r\n", 1)
                length = int(length_line, 16)
                chunks.append(rest[:length])
                content = rest[length + 2:]
            content = b"".join(chunks)
        return status, content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--body-limit", help="the journal.body_limit setting (default: its default)")
    args = parser.parse_args()

    clock = Clock()
    clock.advance(1_700_000_000)
    settings = {"journal.body_limit": args.body_limit} if args.body_limit else {}
    core = MimicCore.create(clock, settings=settings)
    wire = Wire(make_site(core))
    size = core.journal.size

    credentials = {"auth": {"passwordCredentials": {"username": "bench", "password": "p"}}}
    status, body = wire.request("POST", "/identity/v2.0/tokens", credentials)
    access = json.loads(body)["access"]
    token, tenant = access["token"]["id"], access["token"]["tenant"]["id"]
    compute = f"/service/compute/ORD/{tenant}/v2/{tenant}"
    wire.request("PUT", f"{compute}/os-quota-sets/{tenant}", {"quota_set": {"instances": -1}}, token)
    _, body = wire.request("GET", f"/service/image/ORD/{tenant}/v2/images", None, token)
    image = json.loads(body)["images"][0]["id"]
    server_body = {"server": {"name": "bench", "imageRef": image, "flavorRef": "general1-1"}}
    ids = []
    for _ in range(100):
        status, body = wire.request("POST", f"{compute}/servers", server_body, token)
        assert status == 202, body
        ids.append(json.loads(body)["server"]["id"])

    def create_delete() -> None:
        status, body = wire.request("POST", f"{compute}/servers", server_body, token)
        wire.request("DELETE", f"{compute}/servers/{json.loads(body)['server']['id']}", None, token)

    kinds: dict[str, Callable[[], Any]] = {
        "v2 token request": lambda: wire.request("POST", "/identity/v2.0/tokens", credentials),
        "get server": lambda: wire.request("GET", f"{compute}/servers/{ids[7]}", None, token),
        "list servers detail (100)": lambda: wire.request("GET", f"{compute}/servers/detail", None, token),
        "create + delete server": create_delete,
        "unknown path (404)": lambda: wire.request("GET", "/nowhere"),
    }
    print(f"{'request':<28} {'on ms':>8} {'off ms':>8} {'on/off throughput':>18}")
    for label, send in kinds.items():
        timings: dict[bool, list[float]] = {True: [], False: []}
        for batch in range(args.batches):
            for on in (batch % 2 == 0, batch % 2 == 1):
                core.journal.size = size if on else 0
                started = time.process_time()
                for _ in range(args.batch):
                    send()
                timings[on].append((time.process_time() - started) / args.batch)
        # The quickest batch of each: the one least disturbed by whatever
        # else the machine was doing.
        on_ms = min(timings[True]) * 1000
        off_ms = min(timings[False]) * 1000
        print(f"{label:<28} {on_ms:>8.3f} {off_ms:>8.3f} {off_ms / on_ms:>18.3f}")
    core.journal.size = size


if __name__ == "__main__":
    main()
