# -*- test-case-name: mimic.test.test_compute_model,mimic.test.test_compute_servers -*-
"""
Compute's state for one tenant in one region, and its rules, with no
HTTP in it: servers, keypairs and quotas.

A server's state is Nova's triple (``vm_state``, ``task_state``,
``power_state``), from which the API's ``status`` follows as in Nova's
state map.  Work that takes time (a reboot, a rebuild, a slow build) is a
list of timed :class:`Transition` steps on the server, applied lazily when
the server is next looked at: no timer per server, and the result is the
same whether the clock was ticked once by an hour or in small steps.

A create (:meth:`ComputeState.create_servers`) and a delete
(:meth:`ComputeState.delete_server`) are given the outcome the failure
engine decided (:mod:`mimic.services.compute.failures`) and apply it;
refusals are :class:`~mimic.services.compute.errors.ComputeError` exceptions.
Images are the Image service's, reached through the
:class:`~mimic.interfaces.IImages` contract.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import sys
import uuid
from bisect import bisect_left
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping

from attrs import define, evolve, field, frozen
from zope.interface import implementer

from mimic.interfaces import IImage, IImages, IMimicCore, IPendingEvents, IRegionState
from mimic.patterns import Pattern
from mimic.pending import PendingEvent
from mimic.services.compute.addresses import addresses_from_ports
from mimic.services.compute.errors import DeleteFailed, NoImageService, QuotaExceeded, ServerNotFound
from mimic.services.compute.failures import (
    ActiveNow,
    ActiveThenError,
    BuildFor,
    CreateOutcome,
    DeleteOutcome,
    DeleteNow,
    DeletingFor,
    ErrorNow,
    FailDeletes,
    OverQuota,
    SERVICE,
)
from mimic.profiles import DEFAULT_PROFILE, Profile
from mimic.services.compute.flavor_sets import FlavorSet, flavor_set
from mimic.services.compute.flavors import Flavor, get_flavor
from mimic.services.compute.server_groups import ServerGroupStore


# Quotas.

#: Unlimited, in Nova's quota vocabulary.
UNLIMITED = -1


@frozen
class Quotas:
    """
    A tenant's compute quotas.  ``-1`` is unlimited.  Immutable: a change
    through ``os-quota-sets`` makes new quotas for that tenant and region.
    """

    instances: int = 100
    cores: int = UNLIMITED
    ram: int = 131072
    key_pairs: int = 100
    metadata_items: int = 40
    injected_files: int = 5
    injected_file_content_bytes: int = 1000
    injected_file_path_bytes: int = 255
    security_groups: int = 10
    security_group_rules: int = 20
    floating_ips: int = 10
    fixed_ips: int = UNLIMITED
    server_groups: int = 10
    server_group_members: int = 10


#: The quotas every tenant has (Rackspace's public cloud defaults: 100
#: servers, 128 GB of RAM, cores unlimited).
DEFAULT_QUOTAS = Quotas()

#: Upstream Nova's defaults (its ``[quota]`` options: 10 servers, 20
#: cores, 50 GB of RAM, 128 metadata items), for a cloud without
#: Rackspace's extensions.
NOVA_DEFAULT_QUOTAS = Quotas(
    instances=10, cores=20, ram=51200, metadata_items=128, injected_file_content_bytes=10240
)


#: Where a configuration file's ``[quotas.compute]`` is kept in the
#: profile's content: the quotas it changes, by name
#: (:mod:`mimic.services.compute.configured`).
QUOTAS_KEY = "quotas.compute"


def default_quotas(profile: Profile) -> Quotas:
    """
    The quotas a new tenant has in a cloud of this profile: the
    profile's, as a configuration file's ``[quotas.compute]`` changes them.
    """
    base = DEFAULT_QUOTAS if profile.rackspace_extensions else NOVA_DEFAULT_QUOTAS
    changes = profile.content.get(QUOTAS_KEY)
    return evolve(base, **changes) if changes else base



@frozen
class Usage:
    """
    What a tenant's servers take of the quota.
    """

    instances: int = 0
    cores: int = 0
    ram: int = 0
    server_groups: int = 0


def usage_of(flavor_ids: Iterable[str]) -> Usage:
    """
    The usage of servers with these flavors (unknown ids count as
    instances only).
    """
    instances = cores = ram = 0
    for flavor_id in flavor_ids:
        instances += 1
        flavor = get_flavor(flavor_id)
        if flavor is not None:
            cores += flavor.vcpus
            ram += flavor.ram
    return Usage(instances, cores, ram)


def quota_exceeded_message(
    usage: Usage, flavor: Flavor, count: int = 1, quotas: Quotas = DEFAULT_QUOTAS
) -> str | None:
    """
    Nova's 403 message when ``count`` more servers of ``flavor`` would go
    over the quota, naming each resource that would be over with what
    was requested, used and allowed of it (comma-separated, as Nova
    joins them); None when they fit.
    """
    requested = {"instances": count, "cores": flavor.vcpus * count, "ram": flavor.ram * count}
    used = {"instances": usage.instances, "cores": usage.cores, "ram": usage.ram}
    allowed = {"instances": quotas.instances, "cores": quotas.cores, "ram": quotas.ram}
    overs = [
        resource
        for resource in ("instances", "cores", "ram")
        if allowed[resource] != UNLIMITED and used[resource] + requested[resource] > allowed[resource]
    ]
    if not overs:
        return None

    def joined(values: dict[str, int]) -> str:
        return ", ".join(str(values[resource]) for resource in overs)

    names = ", ".join(overs)
    return (
        f"Quota exceeded for {names}: Requested {joined(requested)}, but already used "
        f"{joined(used)} of {joined(allowed)} {names}"
    )


# Keypairs.


@frozen
class Keypair:
    """
    A stored keypair.  The private key is never stored: Nova hands it out
    once, in the create response.
    """

    id: int
    name: str
    type: str
    public_key: str
    fingerprint: str
    user_id: str
    created_at: float


@define
class KeypairStore:
    """
    The keypairs of one tenant in one region, by name, in creation order
    (the order Nova lists them in).
    """

    _by_name: dict[str, Keypair] = field(factory=dict)
    _next_id: int = 1

    def get(self, name: str) -> Keypair | None:
        return self._by_name.get(name)

    def __iter__(self) -> Iterator[Keypair]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def add(self, name: str, key_type: str, public_key: str, fingerprint: str, user_id: str, now: float) -> Keypair:
        keypair = Keypair(self._next_id, name, key_type, public_key, fingerprint, user_id, now)
        self._next_id += 1
        self._by_name[name] = keypair
        return keypair

    def delete(self, name: str) -> bool:
        return self._by_name.pop(name, None) is not None

    def summary(self) -> dict[str, Any]:
        return {"keypairs": len(self._by_name), "keypair_names": list(self._by_name)}


# Images.


@implementer(IImages)
class NoImages:
    """
    Compute's images when no plugin shares any (see
    :meth:`mimic.interfaces.IMimicCore.shared`): none to boot from, and
    no snapshots.
    """

    def get(self, image_id: str) -> IImage | None:
        return None

    def __iter__(self) -> Iterator[IImage]:
        return iter(())

    def create_snapshot(
        self,
        name: str,
        server_id: str,
        now: float,
        metadata: Mapping[str, str] | None = None,
        base_image: IImage | None = None,
    ) -> IImage:
        raise NoImageService()

    def delete(self, image_id: str) -> bool:
        return False

    def set_metadata(self, image_id: str, metadata: Mapping[str, str], now: float) -> IImage | None:
        return None


NO_IMAGES = NoImages()


# Servers.

# vm_state values (nova.compute.vm_states).
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
ERROR = "error"
DELETED = "deleted"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

# power_state values (nova.compute.power_state).
NOSTATE = 0
RUNNING = 1
POWER_PAUSED = 3
SHUTDOWN = 4

#: The API status for each vm_state, by task_state ("default" otherwise):
#: Nova's ``_STATE_MAP`` for the states Mimic's servers pass through.
STATUS_MAP: dict[str, dict[str | None, str]] = {
    ACTIVE: {
        "default": "ACTIVE",
        "reboot_started": "REBOOT",
        "reboot_started_hard": "HARD_REBOOT",
        "updating_password": "PASSWORD",
        "rebuilding": "REBUILD",
        "resize_prep": "RESIZE",
    },
    BUILDING: {"default": "BUILD"},
    STOPPED: {
        "default": "SHUTOFF",
        "resize_prep": "RESIZE",
        "rebuilding": "REBUILD",
        "reboot_started_hard": "HARD_REBOOT",
    },
    RESIZED: {"default": "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
    PAUSED: {"default": "PAUSED", "reboot_started_hard": "HARD_REBOOT"},
    SUSPENDED: {"default": "SUSPENDED", "reboot_started_hard": "HARD_REBOOT"},
    RESCUED: {"default": "RESCUE"},
    ERROR: {"default": "ERROR", "rebuilding": "REBUILD", "reboot_started_hard": "HARD_REBOOT"},
    DELETED: {"default": "DELETED"},
    SHELVED: {"default": "SHELVED"},
    SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}

#: Every status a listing may be filtered on (Nova's valid values).
KNOWN_STATUSES = frozenset(
    s for by_task in STATUS_MAP.values() for s in by_task.values()
) | {"UNKNOWN", "MIGRATING", "SHELVED", "SHELVED_OFFLOADED", "SOFT_DELETED"}

#: Progress is reported only in these statuses, as Nova does.
PROGRESS_STATUSES = frozenset(
    {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"}
)

#: Rackspace's two networks, with the ids its API uses for them.
PUBLIC_NETWORK = "00000000-0000-0000-0000-000000000000"
PRIVATE_NETWORK = "11111111-1111-1111-1111-111111111111"

_PUBLIC_V4 = int(ipaddress.IPv4Address("198.18.0.10"))
_PUBLIC_V6 = ipaddress.IPv6Address("2001:db8:1::10")
_PRIVATE_V4 = int(ipaddress.IPv4Address("10.176.0.10"))
_ISOLATED_V4 = int(ipaddress.IPv4Address("192.168.0.10"))

#: Metadata items a server may carry (Nova's ``metadata_items`` quota).
MAX_METADATA_ITEMS = DEFAULT_QUOTAS.metadata_items

#: The metadata of a server that has none: one shared, read-only mapping
#: rather than an empty dict per server (changes replace the mapping).
NO_METADATA: Mapping[str, str] = MappingProxyType({})

#: Rackspace's networks, for a server whose create request named none.
_DEFAULT_NETWORKS = ((PUBLIC_NETWORK, None), (PRIVATE_NETWORK, None))

#: The security groups a server gets when the create request names none.
DEFAULT_SECURITY_GROUPS = ("default",)

#: How long a deleted server is kept (on Mimic's clock) so that a
#: ``changes-since`` listing can show it as DELETED: a week.  Nova keeps
#: deleted instances until an operator archives them (``nova-manage db
#: archive_deleted_rows``), which deployments commonly run daily or
#: weekly; clients poll ``changes-since`` every few seconds or minutes.
DELETED_SERVER_RETENTION = 7 * 24 * 60 * 60

#: At most this many deleted servers are kept per tenant and region, the
#: oldest deletions forgotten first, so that memory stays bounded while
#: the clock stands still (Mimic's clock moves only when ticked).  A
#: client polling ``changes-since`` misses a deletion only if more than
#: this many happen between two polls.
DELETED_SERVERS_KEPT = 1000


def status_of(vm_state: str, task_state: str | None) -> str:
    by_task = STATUS_MAP.get(vm_state, {"default": "UNKNOWN"})
    return by_task.get(task_state, by_task["default"])


def admin_password() -> str:
    """
    A password like the 12-character ones Nova generates.
    """
    alphabet = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def requested_networks(networks: Any) -> tuple[tuple[str, str | None], ...] | None:
    """
    The compact form a server keeps of a create request's (validated)
    ``networks``: None for Rackspace's defaults (``public`` and
    ``private``), ``()`` for ``"none"``, else ``(network id, fixed IP or
    None)`` pairs in the order asked for.
    """
    if networks is None or networks == "auto":
        return None
    if networks == "none":
        return ()
    return tuple(
        (network.get("uuid") or network.get("port") or "", network.get("fixed_ip")) for network in networks
    )


def _dotted(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def public_v4(number: int) -> str:
    """
    The ``number``-th server's address on Rackspace's public network.
    """
    return _dotted(_PUBLIC_V4 + number)


def public_v6(number: int) -> str:
    """
    The ``number``-th server's IPv6 address on the public network.
    """
    last = 0x10 + number
    if last < 0x10000:
        return f"2001:db8:1::{last:x}"
    return str(_PUBLIC_V6 + number)


def private_v4(number: int) -> str:
    """
    The ``number``-th server's address on ServiceNet (``private``).
    """
    return _dotted(_PRIVATE_V4 + number)


def mac_for(number: int) -> str:
    """
    The MAC address of the ``number``-th server's ports.
    """
    return "fa:16:3e:%02x:%02x:%02x" % ((number >> 16) & 0xFF, (number >> 8) & 0xFF, number & 0xFF)


def _on_public(networks: tuple[tuple[str, str | None], ...] | None) -> bool:
    return networks is None or any(network_id == PUBLIC_NETWORK for network_id, _ in networks)


def addresses_for(
    number: int, networks: Any, access: tuple[str | None, str | None] = (None, None)
) -> tuple[dict[str, list[dict[str, Any]]], str, str]:
    """
    The addresses of the ``number``-th server of a region, on the networks
    the create request asked for (raw, or as :func:`requested_networks`
    keeps them): Rackspace's ``public`` (IPv4 and IPv6) and ``private``
    (ServiceNet) when it named none, nothing for ``"none"``, and for a
    list, those networks (other ids become isolated networks labelled
    with their id).  With them, the server's ``accessIPv4`` and
    ``accessIPv6``: ``access`` where set, else its public addresses, or
    empty strings off the public network (as Rackspace does).

    Derived from the server's number each time a server is shown rather
    than stored: they never change, and nested dictionaries per server
    were half of a server's memory.
    """
    if networks is not None and not isinstance(networks, tuple):
        networks = requested_networks(networks)
    access_v4, access_v6 = access
    if networks == ():
        return {}, access_v4 or "", access_v6 or ""
    mac = mac_for(number)
    addresses: dict[str, list[dict[str, Any]]] = {}
    found_v4 = found_v6 = ""
    for network_id, fixed_ip in networks if networks is not None else _DEFAULT_NETWORKS:
        if network_id == PUBLIC_NETWORK:
            found_v4, found_v6 = public_v4(number), public_v6(number)
            addresses["public"] = [
                {"version": 4, "addr": found_v4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac},
                {"version": 6, "addr": found_v6, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac},
            ]
        else:
            if network_id == PRIVATE_NETWORK:
                label, address = "private", private_v4(number)
            else:
                label, address = network_id, fixed_ip or _dotted(_ISOLATED_V4 + number)
            addresses[label] = [
                {"version": 4, "addr": address, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": mac}
            ]
    return (
        addresses,
        found_v4 if access_v4 is None else access_v4,
        found_v6 if access_v6 is None else access_v6,
    )


def public_access_ips(number: int, networks: Any) -> tuple[str, str]:
    """
    The (IPv4, IPv6) a server's ``accessIPv4``/``accessIPv6`` show when
    the create request set none: its public addresses, or empty strings
    when it is not on the public network.
    """
    if _on_public(networks):
        return public_v4(number), public_v6(number)
    return "", ""


@frozen
class Transition:
    """
    A change due at ``at``: the server's new (vm_state, task_state,
    power_state), and optionally more to do (``apply``), or its removal.
    """

    at: float
    vm_state: str
    task_state: str | None
    power_state: int
    apply: Callable[["Server"], None] | None = None
    gone: bool = False


@frozen
class GoToError:
    """
    What a step does once applied: the server fails with Nova's fault
    ``message`` (a known error condition striking after a build or an
    action).  A value rather than a closure, so that a snapshot can save
    the steps still to come (see :mod:`mimic.services.compute.persistence`).
    """

    message: str

    def __call__(self, server: "Server") -> None:
        server.go_to_error(server.updated, self.message)


@define(eq=False)
class Server:
    """
    One server.  Slotted, and holding only what is its own: what follows
    from other fields (addresses, default access IPs) is derived when the
    server is shown, and values many servers share (no metadata, the
    default security group, the tenant's host id) are shared objects.
    """

    id: str
    #: The server's place in its region's creation order (1, 2, ...),
    #: from which its addresses and MAC are derived.
    number: int
    name: str
    tenant_id: str
    user_id: str
    image_id: str
    flavor_id: str
    created: float
    updated: float
    host_id: str
    admin_pass: str
    metadata: Mapping[str, str] = NO_METADATA
    #: What the create request asked for (see :func:`requested_networks`).
    networks: tuple[tuple[str, str | None], ...] | None = None
    key_name: str | None = None
    availability_zone: str = "nova"
    disk_config: str = "AUTO"
    config_drive: str = ""
    #: None until set: the server's public addresses are shown then.
    _access_ipv4: str | None = None
    _access_ipv6: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = DEFAULT_SECURITY_GROUPS
    user_data: str | None = None
    vm_state: str = BUILDING
    task_state: str | None = "scheduling"
    power_state: int = NOSTATE
    progress: int = 0
    launched_at: float | None = None
    terminated_at: float | None = None
    fault: dict[str, Any] | None = None
    locked: bool = False
    #: Why it was locked (2.73), and whether an administrator locked it
    #: (then only an administrator may unlock it).
    locked_reason: str | None = None
    locked_by_admin: bool = False
    #: The snapshot a shelve made, which an unshelve boots from and deletes.
    shelved_image_id: str | None = None
    #: The flavor before a resize, until it is confirmed or reverted.
    old_flavor_id: str | None = None
    #: The vm_state a resize started from (active or stopped).
    resized_from: str | None = None
    #: How many deletes of this server a delete_server_failure has failed.
    failed_deletes: int = 0
    #: Transitions still to come, earliest first.
    pending: tuple[Transition, ...] = ()
    #: Its volumes, as Nova's block device mappings keep them (see
    #: :mod:`mimic.services.compute.volumes`), in attach order.
    block_devices: tuple[Any, ...] = ()
    #: What was done to its volumes, as Nova's instance actions.
    instance_actions: tuple[Any, ...] = ()
    #: How to reach the tenant's networking (an
    #: :class:`~mimic.interfaces.INetworking`, asked of the core) when a
    #: network service is loaded: the server's addresses are read from
    #: its ports there (see :mod:`mimic.services.compute.networking`).
    #: A lookup, not the network service's state, which compute does not
    #: own (and which holds what the region's tenants share).
    networking_lookup: Callable[[], Any] | None = None
    #: The ports the user passed in (on create, or attached), which a
    #: delete releases rather than deletes, as Nova does.
    user_ports: tuple[str, ...] = ()
    #: The id of the server group it joined on create, if any (see
    #: :mod:`mimic.services.compute.server_groups`).
    server_group: str | None = None
    #: Its image's properties as Nova recorded them when it was built or
    #: rebuilt (shown from 2.98; see
    #: :func:`mimic.services.compute.images.image_properties`).
    image_properties: tuple[tuple[str, str], ...] = ()
    #: The scheduler hints its create gave, each hint's values as a list
    #: as Nova keeps them (shown from 2.100).
    scheduler_hints: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def networking(self) -> Any:
        """
        The tenant's networking, when the server's ports are the network
        service's; else None.
        """
        lookup = self.networking_lookup
        return None if lookup is None else lookup()

    @property
    def addresses(self) -> dict[str, list[dict[str, Any]]]:
        """
        The server's addresses by network label, as Nova shows them.
        """
        return self.addresses_and_access_ips()[0]

    def addresses_and_access_ips(self, networking: Any = None) -> tuple[dict[str, list[dict[str, Any]]], str, str]:
        """
        Its addresses, ``accessIPv4`` and ``accessIPv6``, derived at once
        (from the ports in ``networking``, the tenant's networking the
        request already looked up, if given).
        """
        if self.networking_lookup is None:
            networking = None
        elif networking is None:
            networking = self.networking
        if networking is not None:
            return addresses_from_ports(
                networking, self.id, (self._access_ipv4, self._access_ipv6), PUBLIC_NETWORK
            )
        return addresses_for(self.number, self.networks, (self._access_ipv4, self._access_ipv6))

    @property
    def access_ipv4(self) -> str:
        if self.networking is not None:
            return self.addresses_and_access_ips()[1]
        if self._access_ipv4 is None:
            return public_access_ips(self.number, self.networks)[0]
        return self._access_ipv4

    @access_ipv4.setter
    def access_ipv4(self, value: str) -> None:
        self._access_ipv4 = value

    @property
    def access_ipv6(self) -> str:
        if self.networking is not None:
            return self.addresses_and_access_ips()[2]
        if self._access_ipv6 is None:
            return public_access_ips(self.number, self.networks)[1]
        return self._access_ipv6

    @access_ipv6.setter
    def access_ipv6(self, value: str) -> None:
        self._access_ipv6 = value

    @property
    def hostname(self) -> str:
        """
        The guest's hostname, which Nova derives from the display name.
        """
        cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in self.name.lower())
        return cleaned.strip("-")[:63] or "server"

    @property
    def status(self) -> str:
        return status_of(self.vm_state, self.task_state)

    def settle(self, now: float) -> bool:
        """
        Apply every transition due by ``now``; True if the server is gone.
        """
        while self.pending and self.pending[0].at <= now:
            step = self.pending[0]
            self.pending = self.pending[1:]
            if step.gone:
                self.vm_state, self.task_state = DELETED, None
                self.terminated_at = self.updated = step.at
                return True
            self.vm_state = step.vm_state
            self.task_state = step.task_state
            self.power_state = step.power_state
            self.updated = step.at
            if self.vm_state == ACTIVE and self.launched_at is None:
                self.launched_at = step.at
            self.progress = 100 if self.vm_state != BUILDING else 0
            if step.apply is not None:
                step.apply(self)
        return False

    def set_state(
        self, now: float, vm_state: str, task_state: str | None, power_state: int
    ) -> None:
        self.vm_state, self.task_state, self.power_state = vm_state, task_state, power_state
        self.updated = now
        if vm_state == ACTIVE and self.launched_at is None:
            self.launched_at = now

    def schedule(self, *steps: Transition) -> None:
        """
        Add timed steps.  Use :meth:`ComputeState.schedule` for a server
        already in a state, so that the state knows to settle it.
        """
        self.pending = self.pending + steps

    def cancel_pending(self) -> None:
        self.pending = ()

    def upcoming(self, now: float) -> Iterator[tuple[float, str]]:
        """
        (when, what a client will see) of each transition still due
        after ``now``, read without applying any: ``becomes ACTIVE``,
        ``ends image_snapshot (ACTIVE)``, ``stays BUILD
        (block_device_mapping)``, ``is deleted``.
        """
        shown, task = self.status, self.task_state
        for step in self.pending:
            if step.gone:
                if step.at > now:
                    yield step.at, "is deleted"
                return
            status = status_of(step.vm_state, step.task_state)
            if step.at > now:
                if status != shown:
                    yield step.at, f"becomes {status}"
                elif step.task_state is None and task is not None:
                    yield step.at, f"ends {task} ({status})"
                else:
                    yield step.at, f"stays {status} ({step.task_state or step.vm_state})"
            shown, task = status, step.task_state

    def go_to_error(self, at: float, message: str, code: int = 500) -> None:
        """
        Fail the server as Nova does: vm_state error, with a fault.
        """
        self.set_state(at, ERROR, None, self.power_state)
        self.fault = {"code": code, "message": message, "created": at}

    @property
    def being_deleted(self) -> bool:
        """
        Whether a delete was accepted and the server is still to go.
        """
        return self.task_state == "deleting"

    def change(self, now: float, changes: Mapping[str, Any]) -> None:
        """
        Set attributes (name, access IPs, disk config, description, as a
        server update gives them).
        """
        for attribute, value in changes.items():
            setattr(self, attribute, value)
        self.updated = now

    def set_metadata(self, now: float, metadata: Mapping[str, str]) -> None:
        self.metadata = metadata
        self.updated = now


#: A guest's boot log, as ``os-getConsoleOutput`` shows it: long enough
#: that a client asking for the last few lines (tempest asks for 10) gets
#: that many, with the server's own names filled in.
_CONSOLE_LOG = (
    "[    0.000000] Linux version 5.15.0-mimic (mimic@build) (gcc 11.4.0) #1 SMP",
    "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=LABEL=cloudimg-rootfs ro console=ttyS0",
    "[    0.000000] BIOS-provided physical RAM map:",
    "[    0.000000] Hypervisor detected: KVM",
    "[    0.004000] Memory: 1004416K/1048056K available",
    "[    0.120000] smpboot: Allowing 1 CPUs, 0 hotplug CPUs",
    "[    0.450000] virtio_blk virtio2: [vda] 41943040 512-byte logical blocks",
    "[    0.480000]  vda: vda1",
    "[    0.900000] EXT4-fs (vda1): mounted filesystem with ordered data mode",
    "[    1.200000] systemd[1]: Detected virtualization kvm.",
    "[    1.210000] systemd[1]: Set hostname to <{hostname}>.",
    "[  OK  ] Started Journal Service.",
    "[  OK  ] Reached target Local File Systems.",
    "[  OK  ] Started Initial cloud-init job (pre-networking).",
    "[  OK  ] Reached target Network.",
    "[  OK  ] Started Initial cloud-init job (metadata service crawler).",
    "Cloud-init v. 23.1 running 'init' : instance {server_id}",
    "ci-info: +++++++++++++++++++++++Net device info+++++++++++++++++++++++",
    "ci-info: | Device |  Up  |   Address   |    Mask   | Scope  |",
    "ci-info: |  eth0  | True | {address} | 255.255.255.0 | global |",
    "Generating public/private rsa key pair.",
    "[  OK  ] Started OpenSSH server daemon.",
    "[  OK  ] Reached target Multi-User System.",
    "Cloud-init v. 23.1 finished. Datasource DataSourceConfigDrive.  Up 9.42 seconds",
    "",
    "Mimic console of {name} ({server_id})",
    "",
    "{hostname} login: ",
)


def console_log(server: Server) -> list[str]:
    """
    The lines of the server's console log (see :data:`_CONSOLE_LOG`).
    """
    addresses = [a["addr"] for network in server.addresses.values() for a in network if a["version"] == 4]
    fields = {
        "hostname": server.hostname,
        "name": server.name,
        "server_id": server.id,
        "address": addresses[0] if addresses else "-",
    }
    return [line.format(**fields) for line in _CONSOLE_LOG]


def _start(server: Server, now: float, start: CreateOutcome) -> None:
    """
    Set a new server on its way as the create's outcome says: ACTIVE at
    once unless a known error condition says otherwise.
    """
    active = (ACTIVE, None, RUNNING)
    if isinstance(start, BuildFor):
        server.set_state(now, BUILDING, "spawning", NOSTATE)
        server.schedule(Transition(now + start.seconds, *active))
    elif isinstance(start, ErrorNow):
        server.set_state(now, BUILDING, None, NOSTATE)
        server.go_to_error(now, start.message)
    else:
        server.set_state(now, *active)
        server.progress = 100
        if isinstance(start, ActiveThenError):
            server.schedule(
                Transition(
                    now + start.seconds,
                    ERROR,
                    None,
                    RUNNING,
                    apply=GoToError(start.message),
                )
            )


@define
class ServerSpec:
    """
    The servers a create request asks for, validated (by
    :func:`mimic.services.compute.validation.server_create`).
    """

    name: str
    flavor: Flavor
    #: Empty for a server booted from a volume.
    image_id: str
    metadata: Mapping[str, str]
    key_name: str | None
    #: See :func:`requested_networks`.
    networks: tuple[tuple[str, str | None], ...] | None
    disk_config: str
    #: Empty when the request set none.
    access_ipv4: str
    access_ipv6: str
    description: str | None
    admin_pass: str | None
    user_data: str | None
    tags: tuple[str, ...]
    security_groups: tuple[str, ...]
    availability_zone: str
    config_drive: str
    min_count: int
    max_count: int
    return_reservation_id: bool
    #: ``block_device_mapping_v2``, validated (see
    #: :mod:`mimic.services.compute.block_devices`).
    block_devices: tuple[Any, ...] = ()
    #: The image's properties the servers keep (see :attr:`Server.image_properties`).
    image_properties: tuple[tuple[str, str], ...] = ()
    #: ``os:scheduler_hints`` (see :attr:`Server.scheduler_hints`).
    scheduler_hints: tuple[tuple[str, tuple[str, ...]], ...] = ()


@define
class ServerFilters:
    """
    What a server listing's query asks for (by
    :func:`mimic.services.compute.validation.listing_filters`); None
    filters nothing.  With a change time, the listing holds deleted
    servers too.
    """

    changed_after: float | None = None
    changed_before: float | None = None
    status: str | None = None
    name: Pattern | None = None
    image_id: str | None = None
    flavor_id: str | None = None
    ipv4: Pattern | None = None
    ipv6: Pattern | None = None
    key_name: str | None = None
    #: Tag filters (a :class:`~mimic.services.compute.tags.TagFilter`).
    tags: Any = None

    def _by_address(self, servers: list[Server], pattern: Pattern, version: int) -> list[Server]:
        return [
            s
            for s in servers
            if any(
                a["version"] == version and pattern.search(a["addr"])
                for addresses in s.addresses.values()
                for a in addresses
            )
        ]

    def apply(self, servers: list[Server]) -> list[Server]:
        """
        The servers that pass every filter, in the order given.
        """
        if self.changed_after is not None or self.changed_before is not None:
            after, before = self.changed_after, self.changed_before
            servers = [
                s
                for s in servers
                if (after is None or s.updated >= after) and (before is None or s.updated <= before)
            ]
        if self.status is not None:
            servers = [s for s in servers if s.status == self.status]
        if self.name is not None:
            name = self.name
            servers = [s for s in servers if name.search(s.name)]
        if self.image_id is not None:
            servers = [s for s in servers if s.image_id == self.image_id]
        if self.flavor_id is not None:
            servers = [s for s in servers if s.flavor_id == self.flavor_id]
        if self.ipv4 is not None:
            servers = self._by_address(servers, self.ipv4, 4)
        if self.ipv6 is not None:
            servers = self._by_address(servers, self.ipv6, 6)
        if self.key_name is not None:
            servers = [s for s in servers if s.key_name == self.key_name]
        if self.tags is not None:
            tags = self.tags
            servers = [s for s in servers if tags.matches(s.tags)]
        return servers


def _number_of(server: Server) -> int:
    return server.number


@implementer(IRegionState, IPendingEvents)
@define
class ComputeState:
    """
    One tenant's compute in one region.

    Servers are kept in a dict by id and in a list in creation order
    (their numbers ascend), so a page of a listing (newest first, as Nova
    sorts) starts at a marker found by bisection and costs the page's
    length, not the tenant's size.  Servers with timed transitions still
    to come are also kept apart, so that bringing the whole region up to
    now costs only as many of them as there are.
    """

    tenant_id: str
    region: str
    servers: dict[str, Server] = field(factory=dict)
    #: Servers gone, kept so ``changes-since`` can report them as DELETED,
    #: in the order they went: for :data:`DELETED_SERVER_RETENTION`
    #: seconds, and no more than :data:`DELETED_SERVERS_KEPT` of them.
    deleted: dict[str, Server] = field(factory=dict)
    numbers: Iterator[int] = field(factory=lambda: iter(range(1, 1 << 62)))
    #: This tenant's images here, as the Image service keeps them (the
    #: plugin hands them over; see :meth:`mimic.interfaces.IMimicCore.shared`).
    images: IImages = NO_IMAGES
    #: How to reach this tenant's networking here, as the network
    #: service keeps it (an :class:`~mimic.interfaces.INetworking`,
    #: asked of the core), set by the plugin on each request; None when
    #: no plugin provides one.
    networking_lookup: Callable[[], Any] | None = None
    keypairs: KeypairStore = field(factory=KeypairStore)
    #: Its server groups (see :mod:`mimic.services.compute.server_groups`).
    server_groups: ServerGroupStore = field(factory=ServerGroupStore)
    #: This tenant's quotas here: Nova's defaults until ``os-quota-sets``
    #: changes them.
    quotas: Quotas = DEFAULT_QUOTAS
    #: Running totals of what the servers use, for quota checks in O(1).
    cores_used: int = 0
    ram_used: int = 0
    #: Mimic's clock, so that :meth:`summary` shows servers as they are
    #: now (None: as last settled).
    clock: Any = None
    #: Seconds each timed transition takes (``reboot``, ``build`` ...),
    #: from the ``compute.*_seconds`` settings, set by the plugin on each
    #: request; a transition not here takes its default.
    durations: Mapping[str, float] = field(factory=dict)
    #: The cloud Mimic pretends to be: which flavors exist, which quotas
    #: are the defaults.
    profile: Profile = DEFAULT_PROFILE
    #: The live servers in creation order.
    _order: list[Server] = field(factory=list)
    #: Live servers with transitions pending, by id.
    _unsettled: dict[str, Server] = field(factory=dict)
    _host_id: str | None = None

    @property
    def host_id(self) -> str:
        """
        Nova's ``hostId`` for this tenant's servers here (one string,
        shared by every server).
        """
        if self._host_id is None:
            self._host_id = hashlib.sha224(f"{self.tenant_id}{self.region}-host".encode()).hexdigest()
        return self._host_id

    @property
    def flavors(self) -> FlavorSet:
        """
        The flavors of this cloud (its profile's).
        """
        return flavor_set(self.profile, self.region)

    @property
    def default_quotas(self) -> Quotas:
        """
        What ``os-quota-sets`` reverts to and shows as the defaults.
        """
        return default_quotas(self.profile)

    @property
    def networking(self) -> Any:
        """
        This tenant's networking here, or None without a network service.
        """
        lookup = self.networking_lookup
        return None if lookup is None else lookup()

    def get(self, server_id: str, now: float) -> Server | None:
        """
        The live server with this id, brought up to ``now``.
        """
        server = self.servers.get(server_id)
        if server is not None and server.pending and server.settle(now):
            self._forget(server)
            return None
        return server

    def require(self, server_id: str, now: float) -> Server:
        """
        :meth:`get`, or :class:`ServerNotFound`.
        """
        server = self.get(server_id, now)
        if server is None:
            raise ServerNotFound(server_id)
        return server

    def schedule(self, server: Server, *steps: Transition) -> None:
        """
        Add timed steps to a server of this region.
        """
        server.schedule(*steps)
        if server.id in self.servers:
            self._unsettled[server.id] = server

    def settle(self, now: float) -> None:
        """
        Bring every server with pending transitions up to ``now``.
        """
        for server in list(self._unsettled.values()):
            if server.settle(now):
                self._forget(server)
            elif not server.pending:
                del self._unsettled[server.id]

    def _forget(self, server: Server) -> None:
        del self.servers[server.id]
        self._unsettled.pop(server.id, None)
        index = bisect_left(self._order, server.number, key=_number_of)
        if index < len(self._order) and self._order[index] is server:
            del self._order[index]
        self.deleted[server.id] = server
        self.server_groups.leave(server.id)
        self._count(server.flavor_id, -1)
        if server.old_flavor_id is not None:
            self._count(server.old_flavor_id, -1)
        self.forget_deleted(server.updated)

    def forget_deleted(self, now: float) -> None:
        """
        Drop the deleted servers kept longer than
        :data:`DELETED_SERVER_RETENTION`, and the oldest beyond
        :data:`DELETED_SERVERS_KEPT`.  They are kept in the order they
        went, so this costs one step per server dropped.
        """
        deleted = self.deleted
        while deleted:
            oldest = next(iter(deleted.values()))
            if len(deleted) <= DELETED_SERVERS_KEPT and oldest.updated + DELETED_SERVER_RETENTION > now:
                break
            del deleted[oldest.id]

    def _count(self, flavor_id: str, sign: int) -> None:
        flavor = self.flavors.get(flavor_id)
        if flavor is not None:
            self.cores_used += sign * flavor.vcpus
            self.ram_used += sign * flavor.ram

    def start_resize(self, server: Server, flavor_id: str) -> None:
        """
        Hold both flavors while a resize is unconfirmed, as Nova's
        quota does.
        """
        server.old_flavor_id, server.flavor_id = server.flavor_id, flavor_id
        self._count(flavor_id, 1)

    def finish_resize(self, server: Server, keep_new: bool) -> None:
        """
        Confirm (keep the new flavor) or revert (go back to the old one).
        """
        if server.old_flavor_id is None:
            return
        if keep_new:
            self._count(server.old_flavor_id, -1)
        else:
            self._count(server.flavor_id, -1)
            server.flavor_id = server.old_flavor_id
        server.old_flavor_id = None

    def live(self, now: float) -> list[Server]:
        """
        Every live server, newest first, brought up to ``now``.
        """
        self.settle(now)
        return self._order[::-1]

    def page(self, now: float, limit: int, marker: str | None) -> tuple[list[Server], bool] | None:
        """
        One page of the unfiltered listing, newest first: at most
        ``limit`` live servers older than the one with id ``marker``
        (from the newest without one), and whether more follow.  None if
        the marker names no live server.  Costs the page's length (plus
        a bisection), however many servers the tenant has.
        """
        self.settle(now)
        end = len(self._order)
        if marker is not None:
            server = self.servers.get(marker)
            if server is None:
                return None
            end = bisect_left(self._order, server.number, key=_number_of)
        start = max(0, end - limit)
        return self._order[start:end][::-1], start > 0

    def add(self, server: Server) -> None:
        self.servers[server.id] = server
        self._order.append(server)
        if server.pending:
            self._unsettled[server.id] = server
        self._count(server.flavor_id, 1)

    def remove(self, server: Server, now: float) -> None:
        server.vm_state, server.task_state = DELETED, None
        server.terminated_at = server.updated = now
        self._forget(server)

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def usage(self, now: float) -> Usage:
        """
        What the live servers use of the quota (a server mid-resize
        counts with both flavors), from running totals.
        """
        self.settle(now)
        return Usage(len(self.servers), self.cores_used, self.ram_used, len(self.server_groups))

    def over_quota(self, count: int, flavor_id: str, now: float | None = None) -> str | None:
        """
        Nova's quota message if ``count`` more servers of this flavor
        would exceed the tenant's quotas, else None.  Usage comes from
        running totals, so this costs the same for any number of servers.
        """
        flavor = self.flavors.get(flavor_id)
        if flavor is None:
            return None
        if now is not None:
            self.settle(now)
        usage = Usage(len(self.servers), self.cores_used, self.ram_used)
        return quota_exceeded_message(usage, flavor, count, self.quotas)

    def matching(self, filters: ServerFilters, now: float) -> list[Server]:
        """
        The servers a filtered listing shows, newest first; deleted ones
        too when the filters ask for changes since (or before) a time.
        """
        servers = self.live(now)
        if filters.changed_after is not None or filters.changed_before is not None:
            self.forget_deleted(now)
            servers = servers + list(reversed(self.deleted.values()))
            servers.sort(key=lambda s: s.created, reverse=True)
        return filters.apply(servers)

    def create_servers(self, spec: ServerSpec, start: CreateOutcome, user_id: str, now: float) -> list[Server]:
        """
        Make the servers a create asks for (``max_count`` if the quota
        has room, else ``min_count``) and set them on their way as the
        create's outcome says.  :class:`QuotaExceeded` when not even
        ``min_count`` fit, or a known error condition says the quota is
        used up.
        """
        if isinstance(start, OverQuota):
            used = len(self.servers)
            raise QuotaExceeded(
                f"Quota exceeded for instances: Requested {spec.min_count}, but already used "
                f"{used} of {used} instances"
            )
        flavor_id = spec.flavor.id
        quota = self.over_quota(spec.min_count, flavor_id, now)
        if quota is not None:
            raise QuotaExceeded(quota)
        if isinstance(start, ActiveNow) and self.durations.get("build", 0.0) > 0:
            start = BuildFor(self.durations["build"])
        count = spec.max_count
        if self.over_quota(count, flavor_id) is not None:
            count = spec.min_count
        # None: the server shows its public addresses, while the request
        # set no access address and the server is on the public network.
        # A request that sets either keeps what it set (as Nova does), and
        # the other stays empty: the client manages its access addresses.
        derive_access = not spec.access_ipv4 and not spec.access_ipv6 and _on_public(spec.networks)
        access_ipv4 = None if derive_access else spec.access_ipv4
        access_ipv6 = None if derive_access else spec.access_ipv6
        # Interned: servers made in bulk share a name and an image.
        image_id = sys.intern(spec.image_id)
        created = []
        for index in range(count):
            display_name = spec.name if count == 1 else f"{spec.name}-{index + 1}"
            server = Server(
                id=self.new_id(),
                number=next(self.numbers),
                name=sys.intern(display_name),
                tenant_id=self.tenant_id,
                user_id=user_id,
                image_id=image_id,
                flavor_id=flavor_id,
                created=now,
                updated=now,
                host_id=self.host_id,
                admin_pass=spec.admin_pass or admin_password(),
                metadata=dict(spec.metadata) if spec.metadata else NO_METADATA,
                networks=spec.networks,
                key_name=spec.key_name,
                availability_zone=spec.availability_zone,
                disk_config=spec.disk_config,
                config_drive=spec.config_drive,
                access_ipv4=access_ipv4,
                access_ipv6=access_ipv6,
                description=spec.description,
                tags=spec.tags,
                user_data=spec.user_data,
                security_groups=spec.security_groups,
                image_properties=spec.image_properties,
                scheduler_hints=spec.scheduler_hints,
            )
            _start(server, now, start)
            self.add(server)
            created.append(server)
        return created

    def delete_server(self, server: Server, outcome: DeleteOutcome, now: float) -> None:
        """
        Delete a server as the delete's outcome says: at once, after a
        while, or not at all (:class:`DeleteFailed`) while a known error
        condition fails its deletes.
        """
        if isinstance(outcome, DeleteNow) and self.durations.get("delete", 0.0) > 0:
            outcome = DeletingFor(self.durations["delete"])
        if isinstance(outcome, FailDeletes):
            if outcome.times is None or server.failed_deletes < outcome.times:
                server.failed_deletes += 1
                raise DeleteFailed(outcome.code, outcome.message)
        elif isinstance(outcome, DeletingFor):
            server.set_state(now, server.vm_state, "deleting", server.power_state)
            server.cancel_pending()
            self.schedule(
                server, Transition(now + outcome.seconds, server.vm_state, None, NOSTATE, gone=True)
            )
            if outcome.seconds <= 0:
                self.get(server.id, now)
            return
        self.remove(server, now)

    def pending_events(self, now: float) -> list[PendingEvent]:
        """
        The transitions the servers still have to come (the clock's
        pending events), read without settling anything.
        """
        return [
            PendingEvent(at, "server", server.id, server.name, event)
            for server in self._unsettled.values()
            for at, event in server.upcoming(now)
        ]

    def summary(self) -> dict[str, Any]:
        images = self.images
        if self.clock is not None:
            self.settle(self.clock.seconds())
        return {
            "servers": len(self.servers),
            "server_ids": sorted(self.servers),
            # Each server as the dashboard lists it, with the path of its
            # JSON below the tenant's compute endpoint.
            "server_list": [
                {
                    "id": server.id,
                    "name": server.name,
                    "status": server.status,
                    "task_state": server.task_state,
                    "path": f"v2/{self.tenant_id}/servers/{server.id}",
                }
                for server in self._order
            ],
            "deleted_servers": len(self.deleted),
            "images": IRegionState(images).summary() if IRegionState.providedBy(images) else {},
            "keypairs": len(self.keypairs),
        }


def region_compute(core: IMimicCore, tenant_id: str, region: str) -> ComputeState:
    """
    One tenant's compute in one region, kept by the core under the
    service's name and made empty on first use: what the plugin serves and
    the old control entry changes.
    """
    return core.region_state(
        SERVICE,
        tenant_id,
        region,
        lambda: ComputeState(
            tenant_id,
            region,
            clock=core.clock,
            profile=core.profile,
            quotas=default_quotas(core.profile),
        ),
    )
