# -*- test-case-name: mimic.test.test_objectstorage_failures -*-
"""
Object storage's known error conditions.

Object requests carry no metadata body, so these fire through
registrations made with the control API, matched on the tenant, the
region, the container, the object's name and the method.  What a storage
cluster does wrong is well known to anyone who has run one: proxies
answer 503 while object servers are busy, disks fill (507), an upload
that stalls is cut off (408), a corrupted write fails its checksum (422),
and, as an eventually consistent store, a listing lags behind writes and
an object just listed may not be found yet.

Each event's normal outcome is ``None`` (go on).  A refusal is raised as
Swift's error; :class:`Delay` and :class:`Lag` are outcomes the routes
apply.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from attrs import frozen

from mimic.failures import Condition, Event, Parameter
from mimic.services.objectstorage.errors import swift_error

SERVICE = "objectstorage"

CRITERIA = ("tenant_id", "region", "container", "object", "method")


@frozen
class Delay:
    """
    Answer only after ``seconds``: on Mimic's clock (held until the clock
    is ticked past it; real seconds with ``--realtime``), or in real time
    when ``real_time`` is set, for clients that poll and cannot tick.
    """

    seconds: float
    real_time: bool


@frozen
class Lag:
    """
    The listing shows the container as it was ``seconds`` ago: objects
    written since are missing and objects deleted since still appear.
    """

    seconds: float


def _refuse_with(name: str, status: int, what: str) -> Condition:
    def refuse(parameters: Mapping[str, Any]) -> NoReturn:
        raise swift_error(status)

    return Condition(name, what, effect=refuse)


def _fail(what: str) -> Condition:
    def refuse(parameters: Mapping[str, Any]) -> NoReturn:
        raise swift_error(parameters["code"], parameters["message"] or None)

    return Condition(
        "fail",
        f"Swift's proxy answers {what} with an error status and its standard page "
        "(503 while the object servers it needs are unavailable, 500 when one "
        "fails mid-request); nothing changes.",
        parameters=(
            Parameter.status(default=503),
            Parameter(
                "message",
                "Plain-text body instead of Swift's standard page for the status.",
                str,
                "",
            ),
        ),
        effect=refuse,
    )


def _slow(what: str) -> Condition:
    return Condition(
        "slow",
        f"Swift answers {what} correctly, but only after a delay, as an "
        "overloaded cluster does.",
        parameters=(
            Parameter.seconds("How long the answer is held.", 30.0),
            Parameter(
                "real_time",
                "Wait real seconds rather than seconds on Mimic's clock (which, "
                "unless Mimic runs with --realtime, pass only when it is ticked).",
                bool,
                False,
            ),
        ),
        effect=lambda p: Delay(p["seconds"], p["real_time"]),
    )


OBJECT_WRITE = Event(
    service=SERVICE,
    name="object_write",
    description=(
        "A client writes an object: PUT (an upload, a copy with X-Copy-From, a "
        "static large object's manifest), COPY, or POST of its metadata.  Swift "
        "answers 201 with the object's ETag (202 for a POST)."
    ),
    criteria=CRITERIA,
    conditions=(
        _fail("the write"),
        _refuse_with(
            "insufficient_storage",
            507,
            "The object servers have no room for the upload: Swift answers 507 "
            "Insufficient Storage and nothing is stored.",
        ),
        _refuse_with(
            "request_timeout",
            408,
            "The upload stalled and the proxy gave up waiting for the body: Swift "
            "answers 408 Request Timeout and nothing is stored.",
        ),
        _refuse_with(
            "checksum_mismatch",
            422,
            "The data arrived corrupted: its MD5 does not match the ETag, and Swift "
            "answers 422 Unprocessable Entity and stores nothing, even when the "
            "client sent no ETag of its own.",
        ),
        _slow("the write"),
    ),
)

OBJECT_READ = Event(
    service=SERVICE,
    name="object_read",
    description=(
        "A client reads an object or its metadata (GET or HEAD).  Swift answers "
        "200 with the object (206 for a range), or 304/412 for a conditional "
        "request."
    ),
    criteria=CRITERIA,
    conditions=(
        _fail("the read"),
        _refuse_with(
            "vanish",
            404,
            "Eventual consistency: the object is not found (404) although it exists "
            "and listings show it, as when a read reaches a replica the write has "
            "not reached yet.",
        ),
        _slow("the read"),
    ),
)

OBJECT_DELETE = Event(
    service=SERVICE,
    name="object_delete",
    description="A client deletes an object.  Swift answers 204.",
    criteria=CRITERIA,
    conditions=(_fail("the delete"), _slow("the delete")),
)

CONTAINER_DELETE = Event(
    service=SERVICE,
    name="container_delete",
    description=(
        "A client deletes a container.  Swift answers 204, or 409 while the "
        "container still holds objects."
    ),
    criteria=("tenant_id", "region", "container"),
    conditions=(
        _fail("the delete"),
        _refuse_with(
            "conflict",
            409,
            "Swift answers 409 Conflict as for a container that is not empty, "
            "although it is (its replicas have not all seen the last delete yet).",
        ),
    ),
)

LISTING = Event(
    service=SERVICE,
    name="listing",
    description=(
        "A client lists an account's containers or a container's objects (GET "
        "on the account or the container; 'container' is empty for the account)."
    ),
    criteria=("tenant_id", "region", "container"),
    conditions=(
        _fail("the listing"),
        Condition(
            "stale",
            "The listing lags behind writes, as Swift's container updates are "
            "asynchronous: objects written in the last 'seconds' are missing from "
            "it and objects deleted in that time still appear.  Reads of the "
            "objects themselves are not affected.",
            parameters=(
                Parameter.seconds("How far behind the listing is.", 60.0),
            ),
            effect=lambda p: Lag(p["seconds"]),
        ),
        _slow("the listing"),
    ),
)

EVENTS = (OBJECT_WRITE, OBJECT_READ, OBJECT_DELETE, CONTAINER_DELETE, LISTING)
