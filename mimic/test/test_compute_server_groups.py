# -*- test-case-name: mimic.test.test_compute_server_groups -*-
"""
``/os-server-groups`` in memory: each microversion's shape and schema,
membership through a create's scheduler hints, hosts, quotas, policy,
and what snapshots keep.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.compute.server_groups import ServerGroup, ServerGroupStore
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.test.test_persistence_services import restore, save
from mimic.testing import InMemoryMimic, Response


class GroupsTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", "ORD")

    def call(self, method: str, path: str, body: Any = None, version: str | None = None, token: str | None = None,
             url: str | None = None) -> Response:
        headers = {"X-OpenStack-Nova-API-Version": version} if version else {}
        return self.mimic.request(method, (url or self.url) + path, body, token=token or self.access.token,
                                  headers=headers)

    def ok(self, response: Response, code: int = 200) -> Any:
        self.assertEqual(response.code, code, response.body)
        return response.json() if response.body else None

    def error(self, response: Response, code: int) -> str:
        self.assertEqual(response.code, code, response.body)
        (fault,) = response.json().values()
        self.assertEqual(fault["code"], code)
        return str(fault["message"])

    def group(self, policy: str = "affinity", version: str | None = None, **extra: Any) -> dict[str, Any]:
        modern = version is not None and tuple(map(int, version.split("."))) >= (2, 64)
        spec: dict[str, Any] = {"name": "g", **({"policy": policy} if modern else {"policies": [policy]}), **extra}
        return self.ok(self.call("POST", "/os-server-groups", {"server_group": spec}, version))["server_group"]

    def servers(self, group_id: str, count: int = 1) -> Response:
        body = {"server": {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1",
                           "min_count": count},
                "os:scheduler_hints": {"group": group_id}}
        return self.call("POST", "/servers", body)


class ShapeTests(GroupsTestCase):
    def test_shapes_by_microversion(self) -> None:
        old = self.group("anti-affinity")
        self.assertEqual(set(old), {"id", "name", "policies", "members", "metadata"})
        self.assertEqual((old["policies"], old["members"], old["metadata"]), (["anti-affinity"], [], {}))
        owned = self.ok(self.call("GET", f"/os-server-groups/{old['id']}", version="2.13"))["server_group"]
        self.assertEqual(owned["project_id"], self.access.tenant_id)
        self.assertTrue(owned["user_id"])
        modern = self.group("anti-affinity", "2.64", rules={"max_server_per_host": "2"})
        self.assertEqual(set(modern), {"id", "name", "policy", "rules", "members", "project_id", "user_id"})
        self.assertEqual(modern["rules"], {"max_server_per_host": 2})
        listed = self.ok(self.call("GET", "/os-server-groups", version="2.64"))["server_groups"]
        self.assertEqual([g["id"] for g in listed], [old["id"], modern["id"]])
        self.assertEqual(listed[0]["rules"], {})

    def test_soft_policies_from_2_15(self) -> None:
        refused = self.call("POST", "/os-server-groups", {"server_group": {"name": "g", "policies": ["soft-affinity"]}})
        self.assertIn("is not one of", self.error(refused, 400))
        self.assertEqual(self.group("soft-affinity", "2.15")["policies"], ["soft-affinity"])

    def test_schema_refusals(self) -> None:
        for body, version in [
            ({}, None),
            ({"server_group": {"name": "g"}}, None),
            ({"server_group": {"name": "g", "policies": []}}, None),
            ({"server_group": {"name": "g", "policies": ["affinity", "anti-affinity"]}}, None),
            ({"server_group": {"name": " g", "policies": ["affinity"]}}, None),
            ({"server_group": {"name": "g", "policy": "affinity"}}, None),
            ({"server_group": {"name": "g", "policies": ["affinity"]}}, "2.64"),
            ({"server_group": {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": 0}}}, "2.64"),
            ({"server_group": {"name": "g", "policy": "anti-affinity", "rules": {"other": 1}}}, "2.64"),
        ]:
            self.error(self.call("POST", "/os-server-groups", body, version), 400)
        rules = {"server_group": {"name": "g", "policy": "affinity", "rules": {"max_server_per_host": 1}}}
        self.assertEqual(self.error(self.call("POST", "/os-server-groups", rules, "2.64"), 400),
                         "Only anti-affinity policy supports rules.")
        self.assertEqual(self.ok(self.call("GET", "/os-server-groups"))["server_groups"], [])

    def test_unknown_group_and_delete(self) -> None:
        group = self.group()
        self.assertEqual(self.error(self.call("GET", "/os-server-groups/nope"), 404),
                         "Instance group nope could not be found.")
        self.ok(self.call("DELETE", f"/os-server-groups/{group['id']}"), 204)
        self.error(self.call("DELETE", f"/os-server-groups/{group['id']}"), 404)

    def test_paging_with_limit_and_offset(self) -> None:
        ids = [self.group()["id"] for _ in range(3)]
        page = self.ok(self.call("GET", "/os-server-groups?limit=1&offset=1"))["server_groups"]
        self.assertEqual([g["id"] for g in page], ids[1:2])
        self.error(self.call("GET", "/os-server-groups?limit=x"), 400)
        self.error(self.call("GET", "/os-server-groups?offset=-1"), 400)


class MembershipTests(GroupsTestCase):
    def test_scheduler_hint_joins_and_delete_leaves(self) -> None:
        group = self.group()
        server_id = self.ok(self.servers(group["id"]), 202)["server"]["id"]
        shown = self.ok(self.call("GET", f"/os-server-groups/{group['id']}"))["server_group"]
        self.assertEqual(shown["members"], [server_id])
        server = self.ok(self.call("GET", f"/servers/{server_id}", version="2.71"))["server"]
        self.assertEqual(server["server_groups"], [group["id"]])
        self.ok(self.call("DELETE", f"/servers/{server_id}"), 204)
        self.mimic.tick(60)
        shown = self.ok(self.call("GET", f"/os-server-groups/{group['id']}"))["server_group"]
        self.assertEqual(shown["members"], [])

    def test_affinity_shares_a_host_anti_affinity_spreads(self) -> None:
        together = self.group("affinity")
        apart = self.group("anti-affinity")
        paired = self.group("anti-affinity", "2.64", rules={"max_server_per_host": 2})

        def hosts(group_id: str) -> list[str]:
            self.ok(self.servers(group_id, 3), 202)
            members = self.ok(self.call("GET", f"/os-server-groups/{group_id}"))["server_group"]["members"]
            return [self.ok(self.call("GET", f"/servers/{m}"))["server"]["hostId"] for m in members]

        self.assertEqual(len(set(hosts(together["id"]))), 1)
        self.assertEqual(len(set(hosts(apart["id"]))), 3)
        spread = hosts(paired["id"])
        self.assertEqual((spread[0] == spread[1], spread[1] == spread[2]), (True, False))

    def test_bad_hints(self) -> None:
        self.assertIn("is not a 'uuid'", self.error(self.servers("nope"), 400))
        missing = "0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a10"
        self.assertEqual(self.error(self.servers(missing), 400), f"Instance group {missing} could not be found.")
        self.assertEqual(self.ok(self.call("GET", "/servers"))["servers"], [])

    def test_member_quota(self) -> None:
        tenant = self.access.tenant_id
        self.ok(self.call("PUT", f"/os-quota-sets/{tenant}", {"quota_set": {"server_group_members": 2}}))
        group = self.group()
        self.ok(self.servers(group["id"], 2), 202)
        self.assertEqual(self.error(self.servers(group["id"]), 403), "Quota exceeded, too many servers in group")

    def test_group_quota_shows_in_quotas_and_limits(self) -> None:
        tenant = self.access.tenant_id
        self.ok(self.call("PUT", f"/os-quota-sets/{tenant}", {"quota_set": {"server_groups": 1}}))
        self.group()
        self.assertEqual(self.error(self.call("POST", "/os-server-groups", {
            "server_group": {"name": "g", "policies": ["affinity"]}}), 403), "Quota exceeded, too many server groups.")
        detail = self.ok(self.call("GET", f"/os-quota-sets/{tenant}/detail"))["quota_set"]
        self.assertEqual(detail["server_groups"], {"in_use": 1, "limit": 1, "reserved": 0})
        absolute = self.ok(self.call("GET", "/limits"))["limits"]["absolute"]
        self.assertEqual(absolute["totalServerGroupsUsed"], 1)


class NoValidHostTests(GroupsTestCase):
    def test_member_no_host_can_take_goes_to_error(self) -> None:
        group = self.group("anti-affinity")
        body = {"server": {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1",
                           "metadata": {"server_group_no_valid_host": "1"}},
                "os:scheduler_hints": {"group": group["id"]}}
        server_id = self.ok(self.call("POST", "/servers", body), 202)["server"]["id"]
        server = self.ok(self.call("GET", f"/servers/{server_id}"))["server"]
        self.assertEqual(server["status"], "ERROR")
        self.assertEqual(server["fault"]["message"],
                         "No valid host was found. There are not enough hosts available.")
        members = self.ok(self.call("GET", f"/os-server-groups/{group['id']}"))["server_group"]["members"]
        self.assertEqual(members, [server_id])

    def test_registered_through_the_control_api(self) -> None:
        group = self.group("anti-affinity")
        registration = {"name": "no-valid-host", "criteria": [{"group_name": "^g$"}],
                        "parameters": {"message": "full"}}
        response = self.mimic.request("POST", "/mimic/v1.1/compute/behaviors/server.group-placement", registration)
        self.assertEqual(response.code, 201, response.body)
        server_id = self.ok(self.servers(group["id"]), 202)["server"]["id"]
        server = self.ok(self.call("GET", f"/servers/{server_id}"))["server"]
        self.assertEqual((server["status"], server["fault"]["message"]), ("ERROR", "full"))
        plain = self.ok(self.call("POST", "/servers", {"server": {
            "name": "x", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1"}}), 202)["server"]["id"]
        self.assertEqual(self.ok(self.call("GET", f"/servers/{plain}"))["server"]["status"], "ACTIVE")


class PolicyTests(GroupsTestCase):
    def test_all_projects_is_an_administrators(self) -> None:
        self.group()
        self.assertEqual(
            self.error(self.call("GET", "/os-server-groups?all_projects=True"), 403),
            "Policy doesn't allow os_compute_api:os-server-groups:index:all_projects to be performed.",
        )
        admin = self.mimic.authenticate("admin", password="password")
        listed = self.call("GET", "/os-server-groups?all_projects=True", token=admin.token,
                           url=admin.endpoint("compute", "ORD"))
        self.assertEqual([g["name"] for g in self.ok(listed)["server_groups"]], ["g"])
        own = self.call("GET", "/os-server-groups", token=admin.token, url=admin.endpoint("compute", "ORD"))
        self.assertEqual(self.ok(own)["server_groups"], [])


class PersistenceTests(GroupsTestCase):
    def test_snapshots_keep_groups_and_members(self) -> None:
        group = self.group("anti-affinity", "2.64", rules={"max_server_per_host": 3})
        server_id = self.ok(self.servers(group["id"]), 202)["server"]["id"]
        restored = restore(save(self.mimic), ("alice",))
        access = restored.authenticate("alice")
        url = access.endpoint("compute", "ORD")
        headers = {"X-OpenStack-Nova-API-Version": "2.71"}
        shown = restored.request("GET", f"{url}/os-server-groups/{group['id']}", token=access.token, headers=headers)
        self.assertEqual(shown.json()["server_group"]["members"], [server_id])
        self.assertEqual(shown.json()["server_group"]["rules"], {"max_server_per_host": 3})
        server = restored.request("GET", f"{url}/servers/{server_id}", token=access.token, headers=headers)
        self.assertEqual(server.json()["server"]["server_groups"], [group["id"]])

    def test_store_round_trip(self) -> None:
        store = ServerGroupStore()
        group = store.add(ServerGroup("g1", "n", "affinity", "p", "u"))
        store.join(group, "s1")
        again = ServerGroup.from_json(group.json())
        self.assertEqual(again.members, ["s1"])
        store.leave("s1")
        self.assertEqual(group.members, [])
        self.assertRaises(ValueError, ServerGroup.from_json, ["g", "n", "bogus", "p", "u", {}, []])
