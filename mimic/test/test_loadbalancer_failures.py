# -*- test-case-name: mimic.test.test_loadbalancer_failures -*-
"""
Cloud Load Balancers' known error conditions: the old mimic's metadata
keys fire exactly at the events they are documented for, and conditions
registered with the failure engine do the same through the same call.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.failures import FailureEngine
from mimic.http import HTTPError
from mimic.services.loadbalancer import failures
from mimic.test.test_loadbalancer_helpers import LoadBalancerTestCase, balancer_spec

NEW_NODE = {"nodes": [{"address": "10.0.0.2", "port": 80, "condition": "ENABLED"}]}


class MetadataTriggerTests(LoadBalancerTestCase):
    def meta(self, key: str, value: str = "") -> list[dict[str, str]]:
        return [{"key": key, "value": value}]

    def test_lb_building_keeps_the_balancer_in_build_for_its_seconds(self) -> None:
        lb = self.create(metadata=self.meta("lb_building", "15"))
        self.mimic.tick(14.5)
        self.assertEqual(self.status(lb["id"]), "BUILD")
        self.mimic.tick(0.5)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_lb_building_without_a_value_builds_for_10_seconds(self) -> None:
        lb = self.create(metadata=self.meta("lb_building"))
        self.mimic.tick(9)
        self.assertEqual(self.status(lb["id"]), "BUILD")
        self.mimic.tick(1)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_lb_building_with_a_bad_value_is_400_and_creates_nothing(self) -> None:
        response = self.request(
            "POST", "", {"loadBalancer": balancer_spec(metadata=self.meta("lb_building", "soon"))}
        )
        self.assertError(response, 400)
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])

    def test_lb_pending_update_after_each_node_change(self) -> None:
        lb = self.create(metadata=self.meta("lb_pending_update", "10"))
        self.assertEqual(self.status(lb["id"]), "ACTIVE")
        nodes = f"/{lb['id']}/nodes"
        added = self.request("POST", nodes, NEW_NODE).json()["nodes"][0]
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        self.mimic.tick(10)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")
        self.request("PUT", f"{nodes}/{added['id']}", {"node": {"condition": "DRAINING"}})
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        self.mimic.tick(10)
        self.request("DELETE", f"{nodes}/{added['id']}")
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")

    def test_lb_pending_update_added_later_through_the_metadata_api(self) -> None:
        lb = self.create()
        self.request("POST", f"/{lb['id']}/metadata", {"metadata": self.meta("lb_pending_update", "5")})
        self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "renamed"}})
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")

    def test_lb_pending_update_does_not_delay_a_delete(self) -> None:
        lb = self.create(metadata=self.meta("lb_pending_update", "10"))
        self.request("DELETE", f"/{lb['id']}")
        self.assertEqual(self.status(lb["id"]), "DELETED")

    def test_lb_pending_delete_holds_pending_delete_then_deleted(self) -> None:
        lb = self.create(metadata=self.meta("lb_pending_delete", "20"))
        self.assertEqual(self.request("DELETE", f"/{lb['id']}").code, 202)
        self.assertEqual(self.status(lb["id"]), "PENDING_DELETE")
        self.assertError(self.request("DELETE", f"/{lb['id']}"), 400)
        self.mimic.tick(20)
        self.assertEqual(self.status(lb["id"]), "DELETED")

    def test_lb_pending_delete_does_not_fire_on_other_changes(self) -> None:
        """
        The old mimic put the balancer in PENDING_DELETE on any change;
        the key is documented for deletion only.
        """
        lb = self.create(metadata=self.meta("lb_pending_delete", "20"))
        self.assertEqual(self.request("POST", f"/{lb['id']}/nodes", NEW_NODE).code, 202)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_lb_error_state_sends_the_balancer_to_error_on_its_next_change(self) -> None:
        lb = self.create(metadata=self.meta("lb_error_state", "ERROR"))
        self.assertEqual(self.status(lb["id"]), "ACTIVE")
        self.assertEqual(self.request("POST", f"/{lb['id']}/nodes", NEW_NODE).code, 202)
        self.assertEqual(self.status(lb["id"]), "ERROR")
        response = self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "x"}})
        self.assertError(
            response, 422,
            f"Load Balancer '{lb['id']}' has a status of 'ERROR' and is considered immutable.",
        )

    def test_balancer_in_error_can_be_deleted(self) -> None:
        lb = self.create(metadata=self.meta("lb_error_state", "ERROR"))
        self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "x"}})
        self.assertEqual(self.request("DELETE", f"/{lb['id']}").code, 202)
        self.assertEqual(self.status(lb["id"]), "DELETED")

    def test_lb_error_state_does_not_fire_on_delete(self) -> None:
        lb = self.create(metadata=self.meta("lb_error_state", "ERROR"))
        self.request("DELETE", f"/{lb['id']}")
        self.assertEqual(self.status(lb["id"]), "DELETED")


class RegisteredConditionTests(LoadBalancerTestCase):
    def register(self, event: Any, name: str, parameters: Any = None, criteria: Any = None, times: int | None = None) -> None:
        self.mimic.core.failures.register(event, name, parameters, criteria, times)

    def test_create_fail_answers_with_the_registered_error(self) -> None:
        self.register(failures.CREATE, "fail", {"code": 503, "message": "Service Unavailable"},
                      [{"loadbalancer_name": "flaky"}], times=1)
        response = self.request("POST", "", {"loadBalancer": balancer_spec(name="flaky")})
        self.assertError(response, 503, "Service Unavailable")
        self.assertEqual(self.request("GET").json()["loadBalancers"], [])
        self.create(name="flaky")

    def test_create_fail_only_matches_its_criteria(self) -> None:
        self.register(failures.CREATE, "fail", None, [{"loadbalancer_name": "flaky"}])
        self.create(name="steady")

    def test_create_error_goes_to_error_after_building(self) -> None:
        self.register(failures.CREATE, "error", {"seconds": 5})
        lb = self.create()
        self.assertEqual(self.status(lb["id"]), "BUILD")
        self.mimic.tick(5)
        self.assertEqual(self.status(lb["id"]), "ERROR")

    def test_node_add_immutable_is_422_pending_update(self) -> None:
        lb = self.create(name="autoscaled")
        self.register(failures.NODE_ADD, "immutable", {"seconds": 3}, [{"loadbalancer_id": str(lb["id"])}], times=1)
        response = self.request("POST", f"/{lb['id']}/nodes", NEW_NODE)
        self.assertError(
            response, 422,
            f"Load Balancer '{lb['id']}' has a status of 'PENDING_UPDATE' and is considered immutable.",
        )
        self.assertEqual(len(self.request("GET", f"/{lb['id']}/nodes").json()["nodes"]), 1)
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        self.mimic.tick(3)
        self.assertEqual(self.request("POST", f"/{lb['id']}/nodes", NEW_NODE).code, 202)

    def test_node_add_fail(self) -> None:
        lb = self.create()
        self.register(failures.NODE_ADD, "fail", {"code": 500, "message": "boom"})
        self.assertError(self.request("POST", f"/{lb['id']}/nodes", NEW_NODE), 500, "boom")
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_update_error_on_a_named_change(self) -> None:
        lb = self.create()
        self.register(failures.UPDATE, "error", {"seconds": 4}, [{"change": "healthmonitor"}])
        self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "fine"}})
        self.assertEqual(self.status(lb["id"]), "ACTIVE")
        monitor = {"type": "CONNECT", "delay": 10, "timeout": 5, "attemptsBeforeDeactivation": 2}
        self.assertEqual(self.request("PUT", f"/{lb['id']}/healthmonitor", {"healthMonitor": monitor}).code, 202)
        self.assertEqual(self.status(lb["id"]), "PENDING_UPDATE")
        self.mimic.tick(4)
        self.assertEqual(self.status(lb["id"]), "ERROR")

    def test_update_immutable_refuses_without_changing(self) -> None:
        lb = self.create()
        self.register(failures.UPDATE, "immutable", None, None, times=1)
        self.assertError(self.request("PUT", f"/{lb['id']}", {"loadBalancer": {"name": "x"}}), 422)
        self.assertEqual(self.show(lb["id"])["name"], "web")
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_delete_fail_keeps_the_balancer(self) -> None:
        lb = self.create()
        self.register(failures.DELETE, "fail", {"code": 500}, times=1)
        self.assertError(self.request("DELETE", f"/{lb['id']}"), 500)
        self.assertEqual(self.status(lb["id"]), "ACTIVE")

    def test_batch_delete_decides_every_balancer_before_refusing(self) -> None:
        """
        Each balancer's delete is a use of what was registered, even when
        an earlier one is refused; nothing is deleted.
        """
        first, second = self.create(), self.create(name="other")
        self.register(failures.DELETE, "fail", {"code": 503})
        (registration,) = self.mimic.core.failures.registrations(failures.DELETE)
        self.assertError(self.request("DELETE", f"?id={first['id']}&id={second['id']}"), 503)
        self.assertEqual(registration.fired, 2)
        self.assertEqual([self.status(first["id"]), self.status(second["id"])], ["ACTIVE", "ACTIVE"])

    def test_delete_pending_delete_registered(self) -> None:
        lb = self.create()
        self.register(failures.DELETE, "pending_delete", {"seconds": 7})
        self.request("DELETE", f"?id={lb['id']}")
        self.assertEqual(self.status(lb["id"]), "PENDING_DELETE")
        self.mimic.tick(7)
        self.assertEqual(self.status(lb["id"]), "DELETED")

    def test_events_are_declared_with_the_core(self) -> None:
        ids = {e.id for e in self.mimic.core.failures.events()}
        self.assertTrue(
            {"loadbalancer.loadbalancer.create", "loadbalancer.loadbalancer.update",
             "loadbalancer.node.add", "loadbalancer.loadbalancer.delete"} <= ids
        )
        self.assertIs(self.mimic.core.failures.event("loadbalancer", "creation"), failures.CREATE)


class ControlAPITests(LoadBalancerTestCase):
    def test_node_add_immutable_registered_over_http(self) -> None:
        """
        The control API's registration path reaches the same condition,
        matched on the balancer's name.
        """
        response = self.mimic.request(
            "POST",
            "/mimic/v1.1/loadbalancer/behaviors/node.add",
            {"name": "immutable", "criteria": [{"loadbalancer_name": "^scaling-"}], "times": 2},
        )
        self.assertEqual(response.code, 201, response)
        steady = self.create(name="steady")
        scaling = self.create(name="scaling-group-1")
        self.assertEqual(self.request("POST", f"/{steady['id']}/nodes", NEW_NODE).code, 202)
        for _ in range(2):
            self.assertError(self.request("POST", f"/{scaling['id']}/nodes", NEW_NODE), 422)
        self.assertEqual(self.request("POST", f"/{scaling['id']}/nodes", NEW_NODE).code, 202)


class OutcomeTests(SynchronousTestCase):
    """
    What each declared condition does, decided by the failure engine
    alone: the outcome the routes apply, or CLB's error.
    """

    def setUp(self) -> None:
        self.engine = FailureEngine()
        for event in failures.EVENTS:
            self.engine.declare(event)

    def test_nothing_registered_is_each_events_normal_outcome(self) -> None:
        self.assertEqual(self.engine.decide(failures.CREATE), failures.Provisioning(0, "ACTIVE"))
        self.assertEqual(self.engine.decide(failures.UPDATE), failures.Pending(0, "ACTIVE"))
        self.assertEqual(self.engine.decide(failures.NODE_ADD), failures.Admitted())
        self.assertEqual(self.engine.decide(failures.DELETE), failures.Deleting(0))

    def test_metadata_keys_give_seconds_and_the_status_after(self) -> None:
        decide = self.engine.decide
        self.assertEqual(
            decide(failures.CREATE, metadata={"lb_building": "15"}), failures.Provisioning(15, "ACTIVE")
        )
        self.assertEqual(
            decide(failures.UPDATE, metadata={"lb_pending_update": ""}), failures.Pending(10, "ACTIVE")
        )
        self.assertEqual(
            decide(failures.UPDATE, metadata={"lb_error_state": "x"}), failures.Pending(0, "ERROR")
        )
        self.assertEqual(
            decide(failures.DELETE, metadata={"lb_pending_delete": "30"}), failures.Deleting(30)
        )

    def test_registered_conditions_give_their_outcomes(self) -> None:
        self.engine.register(failures.CREATE, "error", {"seconds": 5})
        self.engine.register(failures.UPDATE, "immutable", {"seconds": 3})
        self.engine.register(failures.NODE_ADD, "immutable")
        self.assertEqual(self.engine.decide(failures.CREATE), failures.Provisioning(5, "ERROR"))
        self.assertEqual(self.engine.decide(failures.UPDATE), failures.Refused(3))
        self.assertEqual(self.engine.decide(failures.NODE_ADD), failures.Refused(0))

    def test_fail_refuses_with_clbs_error(self) -> None:
        for event in (failures.CREATE, failures.NODE_ADD, failures.DELETE):
            self.engine.register(event, "fail", {"code": 503, "message": "Down"})
            refused = self.assertRaises(HTTPError, self.engine.decide, event)
            self.assertEqual((refused.status, refused.body), (503, {"message": "Down", "code": 503}))

    def test_every_condition_declares_what_it_does(self) -> None:
        for event in failures.EVENTS:
            self.assertIsNotNone(event.normal, event.id)
            for condition in event.conditions:
                self.assertIsNotNone(condition.effect, f"{event.id} {condition.name}")
