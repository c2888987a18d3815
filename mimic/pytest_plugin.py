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

``mimic_url``
    The base URL of the Mimic the whole session shares: the one given by
    ``--mimic-url`` (or ``$MIMIC_URL``), else a real ``twistd mimic``
    started for the session.  Override this fixture (session scope) to
    start Mimic your own way.

``mimic_control``
    A :class:`mimic.testing.MimicControl` for that Mimic:
    ``mimic_control.assert_requested("DELETE", "/servers/", times=2)``,
    ``mimic_control.save_snapshot("world")``...

The marker ``@pytest.mark.mimic_snapshot("world")`` (on a test, a class,
or a module's ``pytestmark``) restores that snapshot on the session's
Mimic before each test it marks; ``setup="fixture_name"`` names a
fixture to set up first (the one that builds the world and saves the
snapshot).

``--mimic-profile=openstack`` (or ``$MIMIC_PROFILE``) makes every Mimic
these fixtures start serve that cloud profile (``mimic_profile`` is its
name; see ``docs/operations/profiles.rst``); ``rackspace`` by default.

``--mimic-coverage=PATH`` writes the session Mimic's fault-coverage
report at the end of the session (JSON; a table if PATH ends in
``.txt``; ``-`` writes no file) and prints its table in the summary.

Mimic does not depend on pytest; this module is for suites that do.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

_SUMMARY_KEY = "_mimic_coverage_summary"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("mimic", "Mimic, the fake OpenStack cloud")
    group.addoption(
        "--mimic-url",
        default=os.environ.get("MIMIC_URL"),
        help="use the Mimic running at this URL for the session (default: $MIMIC_URL, else start one)",
    )
    group.addoption(
        "--mimic-profile",
        default=os.environ.get("MIMIC_PROFILE", "rackspace"),
        help="the cloud profile of the Mimics the fixtures start: rackspace or openstack "
        "(default: $MIMIC_PROFILE, else rackspace)",
    )
    group.addoption(
        "--mimic-coverage",
        metavar="PATH",
        help="at the end of the session, write the session Mimic's fault-coverage report to PATH "
        "(JSON, or a table for .txt; '-' only prints it)",
    )


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "mimic_snapshot(name, setup=None): restore Mimic snapshot NAME on the session's Mimic before "
        "the test (after setting up fixture SETUP, if given)",
    )


@pytest.fixture(scope="session")
def mimic_profile(request: Any) -> str:
    """
    The cloud profile (``--mimic-profile``) the fixtures' Mimics serve.
    """
    from mimic.profiles import PROFILES

    chosen = str(request.config.getoption("--mimic-profile"))
    if chosen not in PROFILES:
        raise pytest.UsageError(f"--mimic-profile: no profile {chosen!r}; known: {', '.join(PROFILES)}")
    return chosen


@pytest.fixture
def mimic_process(mimic_profile: str) -> Iterator[Any]:
    from mimic.testing import MimicProcess

    with MimicProcess(["--profile", mimic_profile]) as process:
        yield process


@pytest.fixture
def in_memory_mimic(mimic_profile: str) -> Any:
    from mimic.testing import InMemoryMimic

    return InMemoryMimic(profile=mimic_profile)


@pytest.fixture(scope="session")
def mimic_url(request: Any) -> Iterator[str]:
    given = request.config.getoption("--mimic-url")
    if given:
        yield given.rstrip("/")
        return
    from mimic.testing import MimicProcess

    profile = request.getfixturevalue("mimic_profile")
    with MimicProcess(["--profile", profile]) as process:
        assert process.url is not None
        yield process.url


@pytest.fixture(scope="session")
def mimic_control(request: Any, mimic_url: str) -> Iterator[Any]:
    from mimic.testing import MimicControl

    control = MimicControl(mimic_url)
    yield control
    # Written here, while the session's Mimic still runs: it stops when
    # mimic_url is torn down, right after this.
    path = request.config.getoption("--mimic-coverage")
    if path:
        _write_coverage(request.config, control, path)


def _write_coverage(config: Any, control: Any, path: str) -> None:
    from mimic.command_views import coverage as coverage_table
    from mimic.remote import MimicAnswered, Unreachable

    try:
        report = control.coverage() if path == "-" else control.write_coverage(path)
    except (MimicAnswered, Unreachable, OSError) as e:
        setattr(config, _SUMMARY_KEY, f"could not get the fault-coverage report: {e}\n")
        return
    where = "" if path == "-" else f" (written to {path})"
    setattr(config, _SUMMARY_KEY, f"Mimic fault coverage{where}:\n" + coverage_table(report))


@pytest.fixture(autouse=True)
def _mimic_snapshot_marker(request: Any) -> None:
    marker = request.node.get_closest_marker("mimic_snapshot")
    if marker is None:
        return
    if len(marker.args) != 1 or not isinstance(marker.args[0], str):
        raise pytest.UsageError("mimic_snapshot takes one snapshot name: @pytest.mark.mimic_snapshot('world')")
    setup = marker.kwargs.get("setup")
    if setup is not None:
        request.getfixturevalue(setup)
    request.getfixturevalue("mimic_control").restore_snapshot(marker.args[0])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    summary = getattr(config, _SUMMARY_KEY, None)
    if summary:
        terminalreporter.section("mimic")
        terminalreporter.write(summary)
