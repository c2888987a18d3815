"""
Object storage: Swift v1 as Rackspace Cloud Files serves it.
"""
