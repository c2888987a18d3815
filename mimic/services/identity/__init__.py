"""
Identity (Keystone, with Rackspace's extensions).  Unlike other services it
is mounted by the root app at ``/identity``, because it is where clients
start: it hands out the tokens and catalogs every other service checks.
"""
