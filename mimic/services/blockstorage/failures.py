# -*- test-case-name: mimic.test.test_blockstorage_failures -*-
"""
Block storage's known error conditions, each declared once with what it
does.

A condition fires in one of two ways: through metadata on the volume
create request (a volume keeps its metadata, so the conditions of its
later events, an extend or a delete, can be armed when it is made), or
through a registration with the control API, matched on the volume's
name, size, type, the server it is attached to, its metadata, the tenant
and the region.

A condition's ``effect`` either refuses the request at once (Cinder's
error, raised before anything changes) or gives an *outcome*, one of the
small classes below, which the model applies: how a new volume ends up,
how an extend, a delete, an attach or a backup goes.  Each event's
``normal`` outcome is what Cinder does when nothing goes wrong.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn, Union

from attrs import frozen

from mimic.failures import (
    Condition,
    Event,
    MetadataTrigger,
    Parameter,
    json_object_value,
    no_parameters,
)
from mimic.services.blockstorage.errors import UNEXPECTED, cinder_error

SERVICE = "blockstorage"

#: The fault Cinder records when its scheduler finds no backend for a volume.
NO_VALID_BACKEND = "No valid backend was found. No weighed backends available"

#: What a volume that failed on its backend shows.
BACKEND_FAILURE = "The volume driver failed to complete the operation."


def _optional_object(value: str) -> Mapping[str, Any]:
    if not value.strip():
        return {}
    return json_object_value(value)


def _seconds_or_object(value: str) -> Mapping[str, Any]:
    stripped = value.strip()
    if stripped.startswith("{"):
        return json_object_value(stripped)
    return {"seconds": stripped}


# What conditions do: outcomes the model applies.


@frozen
class Normally:
    """
    Cinder does what was asked, taking the time the settings give.
    """


@frozen
class EndsInError:
    """
    The work is accepted (202) and the resource ends in its error status
    (``error``, ``error_extending``, ``error_deleting``) with ``reason``.
    """

    reason: str


@frozen
class Lingers:
    """
    The resource stays in its transitional status (``creating``,
    ``attaching``) for ``seconds`` on Mimic's clock before it goes on.
    """

    seconds: float


@frozen
class OverQuota:
    """
    The create is refused with Cinder's 413, as though the project had used
    its gigabytes (the model words it: it knows the numbers).
    """


NORMALLY = Normally()
OVER_QUOTA = OverQuota()

#: How a create, extend, delete, attach or backup goes.
Outcome = Union[Normally, EndsInError, Lingers, OverQuota]


def _refuse(parameters: Mapping[str, Any]) -> NoReturn:
    raise cinder_error(parameters["code"], parameters["message"])


def _fail(what: str, trigger: str | None) -> Condition:
    return Condition(
        "fail",
        f"Cinder's API refuses {what} with an error status in its own shape "
        "(500 while its database is unreachable, 503 while the volume service "
        "is down); nothing changes.",
        parameters=(
            Parameter.status(),
            Parameter("message", "The message in Cinder's error body.", str, UNEXPECTED),
        ),
        metadata=(
            None
            if trigger is None
            else MetadataTrigger(
                trigger, 'empty, or JSON object {"message": <text>, "code": <status>}', _optional_object
            )
        ),
        effect=_refuse,
    )


def _error(status: str, what: str, trigger: str, reason: str = BACKEND_FAILURE) -> Condition:
    return Condition(
        "error",
        f"{what} is accepted (202) but the volume goes to '{status}' instead of "
        "completing, as when the volume driver fails on the backend.",
        parameters=(Parameter("reason", "Why, as Cinder's user messages say it.", str, reason),),
        metadata=MetadataTrigger(trigger, "any value (its presence fires the condition)", no_parameters),
        effect=lambda p: EndsInError(p["reason"]),
    )


VOLUME_CRITERIA = ("volume_id", "volume_name", "size", "volume_type", "metadata", "tenant_id", "region")

VOLUME_CREATE = Event(
    service=SERVICE,
    name="volume.create",
    description=(
        "A client creates a volume (POST /volumes, or compute's boot from volume). "
        "Cinder answers 202 and the volume is 'creating' until the backend has made "
        "it, then 'available' (blockstorage.create_seconds)."
    ),
    criteria=VOLUME_CRITERIA,
    normal=NORMALLY,
    conditions=(
        _fail("the create", "volume_create_failure"),
        _error("error", "The create", "volume_create_error"),
        Condition(
            "no-valid-backend",
            "The create is accepted but the scheduler finds no backend with room "
            "for the volume: it goes to 'error' with Cinder's 'No valid backend' "
            "reason.",
            metadata=MetadataTrigger(
                "volume_no_valid_backend", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: EndsInError(NO_VALID_BACKEND),
        ),
        Condition(
            "creating",
            "The volume stays 'creating' for the given seconds on Mimic's clock (by "
            "default until the clock is next ticked by a second), as on a slow "
            "backend, then becomes 'available'.",
            parameters=(Parameter.seconds("Seconds the volume stays creating.", 1.0),),
            metadata=MetadataTrigger(
                "volume_creating", 'seconds creating, e.g. "30"', _seconds_or_object
            ),
            effect=lambda p: Lingers(p["seconds"]),
        ),
        Condition(
            "over-quota",
            "The create is refused with 413 overLimit and Cinder's gigabytes quota "
            "message, as when the project has used its quota.",
            metadata=MetadataTrigger(
                "volume_over_quota", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: OVER_QUOTA,
        ),
    ),
)

VOLUME_EXTEND = Event(
    service=SERVICE,
    name="volume.extend",
    description=(
        "A client extends a volume (os-extend).  Cinder answers 202 and the volume "
        "is 'extending', then 'available' at its new size."
    ),
    criteria=VOLUME_CRITERIA,
    normal=NORMALLY,
    conditions=(
        _fail("the extend", None),
        _error("error_extending", "The extend", "volume_extend_error"),
    ),
)

VOLUME_DELETE = Event(
    service=SERVICE,
    name="volume.delete",
    description=(
        "A client deletes a volume.  Cinder answers 202 and the volume is "
        "'deleting' until it is gone."
    ),
    criteria=VOLUME_CRITERIA,
    normal=NORMALLY,
    conditions=(
        _fail("the delete", None),
        _error("error_deleting", "The delete", "volume_delete_error"),
    ),
)

VOLUME_ATTACH = Event(
    service=SERVICE,
    name="volume.attach",
    description=(
        "A volume is attached to a server (compute's os-volume_attachments, Cinder's "
        "os-attach or the attachments API).  The volume is 'attaching', then "
        "'in-use' with an attachment naming the server."
    ),
    criteria=VOLUME_CRITERIA + ("server_id",),
    normal=NORMALLY,
    conditions=(
        _fail("the attach", None),
        Condition(
            "attaching",
            "The volume stays 'attaching' for the given seconds on Mimic's clock (by "
            "default until the clock is next ticked by a second), then is 'in-use'.",
            parameters=(Parameter.seconds("Seconds the volume stays attaching.", 1.0),),
            metadata=MetadataTrigger(
                "volume_attaching", 'seconds attaching, e.g. "30"', _seconds_or_object
            ),
            effect=lambda p: Lingers(p["seconds"]),
        ),
    ),
)

BACKUP_CREATE = Event(
    service=SERVICE,
    name="backup.create",
    description=(
        "A client backs a volume up (POST /backups).  Cinder answers 202; the "
        "volume is 'backing-up' and the backup 'creating' until it is 'available'."
    ),
    criteria=VOLUME_CRITERIA + ("backup_name",),
    normal=NORMALLY,
    conditions=(
        _fail("the backup", None),
        Condition(
            "error",
            "The backup is accepted but ends in 'error' (the backup driver failed); "
            "the volume returns to its status before the backup.",
            parameters=(Parameter("reason", "The backup's fail_reason.", str, "Backup driver failed."),),
            metadata=MetadataTrigger(
                "volume_backup_error", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: EndsInError(p["reason"]),
        ),
    ),
)

EVENTS = (VOLUME_CREATE, VOLUME_EXTEND, VOLUME_DELETE, VOLUME_ATTACH, BACKUP_CREATE)
