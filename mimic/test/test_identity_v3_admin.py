# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
Identity's administrator and Keystone's write APIs, in memory: projects,
users, roles and their assignments, domains, groups and application
credentials, and what they change for authentication.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.core import MimicCore
from mimic.root import MimicRoot
from mimic.test.test_identity_v3 import NotesMock
from mimic.testing import InMemoryMimic, Response

V3 = "/identity/v3"
TOKENS = V3 + "/auth/tokens"


def password_auth(name: str, password: str, scope: Any = None) -> dict[str, Any]:
    auth: dict[str, Any] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": name, "domain": {"id": "default"}, "password": password}},
        }
    }
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


class AdminCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[NotesMock()])
        self.admin = self.login("admin", "password")

    def login(self, name: str, password: str, scope: Any = None, code: int = 201) -> str:
        response = self.mimic.request("POST", TOKENS, password_auth(name, password, scope))
        self.assertEqual(response.code, code, response)
        return response.header("x-subject-token") or ""

    def call(
        self, method: str, path: str, body: Any = None, code: int = 200, token: str | None = None
    ) -> Any:
        response = self.mimic.request(method, V3 + path, body, token=token or self.admin)
        self.assertEqual(response.code, code, response)
        return response.json() if response.body else None

    def assertKeystoneError(self, response: Response, code: int) -> None:
        self.assertEqual(response.code, code, response)
        self.assertEqual(response.json()["error"]["code"], code)

    def token_body(self, token: str) -> dict[str, Any]:
        return self.call("GET", "/auth/tokens?nocatalog", token=self.admin and token) if False else (
            self.mimic.request("GET", TOKENS, token=self.admin, headers={"X-Subject-Token": token})
            .json()["token"]
        )


class AdministratorTests(AdminCase):
    def test_admin_token_carries_admin_roles_in_v3_and_v2(self) -> None:
        roles = {r["name"] for r in self.token_body(self.admin)["roles"]}
        self.assertTrue({"admin", "member", "reader", "identity:admin"} <= roles)
        access = self.mimic.authenticate("admin", password="password")
        v2_roles = {r["name"] for r in access.access["user"]["roles"]}
        self.assertTrue({"identity:admin", "identity:user-admin", "admin"} <= v2_roles)
        self.assertEqual(access.access["token"]["tenant"]["id"], "admin")

    def test_admin_needs_its_password(self) -> None:
        self.login("admin", "wrong", code=401)
        response = self.mimic.request(
            "POST", "/identity/v2.0/tokens",
            {"auth": {"passwordCredentials": {"username": "admin", "password": "nope"}}},
        )
        self.assertKeystoneError(response, 401)

    def test_other_users_are_no_administrators(self) -> None:
        alice = self.login("alice", "anything")
        names = {r["name"] for r in self.token_body(alice)["roles"]}
        self.assertEqual(names, {"identity:user-admin", "member", "reader"})

    def test_admin_name_and_password_are_settings(self) -> None:
        core = MimicCore.create(
            self.mimic.clock,
            [NotesMock()],
            {"identity.admin_user": "root", "identity.admin_password": "s3cret"},
        )
        mimic = InMemoryMimic.__new__(InMemoryMimic)
        mimic.clock, mimic.core = self.mimic.clock, core
        from treq.testing import StubTreq

        mimic.resource = MimicRoot(core)
        mimic.treq = StubTreq(mimic.resource)
        response = mimic.request("POST", TOKENS, password_auth("root", "s3cret"))
        self.assertEqual(response.code, 201)
        self.assertIn("admin", [r["name"] for r in response.json()["token"]["roles"]])
        self.assertEqual(mimic.request("POST", TOKENS, password_auth("root", "x")).code, 401)
        # "admin" is then an ordinary name.
        response = mimic.request("POST", TOKENS, password_auth("admin", "x"))
        self.assertNotIn("admin", [r["name"] for r in response.json()["token"]["roles"]])

    def test_a_user_granted_admin_is_an_administrator(self) -> None:
        alice = self.mimic.authenticate("alice")
        [admin_role] = self.call("GET", "/roles?name=admin")["roles"]
        user_id = alice.access["user"]["id"]
        self.call("PUT", f"/projects/{alice.tenant_id}/users/{user_id}/roles/{admin_role['id']}", code=204)
        token = self.login("alice", "any", {"project": {"id": alice.tenant_id}})
        self.call("GET", "/users", token=token)


