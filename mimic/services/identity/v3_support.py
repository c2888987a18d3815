# -*- test-case-name: mimic.test.test_identity_v3 -*-
"""
What every v3 app shares: the caller's token, the directory, links and
listings, and the error handling (Keystone's shape; every 401 says
where to authenticate).  The v3 root app and each collection's app
(projects, users, roles...) install :func:`keystone_errors` and derive
from :class:`V3Base`.
"""

from __future__ import annotations

from typing import Any, Iterable, cast

from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest

from mimic.http import HTTPError, base_url, handle_errors, header, json_response, read_json, require_object
from mimic.interfaces import IMimicCore
from mimic.services.identity.directory import Directory, DirectoryError, directory_of
from mimic.services.identity.errors import (
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNEXPECTED,
    authentication_failed,
    keystone_error,
)
from mimic.services.identity.model import Identity
from mimic.services.identity.validation import list_filter
from mimic.services.identity.versions import V3_PATH
from mimic.services.identity.views import collection_json, role_json
from mimic.session import AuthenticationFailed, Role, Token


def _challenge(self: Any, request: IRequest, failure: Failure) -> bytes:
    """
    Keystone's every 401 says where to authenticate
    (``WWW-Authenticate``), whatever refused the request: a missing
    token, credentials, a failure condition.  Only the request knows that
    URL, so the header is added here, before the shared handlers write
    the error out.
    """
    if failure.check(AuthenticationFailed):
        error = authentication_failed(cast(AuthenticationFailed, failure.value))
    elif failure.check(DirectoryError):
        refused = cast(DirectoryError, failure.value)
        error = keystone_error(refused.status, refused.message)
    else:
        error = cast(HTTPError, failure.value)
    if error.status == 401:
        uri = f'Keystone uri="{base_url(request)}/identity"'
        error.headers.setdefault(b"www-authenticate", uri.encode("utf-8"))
    raise error


def keystone_errors(app: Klein) -> None:
    """
    Give a v3 app its error handling (call once, right after ``app =
    Klein()``).
    """
    app.handle_errors(HTTPError, AuthenticationFailed, DirectoryError)(_challenge)
    handle_errors(
        app,
        keystone_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
    )


class V3Base:
    """
    The helpers of every v3 app, over the core.
    """

    def __init__(self, core: IMimicCore) -> None:
        self.core = core

    @property
    def directory(self) -> Directory:
        return directory_of(self.core)

    @property
    def identity(self) -> Identity:
        return Identity(self.core.sessions, self.core.clock, self.directory)

    def caller(self, request: IRequest) -> Token:
        """
        The live token in X-Auth-Token, which every call but
        authentication needs.
        """
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        return token

    def url(self, request: IRequest) -> str:
        """
        The v3 root as the client reached it, which documents link to.
        """
        return f"{base_url(request)}/{V3_PATH}"

    def role_view(self, v3_url: str, role: Role) -> dict[str, Any]:
        """
        A role as Keystone shows it, with the options it has.
        """
        return role_json(v3_url, role, self.directory.options_of(role))

    def collection(self, request: IRequest, name: str, items: list[dict[str, Any]]) -> bytes:
        url = base_url(request) + request.path.decode("utf-8", "replace")
        query = request.uri.decode("utf-8", "replace").partition("?")[2]
        if query:
            url = f"{url}?{query}"
        return json_response(request, collection_json(name, items, url))

    def filtered(
        self, request: IRequest, items: Iterable[dict[str, Any]], keys: Iterable[str]
    ) -> list[dict[str, Any]]:
        wanted = list_filter(request, keys)
        return [item for item in items if wanted(item)]

    def body_object(self, request: IRequest) -> dict[str, Any]:
        return require_object(read_json(request, keystone_error), "body", keystone_error)

    def body(self, request: IRequest, name: str) -> dict[str, Any]:
        """
        The ``{name: {...}}`` object of a write request.
        """
        body = self.body_object(request)
        if name not in body:
            raise keystone_error(400, f"Invalid input for field '{name}': '{name}' is a required property")
        return require_object(body[name], name, keystone_error)
