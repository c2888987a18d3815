# -*- test-case-name: mimic.test.test_network_integration -*-
"""
The network service as its users reach it: openstacksdk's network proxy
and the ``openstack`` CLI, unmodified, against a real ``twistd mimic`` on
loopback, finding Neutron through the catalog and its version document.

One Mimic serves the module (started by the first test that needs it,
stopped when the test process exits); each test is its own tenant.  The
CLI is slow to start, so its commands run in one process, fed to its
interactive shell on standard input.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import subprocess
import sys
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.network.model import EXTERNAL_NETWORK, PUBLIC_NETWORK
from mimic.testing import MimicProcess


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


def json_documents(text: str) -> list[Any]:
    """
    The JSON documents one after another in ``text`` (what the CLI's
    shell prints for several ``-f json`` commands).
    """
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    index = 0
    while True:
        while index < len(text) and text[index] not in "[{":
            index += 1
        if index >= len(text):
            return documents
        document, index = decoder.raw_decode(text, index)
        documents.append(document)


class NetworkClientTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = mimic_url()
        self.user = f"net-{self._testMethodName.removeprefix('test_')[:30]}"

    def connection(self) -> Any:
        import openstack

        conn = openstack.connect(
            auth_url=f"{self.url}/identity/v3", username=self.user, password="pw",
            project_name=self.user, user_domain_name="Default", project_domain_name="Default",
            region_name="ORD",
        )
        self.addCleanup(conn.close)
        return conn

    def test_openstacksdk_network_proxy(self) -> None:
        conn = self.connection()
        self.assertEqual(conn.network.find_network("public").id, PUBLIC_NETWORK)
        network = conn.network.create_network(name="sdk-net")
        subnet = conn.network.create_subnet(
            network_id=network.id, cidr="10.30.0.0/24", ip_version=4, name="sdk-subnet"
        )
        self.assertEqual((subnet.gateway_ip, subnet.allocation_pools), ("10.30.0.1", [{"start": "10.30.0.2", "end": "10.30.0.254"}]))
        group = conn.network.create_security_group(name="web", description="web servers")
        rule = conn.network.create_security_group_rule(
            security_group_id=group.id, direction="ingress", protocol="tcp", port_range_min=443,
            port_range_max=443, remote_ip_prefix="0.0.0.0/0",
        )
        self.assertEqual(rule.port_range_max, 443)
        port = conn.network.create_port(network_id=network.id, name="sdk-port", security_groups=[group.id])
        self.assertEqual([ip["ip_address"] for ip in port.fixed_ips], ["10.30.0.2"])
        self.assertEqual(port.security_group_ids, [group.id])
        router = conn.network.create_router(name="sdk-router", external_gateway_info={"network_id": EXTERNAL_NETWORK})
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        floating = conn.network.create_ip(floating_network_id=EXTERNAL_NETWORK)
        self.assertEqual(floating.status, "DOWN")
        floating = conn.network.update_ip(floating, port_id=port.id)
        self.assertEqual((floating.status, floating.fixed_ip_address, floating.router_id), ("ACTIVE", "10.30.0.2", router.id))
        self.assertEqual([p.id for p in conn.network.ports(network_id=network.id, device_owner="")], [port.id])
        from openstack import exceptions

        with self.assertRaises(exceptions.ConflictException):
            conn.network.create_port(network_id=network.id, fixed_ips=[{"ip_address": "10.30.0.2"}])

    def test_openstack_cli(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(
            OS_AUTH_URL=f"{self.url}/identity/v3", OS_USERNAME=self.user, OS_PASSWORD="pw",
            OS_PROJECT_NAME=self.user, OS_USER_DOMAIN_NAME="Default", OS_PROJECT_DOMAIN_NAME="Default",
            OS_REGION_NAME="ORD",
        )
        # An address of its own, so that the batch can name it (the
        # allocator would hand out the lowest free one, which other tests
        # in this Mimic may have taken).
        address = "203.0.113.240"
        commands = [
            "network create cli-net -f json",
            "subnet create cli-subnet --network cli-net --subnet-range 10.40.0.0/24 -f json",
            "port create cli-port --network cli-net --fixed-ip ip-address=10.40.0.20 -f json",
            "security group rule create default --protocol tcp --dst-port 22 -f json",
            "router create cli-router -f json",
            "router add subnet cli-router cli-subnet",
            "router set cli-router --external-gateway ext-net",
            f"floating ip create ext-net --floating-ip-address {address} -f json",
            f"floating ip set --port cli-port {address}",
            "router show cli-router -f json",
            f"floating ip show {address} -f json",
        ]
        # The shell (python -m openstackclient.shell with no command)
        # reads commands from standard input: one start for all of them.
        result = subprocess.run(
            [sys.executable, "-m", "openstackclient.shell"], input="\n".join(commands) + "\n",
            env=env, capture_output=True, text=True, timeout=120,
        )
        documents = json_documents(result.stdout)
        self.assertEqual(len(documents), 8, result.stderr)
        network, subnet, port, rule, router, floating, shown_router, shown_floating = documents
        self.assertEqual(subnet["network_id"], network["id"])
        self.assertEqual(port["fixed_ips"], [{"subnet_id": subnet["id"], "ip_address": "10.40.0.20"}])
        self.assertEqual((rule["port_range_min"], rule["protocol"]), (22, "tcp"))
        self.assertEqual((floating["floating_network_id"], floating["status"]), (EXTERNAL_NETWORK, "DOWN"))
        self.assertEqual(shown_router["external_gateway_info"]["network_id"], EXTERNAL_NETWORK)
        self.assertEqual(len(shown_router["interfaces_info"]), 1)
        self.assertEqual((shown_floating["port_id"], shown_floating["status"]), (port["id"], "ACTIVE"))
        self.assertEqual(shown_floating["router_id"], router["id"])
