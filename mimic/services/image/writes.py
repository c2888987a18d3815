# -*- test-case-name: mimic.test.test_image_writes -*-
"""
What a project does to its images through Glance's API, beyond listing
and deleting: upload and download data, stage and import it, change an
image (JSON-patch, already parsed into a new image by
:mod:`mimic.services.image.patch`), deactivate and reactivate, tag it,
and share it with other projects.

:class:`GlanceWrites` is a part of
:class:`~mimic.services.image.model.ImageStore` (one tenant's images in
one region): its rules, with no HTTP in it.  Statuses move on Mimic's
clock: an image's status is ``status_until_ready`` until ``ready_at``,
then ``status_when_ready``, so no timer runs per image.

Sharing crosses tenants: the owner's store keeps an image's members;
each member's store keeps an index of the images shared with it and
their owners, and reaches the owner's store through ``peers`` (set by
:func:`~mimic.services.image.model.image_store` on every access, so it
always goes through the core that holds the stores now).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence

from attrs import evolve

from mimic.saved import record_from, record_json
from mimic.services.image.digests import data_digests, virtual_size_of
from mimic.services.image.records import (
    MEMBER_QUOTA,
    TAG_QUOTA,
    ImageRefused,
    ImportTask,
    Member,
)

#: :class:`mimic.services.image.model.Image` and
#: :class:`~mimic.services.image.model.ImageStore`, which this module
#: cannot import (the store is made of this module's class).
Image = Any
ImageStore = Any

#: How long an import runs on Mimic's clock before its task is done.
IMPORT_SECONDS = 1.0


def _transition(current: str, wanted: str) -> ImageRefused:
    return ImageRefused(409, f"Image status transition from {current} to {wanted} is not allowed")


class GlanceWrites:
    """
    The write side of an image store (mixed into
    :class:`~mimic.services.image.model.ImageStore`, which holds these
    fields).
    """

    __slots__ = ()

    _snapshots: dict[str, Image]
    #: Each image's data, by image id (the project's uploads).
    _data: dict[str, bytes]
    #: Data staged for a ``glance-direct`` import, by image id.
    _staged: dict[str, bytes]
    #: The members of the project's images: image id -> member id -> member.
    _members: dict[str, dict[str, Member]]
    #: The images other projects shared with this one: image id -> owner.
    _shared_with_me: dict[str, str]
    #: Each image's import tasks, oldest first.
    _tasks: dict[str, list[ImportTask]]
    peers: Callable[[str], ImageStore]

    if TYPE_CHECKING:

        def find(self, image_id: str) -> Image: ...

    # -- the project's own images ----------------------------------------

    def own(self, image_id: str, what: str = "modify") -> Image:
        """
        The project's own image with this id, for a change; 404 for an
        image the project cannot see, 403 for one it sees but does not
        own (a base image, one shared with it).
        """
        image = self._snapshots.get(image_id)
        if image is not None:
            return image
        self.locate(image_id)
        raise ImageRefused(403, f"You are not permitted to {what} this image.")

    def _replace(self, image: Image) -> Image:
        self._snapshots[image.id] = image
        return image

    def change(self, changed: Image, now: float) -> Image:
        """
        Keep ``changed`` (the project's image after a PATCH) as of
        ``now``; its visibility leaving ``shared`` keeps its members but
        they no longer see it, as in Glance.
        """
        return self._replace(evolve(changed, changed_at=now))

    def data_of(self, image_id: str) -> bytes | None:
        """
        The image's data, or None if it has none (a base image, a
        snapshot, a queued image).
        """
        return self._data.get(image_id)

    def upload(self, image_id: str, data: bytes, now: float, seconds: float = 0.0, kill: bool = False) -> Image:
        """
        ``PUT /v2/images/{id}/file``: a queued image takes its data and
        is ``saving`` for ``seconds`` on Mimic's clock, then ``active``
        (``killed`` instead when ``kill``: a known error condition).
        """
        image = self.own(image_id, "upload data to")
        status = image.glance_status(now)
        if status != "queued":
            raise _transition(status, "saving")
        if kill:
            return self._replace(
                evolve(image, status_until_ready="killed", status_when_ready="killed", ready_at=now, changed_at=now)
            )
        self._data[image_id] = data
        return self._replace(self._with_data(image, data, now, "saving", now + seconds))

    def _with_data(self, image: Image, data: bytes, now: float, until: str, ready_at: float) -> Image:
        return evolve(
            image,
            size=len(data),
            virtual_size=virtual_size_of(data, image.disk_format),
            **data_digests(data),
            status_until_ready=until,
            status_when_ready="active",
            ready_at=ready_at,
            changed_at=now,
        )

    def stage(self, image_id: str, data: bytes, now: float) -> Image:
        """
        ``PUT /v2/images/{id}/stage``: a queued image's data waits for
        a ``glance-direct`` import; the image is ``uploading``.
        """
        image = self.own(image_id, "stage data for")
        status = image.glance_status(now)
        if status != "queued":
            raise _transition(status, "uploading")
        self._staged[image_id] = data
        return self._replace(
            evolve(image, status_until_ready="uploading", status_when_ready="uploading", ready_at=now, changed_at=now)
        )

    def start_import(
        self,
        image_id: str,
        owner: str,
        method: str,
        stores: Sequence[str],
        request_id: str,
        user_id: str,
        now: float,
        failure: str | None = None,
        seconds: float = IMPORT_SECONDS,
    ) -> ImportTask:
        """
        ``POST /v2/images/{id}/import`` with ``glance-direct``: the image
        is ``importing`` for ``seconds`` on Mimic's clock, then
        ``active`` with the staged data; or, when ``failure`` (a known
        error condition) says why, back to ``queued`` with the data
        dropped and the task failed, as Glance reverts a failed import.
        """
        image = self.own(image_id, "import data to")
        status = image.glance_status(now)
        if status != "uploading" or image_id not in self._staged:
            raise ImageRefused(409, "Image needs to be staged before 'glance-direct' method can be used")
        task = ImportTask(
            id=str(uuid.uuid4()),
            image_id=image_id,
            owner=owner,
            method=method,
            stores=tuple(stores),
            request_id=request_id,
            user_id=user_id,
            created=now,
            ready_at=now + seconds,
            failure=failure,
        )
        self._tasks.setdefault(image_id, []).append(task)
        data = self._staged.pop(image_id)
        metadata = dict(image.metadata)
        metadata["os_glance_import_task"] = task.id
        if failure is not None:
            changed = evolve(
                image,
                metadata=metadata,
                status_until_ready="importing",
                status_when_ready="queued",
                ready_at=task.ready_at,
                changed_at=now,
            )
        else:
            self._data[image_id] = data
            changed = self._with_data(evolve(image, metadata=metadata), data, now, "importing", task.ready_at)
        self._replace(changed)
        return task

    def tasks_of(self, image_id: str) -> list[ImportTask]:
        """
        The image's import tasks (the image must be one the project
        sees).
        """
        image, owner_store, _ = self.locate(image_id)
        tasks = (owner_store if owner_store is not None else self)._tasks
        return list(tasks.get(image.id, []))

    def deactivate(self, image_id: str, now: float) -> Image:
        image = self.own(image_id, "deactivate")
        status = image.glance_status(now)
        if status == "deactivated":
            return image
        if status != "active":
            raise ImageRefused(403, f"Not allowed to deactivate image in status '{status}'")
        return self._replace(
            evolve(image, status_until_ready="deactivated", status_when_ready="deactivated", ready_at=now, changed_at=now)
        )

    def reactivate(self, image_id: str, now: float) -> Image:
        image = self.own(image_id, "reactivate")
        status = image.glance_status(now)
        if status == "active":
            return image
        if status != "deactivated":
            raise ImageRefused(403, f"Not allowed to reactivate image in status '{status}'")
        return self._replace(
            evolve(image, status_until_ready="active", status_when_ready="active", ready_at=now, changed_at=now)
        )

    def add_tag(self, image_id: str, tag: str, now: float) -> Image:
        image = self.own(image_id, "modify tags on")
        if tag in image.tags:
            return image
        if len(image.tags) >= TAG_QUOTA:
            raise ImageRefused(413, f"Maximum number of tags exceeded: {TAG_QUOTA}")
        return self._replace(evolve(image, tags=(*image.tags, tag), changed_at=now))

    def remove_tag(self, image_id: str, tag: str, now: float) -> Image:
        image = self.own(image_id, "modify tags on")
        if tag not in image.tags:
            raise ImageRefused(404, f"Tag {tag} not found")
        return self._replace(evolve(image, tags=tuple(t for t in image.tags if t != tag), changed_at=now))

    def forget(self, image_id: str) -> None:
        """
        Drop what the store keeps beside an image it deletes: data, staged
        data, tasks, and its members (whose stores forget it too).
        """
        self._data.pop(image_id, None)
        self._staged.pop(image_id, None)
        self._tasks.pop(image_id, None)
        for member_id in self._members.pop(image_id, {}):
            peer = self.peers(member_id)
            if peer is not None:
                peer._shared_with_me.pop(image_id, None)

    # -- sharing ---------------------------------------------------------

    def locate(self, image_id: str) -> tuple[Image, ImageStore, str | None]:
        """
        The image with this id as the project sees it, the store that
        owns it (None: this one, or the provider's for a base image) and
        the owner's tenant id when another project shared it;
        :class:`~mimic.services.image.model.NoSuchImage` if the project
        sees none.
        """
        owner = self._shared_with_me.get(image_id)
        if owner is not None:
            peer = self.peers(owner)
            image = peer._snapshots.get(image_id) if peer is not None else None
            if peer is not None and image is not None and image.visibility == "shared":
                return image, peer, owner
        return self.find(image_id), None, None

    def shared_with_me(self, tenant_id: str, member_status: str) -> Iterator[tuple[Image, str]]:
        """
        The shared images other projects' stores hold for this project
        (``tenant_id``), with their owners, whose member status is
        ``member_status`` (``all``: any), newest first.
        """
        found: list[tuple[Image, str]] = []
        for image_id, owner in self._shared_with_me.items():
            peer = self.peers(owner)
            if peer is None:
                continue
            image = peer._snapshots.get(image_id)
            membership = peer._members.get(image_id, {}).get(tenant_id)
            if image is None or membership is None or image.visibility != "shared":
                continue
            if member_status == "all" or membership.status == member_status:
                found.append((image, owner))
        found.sort(key=lambda pair: -pair[0].created)
        return iter(found)

    def members_of(self, image_id: str, tenant_id: str) -> list[Member]:
        """
        ``GET /v2/images/{id}/members``: every member for the owner; a
        member sees only its own membership.
        """
        image, owner_store, _ = self.locate(image_id)
        if owner_store is None:
            if image.id not in self._snapshots or image.visibility != "shared":
                raise ImageRefused(403, "Only shared images have members.")
            return list(self._members.get(image_id, {}).values())
        mine = owner_store._members.get(image_id, {}).get(tenant_id)
        return [mine] if mine is not None else []

    def member(self, image_id: str, member_id: str, tenant_id: str) -> Member:
        for found in self.members_of(image_id, tenant_id):
            if found.member_id == member_id:
                return found
        raise ImageRefused(404, f"{member_id} is not a member of image {image_id}")

    def add_member(self, image_id: str, member_id: str, owner: str, now: float) -> Member:
        """
        Share the project's image with ``member_id``: ``pending`` until
        the member accepts or rejects it.
        """
        image = self.own(image_id, "share")
        if image.visibility != "shared":
            raise ImageRefused(403, "Only shared images have members.")
        members = self._members.setdefault(image_id, {})
        if member_id in members:
            raise ImageRefused(409, f"Member {member_id} is duplicated for image {image_id}")
        if len(members) >= MEMBER_QUOTA:
            raise ImageRefused(413, f"Maximum number of image members exceeded: {MEMBER_QUOTA}")
        added = members[member_id] = Member(image_id, member_id, "pending", now, now)
        peer = self.peers(member_id)
        if peer is not None:
            peer._shared_with_me[image_id] = owner
        return added

    def set_member_status(self, image_id: str, member_id: str, tenant_id: str, status: str, now: float) -> Member:
        """
        The member (and only it) accepts, rejects, or sets back to
        pending, an image shared with it.
        """
        image, owner_store, _ = self.locate(image_id)
        if owner_store is None or member_id != tenant_id:
            if owner_store is None and image.id in self._snapshots and member_id in self._members.get(image_id, {}):
                raise ImageRefused(403, "You are not permitted to modify 'status' on this image member.")
            raise ImageRefused(404, f"{member_id} is not a member of image {image_id}")
        current = owner_store._members.get(image_id, {}).get(member_id)
        if current is None:
            raise ImageRefused(404, f"{member_id} is not a member of image {image_id}")
        changed = owner_store._members[image_id][member_id] = evolve(current, status=status, updated=now)
        return changed

    def remove_member(self, image_id: str, member_id: str) -> None:
        """
        The owner stops sharing its image with ``member_id``.
        """
        image, owner_store, _ = self.locate(image_id)
        if owner_store is not None:
            raise ImageRefused(403, "You are not permitted to delete this image member.")
        members = self._members.get(image_id, {})
        if member_id not in members:
            raise ImageRefused(404, f"{member_id} is not a member of image {image_id}")
        del members[member_id]
        peer = self.peers(member_id)
        if peer is not None:
            peer._shared_with_me.pop(image_id, None)


def saved_extras(store: Any) -> dict[str, Any]:
    """
    What :class:`GlanceWrites` keeps, as plain JSON (data as Latin-1
    text, so that any bytes survive JSON unchanged).
    """
    return {
        "data": {k: v.decode("latin-1") for k, v in store._data.items()},
        "staged": {k: v.decode("latin-1") for k, v in store._staged.items()},
        "members": {k: [record_json(m) for m in v.values()] for k, v in store._members.items()},
        "shared_with_me": dict(store._shared_with_me),
        "tasks": {k: [record_json(t) for t in v] for k, v in store._tasks.items()},
    }


def restored_extras(saved: Mapping[str, Any]) -> dict[str, Any]:
    """
    The fields :func:`saved_extras` wrote, as the store's constructor
    takes them (all optional: a state saved before Glance writes has
    none).
    """
    def texts(name: str) -> dict[str, bytes]:
        found = saved.get(name, {})
        if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
            raise ValueError(f"an image store's {name!r} is not an object of texts")
        return {k: v.encode("latin-1") for k, v in found.items()}

    def records(name: str, cls: type) -> dict[str, list[Any]]:
        found = saved.get(name, {})
        if not isinstance(found, dict) or not all(isinstance(v, list) for v in found.values()):
            raise ValueError(f"an image store's {name!r} is not an object of lists")
        return {k: [record_from(cls, r) for r in v] for k, v in found.items()}

    shared = saved.get("shared_with_me", {})
    if not isinstance(shared, dict) or not all(isinstance(v, str) for v in shared.values()):
        raise ValueError("an image store's 'shared_with_me' is not an object of texts")
    return {
        "data": texts("data"),
        "staged": texts("staged"),
        "members": {k: {m.member_id: m for m in v} for k, v in records("members", Member).items()},
        "shared_with_me": dict(shared),
        "tasks": records("tasks", ImportTask),
    }
