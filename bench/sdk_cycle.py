# -*- test-case-name: mimic.test.test_bench -*-
"""
The seed's promise, timed: create servers through openstacksdk, wait for
each to be ACTIVE, delete them and wait for each to be gone.

Run by ``bench/run.py`` in its own process (it needs openstacksdk, which
the server under test does not).  Mimic's clock moves only when told, so
after the creates and after the deletes the script advances it through
``POST /mimic/v1.1/tick`` (the old mimic has the same endpoint), the way a
test suite using Mimic would.  Prints one JSON object: the wall time of the
whole cycle and of each phase.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from typing import Any


def tick(root_url: str, seconds: float) -> None:
    request = urllib.request.Request(
        root_url + "/mimic/v1.1/tick",
        data=json.dumps({"amount": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root-url", required=True)
    parser.add_argument("--username", default="bench-sdk")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--region", default="ORD")
    parser.add_argument("--tick", type=float, default=3600.0)
    args = parser.parse_args()

    import openstack

    openstack.enable_logging(debug=False)
    timings: dict[str, Any] = {}
    started = time.perf_counter()
    conn = openstack.connection.Connection(
        auth_type="v2password",
        auth={
            "auth_url": args.root_url + "/identity/v2.0",
            "username": args.username,
            "password": "secret",
        },
        region_name=args.region,
        identity_api_version="2",
    )
    flavor = min(conn.compute.flavors(), key=lambda f: (f.ram or 0, f.id))
    image = next(iter(conn.compute.images()))
    timings["connect_seconds"] = time.perf_counter() - started

    phase = time.perf_counter()
    servers = [
        conn.compute.create_server(
            name=f"bench-sdk-{i}", image_id=image.id, flavor_id=flavor.id
        )
        for i in range(args.count)
    ]
    timings["create_seconds"] = time.perf_counter() - phase

    phase = time.perf_counter()
    tick(args.root_url, args.tick)
    for server in servers:
        conn.compute.wait_for_server(server, status="ACTIVE", interval=0.05, wait=120)
    timings["wait_active_seconds"] = time.perf_counter() - phase

    phase = time.perf_counter()
    for server in servers:
        conn.compute.delete_server(server)
    timings["delete_seconds"] = time.perf_counter() - phase

    phase = time.perf_counter()
    tick(args.root_url, args.tick)
    for server in servers:
        conn.compute.wait_for_delete(server, interval=0.05, wait=120)
    timings["wait_deleted_seconds"] = time.perf_counter() - phase

    timings["total_seconds"] = time.perf_counter() - started
    timings["servers"] = args.count
    json.dump(timings, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
