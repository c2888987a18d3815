# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Writing Swift's answers: the transaction id every response carries, the
status, headers and body Swift sends when there is little to say, and
listings.  Shared by the store's routes and the CDN's.
"""

from __future__ import annotations

from typing import Any, NoReturn

from twisted.web.iweb import IRequest

from mimic.services.objectstorage.errors import EXPLANATIONS, HTML, swift_error, trans_id
from mimic.services.objectstorage.validation import ListingQuery
from mimic.services.objectstorage.views import listing_body

#: Every method Swift's routes take (those they do not serve at a path
#: are answered 405 with an ``Allow`` header there).
ALL_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "COPY", "OPTIONS"]


def stamp(request: IRequest) -> None:
    """
    Give the response its transaction id, as Swift's proxy does first.
    """
    identifier = trans_id().encode("ascii")
    request.setHeader(b"x-trans-id", identifier)
    request.setHeader(b"x-openstack-request-id", identifier)


def answer(
    request: IRequest,
    status: int,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    content_type: bytes = HTML,
) -> bytes:
    """
    A response as Swift writes one: a status page body for 202 when
    there is nothing else to say, none for 201 and 204; a content type
    and length on every one (204 included: clients check).
    """
    request.setResponseCode(status)
    for name, value in (headers or {}).items():
        request.setHeader(name.encode("latin-1"), value.encode("utf-8"))
    if body is None:
        body = b""
        if status == 202:
            body = f"<html><h1>Accepted</h1><p>{EXPLANATIONS[202]}</p></html>".encode()
    if status != 204 or not request.responseHeaders.hasHeader(b"content-type"):
        request.setHeader(b"content-type", content_type)
    request.setHeader(b"content-length", b"%d" % len(body))
    return body


def refuse_method(allowed: str) -> NoReturn:
    refusal = swift_error(405)
    refusal.headers[b"allow"] = allowed.encode("ascii")
    raise refusal


def listing(
    request: IRequest,
    kind: str,
    owner: str,
    entries: list[dict[str, Any]],
    query: ListingQuery,
    headers: dict[str, str],
) -> bytes:
    """
    A listing's answer: 204 for a ``HEAD`` (Swift's, and what libcloud's
    Cloud Files driver insists on) and for an empty plain listing, else
    200 with the entries in the format asked for.
    """
    if request.method == b"HEAD":
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        return answer(request, 204, headers)
    body, content_type = listing_body(kind, owner, entries, query.format)
    if not entries and query.format == "plain":
        request.setHeader(b"content-type", content_type)
        return answer(request, 204, headers)
    return answer(request, 200, headers, body, content_type)
