# -*- test-case-name: mimic.test.test_objectstorage_model -*-
"""
Object storage (Swift, Rackspace Cloud Files): one tenant's account in one
region, its containers and their objects, with Swift's rules.  No HTTP
here: :mod:`.routes` parses requests and calls these methods, which raise
:class:`SwiftRefusal` where Swift would refuse; :mod:`.views` shows the
result.

Objects live in memory.  Every account in a process draws on one
:class:`StorageBudget`, so that a client uploading without end is refused
with Swift's 507 rather than exhausting the machine.  Listings are kept
sorted (Swift sorts names by their UTF-8 bytes, which for valid text is
code point order, so Python's own string order) and are served with
bisection, so a page costs its length, not the container's size.

Times come from Mimic's clock: ``X-Timestamp`` and ``Last-Modified`` of
every write, and objects expiring at ``X-Delete-At`` (they are gone for
every read from that moment, and their memory is given back then too).
"""

from __future__ import annotations

import hashlib
import weakref
from bisect import bisect_left, bisect_right, insort
from collections import deque
from typing import Any, Iterable, Iterator

from attrs import define, field, frozen
from twisted.internet.interfaces import IDelayedCall, IReactorTime
from zope.interface import implementer

from mimic.catalog import stable_id
from mimic.interfaces import IMimicCore, IPendingEvents, IRegionState
from mimic.pending import EXPIRY, PendingEvent
from mimic.services.objectstorage.middleware import devstack_proxy, exceeds

SERVICE_NAME = "objectstorage"

#: Swift's default constraints (``/info`` reports them; requests over
#: them are refused as Swift refuses them).
MAX_FILE_SIZE = 5368709122
MAX_OBJECT_NAME_LENGTH = 1024
MAX_CONTAINER_NAME_LENGTH = 256
LISTING_LIMIT = 10000
MAX_META_NAME_LENGTH = 128
MAX_META_VALUE_LENGTH = 256
MAX_META_COUNT = 90
MAX_META_OVERALL_SIZE = 4096
MAX_MANIFEST_SEGMENTS = 1000
MAX_MANIFEST_SIZE = 8 * 1024 * 1024
MAX_DELETES_PER_REQUEST = 10000

#: The bytes every object in one Mimic may hold together, unless the
#: ``objectstorage.max_bytes`` setting says otherwise.
DEFAULT_MAX_BYTES = 2 * 1024**3

#: How long a deleted object is remembered for a lagging listing (the
#: ``stale_listing`` condition), and how many at most per container.
TOMBSTONE_SECONDS = 3600.0
TOMBSTONE_COUNT = 1000


class SwiftRefusal(Exception):
    """
    Swift refuses a request: the status, and the message of its body
    (``None`` for Swift's standard page of that status).
    """

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


