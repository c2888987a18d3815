# -*- test-case-name: mimic.test.test_transitions_integration -*-
"""
A real ``twistd mimic --config`` whose file sets how long transitions
take: a reboot at zero is done for a client that never ticks, a stop at
thirty seconds waits for the clock, ``/mimic/v1.1/config`` shows where
each value came from, and a time below zero stops start-up with one line
after twistd's usage.
"""

from __future__ import annotations

import os
import subprocess
import sys

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import start_mimic

CONFIG = """\
[compute]
reboot_seconds = 0
stop_seconds = 30

[loadbalancer]
update_seconds = 0
"""


class TransitionsFromAFileTests(SynchronousTestCase):
    def write(self, text: str) -> str:
        path = self.mktemp()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_a_real_mimic_takes_the_files_times(self) -> None:
        import requests
        from keystoneauth1 import session
        from keystoneauth1.identity import v2

        url = start_mimic(self, "--config", self.write(CONFIG))
        client = session.Session(auth=v2.Password(f"{url}/identity/v2.0", username="alice", password="pw"))
        compute = client.get_endpoint(service_type="compute", region_name="ORD")
        server = {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1"}
        server_id = client.post(f"{compute}/servers", json={"server": server}).json()["server"]["id"]

        def seen() -> tuple[str, str | None]:
            shown = client.get(f"{compute}/servers/{server_id}").json()["server"]
            return shown["status"], shown["OS-EXT-STS:task_state"]

        client.post(f"{compute}/servers/{server_id}/action", json={"reboot": {"type": "SOFT"}})
        self.assertEqual(seen(), ("ACTIVE", None))
        client.post(f"{compute}/servers/{server_id}/action", json={"os-stop": None})
        self.assertEqual(seen(), ("ACTIVE", "powering-off"))
        requests.post(f"{url}/mimic/v1.1/tick", json={"amount": 30}, timeout=10).raise_for_status()
        self.assertEqual(seen(), ("SHUTOFF", None))
        served = requests.get(f"{url}/mimic/v1.1/config", timeout=10).json()["config"]
        self.assertEqual(served["compute.reboot_seconds"], {"value": 0.0, "source": "file", "line": 2})
        self.assertEqual(served["compute.stop_seconds"]["value"], 30.0)
        self.assertEqual(served["compute.pause_seconds"], {"value": 2.0, "source": "default"})

    def test_a_time_below_zero_stops_start_up_with_one_line(self) -> None:
        path = self.write(CONFIG.replace("stop_seconds = 30", "stop_seconds = -1"))
        env = dict(os.environ)
        package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in [package_parent, env.get("PYTHONPATH", "")] if p)
        stopped = subprocess.run(
            [sys.executable, "-c", "from twisted.scripts.twistd import run; run()", "--nodaemon",
             "--pidfile=", "mimic", "--config", path],
            capture_output=True, text=True, env=env, timeout=60,
        )
        # twistd prints its usage, then the one line saying what is wrong.
        self.assertNotEqual(stopped.returncode, 0)
        self.assertTrue(
            stopped.stdout.splitlines()[-1].endswith(
                f"{path}, line 3: compute.stop_seconds: a time cannot be below zero, not -1"
            ),
            stopped.stdout,
        )
        self.assertNotIn("Traceback", stopped.stdout + stopped.stderr)
