# -*- test-case-name: mimic.test.test_identity_v3 -*-
"""
Identity v3 and version discovery, in memory: the wire shapes Keystone
clients read, the same users and tenants as v2, and Keystone's errors.
"""

from __future__ import annotations

from typing import Any

from attrs import define
from klein import Klein
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.http import json_response
from mimic.interfaces import IAPIMock, IMimicCore
from mimic.testing import InMemoryMimic, Response

TOKENS = "/identity/v3/auth/tokens"


@define
class Notes:
    """
    What one tenant has written in one region.
    """

    notes: list[str]


class NotesAPI:
    app = Klein()

    def __init__(self, state: Notes) -> None:
        self.state = state

    @app.route("/v1/<tenant_id>/notes", methods=["GET"])
    def list(self, request: IRequest, tenant_id: str) -> bytes:
        return json_response(request, {"notes": self.state.notes})

    @app.route("/v1/<tenant_id>/notes", methods=["POST"])
    def add(self, request: IRequest, tenant_id: str) -> bytes:
        self.state.notes.append(request.content.read().decode())
        return json_response(request, {"notes": self.state.notes}, 201)


@implementer(IAPIMock)
class NotesMock:
    """
    A small service in two regions, so that tests can see catalogs and
    per-tenant state without depending on any real service.
    """

    name = "notes"

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return [
            Entry(
                "notes",
                "cloudNotes",
                tuple(
                    Endpoint(region, f"v1/{tenant_id}", tenant_id=tenant_id)
                    for region in ("ORD", "LON")
                ),
            )
        ]

    def failure_events(self) -> tuple[()]:
        return ()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        state = core.region_state(self.name, tenant_id, region, lambda: Notes([]))
        return NotesAPI(state).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return set()

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"notesFault": {"code": status, "message": message}}


def password_auth(
    username: str = "alice",
    scope: Any = None,
    domain: dict[str, str] | None = None,
) -> dict[str, Any]:
    user: dict[str, Any] = {"name": username, "password": "secret"}
    user["domain"] = domain if domain is not None else {"name": "Default"}
    auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": user}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def project_scope(name: str) -> dict[str, Any]:
    return {"project": {"name": name, "domain": {"id": "default"}}}


class V3Case(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[NotesMock()])

    def issue(self, body: dict[str, Any]) -> Response:
        response = self.mimic.request("POST", TOKENS, body)
        self.assertEqual(response.code, 201, response)
        return response

    def token(self, username: str = "alice", scope: Any = None) -> tuple[str, dict[str, Any]]:
        response = self.issue(password_auth(username, scope))
        return response.header("x-subject-token") or "", response.json()["token"]

    def assertKeystoneError(self, response: Response, code: int) -> dict[str, Any]:
        self.assertEqual(response.code, code, response)
        self.assertEqual(response.header("content-type"), "application/json")
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        self.assertTrue(error["title"])
        self.assertTrue(error["message"])
        return error


class DiscoveryTests(V3Case):
    """
    The v3 root; the unversioned root's tests are in
    :mod:`mimic.test.test_identity_versions`.
    """

    def test_v3_version_document_without_token(self) -> None:
        for path in ("/identity/v3", "/identity/v3/"):
            response = self.mimic.request("GET", path)
            self.assertEqual(response.code, 200)
            version = response.json()["version"]
            self.assertEqual((version["id"], version["status"]), ("v3.14", "stable"))
            self.assertEqual(
                version["media-types"][0]["type"], "application/vnd.openstack.identity-v3+json"
            )

    def test_unknown_v3_path_is_keystone_404(self) -> None:
        self.assertKeystoneError(self.mimic.request("GET", "/identity/v3/nothing"), 404)

    def test_wrong_method_is_keystone_405(self) -> None:
        self.assertKeystoneError(self.mimic.request("PUT", TOKENS, {}), 405)


