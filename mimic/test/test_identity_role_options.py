# -*- test-case-name: mimic.test.test_identity_role_options -*-
"""
Roles' resource options: under ``openstack`` the five roles ``keystone-
manage bootstrap`` makes are immutable, as in Keystone (an update other
than clearing the option, and a delete, are 403 naming the role); a
role made through the API may be made immutable too.  Under
``rackspace`` no role starts immutable.  Also: a user made on first use
has no invented ``email`` under ``openstack``.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.identity.directory import directory_of
from mimic.services.identity.persistence import restore_directory, save_directory
from mimic.test.test_identity_role_sets import token
from mimic.testing import InMemoryMimic, Response

#: The roles keystone-manage bootstrap makes.
BOOTSTRAP_ROLES = {"admin", "manager", "member", "reader", "service"}


class Identity:
    """
    Keystone v3 in an in-memory Mimic of a profile, as its administrator.
    """

    def __init__(self, profile: str) -> None:
        self.mimic = InMemoryMimic(profile=profile)
        self.admin, self.admin_token = token(self.mimic, "admin", "password")

    def call(self, method: str, path: str, body: Any = None) -> Response:
        return self.mimic.request(method, "/identity/v3" + path, body, token=self.admin)

    def roles(self) -> dict[str, dict[str, Any]]:
        return {r["name"]: r for r in self.call("GET", "/roles").json()["roles"]}


class OpenStackImmutableRolesTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.identity = Identity("openstack")
        self.roles = self.identity.roles()

    def assertRefused(self, response: Response, code: int, message: str) -> None:
        self.assertEqual(response.code, code, response)
        error = response.json()["error"]
        self.assertEqual(error["code"], code)
        self.assertEqual(error["message"], message)

    def test_the_bootstraps_roles_are_immutable_and_devstacks_are_not(self) -> None:
        immutable = {name for name, role in self.roles.items() if role["options"] == {"immutable": True}}
        self.assertEqual(immutable, BOOTSTRAP_ROLES)
        self.assertEqual(self.roles["ResellerAdmin"]["options"], {})
        shown = self.identity.call("GET", f"/roles/{self.roles['admin']['id']}").json()["role"]
        self.assertEqual(shown["options"], {"immutable": True})

    def test_an_immutable_role_refuses_changes_and_deletion(self) -> None:
        admin_id = self.roles["admin"]["id"]
        for body in (
            {"role": {"name": "boss"}},
            {"role": {"description": "x"}},
            {"role": {"options": {"immutable": True}}},
            {"role": {"name": "boss", "options": {"immutable": False}}},
        ):
            self.assertRefused(
                self.identity.call("PATCH", f"/roles/{admin_id}", body),
                403,
                f"Unable to update immutable role resource: `{admin_id}. "
                'Set resource option "immutable" to false first.',
            )
        member_id = self.roles["member"]["id"]
        self.assertRefused(
            self.identity.call("DELETE", f"/roles/{member_id}"),
            403,
            f"Unable to delete immutable role resource: `{member_id}. "
            'Set resource option "immutable" to false first.',
        )
        self.assertEqual(self.identity.roles(), self.roles)

    def test_clearing_the_option_allows_what_it_refused(self) -> None:
        service_id = self.roles["service"]["id"]
        cleared = self.identity.call("PATCH", f"/roles/{service_id}", {"role": {"options": {"immutable": False}}})
        self.assertEqual(cleared.code, 200, cleared)
        self.assertEqual(cleared.json()["role"]["options"], {"immutable": False})
        self.assertEqual(self.identity.call("DELETE", f"/roles/{service_id}").code, 204)
        self.assertNotIn("service", self.identity.roles())

    def test_a_made_role_may_be_immutable_and_options_are_checked(self) -> None:
        made = self.identity.call("POST", "/roles", {"role": {"name": "frozen", "options": {"immutable": True}}})
        self.assertEqual(made.code, 201, made)
        role = made.json()["role"]
        self.assertEqual(role["options"], {"immutable": True})
        self.assertEqual(self.identity.call("DELETE", f"/roles/{role['id']}").code, 403)
        unset = self.identity.call("PATCH", f"/roles/{role['id']}", {"role": {"options": {"immutable": None}}})
        self.assertEqual(unset.json()["role"]["options"], {})
        for options, text in (({"sticky": True}, "'sticky' was unexpected"), ({"immutable": "yes"}, "boolean"), ([], "object")):
            refused = self.identity.call("POST", "/roles", {"role": {"name": "other", "options": options}})
            self.assertEqual(refused.code, 400, refused)
            self.assertIn(text, refused.json()["error"]["message"])
        self.assertNotIn("other", self.identity.roles())

    def test_role_lists_of_grants_show_the_options(self) -> None:
        user_id = self.identity.admin_token["user"]["id"]
        project_id = self.identity.admin_token["project"]["id"]
        held = self.identity.call("GET", f"/projects/{project_id}/users/{user_id}/roles").json()["roles"]
        self.assertEqual([(r["name"], r["options"]) for r in held], [("admin", {"immutable": True})])

    def test_options_survive_a_saved_state(self) -> None:
        service_id = self.roles["service"]["id"]
        self.identity.call("PATCH", f"/roles/{service_id}", {"role": {"options": {"immutable": None}}})
        core = self.identity.mimic.core
        saved = json.loads(json.dumps(save_directory(directory_of(core))))
        restored = restore_directory(core, saved)
        self.assertEqual(restored.role_options, directory_of(core).role_options)
        self.assertNotIn(service_id, restored.role_options)
        del saved["role_options"]
        self.assertIn(service_id, restore_directory(core, saved).role_options)


class RackspaceRolesStayMutableTests(SynchronousTestCase):
    def test_no_role_starts_immutable_and_each_may_change(self) -> None:
        identity = Identity("rackspace")
        roles = identity.roles()
        self.assertEqual({json.dumps(r["options"]) for r in roles.values()}, {"{}"})
        renamed = identity.call("PATCH", f"/roles/{roles['service']['id']}", {"role": {"description": "ours"}})
        self.assertEqual(renamed.code, 200, renamed)


class FirstUseEmailTests(SynchronousTestCase):
    def user(self, profile: str) -> dict[str, Any]:
        identity = Identity(profile)
        _, alice = token(identity.mimic, "alice")
        shown: dict[str, Any] = identity.call("GET", f"/users/{alice['user']['id']}").json()["user"]
        listed = identity.call("GET", "/users?name=alice").json()["users"]
        self.assertEqual(listed, [shown])
        return shown

    def test_openstack_shows_no_email_for_a_user_made_without_one(self) -> None:
        alice = self.user("openstack")
        self.assertNotIn("email", alice)
        self.assertEqual(alice["options"], {})

    def test_rackspace_keeps_its_example_address(self) -> None:
        self.assertEqual(self.user("rackspace")["email"], "alice@example.com")


class BootstrapAdminTests(SynchronousTestCase):
    """
    Under ``openstack`` the administrator is as ``keystone-manage
    bootstrap`` makes it: no default project, its project described as
    the bootstrap's.  Under ``rackspace`` its project is its default.
    """

    def admin(self, profile: str) -> tuple[dict[str, Any], dict[str, Any]]:
        identity = Identity(profile)
        user_id = identity.admin_token["user"]["id"]
        project_id = identity.admin_token["project"]["id"]
        user = identity.call("GET", f"/users/{user_id}").json()["user"]
        project = identity.call("GET", f"/projects/{project_id}").json()["project"]
        return user, project

    def test_openstack_admin_is_the_bootstraps(self) -> None:
        user, project = self.admin("openstack")
        self.assertNotIn("default_project_id", user)
        self.assertNotIn("email", user)
        self.assertEqual(project["description"], "Bootstrap project for initializing the cloud.")

    def test_rackspace_admin_keeps_its_default_project(self) -> None:
        user, project = self.admin("rackspace")
        self.assertEqual(user["default_project_id"], project["id"])
        self.assertEqual(project["description"], "The administrator's project")
