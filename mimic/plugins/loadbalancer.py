# -*- test-case-name: mimic.test.test_loadbalancer_plugin -*-
"""
Cloud Load Balancers (the v1.0 API), as Rackspace's ``cloudLoadBalancers``.
"""

from mimic.services.loadbalancer import plugin

loadbalancer = plugin.LoadBalancerPlugin()
