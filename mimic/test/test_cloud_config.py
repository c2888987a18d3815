# -*- test-case-name: mimic.test.test_cloud_config -*-
"""
The configuration file's keys that change a profile's cloud: ``regions``,
``[catalog.<type>]``, ``[[flavors]]``, ``[[images]]`` and
``[quotas.<service>]``; each mistake stops ``twistd mimic`` with one line
naming the file, the line and the key; what they change is seen by
clients in memory under both profiles, and by openstacksdk against a real
``twistd`` started with such a file.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import urllib.request
from typing import Any

from twisted.python import usage
from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic import cloud_config, config
from mimic.core import discover_plugins, serves_in
from mimic.profiles import PROFILES, Profile
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.test.test_config import ConfigFileTestCase
from mimic.testing import InMemoryMimic, MimicProcess

#: Two regions, a flavor in each and one in the second only, an image,
#: changed quotas and a renamed catalog entry.
TWO_REGIONS = """\
profile = "openstack"
regions = ["RegionOne", "RegionTwo"]

[[flavors]]
name = "small"
id = "s1"
ram = 512
vcpus = 1
disk = 10
extra_specs = { "hw:cpu_policy" = "shared" }

[[flavors]]
name = "large"
ram = 8192
vcpus = 4
disk = 80
regions = ["RegionTwo"]

[[images]]
name = "alpine-3.20"
id = "5b9d3c4e-1f2a-4b6c-8d7e-9f0a1b2c3d4e"
min_disk = 1
properties = { os_distro = "alpine" }

[[images]]
name = "debian-12"
disk_format = "raw"
regions = ["RegionOne"]

[quotas.compute]
instances = 3
cores = 8

[quotas.blockstorage]
volumes = 2

[quotas.network]
port = 7

