# -*- test-case-name: mimic.test.test_identity_role_sets -*-
"""
Identity as each profile's cloud has it: the roles (Rackspace's beside
Keystone's under ``rackspace``; a DevStack install's under
``openstack``) wherever roles are listed, and the v3 catalog's
interfaces (public, internal and admin under ``rackspace``; public only,
as DevStack registers them, under ``openstack``) in tokens,
``/auth/catalog``, ``/endpoints`` and ``/services`` alike.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.profiles import OPENSTACK, RACKSPACE, Profile
from mimic.services.identity.role_sets import DEVSTACK_ROLES, RACKSPACE_ROLES, role_set
from mimic.testing import InMemoryMimic

#: A DevStack install's roles: keystone-manage bootstrap's and lib/keystone's.
DEVSTACK_ROLE_NAMES = ["ResellerAdmin", "admin", "anotherrole", "manager", "member", "reader", "service"]


def token(mimic: InMemoryMimic, username: str, password: str = "x") -> tuple[str, dict[str, Any]]:
    """
    A v3 token scoped to the user's project: the administrator's is
    ``admin``, anyone else's ``<username>-project``.
    """
    project = "admin" if username == "admin" else f"{username}-project"
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": username, "domain": {"id": "default"}, "password": password}},
        },
        "scope": {"project": {"name": project, "domain": {"id": "default"}}},
    }
    response = mimic.request("POST", "/identity/v3/auth/tokens", {"auth": auth})
    assert response.code == 201, response
    return response.header("x-subject-token") or "", response.json()["token"]


class RoleSetTests(SynchronousTestCase):
    def test_each_profile_has_its_own_roles(self) -> None:
        self.assertIs(role_set(RACKSPACE), RACKSPACE_ROLES)
        self.assertIs(role_set(OPENSTACK), DEVSTACK_ROLES)

    def test_a_profile_without_its_own_follows_its_extensions(self) -> None:
        upstream = Profile("private", "a private cloud", ("Lab",), False, ("v3",))
        rackspace_like = Profile("rax-lab", "a Rackspace lab", ("LAB",), True, ("v2.0",))
        self.assertIs(role_set(upstream), DEVSTACK_ROLES)
        self.assertIs(role_set(rackspace_like), RACKSPACE_ROLES)

    def test_every_role_a_set_names_is_one_it_has(self) -> None:
        for roles in (RACKSPACE_ROLES, DEVSTACK_ROLES):
            names = {name for name, _ in roles.roles}
            implied = {n for prior, those in roles.implies for n in (prior, *those)}
            self.assertTrue(set(roles.first_use) | set(roles.administrator) | implied <= names)


class OpenStackRolesTests(SynchronousTestCase):
    """
    Under ``openstack``, every listing of roles shows DevStack's and
    nothing of Rackspace's.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic(profile="openstack")
        self.admin, self.admin_token = token(self.mimic, "admin", "password")
        self.alice, self.alice_token = token(self.mimic, "alice")

    def get(self, path: str) -> Any:
        response = self.mimic.request("GET", "/identity/v3" + path, token=self.admin)
        self.assertEqual(response.code, 200, response)
        return response.json()

    def test_role_list_is_devstacks(self) -> None:
        roles = self.get("/roles")["roles"]
        self.assertEqual(sorted(r["name"] for r in roles), DEVSTACK_ROLE_NAMES)
        # Made without a description, as keystone-manage and DevStack make them.
        self.assertEqual({r["description"] for r in roles}, {None})
        self.assertEqual({r["domain_id"] for r in roles}, {None})

    def test_tokens_carry_keystones_roles_with_those_they_imply(self) -> None:
        self.assertEqual([r["name"] for r in self.admin_token["roles"]], ["admin", "manager", "member", "reader"])
        self.assertEqual([r["name"] for r in self.alice_token["roles"]], ["member", "reader"])
        validated = self.mimic.request(
            "GET", "/identity/v3/auth/tokens", token=self.admin,
            headers={"X-Subject-Token": self.alice},
        ).json()["token"]
        self.assertEqual([r["name"] for r in validated["roles"]], ["member", "reader"])

    def test_bootstraps_implied_roles(self) -> None:
        names = {r["id"]: r["name"] for r in self.get("/roles")["roles"]}
        inferences = {
            names[i["prior_role"]["id"]]: sorted(names[r["id"]] for r in i["implies"])
            for i in self.get("/role_inferences")["role_inferences"]
        }
        self.assertEqual(inferences, {"admin": ["manager"], "manager": ["member"], "member": ["reader"]})

    def test_assignments_hold_member_and_admin_only(self) -> None:
        names = {r["id"]: r["name"] for r in self.get("/roles")["roles"]}
        direct = self.get("/role_assignments")["role_assignments"]
        held = {
            (names[a["role"]["id"]], a["user"]["id"], tuple(a["scope"])) for a in direct
        }
        admin_id = self.admin_token["user"]["id"]
        alice_id = self.alice_token["user"]["id"]
        self.assertEqual(
            held,
            {
                ("admin", admin_id, ("project",)),
                ("admin", admin_id, ("domain",)),
                ("admin", admin_id, ("system",)),
                ("member", alice_id, ("project",)),
            },
        )
        effective = self.get(f"/role_assignments?effective&user.id={alice_id}")["role_assignments"]
        self.assertEqual(sorted(names[a["role"]["id"]] for a in effective), ["member", "reader"])

    def test_a_users_roles_on_its_project(self) -> None:
        alice_id = self.alice_token["user"]["id"]
        project_id = self.alice_token["project"]["id"]
        roles = self.get(f"/projects/{project_id}/users/{alice_id}/roles")["roles"]
        self.assertEqual([r["name"] for r in roles], ["member"])

    def test_a_role_made_through_the_api_is_listed_and_held(self) -> None:
        made = self.mimic.request(
            "POST", "/identity/v3/roles", {"role": {"name": "identity:custom"}}, token=self.admin
        ).json()["role"]
        project_id = self.alice_token["project"]["id"]
        alice_id = self.alice_token["user"]["id"]
        granted = self.mimic.request(
            "PUT", f"/identity/v3/projects/{project_id}/users/{alice_id}/roles/{made['id']}", token=self.admin
        )
        self.assertEqual(granted.code, 204, granted)
        _, again = token(self.mimic, "alice")
        self.assertIn("identity:custom", [r["name"] for r in again["roles"]])


