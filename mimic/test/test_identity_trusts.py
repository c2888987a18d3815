# -*- test-case-name: mimic.test.test_identity_trusts -*-
"""
Trusts (``/v3/OS-TRUST/trusts``), in memory: made by a trustor, the
roles they delegate, and the trust-scoped tokens of their trustee.
"""

from __future__ import annotations

from typing import Any

from mimic.test.test_identity_v3_admin import AdminCase, password_auth

TOKENS = "/identity/v3/auth/tokens"


class TrustTests(AdminCase):
    def setUp(self) -> None:
        super().setUp()
        self.project = self.call("POST", "/projects", {"project": {"name": "shared"}}, 201)["project"]
        self.trustor = self.call("POST", "/users", {"user": {"name": "tor", "password": "pw"}}, 201)["user"]
        self.trustee = self.call("POST", "/users", {"user": {"name": "tee", "password": "pw"}}, 201)["user"]
        self.delegated = self.call("POST", "/roles", {"role": {"name": "delegated"}}, 201)["role"]
        self.kept = self.call("POST", "/roles", {"role": {"name": "kept"}}, 201)["role"]
        for role in (self.delegated, self.kept):
            self.call("PUT", f"/projects/{self.project['id']}/users/{self.trustor['id']}/roles/{role['id']}", code=204)
        self.tor = self.login("tor", "pw", {"project": {"id": self.project["id"]}})

    def create(self, code: int = 201, **given: Any) -> Any:
        body = {
            "trustor_user_id": self.trustor["id"], "trustee_user_id": self.trustee["id"],
            "project_id": self.project["id"], "impersonation": True, "roles": [{"name": "delegated"}],
            **given,
        }
        answer = self.call("POST", "/OS-TRUST/trusts", {"trust": body}, code, token=self.tor)
        return answer["trust"] if code == 201 else answer

    def trust_token(self, trust_id: str, code: int = 201) -> Any:
        body = password_auth("tee", "pw", {"OS-TRUST:trust": {"id": trust_id}})
        response = self.mimic.request("POST", TOKENS, body)
        self.assertEqual(response.code, code, response)
        return response

    def test_a_trustee_gets_the_delegated_roles_as_the_trustor(self) -> None:
        trust = self.create(expires_at="2099-01-01T00:00:00Z")
        self.assertEqual((trust["impersonation"], trust["expires_at"]), (True, "2099-01-01T00:00:00.000000Z"))
        self.assertEqual([r["name"] for r in trust["roles"]], ["delegated"])
        self.assertEqual(self.call("GET", f"/OS-TRUST/trusts/{trust['id']}", token=self.tor)["trust"], trust)
        roles = self.call("GET", f"/OS-TRUST/trusts/{trust['id']}/roles", token=self.tor)["roles"]
        self.assertEqual([r["id"] for r in roles], [self.delegated["id"]])
        self.call("HEAD", f"/OS-TRUST/trusts/{trust['id']}/roles/{self.delegated['id']}", token=self.tor)
        self.call("GET", f"/OS-TRUST/trusts/{trust['id']}/roles/{self.kept['id']}", code=404, token=self.tor)
        token = self.trust_token(trust["id"]).json()["token"]
        self.assertEqual(token["user"]["id"], self.trustor["id"])
        self.assertEqual(token["project"]["id"], self.project["id"])
        self.assertEqual([r["name"] for r in token["roles"]], ["delegated"])
        self.assertEqual(token["OS-TRUST:trust"]["trustee_user"]["id"], self.trustee["id"])
        listed = self.call("GET", f"/OS-TRUST/trusts?trustor_user_id={self.trustor['id']}", token=self.tor)
        self.assertEqual([t["id"] for t in listed["trusts"]], [trust["id"]])
        self.assertEqual(len(self.call("GET", "/OS-TRUST/trusts")["trusts"]), 1)
        self.call("GET", "/OS-TRUST/trusts", code=403, token=self.tor)
        # Deleting the trust revokes its tokens.
        subject = self.trust_token(trust["id"]).header("x-subject-token")
        self.call("DELETE", f"/OS-TRUST/trusts/{trust['id']}", code=204, token=self.tor)
        self.assertEqual(self.mimic.request("GET", TOKENS, token=self.admin, headers={"X-Subject-Token": subject}).code, 404)
        self.call("GET", f"/OS-TRUST/trusts/{trust['id']}", code=404, token=self.tor)
        self.trust_token(trust["id"], 401)

    def test_without_impersonation_the_token_is_the_trustees(self) -> None:
        trust = self.create(impersonation=False, remaining_uses=1)
        token = self.trust_token(trust["id"]).json()["token"]
        self.assertEqual(token["user"]["id"], self.trustee["id"])
        self.trust_token(trust["id"], 401)

    def test_refusals(self) -> None:
        self.create(400, expires_at="bad.123Z")
        self.create(400, impersonation="yes")
        self.create(404, roles=[{"name": "nonesuch"}])
        admin_role = self.call("GET", "/roles?name=admin")["roles"][0]
        self.create(403, roles=[{"id": admin_role["id"]}])
        # Only the trustor makes its trusts; only the trustee uses them.
        body = {"trustor_user_id": self.trustee["id"], "trustee_user_id": self.trustor["id"],
                "project_id": self.project["id"], "impersonation": False, "roles": [{"name": "delegated"}]}
        self.call("POST", "/OS-TRUST/trusts", {"trust": body}, 403, token=self.tor)
        trust = self.create()
        response = self.mimic.request("POST", TOKENS, password_auth("tor", "pw", {"OS-TRUST:trust": {"id": trust["id"]}}))
        self.assertKeystoneError(response, 403)
        self.trust_token("nonesuch", 401)

    def test_trusts_and_their_tokens_survive_a_save(self) -> None:
        import json

        from mimic.services.identity.directory import directory_of
        from mimic.services.identity.persistence import restore_directory, save_directory

        trust = self.create()
        subject = self.trust_token(trust["id"]).header("x-subject-token")
        core = self.mimic.core
        saved = json.loads(json.dumps(save_directory(directory_of(core))))
        core.sessions._annex = restore_directory(core, saved)
        self.assertEqual(self.call("GET", f"/OS-TRUST/trusts/{trust['id']}", token=self.tor)["trust"], trust)
        validated = self.mimic.request("GET", TOKENS, token=self.admin, headers={"X-Subject-Token": subject})
        self.assertEqual(validated.json()["token"]["OS-TRUST:trust"]["id"], trust["id"])
