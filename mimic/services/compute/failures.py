# -*- test-case-name: mimic.test.test_compute_failures -*-
"""
Compute's known error conditions, each declared once with what it does.

A condition is fired in one of two ways: by metadata on the server-create
request (the old mimic's keys, kept so existing test suites keep
working), or by a registration through the control API.  The server
stores its creation metadata, so conditions of later events (delete,
actions) can also be armed at creation time.

What a condition does is its ``effect``: it either refuses the request
at once (raising Nova's error before anything changes) or gives an
*outcome*, one of the small classes below, which the model applies (how
a new server starts, how a delete goes, how an action ends).  Each event's
``normal`` outcome is what Nova does when nothing goes wrong.  A route asks
:meth:`mimic.failures.FailureEngine.decide` once and hands the outcome on;
only this module knows the conditions by name.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn, Union

from attrs import frozen

from mimic.failures import (
    BadRegistration,
    Condition,
    Event,
    MetadataTrigger,
    Parameter,
    json_object_value,
    no_parameters,
)
from mimic.http import HTTPError
from mimic.services.compute.errors import nova_error

SERVICE = "compute"

DEFAULT_FAULT = "An unknown error has occurred. Please try your request again."

_CREATE_FAULT = (
    "No valid host was found. There are not enough hosts available."
)


def optional_json_object(value: str) -> Mapping[str, Any]:
    """
    A metadata value that may be empty (use the defaults) or a JSON object
    of parameters.
    """
    if not value.strip():
        return {}
    return json_object_value(value)


def _seconds_or_object(value: str) -> Mapping[str, Any]:
    """
    A metadata value giving seconds, either bare (``"30"``) or as a JSON
    object ``{"seconds": 30}``.
    """
    stripped = value.strip()
    if stripped.startswith("{"):
        return json_object_value(stripped)
    return {"seconds": stripped}


def _old_create_failure(value: str) -> Mapping[str, Any]:
    """
    The old mimic's ``create_server_failure``: ``{"message", "code"}``.
    """
    parsed = dict(json_object_value(value))
    unknown = set(parsed) - {"message", "code"}
    if unknown:
        raise BadRegistration(
            f"create_server_failure takes 'message' and 'code', not {sorted(unknown)}"
        )
    return parsed


def _old_delete_failure(value: str) -> Mapping[str, Any]:
    """
    The old mimic's ``delete_server_failure``: ``{"code", "times"}``.
    """
    parsed = dict(json_object_value(value))
    unknown = set(parsed) - {"message", "code", "times"}
    if unknown:
        raise BadRegistration(
            f"delete_server_failure takes 'code', 'times' and 'message', not {sorted(unknown)}"
        )
    return parsed


# What conditions do: outcomes the model applies.


@frozen
class ActiveNow:
    """
    A new server is ACTIVE at once: Nova's normal outcome of a create.
    """


@frozen
class BuildFor:
    """
    A new server stays in BUILD (vm_state building, task_state spawning)
    for ``seconds``, then becomes ACTIVE.
    """

    seconds: float


@frozen
class ErrorNow:
    """
    A new server goes to ERROR at once, with ``message`` as its fault.
    """

    message: str


@frozen
class ActiveThenError:
    """
    A new server is ACTIVE at once, and goes to ERROR with ``message`` as
    its fault ``seconds`` later.
    """

    seconds: float
    message: str


@frozen
class OverQuota:
    """
    A create is refused with Nova's quota 403, as though the tenant had
    used all its instances (the model words it: it knows how many).
    """


@frozen
class FalseNegative:
    """
    Nova does what was asked, as it normally would (the servers are made
    ACTIVE, the server is deleted), then answers ``error``.
    """

    error: HTTPError


#: How a create goes.
CreateOutcome = Union[ActiveNow, BuildFor, ErrorNow, ActiveThenError, OverQuota, FalseNegative]


@frozen
class DeleteNow:
    """
    The server is gone at once: Nova's normal outcome of a delete.
    """


@frozen
class FailDeletes:
    """
    The first ``times`` deletes of each server fail with ``code`` and
    ``message`` (every delete, when ``times`` is None); a later one
    deletes it.
    """

    times: int | None
    code: int
    message: str


@frozen
class DeletingFor:
    """
    The delete is accepted, but the server stays visible with task_state
    'deleting' for ``seconds`` before it is gone.
    """

    seconds: float


#: How a delete goes.
DeleteOutcome = Union[DeleteNow, FailDeletes, DeletingFor, FalseNegative]


@frozen
class ActionFinish:
    """
    How a server action's task ends: as the action says (Nova's normal
    outcome) or, when ``fault`` is given, in ERROR with that fault.
    """

    fault: str | None = None


@frozen
class AttachNormally:
    """
    The volume is attached: Nova's normal outcome of an attach.
    """


@frozen
class AttachFails:
    """
    Nova accepts the attach, then the compute host fails it: the volume
    is ``available`` again and the server's ``attach_volume`` instance
    action records ``message`` as its fault.
    """

    message: str


#: How an attach goes.
AttachOutcome = Union[AttachNormally, AttachFails]

ACTIVE_NOW = ActiveNow()
ATTACH_NORMALLY = AttachNormally()
OVER_QUOTA = OverQuota()
DELETE_NOW = DeleteNow()
FINISH_AS_ASKED = ActionFinish()


def _refuse(parameters: Mapping[str, Any]) -> NoReturn:
    """
    Refuse the request with the condition's status and message, before
    anything changes.
    """
    raise nova_error(parameters["code"], parameters["message"])


def _false_negative(parameters: Mapping[str, Any]) -> FalseNegative:
    return FalseNegative(nova_error(parameters["code"], parameters["message"]))


_CODE = Parameter.status()


def _message(default: str) -> Parameter:
    return Parameter("message", "The message in Nova's error body.", str, default)


SERVER_CREATE = Event(
    service=SERVICE,
    name="server.create",
    aliases=("creation",),
    description=(
        "A client asks Nova to boot a server (POST /servers).  Nova accepts the "
        "request with 202 and the server starts in BUILD; it becomes ACTIVE when "
        "the hypervisor has spawned it, or ERROR if scheduling or spawning fails."
    ),
    criteria=("server_name", "metadata", "tenant_id", "region", "image_ref", "flavor_ref"),
    normal=ACTIVE_NOW,
    conditions=(
        Condition(
            "fail",
            "The create request itself is refused with an error status and Nova's "
            "error body; no server is created (as when Nova's API or its database "
            "is down, or a request is throttled).",
            parameters=(_CODE, _message(DEFAULT_FAULT)),
            metadata=MetadataTrigger(
                "create_server_failure",
                'JSON object {"message": <text>, "code": <status>}',
                _old_create_failure,
            ),
            effect=_refuse,
        ),
        Condition(
            "build",
            "The server is accepted but stays in BUILD (vm_state building, "
            "task_state spawning) for the given seconds before it becomes ACTIVE, "
            "as a slow hypervisor does.",
            parameters=(
                Parameter.seconds("Seconds the server stays in BUILD."),
            ),
            metadata=MetadataTrigger(
                "server_building", "seconds in BUILD, e.g. \"30\"", _seconds_or_object
            ),
            effect=lambda p: BuildFor(p["seconds"]),
        ),
        Condition(
            "error",
            "The server is accepted (202) but goes to ERROR (vm_state error) "
            "instead of ACTIVE, with a fault, as when no valid host is found.",
            parameters=(_message(_CREATE_FAULT),),
            metadata=MetadataTrigger(
                "server_error", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: ErrorNow(p["message"]),
        ),
        Condition(
            "active-then-error",
            "The server builds and becomes ACTIVE, then after the given seconds "
            "goes to ERROR with a fault, as when its hypervisor fails.",
            parameters=(
                Parameter.seconds("Seconds the server stays ACTIVE before ERROR."),
                _message("The server has encountered an error on its host."),
            ),
            metadata=MetadataTrigger(
                "server_error_after", "seconds ACTIVE before ERROR, e.g. \"60\"", _seconds_or_object
            ),
            effect=lambda p: ActiveThenError(p["seconds"], p["message"]),
        ),
        Condition(
            "false-negative",
            "Nova creates the server but answers the request with an error, as "
            "when a proxy times out after the API accepted the request.  The "
            "server appears in listings.",
            parameters=(_CODE, _message(DEFAULT_FAULT)),
            metadata=MetadataTrigger(
                "create_server_false_negative",
                'empty, or JSON object {"message": <text>, "code": <status>}',
                optional_json_object,
            ),
            effect=_false_negative,
        ),
        Condition(
            "over-quota",
            "The request is refused with 403 and Nova's quota message, as when "
            "the tenant has used all its instances, cores or RAM.",
            metadata=MetadataTrigger(
                "server_over_quota", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: OVER_QUOTA,
        ),
    ),
)

SERVER_DELETE = Event(
    service=SERVICE,
    name="server.delete",
    aliases=("deletion",),
    description=(
        "A client deletes a server (DELETE /servers/{id}).  Nova answers 204 and "
        "the server disappears once the hypervisor has destroyed it."
    ),
    criteria=("server_id", "server_name", "metadata", "tenant_id", "region"),
    normal=DELETE_NOW,
    conditions=(
        Condition(
            "fail",
            "The delete is refused with an error status; the server stays.  With "
            "'times', only the first that many deletes of each server fail "
            "(the old mimic's delete_server_failure).",
            parameters=(
                _CODE,
                _message(DEFAULT_FAULT),
                Parameter.count(
                    "times",
                    "How many deletes of each server fail before one succeeds; "
                    "unset means every delete while the condition applies.",
                    None,
                ),
            ),
            metadata=MetadataTrigger(
                "delete_server_failure",
                'JSON object {"code": <status>, "times": <count>}',
                _old_delete_failure,
            ),
            effect=lambda p: FailDeletes(p["times"], p["code"], p["message"]),
        ),
        Condition(
            "deleting",
            "The delete is accepted (204) but the server stays visible with "
            "task_state 'deleting' for the given seconds before it is gone.",
            parameters=(
                Parameter.seconds("Seconds the server lingers."),
            ),
            metadata=MetadataTrigger(
                "server_deleting", "seconds before the server is gone, e.g. \"30\"", _seconds_or_object
            ),
            effect=lambda p: DeletingFor(p["seconds"]),
        ),
        Condition(
            "false-negative",
            "Nova deletes the server but answers the request with an error.",
            parameters=(_CODE, _message(DEFAULT_FAULT)),
            metadata=MetadataTrigger(
                "delete_server_false_negative",
                'empty, or JSON object {"message": <text>, "code": <status>}',
                optional_json_object,
            ),
            effect=_false_negative,
        ),
    ),
)

SERVER_ACTION = Event(
    service=SERVICE,
    name="server.action",
    aliases=("action",),
    description=(
        "A client runs a server action (POST /servers/{id}/action: reboot, "
        "resize, rebuild, os-stop, ...).  Nova accepts it and the server "
        "passes through a task state back to a stable one."
    ),
    criteria=("action", "server_id", "server_name", "metadata", "tenant_id", "region"),
    normal=FINISH_AS_ASKED,
    conditions=(
        Condition(
            "fail",
            "The action is refused with an error status; the server is unchanged.",
            parameters=(_CODE, _message(DEFAULT_FAULT)),
            metadata=MetadataTrigger(
                "server_action_failure",
                'JSON object {"message": <text>, "code": <status>}',
                optional_json_object,
            ),
            effect=_refuse,
        ),
        Condition(
            "error",
            "The action is accepted but the server ends in ERROR instead of "
            "completing it, as when a reboot or resize fails on the hypervisor; "
            "its instance action (os-instance-actions) ends in Error with the "
            "message as its event's details.",
            parameters=(_message("The action failed on the server's host."),),
            metadata=MetadataTrigger(
                "server_action_error", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: ActionFinish(fault=p["message"]),
        ),
    ),
)

VOLUME_ATTACH = Event(
    service=SERVICE,
    name="server.attach_volume",
    aliases=("attach_volume",),
    description=(
        "A client attaches a Block Storage volume to a server (POST "
        "/servers/{id}/os-volume_attachments).  Nova reserves the volume in "
        "Cinder, answers with the attachment, and the compute host attaches it: "
        "the volume becomes in-use and the server lists it."
    ),
    criteria=("server_id", "server_name", "volume_id", "metadata", "tenant_id", "region"),
    normal=ATTACH_NORMALLY,
    conditions=(
        Condition(
            "fail",
            "Nova accepts the attach (200, with the attachment) but the compute host "
            "fails it: the volume goes back to available, the server does not list "
            "it, and the server's attach_volume instance action (os-instance-actions) "
            "ends in Error with the message as its event's details.",
            parameters=(_message("Failed to attach the volume on the compute host."),),
            metadata=MetadataTrigger(
                "volume_attach_failure", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: AttachFails(p["message"]),
        ),
    ),
)

EVENTS = (SERVER_CREATE, SERVER_DELETE, SERVER_ACTION, VOLUME_ATTACH)

