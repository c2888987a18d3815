# -*- test-case-name: mimic.test.test_journal_integration -*-
"""
The request journal and fault coverage as a test suite meets them: a
real ``twistd mimic --verbose``, driven by openstacksdk (Identity v3,
Compute), then asked over HTTP what the client did.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import MimicProcess

PASSWORD = "journal-secret-pw"


class JournalThroughARealClientTests(SynchronousTestCase):
    def get(self, url: str) -> Any:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def test_the_journal_records_a_clients_calls_masked_with_what_fired(self) -> None:
        import openstack
        from openstack import exceptions

        process = MimicProcess(["--verbose"])
        url = process.start()
        self.addCleanup(process.stop)
        conn = openstack.connect(
            auth_url=f"{url}/identity/v3",
            username="journal-user",
            password=PASSWORD,
            project_name="journal-project",
            user_domain_name="Default",
            project_domain_name="Default",
            region_name="ORD",
        )
        self.addCleanup(conn.close)
        self.assertEqual(list(conn.compute.servers()), [])
        token = conn.session.get_token()
        registration = urllib.request.Request(
            f"{url}/mimic/v1.1/compute/behaviors/server.create",
            data=json.dumps({
                "name": "fail", "parameters": {"code": 503}, "criteria": [{"server_name": "^doomed$"}],
            }).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(registration, timeout=10) as response:
            registration_id = json.loads(response.read())["id"]
        self.assertRaises(
            exceptions.HttpException,
            conn.compute.create_server,
            name="doomed", image_id=DEFAULT_IMAGE_ID, flavor_id="general1-1", networks="auto",
        )

        journal = self.get(f"{url}/mimic/v1.1/requests")
        text = json.dumps(journal)
        self.assertNotIn(token, text)
        self.assertNotIn(PASSWORD, text)
        [listed] = [
            r for r in journal["requests"]
            if r["service"] == "compute" and r["method"] == "GET" and r["path"].endswith("/servers/detail")
        ]
        self.assertEqual((listed["user"], listed["region"], listed["status"]), ("journal-user", "ORD", 200))
        [failed] = self.get(f"{url}/mimic/v1.1/requests?service=compute&condition=compute.server.create.fail")[
            "requests"
        ]
        self.assertEqual(failed["status"], 503)
        self.assertEqual(failed["tenant_id"], listed["tenant_id"])
        self.assertEqual(failed["conditions"][0]["registration_id"], registration_id)
        self.assertIn('"name": "doomed"', failed["request_body"])
        self.assertEqual(self.get(f"{url}/mimic/v1.1/requests/count?method=POST&path=/servers$")["count"], 1)

        coverage = self.get(f"{url}/mimic/v1.1/failures/coverage?service=compute")
        [fail] = [e for e in coverage["coverage"] if (e["event"], e["condition"]) == ("server.create", "fail")]
        self.assertEqual((fail["registered"], fail["fired"], fail["tenants"]), (1, 1, [failed["tenant_id"]]))

        # --verbose logs the same records, one line each.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = [line for line in process.output if failed["request_id"] in line]
            if lines:
                break
            time.sleep(0.05)
        self.assertEqual(len(lines), 1, process.output[-5:])
        self.assertIn("fired=compute.server.create.fail#" + registration_id, lines[0])
        self.assertIn(" 503 ", lines[0])
        self.assertFalse(any(token in line or PASSWORD in line for line in process.output))
