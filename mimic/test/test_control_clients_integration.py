# -*- test-case-name: mimic.test.test_control_clients_integration -*-
"""
The ``clouds.yaml`` a real ``twistd mimic`` serves, read by openstacksdk
as a user would: saved to a file named by ``OS_CLIENT_CONFIG_FILE``, then
``openstack.connect(cloud="mimic")``.
"""

from __future__ import annotations

import os
import urllib.request

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import start_mimic


class CloudsYamlWithOpenStackSDKTests(SynchronousTestCase):
    def test_openstacksdk_connects_with_the_served_file_and_makes_a_server(self) -> None:
        import openstack

        url = start_mimic(self)
        path = os.path.abspath(self.mktemp())
        with urllib.request.urlopen(url + "/mimic/v1.1/clouds.yaml") as response, open(path, "wb") as f:
            f.write(response.read())
        saved = {k: v for k, v in os.environ.items() if k.startswith("OS_")}
        for name in saved:
            del os.environ[name]
        os.environ["OS_CLIENT_CONFIG_FILE"] = path

        def restore() -> None:
            os.environ.pop("OS_CLIENT_CONFIG_FILE", None)
            os.environ.update(saved)

        self.addCleanup(restore)
        conn = openstack.connect(cloud="mimic")
        self.addCleanup(conn.close)
        self.assertEqual(conn.config.get_region_name(), "ORD")
        self.assertEqual(list(conn.compute.servers()), [])
        server = conn.compute.create_server(name="from-clouds-yaml", image_id=DEFAULT_IMAGE_ID, flavor_id="general1-1")
        server = conn.compute.wait_for_server(server, wait=10)
        self.assertEqual(server.status, "ACTIVE")
        self.assertEqual([s.name for s in conn.compute.servers()], ["from-clouds-yaml"])
        self.assertEqual(conn.current_project.name, "mimic-project")
