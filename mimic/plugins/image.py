# -*- test-case-name: mimic.test.test_image -*-
"""
Image (Glance API v2), as Rackspace's ``cloudImages``.
"""

from mimic.services.image import plugin

image = plugin.ImagePlugin()
