# -*- test-case-name: mimic.test.test_config -*-
"""
``twistd mimic --config``: the file's keys and the line of every mistake,
the command line winning over the file, the services a file enables, the
conditions it registers, and ``GET /mimic/v1.1/config``; one real
``twistd`` started with a file, driven by a real client.
"""

from __future__ import annotations

import json
from typing import Any

from twisted.python import usage
from twisted.trial.unittest import SynchronousTestCase

from mimic import config, startup, tap
from mimic.control.config import config_json
from mimic.testing import InMemoryMimic

EXAMPLE = """\
# A Mimic for the compute tests.
listen = "tcp:0:interface=127.0.0.1"
idle_timeout = 30
services = ["compute", "image", "blockstorage"]

[identity]
admin_user = "root"
admin_password = "s3cret"

[blockstorage]
create_seconds = 5

[[conditions]]
service = "compute"
event = "server.create"
name = "fail"
parameters = { code = 503, message = "No valid host" }
criteria = [{ server_name = "^doomed" }]
"""


class ConfigFileTestCase(SynchronousTestCase):
    def write(self, text: str) -> str:
        path = self.mktemp()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def options(self, text: str, *argv: str) -> tap.Options:
        options = tap.Options()
        options.parseOptions(["--config", self.write(text), *argv])
        return options

    def refused(self, text: str, *argv: str) -> str:
        """
        The one line ``twistd mimic`` stops with for ``text``.
        """
        path = self.write(text)
        error = self.assertRaises(usage.UsageError, tap.Options().parseOptions, ["--config", path, *argv])
        message = str(error)
        self.assertNotIn("\n", message)
        self.assertTrue(message.startswith(path), message)
        return message[len(path):]


class KeyLineTests(SynchronousTestCase):
    def test_tables_arrays_of_tables_and_dotted_keys_have_their_lines(self) -> None:
        lines = config.key_lines(
            '# comment\nlisten = "x"\n\n[blockstorage]\ncreate_seconds = 1\n'
            '[[conditions]]\nservice = "a"\n[[conditions]]\n  event = "b"\n'
            'identity.admin_user = "c"\n"quoted key" = 1\n'
        )
        self.assertEqual(lines[("listen",)], 2)
        self.assertEqual(lines[("blockstorage",)], 4)
        self.assertEqual(lines[("blockstorage", "create_seconds")], 5)
        self.assertEqual(lines[("conditions", 0, "service")], 7)
        self.assertEqual(lines[("conditions", 1)], 8)
        self.assertEqual(lines[("conditions", 1, "event")], 9)
        self.assertEqual(lines[("conditions", 1, "identity", "admin_user")], 10)
        self.assertEqual(lines[("conditions", 1, "quoted key")], 11)

    def test_show_key(self) -> None:
        self.assertEqual(config.show_key(("conditions", 2, "event")), "conditions[2].event")


