# -*- test-case-name: mimic.test.test_identity_inherited -*-
"""
Inherited role assignments (``/v3/OS-INHERIT``), in memory: granted on
a domain or a project, held on the projects below, in tokens and in
``/role_assignments``.
"""

from __future__ import annotations

from typing import Any

from mimic.test.test_identity_v3_admin import AdminCase


class InheritedGrantTests(AdminCase):
    def setUp(self) -> None:
        super().setUp()
        self.domain = self.call("POST", "/domains", {"domain": {"name": "d1"}}, 201)["domain"]
        self.parent = self.call(
            "POST", "/projects", {"project": {"name": "parent", "domain_id": self.domain["id"]}}, 201
        )["project"]
        self.leaf = self.call(
            "POST", "/projects",
            {"project": {"name": "leaf", "domain_id": self.domain["id"], "parent_id": self.parent["id"]}},
            201,
        )["project"]
        self.user = self.call(
            "POST", "/users", {"user": {"name": "u1", "password": "pw", "domain_id": self.domain["id"]}}, 201
        )["user"]
        self.role = self.call("POST", "/roles", {"role": {"name": "inheritor"}}, 201)["role"]

    def path(self, where: str, where_id: str, kind: str = "users", actor: str | None = None) -> str:
        return (
            f"/OS-INHERIT/{where}/{where_id}/{kind}/{actor or self.user['id']}"
            f"/roles/{self.role['id']}/inherited_to_projects"
        )

    def effective(self, project_id: str) -> list[dict[str, Any]]:
        query = f"effective&user.id={self.user['id']}&scope.project.id={project_id}"
        assignments: list[dict[str, Any]] = self.call("GET", "/role_assignments?" + query)["role_assignments"]
        return assignments

    def token_roles(self, project_id: str) -> set[str]:
        scope = {"project": {"id": project_id}}
        token = self.mimic.request(
            "POST", "/identity/v3/auth/tokens",
            {"auth": {"identity": {"methods": ["password"], "password": {
                "user": {"id": self.user["id"], "password": "pw"}}}, "scope": scope}},
        )
        if token.code != 201:
            return set()
        return {r["name"] for r in token.json()["token"]["roles"]}

    def test_a_domain_grant_reaches_every_project_of_the_domain(self) -> None:
        path = self.path("domains", self.domain["id"])
        self.call("PUT", path, code=204)
        self.call("HEAD", path, code=204)
        self.call("GET", path, code=204)
        listed = self.call(
            "GET", f"/OS-INHERIT/domains/{self.domain['id']}/users/{self.user['id']}/roles/inherited_to_projects"
        )["roles"]
        self.assertEqual([r["id"] for r in listed], [self.role["id"]])
        for project in (self.parent, self.leaf):
            [assignment] = self.effective(project["id"])
            self.assertEqual(assignment["scope"], {"project": {"id": project["id"]}})
            self.assertIn("/OS-INHERIT/domains/", assignment["links"]["assignment"])
            self.assertEqual(self.token_roles(project["id"]), {"inheritor"})
        # Not on the domain itself.
        direct = self.call("GET", f"/role_assignments?user.id={self.user['id']}")["role_assignments"]
        self.assertEqual(
            direct[0]["scope"], {"domain": {"id": self.domain["id"]}, "OS-INHERIT:inherited_to": "projects"}
        )
        only = self.call("GET", "/role_assignments?scope.OS-INHERIT:inherited_to=projects")["role_assignments"]
        self.assertEqual(len(only), 1)
        self.call("DELETE", path, code=204)
        self.call("HEAD", path, code=404)
        self.call("DELETE", path, code=404)
        self.assertEqual(self.effective(self.leaf["id"]), [])
        self.assertEqual(self.token_roles(self.leaf["id"]), set())

    def test_a_project_grant_reaches_the_projects_below_not_itself(self) -> None:
        self.call("PUT", self.path("projects", self.parent["id"]), code=204)
        self.assertEqual(self.effective(self.parent["id"]), [])
        self.assertEqual(len(self.effective(self.leaf["id"])), 1)
        self.assertEqual(self.token_roles(self.leaf["id"]), {"inheritor"})

    def test_a_group_grant_reaches_its_members(self) -> None:
        group = self.call("POST", "/groups", {"group": {"name": "g1", "domain_id": self.domain["id"]}}, 201)["group"]
        self.call("PUT", f"/groups/{group['id']}/users/{self.user['id']}", code=204)
        path = self.path("domains", self.domain["id"], "groups", group["id"])
        self.call("PUT", path, code=204)
        [assignment] = self.effective(self.leaf["id"])
        self.assertIn(f"/groups/{group['id']}/", assignment["links"]["assignment"])
        self.call("DELETE", f"/groups/{group['id']}", code=204)
        self.assertEqual(self.effective(self.leaf["id"]), [])

    def test_unknown_things_and_non_administrators_are_refused(self) -> None:
        self.call("PUT", self.path("domains", "nope"), code=404)
        self.call("PUT", self.path("projects", "nope"), code=404)
        self.call("PUT", self.path("domains", self.domain["id"], actor="nope"), code=404)
        alice = self.login("alice", "any")
        response = self.mimic.request("PUT", "/identity/v3" + self.path("domains", self.domain["id"]), token=alice)
        self.assertKeystoneError(response, 403)
