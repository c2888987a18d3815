# -*- test-case-name: mimic.test.test_image -*-
"""
The Image service's known error conditions.

Listing and showing images is what every ``server create --image <name>``
does first (the client resolves the name through Glance before it talks
to Nova), so an Image service outage is the negative path worth testing:
registered through the control API (these requests carry no metadata),
matched on tenant, region and, for a single image, its id and name.

Each event's normal outcome is ``None`` (go on); ``fail`` refuses the
request with Glance's error, so a route asks
``core.failures.decide(EVENT, attributes)`` before it changes anything
and needs no more.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from mimic.failures import Condition, Event, Parameter
from mimic.services.image.errors import UNEXPECTED, glance_error

SERVICE = "image"


def refuse(parameters: Mapping[str, Any]) -> NoReturn:
    """
    ``fail``: Glance answers with the error status and message asked for.
    """
    raise glance_error(parameters["code"], parameters["message"])


def _fail(what: str, after: str = "") -> Condition:
    return Condition(
        "fail",
        f"Glance answers {what} with an error status in its own error shape "
        "(e.g. 500 while its database is unreachable, 503 while it is overloaded)"
        f"{after}.",
        parameters=(
            Parameter.status(),
            Parameter("message", "The message in Glance's error body.", str, UNEXPECTED),
        ),
        effect=refuse,
    )


IMAGE_LIST = Event(
    service=SERVICE,
    name="list",
    description=(
        "A client lists images (GET /v2/images), as openstacksdk and the openstack "
        "CLI do to find an image by name.  Glance answers 200 with a page of the "
        "images the project may see and a 'next' link while pages are full."
    ),
    criteria=("tenant_id", "region"),
    conditions=(_fail("the listing", "; a client resolving an image name fails with it"),),
)

IMAGE_SHOW = Event(
    service=SERVICE,
    name="show",
    description=(
        "A client shows one image (GET /v2/images/{id}), as clients do first when "
        "given a name or id.  Glance answers 200 with the image, or 404 if the "
        "project cannot see it."
    ),
    criteria=("image_id", "image_name", "tenant_id", "region"),
    conditions=(_fail("the request"),),
)

IMAGE_DELETE = Event(
    service=SERVICE,
    name="delete",
    description=(
        "A client deletes an image (DELETE /v2/images/{id}).  Glance answers 204 "
        "and the image is gone from Glance and from Nova's image proxy; images the "
        "project does not own are refused with 403."
    ),
    criteria=("image_id", "image_name", "tenant_id", "region"),
    conditions=(_fail("the delete", " and the image stays"),),
)

EVENTS = (IMAGE_LIST, IMAGE_SHOW, IMAGE_DELETE)
