# -*- test-case-name: mimic.test.test_cloud_config -*-
"""
A cloud's content that a configuration file may replace: the flavors,
images and default quotas a profile starts with.

The core knows no flavor or quota, so each service says which top-level
keys of the file it reads (:class:`ContentKey`, offered through
:class:`mimic.interfaces.IConfiguredContent`) and checks their values
itself.  What a check returns is kept in the profile
(:attr:`mimic.profiles.Profile.content`) under the key's dotted name, and
the service reads it back from ``core.profile`` where it would have used
the profile's own content.

A check raises :class:`ContentProblem` naming where below its key the
problem is, so the configuration file's error can name the line.  The
small checks here (:func:`table`, :func:`text`, :func:`whole_number`,
:func:`regions_of`...) are shared by every service's, so that the same
mistake reads the same in every table.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from attrs import frozen

#: A position below a content key: table keys and array indexes.
Where = tuple[Any, ...]


class ContentProblem(ValueError):
    """
    A value a service cannot take: ``where`` below the content key, and
    the problem in words.
    """

    def __init__(self, where: Where, problem: str) -> None:
        super().__init__(problem)
        self.where = where
        self.problem = problem


@frozen
class ContentKey:
    """
    A key of the configuration file that holds a service's content:
    ``("flavors",)`` for ``[[flavors]]``, ``("quotas", "compute")`` for
    ``[quotas.compute]``.
    """

    path: tuple[str, ...]
    #: One line for the docs and for the error naming an unknown key.
    description: str
    #: ``check(value, regions)``: the value as the service will read it
    #: back, or :class:`ContentProblem`; ``regions`` are the cloud's.
    check: Callable[[Any, Sequence[str]], Any]

    @property
    def name(self) -> str:
        """
        The dotted name the content is kept under: ``quotas.compute``.
        """
        return ".".join(self.path)


def described(value: Any) -> str:
    """
    A value as an error message shows it: ``'x'``, ``3``, ``true``, ``a table``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def table(value: Any, where: Where, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ContentProblem(where, f"must be a table of {what}, not {described(value)}")
    return value


def tables(value: Any, where: Where, what: str) -> list[Mapping[str, Any]]:
    """
    An array of tables (``[[flavors]]``), each checked to be a table.
    """
    if not isinstance(value, list):
        raise ContentProblem(where, f"must be an array of tables of {what}, not {described(value)}")
    for index, entry in enumerate(value):
        table(entry, where + (index,), what)
    return value


def only_keys(entry: Mapping[str, Any], where: Where, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
    """
    Refuse a key not in ``allowed`` and a missing ``required`` one.
    """
    allowed = tuple(allowed)
    for key in entry:
        if key not in allowed:
            raise ContentProblem(where + (key,), f"unknown key; this table takes: {', '.join(allowed)}")
    for key in required:
        if key not in entry:
            raise ContentProblem(where, f"{key!r} is required")


def text(value: Any, where: Where, longest: int = 255) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentProblem(where, f"must be a non-empty string, not {described(value)}")
    if len(value) > longest:
        raise ContentProblem(where, f"must be at most {longest} characters long")
    return value


def whole_number(value: Any, where: Where, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ContentProblem(where, f"must be a whole number of at least {least}, not {described(value)}")
    return value


def number(value: Any, where: Where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise ContentProblem(where, f"must be a positive number, not {described(value)}")
    return float(value)


def flag(value: Any, where: Where) -> bool:
    if not isinstance(value, bool):
        raise ContentProblem(where, f"must be true or false, not {described(value)}")
    return value


def string_table(value: Any, where: Where) -> dict[str, str]:
    """
    A table of string values (extra specs, image properties).
    """
    checked = {}
    for key, item in table(value, where, "strings").items():
        checked[key] = text(item, where + (key,)) if item != "" else ""
    return checked


def regions_of(entry: Mapping[str, Any], where: Where, regions: Sequence[str]) -> tuple[str, ...]:
    """
    The regions an entry is in: its ``regions`` key, each one the cloud's,
    else every region.
    """
    if "regions" not in entry:
        return tuple(regions)
    value = entry["regions"]
    at = where + ("regions",)
    if not isinstance(value, list) or not value:
        raise ContentProblem(at, f"must be a non-empty array of region names, not {described(value)}")
    for index, region in enumerate(value):
        if region not in regions:
            raise ContentProblem(
                at + (index,),
                f"no region {described(region)} in this cloud; its regions: {', '.join(regions)}",
            )
    return tuple(dict.fromkeys(value))


def unique(entries: Sequence[Mapping[str, Any]], where: Where, key: str, values: Sequence[Any]) -> None:
    """
    Refuse two entries with the same ``key`` (``values[i]`` is entry
    ``i``'s, defaults included), naming the second.
    """
    seen: dict[Any, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise ContentProblem(
                where + (index, key) if key in entries[index] else where + (index,),
                f"duplicate {key} {described(value)} (entry {seen[value] + 1} has it too)",
            )
        seen[value] = index


def per_region(regions: Sequence[str], entries: Iterable[tuple[tuple[str, ...], Any]]) -> dict[str, tuple[Any, ...]]:
    """
    ``(regions, item)`` pairs sorted out by region, in the given order.
    """
    found: dict[str, list[Any]] = {region: [] for region in regions}
    for in_regions, item in entries:
        for region in in_regions:
            found[region].append(item)
    return {region: tuple(items) for region, items in found.items()}


def quota_table(value: Any, where: Where, known: Sequence[str]) -> dict[str, int]:
    """
    ``[quotas.<service>]``: default quotas by the service's own names,
    each a whole number, ``-1`` for unlimited.
    """
    checked = {}
    for key, item in table(value, where, "quotas").items():
        if key not in known:
            raise ContentProblem(where + (key,), f"unknown quota; known: {', '.join(known)}")
        checked[key] = whole_number(item, where + (key,), least=-1)
    return checked
