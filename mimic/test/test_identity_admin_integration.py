# -*- test-case-name: mimic.test.test_identity_admin_integration -*-
"""
Identity's administrator and write APIs as their users reach them:
keystoneauth1, openstacksdk's identity proxy and the ``openstack``
command line, unmodified, against one real ``twistd mimic`` on loopback
(started by the first test, stopped when the test process exits).  Each
test makes its own projects and users, as a suite with dynamic
credentials does, so tests never see each other's.
"""

from __future__ import annotations

import atexit
import functools
import json
from typing import Any

from keystoneauth1 import session as ks_session
from keystoneauth1.exceptions import Forbidden
from keystoneauth1.identity import v3
from twisted.trial.unittest import SynchronousTestCase

from mimic.test.openstack_cli import json_documents, openstack_batch
from mimic.testing import MimicProcess


@functools.lru_cache(maxsize=None)
def mimic_url() -> str:
    process = MimicProcess()
    url = process.start()
    atexit.register(process.stop)
    return url


def admin_connection(url: str) -> Any:
    import openstack

    return openstack.connect(
        auth_url=f"{url}/identity",
        username="admin",
        password="password",
        project_name="admin",
        user_domain_name="Default",
        project_domain_name="Default",
        region_name="ORD",
    )


class SDKTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.url = mimic_url()

    def test_admin_makes_a_project_user_role_then_an_application_credential(self) -> None:
        import openstack

        admin = admin_connection(self.url)
        self.addCleanup(admin.close)
        project = admin.identity.create_project(name="sdk-proj", description="made by the sdk")
        user = admin.identity.create_user(
            name="sdk-user", password="sdk-pw", default_project_id=project.id
        )
        member = admin.identity.find_role("member")
        admin.identity.assign_project_role_to_user(project, user, member)
        self.assertTrue(admin.identity.validate_user_has_project_role(project, user, member))

        conn = openstack.connect(
            auth_url=f"{self.url}/identity/v3",
            username="sdk-user",
            password="sdk-pw",
            project_id=project.id,
            user_domain_name="Default",
            region_name="ORD",
        )
        self.addCleanup(conn.close)
        self.assertEqual(conn.current_project_id, project.id)
        credential = conn.identity.create_application_credential(user=user.id, name="sdk-app")
        auth = v3.ApplicationCredential(
            auth_url=f"{self.url}/identity/v3",
            application_credential_id=credential.id,
            application_credential_secret=credential.secret,
        )
        sess = ks_session.Session(auth=auth)
        self.assertEqual(sess.get_project_id(), project.id)
        self.assertEqual(sess.get_user_id(), user.id)
        # The project is a tenant the services serve.
        compute = sess.get_endpoint(service_type="compute", interface="public", region_name="ORD")
        self.assertIn(project.id, compute)
        self.assertEqual(sess.get(compute + "/servers").json(), {"servers": []})

        # A wrong password is refused, and a deleted user's tokens go.
        with self.assertRaises(openstack.exceptions.SDKException):
            openstack.connect(
                auth_url=f"{self.url}/identity/v3", username="sdk-user", password="wrong",
                project_id=project.id, user_domain_name="Default",
            ).authorize()
        token = sess.get_token()
        admin.identity.delete_user(user)
        response = admin.session.get(
            f"{self.url}/identity/v3/auth/tokens", headers={"X-Subject-Token": token},
            raise_exc=False,
        )
        self.assertEqual(response.status_code, 404)

    def test_a_user_cannot_validate_or_revoke_anothers_token(self) -> None:
        def login(name: str) -> ks_session.Session:
            auth = v3.Password(
                auth_url=f"{self.url}/identity/v3", username=name, password="any",
                user_domain_name="Default", project_name=f"{name}-project",
                project_domain_name="Default",
            )
            return ks_session.Session(auth=auth)

        alice, bob = login("policy-alice"), login("policy-bob")
        tokens = f"{self.url}/identity/v3/auth/tokens"
        subject = {"X-Subject-Token": bob.get_token()}
        with self.assertRaises(Forbidden):
            alice.get(tokens, headers=subject)
        with self.assertRaises(Forbidden):
            alice.delete(tokens, headers=subject)
        self.assertEqual(bob.get(tokens, headers=subject).status_code, 200)


