# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Identity v2.0 as clients see it, in memory.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.test.dummy import CounterMock
from mimic.testing import InMemoryMimic

TOKENS = "/identity/v2.0/tokens"


def password_auth(username: str = "alice", **extra: Any) -> dict[str, Any]:
    return {"auth": {"passwordCredentials": {"username": username, "password": "pw"}, **extra}}


class AuthenticationTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[CounterMock()])

    def authenticate(self, body: Any) -> Any:
        response = self.mimic.request("POST", TOKENS, body)
        self.assertEqual(response.code, 200, response)
        self.assertEqual(response.header("content-type"), "application/json")
        return response.json()["access"]

    def test_password_returns_token_user_and_catalog(self) -> None:
        access = self.authenticate(password_auth())
        token = access["token"]
        self.assertEqual(len(token["id"]), 32)
        self.assertEqual(token["tenant"]["id"], token["tenant"]["name"])
        self.assertEqual(token["RAX-AUTH:authenticatedBy"], ["PASSWORD"])
        self.assertEqual(access["user"]["name"], "alice")
        self.assertEqual(access["user"]["RAX-AUTH:defaultRegion"], "ORD")
        self.assertIn("identity:user-admin", [r["name"] for r in access["user"]["roles"]])
        [entry] = [e for e in access["serviceCatalog"] if e["type"] == "counter"]
        self.assertEqual(entry["name"], "cloudCounter")
        tenant = token["tenant"]["id"]
        self.assertEqual(
            [e["publicURL"] for e in entry["endpoints"]],
            [
                f"http://mimic.test/service/counter/ORD/{tenant}/v1/{tenant}",
                f"http://mimic.test/service/counter/LON/{tenant}/v1/{tenant}",
            ],
        )
        self.assertEqual(entry["endpoints"][0]["tenantId"], tenant)

    def test_token_expires_a_day_after_issue_on_mimics_clock(self) -> None:
        self.mimic.tick(3600)
        access = self.authenticate(password_auth())
        self.assertEqual(access["token"]["expires"], "2023-11-15T23:13:20.000Z")

    def test_catalog_lists_identity_itself_in_every_region(self) -> None:
        access = self.authenticate(password_auth())
        [identity] = [e for e in access["serviceCatalog"] if e["type"] == "identity"]
        self.assertEqual(
            [(e["region"], e["publicURL"]) for e in identity["endpoints"]],
            [("LON", "http://mimic.test/identity/v2.0"), ("ORD", "http://mimic.test/identity/v2.0")],
        )

    def test_catalog_urls_use_the_host_the_client_used(self) -> None:
        response = self.mimic.request("POST", "http://10.1.2.3:8900" + TOKENS, password_auth())
        url = response.json()["access"]["serviceCatalog"][0]["endpoints"][0]["publicURL"]
        self.assertTrue(url.startswith("http://10.1.2.3:8900/service/counter/ORD/"), url)

    def test_api_key_credentials(self) -> None:
        access = self.authenticate(
            {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "alice", "apiKey": "k"}}}
        )
        self.assertEqual(access["token"]["RAX-AUTH:authenticatedBy"], ["APIKEY"])
        self.assertEqual(access["user"]["name"], "alice")

    def test_same_username_always_maps_to_same_tenant(self) -> None:
        first = self.authenticate(password_auth())
        second = self.authenticate(
            {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "alice", "apiKey": "k"}}}
        )
        self.assertEqual(first["token"]["tenant"], second["token"]["tenant"])
        self.assertNotEqual(first["token"]["id"], second["token"]["id"])

    def test_tenant_id_is_stable_across_restarts(self) -> None:
        first = self.authenticate(password_auth("carol"))
        restarted = InMemoryMimic(plugins=[CounterMock()])
        second = restarted.request("POST", TOKENS, password_auth("carol")).json()["access"]
        self.assertEqual(first["token"]["tenant"]["id"], second["token"]["tenant"]["id"])
        self.assertEqual(first["user"]["id"], second["user"]["id"])

    def test_new_user_may_choose_a_free_tenant_by_name_or_id(self) -> None:
        by_name = self.authenticate(password_auth("dave", tenantName="project-x"))
        self.assertEqual(by_name["token"]["tenant"]["id"], "project-x")
        by_id = self.authenticate(password_auth("dave", tenantId="project-x"))
        self.assertEqual(by_id["token"]["tenant"]["id"], "project-x")

    def test_asking_for_another_users_tenant_is_401(self) -> None:
        alice = self.authenticate(password_auth("alice"))
        response = self.mimic.request(
            "POST", TOKENS, password_auth("mallory", tenantId=alice["token"]["tenant"]["id"])
        )
        self.assertEqual(response.code, 401)
        self.assertEqual(response.json()["error"]["code"], 401)
        self.assertEqual(response.json()["error"]["title"], "Unauthorized")

    def test_asking_for_a_tenant_that_is_not_yours_is_401(self) -> None:
        self.authenticate(password_auth("alice"))
        response = self.mimic.request("POST", TOKENS, password_auth("alice", tenantId="nope"))
        self.assertEqual(response.code, 401)

    def test_reauthenticate_with_token(self) -> None:
        first = self.authenticate(password_auth())
        second = self.authenticate(
            {"auth": {"token": {"id": first["token"]["id"]}, "tenantId": first["token"]["tenant"]["id"]}}
        )
        self.assertEqual(second["user"]["id"], first["user"]["id"])
        self.assertEqual(second["token"]["RAX-AUTH:authenticatedBy"], ["TOKEN"])
        self.assertEqual(second["serviceCatalog"], first["serviceCatalog"])

    def test_reauthenticate_with_unknown_token_is_401(self) -> None:
        response = self.mimic.request("POST", TOKENS, {"auth": {"token": {"id": "nope"}}})
        self.assertEqual(response.code, 401)

    def test_expired_token_cannot_reauthenticate(self) -> None:
        first = self.authenticate(password_auth())
        self.mimic.tick(24 * 3600)
        response = self.mimic.request("POST", TOKENS, {"auth": {"token": {"id": first["token"]["id"]}}})
        self.assertEqual(response.code, 401)


