# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
Compute's networking through the network service, in memory: a server's
ports made, bound and released in the network service, its addresses
and security groups read from them, os-interface, the network actions,
Nova's deprecated network proxies, the known error conditions, and
today's behaviour when no network service is loaded.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.core import MimicCore, discover_plugins
from mimic.interfaces import INetworking
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import InMemoryMimic, Response

FLAVOR = "general1-1"
PUBLIC = "00000000-0000-0000-0000-000000000000"
PRIVATE = "11111111-1111-1111-1111-111111111111"
UNKNOWN = "abcdef00-1111-2222-3333-444444444444"


class NetworkedComputeTestCase(SynchronousTestCase):
    """
    One tenant with compute and networking (the network service) in ORD.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", "ORD")
        self.networking = self.mimic.core.shared(INetworking, self.access.tenant_id, "ORD")
        self.now = self.mimic.clock.seconds()

    def call(self, method: str, path: str, body: Any = None, version: str | None = None) -> Response:
        headers = {"X-OpenStack-Nova-API-Version": version} if version else {}
        return self.mimic.request(method, self.url + path, body, token=self.access.token, headers=headers)

    def create(self, version: str | None = None, **extra: Any) -> Response:
        server = {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}
        server.update(extra)
        return self.call("POST", "/servers", {"server": server}, version)

    def created_id(self, version: str | None = None, **extra: Any) -> str:
        response = self.create(version, **extra)
        self.assertEqual(response.code, 202, response.body)
        return response.json()["server"]["id"]

    def show(self, server_id: str, version: str | None = None) -> dict[str, Any]:
        response = self.call("GET", f"/servers/{server_id}", version=version)
        self.assertEqual(response.code, 200, response.body)
        return response.json()["server"]

    def action(self, server_id: str, body: Any, version: str | None = None) -> Response:
        return self.call("POST", f"/servers/{server_id}/action", body, version)

    def error(self, response: Response, code: int) -> str:
        self.assertEqual(response.code, code, response.body)
        (fault,) = response.json().values()
        return fault["message"]

    def user_port(self, network_id: str = PRIVATE) -> str:
        return self.networking.create_port(network_id, "", "", self.now).id


class CreateTests(NetworkedComputeTestCase):
    def test_default_server_has_ports_on_publicnet_and_servicenet(self) -> None:
        server_id = self.created_id()
        ports = self.networking.ports_of(server_id)
        self.assertEqual([p.network_id for p in ports], [PUBLIC, PRIVATE])
        self.assertEqual({(p.device_id, p.device_owner) for p in ports}, {(server_id, "compute:nova")})
        server = self.show(server_id)
        self.assertEqual(sorted(server["addresses"]), ["private", "public"])
        public = server["addresses"]["public"]
        self.assertEqual(
            [(a["addr"], a["OS-EXT-IPS:type"], a["OS-EXT-IPS-MAC:mac_addr"]) for a in public],
            [(ip, "fixed", ports[0].mac_address) for _, ip in ports[0].fixed_ips],
        )
        self.assertEqual(server["accessIPv4"], next(a["addr"] for a in public if a["version"] == 4))
        self.assertEqual(server["security_groups"], [{"name": "default"}])

    def test_listing_shows_the_same_addresses(self) -> None:
        server_id = self.created_id()
        (listed,) = self.call("GET", "/servers/detail").json()["servers"]
        self.assertEqual(listed["addresses"], self.show(server_id)["addresses"])

    def test_server_on_one_network(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PRIVATE}])
        self.assertEqual(list(self.show(server_id)["addresses"]), ["private"])
        self.assertEqual(self.show(server_id)["accessIPv4"], "")

    def test_unknown_network_is_400_and_makes_nothing(self) -> None:
        message = self.error(self.create(networks=[{"uuid": UNKNOWN}]), 400)
        self.assertEqual(message, f"Network {UNKNOWN} could not be found.")
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_fixed_ip_is_the_ports_address(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PRIVATE, "fixed_ip": "10.176.3.3"}])
        (port,) = self.networking.ports_of(server_id)
        self.assertEqual([ip for _, ip in port.fixed_ips], ["10.176.3.3"])

    def test_fixed_ip_on_another_server_is_400(self) -> None:
        first = self.created_id(networks=[{"uuid": PRIVATE, "fixed_ip": "10.176.3.3"}])
        message = self.error(self.create(networks=[{"uuid": PRIVATE, "fixed_ip": "10.176.3.3"}]), 400)
        self.assertEqual(message, f"Fixed IP address 10.176.3.3 is already in use on instance {first}.")

    def test_fixed_ip_of_a_users_port_fails_the_build(self) -> None:
        port = self.networking.create_port(PRIVATE, "", "", self.now, fixed_ip="10.176.3.4")
        server_id = self.created_id(networks=[{"uuid": PRIVATE, "fixed_ip": "10.176.3.4"}])
        self.assertEqual(self.show(server_id)["status"], "ERROR")
        self.assertEqual(self.networking.port(port.id).device_id, "")

    def test_fixed_ip_with_more_than_one_server_is_400(self) -> None:
        response = self.create(networks=[{"uuid": PRIVATE, "fixed_ip": "10.176.3.3"}], max_count=2)
        self.assertIn("fixed_ip", self.error(response, 400))

    def test_users_port_is_bound_and_released_on_delete(self) -> None:
        port_id = self.user_port()
        server_id = self.created_id(networks=[{"port": port_id}])
        self.assertEqual(self.networking.port(port_id).device_id, server_id)
        self.assertEqual(list(self.show(server_id)["addresses"]), ["private"])
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        kept = self.networking.port(port_id)
        self.assertEqual((kept.device_id, kept.device_owner), ("", ""))

    def test_ports_nova_made_go_with_the_server(self) -> None:
        server_id = self.created_id()
        ports = [p.id for p in self.networking.ports_of(server_id)]
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}").code, 204)
        self.assertEqual([self.networking.port(p) for p in ports], [None, None])

    def test_port_in_use_is_409(self) -> None:
        port_id = self.user_port()
        self.created_id(networks=[{"port": port_id}])
        message = self.error(self.create(networks=[{"port": port_id}]), 409)
        self.assertEqual(message, f"Port {port_id} is still in use.")

    def test_unknown_port_is_400(self) -> None:
        self.error(self.create(networks=[{"port": UNKNOWN}]), 400)

    def test_networks_none_makes_no_ports(self) -> None:
        server_id = self.created_id("2.37", networks="none")
        self.assertEqual(self.networking.ports_of(server_id), [])
        self.assertEqual(self.show(server_id)["addresses"], {})

    def test_floating_ip_shows_on_the_server(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PRIVATE}])
        (port,) = self.networking.ports_of(server_id)
        floating = self.networking.allocate_floating_ip(None, self.now)
        self.networking.associate_floating_ip(floating.id, port.id, None, self.now)
        addresses = self.show(server_id)["addresses"]["private"]
        self.assertEqual(
            [(a["addr"], a["OS-EXT-IPS:type"]) for a in addresses][-1],
            (floating.floating_ip_address, "floating"),
        )

    def test_named_security_group_is_on_the_ports(self) -> None:
        group = self.networking.create_security_group("web", "web servers", self.now)
        server_id = self.created_id(security_groups=[{"name": "web"}])
        for port in self.networking.ports_of(server_id):
            self.assertIn(group.id, port.security_group_ids)
        self.assertIn({"name": "web"}, self.show(server_id)["security_groups"])

    def test_unknown_security_group_is_400(self) -> None:
        message = self.error(self.create(security_groups=[{"name": "nope"}]), 400)
        self.assertEqual(message, f"Security group nope is not found for project {self.access.tenant_id}")
        self.assertEqual(self.call("GET", "/servers").json()["servers"], [])

    def test_port_failure_puts_the_server_in_error(self) -> None:
        server_id = self.created_id(metadata={"server_network_failure": "1"})
        server = self.show(server_id)
        self.assertEqual(server["status"], "ERROR")
        self.assertEqual(
            server["fault"]["message"],
            f"Build of instance {server_id} aborted: Failed to allocate the network(s), not rescheduling.",
        )
        self.assertEqual(self.networking.ports_of(server_id), [])

    def test_port_failure_registered_for_one_network(self) -> None:
        registered = self.mimic.request(
            "POST", self.mimic_control("/compute/behaviors/server.network"),
            {"name": "fail", "criteria": [{"network_name": "^private$"}]},
        )
        self.assertEqual(registered.code, 201, registered.body)
        server_id = self.created_id()
        self.assertEqual(self.show(server_id)["status"], "ERROR")
        # The port made on PublicNet before the failure is gone too.
        self.assertEqual(self.networking.ports_of(server_id), [])

    def mimic_control(self, path: str) -> str:
        return self.url.split("/service/")[0] + "/mimic/v1.1" + path


class SecurityGroupTests(NetworkedComputeTestCase):
    def test_server_groups_come_from_its_ports(self) -> None:
        server_id = self.created_id()
        groups = self.call("GET", f"/servers/{server_id}/os-security-groups").json()["security_groups"]
        self.assertEqual([g["name"] for g in groups], ["default"])
        self.assertEqual(groups[0]["id"], self.networking.find_security_group("default").id)
        self.assertEqual(set(groups[0]), {"id", "name", "description", "tenant_id", "rules"})

    def test_add_and_remove_security_group(self) -> None:
        group = self.networking.create_security_group("db", "", self.now)
        server_id = self.created_id()
        self.assertEqual(self.action(server_id, {"addSecurityGroup": {"name": "db"}}).code, 202)
        for port in self.networking.ports_of(server_id):
            self.assertIn(group.id, port.security_group_ids)
        self.assertIn({"name": "db"}, self.show(server_id)["security_groups"])
        self.assertEqual(self.action(server_id, {"removeSecurityGroup": {"name": "db"}}).code, 202)
        self.assertNotIn({"name": "db"}, self.show(server_id)["security_groups"])
        message = self.error(self.action(server_id, {"removeSecurityGroup": {"name": "db"}}), 400)
        self.assertIn("not associated with the instance", message)

    def test_add_unknown_group_is_404(self) -> None:
        server_id = self.created_id()
        self.error(self.action(server_id, {"addSecurityGroup": {"name": "nope"}}), 404)

    def test_proxy_lists_creates_and_deletes_groups(self) -> None:
        created = self.call("POST", "/os-security-groups", {"security_group": {"name": "app", "description": "d"}})
        self.assertEqual(created.code, 200, created.body)
        group = created.json()["security_group"]
        self.assertEqual((group["name"], group["description"]), ("app", "d"))
        rule = self.call(
            "POST", "/os-security-group-rules",
            {"security_group_rule": {"parent_group_id": group["id"], "ip_protocol": "tcp",
                                     "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}},
        )
        self.assertEqual(rule.code, 200, rule.body)
        self.assertEqual(
            {k: rule.json()["security_group_rule"][k] for k in ("ip_protocol", "from_port", "to_port", "ip_range")},
            {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "ip_range": {"cidr": "0.0.0.0/0"}},
        )
        shown = self.call("GET", f"/os-security-groups/{group['id']}").json()["security_group"]
        self.assertEqual(len(shown["rules"]), 1)
        names = [g["name"] for g in self.call("GET", "/os-security-groups").json()["security_groups"]]
        self.assertIn("app", names)
        self.assertEqual(self.call("DELETE", f"/os-security-groups/{group['id']}").code, 202)
        self.assertEqual(self.call("GET", f"/os-security-groups/{group['id']}").code, 404)

    def test_proxy_renames_a_group(self) -> None:
        group = self.networking.create_security_group("old", "", self.now)
        renamed = self.call(
            "PUT", f"/os-security-groups/{group.id}", {"security_group": {"name": "new", "description": "d"}}
        )
        self.assertEqual(renamed.code, 200, renamed.body)
        self.assertEqual(self.networking.find_security_group(group.id).name, "new")

    def test_proxy_ids_must_be_uuids(self) -> None:
        self.assertEqual(self.error(self.call("GET", "/os-security-groups/nope"), 400),
                         "Security group id should be uuid")
        rule = {"security_group_rule": {"parent_group_id": "nope", "ip_protocol": "tcp",
                                        "from_port": 22, "to_port": 22}}
        self.error(self.call("POST", "/os-security-group-rules", rule), 400)

    def test_proxies_are_gone_from_2_36(self) -> None:
        for path in ("/os-security-groups", "/os-floating-ips", "/os-networks"):
            self.assertEqual(self.call("GET", path, version="2.35").code, 200, path)
            self.assertEqual(self.call("GET", path, version="2.36").code, 404, path)


class InterfaceTests(NetworkedComputeTestCase):
    def test_list_and_show_interfaces(self) -> None:
        server_id = self.created_id()
        listed = self.call("GET", f"/servers/{server_id}/os-interface").json()["interfaceAttachments"]
        ports = self.networking.ports_of(server_id)
        self.assertEqual([i["port_id"] for i in listed], [p.id for p in ports])
        self.assertEqual(listed[0]["net_id"], PUBLIC)
        self.assertEqual(listed[0]["mac_addr"], ports[0].mac_address)
        shown = self.call("GET", f"/servers/{server_id}/os-interface/{ports[1].id}").json()
        self.assertEqual(shown["interfaceAttachment"], listed[1])

    def test_attach_network_and_detach(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PUBLIC}])
        attached = self.call(
            "POST", f"/servers/{server_id}/os-interface", {"interfaceAttachment": {"net_id": PRIVATE}}
        )
        self.assertEqual(attached.code, 200, attached.body)
        port_id = attached.json()["interfaceAttachment"]["port_id"]
        self.assertEqual(sorted(self.show(server_id)["addresses"]), ["private", "public"])
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}/os-interface/{port_id}").code, 202)
        self.assertIsNone(self.networking.port(port_id))
        self.assertEqual(list(self.show(server_id)["addresses"]), ["public"])

    def test_attach_users_port_and_detach_keeps_it(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PUBLIC}])
        port_id = self.user_port()
        attached = self.call(
            "POST", f"/servers/{server_id}/os-interface", {"interfaceAttachment": {"port_id": port_id}}
        )
        self.assertEqual(attached.code, 200, attached.body)
        self.assertEqual(self.call("DELETE", f"/servers/{server_id}/os-interface/{port_id}").code, 202)
        self.assertEqual(self.networking.port(port_id).device_id, "")

    def test_attach_errors(self) -> None:
        server_id = self.created_id()
        path = f"/servers/{server_id}/os-interface"
        used = self.networking.ports_of(server_id)[0].id
        self.error(self.call("POST", path, {"interfaceAttachment": {"port_id": used}}), 409)
        self.error(self.call("POST", path, {"interfaceAttachment": {"net_id": UNKNOWN}}), 404)
        self.error(self.call("POST", path, {"interfaceAttachment": {"net_id": PRIVATE, "port_id": used}}), 400)
        self.error(self.call("GET", f"{path}/{UNKNOWN}"), 404)
        self.error(self.call("DELETE", f"{path}/{UNKNOWN}"), 404)

    def test_attach_failure_is_500_and_changes_nothing(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PUBLIC}], metadata={"interface_attach_failure": "1"})
        response = self.call("POST", f"/servers/{server_id}/os-interface", {"interfaceAttachment": {"net_id": PRIVATE}})
        self.assertEqual(self.error(response, 500), f"Failed to attach network adapter device to {server_id}")
        self.assertEqual(len(self.networking.ports_of(server_id)), 1)


class FloatingIPTests(NetworkedComputeTestCase):
    def test_proxy_allocates_and_action_associates(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PRIVATE}])
        allocated = self.call("POST", "/os-floating-ips", {})
        self.assertEqual(allocated.code, 200, allocated.body)
        floating = allocated.json()["floating_ip"]
        self.assertIsNone(floating["instance_id"])
        self.assertEqual(self.action(server_id, {"addFloatingIp": {"address": floating["ip"]}}).code, 202)
        shown = self.call("GET", f"/os-floating-ips/{floating['id']}").json()["floating_ip"]
        self.assertEqual(shown["instance_id"], server_id)
        types = [a["OS-EXT-IPS:type"] for a in self.show(server_id)["addresses"]["private"]]
        self.assertIn("floating", types)
        self.assertEqual(self.action(server_id, {"removeFloatingIp": {"address": floating["ip"]}}).code, 202)
        self.assertEqual(self.error(self.action(server_id, {"removeFloatingIp": {"address": floating["ip"]}}), 409),
                         f"Floating IP {floating['ip']} is not associated with instance {server_id}.")
        self.assertEqual(self.call("DELETE", f"/os-floating-ips/{floating['id']}").code, 202)
        self.assertEqual(self.call("GET", f"/os-floating-ips/{floating['id']}").code, 404)

    def test_ip_actions_are_gone_from_2_44(self) -> None:
        server_id = self.created_id()
        for body in ({"addFloatingIp": {"address": "203.0.113.9"}}, {"addFixedIp": {"networkId": PRIVATE}}):
            self.assertEqual(self.action(server_id, body, version="2.44").code, 404)

    def test_unknown_floating_ip_is_404(self) -> None:
        server_id = self.created_id()
        self.error(self.action(server_id, {"addFloatingIp": {"address": "203.0.113.250"}}), 404)

    def test_add_and_remove_fixed_ip(self) -> None:
        server_id = self.created_id(networks=[{"uuid": PRIVATE}])
        self.assertEqual(self.action(server_id, {"addFixedIp": {"networkId": PRIVATE}}).code, 202)
        addresses = [a["addr"] for a in self.show(server_id)["addresses"]["private"]]
        self.assertEqual(len(addresses), 2)
        self.assertEqual(self.action(server_id, {"removeFixedIp": {"address": addresses[1]}}).code, 202)
        self.assertEqual(len(self.show(server_id)["addresses"]["private"]), 1)

    def test_os_networks_lists_the_networks(self) -> None:
        networks = self.call("GET", "/os-networks").json()["networks"]
        labels = {n["id"]: n["label"] for n in networks}
        self.assertEqual((labels[PUBLIC], labels[PRIVATE]), ("public", "private"))
        self.assertEqual(self.call("GET", f"/os-networks/{PUBLIC}").json()["network"]["label"], "public")
        self.error(self.call("GET", f"/os-networks/{UNKNOWN}"), 404)


class WithoutNetworkServiceTests(SynchronousTestCase):
    """
    With no plugin providing INetworking, compute keeps its own
    addresses, the stand-in default group, and no proxies.
    """

    def setUp(self) -> None:
        plugins = [
            p for p in discover_plugins()
            if MimicCore.create(Clock(), [p]).passing().shared(INetworking, "probe", "ORD") is None
        ]
        self.mimic = InMemoryMimic(plugins)
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", "ORD")

    def call(self, method: str, path: str, body: Any = None) -> Response:
        return self.mimic.request(method, self.url + path, body, token=self.access.token)

    def test_addresses_and_groups_are_computes_own(self) -> None:
        body = {"server": {"name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": FLAVOR}}
        server_id = self.call("POST", "/servers", body).json()["server"]["id"]
        server = self.call("GET", f"/servers/{server_id}").json()["server"]
        self.assertEqual(server["addresses"]["public"][0]["addr"], "198.18.0.11")
        groups = self.call("GET", f"/servers/{server_id}/os-security-groups").json()["security_groups"]
        self.assertEqual([g["name"] for g in groups], ["default"])
        self.assertEqual(self.call("GET", "/os-floating-ips").code, 404)
        self.assertEqual(self.call("GET", f"/servers/{server_id}/os-interface").json(), {"interfaceAttachments": []})