class CommandLineTests(SynchronousTestCase):
    """
    The ``openstack`` command a person types; commands for one user are
    fed to one process (its interactive mode reads them from stdin), as
    each process costs an interpreter start.
    """

    def setUp(self) -> None:
        self.url = mimic_url()

    def openstack(self, username: str, password: str, project: str, *commands: str) -> str:
        output, errors = openstack_batch(
            {
                "OS_AUTH_URL": f"{self.url}/identity/v3",
                "OS_USERNAME": username,
                "OS_PASSWORD": password,
                "OS_PROJECT_NAME": project,
                "OS_USER_DOMAIN_NAME": "Default",
                "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_REGION_NAME": "ORD",
                "OS_IDENTITY_API_VERSION": "3",
            },
            commands,
        )
        self.assertEqual(errors.strip(), "", output)
        return output

    def documents(self, output: str) -> list[Any]:
        return json_documents(output)

    def test_projects_users_roles_credentials_catalog_and_inherited_roles(self) -> None:
        """
        One process per user (each costs an interpreter start): the
        administrator makes a project, a user and a grant, writes a
        region, a service and an endpoint and grants an inherited role;
        the user then makes an application credential and finds the new
        service in its catalog.
        """
        made = self.documents(self.openstack(
            "admin", "password", "admin",
            "project create cli-proj -f json",
            "user create --password cli-pw --project cli-proj cli-user -f json",
            "role add --user cli-user --project cli-proj member",
            "role assignment list --names --project cli-proj -f json",
            "region create CLI-R --description cli -f json",
            "service create --name cli-ext cli-external -f json",
            "endpoint create --region CLI-R cli-ext public http://cli.example/v1 -f json",
            "endpoint list --service cli-ext -f json",
            "domain create cli-dom -f json",
            "user create --domain cli-dom --password pw cli-inh -f json",
            "role add --user cli-inh --user-domain cli-dom --domain cli-dom --inherited member",
            "role assignment list --inherited --names -f json",
        ))
        project, user, assignments, region, service, endpoint, listed, _, _, inherited = made
        self.assertEqual((project["name"], user["name"]), ("cli-proj", "cli-user"))
        self.assertEqual(
            [(a["Role"], a["User"], a["Project"]) for a in assignments],
            [("member", "cli-user@Default", "cli-proj@Default")],
        )
        self.assertEqual((region["region"], service["type"]), ("CLI-R", "cli-external"))
        self.assertEqual([e["ID"] for e in listed], [endpoint["id"]])
        self.assertIn(("member", "cli-inh@cli-dom", "cli-dom", True),
                      [(a["Role"], a["User"], a["Domain"], a["Inherited"]) for a in inherited])
        credential, token, catalog = self.documents(self.openstack(
            "cli-user", "cli-pw", "cli-proj",
            "application credential create cli-app -f json",
            "token issue -f json",
            "catalog show cli-external -f json",
        ))
        self.assertEqual(credential["Project ID"], project["id"])
        self.assertTrue(credential["Secret"])
        self.assertEqual((token["project_id"], token["user_id"]), (project["id"], user["id"]))
        self.assertIn("http://cli.example/v1", json.dumps(catalog))


