# -*- test-case-name: mimic.test.test_compute_schemas,mimic.test.test_volume_schemas -*-
"""
tempest's response schemas (``tempest.lib.api_schema.response``), as the
schema tests read them: the microversions at which an API's schemas
change, each call's schema at a microversion, and the formats tempest's
validator checks beyond JSON Schema's own.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from datetime import datetime
from typing import Any, Iterable, cast


def iso8601_date_time(instance: Any) -> bool:
    """
    The ``iso8601-date-time`` format: a time as Nova and Cinder write
    them, with or without a zone.
    """
    if not isinstance(instance, str):
        return True
    try:
        datetime.fromisoformat(instance.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


class SchemaSet:
    """
    One API's schemas: ``package`` (tempest's ``...response.compute``),
    whose ``v<major>_<minor>`` directories hold what changes at that
    microversion.  ``base``, when given, is the microversion the
    package's own modules describe (Cinder's ``3.0``); ``modules``, when
    given, are the only modules whose directories count.
    """

    def __init__(
        self, package: Any, major: int, base: tuple[int, int] | None = None, modules: Iterable[str] | None = None
    ) -> None:
        self.package = package
        self.major = major
        self.base = base
        self.modules = None if modules is None else tuple(modules)

    @functools.cached_property
    def versions(self) -> tuple[tuple[int, int], ...]:
        """
        The microversions at which the schemas change, in order.
        """
        found = [] if self.base is None else [self.base]
        # Directories, not packages: some (compute's v2_84) have no __init__.py.
        for directory in self.package.__path__:
            for name in os.listdir(directory):
                matched = re.fullmatch(rf"v{self.major}_(\d+)", name)
                path = os.path.join(directory, name)
                if not matched or not os.path.isdir(path):
                    continue
                if self.modules is None or any(os.path.exists(os.path.join(path, f"{m}.py")) for m in self.modules):
                    found.append((self.major, int(matched.group(1))))
        return tuple(sorted(found))

    @functools.lru_cache(maxsize=None)
    def module(self, version: tuple[int, int], name: str) -> Any:
        """
        tempest's module ``name`` for the directory of ``version`` (the
        package's own at :attr:`base`), or None where it has none.
        """
        where = self.package.__name__
        if version != self.base:
            where += f".v{version[0]}_{version[1]}"
        try:
            return importlib.import_module(f"{where}.{name}")
        except ImportError:
            return None

    def schema(self, version: tuple[int, int], module: str, name: str) -> dict[str, Any]:
        """
        The schema of call ``name`` (in tempest's ``module``) at
        ``version``: from the latest directory at or below it that has the
        call.
        """
        for candidate in reversed(self.versions):
            if candidate > version:
                continue
            loaded = self.module(candidate, module)
            if loaded is not None and hasattr(loaded, name):
                return cast(dict[str, Any], getattr(loaded, name))
        raise LookupError(f"no schema {module}.{name} at or below {version}")


def version_tests(versions: Iterable[tuple[int, int]]) -> dict[str, Any]:
    """
    One test method per microversion (``test_v2_1``... ``test_v2_100``),
    each running the case's ``session`` at that version: for a test case
    made with ``type()``, so that trial names the version that fails.
    """
    tests: dict[str, Any] = {}
    for version in versions:
        def test(self: Any, version: tuple[int, int] = version) -> None:
            self.session(version)

        test.__name__ = f"test_v{version[0]}_{version[1]}"
        test.__doc__ = f"A client's calls at {version[0]}.{version[1]} get shapes upstream's schemas allow."
        tests[test.__name__] = test
    return tests
