# -*- test-case-name: mimic.test.test_command,mimic.test.test_testing_helpers -*-
"""
The control API of a Mimic running elsewhere, over HTTP, with nothing but
the standard library: what the ``mimic`` command and the helpers of
:mod:`mimic.testing` talk through.

It imports neither Twisted nor the rest of Mimic, so that a shell
command starts in a fraction of a second; it knows the control API only
as URLs and JSON.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Mapping

#: Where a Mimic started with ``twistd mimic`` listens unless told
#: otherwise.
DEFAULT_URL = "http://127.0.0.1:8900"

#: The control API's root, below a Mimic's URL.
CONTROL = "/mimic/v1.1"


class Unreachable(Exception):
    """
    Nothing answered at the URL: refused, timed out, or not HTTP.
    """


class MimicAnswered(Exception):
    """
    Mimic answered with an error status; ``message`` is the one its body
    gives (the control API's ``{"message": ..., "code": ...}``).
    """

    def __init__(self, status: int, message: str, body: bytes = b"") -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.body = body


def error_message(body: bytes) -> str:
    """
    The message in an error body: the control API's ``message``, a
    service's ``{"<kind>": {"message": ...}}``, or the text itself.
    """
    try:
        parsed = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:500] or "(no message)"
    if isinstance(parsed, dict):
        if isinstance(parsed.get("message"), str):
            return parsed["message"]
        for value in parsed.values():
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"]
    return json.dumps(parsed)[:500]


def query_string(query: Mapping[str, Any] | None) -> str:
    """
    ``?a=1&b=x`` from the given values, leaving out those that are None.
    """
    if not query:
        return ""
    given = [(k, str(v)) for k, v in query.items() if v is not None]
    return "?" + urllib.parse.urlencode(given) if given else ""


class RemoteMimic:
    """
    One Mimic, reached at ``url`` (scheme, host and port, e.g.
    ``http://127.0.0.1:8900``).
    """

    def __init__(self, url: str = DEFAULT_URL, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"{url!r} is not an http:// or https:// URL")
        self.url = url.rstrip("/")
        self.timeout = timeout

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> tuple[int, bytes, str]:
        """
        Send one request to ``path`` (below the Mimic's URL) and return its
        status, body and content type; raise :class:`MimicAnswered` for an
        error status and :class:`Unreachable` when nothing answers.
        ``body`` is sent as JSON.
        """
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.url + path + query_string(query), data=data, method=method
        )
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            content = error.read()
            error.close()
            raise MimicAnswered(error.code, error_message(content), content)
        except (urllib.error.URLError, OSError, socket.timeout, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise Unreachable(f"cannot reach Mimic at {self.url}: {reason}")

    def json(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """
        :meth:`call` a control API path (below ``/mimic/v1.1``) and return
        its JSON body (None for an empty one, as a 204's).
        """
        status, content, _ = self.call(method, CONTROL + path, body, query)
        if not content:
            return None
        try:
            return json.loads(content)
        except ValueError:
            raise MimicAnswered(
                status, f"the answer from {self.url}{CONTROL}{path} is not JSON; is Mimic there?", content
            )

    def text(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        """
        GET a control API path that answers text (clouds.yaml, the
        coverage table).
        """
        _, content, _ = self.call("GET", CONTROL + path, None, query)
        return content.decode("utf-8", "replace")
