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

from attrs import frozen

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



@frozen
class UploadOutcome:
    """
    What becomes of an upload (``PUT /v2/images/{id}/file``): how long
    the image stays ``saving`` on Mimic's clock, or that it is
    ``killed``.
    """

    saving_seconds: float = 0.0
    killed: bool = False
    #: The error the client gets with a killed image.
    code: int = 500
    message: str = UNEXPECTED


def _slow_upload(parameters: Mapping[str, Any]) -> UploadOutcome:
    return UploadOutcome(saving_seconds=parameters["seconds"])


def _killed_upload(parameters: Mapping[str, Any]) -> UploadOutcome:
    return UploadOutcome(killed=True, code=parameters["code"], message=parameters["message"])


IMAGE_UPLOAD = Event(
    service=SERVICE,
    name="upload",
    description=(
        "A project uploads an image's data (PUT /v2/images/{id}/file), as "
        "openstacksdk's create_image(data=...) and 'openstack image create --file' "
        "do.  Glance answers 204 once the data is stored: the image went from "
        "queued through saving to active, with its size, checksum and secure hash."
    ),
    criteria=("image_id", "image_name", "tenant_id", "region"),
    normal=UploadOutcome(),
    conditions=(
        _fail("the upload", " and the image stays queued, its data dropped"),
        Condition(
            "killed",
            "The store fails while writing the data: Glance answers with an error "
            "(500 by default) and the image is killed, for good: it can only be deleted.",
            parameters=(
                Parameter.status(),
                Parameter("message", "The message in Glance's error body.", str, UNEXPECTED),
            ),
            effect=_killed_upload,
        ),
        Condition(
            "slow",
            "The store is slow: Glance answers 204 but the image stays saving for "
            "a while on Mimic's clock before it is active (a client polling for "
            "active must wait, or a test tick the clock).",
            parameters=(Parameter.seconds("How long the image stays saving.", 60.0),),
            effect=_slow_upload,
        ),
    ),
)


def _failed_import(parameters: Mapping[str, Any]) -> str:
    return str(parameters["message"])


IMAGE_IMPORT = Event(
    service=SERVICE,
    name="import",
    description=(
        "A project imports staged data (POST /v2/images/{id}/import with "
        "glance-direct), as openstacksdk's create_image(..., use_import=True) does.  "
        "Glance answers 202; the image is importing while its task runs, then active."
    ),
    criteria=("image_id", "image_name", "tenant_id", "region"),
    conditions=(
        _fail("the import request", " and the image stays uploading"),
        Condition(
            "task_fails",
            "The import task fails after Glance accepted it: the task ends in "
            "failure with this message and the image goes back to queued, the "
            "staged data dropped, with os_glance_failed_import naming the store.",
            parameters=(
                Parameter(
                    "message",
                    "The task's message.",
                    str,
                    "Image import failed: the staged data could not be read.",
                ),
            ),
            effect=_failed_import,
        ),
    ),
)

EVENTS = (IMAGE_LIST, IMAGE_SHOW, IMAGE_DELETE, IMAGE_UPLOAD, IMAGE_IMPORT)