class CatalogAndTrustSDKTests(SynchronousTestCase):
    """
    The catalog written through identity, and trusts, as keystoneauth1
    and openstacksdk use them.
    """

    def setUp(self) -> None:
        self.url = mimic_url()

    def test_a_service_written_through_the_sdk_is_in_a_fresh_tokens_catalog(self) -> None:
        admin = admin_connection(self.url)
        self.addCleanup(admin.close)
        region = admin.identity.create_region(id="SDK-R", description="outside Mimic")
        service = admin.identity.create_service(name="sdk-ext", type="sdk-external", description="d")
        endpoint = admin.identity.create_endpoint(
            service_id=service.id, interface="public", region_id=region.id,
            url="http://ext.example/v1/$(project_id)s",
        )
        self.assertEqual(admin.identity.get_endpoint(endpoint.id).url, "http://ext.example/v1/$(project_id)s")
        self.assertIn("sdk-external", [s.type for s in admin.identity.services()])
        auth = v3.Password(
            auth_url=f"{self.url}/identity/v3", username="sdk-cat-user", password="any",
            user_domain_name="Default", project_name="sdk-cat-project", project_domain_name="Default",
        )
        sess = ks_session.Session(auth=auth)
        found = sess.get_endpoint(service_type="sdk-external", interface="public", region_name="SDK-R")
        self.assertEqual(found, f"http://ext.example/v1/{sess.get_project_id()}")
        admin.identity.delete_service(service)
        self.assertEqual(list(admin.identity.endpoints(service_id=service.id)), [])

    def test_an_endpoint_template_enabled_for_a_tenant_reaches_its_v2_catalog(self) -> None:
        from keystoneauth1.identity import v2

        admin_v2 = ks_session.Session(auth=v2.Password(
            auth_url=f"{self.url}/identity/v2.0", username="admin", password="password", tenant_name="admin"))
        base = f"{self.url}/identity/v2.0"
        service = admin_v2.post(base + "/OS-KSADM/services", json={
            "OS-KSADM:service": {"name": "v2-ext", "type": "v2-external"}}).json()["OS-KSADM:service"]
        admin_v2.post(base + "/OS-KSCATALOG/endpointTemplates", json={"OS-KSCATALOG:endpointTemplate": {
            "id": "9001", "name": "v2-ext", "type": "v2-external", "region": "ORD",
            "publicURL": "http://v2.example/%tenant_id%"}})
        user = ks_session.Session(auth=v2.Password(
            auth_url=base, username="v2-template-user", password="any"))
        tenant = user.get_project_id()
        admin_v2.post(f"{base}/tenants/{tenant}/OS-KSCATALOG/endpoints",
                      json={"OS-KSCATALOG:endpointTemplate": {"id": "9001"}})
        fresh = ks_session.Session(auth=v2.Password(auth_url=base, username="v2-template-user", password="any"))
        self.assertEqual(
            fresh.get_endpoint(service_type="v2-external", interface="public", region_name="ORD"),
            f"http://v2.example/{tenant}",
        )
        admin_v2.delete(base + "/OS-KSCATALOG/endpointTemplates/9001")
        admin_v2.delete(f"{base}/OS-KSADM/services/{service['id']}")

    def test_a_trustee_works_in_the_trustors_project_through_a_trust(self) -> None:
        admin = admin_connection(self.url)
        self.addCleanup(admin.close)
        project = admin.identity.create_project(name="trust-proj")
        trustor = admin.identity.create_user(name="trustor", password="pw1", default_project_id=project.id)
        trustee = admin.identity.create_user(name="trustee", password="pw2")
        member = admin.identity.find_role("member")
        admin.identity.assign_project_role_to_user(project, trustor, member)
        trustor_sess = ks_session.Session(auth=v3.Password(
            auth_url=f"{self.url}/identity/v3", username="trustor", password="pw1",
            user_domain_name="Default", project_id=project.id))
        trust = trustor_sess.post(f"{self.url}/identity/v3/OS-TRUST/trusts", json={"trust": {
            "trustor_user_id": trustor.id, "trustee_user_id": trustee.id, "project_id": project.id,
            "impersonation": True, "roles": [{"name": "member"}]}}).json()["trust"]
        trusted = ks_session.Session(auth=v3.Password(
            auth_url=f"{self.url}/identity/v3", username="trustee", password="pw2",
            user_domain_name="Default", trust_id=trust["id"]))
        self.assertEqual((trusted.get_project_id(), trusted.get_user_id()), (project.id, trustor.id))
        compute = trusted.get_endpoint(service_type="compute", interface="public", region_name="ORD")
        self.assertEqual(trusted.get(compute + "/servers").json(), {"servers": []})

