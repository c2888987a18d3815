# -*- test-case-name: mimic.test.test_loadbalancer_views -*-
"""
Cloud Load Balancers' wire format, built from the model without HTTP.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.services.loadbalancer import views
from mimic.services.loadbalancer.model import (
    ACTIVE,
    BUILD,
    DEFAULT_ERROR_PAGE,
    LoadBalancer,
    Node,
    VirtualIP,
)


#: When the balancers below were last changed (and are shown).
NOW = 60.0


def balancer(**overrides: object) -> LoadBalancer:
    made = LoadBalancer(
        id=1,
        name="web",
        protocol="HTTP",
        port=80,
        algorithm="RANDOM",
        virtual_ips=[VirtualIP(2, "198.18.0.1", "PUBLIC", "IPV4")],
        created=0.0,
        updated=0.0,
    )
    for name, value in overrides.items():
        setattr(made, name, value)
    made.transition(NOW, BUILD, 0.0, ACTIVE)
    return made


class BalancerTests(SynchronousTestCase):
    def test_full_view_shows_the_parts_a_balancer_has(self) -> None:
        described = views.balancer_json(balancer(nodes={3: Node(3, "10.0.0.1", 80)}), NOW)
        self.assertEqual(described["status"], ACTIVE)
        self.assertEqual(described["virtualIps"][0]["ipVersion"], "IPV4")
        self.assertEqual(described["nodes"][0]["status"], "ONLINE")
        self.assertEqual(described["updated"], {"time": "1970-01-01T00:01:00Z"})
        self.assertNotIn("nodeCount", described)
        for absent in ("metadata", "healthMonitor", "connectionThrottle", "accessList"):
            self.assertNotIn(absent, described)

    def test_status_can_be_given(self) -> None:
        self.assertEqual(views.balancer_json(balancer(), NOW, BUILD)["status"], BUILD)

    def test_summary_counts_nodes_instead_of_listing_them(self) -> None:
        summary = views.balancer_summary(balancer(nodes={3: Node(3, "10.0.0.1", 80)}), NOW)
        self.assertEqual(summary["nodeCount"], 1)
        self.assertNotIn("nodes", summary)

    def test_listing_links_the_next_page_only_when_there_is_one(self) -> None:
        self.assertNotIn("links", views.balancer_list([balancer()], NOW))
        body = views.balancer_list([balancer()], NOW, "http://mimic/next")
        self.assertEqual(body["links"], [{"href": "http://mimic/next", "rel": "next"}])


class SettingTests(SynchronousTestCase):
    def test_unset_settings_show_as_empty_or_default(self) -> None:
        lb = balancer()
        self.assertEqual(views.health_monitor_body(lb), {"healthMonitor": {}})
        self.assertEqual(views.session_persistence_body(lb), {"sessionPersistence": {}})
        self.assertEqual(
            views.error_page_body(lb), {"errorpage": {"content": DEFAULT_ERROR_PAGE}}
        )

    def test_disabled_node_is_offline(self) -> None:
        node = Node(3, "10.0.0.1", 80, condition="DISABLED")
        self.assertEqual(views.node_body(node)["node"]["status"], "OFFLINE")
