# -*- test-case-name: mimic.test.test_pending -*-
"""
Mimic's clock as the control plane shows and moves it: the time, what is
due to happen (``GET /mimic/v1.1/clock``), and ticks by an amount, to the
next pending change or until none is left (``POST /mimic/v1.1/tick``).

The pending events come from the core (:meth:`MimicCore.pending_events`),
which asks each service; this module only orders, trims and describes
them, and decides how far a tick goes.
"""

from __future__ import annotations

import heapq
import math
from datetime import datetime, timezone
from typing import Any, Iterable

from attrs import frozen
from twisted.internet.task import Clock

from mimic.control.errors import control_error
from mimic.core import MimicCore, advance_clock
from mimic.pending import PendingEvent
from mimic.timestamps import iso_microseconds

#: The latest time Mimic's clock may be moved to: far enough to expire
#: anything, early enough that every time derived from it (a token's
#: expiry a day later, say) can still be written as a date.
LATEST_TIME = datetime(9000, 1, 1, tzinfo=timezone.utc).timestamp()

REALTIME_TICK = (
    "Mimic was started with --realtime: its clock is the real one and "
    "cannot be advanced.  Restart it without --realtime to control time."
)

#: How many pending (and happened) events an answer lists unless
#: ``limit`` says otherwise; ``pending_count`` gives them all.
DEFAULT_LIMIT = 100

#: The most ``limit`` may ask for.
MAX_LIMIT = 10_000

#: ``until idle`` looks again for what is pending at most this many
#: times, and moves the clock at most this far; past either it stops
#: and answers ``"idle": false`` with what is still pending.
IDLE_ROUNDS = 10_000
IDLE_HORIZON = 30 * 24 * 60 * 60.0

UNTIL = ("next", "idle")


@frozen
class TickRequest:
    """
    A validated tick body: by ``amount`` seconds, or ``until`` one of
    :data:`UNTIL`.
    """

    amount: float | None = None
    until: str | None = None


def parse_tick(body: Any) -> TickRequest:
    """
    ``{"amount": s}``, ``{"until": "next"}`` or ``{"until": "idle"}``,
    or the control API's 400 naming what is wrong.
    """
    if not isinstance(body, dict):
        raise control_error(400, "The body must be a JSON object.")
    unknown = sorted(set(body) - {"amount", "until"})
    if unknown:
        raise control_error(
            400, f"Unknown field(s) {', '.join(map(repr, unknown))}; tick takes 'amount' or 'until'."
        )
    if "amount" in body and "until" in body:
        raise control_error(400, "Give 'amount' or 'until', not both.")
    if "until" in body:
        until = body["until"]
        if until not in UNTIL:
            raise control_error(400, f"'until' must be one of {', '.join(map(repr, UNTIL))}; got {until!r:.100}.")
        return TickRequest(until=until)
    amount = body.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not amount >= 0:
        raise control_error(
            400, "'amount' must be a non-negative number of seconds (or give 'until': 'next' or 'idle')."
        )
    return TickRequest(amount=amount)


def parse_limit(raw: str | None) -> int:
    """
    The ``limit`` query argument: how many events an answer lists.
    """
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_LIMIT:
        raise control_error(400, f"'limit' must be a whole number from 0 to {MAX_LIMIT}; got {raw!r:.100}.")
    return int(raw)


def event_json(event: PendingEvent, now: float) -> dict[str, Any]:
    return {
        "at": iso_microseconds(event.at),
        "seconds": event.at,
        "in": round(event.at - now, 6),
        "service": event.service,
        "tenant_id": event.tenant_id,
        "region": event.region,
        "resource": event.resource,
        "id": event.id,
        "name": event.name,
        "event": event.event,
        "kind": event.kind,
    }


def earliest(events: Iterable[PendingEvent], limit: int) -> list[PendingEvent]:
    """
    The first ``limit`` events in time order, without sorting them all.
    """
    return heapq.nsmallest(limit, events, key=PendingEvent.sort_key)


def clock_json(core: MimicCore) -> dict[str, Any]:
    now = core.clock.seconds()
    return {"now": iso_microseconds(now), "seconds": now, "realtime": not core.advanceable}


