# -*- test-case-name: mimic.test.test_persistence_services -*-
"""
Compute's region states saved as plain JSON and brought back: what a
named snapshot and ``--state-file`` keep of it (see
:class:`mimic.interfaces.IPersistentState`).

Everything a client can see is kept: servers (live and recently
deleted) with their states, faults, steps still to come, metadata, tags,
block devices and instance actions; keypairs; quotas; server groups
with their members; and the region's
counters (the next server number, from which addresses and MACs follow,
and the next keypair id).  What is not the state's own is looked up
again: the tenant's networking and volumes through the core, its images
by the plugin on the next request.

The form is compact, since a snapshot of ten thousand servers must take
milliseconds: the fields every server has are written column by column
(:mod:`mimic.columns`), and the others only for a server whose values
differ from the defaults.  A step still to come keeps what it will do
as data (an error's message, a revert, a look at the boot volumes),
named in the saved form and rebuilt on restore.
"""

from __future__ import annotations

import json
from functools import partial
from operator import attrgetter
from typing import Any, Callable, cast

from attrs import asdict, evolve

from mimic.columns import column, integers, read_column
from mimic.interfaces import IMimicCore, INetworking, IVolumes
from mimic.saved import explained, saved_object
from mimic.services.compute.actions import ConfirmResize, RevertResize
from mimic.services.compute.block_devices import RequestedDevice
from mimic.services.compute.flavors import get_flavor
from mimic.services.compute.server_groups import ServerGroup
from mimic.services.compute.model import (
    DEFAULT_SECURITY_GROUPS,
    NO_METADATA,
    ComputeState,
    GoToError,
    Keypair,
    Server,
    Transition,
    default_quotas,
)
from mimic.services.compute.instance_actions import ActionEvent, InstanceAction
from mimic.services.compute.volumes import (
    BlockDevice,
    PollVolumes,
    _Wanted,
    volumes_for,
)

#: The version of the saved form (see
#: :attr:`mimic.interfaces.IPersistentState.state_format`).
STATE_FORMAT = 1

#: The numbers a region hands its servers (see ``ComputeState.numbers``).
_NUMBERS = range(1, 1 << 62)

#: Fields kept as they are when they differ from their defaults.
_PLAIN = (
    ("key_name", None),
    ("availability_zone", "nova"),
    ("disk_config", "AUTO"),
    ("config_drive", ""),
    ("description", None),
    ("user_data", None),
    ("terminated_at", None),
    ("locked", False),
    ("locked_reason", None),
    ("locked_by_admin", False),
    ("shelved_image_id", None),
    ("old_flavor_id", None),
    ("resized_from", None),
    ("failed_deletes", 0),
)


class _VolumesOf:
    """
    A tenant's volumes in a region, looked up through the core each time
    they are used: what a restored server waiting for its boot volumes
    holds, since the block-storage state it will find may be restored
    after it.
    """

    def __init__(self, core: IMimicCore, tenant_id: str, region: str) -> None:
        self._lookup = partial(volumes_for, core, tenant_id, region)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lookup(), name)


class _NetworkingOf:
    """
    How a restored server reaches the tenant's networking: as its
    compute state does, whose lookup the plugin sets on each request
    with the core serving it (the core a restore is given may be one
    that only builds the restored states).  One for all the servers of
    a state.
    """

    def __init__(self, state: ComputeState) -> None:
        self._state = state

    def __call__(self) -> Any:
        return self._state.networking


# Saving.


def _apply_json(apply: Any) -> Any:
    if apply is None:
        return None
    if isinstance(apply, GoToError):
        return ["error", apply.message]
    if isinstance(apply, RevertResize):
        return ["revert_resize"]
    if isinstance(apply, ConfirmResize):
        return ["confirm_resize"]
    if isinstance(apply, PollVolumes):
        wanted = [[list(asdict(w.device).values()), w.volume_id, w.device_name] for w in apply.wanted]
        return ["poll_volumes", wanted, apply.at, apply.attempts, list(apply.after)]
    raise ValueError(f"compute cannot save a server's pending step doing {apply!r}")


#: The fields a server saves only where they differ from the defaults,
#: read at once, and those defaults (but for the tenant and host ids,
#: which are the state's).
_OPTIONAL = attrgetter(
    *(name for name, _ in _PLAIN), "metadata", "networks", "_access_ipv4", "_access_ipv6", "tags",
    "security_groups", "fault", "pending", "block_devices", "instance_actions", "user_ports",
    "scheduler_hints", "tenant_id", "host_id",
)
_DEFAULTS = (
    *(default for _, default in _PLAIN), NO_METADATA, None, None, None, (), DEFAULT_SECURITY_GROUPS, None, (), (),
    (), (), (),
)


