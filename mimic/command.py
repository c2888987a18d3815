# -*- test-case-name: mimic.test.test_command,mimic.test.test_command_integration -*-
"""
The ``mimic`` command: Mimic's control API for shells and CI jobs.

::

    mimic tick 30                     mimic tick --until idle
    mimic fail compute.server.create --code 500 --times 2 --match server_name=web-.*
    mimic requests --service compute --status 5xx
    mimic coverage --require-fired compute --output coverage.json

It talks to a running Mimic (``--url``, default ``$MIMIC_URL`` or
http://127.0.0.1:8900) through the control API only, with nothing but the
standard library, so it starts fast and runs wherever Python does.

Exit codes a script can branch on:

0. success;
1. Mimic answered with an error (its message is printed on stderr), or
   an expectation given on the command line (``--expect``,
   ``--require-fired``...) does not hold;
2. the command line is wrong (argparse's own code);
3. Mimic cannot be reached at the URL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import urllib.parse
from typing import IO, Any, Callable, Sequence

from mimic import command_views as views
from mimic.remote import DEFAULT_URL, MimicAnswered, RemoteMimic, Unreachable

OK = 0
#: Mimic answered an error, or an expectation does not hold.
FAILED = 1
#: The command line cannot be used (argparse exits with 2 too).
USAGE = 2
UNREACHABLE = 3

EPILOG = """\
exit codes: 0 success; 1 Mimic answered an error, or an expectation
(--expect, --require-fired...) does not hold; 2 usage error; 3 Mimic
cannot be reached.  --url defaults to $MIMIC_URL, else {default}.
""".format(default=DEFAULT_URL)


class UsageError(Exception):
    """
    The command line parses but cannot be used; exit 2 with the message.
    """


class ExpectationFailed(Exception):
    """
    Mimic answered, but not what the command line expected; exit 1.
    """


class Command:
    """
    One run of the command: the parsed arguments, the Mimic they name,
    and where output goes.
    """

    def __init__(self, args: argparse.Namespace, out: IO[str], err: IO[str]) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.mimic = RemoteMimic(args.url, timeout=args.timeout)

    def show(self, answer: Any, human: Callable[[Any], str]) -> None:
        """
        Print an answer: its JSON with ``--json``, else for people.
        """
        if self.args.json:
            self.out.write(json.dumps(answer, indent=2, sort_keys=False) + "\n")
        else:
            self.out.write(human(answer))


# Subcommands.  Each takes the Command and returns an exit code.


def do_tick(c: Command) -> int:
    if (c.args.seconds is None) == (c.args.until is None):
        raise UsageError("give either SECONDS or --until next|idle")
    body: dict[str, Any]
    if c.args.until is not None:
        body = {"until": c.args.until}
    else:
        amount = c.args.seconds
        body = {"amount": int(amount) if amount == int(amount) else amount}
    c.show(c.mimic.json("POST", "/tick", body), views.tick)
    return OK


def do_clock(c: Command) -> int:
    c.show(c.mimic.json("GET", "/clock"), views.clock)
    return OK


def split_event(event_id: str) -> tuple[str, str]:
    """
    ``compute.server.create`` -> ``("compute", "server.create")``: the
    service is the catalogue id's first part, the event the rest.
    """
    service, dot, event = event_id.partition(".")
    if not dot or not service or not event:
        raise UsageError(
            f"{event_id!r} is not SERVICE.EVENT (e.g. compute.server.create); "
            "`mimic failures` lists the events"
        )
    return service, event


def _pair(text: str, what: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise UsageError(f"{what} {text!r} is not NAME=VALUE")
    return name, value


def registration_body(args: argparse.Namespace) -> dict[str, Any]:
    """
    The JSON ``POST /mimic/v1.1/<service>/behaviors/<event>`` takes, from
    ``mimic fail``'s options.
    """
    shortcuts = {"code": args.code, "message": args.message, "seconds": args.seconds}
    if args.body is not None:
        given = [f"--{k}" for k, v in shortcuts.items() if v is not None]
        given += ["--param"] * bool(args.param) + ["--match"] * bool(args.match)
        given += ["--condition"] * (args.condition is not None) + ["--times"] * (args.times is not None)
        if given:
            raise UsageError(f"--body gives the whole registration; leave out {', '.join(given)}")
        try:
            parsed = json.loads(args.body)
        except ValueError as e:
            raise UsageError(f"--body is not JSON: {e}")
        if not isinstance(parsed, dict):
            raise UsageError("--body must be a JSON object")
        return parsed
    parameters: dict[str, Any] = {k: v for k, v in shortcuts.items() if v is not None}
    for item in args.param:
        name, value = _pair(item, "--param")
        if name.endswith(":"):
            try:
                parameters[name[:-1]] = json.loads(value)
            except ValueError as e:
                raise UsageError(f"--param {item!r}: the value after ':=' is not JSON: {e}")
        else:
            parameters[name] = value
    criteria: list[dict[str, Any]] = []
    for item in args.match:
        attribute, pattern = _pair(item, "--match")
        if attribute.startswith("metadata.") and len(attribute) > len("metadata."):
            criteria.append({"metadata": {attribute[len("metadata."):]: pattern}})
        else:
            criteria.append({attribute: pattern})
    body: dict[str, Any] = {"name": args.condition or "fail"}
    if parameters:
        body["parameters"] = parameters
    if criteria:
        body["criteria"] = criteria
    if args.times is not None:
        body["times"] = args.times
    return body


def _path_segment(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def do_fail(c: Command) -> int:
    service, event = split_event(c.args.event)
    body = registration_body(c.args)
    answer = c.mimic.json("POST", f"/{_path_segment(service)}/behaviors/{_path_segment(event)}", body)
    c.show(answer, views.registered)
    return OK


def do_unfail(c: Command) -> int:
    if c.args.all == bool(c.args.ids):
        raise UsageError("give registration IDs or --all")
    if c.args.all:
        c.mimic.json("DELETE", "/behaviors")
        c.show({"deleted": "all"}, lambda a: "deleted every registration\n")
        return OK
    live = {b["id"]: b for b in (c.mimic.json("GET", "/behaviors") or {}).get("behaviors", [])}
    missing = [i for i in c.args.ids if i not in live]
    if missing:
        raise ExpectationFailed(
            f"no live registration {', '.join(missing)} (never made, deleted, or used up); "
            "`mimic behaviors` lists them"
        )
    for registration_id in c.args.ids:
        found = live[registration_id]
        c.mimic.json(
            "DELETE",
            f"/{_path_segment(found['service'])}/behaviors/{_path_segment(found['event'])}"
            f"/{_path_segment(registration_id)}",
        )
    c.show({"deleted": c.args.ids}, lambda a: f"deleted {', '.join(a['deleted'])}\n")
    return OK


def do_failures(c: Command) -> int:
    path = "/failures" if c.args.service is None else f"/failures/{_path_segment(c.args.service)}"
    c.show(c.mimic.json("GET", path), views.catalogue)
    return OK


def do_behaviors(c: Command) -> int:
    c.show(c.mimic.json("GET", "/behaviors"), views.behaviors)
    return OK


def _conditions_under(scope: str, coverage: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """
    The coverage rows a ``--require-fired`` scope names: a service
    (``compute``), an event (``compute.server.create``) or one condition
    (``compute.server.create.fail``).
    """
    found = []
    for row in coverage:
        full = f"{row.get('service')}.{row.get('event')}.{row.get('condition')}"
        if full == scope or full.startswith(scope + "."):
            found.append(row)
    return found


def coverage_problems(answer: dict[str, Any], require_fired: Sequence[str], registered_fired: bool) -> list[str]:
    """
    What the coverage report lacks, one line each; none when every
    expectation holds.
    """
    rows = answer.get("coverage") or []
    problems = []
    for scope in require_fired:
        under = _conditions_under(scope, rows)
        if not under:
            problems.append(f"{scope}: no known condition is named so (see `mimic failures`)")
        for row in under:
            if not row.get("fired"):
                problems.append(
                    f"{row.get('service')}.{row.get('event')}.{row.get('condition')}: never fired"
                )
    if registered_fired:
        for row in rows:
            if row.get("registered") and not row.get("fired"):
                problems.append(
                    f"{row.get('service')}.{row.get('event')}.{row.get('condition')}: "
                    f"registered {row.get('registered')} time(s), never fired"
                )
    return list(dict.fromkeys(problems))


def do_coverage(c: Command) -> int:
    answer = c.mimic.json("GET", "/failures/coverage")
    as_json = c.args.json or c.args.format == "json"
    text = json.dumps(answer, indent=2) + "\n" if as_json else views.coverage(answer)
    if c.args.output:
        with open(c.args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        c.out.write(text)
    problems = coverage_problems(answer, c.args.require_fired, c.args.require_registered_fired)
    if problems:
        raise ExpectationFailed(
            f"{len(problems)} coverage expectation(s) not met:\n" + "\n".join(f"  {p}" for p in problems)
        )
    return OK


def journal_filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "service": args.service,
        "tenant_id": args.tenant,
        "method": args.method.upper() if args.method else None,
        "path": args.path,
        "status": args.status,
        "condition": args.condition,
        "since": args.since,
    }


def do_requests(c: Command) -> int:
    a = c.args
    if a.clear:
        if any(v is not None for v in journal_filters(a).values()) or a.count or a.limit is not None:
            raise UsageError("--clear empties the whole journal; it takes no filters")
        c.mimic.json("DELETE", "/requests")
        c.show({"cleared": True}, lambda _: "journal cleared\n")
        return OK
    expectations = [(a.expect, "exactly"), (a.expect_min, "at least"), (a.expect_max, "at most")]
    expecting = any(n is not None for n, _ in expectations)
    if a.count or expecting:
        if a.limit is not None or a.marker is not None:
            raise UsageError("--limit and --marker page the listing; a count takes neither")
        answer = c.mimic.json("GET", "/requests/count", query=journal_filters(a))
        c.show(answer, lambda r: f"{r.get('count')}\n")
        count = answer.get("count") if isinstance(answer, dict) else None
        for expected, how in expectations:
            if expected is None:
                continue
            holds = {
                "exactly": count == expected,
                "at least": isinstance(count, int) and count >= expected,
                "at most": isinstance(count, int) and count <= expected,
            }[how]
            if not holds:
                raise ExpectationFailed(f"expected {how} {expected} matching request(s), found {count}")
        return OK
    query = {**journal_filters(a), "limit": a.limit, "marker": a.marker}
    c.show(c.mimic.json("GET", "/requests", query=query), views.journal)
    return OK


def do_state(c: Command) -> int:
    c.show(c.mimic.json("GET", "/state", query={"tenant_id": c.args.tenant}), views.state)
    return OK


def do_reset(c: Command) -> int:
    body = {"tenant_id": c.args.tenant} if c.args.tenant else None
    answer = c.mimic.json("POST", "/reset", body)
    c.show(
        answer,
        lambda a: f"reset tenant {a.get('tenant_id')}\n" if a.get("tenant_id") else "reset everything\n",
    )
    return OK


def do_snapshot(c: Command) -> int:
    action, name = c.args.action, c.args.name
    if (action == "list") != (name is None):
        raise UsageError("snapshot list takes no NAME" if name else f"snapshot {action} needs a NAME")
    if action == "list":
        c.show(c.mimic.json("GET", "/snapshots"), views.snapshots)
        return OK
    assert name is not None
    path = f"/snapshots/{_path_segment(name)}"
    if action == "save":
        answer = c.mimic.json("POST", "/snapshots", {"name": name})
        c.show(answer, lambda a: views.table(["SAVED", "TAKEN AT", "BYTES", "SERVICES"],
                                             [views.snapshot(a.get("snapshot") or {})]))
    elif action == "restore":
        answer = c.mimic.json("POST", path + "/restore")

        def restored(a: dict[str, Any]) -> str:
            text = views.table(["RESTORED", "TAKEN AT", "BYTES", "SERVICES"], [views.snapshot(a.get("restored") or {})])
            if a.get("dropped"):
                text += f"not restored (they keep no state in snapshots): {', '.join(a['dropped'])}\n"
            return text

        c.show(answer, restored)
    elif action == "show":
        c.show(c.mimic.json("GET", path), lambda a: views.table(
            ["NAME", "TAKEN AT", "BYTES", "SERVICES"], [views.snapshot(a.get("snapshot", a))]))
    else:
        c.mimic.json("DELETE", path)
        c.show({"deleted": name}, lambda a: f"deleted snapshot {name}\n")
    return OK


def do_clouds_yaml(c: Command) -> int:
    query = {
        "format": "env" if c.args.env else None,
        "username": c.args.username,
        "region": c.args.region,
    }
    text = c.mimic.text("/clouds.yaml", query)
    if c.args.output:
        with open(c.args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        c.out.write(text)
    return OK


# The command line.


def _common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """
    ``--url``, ``--json`` and ``--timeout``, accepted before and after the
    subcommand.  The subcommand's copies default to "not given", so they
    never overwrite what was said before it.
    """

    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--url", default=default(os.environ.get("MIMIC_URL") or DEFAULT_URL),
        help="the Mimic to talk to (default: $MIMIC_URL, else %s)" % DEFAULT_URL,
    )
    parser.add_argument(
        "--json", action="store_true", default=default(False),
        help="print the control API's JSON as it is, for scripts",
    )
    parser.add_argument(
        "--timeout", type=float, default=default(30.0), help="seconds to wait for Mimic (default 30)"
    )


def _journal_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--service", help="only this service's requests (compute, identity...)")
    parser.add_argument("--tenant", help="only this tenant's requests")
    parser.add_argument("--method", help="only this HTTP method")
    parser.add_argument("--path", help="only paths matching this regular expression (RE2)")
    parser.add_argument("--status", help="only this status (404) or class of status (4xx, 5xx)")
    parser.add_argument(
        "--condition", help="only requests where this condition fired (fail, or compute.server.create.fail)"
    )
    parser.add_argument("--since", help="only requests from this time on (Mimic clock: seconds or ISO 8601)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="mimic",
        description="Drive a running Mimic (a fake OpenStack cloud) through its control API.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common_options(top, defaults=True)
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, handler: Callable[[Command], int], summary: str, description: str = "") -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=summary, description=description or summary, epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common_options(sub, defaults=False)
        sub.set_defaults(handler=handler)
        return sub

    tick = add(
        "tick", do_tick, "advance Mimic's clock",
        "Advance Mimic's clock by SECONDS, or --until the next pending transition or until none is "
        "pending (idle); print what happened and what is still pending.",
    )
    tick.add_argument("seconds", nargs="?", type=float, metavar="SECONDS", help="how far to move the clock")
    tick.add_argument("--until", choices=["next", "idle"], help="move to the next transition, or until idle")

    add("clock", do_clock, "show Mimic's time and what is pending on its clock")

    fail = add(
        "fail", do_fail, "make a known error condition happen (register it)",
        "Register a known error condition for an event, e.g.\n"
        "  mimic fail compute.server.create --code 500 --times 2 --match server_name=web-.*\n"
        "EVENT is SERVICE.EVENT as `mimic failures` lists it; prints the registration's ID "
        "(for `mimic unfail ID`).",
    )
    fail.add_argument("event", metavar="EVENT", help="SERVICE.EVENT, e.g. compute.server.create")
    fail.add_argument("--condition", "-c", help="the condition's name (default: fail)")
    fail.add_argument("--code", type=int, help="parameter 'code': the error status")
    fail.add_argument("--message", help="parameter 'message': the error message")
    fail.add_argument("--seconds", type=float, help="parameter 'seconds' (build, deleting...)")
    fail.add_argument(
        "--param", "-p", action="append", default=[], metavar="NAME=VALUE",
        help="any parameter; NAME:=JSON gives a typed value (repeatable)",
    )
    fail.add_argument(
        "--match", "-m", action="append", default=[], metavar="ATTRIBUTE=REGEX",
        help="only when ATTRIBUTE matches REGEX (from its start); metadata.KEY=REGEX for metadata (repeatable)",
    )
    fail.add_argument("--times", type=int, help="spent after this many uses (default: until deleted)")
    fail.add_argument("--body", metavar="JSON", help="the whole registration body, for sequences and the rest")

    unfail = add("unfail", do_unfail, "delete registrations (by ID, or --all)")
    unfail.add_argument("ids", nargs="*", metavar="ID", help="registration IDs, as `mimic behaviors` lists them")
    unfail.add_argument("--all", action="store_true", help="delete every registration")

    failures = add("failures", do_failures, "the catalogue of known error conditions")
    failures.add_argument("service", nargs="?", metavar="SERVICE", help="only this service's")

    add("behaviors", do_behaviors, "the live registrations, in the order they are tried")

    coverage = add(
        "coverage", do_coverage, "which known conditions were registered and fired",
        "Fault coverage: for each known condition, how often it was registered and fired.  "
        "With --require-fired, exit 1 when a condition in scope never fired.",
    )
    coverage.add_argument("--format", choices=["text", "json"], default="text", help="default text")
    coverage.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    coverage.add_argument(
        "--require-fired", action="append", default=[], metavar="SCOPE",
        help="exit 1 unless every known condition of SCOPE fired: a service (compute), an event "
        "(compute.server.create) or a condition (compute.server.create.fail); repeatable",
    )
    coverage.add_argument(
        "--require-registered-fired", action="store_true",
        help="exit 1 if a condition was registered but never fired",
    )

    requests = add(
        "requests", do_requests, "the request journal: what clients asked of Mimic",
        "List recorded requests (newest last), or count them with --count; --expect N (or "
        "--expect-min/--expect-max) exits 1 when the count differs.",
    )
    _journal_filter_options(requests)
    requests.add_argument("--limit", type=int, help="at most this many requests")
    requests.add_argument("--marker", help="the listing continues after this request id")
    requests.add_argument("--count", action="store_true", help="print only how many match")
    requests.add_argument("--expect", type=int, metavar="N", help="exit 1 unless exactly N match")
    requests.add_argument("--expect-min", type=int, metavar="N", help="exit 1 unless at least N match")
    requests.add_argument("--expect-max", type=int, metavar="N", help="exit 1 unless at most N match")
    requests.add_argument("--clear", action="store_true", help="empty the journal")

    state = add("state", do_state, "what Mimic holds: tenants, resources, registrations")
    state.add_argument("--tenant", help="only this tenant's")

    reset = add("reset", do_reset, "forget everything (or one tenant's user, tokens and resources)")
    reset.add_argument("--tenant", help="only this tenant")

    snapshot = add(
        "snapshot", do_snapshot, "save, restore, list, show or delete snapshots of Mimic's state",
        "  mimic snapshot save NAME | restore NAME | show NAME | delete NAME | list",
    )
    snapshot.add_argument("action", choices=["save", "restore", "list", "show", "delete"])
    snapshot.add_argument("name", nargs="?", metavar="NAME")

    clouds = add(
        "clouds-yaml", do_clouds_yaml, "a clouds.yaml (or OS_* exports) for this Mimic",
        "Print a clouds.yaml whose cloud 'mimic' is this Mimic (openstack --os-cloud mimic), or with "
        "--env the same as `export OS_...` lines (eval \"$(mimic clouds-yaml --env)\").",
    )
    clouds.add_argument("--env", action="store_true", help="export lines for a POSIX shell")
    clouds.add_argument("--username", help="authenticate as this user (default mimic)")
    clouds.add_argument("--region", help="the region clients use (default: the profile's first, ORD or RegionOne)")
    clouds.add_argument("--output", "-o", metavar="FILE", help="write it here instead of stdout")
    return top


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    """
    Run the command; return its exit code (the console script exits
    with it).
    """
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    command_line = parser()
    # argparse prints --help and usage errors itself, on sys.stdout and
    # sys.stderr: send those where this run's output goes.
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        args = command_line.parse_args(argv)
        try:
            command = Command(args, out, err)
        except ValueError as e:
            command_line.error(f"--url: {e}")
    try:
        return int(args.handler(command))
    except UsageError as e:
        err.write(f"mimic {args.command}: {e}\n")
        return USAGE
    except Unreachable as e:
        err.write(f"mimic: {e}\n")
        return UNREACHABLE
    except MimicAnswered as e:
        err.write(f"mimic: Mimic answered {e.status}: {e.message}\n")
        return FAILED
    except ExpectationFailed as e:
        err.write(f"mimic {args.command}: {e}\n")
        return FAILED
    except OSError as e:
        # Writing --output, say.
        err.write(f"mimic {args.command}: {e}\n")
        return FAILED
