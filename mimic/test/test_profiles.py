# -*- test-case-name: mimic.test.test_profiles -*-
"""
Cloud profiles: each profile's catalog, where a plugin goes in it, the
URLs services hand out, identity's versions and roles, and how
``twistd mimic`` chooses a profile.
"""

from __future__ import annotations

from typing import Any

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase
from zope.interface import implementer

from mimic import tap
from mimic.interfaces import IProfileMember
from mimic.profiles import OPENSTACK, PROFILES, RACKSPACE, Profile, ServiceLayout
from mimic.test.dummy import CounterMock
from mimic.testing import InMemoryMimic

#: What DevStack's catalog lists, on one host (Swift under /object-store).
DEVSTACK = {
    ("block-storage", "cinder"): "http://mimic.test/volume/v3/{p}",
    ("volumev3", "cinderv3"): "http://mimic.test/volume/v3/{p}",
    ("compute", "nova"): "http://mimic.test/compute/v2.1",
    ("image", "glance"): "http://mimic.test/image",
    ("network", "neutron"): "http://mimic.test/networking",
    ("object-store", "swift"): "http://mimic.test/object-store/v1/AUTH_{p}",
    ("identity", "keystone"): "http://mimic.test/identity",
}


def v3_token(mimic: InMemoryMimic, username: str = "alice") -> tuple[str, dict[str, Any]]:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": username, "domain": {"id": "default"}, "password": "x"}},
            },
            "scope": {"project": {"name": f"{username}-project", "domain": {"id": "default"}}},
        }
    }
    response = mimic.request("POST", "/identity/v3/auth/tokens", body)
    assert response.code == 201, response
    return response.header("x-subject-token") or "", response.json()["token"]


def public_urls(token: dict[str, Any]) -> dict[tuple[str, str], list[tuple[str, str]]]:
    return {
        (entry["type"], entry["name"]): [
            (e["region"], e["url"]) for e in entry["endpoints"] if e["interface"] == "public"
        ]
        for entry in token["catalog"]
    }


@implementer(IProfileMember)
class MountedCounter(CounterMock):
    """
    A third-party plugin that lays itself out under ``openstack`` and
    keeps its own entries under ``rackspace``.
    """

    profiles = ("rackspace", "openstack")

    def layout(self, profile: Profile) -> ServiceLayout | None:
        if profile.name != "openstack":
            return None
        return ServiceLayout("counter", "counting", (("counter", "tally"),), "v1/{tenant_id}", tenant_segment=1)


@implementer(IProfileMember)
class RackspaceOnlyCounter(CounterMock):
    profiles = ("rackspace",)

    def layout(self, profile: Profile) -> None:
        return None


class ProfileDataTests(SynchronousTestCase):
    def test_profiles_by_name_with_rackspace_the_default(self) -> None:
        self.assertEqual(list(PROFILES), ["rackspace", "openstack"])
        self.assertEqual(RACKSPACE.layouts, ())
        self.assertEqual(OPENSTACK.regions, ("RegionOne",))
        self.assertEqual(OPENSTACK.identity_versions, ("v3",))

    def test_every_builtin_service_has_one_mount(self) -> None:
        mounts = [layout.mount for layout in OPENSTACK.layouts]
        self.assertEqual(len(mounts), len(set(mounts)))
        self.assertEqual(
            {layout.service for layout in OPENSTACK.layouts},
            {"compute", "image", "network", "blockstorage", "objectstorage"},
        )

    def test_endpoint_paths(self) -> None:
        self.assertEqual(OPENSTACK.layout_of("compute").endpoint_path("p"), "compute/v2.1")  # type: ignore[union-attr]
        self.assertEqual(OPENSTACK.layout_of("image").endpoint_path("p"), "image")  # type: ignore[union-attr]
        self.assertEqual(OPENSTACK.layout_of("blockstorage").endpoint_path("p"), "volume/v3/p")  # type: ignore[union-attr]
        self.assertIsNone(OPENSTACK.layout_of("loadbalancer"))


class OpenStackCatalogTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(profile="openstack")
        self.token, self.body = v3_token(self.mimic)
        self.project = self.body["project"]["id"]

    def test_catalog_is_devstacks(self) -> None:
        expected = {
            key: [("RegionOne", url.format(p=self.project))] for key, url in DEVSTACK.items()
        }
        self.assertEqual(public_urls(self.body), expected)

    def test_rackspace_only_plugins_are_left_out(self) -> None:
        self.assertNotIn("loadbalancer", self.mimic.core.plugins)
        self.assertNotIn("compute-control", self.mimic.core.plugins)
        response = self.mimic.request("GET", "/service/loadbalancer/ORD/x/v1.0/x/loadbalancers")
        self.assertEqual(response.code, 404)

    def test_token_has_keystones_roles_and_no_rackspace_attributes(self) -> None:
        self.assertEqual(sorted(r["name"] for r in self.body["roles"]), ["member", "reader"])
        self.assertFalse([key for key in self.body if key.startswith("RAX-AUTH")])

    def test_identity_offers_v3_only(self) -> None:
        response = self.mimic.request("GET", "/identity/")
        self.assertEqual(response.code, 300)
        self.assertEqual([v["id"] for v in response.json()["versions"]["values"]], ["v3.14"])
        response = self.mimic.request(
            "POST", "/identity/v2.0/tokens", {"auth": {"passwordCredentials": {"username": "a", "password": "b"}}}
        )
        self.assertEqual(response.code, 404)

    def test_in_memory_authenticate_speaks_v3(self) -> None:
        access = self.mimic.authenticate("bob")
        self.assertEqual(access.tenant_id, "bob-project")
        self.assertEqual(access.endpoint("compute"), "http://mimic.test/compute/v2.1")

    def test_service_url_is_the_mount(self) -> None:
        request: Any = type("R", (), {})()
        core = self.mimic.core
        from unittest import mock

        with mock.patch("mimic.core.base_url", return_value="http://h"):
            self.assertEqual(core.service_url(request, "compute", "RegionOne", "p"), "http://h/compute")
            self.assertEqual(core.service_url(request, "compute", "ORD", "p"), "http://h/service/compute/ORD/p")

    def test_clouds_yaml_and_environment_name_regionone(self) -> None:
        text = self.mimic.request("GET", "/mimic/v1.1/clouds.yaml").body.decode()
        self.assertIn('region_name: "RegionOne"', text)
        self.assertIn("identity_api_version: 3", text)
        env = self.mimic.request("GET", "/mimic/v1.1/clouds.yaml?format=env").body.decode()
        self.assertIn("export OS_REGION_NAME=RegionOne\n", env)
        self.assertIn("export OS_PROJECT_DOMAIN_NAME=Default\n", env)
        self.assertIn("export OS_INTERFACE=public\n", env)

    def test_config_shows_the_profile(self) -> None:
        config = self.mimic.request("GET", "/mimic/v1.1/config").json()["config"]
        self.assertEqual(config["profile"], {"value": "openstack", "source": "given"})


class RackspaceCatalogTests(SynchronousTestCase):
    def test_catalog_unchanged(self) -> None:
        mimic = InMemoryMimic()
        _, body = v3_token(mimic)
        names = {(entry["type"], entry["name"]) for entry in body["catalog"]}
        self.assertIn(("compute", "cloudServersOpenStack"), names)
        self.assertIn(("rax:load-balancer", "cloudLoadBalancers"), names)
        self.assertIn(("identity:user-admin"), [r["name"] for r in body["roles"]])
        self.assertEqual(mimic.core.mounts(), [])
        self.assertEqual(mimic.request("GET", "/compute/").code, 404)
        versions = mimic.request("GET", "/identity/").json()["versions"]["values"]
        self.assertEqual([v["id"] for v in versions], ["v3.14", "v2.0"])


class PluginContributionTests(SynchronousTestCase):
    def test_undeclared_plugin_keeps_its_own_entries_in_openstack(self) -> None:
        mimic = InMemoryMimic(plugins=[CounterMock()], profile="openstack")
        _, body = v3_token(mimic)
        urls = public_urls(body)
        self.assertEqual(
            urls[("counter", "cloudCounter")],
            [
                ("ORD", "http://mimic.test/service/counter/ORD/alice-project/v1/alice-project"),
                ("LON", "http://mimic.test/service/counter/LON/alice-project/v1/alice-project"),
            ],
        )

    def test_plugin_lays_itself_out(self) -> None:
        mimic = InMemoryMimic(plugins=[MountedCounter()], profile="openstack")
        token, body = v3_token(mimic)
        self.assertEqual(
            public_urls(body)[("counter", "tally")],
            [("RegionOne", "http://mimic.test/counting/v1/alice-project")],
        )
        response = mimic.request("POST", "/counting/v1/hits", token=token)
        self.assertEqual(response.json(), {"hits": 1, "region": "RegionOne", "tenant": "alice-project"})
        # Under rackspace it keeps its own entries.
        self.assertEqual(InMemoryMimic(plugins=[MountedCounter()]).core.mounts(), [])

    def test_plugin_names_its_profiles(self) -> None:
        self.assertEqual(list(InMemoryMimic(plugins=[RackspaceOnlyCounter()], profile="openstack").core.plugins), [])
        self.assertEqual(list(InMemoryMimic(plugins=[RackspaceOnlyCounter()]).core.plugins), ["counter"])


