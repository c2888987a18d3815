# -*- test-case-name: mimic.test.test_image -*-
"""
The Image service's HTTP API (Glance v2) for one tenant in one region.

Paths are relative to the service's per-tenant prefix, which the catalog
lists with ``/v2`` on the end (as Rackspace lists
``https://<region>.images.api.rackspacecloud.com/v2``): clients find the
versions at the unversioned root and then call ``/v2/images...``.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from mimic.failures import BadRegistration, Firing
from mimic.http import HTTPError, base_url, json_response, render_error
from mimic.interfaces import IMimicCore
from mimic.services.image import failures as events
from mimic.services.image.errors import glance_error, image_not_found
from mimic.services.image.listing import ImageQuery, decoded_args
from mimic.services.image.model import Image, ImageStore
from mimic.services.image.schemas import image_schema, images_schema
from mimic.services.image.versions import version_documents

log = Logger()


class ImageAPI:
    """
    Glance v2 for one tenant in one region; ``self.store`` is that
    (tenant, region)'s :class:`ImageStore`, shared with compute.
    """

    app = Klein()

    def __init__(self, core: IMimicCore, store: ImageStore, region: str, tenant_id: str) -> None:
        self.core = core
        self.store = store
        self.region = region
        self.tenant_id = tenant_id
        self.root_path = f"/service/image/{region}/{tenant_id}"

    # -- errors ---------------------------------------------------------

    @app.handle_errors(HTTPError)
    def _render_error(self, request: IRequest, failure: Failure) -> bytes:
        return render_error(request, failure)

    @app.handle_errors(NotFound)
    def _not_found(self, request: IRequest, failure: Failure) -> bytes:
        return json_response(request, glance_error(404, "The resource could not be found.").body, 404)

    @app.handle_errors(MethodNotAllowed)
    def _bad_method(self, request: IRequest, failure: Failure) -> bytes:
        allowed = ", ".join(getattr(failure.value, "valid_methods", None) or [])
        headers = {b"allow": allowed.encode("ascii")} if allowed else {}
        body = glance_error(405, "The method is not allowed for this resource.").body
        return json_response(request, body, 405, headers)

    @app.handle_errors(Exception)
    def _unexpected(self, request: IRequest, failure: Failure) -> bytes:
        log.failure("Unexpected error in the image API", failure)
        message = "The server has either erred or is incapable of performing the requested operation."
        return json_response(request, glance_error(500, message).body, 500)

    # -- helpers --------------------------------------------------------

    def root_url(self, request: IRequest) -> str:
        return base_url(request) + self.root_path

    def now(self) -> float:
        return self.core.clock.seconds()

    def consult(self, event_id: str, attributes: dict[str, Any]) -> None:
        """
        Ask the failure engine about this occurrence of an event and raise
        the error a firing ``fail`` condition calls for.
        """
        attributes = {"tenant_id": self.tenant_id, "region": self.region, **attributes}
        try:
            firing: Firing | None = self.core.failures.consult(event_id, attributes=attributes)
        except BadRegistration as e:
            raise glance_error(400, str(e))
        if firing is not None and firing.name == "fail":
            raise glance_error(firing["code"], firing["message"])

    def image(self, image_id: str) -> Image:
        image = self.store.get(image_id)
        if image is None:
            raise image_not_found(image_id)
        return image

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
        query = ImageQuery.parse(decoded_args(request.args))
        self.consult(events.IMAGE_LIST.id, {})
        items, full = query.run(self.store, self.now(), self.tenant_id)
        body: dict[str, Any] = {"images": items}
        body.update(query.links(items[-1]["id"] if items else None, full))
        return json_response(request, body)

    @app.route("/v2/images/<image_id>", methods=["GET"])
    def show_image(self, request: IRequest, image_id: str) -> bytes:
        image = self.image(image_id)
        self.consult(events.IMAGE_SHOW.id, {"image_id": image.id, "image_name": image.name})
        return json_response(request, image.glance_json(self.now(), self.tenant_id))

    @app.route("/v2/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: IRequest, image_id: str) -> bytes:
        """
        204 for the project's own images (snapshots); the provider's
        public base images are not the project's to delete (403).
        """
        image = self.image(image_id)
        if not image.is_snapshot:
            raise glance_error(403, "You are not permitted to delete this image.")
        self.consult(events.IMAGE_DELETE.id, {"image_id": image.id, "image_name": image.name})
        self.store.delete(image.id)
        return json_response(request, None, 204)
