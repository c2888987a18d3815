# -*- test-case-name: mimic.test.test_loadbalancer_transitions -*-
"""
How long a balancer's state transitions take: ``loadbalancer.build_seconds``
(BUILD after a create), ``loadbalancer.update_seconds`` (PENDING_UPDATE
after every accepted change) and ``loadbalancer.delete_seconds``
(PENDING_DELETE after a delete), given with ``twistd mimic --set`` or in
the configuration file's ``[loadbalancer]`` table.

All are zero by default: CLB's clients (pyrax, libcloud, otter, Terraform)
poll for ACTIVE in real time and refuse to change a balancer that is not,
so on a clock nobody ticks any other default would stop them.  A test
that wants to see the intermediate statuses sets a time and ticks, or
registers a condition (``building``, ``pending_update``,
``pending_delete``, or the old ``lb_*`` metadata keys), which says how
long its own transition takes whatever these settings say.
"""

from __future__ import annotations

from typing import Any, Mapping

from attrs import evolve

from mimic.failures import Event
from mimic.services.loadbalancer import failures
from mimic.services.loadbalancer.model import SERVICE
from mimic.settings import Setting, duration

#: Each timed transition: the event whose normal outcome it times, its
#: setting and what a client sees meanwhile.
TRANSITIONS = (
    (failures.CREATE, "build_seconds", "a new balancer stays BUILD before it is ACTIVE"),
    (failures.UPDATE, "update_seconds", "a changed balancer stays PENDING_UPDATE (refusing other changes)"),
    (failures.DELETE, "delete_seconds", "a deleted balancer stays PENDING_DELETE before it is DELETED"),
)

_SETTING_OF = {event.id: f"{SERVICE}.{setting}" for event, setting, _ in TRANSITIONS}


def settings() -> list[Setting]:
    """
    The declarations of the balancers' transition settings.
    """
    return [
        Setting(
            f"{SERVICE}.{setting}",
            f"Seconds {meanwhile} on Mimic's clock (0: done by the next request).",
            0.0,
            duration,
        )
        for _, setting, meanwhile in TRANSITIONS
    ]


def timed(event: Event, outcome: Any, values: Mapping[str, Any]) -> Any:
    """
    The outcome the failure engine decided for ``event``, taking as long
    as the settings say when it is the event's normal outcome (a
    condition that fired keeps its own time).
    """
    name = _SETTING_OF.get(event.id)
    if name is None or outcome is not event.normal:
        return outcome
    seconds = float(values.get(name, 0.0))
    return evolve(outcome, seconds=seconds) if seconds > 0 else outcome
