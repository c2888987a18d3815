# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute images: Nova's image proxy (``/images``) over the images the
Image service holds (:mod:`mimic.services.image.model`): Rackspace-like
base images plus the snapshots a tenant's servers made.  As in a real
cloud, where Nova proxies to Glance, both services share ONE store per
(tenant, region), so what one makes or deletes the other sees.

Public surface (for the servers routes to use):

- :class:`~mimic.services.image.model.ImageStore` (re-exported) -- one per
  (tenant, region), which compute's state holds:
  :meth:`ImageStore.get` (O(1)), :meth:`ImageStore.create_snapshot`
  (for the ``createImage`` server action), :meth:`ImageStore.delete`.
- :func:`image_id_from_ref` -- the image id an ``imageRef`` names (a UUID
  or a URL ending in one), or None when it is not one: Nova's 400
  "Invalid imageRef provided.".
- :func:`embedded_image_json` -- the ``image`` field of a server.
- :func:`install_routes` -- mounts ``GET /images``, ``/images/detail``,
  ``GET``/``DELETE /images/<id>`` and ``GET /images/<id>/metadata[/<key>]``.
- :data:`BASE_IMAGES`, :data:`DEFAULT_IMAGE_ID`.

Nova stopped proxying images at microversion 2.36: from there on these
paths answer 404, as they do on a real cloud, and clients use the Image
service instead.
"""

from __future__ import annotations

import uuid
from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, page, query_arg
from mimic.services.compute.errors import nova_error
from mimic.services.compute.flavors import (
    ContextFactory,
    RequestContext,
    bookmark_links,
    int_filter,
    limit_and_marker,
    mount,
    next_links,
    resource_links,
)
from mimic.timestamps import parse_iso
from mimic.services.image.model import (  # noqa: F401 (re-exported)
    BASE_IMAGES,
    DEFAULT_IMAGE_ID,
    SNAPSHOT_SECONDS,
    Image,
    ImageStore,
)
from mimic.timestamps import iso_seconds

#: The last microversion with the image proxy API.
LAST_PROXY_MICROVERSION = (2, 35)


def image_links(image: Image, ctx: RequestContext) -> list[dict[str, str]]:
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


def image_summary_json(image: Image, ctx: RequestContext) -> dict[str, Any]:
    """
    The entry of ``GET /images``.
    """
    return {"id": image.id, "name": image.name, "links": image_links(image, ctx)}


def image_detail_json(image: Image, ctx: RequestContext) -> dict[str, Any]:
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
        "OS-DCF:diskConfig": image.disk_config,
        "OS-EXT-IMG-SIZE:size": image.size,
    }
    if image.server_id is not None:
        body["server"] = {"id": image.server_id, "links": resource_links(ctx, "servers", image.server_id)}
    return body


def image_id_from_ref(ref: Any) -> str | None:
    """
    The image id an ``imageRef`` names: a UUID, or a URL whose last
    segment is one.  None when it is neither (Nova: 400 "Invalid imageRef
    provided.").  Whether the image exists is :meth:`ImageStore.get`'s
    question.
    """
    if not isinstance(ref, str) or not ref:
        return None
    candidate = ref.rstrip("/").rsplit("/", 1)[-1]
    try:
        return str(uuid.UUID(candidate)) if len(candidate) in (32, 36) else None
    except ValueError:
        return None


def embedded_image_json(ctx: RequestContext, image_id: str) -> dict[str, Any]:
    """
    The ``image`` field of a server booted from an image.
    """
    return {"id": image_id, "links": bookmark_links(ctx, "images", image_id)}


def _check_proxy(ctx: RequestContext) -> None:
    if ctx.microversion > LAST_PROXY_MICROVERSION:
        raise nova_error(404, "The resource could not be found.")


def _changes_since(raw: str) -> float:
    seconds = parse_iso(raw)
    if seconds is None:
        raise nova_error(400, f"Invalid changes-since value: {raw}")
    return seconds


def list_images(request: IRequest, ctx: RequestContext, detail: bool) -> bytes:
    """
    ``GET /images`` and ``GET /images/detail``, with the filters Nova
    passes on to the Image service (``name``, ``status``,
    ``changes-since``, ``server``, ``type``, ``minRam``, ``minDisk``) and
    ``limit``/``marker`` paging.
    """
    _check_proxy(ctx)
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

    def wanted(image: Image) -> bool:
        return (
            (name is None or image.name == name)
            and (status is None or image.status(now) == status.upper())
            and (since is None or image.updated(now) >= since)
            and (server_id is None or image.server_id == server_id)
            and (kind is None or image.is_snapshot == (kind.upper() == "SNAPSHOT"))
            and (min_ram is None or image.min_ram >= min_ram)
            and (min_disk is None or image.min_disk >= min_disk)
        )

    images = [image for image in ctx.images if wanted(image)]
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


def _require_image(ctx: RequestContext, image_id: str) -> Image:
    _check_proxy(ctx)
    image = ctx.images.get(image_id)
    if image is None:
        raise nova_error(404, "Image not found.")
    return image


def show_image(request: IRequest, ctx: RequestContext, image_id: str) -> bytes:
    """
    ``GET /images/<id>``.
    """
    return json_response(request, {"image": image_detail_json(_require_image(ctx, image_id), ctx)})


def delete_image(request: IRequest, ctx: RequestContext, image_id: str) -> bytes:
    """
    ``DELETE /images/<id>``: 204 for the tenant's own snapshots; the
    public base images belong to the provider (403).
    """
    image = _require_image(ctx, image_id)
    if not image.is_snapshot:
        raise nova_error(403, "You are not allowed to delete the image.")
    ctx.images.delete(image_id)
    return json_response(request, None, 204)


def list_image_metadata(request: IRequest, ctx: RequestContext, image_id: str) -> bytes:
    """
    ``GET /images/<id>/metadata``.
    """
    return json_response(request, {"metadata": dict(_require_image(ctx, image_id).metadata)})


def show_image_metadata_item(request: IRequest, ctx: RequestContext, image_id: str, key: str) -> bytes:
    """
    ``GET /images/<id>/metadata/<key>``: ``{"meta": {key: value}}``.
    """
    image = _require_image(ctx, image_id)
    if key not in image.metadata:
        raise nova_error(404, "Invalid metadata key")
    return json_response(request, {"meta": {key: image.metadata[key]}})


def install_routes(app: Klein, context: ContextFactory, prefix: str) -> None:
    """
    Mount the image proxy calls on ``app`` below ``prefix``; see
    :func:`mimic.services.compute.flavors.install_routes`.
    """
    mount(app, context, prefix, "compute_images_list", "/images",
          lambda request, ctx: list_images(request, ctx, detail=False))
    mount(app, context, prefix, "compute_images_detail", "/images/detail",
          lambda request, ctx: list_images(request, ctx, detail=True))
    mount(app, context, prefix, "compute_images_show", "/images/<image_id>", show_image,
          ("image_id",))
    mount(app, context, prefix, "compute_images_delete", "/images/<image_id>", delete_image,
          ("image_id",), ("DELETE",))
    mount(app, context, prefix, "compute_images_metadata", "/images/<image_id>/metadata",
          list_image_metadata, ("image_id",))
    mount(app, context, prefix, "compute_images_metadata_item", "/images/<image_id>/metadata/<key>",
          show_image_metadata_item, ("image_id", "key"))
