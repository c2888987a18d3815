# -*- test-case-name: mimic.test.test_bench -*-
"""
Start-up with a configuration file (and with each cloud profile) beside
start-up without one: seconds from process start to the first successful
Identity v3 token, median of several starts each.

    python bench/startup_config.py [--runs 9]

The file is the README's example plus ``profile``; a run with one must
stay within 10% of a run without (issue 16).  Loopback only; not a test.
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
services = ["compute", "image", "network", "blockstorage", "objectstorage"]
[identity]
admin_user = "root"
admin_password = "s3cret"
[[conditions]]
service = "compute"
event = "server.create"
name = "fail"
criteria = [{{ server_name = "^doomed" }}]
"""

TOKEN = json.dumps({"auth": {
    "identity": {"methods": ["password"], "password": {"user": {
        "name": "bench", "domain": {"id": "default"}, "password": "x"}}},
    "scope": {"project": {"name": "bench-project", "domain": {"id": "default"}}},
}}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_seconds(args: list[str], port: int, timeout: float = 60.0) -> float:
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
                    return time.perf_counter() - started
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
                f.write(CONFIG.format(port=port, profile=profile))
            return ["--config", path]

        cases: dict[str, list[float]] = {}
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
    base = statistics.median(cases["no file"])
    for label, times in cases.items():
        median = statistics.median(times)
        print(f"{label:22} median {median:.3f} s  ({median / base:.2f}x of no file)")


if __name__ == "__main__":
    main()
