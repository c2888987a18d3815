# -*- test-case-name: mimic.test.test_loadbalancer_errors -*-
"""
Cloud Load Balancers' errors: each domain error the model raises is
answered in CLB's shape, with CLB's status and wording.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.failures import BadRegistration
from mimic.services.loadbalancer.errors import (
    DOMAIN_ERRORS,
    Immutable,
    ImmutableForDelete,
    Invalid,
    ItemNotFound,
    LoadBalancerError,
    LoadBalancerNotFound,
    MarkedDeleted,
    NodeNotFound,
    NotActive,
    OverLimit,
    UnknownForDelete,
    as_http,
    clb_error,
    clb_error_body,
)


class ShapeTests(SynchronousTestCase):
    def test_400_always_carries_details(self) -> None:
        self.assertEqual(
            clb_error(400, "bad").body,
            {"message": "bad", "code": 400, "details": "The object is not valid"},
        )

    def test_other_errors_carry_details_only_when_given(self) -> None:
        self.assertEqual(clb_error_body(404, "gone"), {"message": "gone", "code": 404})
        self.assertEqual(clb_error(500, "x", "why").body["details"], "why")


class DomainErrorTests(SynchronousTestCase):
    def assertAnswer(self, error: LoadBalancerError, status: int, message: str) -> None:
        answer = as_http(error)
        self.assertEqual((answer.status, answer.body["code"]), (status, status))
        self.assertEqual(answer.body["message"], message)

    def test_every_domain_error_is_answered(self) -> None:
        self.assertEqual(set(DOMAIN_ERRORS), {LoadBalancerError, BadRegistration})
        self.assertAnswer(LoadBalancerNotFound(1), 404, "Load balancer not found")
        self.assertAnswer(NodeNotFound(2), 404, "Node not found")
        self.assertAnswer(ItemNotFound("Network item"), 404, "Network item not found")
        self.assertAnswer(MarkedDeleted(1), 410, "The loadbalancer is marked as deleted.")
        self.assertAnswer(NotActive(1), 422, "LoadBalancer is not ACTIVE")
        self.assertAnswer(OverLimit("too many"), 413, "too many")

    def test_malformed_trigger_is_a_400_that_says_so(self) -> None:
        answer = DOMAIN_ERRORS[BadRegistration](BadRegistration("not JSON"))
        self.assertEqual(
            (answer.status, answer.body["message"]), (400, "Bad failure trigger: not JSON")
        )

    def test_immutable_names_the_balancer_and_its_status(self) -> None:
        self.assertAnswer(
            Immutable(7, "BUILD"),
            422,
            "Load Balancer '7' has a status of 'BUILD' and is considered immutable.",
        )

    def test_delete_refusals_are_400_naming_every_balancer(self) -> None:
        self.assertAnswer(
            UnknownForDelete((3, 4)),
            400,
            "Must provide valid load balancers: 3,4 could not be found.",
        )
        self.assertAnswer(
            ImmutableForDelete((5,)),
            400,
            "Must provide valid load balancers: 5 are immutable and could not be processed.",
        )

    def test_invalid_is_a_validation_failure_listing_each_problem(self) -> None:
        answer = as_http(Invalid(("one", "two")))
        self.assertEqual(answer.status, 400)
        self.assertEqual(answer.body["message"], "Validation Failure")
        self.assertEqual(answer.body["validationErrors"], {"messages": ["one", "two"]})
