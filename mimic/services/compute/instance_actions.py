# -*- test-case-name: mimic.test.test_compute_instance_actions -*-
"""
Nova's instance actions: the record of everything done to a server
(``GET /servers/{id}/os-instance-actions`` and
``/os-instance-actions/{request_id}``), kept on the server itself.

Each request that changes a server leaves one :class:`InstanceAction`,
named as Nova names it (``create``, ``reboot``, ``stop``, ``backup``...)
and keyed by the ``X-OpenStack-Request-ID`` the response carried, with
the events the compute host would have run (``compute_reboot_instance``).
An event is written once, when the request is accepted, with the time
its work will finish on Mimic's clock; until the clock reaches that
time it shows as Nova shows an event under way (no finish time, no
result).  When a known error condition fails the work, the event's
result is ``Error`` and its ``details`` (2.84) carry the fault the
server shows: the negative path is on the record too.

The API is :mod:`~mimic.services.compute.instance_action_routes`:
2.21 lists the actions of deleted servers, 2.51 shows
events to their owner (before, only to an administrator), 2.58 pages the
list (``limit``, ``marker``, ``changes-since``, ``changes-before``) and
adds ``updated_at``, 2.62 names the event's ``hostId`` (and to an
administrator its ``host``), 2.84 adds ``details``.
"""

from __future__ import annotations

from typing import Any, Iterable

from attrs import frozen

from mimic.services.compute.model import Server

#: The most instance actions a server keeps, the oldest forgotten first:
#: Nova keeps them all, but a client rebooting in a loop would otherwise
#: grow a server without bound.
INSTANCE_ACTIONS_KEPT = 1000

#: ``/servers/{id}/action`` names and Nova's instance action and event
#: names for them (nova.compute.instance_actions and the compute
#: manager's ``wrap_instance_event`` names).  Actions not listed (console
#: output, network proxies) leave no record, as in Nova.
SERVER_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reboot": ("reboot", ("compute_reboot_instance",)),
    "os-stop": ("stop", ("compute_stop_instance",)),
    "os-start": ("start", ("compute_start_instance",)),
    "pause": ("pause", ("compute_pause_instance",)),
    "unpause": ("unpause", ("compute_unpause_instance",)),
    "suspend": ("suspend", ("compute_suspend_instance",)),
    "resume": ("resume", ("compute_resume_instance",)),
    "rescue": ("rescue", ("compute_rescue_instance",)),
    "unrescue": ("unrescue", ("compute_unrescue_instance",)),
    "resize": ("resize", ("compute_prep_resize", "compute_resize_instance", "compute_finish_resize")),
    "confirmResize": ("confirmResize", ("compute_confirm_resize",)),
    "revertResize": ("revertResize", ("compute_revert_resize", "compute_finish_revert_resize")),
    "rebuild": ("rebuild", ("compute_rebuild_instance",)),
    "changePassword": ("changePassword", ("compute_set_admin_password",)),
    "createImage": ("createImage", ("compute_snapshot_instance",)),
    "createBackup": ("createBackup", ("compute_backup_instance",)),
    "lock": ("lock", ()),
    "unlock": ("unlock", ()),
    "shelve": ("shelve", ("compute_shelve_instance",)),
    "shelveOffload": ("shelveOffload", ("compute_shelve_offload_instance",)),
    "unshelve": ("unshelve", ("compute_unshelve_instance",)),
    "trigger_crash_dump": ("trigger_crash_dump", ("compute_trigger_crash_dump",)),
    "addFixedIp": ("add_fixed_ip", ()),
    "removeFixedIp": ("remove_fixed_ip", ()),
}

SUCCESS = "Success"
ERROR = "Error"


@frozen
class ActionEvent:
    """
    One step of an instance action (``compute_attach_volume``...).
    ``finish`` is when it ends on Mimic's clock, possibly still ahead.
    """

    event: str
    start: float
    finish: float
    #: ``Success`` or ``Error``, as it ends.
    result: str
    #: The fault, for an event that failed.
    details: str | None = None