def _extra_json(server: Server, tenant_id: str, host_id: str) -> dict[str, Any]:
    """
    What a server holds beyond the fields every saved server has: only
    what differs from the defaults.
    """
    extra: dict[str, Any] = {}
    for name, default in _PLAIN:
        value = getattr(server, name)
        if value != default:
            extra[name] = value
    if server.metadata:
        extra["metadata"] = dict(server.metadata)
    if server.networks is not None:
        extra["networks"] = [list(n) for n in server.networks]
    if server._access_ipv4 is not None:
        extra["access_ipv4"] = server._access_ipv4
    if server._access_ipv6 is not None:
        extra["access_ipv6"] = server._access_ipv6
    if server.tags:
        extra["tags"] = list(server.tags)
    if server.security_groups != DEFAULT_SECURITY_GROUPS:
        extra["security_groups"] = list(server.security_groups)
    if server.fault is not None:
        extra["fault"] = dict(server.fault)
    if server.pending:
        extra["pending"] = [
            [t.at, t.vm_state, t.task_state, t.power_state, t.gone, _apply_json(t.apply)] for t in server.pending
        ]
    if server.block_devices:
        extra["block_devices"] = [list(asdict(bd).values()) for bd in server.block_devices]
    if server.instance_actions:
        extra["instance_actions"] = [
            [a.action, a.request_id, a.user_id, a.start, [list(asdict(e).values()) for e in a.events]]
            for a in server.instance_actions
        ]
    if server.user_ports:
        extra["user_ports"] = list(server.user_ports)
    if server.scheduler_hints:
        extra["scheduler_hints"] = [[name, list(values)] for name, values in server.scheduler_hints]
    if server.tenant_id != tenant_id:
        extra["tenant_id"] = server.tenant_id
    if server.host_id != host_id:
        extra["host_id"] = server.host_id
    return extra


#: The fields every saved server has, written column by column (see
#: :mod:`mimic.columns`).
_COLUMNS = (
    "name", "user_id", "image_id", "flavor_id", "created", "updated", "vm_state", "task_state",
    "power_state", "progress", "launched_at",
)


def servers_json(servers: list[Server], tenant_id: str, host_id: str) -> dict[str, Any]:
    """
    Servers as columns of their common fields, and the rest of each
    where it has more.
    """
    saved: dict[str, Any] = {
        "count": len(servers),
        "id": [s.id for s in servers],
        "admin_pass": [s.admin_pass for s in servers],
        "number": integers([s.number for s in servers]),
        "networked": column([s.networking_lookup is not None for s in servers]),
    }
    for name in _COLUMNS:
        saved[name] = column(list(map(attrgetter(name), servers)))
    if any(s.image_properties for s in servers):
        # As JSON text, one per distinct set: the servers of a create,
        # or booted from one image with one flavor, share theirs.
        texts: dict[tuple[tuple[str, str], ...], str] = {}
        saved["image_properties"] = column([
            texts.get(s.image_properties) or texts.setdefault(s.image_properties, json.dumps(s.image_properties, separators=(",", ":")))
            for s in servers
        ])
    defaults = (*_DEFAULTS, tenant_id, host_id)
    extras = []
    for index, server in enumerate(servers):
        if _OPTIONAL(server) != defaults:
            extras.append([index, _extra_json(server, tenant_id, host_id)])
    saved["extra"] = extras
    return saved


def _flavor_id(flavor_id: str) -> str:
    flavor = get_flavor(flavor_id)
    return flavor.id if flavor is not None and flavor.id == flavor_id else flavor_id


def _next_number(state: ComputeState) -> int:
    """
    How many server numbers the region has handed out, read without
    drawing one.
    """
    numbers = state.numbers
    reduced = numbers.__reduce__() if type(numbers) is type(iter(_NUMBERS)) else None
    if not reduced or reduced[1] != (_NUMBERS,):
        raise ValueError(f"compute cannot save server numbers drawn from {numbers!r}")
    return cast(int, reduced[2])


