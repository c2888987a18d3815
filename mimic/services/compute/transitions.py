# -*- test-case-name: mimic.test.test_compute_transitions -*-
"""
How long each of a server's state transitions takes: one setting per
transition (``compute.reboot_seconds`` ...), given with ``twistd mimic
--set`` or in the configuration file's ``[compute]`` table, shown at
``GET /mimic/v1.1/config``.

The defaults suit tests that move Mimic's clock themselves (``POST
/mimic/v1.1/tick``): a reboot shows ``REBOOT`` until the test ticks, so
it can see the intermediate status.  A client that polls in real time
and cannot tick (tempest, ``openstack ... --wait``, libcloud) waits
forever for a transition that takes time on a clock that stands still:
for those, set every transition to zero (each is then done by the next
request), or run with ``--realtime`` so that the seconds pass by
themselves.  A resize reaches ``VERIFY_RESIZE`` and a stop ``SHUTOFF``
at once by default, as the old mimic's resize did, since clients wait on
those more than on any other.

A known error condition (a slow build, a delete that lingers, an action
that ends in ERROR) says how long its own transition takes, whatever
these settings say.
"""

from __future__ import annotations

from typing import Any, Mapping

from attrs import frozen

from mimic.services.compute.actions import DURATIONS
from mimic.services.compute.failures import SERVICE
from mimic.settings import Setting, duration


@frozen
class TimedTransition:
    """
    One transition whose duration is a setting: what it is called in
    the model (an action's name in the request body, or ``build`` and
    ``delete``), its setting and what a client sees meanwhile.
    """

    key: str
    setting: str
    default: float
    meanwhile: str

    @property
    def name(self) -> str:
        return f"{SERVICE}.{self.setting}"

    def declaration(self) -> Setting:
        return Setting(
            self.name,
            f"Seconds {self.meanwhile} on Mimic's clock (0: done by the next request).",
            self.default,
            duration,
        )


def _action(action: str, setting: str, meanwhile: str) -> TimedTransition:
    """
    A server action's transition, its default the action's in
    :data:`~mimic.services.compute.actions.DURATIONS`.
    """
    return TimedTransition(action, setting, DURATIONS[action], meanwhile)


#: Every timed transition of a server.
TRANSITIONS = (
    TimedTransition("build", "build_seconds", 0.0, "a new server stays BUILD before it is ACTIVE"),
    TimedTransition(
        "delete", "delete_seconds", 0.0, "a deleted server stays visible (task_state deleting) before it is gone"
    ),
    _action("reboot", "reboot_seconds", "a rebooted server shows REBOOT (or HARD_REBOOT)"),
    _action("rebuild", "rebuild_seconds", "a rebuilt server shows REBUILD"),
    _action("resize", "resize_seconds", "a resized server shows RESIZE before VERIFY_RESIZE"),
    _action(
        "confirmResize", "confirm_resize_seconds",
        "a confirmed resize stays VERIFY_RESIZE before the server is ACTIVE (or SHUTOFF) again",
    ),
    _action("revertResize", "revert_resize_seconds", "a reverted resize shows REVERT_RESIZE"),
    _action("os-stop", "stop_seconds", "a stopped server stays ACTIVE (task_state powering-off) before SHUTOFF"),
    _action("os-start", "start_seconds", "a started server stays SHUTOFF (task_state powering-on) before ACTIVE"),
    _action("pause", "pause_seconds", "a paused server stays ACTIVE (task_state pausing) before PAUSED"),
    _action("unpause", "unpause_seconds", "an unpaused server stays PAUSED (task_state unpausing) before ACTIVE"),
    _action("suspend", "suspend_seconds", "a suspended server stays ACTIVE (task_state suspending) before SUSPENDED"),
    _action("resume", "resume_seconds", "a resumed server stays SUSPENDED (task_state resuming) before ACTIVE"),
    _action("rescue", "rescue_seconds", "a rescued server stays ACTIVE (task_state rescuing) before RESCUE"),
    _action("unrescue", "unrescue_seconds", "an unrescued server stays RESCUE (task_state unrescuing) before ACTIVE"),
    _action("changePassword", "change_password_seconds", "a server whose password is changed shows PASSWORD"),
    _action(
        "createImage", "create_image_seconds",
        "a server being snapshotted keeps task_state image_snapshot (the image's own time is image.snapshot_seconds)",
    ),
    _action("createBackup", "create_backup_seconds", "a server being backed up keeps task_state image_backup"),
    _action("shelve", "shelve_seconds", "a shelved server stays ACTIVE (task_state shelving) before SHELVED_OFFLOADED"),
    _action(
        "shelveOffload", "shelve_offload_seconds",
        "a shelved server stays SHELVED (task_state shelving_offloading) before SHELVED_OFFLOADED",
    ),
    _action("unshelve", "unshelve_seconds", "an unshelved server stays SHELVED_OFFLOADED (task_state unshelving) before ACTIVE"),
)


def settings() -> list[Setting]:
    """
    The declarations of every transition's setting, for the plugin.
    """
    return [transition.declaration() for transition in TRANSITIONS]


def durations_from(values: Mapping[str, Any]) -> dict[str, float]:
    """
    Each transition's seconds (by its key: ``reboot``, ``build`` ...),
    from parsed settings; a setting not there (a core made without the
    compute plugin's declarations) keeps its default.
    """
    return {t.key: float(values.get(t.name, t.default)) for t in TRANSITIONS}
