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

    def test_unexpected_error_is_500_without_a_traceback(self) -> None:
        code, body, _ = self.answer("GET", "/widgets/broken")
        self.assertEqual(code, 500)
        self.assertNotIn("Traceback", json.dumps(body))
        self.assertNotIn("ZeroDivisionError", json.dumps(body))
        self.assertEqual(len(self.flushLoggedErrors(ZeroDivisionError)), 1)
