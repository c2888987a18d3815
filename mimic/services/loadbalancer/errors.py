# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
Cloud Load Balancers' error shape: ``{"message", "code", "details"}``, with
``validationErrors.messages`` listing each problem when a request body is
invalid.  Every error this service answers is built here, so the wording
stays in one place.
"""

from __future__ import annotations

from typing import Any, Iterable

from mimic.http import HTTPError

#: The ``details`` CLB gives with a validation failure.
NOT_VALID = "The object is not valid"


def clb_error(status: int, message: str, details: str | None = None) -> HTTPError:
    """
    An error in CLB's shape.  400s always carry ``details``, as CLB's do.
    """
    body: dict[str, Any] = {"message": message, "code": status}
    if details is None and status == 400:
        details = NOT_VALID
    if details is not None:
        body["details"] = details
    return HTTPError(status, body)


def clb_error_body(status: int, message: str) -> dict[str, Any]:
    """
    The body of :func:`clb_error`; what the core sends for 401/403/404
    answered before this service sees a request.
    """
    return clb_error(status, message).body


def validation_error(messages: Iterable[str]) -> HTTPError:
    """
    A request body that parses but breaks the API's rules.
    """
    return HTTPError(
        400,
        {
            "validationErrors": {"messages": list(messages)},
            "message": "Validation Failure",
            "code": 400,
            "details": NOT_VALID,
        },
    )


def loadbalancer_not_found() -> HTTPError:
    return clb_error(404, "Load balancer not found")


def node_not_found() -> HTTPError:
    return clb_error(404, "Node not found")


def item_not_found(what: str) -> HTTPError:
    return clb_error(404, f"{what} not found")


def marked_deleted() -> HTTPError:
    """
    A deleted balancer stays readable for a while, but its parts are gone.
    """
    return clb_error(410, "The loadbalancer is marked as deleted.")


def immutable(lb_id: int, status: str) -> HTTPError:
    """
    CLB refuses every change to a balancer that is not ACTIVE.
    """
    return clb_error(
        422,
        f"Load Balancer '{lb_id}' has a status of '{status}' and is considered immutable.",
    )


def unknown_for_delete(lb_ids: Iterable[int]) -> HTTPError:
    """
    A delete names balancers that are gone: 400 (not 404), in the wording
    of CLB's batch delete, which it uses for a single delete too.
    """
    return clb_error(
        400, f"Must provide valid load balancers: {_joined(lb_ids)} could not be found."
    )


def immutable_for_delete(lb_ids: Iterable[int]) -> HTTPError:
    """
    A batch delete names balancers that are busy (or a delete names one
    already being deleted): 400, and nothing is deleted.
    """
    return clb_error(
        400,
        f"Must provide valid load balancers: {_joined(lb_ids)} are immutable "
        "and could not be processed.",
    )


def _joined(lb_ids: Iterable[int]) -> str:
    return ",".join(str(lb_id) for lb_id in lb_ids)


def over_limit(message: str) -> HTTPError:
    """
    An absolute limit (nodes per balancer, balancers per account...) would
    be exceeded.
    """
    return clb_error(413, message)
