# -*- test-case-name: mimic.test.test_image -*-
"""
Glance's error shape.

Glance raises webob HTTP exceptions; asked for JSON (as every OpenStack
client asks), webob renders them as ``{"message": ..., "code": "404 Not
Found", "title": "Not Found"}``: the code is the whole status line, and
the message starts with the status's standard explanation.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Mapping

from mimic.http import HTTPError
from mimic.services.image.model import NoSuchImage, NotTheProjectsImage, UnknownMarker
from mimic.services.image.records import ImageRefused

#: webob's standard explanation for the statuses Mimic's Glance returns.
_EXPLANATIONS = {
    400: "The server could not comply with the request since it is either malformed or otherwise incorrect.",
    401: "This server could not verify that you are authorized to access the document you requested.",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    405: "The method is not allowed for this resource.",
    409: "There was a conflict when trying to complete your request.",
    413: "The request entity is too large.",
    415: "The request media type is not supported by this server.",
}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def glance_error_body(status: int, message: str) -> dict[str, Any]:
    explanation = _EXPLANATIONS.get(status)
    text = f"{explanation}<br /><br />\n{message}" if explanation and message != explanation else message
    return {"message": text, "code": f"{status} {_title(status)}", "title": _title(status)}


def glance_error(status: int, message: str) -> HTTPError:
    """
    An error response in Glance's shape, ready to raise.
    """
    return HTTPError(status, glance_error_body(status, message))


def image_not_found(image_id: str) -> HTTPError:
    return glance_error(404, f"No image found with ID {image_id}")


#: Glance's messages for what the HTTP layer answers by itself.
NOT_FOUND = "The resource could not be found."
METHOD_NOT_ALLOWED = "The method is not allowed for this resource."
UNEXPECTED = "The server has either erred or is incapable of performing the requested operation."

#: How the model's refusals reach the client (for
#: :func:`mimic.http.handle_errors`).
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    NoSuchImage: lambda e: image_not_found(e.image_id),
    NotTheProjectsImage: lambda e: glance_error(403, "You are not permitted to delete this image."),
    UnknownMarker: lambda e: glance_error(400, f"Marker {e.marker} could not be found."),
    ImageRefused: lambda e: glance_error(e.status, e.message),
}
