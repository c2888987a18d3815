# -*- test-case-name: mimic.test.test_compute_integration -*-
"""
Real clients against a real ``twistd mimic``: python-novaclient,
openstacksdk and the ``openstack`` CLI find compute through the catalog
and version discovery, run a server's lifecycle, see the known error
conditions (advancing Mimic's clock over HTTP), and never see another
tenant's servers.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.services.image.model import BASE_IMAGES
from mimic.test.openstack_cli import json_documents, openstack_batch, openstack_command
from mimic.testing import pristine_mimic

FLAVOR = "general1-1"
#: What a person types: the flavor's and the image's names.
FLAVOR_NAME = "1 GB General Purpose v1"
IMAGE_NAME = BASE_IMAGES[0].name


class ClientTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = pristine_mimic()

    def session(self, username: str = "alice") -> Any:
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v2

        return ks_session.Session(
            auth=v2.Password(f"{self.url}/identity/v2.0", username=username, password="pw")
        )

    def nova(self, version: str = "2", username: str = "alice") -> Any:
        from novaclient import client

        return client.Client(version, session=self.session(username), region_name="ORD")

    def tick(self, seconds: float) -> None:
        import requests

        response = requests.post(f"{self.url}/mimic/v1.1/tick", json={"amount": seconds}, timeout=10)
        self.assertEqual(response.status_code, 200, response.text)


class NovaclientTests(ClientTestCase):
    def test_server_lifecycle(self) -> None:
        from novaclient import exceptions

        nova = self.nova()
        server = nova.servers.create("web", DEFAULT_IMAGE_ID, FLAVOR, meta={"role": "web"})
        self.assertTrue(server.adminPass)
        shown = nova.servers.get(server.id)
        self.assertEqual((shown.status, shown.name), ("ACTIVE", "web"))
        self.assertIn("public", shown.networks)
        self.assertEqual([s.id for s in nova.servers.list(search_opts={"name": "^we"})], [server.id])
        nova.servers.update(server, name="web-renamed")
        nova.servers.set_meta(server, {"tier": "1"})
        nova.servers.delete_meta(server, ["role"])
        shown = nova.servers.get(server.id)
        self.assertEqual((shown.name, shown.metadata), ("web-renamed", {"tier": "1"}))
        shown.reboot(reboot_type="HARD")
        self.assertEqual(nova.servers.get(server.id).status, "HARD_REBOOT")
        self.tick(5)
        self.assertEqual(nova.servers.get(server.id).status, "ACTIVE")
        nova.servers.resize(server, "general1-2")
        self.tick(10)
        self.assertEqual(nova.servers.get(server.id).status, "VERIFY_RESIZE")
        nova.servers.confirm_resize(server)
        self.assertEqual(nova.servers.get(server.id).flavor["id"], "general1-2")
        nova.servers.delete(server)
        self.assertRaises(exceptions.NotFound, nova.servers.get, server.id)

    def test_microversion_client_sees_embedded_flavor(self) -> None:
        nova = self.nova("2.60")
        server = nova.servers.create("micro", DEFAULT_IMAGE_ID, FLAVOR, nics="auto")
        shown = nova.servers.get(server.id)
        self.assertEqual(shown.flavor["original_name"], "1 GB General Purpose v1")
        self.assertEqual(shown.api_version.get_string(), "2.60")

    def test_metadata_triggers_with_tick(self) -> None:
        from novaclient import exceptions

        nova = self.nova()
        slow = nova.servers.create("slow", DEFAULT_IMAGE_ID, FLAVOR, meta={"server_building": "30"})
        self.assertEqual(nova.servers.get(slow.id).status, "BUILD")
        self.tick(30)
        self.assertEqual(nova.servers.get(slow.id).status, "ACTIVE")

        broken = nova.servers.create("broken", DEFAULT_IMAGE_ID, FLAVOR, meta={"server_error": "1"})
        self.assertEqual(nova.servers.get(broken.id).status, "ERROR")

        failure = json.dumps({"message": "no capacity", "code": 500})
        with self.assertRaises(exceptions.ClientException) as raised:
            nova.servers.create("doomed", DEFAULT_IMAGE_ID, FLAVOR, meta={"create_server_failure": failure})
        self.assertEqual(raised.exception.code, 500)
        self.assertIn("no capacity", str(raised.exception))

        sticky = nova.servers.create(
            "sticky", DEFAULT_IMAGE_ID, FLAVOR,
            meta={"delete_server_failure": json.dumps({"code": 500, "times": 1})},
        )
        with self.assertRaises(exceptions.ClientException):
            nova.servers.delete(sticky)
        nova.servers.delete(sticky)
        self.assertRaises(exceptions.NotFound, nova.servers.get, sticky.id)

    def test_tenants_are_isolated(self) -> None:
        alice, bob = self.nova(username="alice"), self.nova(username="bob")
        server = alice.servers.create("private", DEFAULT_IMAGE_ID, FLAVOR)
        self.assertEqual(bob.servers.list(), [])
        from novaclient import exceptions

        self.assertRaises(exceptions.NotFound, bob.servers.get, server.id)


class OpenStackSDKTests(ClientTestCase):
    def connection(self, username: str = "sdk-alice") -> Any:
        import openstack

        return openstack.connection.Connection(
            session=self.session(username), region_name="ORD", compute_api_version="2"
        )

    def test_proxy_create_wait_delete_wait(self) -> None:
        conn = self.connection()
        server = conn.compute.create_server(
            name="sdk", image_id=DEFAULT_IMAGE_ID, flavor_id=FLAVOR, networks="auto"
        )
        server = conn.compute.wait_for_server(server, wait=10)
        self.assertEqual(server.status, "ACTIVE")
        self.assertEqual(server.flavor.original_name, "1 GB General Purpose v1")
        self.assertEqual([s.id for s in conn.compute.servers()], [server.id])
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=10)
        self.assertEqual(list(conn.compute.servers()), [])

    def test_cloud_layer_create_and_delete(self) -> None:
        conn = self.connection()
        server = conn.create_server("cloud", image={"id": DEFAULT_IMAGE_ID}, flavor=FLAVOR, wait=True, timeout=10)
        self.assertEqual(server.status, "ACTIVE")
        self.assertTrue(conn.delete_server(server.id, wait=True, timeout=10))
        self.assertIsNone(conn.get_server(server.id))

    def test_cloud_layer_create_by_image_and_flavor_names_via_identity_v3(self) -> None:
        """
        ``create_server(image=<name>, flavor=<name>)`` resolves the image
        through the Image service and the flavor through compute, with
        nothing but Identity v3 credentials (no region, no API versions).
        """
        import openstack

        conn = openstack.connect(
            auth_url=f"{self.url}/identity/v3",
            username="sdk-bob",
            password="pw",
            project_name="sdk-bob-project",
            user_domain_name="Default",
            project_domain_name="Default",
        )
        self.addCleanup(conn.close)
        server = conn.create_server("by-name", image=IMAGE_NAME, flavor=FLAVOR_NAME, wait=True, timeout=10)
        self.assertEqual((server.status, server.image.id), ("ACTIVE", DEFAULT_IMAGE_ID))
        self.assertEqual(conn.image.find_image(IMAGE_NAME).id, DEFAULT_IMAGE_ID)
        self.assertTrue(conn.delete_server(server.id, wait=True, timeout=10))
        self.assertEqual(conn.list_servers(), [])

    def test_nova_snapshot_is_an_image_in_the_image_service(self) -> None:
        conn = self.connection()
        server = conn.create_server("snap", image={"id": DEFAULT_IMAGE_ID}, flavor=FLAVOR, wait=True, timeout=10)
        image_id = conn.compute.create_server_image(server, "snap-image")
        image = conn.image.get_image(image_id)
        self.assertEqual((image.name, image.status, image.visibility), ("snap-image", "saving", "private"))
        self.tick(60)
        self.assertEqual(conn.image.find_image("snap-image").status, "active")
        conn.image.delete_image(image_id)
        self.assertIsNone(conn.image.find_image("snap-image"))

    def test_building_server_waits_for_tick(self) -> None:
        from openstack import exceptions

        conn = self.connection()
        server = conn.compute.create_server(
            name="slow", image_id=DEFAULT_IMAGE_ID, flavor_id=FLAVOR, metadata={"server_building": "60"}
        )
        self.assertRaises(exceptions.ResourceTimeout, conn.compute.wait_for_server, server, interval=0.1, wait=0.3)
        self.tick(60)
        self.assertEqual(conn.compute.wait_for_server(server, wait=5).status, "ACTIVE")

    def test_regions_are_separate(self) -> None:
        import openstack

        conn = self.connection()
        conn.compute.create_server(name="ord", image_id=DEFAULT_IMAGE_ID, flavor_id=FLAVOR)
        dfw = openstack.connection.Connection(
            session=self.session("sdk-alice"), region_name="DFW", compute_api_version="2"
        )
        self.assertEqual(list(dfw.compute.servers()), [])


class OpenStackCLITests(ClientTestCase):
    """
    The CLI through Identity v3 (the openstack CLI no longer speaks v2):
    servers made by novaclient in the same project, and servers the CLI
    makes itself, finding the image by name in the Image service.
    """

    project = "cli-alice-project"

    def v3_session(self) -> Any:
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v3

        return ks_session.Session(
            auth=v3.Password(
                f"{self.url}/identity/v3", username="cli-alice", password="pw",
                project_name=self.project, user_domain_name="Default", project_domain_name="Default",
            )
        )

    def openstack(self, *commands: Any, region: str | None = "ORD") -> list[Any]:
        """
        Run ``commands`` in one CLI process with the usual OS_* variables
        (``region=None`` leaves out OS_REGION_NAME too, as a user who
        never set it would), and give back the JSON documents they print.
        One command given as a list of arguments runs as it is (a name
        with spaces cannot go through the interactive mode).
        """
        variables = {
            "OS_AUTH_URL": f"{self.url}/identity/v3",
            "OS_USERNAME": "cli-alice",
            "OS_PASSWORD": "pw",
            "OS_PROJECT_NAME": self.project,
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
        }
        if region is not None:
            variables["OS_REGION_NAME"] = region
        if len(commands) == 1 and not isinstance(commands[0], str):
            output, errors = openstack_command(variables, commands[0])
        else:
            output, errors = openstack_batch(variables, commands)
        self.assertEqual(errors.strip(), "", output)
        return json_documents(output)

    def test_server_list_show_delete_wait(self) -> None:
        from novaclient import client

        nova = client.Client("2", session=self.v3_session(), region_name="ORD")
        server = nova.servers.create("cli-server", DEFAULT_IMAGE_ID, FLAVOR)
        listed, shown, after = self.openstack(
            "server list --no-name-lookup -f json",
            f"server show {server.id} -f json",
            f"server delete --wait {server.id}",
            "server list --no-name-lookup -f json",
        )
        self.assertEqual([(s["ID"], s["Status"]) for s in listed], [(server.id, "ACTIVE")])
        self.assertEqual((shown["name"], shown["status"]), ("cli-server", "ACTIVE"))
        self.assertEqual(after, [])

    def test_server_create_by_names_wait_show_list_delete_wait(self) -> None:
        """
        Issue 3 and 6: ``openstack server create --image <name> --flavor
        <name> --wait`` with nothing but Identity v3 credentials.
        """
        [images] = self.openstack("image list -f json", region=None)
        [created] = self.openstack(
            ["server", "create", "--image", IMAGE_NAME, "--flavor", FLAVOR_NAME, "--wait", "cli-made", "-f", "json"],
            region=None,
        )
        shown, listed, after = self.openstack(
            "server show cli-made -f json",
            "server list -f json",
            "server delete --wait cli-made",
            "server list -f json",
            region=None,
        )
        self.assertIn(IMAGE_NAME, [image["Name"] for image in images])
        self.assertEqual((created["name"], created["status"]), ("cli-made", "ACTIVE"))
        self.assertEqual(shown["image"], f"{IMAGE_NAME} ({DEFAULT_IMAGE_ID})")
        self.assertEqual(shown["flavor"]["original_name"], FLAVOR_NAME)
        self.assertEqual(
            [(s["ID"], s["Name"], s["Status"], s["Image"]) for s in listed],
            [(created["id"], "cli-made", "ACTIVE", IMAGE_NAME)],
        )
        self.assertEqual(after, [])

    def test_image_show_and_delete_of_a_snapshot(self) -> None:
        from novaclient import client

        nova = client.Client("2", session=self.v3_session(), region_name="ORD")
        server = nova.servers.create("snapped", DEFAULT_IMAGE_ID, FLAVOR)
        image_id = nova.servers.create_image(server, "cli-snapshot")
        shown, listed = self.openstack(
            "image show cli-snapshot -f json",
            "image delete cli-snapshot",
            "image list -f json",
        )
        self.assertEqual((shown["id"], shown["visibility"]), (image_id, "private"))
        self.assertNotIn("cli-snapshot", [image["Name"] for image in listed])