class ProjectAndUserTests(AdminCase):
    def test_created_user_authenticates_with_its_password_on_a_granted_project(self) -> None:
        project = self.call("POST", "/projects", {"project": {"name": "p1", "tags": ["a"]}}, 201)["project"]
        self.assertEqual((project["domain_id"], project["parent_id"], project["tags"]), ("default", "default", ["a"]))
        user = self.call(
            "POST", "/users", {"user": {"name": "u1", "password": "pw", "default_project_id": project["id"]}}, 201
        )["user"]
        scope = {"project": {"name": "p1", "domain": {"id": "default"}}}
        # No role yet: no token for the project; an unscoped one by default.
        self.login("u1", "pw", scope, code=401)
        unscoped = self.login("u1", "pw")
        self.assertNotIn("project", self.token_body(unscoped))
        [member] = self.call("GET", "/roles?name=member")["roles"]
        self.call("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}", code=204)
        self.call("HEAD", f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}", code=204)
        self.login("u1", "wrong", scope, code=401)
        token = self.login("u1", "pw", scope)
        body = self.token_body(token)
        self.assertEqual(body["project"]["id"], project["id"])
        self.assertEqual({r["name"] for r in body["roles"]}, {"member", "reader"})
        # Scoped to the new project, the services serve it as a tenant.
        response = self.mimic.request(
            "POST", f"/service/notes/ORD/{project['id']}/v1/{project['id']}/notes", token=token
        )
        self.assertEqual(response.code, 201)
        # Revoking the role revokes the token.
        self.call("DELETE", f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}", code=204)
        self.assertEqual(
            self.mimic.request("GET", f"/service/notes/ORD/{project['id']}/v1/{project['id']}/notes",
                               token=token).code,
            401,
        )

    def test_one_user_works_in_several_projects(self) -> None:
        alice = self.mimic.authenticate("alice")
        user_id = alice.access["user"]["id"]
        extra = self.call("POST", "/projects", {"project": {"name": "shared"}}, 201)["project"]
        [member] = self.call("GET", "/roles?name=member")["roles"]
        self.call("PUT", f"/projects/{extra['id']}/users/{user_id}/roles/{member['id']}", code=204)
        own = self.login("alice", "any")
        self.assertEqual(self.token_body(own)["project"]["id"], alice.tenant_id)
        shared = self.login("alice", "any", {"project": {"id": extra["id"]}})
        self.assertEqual(self.token_body(shared)["project"]["name"], "shared")
        listed = self.call("GET", "/auth/projects", token=own)["projects"]
        self.assertEqual(sorted(p["name"] for p in listed), sorted([alice.tenant_id, "shared"]))
        names = self.call("GET", f"/role_assignments?user.id={user_id}&include_names", token=own)
        self.assertIn(("shared", "member"), [
            (a["scope"]["project"]["name"], a["role"]["name"]) for a in names["role_assignments"]
        ])

    def test_deleting_a_user_or_project_revokes_its_tokens(self) -> None:
        project = self.call("POST", "/projects", {"project": {"name": "doomed"}}, 201)["project"]
        user = self.call("POST", "/users", {"user": {"name": "temp", "password": "pw"}}, 201)["user"]
        [member] = self.call("GET", "/roles?name=member")["roles"]
        self.call("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}", code=204)
        token = self.login("temp", "pw", {"project": {"id": project["id"]}})
        self.call("DELETE", f"/projects/{project['id']}", code=204)
        self.call("GET", "/auth/projects", token=token, code=401)
        token = self.login("temp", "pw")
        self.call("DELETE", f"/users/{user['id']}", code=204)
        self.call("GET", "/auth/projects", token=token, code=401)
        self.call("GET", f"/users/{user['id']}", code=404)
        self.call("GET", f"/projects/{project['id']}", code=404)

    def test_project_update_list_and_errors(self) -> None:
        parent = self.call("POST", "/projects", {"project": {"name": "parent"}}, 201)["project"]
        child = self.call(
            "POST", "/projects", {"project": {"name": "child", "parent_id": parent["id"]}}, 201
        )["project"]
        self.assertEqual(child["parent_id"], parent["id"])
        self.call("POST", "/projects", {"project": {"name": "child"}}, 409)
        self.call("POST", "/projects", {"project": {}}, 400)
        self.call("POST", "/projects", {"project": {"name": "x", "domain_id": "nope"}}, 404)
        self.call("DELETE", f"/projects/{parent['id']}", code=403)
        updated = self.call(
            "PATCH", f"/projects/{child['id']}", {"project": {"enabled": False, "description": "d"}}
        )["project"]
        self.assertEqual((updated["enabled"], updated["description"]), (False, "d"))
        listed = self.call("GET", f"/projects?parent_id={parent['id']}")["projects"]
        self.assertEqual([p["id"] for p in listed], [child["id"]])
        self.call("PUT", f"/projects/{child['id']}/tags/t1", code=201)
        self.assertEqual(self.call("GET", f"/projects/{child['id']}/tags")["tags"], ["t1"])
        self.assertEqual([p["id"] for p in self.call("GET", "/projects?tags=t1")["projects"]], [child["id"]])

    def test_users_change_their_own_password(self) -> None:
        user = self.call("POST", "/users", {"user": {"name": "pwuser", "password": "old"}}, 201)["user"]
        self.assertNotIn("password", user)
        self.call("POST", f"/users/{user['id']}/password",
                  {"user": {"original_password": "bad", "password": "new"}}, 401)
        self.call("POST", f"/users/{user['id']}/password",
                  {"user": {"original_password": "old", "password": "new"}}, 204)
        self.login("pwuser", "old", code=401)
        self.login("pwuser", "new")

    def test_user_without_password_cannot_authenticate(self) -> None:
        self.call("POST", "/users", {"user": {"name": "nopw"}}, 201)
        self.login("nopw", "anything", code=401)

    def test_disabled_user_is_refused(self) -> None:
        user = self.call("POST", "/users", {"user": {"name": "off", "password": "pw"}}, 201)["user"]
        token = self.login("off", "pw")
        self.call("PATCH", f"/users/{user['id']}", {"user": {"enabled": False}})
        self.call("GET", "/auth/projects", token=token, code=401)
        self.login("off", "pw", code=401)


