# -*- test-case-name: mimic.test.test_pytest_plugin -*-
"""
pytest fixtures for test suites that use Mimic.

Load them in a ``conftest.py`` with ``pytest_plugins = ["mimic.pytest_plugin"]``;
tests can then ask for:

``mimic_process``
    A real ``twistd mimic`` on 127.0.0.1 and an ephemeral port, started for
    the test and stopped after it (:class:`mimic.testing.MimicProcess`;
    ``mimic_process.url`` is its base URL).

``in_memory_mimic``
    A whole Mimic answering in memory with a controlled clock
    (:class:`mimic.testing.InMemoryMimic`).

Mimic does not depend on pytest; this module is for suites that do.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture
def mimic_process() -> Iterator[Any]:
    from mimic.testing import MimicProcess

    with MimicProcess() as process:
        yield process


@pytest.fixture
def in_memory_mimic() -> Any:
    from mimic.testing import InMemoryMimic

    return InMemoryMimic()
