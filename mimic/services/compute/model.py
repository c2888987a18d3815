# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Servers: Nova's state for one tenant in one region, with no HTTP in it.

A server's state is Nova's triple (``vm_state``, ``task_state``,
``power_state``), from which the API's ``status`` follows as in Nova's
state map.  Work that takes time (a reboot, a rebuild, a slow build) is a
list of timed :class:`Transition` steps on the server, applied lazily when
the server is next looked at: no timer per server, and the result is the
same whether the clock was ticked once by an hour or in small steps.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import uuid
from typing import Any, Callable, Iterator

from attrs import define, field, frozen
from zope.interface import implementer

from mimic.interfaces import IRegionState
from mimic.services.compute.flavors import get_flavor
from mimic.services.compute.keypairs import KeypairStore
from mimic.services.compute.limits import DEFAULT_QUOTAS, Usage, quota_exceeded_message
from mimic.services.image.model import ImageStore

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

_PUBLIC_V4 = ipaddress.IPv4Address("198.18.0.10")
_PUBLIC_V6 = ipaddress.IPv6Address("2001:db8:1::10")
_PRIVATE_V4 = ipaddress.IPv4Address("10.176.0.10")
_ISOLATED_V4 = ipaddress.IPv4Address("192.168.0.10")

#: Metadata items a server may carry (Nova's ``metadata_items`` quota).
MAX_METADATA_ITEMS = DEFAULT_QUOTAS.metadata_items


def status_of(vm_state: str, task_state: str | None) -> str:
    by_task = STATUS_MAP.get(vm_state, {"default": "UNKNOWN"})
    return by_task.get(task_state, by_task["default"])


def admin_password() -> str:
    """
    A password like the 12-character ones Nova generates.
    """
    alphabet = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def _address(version: int, address: Any, mac: str) -> dict[str, Any]:
    return {
        "version": version,
        "addr": str(address),
        "OS-EXT-IPS:type": "fixed",
        "OS-EXT-IPS-MAC:mac_addr": mac,
    }


def addresses_for(number: int, networks: Any) -> dict[str, list[dict[str, Any]]]:
    """
    The addresses of the ``number``-th server of a region, on the networks
    the create request asked for: Rackspace's ``public`` (IPv4 and IPv6)
    and ``private`` (ServiceNet) when it named none, nothing for
    ``"none"``, and for a list, those networks (other ids become isolated
    networks labelled with their id).
    """
    mac = "fa:16:3e:%02x:%02x:%02x" % ((number >> 16) & 0xFF, (number >> 8) & 0xFF, number & 0xFF)
    public = [_address(4, _PUBLIC_V4 + number, mac), _address(6, _PUBLIC_V6 + number, mac)]
    private = [_address(4, _PRIVATE_V4 + number, mac)]
    if networks is None or networks == "auto":
        return {"public": public, "private": private}
    if networks == "none":
        return {}
    addresses: dict[str, list[dict[str, Any]]] = {}
    for network in networks:
        network_id = network.get("uuid") or network.get("port") or ""
        if network_id == PUBLIC_NETWORK:
            addresses["public"] = public
        elif network_id == PRIVATE_NETWORK:
            addresses["private"] = private
        else:
            fixed = network.get("fixed_ip") or str(_ISOLATED_V4 + number)
            addresses[network_id] = [_address(4, fixed, mac)]
    return addresses


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


