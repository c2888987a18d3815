"""
Mimic: a fake OpenStack and Rackspace cloud in one Twisted process.

Point an application's identity endpoint at Mimic, authenticate, and every
endpoint in the returned service catalog leads back into the same process,
where servers, load balancers and their failure modes live in memory.
"""

__version__ = "3.0.0.dev0"