[catalog.compute]
name = "nova-cell1"
"""


def profile_from(text: str, profile: str = "openstack") -> Profile:
    """
    The profile ``twistd mimic`` would build from a file holding ``text``.
    """
    file = config.parse_text(text)
    plugins = discover_plugins()
    base = PROFILES[file.data.get("profile", profile)]
    return cloud_config.customized(base, file, plugins, [p for p in plugins if serves_in(p, base)])


class RefusedTests(ConfigFileTestCase):
    """
    Bad cloud keys: one line, the key and its line.
    """

    def test_regions(self) -> None:
        self.assertEqual(self.refused('regions = "ORD"\n'), ", line 1: regions: must be a non-empty array of region names, not 'ORD'")
        self.assertEqual(self.refused("regions = []\n"), ", line 1: regions: must be a non-empty array of region names, not an array")
        self.assertEqual(
            self.refused('regions = ["ORD", "ORD"]\n'), ", line 1: regions[1]: duplicate region 'ORD'"
        )
        self.assertEqual(
            self.refused('regions = ["a/b"]\n'),
            ", line 1: regions[0]: must be a region name (letters, digits, '.', '_' and '-', at most 64), not 'a/b'",
        )

    def test_a_flavor_in_an_unknown_region(self) -> None:
        text = 'regions = ["ORD"]\n[[flavors]]\nname = "x"\nram = 1\nvcpus = 1\ndisk = 1\nregions = ["LON"]\n'
        self.assertEqual(
            self.refused(text), ", line 7: flavors[0].regions[0]: no region 'LON' in this cloud; its regions: ORD"
        )
        # The profile's regions, when the file names none.
        text = '[[flavors]]\nname = "x"\nram = 1\nvcpus = 1\ndisk = 1\nregions = ["RegionOne"]\n'
        self.assertEqual(
            self.refused(text),
            ", line 6: flavors[0].regions[0]: no region 'RegionOne' in this cloud; its regions: ORD, DFW, IAD",
        )
        self.options(text, "--profile", "openstack")

    def test_flavor_mistakes(self) -> None:
        flavor = '[[flavors]]\nname = "{name}"\nram = {ram}\nvcpus = 1\ndisk = 1\n'
        self.assertEqual(
            self.refused(flavor.format(name="a", ram=1) + flavor.format(name="a", ram=2)),
            ", line 7: flavors[1].name: duplicate name 'a' (entry 1 has it too)",
        )
        self.assertEqual(
            self.refused(flavor.format(name="a", ram=0)),
            ", line 3: flavors[0].ram: must be a whole number of at least 1, not 0",
        )
        self.assertEqual(
            self.refused(flavor.format(name="a", ram='"1G"')),
            ", line 3: flavors[0].ram: must be a whole number of at least 1, not '1G'",
        )
        self.assertEqual(
            self.refused('[[flavors]]\nname = "a"\nram = 1\n'), ", line 1: flavors[0]: 'vcpus' is required"
        )
        self.assertEqual(
            self.refused(flavor.format(name="a", ram=1) + "gpus = 1\n"),
            ", line 6: flavors[0].gpus: unknown key; this table takes: name, id, ram, vcpus, disk, ephemeral, "
            "swap, rxtx_factor, description, extra_specs, regions",
        )
        self.assertEqual(self.refused("flavors = []\n"), ", line 1: flavors: must name at least one flavor")
        self.assertEqual(
            self.refused('flavors = "m1.tiny"\n'), ", line 1: flavors: must be an array of tables of flavors, not 'm1.tiny'"
        )
        both = flavor.format(name="a", ram=1) + 'id = "1"\n' + flavor.format(name="b", ram=1) + 'id = "1"\n'
        self.assertEqual(self.refused(both), ", line 12: flavors[1].id: duplicate id '1' (entry 1 has it too)")

    def test_image_mistakes(self) -> None:
        self.assertEqual(
            self.refused('[[images]]\nname = "x"\nid = "not-a-uuid"\n'),
            ", line 3: images[0].id: must be a UUID (Glance's image ids are)",
        )
        self.assertEqual(
            self.refused('[[images]]\nname = "x"\ndisk_format = "zip"\n'),
            ", line 3: images[0].disk_format: must be one of ami, ari, aki, vhd, vhdx, vmdk, raw, qcow2, vdi, iso, "
            "ploop, not 'zip'",
        )
        self.assertEqual(
            self.refused('[[images]]\nname = "x"\nproperties = { a = 1 }\n'),
            ", line 3: images[0].properties.a: must be a non-empty string, not 1",
        )

    def test_quota_mistakes(self) -> None:
        self.assertEqual(
            self.refused("[quotas.compute]\nservers = 1\n"),
            ", line 2: quotas.compute.servers: unknown quota; known: instances, cores, ram, key_pairs, "
            "metadata_items, injected_files, injected_file_content_bytes, injected_file_path_bytes, "
            "security_groups, security_group_rules, floating_ips, fixed_ips, server_groups, server_group_members",
        )
        self.assertEqual(
            self.refused("[quotas.compute]\ninstances = -2\n"),
            ", line 2: quotas.compute.instances: must be a whole number of at least -1, not -2",
        )
        self.assertEqual(
            self.refused("[quotas.dns]\nzones = 1\n"),
            ", line 1: quotas.dns: unknown key; [quotas] takes: blockstorage, compute, network",
        )

    def test_catalog_mistakes(self) -> None:
        self.assertEqual(
            self.refused('[catalog.computer]\nname = "x"\n'),
            ", line 1: catalog.computer: no catalog entry of type 'computer' here; the types: identity, "
            "volumev3, block-storage, volumev2, compute, mimic:compute-control, image, rax:load-balancer, "
            "mimic:load-balancer-control, network, object-store, rax:object-cdn",
        )
        self.assertEqual(
            self.refused('[catalog.compute]\nurl = "/compute"\n'),
            ", line 2: catalog.compute.url: must be an http:// or https:// URL, not '/compute'",
        )
        self.assertEqual(
            self.refused('[catalog.compute]\nurl = "http://x/{project}"\n'),
            ", line 2: catalog.compute.url: names {project}; a URL may name {tenant_id} and {region} only",
        )
        self.assertEqual(
            self.refused('[catalog.compute]\ntype = "image"\n'),
            ", line 2: catalog.compute.type: the catalog would have two entries of type 'image' "
            "('compute' and 'image')",
        )
        self.assertEqual(
            self.refused('[catalog.compute]\nport = 1\n'),
            ", line 2: catalog.compute.port: unknown key; [catalog.<type>] takes: name, type, url",
        )

    def test_an_unknown_top_level_key_lists_the_cloud_keys(self) -> None:
        self.assertTrue(self.refused("region = 1\n").startswith(", line 1: region: unknown key (did you mean 'regions'?)"))


class ExampleTests(ConfigFileTestCase):
    def test_the_readmes_example_starts(self) -> None:
        """
        The README's ``--config`` example is a file ``twistd mimic`` takes.
        """
        import mimic

        checkout = os.environ.get("MIMIC_CHECKOUT") or os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
        path = os.path.join(checkout, "README.rst")
        if not os.path.exists(path):
            raise SkipTest(f"no checkout with the README here ({path})")
        with open(path, encoding="utf-8") as f:
            readme = f.read()
        block = readme.split("``--config mimic.toml``", 1)[1].split("::\n\n", 1)[1]
        lines = []
        for line in block.splitlines():
            if line and not line.startswith("        "):
                break
            lines.append(line[8:])
        text = "\n".join(lines).strip() + "\n"
        self.assertEqual(len(text.splitlines()), 10)
        options = self.options(text)
        self.assertEqual(options.startup.cloud.regions, ("RegionOne", "RegionTwo"))


class FromConfigTests(ConfigFileTestCase):
    def test_an_in_memory_mimic_from_a_file(self) -> None:
        """
        ``InMemoryMimic.from_config`` serves the file's cloud and its
        conditions, and stops on a bad file with twistd mimic's line.
        """
        text = TWO_REGIONS + '[[conditions]]\nservice = "compute"\nevent = "server.create"\nname = "fail"\n'
        mimic = InMemoryMimic.from_config(self.write(text))
        access = mimic.authenticate()
        body = {"server": {"name": "s", "flavorRef": "s1", "imageRef": "5b9d3c4e-1f2a-4b6c-8d7e-9f0a1b2c3d4e"}}
        refused = mimic.request("POST", access.endpoint("compute") + "/servers", body, token=access.token)
        self.assertEqual(refused.code, 500)
        self.assertEqual(mimic.core.profile.regions, ("RegionOne", "RegionTwo"))
        rackspace = InMemoryMimic.from_config(self.write(TWO_REGIONS.replace("RegionTwo", "ORD")), "--profile", "rackspace")
        self.assertEqual(rackspace.core.profile.name, "rackspace")
        path = self.write('profile = "openstack"\nprofile = "rackspace"\n')
        error = self.assertRaises(usage.UsageError, InMemoryMimic.from_config, path)
        self.assertIn("not valid TOML", str(error))


class PresetsTests(ConfigFileTestCase):
    def test_presets_off_leaves_metadata_alone_and_registrations_on(self) -> None:
        """
        ``presets = false``: a server whose metadata carries a preset's
        key builds normally; a registered condition still fires.
        """
        text = 'presets = false\n[[conditions]]\nservice = "compute"\nevent = "server.create"\nname = "fail"\n'
        text += 'criteria = [{ server_name = "^doomed" }]\n'
        mimic = InMemoryMimic.from_config(self.write(text))
        access = mimic.authenticate()
        servers = access.endpoint("compute") + "/servers"
        preset = {"server": {"name": "s", "flavorRef": "2", "imageRef": DEFAULT_IMAGE_ID, "metadata": {"create_server_failure": '{"message": "x", "code": 500}'}}}
        self.assertEqual(mimic.request("POST", servers, preset, token=access.token).code, 202)
        doomed = {"server": {"name": "doomed", "flavorRef": "2", "imageRef": DEFAULT_IMAGE_ID}}
        self.assertEqual(mimic.request("POST", servers, doomed, token=access.token).code, 500)
        on = InMemoryMimic.from_config(self.write("presets = true\n"))
        access = on.authenticate()
        self.assertEqual(on.request("POST", access.endpoint("compute") + "/servers", preset, token=access.token).code, 500)
        self.assertEqual(self.refused('presets = "no"\n'), ", line 1: presets: must be true or false, not 'no'")


class InMemoryTests(SynchronousTestCase):
    """
    What the keys change, as a client sees it.
    """

    def test_flavors_images_and_quotas_by_region(self) -> None:
        mimic = InMemoryMimic(profile=profile_from(TWO_REGIONS))
        access = mimic.authenticate()
        seen: dict[str, Any] = {}
        for region in ("RegionOne", "RegionTwo"):
            compute = access.endpoint("compute", region)
            flavors = mimic.request("GET", compute + "/flavors/detail", token=access.token).json()["flavors"]
            images = mimic.request("GET", access.endpoint("image", region) + "/v2/images", token=access.token).json()
            quotas = mimic.request("GET", f"{compute}/os-quota-sets/{access.tenant_id}", token=access.token).json()
            seen[region] = (
                sorted(f["name"] for f in flavors),
                [i["name"] for i in images["images"]],
                quotas["quota_set"]["instances"],
                quotas["quota_set"]["cores"],
                quotas["quota_set"]["ram"],
            )
        # Nova's default ram quota stays: only the named quotas change.
        self.assertEqual(seen["RegionOne"], (["small"], ["alpine-3.20", "debian-12"], 3, 8, 51200))
        self.assertEqual(seen["RegionTwo"], (["large", "small"], ["alpine-3.20"], 3, 8, 51200))
        small = mimic.request("GET", access.endpoint("compute") + "/flavors/s1", token=access.token).json()["flavor"]
        self.assertEqual((small["ram"], small["vcpus"], small["disk"]), (512, 1, 10))
        image = mimic.request(
            "GET", access.endpoint("image") + "/v2/images/5b9d3c4e-1f2a-4b6c-8d7e-9f0a1b2c3d4e", token=access.token
        ).json()
        self.assertEqual(
            (image["os_distro"], image["min_disk"], image["disk_format"], image["visibility"]),
            ("alpine", 1, "qcow2", "public"),
        )

    def test_each_region_is_served_at_its_own_mount(self) -> None:
        mimic = InMemoryMimic(profile=profile_from(TWO_REGIONS))
        access = mimic.authenticate()
        one, two = access.endpoint("compute", "RegionOne"), access.endpoint("compute", "RegionTwo")
        self.assertEqual((one, two), (f"{mimic.base}/compute/v2.1", f"{mimic.base}/regions/RegionTwo/compute/v2.1"))
        body = {"server": {"name": "s", "flavorRef": "s1", "imageRef": "5b9d3c4e-1f2a-4b6c-8d7e-9f0a1b2c3d4e", "networks": "none"}}
        made = mimic.request(
            "POST", two + "/servers", body, token=access.token, headers={"OpenStack-API-Version": "compute 2.37"}
        )
        self.assertEqual(made.code, 202, made)
        self.assertTrue(made.header("location").startswith(two + "/servers/"))
        in_two = mimic.request("GET", two + "/servers", token=access.token).json()["servers"]
        in_one = mimic.request("GET", one + "/servers", token=access.token).json()["servers"]
        self.assertEqual(([s["name"] for s in in_two], in_one), (["s"], []))
        # The first region is also under /regions/.
        also = mimic.request("GET", f"{mimic.base}/regions/RegionOne/compute/v2.1/servers", token=access.token)
        self.assertEqual(also.json()["servers"], [])
        unknown = mimic.request("GET", f"{mimic.base}/regions/RegionNine/compute/v2.1/servers", token=access.token)
        self.assertEqual(unknown.code, 404)

    def test_a_renamed_entry_and_a_configured_url(self) -> None:
        text = (
            '[catalog.compute]\nname = "nova-cell1"\n[catalog.image]\nurl = "https://images.test/{region}/{tenant_id}"\n'
            '[catalog.identity]\nname = "auth"\n'
        )
        mimic = InMemoryMimic(profile=profile_from(text))
        response = mimic.request(
            "POST",
            "/identity/v3/auth/tokens",
            {"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "domain": {"id": "default"}, "password": "p"}}},
                      "scope": {"project": {"name": "p", "domain": {"id": "default"}}}}},
        )
        catalog = {entry["type"]: entry for entry in response.json()["token"]["catalog"]}
        self.assertEqual((catalog["compute"]["name"], catalog["identity"]["name"]), ("nova-cell1", "auth"))
        self.assertEqual({e["url"] for e in catalog["image"]["endpoints"]}, {"https://images.test/RegionOne/p"})

    def test_rackspace_regions_move_every_regional_service(self) -> None:
        text = 'regions = ["LON", "SYD"]\n[quotas.compute]\ninstances = 4\n'
        mimic = InMemoryMimic(profile=profile_from(text, "rackspace"))
        access = mimic.authenticate()
        regions = {
            entry["type"]: sorted(e["region"] for e in entry["endpoints"])
            for entry in access.access["serviceCatalog"]
        }
        self.assertEqual(regions["compute"], ["LON", "SYD"])
        self.assertEqual(regions["network"], ["LON", "SYD"])
        self.assertEqual(regions["rax:load-balancer"], ["LON", "SYD"])
        self.assertEqual(access.access["user"]["RAX-AUTH:defaultRegion"], "LON")
        network = access.endpoint("network", "SYD")
        self.assertEqual(network, f"{mimic.base}/service/network/SYD/{access.tenant_id}")
        self.assertEqual(mimic.request("GET", network + "/v2.0/networks", token=access.token).code, 200)
        compute = access.endpoint("compute", "SYD")
        limits = mimic.request("GET", compute + "/limits", token=access.token).json()["limits"]["absolute"]
        self.assertEqual(limits["maxTotalInstances"], 4)
        # Rackspace's own flavors stay when the file names none.
        flavors = mimic.request("GET", compute + "/flavors", token=access.token).json()["flavors"]
        self.assertIn("512MB Standard Instance", [f["name"] for f in flavors])
        gone = mimic.request("GET", f"{mimic.base}/service/compute/ORD/{access.tenant_id}/v2/{access.tenant_id}/servers", token=access.token)
        self.assertEqual(gone.code, 404)

    def test_the_effective_configuration_says_where_each_came_from(self) -> None:
        path = self.mktemp()
        with open(path, "w", encoding="utf-8") as f:
            f.write(TWO_REGIONS)
        from mimic import tap
        from mimic.startup import effective

        options = tap.Options()
        options.parseOptions(["--config", path])
        mimic = InMemoryMimic(profile=options.startup.cloud)
        found = {e.key: e.to_json() for e in effective(mimic.core, options, options.startup)}
        self.assertEqual(found["regions"], {"value": ["RegionOne", "RegionTwo"], "source": "file", "line": 2})
        self.assertEqual(found["quotas.compute"], {"value": {"instances": 3, "cores": 8}, "source": "file", "line": 30})
        self.assertEqual(found["flavors"]["line"], 4)
        self.assertEqual(found["catalog"]["value"], {"compute": {"name": "nova-cell1"}})


@functools.lru_cache(maxsize=None)
def configured_mimic() -> str:
    """
    The module's one ``twistd mimic --config`` with :data:`TWO_REGIONS`.
    """
    directory = os.path.abspath("cloud-config")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "two-regions.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(TWO_REGIONS)
    process = MimicProcess(["--config", path])
    url = process.start()
    atexit.register(process.stop)
    return url


class ConfiguredMimicIntegrationTests(SynchronousTestCase):
    """
    openstacksdk against a real ``twistd mimic --config``, in each region.
    """

    def test_openstacksdk_sees_each_regions_content(self) -> None:
        import openstack

        url = configured_mimic()
        with urllib.request.urlopen(url + "/mimic/v1.1/config") as response:
            self.assertEqual(json.load(response)["config"]["regions"]["value"], ["RegionOne", "RegionTwo"])
        seen = {}
        for region in ("RegionOne", "RegionTwo"):
            conn = openstack.connect(
                auth_url=url + "/identity", username="sdk", password="p", project_name="sdk-project",
                user_domain_name="Default", project_domain_name="Default", region_name=region,
            )
            self.addCleanup(conn.close)
            server = conn.compute.create_server(
                name=f"in-{region}", flavor_id="s1", image_id="5b9d3c4e-1f2a-4b6c-8d7e-9f0a1b2c3d4e", networks="none"
            )
            server = conn.compute.wait_for_server(server, wait=10)
            project = conn.current_project_id
            seen[region] = (
                sorted(f.name for f in conn.compute.flavors()),
                sorted(i.name for i in conn.image.images()),
                [s.name for s in conn.compute.servers()],
                conn.compute.get_quota_set(project).instances,
                conn.block_storage.get_quota_set(project).volumes,
                conn.network.get_quota(project).ports,
                server.status,
            )
        self.assertEqual(seen["RegionOne"], (["small"], ["alpine-3.20", "debian-12"], ["in-RegionOne"], 3, 2, 7, "ACTIVE"))
        self.assertEqual(seen["RegionTwo"], (["large", "small"], ["alpine-3.20"], ["in-RegionTwo"], 3, 2, 7, "ACTIVE"))