class BadInputTests(SynchronousTestCase):
    """
    Bad requests get Keystone's 400/413 body, never a traceback.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[])

    def assertError(self, response: Any, code: int, fragment: str) -> None:
        self.assertEqual(response.code, code, response)
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        self.assertIn(fragment, error["message"])

    def test_malformed_json_is_400(self) -> None:
        response = self.mimic.request("POST", TOKENS, raw=b'{"auth": ')
        self.assertError(response, 400, "Malformed request body")

    def test_empty_body_is_400(self) -> None:
        self.assertError(self.mimic.request("POST", TOKENS, raw=b""), 400, "empty")

    def test_body_not_an_object_is_400(self) -> None:
        self.assertError(self.mimic.request("POST", TOKENS, [1, 2]), 400, "'body'")

    def test_missing_credentials_is_400(self) -> None:
        self.assertError(self.mimic.request("POST", TOKENS, {"auth": {}}), 400, "passwordCredentials")

    def test_missing_username_is_400(self) -> None:
        response = self.mimic.request("POST", TOKENS, {"auth": {"passwordCredentials": {"password": "x"}}})
        self.assertError(response, 400, "passwordCredentials.username")

    def test_wrongly_typed_username_is_400(self) -> None:
        response = self.mimic.request(
            "POST", TOKENS, {"auth": {"passwordCredentials": {"username": 3, "password": "x"}}}
        )
        self.assertError(response, 400, "must be a non-empty string")

    def test_wrongly_typed_tenant_is_400(self) -> None:
        self.assertError(self.mimic.request("POST", TOKENS, password_auth(tenantId=7)), 400, "tenantId")

    def test_huge_body_is_413(self) -> None:
        response = self.mimic.request("POST", TOKENS, raw=b"{" + b" " * 200_000 + b"}")
        self.assertError(response, 413, "larger than the limit")

    def test_failed_request_creates_no_user(self) -> None:
        self.mimic.request("POST", TOKENS, {"auth": {"passwordCredentials": {"username": "eve"}}})
        self.assertIsNone(self.mimic.core.sessions.user_by_name("eve"))

    def test_unknown_path_is_keystone_404(self) -> None:
        self.assertError(self.mimic.request("GET", "/identity/v2.0/nothing"), 404, "could not be found")

    def test_wrong_method_is_keystone_405(self) -> None:
        self.assertError(self.mimic.request("GET", TOKENS), 405, "not allowed")


class TokenAndUserTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[CounterMock()])
        self.admin = self.mimic.authenticate("admin", password="password")
        self.alice = self.mimic.authenticate("alice")

    def get(self, path: str, token: str | None = None) -> Any:
        return self.mimic.request("GET", "/identity/v2.0" + path, token=token or self.admin.token)

    def test_validate_token(self) -> None:
        response = self.get(f"/tokens/{self.alice.token}")
        self.assertEqual(response.code, 200)
        access = response.json()["access"]
        self.assertEqual(access["token"]["id"], self.alice.token)
        self.assertEqual(access["token"]["tenant"]["id"], self.alice.tenant_id)
        self.assertEqual(access["user"]["name"], "alice")
        self.assertNotIn("serviceCatalog", access)

    def test_validate_needs_a_live_token(self) -> None:
        response = self.mimic.request("GET", f"/identity/v2.0/tokens/{self.alice.token}")
        self.assertEqual(response.code, 401)
        self.assertEqual(response.json()["error"]["title"], "Unauthorized")

    def test_validate_unknown_token_is_404(self) -> None:
        response = self.get("/tokens/nope")
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json()["error"]["message"], "Could not find token: nope")

    def test_validate_expired_token_is_404(self) -> None:
        self.mimic.tick(24 * 3600 - 1)
        fresh = self.mimic.authenticate("admin", password="password")
        self.mimic.tick(1)
        self.assertEqual(self.get(f"/tokens/{self.alice.token}", fresh.token).code, 404)

    def test_validate_belongs_to(self) -> None:
        good = self.get(f"/tokens/{self.alice.token}?belongsTo={self.alice.tenant_id}")
        self.assertEqual(good.code, 200)
        bad = self.get(f"/tokens/{self.alice.token}?belongsTo={self.admin.tenant_id}")
        self.assertEqual(bad.code, 404)

    def test_check_token_with_head(self) -> None:
        ok = self.mimic.request("HEAD", f"/identity/v2.0/tokens/{self.alice.token}", token=self.admin.token)
        self.assertEqual(ok.code, 200)
        missing = self.mimic.request("HEAD", "/identity/v2.0/tokens/nope", token=self.admin.token)
        self.assertEqual(missing.code, 404)

    def test_endpoints_for_token(self) -> None:
        response = self.get(f"/tokens/{self.alice.token}/endpoints")
        endpoints = [e for e in response.json()["endpoints"] if e["type"] == "counter"]
        self.assertEqual([e["region"] for e in endpoints], ["ORD", "LON"])
        self.assertEqual(endpoints[0]["tenantId"], self.alice.tenant_id)
        self.assertEqual(response.json()["endpoints_links"], [])

    def test_tenants_lists_the_callers_tenant(self) -> None:
        response = self.get("/tenants", self.alice.token)
        self.assertEqual(
            response.json()["tenants"],
            [{"id": self.alice.tenant_id, "name": self.alice.tenant_id, "enabled": True, "description": None}],
        )

    def test_tenants_needs_a_token(self) -> None:
        self.assertEqual(self.mimic.request("GET", "/identity/v2.0/tenants").code, 401)

    def test_user_by_name(self) -> None:
        user = self.get("/users?name=alice").json()["user"]
        self.assertEqual(user["username"], "alice")
        self.assertEqual(user["RAX-AUTH:defaultRegion"], "ORD")
        self.assertTrue(user["enabled"])
        self.assertEqual(self.get(f"/users/{user['id']}").json()["user"], user)

    def test_unknown_user_by_name_is_404(self) -> None:
        self.assertEqual(self.get("/users?name=nobody").code, 404)

    def test_api_key_credentials_of_a_user(self) -> None:
        mimic = self.mimic
        access = mimic.request(
            "POST", TOKENS, {"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "kim", "apiKey": "kims-key"}}}
        ).json()["access"]
        response = self.get(f"/users/{access['user']['id']}/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials")
        self.assertEqual(
            response.json(), {"RAX-KSKEY:apiKeyCredentials": {"username": "kim", "apiKey": "kims-key"}}
        )

    def test_api_key_credentials_of_unknown_user_is_404(self) -> None:
        response = self.get("/users/nope/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials")
        self.assertEqual(response.code, 404)

    def test_impersonation_token_acts_as_the_user(self) -> None:
        response = self.mimic.request(
            "POST",
            "/identity/v2.0/RAX-AUTH/impersonation-tokens",
            {"RAX-AUTH:impersonation": {"user": {"username": "alice"}, "expire-in-seconds": 60}},
            token=self.admin.token,
        )
        self.assertEqual(response.code, 200)
        token = response.json()["access"]["token"]
        self.assertEqual(token["expires"], "2023-11-14T22:14:20.000Z")
        validated = self.get(f"/tokens/{token['id']}").json()["access"]
        self.assertEqual(validated["token"]["tenant"]["id"], self.alice.tenant_id)
        self.assertEqual(validated["RAX-AUTH:impersonator"]["name"], "admin")
        self.mimic.tick(60)
        self.assertEqual(self.get(f"/tokens/{token['id']}").code, 404)

    def test_impersonation_needs_a_username(self) -> None:
        response = self.mimic.request(
            "POST",
            "/identity/v2.0/RAX-AUTH/impersonation-tokens",
            {"RAX-AUTH:impersonation": {"user": {}}},
            token=self.admin.token,
        )
        self.assertEqual(response.code, 400)

    def test_version_document(self) -> None:
        for path in ("/identity/v2.0", "/identity/v2.0/"):
            version = self.mimic.request("GET", path).json()["version"]
            self.assertEqual(version["id"], "v2.0")
            self.assertEqual(version["links"][0], {"rel": "self", "href": "http://mimic.test/identity/v2.0/"})


class AuthenticationFailureTests(SynchronousTestCase):
    """
    The identity failure event, registered directly with the engine (the
    control plane's HTTP face has its own tests).
    """

    def test_registered_failure_answers_with_its_code(self) -> None:
        mimic = InMemoryMimic(plugins=[])
        engine = mimic.core.failures
        engine.register(
            engine.event("identity", "auth"),
            "fail",
            {"code": 503, "message": "Down for maintenance"},
            criteria=[{"username": "unlucky.*"}],
            times=1,
        )
        self.assertEqual(mimic.request("POST", TOKENS, password_auth("lucky")).code, 200)
        failed = mimic.request("POST", TOKENS, password_auth("unlucky-1"))
        self.assertEqual(failed.code, 503)
        self.assertEqual(failed.json()["error"]["message"], "Down for maintenance")
        self.assertIsNone(mimic.core.sessions.user_by_name("unlucky-1"))
        self.assertEqual(mimic.request("POST", TOKENS, password_auth("unlucky-1")).code, 200)

    def test_failure_in_rackspace_fault_shape_when_a_type_is_given(self) -> None:
        mimic = InMemoryMimic(plugins=[])
        engine = mimic.core.failures
        engine.register(
            engine.event("identity", "auth"),
            "fail",
            {"code": 500, "message": "Oops", "type": "identityFault"},
        )
        failed = mimic.request("POST", TOKENS, password_auth("anyone"))
        self.assertEqual(failed.code, 500)
        self.assertEqual(failed.json(), {"identityFault": {"code": 500, "message": "Oops"}})
