"""
The widget service through Mimic: its catalog entry, its routes behind
the token check, its error shape, its state.

Each test talks HTTP to a whole Mimic in memory: identity, the token
check, the control plane and this plugin, synchronously and with Mimic's
clock under the test's control.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import Access, InMemoryMimic, Response
from mimic_widgets.plugin import WidgetsPlugin


class WidgetsTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        # Only this plugin (and identity, which Mimic always has): fast,
        # and independent of whatever other services are installed.
        self.mimic = InMemoryMimic(plugins=[WidgetsPlugin()])
        self.alice = self.mimic.authenticate("alice")

    def widgets_url(self, access: Access | None = None, region: str = "ORD") -> str:
        return (access or self.alice).endpoint("widget", region) + "/widgets"

    def create(
        self, name: str = "w1", metadata: dict[str, str] | None = None, region: str = "ORD"
    ) -> Response:
        widget: dict[str, Any] = {"name": name}
        if metadata is not None:
            widget["metadata"] = metadata
        return self.mimic.request(
            "POST", self.widgets_url(region=region), {"widget": widget}, token=self.alice.token
        )

    def get(self, url: str, access: Access | None = None) -> Response:
        return self.mimic.request("GET", url, token=(access or self.alice).token)

    def status_now(self, widget: dict[str, Any]) -> str:
        """
        A widget's status as its own link shows it now.
        """
        return str(self.get(widget["links"][0]["href"]).json()["widget"]["status"])


class CatalogTests(SynchronousTestCase):
    def test_installed_plugin_is_in_every_catalog(self) -> None:
        """
        Installed beside Mimic, the plugin is discovered: with no
        ``plugins`` argument Mimic loads every plugin in ``mimic.plugins``,
        Mimic's own and this one.
        """
        mimic = InMemoryMimic()
        access = mimic.authenticate("alice")
        [entry] = [e for e in access.access["serviceCatalog"] if e["type"] == "widget"]
        self.assertEqual(entry["name"], "cloudWidgets")
        self.assertEqual(
            [(e["region"], e["publicURL"]) for e in entry["endpoints"]],
            [
                (region, f"http://mimic.test/service/widgets/{region}/{access.tenant_id}/v1")
                for region in ("ORD", "DFW")
            ],
        )


class RouteTests(WidgetsTestCase):
    def test_create_answers_202_with_the_widget_active_and_its_location(self) -> None:
        response = self.create("w1", {"colour": "blue"})
        self.assertEqual(response.code, 202, response.body)
        widget = response.json()["widget"]
        self.assertEqual(
            (widget["name"], widget["status"], widget["metadata"]),
            ("w1", "ACTIVE", {"colour": "blue"}),
        )
        self.assertEqual(response.header("location"), f"{self.widgets_url()}/{widget['id']}")

    def test_created_widgets_are_listed_and_shown(self) -> None:
        first = self.create("w1").json()["widget"]
        second = self.create("w2").json()["widget"]
        listed = self.get(self.widgets_url()).json()["widgets"]
        self.assertEqual([w["id"] for w in listed], [first["id"], second["id"]])
        shown = self.get(first["links"][0]["href"])
        self.assertEqual((shown.code, shown.json()["widget"]), (200, first))

    def test_each_region_has_its_own_widgets(self) -> None:
        self.create("w1", region="ORD")
        self.assertEqual(self.get(self.widgets_url(region="DFW")).json(), {"widgets": []})

    def test_unknown_widget_is_404_in_the_widget_error_shape(self) -> None:
        response = self.get(self.widgets_url() + "/nope")
        self.assertEqual(response.code, 404)
        self.assertEqual(
            response.json(), {"widgetFault": {"code": 404, "message": "No widget with id 'nope'."}}
        )

    def test_widget_without_a_name_is_400(self) -> None:
        response = self.mimic.request(
            "POST", self.widgets_url(), {"widget": {}}, token=self.alice.token
        )
        self.assertEqual(response.code, 400)
        self.assertEqual(
            response.json()["widgetFault"]["message"], "Invalid input: 'widget.name' is required."
        )

    def test_unknown_path_and_method_answer_in_the_widget_error_shape(self) -> None:
        """
        ``mimic.http.handle_errors`` answers what no route does, in the
        service's shape rather than werkzeug's HTML.
        """
        unknown = self.get(self.widgets_url() + "/w/parts")
        self.assertEqual((unknown.code, list(unknown.json())), (404, ["widgetFault"]))
        wrong = self.mimic.request("DELETE", self.widgets_url(), token=self.alice.token)
        self.assertEqual((wrong.code, list(wrong.json())), (405, ["widgetFault"]))
        self.assertEqual(wrong.header("allow"), "GET, HEAD, POST")

    def test_versions_need_no_token(self) -> None:
        root = self.widgets_url().removesuffix("/v1/widgets")
        response = self.mimic.request("GET", root)
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(response.json()["versions"][0]["links"][0]["href"], root + "/v1")

    def test_state_dump_shows_each_tenants_widgets(self) -> None:
        widget = self.create("w1").json()["widget"]
        state = self.mimic.request("GET", "/mimic/v1.1/state").json()
        self.assertEqual(
            state["services"]["widgets"][self.alice.tenant_id]["ORD"], {"widgets": [widget["id"]]}
        )


class TokenTests(WidgetsTestCase):
    """
    Mimic's core checks the token before the plugin sees a request, and
    answers in the plugin's error shape (``WidgetsPlugin.error_body``).
    """

    def test_request_without_a_token_is_401(self) -> None:
        response = self.mimic.request("GET", self.widgets_url())
        self.assertEqual(response.code, 401)
        self.assertEqual(response.json()["widgetFault"]["code"], 401)

    def test_another_tenants_token_is_403(self) -> None:
        bob = self.mimic.authenticate("bob")
        response = self.get(self.widgets_url(), access=bob)
        self.assertEqual(response.code, 403)
        self.assertEqual(response.json()["widgetFault"]["code"], 403)
