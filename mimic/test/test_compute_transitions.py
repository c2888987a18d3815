# -*- test-case-name: mimic.test.test_compute_transitions -*-
"""
How long a server's transitions take is a setting each
(:mod:`mimic.services.compute.transitions`), as is a snapshot's
(``image.snapshot_seconds``): at zero each is done by the next request,
at a custom value a client sees the intermediate status until the clock
has moved that far; a condition keeps its own time; a time below zero
is refused naming the setting.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic import config
from mimic.core import declared_settings, discover_plugins
from mimic.services.compute.actions import DURATIONS
from mimic.services.compute.transitions import TRANSITIONS
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.settings import BadSetting, parse_settings
from mimic.testing import InMemoryMimic

FLAVOR = "general1-1"
OTHER_FLAVOR = "general1-2"
RESIZE = {"resize": {"flavorRef": OTHER_FLAVOR}}

#: For each timed action: the actions that bring a new server to where
#: it may be taken, its body, and the (status, task_state) a client sees
#: while it runs and after.
ACTION_CASES: dict[str, tuple[list[Any], Any, tuple[str, str | None], tuple[str, str | None]]] = {
    "reboot": ([], {"reboot": {"type": "SOFT"}}, ("REBOOT", "reboot_started"), ("ACTIVE", None)),
    "rebuild": ([], {"rebuild": {"imageRef": DEFAULT_IMAGE_ID}}, ("REBUILD", "rebuilding"), ("ACTIVE", None)),
    "resize": ([], RESIZE, ("RESIZE", "resize_prep"), ("VERIFY_RESIZE", None)),
    "confirmResize": ([RESIZE], {"confirmResize": None}, ("VERIFY_RESIZE", None), ("ACTIVE", None)),
    "revertResize": ([RESIZE], {"revertResize": None}, ("REVERT_RESIZE", "resize_reverting"), ("ACTIVE", None)),
    "os-stop": ([], {"os-stop": None}, ("ACTIVE", "powering-off"), ("SHUTOFF", None)),
    "os-start": ([{"os-stop": None}], {"os-start": None}, ("SHUTOFF", "powering-on"), ("ACTIVE", None)),
    "pause": ([], {"pause": None}, ("ACTIVE", "pausing"), ("PAUSED", None)),
    "unpause": ([{"pause": None}], {"unpause": None}, ("PAUSED", "unpausing"), ("ACTIVE", None)),
    "suspend": ([], {"suspend": None}, ("ACTIVE", "suspending"), ("SUSPENDED", None)),
    "resume": ([{"suspend": None}], {"resume": None}, ("SUSPENDED", "resuming"), ("ACTIVE", None)),
    "rescue": ([], {"rescue": None}, ("ACTIVE", "rescuing"), ("RESCUE", None)),
    "unrescue": ([{"rescue": None}], {"unrescue": None}, ("RESCUE", "unrescuing"), ("ACTIVE", None)),
    "changePassword": ([], {"changePassword": {"adminPass": "s3cret"}}, ("PASSWORD", "updating_password"),
                       ("ACTIVE", None)),
    "createImage": ([], {"createImage": {"name": "snap"}}, ("ACTIVE", "image_snapshot"), ("ACTIVE", None)),
    "createBackup": ([], {"createBackup": {"name": "nightly", "backup_type": "daily", "rotation": 1}},
                     ("ACTIVE", "image_backup"), ("ACTIVE", None)),
    "shelve": ([], {"shelve": None}, ("ACTIVE", "shelving"), ("SHELVED_OFFLOADED", None)),
    "unshelve": ([{"shelve": None}], {"unshelve": None}, ("SHELVED_OFFLOADED", "unshelving"), ("ACTIVE", None)),
}

#: Timed actions no case reaches: a shelved server is offloaded at once
#: (Nova's default shelved_offload_time of 0), so never SHELVED, the only
#: state shelveOffload acts on.
UNREACHED = {"shelveOffload"}

#: Every transition at zero, so that a case's preparation is done at once.
ALL_ZERO = {t.name: "0" for t in TRANSITIONS}


class ComputeClient:
    """
    One tenant's compute in ORD on an in-memory Mimic with ``settings``.
    """

    def __init__(self, test: SynchronousTestCase, settings: dict[str, str]) -> None:
        self.test = test
        self.mimic = InMemoryMimic(settings=settings)
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", "ORD")

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return self.mimic.request(method, self.url + path, body, token=self.access.token)

    def create(self, **extra: Any) -> str:
        server = {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR, **extra}
        response = self.call("POST", "/servers", {"server": server})
        self.test.assertEqual(response.code, 202, response.body)
        return str(response.json()["server"]["id"])

    def action(self, server_id: str, body: Any) -> Any:
        response = self.call("POST", f"/servers/{server_id}/action", body)
        self.test.assertIn(response.code, (200, 202, 204), response.body)
        return response

    def seen(self, server_id: str) -> tuple[str, str | None]:
        server = self.call("GET", f"/servers/{server_id}").json()["server"]
        return server["status"], server["OS-EXT-STS:task_state"]


class SettingsTests(SynchronousTestCase):
    def test_every_timed_action_has_a_setting(self) -> None:
        """
        Each action that takes time has its setting; the defaults are
        the actions' (resize and stop prompt, as clients expect).
        """
        keys = {t.key for t in TRANSITIONS}
        self.assertEqual(set(DURATIONS) - keys, set())
        self.assertEqual(set(ACTION_CASES) | UNREACHED | {"build", "delete"}, keys)
        defaults = parse_settings({}, declared_settings(discover_plugins()))
        self.assertEqual(defaults["compute.resize_seconds"], 0.0)
        self.assertEqual(defaults["compute.stop_seconds"], 0.0)
        self.assertEqual(defaults["compute.reboot_seconds"], 5.0)
        self.assertEqual(defaults["image.snapshot_seconds"], 30.0)
        self.assertEqual(defaults["loadbalancer.update_seconds"], 0.0)

    def test_below_zero_or_not_a_number_is_refused_naming_the_setting(self) -> None:
        declared = declared_settings(discover_plugins())
        for name, bad in (("compute.reboot_seconds", "-1"), ("image.snapshot_seconds", "soon"),
                          ("compute.build_seconds", "nan"), ("loadbalancer.build_seconds", "-0.5")):
            error = self.assertRaises(BadSetting, parse_settings, {name: bad}, declared)
            self.assertIn(name, str(error))
        self.assertEqual(parse_settings({"compute.reboot_seconds": "0"}, declared)["compute.reboot_seconds"], 0.0)
        self.assertEqual(parse_settings({"compute.reboot_seconds": "2.5"}, declared)["compute.reboot_seconds"], 2.5)

    def test_the_configuration_file_sets_them_in_each_services_table(self) -> None:
        plugins = discover_plugins()
        declared = declared_settings(plugins)
        text = (
            "[compute]\nreboot_seconds = 0\nresize_seconds = 1.5\n"
            "[image]\nsnapshot_seconds = 0\n"
            "[loadbalancer]\nupdate_seconds = 3\n"
            "[blockstorage]\ncreate_seconds = 0\n"
        )
        checked = config.check(config.parse_text(text), plugins, declared)
        self.assertEqual(
            parse_settings(checked.settings, declared)["compute.resize_seconds"], 1.5
        )
        self.assertEqual(checked.settings["loadbalancer.update_seconds"], "3")

    def test_a_time_below_zero_in_the_file_is_one_line_naming_key_and_line(self) -> None:
        plugins = discover_plugins()
        text = "[compute]\nreboot_seconds = 0\npause_seconds = -2\n"
        error = self.assertRaises(
            config.ConfigError, config.check, config.parse_text(text, "m.toml"), plugins, declared_settings(plugins)
        )
        self.assertEqual(
            str(error), "m.toml, line 3: compute.pause_seconds: a time cannot be below zero, not -2"
        )


class RealtimeClientsExampleTests(SynchronousTestCase):
    def test_the_docs_ready_file_sets_every_transition_to_zero(self) -> None:
        """
        ``docs/examples/realtime-clients.toml`` (which the docs offer and
        fidelity/tempest.py runs compute's tests with) is a valid file
        naming every ``*_seconds`` setting the plugins declare, each 0.
        """
        import mimic

        checkout = os.environ.get("MIMIC_CHECKOUT") or os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
        path = os.path.join(checkout, "docs", "examples", "realtime-clients.toml")
        if not os.path.exists(path):
            raise SkipTest(f"no checkout with the docs here ({path})")
        plugins = discover_plugins()
        declared = declared_settings(plugins)
        checked = config.check(config.read_file(path), plugins, declared)
        timed = sorted(s.name for s in declared if s.name.endswith("_seconds"))
        self.assertEqual(sorted(checked.settings), timed)
        self.assertEqual({float(v) for v in checked.settings.values()}, {0.0})


def _action_tests(action: str) -> tuple[Callable[[SynchronousTestCase], None], Callable[[SynchronousTestCase], None]]:
    preparation, body, during, after = ACTION_CASES[action]
    setting = next(t.name for t in TRANSITIONS if t.key == action)

    def at_zero(self: SynchronousTestCase) -> None:
        client = ComputeClient(self, ALL_ZERO)
        server_id = client.create()
        for step in preparation:
            client.action(server_id, step)
        client.action(server_id, body)
        self.assertEqual(client.seen(server_id), after)

    def at_a_custom_time(self: SynchronousTestCase) -> None:
        client = ComputeClient(self, {**ALL_ZERO, setting: "7"})
        server_id = client.create()
        for step in preparation:
            client.action(server_id, step)
        client.action(server_id, body)
        self.assertEqual(client.seen(server_id), during)
        client.mimic.tick(6.5)
        self.assertEqual(client.seen(server_id), during)
        client.mimic.tick(0.5)
        self.assertEqual(client.seen(server_id), after)

    at_zero.__doc__ = f"{action} at zero seconds is done by the next request."
    at_a_custom_time.__doc__ = f"{action} takes the seconds {setting} gives."
    return at_zero, at_a_custom_time


class ActionTransitionTests(SynchronousTestCase):
    """
    Each action at zero and at seven seconds (one test each, generated
    from :data:`ACTION_CASES`).
    """


for _action in ACTION_CASES:
    _zero, _custom = _action_tests(_action)
    _name = _action.replace("-", "_")
    setattr(ActionTransitionTests, f"test_{_name}_at_zero", _zero)
    setattr(ActionTransitionTests, f"test_{_name}_at_a_custom_time", _custom)


class BuildDeleteAndSnapshotTests(SynchronousTestCase):
    def test_build_is_at_once_by_default_and_takes_build_seconds(self) -> None:
        client = ComputeClient(self, {})
        self.assertEqual(client.seen(client.create()), ("ACTIVE", None))
        client = ComputeClient(self, {"compute.build_seconds": "4"})
        server_id = client.create()
        self.assertEqual(client.seen(server_id), ("BUILD", "spawning"))
        client.mimic.tick(4)
        self.assertEqual(client.seen(server_id), ("ACTIVE", None))

    def test_a_condition_keeps_its_own_build_time(self) -> None:
        client = ComputeClient(self, {"compute.build_seconds": "4"})
        server_id = client.create(metadata={"server_building": "20"})
        client.mimic.tick(4)
        self.assertEqual(client.seen(server_id), ("BUILD", "spawning"))
        client.mimic.tick(16)
        self.assertEqual(client.seen(server_id), ("ACTIVE", None))

    def test_delete_is_at_once_by_default_and_takes_delete_seconds(self) -> None:
        client = ComputeClient(self, {})
        server_id = client.create()
        self.assertEqual(client.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual(client.call("GET", f"/servers/{server_id}").code, 404)
        client = ComputeClient(self, {"compute.delete_seconds": "3"})
        server_id = client.create()
        self.assertEqual(client.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual(client.seen(server_id), ("ACTIVE", "deleting"))
        client.mimic.tick(3)
        self.assertEqual(client.call("GET", f"/servers/{server_id}").code, 404)

    def test_an_action_that_a_condition_fails_still_ends_in_error_at_zero(self) -> None:
        client = ComputeClient(self, ALL_ZERO)
        server_id = client.create()
        registered = client.mimic.request(
            "POST", "/mimic/v1.1/compute/behaviors/server.action",
            {"name": "error", "criteria": [{"action": "^pause$"}]},
        )
        self.assertEqual(registered.code, 201, registered.body)
        client.action(server_id, {"pause": None})
        self.assertEqual(client.seen(server_id), ("ERROR", None))

    def test_a_second_confirm_during_a_slow_confirm_is_refused(self) -> None:
        client = ComputeClient(self, {**ALL_ZERO, "compute.confirm_resize_seconds": "5"})
        server_id = client.create()
        client.action(server_id, RESIZE)
        client.action(server_id, {"confirmResize": None})
        again = client.call("POST", f"/servers/{server_id}/action", {"confirmResize": None})
        self.assertEqual(again.code, 400)
        client.mimic.tick(5)
        server = client.call("GET", f"/servers/{server_id}").json()["server"]
        self.assertEqual((server["status"], server["flavor"]["id"]), ("ACTIVE", OTHER_FLAVOR))

    def test_a_slow_confirm_is_kept_by_a_snapshot(self) -> None:
        """
        A confirm still under way is saved with the state and, restored,
        ends as it would have.
        """
        client = ComputeClient(self, {**ALL_ZERO, "compute.confirm_resize_seconds": "5"})
        server_id = client.create()
        client.action(server_id, RESIZE)
        client.action(server_id, {"confirmResize": None})
        saved = client.mimic.request("POST", "/mimic/v1.1/snapshots", {"name": "confirming"})
        self.assertEqual(saved.code, 201, saved.body)
        client.mimic.tick(5)
        self.assertEqual(client.seen(server_id), ("ACTIVE", None))
        restored = client.mimic.request("POST", "/mimic/v1.1/snapshots/confirming/restore")
        self.assertEqual(restored.code, 200, restored.body)
        self.assertEqual(client.seen(server_id), ("VERIFY_RESIZE", None))
        client.mimic.tick(5)
        server = client.call("GET", f"/servers/{server_id}").json()["server"]
        self.assertEqual((server["status"], server["flavor"]["id"]), ("ACTIVE", OTHER_FLAVOR))

    def _snapshot_status(self, settings: dict[str, str], wait: float) -> tuple[str, str]:
        client = ComputeClient(self, settings)
        server_id = client.create()
        created = client.call("POST", f"/servers/{server_id}/action", {"createImage": {"name": "snap"}})
        image_url = created.header("location")
        before = client.call("GET", image_url[image_url.index("/images/"):]).json()["image"]["status"]
        client.mimic.tick(wait)
        after = client.call("GET", image_url[image_url.index("/images/"):]).json()["image"]["status"]
        return before, after

    def test_a_snapshot_takes_image_snapshot_seconds(self) -> None:
        self.assertEqual(self._snapshot_status({"image.snapshot_seconds": "0"}, 0), ("ACTIVE", "ACTIVE"))
        self.assertEqual(self._snapshot_status({"image.snapshot_seconds": "6"}, 6), ("SAVING", "ACTIVE"))