class PasswordAuthTests(V3Case):
    def test_password_by_name_and_domain_gives_project_scoped_token(self) -> None:
        response = self.issue(password_auth("alice", project_scope("alice-project")))
        self.assertEqual(response.header("content-type"), "application/json")
        token_id = response.header("x-subject-token")
        self.assertEqual(len(token_id or ""), 32)
        token = response.json()["token"]
        self.assertEqual(token["methods"], ["password"])
        self.assertEqual(token["user"]["name"], "alice")
        self.assertEqual(token["user"]["domain"], {"id": "default", "name": "Default"})
        self.assertEqual(
            token["project"],
            {"id": "alice-project", "name": "alice-project", "domain": {"id": "default", "name": "Default"}},
        )
        roles = [role["name"] for role in token["roles"]]
        self.assertIn("member", roles)
        self.assertNotIn("admin", roles)
        self.assertEqual(len(token["audit_ids"][0]), 22)

    def test_expiry_is_a_day_later_on_mimics_clock(self) -> None:
        self.mimic.tick(3600)
        _, token = self.token()
        self.assertEqual(token["issued_at"], "2023-11-14T23:13:20.000000Z")
        self.assertEqual(token["expires_at"], "2023-11-15T23:13:20.000000Z")

    def test_catalog_has_v3_shape_with_every_interface(self) -> None:
        _, token = self.token("alice", project_scope("alice-project"))
        entries = {entry["type"]: entry for entry in token["catalog"]}
        notes = entries["notes"]
        self.assertEqual(notes["name"], "cloudNotes")
        ord_endpoints = [e for e in notes["endpoints"] if e["region_id"] == "ORD"]
        self.assertEqual(sorted(e["interface"] for e in ord_endpoints), ["admin", "internal", "public"])
        for endpoint in ord_endpoints:
            self.assertEqual(endpoint["region"], "ORD")
            self.assertEqual(
                endpoint["url"], "http://mimic.test/service/notes/ORD/alice-project/v1/alice-project"
            )
        self.assertEqual(len({e["id"] for e in notes["endpoints"]}), 6)

    def test_catalog_lists_identity_itself_in_every_region(self) -> None:
        _, token = self.token()
        [identity] = [entry for entry in token["catalog"] if entry["type"] == "identity"]
        self.assertEqual(
            sorted({(e["region_id"], e["url"]) for e in identity["endpoints"]}),
            [("LON", "http://mimic.test/identity/v3"), ("ORD", "http://mimic.test/identity/v3")],
        )

    def test_nocatalog_leaves_the_catalog_out(self) -> None:
        response = self.mimic.request("POST", TOKENS + "?nocatalog", password_auth())
        self.assertEqual(response.code, 201)
        self.assertNotIn("catalog", response.json()["token"])

    def test_no_scope_gives_the_users_default_project(self) -> None:
        _, first = self.token("bob", project_scope("bobs"))
        _, again = self.token("bob")
        self.assertEqual(again["project"]["id"], "bobs")

    def test_explicitly_unscoped_token_has_no_project_roles_or_catalog(self) -> None:
        _, token = self.token("alice", "unscoped")
        self.assertEqual(token["user"]["name"], "alice")
        for key in ("project", "domain", "roles", "catalog"):
            self.assertNotIn(key, token)

    def test_domain_scoped_token(self) -> None:
        _, token = self.token("alice", {"domain": {"name": "Default"}})
        self.assertEqual(token["domain"], {"id": "default", "name": "Default"})
        self.assertNotIn("project", token)
        self.assertTrue(token["roles"])

    def test_project_by_id(self) -> None:
        _, first = self.token("alice")
        tenant_id = first["project"]["id"]
        _, token = self.token("alice", {"project": {"id": tenant_id}})
        self.assertEqual(token["project"]["id"], tenant_id)

    def test_user_by_id(self) -> None:
        _, first = self.token("alice")
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"id": first["user"]["id"], "password": "x"}},
                }
            }
        }
        token = self.issue(body).json()["token"]
        self.assertEqual(token["user"]["name"], "alice")
        self.assertEqual(token["project"]["id"], first["project"]["id"])

    def test_unknown_user_id_is_401(self) -> None:
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"id": "nobody", "password": "x"}},
                }
            }
        }
        response = self.mimic.request("POST", TOKENS, body)
        self.assertKeystoneError(response, 401)
        self.assertEqual(response.header("www-authenticate"), 'Keystone uri="http://mimic.test/identity"')

    def test_somebody_elses_project_is_401_and_creates_no_user(self) -> None:
        self.token("alice", project_scope("alice-project"))
        response = self.mimic.request("POST", TOKENS, password_auth("mallory", project_scope("alice-project")))
        self.assertKeystoneError(response, 401)
        self.assertIsNone(self.mimic.core.sessions.user_by_name("mallory"))

    def test_unknown_domain_is_401(self) -> None:
        response = self.mimic.request("POST", TOKENS, password_auth(domain={"name": "Elsewhere"}))
        self.assertKeystoneError(response, 401)

    def test_user_name_without_domain_is_400(self) -> None:
        body = password_auth()
        del body["auth"]["identity"]["password"]["user"]["domain"]
        self.assertKeystoneError(self.mimic.request("POST", TOKENS, body), 400)

    def test_project_name_without_domain_is_400(self) -> None:
        body = password_auth(scope={"project": {"name": "p"}})
        self.assertKeystoneError(self.mimic.request("POST", TOKENS, body), 400)

    def test_malformed_bodies_are_400(self) -> None:
        bodies: list[Any] = [
            [],
            {},
            {"auth": {}},
            {"auth": {"identity": {"methods": "password"}}},
            {"auth": {"identity": {"methods": ["password"]}}},
            {"auth": {"identity": {"methods": ["password"], "password": {"user": "alice"}}}},
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "a"}}}}},
            password_auth(scope=7),
            password_auth(scope={"project": {"id": 7}}),
        ]
        for body in bodies:
            self.assertKeystoneError(self.mimic.request("POST", TOKENS, body), 400)
        self.assertKeystoneError(self.mimic.request("POST", TOKENS, raw=b"{nope"), 400)
        self.assertEqual(list(self.mimic.core.sessions.users()), [])

    def test_unsupported_method_is_401(self) -> None:
        body = {"auth": {"identity": {"methods": ["totp"], "totp": {}}}}
        self.assertKeystoneError(self.mimic.request("POST", TOKENS, body), 401)

    def test_oversized_body_is_413(self) -> None:
        body = password_auth()
        body["padding"] = "x" * 200_000
        self.assertKeystoneError(self.mimic.request("POST", TOKENS, body), 413)


