# -*- test-case-name: mimic.test.test_config -*-
"""
``twistd mimic --config mimic.toml``: a TOML file holding what the
command line says (listen, realtime, verbose, idle_timeout, backlog,
every plugin's setting), which services run, the profile, the known
error conditions to register at start, and what changes the profile's
cloud (regions, catalog entries, flavors, images, default quotas: read
here, checked by :mod:`mimic.cloud_config` once the profile is known).

The file is read and checked whole before anything starts, so that a
mistake stops Mimic with one line naming the file, the line and the key
(:class:`ConfigError`), never a traceback and never silently ignored.
What the command line gives wins over the file; every value remembers
where it came from (:data:`DEFAULT`, :data:`FILE`, :data:`COMMAND_LINE`)
so that ``GET /mimic/v1.1/config`` and ``--verbose`` can say so.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
from typing import Any, Callable, Iterable, Mapping, Sequence

from attrs import define, field, frozen

from mimic import profiles
from mimic.cloud_content import described
from mimic.failures import BadRegistration, Event, FailureEngine
from mimic.http import HTTPError
from mimic.interfaces import IAPIMock, IConfiguredContent
from mimic.settings import Setting

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the backport, for Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

#: Where an effective value came from.
DEFAULT = "default"
FILE = "file"
COMMAND_LINE = "command line"
#: A value the program that built the core chose (mimic.testing, say),
#: for a core no ``twistd mimic`` configured.
GIVEN = "given"

#: The profiles Mimic knows, by name, the default first (see mimic.profiles).
PROFILES = tuple(profiles.PROFILES)
DEFAULT_PROFILE = profiles.DEFAULT_PROFILE.name

#: Keys the core reads that change the profile's cloud, checked once the
#: profile is known (:mod:`mimic.cloud_config`), with the services'
#: content keys (:class:`mimic.interfaces.IConfiguredContent`).
CLOUD_KEYS = ("regions", "catalog")

#: The service that is always there: it hands out the catalog.
ALWAYS_ENABLED = "identity"

#: What a condition entry holds besides the control API's body.
_CONDITION_PLACE = ("service", "event")
_CONDITION_BODY = ("name", "parameters", "criteria", "times")

#: Shown instead of a secret setting's value.
MASK = "********"


class ConfigError(ValueError):
    """
    A configuration file Mimic cannot start with: the message is one line
    naming the file, the line and the key.
    """


def is_secret(key: str) -> bool:
    return "password" in key or "secret" in key


# Lines of keys.  tomllib says nothing about where a key stands, so the
# text is scanned for table headers and ``key =`` lines: enough to point
# at the line of every key a person writes in the usual way.

_ARRAY_HEADER = re.compile(r"^\[\[\s*(?P<name>[^\[\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\[\s*(?P<name>[^\[\]]+?)\s*\]")
_ASSIGNMENT = re.compile(r"""^(?P<key>(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[A-Za-z0-9_-]+))\s*""")

KeyPath = tuple[Any, ...]


def _dotted(text: str) -> KeyPath:
    parts: list[str] = []
    for match in _PART.finditer(text):
        parts.append(next(g for g in match.groups() if g is not None))
    return tuple(parts)


def key_lines(text: str) -> dict[KeyPath, int]:
    """
    The line (from 1) where each table and key first appears, by its
    path; an entry of an array of tables is ``(name, index)``.
    """
    lines: dict[KeyPath, int] = {}
    table: KeyPath = ()
    entries: dict[KeyPath, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ARRAY_HEADER.match(line)
        if match:
            name = _dotted(match.group("name"))
            entries[name] = entries.get(name, -1) + 1
            table = name + (entries[name],)
            lines.setdefault(table, number)
            continue
        match = _TABLE_HEADER.match(line)
        if match:
            table = _dotted(match.group("name"))
            lines.setdefault(table, number)
            continue
        match = _ASSIGNMENT.match(line)
        if match:
            lines.setdefault(table + _dotted(match.group("key")), number)
    return lines


def show_key(path: KeyPath) -> str:
    """
    ``blockstorage.create_seconds``, ``conditions[2].event``.
    """
    shown = ""
    for part in path:
        if isinstance(part, int):
            shown += f"[{part}]"
        else:
            shown += ("." if shown else "") + str(part)
    return shown


@frozen
class Source:
    """
    Where a value came from, and for the file, its line.
    """

    origin: str
    line: int | None = None


@define
class ConfigFile:
    """
    A parsed configuration file and the line of each of its keys, which
    every error names.
    """

    path: str
    data: dict[str, Any]
    lines: dict[KeyPath, int] = field(factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """
        The line of a key, or of the nearest table holding it.
        """
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def error(self, path: KeyPath, problem: str) -> ConfigError:
        line = self.line(path)
        where = f"{self.path}, line {line}" if line is not None else self.path
        return ConfigError(f"{where}: {show_key(path)}: {problem}")

    def source(self, path: KeyPath) -> Source:
        return Source(FILE, self.line(path))


def read_file(path: str) -> ConfigFile:
    """
    Read and parse a TOML file; :class:`ConfigError` when it cannot be
    read or is not TOML.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file: {error.strerror or error}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: the configuration file is not UTF-8 text ({error.reason} at byte {error.start})")
    return parse_text(text, path)


