# -*- test-case-name: mimic.test.test_coverage -*-
"""
Fault coverage: which known error conditions a run registered and which
actually fired, for which tenants.

A suite that claims to survive every compute failure Mimic knows can
check the claim against the catalogue: the failure engine tells
:class:`Coverage` of each registration and each firing (a registration's,
or a metadata trigger's), and the control API lists every known
condition beside its counts.  The counts describe the run, so they
outlive the registrations they count and a reset of Mimic; only
:meth:`Coverage.clear` (``DELETE /mimic/v1.1/failures/coverage``) starts
them again.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from attrs import define, field

from mimic.failures import DEFAULT, Event, Firing, Registration

#: The most tenants a condition's count names; past it, more tenants
#: are counted but not named, so memory stays flat.
MAX_TENANTS = 100


@define(slots=True)
class ConditionCount:
    """
    How often one condition of one event was registered and fired, and
    for which tenants it fired.
    """

    registered: int = 0
    fired: int = 0
    tenants: set[str] = field(factory=set)


@define
class Coverage:
    """
    The counts, by (event id, condition name).  ``current_tenant`` names
    the tenant of the request being answered, for firings whose event
    carries no ``tenant_id`` of its own.
    """

    #: Not state a request's refusal must leave alone (the robustness
    #: probes' snapshots leave it out): it records the run.
    describes_the_run = True

    current_tenant: Callable[[], str | None] = lambda: None
    _counts: dict[tuple[str, str], ConditionCount] = field(factory=dict)

    def _count(self, event: Event, condition: str) -> ConditionCount:
        key = (event.id, condition)
        found = self._counts.get(key)
        if found is None:
            found = self._counts[key] = ConditionCount()
        return found

    def registered(self, registration: Registration) -> None:
        """
        A registration was made: each condition it may fire (each step
        of a sequence, once) counts one registration.
        """
        for name in dict.fromkeys(step.condition.name for step in registration.steps):
            if name != DEFAULT:
                self._count(registration.event, name).registered += 1

    def fired(self, firing: Firing, attributes: Mapping[str, Any]) -> None:
        count = self._count(firing.event, firing.condition.name)
        count.fired += 1
        tenant = attributes.get("tenant_id") or self.current_tenant()
        if isinstance(tenant, str) and tenant and len(count.tenants) < MAX_TENANTS:
            count.tenants.add(tenant)

    def clear(self) -> None:
        self._counts.clear()

    def report(self, events: Iterable[Event]) -> list[dict[str, Any]]:
        """
        Every condition of ``events`` (the catalogue) with its counts, in
        the catalogue's order.
        """
        entries = []
        for event in events:
            for condition in event.conditions:
                count = self._counts.get((event.id, condition.name)) or ConditionCount()
                entries.append({
                    "service": event.service,
                    "event": event.name,
                    "condition": condition.name,
                    "registered": count.registered,
                    "fired": count.fired,
                    "tenants": sorted(count.tenants),
                })
        return entries


def totals(entries: list[dict[str, Any]]) -> dict[str, int]:
    """
    How many conditions are known, how many were registered at least
    once, and how many fired at least once.
    """
    return {
        "known": len(entries),
        "registered": sum(1 for e in entries if e["registered"]),
        "fired": sum(1 for e in entries if e["fired"]),
    }