class PolicyTests(AdminCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice = self.mimic.authenticate("alice")
        self.bob = self.mimic.authenticate("bob")

    def subject(self, method: str, caller: str, subject: str) -> Response:
        return self.mimic.request(method, TOKENS, token=caller, headers={"X-Subject-Token": subject})

    def test_a_user_validates_and_revokes_only_its_own_tokens(self) -> None:
        for method in ("GET", "HEAD", "DELETE"):
            response = self.subject(method, self.alice.token, self.bob.token)
            self.assertEqual(response.code, 403, method)
        self.assertKeystoneError(self.subject("GET", self.alice.token, self.bob.token), 403)
        self.assertEqual(self.subject("GET", self.alice.token, self.alice.token).code, 200)
        self.assertEqual(self.subject("GET", self.admin, self.bob.token).code, 200)
        # Bob's token still works.
        self.assertEqual(self.subject("GET", self.bob.token, self.bob.token).code, 200)
        own = self.mimic.authenticate("alice").token
        self.assertEqual(self.subject("DELETE", self.alice.token, own).code, 204)
        self.assertEqual(self.subject("DELETE", self.admin, self.bob.token).code, 204)

    def test_a_service_user_validates_any_token(self) -> None:
        service = self.mimic.authenticate("nova")
        [role] = self.call("GET", "/roles?name=service")["roles"]
        user_id = service.access["user"]["id"]
        self.call("PUT", f"/projects/{service.tenant_id}/users/{user_id}/roles/{role['id']}", code=204)
        token = self.login("nova", "any")
        self.assertEqual(self.subject("GET", token, self.bob.token).code, 200)
        self.assertEqual(self.subject("DELETE", token, self.bob.token).code, 204)

    def test_v2_validation_api_keys_and_impersonation_need_admin(self) -> None:
        v2 = "/identity/v2.0"
        alice, bob = self.alice.token, self.bob.token
        bob_id = self.bob.access["user"]["id"]
        for method, path in (
            ("GET", f"/tokens/{bob}"),
            ("HEAD", f"/tokens/{bob}"),
            ("GET", f"/tokens/{bob}/endpoints"),
            ("DELETE", f"/tokens/{bob}"),
            ("GET", f"/users/{bob_id}/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials"),
            ("GET", f"/users/{bob_id}"),
        ):
            self.assertEqual(self.mimic.request(method, v2 + path, token=alice).code, 403, path)
        impersonate = {"RAX-AUTH:impersonation": {"user": {"username": "bob"}}}
        response = self.mimic.request("POST", v2 + "/RAX-AUTH/impersonation-tokens", impersonate, token=alice)
        self.assertKeystoneError(response, 403)
        admin = self.mimic.authenticate("admin", password="password").token
        self.assertEqual(self.mimic.request("GET", f"{v2}/tokens/{bob}", token=admin).code, 200)
        response = self.mimic.request("POST", v2 + "/RAX-AUTH/impersonation-tokens", impersonate, token=admin)
        self.assertEqual(response.code, 200)
        key = self.mimic.request(
            "GET", f"{v2}/users/{bob_id}/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials", token=admin
        )
        self.assertEqual(key.code, 200)
        self.assertEqual(self.mimic.request("DELETE", f"{v2}/tokens/{bob}", token=admin).code, 204)
        self.assertEqual(self.mimic.request("GET", f"{v2}/tokens/{bob}", token=admin).code, 404)
        own = self.mimic.request("DELETE", f"{v2}/tokens/{alice}", token=alice)
        self.assertEqual(own.code, 204)

    def test_listing_and_writing_need_admin(self) -> None:
        alice = self.alice.token
        for method, path, body in (
            ("GET", "/users", None),
            ("GET", "/projects", None),
            ("POST", "/projects", {"project": {"name": "x"}}),
            ("POST", "/users", {"user": {"name": "x"}}),
            ("POST", "/roles", {"role": {"name": "x"}}),
            ("POST", "/domains", {"domain": {"name": "x"}}),
            ("GET", "/groups", None),
        ):
            self.call(method, path, body, 403, token=alice)


class RolesDomainsGroupsTests(AdminCase):
    def test_roles_domains_and_groups(self) -> None:
        role = self.call("POST", "/roles", {"role": {"name": "custom"}}, 201)["role"]
        self.call("POST", "/roles", {"role": {"name": "custom"}}, 409)
        domain = self.call("POST", "/domains", {"domain": {"name": "other"}}, 201)["domain"]
        domain_role = self.call(
            "POST", "/roles", {"role": {"name": "custom", "domain_id": domain["id"]}}, 201
        )["role"]
        self.assertEqual(domain_role["domain_id"], domain["id"])
        self.assertEqual(
            [r["id"] for r in self.call("GET", f"/roles?domain_id={domain['id']}")["roles"]],
            [domain_role["id"]],
        )
        group = self.call("POST", "/groups", {"group": {"name": "g"}}, 201)["group"]
        user = self.call("POST", "/users", {"user": {"name": "gu", "password": "pw"}}, 201)["user"]
        project = self.call("POST", "/projects", {"project": {"name": "gp"}}, 201)["project"]
        self.call("PUT", f"/groups/{group['id']}/users/{user['id']}", code=204)
        self.call("PUT", f"/projects/{project['id']}/groups/{group['id']}/roles/{role['id']}", code=204)
        token = self.login("gu", "pw", {"project": {"id": project["id"]}})
        self.assertEqual([r["name"] for r in self.token_body(token)["roles"]], ["custom"])
        effective = self.call("GET", f"/role_assignments?effective&user.id={user['id']}")["role_assignments"]
        self.assertEqual([a["role"]["id"] for a in effective], [role["id"]])
        self.assertIn("membership", effective[0]["links"])
        self.call("DELETE", f"/domains/{domain['id']}", code=403)
        self.call("PATCH", f"/domains/{domain['id']}", {"domain": {"enabled": False}})
        self.call("DELETE", f"/domains/{domain['id']}", code=204)
        self.call("GET", f"/roles/{domain_role['id']}", code=404)


class ApplicationCredentialTests(AdminCase):
    def test_create_authenticate_and_delete(self) -> None:
        alice = self.mimic.authenticate("alice")
        user_id = alice.access["user"]["id"]
        token = self.login("alice", "any")
        created = self.call(
            "POST", f"/users/{user_id}/application_credentials",
            {"application_credential": {"name": "ci"}}, 201, token=token,
        )["application_credential"]
        self.assertEqual(created["project_id"], alice.tenant_id)
        auth = {"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": created["id"], "secret": created["secret"]},
        }}}
        response = self.mimic.request("POST", TOKENS, auth)
        self.assertEqual(response.code, 201, response)
        body = response.json()["token"]
        self.assertEqual((body["methods"], body["project"]["id"]), (["application_credential"], alice.tenant_id))
        by_name = {"auth": {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"name": "ci", "user": {"id": user_id}, "secret": created["secret"]},
        }}}
        self.assertEqual(self.mimic.request("POST", TOKENS, by_name).code, 201)
        auth["auth"]["identity"]["application_credential"]["secret"] = "wrong"
        self.assertEqual(self.mimic.request("POST", TOKENS, auth).code, 401)
        listed = self.call("GET", f"/users/{user_id}/application_credentials", token=token)
        self.assertEqual([c["name"] for c in listed["application_credentials"]], ["ci"])
        self.assertNotIn("secret", listed["application_credentials"][0])
        self.call("DELETE", f"/users/{user_id}/application_credentials/{created['id']}", code=204, token=token)
        auth["auth"]["identity"]["application_credential"]["secret"] = created["secret"]
        self.assertEqual(self.mimic.request("POST", TOKENS, auth).code, 401)