def etag_of(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@frozen
class Segment:
    """
    One segment of a static large object, as its manifest lists it.
    """

    container: str
    name: str
    etag: str
    size: int
    content_type: str
    last_modified: float

    @property
    def path(self) -> str:
        return f"/{self.container}/{self.name}"


@define(slots=True, eq=False)
class StoredObject:
    """
    One object.  ``data`` holds its bytes; a dynamic large object (a
    ``manifest``, ``container/prefix``) and a static one (``segments``)
    hold none of their own and are read from their segments.
    """

    name: str
    data: bytes
    etag: str
    content_type: str
    timestamp: float
    metadata: dict[str, str] = field(factory=dict)
    #: Headers Swift keeps as they were given (Content-Disposition...).
    headers: dict[str, str] = field(factory=dict)
    delete_at: int | None = None
    manifest: str | None = None
    segments: tuple[Segment, ...] | None = None
    expiry: IDelayedCall | None = None

    @property
    def stored_bytes(self) -> int:
        """
        What this object counts for in the account's bytes used and in
        listings: its own data, or for a static large object the sum of
        its segments (Swift counts a manifest as the whole object's size
        in listings).
        """
        if self.segments is not None:
            return sum(segment.size for segment in self.segments)
        return len(self.data)

    @property
    def memory(self) -> int:
        return len(self.data)

    def expired(self, now: float) -> bool:
        return self.delete_at is not None and self.delete_at <= now


@frozen
class Gone:
    """
    What a listing showed of an object that has since been deleted: its
    description, not its bytes.
    """

    name: str
    etag: str
    stored_bytes: int
    content_type: str
    timestamp: float
    segments: None = None


@frozen
class Tombstone:
    """
    A deleted object, remembered for a while for a listing that lags.
    """

    entry: Gone
    deleted_at: float


@implementer(IRegionState)
class StorageBudget:
    """
    The bytes all accounts of one Mimic hold together, against a limit.
    Accounts are held weakly: an account dropped by a reset no longer
    counts.
    """

    def __init__(self, limit: int = DEFAULT_MAX_BYTES) -> None:
        self.limit = limit
        self._accounts: weakref.WeakSet[Account] = weakref.WeakSet()

    def join(self, account: "Account") -> None:
        self._accounts.add(account)

    @property
    def used(self) -> int:
        return sum(account.memory for account in self._accounts)

    def reserve(self, more: int) -> None:
        """
        Refuse with 507 when ``more`` bytes would take the total over the
        limit.
        """
        if more > 0 and self.used + more > self.limit:
            raise SwiftRefusal(507)

    def summary(self) -> dict[str, Any]:
        return {"bytes_limit": self.limit, "bytes_used": self.used}


@define(eq=False)
class Container:
    name: str
    created: float
    metadata: dict[str, str] = field(factory=dict)
    #: X-Container-Read / X-Container-Write, as given.
    acls: dict[str, str] = field(factory=dict)
    objects: dict[str, StoredObject] = field(factory=dict)
    names: list[str] = field(factory=list)
    bytes_used: int = 0
    memory: int = 0
    tombstones: deque[Tombstone] = field(factory=lambda: deque(maxlen=TOMBSTONE_COUNT))

    @property
    def object_count(self) -> int:
        return len(self.objects)

    def quota(self, name: str) -> int | None:
        raw = self.metadata.get(name)
        if raw is None:
            return None
        try:
            return int(raw)
        except ValueError:
            return None

    def check_quota(self, more_bytes: int, more_objects: int) -> None:
        """
        Swift's container quotas (``X-Container-Meta-Quota-Bytes`` and
        ``-Count``): 413 for an upload that would exceed them.
        """
        quota_bytes = self.quota("quota-bytes")
        if quota_bytes is not None and self.bytes_used + more_bytes > quota_bytes:
            raise SwiftRefusal(413, "Upload exceeds quota.")
        quota_count = self.quota("quota-count")
        if quota_count is not None and self.object_count + more_objects > quota_count:
            raise SwiftRefusal(413, "Upload exceeds quota.")


#: Rackspace's CDN defaults and bounds for a container's TTL (seconds).
CDN_DEFAULT_TTL = 259200
CDN_MIN_TTL = 900
CDN_MAX_TTL = 31536000


@define
class CdnSettings:
    """
    How Rackspace's CDN serves one container (its CDN management API,
    ``cloudFilesCDN``): kept by container name, apart from the container
    itself, as Rackspace keeps them.
    """

    enabled: bool = True
    ttl: int = CDN_DEFAULT_TTL
    log_retention: bool = False


@frozen
class Window:
    """
    Which part of a sorted listing a request asks for: after ``marker``
    and before ``end_marker`` (the other way round when ``reverse``),
    names starting with ``prefix``, and with a ``delimiter`` the names
    below each pseudo-directory folded into one.
    """

    marker: str | None = None
    end_marker: str | None = None
    prefix: str = ""
    reverse: bool = False
    delimiter: str | None = None


@frozen
class Subdir:
    """
    A pseudo-directory in a listing with a delimiter: the names under it,
    folded into one entry.
    """

    name: str


def _iter_names(names: list[str], window: Window) -> Iterator[str | Subdir]:
    """
    ``names`` (sorted) in listing order, from the window's ``marker``
    to its ``end_marker``, under its ``prefix``; with a ``delimiter``, the names
    below each pseudo-directory fold into one :class:`Subdir` and are
    skipped by bisection, so a page costs its own length whatever the
    directories hold.  As in Swift, a pseudo-directory equal to the
    marker (the last entry of the previous page) is not listed again.
    """
    marker, end_marker, prefix, reverse, delimiter = (
        window.marker,
        window.end_marker,
        window.prefix,
        window.reverse,
        window.delimiter,
    )
    start = bisect_right(names, marker) if marker and not reverse else 0
    if prefix:
        start = max(start, bisect_left(names, prefix))
    stop = bisect_left(names, end_marker) if end_marker and not reverse else len(names)
    if prefix:
        beyond_prefix = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        stop = min(stop, bisect_left(names, beyond_prefix))
    if reverse:
        if marker:
            stop = min(stop, bisect_left(names, marker))
        if end_marker:
            start = max(start, bisect_right(names, end_marker))
    index = stop - 1 if reverse else start
    while start <= index < stop:
        name = names[index]
        cut = name.find(delimiter, len(prefix)) if delimiter else -1
        if cut < 0:
            yield name
            index += -1 if reverse else 1
            continue
        subdir = name[: cut + 1]
        if subdir != marker:
            yield Subdir(subdir)
        if reverse:
            index = bisect_left(names, subdir, start, stop) - 1
        else:
            beyond = subdir[:-1] + chr(ord(subdir[-1]) + 1)
            index = bisect_left(names, beyond, start, stop)


@implementer(IRegionState, IPendingEvents)
class Account:
    """
    One tenant's object storage account in one region.
    """

    def __init__(self, name: str, clock: IReactorTime, budget: StorageBudget) -> None:
        self.name = name
        self.clock = clock
        self.budget = budget
        self.created = clock.seconds()
        self.metadata: dict[str, str] = {}
        self.containers: dict[str, Container] = {}
        self.container_names: list[str] = []
        #: The CDN settings of the containers ever CDN-enabled.
        self.cdn: dict[str, CdnSettings] = {}
        #: What Swift keeps for its middleware and never shows a client:
        #: the account's quotas set as ``X-Account-Quota-*``.
        self.system_metadata: dict[str, str] = {}
        #: Whether uploads are held to the account's quotas (DevStack's
        #: proxy runs ``account_quotas``; Rackspace's keeps
        #: ``Quota-Bytes`` as plain metadata).  See :mod:`.middleware`.
        self.enforces_quotas = False
        budget.join(self)

    def now(self) -> float:
        return self.clock.seconds()

    # -- totals ---------------------------------------------------------

    @property
    def bytes_used(self) -> int:
        return sum(c.bytes_used for c in self.containers.values())

    @property
    def object_count(self) -> int:
        return sum(c.object_count for c in self.containers.values())

    @property
    def memory(self) -> int:
        return sum(c.memory for c in self.containers.values())

    def summary(self) -> dict[str, Any]:
        return {
            "account": self.name,
            "containers": len(self.containers),
            # Each container as the dashboard lists it (with no link to
            # its listing: Swift checks a container read's token itself).
            "container_list": [
                {"id": name, "name": name, "objects": c.object_count, "bytes": c.bytes_used}
                for name, c in self.containers.items()
            ],
            "objects": self.object_count,
            "bytes_used": self.bytes_used,
        }

    def pending_events(self, now: float) -> list[PendingEvent]:
        """
        The objects due to expire (``X-Delete-At``), as the clock's
        pending events of kind expiry: one look at each object.
        """
        return [
            PendingEvent(
                float(stored.delete_at), "object", f"{container_name}/{stored.name}", stored.name,
                "expires (X-Delete-At)", EXPIRY,
            )
            for container_name, container in self.containers.items()
            for stored in container.objects.values()
            if stored.delete_at is not None and stored.delete_at > now
        ]

    # -- containers -----------------------------------------------------

    def container(self, name: str) -> Container:
        found = self.containers.get(name)
        if found is None:
            raise SwiftRefusal(404)
        return found

    def put_container(
        self, name: str, metadata: dict[str, str | None], acls: dict[str, str]
    ) -> bool:
        """
        Create a container, or update the one there; True if it is new.
        """
        existing = self.containers.get(name)
        if existing is None:
            existing = Container(name=name, created=self.now())
            self.containers[name] = existing
            insort(self.container_names, name)
            created = True
        else:
            created = False
        apply_metadata(existing.metadata, metadata)
        existing.acls.update({k: v for k, v in acls.items() if v})
        for key in [k for k, v in acls.items() if not v]:
            existing.acls.pop(key, None)
        return created

    def delete_container(self, name: str) -> None:
        container = self.container(name)
        self._expire(container)
        if container.objects:
            raise SwiftRefusal(409)
        del self.containers[name]
        del self.container_names[bisect_left(self.container_names, name)]

    def iter_containers(self, window: Window) -> Iterator[str | Subdir]:
        return _iter_names(self.container_names, window)

    def cdn_enable(self, name: str, changes: dict[str, Any]) -> bool:
        """
        CDN-enable a container that exists (or change how the CDN serves
        one), with ``changes`` to its :class:`CdnSettings`; True if it
        was never CDN-enabled before.
        """
        self.container(name)
        settings = self.cdn.get(name)
        created = settings is None
        if settings is None:
            settings = self.cdn[name] = CdnSettings()
        for key, value in changes.items():
            setattr(settings, key, value)
        return created

    def cdn_settings(self, name: str) -> CdnSettings:
        found = self.cdn.get(name)
        if found is None:
            raise SwiftRefusal(404)
        return found

    # -- objects --------------------------------------------------------

    def get_object(self, container_name: str, name: str) -> StoredObject:
        container = self.container(container_name)
        found = container.objects.get(name)
        if found is None:
            raise SwiftRefusal(404)
        if found.expired(self.now()):
            self._remove(container, found)
            raise SwiftRefusal(404)
        return found

    def find_object(self, container_name: str, name: str) -> StoredObject | None:
        try:
            return self.get_object(container_name, name)
        except SwiftRefusal:
            return None

    def check_quota(self, more_bytes: int) -> None:
        """
        Swift's account quotas, where they are enforced: 413 for an
        upload of ``more_bytes`` that would take the account past its
        bytes (the system metadata's, else the metadata's) or its object
        count.  Like Swift's middleware, it counts an upload in full even
        where it replaces an object.
        """
        if not self.enforces_quotas:
            return
        quota_bytes = self.system_metadata.get("quota-bytes", self.metadata.get("quota-bytes"))
        if exceeds(quota_bytes, self.bytes_used, more_bytes) or exceeds(
            self.system_metadata.get("quota-count"), self.object_count, 1
        ):
            raise SwiftRefusal(413, "Upload exceeds quota.")

    def put_object(self, container_name: str, new: StoredObject) -> StoredObject:
        """
        Store ``new`` in place of any object of its name, within the
        container's quotas and the process's budget.
        """
        container = self.container(container_name)
        old = container.objects.get(new.name)
        old_bytes = old.stored_bytes if old is not None else 0
        old_memory = old.memory if old is not None else 0
        container.check_quota(new.stored_bytes - old_bytes, 0 if old is not None else 1)
        self.check_quota(new.stored_bytes)
        self.budget.reserve(new.memory - old_memory)
        if old is not None:
            self._forget(container, old)
        else:
            insort(container.names, new.name)
        container.objects[new.name] = new
        container.bytes_used += new.stored_bytes
        container.memory += new.memory
        self.schedule_expiry(container, new)
        return new

    def delete_object(self, container_name: str, name: str) -> StoredObject:
        container = self.container(container_name)
        found = self.get_object(container_name, name)
        self._remove(container, found)
        return found

    def set_delete_at(self, container_name: str, stored: StoredObject, delete_at: int | None) -> None:
        container = self.container(container_name)
        if stored.expiry is not None and stored.expiry.active():
            stored.expiry.cancel()
        stored.expiry = None
        stored.delete_at = delete_at
        self.schedule_expiry(container, stored)

    def iter_objects(
        self, container: Container, window: Window = Window()
    ) -> Iterator[StoredObject | Subdir]:
        now = self.now()
        for name in _iter_names(container.names, window):
            if isinstance(name, Subdir):
                yield name
                continue
            stored = container.objects[name]
            if not stored.expired(now):
                yield stored

    def segments_of_manifest(self, manifest: str) -> list[StoredObject]:
        """
        The objects a dynamic large object's ``X-Object-Manifest``
        (``container/prefix``) joins, in name order; none when the
        container does not exist.
        """
        container_name, _, prefix = manifest.partition("/")
        container = self.containers.get(container_name)
        if container is None:
            return []
        return [o for o in self.iter_objects(container, Window(prefix=prefix)) if isinstance(o, StoredObject)]

    # -- bookkeeping ----------------------------------------------------

    def _remove(self, container: Container, stored: StoredObject) -> None:
        self._forget(container, stored)
        del container.objects[stored.name]
        del container.names[bisect_left(container.names, stored.name)]
        now = self.now()
        tombstones = container.tombstones
        while tombstones and tombstones[0].deleted_at < now - TOMBSTONE_SECONDS:
            tombstones.popleft()
        gone = Gone(stored.name, stored.etag, stored.stored_bytes, stored.content_type, stored.timestamp)
        tombstones.append(Tombstone(gone, now))

    def _forget(self, container: Container, stored: StoredObject) -> None:
        container.bytes_used -= stored.stored_bytes
        container.memory -= stored.memory
        if stored.expiry is not None and stored.expiry.active():
            stored.expiry.cancel()
        stored.expiry = None

    def schedule_expiry(self, container: Container, stored: StoredObject) -> None:
        """
        Have the clock remove the object at its ``X-Delete-At`` (also
        for an object a restored snapshot brings back).
        """
        if stored.delete_at is None:
            return
        delay = max(0.0, stored.delete_at - self.now())
        # The timer holds the account, container and object weakly: an
        # account a reset dropped is freed now, not when its objects
        # would have expired.
        account, box, item = weakref.ref(self), weakref.ref(container), weakref.ref(stored)

        def expire() -> None:
            owner, where, what = account(), box(), item()
            if owner is None or where is None or what is None:
                return
            what.expiry = None
            if where.objects.get(what.name) is what:
                owner._remove(where, what)

        stored.expiry = self.clock.callLater(delay, expire)

    def _expire(self, container: Container) -> None:
        now = self.now()
        for stored in [o for o in container.objects.values() if o.expired(now)]:
            self._remove(container, stored)


def apply_metadata(metadata: dict[str, str], changes: dict[str, str | None]) -> None:
    """
    Swift's metadata update: a value sets a key, an empty value or
    ``None`` (an ``X-Remove-...-Meta-`` header) removes it.
    """
    for key, value in changes.items():
        if value:
            metadata[key] = value
        else:
            metadata.pop(key, None)


def recent_tombstones(container: Container, since: float) -> Iterable[Gone]:
    return [t.entry for t in container.tombstones if t.deleted_at > since]


def storage_budget(core: IMimicCore) -> StorageBudget:
    """
    The one budget of all accounts of this Mimic, kept by the core beside
    the accounts (under no tenant) so that a full reset drops it too.
    """
    limit = _setting(core, "objectstorage.max_bytes", DEFAULT_MAX_BYTES)
    return core.region_state(SERVICE_NAME, "", "", lambda: StorageBudget(limit))


def _setting(core: IMimicCore, name: str, default: int) -> int:
    value = core.settings.get(name)
    return default if value is None else int(value)


def account_name(tenant_id: str, rackspace: bool = True) -> str:
    """
    Rackspace's Cloud Files account for a tenant: ``MossoCloudFS_`` and a
    UUID derived from the tenant id, the same on every start; or, for an
    upstream OpenStack (``rackspace`` false), Swift's default reseller
    prefix and the project id, ``AUTH_<project>``.
    """
    if not rackspace:
        return f"AUTH_{tenant_id}"
    hexed = stable_id("cloudFiles", tenant_id)
    return "MossoCloudFS_{}-{}-{}-{}-{}".format(
        hexed[:8], hexed[8:12], hexed[12:16], hexed[16:20], hexed[20:]
    )


def region_account(core: IMimicCore, tenant_id: str, region: str) -> Account:
    budget = storage_budget(core)
    return core.region_state(SERVICE_NAME, tenant_id, region, lambda: new_account(core, tenant_id, budget))


def new_account(core: IMimicCore, tenant_id: str, budget: StorageBudget) -> Account:
    """
    A tenant's account as the profile's Swift makes it: named as that
    cloud names accounts, holding uploads to its quotas where the
    profile's proxy does.
    """
    account = Account(account_name(tenant_id, core.profile.rackspace_extensions), core.clock, budget)
    account.enforces_quotas = devstack_proxy(core.profile)
    return account
