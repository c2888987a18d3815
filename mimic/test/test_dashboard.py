"""
Tests for :mod:`mimic.dashboard`: the page, its script and its style are
served at ``/mimic/dashboard`` with the right types and headers, a
browser asking for ``/`` is sent there while API clients keep the help
text, and the page depends on nothing but Mimic's own control API.
"""

from __future__ import annotations

import re
from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.dashboard.resource import dashboard_files
from mimic.testing import InMemoryMimic, Response

DASHBOARD = "/mimic/dashboard/"

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def unfollowed(mimic: InMemoryMimic, method: str, path: str, headers: dict[str, str] | None = None) -> Response:
    """
    A request whose redirect is answered, not followed.
    """
    results: list[Any] = []
    d = mimic.treq.request(
        method, mimic.base + path,
        headers={k.encode(): [v.encode()] for k, v in (headers or {}).items()},
        allow_redirects=False,
    )
    d.addCallback(lambda r: mimic.treq.content(r).addCallback(lambda b: (r, b)))
    d.addBoth(results.append)
    mimic.treq.flush()
    response, content = results[0]
    headers_out = {
        name.decode().lower(): [v.decode() for v in values]
        for name, values in response.headers.getAllRawHeaders()
    }
    return Response(response.code, headers_out, content)


class ServedFilesTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()

    def test_page_is_html(self) -> None:
        response = self.mimic.request("GET", DASHBOARD)
        self.assertEqual(response.code, 200)
        self.assertEqual(response.header("content-type"), "text/html; charset=utf-8")
        self.assertIn(b"<title>Mimic dashboard</title>", response.body)

    def test_script_and_style_have_their_types(self) -> None:
        for name, content_type in (("dashboard.js", "text/javascript; charset=utf-8"),
                                   ("dashboard.css", "text/css; charset=utf-8")):
            response = self.mimic.request("GET", DASHBOARD + name)
            self.assertEqual(response.code, 200, name)
            self.assertEqual(response.header("content-type"), content_type)
            self.assertEqual(response.body, dashboard_files()[name.encode()].content)

    def test_head_answers_without_body(self) -> None:
        response = self.mimic.request("HEAD", DASHBOARD + "dashboard.js")
        self.assertEqual(response.code, 200)
        self.assertEqual(response.body, b"")

    def test_files_forbid_framing_and_foreign_sources(self) -> None:
        response = self.mimic.request("GET", DASHBOARD)
        policy = response.header("content-security-policy") or ""
        self.assertIn("frame-ancestors 'none'", policy)
        self.assertIn("script-src 'self'", policy)
        self.assertIn("connect-src 'self'", policy)
        self.assertEqual(response.header("x-frame-options"), "DENY")
        self.assertEqual(response.header("x-content-type-options"), "nosniff")

    def test_without_trailing_slash_redirects_to_the_page(self) -> None:
        response = unfollowed(self.mimic, "GET", "/mimic/dashboard")
        self.assertEqual(response.code, 301)
        self.assertEqual(response.header("location"), DASHBOARD)

    def test_unknown_file_is_a_json_404(self) -> None:
        for path in ("nothing.js", "static/index.html", "dashboard.js/x"):
            response = self.mimic.request("GET", DASHBOARD + path)
            self.assertEqual(response.code, 404, path)
            self.assertEqual(response.json()["code"], 404)

    def test_writing_is_a_json_405(self) -> None:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            response = self.mimic.request(method, DASHBOARD)
            self.assertEqual(response.code, 405, method)
            self.assertEqual(response.header("allow"), "GET, HEAD")
            self.assertEqual(response.json()["code"], 405)

    def test_control_api_still_answers_beside_it(self) -> None:
        self.assertEqual(self.mimic.request("GET", "/mimic/v1.1/clock").code, 200)
        self.assertEqual(self.mimic.request("GET", "/mimic").code, 200)


class RootRedirectTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()

    def test_browser_is_sent_to_the_dashboard(self) -> None:
        response = unfollowed(self.mimic, "GET", "/", {"Accept": BROWSER_ACCEPT})
        self.assertEqual(response.code, 302)
        self.assertEqual(response.header("location"), DASHBOARD)

    def test_curl_and_api_clients_keep_the_help_text(self) -> None:
        for accept in (None, "*/*", "application/json", "text/plain"):
            headers = {"Accept": accept} if accept else {}
            response = unfollowed(self.mimic, "GET", "/", headers)
            self.assertEqual(response.code, 200, accept)
            self.assertEqual(response.header("content-type"), "text/plain; charset=utf-8")
            self.assertIn(b"This is Mimic", response.body)
            self.assertIn(b"/mimic/dashboard/", response.body)


class PageContentTests(SynchronousTestCase):
    """
    What the files say: only Mimic's own URLs, labelled controls, and no
    service known by name.
    """

    def setUp(self) -> None:
        files = dashboard_files()
        self.page = files[b""].content.decode("utf-8")
        self.script = files[b"dashboard.js"].content.decode("utf-8")
        self.style = files[b"dashboard.css"].content.decode("utf-8")

    def test_page_loads_only_its_own_files(self) -> None:
        sources = re.findall(r'(?:src|href)="([^"#]*)"', self.page)
        self.assertTrue(sources)
        for source in sources:
            # "data:," is the empty icon (no request for /favicon.ico).
            self.assertTrue(source.startswith("/mimic/") or source == "data:,", source)
        self.assertNotIn("://", self.script.replace("location.href", ""))
        self.assertNotIn("@import", self.style)

    def test_every_control_of_the_page_has_a_label(self) -> None:
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', self.page)
        labelled = set(re.findall(r'<label for="([^"]+)"', self.page))
        wrapped = re.findall(r"<label><input[^>]*\bid=\"([^\"]+)\"", self.page)
        for control in ids:
            self.assertTrue(control in labelled or control in wrapped, control)

    def test_script_names_no_service(self) -> None:
        """
        Services come from the control API's JSON: a plugin's resources
        and conditions appear with no dashboard code.
        """
        from mimic.core import discover_plugins

        for plugin in discover_plugins():
            self.assertNotRegex(self.script, rf"\b{re.escape(plugin.name)}\b", plugin.name)

    def test_script_calls_only_the_control_api(self) -> None:
        self.assertIn('const API = "/mimic/v1.1";', self.script)
        self.assertEqual(self.script.count("fetch("), 1)
