"""
Run OpenStack's own API tests (tempest) against a real Mimic.

    tox -e tempest                      # every area Mimic has a profile for
    tox -e tempest -- object_storage    # one area

Starts ``twistd mimic --realtime`` on 127.0.0.1 (tempest polls in real
time and cannot tick the clock), writes, in a temporary directory, the
configuration for that area (``<area>.conf`` beside
this script, the port filled in) and pre-provisioned accounts (for areas
whose configuration uses them; ``identity.conf`` has tempest make its own
through Mimic's administrator instead), and runs
``tempest.api.<area>`` with the tests listed in ``exclude-<area>.txt``
left out, each for a reason given there.

For compute, Mimic is also given ``docs/examples/realtime-clients.toml``
(every state transition at zero).  ``--mimic-config=PATH`` gives Mimic
another configuration file, and ``--no-realtime`` leaves Mimic on its
own clock, which nobody ticks: with every transition at zero, tempest's
polling passes all the same.

    python fidelity/tempest.py compute --no-realtime \
        '--regex=^tempest\.api\.compute\.servers\.test_server_actions'
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from mimic.testing import MimicProcess

HERE = Path(__file__).resolve().parent

#: Mimic's configuration for areas whose tests wait on servers' state
#: transitions: every transition at zero, so each is done by the next
#: request whatever the clock (``--mimic-config=PATH`` gives another).
MIMIC_CONFIGS = {"compute": HERE.parent / "docs" / "examples" / "realtime-clients.toml"}

#: What the real clock allows on top of that file: a server's snapshot
#: task lasting two real seconds, as
#: ``test_create_second_image_when_first_image_is_being_saved`` needs (it
#: asks for a second snapshot while the first is under way, and expects
#: 409).  On Mimic's own clock it would never end, so it is given with
#: ``--realtime`` only.
REALTIME_SETTINGS = {"compute": ["--set", "compute.create_image_seconds=2"]}
AREAS = (
    "object_storage", "identity", "network", "volume", "compute", "compute.volumes", "openstack-identity",
    "openstack-compute", "image", "openstack-image", "openstack-volume",
)

#: Areas run against another cloud profile than the default: the profile
#: and tempest's own area (``openstack-identity.conf`` configures
#: ``tempest.api.identity`` for ``--profile openstack``).
PROFILE_AREAS = {
    "openstack-identity": ("openstack", "identity"),
    "openstack-compute": ("openstack", "compute"),
    "openstack-image": ("openstack", "image"),
    "openstack-volume": ("openstack", "volume"),
}


#: Areas whose tests also ask for a reader in the primary user's
#: project (``project_reader``).
READER_AREAS = {"network", "volume", "compute", "compute.volumes", "openstack-compute", "image", "openstack-volume"}


def accounts(count: int = 12, readers: bool = False, rackspace: bool = True) -> str:
    """
    Users that are their own projects, as Mimic makes them.  Tempest
    takes an account whose roles include its admin role for an admin
    account and will not hand it out otherwise, so only the other roles
    Mimic's tokens carry are listed.

    With ``readers``, each user is listed a second time with only the
    ``reader`` role (and ``reader`` is added to the first entry's roles):
    Mimic has one user per project, and tempest finds a project's reader
    by project name among the accounts it has not handed out yet, so the
    same user is the reader of its own project.

    Without ``rackspace`` (another profile's cloud, which has no
    ``identity:*`` roles), ``member`` is the only other role listed.
    """
    entries = []
    for index in range(1, count + 1):
        name = f"tempest{index:02d}"
        entries.append(
            f"- username: '{name}'\n"
            f"  project_name: '{name}'\n"
            "  password: 'any'\n"
            "  user_domain_name: 'Default'\n"
            "  project_domain_name: 'Default'\n"
            "  roles:\n"
            "  - 'member'\n"
            + ("  - 'identity:user-admin'\n" if rackspace else "")
            + ("  - 'reader'\n" if readers else "")
        )
    if readers:
        for index in range(1, count + 1):
            name = f"tempest{index:02d}"
            entries.append(
                f"- username: '{name}'\n"
                f"  project_name: '{name}'\n"
                # Another password (Mimic takes any) makes it another
                # account for tempest, which tells accounts apart by
                # their credentials, not their roles.
                "  password: 'reader'\n"
                "  user_domain_name: 'Default'\n"
                "  project_domain_name: 'Default'\n"
                "  roles:\n"
                "  - 'reader'\n"
            )
    return "".join(entries)


def stestr_config() -> str:
    """
    What ``tempest init`` would write for the test runner: where
    tempest's tests are, in the environment that has the ``tempest``
    command.
    """
    found = shutil.which("tempest")
    if found is None:
        raise SystemExit("no tempest command: pip install tempest (tox -e tempest does)")
    python = Path(found).parent / "python"
    package = subprocess.check_output(
        [str(python), "-c", "import os, tempest; print(os.path.dirname(tempest.__file__))"],
        text=True,
    ).strip()
    return (
        "[DEFAULT]\n"
        f"test_path={package}/test_discover\n"
        f"top_dir={os.path.dirname(package)}\n"
        "group_regex=([^\\.]*\\.)*\n"
    )


def run(area: str, extra: list[str], mimic_config: str | None = None, realtime: bool = True) -> int:
    template = (HERE / f"{area}.conf").read_text()
    profile, tested = PROFILE_AREAS.get(area, ("rackspace", area))
    mimic_args = ["--realtime"] if realtime else []
    mimic_args += ["--profile", profile]
    if mimic_config is None and tested in MIMIC_CONFIGS:
        mimic_config = str(MIMIC_CONFIGS[tested])
        if realtime:
            mimic_args += REALTIME_SETTINGS.get(tested, [])
    if mimic_config is not None:
        mimic_args += ["--config", mimic_config]
    with tempfile.TemporaryDirectory(prefix="mimic-tempest-") as workspace, MimicProcess(
        mimic_args
    ) as mimic:
        # No ``tempest init``: it registers every workspace in the user's
        # home, and ``tempest run`` needs only a configuration.
        base = Path(workspace)
        (base / "accounts.yaml").write_text(accounts(readers=tested in READER_AREAS, rackspace=profile == "rackspace"))
        config = base / "tempest.conf"
        config.write_text(template.format(mimic=mimic.url, etc=base, workspace=base))
        (base / ".stestr.conf").write_text(stestr_config())
        (base / "logs").mkdir()
        command = [
            "tempest",
            "run",
            "--regex",
            rf"^tempest\.api\.{tested}",
            "--concurrency",
            "4",
        ]
        excluded = HERE / f"exclude-{area}.txt"
        if not excluded.exists():
            excluded = HERE / f"exclude-{tested}.txt"
        if excluded.exists():
            command += ["--exclude-list", str(excluded)]
        print(f"tempest.api.{tested} against Mimic ({profile}) at {mimic.url} ({' '.join(mimic_args)})", flush=True)
        # Tempest finds its configuration through the environment (a
        # --config-file is read too late for test discovery).
        env = dict(os.environ, TEMPEST_CONFIG_DIR=str(base), TEMPEST_CONFIG=config.name)
        return subprocess.call(command + extra, cwd=base, env=env)


def main(argv: list[str]) -> int:
    mimic_config = next((a.partition("=")[2] for a in argv if a.startswith("--mimic-config=")), None)
    realtime = "--no-realtime" not in argv
    argv = [a for a in argv if not a.startswith("--mimic-config=") and a != "--no-realtime"]
    areas = [a for a in argv if not a.startswith("-")] or list(AREAS)
    extra = [a for a in argv if a.startswith("-")]
    unknown = sorted(set(areas) - set(AREAS))
    if unknown:
        print(f"no tempest configuration for {', '.join(unknown)}; known: {', '.join(AREAS)}")
        return 2
    return max(run(area, extra, mimic_config, realtime) for area in areas)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))
