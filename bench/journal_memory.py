"""
The request journal's memory under a flood: a real ``twistd mimic``, its
resident memory (``VmRSS``) read from ``/proc`` after every 10,000 of
100,000 requests (a quarter each: v2 token requests, whose responses
fill the kept body, compute listings, unknown paths, flavor listings).

Usage (from the checkout, with the development virtualenv; Linux)::

    python bench/journal_memory.py [--requests 100000] [twistd mimic options...]

e.g. ``python bench/journal_memory.py --set journal.size=0`` for the
same flood with the journal off.  Past the journal's size, the memory
should grow only by what the flood leaves in the cloud (each token
request stores a token).  This is not a test: nothing in the test suite
runs it.
"""

from __future__ import annotations

import argparse
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from mimic.testing import MimicProcess


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100_000)
    args, mimic_args = parser.parse_known_args()
    with MimicProcess(mimic_args) as mimic:
        assert mimic.url is not None and mimic.process is not None
        parts = urlsplit(mimic.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port)

        def request(method: str, path: str, body: Any = None, token: str | None = None) -> bytes:
            headers = {"Content-Type": "application/json"}
            if token:
                headers["X-Auth-Token"] = token
            connection.request(method, path, json.dumps(body) if body is not None else None, headers)
            return connection.getresponse().read()

        credentials = {"auth": {"passwordCredentials": {"username": "flood", "password": "p"}}}
        access = json.loads(request("POST", "/identity/v2.0/tokens", credentials))["access"]
        token, tenant = access["token"]["id"], access["token"]["tenant"]["id"]
        compute = f"/service/compute/ORD/{tenant}/v2/{tenant}"
        pid = mimic.process.pid
        print(f"{'requests':>9}  RSS MiB   ({' '.join(mimic_args) or 'journal on'})")
        print(f"{0:>9}  {rss_bytes(pid) / 2**20:7.1f}")
        for sent in range(1, args.requests + 1):
            kind = sent % 4
            if kind == 0:
                request("POST", "/identity/v2.0/tokens", credentials)
            elif kind == 1:
                request("GET", compute + "/servers/detail", token=token)
            elif kind == 2:
                request("GET", f"/nowhere/{sent}")
            else:
                request("GET", compute + "/flavors/detail", token=token)
            if sent % 10_000 == 0:
                print(f"{sent:>9}  {rss_bytes(pid) / 2**20:7.1f}", flush=True)


if __name__ == "__main__":
    main()