class ErrorTests(ConfigFileTestCase):
    """
    Every mistake stops start-up with one line: the file, the line, the
    key and what is wrong.
    """

    def test_unreadable_file(self) -> None:
        path = self.mktemp()
        error = self.assertRaises(usage.UsageError, tap.Options().parseOptions, ["--config", path])
        self.assertEqual(str(error), f"{path}: cannot read the configuration file: No such file or directory")

    def test_not_utf8(self) -> None:
        path = self.mktemp()
        with open(path, "wb") as f:
            f.write(b'listen = "\xff"\n')
        error = self.assertRaises(usage.UsageError, tap.Options().parseOptions, ["--config", path])
        self.assertIn("is not UTF-8 text", str(error))

    def test_invalid_toml_names_line_and_column(self) -> None:
        self.assertEqual(
            self.refused('listen = "x"\nbacklog = \n'),
            ": not valid TOML: Invalid value (at line 2, column 11)",
        )

    def test_unknown_key_with_a_suggestion(self) -> None:
        self.assertEqual(
            self.refused('\nlisen = "tcp:0"\n'),
            ", line 2: lisen: unknown key (did you mean 'listen'?)",
        )

    def test_unknown_key_in_a_table(self) -> None:
        message = self.refused("[blockstorage]\n\ncreate_secs = 5\n")
        self.assertTrue(
            message.startswith(
                ", line 3: blockstorage.create_secs: unknown key (did you mean 'create_seconds'?); "
                "[blockstorage] takes: attach_seconds,"
            ),
            message,
        )

    def test_a_settings_table_points_to_the_prefix_tables(self) -> None:
        self.assertEqual(
            self.refused('[settings]\n"blockstorage.create_seconds" = 5\n'),
            ", line 1: settings: unknown key: a setting goes in the table of its prefix, "
            "e.g. [blockstorage] create_seconds = 5",
        )

    def test_dotted_keys_are_tables_too(self) -> None:
        options = self.options("blockstorage.create_seconds = 2\n")
        self.assertEqual(options["settings"], {"blockstorage.create_seconds": "2"})
        self.assertEqual(
            self.refused("\nblockstorage.create_seconds = -2\n"),
            ", line 2: blockstorage.create_seconds: a time cannot be below zero, not -2",
        )

    def test_wrong_types(self) -> None:
        self.assertEqual(
            self.refused('listen = "tcp:0"\nbacklog = "many"\n'),
            ", line 2: backlog: must be a whole number of at least 1, not 'many'",
        )
        self.assertEqual(
            self.refused("realtime = 1\n"), ", line 1: realtime: must be true or false, not 1"
        )
        self.assertEqual(
            self.refused("idle_timeout = 0\n"),
            ", line 1: idle_timeout: must be a positive number of seconds, not 0",
        )
        self.assertEqual(
            self.refused('[objectstorage]\nmax_bytes = ["4G"]\n'),
            ", line 2: objectstorage.max_bytes: must be a string, number or boolean, not an array",
        )
        self.assertEqual(
            self.refused("compute = 1\n"), ", line 1: compute: must be a table ([compute]), not 1"
        )

    def test_setting_refused_by_its_own_parser(self) -> None:
        self.assertEqual(
            self.refused('[objectstorage]\nmax_bytes = "lots"\n'),
            ", line 2: objectstorage.max_bytes: 'lots' is not a size (say 1048576, 512M or 2G)",
        )

    def test_transition_time_below_zero(self) -> None:
        self.assertEqual(
            self.refused("[blockstorage]\ncreate_seconds = -1\n"),
            ", line 2: blockstorage.create_seconds: a time cannot be below zero, not -1",
        )

    def test_unknown_profile_names_the_known_ones(self) -> None:
        self.assertEqual(
            self.refused('profile = "azure"\n'),
            ", line 1: profile: no profile 'azure'; known profiles: rackspace, openstack",
        )

    def test_services(self) -> None:
        self.assertEqual(
            self.refused('services = ["compute", "imgae"]\n'),
            ", line 1: services: no service 'imgae' (did you mean 'image'?); known: blockstorage, "
            "compute, compute-control, identity, image, loadbalancer, loadbalancer-control, "
            "network, objectstorage",
        )
        self.assertEqual(
            self.refused("[identity]\nenabled = false\n"),
            ", line 2: identity.enabled: identity cannot be disabled: it hands out the catalog",
        )
        self.assertEqual(
            self.refused('[compute]\nenabled = "no"\n'),
            ", line 2: compute.enabled: must be true or false, not 'no'",
        )

    def test_conditions_name_their_entry(self) -> None:
        self.assertEqual(
            self.refused(
                '[[conditions]]\nservice = "compute"\nevent = "server.create"\nname = "fail"\n\n'
                '[[conditions]]\nservice = "compute"\nevent = "server.creat"\nname = "fail"\n'
            ),
            ", line 6: conditions[1]: service 'compute' has no event 'server.creat'; known: "
            "server.action, server.attach_volume, server.create, server.delete, "
            "server.group-placement, server.interface-attach, server.network",
        )
        self.assertEqual(
            self.refused('[[conditions]]\nservice = "compute"\nevent = "server.create"\nnmae = "fail"\n'),
            ", line 4: conditions[0].nmae: unknown key (did you mean 'name'?); a condition takes "
            "service, event, name, parameters, criteria, times",
        )
        self.assertEqual(
            self.refused('[[conditions]]\nevent = "server.create"\n'),
            ", line 1: conditions[0]: 'service' is required: a name, as in the control API's URL",
        )
        self.assertIn(
            ", line 1: conditions[0]: 'times' must be an integer",
            self.refused(
                '[[conditions]]\nservice = "compute"\nevent = "server.create"\nname = "fail"\ntimes = 0\n'
            ),
        )
        self.assertEqual(
            self.refused(
                '[[conditions]]\nservice = "compute"\nevent = "server.create"\nname = "fail"\n'
                "parameters = { at = 1979-05-27 }\n"
            ),
            ", line 5: conditions[0].parameters.at: must be JSON-like (a string, number, boolean, "
            "array or table), not a date",
        )

    def test_a_condition_of_a_disabled_service_is_refused(self) -> None:
        message = self.refused(
            'services = ["image"]\n[[conditions]]\nservice = "compute"\nevent = "server.create"\nname = "fail"\n'
        )
        self.assertTrue(message.startswith(", line 2: conditions[0]: no service 'compute'"), message)