@define(eq=False)
class Server:
    id: str
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
    metadata: dict[str, str] = field(factory=dict)
    addresses: dict[str, list[dict[str, Any]]] = field(factory=dict)
    key_name: str | None = None
    availability_zone: str = "nova"
    disk_config: str = "AUTO"
    config_drive: str = ""
    access_ipv4: str = ""
    access_ipv6: str = ""
    description: str | None = None
    tags: list[str] = field(factory=list)
    security_groups: list[str] = field(factory=lambda: ["default"])
    user_data: str | None = None
    vm_state: str = BUILDING
    task_state: str | None = "scheduling"
    power_state: int = NOSTATE
    progress: int = 0
    launched_at: float | None = None
    terminated_at: float | None = None
    fault: dict[str, Any] | None = None
    locked: bool = False
    #: The flavor before a resize, until it is confirmed or reverted.
    old_flavor_id: str | None = None
    #: The vm_state a resize started from (active or stopped).
    resized_from: str | None = None
    #: How many deletes of this server a delete_server_failure has failed.
    failed_deletes: int = 0
    pending: list[Transition] = field(factory=list)

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
            step = self.pending.pop(0)
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
        self.pending.extend(steps)

    def go_to_error(self, at: float, message: str, code: int = 500) -> None:
        """
        Fail the server as Nova does: vm_state error, with a fault.
        """
        self.set_state(at, ERROR, None, self.power_state)
        self.fault = {"code": code, "message": message, "created": at}


@implementer(IRegionState)
@define
class ComputeState:
    """
    One tenant's compute in one region.  Servers are kept in a dict by id,
    in creation order, so a listing (newest first, as Nova sorts) is one
    reversed walk.
    """

    tenant_id: str
    region: str
    servers: dict[str, Server] = field(factory=dict)
    #: Servers gone, kept so ``changes-since`` can report them as DELETED.
    deleted: dict[str, Server] = field(factory=dict)
    numbers: Iterator[int] = field(factory=lambda: iter(range(1, 1 << 62)))
    #: The Image service's store for this tenant and region (the plugin
    #: hands it over; see :func:`mimic.services.image.model.image_store`).
    images: ImageStore = field(factory=ImageStore)
    keypairs: KeypairStore = field(factory=KeypairStore)
    #: Running totals of what the servers use, for quota checks in O(1).
    cores_used: int = 0
    ram_used: int = 0

    @property
    def host_id(self) -> str:
        return hashlib.sha224(f"{self.tenant_id}{self.region}-host".encode()).hexdigest()

    def get(self, server_id: str, now: float) -> Server | None:
        """
        The live server with this id, brought up to ``now``.
        """
        server = self.servers.get(server_id)
        if server is not None and server.settle(now):
            self._forget(server)
            return None
        return server

    def _forget(self, server: Server) -> None:
        del self.servers[server.id]
        self.deleted[server.id] = server
        self._count(server.flavor_id, -1)
        if server.old_flavor_id is not None:
            self._count(server.old_flavor_id, -1)

    def _count(self, flavor_id: str, sign: int) -> None:
        flavor = get_flavor(flavor_id)
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
        gone = [s for s in self.servers.values() if s.settle(now)]
        for server in gone:
            self._forget(server)
        return list(reversed(self.servers.values()))

    def add(self, server: Server) -> None:
        self.servers[server.id] = server
        self._count(server.flavor_id, 1)

    def remove(self, server: Server, now: float) -> None:
        server.vm_state, server.task_state = DELETED, None
        server.terminated_at = server.updated = now
        self._forget(server)

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def flavor_ids_in_use(self, now: float) -> list[str]:
        """
        The flavor ids of the servers that count against quota (a server
        mid-resize counts with both flavors).
        """
        used = []
        for server in self.live(now):
            used.append(server.flavor_id)
            if server.old_flavor_id is not None:
                used.append(server.old_flavor_id)
        return used

    def over_quota(self, count: int, flavor_id: str) -> str | None:
        """
        Nova's quota message if ``count`` more servers of this flavor
        would exceed the tenant's quotas, else None.  Usage comes from
        running totals, so this costs the same for any number of servers.
        """
        flavor = get_flavor(flavor_id)
        if flavor is None:
            return None
        usage = Usage(len(self.servers), self.cores_used, self.ram_used)
        return quota_exceeded_message(usage, flavor, count)

    def summary(self) -> dict[str, Any]:
        return {
            "servers": len(self.servers),
            "server_ids": sorted(self.servers),
            "deleted_servers": len(self.deleted),
            "images": self.images.summary(),
            "keypairs": len(self.keypairs),
        }
