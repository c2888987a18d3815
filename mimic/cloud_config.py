# -*- test-case-name: mimic.test.test_cloud_config -*-
"""
The configuration file's keys that change the cloud a profile describes:
``regions``, ``[catalog.<type>]`` and the services' content keys
(``[[flavors]]``, ``[[images]]``, ``[quotas.<service>]``...).

They are read with the rest of the file (:mod:`mimic.config`) but checked
only once the profile is known, since the command line's ``--profile``
wins over the file's and the profile decides which regions, services and
catalog entries there are.  :func:`customized` makes the profile the core
is built with; every problem is a :class:`mimic.config.ConfigError`
naming the file, the line and the key.
"""

from __future__ import annotations

import re
import string
from typing import Any, Iterable, Mapping, Sequence

from attrs import evolve

from mimic.cloud_content import ContentKey, ContentProblem, described
from mimic.config import ConfigFile, KeyPath
from mimic.interfaces import IAPIMock, IConfiguredContent, IProfileMember
from mimic.profiles import CatalogChange, Profile

#: What a region's name may be: it is a path segment of the services a
#: profile mounts (``/regions/<region>/compute``) and of
#: ``/service/<service>/<region>/...``.
REGION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: What a ``[catalog.<type>]`` table takes.
CATALOG_KEYS = ("name", "type", "url")

#: The fields a configured endpoint URL may name.
URL_FIELDS = ("tenant_id", "region")


def content_keys(plugins: Iterable[IAPIMock]) -> dict[tuple[str, ...], ContentKey]:
    """
    Every content key the plugins read, by path.
    """
    found: dict[tuple[str, ...], ContentKey] = {}
    for plugin in plugins:
        if IConfiguredContent.providedBy(plugin):
            for key in plugin.content_keys():
                found[key.path] = key
    return found


def customized(
    base: Profile,
    config: ConfigFile | None,
    plugins: Sequence[IAPIMock],
    served: Sequence[IAPIMock],
) -> Profile:
    """
    ``base`` as the file's cloud keys change it.  ``plugins`` are every
    plugin Mimic knows (a service left out may still have its content
    given, as its settings may: one file serves several profiles);
    ``served`` those this start serves, whose catalog entries
    ``[catalog.<type>]`` may change.
    """
    if config is None:
        return base
    data = config.data
    profile = base
    if "regions" in data:
        profile = evolve(profile, regions=_regions(config, data["regions"]), regions_everywhere=True)
    content = _content(config, plugins, profile.regions)
    if content:
        profile = evolve(profile, content=content)
    if "catalog" in data:
        profile = evolve(profile, catalog=_catalog(config, data["catalog"], entry_types(served, profile)))
    return profile


def _regions(config: ConfigFile, value: Any) -> tuple[str, ...]:
    path: KeyPath = ("regions",)
    if not isinstance(value, list) or not value:
        raise config.error(path, f"must be a non-empty array of region names, not {described(value)}")
    seen: set[str] = set()
    for index, name in enumerate(value):
        if not isinstance(name, str) or not REGION_NAME.match(name):
            raise config.error(
                path + (index,),
                f"must be a region name (letters, digits, '.', '_' and '-', at most 64), not {described(name)}",
            )
        if name in seen:
            raise config.error(path + (index,), f"duplicate region {name!r}")
        seen.add(name)
    return tuple(value)


def _content(config: ConfigFile, plugins: Sequence[IAPIMock], regions: Sequence[str]) -> dict[str, Any]:
    keys = content_keys(plugins)
    data = config.data
    for top in {path[0] for path in keys}:
        _refuse_unknown_below(config, top, data.get(top), keys)
    content = {}
    for path, key in sorted(keys.items()):
        value = _lookup(data, path)
        if value is None:
            continue
        try:
            content[key.name] = key.check(value, regions)
        except ContentProblem as problem:
            raise config.error(path + problem.where, problem.problem)
    return content


def _refuse_unknown_below(
    config: ConfigFile, top: str, value: Any, keys: Mapping[tuple[str, ...], ContentKey]
) -> None:
    """
    ``[quotas.<service>]`` for a service that has no quotas to give.
    """
    below = sorted(path[1] for path in keys if path[0] == top and len(path) > 1)
    if value is None or not below:
        return
    if not isinstance(value, dict):
        raise config.error((top,), f"must be a table of tables ([{top}.{below[0]}]), not {described(value)}")
    for name in value:
        if name not in below:
            raise config.error((top, name), f"unknown key; [{top}] takes: {', '.join(below)}")


def _lookup(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def entry_types(plugins: Sequence[IAPIMock], profile: Profile) -> list[str]:
    """
    The types of the catalog entries the plugins have under a profile,
    identity's among them.
    """
    types = ["identity"]
    for plugin in plugins:
        layout = plugin.layout(profile) if IProfileMember.providedBy(plugin) else None
        layout = layout or profile.layout_of(plugin.name)
        if layout is not None:
            types.extend(kind for kind, _ in layout.entries)
        else:
            types.extend(entry.type for entry in plugin.catalog_entries("tenant"))
    return list(dict.fromkeys(types))


def _catalog(config: ConfigFile, value: Any, types: Sequence[str]) -> tuple[CatalogChange, ...]:
    path: KeyPath = ("catalog",)
    if not isinstance(value, dict):
        raise config.error(path, f"must be a table of entries by type ([catalog.compute]), not {described(value)}")
    changes = []
    for entry_type, change in value.items():
        at = path + (entry_type,)
        if entry_type not in types:
            raise config.error(at, f"no catalog entry of type {entry_type!r} here; the types: {', '.join(types)}")
        if not isinstance(change, dict):
            raise config.error(at, f"must be a table with name, type or url, not {described(change)}")
        for key, item in change.items():
            if key not in CATALOG_KEYS:
                raise config.error(at + (key,), f"unknown key; [catalog.<type>] takes: {', '.join(CATALOG_KEYS)}")
            if not isinstance(item, str) or not item.strip() or len(item) > 255:
                raise config.error(at + (key,), f"must be a non-empty string, not {described(item)}")
        if "url" in change:
            _check_url(config, at + ("url",), change["url"])
        changes.append(CatalogChange(entry_type, change.get("name"), change.get("type"), change.get("url")))
    _refuse_same_types(config, changes, types)
    return tuple(changes)


def _check_url(config: ConfigFile, path: KeyPath, url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise config.error(path, f"must be an http:// or https:// URL, not {url!r}")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(url) if name is not None]
    except ValueError as error:
        raise config.error(path, f"is not a URL template ({error}); say {{tenant_id}} or {{region}}")
    for name in fields:
        if name not in URL_FIELDS:
            raise config.error(path, f"names {{{name}}}; a URL may name {{tenant_id}} and {{region}} only")


def _refuse_same_types(config: ConfigFile, changes: Sequence[CatalogChange], types: Sequence[str]) -> None:
    """
    Two entries retyped to the same type, or to the type of an entry left
    as it is: clients would find one of them only.
    """
    after = {kind: kind for kind in types}
    for change in changes:
        if change.new_type is not None:
            after[change.type] = change.new_type
    seen: dict[str, str] = {}
    for kind, new in after.items():
        if new in seen:
            retyped = kind if kind != new else seen[new]
            raise config.error(
                ("catalog", retyped, "type"),
                f"the catalog would have two entries of type {new!r} ({seen[new]!r} and {kind!r})",
            )
        seen[new] = kind
