# -*- test-case-name: mimic.test.test_command -*-
"""
What the ``mimic`` command prints for people: short tables and lines
made from the control API's JSON.  (``--json`` prints the JSON itself;
scripts should read that, not these.)

Every function takes the API's answer as a plain ``dict`` and reads it
with ``.get``, so an answer with fewer fields (an older Mimic) still
prints.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """
    Columns padded to their widest cell, two spaces apart; the last
    column is not padded.
    """
    cells = [[_cell(value) for value in row] for row in rows]
    if not cells:
        return ""
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = []
    for row in [list(headers), *cells]:
        padded = [value.ljust(width) for value, width in zip(row[:-1], widths)] + [row[-1]]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return " ".join(str(value).split())


def seconds(value: Any) -> str:
    """
    A duration as people read it: ``30s``, ``5m``, ``2h30m``, ``1d``.
    """
    if not isinstance(value, (int, float)):
        return "-"
    whole = int(round(value))
    if abs(value - whole) > 1e-6 or whole < 60:
        return f"{value:g}s"
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return "".join(parts)


def events(found: Sequence[dict[str, Any]]) -> str:
    """
    Pending or past events of the clock (``E`` in the agreed shape).
    """
    return table(
        ["IN", "AT", "SERVICE", "TENANT", "REGION", "RESOURCE", "NAME", "EVENT"],
        (
            [
                seconds(e.get("in")),
                e.get("at"),
                e.get("service"),
                e.get("tenant_id"),
                e.get("region"),
                f"{e.get('resource') or '?'} {e.get('id') or ''}".strip(),
                e.get("name"),
                e.get("event"),
            ]
            for e in found
        ),
    )


def clock(answer: dict[str, Any]) -> str:
    lines = [f"now {answer.get('now')} ({answer.get('seconds')})"]
    if answer.get("realtime"):
        lines[0] += ", real time (cannot be ticked)"
    text = "\n".join(lines) + "\n"
    return text + pending(answer)


def pending(answer: dict[str, Any]) -> str:
    found = answer.get("pending")
    if found is None:
        return ""
    if not found:
        return "nothing pending\n"
    return f"pending ({len(found)}):\n" + events(found)


def tick(answer: dict[str, Any]) -> str:
    text = f"advanced {seconds(answer.get('advanced'))}; now {answer.get('now')} ({answer.get('seconds')})\n"
    happened = answer.get("happened")
    if happened:
        text += f"happened ({len(happened)}):\n" + events(happened)
    elif happened is not None:
        text += "nothing happened\n"
    return text + pending(answer)


def _short(value: Any, width: int = 24) -> str:
    text = _cell(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _parameters(parameters: Any) -> str:
    if not isinstance(parameters, dict):
        return _cell(parameters)
    return " ".join(f"{k}={_short(v)}" for k, v in parameters.items()) or "-"


def _criteria(criteria: Any) -> str:
    if not isinstance(criteria, list) or not criteria:
        return "-"
    parts: list[str] = []
    for criterion in criteria:
        if isinstance(criterion, dict):
            parts.extend(f"{k}={_cell(v)}" for k, v in criterion.items())
    return " ".join(parts)


def behaviors(answer: dict[str, Any]) -> str:
    found = answer.get("behaviors") or []
    if not found:
        return "no registrations\n"
    return table(
        ["ID", "EVENT", "CONDITION", "PARAMETERS", "TIMES", "FIRED", "CRITERIA"],
        (
            [
                b.get("id"),
                b.get("event_id"),
                b.get("name"),
                _parameters(b.get("parameters")),
                "unlimited" if b.get("times") is None else b.get("times"),
                b.get("fired"),
                _criteria(b.get("criteria")),
            ]
            for b in found
        ),
    )


def registered(answer: dict[str, Any]) -> str:
    return (
        f"registered {answer.get('id')}: {answer.get('event_id')} {answer.get('name')}"
        f" {_parameters(answer.get('parameters'))}"
        f"; times {'unlimited' if answer.get('times') is None else answer.get('times')}"
        f"; criteria {_criteria(answer.get('criteria'))}\n"
    )


def _parameter_summary(parameter: dict[str, Any]) -> str:
    name = str(parameter.get("name"))
    if parameter.get("required"):
        return name + "!"
    default = parameter.get("default")
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        return f"{name}={default:g}" if isinstance(default, float) else f"{name}={default}"
    return name


def catalogue(answer: dict[str, Any]) -> str:
    rows = []
    for event in answer.get("events") or []:
        for condition in event.get("conditions") or []:
            trigger = condition.get("metadata_trigger") or {}
            rows.append(
                [
                    event.get("id"),
                    condition.get("name"),
                    " ".join(_parameter_summary(p) for p in condition.get("parameters") or []) or "-",
                    trigger.get("key"),
                ]
            )
    text = table(["EVENT", "CONDITION", "PARAMETERS (! required)", "METADATA KEY"], rows)
    matchable = [
        f"  {e.get('id')}: {', '.join(e.get('criteria') or []) or 'nothing'}"
        for e in answer.get("events") or []
    ]
    if matchable:
        text += "\n--match criteria, per event:\n" + "\n".join(matchable) + "\n"
    return text


def coverage(answer: dict[str, Any]) -> str:
    rows = [
        [
            c.get("service"),
            c.get("event"),
            c.get("condition"),
            c.get("registered"),
            c.get("fired"),
            ",".join(c.get("tenants") or []) or "-",
        ]
        for c in answer.get("coverage") or []
    ]
    text = table(["SERVICE", "EVENT", "CONDITION", "REGISTERED", "FIRED", "TENANTS"], rows)
    totals = answer.get("totals") or {}
    known = totals.get("known")
    fired = totals.get("fired")
    text += (
        f"known conditions {known}, registered {totals.get('registered')}, fired {fired}"
    )
    if isinstance(known, int) and isinstance(fired, int) and known:
        text += f" ({100 * fired / known:.0f}% fired)"
    return text + "\n"


def journal(answer: dict[str, Any]) -> str:
    found = answer.get("requests") or []
    rows = [
        [
            r.get("id"),
            r.get("time"),
            r.get("method"),
            r.get("status"),
            r.get("service"),
            r.get("tenant_id"),
            (r.get("path") or "") + (f"?{r['query']}" if r.get("query") else ""),
            " ".join(
                f"{c.get('service')}.{c.get('event')}.{c.get('condition')}"
                for c in r.get("conditions") or []
            ) or "-",
        ]
        for r in found
    ]
    text = table(["ID", "TIME", "METHOD", "STATUS", "SERVICE", "TENANT", "PATH", "CONDITIONS"], rows)
    text += (
        f"{len(found)} shown of {answer.get('count')} matching "
        f"(journal holds {answer.get('recorded')} of at most {answer.get('capacity')})\n"
    )
    return text


def state(answer: dict[str, Any]) -> str:
    parts: list[str] = []
    clock_now = (answer.get("clock") or {}).get("now")
    if clock_now:
        parts.append(f"clock {clock_now}\n")
    tenants = answer.get("tenants") or []
    if tenants:
        parts.append(
            table(
                ["TENANT", "USERNAME", "LIVE TOKENS"],
                ([t.get("tenant_id"), t.get("username"), t.get("live_tokens")] for t in tenants),
            )
        )
    else:
        parts.append("no tenants\n")
    rows = []
    for service, by_tenant in sorted((answer.get("services") or {}).items()):
        if not isinstance(by_tenant, dict):
            continue
        for tenant_id, by_region in sorted(by_tenant.items()):
            regions = by_region.items() if isinstance(by_region, dict) else [("-", by_region)]
            for region, summary in sorted(regions):
                rows.append([service, tenant_id, region, _summary(summary)])
    if rows:
        parts.append(table(["SERVICE", "TENANT", "REGION", "HOLDS"], rows))
    parts.append(f"registrations: {len(answer.get('behaviors') or [])}\n")
    return "".join(parts)


def _summary(summary: Any) -> str:
    if isinstance(summary, dict):
        return " ".join(
            f"{k}={len(v) if isinstance(v, (list, dict)) else _cell(v)}" for k, v in summary.items()
        ) or "-"
    return _cell(summary)


def snapshot(s: dict[str, Any]) -> list[Any]:
    return [s.get("name"), s.get("taken_at"), s.get("size"), ",".join(s.get("services") or [])]


def snapshots(answer: dict[str, Any]) -> str:
    found = answer.get("snapshots") or []
    if not found:
        return "no snapshots\n"
    return table(["NAME", "TAKEN AT (MIMIC CLOCK)", "BYTES", "SERVICES"], (snapshot(s) for s in found))
