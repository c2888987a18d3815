# -*- test-case-name: mimic.test.test_http -*-
"""
Request and response helpers every service shares: JSON bodies with size
limits, errors as exceptions carrying their response, and paging.

Each service shapes its own error bodies (Nova's ``{"itemNotFound": ...}``,
Keystone's ``{"error": ...}``, CLB's ``{"message", "code"}``) and raises them
as :class:`HTTPError`.  :func:`handle_errors` gives a Klein app the one set
of error handlers every Mimic app uses (its own errors, unknown paths and
methods, a malformed metadata trigger, the model's domain errors, and
anything unexpected, all in the service's shape), so handlers stay
straight-line code and a plugin never shows werkzeug's HTML pages.
"""

from __future__ import annotations

import json
import re
from uuid import uuid4
from typing import Any, Callable, Mapping, Sequence, TypeVar, Union, cast

from attrs import frozen

from klein import Klein
from klein._decorators import bindable
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from twisted.web.server import Request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from mimic import lazy_routes
from mimic.failures import BadRegistration

# Before any Klein app declares its routes: every service imports this
# module first.
lazy_routes.install()

log = Logger()

#: The largest body Mimic buffers at all.  Beyond it the rest is discarded
#: unread and the request is answered 413 by whichever service it was for.
HARD_BODY_LIMIT = 1024 * 1024