class TokenAuthTests(V3Case):
    def test_token_method_rescopes_an_unscoped_token(self) -> None:
        self.token("alice", project_scope("alice-project"))
        unscoped_id, _ = self.token("alice", "unscoped")
        self.mimic.tick(600)
        body = {
            "auth": {
                "identity": {"methods": ["token"], "token": {"id": unscoped_id}},
                "scope": project_scope("alice-project"),
            }
        }
        response = self.issue(body)
        token = response.json()["token"]
        # As Keystone's: how the original was got, then the token.
        self.assertEqual(token["methods"], ["password", "token"])
        self.assertEqual(token["project"]["id"], "alice-project")
        self.assertEqual(token["expires_at"], "2023-11-15T22:13:20.000000Z")
        self.assertNotEqual(response.header("x-subject-token"), unscoped_id)

    def test_unknown_token_is_401(self) -> None:
        body = {"auth": {"identity": {"methods": ["token"], "token": {"id": "nope"}}}}
        self.assertKeystoneError(self.mimic.request("POST", TOKENS, body), 401)

    def test_v2_token_can_be_exchanged_for_a_v3_token(self) -> None:
        v2 = self.mimic.authenticate("carol")
        body = {"auth": {"identity": {"methods": ["token"], "token": {"id": v2.token}}}}
        token = self.issue(body).json()["token"]
        self.assertEqual(token["project"]["id"], v2.tenant_id)