class SystemScopeTests(AdminCase):
    def test_only_admins_get_system_scoped_tokens(self) -> None:
        token = self.login("admin", "password", {"system": {"all": True}})
        self.assertEqual(self.token_body(token)["system"], {"all": True})
        self.login("alice", "any", {"system": {"all": True}}, code=401)


class KnownConditionTests(AdminCase):
    def register(self, name: str, **extra: Any) -> None:
        body = {"name": name, "criteria": [{"username": "^alice$"}], **extra}
        response = self.mimic.request("POST", "/mimic/v1.1/identity/behaviors/auth", body)
        self.assertEqual(response.code, 201, response)

    def test_locked_account_and_expired_password(self) -> None:
        self.register("locked", times=1)
        self.register("password_expired", times=1)
        response = self.mimic.request("POST", TOKENS, password_auth("alice", "any"))
        self.assertKeystoneError(response, 401)
        self.assertTrue(response.json()["error"]["message"].startswith("The account is locked for user: "))
        response = self.mimic.request(
            "POST", "/identity/v2.0/tokens",
            {"auth": {"passwordCredentials": {"username": "alice", "password": "any"}}},
        )
        self.assertIn("password is expired", response.json()["error"]["message"])
        self.login("alice", "any")
        self.login("bob", "any")

    def test_a_user_refused_n_times_then_an_outage(self) -> None:
        self.register("fail", times=2, parameters={"code": 401, "message": "no"})
        self.login("alice", "any", code=401)
        self.login("alice", "any", code=401)
        self.login("alice", "any")
        body = {"name": "fail", "parameters": {"code": 503, "message": "down"}}
        self.mimic.request("POST", "/mimic/v1.1/identity/behaviors/auth", body)
        self.login("bob", "any", code=503)

    def test_a_token_expires_early(self) -> None:
        self.register("expires_early", times=1, parameters={"seconds": 30})
        early = self.login("alice", "any")
        usual = self.login("alice", "any")
        self.mimic.tick(31)
        self.call("GET", "/auth/projects", token=early, code=401)
        self.call("GET", "/auth/projects", token=usual)