def save_compute(state: ComputeState) -> dict[str, Any]:
    """
    Everything one tenant's compute in one region holds, as plain JSON.
    """
    tenant_id, host_id = state.tenant_id, state.host_id
    keypairs = state.keypairs
    saved: dict[str, Any] = {
        "format": STATE_FORMAT,
        "tenant_id": tenant_id,
        "region": state.region,
        "next_number": _next_number(state),
        "servers": servers_json(state._order, tenant_id, host_id),
        "deleted": servers_json(list(state.deleted.values()), tenant_id, host_id),
        "unsettled": list(state._unsettled),
        "keypairs": [list(asdict(k).values()) for k in keypairs],
        "next_keypair_id": keypairs._next_id,
        "cores_used": state.cores_used,
        "ram_used": state.ram_used,
        "networked": state.networking_lookup is not None,
    }
    if state.quotas != state.default_quotas:
        defaults = asdict(state.default_quotas)
        saved["quotas"] = {k: v for k, v in asdict(state.quotas).items() if v != defaults[k]}
    if len(state.server_groups):
        saved["server_groups"] = [group.json() for group in state.server_groups]
    return saved


# Restoring.


class _Restorer:
    """
    What the servers of one restored state share: the state (for the
    steps that change it) and the lookups through the core.
    """

    def __init__(self, core: IMimicCore, state: ComputeState, networking_lookup: Callable[[], Any]) -> None:
        self.core = core
        self.state = state
        self.networking_lookup = networking_lookup
        self.volumes: Any = None

    def apply(self, saved: Any) -> Any:
        if saved is None:
            return None
        kind = saved[0]
        if kind == "error":
            return GoToError(saved[1])
        if kind == "revert_resize":
            return RevertResize(self.state)
        if kind == "confirm_resize":
            return ConfirmResize(self.state)
        if kind == "poll_volumes":
            if self.volumes is None:
                self.volumes = cast(IVolumes, _VolumesOf(self.core, self.state.tenant_id, self.state.region))
            _, wanted, at, attempts, after = saved
            return PollVolumes(
                self.volumes,
                [_Wanted(RequestedDevice(*device), volume_id, name) for device, volume_id, name in wanted],
                at,
                attempts,
                (after[0], after[1], after[2]),
            )
        raise ValueError(f"unknown pending step {kind!r}")

    def servers(self, saved: dict[str, Any]) -> list[Server]:
        """
        The servers :func:`servers_json` saved.
        """
        state = self.state
        tenant_id, host_id = state.tenant_id, state.host_id
        count = saved["count"]
        ids = read_column(saved["id"], count, "id")
        passwords = read_column(saved["admin_pass"], count, "admin_pass")
        numbers = read_column(saved["number"], count, "number")
        networked = read_column(saved["networked"], count, "networked")
        columns = {name: read_column(saved[name], count, name) for name in _COLUMNS}
        # The flavor tables' own ids, shared as when the servers were made.
        known = {flavor_id: _flavor_id(flavor_id) for flavor_id in set(columns["flavor_id"])}
        flavors = [known[flavor_id] for flavor_id in columns["flavor_id"]]
        servers = []
        lookup = self.networking_lookup
        for (server_id, number, name, user_id, image_id, flavor_id, created, updated, admin_pass,
             vm_state, task_state, power_state, progress, launched_at, on_network) in zip(
            ids, numbers, columns["name"], columns["user_id"], columns["image_id"], flavors,
            columns["created"], columns["updated"], passwords, columns["vm_state"], columns["task_state"],
            columns["power_state"], columns["progress"], columns["launched_at"], networked,
        ):
            server = Server(
                server_id, number, name, tenant_id, user_id, image_id, flavor_id, created, updated, host_id,
                admin_pass, vm_state=vm_state, task_state=task_state, power_state=power_state,
                progress=progress, launched_at=launched_at, networking_lookup=lookup if on_network else None,
            )
            servers.append(server)
        if "image_properties" in saved:
            properties = _image_properties(read_column(saved["image_properties"], count, "image_properties"))
            for server, kept in zip(servers, properties):
                server.image_properties = kept
        for index, extra in saved["extra"]:
            self._extra(servers[index], extra)
        return servers

    def _extra(self, server: Server, extra: dict[str, Any]) -> None:
        for name, value in extra.items():
            _DECODERS.get(name, _plain)(self, server, name, value)


def _image_properties(texts: list[Any]) -> list[tuple[tuple[str, str], ...]]:
    """
    Servers' image properties from the JSON texts :func:`servers_json`
    wrote, each distinct set decoded once and shared.
    """
    decoded: dict[str, tuple[tuple[str, str], ...]] = {}
    found = []
    for text in texts:
        kept = decoded.get(text)
        if kept is None:
            pairs = json.loads(text) if isinstance(text, str) else None
            if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise ValueError(f"a server's image properties are not name and value pairs: {text!r}")
            kept = decoded[text] = tuple((str(name), str(value)) for name, value in pairs)
        found.append(kept)
    return found


