# -*- test-case-name: mimic.test.test_http -*-
"""
Request and response helpers every service shares: JSON bodies with size
limits, errors as exceptions carrying their response, and paging.

Each service shapes its own error bodies (Nova's ``{"itemNotFound": ...}``,
Keystone's ``{"error": ...}``, CLB's ``{"message", "code"}``) and raises them
as :class:`HTTPError`; :func:`render_error` writes any of them out, so
handlers stay straight-line code.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping, Sequence, TypeVar

from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.server import Request

#: The largest body Mimic buffers at all.  Beyond it the rest is discarded
#: unread and the request is answered 413 by whichever service it was for.
HARD_BODY_LIMIT = 1024 * 1024

#: Keystone and Nova refuse bodies over 112 KiB (``max_request_body_size``).
DEFAULT_BODY_LIMIT = 114688

JSON_CONTENT_TYPE = b"application/json"

#: Encodes response bodies: compact, UTF-8 rather than ``\u`` escapes,
#: and without the check for circular structures (bodies are trees built
#: per request).  Together that halves the cost of encoding a large
#: listing, which is most of what serving one costs.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)

#: For the rare body holding a lone surrogate (a client may send one as a
#: ``\ud800`` escape), which has no UTF-8 form: escaped, as before.
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"))


#: What a lone surrogate looks like in a body, escaped or (as Python's
#: parser also reads) encoded: where one may be, the parsed body is
#: checked for text that has no UTF-8 form, which names, hashes and
#: headers made from it could not be encoded to.
_SURROGATE = re.compile(rb"\\[uU][dD][89a-fA-F]|\xed[\xa0-\xbf]")


def encode_json(body: Any) -> bytes:
    """
    ``body`` as compact JSON in UTF-8.
    """
    text = _ENCODER.encode(body)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ASCII_ENCODER.encode(body).encode("ascii")


class HTTPError(Exception):
    """
    An error response, already in the shape of the service raising it.
    """

    def __init__(
        self, status: int, body: Any, headers: Mapping[bytes, bytes] | None = None
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


#: Builds a service's error for a status and message.
ErrorFactory = Callable[[int, str], HTTPError]


class MimicRequest(Request):
    """
    A request that stops buffering its body past :data:`HARD_BODY_LIMIT`,
    so an oversized upload costs no memory; :func:`read_json` then answers
    413.
    """

    body_too_large = False
    _body_length = 0

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > HARD_BODY_LIMIT:
            self.body_too_large = True
            length = 0
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        self._body_length += len(data)
        if self._body_length > HARD_BODY_LIMIT:
            self.body_too_large = True
        if not self.body_too_large:
            super().handleContentChunk(data)


def json_response(
    request: IRequest,
    body: Any,
    status: int = 200,
    headers: Mapping[bytes, bytes] | None = None,
) -> bytes:
    """
    Set status and JSON content type, and return the encoded body (for a
    Klein handler to return).  ``body=None`` sends an empty body, as for
    204.
    """
    request.setResponseCode(status)
    for name, value in (headers or {}).items():
        request.setHeader(name, value)
    if body is None:
        return b""
    request.setHeader(b"content-type", JSON_CONTENT_TYPE)
    return encode_json(body)


def render_error(request: IRequest, failure: Failure) -> bytes:
    """
    Write out an :class:`HTTPError`; for use with Klein's ``handle_errors``.
    """
    error = failure.value
    return json_response(request, error.body, error.status, error.headers)


def read_json(
    request: IRequest,
    error: ErrorFactory,
    limit: int = DEFAULT_BODY_LIMIT,
    required: bool = True,
) -> Any:
    """
    Parse the request's JSON body, raising ``error(413, ...)`` when it is
    over ``limit`` bytes and ``error(400, ...)`` when it is not JSON.  An
    empty body is ``None`` unless ``required``.
    """
    if getattr(request, "body_too_large", False):
        raise error(413, f"Request body is larger than the limit of {limit} bytes.")
    content = request.content.read() if request.content is not None else b""
    if len(content) > limit:
        raise error(413, f"Request body is larger than the limit of {limit} bytes.")
    if not content.strip():
        if required:
            raise error(400, "The request body is empty; a JSON object was expected.")
        return None
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError) as e:
        raise error(400, f"Malformed request body: {e}")
    except RecursionError:
        # Python's parser recurses once per level of nesting.
        raise error(400, "Malformed request body: JSON nested too deeply.")
    if _SURROGATE.search(content):
        try:
            _ENCODER.encode(body).encode("utf-8")
        except UnicodeEncodeError:
            raise error(400, "Malformed request body: a string holds a lone UTF-16 surrogate.")
    return body


def require_object(value: Any, what: str, error: ErrorFactory) -> dict[str, Any]:
    """
    ``value`` if it is a JSON object, else ``error(400, ...)`` naming it.
    """
    if not isinstance(value, dict):
        raise error(400, f"Invalid input: '{what}' must be an object.")
    return value


def require_string(
    obj: Mapping[str, Any], key: str, error: ErrorFactory, where: str = ""
) -> str:
    """
    ``obj[key]`` if it is a non-empty string, else ``error(400, ...)``.
    """
    value = obj.get(key)
    label = f"{where}.{key}" if where else key
    if value is None:
        raise error(400, f"Invalid input: '{label}' is required.")
    if not isinstance(value, str) or not value:
        raise error(400, f"Invalid input: '{label}' must be a non-empty string.")
    return value


def query_arg(request: IRequest, name: str) -> str | None:
    """
    The first value of a query argument, decoded; None if absent.
    """
    values = request.args.get(name.encode("ascii"))
    if not values:
        return None
    return values[0].decode("utf-8", "replace")


def header(request: IRequest, name: str) -> str | None:
    """
    A request header's value as text; None if absent.
    """
    value = request.getHeader(name.encode("ascii"))
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def base_url(request: IRequest) -> str:
    """
    The scheme and host the client used to reach Mimic, so that URLs Mimic
    hands out lead back to the same place.
    """
    host = header(request, "host")
    if not host:
        address = request.getHost()
        host = f"{address.host}:{address.port}"
    scheme = "https" if request.isSecure() else "http"
    return f"{scheme}://{host}"


T = TypeVar("T")


def page(
    items: Sequence[T],
    key: Callable[[T], str],
    limit: int | None,
    marker: str | None,
) -> tuple[list[T], bool] | None:
    """
    One page of an already-sorted listing, as OpenStack services page:
    the items after the one whose key is ``marker``, at most ``limit`` of
    them.  Returns the page and whether more items follow, or None if the
    marker names no item (services answer that with their own 400/404).
    """
    start = 0
    if marker is not None:
        for index, item in enumerate(items):
            if key(item) == marker:
                start = index + 1
                break
        else:
            return None
    end = len(items) if limit is None else start + limit
    return list(items[start:end]), end < len(items)
