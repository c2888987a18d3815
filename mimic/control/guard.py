# -*- test-case-name: mimic.test.test_control_guard -*-
"""
The control plane's one defence against being driven by a web page.

The control API changes global state without a token (that is what makes
it convenient), and a browser open on a developer's machine can reach
Mimic on loopback.  A hostile page cannot read Mimic's answers (the
same-origin policy), but it can *send*: a cross-site ``<form>`` posts
``application/x-www-form-urlencoded``, ``multipart/form-data`` or
``text/plain``, and ``fetch`` in ``no-cors`` mode can do the same, all
without a CORS preflight.  So every state-changing call under ``/mimic``
(POST, PUT, PATCH, DELETE) must

* come from no ``Origin`` or from this very host (a browser names the
  page's origin on every cross-origin POST, so a foreign one is 403;
  on loopback, "this host" must be a loopback name or address, so that a
  domain made to resolve to 127.0.0.1 is not taken for Mimic), and
* carry a JSON ``Content-Type`` when it has a body or names a type at
  all (what a page can only send cross-site after a preflight, which
  Mimic never grants): anything else is 415.

A POST with neither body nor ``Content-Type`` (``curl -X POST .../reset``)
stays allowed, and so does a body with no ``Content-Type`` from a client
that sends no ``Origin`` (suites written for the old mimic post their JSON
so): a browser names the page's origin whenever it sends either
cross-site, and a page's typeless body (a ``fetch`` of a Blob) is 415.
Reading (GET, HEAD) is not guarded: nothing changes, and a foreign page
cannot see the answer.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource

from mimic.http import header, json_response, plain_error_body

#: The methods that change state and so are guarded.
STATE_CHANGING = frozenset({b"POST", b"PUT", b"PATCH", b"DELETE"})

#: The port a URL means when it names none, by scheme.
DEFAULT_PORTS = {"http": 80, "https": 443}

FOREIGN_ORIGIN = (
    "Refused: this request comes from a web page at {origin}, not from Mimic "
    "itself ({own}).  The control API changes state without a token, so it "
    "takes state-changing calls only from clients that send no Origin "
    "(curl, test suites) or from Mimic's own dashboard."
)

REBOUND = (
    "Refused: this web page reached Mimic, which listens on loopback, under "
    "the name {host!r}, as a page on a domain made to resolve to 127.0.0.1 "
    "would.  Open the dashboard as http://localhost:<port>/ or "
    "http://127.0.0.1:<port>/ instead."
)

NOT_JSON = (
    "The control API takes JSON only: send the body with "
    "'Content-Type: application/json' (curl: -H 'Content-Type: application/json'), "
    "not {content_type!r}.  Other types are refused because a cross-site web "
    "form can send them."
)

BODY_WITHOUT_TYPE = (
    "This request has a body but no Content-Type: send it with "
    "'Content-Type: application/json' (curl: -H 'Content-Type: application/json')."
)


def _host_and_port(netloc: str, scheme: str) -> tuple[str, int | None]:
    """
    A ``host[:port]`` as a comparable pair, the scheme's default port
    filled in; ``(netloc, None)`` when the port is not a number.
    """
    parsed = urlsplit(f"//{netloc}")
    try:
        port = parsed.port
    except ValueError:
        return netloc.lower(), None
    return (parsed.hostname or "").lower(), port if port is not None else DEFAULT_PORTS.get(scheme)


def is_same_origin(origin: str, request: IRequest) -> bool:
    """
    Whether ``origin`` (an ``Origin`` header's value) is the scheme, host
    and port this request was sent to.  ``null`` (a sandboxed or local
    page) is never the same.
    """
    scheme = "https" if request.isSecure() else "http"
    parsed = urlsplit(origin.strip())
    if parsed.scheme != scheme or not parsed.netloc:
        return False
    host = header(request, "host")
    if not host:
        address = request.getHost()
        host = f"{address.host}:{address.port}"
    return _host_and_port(parsed.netloc, scheme) == _host_and_port(host, scheme)


#: The names a page served from loopback can have.
LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_rebound(request: IRequest) -> bool:
    """
    Whether a browser reached a Mimic listening on loopback under some
    other name: a page whose domain was made to resolve to 127.0.0.1
    (DNS rebinding) would otherwise be "same origin" with Mimic.
    """
    if not _is_loopback(str(getattr(request.getHost(), "host", ""))):
        return False
    host = header(request, "host")
    if not host:
        return False
    name, _ = _host_and_port(host, "http")
    return not _is_loopback(name)


def is_json_type(content_type: str) -> bool:
    """
    ``application/json`` or a ``+json`` type, with any parameters.
    """
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _has_body(request: IRequest) -> bool:
    content = request.content
    if content is None:
        return False
    position = content.tell()
    content.seek(0, 2)
    size = content.tell()
    content.seek(position)
    return size > 0 or bool(getattr(request, "body_too_large", False))


def refusal(request: IRequest) -> tuple[int, str] | None:
    """
    Why a control request must not be served (status and message), or
    None when it may be.
    """
    if request.method not in STATE_CHANGING:
        return None
    origin = header(request, "origin")
    if origin is not None and not is_same_origin(origin, request):
        scheme = "https" if request.isSecure() else "http"
        own = f"{scheme}://{header(request, 'host') or 'this host'}"
        return 403, FOREIGN_ORIGIN.format(origin=origin[:200], own=own)
    if origin is not None and is_rebound(request):
        return 403, REBOUND.format(host=(header(request, "host") or "")[:200])
    content_type = header(request, "content-type")
    if content_type is not None and content_type.strip():
        if not is_json_type(content_type):
            return 415, NOT_JSON.format(content_type=content_type[:100])
    elif origin is not None and _has_body(request):
        # A body with no type at all comes from a client that is not a
        # browser (suites written for the old mimic post JSON so), or
        # from a page's fetch, which names its origin.
        return 415, BODY_WITHOUT_TYPE
    return None


class ControlGuard(Resource):
    """
    ``/mimic``: :func:`refusal`'s checks, then the control plane.
    """

    isLeaf = True

    def __init__(self, guarded: IResource) -> None:
        super().__init__()
        self.guarded = guarded

    def render(self, request: IRequest) -> Any:
        refused = refusal(request)
        if refused is not None:
            status, message = refused
            return json_response(request, plain_error_body(status, message), status)
        return self.guarded.render(request)
