# -*- test-case-name: mimic.test.test_persistence_services -*-
"""
Saving and restoring compute's, the network service's and block
storage's region states (:class:`~mimic.interfaces.IPersistentState`),
in memory: a world built through the HTTP APIs is saved, written and
read as JSON, restored into a fresh Mimic, and both Mimics then answer
every listing and detail alike, go on alike as the clock moves, and
number and allocate what is made next without collisions.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from twisted.trial.unittest import SynchronousTestCase

from mimic.columns import column, from_runs, integers, read_column, runs
from mimic.interfaces import IPersistentState
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.services.network.model import EXTERNAL_NETWORK, PUBLIC_NETWORK
from mimic.testing import Access, InMemoryMimic, Response

#: The services whose states these tests save.
SERVICES = ("compute", "network", "blockstorage")

#: Work takes time on the clock, so that some is under way when saved.
SETTINGS = {"blockstorage.create_seconds": "10", "blockstorage.delete_seconds": "5",
            "blockstorage.backup_seconds": "5"}

#: The newest microversions, so that every field shows.
NOVA = {"X-OpenStack-Nova-API-Version": "2.96"}
CINDER = {"OpenStack-API-Version": "volume 3.70"}


def save(mimic: InMemoryMimic) -> dict[str, Any]:
    """
    Every region state of the three services, saved by its plugin and
    written as JSON text, read back: as a state file keeps them.
    """
    saved = {}
    for (service, tenant_id, region), state in mimic.core.region_states():
        if service in SERVICES:
            plugin = mimic.core.plugins[service]
            assert IPersistentState.providedBy(plugin)
            saved[f"{service} {tenant_id} {region}"] = plugin.save_region_state(state)
    loaded: dict[str, Any] = json.loads(json.dumps(saved))
    return loaded


def restore(saved: dict[str, Any], usernames: tuple[str, ...]) -> InMemoryMimic:
    """
    A fresh Mimic with the same clock, users and saved states, put into
    its store as the core's snapshots do.
    """
    fresh = InMemoryMimic(settings=SETTINGS)
    for username in usernames:
        fresh.authenticate(username)
    restored = {}
    for key, form in saved.items():
        service, tenant_id, region = key.split(" ")
        plugin = fresh.core.plugins[service]
        restored[(service, tenant_id, region)] = plugin.restore_region_state(fresh.core, tenant_id, region, form)
    for key, state in restored.items():
        fresh.core._region_states[key] = state
    return fresh


class World:
    """
    Two tenants' servers, networks and volumes in ORD, made through the
    APIs as clients make them.
    """

    def __init__(self, mimic: InMemoryMimic) -> None:
        self.mimic = mimic
        self.alice = mimic.authenticate("alice")
        self.bob = mimic.authenticate("bob")
        self.servers: dict[str, str] = {}

    def call(self, access: Access, service: str, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, expect: int | None = None) -> Any:
        url = access.endpoint(service) + ("/v2.0" if service == "network" else "") + path
        response = self.mimic.request(method, url, body, token=access.token, headers=headers)
        if expect is not None:
            assert response.code == expect, (method, path, response)
        return response.json() if response.body else None

    def nova(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        return self.call(self.alice, "compute", method, path, body, NOVA, expect)

    def neutron(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        return self.call(self.alice, "network", method, path, body, None, expect)

    def cinder(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        return self.call(self.alice, "volumev3", method, path, body, CINDER, expect)

    def server(self, name: str, **extra: Any) -> str:
        body = {"server": {"name": name, "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "2", **extra}}
        server_id: str = self.nova("POST", "/servers", body, 202)["server"]["id"]
        self.servers[name] = server_id
        return server_id

    def build(self) -> None:
        """
        The world the tests save: something of every kind, some of it
        still changing on the clock.
        """
        tick = self.mimic.tick
        self.call(self.alice, "compute", "POST", "/os-keypairs", {"keypair": {"name": "deploy"}},
                  {"X-OpenStack-Nova-API-Version": "2.1"}, 200)
        network = self.neutron("POST", "/networks", {"network": {"name": "app"}}, 201)["network"]
        subnet = self.neutron("POST", "/subnets", {"subnet": {
            "network_id": network["id"], "cidr": "192.168.10.0/24", "ip_version": 4}}, 201)["subnet"]
        self.neutron("POST", "/subnets", {"subnet": {
            "network_id": network["id"], "cidr": "fd00:10::/64", "ip_version": 6}}, 201)
        group = self.neutron("POST", "/security-groups", {"security_group": {"name": "web"}}, 201)
        group_id = group["security_group"]["id"]
        self.neutron("POST", "/security-group-rules", {"security_group_rule": {
            "security_group_id": group_id, "direction": "ingress", "protocol": "tcp",
            "port_range_min": 443, "port_range_max": 443}}, 201)
        port = self.neutron("POST", "/ports", {"port": {
            "network_id": network["id"], "name": "fixed",
            "fixed_ips": [{"subnet_id": subnet["id"], "ip_address": "192.168.10.50"}]}}, 201)["port"]
        router = self.neutron("POST", "/routers", {"router": {
            "name": "edge", "external_gateway_info": {"network_id": EXTERNAL_NETWORK}}}, 201)["router"]
        self.neutron("PUT", f"/routers/{router['id']}/add_router_interface", {"subnet_id": subnet["id"]}, 200)
        floating = self.neutron("POST", "/floatingips", {"floatingip": {
            "floating_network_id": EXTERNAL_NETWORK, "port_id": port["id"]}}, 201)
        self.neutron("POST", "/floatingips", {"floatingip": {"floating_network_id": EXTERNAL_NETWORK}}, 201)
        self.neutron("PUT", f"/floatingips/{floating['floatingip']['id']}", {"floatingip": {"description": "x"}}, 200)
        self.call(self.bob, "network", "POST", "/ports", {"port": {"network_id": PUBLIC_NETWORK}}, None, 201)
        admin = self.mimic.authenticate("admin", password="password")
        self.call(admin, "network", "PUT", f"/quotas/{self.alice.tenant_id}", {"quota": {"port": 400}}, None, 200)
        self.nova("PUT", f"/os-quota-sets/{self.alice.tenant_id}", {"quota_set": {"instances": 50}}, 200)
        for name in ("lost", "lost-too"):
            self.cinder("POST", "/volumes", {"volume": {"size": 1, "name": name,
                                                        "metadata": {"volume_no_valid_backend": ""}}}, 202)

        self.server("web", key_name="deploy", metadata={"role": "web"}, tags=["blue"],
                    security_groups=[{"name": "web"}])
        self.server("app", networks=[{"uuid": network["id"]}])
        self.server("fixed", networks=[{"port": port["id"]}])
        self.server("resized")
        self.server("reverting")
        self.server("broken", metadata={"server_error": "1"})
        self.server("doomed", metadata={"server_error_after": "60"})
        self.server("failing", metadata={"server_action_error": "1"})
        self.server("gone")
        self.server("going", metadata={"server_deleting": "30"})
        volume = self.cinder("POST", "/volumes", {"volume": {"size": 2, "name": "data",
                                                             "metadata": {"tier": "gold"}}}, 202)["volume"]
        lingering = self.cinder("POST", "/volumes", {"volume": {"size": 1}}, 202)["volume"]
        backed = self.cinder("POST", "/volumes", {"volume": {"size": 1, "name": "backed"}}, 202)["volume"]
        tick(10)
        message = self.cinder("GET", "/messages", None, 200)["messages"][0]
        self.cinder("DELETE", f"/messages/{message['id']}", None, 204)
        servers = self.servers
        self.nova("PUT", f"/servers/{servers['web']}/metadata", {"metadata": {"role": "front"}}, 200)
        self.nova("POST", f"/servers/{servers['resized']}/action", {"resize": {"flavorRef": "3"}}, 202)
        self.nova("POST", f"/servers/{servers['reverting']}/action", {"resize": {"flavorRef": "3"}}, 202)
        self.nova("POST", f"/servers/{servers['web']}/os-volume_attachments",
                  {"volumeAttachment": {"volumeId": volume["id"]}}, 200)
        self.cinder("POST", "/snapshots", {"snapshot": {"volume_id": volume["id"], "force": True,
                                                        "name": "snap"}}, 202)
        self.cinder("POST", "/backups", {"backup": {"volume_id": backed["id"], "name": "nightly"}}, 202)
        self.cinder("DELETE", f"/volumes/{lingering['id']}", None, 202)
        self.nova("DELETE", f"/servers/{servers['gone']}", None, 204)
        tick(10)
        # Under way when saved: a revert, a reboot that will fail, a
        # slow delete, a slow build, and a build waiting for the volume
        # Cinder is making for it.
        self.nova("POST", f"/servers/{servers['reverting']}/action", {"revertResize": None}, 202)
        self.nova("POST", f"/servers/{servers['failing']}/action", {"reboot": {"type": "SOFT"}}, 202)
        self.nova("DELETE", f"/servers/{servers['going']}", None, 204)
        self.server("slow", metadata={"server_building": "30"})
        self.server("booting", block_device_mapping_v2=[{
            "boot_index": 0, "uuid": DEFAULT_IMAGE_ID, "source_type": "image", "destination_type": "volume",
            "volume_size": 20, "delete_on_termination": True}])
        backed_id = self.cinder("GET", "/volumes/detail?name=backed", None, 200)["volumes"][0]["id"]
        self.cinder("POST", "/backups", {"backup": {"volume_id": backed_id, "name": "hourly"}}, 202)


class Views:
    """
    What a client sees of the world: the GET answers of every listing
    and detail, by path.
    """

    def __init__(self, world: World) -> None:
        self.world = world

    def __call__(self, mimic: InMemoryMimic, details: bool = True) -> dict[str, Any]:
        alice = mimic.authenticate("alice")
        bob = mimic.authenticate("bob")
        seen: dict[str, Any] = {}

        def get(access: Access, service: str, path: str, headers: dict[str, str] | None = None) -> Any:
            url = access.endpoint(service) + ("/v2.0" if service == "network" else "") + path
            response: Response = mimic.request("GET", url, token=access.token, headers=headers)
            seen[f"{access.tenant_id} {service} {path}"] = (response.code, response.json())
            return response.json()

        servers = get(alice, "compute", "/servers/detail", NOVA)["servers"]
        get(alice, "compute", "/servers/detail?changes-since=2000-01-01T00:00:00Z", NOVA)
        for server_id in self.world.servers.values() if details else ():
            for part in ("", "/os-instance-actions", "/os-volume_attachments", "/metadata", "/os-interface",
                         "/os-security-groups"):
                get(alice, "compute", f"/servers/{server_id}{part}", NOVA)
        for part in ("/os-keypairs", "/os-keypairs/deploy", f"/os-quota-sets/{alice.tenant_id}/detail", "/limits"):
            get(alice, "compute", part, NOVA)
        # Nova's proxies, gone from 2.36.
        for part in ("/os-volumes/detail", "/os-floating-ips", "/os-security-groups"):
            get(alice, "compute", part, {"X-OpenStack-Nova-API-Version": "2.35"})
        for collection in ("networks", "subnets", "ports", "security-groups", "security-group-rules",
                           "floatingips", "routers", "network-ip-availabilities"):
            get(alice, "network", f"/{collection}")
            get(bob, "network", f"/{collection}")
        get(alice, "network", f"/quotas/{alice.tenant_id}/details")
        for collection in ("volumes", "snapshots", "backups"):
            get(alice, "volumev3", f"/{collection}/detail", CINDER)
        for part in ("/messages", "/attachments/detail", f"/os-quota-sets/{alice.tenant_id}?usage=True", "/limits"):
            get(alice, "volumev3", part, CINDER)
        assert servers, "the world has no servers"
        return seen


#: A UUID, for telling apart the ids minted after a restore.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def minted_apart(views: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """
    The views with every id not in ``known`` (so made after the save,
    at random) replaced by its order of appearance.
    """
    names: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        found = match.group(0)
        return found if found in known else names.setdefault(found, f"new-{len(names)}")

    return {path: json.loads(UUID.sub(name, json.dumps(seen))) for path, seen in views.items()}


class RestoredWorldTests(SynchronousTestCase):
    """
    A world saved and restored into a fresh Mimic.
    """

    def setUp(self) -> None:
        self.original = InMemoryMimic(settings=SETTINGS)
        self.world = World(self.original)
        self.world.build()
        self.views = Views(self.world)
        self.saved = save(self.original)
        self.restored = self.restore()

    def restore(self) -> InMemoryMimic:
        restored = restore(self.saved, ("alice", "bob"))
        restored.clock.advance(self.original.clock.seconds() - restored.clock.seconds())
        return restored

    def assertSameViews(self, details: bool = True) -> dict[str, Any]:
        """
        Both Mimics answer every GET alike (ids made since the save
        aside); the answers.
        """
        before, after = self.views(self.original, details), self.views(self.restored, details)
        self.assertEqual(list(before), list(after))
        known = set(UUID.findall(json.dumps(self.saved)))
        before, after = minted_apart(before, known), minted_apart(after, known)
        for path in before:
            self.assertEqual(before[path], after[path], path)
        return after

    def statuses(self, views: dict[str, Any]) -> dict[str, str]:
        listing = views[f"{self.world.alice.tenant_id} compute /servers/detail"][1]["servers"]
        return {server["name"]: server["status"] for server in listing}

    def test_the_apis_answer_alike_and_go_on_alike(self) -> None:
        """
        Every listing and detail, of servers in BUILD, ACTIVE, resized,
        reverting, rebooting, in ERROR with a fault, being deleted and
        deleted; of networks, ports, rules, routers and floating IPs; of
        volumes, snapshots, backups and attachments: the same answers
        from both Mimics.  As the clock moves, the builds finish (one
        once Cinder has made its volume), the revert and the failing
        reboot end, the slow delete completes and a condition's error
        strikes: the same in both.
        """
        statuses = self.statuses(self.assertSameViews())
        self.assertEqual(
            [statuses[name] for name in ("slow", "booting", "resized", "reverting", "broken", "failing", "going")],
            ["BUILD", "BUILD", "VERIFY_RESIZE", "REVERT_RESIZE", "ERROR", "REBOOT", "ACTIVE"],
        )
        for seconds in (5, 25, 60):
            self.original.tick(seconds)
            self.restored.tick(seconds)
            views = self.assertSameViews(details=False)
        statuses = self.statuses(views)
        self.assertEqual(
            [statuses[name] for name in ("slow", "booting", "reverting", "doomed", "failing")],
            ["ACTIVE", "ACTIVE", "ACTIVE", "ERROR", "ERROR"],
        )
        self.assertNotIn("going", statuses)
        self.assertSameViews()

    def test_new_resources_continue_numbering_without_collisions(self) -> None:
        """
        Each service saved the tenants' states, and the network service
        its region's shared state too.  A server, a port and a floating
        IP made after the restore get what the original would have given
        them next: no address or MAC anybody already has.
        """
        def made(mimic: InMemoryMimic) -> tuple[Any, ...]:
            world = World(mimic)
            server_id = world.server("later")
            server = world.nova("GET", f"/servers/{server_id}", None, 200)["server"]
            port = world.call(world.bob, "network", "POST", "/ports", {"port": {"network_id": PUBLIC_NETWORK}},
                              None, 201)["port"]
            floating = world.neutron("POST", "/floatingips", {"floatingip": {
                "floating_network_id": EXTERNAL_NETWORK}}, 201)["floatingip"]
            return (server["addresses"], port["mac_address"], port["fixed_ips"],
                    floating["floating_ip_address"])

        keys = {tuple(key.split(" ")) for key in self.saved}
        for service in SERVICES:
            self.assertIn((service, self.world.alice.tenant_id, "ORD"), keys)
        self.assertIn(("network", "*region*", "ORD"), keys)
        before = json.dumps(self.views(self.original, details=False))
        addresses, mac, fixed_ips, floating = made(self.restored)
        self.assertEqual(made(self.original), (addresses, mac, fixed_ips, floating))
        self.assertNotIn(mac, before)
        for fixed in fixed_ips:
            self.assertNotIn(f'"{fixed["ip_address"]}"', before)
        self.assertNotIn(f'"{floating}"', before)

    def test_saved_states_are_left_as_they_were(self) -> None:
        """
        One saved form is restored again and again: restoring does not
        change it, and two restores share nothing.
        """
        kept = copy.deepcopy(self.saved)
        again = self.restore()
        self.assertEqual(self.saved, kept)
        world = World(again)
        world.nova("PUT", f"/servers/{self.world.servers['web']}/metadata", {"metadata": {"changed": "yes"}}, 200)
        volumes = world.cinder("GET", "/volumes/detail", None, 200)["volumes"]
        for volume in volumes:
            world.cinder("PUT", f"/volumes/{volume['id']}", {"volume": {"metadata": {"tier": "lead"}}}, 200)
        world.neutron("PUT", f"/ports/{world.neutron('GET', '/ports')['ports'][0]['id']}",
                      {"port": {"name": "renamed"}}, 200)
        again.tick(60)
        self.assertEqual(self.saved, kept)
        self.assertSameViews()


class RefusedFormTests(SynchronousTestCase):
    """
    What cannot be restored is refused with a ValueError that says what
    and why.
    """

    #: The saved world, built once for these tests (which only read it).
    built: tuple[InMemoryMimic, dict[str, Any]] | None = None

    def setUp(self) -> None:
        if RefusedFormTests.built is None:
            mimic = InMemoryMimic(settings=SETTINGS)
            World(mimic).build()
            RefusedFormTests.built = (mimic, save(mimic))
        self.mimic, self.saved = RefusedFormTests.built

    def refused(self, key: str, change: Callable[[Any], Any], *expected: str) -> None:
        service, tenant_id, region = key.split(" ")
        plugin = self.mimic.core.plugins[service]
        form = change(copy.deepcopy(self.saved[key]))
        with self.assertRaises(ValueError) as raised:
            plugin.restore_region_state(self.mimic.core, tenant_id, region, form)
        for text in expected:
            self.assertIn(text, str(raised.exception))

    def keys(self) -> list[str]:
        return [key for key in self.saved if key.split(" ")[0] in SERVICES]

    def test_another_format_is_refused(self) -> None:
        def newer(form: Any) -> Any:
            form["format"] = 99
            return form

        for key in self.keys():
            self.refused(key, newer, "format 99", "reads format 1", key.split(" ")[2])

    def test_garbled_forms_are_refused(self) -> None:
        def not_an_object(form: Any) -> Any:
            return ["garbled"]

        def truncated(form: Any) -> Any:
            return {"format": form["format"], "kind": form.get("kind")}

        def wrong_types(form: Any) -> Any:
            for name, value in form.items():
                if isinstance(value, (list, dict)) and value:
                    form[name] = 7
            return form

        for key in self.keys():
            self.refused(key, not_an_object, "cannot be restored", "JSON object")
            self.refused(key, truncated, "cannot be restored")
            self.refused(key, wrong_types, "cannot be restored")

    def test_a_region_state_is_not_a_tenant_state(self) -> None:
        tenant = self.mimic.authenticate("alice").tenant_id
        region_form = self.saved["network *region* ORD"]
        plugin = self.mimic.core.plugins["network"]
        with self.assertRaises(ValueError) as raised:
            plugin.restore_region_state(self.mimic.core, tenant, "ORD", region_form)
        self.assertIn("'region'", str(raised.exception))


class ColumnTests(SynchronousTestCase):
    """
    The compact columns saved states are written in.
    """

    def test_each_form_reads_back(self) -> None:
        cases: list[list[Any]] = [
            [], [3], ["a"] * 5, [1, 2] * 5 + [1], ["x", "y", "x", "z", "x", "x"] * 10, [0.5, None, 0.25],
            [f"id-{i}" for i in range(40)], [f"d-{i // 2}" for i in range(40)],
        ]
        for values in cases:
            self.assertEqual(read_column(json.loads(json.dumps(column(values))), len(values)), values)
        numbers: list[list[int]] = [
            list(range(100)), [10**30 + i for i in range(50)], [7] + [1] * 40, [5] * 9 + [6] * 9 + [7] * 9,
            [3, 1, 4, 1, 5, 9, 2, 6], [i * i for i in range(30)],
        ]
        for values in numbers:
            written = integers(values)
            self.assertEqual(read_column(json.loads(json.dumps(written)), len(values)), values)
        self.assertEqual(integers(list(range(1000))), {"start": 0, "steps": {"cycle": [1]}})

    def test_sets_of_numbers_as_runs(self) -> None:
        numbers = {1, 2, 3, 10, 12, 13, 2**100}
        self.assertEqual(runs(numbers), [1, 3, 10, 1, 12, 2, 2**100, 1])
        self.assertEqual(from_runs(runs(numbers)), numbers)
        self.assertEqual(runs(set()), [])

    def test_a_column_of_the_wrong_length_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            read_column([1, 2], 3, "number")
        with self.assertRaises(ValueError):
            read_column({"widgets": []}, 0, "number")
        with self.assertRaises(ValueError):
            from_runs([1, 2, 3])
