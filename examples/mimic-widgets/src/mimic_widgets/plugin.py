# -*- test-case-name: mimic_widgets.test.test_widgets -*-
"""
The widget service as a Mimic plugin: what Mimic's core asks of it.
"""

from __future__ import annotations

from typing import Any

from twisted.plugin import IPlugin
from twisted.web.resource import IResource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.failures import Event
from mimic.interfaces import IAPIMock, IMimicCore, IPersistentState
from mimic_widgets import SERVICE_NAME
from mimic_widgets.errors import widget_error_body
from mimic_widgets.failures import EVENTS
from mimic_widgets.model import WidgetStore
from mimic_widgets.persistence import STATE_FORMAT, restore_store, save_store
from mimic_widgets.routes import WidgetsAPI

REGIONS = ("ORD", "DFW")


@implementer(IPlugin, IAPIMock, IPersistentState)
class WidgetsPlugin:
    name = SERVICE_NAME
    #: The version of the saved form (see :mod:`mimic_widgets.persistence`).
    state_format = STATE_FORMAT

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        """
        ``cloudWidgets`` of type ``widget``, with a ``v1`` endpoint in each
        region: ``<mimic>/service/widgets/<region>/<tenant>/v1``.
        """
        endpoints = tuple(Endpoint(region, "v1", tenant_id=tenant_id) for region in REGIONS)
        return [Entry("widget", "cloudWidgets", endpoints)]

    def failure_events(self) -> tuple[Event, ...]:
        return EVENTS

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        """
        Called for every request, after the token check: find the (tenant,
        region)'s state, made on first use, and wrap it in the routes.
        """
        store = core.region_state(self.name, tenant_id, region, WidgetStore)
        return WidgetsAPI(core, store, region, tenant_id).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        """
        The version document at the service's root needs no token.
        """
        return {()}

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return widget_error_body(status, message)

    def save_region_state(self, state: WidgetStore) -> Any:
        """
        For Mimic's snapshots and ``--state-file``: one (tenant, region)'s
        widgets as plain JSON.
        """
        return save_store(state)

    def restore_region_state(self, core: IMimicCore, tenant_id: str, region: str, saved: Any) -> Any:
        return restore_store(saved)
