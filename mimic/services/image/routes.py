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

from typing import Any, Mapping

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.failures import Event
from mimic.http import RawBody, handle_errors, json_response, read_json, request_id
from mimic.interfaces import IMimicCore
from mimic.services.image.errors import (
    DOMAIN_ERRORS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNEXPECTED,
    glance_error,
)
from mimic.services.image.failures import (
    IMAGE_DELETE,
    IMAGE_IMPORT,
    IMAGE_LIST,
    IMAGE_SHOW,
    IMAGE_UPLOAD,
    UploadOutcome,
)
from mimic.services.image.model import SERVICE_NAME, STORE_ID, Image, ImageStore
from mimic.services.image.patch import PATCH_TYPES, new_image_fields, patched
from mimic.services.image.records import MEMBER_STATUSES
from mimic.services.image.schemas import SCHEMAS
from mimic.services.image.upstream_schema import (
    DECLARED_PROPERTIES,
    upstream_image_schema,
    upstream_images_schema,
)
from mimic.services.image.validation import parse_image_query
from mimic.services.image.versions import version_documents
from mimic.services.image.views import image_schema, images_schema, listing_json

#: The largest image data Mimic's Glance takes (its ``image_size_cap``).
MAX_IMAGE_SIZE = 1024**3

#: The import methods Glance offers (``GET /v2/info/import``).
IMPORT_METHODS = ("glance-direct", "web-download")

_OCTET_STREAM = "application/octet-stream"


def _content_type(request: IRequest) -> str:
    raw = request.getHeader(b"content-type") or b""
    return raw.decode("latin-1").split(";", 1)[0].strip().lower()


def _data(request: IRequest) -> bytes:
    """
    The body of an upload or a stage: Glance takes ``application/
    octet-stream`` (415 otherwise), at most :data:`MAX_IMAGE_SIZE`
    bytes (413).
    """
    kind = _content_type(request)
    if kind not in ("", _OCTET_STREAM):
        raise glance_error(415, f"Content-Type {kind} is not supported; send application/octet-stream.")
    if getattr(request, "body_too_large", False):
        raise _too_large()
    content = request.content
    if content is None:
        return b""
    content.seek(0)
    data = content.read()
    if len(data) > MAX_IMAGE_SIZE:
        raise _too_large()
    return bytes(data)


