# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Swift's error shape, which is not JSON: a status with Swift's standard
page for it (``<html><h1>Not Found</h1><p>The resource could not be
found.</p></html>``, ``text/html``), or, where Swift says more, a line of
plain text (``Upload exceeds quota.``).  Every response, errors included,
carries a transaction id (``X-Trans-Id``, also as
``X-Openstack-Request-Id``), as Swift's proxy sends.
"""

from __future__ import annotations

import os
from http import HTTPStatus
from typing import Any, Callable, Mapping

from klein import Klein

from mimic.http import HTTPError, RawBody, handle_errors
from mimic.services.objectstorage.model import SwiftRefusal

#: Swift's explanation of each status, the second half of its standard
#: page.
EXPLANATIONS = {
    202: "The request is accepted for processing.",
    400: "The server could not comply with the request since it is either malformed or otherwise incorrect.",
    401: "This server could not verify that you are authorized to access the document you requested.",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    405: "The method is not allowed for this resource.",
    408: "The server has waited too long for the request to be sent by the client.",
    409: "There was a conflict when trying to complete your request.",
    411: "Content-Length header required.",
    412: "A precondition for this request was not met.",
    413: "The body of your request was too large for this server.",
    414: "The request URI was too long for this server.",
    416: "The Range requested is not available.",
    422: "Unable to process the contained instructions",
    500: "The server has either erred or is incapable of performing the requested operation.",
    503: "The server is currently unavailable. Please try again at a later time.",
    507: "There was not enough space to save the resource.",
}

HTML = b"text/html; charset=UTF-8"
TEXT = b"text/plain; charset=UTF-8"


def title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def trans_id() -> str:
    """
    A transaction id in Swift's form: ``tx``, 21 hex digits, ``-`` and
    ten more.  Swift's last ten are the time; nothing reads them, and
    Mimic reads no wall clock outside its core, so they are random too.
    """
    return f"tx{os.urandom(11).hex()[:21]}-{os.urandom(5).hex()}"


def swift_error_body(status: int, message: str | None = None) -> RawBody:
    """
    Swift's body for an error: its standard page when ``message`` is
    ``None`` (or is that page's explanation), else the message as text.
    """
    explanation = EXPLANATIONS.get(status, "")
    identifier = trans_id().encode("ascii")
    headers = {b"x-trans-id": identifier, b"x-openstack-request-id": identifier}
    if message is None or message == explanation:
        content, content_type = f"<html><h1>{title(status)}</h1><p>{explanation}</p></html>".encode(), HTML
    else:
        content, content_type = message.encode("utf-8"), TEXT
    # Swift gives every error its length (Klein would otherwise send the
    # page chunked).
    headers[b"content-length"] = b"%d" % len(content)
    return RawBody(content, content_type, headers)


def swift_error(status: int, message: str | None = None) -> HTTPError:
    """
    A Swift error response, ready to raise.
    """
    return HTTPError(status, swift_error_body(status, message))


#: Swift's messages for what the HTTP layer answers by itself.
NOT_FOUND = EXPLANATIONS[404]
METHOD_NOT_ALLOWED = EXPLANATIONS[405]
UNEXPECTED = EXPLANATIONS[500]

#: How the model's refusals reach the client (for
#: :func:`mimic.http.handle_errors`).
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    SwiftRefusal: lambda e: swift_error(e.status, e.message),
}


def handle_swift_errors(app: Klein) -> None:
    """
    Answer every error of ``app`` in Swift's shape: the model's refusals
    as :data:`DOMAIN_ERRORS` says, an unknown path 404, a method the path
    does not take 405, anything unexpected 500.  Call it in the class
    body, right after ``app = Klein()``.
    """
    handle_errors(
        app,
        swift_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )
