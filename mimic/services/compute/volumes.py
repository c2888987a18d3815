# -*- test-case-name: mimic.test.test_compute_volumes -*-
"""
Servers and their volumes, the way Nova uses Cinder: every volume comes
from the Block Storage service through the
:class:`~mimic.interfaces.IVolumes` contract, and compute keeps only
what Nova keeps itself, a *block device mapping* per attached volume
(its device name, tag and ``delete_on_termination``) on the server.

An attach reserves the volume in Cinder (which refuses one that is not
``available``), then attaches it; a detach gives it back; a server's
delete detaches them all and deletes those marked
``delete_on_termination``.  So the volume and the server always agree:
an attached volume is Cinder's ``attaching``/``in-use`` with an
attachment naming the server, and the server lists it.

Booting from a volume (:func:`provide_boot_volumes`) asks Cinder for
the volumes a create's ``block_device_mapping_v2`` needs and attaches
them; while Cinder is still making them the server waits in BUILD
(task state ``block_device_mapping``), looking again every few seconds
on Mimic's clock as Nova's compute manager does, and goes to ERROR
with Nova's fault if a volume fails or never becomes available.

What happened to a server's volumes is also kept as Nova's *instance
actions* (``attach_volume``, ``detach_volume``, ``swap_volume``), which
is where Nova records an attach that failed on the compute host.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterable, Iterator

from attrs import frozen
from zope.interface import implementer

from mimic.interfaces import ContractRefused, IMimicCore, IVolume, IVolumes
from mimic.services.compute.block_devices import RequestedDevice
from mimic.services.compute.errors import conflicting_state, nova_error, server_locked
from mimic.services.compute.failures import AttachFails, AttachOutcome
from mimic.services.compute.instance_actions import record_action
from mimic.services.compute.model import (
    ACTIVE,
    BUILDING,
    NOSTATE,
    PAUSED,
    RESIZED,
    RUNNING,
    SHELVED,
    SHELVED_OFFLOADED,
    STOPPED,
    ComputeState,
    Server,
    Transition,
)

#: Rackspace's servers name their disks as Xen does: the root disk is
#: ``/dev/xvda`` and attached volumes follow from ``/dev/xvdb``.
DEVICE_PREFIX = "/dev/xvd"
ROOT_DEVICE = DEVICE_PREFIX + "a"

#: The vm_states in which Nova attaches and detaches volumes (with no
#: task under way; a shelved server's too, its mapping kept for the
#: unshelve), and swaps one for another.
ATTACH_STATES = frozenset({ACTIVE, PAUSED, STOPPED, RESIZED, SHELVED, SHELVED_OFFLOADED})
SWAP_STATES = frozenset({ACTIVE, PAUSED, RESIZED})

#: How Nova's compute manager waits for the volumes it asked Cinder to
#: make for a new server: it looks every few seconds, this many times,
#: then gives up (``block_device_allocate_retries`` and its interval).

VOLUME_POLL_SECONDS = 3
VOLUME_POLL_ATTEMPTS = 61


@frozen
class BlockDevice:
    """
    One of a server's volumes, as Nova's block device mapping keeps it.
    """

    volume_id: str
    device: str
    #: Cinder's attachment id.
    attachment_id: str
    #: The mapping's own id (Nova's ``bdm_uuid``).
    bdm_id: str
    tag: str | None = None
    delete_on_termination: bool = False
    #: Whether the server boots from it (it cannot be detached).
    is_root: bool = False


@implementer(IVolumes)
class NoVolumes:
    """
    Compute's volumes when no plugin shares any: none to attach, and no
    way to make one (Nova without a Cinder endpoint).
    """

    def _refuse(self) -> ContractRefused:
        return ContractRefused(503, "ServiceUnavailable", "The block storage service is not available.")

    def get(self, volume_id: str) -> IVolume | None:
        return None

    def create(self, size: int, now: float, name: str | None = None, image_id: str | None = None,
               snapshot_id: str | None = None, source_volid: str | None = None,
               volume_type: str | None = None, availability_zone: str | None = None,
               description: str | None = None, metadata: Any = None) -> IVolume:
        raise self._refuse()

    def reserve(self, volume_id: str, server_id: str, now: float) -> None:
        raise self._refuse()

    def unreserve(self, volume_id: str, now: float) -> None:
        raise self._refuse()

    def attach(self, volume_id: str, server_id: str, device: str, now: float) -> str:
        raise self._refuse()

    def detach(self, volume_id: str, server_id: str, now: float) -> None:
        raise self._refuse()

    def delete(self, volume_id: str, now: float) -> None:
        raise self._refuse()

    def attached_to(self, server_id: str, now: float) -> list[IVolume]:
        return []

    def __iter__(self) -> Iterator[IVolume]:
        return iter(())


NO_VOLUMES = NoVolumes()


def volumes_for(core: IMimicCore, tenant_id: str, region: str) -> IVolumes:
    """
    The tenant's volumes in a region, as the Block Storage service keeps
    them (looked up on each request, like the images).
    """
    volumes = core.shared(IVolumes, tenant_id, region)
    return NO_VOLUMES if volumes is None else volumes


def volume_not_found(volume_id: str) -> Exception:
    return nova_error(404, f"Volume {volume_id} could not be found.")


def invalid_volume(refused: ContractRefused) -> Exception:
    """
    Nova's 400 for a volume Cinder will not attach or detach, with
    Cinder's reason.
    """
    if refused.status >= 500:
        return nova_error(refused.status, refused.message)
    reason = refused.message
    if not reason.lower().startswith("invalid volume"):
        reason = f"Invalid volume: {reason}"
    return nova_error(400, reason)


# Device names.


def _letters(index: int) -> str:
    """
    ``a``, ``b``, ... ``z``, ``aa``, ``ab``...: disk letters as Linux
    names them.
    """
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("a") + rest) + name
    return name


def next_device(server: Server) -> str:
    """
    The first free device name after the root disk.
    """
    used = {bd.device for bd in server.block_devices}
    index = 1
    while DEVICE_PREFIX + _letters(index) in used:
        index += 1
    return DEVICE_PREFIX + _letters(index)


def device_for(server: Server, requested: str | None) -> str:
    """
    The device an attach asks for (``None`` or ``auto``: the next free
    one), refused as Nova refuses a name in use.
    """
    if requested in (None, "", "auto"):
        return next_device(server)
    assert requested is not None
    if any(bd.device == requested for bd in server.block_devices) or requested == ROOT_DEVICE:
        raise nova_error(409, f"The supplied device path ({requested}) is in use.")
    return requested


# Server states.


def check_server_state(server: Server, action: str, allowed: frozenset[str], admin: bool = False) -> None:
    """
    Nova's 409s: a locked server (but to an administrator), or one whose
    state (or task under way) does not allow ``action``.
    """
    if server.locked and not admin:
        raise server_locked(server.id)
    if server.vm_state not in allowed:
        raise conflicting_state(action, server.id, "vm_state", server.vm_state)
    if server.task_state is not None:
        raise conflicting_state(action, server.id, "task_state", server.task_state)


def find_block_device(server: Server, volume_id: str) -> BlockDevice | None:
    for bd in server.block_devices:
        if bd.volume_id == volume_id:
            return bd
    return None


# Attach, detach, swap.


def attach_volume(
    volumes: IVolumes,
    server: Server,
    volume_id: str,
    requested_device: str | None,
    tag: str | None,
    delete_on_termination: bool,
    outcome: AttachOutcome,
    request_id: str,
    user_id: str,
    now: float,
    admin: bool = False,
) -> BlockDevice:
    """
    Attach a volume to a server and return its mapping.  When a known
    error condition fails the attach on the compute host, Nova has
    already answered: the mapping is returned but not kept, Cinder gets
    the volume back (``available``), and the failure is the server's
    instance action.
    """
    check_server_state(server, "attach_volume", ATTACH_STATES, admin)
    if volumes.get(volume_id) is None:
        raise volume_not_found(volume_id)
    if find_block_device(server, volume_id) is not None:
        raise nova_error(400, f"Invalid volume: volume {volume_id} already attached")
    device = device_for(server, requested_device)
    try:
        volumes.reserve(volume_id, server.id, now)
    except ContractRefused as refused:
        raise invalid_volume(refused)
    mapping = BlockDevice(
        volume_id, device, "", str(uuid.uuid4()), tag=tag, delete_on_termination=delete_on_termination
    )
    if isinstance(outcome, AttachFails):
        volumes.unreserve(volume_id, now)
        record_action(server, "attach_volume", request_id, user_id, now, outcome.message)
        return mapping
    try:
        attachment_id = volumes.attach(volume_id, server.id, device, now)
    except ContractRefused as refused:
        volumes.unreserve(volume_id, now)
        raise invalid_volume(refused)
    mapping = BlockDevice(
        volume_id, device, attachment_id, mapping.bdm_id, tag=tag, delete_on_termination=delete_on_termination
    )
    server.block_devices = server.block_devices + (mapping,)
    record_action(server, "attach_volume", request_id, user_id, now)
    return mapping


def detach_volume(volumes: IVolumes, server: Server, volume_id: str, request_id: str, user_id: str,
                  now: float, admin: bool = False) -> None:
    """
    Detach one of a server's volumes (not the one it boots from).
    """
    check_server_state(server, "detach_volume", ATTACH_STATES, admin)
    if volumes.get(volume_id) is None:
        raise volume_not_found(volume_id)
    mapping = find_block_device(server, volume_id)
    if mapping is None:
        raise nova_error(404, f"volume_id not found: {volume_id}")
    if mapping.is_root:
        raise nova_error(400, "Cannot detach a root device volume")
    try:
        volumes.detach(volume_id, server.id, now)
    except ContractRefused as refused:
        raise invalid_volume(refused)
    server.block_devices = tuple(bd for bd in server.block_devices if bd is not mapping)
    record_action(server, "detach_volume", request_id, user_id, now)


def swap_volume(volumes: IVolumes, server: Server, old_id: str, new_id: str, request_id: str, user_id: str,
                now: float, admin: bool = False) -> None:
    """
    Move a server's attachment from one volume to another (Nova's
    swap): the new one takes the old one's device, the old one is
    ``available`` again.
    """
    if volumes.get(old_id) is None:
        raise volume_not_found(old_id)
    if volumes.get(new_id) is None:
        raise nova_error(400, f"Volume {new_id} could not be found.")
    mapping = find_block_device(server, old_id)
    if mapping is None:
        raise nova_error(404, "The volume was either invalid or not attached to the instance.")
    check_server_state(server, "swap_volume", SWAP_STATES, admin)
    try:
        volumes.reserve(new_id, server.id, now)
    except ContractRefused as refused:
        raise invalid_volume(refused)
    try:
        attachment_id = volumes.attach(new_id, server.id, mapping.device, now)
        volumes.detach(old_id, server.id, now)
    except ContractRefused as refused:
        volumes.unreserve(new_id, now)
        raise invalid_volume(refused)
    swapped = BlockDevice(
        new_id, mapping.device, attachment_id, mapping.bdm_id, mapping.tag,
        mapping.delete_on_termination, mapping.is_root,
    )
    server.block_devices = tuple(swapped if bd is mapping else bd for bd in server.block_devices)
    record_action(server, "swap_volume", request_id, user_id, now)


def update_attachment(server: Server, volume_id: str, delete_on_termination: bool) -> BlockDevice:
    """
    Change whether a volume goes with the server (2.85's update).
    """
    mapping = find_block_device(server, volume_id)
    if mapping is None:
        raise nova_error(404, "The volume was either invalid or not attached to the instance.")
    updated = BlockDevice(
        mapping.volume_id, mapping.device, mapping.attachment_id, mapping.bdm_id, mapping.tag,
        delete_on_termination, mapping.is_root,
    )
    server.block_devices = tuple(updated if bd is mapping else bd for bd in server.block_devices)
    return updated


def release_volumes(volumes: IVolumes, server: Server, now: float) -> None:
    """
    What Nova does with a deleted server's volumes: detach each, and
    delete those marked ``delete_on_termination``.  Cinder's refusals
    (a volume it already lost) change nothing here: the server goes
    anyway, as in Nova.
    """
    for mapping in server.block_devices:
        try:
            volumes.detach(mapping.volume_id, server.id, now)
        except ContractRefused:
            pass
        if mapping.delete_on_termination:
            try:
                volumes.delete(mapping.volume_id, now)
            except ContractRefused:
                pass
    server.block_devices = ()


# Booting from volumes.


def check_boot_volumes(volumes: IVolumes, devices: Iterable[RequestedDevice], now: float) -> None:
    """
    Nova's 400s, before any server is made, for an existing volume a
    create names that Cinder does not have or will not attach.
    """
    for device in devices:
        if device.source_type != "volume" or device.uuid is None:
            continue
        volume = volumes.get(device.uuid)
        if volume is None:
            raise nova_error(400, f"Block Device Mapping is Invalid: failed to get volume {device.uuid}.")
        status = volume.status(now)
        if status != "available":
            raise nova_error(
                400, f"Invalid volume: volume '{device.uuid}' status must be 'available'. Currently in '{status}'"
            )


@frozen
class _Wanted:
    """
    A volume a new server waits for: what it was asked as, and Cinder's id.
    """

    device: RequestedDevice
    volume_id: str
    device_name: str


def _build_aborted(server: Server, at: float, reason: str) -> None:
    server.go_to_error(at, f"Build of instance {server.id} aborted: {reason}")


def _not_created(volume_id: str, attempts: int, status: str) -> str:
    return (
        f"Volume {volume_id} did not finish being created even after we waited "
        f"{(attempts - 1) * VOLUME_POLL_SECONDS} seconds or {attempts} attempts. And its status is {status}."
    )


def _attach_wanted(volumes: IVolumes, server: Server, wanted: list[_Wanted], at: float, attempts: int) -> bool:
    """
    Attach the server's new volumes if Cinder has made them all; False
    if it is still making some.  A failed one fails the server.
    """
    for item in wanted:
        volume = volumes.get(item.volume_id)
        status = volume.status(at) if volume is not None else "deleted"
        if status == "available":
            continue
        if status == "creating" and attempts < VOLUME_POLL_ATTEMPTS:
            return False
        _build_aborted(server, at, _not_created(item.volume_id, attempts, status))
        return True
    for item in wanted:
        _attach_at_boot(volumes, server, item.device, item.volume_id, item.device_name, at)
    return True


def _attach_at_boot(volumes: IVolumes, server: Server, device: RequestedDevice, volume_id: str,
                    device_name: str, at: float) -> bool:
    try:
        volumes.reserve(volume_id, server.id, at)
        attachment_id = volumes.attach(volume_id, server.id, device_name, at)
    except ContractRefused as refused:
        _build_aborted(server, at, refused.message)
        return False
    server.block_devices = server.block_devices + (
        BlockDevice(
            volume_id, device_name, attachment_id, str(uuid.uuid4()), device.tag,
            device.delete_on_termination, device.is_root,
        ),
    )
    return True


def _device_name(server: Server, device: RequestedDevice, taken: set[str]) -> str:
    if device.device_name:
        name = device.device_name if device.device_name.startswith("/dev/") else f"/dev/{device.device_name}"
    elif device.is_root:
        name = ROOT_DEVICE
    else:
        index = 1
        while DEVICE_PREFIX + _letters(index) in taken:
            index += 1
        name = DEVICE_PREFIX + _letters(index)
    taken.add(name)
    return name


def provide_boot_volumes(
    volumes: IVolumes, state: ComputeState, server: Server, devices: Iterable[RequestedDevice], now: float
) -> None:
    """
    Give a new server the volumes its create asked for: attach the
    existing ones, ask Cinder to make the others, and attach those once
    they are ``available`` (the server waits in BUILD meanwhile).
    """
    if server.vm_state not in (ACTIVE, BUILDING):
        return
    taken: set[str] = set()
    wanted: list[_Wanted] = []
    for device in devices:
        if device.destination_type != "volume":
            continue
        name = _device_name(server, device, taken)
        if device.source_type == "volume":
            assert device.uuid is not None
            if not _attach_at_boot(volumes, server, device, device.uuid, name, now):
                return
            continue
        try:
            volume = volumes.create(
                device.volume_size or 1,
                now,
                image_id=device.uuid if device.source_type == "image" else None,
                snapshot_id=device.uuid if device.source_type == "snapshot" else None,
                volume_type=device.volume_type,
            )
        except ContractRefused as refused:
            _build_aborted(server, now, refused.message)
            return
        wanted.append(_Wanted(device, volume.id, name))
    if not wanted or _attach_wanted(volumes, server, wanted, now, 1):
        return
    # Cinder is still making some: the server waits for them in BUILD.
    after = (server.vm_state, server.task_state, server.power_state)
    server.cancel_pending()
    server.set_state(now, BUILDING, "block_device_mapping", NOSTATE)
    server.progress = 0
    state.schedule(server, _poll(volumes, wanted, now + VOLUME_POLL_SECONDS, 2, after))


def _poll(volumes: IVolumes, wanted: list[_Wanted], at: float, attempts: int,
          after: tuple[str, Any, int]) -> Transition:
    """
    The next look at the volumes a new server waits for (see
    :class:`PollVolumes`).
    """
    return Transition(
        at, BUILDING, "block_device_mapping", NOSTATE, apply=PollVolumes(volumes, wanted, at, attempts, after)
    )


@frozen(eq=False)
class PollVolumes:
    """
    What a look at the volumes a new server waits for does: attach them
    when all are made (the server goes on as its create said, ``after``),
    schedule another look later while some are not.  A value rather than
    a closure, so that a snapshot can save it.
    """

    volumes: IVolumes
    wanted: list[_Wanted]
    at: float
    attempts: int
    after: tuple[str, Any, int]

    def __call__(self, server: Server) -> None:
        at = self.at
        if _attach_wanted(self.volumes, server, self.wanted, at, self.attempts):
            if server.vm_state == BUILDING:
                vm_state, task_state, power_state = self.after
                if vm_state == BUILDING:
                    vm_state, task_state, power_state = ACTIVE, None, RUNNING
                server.set_state(at, vm_state, task_state, power_state)
                server.progress = 100
            return
        server.schedule(_poll(self.volumes, self.wanted, at + VOLUME_POLL_SECONDS, self.attempts + 1, self.after))


def volumes_attached(server: Server, microversion: tuple[int, int]) -> list[dict[str, Any]]:
    """
    A server's ``os-extended-volumes:volumes_attached``: its volumes'
    ids, with ``delete_on_termination`` from 2.3.
    """
    if not server.block_devices:
        return []
    if microversion >= (2, 3):
        return [{"id": bd.volume_id, "delete_on_termination": bd.delete_on_termination} for bd in server.block_devices]
    return [{"id": bd.volume_id} for bd in server.block_devices]