class OverrideTests(ConfigFileTestCase):
    def test_file_values_reach_the_options(self) -> None:
        options = self.options(EXAMPLE)
        self.assertEqual(options["listen"], "tcp:0:interface=127.0.0.1")
        self.assertEqual(options["idle-timeout"], 30.0)
        self.assertEqual(
            options["settings"],
            {"identity.admin_user": "root", "identity.admin_password": "s3cret", "blockstorage.create_seconds": "5"},
        )
        self.assertEqual(
            [p.name for p in options["plugins"]], ["blockstorage", "compute", "compute-control", "image"]
        )

    def test_command_line_wins_even_when_it_repeats_the_default(self) -> None:
        options = self.options(
            "backlog = 10\n" + EXAMPLE,
            "--listen", "tcp:0",
            "--backlog", "1024",
            "--set", "blockstorage.create_seconds=0",
        )
        self.assertEqual(options["listen"], "tcp:0")
        self.assertEqual(options["backlog"], 1024)
        self.assertEqual(options["settings"]["blockstorage.create_seconds"], "0")
        self.assertEqual(options.startup.sources["backlog"], config.Source("command line"))
        self.assertEqual(options["settings"]["identity.admin_user"], "root")

    def test_the_state_file_is_a_key_too(self) -> None:
        """
        ``state_file`` names the file ``--state-file`` would: a state saved
        there is read (and tried) at start, and the command line wins.
        """
        saved = self.mktemp()
        options = self.options(f"state_file = {saved!r}\n")
        self.assertEqual(options["state-file"], saved)
        self.assertIsNone(options["state"])
        with open(saved, "w") as garbled:
            garbled.write("{not json")
        error = self.assertRaises(usage.UsageError, self.options, f"state_file = {saved!r}\n")
        self.assertIn(f"cannot load the state file {saved}", str(error))
        elsewhere = self.mktemp()
        options = self.options(f"state_file = {saved!r}\n", "--state-file", elsewhere)
        self.assertEqual(options["state-file"], elsewhere)

    def test_enabled_in_a_table_wins_over_the_list(self) -> None:
        options = self.options(
            'services = ["compute", "image"]\n[network]\nenabled = true\n[compute-control]\nenabled = false\n'
        )
        self.assertEqual([p.name for p in options["plugins"]], ["compute", "image", "network"])
        options = self.options("[objectstorage]\nenabled = false\nmax_bytes = 10\n")
        self.assertNotIn("objectstorage", [p.name for p in options["plugins"]])
        self.assertIn("loadbalancer", [p.name for p in options["plugins"]])

    def test_no_file_serves_everything(self) -> None:
        options = tap.Options()
        options.parseOptions([])
        self.assertEqual(options["plugins"], config.enabled_plugins(options["plugins"], None))
        self.assertIn("loadbalancer-control", [p.name for p in options["plugins"]])