def parse_text(text: str, path: str = "mimic.toml") -> ConfigFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}")
    return ConfigFile(path, data, key_lines(text))


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


# Checks of single values: each returns the value or raises ValueError
# with the problem, which the caller turns into a ConfigError.

def _string(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, not {described(value)}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {described(value)}")
    return value


def _positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isinf(value):
        raise ValueError(f"must be a positive number of seconds, not {described(value)}")
    return float(value)


def _at_least_one(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a whole number of at least 1, not {described(value)}")
    return value


@frozen
class Option:
    """
    A top-level key standing for a ``twistd mimic`` option.
    """

    key: str
    option: str
    check: Callable[[Any], Any]
    description: str

    @property
    def flag(self) -> bool:
        """
        Whether the option is a flag: ``usage.Options`` keeps an unset
        one as 0, shown as false.
        """
        return self.check is _boolean


#: The keys that are command-line options, by key.
OPTIONS = {
    option.key: option
    for option in (
        Option("listen", "listen", _string, "where to listen, a Twisted strports description"),
        Option("realtime", "realtime", _boolean, "use the real clock rather than one moved by /tick"),
        Option("verbose", "verbose", _boolean, "log every request and print this configuration at start"),
        Option("idle_timeout", "idle-timeout", _positive_number, "seconds before an idle connection is closed"),
        Option("backlog", "backlog", _at_least_one, "connections the kernel may queue"),
        Option("state_file", "state-file", _string, "where Mimic's state is loaded from and saved to"),
    )
}

_TOP_LEVEL = (*OPTIONS, "profile", "services", "conditions", "presets")


def _setting_text(value: Any) -> str:
    """
    A TOML value as the text a setting's parser takes (what ``--set``
    would give).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError(f"must be a string, number or boolean, not {described(value)}")


def _json_only(value: Any, path: KeyPath, config: ConfigFile) -> None:
    """
    Refuse what JSON cannot say (TOML dates and times), so a condition's
    body is exactly what the control API could be sent.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            _json_only(item, path + (key,), config)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _json_only(item, path + (index,), config)
    elif not isinstance(value, (str, int, float, bool)):
        raise config.error(path, f"must be JSON-like (a string, number, boolean, array or table), not {described(value)}")


@define
class Configuration:
    """
    What a file asks for, checked: option values, settings (as text for
    their parsers, already parsed once to check them), the enabled
    services, the profile and the conditions to register.
    """

    file: ConfigFile
    options: dict[str, Any] = field(factory=dict)
    settings: dict[str, str] = field(factory=dict)
    services: set[str] | None = None
    toggles: dict[str, bool] = field(factory=dict)
    disabled: set[str] = field(factory=set)
    profile: str = DEFAULT_PROFILE
    conditions: list[tuple[KeyPath, str, str, dict[str, Any]]] = field(factory=list)
    #: Whether the known-error presets (metadata triggers) fire.
    presets: bool = True


def check(
    config: ConfigFile,
    plugins: Sequence[IAPIMock],
    declared: Sequence[Setting],
    identity_events: Iterable[Event] = (),
) -> Configuration:
    """
    Check every key of ``config`` against what the plugins offer (and
    the conditions against the events of the services it enables, and
    identity's), or raise the first problem as a :class:`ConfigError`.
    """
    result = Configuration(config)
    services = {ALWAYS_ENABLED, *(p.name for p in plugins)}
    settings = {s.name: s for s in declared}
    prefixes = {name.partition(".")[0] for name in settings}
    tables = services | prefixes
    cloud = set(CLOUD_KEYS) | {
        key.path[0] for plugin in plugins if IConfiguredContent.providedBy(plugin) for key in plugin.content_keys()
    }
    data = config.data
    for key, value in data.items():
        path: KeyPath = (key,)
        if key in OPTIONS:
            try:
                result.options[OPTIONS[key].option] = OPTIONS[key].check(value)
            except ValueError as error:
                raise config.error(path, str(error))
        elif key == "profile":
            if value not in PROFILES:
                raise config.error(
                    path,
                    f"no profile {described(value)}; known profiles: {', '.join(PROFILES)}",
                )
            result.profile = value
        elif key == "services":
            result.services = _services(config, value, services)
        elif key == "presets":
            try:
                result.presets = _boolean(value)
            except ValueError as error:
                raise config.error(path, str(error))
        elif key == "conditions":
            continue  # checked last, against the services enabled
        elif key in tables and isinstance(value, dict):
            _table(config, key, value, settings, services, result)
        elif key in tables:
            raise config.error(path, f"must be a table ([{key}]), not {described(value)}")
        elif key == "settings":
            raise config.error(
                path,
                "unknown key: a setting goes in the table of its prefix, "
                "e.g. [blockstorage] create_seconds = 5",
            )
        elif key in cloud:
            continue  # checked with the profile, by mimic.cloud_config
        else:
            raise config.error(
                path, "unknown key" + _suggest(key, [*_TOP_LEVEL, *sorted(cloud), *sorted(tables)])
            )
    _enable_from_tables(config, result, plugins)
    if "conditions" in data:
        events = FailureEngine()
        for plugin in enabled_plugins(plugins, result.services, result.disabled):
            for event in plugin.failure_events():
                events.declare(event)
        for event in identity_events:
            events.declare(event)
        result.conditions = _conditions(config, data["conditions"], events)
    return result


def _services(config: ConfigFile, value: Any, known: set[str]) -> set[str]:
    path: KeyPath = ("services",)
    if not isinstance(value, list):
        raise config.error(path, f"must be an array of service names, not {described(value)}")
    chosen: set[str] = set()
    for index, name in enumerate(value):
        if not isinstance(name, str):
            raise config.error(path + (index,), f"must be a service name, not {described(name)}")
        if name not in known:
            raise config.error(
                path,
                f"no service {name!r}{_suggest(name, known)}; known: {', '.join(sorted(known))}",
            )
        chosen.add(name)
    return chosen


def _table(
    config: ConfigFile,
    table: str,
    values: Mapping[str, Any],
    settings: Mapping[str, Setting],
    services: set[str],
    result: Configuration,
) -> None:
    own = sorted(name.partition(".")[2] for name in settings if name.partition(".")[0] == table)
    allowed = own + (["enabled"] if table in services else [])
    for key, value in values.items():
        path: KeyPath = (table, key)
        if key == "enabled" and table in services:
            if not isinstance(value, bool):
                raise config.error(path, f"must be true or false, not {described(value)}")
            if table == ALWAYS_ENABLED and not value:
                raise config.error(path, "identity cannot be disabled: it hands out the catalog")
            result.toggles[table] = value
            continue
        name = f"{table}.{key}"
        setting = settings.get(name)
        if setting is None:
            raise config.error(
                path,
                "unknown key" + _suggest(key, allowed) + f"; [{table}] takes: {', '.join(allowed) or 'nothing'}",
            )
        try:
            text = _setting_text(value)
            if name.endswith("_seconds") and isinstance(value, (int, float)) and value < 0:
                raise ValueError(f"a time cannot be below zero, not {described(value)}")
            setting.parse(text)
        except ValueError as error:
            raise config.error(path, str(error))
        result.settings[name] = text


def _enable_from_tables(config: ConfigFile, result: Configuration, plugins: Sequence[IAPIMock]) -> None:
    """
    ``enabled = true/false`` in a service's table wins over the
    ``services`` list.
    """
    if not result.toggles:
        return
    if result.services is None:
        result.services = {ALWAYS_ENABLED, *(p.name for p in plugins)}
    for name, on in result.toggles.items():
        if on:
            result.services.add(name)
        else:
            result.services.discard(name)
            result.disabled.add(name)


def _conditions(
    config: ConfigFile, value: Any, events: FailureEngine
) -> list[tuple[KeyPath, str, str, dict[str, Any]]]:
    path: KeyPath = ("conditions",)
    if not isinstance(value, list):
        raise config.error(path, f"must be an array of tables ([[conditions]]), not {described(value)}")
    found = []
    for index, entry in enumerate(value):
        at = path + (index,)
        if not isinstance(entry, dict):
            raise config.error(at, f"must be a table with service, event and name, not {described(entry)}")
        for key in entry:
            if key not in _CONDITION_PLACE + _CONDITION_BODY:
                raise config.error(
                    at + (key,),
                    "unknown key" + _suggest(key, _CONDITION_PLACE + _CONDITION_BODY)
                    + f"; a condition takes {', '.join(_CONDITION_PLACE + _CONDITION_BODY)}",
                )
        for key in _CONDITION_PLACE:
            if not isinstance(entry.get(key), str):
                raise config.error(at + (key,) if key in entry else at, f"{key!r} is required: a name, as in the control API's URL")
        _json_only(entry, at, config)
        body = {k: v for k, v in entry.items() if k in _CONDITION_BODY}
        try:
            register(events, entry["service"], entry["event"], body)
        except ConfigError as error:
            raise config.error(at, str(error))
        found.append((at, entry["service"], entry["event"], body))
    return found


def register(failures: FailureEngine, service: str, event: str, body: dict[str, Any]) -> Any:
    """
    Register one condition as ``POST /mimic/v1.1/<service>/behaviors/<event>``
    would, through the control API's own code; :class:`ConfigError` with
    the message it would have answered.
    """
    from mimic.control import behaviors

    try:
        found = behaviors.find_event(failures, service, event, 400)
        return behaviors.register(failures, found, body)
    except HTTPError as error:
        message = error.body.get("message") if isinstance(error.body, dict) else None
        raise ConfigError(str(message or error.body))
    except BadRegistration as error:  # pragma: no cover - behaviors turns these into 400s
        raise ConfigError(str(error))


def enabled_plugins(
    plugins: Iterable[IAPIMock], services: set[str] | None, disabled: Iterable[str] = ()
) -> list[IAPIMock]:
    """
    The plugins to serve: those named (every one when nothing was), and
    with them the plugins that serve a named service's side (the old
    control entries name theirs in ``service``) unless disabled
    themselves; such a plugin never runs without its service.
    """
    plugins = list(plugins)
    names = {p.name for p in plugins} | {ALWAYS_ENABLED} if services is None else services
    off = set(disabled)
    chosen = []
    for plugin in plugins:
        follows = getattr(plugin, "service", None)
        if follows is not None and follows not in names:
            continue
        if plugin.name in names or (follows is not None and plugin.name not in off):
            chosen.append(plugin)
    return chosen


def json_value(value: Any) -> Any:
    """
    A value as JSON can carry it (a setting's parsed value may be any
    object; it is shown as text then).
    """
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value
