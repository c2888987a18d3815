# -*- test-case-name: mimic.test.test_settings -*-
"""
Settings a plugin reads, given on the command line as ``twistd mimic
--set NAME=VALUE``.

A plugin declares what it reads (:class:`Setting`, through
:class:`mimic.interfaces.IHasSettings`); the core parses what was given
against those declarations once, at start-up, so that a misspelt name or
a bad value stops Mimic with a clear message rather than being ignored.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

from attrs import frozen


class BadSetting(ValueError):
    """
    A setting nothing declares, or a value its declaration cannot parse.
    """


@frozen
class Setting:
    """
    One setting: ``service.what`` by convention, what it does, its
    default (a parsed value) and how a given string becomes a value.
    """

    name: str
    description: str
    default: Any
    parse: Callable[[str], Any] = str


_SIZE = re.compile(r"^\s*([0-9]+)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def byte_size(text: str) -> int:
    """
    A size in bytes: ``1048576``, ``512M``, ``2G`` or ``2GiB`` (powers of
    1024).
    """
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size (say 1048576, 512M or 2G)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def duration(text: str) -> float:
    """
    How long a state transition takes: a number of seconds, zero (done
    by the next request) or more.
    """
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds")
    if not 0 <= value < float("inf"):
        raise ValueError(f"{text!r} is not a number of seconds from zero up (a time cannot be below zero)")
    return value


_YES = frozenset({"1", "yes", "true", "on"})
_NO = frozenset({"0", "no", "false", "off"})


def yes_or_no(text: str) -> bool:
    """
    A switch: ``yes``/``true``/``on``/``1`` or ``no``/``false``/``off``/``0``.
    """
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def parse_settings(given: Mapping[str, str], declared: Iterable[Setting]) -> dict[str, Any]:
    """
    Every declared setting's value: the one given, parsed, or its
    default.
    """
    known = {setting.name: setting for setting in declared}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise BadSetting(
            f"no plugin reads the setting(s) {', '.join(unknown)}; known: "
            + (", ".join(sorted(known)) or "none")
        )
    values = {name: setting.default for name, setting in known.items()}
    for name, raw in given.items():
        try:
            values[name] = known[name].parse(raw)
        except ValueError as error:
            raise BadSetting(f"setting {name}: {error}")
    return values
