# -*- test-case-name: mimic.test.test_coverage -*-
"""
``GET /mimic/v1.1/failures/coverage``: every known condition with how
often the run registered it and saw it fire (:mod:`mimic.coverage`), as
JSON or (``?format=text``) a short table for a person or a CI log.
"""

from __future__ import annotations

from typing import Any, Mapping

from mimic.control.errors import control_error
from mimic.coverage import Coverage, totals
from mimic.failures import Event

FORMATS = ("json", "text")


def parse_args(args: Mapping[bytes, list[bytes]], services: list[str]) -> tuple[str, set[str]]:
    """
    The format and the services asked for, or a 400.
    """
    given = {k.decode("utf-8", "replace"): [v.decode("utf-8", "replace") for v in vs] for k, vs in args.items()}
    unknown = sorted(set(given) - {"format", "service"})
    if unknown:
        raise control_error(
            400, f"Unknown argument(s) {', '.join(n[:40] for n in unknown[:5])}; coverage takes format and service."
        )
    form = (given.get("format") or ["json"])[0] or "json"
    if form not in FORMATS:
        raise control_error(400, f"'format' must be json or text, not {form[:40]!r}.")
    wanted = {s.strip() for value in given.get("service", []) for s in value.split(",") if s.strip()}
    missing = sorted(wanted - set(services))
    if missing:
        raise control_error(
            404,
            f"No service {missing[0][:40]!r} declares known error conditions; services that do: "
            f"{', '.join(services)}.",
        )
    return form, wanted


def report(coverage: Coverage, events: list[Event], services: set[str]) -> dict[str, Any]:
    entries = coverage.report(e for e in events if not services or e.service in services)
    return {"coverage": entries, "totals": totals(entries)}


def text_table(described: dict[str, Any]) -> str:
    """
    The report as a table: one line per condition, then the totals.
    """
    rows = [("condition", "registered", "fired", "tenants")]
    for entry in described["coverage"]:
        tenants = entry["tenants"]
        shown = ", ".join(tenants[:3]) + (f" (+{len(tenants) - 3})" if len(tenants) > 3 else "")
        rows.append((
            f"{entry['service']}.{entry['event']}.{entry['condition']}",
            str(entry["registered"]),
            str(entry["fired"]),
            shown or "-",
        ))
    width = max(len(row[0]) for row in rows)
    lines = [f"{row[0]:<{width}}  {row[1]:>10}  {row[2]:>5}  {row[3]}" for row in rows]
    total = described["totals"]
    lines.append(
        f"{total['known']} known conditions: {total['registered']} registered, {total['fired']} fired."
    )
    return "\n".join(lines) + "\n"
