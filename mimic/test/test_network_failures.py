# -*- test-case-name: mimic.test.test_network_failures -*-
"""
The network service's known error conditions, registered through the
control API.
"""

from __future__ import annotations

from typing import Any

from mimic.interfaces import ContractRefused, INetworking
from mimic.services.network.model import PRIVATE_NETWORK
from mimic.test.test_network import NeutronTestCase


class ConditionTests(NeutronTestCase):
    def register(self, event: str, name: str, criteria: list[dict[str, str]], **parameters: Any) -> None:
        response = self.mimic.request("POST", f"/mimic/v1.1/network/behaviors/{event}", {
            "name": name, "parameters": parameters, "criteria": criteria})
        self.assertEqual(response.code, 201, response.body)

    def test_port_creation_fails_on_a_named_network(self) -> None:
        self.register("port_create", "ip_address_generation_failure", [{"network_name": "^private$"}])
        self.refused(409, "IpAddressGenerationFailure", "POST", "/ports", {"port": {"network_id": PRIVATE_NETWORK}})
        self.assertEqual(self.ok(200, "GET", "/ports")["ports"], [])

    def test_compute_ports_meet_the_same_conditions(self) -> None:
        self.register("port_create", "ip_address_already_allocated", [{"device_id": "^server-1$"}])
        networking = self.mimic.core.shared(INetworking, self.access.tenant_id, "ORD")
        with self.assertRaises(ContractRefused) as caught:
            networking.create_port(PRIVATE_NETWORK, "server-1", "compute:nova", 1.0)
        self.assertEqual(caught.exception.kind, "IpAddressAlreadyAllocated")
        networking.create_port(PRIVATE_NETWORK, "server-2", "compute:nova", 1.0)

    def test_quota_exceeded_on_create(self) -> None:
        self.register("create", "over_quota", [{"resource": "^router$"}])
        error = self.refused(409, "OverQuota", "POST", "/routers", {"router": {"name": "r"}})
        self.assertEqual(error["message"], "Quota exceeded for resources: ['router'].")

    def test_real_quota_is_enforced(self) -> None:
        self.as_admin(200, "PUT", f"/quotas/{self.access.tenant_id}", {"quota": {"network": 1}})
        self.ok(201, "POST", "/networks", {"network": {"name": "one"}})
        self.refused(409, "OverQuota", "POST", "/networks", {"network": {"name": "two"}})

    def test_floating_ip_association_fails(self) -> None:
        port = self.ok(201, "POST", "/ports", {"port": {"network_id": PRIVATE_NETWORK}})["port"]
        floating = self.ok(201, "POST", "/floatingips", {"floatingip": {
            "floating_network_id": self.ok(200, "GET", "/networks?router:external=true")["networks"][0]["id"]}})
        self.register("floating_ip_associate", "external_gateway_not_found", [{"network_name": "^private$"}])
        self.refused(404, "ExternalGatewayForFloatingIPNotFound", "PUT",
                     f"/floatingips/{floating['floatingip']['id']}", {"floatingip": {"port_id": port["id"]}})
        shown = self.ok(200, "GET", f"/floatingips/{floating['floatingip']['id']}")["floatingip"]
        self.assertEqual(shown["status"], "DOWN")

    def test_security_group_rule_rejected(self) -> None:
        group = self.ok(201, "POST", "/security-groups", {"security_group": {"name": "web"}})["security_group"]
        self.register("security_group_rule_create", "rejected", [{"security_group_name": "^web$"}])
        self.refused(400, "SecurityGroupRuleParameterConflict", "POST", "/security-group-rules", {
            "security_group_rule": {"security_group_id": group["id"], "direction": "ingress"}})

    def test_network_in_error(self) -> None:
        network = self.ok(201, "POST", "/networks", {"network": {"name": "broken"}})["network"]
        self.register("network_status", "error", [{"network_name": "^broken$"}])
        self.assertEqual(self.ok(200, "GET", f"/networks/{network['id']}")["network"]["status"], "ERROR")
        self.refused(409, "NetworkError", "POST", "/ports", {"port": {"network_id": network["id"]}})
