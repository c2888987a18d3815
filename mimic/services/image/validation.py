# -*- test-case-name: mimic.test.test_image_validation -*-
"""
The Image service's requests checked and turned into values: the query
string of ``GET /v2/images`` (Glance's filters, sorting and paging)
becomes an :class:`~mimic.services.image.model.ImageQuery`, or Glance's
400.

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
  the query on with the last image as marker whenever a page is full
  (:func:`mimic.services.image.views.listing_links`).
"""

from __future__ import annotations

import csv
from typing import Any, Callable, Mapping, Sequence

from mimic.http import HTTPError
from mimic.services.image.errors import glance_error
from mimic.services.image.model import SORT_KEYS, STATUSES, Image, ImageFilter, ImageQuery
from mimic.timestamps import parse_iso

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000

VISIBILITIES = ("public", "private", "shared", "community", "all")
MEMBER_STATUSES = ("accepted", "pending", "rejected", "all")

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


def _bad(message: str) -> HTTPError:
    return glance_error(400, message)


def decoded_args(raw: Mapping[bytes, Sequence[bytes]]) -> dict[str, list[str]]:
    """
    Twisted's ``request.args`` as text.
    """
    return {
        key.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in values]
        for key, values in raw.items()
    }


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
    seen: set[str] = set()
    for key, direction in pairs:
        if key not in SORT_KEYS:
            raise _bad(
                f"Invalid sort key: {key}. It must be one of the following: {', '.join(SORT_KEYS)}."
            )
        if direction not in ("asc", "desc"):
            raise _bad(f"Invalid sort direction: {direction}")
        # A key already sorted on decides nothing more when repeated, and
        # the listing sorts once per key: without this, a query of a
        # thousand sort_key=name sorted every image a thousand times.
        if key not in seen:
            seen.add(key)
            result.append((key, direction == "desc"))
    last = result[-1][1] if result else True
    for tie_breaker in ("created_at", "id"):
        if tie_breaker not in [key for key, _ in result]:
            result.append((tie_breaker, last))
    return result


# Filters made from one parameter's value.


def _tagged(tag: str) -> ImageFilter:
    return lambda image, view, now: tag in view["tags"]


#: ``size_min`` and ``size_max``: how each compares an image's size.
_SIZE_BOUNDS: tuple[tuple[str, Callable[[int, int], bool]], ...] = (
    ("size_min", lambda size, bound: size >= bound),
    ("size_max", lambda size, bound: size <= bound),
)


def _sized(compare: Callable[[int, int], bool], bound: int) -> ImageFilter:
    return lambda image, view, now: view["size"] is not None and compare(view["size"], bound)


#: ``created_at`` and ``updated_at``: when, on Mimic's clock, each was.
_TIMES: tuple[tuple[str, Callable[[Image, float], float]], ...] = (
    ("created_at", lambda image, now: image.created),
    ("updated_at", lambda image, now: image.updated(now)),
)


def _timed(
    when: Callable[[Image, float], float], operator: Callable[[float, float], bool], moment: float
) -> ImageFilter:
    return lambda image, view, now: operator(when(image, now), moment)


def _property_is(name: str, value: str) -> ImageFilter:
    """
    Any other parameter: the image has a (scalar) property of that name
    with that value.
    """

    def matches(image: Image, view: dict[str, Any], now: float) -> bool:
        if name not in view:
            return False
        actual = view[name]
        return not isinstance(actual, (list, dict)) and str(actual) == value

    return matches


def parse_image_query(raw_args: Mapping[bytes, Sequence[bytes]]) -> ImageQuery:
    """
    Check every parameter of a listing's query string (Glance's 400s)
    and build its filters.  ``raw_args`` is Twisted's ``request.args``.
    """
    args = decoded_args(raw_args)

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
    filters: list[ImageFilter] = []

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
        filters.append(_tagged(tag))

    protected = one("protected")
    if protected is not None:
        wanted_protected = _boolean("protected", protected)
        filters.append(lambda image, view, now: view["protected"] is wanted_protected)

    hidden = one("os_hidden")
    wanted_hidden = _boolean("os_hidden", hidden) if hidden is not None else False
    filters.append(lambda image, view, now: view["os_hidden"] is wanted_hidden)

    for bound, compare in _SIZE_BOUNDS:
        raw = one(bound)
        if raw is not None:
            filters.append(_sized(compare, _integer(bound, raw)))

    for stamp, when in _TIMES:
        raw = one(stamp)
        if raw is not None:
            operator, moment = _time_filter(stamp, raw)
            filters.append(_timed(when, operator, moment))

    for name, values in args.items():
        if name not in _RESERVED and values:
            filters.append(_property_is(name, values[-1]))

    return ImageQuery(
        args=args,
        limit=limit,
        marker=one("marker"),
        sorting=tuple(_sorting(args)),
        filters=tuple(filters),
        visibility=visibility,
        ids=ids,
        names=wanted_names,
        member_status=member_status or "accepted",
    )
