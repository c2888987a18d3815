# -*- test-case-name: mimic.test.test_image -*-
"""
The Image service's HTTP API (Glance v2) for one tenant in one region.

Paths are relative to the service's per-tenant prefix, which the catalog
lists with ``/v2`` on the end (as Rackspace lists
``https://<region>.images.api.rackspacecloud.com/v2``): clients find the
versions at the unversioned root and then call ``/v2/images...``.

Each handler parses (:mod:`~mimic.services.image.validation`), asks the
failure engine once, applies the model and answers
(:mod:`~mimic.services.image.views`); the model's refusals become
Glance's errors in one place (:data:`~mimic.services.image.errors.DOMAIN_ERRORS`).
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.failures import Event
from mimic.http import handle_errors, json_response
from mimic.interfaces import IMimicCore
from mimic.services.image.errors import (
    DOMAIN_ERRORS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNEXPECTED,
    glance_error,
)
from mimic.services.image.failures import IMAGE_DELETE, IMAGE_LIST, IMAGE_SHOW
from mimic.services.image.model import SERVICE_NAME, Image, ImageStore
from mimic.services.image.validation import parse_image_query
from mimic.services.image.versions import version_documents
from mimic.services.image.views import image_schema, images_schema, listing_json


class ImageAPI:
    """
    Glance v2 for one tenant in one region; ``self.store`` is that
    (tenant, region)'s :class:`ImageStore`, shared with compute.
    """

    app = Klein()
    handle_errors(
        app,
        glance_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )

    def __init__(self, core: IMimicCore, store: ImageStore, region: str, tenant_id: str) -> None:
        self.core = core
        self.store = store
        self.region = region
        self.tenant_id = tenant_id

    def root_url(self, request: IRequest) -> str:
        return self.core.service_url(request, SERVICE_NAME, self.region, self.tenant_id)

    def now(self) -> float:
        return self.core.clock.seconds()

    def decide(self, event: Event, image: Image | None = None) -> Any:
        """
        What happens at this occurrence of an event: the failure engine's
        outcome, or the Glance error a condition refuses it with.
        """
        attributes = {"tenant_id": self.tenant_id, "region": self.region}
        if image is not None:
            attributes.update(image_id=image.id, image_name=image.name)
        return self.core.failures.decide(event, attributes)

    # -- versions -------------------------------------------------------

    @app.route("/", methods=["GET", "HEAD"])
    @app.route("/v2", methods=["GET", "HEAD"], endpoint="v2_versions")
    @app.route("/v2/", methods=["GET", "HEAD"], endpoint="v2_slash_versions")
    def multiple_choices(self, request: IRequest) -> bytes:
        """
        300 Multiple Choices with every version, as Glance answers at its
        root and for a bare version path.
        """
        body = {"versions": version_documents(self.root_url(request))}
        return json_response(request, body, 300)

    @app.route("/versions", methods=["GET", "HEAD"])
    def versions(self, request: IRequest) -> bytes:
        return json_response(request, {"versions": version_documents(self.root_url(request))})

    # -- schemas --------------------------------------------------------

    @app.route("/v2/schemas/image", methods=["GET"])
    def image_schema(self, request: IRequest) -> bytes:
        return json_response(request, image_schema())

    @app.route("/v2/schemas/images", methods=["GET"])
    def images_schema(self, request: IRequest) -> bytes:
        return json_response(request, images_schema())

    # -- images ---------------------------------------------------------

    @app.route("/v2/images", methods=["GET"])
    def list_images(self, request: IRequest) -> bytes:
        query = parse_image_query(request.args)
        self.decide(IMAGE_LIST)
        images, full = self.store.listing(query, self.now(), self.tenant_id)
        return json_response(request, listing_json(query, images, full))

    @app.route("/v2/images/<image_id>", methods=["GET"])
    def show_image(self, request: IRequest, image_id: str) -> bytes:
        image = self.store.find(image_id)
        self.decide(IMAGE_SHOW, image)
        return json_response(request, image.glance_json(self.now(), self.tenant_id))

    @app.route("/v2/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: IRequest, image_id: str) -> bytes:
        """
        204 for the project's own images (snapshots); the provider's
        public base images are not the project's to delete (403).
        """
        image = self.store.deletable(image_id)
        self.decide(IMAGE_DELETE, image)
        self.store.delete(image.id)
        return json_response(request, None, 204)
