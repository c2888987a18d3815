# -*- test-case-name: mimic.test.test_config -*-
"""
``GET /mimic/v1.1/config``: the configuration in effect, every key with
its value and where it came from (``default``, ``file`` with its line,
``command line``), secrets masked; so that a test suite, or a person
puzzled by a Mimic, can see what it was started with.

``twistd mimic`` records what it started each core with
(:func:`remember`); a core built in process (:mod:`mimic.testing`) has no
record and shows what the core itself knows.
"""

from __future__ import annotations

from typing import Any, Mapping
from weakref import finalize

from mimic.config import OPTIONS
from mimic.startup import Effective, Startup, effective

#: What each core served by ``twistd mimic`` was started with, by the
#: core's id (a core compares by value, so it cannot be a key itself):
#: dropped when the core is, so two Mimics in one process never see each
#: other's.
_STARTED: dict[int, tuple[dict[str, Any], Startup]] = {}


def remember(core: Any, options: Mapping[str, Any], startup: Startup) -> list[Effective]:
    """
    Record how ``core`` was started, and return its effective
    configuration.
    """
    kept = {option.option: options[option.option] for option in OPTIONS.values()}
    if id(core) not in _STARTED:
        finalize(core, _STARTED.pop, id(core), None)
    _STARTED[id(core)] = (kept, startup)
    return effective(core, kept, startup)


def config_json(core: Any) -> dict[str, Any]:
    options, startup = _STARTED.get(id(core), (None, None))
    return {
        "file": startup.path if startup is not None else None,
        "config": {entry.key: entry.to_json() for entry in effective(core, options, startup)},
    }