class ServedConfigTests(ConfigFileTestCase):
    """
    ``GET /mimic/v1.1/config`` and ``--verbose``: every key, its value
    in effect and where it came from.
    """

    def served(self, options: tap.Options) -> tuple[Any, InMemoryMimic]:
        service = tap.makeService(options)
        mimic = InMemoryMimic([])
        mimic.resource = service.site.resource
        from treq.testing import StubTreq

        mimic.treq = StubTreq(mimic.resource)
        response = mimic.request("GET", "/mimic/v1.1/config")
        self.assertEqual(response.code, 200)
        return response.json(), mimic

    def test_values_and_sources(self) -> None:
        path = self.write(EXAMPLE)
        options = tap.Options()
        options.parseOptions(["--config", path, "--set", "identity.admin_user=boss", "-v"])
        served, mimic = self.served(options)
        self.assertEqual(served["file"], path)
        keys = served["config"]
        self.assertEqual(keys["listen"], {"value": "tcp:0:interface=127.0.0.1", "source": "file", "line": 2})
        self.assertEqual(keys["verbose"], {"value": True, "source": "command line"})
        self.assertEqual(keys["realtime"], {"value": False, "source": "default"})
        self.assertEqual(keys["profile"], {"value": "rackspace", "source": "default"})
        self.assertEqual(keys["identity.admin_user"], {"value": "boss", "source": "command line"})
        self.assertEqual(keys["identity.admin_password"], {"value": "********", "source": "file", "line": 8})
        self.assertEqual(
            keys["services"]["value"], ["blockstorage", "compute", "compute-control", "identity", "image"]
        )
        self.assertEqual(keys["services"]["line"], 4)
        self.assertEqual(keys["legacy_control.service_types"], {"value": False, "source": "default"})
        self.assertEqual(keys["blockstorage.create_seconds"], {"value": 5.0, "source": "file", "line": 11})
        self.assertNotIn("objectstorage.max_bytes", keys)  # objectstorage is not served
        [condition] = keys["conditions"]["value"]
        self.assertEqual((condition["event"], condition["id"], keys["conditions"]["line"]), ("server.create", "1", 13))
        self.assertNotIn("s3cret", json.dumps(served))
        # The condition is live: it is registered, as the control API would.
        [behavior] = mimic.request("GET", "/mimic/v1.1/behaviors").json()["behaviors"]
        self.assertEqual(behavior["parameters"], {"code": 503, "message": "No valid host"})
        self.assertIn("GET http://mimic.test/mimic/v1.1/config", mimic.request("GET", "/mimic/v1.1").json()["config"])

    def test_without_a_file_everything_is_default(self) -> None:
        options = tap.Options()
        options.parseOptions(["--listen", "tcp:0"])
        served, _ = self.served(options)
        self.assertIsNone(served["file"])
        self.assertEqual(served["config"]["listen"], {"value": "tcp:0", "source": "command line"})
        self.assertEqual(served["config"]["conditions"], {"value": [], "source": "default"})

    def test_an_in_process_mimic_shows_what_its_core_knows(self) -> None:
        mimic = InMemoryMimic(settings={"identity.admin_password": "x", "objectstorage.max_bytes": "1K"})
        served = mimic.request("GET", "/mimic/v1.1/config").json()
        self.assertEqual(served["config"]["objectstorage.max_bytes"], {"value": 1024, "source": "given"})
        self.assertEqual(served["config"]["identity.admin_password"]["value"], "********")
        self.assertEqual(served["config"]["realtime"], {"value": False, "source": "given"})
        self.assertNotIn("listen", served["config"])
        self.assertEqual(config_json(mimic.core), served)

    def test_verbose_prints_one_line_per_key(self) -> None:
        options = self.options(EXAMPLE)
        service = tap.makeService(options)
        from mimic.control.config import config_json as served

        core = service.site.resource.core
        lines = startup.log_lines(
            startup.effective(core, {o.option: options[o.option] for o in config.OPTIONS.values()}, options.startup)
        )
        self.assertEqual(len(lines), len(served(core)["config"]))
        self.assertIn('config listen = "tcp:0:interface=127.0.0.1" (file, line 2)', lines)
        self.assertIn('config identity.admin_password = "********" (file, line 8)', lines)


class ConfigFileIntegrationTests(ConfigFileTestCase):
    """
    A real ``twistd mimic --config``: only the file's services are in the
    catalog, its condition fires for a real client's request, and
    ``/config`` shows the file's values.
    """

    def test_a_real_mimic_started_with_a_file(self) -> None:
        import requests
        from keystoneauth1 import exceptions, session
        from keystoneauth1.identity import v3

        from mimic.services.image.model import DEFAULT_IMAGE_ID
        from mimic.testing import start_mimic

        path = self.write(EXAMPLE.replace('listen = "tcp:0:interface=127.0.0.1"\n', ""))
        url = start_mimic(self, "--config", path)
        auth = v3.Password(
            auth_url=f"{url}/identity/v3", username="root", password="s3cret",
            project_name="root", user_domain_id="default", project_domain_id="default",
        )
        client = session.Session(auth=auth)
        catalog = client.get(f"{url}/identity/v3/auth/catalog").json()["catalog"]
        self.assertEqual(
            sorted({entry["type"] for entry in catalog} - {"identity"}),
            ["block-storage", "compute", "image", "mimic:compute-control", "volumev2", "volumev3"],
        )
        compute = client.get_endpoint(service_type="compute", region_name="ORD")
        server = {"name": "doomed-1", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1"}
        refused = self.assertRaises(
            exceptions.ServiceUnavailable, client.post, f"{compute}/servers", json={"server": server}
        )
        self.assertIn("No valid host", refused.response.text)
        server["name"] = "fine-1"
        self.assertEqual(client.post(f"{compute}/servers", json={"server": server}).status_code, 202)
        served = requests.get(f"{url}/mimic/v1.1/config", timeout=10).json()["config"]
        self.assertEqual(served["idle_timeout"], {"value": 30.0, "source": "file", "line": 2})
        self.assertEqual(served["identity.admin_user"], {"value": "root", "source": "file", "line": 6})
        self.assertEqual(served["listen"]["source"], "command line")
        self.assertEqual(served["conditions"]["value"][0]["criteria"], [{"server_name": "^doomed"}])