class RackspaceRolesUnchangedTests(SynchronousTestCase):
    def test_rackspace_keeps_its_own_roles(self) -> None:
        mimic = InMemoryMimic()
        admin, admin_token = token(mimic, "admin", "password")
        _, alice_token = token(mimic, "alice")
        roles = mimic.request("GET", "/identity/v3/roles", token=admin).json()["roles"]
        self.assertEqual(
            sorted(r["name"] for r in roles),
            ["admin", "identity:admin", "identity:user-admin", "member", "reader", "service"],
        )
        self.assertEqual(
            [r["name"] for r in admin_token["roles"]],
            ["admin", "identity:admin", "identity:user-admin", "member", "reader"],
        )
        self.assertEqual([r["name"] for r in alice_token["roles"]], ["identity:user-admin", "member", "reader"])


def catalog_endpoints(catalog: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """
    Each endpoint of a v3 catalog: its service's id, its own id, its
    interface and its URL.
    """
    return {
        (entry["id"], endpoint["id"], endpoint["interface"], endpoint["url"])
        for entry in catalog
        for endpoint in entry["endpoints"]
    }


class CatalogInterfacesTests(SynchronousTestCase):
    """
    A token's catalog, ``/auth/catalog``, ``/endpoints`` and
    ``/services`` agree, under either profile.
    """

    def described(self, profile: str) -> tuple[dict[str, Any], Any, Any, Any]:
        mimic = InMemoryMimic(profile=profile)
        admin, admin_token = token(mimic, "admin", "password")

        def get(path: str) -> Any:
            response = mimic.request("GET", "/identity/v3" + path, token=admin)
            self.assertEqual(response.code, 200, response)
            return response.json()

        return admin_token, get("/auth/catalog")["catalog"], get("/endpoints")["endpoints"], get("/services")["services"]

    def assertAgree(self, profile: str, interfaces: set[str]) -> None:
        admin_token, catalog, endpoints, services = self.described(profile)
        listed = catalog_endpoints(admin_token["catalog"])
        self.assertEqual({interface for _, _, interface, _ in listed}, interfaces)
        self.assertEqual(catalog_endpoints(catalog), listed)
        self.assertEqual({(e["service_id"], e["id"], e["interface"], e["url"]) for e in endpoints}, listed)
        self.assertEqual(len(endpoints), len(listed))
        self.assertEqual(
            {(s["id"], s["type"], s["name"]) for s in services},
            {(e["id"], e["type"], e["name"]) for e in admin_token["catalog"]},
        )

    def test_openstack_lists_the_public_interface_only(self) -> None:
        self.assertAgree("openstack", {"public"})
        admin_token, _, endpoints, _ = self.described("openstack")
        # One endpoint per service, in RegionOne.
        self.assertEqual(len(endpoints), len(admin_token["catalog"]))
        self.assertEqual({e["region_id"] for e in endpoints}, {"RegionOne"})

    def test_an_interface_filter_on_openstack(self) -> None:
        mimic = InMemoryMimic(profile="openstack")
        admin, _ = token(mimic, "admin", "password")
        internal = mimic.request("GET", "/identity/v3/endpoints?interface=internal", token=admin).json()
        self.assertEqual(internal["endpoints"], [])
        public = mimic.request("GET", "/identity/v3/endpoints?interface=public", token=admin).json()
        self.assertEqual(len(public["endpoints"]), 7)

    def test_rackspace_keeps_three_interfaces(self) -> None:
        self.assertAgree("rackspace", {"public", "internal", "admin"})


class ServiceDescriptionTests(SynchronousTestCase):
    def services(self, profile: str) -> dict[str, Any]:
        mimic = InMemoryMimic(profile=profile)
        admin, _ = token(mimic, "admin", "password")
        listed = mimic.request("GET", "/identity/v3/services", token=admin).json()["services"]
        return {s["name"]: s for s in listed}

    def test_openstack_services_are_described_as_devstack_registers_them(self) -> None:
        services = self.services("openstack")
        self.assertEqual(services["nova"]["description"], "Nova Compute Service")
        self.assertEqual(services["cinderv3"]["description"], "Cinder Volume Service V3")
        # keystone-manage bootstrap registers identity without one.
        self.assertNotIn("description", services["keystone"])

    def test_rackspace_services_keep_empty_descriptions(self) -> None:
        self.assertEqual({s["description"] for s in self.services("rackspace").values()}, {""})
