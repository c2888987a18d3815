# -*- test-case-name: mimic.test.test_network_model -*-
"""
What one region's networking shares between its tenants: Rackspace's
PublicNet and ServiceNet, the external network floating IPs come from,
their subnets (and so the addresses handed out on them), the MAC
addresses in use, and each project's quotas.

The core keeps it as the network service's state for a fixed tenant
(:data:`REGION_TENANT`), beside each tenant's own
(:class:`~mimic.services.network.state.TenantNetworking`), which holds a
reference to it: a port any tenant makes on PublicNet takes its address
from the one allocator of PublicNet's subnet in that region, so no two
tenants ever get the same address.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from attrs import define, field
from zope.interface import implementer

from mimic.cloud_content import ContentKey, quota_table
from mimic.interfaces import IMimicCore, IRegionState
from mimic.profiles import Profile
from mimic.services.network.addresses import Allocator, IPNetwork
from mimic.services.network.model import (
    EXTERNAL_NETWORK,
    PRIVATE_NETWORK,
    PROVIDER_TENANT,
    PUBLIC_NETWORK,
    SERVICE_NAME,
    Network,
    Subnet,
    mac_number,
)

#: The tenant under which the core keeps a region's shared state (not a
#: tenant id any token carries).
REGION_TENANT = "*region*"

#: Neutron's default quotas.
DEFAULT_QUOTAS = {
    "network": 100,
    "subnet": 100,
    "subnetpool": -1,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
    "rbac_policy": 10,
}

#: The subnets of the provider's networks: (id, network, name, CIDR, first
#: pool address).  The pools start where compute's servers' addresses
#: always started.
_PROVIDER_SUBNETS = (
    ("3b7f2c4e-6a1d-5e8f-9b0c-000000000004", PUBLIC_NETWORK, "public-v4", "198.18.0.0/15", "198.18.0.10"),
    ("3b7f2c4e-6a1d-5e8f-9b0c-000000000006", PUBLIC_NETWORK, "public-v6", "2001:db8:1::/64", "2001:db8:1::10"),
    ("3b7f2c4e-6a1d-5e8f-9b0c-111111111114", PRIVATE_NETWORK, "private-v4", "10.176.0.0/12", "10.176.0.10"),
    ("3b7f2c4e-6a1d-5e8f-9b0c-eeeeeeeeeee4", EXTERNAL_NETWORK, "ext-subnet", "203.0.113.0/24", "203.0.113.10"),
)


#: A DevStack cloud's subnets instead (lib/neutron's defaults): its
#: external ``public`` network's, where floating IPs come from, and its
#: ``private`` network's, where servers go (from the pool DevStack carves
#: its project subnets from, IPV4_ADDRS_SAFE_TO_USE, so that every
#: project's servers fit).
_DEVSTACK_SUBNETS = (
    ("7c1e9a52-4d0b-5f3e-8a6c-d5e7f9a1b3c4", EXTERNAL_NETWORK, "public-subnet", "172.24.4.0/24", "172.24.4.10"),
    ("7c1e9a52-4d0b-5f3e-8a6c-d5e7f9a1b3c6", EXTERNAL_NETWORK, "ipv6-public-subnet", "2001:db8::/64", "2001:db8::10"),
    ("7c1e9a52-4d0b-5f3e-8a6c-1111111111a4", PRIVATE_NETWORK, "private-subnet", "10.0.0.0/22", "10.0.0.2"),
    ("7c1e9a52-4d0b-5f3e-8a6c-1111111111a6", PRIVATE_NETWORK, "ipv6-private-subnet", "fd5e:6c0a:2b4d::/64", "fd5e:6c0a:2b4d::2"),
)


def _provider_subnet(
    subnet_id: str, network_id: str, name: str, cidr: str, first: str, now: float, owner: str = PROVIDER_TENANT
) -> Subnet:
    network: IPNetwork = ipaddress.ip_network(cidr)
    start = int(ipaddress.ip_address(first))
    end = int(network.broadcast_address) - (1 if network.version == 4 else 0)
    return Subnet(
        created_at=now,
        updated_at=now,
        revision_number=0,
        id=subnet_id,
        name=name,
        tenant_id=owner,
        network_id=network_id,
        cidr=network,
        gateway_ip=int(network.network_address) + 1,
        allocator=Allocator(network.version, ((start, end),)),
        enable_dhcp=False,
    )


#: The MAC prefix OpenStack gives ports (fa:16:3e), as a number.
_OPENSTACK_MACS = 0xFA163E000000


def _mac(number: int) -> str:
    return "fa:16:3e:%02x:%02x:%02x" % ((number >> 16) & 0xFF, (number >> 8) & 0xFF, number & 0xFF)


@implementer(IRegionState)
@define
class RegionNetworks:
    """
    The provider's networks of one region and what every tenant's ports
    there share.
    """

    networks: dict[str, Network]
    subnets: dict[str, Subnet]
    #: MAC addresses in use in the region, and the number of the next
    #: one to hand out.
    macs: set[int] = field(factory=set)
    next_mac: int = 0
    #: Each project's quotas that differ from the defaults.
    quotas: dict[str, dict[str, int]] = field(factory=dict)
    #: The defaults: Neutron's, as a configuration file's
    #: ``[quotas.network]`` changes them (set by :func:`region_networks`).
    default_quotas: dict[str, int] = field(factory=lambda: dict(DEFAULT_QUOTAS))

    @classmethod
    def create(cls, now: float, devstack_owner: str | None = None) -> "RegionNetworks":
        """
        A region's provider networks as of ``now``: Rackspace's, or with
        ``devstack_owner`` (the administrator's project) DevStack's
        (:meth:`create_devstack`).
        """
        if devstack_owner is not None:
            return cls.create_devstack(now, devstack_owner)
        networks = {
            PUBLIC_NETWORK: Network(
                created_at=now, updated_at=now, revision_number=0,
                id=PUBLIC_NETWORK, name="public", tenant_id=PROVIDER_TENANT, shared=True,
            ),
            PRIVATE_NETWORK: Network(
                created_at=now, updated_at=now, revision_number=0,
                id=PRIVATE_NETWORK, name="private", tenant_id=PROVIDER_TENANT, shared=True,
            ),
            EXTERNAL_NETWORK: Network(
                created_at=now, updated_at=now, revision_number=0,
                id=EXTERNAL_NETWORK, name="ext-net", tenant_id=PROVIDER_TENANT, external=True,
            ),
        }
        subnets = {}
        for subnet_id, network_id, name, cidr, first in _PROVIDER_SUBNETS:
            subnets[subnet_id] = _provider_subnet(subnet_id, network_id, name, cidr, first, now)
            networks[network_id].subnet_ids.append(subnet_id)
        return cls(networks, subnets)

    @classmethod
    def create_devstack(cls, now: float, owner: str) -> "RegionNetworks":
        """
        DevStack's networks, ``owner``'s: ``public``, external, and
        ``private``, shared (DevStack makes it its demo project's; here
        every project boots on it).
        """
        networks = {
            PRIVATE_NETWORK: Network(
                created_at=now, updated_at=now, revision_number=0,
                id=PRIVATE_NETWORK, name="private", tenant_id=owner, shared=True, mtu=1442,
            ),
            EXTERNAL_NETWORK: Network(
                created_at=now, updated_at=now, revision_number=0,
                id=EXTERNAL_NETWORK, name="public", tenant_id=owner, external=True,
            ),
        }
        subnets = {}
        for subnet_id, network_id, name, cidr, first in _DEVSTACK_SUBNETS:
            subnets[subnet_id] = _provider_subnet(subnet_id, network_id, name, cidr, first, now, owner)
            networks[network_id].subnet_ids.append(subnet_id)
        return cls(networks, subnets)

    def next_free_mac(self) -> str:
        """
        The next free MAC address in OpenStack's ``fa:16:3e`` range,
        not yet taken (see :meth:`claim_mac`).
        """
        number = self.next_mac
        while _OPENSTACK_MACS | number in self.macs:
            number = (number + 1) & 0xFFFFFF
        return _mac(number)

    def mac_in_use(self, mac: str) -> bool:
        return mac_number(mac) in self.macs

    def release_mac(self, mac: str) -> None:
        self.macs.discard(mac_number(mac))

    def claim_mac(self, mac: str) -> None:
        """
        Take a MAC address for a port; the next one handed out follows
        it if it was the one :meth:`next_free_mac` gave.
        """
        self.macs.add(mac_number(mac))
        while _OPENSTACK_MACS | self.next_mac in self.macs:
            self.next_mac = (self.next_mac + 1) & 0xFFFFFF

    def allocate_mac(self) -> str:
        mac = self.next_free_mac()
        self.claim_mac(mac)
        return mac

    def quotas_of(self, project_id: str) -> dict[str, int]:
        quotas = dict(self.default_quotas)
        quotas.update(self.quotas.get(project_id, {}))
        return quotas

    def summary(self) -> dict[str, Any]:
        return {"networks": sorted(self.networks), "macs_in_use": len(self.macs)}


def region_networks(core: IMimicCore, region: str) -> RegionNetworks:
    """
    The one shared networking state of a region.
    """
    state: RegionNetworks = core.region_state(
        SERVICE_NAME,
        REGION_TENANT,
        region,
        lambda: RegionNetworks.create(core.clock.seconds(), devstack_owner(core)),
    )
    # Also after a snapshot is restored: the defaults are the cloud's,
    # not the snapshot's.
    state.default_quotas = default_quotas(core.profile)
    return state


#: Where a configuration file's ``[quotas.network]`` is kept in the
#: profile's content: the quotas it changes, by Neutron's names.
QUOTAS_KEY = "quotas.network"


def default_quotas(profile: Profile) -> dict[str, int]:
    """
    Neutron's default quotas as a configuration file changes them.
    """
    changes = profile.content.get(QUOTAS_KEY)
    if not changes:
        return DEFAULT_QUOTAS
    return {**DEFAULT_QUOTAS, **changes}


def content_keys() -> tuple[ContentKey, ...]:
    """
    The network service's keys of the configuration file.
    """
    return (
        ContentKey(
            ("quotas", "network"),
            "networking's default quotas (changing Neutron's)",
            lambda value, regions: quota_table(value, (), tuple(DEFAULT_QUOTAS)),
        ),
    )


def devstack_owner(core: IMimicCore) -> str | None:
    """
    Who owns a DevStack cloud's networks (its administrator's project),
    or None where the profile keeps Rackspace's networks.
    """
    if core.profile.rackspace_extensions:
        return None
    return str(core.settings.get("identity.admin_user", "admin"))
