"""
A small service plugin (no tests here) for the control plane's tests, so that they show
every face of the failure engine without depending on the real services'
progress: widgets are created (possibly staying in BUILD, going to ERROR,
or failing outright) and deleted (possibly failing).
"""

from __future__ import annotations

from typing import Any

from attrs import define, field
from klein import Klein
from twisted.web.iweb import IRequest
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.core import MimicCore
from mimic.failures import (
    BadRegistration,
    Condition,
    Event,
    MetadataTrigger,
    Parameter,
    json_object_value,
    no_parameters,
)
from mimic.http import HTTPError, handle_errors, json_response, read_json
from mimic.interfaces import IAPIMock, IRegionState

CREATE = Event(
    service="widgets",
    name="widget.create",
    aliases=("creation",),
    description="A client creates a widget.",
    criteria=("widget_name", "metadata", "tenant_id"),
    conditions=(
        Condition(
            "fail",
            "The create request is refused with an error; no widget is made.",
            parameters=(
                Parameter.status("HTTP status of the error."),
                Parameter("message", "The error message.", str, "The widget could not be made."),
            ),
            metadata=MetadataTrigger("widget_fail", "a JSON object of the parameters", json_object_value),
        ),
        Condition(
            "build",
            "The widget stays in BUILD for a while before going ACTIVE.",
            parameters=(Parameter.seconds("How long it stays in BUILD."),),
            metadata=MetadataTrigger("widget_building", "the seconds in BUILD"),
        ),
        Condition(
            "error",
            "The widget is made but goes straight to ERROR.",
            metadata=MetadataTrigger("widget_error", "any value", no_parameters),
        ),
    ),
)

DELETE = Event(
    service="widgets",
    name="widget.delete",
    description="A client deletes a widget.",
    criteria=("widget_id", "tenant_id"),
    conditions=(
        Condition(
            "fail",
            "The delete is refused and the widget stays.",
            parameters=(Parameter.status("HTTP status of the error."),),
        ),
    ),
)


def widget_error(status: int, message: str) -> HTTPError:
    return HTTPError(status, {"widgetFault": {"code": status, "message": message}})


@define
class Widget:
    id: str
    name: str
    created: float
    build_seconds: float = 0.0
    error: bool = False

    def status(self, now: float) -> str:
        if self.error:
            return "ERROR"
        return "ACTIVE" if now >= self.created + self.build_seconds else "BUILD"


@implementer(IRegionState)
@define
class WidgetRegion:
    widgets: dict[str, Widget] = field(factory=dict)
    serial: int = 0

    def summary(self) -> dict[str, Any]:
        return {"widgets": len(self.widgets), "ids": sorted(self.widgets)}


class WidgetAPI:
    app = Klein()
    handle_errors(app, widget_error, not_found="Not found.", not_allowed="Not allowed.")

    def __init__(self, core: MimicCore, tenant_id: str, state: WidgetRegion) -> None:
        self.core = core
        self.tenant_id = tenant_id
        self.state = state

    def _json(self, widget: Widget) -> dict[str, Any]:
        return {"id": widget.id, "name": widget.name, "status": widget.status(self.core.clock.seconds())}

    @app.route("/v1/widgets", methods=["POST"])
    def create(self, request: IRequest) -> bytes:
        body = read_json(request, widget_error)
        name = body["widget"]["name"]
        metadata = body["widget"].get("metadata", {})
        try:
            firing = self.core.failures.consult(
                CREATE.id, {"widget_name": name, "tenant_id": self.tenant_id}, metadata
            )
        except BadRegistration as e:
            raise widget_error(400, str(e))
        if firing is not None and firing.name == "fail":
            raise widget_error(firing["code"], firing["message"])
        self.state.serial += 1
        widget = Widget(str(self.state.serial), name, self.core.clock.seconds())
        if firing is not None and firing.name == "build":
            widget.build_seconds = firing["seconds"]
        if firing is not None and firing.name == "error":
            widget.error = True
        self.state.widgets[widget.id] = widget
        return json_response(request, {"widget": self._json(widget)}, 202)

    @app.route("/v1/widgets/<widget_id>", methods=["GET"])
    def get(self, request: IRequest, widget_id: str) -> bytes:
        widget = self.state.widgets.get(widget_id)
        if widget is None:
            raise widget_error(404, "No such widget.")
        return json_response(request, {"widget": self._json(widget)})

    @app.route("/v1/widgets/<widget_id>", methods=["DELETE"])
    def delete(self, request: IRequest, widget_id: str) -> bytes:
        if widget_id not in self.state.widgets:
            raise widget_error(404, "No such widget.")
        firing = self.core.failures.consult(
            DELETE.id, {"widget_id": widget_id, "tenant_id": self.tenant_id}
        )
        if firing is not None:
            raise widget_error(firing["code"], "The widget could not be deleted.")
        del self.state.widgets[widget_id]
        return json_response(request, None, 204)


@implementer(IAPIMock)
class WidgetPlugin:
    name = "widgets"

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return [
            Entry("rax:widgets", "cloudWidgets", (Endpoint("ORD", "v1", tenant_id=tenant_id),))
        ]

    def failure_events(self) -> tuple[Event, ...]:
        return (CREATE, DELETE)

    def resource_for_region(self, core: MimicCore, region: str, tenant_id: str) -> Any:
        state = core.region_state(self.name, tenant_id, region, WidgetRegion)
        return WidgetAPI(core, tenant_id, state).app.resource()

    def anonymous_paths(self) -> set[tuple[str, ...]]:
        return set()

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"widgetFault": {"code": status, "message": message}}


widgets = WidgetPlugin()
