# -*- test-case-name: mimic.test.test_bench -*-
"""
Benchmark this Mimic beside the old one (``mimic==2.2.0``), in one run.

Usage (from the checkout, with the development virtualenv)::

    python bench/run.py --old-twistd /tmp/oldmimic/bin/twistd

For each Mimic it measures start-up (process start to the first
successful token request, median of several starts), then starts one
server and measures throughput and latency at concurrency 1 and 32 for
token requests, get server, a page of a 1,000-server listing,
create+delete server and load-balancer get; get-server latency with 10
and with 10,000 servers; resident memory per 10,000 servers; and a
100-server create -> ACTIVE -> delete cycle through openstacksdk.

Object storage (``cloudFiles``): GET and PUT + DELETE of a 1 KiB object
and listings of a 10,000-object container (whole, ``delimiter=/``,
``prefix`` + ``delimiter``) at concurrency 1 and 32; GET and PUT of a
100 MiB object in MiB/s, beside ``bench/bare.py`` (a bare twisted.web
site sending and taking the same bytes: the physical limit here); and
the RSS one 1 GiB object costs, stored, while uploaded and downloaded.

Every server listens on 127.0.0.1 only.  The server is pinned to one CPU
and the load generator (``bench/loadgen.py``, a separate process with
keep-alive connections) to another, when the machine has two.  Request
counts are bounded; a full run takes a few minutes.  It prints a table
with ratios and writes everything to ``bench/results/<timestamp>.json``.

This is not a test: nothing in the test suite runs it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LOADGEN = os.path.join(HERE, "loadgen.py")
SDK_CYCLE = os.path.join(HERE, "sdk_cycle.py")
SERVE = os.path.join(HERE, "serve.py")
BARE = os.path.join(HERE, "bare.py")
DEFAULT_OLD_TWISTD = "/tmp/oldmimic/bin/twistd"

COMPUTE = ("compute", "cloudServersOpenStack")
LOAD_BALANCER = ("rax:load-balancer", "cloudLoadBalancers")
OBJECT_STORE = ("object-store", "cloudFiles")
BLOCK_STORAGE = ("volumev3", "cloudBlockStorage")
NETWORK = ("network", "cloudNetworks")
MiB = 2**20
REGION = "ORD"


class Unsupported(Exception):
    """
    The Mimic under test cannot do what a row needs (no such service, an
    unexpected answer): the row is reported as not available.
    """


# --------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpus() -> tuple[set[int] | None, set[int] | None]:
    """
    The CPU for the server and the CPUs for the load generator, when there
    are enough to keep them apart.
    """
    try:
        available = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return None, None
    if len(available) < 2:
        return None, None
    return {available[0]}, set(available[1:])


def pin(pid: int, cpu_set: set[int] | None) -> None:
    if cpu_set:
        try:
            os.sched_setaffinity(pid, cpu_set)
        except OSError:
            pass


def rss_bytes(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """
    User plus system CPU time the process has used so far.
    """
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def spooled_bytes(pid: int) -> int:
    """
    The bytes of the deleted (anonymous temporary) files the process has
    open: where Twisted spools a large request body.
    """
    total = 0
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in descriptors:
        try:
            if not os.readlink(f"/proc/{pid}/fd/{fd}").endswith("(deleted)"):
                continue
            total += os.stat(f"/proc/{pid}/fd/{fd}").st_size
        except OSError:
            continue
    return total


class Sampler:
    """
    A thread that reads a process's RSS (and its spooled temporary files)
    every few milliseconds while a measurement runs, for their peaks.
    """

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.pid = pid
        self.interval = interval
        self.before = rss_bytes(pid) or 0
        self.peak_rss = self.before
        self.peak_spool = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = rss_bytes(self.pid)
            if rss is not None:
                self.peak_rss = max(self.peak_rss, rss)
            self.peak_spool = max(self.peak_spool, spooled_bytes(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    def peaks(self) -> dict[str, int]:
        return {"rss_peak_growth_bytes": self.peak_rss - self.before, "spool_peak_bytes": self.peak_spool}


class Target:
    """
    One Mimic to measure: how to start it.
    """

    def __init__(self, label: str, command: Callable[[int], list[str]], env: dict[str, str]) -> None:
        self.label = label
        self.command = command
        self.env = env

    def start(self, port: int, server_cpus: set[int] | None, workdir: str) -> subprocess.Popen[bytes]:
        log = open(os.path.join(workdir, f"{self.label}-{port}.log"), "wb")
        process = subprocess.Popen(
            self.command(port),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=workdir,
            start_new_session=True,
        )
        log.close()
        pin(process.pid, server_cpus)
        return process


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def snapshot(ref: str, workdir: str) -> str:
    """
    A copy of this repository's tree at ``ref`` (e.g. HEAD), so that a run
    measures committed code while the working tree is being edited.
    """
    destination = os.path.join(workdir, "source")
    os.makedirs(destination)
    archive = subprocess.run(["git", "-C", REPO, "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", destination], input=archive, check=True)
    return destination


def ours(
    python: str, source: str, profile: str | None = None, label: str = "ours", mimic_args: tuple[str, ...] = ()
) -> Target:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [source, env.get("PYTHONPATH", "")] if p)
    options = ["--profile", profile] if profile else []
    return Target(
        label,
        lambda port: [python, SERVE, *options,
                      "--nodaemon", "--pidfile=", "mimic", "--listen", f"tcp:{port}:interface=127.0.0.1",
                      *mimic_args],
        env,
    )


#: The label of this Mimic with its request journal off (``--journal-off``).
JOURNAL_OFF = "ours-journal-off"


def journal_table(report: dict[str, Any]) -> str:
    """
    Throughput with the request journal on (the default) beside the same
    rows with it off (``--set journal.size=0``): what recording costs.
    """
    on = report["targets"].get("ours", {}).get("rows", {})
    off = report["targets"].get(JOURNAL_OFF, {}).get("rows", {})
    lines = [["throughput (ops/s)", "journal on", "journal off", "on/off"]]
    for key, label in THROUGHPUT_ROWS:
        for concurrency in (1, 32):
            a = on.get(f"{key}_c{concurrency}", {}).get("throughput")
            b = off.get(f"{key}_c{concurrency}", {}).get("throughput")
            if a is not None and b is not None:
                lines.append([f"{label}, c={concurrency}", fmt(a, ".0f"), fmt(b, ".0f"), f"{a / b:.3f}"])
    if len(lines) == 1:
        return ""
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line))
        for line in lines
    )


def old(twistd: str) -> Target:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return Target(
        "old",
        lambda port: [twistd, "--nodaemon", "--pidfile=", "mimic", "-l", f"tcp:{port}:interface=127.0.0.1"],
        env,
    )


# --------------------------------------------------------------------------
# A plain HTTP client for setting up (not measured)


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["X-Auth-Token"] = token
        for attempt in range(2):
            try:
                self.connection.request(method, path, data, headers)
                response = self.connection.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException) as e:
                self.connection.close()
                # Twisted closes a keep-alive connection idle for a
                # minute (while a long row ran): ask again, once, on a
                # new one.
                idle_closed = isinstance(e, (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError))
                if attempt or not idle_closed or method == "POST":
                    raise
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw

    def close(self) -> None:
        self.connection.close()


def token_body(username: str, password: str = "secret") -> dict[str, Any]:
    return {"auth": {"passwordCredentials": {"username": username, "password": password}}}


#: Identity's administrator as Mimic configures it by default: quota
#: changes (Cinder's) need an administrator.
ADMIN = ("admin", "password")


class Account:
    """
    A user's token and the paths (below the server's root) of the
    services the benchmark uses, read from its catalog.
    """

    def __init__(self, client: Client, username: str, password: str = "secret") -> None:
        status, body = client.request("POST", "/identity/v2.0/tokens", token_body(username, password))
        if status != 200:
            raise Unsupported(f"token request for {username} answered {status}")
        access = body["access"]
        self.username = username
        self.token: str = access["token"]["id"]
        self.tenant_id: str = access["token"]["tenant"]["id"]
        self.catalog = access["serviceCatalog"]

    def path(self, kind: tuple[str, str]) -> str:
        service_type, name = kind
        for entry in self.catalog:
            if entry.get("type") == service_type and entry.get("name") == name:
                for endpoint in entry["endpoints"]:
                    if endpoint.get("region") == REGION:
                        return urlsplit(endpoint["publicURL"]).path.rstrip("/")
        raise Unsupported(f"no {name} ({service_type}) in {REGION} in the catalog")

    def headers(self, body: bool = False) -> dict[str, str]:
        headers = {"X-Auth-Token": self.token, "Accept": "application/json"}
        if body:
            headers["Content-Type"] = "application/json"
        return headers


def wait_for_token(port: int, process: subprocess.Popen[bytes], timeout: float) -> float:
    """
    Seconds from now until a token request succeeds.
    """
    started = time.perf_counter()
    body = json.dumps(token_body("bench-startup")).encode()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(
                "POST", "/identity/v2.0/tokens", body, {"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"no token within {timeout} s")


# --------------------------------------------------------------------------
# Load


def step(
    method: str,
    path: str,
    account: Account,
    body: Any = None,
    expect: tuple[int, ...] = (200,),
    extract: list[Any] | None = None,
) -> dict[str, Any]:
    return {
        "method": method,
        "path": path,
        "headers": account.headers(body is not None),
        "body": None if body is None else json.dumps(body),
        "expect": list(expect),
        "extract": extract,
    }


class Runner:
    def __init__(self, port: int, pid: int, client_cpus: set[int] | None, python: str) -> None:
        self.port = port
        self.pid = pid
        self.client_cpus = client_cpus
        self.python = python

    def load(
        self,
        operations: list[list[dict[str, Any]]],
        concurrency: int,
        count: int,
        warmup: int = 0,
        collect: bool = False,
    ) -> dict[str, Any]:
        spec = {
            "host": "127.0.0.1",
            "port": self.port,
            "concurrency": concurrency,
            "count": count,
            "warmup": warmup,
            "collect": collect,
            "operations": operations,
        }
        server_cpu = cpu_seconds(self.pid)
        process = subprocess.Popen(
            [self.python, LOADGEN],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        pin(process.pid, self.client_cpus)
        out, err = process.communicate(json.dumps(spec).encode(), timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"load generator failed: {err.decode()[-2000:]}")
        result = json.loads(out)
        after = cpu_seconds(self.pid)
        if server_cpu is not None and after is not None and result["operations"]:
            result["server_cpu_ms_per_op"] = (after - server_cpu) * 1000 / (
                result["operations"] + result["errors"] + warmup
            )
        result["concurrency"] = concurrency
        return result

    def repeat(self, operations: list[list[dict[str, Any]]], concurrency: int, count: int,
               warmup: int = 0, times: int = 3) -> dict[str, Any]:
        return median_run([self.load(operations, concurrency, count, warmup) for _ in range(max(1, times))])


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """
    The run with the median throughput, with every run's throughput and
    p50 beside it: one noisy run (the machine is shared) does not make a
    row.
    """
    ordered = sorted(runs, key=lambda r: r.get("throughput") or 0.0)
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs"] = [{"throughput": r.get("throughput"), "p50_ms": r.get("p50_ms")} for r in runs]
    return chosen


def measured(result: dict[str, Any]) -> dict[str, Any]:
    """
    A load result as a row, or Unsupported if every operation failed.
    """
    if not result["operations"]:
        raise Unsupported("every request failed: " + "; ".join(result["error_samples"][:2]))
    result.pop("collected", None)
    return result


def object_step(
    method: str,
    path: str,
    account: Account,
    size: int | None = None,
    expect: tuple[int, ...] = (200,),
    accept: str | None = None,
) -> dict[str, Any]:
    """
    A Swift request: the token, and for an upload ``size`` bytes of
    ``application/octet-stream`` (the load generator makes them).
    """
    headers = {"X-Auth-Token": account.token}
    if accept:
        headers["Accept"] = accept
    step: dict[str, Any] = {"method": method, "path": path, "headers": headers, "body": None, "expect": list(expect)}
    if size is not None:
        headers["Content-Type"] = "application/octet-stream"
        step["body_size"] = size
    return step


def listing_names(index: int) -> str:
    """
    The name of the ``index``-th of the listing rows' objects: 100
    pseudo-directories of 100 objects each, as a client storing files in
    folders makes them.
    """
    return f"d{index % 100:02d}/photo-{index:05d}.jpg"


def stream_put(port: int, path: str, token: str, size: int) -> tuple[int, float]:
    """
    PUT ``size`` bytes a MiB at a time (the client never holds the
    object): the status and the seconds it took.
    """
    block = bytes(range(256)) * 4096
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        connection.putrequest("PUT", path)
        connection.putheader("X-Auth-Token", token)
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(size))
        connection.endheaders()
        left = size
        while left > 0:
            connection.send(block[: min(left, len(block))])
            left -= len(block)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def stream_get(port: int, path: str, token: str) -> tuple[int, int, float]:
    """
    GET a body and drop it a MiB at a time: the status, the bytes and the
    seconds it took.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"X-Auth-Token": token})
        response = connection.getresponse()
        received = 0
        while True:
            chunk = response.read(MiB)
            if not chunk:
                break
            received += len(chunk)
        return response.status, received, time.perf_counter() - started
    finally:
        connection.close()