class ImpliedRoleTests(AdminCase):
    def test_an_implied_role_comes_with_its_prior_in_tokens(self) -> None:
        prior = self.call("POST", "/roles", {"role": {"name": "prior"}}, 201)["role"]
        implied = self.call("POST", "/roles", {"role": {"name": "implied"}}, 201)["role"]
        inference = self.call("PUT", f"/roles/{prior['id']}/implies/{implied['id']}", code=201)
        self.assertEqual(inference["role_inference"]["implies"]["id"], implied["id"])
        self.call("PUT", f"/roles/{implied['id']}/implies/{prior['id']}", code=403)
        self.call("HEAD", f"/roles/{prior['id']}/implies/{implied['id']}", code=204)
        alice = self.mimic.authenticate("alice")
        user_id = alice.access["user"]["id"]
        self.call("PUT", f"/projects/{alice.tenant_id}/users/{user_id}/roles/{prior['id']}", code=204)
        names = {r["name"] for r in self.token_body(self.login("alice", "any"))["roles"]}
        self.assertTrue({"prior", "implied"} <= names)
        inferences = self.call("GET", "/role_inferences")["role_inferences"]
        self.assertIn(prior["id"], [i["prior_role"]["id"] for i in inferences])
        self.call("DELETE", f"/roles/{prior['id']}/implies/{implied['id']}", code=204)
        self.call("GET", f"/roles/{prior['id']}/implies/{implied['id']}", code=404)


