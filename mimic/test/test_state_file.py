# -*- test-case-name: mimic.test.test_state_file -*-
"""
``twistd mimic --state-file``: the state read at start (a file that
cannot be used stops the start with one line), written atomically when
Mimic stops, and, through a real ``twistd`` and real clients, a user and
a load balancer that outlive a restart.
"""

from __future__ import annotations

import json
import os
from typing import Any

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from mimic import snapshots, state_file, tap
from mimic.testing import InMemoryMimic, MimicProcess


class StateFileTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.directory = self.mktemp()
        os.makedirs(self.directory)
        self.path = os.path.join(self.directory, "state.json")

    def write(self, data: bytes) -> None:
        with open(self.path, "wb") as f:
            f.write(data)

    def test_no_file_yet_is_a_first_start(self) -> None:
        self.assertIsNone(state_file.read_state(self.path))
        options = tap.Options()
        options.parseOptions(["--state-file", self.path])
        self.assertIsNone(options["state"])

    def test_a_saved_core_is_read_back(self) -> None:
        mimic = InMemoryMimic(plugins=[])
        mimic.authenticate("alice")
        state_file.save_core(mimic.core, self.path)
        saved = state_file.read_state(self.path)
        assert saved is not None
        self.assertEqual(saved, snapshots.save(mimic.core))
        self.assertEqual(os.listdir(self.directory), ["state.json"])

    def test_writing_replaces_the_file_whole(self) -> None:
        self.write(b"old")
        state_file.write_state(self.path, b"new")
        with open(self.path, "rb") as f:
            self.assertEqual(f.read(), b"new")
        self.assertEqual(os.listdir(self.directory), ["state.json"])

    def test_a_failed_write_leaves_the_old_file_and_no_temporary(self) -> None:
        self.write(b"old")

        self.assertRaises(TypeError, state_file.write_state, self.path, object())  # type: ignore[arg-type]
        with open(self.path, "rb") as f:
            self.assertEqual(f.read(), b"old")
        self.assertEqual(os.listdir(self.directory), ["state.json"])

    def refused(self, words: str) -> None:
        options = tap.Options()
        with self.assertRaises(usage.UsageError) as caught:
            options.parseOptions(["--state-file", self.path])
        message = str(caught.exception)
        self.assertIn(words, message)
        self.assertNotIn("\n", message)

    def test_unusable_files_stop_the_start_with_one_line(self) -> None:
        self.write(b"not json")
        self.refused("not valid JSON")
        self.write(json.dumps({"format": "mimic-state", "version": 99}).encode())
        self.refused("newer than this Mimic reads")
        saved = snapshots.save(InMemoryMimic(plugins=[]).core)
        saved["sessions"]["tokens"] = [{"user": "nobody"}]
        self.write(snapshots.encode(saved))
        self.refused("unknown user")
        os.chmod(self.path, 0)
        if not os.access(self.path, os.R_OK):  # root reads anything
            self.refused("cannot read")

    def test_a_file_that_could_not_be_written_stops_the_start(self) -> None:
        self.path = os.path.join(self.directory, "missing", "state.json")
        self.refused("does not exist")
        self.path = self.directory
        self.refused("is a directory")


class RestartTests(SynchronousTestCase):
    """
    A real Mimic, stopped with SIGTERM and started again on the same
    state file, still has the user an administrator made through
    openstacksdk and the load balancer apache-libcloud made; tokens it
    issued still work.
    """

    def test_a_user_and_a_balancer_outlive_a_restart(self) -> None:
        from keystoneauth1 import session as ks_session
        from keystoneauth1.identity import v3
        from libcloud.loadbalancer.base import Member
        from libcloud.loadbalancer.providers import get_driver
        from libcloud.loadbalancer.types import Provider

        path = os.path.abspath(self.mktemp())

        def start() -> tuple[MimicProcess, str]:
            process = MimicProcess(["--state-file", path])
            url = process.start()
            self.addCleanup(process.stop)
            return process, url

        def login(url: str, name: str, password: str, project: dict[str, Any]) -> Any:
            auth = v3.Password(
                auth_url=f"{url}/identity/v3", username=name, password=password,
                user_domain_name="Default", **project,
            )
            return ks_session.Session(auth=auth)

        def driver(url: str) -> Any:
            return get_driver(Provider.RACKSPACE)(
                "keeper", "api-key", region="ord",
                ex_force_auth_url=f"{url}/identity", ex_force_auth_version="2.0_apikey",
            )

        process, url = start()
        admin = login(url, "admin", "password", {"project_name": "admin", "project_domain_name": "Default"})
        identity = f"{url}/identity/v3"
        project = admin.post(f"{identity}/projects", json={"project": {"name": "kept"}}).json()["project"]
        user = admin.post(
            f"{identity}/users",
            json={"user": {"name": "kept-user", "password": "kept-pw", "default_project_id": project["id"]}},
        ).json()["user"]
        member = admin.get(f"{identity}/roles?name=member").json()["roles"][0]
        admin.put(f"{identity}/projects/{project['id']}/users/{user['id']}/roles/{member['id']}")
        admin_token = admin.get_token()
        balancer = driver(url).create_balancer(
            name="kept-balancer", members=[Member(None, "10.0.0.1", 80)], protocol="http", port=80
        )
        process.stop()
        self.assertIn("saved its state", "".join(process.output))

        process, url = start()
        identity = f"{url}/identity/v3"
        # The administrator's token from before the restart still works.
        users = ks_session.Session().get(
            f"{identity}/users?name=kept-user", headers={"X-Auth-Token": admin_token}
        )
        self.assertEqual([u["id"] for u in users.json()["users"]], [user["id"]])
        kept = login(url, "kept-user", "kept-pw", {"project_id": project["id"]})
        self.assertEqual(kept.get_project_id(), project["id"])
        [found] = driver(url).list_balancers()
        self.assertEqual((found.id, found.name), (balancer.id, "kept-balancer"))