def lift_quota(client: Client, account: Account, compute: str) -> None:
    """
    Ask for unlimited compute quotas, as an admin would with Nova's
    ``os-quota-sets`` API, so that a tenant can hold thousands of servers
    (Rackspace's default quota is 100).  A Mimic without quotas (the old
    one answers 404) is left as it is; seeding then reports the quota
    error if there is one.
    """
    unlimited = {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}
    client.request("PUT", f"{compute}/os-quota-sets/{account.tenant_id}", unlimited, token=account.token)


def seed_servers(
    runner: Runner, account: Account, compute: str, count: int, image: str, flavor: str
) -> list[str]:
    body = {"server": {"name": "bench", "imageRef": image, "flavorRef": flavor}}
    create = step("POST", compute + "/servers", account, body, (202,), ["server", "id"])
    result = runner.load([[create]], concurrency=8, count=count, collect=True)
    if result["errors"]:
        raise Unsupported("creating servers failed: " + "; ".join(result["error_samples"][:2]))
    return result["collected"]


def image_and_flavor(client: Client, account: Account, compute: str) -> tuple[str, str]:
    """
    Ids of an image and a flavor the compute service knows.
    """
    status, body = client.request("GET", f"{compute}/images", token=account.token)
    if status != 200 or not body.get("images"):
        raise Unsupported(f"GET images answered {status}")
    image = str(body["images"][0]["id"])
    status, body = client.request("GET", f"{compute}/flavors/detail", token=account.token)
    if status != 200 or not body.get("flavors"):
        raise Unsupported(f"GET flavors/detail answered {status}")
    # The smallest flavor, so that RAM quotas allow the most servers.
    flavor = min(body["flavors"], key=lambda f: (f.get("ram") or 0, str(f["id"])))
    return image, str(flavor["id"])