#: The header every OpenStack service answers with its id for the request
#: (``req-<uuid>``), which clients log beside each call.
REQUEST_ID_HEADER = b"x-openstack-request-id"

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
    A request that stops buffering its body past a limit
    (:data:`HARD_BODY_LIMIT` unless the site's root allows more for the
    path, as for object uploads), so an oversized upload costs no memory;
    :func:`read_json` then answers 413.
    """

    body_too_large = False
    _body_length = 0
    _body_limit = HARD_BODY_LIMIT

    def gotLength(self, length: int | None) -> None:
        self._body_limit = self._limit_for_path()
        if length is not None and length > self._body_limit:
            self.body_too_large = True
            length = 0
        super().gotLength(length)

    def _limit_for_path(self) -> int:
        # The channel has read the request line but not yet made the
        # request's own ``path``; the root decides by the path.
        path = getattr(self.channel, "_path", None)
        root = getattr(getattr(self.channel, "site", None), "resource", None)
        decide = getattr(root, "body_limit", None)
        if not isinstance(path, bytes) or decide is None:
            return HARD_BODY_LIMIT
        return int(decide(path))

    def handleContentChunk(self, data: bytes) -> None:
        self._body_length += len(data)
        if self._body_length > self._body_limit:
            self.body_too_large = True
        if not self.body_too_large:
            super().handleContentChunk(data)


@frozen
class RawBody:
    """
    A response body that is not JSON (Swift's errors are text), with its
    content type and any headers it needs that the response does not
    have yet; :func:`json_response` and the error handlers send it as it
    is.
    """

    content: bytes
    content_type: bytes
    headers: Mapping[bytes, bytes] = {}


def stamp_request_id(request: IRequest) -> str:
    """
    Give the response a new request id, as OpenStack's services do
    before anything else, so that errors carry one too.
    """
    identifier = f"req-{uuid4()}"
    request.setHeader(REQUEST_ID_HEADER, identifier.encode("ascii"))
    return identifier


def request_id(request: IRequest) -> str:
    """
    The id the response carries (a service may have set its own, as
    Swift's transaction ids), or ``""``.
    """
    values = request.responseHeaders.getRawHeaders(REQUEST_ID_HEADER)
    return values[-1].decode("ascii", "replace") if values else ""


def json_response(
    request: IRequest,
    body: Any,
    status: int = 200,
    headers: Mapping[bytes, bytes] | None = None,
) -> bytes:
    """
    Set status and JSON content type, and return the encoded body (for a
    Klein handler to return).  ``body=None`` sends an empty body, as for
    204; a :class:`RawBody` is sent as it is.
    """
    request.setResponseCode(status)
    for name, value in (headers or {}).items():
        request.setHeader(name, value)
    if body is None:
        return b""
    if isinstance(body, RawBody):
        for name, value in body.headers.items():
            if not request.responseHeaders.hasHeader(name):
                request.setHeader(name, value)
        request.setHeader(b"content-type", body.content_type)
        return body.content
    request.setHeader(b"content-type", JSON_CONTENT_TYPE)
    return encode_json(body)


#: A message for an error response: text in which ``{path}`` and
#: ``{method}`` stand for the request's, or a function of the request.
Message = Union[str, Callable[[IRequest], str]]


def _message(message: Message, request: IRequest) -> str:
    if callable(message):
        return message(request)
    return message.format(
        path=request.path.decode("utf-8", "replace"),
        method=request.method.decode("ascii", "replace"),
    )


def handle_errors(
    app: Klein,
    error: ErrorFactory,
    *,
    not_found: Message = "The resource could not be found.",
    not_allowed: Message = "The method specified is not allowed for this resource.",
    unexpected: str = "An unexpected error occurred; Mimic's log says what went wrong.",
    domain_errors: Mapping[type[Exception], Callable[[Any], HTTPError]] | None = None,
) -> None:
    """
    Give ``app`` the error handlers every Mimic app needs, each answering
    in the service's own shape through ``error(status, message)``:

    * an :class:`HTTPError` raised by a handler is written out as it is;
    * an unknown path is ``error(404, not_found)``, a method the path does
      not take ``error(405, not_allowed)`` with an ``Allow`` header;
    * each exception type in ``domain_errors`` (errors a model raises, such
      as "no such server") becomes the :class:`HTTPError` its function
      makes of it;
    * a malformed metadata trigger (:class:`mimic.failures.BadRegistration`
      from :meth:`mimic.failures.FailureEngine.decide`) is the client's 400
      with the engine's message, unless ``domain_errors`` words it;
    * anything else is logged with its traceback and answered
      ``error(500, unexpected)``, never with a traceback.

    A path with an empty segment (``.../v2/<tenant>//servers``) is an
    unknown path, answered 404 like any other: werkzeug would redirect it
    to the path with its slashes merged, with an HTML page, and a service
    whose catch-all handler caught that redirect answered 500.  The real
    services match each segment as given (Nova's and Glance's routers
    find nothing for an empty one), and a client that doubled a slash
    should learn it from Mimic as it would from them, rather than be
    silently redirected (a POST's body and all).  The one redirect left,
    werkzeug's from ``/x`` to ``/x/`` for a route declared only with the
    trailing slash, is answered without werkzeug's HTML page.

    Call it once, in the class body, right after ``app = Klein()``: Klein
    tries handlers in the order they were added, and these must come
    before none of the app's own.  The routes added after it match
    segments as given.
    """
    translations = dict(domain_errors or {})
    app.url_map.merge_slashes = False

    def respond(request: IRequest, failed: HTTPError) -> bytes:
        return json_response(request, failed.body, failed.status, failed.headers)

    def on_http_error(request: IRequest, failure: Failure) -> bytes:
        return respond(request, cast(HTTPError, failure.value))

    def on_not_found(request: IRequest, failure: Failure) -> bytes:
        return respond(request, error(404, _message(not_found, request)))

    def on_not_allowed(request: IRequest, failure: Failure) -> bytes:
        refused = error(405, _message(not_allowed, request))
        allowed = cast(MethodNotAllowed, failure.value).valid_methods
        if allowed and b"allow" not in {name.lower() for name in refused.headers}:
            refused.headers[b"allow"] = ", ".join(sorted(allowed)).encode("ascii")
        return respond(request, refused)

    def on_bad_trigger(request: IRequest, failure: Failure) -> bytes:
        return respond(request, error(400, str(failure.value)))

    def on_domain_error(request: IRequest, failure: Failure) -> bytes:
        for kind, translate in translations.items():
            if isinstance(failure.value, kind):
                return respond(request, translate(failure.value))
        failure.raiseException()
        raise AssertionError("unreachable")

    def on_redirect(request: IRequest, failure: Failure) -> bytes:
        redirect = cast(RequestRedirect, failure.value)
        request.setResponseCode(redirect.code)
        request.setHeader(b"location", redirect.new_url.encode("utf-8"))
        return b""

    def on_other_routing_answer(request: IRequest, failure: Failure) -> bytes:
        answer = cast(HTTPException, failure.value)
        return respond(request, error(answer.code or 400, answer.description or answer.name))

    def on_unexpected(request: IRequest, failure: Failure) -> bytes:
        log.failure(
            "Unexpected error answering {method} {path}",
            failure,
            method=request.method,
            path=request.path,
        )
        return respond(request, error(500, unexpected))

    handlers: list[tuple[tuple[type[Exception], ...], Callable[[IRequest, Failure], bytes]]] = [
        ((HTTPError,), on_http_error),
        ((NotFound,), on_not_found),
        ((MethodNotAllowed,), on_not_allowed),
    ]
    if translations:
        # Before the bad trigger's own answer, so that a service can word
        # that one its own way too.
        handlers.append((tuple(translations), on_domain_error))
    handlers.append(((BadRegistration,), on_bad_trigger))
    handlers.append(((RequestRedirect,), on_redirect))
    handlers.append(((HTTPException,), on_other_routing_answer))
    handlers.append(((Exception,), on_unexpected))
    for kinds, handler in handlers:
        # bindable: called with the app's instance first (None for an app
        # at module level), which these handlers do not need.
        app.handle_errors(*kinds)(cast(Any, bindable(_drop_instance(handler))))


def _drop_instance(
    handler: Callable[[IRequest, Failure], bytes]
) -> Callable[[Any, IRequest, Failure], bytes]:
    def with_instance(instance: Any, request: IRequest, failure: Failure) -> bytes:
        return handler(request, failure)

    return with_instance


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


# Mounting Klein apps in the resource tree.


def plain_error(status: int, message: str) -> HTTPError:
    """
    An error in the ``{"message", "code"}`` shape (see
    :func:`plain_error_body`).
    """
    return HTTPError(status, plain_error_body(status, message))


def plain_error_body(status: int, message: str) -> dict[str, Any]:
    return {"message": message, "code": status}


def imply_tenant(request: IRequest) -> None:
    """
    Mark a request whose URL left its tenant out (DevStack's
    ``/compute/v2.1/servers``): the dispatch put the token's in its path,
    and a service's links should leave it out again, as the client's URL
    did (see :mod:`mimic.mounts`).
    """
    setattr(request, "_mimic_tenant_implied", True)


def tenant_implied(request: IRequest) -> bool:
    """
    Whether the request's URL left its tenant out (:func:`imply_tenant`).
    """
    return bool(getattr(request, "_mimic_tenant_implied", False))


def unroutable_url(request: IRequest) -> tuple[int, str] | None:
    """
    Klein needs the host and every path segment in UTF-8 (and answers an
    HTML 400 otherwise), and joins segments with slashes, so that an
    encoded slash (``%2F``) in one would make werkzeug redirect to some
    other path.  Say what is wrong so that the service can answer in its
    own shape: 404 for a path (no resource is named that way), 400 for a
    host.
    """
    try:
        request.getRequestHostname().decode("utf-8")
    except UnicodeDecodeError:
        return 400, "The Host header is not UTF-8."
    for segment in [*request.prepath, *request.postpath]:
        try:
            segment.decode("utf-8")
        except UnicodeDecodeError:
            return 404, "The resource could not be found: the path is not UTF-8."
        if b"/" in segment:
            return 404, "The resource could not be found: no name holds an encoded '/'."
    return None


class Mounted(Resource):
    """
    A Klein app mounted at a path.  Klein sees the path below the mount
    point; the mount point itself reaches it as ``/`` (rather than the
    empty path, which werkzeug would redirect).  ``error_body(status,
    message)`` shapes the errors answered before the app sees a request.
    """

    isLeaf = True

    def __init__(
        self,
        app_resource: IResource,
        error_body: Callable[[int, str], Any] = plain_error_body,
    ) -> None:
        super().__init__()
        self.app_resource = app_resource
        self.error_body = error_body

    def render(self, request: IRequest) -> Any:
        if not request.postpath:
            request.postpath = [b""]
        bad = unroutable_url(request)
        if bad is not None:
            status, message = bad
            return json_response(request, self.error_body(status, message), status)
        return self.app_resource.render(request)


class NotFoundResource(Resource):
    """
    A 404 for any method, in ``error_body``'s shape (the root's own,
    ``{"message", "code"}``, by default).
    """

    isLeaf = True

    def __init__(self, error_body: Callable[[int, str], Any] = plain_error_body) -> None:
        super().__init__()
        self.error_body = error_body

    def render(self, request: IRequest) -> bytes:
        path = request.path.decode("utf-8", "replace")
        return json_response(request, self.error_body(404, f"Mimic serves nothing at {path}; GET / for help."), 404)
