# -*- test-case-name: mimic.test.test_http -*-
"""
The shared request helpers: paging, the body limit and the error handlers
every app uses.
"""

from __future__ import annotations

import json
from typing import Any

from klein import Klein
from treq.testing import StubTreq
from twisted.trial.unittest import SynchronousTestCase
from twisted.web.iweb import IRequest

from mimic.failures import Condition, Event, FailureEngine, MetadataTrigger, Parameter
from mimic.http import HARD_BODY_LIMIT, HTTPError, handle_errors, json_response, page
from mimic.testing import InMemoryMimic


class PageTests(SynchronousTestCase):
    items = ["a", "b", "c", "d", "e"]

    def test_limit_without_marker_takes_the_first_items(self) -> None:
        self.assertEqual(page(self.items, str, 2, None), (["a", "b"], True))

    def test_marker_starts_after_the_named_item(self) -> None:
        self.assertEqual(page(self.items, str, 2, "b"), (["c", "d"], True))

    def test_last_page_says_nothing_follows(self) -> None:
        self.assertEqual(page(self.items, str, 2, "c"), (["d", "e"], False))

    def test_no_limit_takes_the_rest(self) -> None:
        self.assertEqual(page(self.items, str, None, "d"), (["e"], False))

    def test_unknown_marker_is_none(self) -> None:
        self.assertIsNone(page(self.items, str, 2, "zz"))


class BodyLimitTests(SynchronousTestCase):
    def test_body_over_the_hard_limit_is_413_not_buffered(self) -> None:
        mimic = InMemoryMimic(plugins=[])
        response = mimic.request("POST", "/identity/v2.0/tokens", raw=b"x" * (HARD_BODY_LIMIT + 1))
        self.assertEqual(response.code, 413)
        self.assertEqual(response.json()["error"]["title"], "Request Entity Too Large")


def _widget_error(status: int, message: str) -> HTTPError:
    return HTTPError(status, {"widgetFault": {"code": status, "message": message}})


class NoSuchWidget(Exception):
    """
    A domain error, as a model raises it.
    """


class WidgetAPI:
    """
    A Klein app with nothing but :func:`handle_errors` between its
    handlers and the wire.
    """

    app = Klein()
    handle_errors(
        app,
        _widget_error,
        not_found=lambda request: f"Nothing at {request.path.decode()}.",
        domain_errors={NoSuchWidget: lambda e: _widget_error(404, f"No widget {e.args[0]}.")},
    )

    @app.route("/widgets/<name>", methods=["GET"])
    def show(self, request: IRequest, name: str) -> bytes:
        if name == "teapot":
            raise _widget_error(418, "I am a teapot.")
        if name == "missing":
            raise NoSuchWidget(name)
        if name == "broken":
            raise ZeroDivisionError("a bug")
        return json_response(request, {"widget": name})

    @app.route("/widgets/<name>/parts", methods=["GET"])
    def parts(self, request: IRequest, name: str) -> bytes:
        return json_response(request, {"parts": []})

    @app.route("/shelves/", methods=["GET"])
    def shelves(self, request: IRequest) -> bytes:
        return json_response(request, {"shelves": []})

    @app.route("/widgets", methods=["POST"])
    def create(self, request: IRequest) -> bytes:
        consulted = FailureEngine()
        consulted.declare(_PAINT)
        return json_response(request, {"outcome": consulted.decide(_PAINT, {}, {"paint": "x"})})


_PAINT = Event(
    "widgets",
    "paint",
    "A widget is painted.",
    (
        Condition(
            "slow",
            "Slow paint.",
            parameters=(Parameter("seconds", "How long.", float, 1.0),),
            metadata=MetadataTrigger("paint", "seconds"),
            effect=lambda parameters: parameters["seconds"],
        ),
    ),
)


