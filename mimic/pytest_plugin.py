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
``--mimic-config=PATH`` (or ``$MIMIC_CONFIG``) starts them with that
configuration file (its profile, regions, flavors, images, quotas,
settings and conditions: ``docs/operations/configuration.rst``), in
memory too; ``--mimic-profile`` then wins over the file's profile.

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
        default=os.environ.get("MIMIC_PROFILE"),
        help="the cloud profile of the Mimics the fixtures start: rackspace or openstack "
        "(default: $MIMIC_PROFILE, else the configuration file's, else rackspace)",
    )
    group.addoption(
        "--mimic-config",
        metavar="PATH",
        default=os.environ.get("MIMIC_CONFIG"),
        help="start the fixtures' Mimics with this configuration file (default: $MIMIC_CONFIG)",
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
def mimic_args(request: Any) -> list[str]:
    """
    The ``twistd mimic`` options the fixtures start Mimics with, from
    ``--mimic-config`` and ``--mimic-profile``; a bad file or profile
    stops the session with the line ``twistd mimic`` would stop with.
    """
    from twisted.python import usage

    from mimic import tap

    args = []
    path = request.config.getoption("--mimic-config")
    if path:
        args += ["--config", os.path.abspath(path)]
    profile = request.config.getoption("--mimic-profile")
    if profile:
        args += ["--profile", profile]
    try:
        tap.Options().parseOptions(args)
    except usage.UsageError as error:
        raise pytest.UsageError(f"--mimic-profile or --mimic-config: {error}")
    return args


@pytest.fixture(scope="session")
def mimic_profile(mimic_args: list[str]) -> str:
    """
    The cloud profile the fixtures' Mimics serve.
    """
    from mimic import tap

    options = tap.Options()
    options.parseOptions(mimic_args)
    return str(options.startup.profile)


@pytest.fixture
def mimic_process(mimic_args: list[str]) -> Iterator[Any]:
    from mimic.testing import MimicProcess

    with MimicProcess(mimic_args) as process:
        yield process


@pytest.fixture
def in_memory_mimic(mimic_args: list[str]) -> Any:
    from mimic.testing import InMemoryMimic

    if mimic_args[:1] == ["--config"]:
        return InMemoryMimic.from_config(mimic_args[1], *mimic_args[2:])
    return InMemoryMimic(profile=mimic_args[1] if mimic_args else "rackspace")


@pytest.fixture(scope="session")
def mimic_url(request: Any) -> Iterator[str]:
    given = request.config.getoption("--mimic-url")
    if given:
        yield given.rstrip("/")
        return
    from mimic.testing import MimicProcess

    with MimicProcess(request.getfixturevalue("mimic_args")) as process:
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
