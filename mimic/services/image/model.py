# -*- test-case-name: mimic.test.test_image_model -*-
"""
Images: the Rackspace-like public base images and the snapshots a
tenant's servers made, for one tenant in one region, with no HTTP in it.

As in a real cloud, where Nova's ``/images`` is a proxy onto Glance, there
is ONE store per (tenant, region), kept by the core under the ``image``
service's name (:func:`image_store`): the Image service (Glance v2)
serves it, and compute's image proxy and ``createImage`` action read and
write the same object, so a snapshot made through Nova shows in Glance and
an image deleted through Glance is gone from Nova.

An image's status is computed from timestamps on Mimic's clock (a snapshot
is SAVING until ``ready_at``), so no timer runs per image.
"""

from __future__ import annotations

import heapq
import uuid
from typing import Any, Callable, Iterable, Iterator, Mapping

from attrs import define, evolve, field, frozen
from zope.interface import implementer

from mimic.interfaces import IImage, IImages, IImageUploads, IMimicCore, IPendingEvents, IRegionState
from mimic.pending import PendingEvent
from mimic.services.image.digests import stand_in_digests
from mimic.services.image.formats import RACKSPACE_SNAPSHOTS, DiskFormats, snapshot_formats
from mimic.services.image.records import ImageRefused, ImportTask, Member, strings
from mimic.services.image.writes import GlanceWrites
from mimic.timestamps import iso_seconds

#: The name under which the core keeps each (tenant, region)'s store.
SERVICE_NAME = "image"

#: How long a snapshot stays SAVING on Mimic's clock before it is ACTIVE.
SNAPSHOT_SECONDS = 30.0

#: When Rackspace's base images were published (2024-01-15T00:00:00Z).
_PUBLISHED = 1705276800.0

#: Who owns the public base images (Glance's ``owner``).
PROVIDER = "rackspace"

#: The one store Mimic's Glance keeps image data in.
STORE_ID = "file"

#: How Nova's image proxy shows Glance's statuses (any other, such as
#: ``deactivated`` or ``importing``, is ``UNKNOWN`` there).
NOVA_STATUSES = {
    "queued": "SAVING",
    "saving": "SAVING",
    "active": "ACTIVE",
    "killed": "ERROR",
    "deleted": "DELETED",
    "pending_delete": "DELETED",
}

#: Every status Glance knows for an image: listings may filter on any
#: of them.
STATUSES = (
    "queued",
    "saving",
    "active",
    "killed",
    "deleted",
    "pending_delete",
    "deactivated",
    "uploading",
    "importing",
)


class NoSuchImage(LookupError):
    """
    The tenant sees no image with this id in this region.
    """

    def __init__(self, image_id: str) -> None:
        super().__init__(image_id)
        self.image_id = image_id


class NotTheProjectsImage(Exception):
    """
    The image is the provider's (a public base image), not the project's
    to delete.
    """

    def __init__(self, image_id: str) -> None:
        super().__init__(image_id)
        self.image_id = image_id


class UnknownMarker(LookupError):
    """
    A listing's ``marker`` names no image in the ordered listing.
    """

    def __init__(self, marker: str) -> None:
        super().__init__(marker)
        self.marker = marker


