# -*- test-case-name: mimic.test.test_config -*-
"""
How ``twistd mimic`` was started: the configuration file merged under
the command line (:func:`configure`), the file's conditions registered
(:func:`register_conditions`), and every key's value in effect with
where it came from (:func:`effective`), which ``GET /mimic/v1.1/config``
serves and ``--verbose`` prints.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

from attrs import define, field, frozen

from mimic.config import (
    ALWAYS_ENABLED,
    COMMAND_LINE,
    DEFAULT,
    DEFAULT_PROFILE,
    FILE,
    GIVEN,
    MASK,
    OPTIONS,
    ConfigError,
    ConfigFile,
    KeyPath,
    Source,
    check,
    enabled_plugins,
    is_secret,
    json_value,
    read_file,
    register,
    show_key,
)
from mimic.failures import Event, FailureEngine
from mimic.interfaces import IAPIMock
from mimic.profiles import Profile
from mimic.settings import Setting
def watch_command_line(options: Any) -> set[str]:
    """
    The options (long names) the command line gives, filled in as
    ``options`` parses it, so that the file never overrides them even
    when they repeat the default.  Wraps each option's handler in the
    table :class:`twisted.python.usage.Options` dispatches through.
    """
    from twisted.python.usage import CoerceParameter

    given: set[str] = set()
    dispatch = getattr(options, "_dispatch", None)
    if not isinstance(dispatch, dict):  # pragma: no cover - another Twisted
        return given
    for name, handler in list(dispatch.items()):

        def recording(opt: str, value: Any = None, _handler: Any = handler, _name: str = name) -> None:
            given.add(_name)
            if isinstance(_handler, CoerceParameter):
                _handler.dispatch(opt, value)
            else:
                _handler(opt, value)

        dispatch[name] = recording
    return given


@define
class Startup:
    """
    How ``twistd mimic`` was configured: where each option and setting
    came from, the services and conditions the file asks for.
    """

    path: str | None = None
    profile: str = DEFAULT_PROFILE
    profile_source: Source = Source(DEFAULT)
    sources: dict[str, Source] = field(factory=dict)
    setting_sources: dict[str, Source] = field(factory=dict)
    services: set[str] | None = None
    disabled: set[str] = field(factory=set)
    services_source: Source = Source(DEFAULT)
    conditions: list[tuple[KeyPath, str, str, dict[str, Any]]] = field(factory=list)
    conditions_source: Source = Source(DEFAULT)
    registered: list[dict[str, Any]] = field(factory=list)
    #: Whether the known-error presets (metadata triggers) fire.
    presets: bool = True
    presets_source: Source = Source(DEFAULT)
    #: The file read, if any: its cloud keys are checked once the profile
    #: is known (:mod:`mimic.cloud_config`).
    file: ConfigFile | None = None
    #: The profile as the file's cloud keys change it (set by ``twistd
    #: mimic`` once the profile is known).
    cloud: Profile | None = None


def configure(
    options: Any,
    given: set[str],
    plugins: Sequence[IAPIMock],
    declared: Sequence[Setting],
    identity_events: Iterable[Event] = (),
) -> Startup:
    """
    Read ``options["config"]`` (if any) into ``options`` wherever the
    command line said nothing, and say where everything came from.
    """
    startup = Startup(path=options.get("config"))
    command_line_settings = set(options["settings"])
    for key, option in OPTIONS.items():
        startup.sources[key] = Source(COMMAND_LINE if option.option in given else DEFAULT)
    for name in command_line_settings:
        startup.setting_sources[name] = Source(COMMAND_LINE)
    if startup.path is None:
        return startup
    config = startup.file = read_file(startup.path)
    checked = check(config, plugins, declared, identity_events)
    for key, option in OPTIONS.items():
        if option.option in checked.options and option.option not in given:
            options[option.option] = checked.options[option.option]
            startup.sources[key] = config.source((key,))
    # A disabled service's settings are checked, then left out: nothing
    # reads them.
    from mimic.core import declared_settings

    served = {s.name for s in declared_settings(enabled_plugins(plugins, checked.services, checked.disabled))}
    for name, text in checked.settings.items():
        if name not in command_line_settings and name in served:
            options["settings"][name] = text
            startup.setting_sources[name] = config.source(tuple(name.split(".", 1)))
    if "profile" in config.data:
        startup.profile, startup.profile_source = checked.profile, config.source(("profile",))
    if "presets" in config.data:
        startup.presets, startup.presets_source = checked.presets, config.source(("presets",))
    startup.services, startup.disabled = checked.services, checked.disabled
    if checked.services is not None:
        first = min(
            (line for path, line in config.lines.items() if path[0] == "services" or path[-1:] == ("enabled",)),
            default=None,
        )
        startup.services_source = Source(FILE, first)
    if checked.conditions:
        startup.conditions = checked.conditions
        startup.conditions_source = Source(FILE, config.line(("conditions",)) or config.line(("conditions", 0)))
    return startup


def register_conditions(failures: FailureEngine, startup: Startup) -> None:
    """
    Register the file's conditions with a core's failure engine (they
    were checked against the same events at start).
    """
    for path, service, event, body in startup.conditions:
        try:
            registration = register(failures, service, event, body)
        except ConfigError as error:  # pragma: no cover - checked before
            raise ConfigError(f"{startup.path}: {show_key(path)}: {error}")
        startup.registered.append({"service": service, "event": event, **body, "id": registration.id})


@frozen
class Effective:
    """
    One key's value in effect and where it came from.
    """

    key: str
    value: Any
    source: Source

    def shown(self) -> Any:
        if is_secret(self.key) and self.value:
            return MASK
        return json_value(self.value)

    def to_json(self) -> dict[str, Any]:
        described = {"value": self.shown(), "source": self.source.origin}
        if self.source.line is not None:
            described["line"] = self.source.line
        return described


def effective(core: Any, options: Mapping[str, Any] | None, startup: Startup | None) -> list[Effective]:
    """
    Every key with its value in effect: from the options and start-up
    record of ``twistd mimic``, or, for a core built in process, what the
    core itself knows (its clock, services, settings).
    """
    if startup is None:
        # A core built in process: its profile is whatever it was given.
        given = core.profile.name
        startup = Startup(profile=given, profile_source=Source(DEFAULT if given == DEFAULT_PROFILE else GIVEN))
    found = [Effective("profile", startup.profile, startup.profile_source)]
    found.extend(_cloud(core, startup))
    if options is not None:
        for key, option in OPTIONS.items():
            value = options[option.option]
            if option.flag:
                value = bool(value)
            found.append(Effective(key, value, startup.sources.get(key, Source(DEFAULT))))
    else:
        found.append(Effective("realtime", not core.advanceable, Source(GIVEN)))
    services = sorted({ALWAYS_ENABLED, *core.plugins})
    found.append(Effective("services", services, startup.services_source))
    defaults = {s.name: s.default for s in _declared(core)}
    for name in sorted(core.settings):
        source = startup.setting_sources.get(name)
        if source is None:
            changed = name in defaults and core.settings[name] != defaults[name]
            source = Source(GIVEN if changed and options is None else DEFAULT)
        found.append(Effective(name, core.settings[name], source))
    found.append(Effective("conditions", list(startup.registered), startup.conditions_source))
    found.append(Effective("presets", core.failures.metadata_triggers, startup.presets_source))
    return found


def _cloud(core: Any, startup: Startup) -> list[Effective]:
    """
    The regions, and what the file changed of the profile's cloud (its
    catalog entries, the services' content), as the file said it.
    """
    file = startup.file
    regions_source = Source(DEFAULT)
    if file is not None and "regions" in file.data:
        regions_source = file.source(("regions",))
    found = [Effective("regions", list(core.profile.regions), regions_source)]
    if file is None:
        return found
    if "catalog" in file.data:
        found.append(Effective("catalog", file.data["catalog"], _first(file, ("catalog",))))
    for name in sorted(core.profile.content):
        path = tuple(name.split("."))
        value: Any = file.data
        for part in path:
            value = value[part]
        found.append(Effective(name, value, _first(file, path)))
    return found


def _first(file: ConfigFile, path: KeyPath) -> Source:
    """
    Where a key or the first of the tables under it is.
    """
    lines = [line for at, line in file.lines.items() if at[: len(path)] == path]
    return Source(FILE, min(lines, default=None))


def _declared(core: Any) -> list[Setting]:
    from mimic.core import declared_settings

    return declared_settings(core.plugins.values())


def log_lines(entries: Iterable[Effective]) -> list[str]:
    """
    The configuration as ``--verbose`` prints it: one line per key.
    """
    lines = []
    for entry in entries:
        where = entry.source.origin
        if entry.source.line is not None:
            where += f", line {entry.source.line}"
        lines.append(f"config {entry.key} = {json.dumps(entry.shown())} ({where})")
    return lines
