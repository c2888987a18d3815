# -*- test-case-name: mimic.test.test_compute_lifecycle -*-
"""
Locking a server (``lock`` and ``unlock`` actions) and asking its guest
for a crash dump (``trigger_crash_dump``).

A locked server refuses changes from its owner with Nova's 409 (see
:func:`mimic.services.compute.actions.run_action`); an administrator
still acts on it.  From 2.73 a lock may say why (``locked_reason``,
shown by ``GET /servers/{id}``).  A server an administrator locked is unlocked only by an
administrator, as Nova's ``unlock_override`` policy says.
"""

from __future__ import annotations

from typing import Any

from mimic.http import json_response
from mimic.services.compute.actions import ActionRequest
from mimic.services.compute.errors import conflicting_state, invalid_input, nova_error, server_locked
from mimic.services.compute.model import ACTIVE, ERROR, PAUSED, RESCUED, RESIZED, RUNNING
from mimic.services.compute.web import RequestContext

#: Longest lock reason Nova's schema takes.
MAX_REASON = 255

#: The vm_states Nova sends a crash dump (NMI) in.
CRASH_DUMP_STATES = (ACTIVE, PAUSED, RESCUED, RESIZED, ERROR)


def check_unlocked(server: Any, ctx: RequestContext) -> None:
    """
    Nova's 409 for a change to a locked server by anyone but an
    administrator (its ``check_instance_lock``).
    """
    if server.locked and not ctx.is_admin:
        raise server_locked(server.id)


def _reason(act: ActionRequest) -> str | None:
    """
    The lock's reason: from 2.73, ``{"lock": {"locked_reason": ...}}``
    (or null); before, the body of the action is not read, as in Nova.
    """
    if act.ctx.microversion < (2, 73):
        return None
    argument: Any = act.argument
    if argument is None:
        return None
    if not isinstance(argument, dict):
        raise invalid_input("lock", argument, f"{argument!r} is not of type 'object', 'null'")
    unexpected = set(argument) - {"locked_reason"}
    if unexpected:
        raise invalid_input(
            "lock", argument,
            f"Additional properties are not allowed ({', '.join(map(repr, sorted(unexpected)))} was unexpected)",
        )
    reason = argument.get("locked_reason")
    if reason is not None and (not isinstance(reason, str) or not 1 <= len(reason) <= MAX_REASON):
        raise invalid_input("locked_reason", reason, f"{reason!r} is not a string of 1 to {MAX_REASON} characters")
    return reason


def lock(act: ActionRequest) -> bytes:
    reason = _reason(act)
    server = act.server
    if not server.locked:
        server.locked = True
        server.locked_by_admin = act.ctx.is_admin
        server.locked_reason = reason
    server.updated = act.ctx.now
    return json_response(act.request, None, 202)


def unlock(act: ActionRequest) -> bytes:
    server = act.server
    if server.locked and server.locked_by_admin and not act.ctx.is_admin:
        raise nova_error(
            403, "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed."
        )
    server.locked, server.locked_by_admin, server.locked_reason = False, False, None
    server.updated = act.ctx.now
    return json_response(act.request, None, 202)


def trigger_crash_dump(act: ActionRequest) -> bytes:
    """
    2.17's NMI to the guest: only for a running server in one of
    :data:`CRASH_DUMP_STATES` with no task under way.
    """
    server = act.server
    if act.ctx.microversion < (2, 17):
        raise nova_error(400, "There is no such action: trigger_crash_dump")
    if act.argument is not None:
        raise invalid_input("trigger_crash_dump", act.argument, f"{act.argument!r} is not of type 'null'")
    if server.vm_state not in CRASH_DUMP_STATES:
        raise conflicting_state("trigger_crash_dump", server.id, "vm_state", server.vm_state)
    if server.task_state is not None:
        raise conflicting_state("trigger_crash_dump", server.id, "task_state", server.task_state)
    if server.power_state != RUNNING:
        raise nova_error(409, f"Instance {server.id} is not running.")
    server.updated = act.ctx.now
    return json_response(act.request, None, 202)


LOCK_ACTIONS = {"lock": lock, "unlock": unlock, "trigger_crash_dump": trigger_crash_dump}