class TokenValidationTests(V3Case):
    def test_validate_returns_the_subject_token(self) -> None:
        caller = self.mimic.authenticate("admin", password="password").token
        subject, _ = self.token("bob")
        response = self.mimic.request(
            "GET", TOKENS, token=caller, headers={"X-Subject-Token": subject}
        )
        self.assertEqual(response.code, 200)
        self.assertEqual(response.header("x-subject-token"), subject)
        self.assertEqual(response.json()["token"]["user"]["name"], "bob")

    def test_head_checks_a_token(self) -> None:
        caller, _ = self.token()
        response = self.mimic.request("HEAD", TOKENS, token=caller, headers={"X-Subject-Token": caller})
        self.assertEqual(response.code, 200)
        self.assertEqual(response.body, b"")

    def test_validate_unknown_subject_is_404(self) -> None:
        caller = self.mimic.authenticate("admin", password="password").token
        response = self.mimic.request("GET", TOKENS, token=caller, headers={"X-Subject-Token": "nope"})
        self.assertKeystoneError(response, 404)

    def test_validate_without_subject_is_400(self) -> None:
        caller, _ = self.token()
        self.assertKeystoneError(self.mimic.request("GET", TOKENS, token=caller), 400)

    def test_validate_without_caller_token_is_401(self) -> None:
        subject, _ = self.token()
        response = self.mimic.request("GET", TOKENS, headers={"X-Subject-Token": subject})
        self.assertKeystoneError(response, 401)

    def test_revoked_token_is_refused_by_identity_and_every_service(self) -> None:
        token_id, token = self.token("alice")
        tenant = token["project"]["id"]
        notes = f"/service/notes/ORD/{tenant}/v1/{tenant}/notes"
        self.assertEqual(self.mimic.request("GET", notes, token=token_id).code, 200)
        response = self.mimic.request(
            "DELETE", TOKENS, token=token_id, headers={"X-Subject-Token": token_id}
        )
        self.assertEqual(response.code, 204)
        self.assertEqual(self.mimic.request("GET", notes, token=token_id).code, 401)
        self.assertKeystoneError(
            self.mimic.request("GET", "/identity/v3/auth/catalog", token=token_id), 401
        )
        self.assertKeystoneError(
            self.mimic.request(
                "POST", TOKENS, {"auth": {"identity": {"methods": ["token"], "token": {"id": token_id}}}}
            ),
            401,
        )

    def test_expired_token_is_401(self) -> None:
        token_id, _ = self.token()
        self.mimic.tick(24 * 3600)
        self.assertKeystoneError(self.mimic.request("GET", "/identity/v3/auth/projects", token=token_id), 401)


class SameTenantTests(V3Case):
    def test_v2_and_v3_tokens_of_one_user_see_the_same_resources(self) -> None:
        v2 = self.mimic.authenticate("dave")
        v3_id, v3 = self.token("dave")
        self.assertEqual(v3["project"]["id"], v2.tenant_id)
        self.assertEqual(v3["user"]["id"], v2.access["user"]["id"])
        notes = f"/service/notes/ORD/{v2.tenant_id}/v1/{v2.tenant_id}/notes"
        self.assertEqual(self.mimic.request("POST", notes, raw=b"hello", token=v2.token).code, 201)
        self.assertEqual(self.mimic.request("GET", notes, token=v3_id).json(), {"notes": ["hello"]})

    def test_v3_token_validates_through_v2(self) -> None:
        v3_id, v3 = self.token("frank", project_scope("frank-project"))
        v2 = self.mimic.authenticate("frank")
        response = self.mimic.request("GET", f"/identity/v2.0/tokens/{v3_id}", token=v2.token)
        self.assertEqual(response.code, 200)
        self.assertEqual(response.json()["access"]["token"]["tenant"]["id"], "frank-project")

    def test_v3_user_keeps_its_project_under_v2(self) -> None:
        self.token("erin", project_scope("erin-project"))
        self.assertEqual(self.mimic.authenticate("erin").tenant_id, "erin-project")

    def test_unscoped_token_is_forbidden_at_services(self) -> None:
        unscoped, _ = self.token("alice", "unscoped")
        _, scoped = self.token("alice")
        tenant = scoped["project"]["id"]
        response = self.mimic.request("GET", f"/service/notes/ORD/{tenant}/v1/{tenant}/notes", token=unscoped)
        self.assertEqual(response.code, 403)


