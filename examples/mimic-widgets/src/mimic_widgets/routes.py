# -*- test-case-name: mimic_widgets.test.test_widgets -*-
"""
The widget service's HTTP API for one tenant in one region.

Mimic's core has already matched ``/service/widgets/<region>/<tenant>/``
and checked the token, and strips that prefix: the routes here see the
rest of the path (``/v1/widgets``), and the catalog's endpoint for the
region (``.../v1``) leads to them.
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import handle_errors, json_response, read_json
from mimic.interfaces import IMimicCore
from mimic_widgets import SERVICE_NAME, failures, validation
from mimic_widgets.errors import no_such_widget, widget_error
from mimic_widgets.model import NoSuchWidget, WidgetStore
from mimic_widgets.views import widget_json, widget_url


class WidgetsAPI:
    """
    Made for each request by ``WidgetsPlugin.resource_for_region``.  Klein's
    ``app`` binds its routes to the instance, so ``self`` is one (tenant,
    region) and ``self.store`` its widgets: no globals.
    """

    app = Klein()
    # Before any route: unknown paths, wrong methods, a malformed metadata
    # trigger, the model's NoSuchWidget and anything unexpected, all
    # answered in the widget error shape.
    handle_errors(app, widget_error, domain_errors={NoSuchWidget: no_such_widget})

    def __init__(self, core: IMimicCore, store: WidgetStore, region: str, tenant_id: str) -> None:
        self.core = core
        self.store = store
        self.region = region
        self.tenant_id = tenant_id

    def root_url(self, request: IRequest) -> str:
        return self.core.service_url(request, SERVICE_NAME, self.region, self.tenant_id)

    @app.route("/", methods=["GET"])
    def versions(self, request: IRequest) -> bytes:
        """
        Version discovery, served without a token (``anonymous_paths``).
        """
        link = {"rel": "self", "href": self.root_url(request) + "/v1"}
        v1 = {"id": "v1", "status": "CURRENT", "links": [link]}
        return json_response(request, {"versions": [v1]})

    @app.route("/v1/widgets", methods=["GET"])
    def list_widgets(self, request: IRequest) -> bytes:
        now, root = self.core.clock.seconds(), self.root_url(request)
        listed = [widget_json(widget, now, root) for widget in self.store.listing()]
        return json_response(request, {"widgets": listed})

    @app.route("/v1/widgets", methods=["POST"])
    def create_widget(self, request: IRequest) -> bytes:
        new = validation.new_widget(read_json(request, widget_error))
        # The one question: which condition applies, if any, and what it
        # does.  A "fail" raises the service's error from here, before
        # anything changed; otherwise the answer is the build time.
        build_seconds = self.core.failures.decide(
            failures.CREATE,
            {"widget_name": new.name, "tenant_id": self.tenant_id, "region": self.region},
            new.metadata,
        )
        now, root = self.core.clock.seconds(), self.root_url(request)
        widget = self.store.create(new.name, new.metadata, now, build_seconds)
        headers = {b"location": widget_url(root, widget).encode("utf-8")}
        return json_response(request, {"widget": widget_json(widget, now, root)}, 202, headers)

    @app.route("/v1/widgets/<widget_id>", methods=["GET"])
    def show_widget(self, request: IRequest, widget_id: str) -> bytes:
        widget = self.store.get(widget_id)  # NoSuchWidget: 404, from handle_errors
        body = widget_json(widget, self.core.clock.seconds(), self.root_url(request))
        return json_response(request, {"widget": body})