class ChoosingTests(SynchronousTestCase):
    def write(self, text: str) -> str:
        path = self.mktemp()
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_command_line_option(self) -> None:
        options = tap.Options()
        options.parseOptions(["--profile", "openstack"])
        self.assertEqual(options.startup.profile, "openstack")
        self.assertNotIn("loadbalancer", [p.name for p in options["plugins"]])
        service: Any = tap.makeService(options)
        self.assertEqual(service.site.resource.core.profile, OPENSTACK)

    def test_unknown_profile_is_one_line(self) -> None:
        error = self.assertRaises(usage.UsageError, tap.Options().parseOptions, ["--profile", "azure"])
        self.assertEqual(str(error), "--profile: no profile 'azure'; known profiles: rackspace, openstack")

    def test_file_naming_a_service_the_profile_lacks_is_refused(self) -> None:
        path = self.write('profile = "openstack"\nservices = ["compute", "loadbalancer"]\n')
        error = self.assertRaises(usage.UsageError, tap.Options().parseOptions, ["--config", path])
        self.assertEqual(str(error), f"{path}: services: loadbalancer not served under the profile 'openstack'")

    def test_settings_of_services_the_profile_leaves_out_are_accepted_and_unused(self) -> None:
        path = self.write("[loadbalancer]\nbuild_seconds = 0\n[compute]\nreboot_seconds = 0\n")
        options = tap.Options()
        options.parseOptions(["--config", path, "--profile", "openstack", "--set", "loadbalancer.update_seconds=0"])
        self.assertEqual(options["settings"], {"compute.reboot_seconds": "0"})
        service: Any = tap.makeService(options)
        self.assertEqual(service.site.resource.core.settings["compute.reboot_seconds"], 0.0)
        error = self.assertRaises(
            usage.UsageError, tap.Options().parseOptions, ["--profile", "openstack", "--set", "nobody.reads=1"]
        )
        self.assertIn("no plugin reads the setting(s) nobody.reads", str(error))

    def test_file_profile_and_command_line_wins(self) -> None:
        path = self.write('profile = "openstack"\n')
        options = tap.Options()
        options.parseOptions(["--config", path])
        self.assertEqual((options.startup.profile, options.startup.profile_source.line), ("openstack", 1))
        options = tap.Options()
        options.parseOptions(["--config", path, "--profile", "rackspace"])
        self.assertEqual(options.startup.profile, "rackspace")
        self.assertEqual(options.startup.profile_source.origin, "command line")


class SavedStateTests(SynchronousTestCase):
    def test_snapshot_round_trip_under_openstack(self) -> None:
        from mimic import snapshots

        mimic = InMemoryMimic(profile="openstack")
        token, body = v3_token(mimic)
        account = f"/object-store/v1/AUTH_{body['project']['id']}"
        mimic.request("PUT", account + "/kept", token=token)
        saved = snapshots.save(mimic.core)
        self.assertEqual(saved["profile"], "openstack")
        mimic.request("DELETE", account + "/kept", token=token)
        snapshots.restore(mimic.core, saved)
        self.assertEqual(mimic.request("GET", account + "?format=json", token=token).json()[0]["name"], "kept")

    def test_state_of_another_profile_is_refused(self) -> None:
        from mimic import snapshots

        saved = snapshots.save(InMemoryMimic().core)
        self.assertNotIn("profile", saved)
        error = self.assertRaises(snapshots.BadState, snapshots.restore, InMemoryMimic(profile="openstack").core, saved)
        self.assertEqual(
            str(error),
            "the state was saved by a Mimic of profile 'rackspace', not 'openstack': start Mimic with --profile rackspace",
        )
