# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Nova's error shape: ``{"<faultName>": {"code": <status>, "message": ...}}``,
where the fault name depends on the status (``badRequest`` for 400,
``itemNotFound`` for 404, ``computeFault`` for anything Nova has no name
for).
"""

from __future__ import annotations

from typing import Any

from mimic.http import HTTPError

#: The fault names Nova's API gives each status.
FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}


def nova_error_body(status: int, message: str) -> dict[str, Any]:
    return {FAULT_NAMES.get(status, "computeFault"): {"code": status, "message": message}}


def nova_error(status: int, message: str) -> HTTPError:
    """
    An error response in Nova's shape, ready to raise.
    """
    return HTTPError(status, nova_error_body(status, message))


def server_not_found(server_id: str) -> HTTPError:
    return nova_error(404, f"Instance {server_id} could not be found.")


def invalid_input(field: str, value: Any, reason: str) -> HTTPError:
    """
    The 400 Nova's JSON-schema validation gives, naming the field.
    """
    return nova_error(400, f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


def conflicting_state(action: str, server_id: str, attribute: str, state: Any) -> HTTPError:
    """
    The 409 Nova gives for an action the server's current state forbids.
    """
    return nova_error(
        409, f"Cannot '{action}' instance {server_id} while it is in {attribute} {state}"
    )
