# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Block storage (Cinder v3), as Rackspace's ``cloudBlockStorage``.
"""

from mimic.services.blockstorage import plugin

blockstorage = plugin.BlockStoragePlugin()
