# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Identity's error shapes: Keystone's ``{"error": {"code", "title",
"message"}}``, and Rackspace Identity's fault ``{<type>: {"code",
"message"}}``, which old mimic suites ask for by name.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Mapping

from mimic.http import HTTPError
from mimic.services.identity.directory import DirectoryError
from mimic.session import AuthenticationFailed

UNAUTHENTICATED = "The request you have made requires authentication."
NOT_FOUND = "The resource could not be found."
METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL."
UNEXPECTED = "An unexpected error prevented the server from fulfilling your request."


def keystone_error(status: int, message: str) -> HTTPError:
    return HTTPError(status, keystone_error_body(status, message))


def keystone_error_body(status: int, message: str) -> dict[str, dict[str, object]]:
    return {
        "error": {
            "code": status,
            "title": _title(status),
            "message": message,
        }
    }


def rackspace_fault(fault_type: str, status: int, message: str) -> HTTPError:
    """
    Rackspace Identity's fault shape, e.g. ``{"identityFault": {"code":
    500, "message": ...}}``.
    """
    return HTTPError(status, {fault_type: {"code": status, "message": message}})


def authentication_failed(failed: AuthenticationFailed) -> HTTPError:
    """
    Credentials that cannot be honoured: Keystone's 401 with the reason.
    """
    return keystone_error(401, str(failed))


#: How the session store's refusals reach the client (for
#: :func:`mimic.http.handle_errors`).
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    AuthenticationFailed: authentication_failed,
    DirectoryError: lambda refused: keystone_error(refused.status, refused.message),
}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
