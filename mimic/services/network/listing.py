# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's listing queries, the same for every collection: filters by any
attribute (``?name=x&status=ACTIVE``, several values of one attribute
meaning any of them), ``fields=`` to choose what each item shows,
``sort_key``/``sort_dir``, and ``limit``/``marker``/``page_reverse``
paging with ``<collection>_links``.

Filters are matched against what the API shows of each item, so any
attribute a client sees can be filtered on; attributes Neutron does not
show are ignored, as Neutron ignores filters it does not know.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence, TypeVar
from urllib.parse import urlencode

from attrs import frozen
from twisted.web.iweb import IRequest

from mimic.http import base_url
from mimic.services.network.errors import NeutronFault, bad_request

T = TypeVar("T")

#: Query arguments that are not filters.
_RESERVED = {"fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse"}


@frozen
class ListingQuery:
    filters: Mapping[str, tuple[str, ...]]
    fields: tuple[str, ...]
    sort: tuple[tuple[str, bool], ...]
    limit: int | None
    marker: str | None
    page_reverse: bool


def _decoded(args: Mapping[bytes, Sequence[bytes]]) -> dict[str, list[str]]:
    return {
        key.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in values]
        for key, values in args.items()
    }


def parse_listing(args: Mapping[bytes, Sequence[bytes]]) -> ListingQuery:
    """
    The listing query of a request's arguments, or Neutron's 400.
    """
    decoded = _decoded(args)
    keys = decoded.get("sort_key", [])
    directions = decoded.get("sort_dir", [])
    if directions and len(directions) != len(keys):
        raise bad_request("The number of sort_keys and sort_dirs must be same")
    for direction in directions:
        if direction not in ("asc", "desc"):
            raise bad_request(
                f"{direction} is invalid value for sort_dirs, valid value is 'asc' and 'desc'"
            )
    sort = tuple(
        (key, (directions[i] if directions else "asc") == "desc") for i, key in enumerate(keys)
    )
    limit = None
    raw_limit = decoded.get("limit")
    if raw_limit:
        try:
            limit = int(raw_limit[0])
        except ValueError:
            limit = -1
        if limit < 0:
            raise bad_request(f"Limit must be an integer 0 or greater and not '{raw_limit[0]}'")
        limit = limit or None
    markers = decoded.get("marker")
    marker = markers[0] if markers else None
    reverse = (decoded.get("page_reverse") or ["false"])[0].lower() == "true"
    filters = {key: tuple(values) for key, values in decoded.items() if key not in _RESERVED}
    fields = tuple(f for value in decoded.get("fields", []) for f in value.split(",") if f)
    return ListingQuery(filters, fields, sort, limit, marker, reverse)


def _matches(shown: Any, wanted: tuple[str, ...]) -> bool:
    if isinstance(shown, bool):
        return str(shown).lower() in {w.lower() for w in wanted} or (
            ("1" in wanted and shown) or ("0" in wanted and not shown)
        )
    if shown is None:
        return any(w in ("", "None", "null") for w in wanted)
    if isinstance(shown, list):
        for want in wanted:
            if "=" in want and shown and isinstance(shown[0], dict):
                key, _, value = want.partition("=")
                if any(str(item.get(key)) == value for item in shown):
                    return True
            elif want in [str(item) for item in shown]:
                return True
        return False
    if isinstance(shown, dict):
        return True
    return str(shown) in wanted


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, (list, dict)):
        return (1, str(value))
    return (1, value)


def apply_listing(
    request: IRequest,
    query: ListingQuery,
    collection: str,
    items: Sequence[T],
    to_json: Callable[[T], dict[str, Any]],
    item_id: Callable[[T], str],
    prefilter: Callable[[T], bool] | None = None,
) -> dict[str, Any]:
    """
    The body of ``GET /v2.0/<collection>``: the items that match the
    filters, sorted, one page of them, with the fields asked for and the
    paging links.  ``prefilter`` may reject items cheaply before they are
    shown (a filter on an attribute the model holds as it shows it).
    """
    shown = []
    for item in items:
        if prefilter is not None and not prefilter(item):
            continue
        body = to_json(item)
        if all(key not in body or _matches(body[key], values) for key, values in query.filters.items()):
            shown.append(body)
    sort = list(query.sort)
    if not sort and (query.limit is not None or query.marker is not None):
        sort = [("id", False)]
    for key, _ in sort:
        if shown and key not in shown[0]:
            raise bad_request(f"['{key}'] is invalid attribute for sort_key")
    for key, descending in reversed(sort):
        shown.sort(key=lambda body: _sort_value(body.get(key)), reverse=descending)
    if query.page_reverse:
        shown.reverse()
    start = 0
    if query.marker is not None:
        for index, body in enumerate(shown):
            if body.get("id") == query.marker:
                start = index + 1
                break
        else:
            if query.limit is not None or not shown:
                raise NeutronFault(404, "NotFound", f"Marker {query.marker} could not be found.")
    end = len(shown) if query.limit is None else start + query.limit
    page = shown[start:end]
    more = end < len(shown)
    if query.page_reverse:
        page.reverse()
    result: dict[str, Any] = {collection: [_fields(body, query.fields) for body in page]}
    links = _links(request, query, page, more)
    if links:
        result[f"{collection}_links"] = links
    return result


def _fields(body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    if not fields:
        return body
    return {key: body[key] for key in fields if key in body}


def show_fields(body: dict[str, Any], args: Mapping[bytes, Sequence[bytes]]) -> dict[str, Any]:
    """
    One item as ``GET /v2.0/<collection>/<id>?fields=...`` shows it.
    """
    fields = tuple(f for value in _decoded(args).get("fields", []) for f in value.split(",") if f)
    return _fields(body, fields)


def _links(request: IRequest, query: ListingQuery, page: list[dict[str, Any]], more: bool) -> list[dict[str, str]]:
    if query.limit is None or not page:
        return []
    url = base_url(request) + request.path.decode("utf-8", "replace")
    kept = [
        (key, value)
        for key, values in _decoded(request.args).items()
        if key not in ("marker", "page_reverse", "limit")
        for value in values
    ]
    links = []
    forward_more, backward_more = (more, query.marker is not None)
    if query.page_reverse:
        forward_more, backward_more = backward_more, forward_more
    if forward_more:
        links.append({
            "rel": "next",
            "href": url + "?" + urlencode([("limit", str(query.limit)), *kept, ("marker", page[-1]["id"])]),
        })
    if backward_more:
        links.append({
            "rel": "previous",
            "href": url + "?" + urlencode(
                [("limit", str(query.limit)), *kept, ("marker", page[0]["id"]), ("page_reverse", "True")]
            ),
        })
    return links
