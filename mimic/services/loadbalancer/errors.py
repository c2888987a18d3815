# -*- test-case-name: mimic.test.test_loadbalancer_errors -*-
"""
Cloud Load Balancers' errors, in two forms.

* The model's *domain errors* (:class:`LoadBalancerError` and its kinds):
  what went wrong in CLB's terms (no such balancer, it is immutable, a
  limit would be exceeded), with no HTTP in them.
* CLB's error shape, ``{"message", "code", "details"}``, with
  ``validationErrors.messages`` listing each problem when a request body is
  invalid; :data:`DOMAIN_ERRORS` turns each domain error into it for
  :func:`mimic.http.handle_errors`.

Every error this service answers is worded here, so the wording stays in
one place.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from attrs import define

from mimic.failures import BadRegistration
from mimic.http import HTTPError

#: The ``details`` CLB gives with a validation failure.
NOT_VALID = "The object is not valid"


# --- the model's domain errors -------------------------------------------


class LoadBalancerError(Exception):
    """
    Something the real service refuses, raised by the model.
    """


@define
class LoadBalancerNotFound(LoadBalancerError):
    """
    No balancer has this id (or it was deleted so long ago that CLB forgot
    it).
    """

    lb_id: int


@define
class MarkedDeleted(LoadBalancerError):
    """
    A deleted balancer stays readable for a while, but its parts are gone.
    """

    lb_id: int


@define
class Immutable(LoadBalancerError):
    """
    CLB refuses every change to a balancer that is not ACTIVE.
    """

    lb_id: int
    status: str


@define
class NotActive(LoadBalancerError):
    """
    A batch delete of nodes asks for an ACTIVE balancer, in other words.
    """

    lb_id: int


@define
class NodeNotFound(LoadBalancerError):
    node_id: int


@define
class ItemNotFound(LoadBalancerError):
    """
    A metadata item or network item (``what`` names it) is not there.
    """

    what: str


@define
class UnknownForDelete(LoadBalancerError):
    """
    A delete names balancers that are gone.
    """

    lb_ids: tuple[int, ...]


@define
class ImmutableForDelete(LoadBalancerError):
    """
    A delete names balancers that are busy (or already being deleted).
    """

    lb_ids: tuple[int, ...]


@define
class OverLimit(LoadBalancerError):
    """
    An absolute limit (nodes per balancer, balancers per account...) would
    be exceeded; ``message`` says which.
    """

    message: str


@define
class Invalid(LoadBalancerError):
    """
    A request breaks a rule that depends on the state (a duplicate key or
    address, an unknown shared virtual IP): each broken rule in
    ``messages``.
    """

    messages: tuple[str, ...]


# --- CLB's error shape -----------------------------------------------------


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


def _joined(lb_ids: Iterable[int]) -> str:
    return ",".join(str(lb_id) for lb_id in lb_ids)


def _immutable(error: Immutable) -> HTTPError:
    return clb_error(
        422,
        f"Load Balancer '{error.lb_id}' has a status of '{error.status}' and is "
        "considered immutable.",
    )


def _unknown_for_delete(error: UnknownForDelete) -> HTTPError:
    # 400 (not 404), in the wording of CLB's batch delete, which it uses
    # for a single delete too.
    return clb_error(
        400,
        f"Must provide valid load balancers: {_joined(error.lb_ids)} could not be found.",
    )


def _immutable_for_delete(error: ImmutableForDelete) -> HTTPError:
    return clb_error(
        400,
        f"Must provide valid load balancers: {_joined(error.lb_ids)} are immutable "
        "and could not be processed.",
    )


_ANSWERS: Mapping[type[LoadBalancerError], Callable[[Any], HTTPError]] = {
    LoadBalancerNotFound: lambda error: clb_error(404, "Load balancer not found"),
    MarkedDeleted: lambda error: clb_error(410, "The loadbalancer is marked as deleted."),
    Immutable: _immutable,
    NotActive: lambda error: clb_error(422, "LoadBalancer is not ACTIVE"),
    NodeNotFound: lambda error: clb_error(404, "Node not found"),
    ItemNotFound: lambda error: clb_error(404, f"{error.what} not found"),
    UnknownForDelete: _unknown_for_delete,
    ImmutableForDelete: _immutable_for_delete,
    OverLimit: lambda error: clb_error(413, error.message),
    Invalid: lambda error: validation_error(error.messages),
}


def as_http(error: LoadBalancerError) -> HTTPError:
    """
    The answer CLB gives for a domain error.
    """
    return _ANSWERS[type(error)](error)


def bad_trigger(error: BadRegistration) -> HTTPError:
    """
    A malformed metadata trigger on a request or balancer: the client's
    400.
    """
    return clb_error(400, f"Bad failure trigger: {error}")


#: For :func:`mimic.http.handle_errors`: every domain error the model
#: raises, and a malformed metadata trigger, answered in CLB's shape.
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    LoadBalancerError: as_http,
    BadRegistration: bad_trigger,
}
