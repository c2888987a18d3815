# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Identity's known error conditions.

Authentication is the first thing every client does, so an identity
outage is the first negative path worth testing: registered through the
control API (there is no metadata on an auth request), it applies to v2
and v3 authentication alike.
"""

from __future__ import annotations

from mimic.failures import Condition, Event, FailureEngine, Parameter
from mimic.http import HTTPError
from mimic.services.identity.errors import keystone_error

AUTHENTICATION = Event(
    service="identity",
    name="authentication",
    aliases=("auth",),
    description="A client asks for a token (v2.0 POST /tokens, v3 POST /auth/tokens).",
    criteria=("username", "tenant_id"),
    conditions=(
        Condition(
            "fail",
            "Identity answers the token request with an error instead of a token, "
            "as during an outage (500/503) or when throttling (429/413).",
            parameters=(
                Parameter("code", "HTTP status of the error response.", int, 500, minimum=400),
                Parameter(
                    "message",
                    "The error message in the Keystone error body.",
                    str,
                    "An unexpected error prevented the server from fulfilling your request.",
                ),
                Parameter(
                    "type",
                    "When given (e.g. identityFault, serviceUnavailable), the body is "
                    "Rackspace Identity's fault shape {type: {code, message}} instead of "
                    "Keystone's {error: {code, title, message}}; old mimic suites send it.",
                    str,
                    "",
                ),
            ),
        ),
    ),
)

EVENTS = (AUTHENTICATION,)


def check_authentication(failures: FailureEngine, username: str, tenant_id: str | None) -> None:
    """
    Raise the Keystone error a registered condition calls for, if one
    applies to this authentication.
    """
    firing = failures.consult(
        AUTHENTICATION.id, {"username": username, "tenant_id": tenant_id or ""}
    )
    if firing is not None and firing.name == "fail":
        if firing["type"]:
            body = {firing["type"]: {"code": firing["code"], "message": firing["message"]}}
            raise HTTPError(firing["code"], body)
        raise keystone_error(firing["code"], firing["message"])