class CredentialTests(AdminCase):
    def test_ec2_and_generic_credentials_are_their_owners(self) -> None:
        alice = self.mimic.authenticate("alice")
        user_id = alice.access["user"]["id"]
        token = self.login("alice", "any")
        ec2 = self.call(
            "POST", f"/users/{user_id}/credentials/OS-EC2", {"tenant_id": alice.tenant_id}, 201, token=token
        )["credential"]
        self.assertEqual(ec2["tenant_id"], alice.tenant_id)
        shown = self.call("GET", f"/users/{user_id}/credentials/OS-EC2/{ec2['access']}", token=token)
        self.assertEqual(shown["credential"]["secret"], ec2["secret"])
        listed = self.call("GET", "/credentials?type=ec2", token=token)["credentials"]
        self.assertEqual(len(listed), 1)
        bob = self.login("bob", "any")
        self.call("GET", f"/users/{user_id}/credentials/OS-EC2", code=403, token=bob)
        self.call("GET", f"/credentials/{listed[0]['id']}", code=403, token=bob)
        made = self.call("POST", "/credentials", {"credential": {
            "blob": "{}", "type": "cert", "user_id": user_id}}, 201, token=token)["credential"]
        self.call("PATCH", f"/credentials/{made['id']}", {"credential": {"blob": "x"}}, token=token)
        self.call("DELETE", f"/credentials/{made['id']}", code=204, token=token)
        self.call("DELETE", f"/users/{user_id}/credentials/OS-EC2/{ec2['access']}", code=204, token=token)
        self.assertEqual(self.call("GET", "/credentials", token=token)["credentials"], [])

    def test_a_role_grant_not_yet_visible(self) -> None:
        body = {"name": "not_yet_visible", "parameters": {"seconds": 10}, "times": 1}
        response = self.mimic.request("POST", "/mimic/v1.1/identity/behaviors/role_grant", body)
        self.assertEqual(response.code, 201, response)
        project = self.call("POST", "/projects", {"project": {"name": "later"}}, 201)["project"]
        user = self.call("POST", "/users", {"user": {"name": "waiter", "password": "pw"}}, 201)["user"]
        [member] = self.call("GET", "/roles?name=member")["roles"]
        grant = f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}"
        self.call("PUT", grant, code=204)
        self.call("HEAD", grant, code=404)
        self.login("waiter", "pw", {"project": {"id": project["id"]}}, code=401)
        self.mimic.tick(10)
        self.call("HEAD", grant, code=204)
        self.login("waiter", "pw", {"project": {"id": project["id"]}})


class V2AdminTests(AdminCase):
    def test_os_ksadm_users_roles_and_tenants(self) -> None:
        v2 = "/identity/v2.0"
        admin = self.mimic.authenticate("admin", password="password").token
        alice = self.mimic.authenticate("alice").token
        body = {"user": {"username": "rax-sub", "email": "s@example.com", "OS-KSADM:password": "pw"}}
        self.assertEqual(self.mimic.request("POST", v2 + "/users", body, token=alice).code, 403)
        created = self.mimic.request("POST", v2 + "/users", body, token=admin)
        self.assertEqual(created.code, 201, created)
        user_id = created.json()["user"]["id"]
        roles = self.mimic.request("GET", v2 + "/OS-KSADM/roles", token=admin).json()["roles"]
        [member] = [r for r in roles if r["name"] == "member"]
        project = self.call("POST", "/projects", {"project": {"name": "rax-tenant"}}, 201)["project"]
        path = f"{v2}/tenants/{project['id']}/users/{user_id}/roles/OS-KSADM/{member['id']}"
        self.assertEqual(self.mimic.request("PUT", path, token=admin).code, 200)
        auth = {"auth": {"passwordCredentials": {"username": "rax-sub", "password": "pw"},
                         "tenantId": project["id"]}}
        access = self.mimic.request("POST", v2 + "/tokens", auth)
        self.assertEqual(access.code, 200, access)
        self.assertEqual(access.json()["access"]["token"]["tenant"]["id"], project["id"])
        listed = self.mimic.request("GET", v2 + "/tenants", token=admin).json()["tenants"]
        self.assertIn(project["id"], [t["id"] for t in listed])
        self.assertEqual(self.mimic.request("DELETE", path, token=admin).code, 204)
        self.assertEqual(self.mimic.request("POST", v2 + "/tokens", auth).code, 401)
        self.assertEqual(self.mimic.request("DELETE", f"{v2}/users/{user_id}", token=admin).code, 204)
