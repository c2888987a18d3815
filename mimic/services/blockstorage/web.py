# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
What every block-storage handler shares: the request's context (the
microversion, the URLs, the time, the failure engine's attributes), the
listing arguments Cinder takes, and how a sub-collection's app is
mounted below the API.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar
from urllib.parse import urlencode

from attrs import frozen
from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.failures import Event
from mimic.http import Mounted, header
from mimic.interfaces import IMimicCore
from mimic.services.blockstorage.errors import BlockStorageError, bad_request, cinder_error, cinder_error_body
from mimic.services.blockstorage.model import BlockStorage
from mimic.services.blockstorage.records import Volume
from mimic.services.blockstorage.validation import limit_arg, text_arg
from mimic.services.blockstorage.views import View

#: Cinder's ``osapi_max_limit``: no page is longer.
MAX_LIMIT = 1000

T = TypeVar("T")


@frozen
class Context:
    """
    One request, as its handlers need it.
    """

    core: IMimicCore
    state: BlockStorage
    view: View
    user_id: str
    region: str

    @property
    def now(self) -> float:
        return self.view.now

    @property
    def tenant_id(self) -> str:
        return self.state.tenant_id

    def decide(self, event: Event, volume: Volume | None = None, metadata: Any = None, **more: Any) -> Any:
        """
        The failure engine's outcome for this occurrence of ``event``,
        with the volume's attributes (and its metadata, which may carry
        triggers) when there is one.
        """
        attributes: dict[str, Any] = {"tenant_id": self.tenant_id, "region": self.region}
        if volume is not None:
            attributes.update(
                volume_id=volume.id,
                volume_name=volume.name or "",
                size=volume.size,
                volume_type=volume.volume_type,
            )
            if metadata is None:
                metadata = volume.metadata
        attributes.update({k: v for k, v in more.items() if v is not None})
        return self.core.failures.decide(event, attributes, metadata)


#: Makes the context once a sub-collection's route has matched.
ContextFactory = Callable[[], Context]


def sub_collection(app: Klein) -> IResource:
    return Mounted(app.resource(), cinder_error_body)


@frozen
class Listing:
    """
    Cinder's listing arguments: ``limit``, ``marker``, ``sort`` (or
    ``sort_key``/``sort_dir``), ``offset`` and ``with_count``.
    """

    limit: int | None
    marker: str | None
    sort: tuple[tuple[str, bool], ...]
    offset: int
    with_count: bool


def listing_args(args: Mapping[bytes, list[bytes]], sort_keys: Iterable[str]) -> Listing:
    keys = set(sort_keys)
    limit = limit_arg(args)
    marker = text_arg(args, "marker")
    sorting: list[tuple[str, bool]] = []
    sort = text_arg(args, "sort")
    if sort is not None:
        for part in sort.split(","):
            key, _, direction = part.strip().partition(":")
            sorting.append((key, _descending(direction or "desc")))
    else:
        sort_key = text_arg(args, "sort_key")
        sort_dir = text_arg(args, "sort_dir")
        if sort_key is not None or sort_dir is not None:
            sorting.append((sort_key or "created_at", _descending(sort_dir or "desc")))
    for key, _ in sorting:
        if key not in keys:
            raise bad_request(f"Invalid input received: Invalid sort key {key}")
    offset_text = text_arg(args, "offset")
    offset = 0
    if offset_text is not None:
        if not re.fullmatch(r"[0-9]{1,12}", offset_text):
            raise bad_request("Invalid input received: offset param must be an integer")
        offset = int(offset_text)
    with_count = False
    raw_count = text_arg(args, "with_count")
    if raw_count is not None:
        lowered = raw_count.strip().lower()
        if lowered not in ("true", "false", "1", "0", "t", "f", "yes", "no", "y", "n", "on", "off"):
            raise bad_request(f"Invalid input received: with_count must be a boolean, got {raw_count[:40]!r}")
        with_count = lowered in ("true", "1", "t", "yes", "y", "on")
    return Listing(limit, marker, tuple(sorting) or (("created_at", True),), offset, with_count)


def _descending(direction: str) -> bool:
    lowered = direction.strip().lower()
    if lowered not in ("asc", "desc"):
        raise bad_request(f"Invalid input received: Invalid sort direction {direction[:40]}")
    return lowered == "desc"


def paged(
    items: Sequence[T],
    listing: Listing,
    key_of: Callable[[T, str], Any],
    identifier: Callable[[T], str],
    what: str,
) -> tuple[list[T], bool]:
    """
    Sort (every key, ``id`` to break ties, as Cinder's database paging
    does), then one page after the marker.  404 for a marker naming
    nothing, as Cinder answers.
    """
    ordered = list(items)
    ordered.sort(key=identifier, reverse=listing.sort[0][1])
    for key, descending in reversed(listing.sort):
        ordered.sort(key=lambda item: _sortable(key_of(item, key)), reverse=descending)
    start = listing.offset
    if listing.marker is not None:
        for index, item in enumerate(ordered):
            if identifier(item) == listing.marker:
                start = index + 1
                break
        else:
            raise BlockStorageError(404, "MarkerNotFound", f"Marker {listing.marker} could not be found.")
    limit = MAX_LIMIT if listing.limit is None else min(listing.limit, MAX_LIMIT)
    page = ordered[start:start + limit]
    return page, start + limit < len(ordered)


def _sortable(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


def next_links(
    request: IRequest, view: View, collection: str, page: Sequence[T], more: bool,
    identifier: Callable[[T], str], limited: bool,
) -> list[dict[str, str]]:
    """
    The ``<collection>_links`` of a page: a ``next`` link with the same
    query and the page's last id as the marker, when more follow or the
    page is as long as the ``limit`` asked for (Cinder cannot tell the
    last full page from the others, and links that one too).
    """
    if not page or not (more or limited):
        return []
    query = [
        (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
        for name, values in sorted(request.args.items())
        if name not in (b"marker", b"offset")
        for value in values
    ]
    query.append(("marker", identifier(page[-1])))
    return [{"href": f"{view.versioned_url}/{collection}?{urlencode(query)}", "rel": "next"}]


def listing_body(
    request: IRequest,
    view: View,
    collection: str,
    items: Sequence[T],
    listing: Listing,
    key_of: Callable[[T, str], Any],
    identifier: Callable[[T], str],
    show: Callable[[T], Any],
    detailed: bool,
) -> dict[str, Any]:
    """
    A listing's document: one page of ``items`` (:func:`paged`), each
    shown by ``show``, with ``<collection>_links`` when another page may
    follow (:func:`next_links`) and the ``count`` of them all when asked
    for (3.45 on).
    """
    page, more = paged(items, listing, key_of, identifier, collection)
    body: dict[str, Any] = {collection: [show(item) for item in page]}
    links = next_links(
        request, view, f"{collection}/detail" if detailed else collection, page, more, identifier,
        listing.limit is not None and len(page) >= listing.limit,
    )
    if links:
        body[f"{collection}_links"] = links
    if listing.with_count and view.at_least(3, 45):
        body["count"] = len(items)
    return body


def require_admin(core: IMimicCore, request: IRequest) -> None:
    """
    Cinder's policy 403 for an admin-only request from a token without
    the ``admin`` role (identity's administrator, or a user granted it).
    """
    token = core.sessions.token(header(request, "x-auth-token"))
    if token is None or not token.is_admin:
        raise cinder_error(403, "Policy doesn't allow this operation to be performed.")