class HandleErrorsTests(SynchronousTestCase):
    """
    Every failure of a request is answered in the app's own error shape.
    """

    def setUp(self) -> None:
        self.client = StubTreq(WidgetAPI().app.resource())

    def answer(self, method: str, path: str) -> tuple[int, Any, Any]:
        response = self.successResultOf(self.client.request(method, "http://127.0.0.1" + path))
        body = json.loads(self.successResultOf(self.client.content(response)))
        return response.code, body, response.headers.getRawHeaders(b"allow")

    def test_http_error_is_written_as_raised(self) -> None:
        code, body, _ = self.answer("GET", "/widgets/teapot")
        self.assertEqual((code, body), (418, {"widgetFault": {"code": 418, "message": "I am a teapot."}}))

    def test_unknown_path_is_404_in_the_app_shape(self) -> None:
        code, body, _ = self.answer("GET", "/gadgets")
        self.assertEqual((code, body["widgetFault"]["message"]), (404, "Nothing at /gadgets."))

    def test_unknown_method_is_405_naming_the_allowed_ones(self) -> None:
        code, body, allow = self.answer("DELETE", "/widgets/w")
        self.assertEqual(code, 405)
        self.assertEqual(body["widgetFault"]["code"], 405)
        self.assertEqual(allow, [b"GET, HEAD"])

    def test_domain_error_is_translated(self) -> None:
        code, body, _ = self.answer("GET", "/widgets/missing")
        self.assertEqual((code, body["widgetFault"]["message"]), (404, "No widget missing."))

    def test_malformed_metadata_trigger_is_400(self) -> None:
        code, body, _ = self.answer("POST", "/widgets")
        self.assertEqual(code, 400)
        self.assertIn("'seconds'", body["widgetFault"]["message"])

    def test_doubled_slash_is_404_in_the_app_shape(self) -> None:
        """
        werkzeug would redirect to ``/widgets/w/parts`` with an HTML page
        (and a catch-all handler turned that into a 500); the real
        services match segments as given and find nothing.
        """
        self.assertEqual(self.answer("GET", "/widgets/w/parts")[0], 200)
        for path in ("/widgets/w//parts", "/widgets//w", "/widgets/w/parts//"):
            code, body, _ = self.answer("GET", path)
            self.assertEqual((code, body["widgetFault"]["message"]), (404, f"Nothing at {path}."))
        self.assertEqual(self.flushLoggedErrors(), [])

    def test_trailing_slash_redirect_has_no_html(self) -> None:
        response = self.successResultOf(
            self.client.request("GET", "http://127.0.0.1/shelves", allow_redirects=False)
        )
        self.assertEqual(response.code, 308)
        self.assertEqual(response.headers.getRawHeaders(b"location"), [b"http://127.0.0.1/shelves/"])
        self.assertEqual(self.successResultOf(self.client.content(response)), b"")

    def test_unexpected_error_is_500_without_a_traceback(self) -> None:
        code, body, _ = self.answer("GET", "/widgets/broken")
        self.assertEqual(code, 500)
        self.assertNotIn("Traceback", json.dumps(body))
        self.assertNotIn("ZeroDivisionError", json.dumps(body))
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)


class DoubledSlashEverywhereTests(SynchronousTestCase):
    """
    Every service answers a path with an empty segment 404, in its own
    error shape, as it answers any path that names nothing: not a
    redirect with werkzeug's HTML page, not a 500.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.tenant = self.access.access["token"]["tenant"]["id"]

    def assertNotFound(self, url: str, shape: Any) -> None:
        response = self.mimic.request("GET", url, token=self.access.token)
        self.assertEqual(response.code, 404, (url, response.body))
        self.assertEqual(response.header("content-type"), "application/json", url)
        self.assertTrue(shape(response.json()), (url, response.body))

    def test_services(self) -> None:
        endpoint = self.access.endpoint
        self.assertNotFound(endpoint("compute") + "//servers", lambda b: "itemNotFound" in b)
        self.assertNotFound(endpoint("image") + "//images", lambda b: b["code"] == "404 Not Found")
        self.assertNotFound(endpoint("rax:load-balancer") + "//loadbalancers", lambda b: b["code"] == 404)
        self.assertNotFound(
            "/identity/v3/auth//tokens", lambda b: b["error"]["code"] == 404
        )

    def test_control_plane_and_old_control_entries(self) -> None:
        self.assertNotFound("/mimic/v1.1//clock", lambda b: b["code"] == 404)
        for service in ("compute-control", "loadbalancer-control"):
            url = f"/service/{service}/ORD/{self.tenant}/v2/{self.tenant}//behaviors"
            self.assertNotFound(url, lambda b: b["code"] == 404)
