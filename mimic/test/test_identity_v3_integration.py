# -*- test-case-name: mimic.test.test_identity_v3_integration -*-
"""
Today's OpenStack clients, with their default settings, against a real
``twistd mimic`` process: keystoneauth1's v3 and version-discovering
plugins, openstacksdk and the ``openstack`` CLI.
"""

from __future__ import annotations

from typing import Any

import openstack
from keystoneauth1 import session as ks_session
from keystoneauth1.exceptions import NotFound as KeystoneNotFound
from keystoneauth1.identity import generic, v2, v3
from twisted.trial.unittest import TestCase

from mimic.test.openstack_cli import json_documents, openstack_batch, openstack_command
from mimic.testing import pristine_mimic


class MimicProcessCase(TestCase):
    """
    Each test gets its own Mimic process (it starts in well under a
    second), so users and tokens never leak between tests.
    """

    def setUp(self) -> None:
        self.url = pristine_mimic()


class KeystoneauthTests(MimicProcessCase):
    def v3_password(self, username: str, project_name: str | None = None, **kwargs: Any) -> v3.Password:
        return v3.Password(
            auth_url=f"{self.url}/identity/v3",
            username=username,
            password="any",
            user_domain_name="Default",
            project_name=project_name,
            project_domain_name="Default" if project_name else None,
            **kwargs,
        )

    def test_v3_password_gets_a_project_scoped_token_and_catalog(self) -> None:
        sess = ks_session.Session(auth=self.v3_password("ks-alice", "alice-project"))
        self.assertTrue(sess.get_token())
        self.assertEqual(sess.get_project_id(), "alice-project")
        access = sess.auth.get_access(sess)
        self.assertEqual(access.version, "v3")
        self.assertEqual(access.project_name, "alice-project")
        self.assertEqual(access.user_domain_id, "default")
        self.assertIn("member", access.role_names)
        self.assertNotIn("admin", access.role_names)
        self.assertEqual(
            sess.get_endpoint(service_type="identity", interface="public"), f"{self.url}/identity/v3"
        )

    def test_generic_password_discovers_v3_at_the_unversioned_url(self) -> None:
        auth = generic.Password(
            auth_url=f"{self.url}/identity",
            username="ks-bob",
            password="any",
            project_name="bob-project",
            user_domain_name="Default",
            project_domain_name="Default",
        )
        sess = ks_session.Session(auth=auth)
        self.assertEqual(sess.get_project_id(), "bob-project")
        self.assertEqual(auth.get_access(sess).version, "v3")

    def test_v2_and_v3_clients_are_the_same_user_and_tenant(self) -> None:
        v3_sess = ks_session.Session(auth=self.v3_password("ks-carol", "carol-project"))
        v2_sess = ks_session.Session(
            auth=v2.Password(f"{self.url}/identity/v2.0", username="ks-carol", password="any")
        )
        self.assertEqual(v3_sess.get_project_id(), "carol-project")
        self.assertEqual(v2_sess.get_project_id(), "carol-project")
        self.assertEqual(v2_sess.get_user_id(), v3_sess.get_user_id())

    def test_token_method_and_revocation(self) -> None:
        """
        A token exchanged for another (keystoneauth's v3.Token) works until
        it is revoked, after which identity no longer knows it.
        """
        password_sess = ks_session.Session(auth=self.v3_password("ks-dave", "dave-project"))
        first = password_sess.get_token()
        token_sess = ks_session.Session(
            auth=v3.Token(
                auth_url=f"{self.url}/identity/v3",
                token=first,
                project_id="dave-project",
            )
        )
        second = token_sess.get_token()
        self.assertNotEqual(first, second)
        tokens_url = f"{self.url}/identity/v3/auth/tokens"
        response = password_sess.get(tokens_url, headers={"X-Subject-Token": second})
        self.assertEqual(response.json()["token"]["methods"], ["password", "token"])
        password_sess.delete(tokens_url, headers={"X-Subject-Token": second})
        with self.assertRaises(KeystoneNotFound):
            password_sess.get(tokens_url, headers={"X-Subject-Token": second})


def sdk_connection(url: str, username: str) -> Any:
    """
    openstacksdk with its defaults, given only the unversioned identity
    URL and credentials.
    """
    return openstack.connect(
        auth_url=f"{url}/identity",
        username=username,
        password="any",
        project_name=f"{username}-project",
        user_domain_name="Default",
        project_domain_name="Default",
    )


def sdk_server(conn: Any, name: str) -> Any:
    """
    A server made through openstacksdk's compute proxy with the first
    flavor and image compute lists.
    """
    flavor = next(iter(conn.compute.flavors()))
    image = next(iter(conn.compute.images()))
    return conn.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id)