def listed(key: str, events: list[PendingEvent], now: float, limit: int) -> dict[str, Any]:
    """
    ``{key: [E...], key_count: n}``: the first ``limit`` of ``events``.
    """
    return {
        key: [event_json(e, now) for e in earliest(events, limit)],
        f"{key}_count": len(events),
    }


def describe(core: MimicCore, tenant_id: str | None, limit: int) -> dict[str, Any]:
    """
    ``GET /mimic/v1.1/clock``: the time and what is pending.
    """
    now = core.clock.seconds()
    return {**clock_json(core), **listed("pending", core.pending_events(now, tenant_id), now, limit)}


def advance_to(clock: Clock, target: float) -> None:
    """
    Move the clock to ``target`` exactly or just past it, never short of
    it: ``now + (target - now)`` can fall one unit of precision short, and
    a change due at ``target`` would then not have happened.
    """
    advance_clock(clock, max(0.0, target - clock.seconds()))
    while clock.seconds() < target:
        clock.advance(math.nextafter(clock.seconds(), math.inf) - clock.seconds())


def _next_transition(events: Iterable[PendingEvent]) -> float | None:
    return min((e.at for e in events if e.waited_for), default=None)


def tick(core: MimicCore, request: TickRequest, tenant_id: str | None, limit: int) -> dict[str, Any]:
    """
    ``POST /mimic/v1.1/tick``: move the clock as asked; what happened on
    the way (the pending events it passed, as listed before the tick)
    and what is pending after.
    """
    clock = core.clock
    if not isinstance(clock, Clock):
        raise control_error(400, REALTIME_TICK)
    start = clock.seconds()
    if request.amount is not None and start + request.amount > LATEST_TIME:
        raise control_error(
            400,
            f"'amount' {request.amount!r} would move the clock past the year 9000; "
            "Mimic cannot show times that late.",
        )
    happened: list[PendingEvent] = []
    before = core.pending_events(start, tenant_id)
    idle = True
    if request.amount is not None:
        advance_clock(clock, request.amount)
        happened = [e for e in before if e.at <= clock.seconds()]
        after = core.pending_events(clock.seconds(), tenant_id)
    elif request.until == "next":
        after, happened = _until_next(core, clock, before, tenant_id)
    else:
        after, happened, idle = _until_idle(core, clock, before, tenant_id)
    now = clock.seconds()
    # Rounded as times are shown: to the microsecond, not the float's
    # noise (a clock at 1.7e9 seconds moves in steps of 2.4e-7).
    advanced = request.amount if request.amount is not None else round(now - start, 6)
    answer: dict[str, Any] = {"advanced": advanced, **clock_json(core)}
    answer["idle"] = idle and _next_transition(after) is None
    answer.update(listed("happened", happened, now, limit))
    answer.update(listed("pending", after, now, limit))
    return answer


def _until_next(
    core: MimicCore, clock: Clock, before: list[PendingEvent], tenant_id: str | None
) -> tuple[list[PendingEvent], list[PendingEvent]]:
    target = _next_transition(before)
    if target is None or target > LATEST_TIME:
        return before, []
    advance_to(clock, target)
    now = clock.seconds()
    return core.pending_events(now, tenant_id), [e for e in before if e.at <= now]


def _until_idle(
    core: MimicCore, clock: Clock, before: list[PendingEvent], tenant_id: str | None
) -> tuple[list[PendingEvent], list[PendingEvent], bool]:
    """
    Advance to the last transition pending, look again (a change may
    have led to another), and so on until none is left: bounded by
    :data:`IDLE_ROUNDS` looks and :data:`IDLE_HORIZON` seconds.  False
    with the events still pending when a bound stopped it.

    Jumping to the last transition rather than stepping through each is
    the same for the services (their states read the time; the clock
    still stops at every call scheduled on the way) and costs one look
    per round rather than one per event.
    """
    horizon = min(clock.seconds() + IDLE_HORIZON, LATEST_TIME)
    happened: list[PendingEvent] = []
    pending = before
    for _ in range(IDLE_ROUNDS):
        due = [e.at for e in pending if e.waited_for and e.at <= horizon]
        if not due:
            break
        advance_to(clock, max(due))
        now = clock.seconds()
        happened.extend(e for e in pending if e.at <= now)
        pending = core.pending_events(now, tenant_id)
    else:
        return pending, happened, False
    return pending, happened, _next_transition(pending) is None