@frozen
class InstanceAction:
    """
    Something done to a server, as Nova's ``os-instance-actions`` lists it.
    """

    action: str
    request_id: str
    user_id: str
    start: float
    events: tuple[ActionEvent, ...]

    @property
    def failed(self) -> bool:
        return any(event.result == ERROR for event in self.events)

    def updated(self, now: float) -> float:
        """
        When it last changed, as seen at ``now``: its last finished
        event's end, or its start.
        """
        finished = [e.finish for e in self.events if e.finish <= now]
        return max(finished, default=self.start)

    def finished(self, now: float) -> bool:
        return all(event.finish <= now for event in self.events)


def record(server: Server, action: str, request_id: str, user_id: str, now: float,
           events: Iterable[ActionEvent] = ()) -> InstanceAction:
    """
    Keep an instance action on the server (its last
    :data:`INSTANCE_ACTIONS_KEPT`).
    """
    kept = InstanceAction(action, request_id, user_id, now, tuple(events))
    server.instance_actions = server.instance_actions[-(INSTANCE_ACTIONS_KEPT - 1):] + (kept,)
    return kept


def events_until(names: Iterable[str], start: float, finish: float, fault: str | None) -> list[ActionEvent]:
    """
    Events run one after the other from ``start`` to ``finish``, the
    last one failing with ``fault`` if there is one.
    """
    names = list(names)
    if not names:
        return []
    step = (finish - start) / len(names)
    made = []
    for index, name in enumerate(names):
        begins, ends = start + index * step, start + (index + 1) * step
        last = index == len(names) - 1
        failed = last and fault is not None
        made.append(ActionEvent(name, begins, finish if last else ends, ERROR if failed else SUCCESS,
                                fault if failed else None))
    return made


def record_action(server: Server, action: str, request_id: str, user_id: str, now: float,
                  fault: str | None = None) -> InstanceAction:
    """
    Keep an action done at once (a volume or interface attached or
    detached) with its one compute event (``compute_<action>``), failed
    with ``fault`` if there is one.
    """
    return record(server, action, request_id, user_id, now, events_until((f"compute_{action}",), now, now, fault))


def record_server_action(server: Server, action: str, request_id: str, user_id: str, now: float,
                         fault: str | None, steps_before: tuple[Any, ...] = ()) -> None:
    """
    Record a ``/servers/{id}/action`` call that was accepted: its events
    end when the last step the action scheduled does (the server's
    pending steps not among ``steps_before``), or now if it scheduled
    none.
    """
    named = SERVER_ACTIONS.get(action)
    if named is None:
        return
    name, event_names = named
    earlier = {id(step) for step in steps_before}
    finish = max([now] + [step.at for step in server.pending if id(step) not in earlier])
    record(server, name, request_id, user_id, now, events_until(event_names, now, finish, fault))


def record_create(servers: Iterable[Server], request_id: str, user_id: str, now: float) -> None:
    """
    Record the ``create`` of new servers: scheduling, then the build,
    which ends when the server leaves BUILD (in Error, with the fault,
    for a server a condition sent to ERROR).
    """
    for server in servers:
        finish = now
        if server.vm_state == "building":
            leaving = [step.at for step in server.pending if step.vm_state != "building"]
            finish = leaving[0] if leaving else now
        fault = server.fault["message"] if server.fault is not None else None
        events = [ActionEvent("conductor_schedule_and_build_instances", now, now, SUCCESS)]
        events += events_until(("compute__do_build_and_run_instance",), now, finish, fault)
        record(server, "create", request_id, user_id, now, events)


def record_delete(server: Server, request_id: str, user_id: str, now: float) -> None:
    """
    Record a delete that was accepted; it ends when the server is gone.
    """
    finish = max([now] + [step.at for step in server.pending if step.gone])
    record(server, "delete", request_id, user_id, now,
           events_until(("compute_terminate_instance",), now, finish, None))
