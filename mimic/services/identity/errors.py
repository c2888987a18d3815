# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Keystone's error shape: ``{"error": {"code", "title", "message"}}``.
"""

from __future__ import annotations

from http import HTTPStatus

from mimic.http import HTTPError


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


UNAUTHENTICATED = "The request you have made requires authentication."
NOT_FOUND = "The resource could not be found."
METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL."


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
