# -*- test-case-name: mimic.test.test_state_file -*-
"""
``twistd mimic --state-file PATH``: Mimic's whole state (see
:mod:`mimic.snapshots`) loaded from a file at start, if the file exists,
and written to it when Mimic stops cleanly, so that a developer's Mimic
keeps its users, servers and objects across restarts.

The file is written atomically: to a temporary file in the same
directory, flushed and synced to disk, then renamed over the old one, so
that a crash while writing leaves the previous file whole.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from twisted.application.service import Service
from twisted.logger import Logger

from mimic import snapshots


class StateFileError(Exception):
    """
    The state file cannot be used: the message says why, in one line.
    """


def read_state(path: str) -> dict[str, Any] | None:
    """
    The saved state in ``path``, or ``None`` if there is no such file
    (a first start).  :class:`StateFileError` if it cannot be read or is
    not a Mimic state this Mimic reads.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StateFileError(f"cannot read the state file {path}: {error.strerror or error}") from None
    try:
        return snapshots.decode(data)
    except snapshots.BadState as error:
        raise StateFileError(f"cannot load the state file {path}: {error}") from None


def check_writable(path: str) -> None:
    """
    :class:`StateFileError` unless the state can be written to ``path``
    when Mimic stops (said at start, not after a day's work).
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise StateFileError(f"the state file's directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise StateFileError(f"the state file's directory {directory} is not writable")
    if os.path.isdir(path):
        raise StateFileError(f"the state file {path} is a directory")


def write_state(path: str, data: bytes) -> None:
    """
    Write ``data`` to ``path`` atomically.
    """
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(descriptor, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    try:
        # The rename itself lasts once the directory is synced too.
        directory_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory_fd)
    except OSError:
        pass
    finally:
        os.close(directory_fd)


def save_core(core: Any, path: str) -> int:
    """
    Write ``core``'s whole state to ``path``; the bytes written.
    """
    data = snapshots.encode(snapshots.save(core))
    write_state(path, data)
    return len(data)


class StateFileService(Service):
    """
    Saves the core's state to the state file when Mimic stops cleanly
    (``SIGTERM``, ``SIGINT``, the reactor stopping).
    """

    log = Logger()

    def __init__(self, core: Any, path: str) -> None:
        self.core = core
        self.path = path

    def stopService(self) -> Any:
        super().stopService()
        try:
            size = save_core(self.core, self.path)
        except (OSError, snapshots.BadState) as error:
            self.log.error(
                "Mimic could not save its state to {path}: {error}", path=self.path, error=error
            )
            return None
        self.log.info("Mimic saved its state to {path} ({size} bytes)", path=self.path, size=size)
        return None
