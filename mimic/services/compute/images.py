# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute images: Nova's image proxy (``/images``) over a realistic set of
Rackspace base images plus the snapshots a tenant's servers made.

Public surface (for the servers routes to use):

- :class:`ImageStore` -- one per (tenant, region), kept in the compute
  region state: :meth:`ImageStore.get` (O(1)), :meth:`ImageStore.create_snapshot`
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
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

from attrs import define, field, frozen
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, page, query_arg
from mimic.services.compute.errors import nova_error
from mimic.services.compute.flavors import (
    ContextFactory,
    RequestContext,
    bookmark_links,
    limit_and_marker,
    mount,
    next_links,
)
from mimic.timestamps import iso_seconds

#: The last microversion with the image proxy API.
LAST_PROXY_MICROVERSION = (2, 35)

#: How long a snapshot stays SAVING on Mimic's clock before it is ACTIVE.
SNAPSHOT_SECONDS = 30.0

#: When Rackspace's base images were published (2024-01-15T00:00:00Z).
_PUBLISHED = 1705276800.0


@frozen
class Image:
    """
    An image.  A snapshot knows the server it was taken of and is SAVING
    until ``ready_at``; a base image is ACTIVE from the start.
    """

    id: str
    name: str
    created: float
    min_disk: int
    min_ram: int
    size: int
    metadata: Mapping[str, str]
    disk_config: str = "AUTO"
    server_id: str | None = None
    ready_at: float = 0.0

    @property
    def is_snapshot(self) -> bool:
        return self.server_id is not None

    def status(self, now: float) -> str:
        return "ACTIVE" if now >= self.ready_at else "SAVING"

    def progress(self, now: float) -> int:
        return 100 if now >= self.ready_at else 25

    def updated(self, now: float) -> float:
        return max(self.created, self.ready_at) if now >= self.ready_at else self.created

    def links(self, ctx: RequestContext) -> list[dict[str, str]]:
        return [
            {"href": f"{ctx.versioned_url}/images/{self.id}", "rel": "self"},
            {"href": f"{ctx.unversioned_url}/images/{self.id}", "rel": "bookmark"},
            {
                "href": f"{ctx.unversioned_url}/images/{self.id}",
                "type": "application/vnd.openstack.image",
                "rel": "alternate",
            },
        ]

    def summary_json(self, ctx: RequestContext) -> dict[str, Any]:
        """
        The entry of ``GET /images``.
        """
        return {"id": self.id, "name": self.name, "links": self.links(ctx)}

    def detail_json(self, ctx: RequestContext) -> dict[str, Any]:
        """
        ``GET /images/<id>`` and the entries of ``GET /images/detail``.
        """
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "created": iso_seconds(self.created),
            "updated": iso_seconds(self.updated(ctx.now)),
            "status": self.status(ctx.now),
            "progress": self.progress(ctx.now),
            "minDisk": self.min_disk,
            "minRam": self.min_ram,
            "metadata": dict(self.metadata),
            "links": self.links(ctx),
            "OS-DCF:diskConfig": self.disk_config,
            "OS-EXT-IMG-SIZE:size": self.size,
        }
        if self.server_id is not None:
            body["server"] = {
                "id": self.server_id,
                "links": [
                    {"href": f"{ctx.versioned_url}/servers/{self.server_id}", "rel": "self"},
                    {"href": f"{ctx.unversioned_url}/servers/{self.server_id}", "rel": "bookmark"},
                ],
            }
        return body

    def glance_json(self, now: float, owner: str) -> dict[str, Any]:
        """
        The same image as the Image service (Glance v2) shows it, so that
        an image service in Mimic can serve the very images compute
        knows: lower-case status, visibility, and the metadata as
        top-level properties.  ``owner`` is the tenant a snapshot belongs
        to.
        """
        status = self.status(now).lower()
        body: dict[str, Any] = dict(self.metadata)
        body.update(
            {
                "id": self.id,
                "name": self.name,
                "status": status,
                "visibility": "private" if self.is_snapshot else "public",
                "protected": False,
                "os_hidden": False,
                "tags": [],
                "container_format": "ovf",
                "disk_format": "vhd",
                "min_disk": self.min_disk,
                "min_ram": self.min_ram,
                "size": self.size if status == "active" else None,
                "virtual_size": None,
                "checksum": None,
                "os_hash_algo": None,
                "os_hash_value": None,
                "owner": owner if self.is_snapshot else "rackspace",
                "created_at": iso_seconds(self.created),
                "updated_at": iso_seconds(self.updated(now)),
                "self": f"/v2/images/{self.id}",
                "file": f"/v2/images/{self.id}/file",
                "schema": "/v2/schemas/image",
            }
        )
        return body


def _base(
    image_id: str,
    name: str,
    distro: str,
    version: str,
    age_days: int,
    size: int,
    os_type: str = "linux",
    min_disk: int = 20,
    min_ram: int = 512,
) -> Image:
    return Image(
        id=image_id,
        name=name,
        created=_PUBLISHED - age_days * 86400,
        min_disk=min_disk,
        min_ram=min_ram,
        size=size,
        metadata={
            "image_type": "base",
            "os_type": os_type,
            "os_distro": distro,
            "org.openstack__1__os_distro": f"org.{distro}" if os_type == "linux" else "com.microsoft.server",
            "org.openstack__1__os_version": version,
            "org.openstack__1__architecture": "x64",
            "com.rackspace__1__visible_core": "1",
            "com.rackspace__1__build_core": "1",
            "com.rackspace__1__build_managed": "1",
            "com.rackspace__1__release_id": f"{100 + age_days}",
            "com.rackspace__1__source": "kickstart",
            "vm_mode": "hvm",
            "auto_disk_config": "True" if os_type == "linux" else "False",
            "flavor_classes": "*,!onmetal",
            "cache_in_nova": "True",
        },
        disk_config="AUTO" if os_type == "linux" else "MANUAL",
    )