def page_markers(client: Client, account: Account, compute: str, page_size: int) -> list[str | None]:
    """
    The marker of every page of the server listing (None for the first
    page), by walking it as a client does.
    """
    markers: list[str | None] = [None]
    while True:
        marker = markers[-1]
        query = f"?limit={page_size}" + (f"&marker={marker}" if marker else "")
        status, body = client.request("GET", f"{compute}/servers/detail{query}", token=account.token)
        if status != 200:
            raise Unsupported(f"listing servers answered {status}")
        servers = body["servers"]
        if len(servers) < page_size:
            break
        markers.append(servers[-1]["id"])
        if len(markers) > 10_000:
            raise Unsupported("the listing does not end")
    if markers[-1] is not None and len(servers) == 0:
        markers.pop()
    return markers


# --------------------------------------------------------------------------
# Rows

#: (row key, label, concurrency) of each throughput row, in table order.
THROUGHPUT_ROWS = [
    ("token", "v2 token request"),
    ("get_server", "get server (1,000 servers)"),
    ("list_servers", "list servers detail, page of 100 of 1,000"),
    ("create_delete", "create + delete server"),
    ("attach_detach", "attach + detach volume"),
    ("create_delete_networks", "create + delete server on PublicNet + ServiceNet, named"),
    ("lb_get", "load-balancer get"),
    ("object_get_1k", "GET 1 KiB object"),
    ("object_put_delete_1k", "PUT + DELETE 1 KiB object"),
    ("object_list_all", "list 10,000 objects (one page, JSON)"),
    ("object_list_delimiter", "list 10,000 objects, delimiter=/ (100 subdirs)"),
    ("object_list_prefix", "list 10,000 objects, prefix=d42/ delimiter=/ (100)"),
    ("volume_create_delete", "create + delete volume"),
    ("port_create_delete", "create + delete port"),
    ("port_list_filter", "list ports of one device, of 1,000 ports"),
]


ROW_GROUPS = [
    "startup", "token", "compute", "create_delete", "attach_detach", "lb_get",
    "objects", "big_objects", "object_memory", "sdk_cycle", "scaling", "volumes", "network",
    "snapshot",
]


class Counts:
    def __init__(self, scale: float) -> None:
        self.scale = scale

    def __call__(self, n: int) -> int:
        return max(10, int(n * self.scale))


