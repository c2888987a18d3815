# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Nova's error shape, ``{"<faultName>": {"code": <status>, "message": ...}}``
(the fault name depends on the status: ``badRequest`` for 400,
``itemNotFound`` for 404, ``computeFault`` for anything Nova has no name
for), and the errors compute's model raises, with the answer Nova gives
each.

The model knows no HTTP: it raises :class:`ComputeError`\\ s, and every
compute app answers them through :func:`handle_nova_errors`, with the
404, 405 and 500 every app needs, all in Nova's shape.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from klein import Klein

from mimic.http import HTTPError, handle_errors

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

NOT_FOUND = "The resource could not be found."
NOT_ALLOWED = "The method specified is not allowed for this resource."
UNEXPECTED = (
    "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ "
    "and attach the Nova API log if possible."
)


def nova_error_body(status: int, message: str) -> dict[str, Any]:
    return {FAULT_NAMES.get(status, "computeFault"): {"code": status, "message": message}}


def nova_error(status: int, message: str) -> HTTPError:
    """
    An error response in Nova's shape, ready to raise.
    """
    return HTTPError(status, nova_error_body(status, message))


def server_not_found(server_id: str) -> HTTPError:
    return nova_error(404, f"Instance {server_id} could not be found.")


def server_locked(server_id: str) -> HTTPError:
    """
    The 409 Nova gives for a change to a locked server.
    """
    return nova_error(409, f"Instance {server_id} is locked")


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


# What the model raises.


class ComputeError(Exception):
    """
    Something compute's model refuses to do.
    """


class ServerNotFound(ComputeError):
    """
    No live server of the tenant's here has this id.
    """

    def __init__(self, server_id: str) -> None:
        super().__init__(server_id)
        self.server_id = server_id


class QuotaExceeded(ComputeError):
    """
    The servers asked for would go over the tenant's quota; ``message``
    is Nova's, naming what would be over.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DeleteFailed(ComputeError):
    """
    A known error condition fails this delete with ``code`` and
    ``message`` (see :class:`mimic.services.compute.failures.FailDeletes`).
    """

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


class NoImageService(ComputeError):
    """
    A snapshot was asked for, and no plugin keeps images.
    """


#: How Nova answers each of the model's errors.
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    ServerNotFound: lambda error: server_not_found(error.server_id),
    QuotaExceeded: lambda error: nova_error(403, error.message),
    DeleteFailed: lambda error: nova_error(error.code, error.message),
    NoImageService: lambda error: nova_error(503, "The image service is not available."),
}


def handle_nova_errors(app: Klein) -> None:
    """
    Answer every error of ``app`` in Nova's shape: the model's errors as
    :data:`DOMAIN_ERRORS` says, an unknown path 404, a method the path
    does not take 405, anything unexpected 500.  Call it in the class
    body, right after ``app = Klein()``.
    """
    handle_errors(
        app,
        nova_error,
        not_found=NOT_FOUND,
        not_allowed=NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )
