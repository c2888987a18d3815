# -*- test-case-name: mimic.test.test_image -*-
"""
``GET /v2/images``: Glance's filters, sorting and paging, parsed from the
query string into an :class:`ImageQuery` that picks and orders images.

Glance's rules, as clients meet them:

* by default a project sees public images, its own private ones and the
  shared ones it accepted (not ``community`` or hidden images), newest
  first (``created_at`` then ``id``, descending), 25 to a page, at most
  1000;
* ``name``, ``id`` take a value or ``in:a,b`` (``"quoted,values"`` may
  hold commas); ``status``, ``visibility``, ``owner``, ``member_status``,
  ``tag`` (repeatable), ``protected``, ``os_hidden``, ``size_min``,
  ``size_max``, ``created_at``/``updated_at`` (``gt:``, ``gte:``, ``lt:``,
  ``lte:``, ``eq:``, ``neq:`` and an ISO 8601 time) filter; any other
  parameter filters on an image property of that name;
* ``sort_key``/``sort_dir`` (repeatable, paired) or ``sort=key:dir,...``
  order; ``limit``/``marker`` page, and the body's ``next`` link carries
  the query on with the last image as marker whenever a page is full.
"""

from __future__ import annotations

import csv
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence
from urllib.parse import urlencode

from attrs import frozen

from mimic.http import HTTPError
from mimic.services.image.errors import glance_error
from mimic.services.image.model import Image, ImageStore
from mimic.timestamps import parse_iso

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000

VISIBILITIES = ("public", "private", "shared", "community", "all")
MEMBER_STATUSES = ("accepted", "pending", "rejected", "all")
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
SORT_KEYS = (
    "name",
    "status",
    "container_format",
    "disk_format",
    "size",
    "id",
    "created_at",
    "updated_at",
)

#: Parameters that are not filters on image properties.
_RESERVED = frozenset(
    {
        "limit",
        "marker",
        "sort_key",
        "sort_dir",
        "sort",
        "name",
        "id",
        "status",
        "visibility",
        "owner",
        "member_status",
        "tag",
        "protected",
        "os_hidden",
        "size_min",
        "size_max",
        "created_at",
        "updated_at",
    }
)

_TIME_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}

#: Sort keys as functions of (image, its Glance view).
_SORT_VALUES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda view: view["name"] or "",
    "status": lambda view: view["status"],
    "container_format": lambda view: view["container_format"] or "",
    "disk_format": lambda view: view["disk_format"] or "",
    "size": lambda view: -1 if view["size"] is None else view["size"],
    "id": lambda view: view["id"],
    "created_at": lambda view: view["created_at"],
    "updated_at": lambda view: view["updated_at"],
}


def _bad(message: str) -> HTTPError:
    return glance_error(400, message)


def _in_values(raw: str) -> list[str] | None:
    """
    The values of an ``in:`` filter, or None for a plain value.
    """
    if not raw.startswith("in:"):
        return None
    try:
        return next(csv.reader([raw[3:]], skipinitialspace=True), [])
    except csv.Error:
        raise _bad(f"Invalid in operator value: {raw}")


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise _bad(f"Invalid value '{raw}' for parameter '{name}': expected a boolean.")


def _integer(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _bad(f"Invalid value '{raw}' for parameter '{name}': expected an integer.")


def _time_filter(name: str, raw: str) -> tuple[Callable[[float, float], bool], float]:
    operator, sep, value = raw.partition(":")
    if not sep or operator not in _TIME_OPERATORS:
        raise _bad(f"Invalid operator '{operator}' for parameter '{name}'.")
    seconds = parse_iso(value)
    if seconds is None:
        raise _bad(f"Invalid time format for {name}: {value}")
    return _TIME_OPERATORS[operator], seconds


def _sorting(args: Mapping[str, list[str]]) -> list[tuple[str, bool]]:
    """
    The (key, descending) pairs asked for, with Glance's tie-breakers
    ``created_at`` and ``id`` appended.
    """
    keys = args.get("sort_key", [])
    dirs = args.get("sort_dir", [])
    combined = args.get("sort", [])
    if combined and (keys or dirs):
        raise _bad("The 'sort' parameter cannot be used with 'sort_key' or 'sort_dir'.")
    pairs: list[tuple[str, str]] = []
    if combined:
        for part in ",".join(combined).split(","):
            key, _, direction = part.strip().partition(":")
            pairs.append((key.strip(), direction.strip() or "desc"))
    else:
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise _bad("Number of sort dirs does not match the number of sort keys")
        for index, key in enumerate(keys):
            direction = dirs[index] if index < len(dirs) else (dirs[0] if dirs else "desc")
            pairs.append((key, direction))
        if not keys and dirs:
            pairs.append(("created_at", dirs[0]))
    result: list[tuple[str, bool]] = []
    for key, direction in pairs:
        if key not in SORT_KEYS:
            raise _bad(
                f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}."
            )
        if direction not in ("asc", "desc"):
            raise _bad(f"Invalid sort direction: {direction}")
        result.append((key, direction == "desc"))
    last = result[-1][1] if result else True
    for tie_breaker in ("created_at", "id"):
        if tie_breaker not in [key for key, _ in result]:
            result.append((tie_breaker, last))
    return result


@frozen
class ImageQuery:
    """
    One listing request: which images, in what order, which page.
    """

    args: Mapping[str, list[str]]
    limit: int
    marker: str | None
    sorting: tuple[tuple[str, bool], ...]
    filters: tuple[Callable[[Image, dict[str, Any], float], bool], ...]
    visibility: str | None
    ids: tuple[str, ...] | None
    #: The names asked for, checked before an image's view is made.
    names: frozenset[str] | None

    @classmethod
    def parse(cls, args: Mapping[str, list[str]]) -> "ImageQuery":
        """
        Check every parameter (Glance's 400s) and build the filters.
        ``args`` maps each parameter to its values, decoded.
        """

        def one(name: str) -> str | None:
            values = args.get(name)
            return values[-1] if values else None

        raw_limit = one("limit")
        limit = DEFAULT_LIMIT
        if raw_limit is not None:
            try:
                limit = int(raw_limit)
            except ValueError:
                raise _bad("limit param must be an integer")
            if limit < 0:
                raise _bad("limit param must be positive")
            limit = min(limit, MAX_LIMIT)
        filters: list[Callable[[Image, dict[str, Any], float], bool]] = []

        ids: tuple[str, ...] | None = None
        raw_id = one("id")
        if raw_id is not None:
            listed = _in_values(raw_id)
            ids = tuple(listed) if listed is not None else (raw_id,)

        wanted_names: frozenset[str] | None = None
        raw_name = one("name")
        if raw_name is not None:
            names = _in_values(raw_name)
            wanted_names = frozenset(names) if names is not None else frozenset((raw_name,))

        status = one("status")
        if status is not None:
            if status not in STATUSES:
                raise _bad(f"Invalid status value: {status}")
            filters.append(lambda image, view, now: view["status"] == status)

        visibility = one("visibility")
        if visibility is not None and visibility not in VISIBILITIES:
            raise _bad(f"Invalid visibility value: {visibility}")

        member_status = one("member_status")
        if member_status is not None and member_status not in MEMBER_STATUSES:
            raise _bad(f"Invalid status: {member_status}")

        owner = one("owner")
        if owner is not None:
            filters.append(lambda image, view, now: view["owner"] == owner)

        for tag in args.get("tag", []):
            filters.append(lambda image, view, now, tag=tag: tag in view["tags"])

        protected = one("protected")
        if protected is not None:
            wanted_protected = _boolean("protected", protected)
            filters.append(lambda image, view, now: view["protected"] is wanted_protected)

        hidden = one("os_hidden")
        wanted_hidden = _boolean("os_hidden", hidden) if hidden is not None else False
        filters.append(lambda image, view, now: view["os_hidden"] is wanted_hidden)

        for bound, compare in (("size_min", lambda a, b: a >= b), ("size_max", lambda a, b: a <= b)):
            raw = one(bound)
            if raw is not None:
                size = _integer(bound, raw)
                filters.append(
                    lambda image, view, now, size=size, compare=compare: view["size"] is not None
                    and compare(view["size"], size)
                )

        times: tuple[tuple[str, Callable[[Image, float], float]], ...] = (
            ("created_at", lambda image, now: image.created),
            ("updated_at", lambda image, now: image.updated(now)),
        )
        for stamp, when in times:
            raw = one(stamp)
            if raw is not None:
                operator, moment = _time_filter(stamp, raw)
                filters.append(
                    lambda image, view, now, op=operator, m=moment, when=when: op(when(image, now), m)
                )

        for name, values in args.items():
            if name not in _RESERVED and values:
                value = values[-1]
                filters.append(
                    lambda image, view, now, name=name, value=value: str(view.get(name)) == value
                    if name in view and not isinstance(view.get(name), (list, dict))
                    else False
                )

        return cls(
            args=args,
            limit=limit,
            marker=one("marker"),
            sorting=tuple(_sorting(args)),
            filters=tuple(filters),
            visibility=visibility,
            ids=ids,
            names=wanted_names,
        )

    @property
    def default_order(self) -> bool:
        """
        Whether the images are wanted newest first, the order the store
        iterates in (no sort needed).
        """
        return self.sorting[0] == ("created_at", True)

    def _visible(self, visibility: str) -> bool:
        if self.visibility in (None, "all"):
            return self.visibility == "all" or visibility != "community"
        return visibility == self.visibility

    def run(
        self, store: ImageStore, now: float, tenant_id: str
    ) -> tuple[list[dict[str, Any]], bool]:
        """
        The page of Glance views, and whether it is full (Glance then
        gives a ``next`` link).  An unknown marker is Glance's 400.
        """
        if self.ids is not None:
            found = {i: store.get(i) for i in self.ids}
            candidates: Iterable[Image] = sorted(
                (image for image in found.values() if image is not None),
                key=lambda image: -image.created,
            )
        else:
            candidates = store
        visible = (image for image in candidates if self._visible(image.visibility))
        ordered: Iterator[tuple[Image, dict[str, Any] | None]]
        if self.default_order:
            # The store iterates newest first: views are made only for
            # the images this page looks at.
            ordered = ((image, None) for image in visible)
        else:
            pairs = [(image, image.glance_json(now, tenant_id)) for image in visible]
            for key, descending in reversed(self.sorting):
                pairs.sort(key=lambda pair, value=_SORT_VALUES[key]: value(pair[1]), reverse=descending)
            ordered = iter(pairs)
        if self.marker is not None:
            # Page from the marker's place in the whole ordered listing
            # (it may be an image the filters leave out), as Glance does.
            for image, _ in ordered:
                if image.id == self.marker:
                    break
            else:
                raise _bad(f"Marker {self.marker} could not be found.")
        items: list[dict[str, Any]] = []
        for image, view in ordered:
            if len(items) >= self.limit:
                break
            if self.names is not None and image.name not in self.names:
                continue
            if view is None:
                view = image.glance_json(now, tenant_id)
            if all(check(image, view, now) for check in self.filters):
                items.append(view)
        return items, bool(items) and len(items) == self.limit

    def links(self, last_id: str | None, full: bool) -> dict[str, str]:
        """
        Glance's ``first``, ``schema`` and (for a full page) ``next``: the
        query again, relative to the service root.
        """
        kept = [(k, v) for k, values in self.args.items() if k != "marker" for v in values]
        query = urlencode(kept)
        links = {
            "first": "/v2/images" + (f"?{query}" if query else ""),
            "schema": "/v2/schemas/images",
        }
        if full and last_id is not None:
            links["next"] = "/v2/images?" + urlencode(kept + [("marker", last_id)])
        return links


def decoded_args(raw: Mapping[bytes, Sequence[bytes]]) -> dict[str, list[str]]:
    """
    Twisted's ``request.args`` as text.
    """
    return {
        key.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in values]
        for key, values in raw.items()
    }