class AuthFailureConditionTests(V3Case):
    def test_registered_authentication_failure_applies_to_v3(self) -> None:
        event = self.mimic.core.failures.event("identity", "authentication")
        self.mimic.core.failures.register(
            event, "fail", {"code": 503, "message": "Down for maintenance."},
        )
        response = self.mimic.request("POST", TOKENS, password_auth())
        error = self.assertKeystoneError(response, 503)
        self.assertEqual(error["message"], "Down for maintenance.")


class ReadAPITests(V3Case):
    def setUp(self) -> None:
        super().setUp()
        self.caller, self.access = self.token("alice", project_scope("alice-project"))
        self.token("bob", project_scope("bob-project"))
        self.admin = self.mimic.authenticate("admin", password="password").token

    def get(self, path: str, code: int = 200, token: str | None = None) -> Any:
        response = self.mimic.request("GET", "/identity/v3" + path, token=token or self.caller)
        self.assertEqual(response.code, code, response)
        return response.json()

    def test_read_apis_need_a_token(self) -> None:
        for path in ("/projects", "/users", "/domains", "/roles", "/services", "/endpoints",
                     "/regions", "/role_assignments", "/auth/catalog", "/auth/projects"):
            self.assertKeystoneError(self.mimic.request("GET", "/identity/v3" + path), 401)

    def test_auth_catalog_is_the_tokens_catalog(self) -> None:
        body = self.get("/auth/catalog")
        self.assertEqual(body["catalog"], self.access["catalog"])
        self.assertEqual(body["links"]["self"], "http://mimic.test/identity/v3/auth/catalog")

    def test_auth_catalog_needs_a_scoped_token(self) -> None:
        unscoped, _ = self.token("alice", "unscoped")
        response = self.mimic.request("GET", "/identity/v3/auth/catalog", token=unscoped)
        self.assertKeystoneError(response, 403)

    def test_auth_projects_lists_the_callers_project(self) -> None:
        [project] = self.get("/auth/projects")["projects"]
        self.assertEqual((project["id"], project["name"], project["domain_id"]),
                         ("alice-project", "alice-project", "default"))

    def test_projects_list_filter_and_get(self) -> None:
        ids = [p["id"] for p in self.get("/projects", token=self.admin)["projects"]]
        self.assertEqual(sorted(ids), ["admin", "alice-project", "bob-project"])
        [bob] = self.get("/projects?name=bob-project", token=self.admin)["projects"]
        self.assertEqual(bob["id"], "bob-project")
        self.assertEqual(self.get("/projects?name=nobody", token=self.admin)["projects"], [])
        self.assertEqual(self.get("/projects?enabled=false", token=self.admin)["projects"], [])
        self.assertEqual(self.get("/projects/bob-project", token=self.admin)["project"]["name"], "bob-project")
        self.assertEqual(self.get("/projects/nobody", 404)["error"]["code"], 404)
        # A user reads its own project, not another's, and lists none.
        self.assertEqual(self.get("/projects/alice-project")["project"]["name"], "alice-project")
        self.get("/projects/bob-project", 403)
        self.get("/projects", 403)

    def test_users_list_filter_and_get(self) -> None:
        names = [u["name"] for u in self.get("/users", token=self.admin)["users"]]
        self.assertEqual(sorted(names), ["admin", "alice", "bob"])
        [alice] = self.get("/users?name=alice", token=self.admin)["users"]
        self.assertEqual(alice["default_project_id"], "alice-project")
        self.assertEqual(self.get(f"/users/{alice['id']}")["user"]["name"], "alice")
        self.get("/users/nobody", 404, token=self.admin)
        self.get("/users", 403)
        [bob] = self.get("/users?name=bob", token=self.admin)["users"]
        self.get(f"/users/{bob['id']}", 403)
        [project] = self.get(f"/users/{alice['id']}/projects")["projects"]
        self.assertEqual(project["id"], "alice-project")

    def test_domains(self) -> None:
        [domain] = self.get("/domains")["domains"]
        self.assertEqual((domain["id"], domain["name"]), ("default", "Default"))
        self.assertEqual(self.get("/domains?name=Default")["domains"], [domain])
        self.assertEqual(self.get("/domains/default")["domain"], domain)
        self.get("/domains/other", 404)
        self.assertEqual(self.get("/auth/domains")["domains"], [domain])

    def test_roles_and_assignments(self) -> None:
        roles = self.get("/roles")["roles"]
        [member] = self.get("/roles?name=member")["roles"]
        self.assertIn(member, roles)
        self.assertEqual(self.get(f"/roles/{member['id']}")["role"], member)
        self.get("/roles/nope", 404)
        user_id = self.access["user"]["id"]
        assignments = self.get(f"/role_assignments?user.id={user_id}")["role_assignments"]
        self.assertEqual(len(assignments), 3)
        self.assertEqual(assignments[0]["scope"], {"project": {"id": "alice-project"}})
        named = self.get(
            f"/role_assignments?scope.project.id=alice-project&role.id={member['id']}&include_names",
            token=self.admin,
        )["role_assignments"]
        self.assertEqual([(a["user"]["name"], a["role"]["name"]) for a in named], [("alice", "member")])
        self.get("/role_assignments", 403)
        self.assertEqual(
            self.get(f"/role_assignments?scope.domain.id=default&user.id={user_id}")["role_assignments"], []
        )
        listed = self.get(f"/projects/alice-project/users/{user_id}/roles")["roles"]
        self.assertEqual(sorted(r["name"] for r in listed), ["identity:user-admin", "member", "reader"])
        check = self.mimic.request(
            "HEAD", f"/identity/v3/projects/alice-project/users/{user_id}/roles/{member['id']}",
            token=self.caller,
        )
        self.assertEqual(check.code, 204)
        self.get(f"/projects/bob-project/users/{user_id}/roles/{member['id']}", 404)

    def test_services_endpoints_and_regions_match_the_catalog(self) -> None:
        services = self.get("/services")["services"]
        self.assertEqual(sorted(s["type"] for s in services), ["identity", "notes"])
        [notes] = self.get("/services?type=notes")["services"]
        self.assertEqual(self.get(f"/services/{notes['id']}")["service"], notes)
        self.get("/services/nope", 404)
        endpoints = self.get(f"/endpoints?service_id={notes['id']}&interface=public")["endpoints"]
        self.assertEqual(
            sorted(e["url"] for e in endpoints),
            [f"http://mimic.test/service/notes/{r}/alice-project/v1/alice-project" for r in ("LON", "ORD")],
        )
        self.assertEqual(self.get(f"/endpoints/{endpoints[0]['id']}")["endpoint"], endpoints[0])
        self.get("/endpoints/nope", 404)
        self.assertEqual(len(self.get("/endpoints?region_id=ORD")["endpoints"]), 6)
        self.assertEqual([r["id"] for r in self.get("/regions")["regions"]], ["LON", "ORD"])
        self.assertEqual(self.get("/regions/ORD")["region"]["id"], "ORD")
        self.get("/regions/NOWHERE", 404)

    def test_listing_links_name_the_query(self) -> None:
        body = self.get("/projects?name=bob-project", token=self.admin)
        self.assertEqual(
            body["links"], {"self": "http://mimic.test/identity/v3/projects?name=bob-project",
                            "previous": None, "next": None}
        )
