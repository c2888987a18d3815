# -*- test-case-name: mimic.test.test_pytest_plugin -*-
"""
The pytest fixtures, used as a user's suite would use them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from twisted.trial.unittest import SynchronousTestCase

#: Options are read before test modules are: the plugin is named where
#: pytest looks first, a conftest.py.
CONFTEST = 'pytest_plugins = ["mimic.pytest_plugin"]\n'


#: What the plugin reads from the environment: the suites run here say
#: what they want themselves.
PLUGIN_VARIABLES = ("MIMIC_URL", "MIMIC_PROFILE", "MIMIC_CONFIG")


def run_suite(
    test_case: SynchronousTestCase, files: dict[str, str], *args: str
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """
    Run pytest, with ``args``, over a new directory holding ``files`` (a
    ``conftest.py`` naming the plugin among them, when options are to
    reach it: they are read before test modules are); the directory and
    the run.
    """
    directory = os.path.abspath(test_case.mktemp())
    os.makedirs(directory)
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    env = {k: v for k, v in os.environ.items() if k not in PLUGIN_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, directory],
        capture_output=True,
        text=True,
        cwd=directory,
        env=env,
    )
    return directory, result

USERS_SUITE = textwrap.dedent(
    """
    import json
    import urllib.request

    pytest_plugins = ["mimic.pytest_plugin"]

    def test_real_process(mimic_process):
        body = json.dumps({"auth": {"passwordCredentials": {"username": "u", "password": "p"}}})
        request = urllib.request.Request(
            mimic_process.url + "/identity/v2.0/tokens", data=body.encode(), method="POST"
        )
        access = json.load(urllib.request.urlopen(request))["access"]
        assert access["token"]["id"]

    def test_in_memory(in_memory_mimic):
        access = in_memory_mimic.authenticate("alice")
        response = in_memory_mimic.request("GET", "/identity/v2.0/tenants", token=access.token)
        assert response.json()["tenants"][0]["id"] == access.tenant_id
    """
)


class PytestPluginTests(SynchronousTestCase):
    def test_fixtures_serve_a_users_suite(self) -> None:
        _, result = run_suite(self, {"test_users_suite.py": USERS_SUITE})
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("2 passed", result.stdout)


PROFILE_SUITE = textwrap.dedent(
    """
    def test_in_memory_openstack(in_memory_mimic, mimic_profile):
        assert mimic_profile == "openstack"
        access = in_memory_mimic.authenticate("alice")
        assert access.endpoint("compute") == "http://mimic.test/compute/v2.1"
    """
)


class PytestPluginProfileTests(SynchronousTestCase):
    def test_profile_option_reaches_the_fixtures(self) -> None:
        files = {"conftest.py": CONFTEST, "test_profile_suite.py": PROFILE_SUITE}
        _, result = run_suite(self, files, "--mimic-profile", "openstack")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("1 passed", result.stdout)


CONFIG_SUITE = textwrap.dedent(
    """
    def test_in_memory_from_the_file(in_memory_mimic, mimic_profile):
        assert mimic_profile == "openstack"
        access = in_memory_mimic.authenticate("alice")
        url = access.endpoint("compute", "RegionTwo") + "/flavors"
        flavors = in_memory_mimic.request("GET", url, token=access.token).json()["flavors"]
        assert [f["name"] for f in flavors] == ["only"]

    def test_process_from_the_file(mimic_process):
        import json, urllib.request
        with urllib.request.urlopen(mimic_process.url + "/mimic/v1.1/config") as response:
            config = json.load(response)["config"]
        assert config["regions"]["value"] == ["RegionOne", "RegionTwo"]
    """
)

CLOUD_FILE = """\
profile = "openstack"
regions = ["RegionOne", "RegionTwo"]
[[flavors]]
name = "only"
ram = 256
vcpus = 1
disk = 1
"""


class PytestPluginConfigTests(SynchronousTestCase):
    def test_config_option_reaches_the_fixtures(self) -> None:
        files = {"conftest.py": CONFTEST, "test_config_suite.py": CONFIG_SUITE, "cloud.toml": CLOUD_FILE}
        _, result = run_suite(self, files, "--mimic-config", "cloud.toml")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("2 passed", result.stdout)



SESSION_SUITE = textwrap.dedent(
    """
    import json
    import urllib.error
    import urllib.request

    import pytest


    @pytest.fixture(scope="session")
    def base(mimic_control):
        mimic_control.fail("identity.auth", parameters={"code": 503}, criteria=[{"username": "^base$"}])
        mimic_control.save_snapshot("base")


    def test_control_fail_and_tick(mimic_control, mimic_url):
        registered = mimic_control.fail("compute.server.create", "build", parameters={"seconds": 5}, times=1)
        assert registered["name"] == "build"
        mimic_control.tick(5)
        mimic_control.call("DELETE", "/behaviors")


    @pytest.mark.mimic_snapshot("base", setup="base")
    def test_marker_restores_the_snapshot(mimic_control):
        assert [b["criteria"] for b in mimic_control.call("GET", "/behaviors")["behaviors"]] == [
            [{"username": "^base$"}]
        ]
        mimic_control.call("DELETE", "/behaviors")


    @pytest.mark.mimic_snapshot("base", setup="base")
    def test_marker_restores_again_and_the_journal_counts(mimic_control, mimic_url):
        assert len(mimic_control.call("GET", "/behaviors")["behaviors"]) == 1
        mimic_control.clear_requests()
        body = json.dumps({"auth": {"passwordCredentials": {"username": "base", "password": "p"}}})
        request = urllib.request.Request(mimic_url + "/identity/v2.0/tokens", data=body.encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request)
        mimic_control.assert_requested("POST", "/tokens$", times=1, status="503")
        with pytest.raises(AssertionError, match="Mimic recorded 1"):
            mimic_control.assert_requested("POST", "/tokens$", times=2)
    """
)


class SessionFixtureTests(SynchronousTestCase):
    def test_session_mimic_snapshot_marker_and_coverage_report(self) -> None:
        """
        One Mimic for the session, the snapshot marker, the journal
        assertion, and ``--mimic-coverage`` writing the report at the end.
        """
        files = {"test_session_suite.py": SESSION_SUITE, "conftest.py": CONFTEST}
        directory, result = run_suite(self, files, "--mimic-coverage=coverage.json")
        report = os.path.join(directory, "coverage.json")
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("3 passed", result.stdout)
        self.assertIn("Mimic fault coverage (written to coverage.json):", result.stdout)
        with open(report) as f:
            rows = json.load(f)["coverage"]
        build = [r for r in rows if (r["service"], r["event"], r["condition"]) == ("compute", "server.create", "build")]
        self.assertEqual(build[0]["registered"], 1)
