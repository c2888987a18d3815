# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute images: Nova's image proxy (``/images``, by :class:`ImagesAPI`)
over the images the Image service holds: Rackspace-like base images plus
the snapshots a tenant's servers made.  As in a real cloud, where Nova
proxies to Glance, both services share ONE store per (tenant, region),
which compute reaches through the :class:`~mimic.interfaces.IImages`
contract (``core.shared``), so what one makes or deletes the other sees.

:func:`image_id_from_ref` (the image id an ``imageRef`` names) and
:func:`embedded_image_json` (the ``image`` field of a server) are for
the rest of compute.

Nova stopped proxying images at microversion 2.36: from there on these
paths answer 404, as they do on a real cloud, and clients use the Image
service instead.
"""

from __future__ import annotations

import uuid
from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, page, query_arg, read_json
from mimic.interfaces import IImage, IImages
from mimic.services.compute.errors import NOT_FOUND, handle_nova_errors, nova_error
from mimic.services.compute.metadata import check_image_metadata_quota, metadata_body
from mimic.services.compute.web import (
    ContextFactory,
    RequestContext,
    bookmark_links,
    int_filter,
    limit_and_marker,
    next_links,
    resource_links,
)
from mimic.timestamps import iso_seconds, parse_iso

#: The last microversion with the image proxy API.
LAST_PROXY_MICROVERSION = (2, 35)

#: The last microversion with the image-metadata proxy (Nova keeps it
#: three microversions longer than the rest of the image proxy), and
#: with ``createImage``'s check of its metadata against the quota.
LAST_IMAGE_METADATA_MICROVERSION = (2, 38)


def image_links(image: IImage, ctx: RequestContext) -> list[dict[str, str]]:
    """
    Nova's ``self`` and ``bookmark`` links, and the ``alternate`` link
    Nova adds for the image in the Image service.
    """
    return [
        *resource_links(ctx, "images", image.id),
        {
            "href": f"{ctx.unversioned_url}/images/{image.id}",
            "type": "application/vnd.openstack.image",
            "rel": "alternate",
        },
    ]


def image_summary_json(image: IImage, ctx: RequestContext) -> dict[str, Any]:
    """
    The entry of ``GET /images``.
    """
    return {"id": image.id, "name": image.name, "links": image_links(image, ctx)}


def image_detail_json(image: IImage, ctx: RequestContext) -> dict[str, Any]:
    """
    ``GET /images/<id>`` and the entries of ``GET /images/detail``.
    """
    body: dict[str, Any] = {
        "id": image.id,
        "name": image.name,
        "created": iso_seconds(image.created),
        "updated": iso_seconds(image.updated(ctx.now)),
        "status": image.status(ctx.now),
        "progress": image.progress(ctx.now),
        "minDisk": image.min_disk,
        "minRam": image.min_ram,
        "metadata": dict(image.metadata),
        "links": image_links(image, ctx),
        "OS-EXT-IMG-SIZE:size": image.size,
    }
    # Upstream Nova shows a disk config only for an image that says how
    # its disk is partitioned (``auto_disk_config``); Rackspace always.
    if ctx.profile.rackspace_extensions or "auto_disk_config" in image.metadata:
        body["OS-DCF:diskConfig"] = image.disk_config
    if image.server_id is not None:
        body["server"] = {"id": image.server_id, "links": resource_links(ctx, "servers", image.server_id)}
    return body


def image_id_from_ref(ref: Any) -> str | None:
    """
    The image id an ``imageRef`` names: a UUID, or a URL whose last
    segment is one.  None when it is neither (Nova: 400 "Invalid imageRef
    provided.").  Whether the image exists is the image store's
    question (:meth:`mimic.interfaces.IImages.get`).
    """
    if not isinstance(ref, str) or not ref:
        return None
    candidate = ref.rstrip("/").rsplit("/", 1)[-1]
    try:
        return str(uuid.UUID(candidate)) if len(candidate) in (32, 36) else None
    except ValueError:
        return None


def embedded_image_json(
    ctx: RequestContext, image_id: str, properties: ImageProperties | None = None
) -> dict[str, Any]:
    """
    The ``image`` field of a server booted from an image; with
    ``properties`` (from 2.98), the image's properties as Nova kept them
    when the server was built (see :func:`image_properties`).
    """
    embedded: dict[str, Any] = {"id": image_id, "links": bookmark_links(ctx, "images", image_id)}
    if properties is not None:
        embedded["properties"] = dict(properties)
    return embedded


#: The microversion from which a server's ``image`` shows its properties.
IMAGE_PROPERTIES_VERSION = (2, 98)

#: An image's properties as a server keeps them: (name, value) pairs,
#: hashable so that the servers of one create share one and a listing
#: encodes it once.
ImageProperties = tuple[tuple[str, str], ...]

#: Properties Nova does not keep with a server (signature verification
#: and caching hints).
_NOT_KEPT = frozenset(
    {
        "cache_in_nova", "bittorrent", "img_signature", "img_signature_hash_method",
        "img_signature_key_type", "img_signature_certificate_uuid",
    }
)

#: The longest property value Nova keeps; longer ones are cut.
_LONGEST_VALUE = 255


def image_properties(image: IImage, flavor_disk: int) -> ImageProperties:
    """
    What Nova records of an image when it builds (or rebuilds) a server
    from it, and shows from 2.98 as the server's ``image.properties``:
    the image's own properties (each as text of at most 255 characters),
    ``min_ram``, ``min_disk`` (at least the flavor's root disk),
    ``disk_format`` and ``container_format`` where set, and
    ``base_image_ref``, all as strings.
    """
    kept = {
        name: str(value)[:_LONGEST_VALUE] for name, value in image.metadata.items() if name not in _NOT_KEPT
    }
    kept["min_ram"] = str(image.min_ram)
    kept["min_disk"] = str(max(image.min_disk, flavor_disk))
    for name in ("disk_format", "container_format"):
        value = getattr(image, name)
        if value is not None:
            kept[name] = str(value)
    kept["base_image_ref"] = image.id
    return tuple(sorted(kept.items()))


def _changes_since(raw: str) -> float:
    seconds = parse_iso(raw)
    if seconds is None:
        raise nova_error(400, f"Invalid changes-since value: {raw}")
    return seconds


class ImagesAPI:
    """
    ``/images`` for one request, over the tenant's ``images``.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, images: IImages, metadata_items: int) -> None:
        self.context = context
        self.images = images
        #: The tenant's ``metadata_items`` quota, which an image's
        #: metadata must fit (-1: unlimited).
        self.metadata_items = metadata_items

    def proxy_context(self) -> RequestContext:
        """
        The request's context; 404 from 2.36, where Nova's proxy is gone.
        """
        ctx = self.context()
        if ctx.microversion > LAST_PROXY_MICROVERSION:
            raise nova_error(404, NOT_FOUND)
        return ctx

    @app.route("/", methods=["GET"])
    def list_images(self, request: IRequest) -> bytes:
        return self._list(request, detail=False)

    @app.route("/detail", methods=["GET"])
    def list_images_detail(self, request: IRequest) -> bytes:
        return self._list(request, detail=True)

    def _list(self, request: IRequest, detail: bool) -> bytes:
        """
        ``GET /images`` and ``GET /images/detail``, with the filters Nova
        passes on to the Image service (``name``, ``status``,
        ``changes-since``, ``server``, ``type``, ``minRam``, ``minDisk``)
        and ``limit``/``marker`` paging.
        """
        ctx = self.proxy_context()
        limit, marker = limit_and_marker(request)
        name = query_arg(request, "name")
        status = query_arg(request, "status")
        since_raw = query_arg(request, "changes-since")
        since = _changes_since(since_raw) if since_raw is not None else None
        server = query_arg(request, "server")
        server_id = server.rstrip("/").rsplit("/", 1)[-1] if server else None
        kind = query_arg(request, "type")
        if kind is not None and kind.upper() not in ("BASE", "SNAPSHOT"):
            raise nova_error(400, f"Invalid type filter [{kind}]")
        min_ram = int_filter(request, "minRam")
        min_disk = int_filter(request, "minDisk")
        now = ctx.now

        def wanted(image: IImage) -> bool:
            return bool(
                (name is None or name == image.name)
                and (status is None or image.status(now) == status.upper())
                and (since is None or image.updated(now) >= since)
                and (server_id is None or image.server_id == server_id)
                and (kind is None or image.is_snapshot == (kind.upper() == "SNAPSHOT"))
                and (min_ram is None or image.min_ram >= min_ram)
                and (min_disk is None or image.min_disk >= min_disk)
            )

        images = [image for image in self.images if wanted(image)]
        paged = page(images, lambda image: image.id, limit, marker)
        if paged is None:
            raise nova_error(400, f"marker [{marker}] not found")
        items, more = paged
        body: dict[str, Any] = {
            "images": [image_detail_json(image, ctx) if detail else image_summary_json(image, ctx) for image in items]
        }
        path = "images/detail" if detail else "images"
        links = next_links(ctx, request, path, items[-1].id if items else None, more)
        if links:
            body["images_links"] = links
        return json_response(request, body)

    def _require(self, image_id: str) -> tuple[RequestContext, IImage]:
        ctx = self.proxy_context()
        image = self.images.get(image_id)
        if image is None:
            raise nova_error(404, "Image not found.")
        return ctx, image

    @app.route("/<image_id>", methods=["GET"])
    def show_image(self, request: IRequest, image_id: str) -> bytes:
        ctx, image = self._require(image_id)
        return json_response(request, {"image": image_detail_json(image, ctx)})

    @app.route("/<image_id>", methods=["DELETE"])
    def delete_image(self, request: IRequest, image_id: str) -> bytes:
        """
        204 for the tenant's own snapshots; the public base images belong
        to the provider (403).
        """
        _, image = self._require(image_id)
        if not image.is_snapshot:
            raise nova_error(403, "You are not allowed to delete the image.")
        self.images.delete(image_id)
        return json_response(request, None, 204)

    # -- metadata: Nova's image-metadata proxy, to 2.38 -------------------

    def _metadata_image(self, image_id: str) -> tuple[RequestContext, IImage]:
        """
        The image whose metadata a call reads or changes; 404 from 2.39,
        where Nova's image-metadata proxy is gone.
        """
        ctx = self.context()
        if ctx.microversion > LAST_IMAGE_METADATA_MICROVERSION:
            raise nova_error(404, NOT_FOUND)
        image = self.images.get(image_id)
        if image is None:
            raise nova_error(404, "Image not found.")
        return ctx, image

    def _save_metadata(self, ctx: RequestContext, image: IImage, metadata: dict[str, str]) -> None:
        """
        Check the image's new metadata against the tenant's
        ``metadata_items`` quota (Nova's 403), then have the Image
        service keep it.  The provider's base images are not the
        project's to change: Glance refuses, and Nova answers 403.
        """
        check_image_metadata_quota(metadata, self.metadata_items)
        if not image.is_snapshot or self.images.set_metadata(image.id, metadata, ctx.now) is None:
            raise nova_error(403, f"Not authorized for image {image.id}.")

    @app.route("/<image_id>/metadata", methods=["GET"])
    def list_image_metadata(self, request: IRequest, image_id: str) -> bytes:
        _, image = self._metadata_image(image_id)
        return json_response(request, {"metadata": dict(image.metadata)})

    @app.route("/<image_id>/metadata", methods=["POST"])
    def update_image_metadata(self, request: IRequest, image_id: str) -> bytes:
        """
        Merge the body's ``metadata`` into the image's; the whole merged
        metadata back.
        """
        ctx, image = self._metadata_image(image_id)
        merged = dict(image.metadata)
        merged.update(metadata_body(read_json(request, nova_error), "metadata"))
        self._save_metadata(ctx, image, merged)
        return json_response(request, {"metadata": merged})

    @app.route("/<image_id>/metadata", methods=["PUT"])
    def replace_image_metadata(self, request: IRequest, image_id: str) -> bytes:
        ctx, image = self._metadata_image(image_id)
        metadata = metadata_body(read_json(request, nova_error), "metadata")
        self._save_metadata(ctx, image, metadata)
        return json_response(request, {"metadata": metadata})

    @app.route("/<image_id>/metadata/<key>", methods=["GET"])
    def show_image_metadata_item(self, request: IRequest, image_id: str, key: str) -> bytes:
        """
        ``{"meta": {key: value}}``.
        """
        _, image = self._metadata_image(image_id)
        if key not in image.metadata:
            raise nova_error(404, "Invalid metadata key")
        return json_response(request, {"meta": {key: image.metadata[key]}})

    @app.route("/<image_id>/metadata/<key>", methods=["PUT"])
    def set_image_metadata_item(self, request: IRequest, image_id: str, key: str) -> bytes:
        ctx, image = self._metadata_image(image_id)
        meta = metadata_body(read_json(request, nova_error), "meta")
        if key not in meta:
            raise nova_error(400, "Request body and URI mismatch")
        if len(meta) > 1:
            raise nova_error(400, "Request body contains too many items")
        merged = dict(image.metadata)
        merged.update(meta)
        self._save_metadata(ctx, image, merged)
        return json_response(request, {"meta": meta})

    @app.route("/<image_id>/metadata/<key>", methods=["DELETE"])
    def delete_image_metadata_item(self, request: IRequest, image_id: str, key: str) -> bytes:
        ctx, image = self._metadata_image(image_id)
        if key not in image.metadata:
            raise nova_error(404, "Invalid metadata key")
        self._save_metadata(ctx, image, {k: v for k, v in image.metadata.items() if k != key})
        return json_response(request, None, 204)
