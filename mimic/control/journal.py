# -*- test-case-name: mimic.test.test_journal -*-
"""
``GET /mimic/v1.1/requests`` and ``/requests/count``: the request
journal (:mod:`mimic.journal`), filtered.

Filters are query arguments, all optional, all of which a record must
pass: ``service``, ``tenant_id``, ``method``, ``status`` (``404`` or a
class, ``4xx``), ``condition`` (a condition's name, or
``service.event.condition``) (each of those may list alternatives,
comma-separated), ``path`` (a regular expression searched for in the
path, RE2's), ``since`` (Mimic's clock: seconds, or an ISO 8601 time),
and for paging ``limit`` and ``marker`` (the ``id`` of the last record
seen).  Anything else, or a filter that cannot be read, is a 400 naming
it, so that a misspelt filter never silently matches everything.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable, Mapping

from attrs import frozen

from mimic.control.errors import control_error
from mimic.journal import Journal, Record
from mimic.patterns import BadPattern, compile_pattern
from mimic.timestamps import iso_microseconds, parse_iso

#: Records a listing gives unless ``limit`` says otherwise, and the most
#: it gives at all.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000

FILTERS = ("service", "tenant_id", "method", "path", "status", "condition", "since")
PAGING = ("limit", "marker")

_STATUS = re.compile(r"^[1-5](?:[0-9]{2}|xx)$", re.IGNORECASE)
_METHOD = re.compile(r"^[A-Za-z]{1,20}$")


@frozen
class Query:
    """
    What a listing asks for: a test each record must pass, and a page.
    """

    tests: tuple[Callable[[Record], bool], ...]
    limit: int
    marker: int

    def matches(self, record: Record) -> bool:
        return all(test(record) for test in self.tests)

    def select(self, records: Iterable[Record]) -> tuple[list[Record], int]:
        """
        The page of matching records after the marker, and how many
        records match in all.
        """
        page: list[Record] = []
        matching = 0
        for record in records:
            if not self.matches(record):
                continue
            matching += 1
            if record.id > self.marker and len(page) < self.limit:
                page.append(record)
        return page, matching


def _alternatives(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _status_test(values: list[str]) -> Callable[[Record], bool]:
    exact: set[int] = set()
    classes: set[int] = set()
    for value in values:
        if not _STATUS.match(value):
            raise control_error(
                400, f"Filter 'status' must be a status such as 404 or a class such as 4xx, not {value[:40]!r}."
            )
        if value[1:].lower() == "xx":
            classes.add(int(value[0]))
        else:
            exact.add(int(value))
    return lambda record: record.status in exact or record.status // 100 in classes


def _condition_test(values: list[str]) -> Callable[[Record], bool]:
    wanted = set(values)
    return lambda record: any(
        c.condition in wanted or f"{c.service}.{c.event}.{c.condition}" in wanted
        for c in record.conditions
    )


def _since(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        found = parse_iso(value)
        if found is None:
            raise control_error(
                400,
                f"Filter 'since' must be seconds on Mimic's clock or an ISO 8601 time, not {value[:40]!r}.",
            )
        return found
    if not math.isfinite(seconds):
        raise control_error(400, f"Filter 'since' must be a finite number of seconds, not {value[:40]!r}.")
    return seconds


def _whole_number(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise control_error(400, f"'{name}' must be a whole number from {low} to {high}, not {value[:40]!r}.")
    return number


def parse_query(args: Mapping[bytes, list[bytes]], paging: bool = True) -> Query:
    """
    The filters and page a query string asks for, or the control API's
    400 naming what cannot be read.
    """
    given: dict[str, list[str]] = {}
    for raw_name, raw_values in args.items():
        name = raw_name.decode("utf-8", "replace")
        given.setdefault(name, []).extend(v.decode("utf-8", "replace") for v in raw_values)
    known = FILTERS + (PAGING if paging else ())
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise control_error(
            400,
            f"Unknown filter(s) {', '.join(n[:40] for n in unknown[:5])}; "
            f"the journal is filtered by: {', '.join(known)}.",
        )
    tests: list[Callable[[Record], bool]] = []
    for name in ("service", "tenant_id"):
        values = set(_alternatives(given.get(name, [])))
        if values:
            attribute = name
            tests.append(lambda record, a=attribute, v=values: getattr(record, a) in v)  # type: ignore[misc]
    methods = _alternatives(given.get("method", []))
    for method in methods:
        if not _METHOD.match(method):
            raise control_error(400, f"Filter 'method' must be an HTTP method such as GET, not {method[:40]!r}.")
    if methods:
        wanted_methods = {m.upper() for m in methods}
        tests.append(lambda record: record.method in wanted_methods)
    statuses = _alternatives(given.get("status", []))
    if statuses:
        tests.append(_status_test(statuses))
    conditions = _alternatives(given.get("condition", []))
    if conditions:
        tests.append(_condition_test(conditions))
    for pattern_text in given.get("path", []):
        if not pattern_text:
            continue
        try:
            pattern = compile_pattern(pattern_text, "filter 'path'")
        except BadPattern as error:
            raise control_error(400, str(error))
        tests.append(lambda record, p=pattern: p.search(record.path) is not None)  # type: ignore[misc]
    for since_text in given.get("since", []):
        if since_text.strip():
            since = _since(since_text.strip())
            tests.append(lambda record, s=since: record.seconds >= s)  # type: ignore[misc]
    limit, marker = DEFAULT_LIMIT, 0
    if paging:
        for value in given.get("limit", [])[:1]:
            limit = _whole_number("limit", value, 1, MAX_LIMIT)
        for value in given.get("marker", [])[:1]:
            marker = _whole_number("marker", value, 0, 2**62)
    return Query(tuple(tests), limit, marker)


def record_json(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "request_id": record.request_id,
        "time": iso_microseconds(record.seconds),
        "seconds": record.seconds,
        "real_time": iso_microseconds(record.real_seconds),
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "service": record.service,
        "region": record.region,
        "tenant_id": record.tenant_id,
        "user": record.user,
        "status": record.status,
        "conditions": [c.to_json() for c in record.conditions],
        "request_body": record.request_body,
        "response_body": record.response_body,
        "request_bytes": record.request_bytes,
        "response_bytes": record.response_bytes,
    }


def listing(journal: Journal, args: Mapping[bytes, list[bytes]]) -> dict[str, Any]:
    query = parse_query(args)
    page, matching = query.select(journal.records())
    return {
        "requests": [record_json(r) for r in page],
        "count": matching,
        "recorded": len(journal),
        "capacity": journal.size,
    }


def counting(journal: Journal, args: Mapping[bytes, list[bytes]]) -> dict[str, int]:
    query = parse_query(args, paging=False)
    return {"count": sum(1 for record in journal.records() if query.matches(record))}
