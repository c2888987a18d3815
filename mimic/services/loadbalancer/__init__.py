# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
Rackspace Cloud Load Balancers (the v1.0 API, not Octavia): balancers,
nodes, their settings and metadata, with the service's known error
conditions.

``model`` holds the state and rules, ``validation`` parses request bodies,
``routes`` is the HTTP API, ``errors`` builds CLB's error bodies and
``failures`` declares the known error conditions.
"""
