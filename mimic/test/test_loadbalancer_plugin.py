# -*- test-case-name: mimic.test.test_loadbalancer_plugin -*-
"""
Cloud Load Balancers as a plugin: its catalog entries, the drop-in that
twisted.plugin finds, and the error shape of requests the core turns
away before the service sees them.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.interfaces import IAPIMock
from mimic.plugins import loadbalancer as drop_in
from mimic.services.loadbalancer import failures
from mimic.services.loadbalancer.plugin import REGIONS, LoadBalancerPlugin
from mimic.test.test_loadbalancer_helpers import LB_TYPE, LoadBalancerTestCase


class CatalogTests(LoadBalancerTestCase):
    def test_catalog_lists_cloud_load_balancers_in_three_regions(self) -> None:
        """
        Rackspace clients find CLB by type and name in ORD, DFW and IAD,
        with the tenant in the URL as Rackspace's catalog has it.
        """
        entries = [
            e for e in self.access.access["serviceCatalog"] if e["type"] == LB_TYPE
        ]
        # Clients picking by type alone take the first entry of the type;
        # the old mimic's control entry (cloudLoadBalancerControl) follows.
        self.assertEqual(entries[0]["name"], "cloudLoadBalancers")
        regions = sorted(ep["region"] for ep in entries[0]["endpoints"])
        self.assertEqual(regions, ["DFW", "IAD", "ORD"])
        for endpoint in entries[0]["endpoints"]:
            self.assertTrue(endpoint["publicURL"].endswith(f"/v1.0/{self.access.tenant_id}"))


class PluginTests(SynchronousTestCase):
    def test_drop_in_offers_the_plugin(self) -> None:
        self.assertIsInstance(drop_in.loadbalancer, LoadBalancerPlugin)
        self.assertTrue(IAPIMock.providedBy(drop_in.loadbalancer))

    def test_rackspaces_regions_by_default(self) -> None:
        (entry,) = LoadBalancerPlugin().catalog_entries("t1")
        self.assertEqual(tuple(e.region for e in entry.endpoints), REGIONS)

    def test_regions_can_be_chosen(self) -> None:
        (entry,) = LoadBalancerPlugin(regions=["LON"]).catalog_entries("t1")
        self.assertEqual([e.region for e in entry.endpoints], ["LON"])

    def test_declares_its_events(self) -> None:
        self.assertEqual(tuple(LoadBalancerPlugin().failure_events()), failures.EVENTS)

    def test_turned_away_requests_get_clbs_error_shape(self) -> None:
        self.assertEqual(
            LoadBalancerPlugin().error_body(401, "No token"), {"message": "No token", "code": 401}
        )
