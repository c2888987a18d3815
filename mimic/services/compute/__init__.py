# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Compute: a stateful Nova (API v2 and v2.1 with microversions) per tenant
and region, with its known error conditions.
"""
