"""
Image (Glance API v2), as Rackspace's ``cloudImages``.
"""

from mimic.services.image import plugin

image = plugin.ImagePlugin()
