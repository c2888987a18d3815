# -*- test-case-name: mimic.test.test_loadbalancer_failures -*-
"""
Cloud Load Balancers' known error conditions.

A real balancer spends time in BUILD after creation, in PENDING_UPDATE
after every change and in PENDING_DELETE after deletion, refusing changes
(422 "considered immutable") meanwhile; sometimes it ends up in ERROR.
Mimic's balancers make those transitions instantly unless one of the
conditions below says otherwise, so that polling clients work on a clock
nobody advances, and tests that need the slow or broken path ask for it:

* with the old mimic's metadata keys on the balancer (``lb_building``,
  ``lb_pending_update``, ``lb_pending_delete``, ``lb_error_state``), given
  at creation or added later through the metadata API;
* or by registering a condition through the control API, matched on the
  balancer's name, id, metadata, tenant and region.

Each event is decided once, at the moment it happens, after the request
was found valid and before anything changes.  Every condition declares
here what it does: an outcome the routes apply to the model (below:
seconds in BUILD or PENDING_* and the status after, or a refusal as
immutable), or CLB's error, raised before anything changes.  Each event's
``normal`` outcome is what CLB does when nothing goes wrong, which Mimic
does at once.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, NoReturn, TypeVar

from attrs import frozen

from mimic.failures import Condition, Event, MetadataTrigger, Parameter, no_parameters
from mimic.services.loadbalancer.errors import clb_error
from mimic.services.loadbalancer.model import (
    ACTIVE,
    ERROR,
    LoadBalancer,
    SERVICE,
    RegionLoadBalancers,
)


T = TypeVar("T")


# --- outcomes ----------------------------------------------------------------


@frozen
class Provisioning:
    """
    A create is accepted: the balancer is in BUILD for ``seconds``, then
    ``then`` (ACTIVE, or ERROR when provisioning fails).
    """

    seconds: float = 0.0
    then: str = ACTIVE


@frozen
class Pending:
    """
    A change is accepted: it is made, and the balancer is PENDING_UPDATE
    for ``seconds``, then ``then`` (ACTIVE, or ERROR when applying it
    fails).
    """

    seconds: float = 0.0
    then: str = ACTIVE

    def apply(
        self, state: RegionLoadBalancers, balancer: LoadBalancer, make: Callable[[LoadBalancer], T]
    ) -> T:
        return state.change(balancer, self.seconds, self.then, make)


@frozen
class Admitted:
    """
    Nodes may be added: whether the change is accepted, and what it then
    does, is the update event's to decide.
    """

    def apply(
        self, state: RegionLoadBalancers, balancer: LoadBalancer, make: Callable[[LoadBalancer], T]
    ) -> T:
        return make(balancer)


@frozen
class Refused:
    """
    The change is refused as immutable, as when another client's change is
    still being applied, the balancer showing PENDING_UPDATE for
    ``seconds`` (none: the refusal only).  Nothing else changes.
    """

    seconds: float = 0.0

    def apply(
        self, state: RegionLoadBalancers, balancer: LoadBalancer, make: Callable[[LoadBalancer], T]
    ) -> NoReturn:
        state.refuse_change(balancer, self.seconds)


@frozen
class Deleting:
    """
    A delete is accepted: PENDING_DELETE for ``seconds``, then DELETED.
    """

    seconds: float = 0.0


#: What every change (an update or a node add) comes to.
ChangeOutcome = Pending | Admitted | Refused


# --- effects -----------------------------------------------------------------


def _answer_with_error(parameters: Mapping[str, Any]) -> NoReturn:
    """
    ``fail``: the request is answered with CLB's error, nothing changes.
    """
    raise clb_error(parameters["code"], parameters["message"])


def _building(parameters: Mapping[str, Any]) -> Provisioning:
    return Provisioning(parameters["seconds"], ACTIVE)


def _build_fails(parameters: Mapping[str, Any]) -> Provisioning:
    return Provisioning(parameters["seconds"], ERROR)


def _pending_update(parameters: Mapping[str, Any]) -> Pending:
    return Pending(parameters["seconds"], ACTIVE)


def _update_fails(parameters: Mapping[str, Any]) -> Pending:
    return Pending(parameters["seconds"], ERROR)


def _immutable(parameters: Mapping[str, Any]) -> Refused:
    return Refused(parameters["seconds"])


def _pending_delete(parameters: Mapping[str, Any]) -> Deleting:
    return Deleting(parameters["seconds"])

#: What ``change`` is for each kind of change, as matched by a registration's
#: ``change`` criterion.
CHANGES = (
    "loadbalancer",
    "nodes.add",
    "node.update",
    "nodes.delete",
    "healthmonitor",
    "connectionthrottle",
    "sessionpersistence",
    "connectionlogging",
    "contentcaching",
    "accesslist",
    "errorpage",
)


def _seconds_or_default(value: str) -> Mapping[str, Any]:
    """
    ``lb_building: "30"`` means 30 seconds (so does ``30``, kept as
    ``"30"``: see :data:`OLD_METADATA_KEYS`); an empty value means the
    condition's default, as the old mimic treated it.
    """
    return {"seconds": value} if value.strip() else {}


def _seconds(description: str, default: float) -> Parameter:
    return Parameter.seconds(description, default)


def _fail(what: str) -> Condition:
    return Condition(
        "fail",
        f"The {what} request is answered with an error in CLB's shape and nothing "
        "changes: 500 or 503 during an outage, 413 when the account is rate limited.",
        parameters=(
            Parameter.status(),
            Parameter(
                "message",
                "The message in the error body.",
                str,
                "The server encountered an unexpected condition which prevented it "
                "from fulfilling the request.",
            ),
        ),
        effect=_answer_with_error,
    )


CRITERIA = ("loadbalancer_name", "loadbalancer_id", "metadata", "tenant_id", "region")

CREATE = Event(
    service=SERVICE,
    name="loadbalancer.create",
    aliases=("creation",),
    description=(
        "A client creates a load balancer (POST /loadbalancers).  CLB answers 202 "
        "with the balancer in BUILD; it becomes ACTIVE once provisioned."
    ),
    criteria=("loadbalancer_name", "metadata", "tenant_id", "region"),
    conditions=(
        Condition(
            "building",
            "The balancer stays in BUILD for the given seconds before it becomes "
            "ACTIVE; until then every change to it is refused with 422.",
            parameters=(_seconds("Seconds in BUILD.", 10),),
            metadata=MetadataTrigger(
                "lb_building",
                "seconds in BUILD (empty for 10), e.g. \"30\" or 30",
                _seconds_or_default,
            ),
            effect=_building,
        ),
        Condition(
            "error",
            "Provisioning fails: after the given seconds in BUILD the balancer goes "
            "to ERROR instead of ACTIVE.  It can then only be deleted.",
            parameters=(_seconds("Seconds in BUILD before ERROR.", 0),),
            effect=_build_fails,
        ),
        _fail("create"),
    ),
    normal=Provisioning(),
)

UPDATE = Event(
    service=SERVICE,
    name="loadbalancer.update",
    description=(
        "A client changes a load balancer: its attributes (PUT /loadbalancers/{id}), "
        "its nodes (add, update, delete) or a setting (health monitor, connection "
        "throttle, session persistence, connection logging, content caching, access "
        "list, error page).  CLB accepts the change with 202 and the balancer is "
        "PENDING_UPDATE until it is applied.  The ``change`` criterion names the kind "
        "of change: " + ", ".join(CHANGES) + "."
    ),
    criteria=CRITERIA + ("change",),
    conditions=(
        Condition(
            "error",
            "The change is accepted (202) but applying it fails: after the given "
            "seconds in PENDING_UPDATE the balancer goes to ERROR, where it refuses "
            "every further change and can only be deleted.",
            parameters=(_seconds("Seconds in PENDING_UPDATE before ERROR.", 0),),
            metadata=MetadataTrigger(
                "lb_error_state",
                "any string or number: the next change sends the balancer to ERROR",
                no_parameters,
            ),
            effect=_update_fails,
        ),
        Condition(
            "pending_update",
            "The change is accepted (202) and the balancer stays in PENDING_UPDATE "
            "for the given seconds, refusing other changes with 422 meanwhile.",
            parameters=(_seconds("Seconds in PENDING_UPDATE after the change.", 10),),
            metadata=MetadataTrigger(
                "lb_pending_update",
                "seconds in PENDING_UPDATE after each change, e.g. \"30\" or 30",
                _seconds_or_default,
            ),
            effect=_pending_update,
        ),
        Condition(
            "immutable",
            "The change is refused with 422 \"considered immutable\", as when another "
            "client's change is still being applied: the balancer shows "
            "PENDING_UPDATE for the given seconds (0: the refusal only).",
            parameters=(_seconds("Seconds the balancer then shows PENDING_UPDATE.", 0),),
            effect=_immutable,
        ),
    ),
    normal=Pending(),
)

NODE_ADD = Event(
    service=SERVICE,
    name="node.add",
    description=(
        "A client adds nodes to a load balancer (POST /loadbalancers/{id}/nodes).  "
        "Autoscalers add nodes while other changes are in flight, so CLB often "
        "answers 422 and the client must retry.  Consulted before "
        "loadbalancer.update, whose conditions then decide what the accepted "
        "change does."
    ),
    criteria=CRITERIA,
    conditions=(
        Condition(
            "immutable",
            "The nodes are not added: 422 \"Load Balancer '<id>' has a status of "
            "'PENDING_UPDATE' and is considered immutable.\", the balancer showing "
            "PENDING_UPDATE for the given seconds (0: the refusal only).",
            parameters=(_seconds("Seconds the balancer then shows PENDING_UPDATE.", 0),),
            effect=_immutable,
        ),
        _fail("add nodes"),
    ),
    normal=Admitted(),
)

DELETE = Event(
    service=SERVICE,
    name="loadbalancer.delete",
    description=(
        "A client deletes a load balancer (DELETE /loadbalancers/{id}, or several "
        "at once with ?id=...).  CLB answers 202; the balancer is PENDING_DELETE, "
        "then DELETED, and stays readable as DELETED for 90 days."
    ),
    criteria=CRITERIA,
    conditions=(
        Condition(
            "pending_delete",
            "The balancer stays in PENDING_DELETE for the given seconds before it "
            "is DELETED; deleting it again meanwhile is refused with 400.",
            parameters=(_seconds("Seconds in PENDING_DELETE.", 10),),
            metadata=MetadataTrigger(
                "lb_pending_delete",
                "seconds in PENDING_DELETE after a delete, e.g. \"30\" or 30",
                _seconds_or_default,
            ),
            effect=_pending_delete,
        ),
        _fail("delete"),
    ),
    normal=Deleting(),
)

EVENTS = (CREATE, UPDATE, NODE_ADD, DELETE)

#: The old mimic's metadata keys on a balancer (``lb_building`` ...), from
#: the declarations above.  The old mimic took their values as numbers as
#: well as strings (``{"key": "lb_building", "value": 20}``), and suites
#: written for it still send numbers; CLB itself takes strings only, so
#: validation makes these keys, and only these, the exception.
OLD_METADATA_KEYS = frozenset(
    condition.metadata.key
    for event in EVENTS
    for condition in event.conditions
    if condition.metadata is not None
)
