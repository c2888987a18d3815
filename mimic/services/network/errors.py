# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's error shape, and the refusals its model raises.

Neutron answers every error as ``{"NeutronError": {"type": ..., "message":
..., "detail": ""}}``, where ``type`` is the name of the exception it raised
(``NetworkNotFound``, ``IpAddressGenerationFailure``...) or, for what its
HTTP layer refuses by itself, webob's (``HTTPBadRequest``, ``HTTPNotFound``).

:class:`NeutronFault` is a :class:`mimic.interfaces.ContractRefused`, so the
same refusal reaches a Neutron client as Neutron's error and compute
(through :class:`mimic.interfaces.INetworking`) as a refusal it words in
Nova's shape.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mimic.http import HTTPError
from mimic.interfaces import ContractRefused

#: The ``type`` webob's exceptions give each status Neutron's HTTP layer
#: answers by itself.
_WEBOB_TYPES = {
    400: "HTTPBadRequest",
    401: "HTTPUnauthorized",
    403: "HTTPForbidden",
    404: "HTTPNotFound",
    405: "HTTPMethodNotAllowed",
    409: "HTTPConflict",
    413: "HTTPRequestEntityTooLarge",
    415: "HTTPUnsupportedMediaType",
    500: "HTTPInternalServerError",
    503: "HTTPServiceUnavailable",
}

NOT_FOUND = "The resource could not be found."
METHOD_NOT_ALLOWED = "The method is not allowed for this resource."
UNEXPECTED = "Request Failed: internal server error while processing your request."


class NeutronFault(ContractRefused):
    """
    A refusal in Neutron's words: its status, its exception's name and
    message.
    """


def neutron_error_body(status: int, message: str, kind: str | None = None) -> dict[str, Any]:
    return {
        "NeutronError": {
            "type": kind or _WEBOB_TYPES.get(status, "HTTPError"),
            "message": message,
            "detail": "",
        }
    }


def neutron_error(status: int, message: str, kind: str | None = None) -> HTTPError:
    """
    An error response in Neutron's shape, ready to raise.
    """
    return HTTPError(status, neutron_error_body(status, message, kind))


def fault(status: int, kind: str, message: str) -> NeutronFault:
    return NeutronFault(status, kind, message)


def bad_request(message: str) -> NeutronFault:
    """
    What Neutron's attribute validation answers: 400 ``HTTPBadRequest``.
    """
    return NeutronFault(400, "HTTPBadRequest", message)


def invalid_input(message: str) -> NeutronFault:
    """
    Neutron's ``InvalidInput`` (400), raised by the plugin rather than the
    attribute validation.
    """
    return NeutronFault(400, "InvalidInput", f"Invalid input for operation: {message}.")


def not_found(kind: str, what: str, identifier: str) -> NeutronFault:
    """
    ``NetworkNotFound`` and its kin: ``<What> <id> could not be found.``
    """
    return NeutronFault(404, f"{kind}NotFound", f"{what} {identifier} could not be found.")


def policy_refused(action: str) -> NeutronFault:
    return NeutronFault(403, "PolicyNotAuthorized", f"({action}) is disallowed by policy")


#: How the model's refusals reach the client (for
#: :func:`mimic.http.handle_errors`).
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    NeutronFault: lambda e: neutron_error(e.status, e.message, e.kind),
}
