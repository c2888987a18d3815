# -*- test-case-name: mimic.test.test_robustness_integration -*-
"""
Malformed HTTP against a real ``twistd mimic``: bad request lines, huge
headers, bodies longer or shorter than their ``Content-Length``, chunked
garbage, hosts that are not UTF-8, connections dropped half way.  Twisted's
HTTP parser answers what is not HTTP at all; what Mimic must show is that
none of it reaches a 500 and that it keeps serving the next client.
"""

from __future__ import annotations

import errno
import json
import socket
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.http import HTTPChannel

from mimic.testing import pristine_mimic, start_mimic

TOKENS = b"/identity/v2.0/tokens"
AUTH = json.dumps(
    {"auth": {"passwordCredentials": {"username": "raw", "password": "p"}}}
).encode()


#: How a conversation with Mimic ended: Mimic closed the connection
#: (cleanly or with a reset), or went quiet for the whole wait.
CLOSED = "closed"
QUIET = "quiet"

#: What a client may meet writing to a connection Mimic has already
#: closed (or reset): the end of the conversation, not a failure.
HUNG_UP = (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.ESHUTDOWN)


def status_of(response: bytes) -> int | None:
    """
    The status code of the first response in ``response``, if any.
    """
    if not response.startswith(b"HTTP/1."):
        return None
    return int(response.split(b" ", 2)[1])


class RawHTTPTests(SynchronousTestCase):
    """
    Each case against its own real Mimic, then a normal client.
    """

    def setUp(self) -> None:
        self.url = pristine_mimic()
        parts = urlsplit(self.url)
        assert parts.hostname is not None and parts.port is not None
        self.address = (parts.hostname, parts.port)

    def exchange(self, data: bytes, half_close: bool = True, wait: float = 5.0) -> bytes:
        """
        Send raw bytes on a new connection; everything Mimic answers
        until it closes the connection or ``wait`` seconds pass quietly.
        """
        return self.converse(data, half_close, wait)[0]

    def converse(self, data: bytes, half_close: bool = True, wait: float = 5.0) -> tuple[bytes, str]:
        """
        As :meth:`exchange`, and how the conversation ended: ``CLOSED``
        or ``QUIET``.

        Mimic may refuse a request before it has all of it, and close
        the connection with the rest unread; the client then meets the
        closed connection (a reset, a broken pipe, or, half-closing
        after the reset, "not connected") at whatever step it has got
        to.  Which step is a race, so all of them end the conversation
        the same way: the client stops sending and reads what Mimic
        answered before it hung up.
        """
        received = b""
        with socket.create_connection(self.address, timeout=wait) as connection:
            try:
                connection.sendall(data)
                if half_close:
                    connection.shutdown(socket.SHUT_WR)
            except OSError as error:
                if error.errno not in HUNG_UP:
                    raise
            try:
                while True:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return received, CLOSED
                    received += chunk
            except socket.timeout:
                return received, QUIET
            except OSError as error:
                if error.errno not in HUNG_UP:
                    raise
                return received, CLOSED

    def assertStillServing(self) -> None:
        """
        A well-formed client is served normally afterwards.
        """
        request = urllib.request.Request(
            f"{self.url}/identity/v2.0/tokens",
            data=AUTH,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            self.assertEqual(response.status, 200)
            body: Any = json.loads(response.read())
        self.assertIn("token", body["access"])

    def assertNoServerError(self, response: bytes) -> None:
        status = status_of(response)
        if status is not None:
            self.assertLess(status, 500, response[:300])
        self.assertNotIn(b"Traceback", response)

    def test_bad_request_line_is_refused_and_mimic_keeps_serving(self) -> None:
        """
        Request lines that are not HTTP, or too long, are refused by
        Twisted, never with a 500.
        """
        for line in (b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9 extra\r\n\r\n",
                     b"\x00\xff\xfe\r\n\r\n", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"):
            response = self.exchange(line)
            self.assertNoServerError(response)
        self.assertStillServing()

    def test_huge_headers_are_refused_and_mimic_keeps_serving(self) -> None:
        """
        A 200 KB header, or two thousand headers, cost one refused
        connection: Mimic hangs up (with a 400 if it answers at all,
        which it does not when one line alone is too long) and serves
        the next client.  Mimic stops reading at the limit, so how much
        of the rest the client manages to send is a race; the test
        asserts only what does not depend on it.
        """
        many = b"".join(b"X-%d: y\r\n" % i for i in range(2000))
        for headers in (b"X-Big: " + b"a" * 200_000 + b"\r\n", many):
            response, ended = self.converse(b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
            self.assertEqual(ended, CLOSED, response[:300])
            self.assertIn(status_of(response), (None, 400), response[:300])
            self.assertNoServerError(response)
        self.assertStillServing()

    def test_headers_past_the_limits_are_answered_400(self) -> None:
        """
        A request that goes past the limit on the number of headers, or
        on their total size, with its very last line is answered 400 and
        the connection closed.  Mimic has read all of it by then, so the
        answer reaches the client every time.
        """
        request = b"GET / HTTP/1.1\r\nHost: x\r\n"
        # A header is counted when the line after it arrives: here, the
        # blank line that ends the headers.
        one_too_many = b"".join(b"X-%d: y\r\n" % i for i in range(HTTPChannel.maxHeaders)) + b"\r\n"
        # Size is counted as each line arrives: the second goes past.
        line = HTTPChannel.totalHeadersSize // 2
        too_large = (b"X-Big: " + b"a" * line + b"\r\n") * 2
        for headers in (one_too_many, too_large):
            response, ended = self.converse(request + headers)
            self.assertEqual((status_of(response), ended), (400, CLOSED), response[:300])
        self.assertStillServing()

    def test_body_longer_than_its_content_length(self) -> None:
        """
        The bytes past ``Content-Length`` are read as the next request,
        which is garbage: the first request is answered (a truncated JSON
        body is a 400), the rest refused.
        """
        data = (b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10\r\n\r\n" + AUTH)
        response = self.exchange(data, half_close=False, wait=2.0)
        self.assertEqual(status_of(response), 400, response[:300])
        self.assertIn(b'"error"', response)
        self.assertNoServerError(response)
        self.assertStillServing()

    def test_body_shorter_than_its_content_length(self) -> None:
        """
        A client that promises more than it sends and hangs up leaves
        nothing behind.
        """
        data = (b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n" + AUTH)
        response = self.exchange(data, wait=2.0)
        self.assertNoServerError(response)
        self.assertStillServing()

    def test_bad_content_length_and_chunked_garbage(self) -> None:
        """
        Content lengths that are not numbers or disagree, and chunk
        sizes that are not hex, too large or cut short.
        """
        for data in (
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}",
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            b"Content-Length: 3\r\n\r\n{}",
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"zz\r\ngarbage\r\n0\r\n\r\n",
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"ffffffffffffffffffff\r\n{}\r\n",
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}",
        ):
            response = self.exchange(data, wait=2.0)
            self.assertNoServerError(response)
        self.assertStillServing()

    def test_chunked_json_body_is_read(self) -> None:
        """
        A well-formed chunked body is a body like any other.
        """
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(AUTH[i:i + 16]), AUTH[i:i + 16])
                          for i in range(0, len(AUTH), 16))
        response = self.exchange(
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n"
        )
        self.assertEqual(status_of(response), 200, response[:300])

    def test_host_that_is_not_utf8_gets_a_json_400(self) -> None:
        """
        Klein cannot route a request whose Host is not UTF-8; Mimic
        answers it in the service's own shape.
        """
        response = self.exchange(
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: \xff\xfe\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(AUTH) + AUTH
        )
        self.assertEqual(status_of(response), 400, response[:300])
        body = json.loads(response.split(b"\r\n\r\n", 1)[1])
        self.assertEqual(body["error"]["code"], 400)
        self.assertStillServing()

    def test_oversized_body_is_413_and_mimic_keeps_serving(self) -> None:
        """
        Three megabytes are discarded unread and answered 413.
        """
        size = 3 * 1024 * 1024
        response = self.exchange(
            b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size + b" " * size,
            wait=10.0,
        )
        self.assertEqual(status_of(response), 413, response[:300])
        self.assertStillServing()

    def test_dropped_connections_leave_mimic_serving(self) -> None:
        """
        Fifty clients hanging up in the middle of their headers.
        """
        for _ in range(50):
            with socket.create_connection(self.address, timeout=5) as connection:
                connection.sendall(b"POST " + TOKENS + b" HTTP/1.1\r\nHost: x\r\nContent-Le")
        self.assertStillServing()


class IdleConnectionTests(SynchronousTestCase):
    """
    Connections that never finish a request do not pile up: Mimic keeps
    serving while they are open, and closes them after its idle timeout
    (a minute by default; one second where a test waits for it).
    """

    def start(self, idle_timeout: float) -> None:
        self.url = start_mimic(self, "--idle-timeout", str(idle_timeout))
        parts = urlsplit(self.url)
        assert parts.hostname is not None and parts.port is not None
        self.address = (parts.hostname, parts.port)
        self.idle: list[socket.socket] = []
        self.addCleanup(self.close_idle)

    def close_idle(self) -> None:
        for connection in self.idle:
            connection.close()

    def open_idle(self, count: int, data: bytes = b"") -> None:
        for _ in range(count):
            connection = socket.create_connection(self.address, timeout=5)
            if data:
                connection.sendall(data)
            self.idle.append(connection)

    def test_a_fresh_request_is_served_while_many_connections_idle(self) -> None:
        self.start(60)
        self.open_idle(200)
        self.open_idle(200, b"GET /identity/v2.0 HTTP/1.1\r\nHost: x\r\n")
        request = urllib.request.Request(
            f"{self.url}/identity/v2.0/tokens", data=AUTH,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            self.assertEqual(response.status, 200)

    def test_an_idle_connection_is_closed_after_the_timeout(self) -> None:
        self.start(1)
        for data in (b"", b"GET /identity/v2.0 HTTP/1.1\r\nHost: x\r\n"):
            with socket.create_connection(self.address, timeout=10) as connection:
                if data:
                    connection.sendall(data)
                started = time.monotonic()
                try:
                    leftover = connection.recv(65536)
                except OSError as error:
                    if error.errno not in HUNG_UP:
                        raise
                    leftover = b""
                waited = time.monotonic() - started
            self.assertLess(waited, 8, data)
            self.assertNotIn(b"HTTP/1.1 5", leftover)
