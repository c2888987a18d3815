# -*- test-case-name: mimic_widgets.test.test_widgets -*-
"""
Widgets: state and rules, with no HTTP.

One :class:`WidgetStore` per (tenant, region), kept by Mimic's core
(``core.region_state``), so that a reset drops it and the control plane's
state dump describes it.  Times are seconds on Mimic's clock, passed in by
the caller: the model never reads a clock of its own.
"""

from __future__ import annotations

import enum
from typing import Any, Mapping
from uuid import uuid4

from attrs import define, field, frozen
from zope.interface import implementer

from mimic.interfaces import IPendingEvents, IRegionState
from mimic.pending import PendingEvent


class WidgetStatus(enum.Enum):
    BUILDING = "BUILDING"
    ACTIVE = "ACTIVE"


@frozen
class Widget:
    id: str
    name: str
    metadata: Mapping[str, str]
    created: float
    #: When it becomes ACTIVE: ``created`` unless a condition kept it building.
    ready: float

    def status(self, now: float) -> WidgetStatus:
        return WidgetStatus.ACTIVE if now >= self.ready else WidgetStatus.BUILDING


class NoSuchWidget(Exception):
    """
    The tenant has no widget with this id in this region.
    """

    def __init__(self, widget_id: str) -> None:
        super().__init__(widget_id)
        self.widget_id = widget_id


@implementer(IRegionState, IPendingEvents)
@define
class WidgetStore:
    """
    One tenant's widgets in one region.
    """

    _widgets: dict[str, Widget] = field(factory=dict)

    def create(
        self, name: str, metadata: Mapping[str, str], now: float, build_seconds: float = 0.0
    ) -> Widget:
        """
        Make a widget at time ``now``; it is ``BUILDING`` for
        ``build_seconds``, then ``ACTIVE``.
        """
        widget = Widget(str(uuid4()), name, dict(metadata), now, now + build_seconds)
        self._widgets[widget.id] = widget
        return widget

    def get(self, widget_id: str) -> Widget:
        try:
            return self._widgets[widget_id]
        except KeyError:
            raise NoSuchWidget(widget_id) from None

    def listing(self) -> list[Widget]:
        """
        Every widget, in the order they were made.
        """
        return list(self._widgets.values())

    def pending_events(self, now: float) -> list[PendingEvent]:
        """
        For the clock's pending events (``GET /mimic/v1.1/clock``): the
        widgets still building, each becoming ACTIVE when it is ready.
        """
        return [
            PendingEvent(w.ready, "widget", w.id, w.name, "becomes ACTIVE")
            for w in self._widgets.values()
            if w.ready > now
        ]

    def summary(self) -> dict[str, Any]:
        """
        For the control plane's state dump (``GET /mimic/v1.1/state``).
        """
        return {"widgets": [w.id for w in self.listing()]}