def measure_target(
    target: Target,
    args: argparse.Namespace,
    workdir: str,
    server_cpus: set[int] | None,
    client_cpus: set[int] | None,
    log: Callable[[str], None],
) -> dict[str, Any]:
    results: dict[str, Any] = {"rows": {}, "unsupported": {}}
    rows = results["rows"]
    n = Counts(args.scale)

    # Start-up: a fresh process each time.
    times = []
    idle = []
    for _ in range(args.startup_runs if "startup" in args.rows else 0):
        port = free_port()
        process = target.start(port, server_cpus, workdir)
        try:
            times.append(wait_for_token(port, process, timeout=60))
            idle.append(rss_bytes(process.pid))
        finally:
            stop(process)
    if times:
        rows["startup"] = {"median_seconds": statistics.median(times), "runs": times}
        rows["idle_rss"] = {"bytes": statistics.median([r for r in idle if r] or [0])}
        log(f"  start-up median {statistics.median(times):.3f} s")

    port = free_port()
    process = target.start(port, server_cpus, workdir)
    try:
        wait_for_token(port, process, timeout=60)
        runner = Runner(port, process.pid, client_cpus, args.python)
        client = Client(port)

        def attempt(key: str, label: str, work: Callable[[], Any]) -> None:
            if key not in args.rows:
                return
            log(f"  {label}")
            started = time.perf_counter()
            try:
                work()
            except Unsupported as e:
                results["unsupported"][key] = str(e)
                log(f"    not available: {e}")
            except (OSError, http.client.HTTPException, KeyError, TypeError, ValueError) as e:
                results["unsupported"][key] = f"{type(e).__name__}: {e}"
                log(f"    failed: {e!r}")
            log(f"    ({time.perf_counter() - started:.1f} s)")

        def token_rows() -> None:
            operation = [
                {
                    "method": "POST",
                    "path": "/identity/v2.0/tokens",
                    "headers": {"Content-Type": "application/json", "Accept": "application/json"},
                    "body": json.dumps(token_body("bench-token")),
                    "expect": [200],
                }
            ]
            for concurrency, count in ((1, n(500)), (32, n(1500))):
                rows[f"token_c{concurrency}"] = measured(
                    runner.repeat([operation], concurrency, count, warmup=n(50), times=args.repeat)
                )

        attempt("token", "token requests", token_rows)

        state: dict[str, Any] = {}

        def compute_rows() -> None:
            account = Account(client, "bench-compute")
            compute = account.path(COMPUTE)
            image, flavor = image_and_flavor(client, account, compute)
            state.update(compute=compute, image=image, flavor=flavor)
            lift_quota(client, account, compute)
            ids = seed_servers(runner, account, compute, 1000, image, flavor)
            sample = random.Random(7).sample(ids, min(200, len(ids)))
            gets = [[step("GET", f"{compute}/servers/{i}", account)] for i in sample]
            for concurrency, count in ((1, n(1000)), (32, n(3000))):
                rows[f"get_server_c{concurrency}"] = measured(
                    runner.repeat(gets, concurrency, count, warmup=n(50), times=args.repeat)
                )
            markers = page_markers(client, account, compute, 100)
            pages = [
                [step("GET", f"{compute}/servers/detail?limit=100" + (f"&marker={m}" if m else ""), account)]
                for m in markers
            ]
            results["list_pages"] = len(markers)
            for concurrency, count in ((1, n(200)), (32, n(600))):
                rows[f"list_servers_c{concurrency}"] = measured(
                    runner.repeat(pages, concurrency, count, warmup=n(20), times=args.repeat)
                )

        attempt("compute", "compute: get and list with 1,000 servers", compute_rows)

        def create_delete_rows() -> None:
            if "compute" not in state:
                raise Unsupported("no compute service")
            account = Account(client, "bench-create-delete")
            compute = account.path(COMPUTE)
            lift_quota(client, account, compute)
            body = {"server": {"name": "bench", "imageRef": state["image"], "flavorRef": state["flavor"]}}
            operation = [
                step("POST", compute + "/servers", account, body, (202,), ["server", "id"]),
                step("DELETE", compute + "/servers/{id}", account, None, (204,)),
            ]
            for concurrency, count in ((1, n(500)), (32, n(1500))):
                rows[f"create_delete_c{concurrency}"] = measured(
                    runner.repeat([operation], concurrency, count, warmup=n(20), times=args.repeat)
                )

        attempt("create_delete", "compute: create + delete", create_delete_rows)

        def attach_detach_rows() -> None:
            # Sequential only: a volume attaches to one server at a time,
            # and Cinder's default quota allows a handful of volumes.
            account = Account(client, "bench-attach-detach")
            compute = account.path(COMPUTE)
            image, flavor = image_and_flavor(client, account, compute)
            servers = seed_servers(runner, account, compute, 8, image, flavor)
            create = step("POST", compute + "/os-volumes", account, {"volume": {"size": 1}}, (200,), ["volume", "id"])
            made = runner.load([[create]], 1, len(servers), collect=True)
            if made["errors"] or len(made["collected"]) < len(servers):
                raise Unsupported("no volumes through os-volumes: " + "; ".join(made["error_samples"][:2]))
            attachments = f"{compute}/servers/{{}}/os-volume_attachments"
            operations = [
                [
                    step("POST", attachments.format(server), account, {"volumeAttachment": {"volumeId": volume}}),
                    step("DELETE", attachments.format(server) + f"/{volume}", account, None, (202,)),
                ]
                for server, volume in zip(servers, made["collected"])
            ]
            rows["attach_detach_c1"] = measured(
                runner.repeat(operations, 1, n(500), warmup=n(20), times=args.repeat)
            )

        attempt("attach_detach", "compute: attach + detach volume", attach_detach_rows)

        def create_delete_networks_rows() -> None:
            # The same, with the two networks named in the request: the
            # ports made in the network service, against the row above.
            if "compute" not in state:
                raise Unsupported("no compute service")
            account = Account(client, "bench-create-networks")
            compute = account.path(COMPUTE)
            lift_quota(client, account, compute)
            networks = [{"uuid": "00000000-0000-0000-0000-000000000000"},
                        {"uuid": "11111111-1111-1111-1111-111111111111"}]
            body = {"server": {"name": "bench", "imageRef": state["image"], "flavorRef": state["flavor"],
                               "networks": networks}}
            operation = [
                step("POST", compute + "/servers", account, body, (202,), ["server", "id"]),
                step("DELETE", compute + "/servers/{id}", account, None, (204,)),
            ]
            for concurrency, count in ((1, n(500)), (32, n(1500))):
                rows[f"create_delete_networks_c{concurrency}"] = measured(
                    runner.repeat([operation], concurrency, count, warmup=n(20), times=args.repeat)
                )

        attempt("create_delete", "compute: create + delete on two named networks", create_delete_networks_rows)

        def lb_rows() -> None:
            account = Account(client, "bench-lb")
            lbs = account.path(LOAD_BALANCER)
            body = {
                "loadBalancer": {
                    "name": "bench",
                    "port": 80,
                    "protocol": "HTTP",
                    "virtualIps": [{"type": "PUBLIC"}],
                }
            }
            create = step("POST", lbs + "/loadbalancers", account, body, (202,), ["loadBalancer", "id"])
            created = runner.load([[create]], 1, 10, collect=True)
            if created["errors"] or not created["collected"]:
                raise Unsupported("creating load balancers failed: " + "; ".join(created["error_samples"][:2]))
            gets = [[step("GET", f"{lbs}/loadbalancers/{i}", account)] for i in created["collected"]]
            for concurrency, count in ((1, n(1000)), (32, n(3000))):
                rows[f"lb_get_c{concurrency}"] = measured(
                    runner.repeat(gets, concurrency, count, warmup=n(50), times=args.repeat)
                )

        attempt("lb_get", "load balancers: get", lb_rows)

        def sdk_row() -> None:
            if "compute" not in state:
                raise Unsupported("no compute service")
            server_cpu = cpu_seconds(process.pid)
            started = time.perf_counter()
            done = subprocess.run(
                [args.python, SDK_CYCLE, "--root-url", f"http://127.0.0.1:{port}", "--count", str(args.sdk_servers)],
                capture_output=True,
                timeout=600,
            )
            wall = time.perf_counter() - started
            if done.returncode != 0:
                raise Unsupported("openstacksdk cycle failed: " + done.stderr.decode()[-600:])
            timings = json.loads(done.stdout.decode().strip().splitlines()[-1])
            timings["process_seconds"] = wall
            after = cpu_seconds(process.pid)
            if server_cpu is not None and after is not None:
                # How much of the cycle the server was busy: the rest is
                # the client library and Python starting.
                timings["server_cpu_seconds"] = after - server_cpu
            rows["sdk_cycle"] = timings

        def object_rows() -> None:
            """
            Object storage with small bodies: GET of a 1 KiB object, PUT
            + DELETE of one, and listings of a container of 10,000
            objects in 100 pseudo-directories: the whole (one page of
            10,000, JSON), its top level with ``delimiter=/`` (100
            ``subdir`` entries for 10,000 names), and one directory with
            ``prefix=d42/&delimiter=/`` (100 objects).
            """
            account = Account(client, "bench-objects")
            store = account.path(OBJECT_STORE)
            for container in ("small", "listing"):
                status, _ = client.request("PUT", f"{store}/{container}", token=account.token)
                if status not in (201, 202):
                    raise Unsupported(f"creating a container answered {status}")
            one = object_step("PUT", f"{store}/small/one-kb", account, 1024, (201,))
            if runner.load([[one]], 1, 1)["errors"]:
                raise Unsupported("uploading a 1 KiB object failed")
            get = [[object_step("GET", f"{store}/small/one-kb", account)]]
            for concurrency, count in ((1, n(1000)), (32, n(3000))):
                rows[f"object_get_1k_c{concurrency}"] = measured(
                    runner.repeat(get, concurrency, count, warmup=n(50), times=args.repeat)
                )
            # Distinct names, so that no two connections PUT and DELETE
            # the same object at once.
            put_delete = [
                [
                    object_step("PUT", f"{store}/small/pd-{i:04d}", account, 1024, (201,)),
                    object_step("DELETE", f"{store}/small/pd-{i:04d}", account, None, (204,)),
                ]
                for i in range(1000)
            ]
            for concurrency, count in ((1, n(1000)), (32, n(3000))):
                rows[f"object_put_delete_1k_c{concurrency}"] = measured(
                    runner.repeat(put_delete, concurrency, count, warmup=n(50), times=args.repeat)
                )
            seed = [
                [object_step("PUT", f"{store}/listing/{listing_names(i)}", account, 100, (201,))]
                for i in range(10_000)
            ]
            seeded = runner.load(seed, 8, len(seed))
            if seeded["errors"]:
                raise Unsupported("seeding 10,000 objects failed: " + "; ".join(seeded["error_samples"][:2]))
            results["object_listing_seed_seconds"] = seeded["seconds"]
            # Query, entries, and requests at c=1 and c=32 (fewer for
            # the listings that walk all 10,000 names).
            listings = {
                "object_list_all": ("", 10_000, 50, 100),
                "object_list_delimiter": ("?delimiter=/", 100, 200, 400),
                "object_list_prefix": ("?prefix=d42/&delimiter=/", 100, 500, 1500),
            }
            for key, (query, entries, c1, c32) in listings.items():
                path = f"{store}/listing{query}"
                status, body = client.request("GET", path, token=account.token)
                if status != 200 or not isinstance(body, list) or len(body) != entries:
                    got = len(body) if isinstance(body, list) else body
                    raise Unsupported(f"GET {query or 'listing'} answered {status} with {got!r} entries, not {entries}")
                step_ = [[object_step("GET", path, account, accept="application/json")]]
                for concurrency, count in ((1, n(c1)), (32, n(c32))):
                    rows[f"{key}_c{concurrency}"] = measured(
                        runner.repeat(step_, concurrency, count, warmup=n(10), times=args.repeat)
                    )

        attempt("objects", "object storage: 1 KiB objects, listings of 10,000", object_rows)

        def big_object_rows() -> None:
            """
            GET and PUT (+ DELETE) of one large object at concurrency 1:
            MiB/s, server CPU, and the server's peak RSS growth and spooled
            temporary file during the run.
            """
            size = args.big_object_mib * MiB
            account = Account(client, "bench-big-objects")
            store = account.path(OBJECT_STORE)
            status, _ = client.request("PUT", f"{store}/big", token=account.token)
            if status not in (201, 202):
                raise Unsupported(f"creating a container answered {status}")
            status, _ = stream_put(port, f"{store}/big/download", account.token, size)
            if status != 201:
                raise Unsupported(f"uploading {args.big_object_mib} MiB answered {status}")
            count = max(3, int(10 * args.scale))
            get = [[object_step("GET", f"{store}/big/download", account)]]
            # Each PUT replaces the previous one, which is then freed.  (A
            # PUT + DELETE would measure the same, but Mimic keeps what
            # was deleted for listings that lag, bytes and all, so that
            # every cycle would leave 100 MiB behind.)
            put = [[object_step("PUT", f"{store}/big/upload", account, size, (201,))]]
            for key, operations in (("object_get_big", get), ("object_put_big", put)):
                with Sampler(process.pid) as sampler:
                    row = measured(runner.repeat(operations, 1, count, warmup=1, times=args.repeat))
                row.update(sampler.peaks())
                row["body_bytes"] = size
                rows[key] = row
            for name in ("download", "upload"):
                client.request("DELETE", f"{store}/big/{name}", token=account.token)

        attempt("big_objects", f"object storage: {args.big_object_mib} MiB GET and PUT", big_object_rows)

        def object_memory_row() -> None:
            """
            RSS after storing one object of ``--memory-mib`` (1 GiB),
            streamed up a MiB at a time: growth per stored byte once it
            is stored, the peak while it was uploaded (and the temporary
            file the body was spooled to), the peak while it is
            downloaded, and what its DELETE gives back.
            """
            size = args.memory_mib * MiB
            account = Account(client, "bench-memory")
            store = account.path(OBJECT_STORE)
            status, _ = client.request("PUT", f"{store}/memory", token=account.token)
            if status not in (201, 202):
                raise Unsupported(f"creating a container answered {status}")
            time.sleep(0.5)
            before = rss_bytes(process.pid) or 0
            cpu_before = cpu_seconds(process.pid) or 0.0
            with Sampler(process.pid) as put_sampler:
                status, put_seconds = stream_put(port, f"{store}/memory/one", account.token, size)
            put_cpu = (cpu_seconds(process.pid) or 0.0) - cpu_before
            if status != 201:
                raise Unsupported(f"storing {args.memory_mib} MiB answered {status}")
            time.sleep(0.5)
            stored = rss_bytes(process.pid) or 0
            with Sampler(process.pid) as get_sampler:
                status, received, get_seconds = stream_get(port, f"{store}/memory/one", account.token)
            if status != 200 or received != size:
                raise Unsupported(f"reading {args.memory_mib} MiB back answered {status} with {received} bytes")
            status, _ = client.request("DELETE", f"{store}/memory/one", token=account.token)
            time.sleep(0.5)
            deleted = rss_bytes(process.pid) or 0
            rows["object_memory"] = {
                "stored_bytes": size,
                "rss_before_bytes": before,
                "rss_stored_bytes": stored,
                "rss_growth_per_byte": (stored - before) / size,
                "put_peak_growth_per_byte": (put_sampler.peak_rss - before) / size,
                "put_spool_peak_bytes": put_sampler.peak_spool,
                "put_seconds": put_seconds,
                "put_server_cpu_seconds": put_cpu,
                "get_peak_growth_bytes": get_sampler.peak_rss - stored,
                "get_seconds": get_seconds,
                "rss_after_delete_bytes": deleted,
                "delete_status": status,
            }

        attempt("object_memory", f"object storage: RSS storing {args.memory_mib} MiB", object_memory_row)

        def volume_rows() -> None:
            """
            Block storage: create + delete of a 1 GB volume (the volume
            is available at once with the default timings), and the RSS
            each of 2,000 volumes costs.
            """
            account = Account(client, *ADMIN)
            volumes = account.path(BLOCK_STORAGE)
            tenant = volumes.rstrip("/").rsplit("/", 1)[1]
            status, _ = client.request(
                "PUT", f"{volumes}/os-quota-sets/{tenant}", {"quota_set": {"volumes": -1, "gigabytes": -1}},
                token=account.token,
            )
            if status != 200:
                raise Unsupported(f"lifting the volume quota answered {status}")
            body = {"volume": {"size": 1, "name": "bench"}}
            operation = [
                step("POST", volumes + "/volumes", account, body, (202,), ["volume", "id"]),
                step("DELETE", volumes + "/volumes/{id}", account, None, (202,)),
            ]
            for concurrency, count in ((1, n(500)), (32, n(1500))):
                rows[f"volume_create_delete_c{concurrency}"] = measured(
                    runner.repeat([operation], concurrency, count, warmup=n(20), times=args.repeat)
                )
            keep, kept = account, volumes
            time.sleep(0.5)
            before = rss_bytes(process.pid) or 0
            create = [[step("POST", kept + "/volumes", keep, body, (202,))]]
            made = runner.load(create, 8, 2000)
            if made["errors"]:
                raise Unsupported("creating volumes failed: " + "; ".join(made["error_samples"][:2]))
            time.sleep(0.5)
            after = rss_bytes(process.pid) or 0
            rows["volume_memory"] = {"volumes": 2000, "rss_growth_per_volume_bytes": (after - before) / 2000}

        attempt("volumes", "block storage: create + delete, memory per volume", volume_rows)

        attempt("sdk_cycle", f"openstacksdk {args.sdk_servers}-server cycle", sdk_row)

        def network_rows() -> None:
            """
            Neutron: create + delete of a port on a tenant network, the
            listing of one device's ports (``?device_id=``) among 1,000,
            and the memory each port costs (RSS growth over 10,000 ports
            on PublicNet, where compute puts its servers).
            """
            account = Account(client, "bench-network")
            # Made now: a token is a POST, which is not asked again on a
            # new connection after the rows below leave this one idle.
            memory = Account(client, "bench-network-memory")
            neutron = account.path(NETWORK) + "/v2.0"
            # Neutron's quotas are the administrator's to change, by project id.
            admin = Account(client, *ADMIN)
            admin_neutron = admin.path(NETWORK) + "/v2.0"
            status, _ = client.request(
                "PUT", f"{admin_neutron}/quotas/{account.tenant_id}", {"quota": {"port": -1}}, token=admin.token
            )
            if status != 200:
                raise Unsupported(f"lifting the port quota answered {status}")
            status, body = client.request("POST", f"{neutron}/networks", {"network": {"name": "bench"}}, token=account.token)
            if status != 201:
                raise Unsupported(f"creating a network answered {status}")
            network = body["network"]["id"]
            subnet = {"subnet": {"network_id": network, "cidr": "10.64.0.0/16", "ip_version": 4}}
            status, _ = client.request("POST", f"{neutron}/subnets", subnet, token=account.token)
            if status != 201:
                raise Unsupported(f"creating a subnet answered {status}")
            create_delete = [
                step("POST", f"{neutron}/ports", account, {"port": {"network_id": network}}, (201,), ["port", "id"]),
                step("DELETE", f"{neutron}/ports/{{id}}", account, None, (204,)),
            ]
            for concurrency, count in ((1, n(1000)), (32, n(3000))):
                rows[f"port_create_delete_c{concurrency}"] = measured(
                    runner.repeat([create_delete], concurrency, count, warmup=n(50), times=args.repeat)
                )
            seed = [
                [step("POST", f"{neutron}/ports", account,
                      {"port": {"network_id": network, "device_id": f"device-{i:04d}"}}, (201,))]
                for i in range(1000)
            ]
            seeded = runner.load(seed, 8, len(seed))
            if seeded["errors"]:
                raise Unsupported("seeding 1,000 ports failed: " + "; ".join(seeded["error_samples"][:2]))
            listing = [[step("GET", f"{neutron}/ports?device_id=device-{i:04d}", account)] for i in range(0, 1000, 7)]
            for concurrency, count in ((1, n(1000)), (32, n(3000))):
                rows[f"port_list_filter_c{concurrency}"] = measured(
                    runner.repeat(listing, concurrency, count, warmup=n(50), times=args.repeat)
                )
            count = 10_000
            memory_neutron = memory.path(NETWORK) + "/v2.0"
            client.request("PUT", f"{admin_neutron}/quotas/{memory.tenant_id}", {"quota": {"port": -1}}, token=admin.token)
            public = {"port": {"network_id": "00000000-0000-0000-0000-000000000000", "device_id": "server"}}
            warm = runner.load([[step("POST", f"{memory_neutron}/ports", memory, public, (201,))]], 1, 100)
            time.sleep(0.5)
            before = rss_bytes(process.pid) or 0
            made = runner.load([[step("POST", f"{memory_neutron}/ports", memory, public, (201,))]], 8, count)
            time.sleep(0.5)
            after = rss_bytes(process.pid) or 0
            if made["errors"] or warm["errors"]:
                raise Unsupported("seeding ports on PublicNet failed: " + "; ".join(made["error_samples"][:2]))
            rows["port_memory"] = {"ports": count, "bytes_per_port": (after - before) / count}

        attempt("network", "network: port create + delete, filtered listing, memory per port", network_rows)

        def scaling_rows() -> None:
            """
            Get-server latency in a tenant with 10 servers and in one with
            ``--big`` servers.  The small tenant is measured again after
            the big one is seeded, so that both numbers come from the same
            process state and differ only by the tenant's size.
            """
            if "compute" not in state:
                raise Unsupported("no compute service")
            image, flavor = state["image"], state["flavor"]
            gets = {}
            for size in (10, args.big):
                account = Account(client, f"bench-scale-{size}")
                path = account.path(COMPUTE)
                lift_quota(client, account, path)
                before = rss_bytes(process.pid)
                seeding = time.perf_counter()
                ids = seed_servers(runner, account, path, size, image, flavor)
                seconds = time.perf_counter() - seeding
                after = rss_bytes(process.pid)
                sample = random.Random(11).sample(ids, min(200, len(ids)))
                gets[size] = [[step("GET", f"{path}/servers/{i}", account)] for i in sample]
                row = measured(runner.repeat(gets[size], 1, n(2000), warmup=n(100), times=args.repeat))
                row["seed_seconds"] = seconds
                row["rss_growth_bytes"] = (after or 0) - (before or 0)
                rows[f"scaling_get_{size}" if size != 10 else "scaling_get_10_before"] = row
            rows["scaling_get_10"] = measured(runner.repeat(gets[10], 1, n(2000), warmup=n(100), times=args.repeat))

        attempt("scaling", f"scaling: get with 10 and {args.big:,} servers", scaling_rows)

        def snapshot_rows() -> None:
            """
            Taking and restoring a named snapshot of everything the
            process holds by now (run after the other rows: the
            ``--big``-server tenant, the 10,000-object container...).
            Alone (``--rows snapshot``) it first makes ``--big`` servers
            and 10,000 small objects itself.
            """
            if "scaling" not in args.rows:
                account = Account(client, "bench-snapshot")
                compute = account.path(COMPUTE)
                lift_quota(client, account, compute)
                image, flavor = image_and_flavor(client, account, compute)
                seed_servers(runner, account, compute, args.big, image, flavor)
            if "objects" not in args.rows:
                account = Account(client, "bench-snapshot-objects")
                store = account.path(OBJECT_STORE)
                client.request("PUT", f"{store}/listing", token=account.token)
                seed = [
                    [object_step("PUT", f"{store}/listing/{listing_names(i)}", account, 100, (201,))]
                    for i in range(10_000)
                ]
                runner.load(seed, 8, len(seed))
            # The seeding may have left this connection idle past Mimic's
            # timeout, and a POST is not asked again: a new one.
            client.close()
            status, dump = client.request("GET", "/mimic/v1.1/state")
            held: dict[str, int] = {}
            for by_tenant in (dump or {}).get("services", {}).values():
                for by_region in by_tenant.values():
                    for summary in by_region.values():
                        for key in ("servers", "objects", "loadbalancers", "volumes", "ports"):
                            value = summary.get(key) if isinstance(summary, dict) else None
                            count = len(value) if isinstance(value, (list, dict)) else value
                            if isinstance(count, int):
                                held[key] = held.get(key, 0) + count
            # All the takes first: a restore drops the states of services
            # that cannot save theirs, which a later take would then lack.
            takes, restores, taken, restored = [], [], None, None
            for _ in range(5):
                started = time.perf_counter()
                status, taken = client.request("POST", "/mimic/v1.1/snapshots", {"name": "bench", "replace": True})
                takes.append(time.perf_counter() - started)
                if status != 201:
                    raise Unsupported(f"taking a snapshot answered {status}")
            for _ in range(5):
                started = time.perf_counter()
                status, restored = client.request("POST", "/mimic/v1.1/snapshots/bench/restore")
                restores.append(time.perf_counter() - started)
                if status != 200:
                    raise Unsupported(f"restoring a snapshot answered {status}: {restored}")
            rows["snapshot"] = {
                "take_ms": statistics.median(takes) * 1000,
                "restore_ms": statistics.median(restores) * 1000,
                "size_bytes": taken["snapshot"]["size"],
                "held": held,
                "dropped": restored["dropped"],
            }

        attempt("snapshot", "snapshots: take and restore everything held", snapshot_rows)
        results["final_rss"] = rss_bytes(process.pid)
        client.close()
    finally:
        stop(process)
    return results


