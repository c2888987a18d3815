# -*- test-case-name: mimic.test.test_network_validation -*-
"""
The network service's request validation.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.network import validation as v
from mimic.services.network.errors import NeutronFault
from mimic.services.network.security import parse_rule


class ValidationTests(SynchronousTestCase):
    def refused(self, call: Any, *args: Any) -> NeutronFault:
        with self.assertRaises(NeutronFault) as caught:
            call(*args)
        return caught.exception

    def test_booleans_as_neutron_converts_them(self) -> None:
        self.assertTrue(v.boolean("True", "x"))
        self.assertFalse(v.boolean(0, "x"))
        self.assertEqual(self.refused(v.boolean, "maybe", "shared").status, 400)

    def test_cidr_with_host_bits_is_refused_with_the_cidr_meant(self) -> None:
        error = self.refused(v.subnet_create, {"network_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                                               "cidr": "10.0.0.1/24", "ip_version": 4}, "t")
        self.assertIn("10.0.0.0/24", error.message)

    def test_read_only_attribute_on_update(self) -> None:
        error = self.refused(v.subnet_update, {"cidr": "10.0.0.0/24"}, "t", None)
        self.assertEqual(error.message, "Cannot update read-only attribute cidr")

    def test_rules(self) -> None:
        self.assertEqual(parse_rule({"direction": "ingress", "protocol": "TCP"})["protocol"], "tcp")
        self.assertEqual(self.refused(parse_rule, {"direction": "sideways"}).status, 400)
        self.assertEqual(self.refused(parse_rule, {"direction": "ingress", "protocol": "bogus"}).kind,
                         "SecurityGroupRuleInvalidProtocol")
        self.assertEqual(self.refused(parse_rule, {"direction": "ingress", "protocol": "tcp",
                                                   "port_range_min": 90, "port_range_max": 80}).kind,
                         "SecurityGroupInvalidPortRange")
        self.assertEqual(self.refused(parse_rule, {"direction": "ingress", "port_range_min": 80}).kind,
                         "SecurityGroupProtocolRequiredWithPorts")
        self.assertEqual(self.refused(parse_rule, {"direction": "ingress", "ethertype": "IPv4",
                                                   "remote_ip_prefix": "::/0"}).kind,
                         "SecurityGroupRuleParameterConflict")
        self.assertEqual(self.refused(parse_rule, {"direction": "ingress", "remote_ip_prefix": "1.2.3.0/24",
                                                   "remote_group_id": "x"}).kind,
                         "SecurityGroupRemoteGroupAndRemoteIpPrefix")
