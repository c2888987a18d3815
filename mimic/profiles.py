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

Where a service is in a profile's catalog, and under which names, is
declared here once, as :class:`ServiceLayout` data: the ``openstack``
profile mounts each built-in service at Mimic's root (``/compute``,
``/image``...) as DevStack's web server does.  A plugin the profile says
nothing about keeps its own catalog entries under ``/service/...``; a
plugin can say where it goes, or that it belongs to some profiles only,
with :class:`mimic.interfaces.IProfileMember`.
"""

from __future__ import annotations

from typing import Any, Mapping

from attrs import field, frozen

#: Where the services a profile mounts are served for a region other than
#: the first: ``/regions/<region>/<mount>/...``.
REGIONS_SEGMENT = "regions"


@frozen
class ServiceLayout:
    """
    Where one service is in a profile: its catalog entries and the path
    at Mimic's root it is served under (beside ``/service/<name>/...``,
    which every service keeps).

    A request under the mount goes to the service for the profile's first
    region, as if it had come through ``/service/<name>/<region>/<tenant>/``
    with the rest of its path.  The tenant is the token's, unless
    ``tenant_from_path``.  ``tenant_segment`` is where, in that rest, the
    service's own routes take a tenant id (Nova's ``v2.1/<project>/...``,
    Cinder's ``v3/<project>/...``): a request that leaves it out (as
    DevStack's ``/compute/v2.1`` endpoint does) has the token's put there,
    and one that names another tenant is refused.
    """

    #: The plugin's name (:attr:`mimic.interfaces.IAPIMock.name`).
    service: str
    #: The path segment at Mimic's root: ``compute`` for ``/compute``.
    mount: str
    #: ``(type, name)`` of each catalog entry the service has; each points
    #: at :attr:`endpoint`.
    entries: tuple[tuple[str, str], ...]
    #: The endpoint's path below the mount, ``{tenant_id}`` standing for
    #: the project: ``v2.1``, ``""``, ``v3/{tenant_id}``.
    endpoint: str = ""
    #: Where the service's own routes take a tenant id, counted in the
    #: path below the mount (``None``: nowhere).
    tenant_segment: int | None = None
    #: Whether the tenant is read from the path (at ``tenant_segment``,
    #: after ``tenant_prefix``) rather than from the token: Swift's
    #: ``v1/AUTH_<project>``, whose public containers and temporary URLs
    #: are reached without a token.
    tenant_from_path: bool = False
    #: What stands before the tenant id in its segment (``AUTH_``).
    tenant_prefix: str = ""

    def endpoint_path(self, tenant_id: str, region_prefix: str = "") -> str:
        """
        The endpoint's path from Mimic's root for one tenant, without a
        trailing slash: ``compute/v2.1``, ``volume/v3/<tenant>``; after
        ``region_prefix`` (``regions/RegionTwo/``) for a region other than
        the first.
        """
        below = self.endpoint.format(tenant_id=tenant_id)
        return f"{region_prefix}{self.mount}/{below}" if below else f"{region_prefix}{self.mount}"


@frozen
class CatalogChange:
    """
    What a configuration file's ``[catalog.<type>]`` changes in the
    catalog entry of that type: its name, its type, and its endpoints'
    URL (a template naming ``{tenant_id}`` and ``{region}``), each
    ``None`` where it is left as it is.
    """

    type: str
    name: str | None = None
    new_type: str | None = None
    url: str | None = None


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
    #: Where the built-in services are and what the catalog calls them;
    #: a plugin not named here keeps its own entries (see
    #: :meth:`layout_of`).  Empty: every plugin's own (Rackspace's).
    layouts: tuple[ServiceLayout, ...] = ()
    #: The identity entry's endpoint, from Mimic's root, when the profile
    #: lists the unversioned ``identity`` as DevStack does; ``None``: the
    #: path of the version that issued the token (``identity/v3``).
    identity_endpoint: str | None = None
    #: Whether every regional service is served in :attr:`regions`,
    #: whatever regions its plugin's own entries list (a configuration
    #: file named the regions).
    regions_everywhere: bool = False
    #: A configuration file's changes to catalog entries, by their type.
    catalog: tuple[CatalogChange, ...] = ()
    #: A configuration file's content for the services (flavors, images,
    #: default quotas), by key (``flavors``, ``quotas.compute``), as each
    #: service's check made it (:mod:`mimic.cloud_content`); a service
    #: uses its own where its key is absent.  Not compared: two profiles
    #: differ by name, regions and layout, and nothing caches on content.
    content: Mapping[str, Any] = field(factory=dict, eq=False)

    def layout_of(self, service: str) -> ServiceLayout | None:
        """
        The profile's declared layout of a service, or ``None``.
        """
        for layout in self.layouts:
            if layout.service == service:
                return layout
        return None

    @property
    def mount_region(self) -> str:
        """
        The region the services mounted at Mimic's root are served for.
        """
        return self.regions[0]

    def region_prefix(self, region: str | None) -> str:
        """
        What stands before a mount in the path of a region's services:
        nothing for the first region (``/compute``), ``regions/<region>/``
        for another (``/regions/RegionTwo/compute``).
        """
        if region is None or region == self.mount_region:
            return ""
        return f"{REGIONS_SEGMENT}/{region}/"



RACKSPACE = Profile(
    name="rackspace",
    description="Rackspace's public cloud: ORD, DFW and IAD, Rackspace's names and extensions",
    regions=("ORD", "DFW", "IAD"),
    rackspace_extensions=True,
    identity_versions=("v2.0", "v3"),
)

#: DevStack's catalog (lib/nova, lib/glance, lib/neutron, lib/cinder,
#: lib/swift): its service names and types, and its URLs on one host,
#: with Swift (on its own port in DevStack) under ``/object-store``.
DEVSTACK_LAYOUTS = (
    ServiceLayout("compute", "compute", (("compute", "nova"),), "v2.1", tenant_segment=1),
    ServiceLayout("image", "image", (("image", "glance"),)),
    ServiceLayout("network", "networking", (("network", "neutron"),)),
    ServiceLayout(
        "blockstorage",
        "volume",
        (("block-storage", "cinder"), ("volumev3", "cinderv3")),
        "v3/{tenant_id}",
        tenant_segment=1,
    ),
    ServiceLayout(
        "objectstorage",
        "object-store",
        (("object-store", "swift"),),
        "v1/AUTH_{tenant_id}",
        tenant_segment=1,
        tenant_from_path=True,
        tenant_prefix="AUTH_",
    ),
)

OPENSTACK = Profile(
    name="openstack",
    description="an upstream OpenStack shaped like DevStack: RegionOne, nova, glance, upstream schemas",
    regions=("RegionOne",),
    rackspace_extensions=False,
    identity_versions=("v3",),
    layouts=DEVSTACK_LAYOUTS,
    identity_endpoint="identity",
)

#: Every profile by name, the default first.
PROFILES: dict[str, Profile] = {p.name: p for p in (RACKSPACE, OPENSTACK)}
DEFAULT_PROFILE = RACKSPACE
