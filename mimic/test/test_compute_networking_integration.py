# -*- test-case-name: mimic.test.test_compute_networking_integration -*-
"""
Real clients against one real ``twistd mimic``: servers on networks the
way openstacksdk's cloud layer and the ``openstack`` CLI make them, with
the network service owning their ports, security groups and floating
IPs, and compute showing them.
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

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import MimicProcess

FLAVOR = "general1-1"
SERVICENET = "11111111-1111-1111-1111-111111111111"


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    """
    The base URL of the module's one Mimic, started on first use.
    """
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


def connect(username: str) -> Any:
    import openstack

    return openstack.connect(
        auth_url=f"{mimic_url()}/identity/v3",
        username=username,
        password="pw",
        project_name=f"{username}-project",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="ORD",
    )


def floating_addresses(addresses: dict[str, Any], label: str) -> list[str]:
    return [a["addr"] for a in addresses.get(label, []) if a["OS-EXT-IPS:type"] == "floating"]


class ServersOnNetworksTests(SynchronousTestCase):
    def test_sdk_create_server_on_a_network_with_groups_and_auto_ip(self) -> None:
        """
        ``create_server(network=..., security_groups=[...], auto_ip=True)``
        finds the network and group by name in the network service, and
        the floating IP it adds shows on the server; ``add_auto_ip`` adds
        one to a server made without.
        """
        conn = connect("sdk-net")
        self.addCleanup(conn.close)
        network = conn.network.create_network(name="app-net")
        subnet = conn.network.create_subnet(
            network_id=network.id, ip_version=4, cidr="192.168.10.0/24", name="app-v4"
        )
        # A floating IP reaches a tenant network through a router.
        router = conn.network.create_router(
            name="edge", external_gateway_info={"network_id": self.external_network(conn)}
        )
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        group = conn.network.create_security_group(name="web", description="web servers")
        server = conn.create_server(
            "sdk-web", image={"id": DEFAULT_IMAGE_ID}, flavor=FLAVOR, network="app-net",
            security_groups=["web"], auto_ip=True, wait=True, timeout=30,
        )
        self.assertEqual(server.status, "ACTIVE")
        ports = list(conn.network.ports(device_id=server.id))
        self.assertEqual([(p.network_id, p.device_owner) for p in ports], [(network.id, "compute:nova")])
        self.assertEqual(ports[0].security_group_ids, [group.id])
        shown = conn.compute.get_server(server.id)
        (fixed,) = [a["addr"] for a in shown.addresses["app-net"] if a["OS-EXT-IPS:type"] == "fixed"]
        self.assertEqual(fixed, ports[0].fixed_ips[0]["ip_address"])
        (floating,) = floating_addresses(shown.addresses, "app-net")
        self.assertEqual([f.floating_ip_address for f in conn.network.ips(port_id=ports[0].id)], [floating])
        self.assertEqual([g["name"] for g in shown.security_groups], ["web"])

        plain = conn.create_server(
            "sdk-plain", image={"id": DEFAULT_IMAGE_ID}, flavor=FLAVOR, network="app-net", auto_ip=False,
            wait=True, timeout=30,
        )
        self.assertEqual(floating_addresses(conn.compute.get_server(plain.id).addresses, "app-net"), [])
        conn.add_auto_ip(plain, wait=True, timeout=30)
        (port,) = conn.network.ports(device_id=plain.id)
        (added,) = conn.network.ips(port_id=port.id)
        self.assertEqual(
            floating_addresses(conn.compute.get_server(plain.id).addresses, "app-net"), [added.floating_ip_address]
        )

        self.assertTrue(conn.delete_server(server.id, wait=True, timeout=30))
        self.assertEqual(list(conn.network.ports(device_id=server.id)), [])

    def test_cli_server_create_on_a_network_with_a_group_and_a_floating_ip(self) -> None:
        """
        ``openstack server create --network <id> --security-group <name>``,
        then ``server add floating ip`` and ``server show``.
        """
        conn = connect("cli-net")
        self.addCleanup(conn.close)
        conn.network.create_security_group(name="ssh", description="")
        floating = conn.network.create_ip(floating_network_id=self.external_network(conn))

        created = self.cli(
            "server", "create", "--image", DEFAULT_IMAGE_ID, "--flavor", FLAVOR, "--network", SERVICENET,
            "--security-group", "ssh", "--wait", "cli-web",
        )
        self.assertEqual(created["status"], "ACTIVE")
        self.cli("server", "add", "floating", "ip", created["id"], floating.floating_ip_address, output=False)
        shown = self.cli("server", "show", created["id"])
        # The CLI shows each network's addresses, fixed then floating.
        fixed, added = shown["addresses"]["private"]
        self.assertEqual(added, floating.floating_ip_address)
        self.assertEqual(fixed, self.port_address(conn, created["id"]))
        self.assertEqual([g["name"] for g in shown["security_groups"]], ["ssh"])

    def port_address(self, conn: Any, server_id: str) -> str:
        (port,) = conn.network.ports(device_id=server_id)
        return port.fixed_ips[0]["ip_address"]

    def external_network(self, conn: Any) -> str:
        (external,) = [n.id for n in conn.network.networks(is_router_external=True)]
        return external

    def cli(self, *args: str, output: bool = True) -> Any:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
        env.update(
            {
                "OS_AUTH_URL": f"{mimic_url()}/identity/v3",
                "OS_USERNAME": "cli-net",
                "OS_PASSWORD": "pw",
                "OS_PROJECT_NAME": "cli-net-project",
                "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_REGION_NAME": "ORD",
            }
        )
        command = [sys.executable, "-m", "openstackclient.shell", *args]
        if output:
            command += ["-f", "json"]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout) if output else result.stdout
