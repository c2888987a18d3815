"""
What Mimic keeps after a flood: a real ``twistd mimic``, its resident
memory (``VmRSS``) read from ``/proc`` before and after each flood.

Usage (from the checkout, with the development virtualenv; Linux)::

    python bench/memory_bounds.py [--tokens 100000] [--cycles 20000] [--tenants 20000]

To measure another version of Mimic, put its tree first on the path
(``git archive <ref> | tar -x -C /tmp/other``, then
``PYTHONPATH=/tmp/other python bench/memory_bounds.py``): the server is
started from whichever ``mimic`` package this script imports.

Three floods, each against a fresh Mimic:

* ``--tokens`` token requests (Identity v2), then a tick past their
  expiry and one more request;
* ``--cycles`` server create+delete cycles and as many balancer
  create+delete cycles (a tick of 1 s after each balancer delete, so it
  is DELETED rather than PENDING_DELETE), then one tick of a day;
* ``--tenants`` tokenless requests to the old ``cloudServersBehavior``
  control entry, each for a tenant id nobody authenticated as.

Resident memory is what the operating system sees: Python keeps freed
memory in its own pools, so a flood's growth shows even where the state
was given back; the figure that matters after a bound is whether the
next flood grows it again.  This is not a test: nothing in the test
suite runs it.
"""

from __future__ import annotations

import argparse
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from mimic.testing import MimicProcess

DAY = 24 * 60 * 60


class Client:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Auth-Token"] = token
        data = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, data, headers)
        response = self.connection.getresponse()
        content = response.read()
        return response.status, (json.loads(content) if content else None)


def rss(process: MimicProcess) -> float:
    assert process.process is not None
    with open(f"/proc/{process.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def authenticate(client: Client, username: str) -> tuple[str, dict[str, Any]]:
    body = {"auth": {"passwordCredentials": {"username": username, "password": "p"}}}
    status, access = client.request("POST", "/identity/v2.0/tokens", body)
    assert status == 200, access
    return access["access"]["token"]["id"], access["access"]


def endpoint(access: dict[str, Any], name: str) -> str:
    for entry in access["serviceCatalog"]:
        if entry["name"] == name:
            for found in entry["endpoints"]:
                if found["region"] == "ORD":
                    return urlsplit(found["publicURL"]).path
    raise KeyError(name)


def tokens(count: int) -> None:
    with MimicProcess() as process:
        assert process.url is not None
        client = Client(process.url)
        authenticate(client, "warm-up")
        before = rss(process)
        for _ in range(count):
            authenticate(client, "flood")
        flooded = rss(process)
        client.request("POST", "/mimic/v1.1/tick", {"amount": DAY + 120})
        authenticate(client, "after")
        for _ in range(count):
            authenticate(client, "flood")
        again = rss(process)
    print(f"{count} token requests: +{flooded - before:.1f} MB; past their expiry, "
          f"{count} more: +{again - before:.1f} MB in all")


def cycles(count: int) -> None:
    with MimicProcess() as process:
        assert process.url is not None
        client = Client(process.url)
        token, access = authenticate(client, "cycles")
        servers = endpoint(access, "cloudServersOpenStack") + "/servers"
        balancers = endpoint(access, "cloudLoadBalancers") + "/loadbalancers"
        server = {"server": {"name": "c", "flavorRef": "general1-1",
                             "imageRef": "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c"}}
        balancer = {"loadBalancer": {"name": "c", "protocol": "HTTP", "port": 80,
                                     "virtualIps": [{"type": "PUBLIC"}]}}
        before = rss(process)
        for _ in range(count):
            status, made = client.request("POST", servers, server, token)
            assert status == 202, made
            client.request("DELETE", f"{servers}/{made['server']['id']}", token=token)
            status, made = client.request("POST", balancers, balancer, token)
            assert status == 202, made
            client.request("POST", "/mimic/v1.1/tick", {"amount": 1})
            client.request("DELETE", f"{balancers}/{made['loadBalancer']['id']}", token=token)
            client.request("POST", "/mimic/v1.1/tick", {"amount": 1})
        flooded = rss(process)
        status, state = client.request("GET", "/mimic/v1.1/state")
    held = state["services"]
    compute = held.get("compute", {})
    lb = held.get("loadbalancer", {})
    deleted = sum(r.get("deleted_servers", 0) for t in compute.values() for r in t.values())
    kept = sum(r.get("loadbalancers", 0) for t in lb.values() for r in t.values())
    print(f"{count} server and {count} balancer create+delete cycles: +{flooded - before:.1f} MB, "
          f"{deleted} deleted servers and {kept} balancers kept")


def tenants(count: int) -> None:
    with MimicProcess() as process:
        assert process.url is not None
        client = Client(process.url)
        _, access = authenticate(client, "alice")
        entry = endpoint(access, "cloudServersBehavior")
        tenant = access["token"]["tenant"]["id"]
        before = rss(process)
        for number in range(count):
            path = entry.replace(tenant, str(10**7 + number)) + "/attributes"
            client.request("POST", path, {"status": {}})
        flooded = rss(process)
        status, state = client.request("GET", "/mimic/v1.1/state")
    kept = {t for by_tenant in state["services"].values() for t in by_tenant}
    print(f"{count} tokenless control requests for invented tenants: +{flooded - before:.1f} MB, "
          f"{len(kept)} tenants with state")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--cycles", type=int, default=20_000)
    parser.add_argument("--tenants", type=int, default=20_000)
    options = parser.parse_args()
    if options.tokens:
        tokens(options.tokens)
    if options.cycles:
        cycles(options.cycles)
    if options.tenants:
        tenants(options.tenants)


if __name__ == "__main__":
    main()