def _plain(restorer: _Restorer, server: Server, name: str, value: Any) -> None:
    if name not in _PLAIN_NAMES:
        raise ValueError(f"unknown server field {name!r}")
    setattr(server, name, value)


def _security_groups(restorer: _Restorer, server: Server, name: str, value: Any) -> None:
    groups = tuple(value)
    server.security_groups = DEFAULT_SECURITY_GROUPS if groups == DEFAULT_SECURITY_GROUPS else groups


def _pending(restorer: _Restorer, server: Server, name: str, value: Any) -> None:
    server.pending = tuple(
        Transition(at, vm, task, power, restorer.apply(apply), bool(gone)) for at, vm, task, power, gone, apply in value
    )


def _instance_actions(restorer: _Restorer, server: Server, name: str, value: Any) -> None:
    server.instance_actions = tuple(
        InstanceAction(action, request_id, user_id, start, tuple(ActionEvent(*e) for e in events))
        for action, request_id, user_id, start, events in value
    )


def _setter(name: str, convert: Callable[[Any], Any]) -> Callable[[_Restorer, Server, str, Any], None]:
    def decode(restorer: _Restorer, server: Server, _: str, value: Any) -> None:
        setattr(server, name, convert(value))

    return decode


#: How each field a saved server may carry beside the common ones is
#: read back (the others are :data:`_PLAIN`).
_DECODERS: dict[str, Callable[[_Restorer, Server, str, Any], None]] = {
    "metadata": _setter("metadata", lambda value: dict(value) or NO_METADATA),
    "networks": _setter("networks", lambda value: tuple((n[0], n[1]) for n in value)),
    "access_ipv4": _setter("_access_ipv4", str),
    "access_ipv6": _setter("_access_ipv6", str),
    "tags": _setter("tags", tuple),
    "security_groups": _security_groups,
    "fault": _setter("fault", dict),
    "pending": _pending,
    "block_devices": _setter("block_devices", lambda value: tuple(BlockDevice(*bd) for bd in value)),
    "instance_actions": _instance_actions,
    "user_ports": _setter("user_ports", tuple),
    "scheduler_hints": _setter(
        "scheduler_hints", lambda value: tuple((str(name), tuple(map(str, values))) for name, values in value)
    ),
    "tenant_id": _setter("tenant_id", str),
    "host_id": _setter("host_id", str),
}

_PLAIN_NAMES = frozenset(name for name, _ in _PLAIN)


def restore_compute(core: IMimicCore, tenant_id: str, region: str, saved: Any) -> ComputeState:
    """
    A new compute state equal to the one :func:`save_compute` saved,
    for ``core``; ``saved`` is left as it was.  ``ValueError`` naming
    what is wrong when it cannot be restored.
    """
    where = f"the compute state of tenant {tenant_id!r} in {region!r}"
    saved = saved_object(where, saved, STATE_FORMAT)
    return explained(where, lambda: _restore(core, tenant_id, region, saved))


def _restore(core: IMimicCore, tenant_id: str, region: str, saved: dict[str, Any]) -> ComputeState:
    state = ComputeState(tenant_id, region, profile=core.profile, quotas=default_quotas(core.profile))
    numbers = iter(_NUMBERS)
    next_number = saved["next_number"]
    if not isinstance(next_number, int) or next_number < 0:
        raise ValueError(f"next_number {next_number!r} is not a count")
    numbers.__setstate__(next_number)  # type: ignore[attr-defined]
    state.numbers = numbers
    if saved["networked"]:
        state.networking_lookup = partial(core.shared, INetworking, tenant_id, region)
    restorer = _Restorer(core, state, _NetworkingOf(state))
    order = restorer.servers(saved["servers"])
    state._order = order
    state.servers = {s.id: s for s in order}
    state.deleted = {s.id: s for s in restorer.servers(saved["deleted"])}
    servers = state.servers
    state._unsettled = {server_id: servers[server_id] for server_id in saved["unsettled"]}
    keypairs = state.keypairs
    for row in saved["keypairs"]:
        keypair = Keypair(*row)
        keypairs._by_name[keypair.name] = keypair
    keypairs._next_id = saved["next_keypair_id"]
    state.cores_used = saved["cores_used"]
    state.ram_used = saved["ram_used"]
    if "quotas" in saved:
        state.quotas = evolve(state.quotas, **saved["quotas"])
    for row in saved.get("server_groups", ()):
        group = state.server_groups.add(ServerGroup.from_json(row))
        for member in group.members:
            server = servers.get(member)
            if server is not None:
                server.server_group = group.id
    return state
