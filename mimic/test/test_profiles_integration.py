# -*- test-case-name: mimic.test.test_profiles_integration -*-
"""
A real ``twistd mimic --profile openstack`` driven as a DevStack user
would drive a cloud: the ``clouds.yaml`` it serves, used unmodified by
openstacksdk and the ``openstack`` CLI, and keystoneauth's discovery of
every service through the catalog.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import subprocess
import sys
import urllib.request
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.base_images import CIRROS_IMAGE_ID
from mimic.testing import MimicProcess


@functools.lru_cache(maxsize=None)
def openstack_mimic() -> tuple[str, str]:
    """
    The module's one ``twistd mimic --profile openstack`` (each start
    costs about a second), started on first use: its URL and the
    ``clouds.yaml`` it serves.
    """
    process = MimicProcess(["--profile", "openstack"])
    url = process.start()
    atexit.register(process.stop)
    with urllib.request.urlopen(url + "/mimic/v1.1/clouds.yaml") as response:
        return url, response.read().decode("utf-8")


class OpenStackProfileIntegrationTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url, self.clouds_yaml = openstack_mimic()

    def use_clouds_yaml(self) -> dict[str, str]:
        """
        The served file saved where openstacksdk and the CLI look, and
        no ``OS_*`` variable of the test run's left to interfere.
        """
        path = os.path.abspath(self.mktemp())
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.clouds_yaml)
        saved = {k: v for k, v in os.environ.items() if k.startswith("OS_")}
        for name in saved:
            del os.environ[name]
        os.environ["OS_CLIENT_CONFIG_FILE"] = path

        def restore() -> None:
            os.environ.pop("OS_CLIENT_CONFIG_FILE", None)
            os.environ.update(saved)

        self.addCleanup(restore)
        return dict(os.environ)

    def test_served_clouds_yaml_is_devstacks_shape(self) -> None:
        self.assertIn('region_name: "RegionOne"', self.clouds_yaml)
        self.assertIn("identity_api_version: 3", self.clouds_yaml)
        self.assertIn(f'auth_url: "{self.url}/identity"', self.clouds_yaml)

    def test_openstacksdk_lists_and_creates_through_the_served_file(self) -> None:
        import openstack

        self.use_clouds_yaml()
        conn = openstack.connect(cloud="mimic")
        self.addCleanup(conn.close)
        self.assertEqual(conn.config.get_region_name(), "RegionOne")
        self.assertEqual(conn.compute.get_endpoint(), f"{self.url}/compute/v2.1")
        images = list(conn.image.images())
        flavors = list(conn.compute.flavors())
        self.assertTrue(images and flavors)
        self.assertTrue(list(conn.network.networks()))
        self.assertEqual(list(conn.block_storage.volumes()), [])
        server = conn.compute.create_server(name="on-devstack", image_id=images[0].id, flavor_id=flavors[0].id)
        server = conn.compute.wait_for_server(server, wait=10)
        self.assertEqual(server.status, "ACTIVE")
        self.assertEqual([s.name for s in conn.compute.servers()], ["on-devstack"])
        volume = conn.block_storage.create_volume(size=1, name="v")
        self.assertEqual(conn.block_storage.get_volume(volume.id).name, "v")
        conn.object_store.create_container("c")
        self.assertEqual([c.name for c in conn.object_store.containers()], ["c"])

    def test_openstacksdk_sees_devstacks_networks_and_swift(self) -> None:
        """
        DevStack's networks (the external ``public``, the shared
        ``private``), and its Swift proxy: ``/info`` as openstacksdk
        reads it lists account quotas, which only a reseller may set.
        """
        import openstack
        from openstack import exceptions

        self.use_clouds_yaml()
        conn = openstack.connect(cloud="mimic")
        self.addCleanup(conn.close)
        networks = {n.name: n for n in conn.network.networks()}
        self.assertEqual(sorted(networks), ["private", "public"])
        self.assertTrue(networks["public"].is_router_external)
        self.assertTrue(networks["private"].is_shared)
        # openstacksdk's Info keeps a few middleware only; its session
        # reads the whole document where it looks for it.
        storage = conn.object_store.get_endpoint()
        self.assertTrue(storage.endswith("/object-store/v1/AUTH_mimic-project"), storage)
        info = conn.session.get(storage.split("/v1/")[0] + "/info").json()
        self.assertIn("account_quotas", info)
        with self.assertRaises(exceptions.ForbiddenException):
            conn.object_store.set_account_metadata(**{"Quota-Bytes": "5"})

    def test_openstacksdk_sees_devstacks_roles_catalog_and_images(self) -> None:
        """
        The administrator, through openstacksdk: DevStack's roles, one
        public endpoint per service (the token's catalog and
        ``/v3/endpoints`` alike), the cirros image owned by its project,
        and a server's snapshot stored as qcow2 in a bare container.
        """
        import openstack

        conn = openstack.connect(
            auth_url=self.url + "/identity",
            username="admin",
            password="password",
            project_name="admin",
            user_domain_name="Default",
            project_domain_name="Default",
            region_name="RegionOne",
            interface="public",
            identity_api_version="3",
        )
        self.addCleanup(conn.close)
        self.assertEqual(
            sorted(r.name for r in conn.identity.roles()),
            ["ResellerAdmin", "admin", "anotherrole", "manager", "member", "reader", "service"],
        )
        access = conn.session.auth.get_access(conn.session)
        self.assertEqual(sorted(access.role_names), ["admin", "manager", "member", "reader"])
        in_token = {
            (entry["id"], endpoint["id"], endpoint["interface"])
            for entry in access.service_catalog.catalog
            for endpoint in entry["endpoints"]
        }
        listed = {(e.service_id, e.id, e.interface) for e in conn.identity.endpoints()}
        self.assertEqual(listed, in_token)
        self.assertEqual({interface for _, _, interface in listed}, {"public"})
        self.assertEqual({s.id for s in conn.identity.services()}, {service for service, _, _ in listed})
        cirros = conn.image.get_image(CIRROS_IMAGE_ID)
        self.assertEqual((cirros.disk_format, cirros.container_format, cirros.owner), ("qcow2", "bare", "admin"))
        server = conn.compute.create_server(name="to-snapshot", image_id=CIRROS_IMAGE_ID, flavor_id="42")
        server = conn.compute.wait_for_server(server, wait=10)
        snapshot = conn.compute.create_server_image(server, "snap", wait=False)
        image = conn.image.get_image(snapshot.id)
        self.assertEqual((image.disk_format, image.container_format), ("qcow2", "bare"))
        conn.compute.delete_server(server)

    def test_keystoneauth_discovers_every_service_through_the_catalog(self) -> None:
        from keystoneauth1 import session
        from keystoneauth1.identity import v3

        auth = v3.Password(
            auth_url=self.url + "/identity",
            username="discoverer",
            password="any",
            project_name="discoverer-project",
            user_domain_name="Default",
            project_domain_name="Default",
        )
        sess = session.Session(auth=auth)
        found: dict[str, Any] = {}
        for service_type in ("compute", "image", "network", "block-storage", "volumev3", "identity"):
            data = sess.get_endpoint_data(service_type=service_type, interface="public", region_name="RegionOne")
            found[service_type] = (data.api_version[0] if data.api_version else None, data.url)
        self.assertEqual(
            found,
            {
                "compute": (2, f"{self.url}/compute/v2.1/"),
                "image": (2, f"{self.url}/image/v2/"),
                "network": (2, f"{self.url}/networking/v2.0/"),
                "block-storage": (3, f"{self.url}/volume/v3/discoverer-project"),
                "volumev3": (3, f"{self.url}/volume/v3/discoverer-project"),
                "identity": (3, f"{self.url}/identity/v3/"),
            },
        )
        swift = sess.get_endpoint(service_type="object-store", interface="public", region_name="RegionOne")
        self.assertEqual(swift, f"{self.url}/object-store/v1/AUTH_discoverer-project")
        self.assertEqual(sess.get(swift).status_code, 204)

    def test_openstack_cli_lists_the_catalog_and_servers(self) -> None:
        env = self.use_clouds_yaml()
        env["OS_CLOUD"] = "mimic"
        commands = "catalog list -f json\nserver list -f json\n"
        openstack = os.path.join(os.path.dirname(sys.executable), "openstack")
        result = subprocess.run([openstack], input=commands, env=env, capture_output=True, text=True, timeout=120)
        decoder = json.JSONDecoder()
        documents, text = [], result.stdout.strip()
        while text:
            start = text.index("[")
            value, end = decoder.raw_decode(text, start)
            documents.append(value)
            text = text[end:].strip()
        self.assertEqual(result.stderr.strip(), "")
        catalog, servers = documents[0], documents[1]
        self.assertEqual(
            sorted((entry["Name"], entry["Type"]) for entry in catalog),
            [
                ("cinder", "block-storage"), ("cinderv3", "volumev3"), ("glance", "image"),
                ("keystone", "identity"), ("neutron", "network"), ("nova", "compute"),
                ("swift", "object-store"),
            ],
        )
        self.assertIsInstance(servers, list)
        # DevStack's catalog lists the public interface alone.
        interfaces = {endpoint["interface"] for entry in catalog for endpoint in entry["Endpoints"]}
        self.assertEqual(interfaces, {"public"})
