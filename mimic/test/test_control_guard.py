"""
Tests for :mod:`mimic.control.guard`: state-changing control calls from a
foreign web page, or with a body a cross-site form could send, are
refused before the control API sees them; everything a script or the
dashboard sends is served as before.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.control.guard import _is_loopback, is_json_type, is_same_origin
from mimic.testing import InMemoryMimic, Response

TICK = "/mimic/v1.1/tick"
RESET = "/mimic/v1.1/reset"
CLOCK = "/mimic/v1.1/clock"


class _Request:
    """
    Just enough of a request for :func:`is_same_origin`.
    """

    def __init__(self, host: str | None, secure: bool = False) -> None:
        self.host = host
        self.secure = secure

    def getHeader(self, name: bytes) -> bytes | None:
        return self.host.encode() if name.lower() == b"host" and self.host is not None else None

    def isSecure(self) -> bool:
        return self.secure

    def getHost(self) -> Any:
        class Address:
            host = "127.0.0.1"
            port = 8900

        return Address()


class OriginTests(SynchronousTestCase):
    def test_same_scheme_host_and_port_is_same_origin(self) -> None:
        self.assertTrue(is_same_origin("http://localhost:8900", _Request("localhost:8900")))

    def test_default_port_is_the_schemes(self) -> None:
        self.assertTrue(is_same_origin("http://mimic.test", _Request("mimic.test:80")))
        self.assertTrue(is_same_origin("http://mimic.test:80", _Request("mimic.test")))

    def test_host_case_does_not_matter(self) -> None:
        self.assertTrue(is_same_origin("http://LOCALHOST:8900", _Request("localhost:8900")))

    def test_other_port_host_or_scheme_is_foreign(self) -> None:
        request = _Request("localhost:8900")
        for origin in ("http://localhost:8901", "http://127.0.0.1:8900", "https://localhost:8900",
                       "http://localhost", "null", "", "localhost:8900", "http://localhost:x"):
            self.assertFalse(is_same_origin(origin, request), origin)

    def test_without_host_header_the_listening_address_counts(self) -> None:
        self.assertTrue(is_same_origin("http://127.0.0.1:8900", _Request(None)))

    def test_json_types(self) -> None:
        for accepted in ("application/json", "application/json; charset=utf-8",
                         "Application/JSON", "application/merge-patch+json"):
            self.assertTrue(is_json_type(accepted), accepted)
        for refused in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                        "text/json", "application/jsonp", ""):
            self.assertFalse(is_json_type(refused), refused)


class GuardTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic()

    def clock(self) -> float:
        return float(self.mimic.request("GET", CLOCK).json()["seconds"])

    def tick(self, headers: dict[str, str], raw: bytes | None = b'{"amount": 5}') -> Response:
        return self.mimic.request("POST", TICK, raw=raw, headers=headers)

    def assertRefused(self, response: Response, status: int, fragment: str) -> None:
        self.assertEqual(response.code, status, response.body)
        self.assertEqual(response.header("content-type"), "application/json")
        self.assertEqual(response.json()["code"], status)
        self.assertIn(fragment, response.json()["message"])

    def test_foreign_origin_is_refused_with_403_and_nothing_changes(self) -> None:
        before = self.clock()
        response = self.tick({"Origin": "http://evil.example", "Content-Type": "application/json"})
        self.assertRefused(response, 403, "http://evil.example")
        self.assertEqual(self.clock(), before)

    def test_null_origin_is_refused(self) -> None:
        self.assertRefused(self.tick({"Origin": "null", "Content-Type": "application/json"}), 403, "null")

    def test_own_origin_is_served(self) -> None:
        before = self.clock()
        response = self.mimic.request(
            "POST", "http://localhost:8900" + TICK, raw=b'{"amount": 5}',
            headers={"Origin": "http://localhost:8900", "Content-Type": "application/json"},
        )
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(self.clock(), before + 5)

    def test_page_reaching_loopback_under_another_name_is_refused(self) -> None:
        """
        DNS rebinding: a page on a domain that resolves to 127.0.0.1 sends
        its own origin and host, which agree; Mimic, on loopback, knows
        that is not its name.  (The in-memory Mimic listens on loopback.)
        """
        before = self.clock()
        response = self.tick({"Origin": "http://mimic.test", "Content-Type": "application/json"})
        self.assertRefused(response, 403, "resolve to 127.0.0.1")
        self.assertEqual(self.clock(), before)

    def test_loopback_names(self) -> None:
        for host in ("localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1"):
            self.assertTrue(_is_loopback(host), host)
        for host in ("mimic.test", "10.0.0.1", "localhost.evil.example", ""):
            self.assertFalse(_is_loopback(host), host)

    def test_no_origin_is_served(self) -> None:
        self.assertEqual(self.tick({"Content-Type": "application/json"}).code, 200)

    def test_form_and_text_bodies_are_refused_with_415(self) -> None:
        before = self.clock()
        # (A malformed multipart body is refused by Twisted itself, 400.)
        for content_type in ("application/x-www-form-urlencoded", "text/plain", "text/plain; charset=utf-8"):
            response = self.tick({"Content-Type": content_type})
            self.assertRefused(response, 415, "Content-Type: application/json")
            self.assertIn(content_type.split(";")[0], response.json()["message"])
        self.assertEqual(self.clock(), before)

    def test_body_without_content_type_from_a_page_is_refused_with_415(self) -> None:
        """
        A page's ``fetch`` of a typeless Blob sends a body with no
        ``Content-Type``, and names the page's origin.
        """
        before = self.clock()
        response = self.mimic.request(
            "POST", "http://localhost:8900" + TICK, raw=b'{"amount": 5}',
            headers={"Origin": "http://localhost:8900"},
        )
        self.assertRefused(response, 415, "no Content-Type")
        self.assertEqual(self.clock(), before)

    def test_body_without_content_type_or_origin_is_served(self) -> None:
        """
        Suites written for the old mimic post JSON with no type (treq's
        ``data=json.dumps(...)``); no browser sends a body without naming
        its origin, so they are served.
        """
        before = self.clock()
        self.assertEqual(self.tick({}).code, 200)
        self.assertEqual(self.clock(), before + 5)

    def test_post_without_body_or_content_type_is_served(self) -> None:
        """
        ``curl -X POST .../reset`` sends neither.
        """
        self.mimic.authenticate("alice")
        response = self.mimic.request("POST", RESET)
        self.assertEqual(response.code, 200, response.body)
        self.assertEqual(response.json(), {"reset": "all", "tenant_id": None})

    def test_form_type_without_body_is_refused(self) -> None:
        """
        A cross-site form may send an empty body; its type gives it away.
        """
        self.assertRefused(self.tick({"Content-Type": "text/plain"}, raw=None), 415, "text/plain")

    def test_delete_and_put_are_guarded(self) -> None:
        response = self.mimic.request("DELETE", "/mimic/v1.1/behaviors", headers={"Origin": "http://x.test"})
        self.assertRefused(response, 403, "http://x.test")
        response = self.mimic.request("PUT", "/mimic/v1.1/state", raw=b"a=b",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertRefused(response, 415, "application/x-www-form-urlencoded")

    def test_reads_are_not_guarded(self) -> None:
        response = self.mimic.request("GET", CLOCK, headers={"Origin": "http://evil.example"})
        self.assertEqual(response.code, 200)

    def test_json_registration_from_the_dashboard_is_served(self) -> None:
        response = self.mimic.request(
            "POST", "http://127.0.0.1:8900/mimic/v1.1/compute/behaviors/server.create",
            {"name": "error", "criteria": [{"server_name": "^bad-"}]},
            headers={"Origin": "http://127.0.0.1:8900", "Content-Type": "application/json; charset=utf-8"},
        )
        self.assertEqual(response.code, 201, response.body)

    def test_service_apis_are_not_guarded(self) -> None:
        """
        The guard is the control plane's: a service's own API (which
        needs a token) takes what it takes.
        """
        response = self.mimic.request(
            "POST", "/identity/v2.0/tokens",
            {"auth": {"passwordCredentials": {"username": "u", "password": "p"}}},
            headers={"Origin": "http://elsewhere.example"},
        )
        self.assertEqual(response.code, 200)
