# -*- test-case-name: mimic.test.test_network_model -*-
"""
The network service's model: the tenant's networking as compute uses it
through :class:`mimic.interfaces.INetworking`, the region-wide
allocation on the shared networks, and addresses.
"""

from __future__ import annotations

import sys

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase
from zope.interface.verify import verifyObject

from mimic.core import MimicCore
from mimic.interfaces import ContractRefused, INetwork, INetworking, INetworkPort, ISecurityGroup
from mimic.services.network.addresses import Allocator
from mimic.services.network.model import EXTERNAL_NETWORK, PRIVATE_NETWORK, PUBLIC_NETWORK
from mimic.services.network.plugin import NetworkPlugin


def networking(core: MimicCore, tenant: str = "t1", region: str = "ORD") -> INetworking:
    found = core.shared(INetworking, tenant, region)
    assert found is not None
    return found


class ContractTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(1_700_000_000)
        self.core = MimicCore.create(self.clock, [NetworkPlugin()])
        self.net = networking(self.core)

    def test_provides_the_contract(self) -> None:
        self.assertTrue(verifyObject(INetworking, self.net))
        self.assertTrue(verifyObject(INetwork, self.net.network(PUBLIC_NETWORK)))

    def test_every_tenant_sees_publicnet_servicenet_and_the_external_network(self) -> None:
        ids = [n.id for n in self.net.networks()]
        self.assertEqual(ids[:3], [PUBLIC_NETWORK, PRIVATE_NETWORK, EXTERNAL_NETWORK])
        self.assertEqual(self.net.network(PUBLIC_NETWORK).name, "public")
        self.assertEqual(self.net.network(PRIVATE_NETWORK).name, "private")
        self.assertTrue(self.net.network(PUBLIC_NETWORK).shared)
        self.assertTrue(self.net.network(EXTERNAL_NETWORK).external)

    def test_first_ports_get_the_addresses_compute_always_gave(self) -> None:
        public = self.net.create_port(PUBLIC_NETWORK, "server-1", "compute:nova", 1.0)
        private = self.net.create_port(PRIVATE_NETWORK, "server-1", "compute:nova", 1.0)
        self.assertTrue(verifyObject(INetworkPort, public))
        self.assertEqual([a for _, a in public.fixed_ips], ["198.18.0.10", "2001:db8:1::10"])
        self.assertEqual([a for _, a in private.fixed_ips], ["10.176.0.10"])
        self.assertEqual(public.mac_address, "fa:16:3e:00:00:00")
        self.assertEqual(public.status, "ACTIVE")
        self.assertEqual([p.id for p in self.net.ports_of("server-1")], [public.id, private.id])

    def test_shared_networks_allocate_region_wide_without_collisions(self) -> None:
        other = networking(self.core, "t2")
        first = self.net.create_port(PUBLIC_NETWORK, "a", "compute:nova", 1.0)
        second = other.create_port(PUBLIC_NETWORK, "b", "compute:nova", 1.0)
        self.assertEqual(second.fixed_ips[0][1], "198.18.0.11")
        self.assertNotEqual(first.mac_address, second.mac_address)
        self.assertIsNone(other.port(first.id))
        elsewhere = networking(self.core, "t2", "DFW").create_port(PUBLIC_NETWORK, "c", "", 1.0)
        self.assertEqual(elsewhere.fixed_ips[0][1], "198.18.0.10")

    def test_fixed_ip_taken_is_refused_409(self) -> None:
        self.net.create_port(PRIVATE_NETWORK, "a", "", 1.0, fixed_ip="10.176.0.50")
        with self.assertRaises(ContractRefused) as caught:
            networking(self.core, "t2").create_port(PRIVATE_NETWORK, "b", "", 1.0, fixed_ip="10.176.0.50")
        self.assertEqual((caught.exception.status, caught.exception.kind), (409, "IpAddressAlreadyAllocated"))

    def test_unknown_network_is_refused_404(self) -> None:
        with self.assertRaises(ContractRefused) as caught:
            self.net.create_port("nope", "a", "", 1.0)
        self.assertEqual((caught.exception.status, caught.exception.kind), (404, "NetworkNotFound"))

    def test_bind_release_and_delete(self) -> None:
        port = self.net.create_port(PRIVATE_NETWORK, "", "", 1.0)
        self.assertEqual(port.status, "DOWN")
        self.net.bind_port(port.id, "server-1", "compute:nova", 2.0)
        self.assertEqual([p.id for p in self.net.ports_of("server-1")], [port.id])
        with self.assertRaises(ContractRefused) as caught:
            self.net.bind_port(port.id, "server-2", "compute:nova", 2.0)
        self.assertEqual(caught.exception.kind, "PortInUse")
        self.net.release_port(port.id, 3.0)
        self.assertEqual(self.net.ports_of("server-1"), [])
        self.assertEqual(self.net.port(port.id).device_id, "")
        self.net.delete_port(port.id, 4.0)
        self.assertIsNone(self.net.port(port.id))
        again = self.net.create_port(PRIVATE_NETWORK, "", "", 5.0, fixed_ip=port.fixed_ips[0][1])
        self.assertEqual(again.fixed_ips, port.fixed_ips)

    def test_ports_get_the_default_security_group(self) -> None:
        port = self.net.create_port(PRIVATE_NETWORK, "s", "compute:nova", 1.0)
        default = self.net.find_security_group("default")
        self.assertTrue(verifyObject(ISecurityGroup, default))
        self.assertEqual(port.security_group_ids, (default.id,))
        self.assertEqual(len(default.rules), 4)

    def test_security_groups_by_name_and_rules(self) -> None:
        web = self.net.create_security_group("web", "", 1.0)
        self.assertEqual(len(web.rules), 2)
        rule = self.net.add_security_group_rule(
            web.id, {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 80}, 2.0
        )
        self.assertEqual(rule["port_range_min"], 80)
        with self.assertRaises(ContractRefused) as caught:
            self.net.add_security_group_rule(
                web.id, {"direction": "ingress", "protocol": "tcp", "port_range_min": 80, "port_range_max": 80}, 2.0
            )
        self.assertEqual((caught.exception.status, caught.exception.kind), (409, "SecurityGroupRuleExists"))
        port = self.net.create_port(PRIVATE_NETWORK, "s", "compute:nova", 1.0, security_groups=["web"])
        self.assertEqual(port.security_group_ids, (web.id,))
        with self.assertRaises(ContractRefused) as caught:
            self.net.delete_security_group(web.id, 3.0)
        self.assertEqual(caught.exception.kind, "SecurityGroupInUse")
        self.net.set_port_security_groups(port.id, [], 4.0)
        self.net.delete_security_group(web.id, 5.0)
        self.assertIsNone(self.net.find_security_group("web"))

    def test_floating_ip_associate_and_disassociate(self) -> None:
        port = self.net.create_port(PUBLIC_NETWORK, "s", "compute:nova", 1.0)
        floating = self.net.allocate_floating_ip(None, 1.0)
        self.assertEqual((floating.status, floating.floating_ip_address), ("DOWN", "203.0.113.10"))
        self.net.associate_floating_ip(floating.id, port.id, None, 2.0)
        self.assertEqual((floating.status, floating.fixed_ip_address), ("ACTIVE", "198.18.0.10"))
        self.assertEqual(self.net.floating_ips_of(port.id), [floating])
        self.net.delete_port(port.id, 3.0)
        self.assertEqual((floating.status, floating.port_id), ("DOWN", None))
        self.net.release_floating_ip(floating.id, 4.0)
        self.assertEqual(self.net.floating_ips(), [])

    def test_a_port_is_well_under_a_kilobyte(self) -> None:
        port = self.net.create_port(PUBLIC_NETWORK, "server", "compute:nova", 1.0)
        other = self.net.create_port(PUBLIC_NETWORK, "server", "compute:nova", 1.0)
        # What the port holds of its own (the subnet ids, the device id,
        # the security groups' tuple and the times are shared).
        size = sys.getsizeof(port) + sys.getsizeof(port.id) + sys.getsizeof(port.mac)
        size += sys.getsizeof(port.addresses) + sum(sys.getsizeof(part) for part in port.addresses[1::2])
        self.assertLess(size, 512)
        self.assertIs(port.security_group_ids, other.security_group_ids)


class PackedAddressTests(SynchronousTestCase):
    def test_addresses_round_trip(self) -> None:
        from mimic.services.network.model import pack_addresses, unpack_address

        pairs = [("a", "10.0.0.1"), ("b", "2001:db8::5"), ("c", "::1"), ("d", "255.255.255.255")]
        packed = pack_addresses(pairs)
        self.assertEqual([unpack_address(v) for v in packed[1::2]], [a for _, a in pairs])


class AllocatorTests(SynchronousTestCase):
    def test_hands_out_in_order_and_wraps_to_addresses_given_back(self) -> None:
        allocator = Allocator(4, ((10, 12),))
        self.assertEqual([allocator.allocate() for _ in range(3)], [10, 11, 12])
        self.assertIsNone(allocator.allocate())
        allocator.give_back(11)
        self.assertEqual(allocator.allocate(), 11)

    def test_skips_addresses_taken_explicitly(self) -> None:
        allocator = Allocator(4, ((10, 20),))
        allocator.take(10)
        self.assertEqual(allocator.allocate(), 11)
        self.assertEqual(allocator.free(), 9)
