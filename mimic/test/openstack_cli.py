# -*- test-case-name: mimic.test.test_compute_integration -*-
"""
The ``openstack`` command as the integration tests run it: several
commands fed to ONE process through its interactive mode (it reads them
from stdin), since each process costs an interpreter start and the
client's imports, a second or two that many tests would otherwise pay
per command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any, Mapping, Sequence


def _run(variables: Mapping[str, str], arguments: Sequence[str], given: str | None) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(variables)
    script = os.path.join(os.path.dirname(sys.executable), "openstack")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "openstackclient.shell"]
    process = subprocess.run(
        [*command, *arguments], input=given, env=env, capture_output=True, text=True, timeout=120
    )
    return process.stdout, process.stderr


def openstack_batch(variables: Mapping[str, str], commands: Sequence[str]) -> tuple[str, str]:
    """
    Run ``commands`` (each as typed after ``openstack``) in one
    interactive process with only ``variables`` of the ``OS_*``
    environment, and give back what it wrote to stdout and stderr.  The
    interactive mode's exit status says nothing (it is 1 at the end of its
    input): a command that fails writes to stderr.  It splits a line on
    spaces whatever the quotes, so a name with spaces needs
    :func:`openstack_command`.
    """
    return _run(variables, [], "\n".join(commands) + "\n")


def openstack_command(variables: Mapping[str, str], arguments: Sequence[str]) -> tuple[str, str]:
    """
    Run one command, its ``arguments`` given as they are (names with
    spaces included), as :func:`openstack_batch` runs several.
    """
    return _run(variables, arguments, None)


def json_documents(output: str) -> list[Any]:
    """
    The JSON documents one process printed, one after another (each
    command asked for ``-f json``; commands that print nothing add none).
    """
    decoder = json.JSONDecoder()
    found: list[Any] = []
    output = output.strip()
    position = 0
    while position < len(output):
        document, position = decoder.raw_decode(output, position)
        found.append(document)
        while position < len(output) and output[position].isspace():
            position += 1
    return found
