# -*- test-case-name: mimic.test.test_profiles -*-
"""
Cloud profiles: which cloud Mimic pretends to be.

``rackspace`` (the default) is Rackspace's public cloud as Mimic has always
served it: regions ORD, DFW and IAD, catalog names such as
``cloudServersOpenStack`` and Rackspace's response extensions
(``OS-FLV-WITH-EXT-SPECS``, ``RAX-AUTH``...).  ``openstack`` is a current
upstream OpenStack shaped like a DevStack install: ``RegionOne``, services
named ``nova``, ``glance``..., tenantless URLs such as ``/compute/v2.1``,
``m1.*`` flavors, a ``cirros`` image and upstream's schemas exactly.

A profile is data.  The core holds one (``core.profile``); a service asks
it what to serve (``core.profile.rackspace_extensions``,
``core.profile.name``) rather than naming profiles itself where it can.
"""

from __future__ import annotations

from attrs import frozen


@frozen
class Profile:
    """
    One cloud Mimic can pretend to be.
    """

    #: What ``--profile`` and the configuration file's ``profile`` key say.
    name: str
    #: One line for ``--help`` and the docs.
    description: str
    #: The regions every service is in, the first one the default.
    regions: tuple[str, ...]
    #: Whether responses carry Rackspace's own attributes and extensions
    #: (``OS-FLV-WITH-EXT-SPECS:extra_specs``, ``RAX-AUTH:*``,
    #: ``rax-bandwidth:bandwidth``...); upstream's schemas refuse them.
    rackspace_extensions: bool
    #: The identity API versions the catalog and ``/identity`` advertise.
    identity_versions: tuple[str, ...]


RACKSPACE = Profile(
    name="rackspace",
    description="Rackspace's public cloud: ORD, DFW and IAD, Rackspace's names and extensions",
    regions=("ORD", "DFW", "IAD"),
    rackspace_extensions=True,
    identity_versions=("v2.0", "v3"),
)

OPENSTACK = Profile(
    name="openstack",
    description="an upstream OpenStack shaped like DevStack: RegionOne, nova, glance, upstream schemas",
    regions=("RegionOne",),
    rackspace_extensions=False,
    identity_versions=("v3",),
)

#: Every profile by name, the default first.
PROFILES: dict[str, Profile] = {p.name: p for p in (RACKSPACE, OPENSTACK)}
DEFAULT_PROFILE = RACKSPACE