def _too_large() -> Exception:
    return glance_error(
        413,
        f"Image exceeds the storage quota: The size of the data will exceed the limit of {MAX_IMAGE_SIZE} bytes.",
    )


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

    @property
    def declared_properties(self) -> Mapping[str, Mapping[str, Any]]:
        """
        The additional properties this cloud's image schema types
        (upstream's, checked as Glance checks them; Rackspace's schema
        types none).
        """
        return {} if self.core.profile.rackspace_extensions else DECLARED_PROPERTIES

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
        """
        Rackspace's image schema under a profile with its extensions,
        upstream Glance's otherwise.
        """
        rackspace = self.core.profile.rackspace_extensions
        return json_response(request, image_schema() if rackspace else upstream_image_schema())

    @app.route("/v2/schemas/images", methods=["GET"])
    def images_schema(self, request: IRequest) -> bytes:
        rackspace = self.core.profile.rackspace_extensions
        return json_response(request, images_schema() if rackspace else upstream_images_schema())

    @app.route("/v2/schemas/<name>", methods=["GET"])
    @app.route("/v2/schemas/metadefs/<name>", methods=["GET"], endpoint="metadefs_schema")
    def other_schema(self, request: IRequest, name: str) -> bytes:
        """
        The member, task and metadata-definition schemas.
        """
        path = request.path.decode("utf-8", "replace")
        key = f"metadefs/{name}" if "/schemas/metadefs/" in path else name
        schema = SCHEMAS.get(key)
        if schema is None:
            raise glance_error(404, NOT_FOUND)
        return json_response(request, schema())

    # -- discovery ------------------------------------------------------

    @app.route("/v2/info/import", methods=["GET"])
    def info_import(self, request: IRequest) -> bytes:
        body = {
            "import-methods": {
                "description": "Import methods available.",
                "type": "array",
                "value": list(IMPORT_METHODS),
            }
        }
        return json_response(request, body)

    @app.route("/v2/info/stores", methods=["GET"])
    def info_stores(self, request: IRequest) -> bytes:
        store = {"id": STORE_ID, "description": "Mimic's in-memory image store.", "default": True}
        return json_response(request, {"stores": [store]})

    # -- images ---------------------------------------------------------

    @app.route("/v2/images", methods=["GET"])
    def list_images(self, request: IRequest) -> bytes:
        query = parse_image_query(request.args)
        self.decide(IMAGE_LIST)
        images, full = self.store.listing(query, self.now(), self.tenant_id)
        return json_response(request, listing_json(query, images, full))

    @app.route("/v2/images", methods=["POST"])
    def create_image(self, request: IRequest) -> bytes:
        """
        201 with the new image, ``queued``, and its ``Location``.
        """
        body = read_json(request, glance_error)
        image_id, name, fields = new_image_fields(body, self.tenant_id, self.declared_properties)
        image = self.store.register(image_id, name, self.now(), **fields)
        headers = {
            b"location": f"{self.root_url(request)}/v2/images/{image.id}".encode("utf-8"),
            b"openstack-image-import-methods": ",".join(IMPORT_METHODS).encode("ascii"),
            b"openstack-image-store-ids": STORE_ID.encode("ascii"),
        }
        return json_response(request, self.view(image), 201, headers)

    def view(self, image: Image, owner: str | None = None) -> dict[str, Any]:
        return image.glance_json(self.now(), owner or self.tenant_id)

    @app.route("/v2/images/<image_id>", methods=["GET"])
    def show_image(self, request: IRequest, image_id: str) -> bytes:
        image, _, owner = self.store.locate(image_id)
        self.decide(IMAGE_SHOW, image)
        return json_response(request, self.view(image, owner))

    @app.route("/v2/images/<image_id>", methods=["PATCH"])
    def update_image(self, request: IRequest, image_id: str) -> bytes:
        """
        Apply a JSON-patch of either of Glance's media types (415 with
        ``Accept-Patch`` for any other).
        """
        kind = _content_type(request)
        if kind not in PATCH_TYPES:
            request.setHeader(b"accept-patch", ", ".join(PATCH_TYPES).encode("ascii"))
            raise glance_error(415, f"Unsupported Content-Type {kind or 'none'}")
        body = read_json(request, glance_error)
        image = self.store.own(image_id)
        queued = image.glance_status(self.now()) == "queued"
        changed = patched(image, body, kind, queued, self.declared_properties)
        return json_response(request, self.view(self.store.change(changed, self.now())))

    @app.route("/v2/images/<image_id>", methods=["DELETE"])
    def delete_image(self, request: IRequest, image_id: str) -> bytes:
        """
        204 for the project's own images; the provider's public base
        images and other projects' are not the project's to delete
        (403), nor are protected ones.
        """
        image, owner_store, _ = self.store.locate(image_id)
        if owner_store is not None:
            raise glance_error(403, "You are not permitted to delete this image.")
        image = self.store.deletable(image_id)
        if image.protected:
            raise glance_error(403, f"Image {image_id} is protected and cannot be deleted.")
        self.decide(IMAGE_DELETE, image)
        self.store.delete(image.id)
        return json_response(request, None, 204)

    # -- data -----------------------------------------------------------

    @app.route("/v2/images/<image_id>/file", methods=["PUT"])
    def upload(self, request: IRequest, image_id: str) -> bytes:
        """
        Take a queued image's data: 204, the image ``active`` (or
        ``saving`` a while, or ``killed``, as a condition says).
        """
        image = self.store.own(image_id, "upload data to")
        status = image.glance_status(self.now())
        if status != "queued":
            raise glance_error(409, f"Image status transition from {status} to saving is not allowed")
        data = _data(request)
        outcome: UploadOutcome = self.decide(IMAGE_UPLOAD, image)
        self.store.upload(image_id, data, self.now(), outcome.saving_seconds, kill=outcome.killed)
        if outcome.killed:
            raise glance_error(outcome.code, outcome.message)
        return json_response(request, None, 204)

    @app.route("/v2/images/<image_id>/file", methods=["GET"])
    def download(self, request: IRequest, image_id: str) -> bytes:
        """
        200 with the data, or 204 for an image without any; a
        deactivated image's data is not for download (403).
        """
        image, owner_store, _ = self.store.locate(image_id)
        status = image.glance_status(self.now())
        if status == "deactivated":
            raise glance_error(403, "The requested image has been deactivated. Image data download is forbidden.")
        store: ImageStore = owner_store if owner_store is not None else self.store
        data = store.data_of(image.id) if status == "active" else None
        if data is None:
            return json_response(request, None, 204)
        headers = {b"content-md5": (image.checksum or "").encode("ascii")}
        return json_response(request, RawBody(data, _OCTET_STREAM.encode("ascii"), headers))

    @app.route("/v2/images/<image_id>/stage", methods=["PUT"])
    def stage(self, request: IRequest, image_id: str) -> bytes:
        self.store.own(image_id, "stage data for")
        self.store.stage(image_id, _data(request), self.now())
        return json_response(request, None, 204)

    @app.route("/v2/images/<image_id>/import", methods=["POST"])
    def import_image(self, request: IRequest, image_id: str) -> bytes:
        """
        202: ``glance-direct`` imports the staged data (the image
        ``importing``, then ``active``); ``web-download`` would fetch a
        URL, which an offline Mimic refuses as Glance refuses a URL its
        filters do not pass.
        """
        body = read_json(request, glance_error)
        method, stores = _import_request(body)
        image = self.store.own(image_id, "import data to")
        if method == "web-download":
            uri = body["method"].get("uri")
            status = image.glance_status(self.now())
            if status != "queued":
                raise glance_error(409, f"Image status transition from {status} to importing is not allowed")
            raise glance_error(400, f"URI for web-download does not pass filtering: {uri}")
        if image.glance_status(self.now()) != "uploading":
            raise glance_error(409, "Image needs to be staged before 'glance-direct' method can be used")
        failure = self.decide(IMAGE_IMPORT, image)
        self.store.start_import(
            image_id, self.tenant_id, method, stores, request_id(request), self.tenant_id, self.now(), failure
        )
        return json_response(request, None, 202)

    @app.route("/v2/images/<image_id>/tasks", methods=["GET"])
    def image_tasks(self, request: IRequest, image_id: str) -> bytes:
        now = self.now()
        tasks = [task.to_json(now) for task in self.store.tasks_of(image_id)]
        return json_response(request, {"tasks": tasks})

    # -- actions and tags -----------------------------------------------

    @app.route("/v2/images/<image_id>/actions/deactivate", methods=["POST"])
    def deactivate(self, request: IRequest, image_id: str) -> bytes:
        self.store.deactivate(image_id, self.now())
        return json_response(request, None, 204)

    @app.route("/v2/images/<image_id>/actions/reactivate", methods=["POST"])
    def reactivate(self, request: IRequest, image_id: str) -> bytes:
        self.store.reactivate(image_id, self.now())
        return json_response(request, None, 204)

    @app.route("/v2/images/<image_id>/tags/<tag>", methods=["PUT"])
    def add_tag(self, request: IRequest, image_id: str, tag: str) -> bytes:
        if len(tag) > 255:
            raise glance_error(400, f"Provided object does not match schema 'image': {tag!r} is too long")
        self.store.add_tag(image_id, tag, self.now())
        return json_response(request, None, 204)

    @app.route("/v2/images/<image_id>/tags/<tag>", methods=["DELETE"])
    def remove_tag(self, request: IRequest, image_id: str, tag: str) -> bytes:
        self.store.remove_tag(image_id, tag, self.now())
        return json_response(request, None, 204)

    # -- members --------------------------------------------------------

    @app.route("/v2/images/<image_id>/members", methods=["GET"])
    def list_members(self, request: IRequest, image_id: str) -> bytes:
        members = self.store.members_of(image_id, self.tenant_id)
        body = {"members": [m.to_json() for m in members], "schema": "/v2/schemas/members"}
        return json_response(request, body)

    @app.route("/v2/images/<image_id>/members", methods=["POST"])
    def add_member(self, request: IRequest, image_id: str) -> bytes:
        body = read_json(request, glance_error)
        member_id = body.get("member") if isinstance(body, dict) else None
        if not isinstance(member_id, str) or not member_id.strip():
            raise glance_error(400, "Member to be added not specified")
        if len(member_id) > 255:
            raise glance_error(400, "Member id is too long (255 characters at most)")
        member = self.store.add_member(image_id, member_id, self.tenant_id, self.now())
        return json_response(request, member.to_json())

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["GET"])
    def show_member(self, request: IRequest, image_id: str, member_id: str) -> bytes:
        return json_response(request, self.store.member(image_id, member_id, self.tenant_id).to_json())

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["PUT"])
    def update_member(self, request: IRequest, image_id: str, member_id: str) -> bytes:
        """
        The member accepts or rejects the image (only the member may).
        """
        body = read_json(request, glance_error)
        if not isinstance(body, dict):
            raise glance_error(400, "Expected a status in the form: {'status': 'status'}")
        if "status" not in body:
            raise glance_error(400, "Status not specified")
        status = body["status"]
        if status not in MEMBER_STATUSES:
            raise glance_error(400, 'Status must be "pending", "accepted" or "rejected".')
        member = self.store.set_member_status(image_id, member_id, self.tenant_id, status, self.now())
        return json_response(request, member.to_json())

    @app.route("/v2/images/<image_id>/members/<member_id>", methods=["DELETE"])
    def remove_member(self, request: IRequest, image_id: str, member_id: str) -> bytes:
        self.store.remove_member(image_id, member_id)
        return json_response(request, None, 204)


def _import_request(body: Any) -> tuple[str, list[str]]:
    """
    The method and stores of ``POST /v2/images/{id}/import``'s body.
    """
    if not isinstance(body, dict) or not isinstance(body.get("method"), dict):
        raise glance_error(400, "Import request requires a 'method' field.")
    name = body["method"].get("name")
    if name not in IMPORT_METHODS:
        raise glance_error(400, f"Unknown import method name '{name}'.")
    stores = body.get("stores")
    if stores is None:
        stores = [STORE_ID]
    if not isinstance(stores, list) or not all(isinstance(s, str) for s in stores):
        raise glance_error(400, "'stores' must be a list of store identifiers.")
    for store in stores:
        if store != STORE_ID:
            raise glance_error(400, f"Store for identifier {store} not found")
    for flag in ("all_stores", "all_stores_must_succeed"):
        if flag in body and not isinstance(body[flag], bool):
            raise glance_error(400, f"'{flag}' must be a boolean.")
    return str(name), list(stores) or [STORE_ID]
