# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
Rackspace Cloud Load Balancers (the v1.0 API, not Octavia): balancers,
nodes, their settings and metadata, with the service's known error
conditions.

The same files as every service: ``plugin`` (catalog entries and the
resource for a tenant and region), ``routes`` (the HTTP API: parse,
decide, apply, answer), ``validation`` (request bodies and queries),
``model`` (state and rules, raising domain errors), ``views`` (the wire
format), ``errors`` (the domain errors and CLB's error shape) and
``failures`` (the known error conditions and what each does).
``control`` is the old mimic's control entry for this service.
"""
