# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Object storage (Swift v1), as Rackspace's ``cloudFiles``.
"""

from mimic.services.objectstorage import plugin

objectstorage = plugin.ObjectStoragePlugin()