def measure_bare(
    args: argparse.Namespace,
    workdir: str,
    server_cpus: set[int] | None,
    client_cpus: set[int] | None,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """
    The physical limit of the large-object rows: ``bench/bare.py``, a
    bare twisted.web site, pinned and driven as Mimic is, sending and
    taking the same bytes.
    """
    size = args.big_object_mib * MiB
    port = free_port()
    log_file = open(os.path.join(workdir, f"bare-{port}.log"), "wb")
    process = subprocess.Popen(
        [args.python, BARE, str(port), str(size)], stdout=log_file, stderr=subprocess.STDOUT,
        cwd=workdir, start_new_session=True,
    )
    log_file.close()
    pin(process.pid, server_cpus)
    rows: dict[str, Any] = {}
    results: dict[str, Any] = {"rows": rows, "unsupported": {}}
    try:
        deadline = time.perf_counter() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.perf_counter() > deadline:
                    raise RuntimeError("bench/bare.py did not start")
                time.sleep(0.05)
        runner = Runner(port, process.pid, client_cpus, args.python)
        count = max(3, int(10 * args.scale))

        def step_(method: str, path: str, size: int | None = None, expect: int = 200) -> dict[str, Any]:
            step: dict[str, Any] = {"method": method, "path": path, "headers": {}, "body": None, "expect": [expect]}
            if size is not None:
                step["headers"] = {"Content-Type": "application/octet-stream"}
                step["body_size"] = size
            return step

        measurements = {
            "bare_get_bytes": [[step_("GET", "/bytes")]],
            "bare_get_producer": [[step_("GET", "/producer")]],
            "bare_put_sink": [[step_("PUT", "/sink", size, 201)]],
            "bare_put_md5": [[step_("PUT", "/md5", size, 201)]],
            "bare_put_stream": [[step_("PUT", "/stream", size, 201)]],
        }
        log(f"bare twisted.web, {args.big_object_mib} MiB:")
        for key, operations in measurements.items():
            with Sampler(process.pid) as sampler:
                row = measured(runner.repeat(operations, 1, count, warmup=1, times=args.repeat))
            row.update(sampler.peaks())
            row["body_bytes"] = size
            rows[key] = row
            log(f"  {key}: {mib_per_second(row):.0f} MiB/s")
    finally:
        stop(process)
    return results


# --------------------------------------------------------------------------
# Report


def mib_per_second(row: dict[str, Any]) -> float | None:
    """
    A large-body row's operations per second as MiB of body per second.
    """
    if not row or not row.get("throughput") or not row.get("body_bytes"):
        return None
    return row["throughput"] * row["body_bytes"] / MiB


def mib_per_cpu_second(row: dict[str, Any]) -> float | None:
    """
    MiB of body per second of the server's CPU: what the server could
    reach with a CPU of its own, the figure a busy machine moves least.
    """
    if not row or not row.get("server_cpu_ms_per_op") or not row.get("body_bytes"):
        return None
    return row["body_bytes"] / MiB / (row["server_cpu_ms_per_op"] / 1000)


def object_table(report: dict[str, Any]) -> str:
    """
    The large-object and memory rows: this Mimic's MiB/s beside a bare
    twisted.web site's on the same machine (the physical limit), and
    what storing one large object costs in memory.
    """
    ours = report["targets"].get("ours", {}).get("rows", {})
    bare = report.get("bare", {}).get("rows", {})
    lines: list[list[str]] = []
    if any(key in ours for key in ("object_get_big", "object_put_big")) or bare:
        first: dict[str, Any] = ours.get("object_get_big") or ours.get("object_put_big") or next(iter(bare.values()), {})
        size = first.get("body_bytes", 0)
        lines.append([f"{size / MiB:.0f} MiB object, c=1", "ours MiB/s", "bare MiB/s", "ours/bare",
                      "ours MiB/cpu-s", "bare MiB/cpu-s", "ours peak RSS +MiB", "spooled MiB"])
        for label, key, bare_key in (
            ("GET (bare: whole body at once)", "object_get_big", "bare_get_bytes"),
            ("GET (bare: Twisted's static producer)", "object_get_big", "bare_get_producer"),
            ("PUT, replacing (bare: read the body back)", "object_put_big", "bare_put_sink"),
            ("PUT, replacing (bare: read back + MD5)", "object_put_big", "bare_put_md5"),
            ("PUT, replacing (bare: no temp file, MD5)", "object_put_big", "bare_put_stream"),
        ):
            o, b = ours.get(key, {}), bare.get(bare_key, {})
            a, c = mib_per_second(o), mib_per_second(b)
            lines.append([
                label, fmt(a, ".0f"), fmt(c, ".0f"), "n/a" if not a or not c else f"{a / c:.2f}",
                fmt(mib_per_cpu_second(o), ".0f"), fmt(mib_per_cpu_second(b), ".0f"),
                fmt(None if "rss_peak_growth_bytes" not in o else o["rss_peak_growth_bytes"] / MiB, ".0f"),
                fmt(None if "spool_peak_bytes" not in o else o["spool_peak_bytes"] / MiB, ".0f"),
            ])
    memory = ours.get("object_memory")
    if memory:
        stored = memory["stored_bytes"]
        if lines:
            lines.append([""] * 8)
        lines.append([f"one {stored / MiB:,.0f} MiB object stored", "ours", "", "", "", "", "", ""])
        for label, value, spec in (
            ("RSS growth per stored byte (ideal: 1)", memory["rss_growth_per_byte"], ".2f"),
            ("peak RSS growth per byte during its PUT", memory["put_peak_growth_per_byte"], ".2f"),
            ("temporary file during its PUT (MiB)", memory["put_spool_peak_bytes"] / MiB, ".0f"),
            ("PUT (MiB/s)", stored / MiB / memory["put_seconds"], ".0f"),
            ("peak RSS growth during its GET (MiB)", memory["get_peak_growth_bytes"] / MiB, ".0f"),
            ("GET (MiB/s)", stored / MiB / memory["get_seconds"], ".0f"),
            ("RSS after DELETE - before PUT (MiB)",
             (memory["rss_after_delete_bytes"] - memory["rss_before_bytes"]) / MiB, ".0f"),
        ):
            lines.append(["  " + label, fmt(value, spec), "", "", "", "", "", ""])
    if not lines:
        return ""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for index, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def gain(ours: float | None, old: float | None, higher_is_better: bool = True) -> str:
    """
    How many times better this Mimic did: ours/old for rates, old/ours for
    times and sizes.  Above 1 means this Mimic did better.
    """
    if not ours or not old:
        return "n/a"
    return f"{(ours / old) if higher_is_better else (old / ours):.2f}x"


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def table(report: dict[str, Any], big: int) -> str:
    """
    The report as a text table: one line per measurement, both Mimics
    side by side, and the gain (above 1: this Mimic did better).
    """
    ours = report["targets"].get("ours", {}).get("rows", {})
    old = report["targets"].get("old", {}).get("rows", {})
    lines: list[list[str]] = [
        ["measurement", "ours", "old", "gain", "ours p50/p99 ms", "old p50/p99 ms", "ours cpu ms/op"],
    ]

    def get(rows: dict[str, Any], key: str, field: str) -> float | None:
        return rows.get(key, {}).get(field)

    def single(label: str, key: str, field: str, spec: str, scale: float = 1.0, higher_is_better: bool = False) -> None:
        a, b = get(ours, key, field), get(old, key, field)
        a = None if a is None else a * scale
        b = None if b is None else b * scale
        lines.append([label, fmt(a, spec), fmt(b, spec), gain(a, b, higher_is_better), "", "", ""])

    def latency(row: dict[str, Any]) -> str:
        return f"{fmt(row.get('p50_ms'), '.2f')} / {fmt(row.get('p99_ms'), '.2f')}"

    single("start-up to first token (s)", "startup", "median_seconds", ".3f")
    single("idle RSS (MB)", "idle_rss", "bytes", ".1f", 1 / 2**20)
    for key, label in THROUGHPUT_ROWS:
        for concurrency in (1, 32):
            row = f"{key}_c{concurrency}"
            o, p = ours.get(row, {}), old.get(row, {})
            lines.append(
                [
                    f"{label}, c={concurrency} (ops/s)",
                    fmt(o.get("throughput"), ".0f"),
                    fmt(p.get("throughput"), ".0f"),
                    gain(o.get("throughput"), p.get("throughput")),
                    latency(o),
                    latency(p),
                    fmt(o.get("server_cpu_ms_per_op"), ".3f"),
                ]
            )
    for size in (10, big):
        row = f"scaling_get_{size}"
        o, p = ours.get(row, {}), old.get(row, {})
        lines.append(
            [
                f"get server p50, {size:,} servers (ms)",
                fmt(o.get("p50_ms"), ".3f"),
                fmt(p.get("p50_ms"), ".3f"),
                gain(o.get("p50_ms"), p.get("p50_ms"), higher_is_better=False),
                latency(o),
                latency(p),
                fmt(o.get("server_cpu_ms_per_op"), ".3f"),
            ]
        )

    def growth(rows: dict[str, Any]) -> str:
        small, large = get(rows, "scaling_get_10", "p50_ms"), get(rows, f"scaling_get_{big}", "p50_ms")
        return "n/a" if not small or not large else f"{large / small:.2f}"

    lines.append([f"  p50 at {big:,} / p50 at 10 (flat: 1)", growth(ours), growth(old), "", "", "", ""])
    single("RSS per 10,000 servers (MB)", f"scaling_get_{big}", "rss_growth_bytes", ".1f", 10_000 / big / 2**20)
    single(f"create {big:,} servers, c=8 (s)", f"scaling_get_{big}", "seed_seconds", ".1f")
    single("RSS per volume (KB)", "volume_memory", "rss_growth_per_volume_bytes", ".1f", 1 / 1024)
    single("RSS per port, 10,000 on PublicNet (bytes)", "port_memory", "bytes_per_port", ".0f")
    snapshot = ours.get("snapshot", {})
    if snapshot:
        held = ", ".join(f"{v:,} {k}" for k, v in sorted(snapshot.get("held", {}).items()))
        single(f"snapshot take, holding {held or 'nothing'} (ms)", "snapshot", "take_ms", ".0f")
        single("snapshot restore (ms)", "snapshot", "restore_ms", ".0f")
        single("snapshot size (MB)", "snapshot", "size_bytes", ".1f", 1 / 2**20)
        if snapshot.get("dropped"):
            lines.append(["  dropped on restore: " + ", ".join(snapshot["dropped"]), "", "", "", "", "", ""])
    servers = get(ours, "sdk_cycle", "servers") or get(old, "sdk_cycle", "servers") or 100
    single(f"openstacksdk {servers:.0f}-server cycle (s)", "sdk_cycle", "total_seconds", ".2f")

    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for index, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    notes = []
    for label, target in report["targets"].items():
        for key, why in target.get("unsupported", {}).items():
            notes.append(f"{label}: {key} not measured: {why}")
        for key, row in target.get("rows", {}).items():
            if row.get("errors"):
                notes.append(f"{label}: {key}: {row['errors']} failed operations: {row['error_samples'][:1]}")
            if row.get("client_cpu_share", 0) > 0.8:
                notes.append(
                    f"{label}: {key}: the load generator used {row['client_cpu_share']:.0%} of a CPU; "
                    "the client may have been the bottleneck"
                )
    objects = object_table(report)
    journal = journal_table(report)
    return "\n".join(
        out + ([""] + [objects] if objects else []) + ([""] + [journal] if journal else []) + [""] + notes
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-twistd", default=os.environ.get("MIMIC_OLD_TWISTD", DEFAULT_OLD_TWISTD),
                        help="twistd of a virtualenv with mimic==2.2.0 (default %(default)s); "
                        "'' to measure this Mimic only")
    parser.add_argument("--python", default=sys.executable,
                        help="Python with this Mimic's dependencies and openstacksdk (default: this one)")
    parser.add_argument("--ours-ref", help="measure this git ref (e.g. HEAD) of this repository "
                        "instead of the working tree")
    parser.add_argument("--only", choices=["ours", "old"], help="measure one Mimic only")
    parser.add_argument("--rows", nargs="+", choices=ROW_GROUPS, default=ROW_GROUPS,
                        help="measure only these groups of rows")
    parser.add_argument("--profile", action="store_true",
                        help="run this Mimic's measured server under cProfile and save the stats "
                        "in bench/results/ (its numbers are then not comparable)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each load measurement; the median-throughput run is reported")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply request counts (0.1 for a quick look)")
    parser.add_argument("--big", type=int, default=10_000, help="servers in the large scaling tenant")
    parser.add_argument("--sdk-servers", type=int, default=100)
    parser.add_argument("--big-object-mib", type=int, default=100,
                        help="MiB of the large object GET and PUT rows (and of bench/bare.py's body)")
    parser.add_argument("--memory-mib", type=int, default=1024,
                        help="MiB of the object whose memory cost is measured")
    parser.add_argument("--journal-off", action="store_true",
                        help="measure this Mimic a second time with its request journal off "
                        "(--set journal.size=0) and show what recording costs")
    parser.add_argument("--output", help="JSON file (default bench/results/<time>.json)")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="mimic-bench-")
    source = REPO if args.ours_ref is None else snapshot(args.ours_ref, workdir)
    targets = []
    if args.only != "old":
        profile = None
        if args.profile:
            profile = os.path.join(HERE, "results", time.strftime("%Y%m%dT%H%M%S") + "-ours.prof")
            os.makedirs(os.path.dirname(profile), exist_ok=True)
        targets.append(ours(args.python, source, profile))
        if args.journal_off:
            targets.append(ours(args.python, source, None, JOURNAL_OFF, ("--set", "journal.size=0")))
    if args.only != "ours":
        if args.old_twistd and os.path.exists(args.old_twistd):
            targets.append(old(args.old_twistd))
        else:
            print(f"old mimic not found at {args.old_twistd!r}; measuring this Mimic only", file=sys.stderr)

    server_cpus, client_cpus = cpus()
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version,
        "cpus": os.cpu_count(),
        "server_cpus": sorted(server_cpus) if server_cpus else None,
        "client_cpus": sorted(client_cpus) if client_cpus else None,
        "scale": args.scale,
        "ours_source": args.ours_ref or "working tree",
        "targets": {},
    }

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    began = time.perf_counter()
    try:
        for target in targets:
            log(f"{target.label}:")
            report["targets"][target.label] = measure_target(target, args, workdir, server_cpus, client_cpus, log)
        if "big_objects" in args.rows and args.only != "old":
            report["bare"] = measure_bare(args, workdir, server_cpus, client_cpus, log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["seconds"] = time.perf_counter() - began

    output = args.output or os.path.join(HERE, "results", time.strftime("%Y%m%dT%H%M%S") + ".json")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w") as f:
        json.dump(report, f, indent=2)
    print(table(report, args.big))
    print(f"\n{report['seconds']:.0f} s; results in {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