class OpenStackSDKTests(MimicProcessCase):
    def test_connect_with_defaults_at_the_unversioned_url(self) -> None:
        conn = sdk_connection(self.url, "sdk-erin")
        self.addCleanup(conn.close)
        conn.authorize()
        self.assertEqual(conn.current_project_id, "sdk-erin-project")
        # Listing every project or user is an administrator's: a user
        # reads its own.
        projects = [p.name for p in conn.identity.user_projects(conn.current_user_id)]
        self.assertEqual(projects, ["sdk-erin-project"])
        user = conn.identity.get_user(conn.current_user_id)
        self.assertEqual(user.default_project_id, "sdk-erin-project")
        self.assertEqual(conn.identity.get_domain("default").name, "Default")
        self.assertIn("identity", [service.type for service in conn.identity.services()])


    def test_v3_and_v2_tokens_of_one_tenant_see_the_same_servers(self) -> None:
        conn = sdk_connection(self.url, "sdk-gina")
        self.addCleanup(conn.close)
        server = sdk_server(conn, "shared-server")
        self.assertEqual([s.id for s in conn.compute.servers()], [server.id])
        v2_sess = ks_session.Session(
            auth=v2.Password(f"{self.url}/identity/v2.0", username="sdk-gina", password="any")
        )
        self.assertEqual(v2_sess.get_project_id(), "sdk-gina-project")
        region = conn.compute.get_endpoint().split("/service/compute/")[1].split("/")[0]
        listed = v2_sess.get(
            "/servers", endpoint_filter={"service_type": "compute", "region_name": region}
        ).json()["servers"]
        self.assertEqual([s["id"] for s in listed], [server.id])


class OpenStackCLITests(MimicProcessCase):
    def openstack(self, *commands: Any, username: str = "cli-frank") -> list[Any]:
        """
        Run ``commands`` in one ``openstack`` process (see
        :mod:`mimic.test.openstack_cli`; one command given as a list of
        arguments runs as it is) with nothing but the usual OS_*
        variables, and give back the JSON documents they print.
        """
        run = openstack_command if len(commands) == 1 and not isinstance(commands[0], str) else openstack_batch
        output, errors = run(
            {
                "OS_AUTH_URL": f"{self.url}/identity/v3",
                "OS_USERNAME": username,
                "OS_PASSWORD": "any",
                "OS_PROJECT_NAME": f"{username}-project",
                "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default",
            },
            commands[0] if run is openstack_command else commands,
        )
        if errors.strip():
            self.fail(f"openstack failed:\n{output}\n{errors}")
        return json_documents(output)

    def test_token_issue_and_the_catalog_with_identity(self) -> None:
        token, catalog = self.openstack("token issue -f json", "catalog list -f json")
        self.assertEqual(token["project_id"], "cli-frank-project")
        self.assertEqual(len(token["id"]), 32)
        self.assertTrue(token["expires"])
        [identity] = [entry for entry in catalog if entry["Type"] == "identity"]
        urls = {endpoint["url"] for endpoint in identity["Endpoints"]}
        self.assertEqual(urls, {f"{self.url}/identity/v3"})
        interfaces = {endpoint["interface"] for endpoint in identity["Endpoints"]}
        self.assertEqual(interfaces, {"public", "internal", "admin"})

    def test_server_list_and_delete_of_a_server_made_with_the_sdk(self) -> None:
        conn = sdk_connection(self.url, "cli-frank")
        self.addCleanup(conn.close)
        server = sdk_server(conn, "sdk-made")
        listed, after = self.openstack(
            "server list -f json", f"server delete --wait {server.id}", "server list -f json"
        )
        self.assertEqual([(s["ID"], s["Name"]) for s in listed], [(server.id, "sdk-made")])
        self.assertEqual(after, [])

    def test_server_create_list_delete(self) -> None:
        """
        Issue 6: with no overrides, the CLI finds the image by name in the
        Image service and the flavor by name in compute, in the same
        (first listed) region.
        """
        flavors, images = self.openstack("flavor list -f json", "image list -f json")
        flavor, image = flavors[0]["Name"], images[0]["Name"]
        [created] = self.openstack(
            ["server", "create", "--flavor", flavor, "--image", image, "--wait", "cli-server", "-f", "json"]
        )
        listed, after = self.openstack(
            "server list -f json",
            "server delete --wait cli-server",
            "server list -f json",
        )
        self.assertEqual((created["name"], created["status"]), ("cli-server", "ACTIVE"))
        self.assertEqual([(s["Name"], s["Image"]) for s in listed], [("cli-server", image)])
        self.assertEqual(after, [])
