# -*- test-case-name: mimic.test.test_legacy_control -*-
"""
The old mimic's control entries in the catalog (``cloudServersBehavior``,
``cloudLoadBalancerControl``), used as old test suites use them: found
by name in the catalog, called without a token, with the old paths and
bodies.
"""

from __future__ import annotations

import json
from typing import Any

from treq.testing import StubTreq
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.compute.control import ComputeControlAPI
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.services.loadbalancer.control import LoadBalancerControlAPI
from mimic.test.test_loadbalancer_helpers import balancer_spec
from mimic.testing import Access, InMemoryMimic, Response

FLAVOR = "general1-1"


def endpoint_named(access: Access, name: str, region: str = "ORD") -> str:
    """
    What old suites do: find an endpoint by the catalog entry's name.
    """
    for entry in access.access["serviceCatalog"]:
        if entry["name"] == name:
            for endpoint in entry["endpoints"]:
                if endpoint["region"] == region:
                    return endpoint["publicURL"]
    raise KeyError(f"no {name} in {region}")


class LegacyTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.alice = self.mimic.authenticate("alice")
        self.bob = self.mimic.authenticate("bob")

    def behaviors(self, access: Access | None = None, region: str = "ORD") -> str:
        return endpoint_named(access or self.alice, "cloudServersBehavior", region) + "/behaviors"

    def lb_control(self, access: Access | None = None, region: str = "ORD") -> str:
        return endpoint_named(access or self.alice, "cloudLoadBalancerControl", region)

    def create_server(self, name: str, access: Access | None = None, region: str = "ORD") -> Response:
        access = access or self.alice
        body = {"server": {"name": name, "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}}
        return self.mimic.request(
            "POST", access.endpoint("compute", region) + "/servers", body, token=access.token
        )

    def server(self, server_id: str, access: Access | None = None) -> dict[str, Any]:
        access = access or self.alice
        response = self.mimic.request(
            "GET", access.endpoint("compute") + f"/servers/{server_id}", token=access.token
        )
        self.assertEqual(response.code, 200, response)
        return response.json()["server"]

    def register_creation_failure(self, criteria: Any, **kwargs: Any) -> Response:
        body = {"name": "fail", "parameters": {"code": 500, "message": "no"}, "criteria": criteria}
        return self.mimic.request("POST", self.behaviors(**kwargs) + "/creation/", body)


class CatalogTests(LegacyTestCase):
    def entries_of_type(self, access: Access, entry_type: str) -> list[str]:
        return [e["name"] for e in access.access["serviceCatalog"] if e["type"] == entry_type]

    def test_control_entries_have_types_of_their_own(self) -> None:
        """
        Old suites find the entries by name.  A client that picks by type
        alone finds one entry of the service's type, the real service,
        whether it takes the first or (as pyrax does) the last.
        """
        self.assertEqual(self.entries_of_type(self.alice, "compute"), ["cloudServersOpenStack"])
        self.assertEqual(
            self.entries_of_type(self.alice, "rax:load-balancer"), ["cloudLoadBalancers"]
        )
        self.assertEqual(
            self.entries_of_type(self.alice, "mimic:compute-control"), ["cloudServersBehavior"]
        )
        self.assertEqual(
            self.entries_of_type(self.alice, "mimic:load-balancer-control"),
            ["cloudLoadBalancerControl"],
        )
        self.assertTrue(self.behaviors().endswith(f"/v2/{self.alice.tenant_id}/behaviors"))

    def test_the_old_types_on_request_after_the_real_entries(self) -> None:
        """
        ``legacy_control.service_types`` lists the entries under their
        service's type, as the old mimic did, after the real service's.
        """
        mimic = InMemoryMimic(settings={"legacy_control.service_types": "yes"})
        alice = mimic.authenticate("alice")
        self.assertEqual(
            self.entries_of_type(alice, "compute"), ["cloudServersOpenStack", "cloudServersBehavior"]
        )
        self.assertEqual(
            self.entries_of_type(alice, "rax:load-balancer"),
            ["cloudLoadBalancers", "cloudLoadBalancerControl"],
        )
        self.assertIn("/service/compute/", alice.endpoint("compute"))
        response = mimic.request(
            "POST",
            endpoint_named(alice, "cloudServersBehavior") + "/behaviors/creation",
            {"name": "fail", "parameters": {"code": 500, "message": "no"}, "criteria": []},
        )
        self.assertEqual(response.code, 201, response)

    def test_real_compute_endpoint_is_still_the_first_of_its_type(self) -> None:
        self.assertIn("/service/compute/", self.alice.endpoint("compute"))


class ComputeBehaviorTests(LegacyTestCase):
    def test_creation_failure_registered_without_a_token_fails_matching_creates(self) -> None:
        response = self.register_creation_failure([{"server_name": "^bad"}])
        self.assertEqual(response.code, 201, response)
        self.assertIn("id", response.json())
        self.assertEqual(self.create_server("bad-1").code, 500)
        self.assertEqual(self.create_server("good-1").code, 202)

    def test_a_web_page_cannot_register_without_a_token(self) -> None:
        """
        Without a token the entry is guarded as the control API is: a
        foreign page's form post (403) and a non-JSON body (415) are
        refused, and nothing is registered; with the tenant's token (which
        a page cannot send cross-site) the same call works.
        """
        body = json.dumps({"name": "fail", "parameters": {}}).encode()
        url = self.behaviors() + "/creation"
        foreign = self.mimic.request(
            "POST", url, raw=body, headers={"Origin": "http://evil.example", "Content-Type": "text/plain"}
        )
        self.assertEqual(foreign.code, 403, foreign)
        typed = self.mimic.request("POST", url, raw=body, headers={"Content-Type": "text/plain"})
        self.assertEqual(typed.code, 415, typed)
        self.assertEqual(self.create_server("any").code, 202)
        with_token = self.mimic.request(
            "POST", url, raw=body, token=self.alice.token, headers={"Content-Type": "text/plain"}
        )
        self.assertEqual(with_token.code, 201, with_token)

    def test_registration_applies_only_to_its_tenant_and_region(self) -> None:
        self.register_creation_failure([{"server_name": "^bad"}])
        self.assertEqual(self.create_server("bad-1", access=self.bob).code, 202)
        self.assertEqual(self.create_server("bad-2", region="DFW").code, 202)
        self.assertEqual(self.create_server("bad-3").code, 500)

    def test_delete_by_id_restores_normal_creation(self) -> None:
        registration = self.register_creation_failure([{"server_name": "^bad"}]).json()["id"]
        response = self.mimic.request("DELETE", self.behaviors() + f"/creation/{registration}")
        self.assertEqual(response.code, 204)
        self.assertEqual(self.create_server("bad-1").code, 202)

    def test_deleting_again_is_404(self) -> None:
        registration = self.register_creation_failure([]).json()["id"]
        self.mimic.request("DELETE", self.behaviors() + f"/creation/{registration}")
        response = self.mimic.request("DELETE", self.behaviors() + f"/creation/{registration}")
        self.assertEqual(response.code, 404)

    def test_another_tenant_cannot_delete_a_registration(self) -> None:
        registration = self.register_creation_failure([]).json()["id"]
        response = self.mimic.request("DELETE", self.behaviors(self.bob) + f"/creation/{registration}")
        self.assertEqual(response.code, 404)
        self.assertEqual(self.create_server("x").code, 500)

    def test_location_leads_to_the_registration(self) -> None:
        response = self.register_creation_failure([])
        location = response.header("location")
        self.assertEqual(location, self.behaviors() + "/creation/" + response.json()["id"])
        self.assertEqual(self.mimic.request("GET", location).json()["behavior"]["name"], "fail")

    def test_sequence_as_otter_registers_it(self) -> None:
        """
        otter's integration tests register a sequence under the server
        name they are about to use.
        """
        body = {
            "criteria": [{"server_name": "as-group-.*"}],
            "name": "sequence",
            "parameters": {
                "behaviors": [
                    {"name": "fail", "parameters": {"code": 500, "message": "oops"}},
                    {"name": "default"},
                ]
            },
        }
        response = self.mimic.request("POST", self.behaviors() + "/creation", body)
        self.assertEqual(response.code, 201, response)
        self.assertEqual(self.create_server("as-group-1").code, 500)
        self.assertEqual(self.create_server("as-group-2").code, 202)

    def test_registrations_go_through_the_one_failure_engine(self) -> None:
        """
        The control plane at /mimic/v1.1 sees (and can delete) what the
        catalog entry registered.
        """
        registration = self.register_creation_failure([]).json()["id"]
        listed = self.mimic.request("GET", "/mimic/v1.1/compute/behaviors/server.create").json()
        self.assertEqual([b["id"] for b in listed["behaviors"]], [registration])
        self.mimic.request("DELETE", f"/mimic/v1.1/compute/behaviors/server.create/{registration}")
        self.assertEqual(self.create_server("x").code, 202)

    def test_other_compute_events_by_old_or_new_name(self) -> None:
        server_id = self.create_server("keep").json()["server"]["id"]
        body = {"name": "fail", "parameters": {"code": 503}}
        self.assertEqual(self.mimic.request("POST", self.behaviors() + "/deletion", body).code, 201)
        delete = self.mimic.request(
            "DELETE", self.alice.endpoint("compute") + f"/servers/{server_id}", token=self.alice.token
        )
        self.assertEqual(delete.code, 503)
        self.assertEqual(self.mimic.request("POST", self.behaviors() + "/server.action", body).code, 201)

    def test_listing_shows_only_this_tenants_registrations(self) -> None:
        mine = self.register_creation_failure([]).json()["id"]
        self.register_creation_failure([], access=self.bob)
        listed = self.mimic.request("GET", self.behaviors()).json()["behaviors"]
        self.assertEqual([b["id"] for b in listed], [mine])

    def test_unknown_event_is_400(self) -> None:
        response = self.mimic.request("POST", self.behaviors() + "/explosion", {"name": "fail"})
        self.assertEqual(response.code, 400)
        self.assertIn("explosion", response.json()["message"])

    def test_bad_body_is_400_and_registers_nothing(self) -> None:
        for body in ({"name": "nonsense"}, {"name": "fail", "criteria": [{"server_name": "("}]}, [1]):
            response = self.mimic.request("POST", self.behaviors() + "/creation", body)
            self.assertEqual(response.code, 400, body)
        malformed = self.mimic.request("POST", self.behaviors() + "/creation", raw=b"{")
        self.assertEqual(malformed.code, 400)
        self.assertEqual(self.mimic.request("GET", "/mimic/v1.1/behaviors").json()["behaviors"], [])

    def test_tenant_in_path_must_be_the_entrys(self) -> None:
        url = self.behaviors().replace(f"/v2/{self.alice.tenant_id}/", f"/v2/{self.bob.tenant_id}/")
        response = self.mimic.request("POST", url + "/creation", {"name": "fail"})
        self.assertEqual(response.code, 404)

    def test_a_token_if_sent_must_be_the_tenants(self) -> None:
        url = self.behaviors() + "/creation"
        self.assertEqual(self.mimic.request("POST", url, {"name": "fail"}, token=self.bob.token).code, 403)
        self.assertEqual(self.mimic.request("POST", url, {"name": "fail"}, token="nonsense").code, 401)
        self.assertEqual(self.mimic.request("POST", url, {"name": "fail"}, token=self.alice.token).code, 201)

    def test_unknown_path_and_method_answer_json(self) -> None:
        response = self.mimic.request("GET", self.behaviors() + "/creation/1/more")
        self.assertEqual((response.code, response.json()["code"]), (404, 404))
        response = self.mimic.request("PUT", self.behaviors() + "/creation")
        self.assertEqual((response.code, response.json()["code"]), (405, 405))

    def test_405_names_the_methods_the_path_takes(self) -> None:
        response = self.mimic.request("PUT", self.behaviors() + "/creation")
        self.assertEqual(response.header("allow"), "GET, HEAD, POST")
        attributes = endpoint_named(self.alice, "cloudServersBehavior") + "/attributes"
        response = self.mimic.request("GET", attributes)
        self.assertEqual((response.code, response.header("allow")), (405, "POST"))

    def test_paths_neither_behaviors_nor_the_services_answer_json_404(self) -> None:
        for name in ("cloudServersBehavior", "cloudLoadBalancerControl"):
            for path in ("", "/", "/nothing", "/nothing/deeper", "/behaviors/creation/1/more"):
                response = self.mimic.request("GET", endpoint_named(self.alice, name) + path)
                self.assertEqual((response.code, response.json()["code"]), (404, 404), (name, path))

    def test_another_tenants_path_is_404_whatever_the_method(self) -> None:
        """
        The tenant in the path is checked before anything else below it.
        """
        mine = endpoint_named(self.alice, "cloudServersBehavior")
        other = mine.replace(f"/v2/{self.alice.tenant_id}", f"/v2/{self.bob.tenant_id}")
        for method, path in [("PUT", "/behaviors/creation"), ("GET", "/attributes"), ("GET", "/nothing")]:
            response = self.mimic.request(method, other + path)
            self.assertEqual(response.code, 404, (method, path))
            self.assertIn("tenant", response.json()["message"])


class ComputeAttributeTests(LegacyTestCase):
    def attributes(self, body: Any, access: Access | None = None) -> Response:
        url = endpoint_named(access or self.alice, "cloudServersBehavior") + "/attributes/"
        return self.mimic.request("POST", url, body)

    def test_status_change_is_201_and_shows_on_the_server(self) -> None:
        first = self.create_server("a").json()["server"]["id"]
        second = self.create_server("b").json()["server"]["id"]
        response = self.attributes({"status": {first: "ERROR", second: "SHUTOFF"}})
        self.assertEqual(response.code, 201, response)
        self.assertEqual(self.server(first)["status"], "ERROR")
        self.assertIn("fault", self.server(first))
        self.assertEqual(self.server(second)["status"], "SHUTOFF")

    def test_build_holds_until_set_otherwise(self) -> None:
        server_id = self.create_server("a").json()["server"]["id"]
        self.attributes({"status": {server_id: "BUILD"}})
        self.mimic.tick(3600)
        self.assertEqual(self.server(server_id)["status"], "BUILD")
        self.attributes({"status": {server_id: "ACTIVE"}})
        self.assertEqual(self.server(server_id)["status"], "ACTIVE")

    def test_unknown_server_is_400_and_changes_nothing(self) -> None:
        server_id = self.create_server("a").json()["server"]["id"]
        response = self.attributes({"status": {server_id: "ERROR", "no-such-server": "ERROR"}})
        self.assertEqual(response.code, 400)
        self.assertEqual(self.server(server_id)["status"], "ACTIVE")

    def test_another_tenants_server_cannot_be_changed(self) -> None:
        server_id = self.create_server("a", access=self.bob).json()["server"]["id"]
        self.assertEqual(self.attributes({"status": {server_id: "ERROR"}}).code, 400)
        self.assertEqual(self.server(server_id, access=self.bob)["status"], "ACTIVE")

    def test_unsupported_status_or_attribute_is_400(self) -> None:
        server_id = self.create_server("a").json()["server"]["id"]
        self.assertEqual(self.attributes({"status": {server_id: "EXPLODED"}}).code, 400)
        self.assertEqual(self.attributes({"name": {server_id: "x"}}).code, 400)
        self.assertEqual(self.attributes({"status": [server_id]}).code, 400)

    def test_status_that_is_not_a_string_is_400_and_changes_nothing(self) -> None:
        """
        ``{"x": []}`` as a status was a 500 with a traceback in the log
        (a list cannot be looked up among the statuses).
        """
        server_id = self.create_server("a").json()["server"]["id"]
        for status in ({"x": []}, ["ERROR"], 5, None, True):
            response = self.attributes({"status": {server_id: status}})
            self.assertEqual(response.code, 400, status)
            self.assertIn("cannot be set", response.json()["message"])
        self.assertEqual(self.server(server_id)["status"], "ACTIVE")
        self.assertEqual(self.flushLoggedErrors(), [])


class ServiceControlAppTests(SynchronousTestCase):
    """
    A service's control module is a plain Klein app of its own: it sees
    the paths below ``v2/<tenant_id>`` and knows nothing of the entry that
    serves ``behaviors`` beside it.
    """

    def test_compute_control_app_serves_attributes_on_its_own(self) -> None:
        mimic = InMemoryMimic()
        alice = mimic.authenticate("alice")
        body = {"server": {"name": "a", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}}
        created = mimic.request("POST", alice.endpoint("compute") + "/servers", body, token=alice.token)
        server_id = created.json()["server"]["id"]
        app = ComputeControlAPI(mimic.core, alice.tenant_id, "ORD")
        client = StubTreq(app.app.resource())
        sent = json.dumps({"status": {server_id: "SHUTOFF"}}).encode()
        response = self.successResultOf(client.post("http://mimic.test/attributes", data=sent))
        self.assertEqual(response.code, 201)
        server = mimic.request(
            "GET", alice.endpoint("compute") + f"/servers/{server_id}", token=alice.token
        ).json()["server"]
        self.assertEqual(server["status"], "SHUTOFF")

    def test_control_apps_answer_unknown_paths_in_the_control_shape(self) -> None:
        mimic = InMemoryMimic()
        for app in (
            ComputeControlAPI(mimic.core, "1234", "ORD"),
            LoadBalancerControlAPI(mimic.core, "1234", "ORD"),
        ):
            client = StubTreq(app.app.resource())
            response = self.successResultOf(client.get("http://mimic.test/behaviors"))
            body = json.loads(self.successResultOf(client.content(response)))
            self.assertEqual((response.code, body["code"]), (404, 404))
            self.assertIn("nothing at /behaviors", body["message"])


class LoadBalancerControlTests(LegacyTestCase):
    def create_balancer(self, access: Access | None = None) -> int:
        access = access or self.alice
        response = self.mimic.request(
            "POST",
            access.endpoint("rax:load-balancer") + "/loadbalancers",
            {"loadBalancer": balancer_spec()},
            token=access.token,
        )
        self.assertEqual(response.code, 202, response)
        return response.json()["loadBalancer"]["id"]

    def status(self, lb_id: int, access: Access | None = None) -> str:
        access = access or self.alice
        response = self.mimic.request(
            "GET", access.endpoint("rax:load-balancer") + f"/loadbalancers/{lb_id}", token=access.token
        )
        return response.json()["loadBalancer"]["status"]

    def set_attributes(self, lb_id: Any, body: Any, access: Access | None = None) -> Response:
        return self.mimic.request(
            "PATCH", self.lb_control(access) + f"/loadbalancer/{lb_id}/attributes", body
        )

    def test_setting_status_is_204_and_shows_on_the_balancer(self) -> None:
        lb_id = self.create_balancer()
        response = self.set_attributes(lb_id, {"status": "ERROR"})
        self.assertEqual(response.code, 204, response)
        self.assertEqual(self.status(lb_id), "ERROR")

    def test_pending_update_refuses_changes_until_set_back_to_active(self) -> None:
        lb_id = self.create_balancer()
        self.set_attributes(lb_id, {"status": "PENDING_UPDATE"})
        self.mimic.tick(3600)
        nodes = self.alice.endpoint("rax:load-balancer") + f"/loadbalancers/{lb_id}/nodes"
        add = {"nodes": [{"address": "10.0.0.2", "port": 80, "condition": "ENABLED"}]}
        self.assertEqual(self.mimic.request("POST", nodes, add, token=self.alice.token).code, 422)
        self.set_attributes(lb_id, {"status": "ACTIVE"})
        self.assertEqual(self.mimic.request("POST", nodes, add, token=self.alice.token).code, 202)

    def test_unknown_balancer_is_404(self) -> None:
        self.assertEqual(self.set_attributes(999, {"status": "ERROR"}).code, 404)
        self.assertEqual(self.set_attributes("abc", {"status": "ERROR"}).code, 404)

    def test_another_tenants_or_regions_balancer_is_404(self) -> None:
        lb_id = self.create_balancer(access=self.bob)
        self.assertEqual(self.set_attributes(lb_id, {"status": "ERROR"}).code, 404)
        response = self.mimic.request(
            "PATCH",
            self.lb_control(self.bob, region="DFW") + f"/loadbalancer/{lb_id}/attributes",
            {"status": "ERROR"},
        )
        self.assertEqual(response.code, 404)
        self.assertEqual(self.status(lb_id, access=self.bob), "ACTIVE")

    def test_unsupported_status_or_attribute_is_400(self) -> None:
        lb_id = self.create_balancer()
        self.assertEqual(self.set_attributes(lb_id, {"status": "DELETED"}).code, 400)
        self.assertEqual(self.set_attributes(lb_id, {"name": "x"}).code, 400)
        self.assertEqual(self.set_attributes(lb_id, ["ERROR"]).code, 400)
        for status in ({"x": []}, ["ERROR"], 5, True):
            self.assertEqual(self.set_attributes(lb_id, {"status": status}).code, 400, status)
        self.assertEqual(self.status(lb_id), "ACTIVE")

    def test_ids_that_are_no_number_an_id_can_be_are_404(self) -> None:
        """
        ``²`` passes ``str.isdigit`` and 5,000 digits pass it too; ``int()``
        refused both, with a 500.
        """
        self.create_balancer()
        for lb_id in ("²", "١", "9" * 5000, "1" * 19):
            self.assertEqual(self.set_attributes(lb_id, {"status": "ERROR"}).code, 404, lb_id[:5])
        self.assertEqual(self.flushLoggedErrors(), [])

    def test_deleted_balancer_cannot_be_set(self) -> None:
        lb_id = self.create_balancer()
        url = self.alice.endpoint("rax:load-balancer") + f"/loadbalancers/{lb_id}"
        self.mimic.request("DELETE", url, token=self.alice.token)
        self.assertEqual(self.set_attributes(lb_id, {"status": "ACTIVE"}).code, 410)
        self.assertEqual(self.status(lb_id), "DELETED")

    def test_load_balancer_behaviors_through_the_control_entry(self) -> None:
        body = {"name": "fail", "parameters": {"code": 503}}
        response = self.mimic.request("POST", self.lb_control() + "/behaviors/creation", body)
        self.assertEqual(response.code, 201, response)
        create = self.mimic.request(
            "POST",
            self.alice.endpoint("rax:load-balancer") + "/loadbalancers",
            {"loadBalancer": balancer_spec()},
            token=self.alice.token,
        )
        self.assertEqual(create.code, 503)
        self.create_balancer(access=self.bob)

    def test_old_keys_given_as_numbers_are_read_as_the_old_mimic_read_them(self) -> None:
        """
        An old suite creates with ``{"key": "lb_building", "value": 20}``,
        sets a status through the control entry and registers conditions
        there matched on that metadata: the number reads as the string
        ``"20"`` everywhere.
        """
        lbs = self.alice.endpoint("rax:load-balancer") + "/loadbalancers"
        spec = balancer_spec(metadata=[{"key": "lb_building", "value": 20}])
        create = self.mimic.request("POST", lbs, {"loadBalancer": spec}, token=self.alice.token)
        self.assertEqual(create.code, 202, create)
        lb_id = create.json()["loadBalancer"]["id"]
        self.mimic.tick(20)
        self.assertEqual(self.status(lb_id), "ACTIVE")
        body = {
            "name": "fail",
            "parameters": {"code": 503},
            "criteria": [{"metadata": {"lb_building": "^20$"}}],
        }
        registered = self.mimic.request("POST", self.lb_control() + "/behaviors/loadbalancer.delete", body)
        self.assertEqual(registered.code, 201, registered)
        self.assertEqual(
            self.mimic.request("DELETE", f"{lbs}/{lb_id}", token=self.alice.token).code, 503
        )
        self.assertEqual(self.set_attributes(lb_id, {"status": "ERROR"}).code, 204)
        self.assertEqual(self.status(lb_id), "ERROR")

    def create_with_metadata(self, key: str, value: Any) -> int:
        lbs = self.alice.endpoint("rax:load-balancer") + "/loadbalancers"
        spec = balancer_spec(metadata=[{"key": key, "value": value}])
        create = self.mimic.request("POST", lbs, {"loadBalancer": spec}, token=self.alice.token)
        self.assertEqual(create.code, 202, create)
        return int(create.json()["loadBalancer"]["id"])

    def rename(self, lb_id: int) -> int:
        url = self.alice.endpoint("rax:load-balancer") + f"/loadbalancers/{lb_id}"
        return self.mimic.request("PUT", url, {"loadBalancer": {"name": "x"}}, token=self.alice.token).code

    def test_every_old_key_as_a_number_or_a_numeric_string(self) -> None:
        """
        Each of the old mimic's keys, given as a number and as a numeric
        string, does what the old mimic did with it.
        """
        for value in (20, "20", 20.0):
            building = self.create_with_metadata("lb_building", value)
            self.mimic.tick(19)
            self.assertEqual(self.status(building), "BUILD", value)
            self.mimic.tick(1)
            self.assertEqual(self.status(building), "ACTIVE", value)

            pending = self.create_with_metadata("lb_pending_update", value)
            self.assertEqual(self.rename(pending), 202)
            self.mimic.tick(19)
            self.assertEqual((self.status(pending), self.rename(pending)), ("PENDING_UPDATE", 422), value)
            self.mimic.tick(1)
            self.assertEqual(self.status(pending), "ACTIVE", value)

            deleting = self.create_with_metadata("lb_pending_delete", value)
            url = self.alice.endpoint("rax:load-balancer") + f"/loadbalancers/{deleting}"
            self.assertEqual(self.mimic.request("DELETE", url, token=self.alice.token).code, 202)
            self.mimic.tick(19)
            self.assertEqual(self.status(deleting), "PENDING_DELETE", value)
            self.mimic.tick(1)
            self.assertEqual(self.status(deleting), "DELETED", value)

            failing = self.create_with_metadata("lb_error_state", value)
            self.assertEqual(self.rename(failing), 202)
            self.assertEqual(self.status(failing), "ERROR", value)
            for lb_id in (building, pending, failing):
                self.mimic.request(
                    "DELETE", self.alice.endpoint("rax:load-balancer") + f"/loadbalancers/{lb_id}",
                    token=self.alice.token,
                )

    def test_condition_seconds_as_numbers_or_numeric_strings_through_the_entry(self) -> None:
        for seconds in (15, "15"):
            body = {"name": "building", "parameters": {"seconds": seconds}, "times": 1}
            registered = self.mimic.request("POST", self.lb_control() + "/behaviors/creation", body)
            self.assertEqual(registered.code, 201, registered)
            lb_id = self.create_balancer()
            self.mimic.tick(14)
            self.assertEqual(self.status(lb_id), "BUILD", seconds)
            self.mimic.tick(1)
            self.assertEqual(self.status(lb_id), "ACTIVE", seconds)


class OldParameterNameTests(LegacyTestCase):
    """
    The old mimic's conditions took their time as ``duration``; suites
    written for it register ``build`` and ``active-then-error`` so.
    """

    def test_build_with_a_duration_as_number_or_numeric_string(self) -> None:
        for duration in (4, "4"):
            body = {"name": "build", "parameters": {"duration": duration},
                    "criteria": [{"server_name": f"slow-{duration}"}]}
            registered = self.mimic.request("POST", self.behaviors() + "/creation", body)
            self.assertEqual(registered.code, 201, registered)
            self.assertEqual(registered.json()["parameters"], {"seconds": 4.0})
            server_id = self.create_server(f"slow-{duration}").json()["server"]["id"]
            self.mimic.tick(3)
            self.assertEqual(self.server(server_id)["status"], "BUILD")
            self.mimic.tick(1)
            self.assertEqual(self.server(server_id)["status"], "ACTIVE")

    def test_active_then_error_with_a_duration_in_a_sequence(self) -> None:
        body = {"name": "sequence", "criteria": [{"server_name": "doomed"}], "parameters": {"behaviors": [
            {"name": "active-then-error", "parameters": {"duration": 10}}]}}
        registered = self.mimic.request("POST", "/mimic/v1.1/compute/behaviors/creation", body)
        self.assertEqual(registered.code, 201, registered)
        server_id = self.create_server("doomed").json()["server"]["id"]
        self.assertEqual(self.server(server_id)["status"], "ACTIVE")
        self.mimic.tick(10)
        self.assertEqual(self.server(server_id)["status"], "ERROR")

    def test_seconds_and_duration_together_are_refused(self) -> None:
        body = {"name": "build", "parameters": {"duration": 4, "seconds": 5}}
        refused = self.mimic.request("POST", self.behaviors() + "/creation", body)
        self.assertEqual(refused.code, 400)
        self.assertIn("'duration'", refused.json()["message"])


class UnknownTenantTests(LegacyTestCase):
    """
    The entries take no token, so anyone can name any tenant in their
    URLs; for a tenant nobody authenticated as they answer 404 and keep
    nothing, so invented tenant ids cost Mimic no memory.
    """

    def invented(self, entry: str, tenant_id: str) -> str:
        mine = endpoint_named(self.alice, entry)
        return mine.replace(self.alice.tenant_id, tenant_id)

    def test_requests_for_invented_tenants_are_404_and_keep_no_state(self) -> None:
        states = len(list(self.mimic.core.region_states()))
        registrations = len(list(self.mimic.core.failures.registrations()))
        for number in range(50):
            tenant_id = str(900000 + number)
            compute = self.invented("cloudServersBehavior", tenant_id)
            lb = self.invented("cloudLoadBalancerControl", tenant_id)
            for method, url, body in [
                ("POST", compute + "/attributes", {"status": {}}),
                ("POST", compute + "/behaviors/creation",
                 {"name": "fail", "parameters": {"code": 500}, "criteria": []}),
                ("GET", compute + "/behaviors", None),
                ("PATCH", lb + "/loadbalancer/1/attributes", {"status": "ERROR"}),
            ]:
                response = self.mimic.request(method, url, body)
                self.assertEqual(response.code, 404, (method, url, response))
                self.assertEqual(response.json()["code"], 404)
                self.assertIn(tenant_id, response.json()["message"])
        self.assertEqual(len(list(self.mimic.core.region_states())), states)
        self.assertEqual(len(list(self.mimic.core.failures.registrations())), registrations)

    def test_a_tenant_is_served_again_once_somebody_authenticates_as_it(self) -> None:
        carol = self.mimic.authenticate("carol")
        self.mimic.request("POST", "/mimic/v1.1/reset", {"tenant_id": carol.tenant_id})
        url = endpoint_named(carol, "cloudServersBehavior") + "/attributes"
        self.assertEqual(self.mimic.request("POST", url, {"status": {}}).code, 404)
        self.mimic.authenticate("carol")
        self.assertEqual(self.mimic.request("POST", url, {"status": {}}).code, 201)
