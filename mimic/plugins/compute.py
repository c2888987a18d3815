# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Compute (Nova API v2 and v2.1), as Rackspace's ``cloudServersOpenStack``.
"""

from mimic.services.compute import plugin

compute = plugin.ComputePlugin()
