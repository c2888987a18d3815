# -*- test-case-name: mimic.test.test_network -*-
"""
Networking (Neutron API v2.0), as Rackspace's ``cloudNetworks``.
"""

from mimic.services.network import plugin

network = plugin.NetworkPlugin()