@implementer(IImage)
@frozen
class Image:
    """
    An image.  A snapshot knows the server it was taken of and is SAVING
    until ``ready_at``; a base image is ACTIVE from the start.
    ``metadata`` holds the image's own properties (Nova's image metadata,
    Glance's additional properties).
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
    #: When its metadata last changed, 0 if never.
    changed_at: float = 0.0
    #: The block-storage volume it was uploaded from, if it was.
    volume_id: str | None = None
    #: Glance's status until ``ready_at`` and from then on: a snapshot
    #: is ``saving`` then ``active``; an image registered through
    #: Glance's API is ``queued`` (both the same) until data arrives.
    status_until_ready: str = "saving"
    status_when_ready: str = "active"
    #: Whether the project registered it through Glance (``POST
    #: /v2/images``) rather than through Nova or Cinder.
    registered: bool = False
    #: Glance's visibility when set explicitly (else from its origin).
    visibility_given: str | None = None
    protected: bool = False
    os_hidden: bool = False
    tags: tuple[str, ...] = field(default=(), converter=strings)
    container_format: str | None = "ovf"
    disk_format: str | None = "vhd"
    #: MD5 and the secure hash (sha512) of the data Glance holds.
    checksum: str | None = None
    os_hash_algo: str | None = None
    os_hash_value: str | None = None
    #: The disk's size as a guest sees it, in bytes, once Glance has
    #: looked into the data (None: not known).
    virtual_size: int | None = None
    #: Who owns it when it is a base image (Glance's ``owner``).
    provider: str = PROVIDER

    @property
    def is_snapshot(self) -> bool:
        """
        Whether it is the project's own (a server's snapshot, an upload
        of a volume, an image registered through Glance) rather than a
        provider's base image.
        """
        return self.server_id is not None or self.volume_id is not None or self.registered

    def glance_status(self, now: float) -> str:
        """
        Glance's lower-case status at ``now``.
        """
        return self.status_when_ready if now >= self.ready_at else self.status_until_ready

    def status(self, now: float) -> str:
        """
        Nova's upper-case status, as Nova's image proxy maps Glance's.
        """
        return NOVA_STATUSES.get(self.glance_status(now), "UNKNOWN")

    def progress(self, now: float) -> int:
        return 100 if self.glance_status(now) == "active" else 25

    def has_data(self, now: float) -> bool:
        """
        Whether Glance holds data for it (its size is then known).
        """
        return self.glance_status(now) in ("active", "deactivated")

    def updated(self, now: float) -> float:
        made = max(self.created, self.ready_at) if now >= self.ready_at else self.created
        return max(made, self.changed_at)

    @property
    def visibility(self) -> str:
        """
        Glance's visibility: as set, else the provider's base images are
        public, a tenant's snapshots private to it.
        """
        if self.visibility_given is not None:
            return self.visibility_given
        return "private" if self.is_snapshot else "public"

    def owner(self, tenant_id: str) -> str:
        """
        Glance's ``owner``: the tenant a snapshot belongs to (the one whose
        store holds it), or the provider for a base image.
        """
        return tenant_id if self.is_snapshot else self.provider

    def glance_json(self, now: float, owner: str) -> dict[str, Any]:
        """
        The image as the Image service (Glance v2) shows it: lower-case
        status, visibility, owner, and the metadata as top-level
        properties.  ``owner`` is the tenant whose store holds the image
        (a snapshot's owner).  Links are relative to the service root, as
        Glance gives them.
        """
        status = self.glance_status(now)
        has_data = self.has_data(now)
        body: dict[str, Any] = dict(self.metadata)
        body.update(
            {
                "id": self.id,
                "name": self.name,
                "status": status,
                "visibility": self.visibility,
                "protected": self.protected,
                "os_hidden": self.os_hidden,
                "tags": list(self.tags),
                "container_format": self.container_format,
                "disk_format": self.disk_format,
                "min_disk": self.min_disk,
                "min_ram": self.min_ram,
                "size": self.size if has_data else None,
                # Glance knows these once the data is all there.
                "virtual_size": self.virtual_size if has_data else None,
                "checksum": self.checksum if has_data else None,
                "os_hash_algo": self.os_hash_algo if has_data else None,
                "os_hash_value": self.os_hash_value if has_data else None,
                "owner": self.owner(owner),
                "created_at": iso_seconds(self.created),
                "updated_at": iso_seconds(self.updated(now)),
                "self": f"/v2/images/{self.id}",
                "file": f"/v2/images/{self.id}/file",
                "schema": "/v2/schemas/image",
            }
        )
        if self.registered and self.has_data(now):
            # The store Glance keeps the data in (it has one: see
            # ``GET /v2/info/stores``).
            body["stores"] = STORE_ID
        if self.status_until_ready == "importing":
            # Glance's account of an import: where it is going while it
            # runs, where it failed once it has.
            importing = now < self.ready_at
            body["os_glance_importing_to_stores"] = STORE_ID if importing else ""
            failed = not importing and status == "queued"
            body["os_glance_failed_import"] = STORE_ID if failed else ""
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


#: Rackspace-like public base images, newest first (the order Nova and
#: Glance list by default).  Their ids are fixed, so test suites may
#: name them.
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


#: A listing filter: whether an image, given its Glance view and the
#: time, is wanted.
ImageFilter = Callable[[Image, dict[str, Any], float], bool]

#: How a listing sorts on each of Glance's sort keys: a function of an
#: image's Glance view (Glance sorts on what it shows).
SORT_VALUES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda view: view["name"] or "",
    "status": lambda view: view["status"],
    "container_format": lambda view: view["container_format"] or "",
    "disk_format": lambda view: view["disk_format"] or "",
    "size": lambda view: -1 if view["size"] is None else view["size"],
    "id": lambda view: view["id"],
    "created_at": lambda view: view["created_at"],
    "updated_at": lambda view: view["updated_at"],
}

#: The keys a listing may sort on.
SORT_KEYS = tuple(SORT_VALUES)


def _sort_value(key: str) -> Callable[[tuple[Image, str, dict[str, Any]]], Any]:
    """
    What a listing sorts an (image, owner, view) on for ``key``: the
    view's value, except creation, which is sorted on the exact time
    rather than the view's whole seconds, so two images made in the same
    second list in the order they were made (a backup's rotation and the
    clients that check it rely on it).
    """
    if key == "created_at":
        return lambda triple: triple[0].created
    value = SORT_VALUES[key]
    return lambda triple: value(triple[2])


@frozen
class ImageQuery:
    """
    What one listing asks for (``GET /v2/images``), already checked
    (:func:`mimic.services.image.validation.parse_image_query` makes it
    from the query string): which images, in what order, which page.
    ``args`` is the query as given, which the listing's links carry on.
    """

    args: Mapping[str, list[str]]
    limit: int
    marker: str | None
    #: (sort key, descending) pairs, Glance's tie-breakers included.
    sorting: tuple[tuple[str, bool], ...]
    filters: tuple[ImageFilter, ...]
    visibility: str | None
    ids: tuple[str, ...] | None
    #: The names asked for, checked before an image's view is made.
    names: frozenset[str] | None
    #: Which images shared with the project are listed, by the
    #: project's member status (``all``: any).
    member_status: str = "accepted"

    @property
    def default_order(self) -> bool:
        """
        Whether the images are wanted newest first, the order the store
        iterates in (no sort needed).
        """
        return self.sorting[0] == ("created_at", True)

    def visible(self, visibility: str) -> bool:
        """
        Whether an image of this visibility is listed: by default all but
        community images, as Glance lists them.
        """
        if self.visibility in (None, "all"):
            return self.visibility == "all" or visibility != "community"
        return visibility == self.visibility


def _no_peers(tenant_id: str) -> ImageStore | None:
    return None


@implementer(IRegionState, IImages, IImageUploads, IPendingEvents)
@define
class ImageStore(GlanceWrites):
    """
    The images one tenant sees in one region: the shared base images and
    the project's own (its servers' snapshots, its volumes' uploads, the
    images it registered through Glance), with what Glance keeps beside
    them (:class:`~mimic.services.image.writes.GlanceWrites`).  Lookups
    by id are dict lookups; iteration is newest first without sorting.
    """

    _snapshots: dict[str, Image] = field(factory=dict)
    #: How long a new snapshot is SAVING: ``image.snapshot_seconds``, set by :func:`image_store`.
    snapshot_seconds: float = SNAPSHOT_SECONDS
    #: The formats a new snapshot is in: the profile's, set by
    #: :func:`image_store` (configuration, not state: not compared or saved).
    snapshot_formats: DiskFormats = field(default=RACKSPACE_SNAPSHOTS, eq=False, repr=False)
    #: The provider's base images, newest first: Rackspace's unless the
    #: plugin chose others for its cloud's profile
    #: (:mod:`mimic.services.image.base_images`).
    base: tuple[Image, ...] = BASE_IMAGES
    _base_by_id: dict[str, Image] = field(init=False)

    def __attrs_post_init__(self) -> None:
        self._base_by_id = _BASE_BY_ID if self.base is BASE_IMAGES else {i.id: i for i in self.base}
    _data: dict[str, bytes] = field(factory=dict)
    _staged: dict[str, bytes] = field(factory=dict)
    _members: dict[str, dict[str, Member]] = field(factory=dict)
    _shared_with_me: dict[str, str] = field(factory=dict)
    _tasks: dict[str, list[ImportTask]] = field(factory=dict)
    #: Another tenant's store in the same region, by tenant id (see
    #: :func:`image_store`); not state, so not compared or saved.
    peers: Callable[[str], ImageStore | None] = field(default=_no_peers, eq=False, repr=False)

    def get(self, image_id: str) -> Image | None:
        """
        The image with this id, or None.
        """
        return self._snapshots.get(image_id) or self._base_by_id.get(image_id)

    def __iter__(self) -> Iterator[Image]:
        """
        Every image, newest first: snapshots (newer than any base image)
        then base images.
        """
        yield from reversed(self._snapshots.values())
        yield from self.base

    def __len__(self) -> int:
        return len(self._snapshots) + len(self.base)

    def own_images(self) -> list[Image]:
        """
        The tenant's own images (not the provider's), oldest first.
        """
        return list(self._snapshots.values())

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
        seconds: float | None = None,
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
        image_id = str(uuid.uuid4())
        uploaded: dict[str, Any] = {}
        if self.snapshot_formats.with_digests:
            # What Glance works out from the data Nova uploads: shown
            # once the snapshot is active.
            disk = base_image.virtual_size if base_image is not None else None
            uploaded = {"virtual_size": disk or size, **stand_in_digests(image_id)}
        image = Image(
            id=image_id,
            name=name,
            created=now,
            min_disk=min_disk,
            min_ram=min_ram,
            size=size,
            metadata=inherited,
            server_id=server_id,
            ready_at=now + (self.snapshot_seconds if seconds is None else seconds),
            container_format=self.snapshot_formats.container_format,
            disk_format=self.snapshot_formats.disk_format,
            **uploaded,
        )
        self._snapshots[image.id] = image
        return image

    def upload_volume(
        self,
        name: str,
        volume_id: str,
        size: int,
        now: float,
        metadata: Mapping[str, str] | None = None,
        formats: tuple[str, str] | None = None,
    ) -> Image:
        """
        Record an image uploaded from a volume: the project's own, with
        the volume's size as its minimum disk, ACTIVE at once (the upload
        is the volume's ``uploading`` status), in the ``(disk_format,
        container_format)`` the upload asked for (Cinder's raw in bare
        by default).
        """
        disk_format, container_format = formats or ("raw", "bare")
        properties = dict(metadata or {})
        properties.update({"image_type": "image", "volume_id": volume_id})
        image = Image(
            id=str(uuid.uuid4()),
            name=name,
            created=now,
            min_disk=size,
            min_ram=0,
            size=size * 1024**3,
            metadata=properties,
            ready_at=now,
            volume_id=volume_id,
            container_format=container_format,
            disk_format=disk_format,
        )
        self._snapshots[image.id] = image
        return image

    def register(self, image_id: str | None, name: str | None, now: float, **given: Any) -> Image:
        """
        ``POST /v2/images``: a new image of the project's, ``queued``
        until data arrives.  ``given`` holds the other fields the
        request set (visibility, formats, minimums, tags, properties).
        A chosen id must be new (Glance's 409).
        """
        if image_id is not None and self.get(image_id) is not None:
            raise ImageRefused(409, f"Image with identifier {image_id} already exists!")
        fields: dict[str, Any] = {
            "min_disk": 0,
            "min_ram": 0,
            "metadata": {},
            "container_format": None,
            "disk_format": None,
            "visibility_given": "shared",
        }
        fields.update(given)
        image = Image(
            id=image_id or str(uuid.uuid4()),
            name=name or "",
            created=now,
            size=0,
            registered=True,
            status_until_ready="queued",
            status_when_ready="queued",
            ready_at=now,
            **fields,
        )
        self._snapshots[image.id] = image
        return image

    def find(self, image_id: str) -> Image:
        """
        The image with this id; :class:`NoSuchImage` if the tenant sees
        none.
        """
        image = self.get(image_id)
        if image is None:
            raise NoSuchImage(image_id)
        return image

    def deletable(self, image_id: str) -> Image:
        """
        The image a delete of this id would remove: one of the project's
        own snapshots.  :class:`NoSuchImage` if there is none,
        :class:`NotTheProjectsImage` for the provider's base images.
        """
        image = self.find(image_id)
        if not image.is_snapshot:
            raise NotTheProjectsImage(image_id)
        return image

    def listing(
        self, query: ImageQuery, now: float, tenant_id: str
    ) -> tuple[list[dict[str, Any]], bool]:
        """
        One page of Glance views of the images ``query`` asks for, and
        whether it is full (Glance then gives a ``next`` link).
        :class:`UnknownMarker` if the marker names no image.
        """
        pairs_seen = self._candidates(query, tenant_id)
        ordered: Iterator[tuple[Image, str, dict[str, Any] | None]]
        if query.default_order:
            # Newest first is the order candidates come in: views are
            # made only for the images this page looks at.
            ordered = ((image, owner, None) for image, owner in pairs_seen)
        else:
            triples = [(image, owner, image.glance_json(now, owner)) for image, owner in pairs_seen]
            for key, descending in reversed(query.sorting):
                triples.sort(key=_sort_value(key), reverse=descending)
            ordered = iter(triples)
        if query.marker is not None:
            # Page from the marker's place in the whole ordered listing
            # (it may be an image the filters leave out), as Glance does.
            for image, _, _ in ordered:
                if image.id == query.marker:
                    break
            else:
                raise UnknownMarker(query.marker)
        items: list[dict[str, Any]] = []
        for image, owner, view in ordered:
            if len(items) >= query.limit:
                break
            if query.names is not None and image.name not in query.names:
                continue
            if view is None:
                view = image.glance_json(now, owner)
            if all(check(image, view, now) for check in query.filters):
                items.append(view)
        return items, bool(items) and len(items) == query.limit

    def _candidates(self, query: ImageQuery, tenant_id: str) -> Iterator[tuple[Image, str]]:
        """
        The images a listing considers, newest first, each with the
        tenant whose store holds it: the project's own and the base
        images of the visibility asked for, merged with the images other
        projects shared with it of the member status asked for.
        """
        own: Iterable[Image]
        if query.ids is not None:
            found = (self.get(i) for i in query.ids)
            own = sorted((image for image in found if image is not None), key=lambda image: -image.created)
        else:
            own = self
        mine = ((image, tenant_id) for image in own if query.visible(image.visibility))
        if query.visibility not in (None, "all", "shared"):
            return mine
        shared: Iterable[tuple[Image, str]] = self.shared_with_me(tenant_id, query.member_status)
        if query.ids is not None:
            wanted = set(query.ids)
            shared = [pair for pair in shared if pair[0].id in wanted]
        return heapq.merge(mine, shared, key=lambda pair: -pair[0].created)

    def set_metadata(self, image_id: str, metadata: Mapping[str, str], now: float) -> Image | None:
        """
        Replace a snapshot's metadata, as of ``now``; None if there is no
        such snapshot (base images are the provider's, not to change).
        """
        image = self._snapshots.get(image_id)
        if image is None:
            return None
        changed = evolve(image, metadata=dict(metadata), changed_at=now)
        self._snapshots[image_id] = changed
        return changed

    def delete(self, image_id: str) -> bool:
        """
        Forget a snapshot.  False if there is no such snapshot (base
        images cannot be deleted).
        """
        if self._snapshots.pop(image_id, None) is None:
            return False
        self.forget(image_id)
        return True

    def pending_events(self, now: float) -> list[PendingEvent]:
        """
        The snapshots still saving, each becoming ACTIVE when it is ready
        (the clock's pending events).
        """
        return [
            PendingEvent(image.ready_at, "image", image.id, image.name, f"becomes {image.status_when_ready.upper()}")
            for image in self._snapshots.values()
            if image.ready_at > now
        ]

    def summary(self) -> dict[str, Any]:
        return {
            "snapshots": len(self._snapshots),
            "snapshot_ids": self.snapshot_ids,
            # Each snapshot as the dashboard lists it, with the path of
            # its JSON below the image endpoint.
            "image_list": [
                {"id": image.id, "name": image.name, "path": f"v2/images/{image.id}"}
                for image in self._snapshots.values()
            ],
        }


def image_store(
    core: IMimicCore, tenant_id: str, region: str, base: tuple[Image, ...] = BASE_IMAGES
) -> ImageStore:
    """
    The one store of a tenant's images in a region, shared by the Image
    service and compute, made with ``base`` as its base images on first
    use.
    """
    store = core.region_state(SERVICE_NAME, tenant_id, region, lambda: ImageStore(base=base))
    store.snapshot_seconds = float(core.settings.get(f"{SERVICE_NAME}.snapshot_seconds", SNAPSHOT_SECONDS))
    store.snapshot_formats = snapshot_formats(core.profile)
    store.peers = lambda other: core.region_state(SERVICE_NAME, other, region, lambda: ImageStore(base=base))
    return store