#: Rackspace-like public base images, newest first (the order Nova lists).
BASE_IMAGES: tuple[Image, ...] = tuple(
    sorted(
        (
            _base("0b6d8c5e-4c7b-4f7e-9b37-6f0b9d7f3a1c", "Ubuntu 22.04 LTS (Jammy Jellyfish) (PVHVM)", "ubuntu", "22.04", 0, 1073741824),
            _base("8b9f4a5e-7d33-4bf4-8f0c-3c3b2f1d6e27", "Ubuntu 20.04 LTS (Focal Fossa) (PVHVM)", "ubuntu", "20.04", 30, 987654144),
            _base("5f1a7c3d-2e9b-4d8a-a6f4-1b2c3d4e5f60", "Debian 12 (Bookworm) (PVHVM)", "debian", "12", 10, 805306368),
            _base("c1f2e3d4-b5a6-4978-8a9b-0c1d2e3f4a5b", "Rocky Linux 9 (PVHVM)", "rocky", "9", 20, 1245708288),
            _base("e4d3c2b1-a098-4f7e-9d6c-5b4a39281706", "CentOS Stream 9 (PVHVM)", "centos", "9", 40, 1178599424),
            _base("3a9b8c7d-6e5f-4a1b-8c2d-9e0f1a2b3c4d", "Fedora 39 (PVHVM)", "fedora", "39", 50, 734003200),
            _base(
                "9d7e6f5a-4b3c-4d2e-9f1a-0b9c8d7e6f5a",
                "Windows Server 2022 Standard (PVHVM)",
                "windows",
                "2022",
                60,
                16106127360,
                os_type="windows",
                min_disk=40,
                min_ram=1024,
            ),
        ),
        key=lambda image: -image.created,
    )
)

_BASE_BY_ID: dict[str, Image] = {image.id: image for image in BASE_IMAGES}

#: The image tests and examples use when they do not care.
DEFAULT_IMAGE_ID = BASE_IMAGES[0].id


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


@define
class ImageStore:
    """
    The images one tenant sees in one region: the shared base images and
    the snapshots of its own servers.
    """

    _snapshots: dict[str, Image] = field(factory=dict)

    def get(self, image_id: str) -> Image | None:
        """
        The image with this id, or None.
        """
        return self._snapshots.get(image_id) or _BASE_BY_ID.get(image_id)

    def __iter__(self) -> Iterator[Image]:
        """
        Every image, newest first: snapshots (newer than any base image)
        then base images.
        """
        yield from reversed(self._snapshots.values())
        yield from BASE_IMAGES

    def __len__(self) -> int:
        return len(self._snapshots) + len(BASE_IMAGES)

    @property
    def snapshot_ids(self) -> list[str]:
        return list(self._snapshots)

    def create_snapshot(
        self,
        name: str,
        server_id: str,
        now: float,
        metadata: Mapping[str, str] | None = None,
        base_image: Image | None = None,
        seconds: float = SNAPSHOT_SECONDS,
    ) -> Image:
        """
        Record a snapshot of a server (the ``createImage`` action): SAVING
        for ``seconds`` on Mimic's clock, then ACTIVE.  It inherits the
        base image's minimums and OS metadata, as Nova's snapshots do.
        """
        inherited: dict[str, str] = {}
        min_disk, min_ram, size = 20, 512, 1073741824
        if base_image is not None:
            inherited = {k: v for k, v in base_image.metadata.items() if k != "image_type"}
            inherited["base_image_ref"] = base_image.id
            min_disk, min_ram, size = base_image.min_disk, base_image.min_ram, base_image.size
        inherited.update({"image_type": "snapshot", "instance_uuid": server_id})
        inherited.update(metadata or {})
        image = Image(
            id=str(uuid.uuid4()),
            name=name,
            created=now,
            min_disk=min_disk,
            min_ram=min_ram,
            size=size,
            metadata=inherited,
            server_id=server_id,
            ready_at=now + seconds,
        )
        self._snapshots[image.id] = image
        return image

    def delete(self, image_id: str) -> bool:
        """
        Forget a snapshot.  False if there is no such snapshot.
        """
        return self._snapshots.pop(image_id, None) is not None

    def summary(self) -> dict[str, Any]:
        return {"snapshots": len(self._snapshots), "snapshot_ids": self.snapshot_ids}


def _check_proxy(ctx: RequestContext) -> None:
    if ctx.microversion > LAST_PROXY_MICROVERSION:
        raise nova_error(404, "The resource could not be found.")


def _parse_time(raw: str) -> float:
    text = raw.strip().replace(" ", "+")
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise nova_error(400, f"Invalid changes-since value: {raw}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _int_arg(request: IRequest, name: str) -> int | None:
    raw = query_arg(request, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise nova_error(400, f"Invalid {name} filter [{raw}]")


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
    since = _parse_time(since_raw) if since_raw is not None else None
    server = query_arg(request, "server")
    server_id = server.rstrip("/").rsplit("/", 1)[-1] if server else None
    kind = query_arg(request, "type")
    if kind is not None and kind.upper() not in ("BASE", "SNAPSHOT"):
        raise nova_error(400, f"Invalid type filter [{kind}]")
    min_ram = _int_arg(request, "minRam")
    min_disk = _int_arg(request, "minDisk")
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
        "images": [image.detail_json(ctx) if detail else image.summary_json(ctx) for image in items]
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
    return json_response(request, {"image": _require_image(ctx, image_id).detail_json(ctx)})


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
