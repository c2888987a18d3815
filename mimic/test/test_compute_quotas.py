# -*- test-case-name: mimic.test.test_compute_quotas -*-
"""
Nova's quota sets (``/os-quota-sets``) as clients see them: the shapes
of show, detail, defaults, update and delete; Nova's validation errors;
and that the quotas set are the ones the server create and ``/limits``
use, per tenant and region.  In memory, plus python-novaclient and
openstacksdk against a real process.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.compute import model, quotas
from mimic.test.test_compute_resources import UBUNTU, Compute
from mimic.testing import Response, pristine_mimic

#: The keys of a quota set at 2.1, besides ``id``.
KEYS_2_1 = {
    "cores", "fixed_ips", "floating_ips", "injected_file_content_bytes", "injected_file_path_bytes",
    "injected_files", "instances", "key_pairs", "metadata_items", "ram", "security_group_rules",
    "security_groups", "server_group_members", "server_groups",
}
NETWORK_KEYS = {"fixed_ips", "floating_ips", "security_group_rules", "security_groups"}
FILE_KEYS = {"injected_file_content_bytes", "injected_file_path_bytes", "injected_files"}


class QuotaTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.compute = Compute()
        self.tenant = self.compute.access.tenant_id
        self.path = f"/os-quota-sets/{self.tenant}"

    def ok(self, response: Response, code: int = 200) -> Any:
        self.assertEqual(response.code, code, response)
        return response.json() if response.body else None

    def put(self, quota_set: Any, microversion: str | None = None, path: str | None = None) -> Response:
        return self.compute.request("PUT", path or self.path, {"quota_set": quota_set}, microversion)

    def assertBadRequest(self, response: Response, message: str) -> None:
        self.assertEqual(response.code, 400, response)
        self.assertEqual(response.json(), {"badRequest": {"code": 400, "message": message}})

    def create(self, flavor: str = "general1-1", **extra: Any) -> Response:
        server = {"name": "q", "imageRef": UBUNTU, "flavorRef": flavor}
        server.update(extra)
        return self.compute.request("POST", "/servers", {"server": server})


class ShowTests(QuotaTestCase):
    def test_show_gives_every_quota_and_the_project_id(self) -> None:
        body = self.ok(self.compute.get(self.path))["quota_set"]
        self.assertEqual(set(body), KEYS_2_1 | {"id"})
        self.assertEqual(body["id"], self.tenant)
        self.assertEqual(body["instances"], model.DEFAULT_QUOTAS.instances)
        self.assertEqual(body["ram"], model.DEFAULT_QUOTAS.ram)
        self.assertEqual(body["cores"], -1)

    def test_network_quotas_go_at_2_36_and_file_quotas_at_2_57(self) -> None:
        at_236 = self.ok(self.compute.get(self.path, "2.36"))["quota_set"]
        self.assertEqual(set(at_236), (KEYS_2_1 - NETWORK_KEYS) | {"id"})
        at_257 = self.ok(self.compute.get(self.path, "2.57"))["quota_set"]
        self.assertEqual(set(at_257), (KEYS_2_1 - NETWORK_KEYS - FILE_KEYS) | {"id"})

    def test_detail_gives_limit_usage_and_reserved(self) -> None:
        self.ok(self.create("general1-4"), 202)
        body = self.ok(self.compute.get(self.path + "/detail"))["quota_set"]
        self.assertEqual(body["id"], self.tenant)
        self.assertEqual(body["instances"], {"in_use": 1, "limit": 100, "reserved": 0})
        self.assertEqual(body["cores"], {"in_use": 4, "limit": -1, "reserved": 0})
        self.assertEqual(body["ram"], {"in_use": 4096, "limit": 131072, "reserved": 0})
        self.assertEqual(body["key_pairs"], {"in_use": 0, "limit": 100, "reserved": 0})

    def test_defaults_stay_the_defaults_after_an_update(self) -> None:
        self.ok(self.put({"instances": 5}))
        body = self.ok(self.compute.get(self.path + "/defaults"))["quota_set"]
        self.assertEqual(body["id"], self.tenant)
        self.assertEqual(body["instances"], model.DEFAULT_QUOTAS.instances)

    def test_another_tenants_quotas_are_forbidden(self) -> None:
        for method, suffix in (("GET", ""), ("GET", "/detail"), ("PUT", ""), ("DELETE", "")):
            response = self.compute.request(method, "/os-quota-sets/someone-else" + suffix, {"quota_set": {}})
            self.assertEqual(response.code, 403, (method, suffix, response))
            self.assertIn("Policy doesn't allow os_compute_api:os-quota-sets:", response.json()["forbidden"]["message"])

    def test_unsupported_method_is_405_in_nova_shape(self) -> None:
        response = self.compute.request("POST", self.path, {})
        self.assertEqual(response.code, 405)
        self.assertIn("badMethod", response.json())


class UpdateTests(QuotaTestCase):
    def test_update_answers_the_whole_set_without_id(self) -> None:
        body = self.ok(self.put({"instances": 5, "cores": "20", "ram": -1}))["quota_set"]
        self.assertEqual(set(body), KEYS_2_1)
        self.assertEqual((body["instances"], body["cores"], body["ram"]), (5, 20, -1))
        shown = self.ok(self.compute.get(self.path))["quota_set"]
        self.assertEqual((shown["instances"], shown["cores"], shown["ram"]), (5, 20, -1))

    def test_delete_reverts_to_the_defaults_with_202(self) -> None:
        self.ok(self.put({"instances": 5}))
        response = self.compute.request("DELETE", self.path)
        self.assertEqual((response.code, response.body), (202, b""))
        self.assertEqual(self.ok(self.compute.get(self.path))["quota_set"]["instances"], 100)

    def test_quotas_are_per_tenant_and_region(self) -> None:
        self.ok(self.put({"instances": 5}))
        other_region = Compute(self.compute.mimic, "alice", "DFW")
        shown = self.ok(other_region.get(self.path))["quota_set"]
        self.assertEqual(shown["instances"], 100)
        bob = Compute(self.compute.mimic, "bob")
        self.assertEqual(self.ok(bob.get(f"/os-quota-sets/{bob.access.tenant_id}"))["quota_set"]["instances"], 100)

    def test_raised_quota_lets_a_tenant_exceed_the_default(self) -> None:
        self.ok(self.put({"instances": -1, "ram": -1}))
        self.ok(self.create("memory1-60", min_count=3), 202)
        absolute = self.ok(self.compute.get("/limits"))["limits"]["absolute"]
        self.assertEqual((absolute["maxTotalInstances"], absolute["maxTotalRAMSize"]), (-1, -1))
        self.assertEqual(absolute["totalRAMUsed"], 3 * 61440)

    def test_lowered_quota_refuses_the_next_create_with_nova_message(self) -> None:
        self.ok(self.put({"instances": 1}))
        self.ok(self.create(), 202)
        response = self.create()
        self.assertEqual(response.code, 403)
        self.assertEqual(
            response.json()["forbidden"]["message"],
            "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances",
        )
        self.assertEqual(self.ok(self.compute.get("/limits"))["limits"]["absolute"]["maxTotalInstances"], 1)

    def test_metadata_items_quota_applies_to_servers(self) -> None:
        self.ok(self.put({"metadata_items": 1}))
        response = self.create(metadata={"a": "1", "b": "2"})
        self.assertEqual(response.code, 403)
        self.assertIn("Quota exceeded for metadata_items", response.json()["forbidden"]["message"])
        self.assertEqual(self.ok(self.compute.get("/limits"))["limits"]["absolute"]["maxServerMeta"], 1)

    def test_key_pairs_quota_applies_to_keypairs(self) -> None:
        self.ok(self.put({"key_pairs": 0}))
        response = self.compute.request("POST", "/os-keypairs", {"keypair": {"name": "k"}})
        self.assertEqual(response.code, 403)

    def test_limit_below_usage_is_400_unless_forced(self) -> None:
        self.ok(self.create(), 202)
        self.ok(self.create(), 202)
        self.assertBadRequest(
            self.put({"instances": 1}),
            "Quota limit 1 for instances must be greater than or equal to already used and reserved 2.",
        )
        self.assertEqual(self.ok(self.compute.get(self.path))["quota_set"]["instances"], 100)
        self.assertEqual(self.ok(self.put({"instances": 1, "force": True}))["quota_set"]["instances"], 1)

    def test_network_quotas_are_refused_from_2_36(self) -> None:
        self.ok(self.put({"floating_ips": 3}))
        self.assertBadRequest(
            self.put({"floating_ips": 3}, "2.36"),
            "Invalid input for field/attribute quota_set. Value: {'floating_ips': 3}. "
            "Additional properties are not allowed ('floating_ips' was unexpected)",
        )


class ValidationTests(QuotaTestCase):
    def test_body_without_quota_set_is_400(self) -> None:
        response = self.compute.request("PUT", self.path, {"quotas": {}})
        self.assertEqual(response.code, 400)
        self.assertIn("'quota_set' is a required property", response.json()["badRequest"]["message"])

    def test_unknown_quota_is_400(self) -> None:
        self.assertBadRequest(
            self.put({"bananas": 1}),
            "Invalid input for field/attribute quota_set. Value: {'bananas': 1}. "
            "Additional properties are not allowed ('bananas' was unexpected)",
        )

    def test_values_must_be_integers_from_minus_one(self) -> None:
        self.assertBadRequest(
            self.put({"instances": "many"}),
            "Invalid input for field/attribute instances. Value: many. 'many' does not match '^-?[0-9]+$'",
        )
        self.assertBadRequest(
            self.put({"cores": 1.5}),
            "Invalid input for field/attribute cores. Value: 1.5. 1.5 is not of type 'integer', 'string'",
        )
        self.assertBadRequest(
            self.put({"ram": -2}),
            "Invalid input for field/attribute ram. Value: -2. -2 is less than the minimum of -1",
        )
        self.assertBadRequest(self.put({"ram": "-2"}), "Quota limit -2 for ram must be -1 or greater.")
        self.assertEqual(self.put({"instances": 2**31}).code, 400)
        self.assertEqual(self.put({"instances": True}).code, 400)

    def test_force_must_be_a_boolean(self) -> None:
        response = self.put({"instances": 5, "force": "perhaps"})
        self.assertEqual(response.code, 400)
        self.assertIn("Invalid input for field/attribute force.", response.json()["badRequest"]["message"])

    def test_a_refused_update_changes_nothing(self) -> None:
        self.assertEqual(self.put({"instances": 5, "cores": "x"}).code, 400)
        self.assertEqual(self.ok(self.compute.get(self.path))["quota_set"]["instances"], 100)

    def test_malformed_json_is_400(self) -> None:
        response = self.compute.request("PUT", self.path, raw=b"{not json")
        self.assertEqual(response.code, 400)
        self.assertIn("badRequest", response.json())

    def test_update_helper_keeps_unnamed_quotas(self) -> None:
        updated = quotas.apply_update(
            model.DEFAULT_QUOTAS, {"quota_set": {"instances": "7"}}, (2, 1), model.Usage()
        )
        self.assertEqual(updated.instances, 7)
        self.assertEqual(updated.ram, model.DEFAULT_QUOTAS.ram)


class ClientTests(SynchronousTestCase):
    """
    The quota calls of python-novaclient and openstacksdk against a real
    ``twistd mimic``.
    """

    def setUp(self) -> None:
        self.url = pristine_mimic()

    def test_novaclient_gets_updates_and_deletes_quotas(self) -> None:
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v2
        from novaclient import client

        session = ks_session.Session(auth=v2.Password(f"{self.url}/identity/v2.0", username="alice", password="pw"))
        nova = client.Client("2.1", session=session, region_name="ORD")
        tenant = session.get_project_id()
        self.assertEqual(nova.quotas.get(tenant).instances, 100)
        self.assertEqual(nova.quotas.defaults(tenant).instances, 100)
        updated = nova.quotas.update(tenant, instances=250, cores=-1)
        self.assertEqual(updated.instances, 250)
        self.assertEqual(nova.quotas.get(tenant, detail=True).instances, {"in_use": 0, "limit": 250, "reserved": 0})
        self.assertEqual(nova.limits.get().to_dict()["absolute"]["maxTotalInstances"], 250)
        nova.quotas.delete(tenant)
        self.assertEqual(nova.quotas.get(tenant).instances, 100)

    def test_openstacksdk_proxy_updates_shows_and_reverts_quotas(self) -> None:
        import openstack.connection
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v2

        session = ks_session.Session(auth=v2.Password(f"{self.url}/identity/v2.0", username="bob", password="pw"))
        conn = openstack.connection.Connection(session=session, region_name="ORD", compute_api_version="2")
        self.addCleanup(conn.close)
        project_id = session.get_project_id()
        updated = conn.compute.update_quota_set(project_id, instances=1000, ram=-1)
        self.assertEqual((updated.instances, updated.ram), (1000, -1))
        self.assertEqual(conn.compute.get_quota_set(project_id).instances, 1000)
        self.assertEqual(conn.compute.get_quota_set(project_id, usage=True).usage["instances"], 0)
        self.assertEqual(conn.compute.get_quota_set_defaults(project_id).instances, 100)
        conn.compute.revert_quota_set(project_id)
        self.assertEqual(conn.compute.get_quota_set(project_id).instances, 100)
