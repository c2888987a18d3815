# -*- test-case-name: mimic.test.test_bench -*-
"""
Start-up with a configuration file (and with each cloud profile) beside
start-up without one: seconds from process start to the first successful
Identity v3 token, median of several starts each, in wall-clock time and
in the CPU time the server used (steadier on a busy machine).

    python bench/startup_config.py [--runs 9]

The file is the README's example plus ``profile`` and the cloud keys (two
regions, twelve flavors, five images, quotas, a catalog name); a run with
one must stay within 10% of a run without (issue 16).  Loopback only; not a test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)

CONFIG = """\
listen = "tcp:{port}:interface=127.0.0.1"
profile = "{profile}"
regions = ["{region}", "Second"]
services = ["compute", "image", "network", "blockstorage", "objectstorage"]
[identity]
admin_user = "root"
admin_password = "s3cret"
[[conditions]]
service = "compute"
event = "server.create"
name = "fail"
criteria = [{{ server_name = "^doomed" }}]
[quotas.compute]
instances = 20
[catalog.compute]
name = "nova-cell1"
""" + "".join(
    f'[[flavors]]\nname = "f{n}"\nram = {512 * n}\nvcpus = {n}\ndisk = {10 * n}\n'
    for n in range(1, 13)
) + "".join(f'[[images]]\nname = "image-{n}"\nmin_disk = 1\n' for n in range(1, 6))

#: The first region of each profile.
FIRST_REGION = {"rackspace": "ORD", "openstack": "RegionOne"}

TOKEN = json.dumps({"auth": {
    "identity": {"methods": ["password"], "password": {"user": {
        "name": "bench", "domain": {"id": "default"}, "password": "x"}}},
    "scope": {"project": {"name": "bench-project", "domain": {"id": "default"}}},
}}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """
    The CPU time (user and system) a process has used, from /proc: less
    moved by other work on a shared machine than the wall clock is.
    """
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_seconds(args: list[str], port: int, timeout: float = 60.0) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in [SOURCE, os.environ.get("PYTHONPATH", "")] if p))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", "from twisted.scripts.twistd import run; run()",
         "--nodaemon", "--pidfile=", "mimic", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"mimic exited with {process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("POST", "/identity/v3/auth/tokens", TOKEN, {"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status == 201:
                    return time.perf_counter() - started, cpu_seconds(process.pid)
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError("no token in time")
    finally:
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as workspace:
        def with_file(profile: str) -> list[str]:
            path = os.path.join(workspace, f"{profile}.toml")
            port = free_port()
            with open(path, "w") as f:
                f.write(CONFIG.format(port=port, profile=profile, region=FIRST_REGION[profile]))
            return ["--config", path]

        cases: dict[str, list[tuple[float, float]]] = {}
        for _ in range(options.runs):
            # Interleaved, so that the machine's load falls on every case.
            for label in ("no file", "file (rackspace)", "--profile openstack", "file (openstack)"):
                port = free_port()
                if label == "no file":
                    args = ["--listen", f"tcp:{port}:interface=127.0.0.1"]
                elif label == "--profile openstack":
                    args = ["--listen", f"tcp:{port}:interface=127.0.0.1", "--profile", "openstack"]
                else:
                    args = with_file("openstack" if "openstack" in label else "rackspace")
                    port = int(open(args[1]).read().split("tcp:")[1].split(":")[0])
                cases.setdefault(label, []).append(start_seconds(args, port))
    wall = statistics.median(t for t, _ in cases["no file"])
    cpu = statistics.median(c for _, c in cases["no file"])
    for label, times in cases.items():
        median_wall = statistics.median(t for t, _ in times)
        median_cpu = statistics.median(c for _, c in times)
        print(
            f"{label:22} median {median_wall:.3f} s wall ({median_wall / wall:.2f}x), "
            f"{median_cpu:.2f} s CPU ({median_cpu / cpu:.2f}x of no file)"
        )


if __name__ == "__main__":
    main()
