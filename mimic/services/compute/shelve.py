# -*- test-case-name: mimic.test.test_compute_lifecycle -*-
"""
Shelving: ``shelve``, ``shelveOffload`` and ``unshelve``.

A shelve powers the server off and snapshots it (``<name>-shelved``,
through the :class:`~mimic.interfaces.IImages` contract) while it is
``SHELVED``; after :data:`SHELVED_OFFLOAD_TIME` seconds on Mimic's clock
(Nova's ``shelved_offload_time``; 0, Nova's default, offloads at once)
it is ``SHELVED_OFFLOADED``, its host given up.  ``shelveOffload`` does
that at once.  ``unshelve`` brings it back to ``ACTIVE`` from either
and deletes the snapshot.  From 2.77 an unshelve of an offloaded server
may name an availability zone; from 2.91 it may unpin it (``null``),
and an administrator may name a host.
"""

from __future__ import annotations

from typing import Any

from mimic.http import json_response
from mimic.services.compute import zones
from mimic.services.compute.actions import ActionRequest, _check_state
from mimic.services.compute.errors import NoImageService, invalid_input, nova_error
from mimic.services.compute.model import (
    ACTIVE,
    PAUSED,
    RUNNING,
    SHELVED,
    SHELVED_OFFLOADED,
    SHUTDOWN,
    STOPPED,
    SUSPENDED,
    Transition,
)

#: Seconds a shelved server keeps its host before it is offloaded
#: (Nova's ``shelved_offload_time``): 0 offloads at once, as Nova's
#: default and tempest's configuration expect; -1 never.
SHELVED_OFFLOAD_TIME = 0.0

#: The vm_states Nova shelves a server in.
SHELVE_STATES = (ACTIVE, STOPPED, PAUSED, SUSPENDED)


def shelve(act: ActionRequest) -> bytes:
    # Nova reads nothing of a shelve's body (tempest sends {}).
    server, state, ctx = act.server, act.state, act.ctx
    _check_state(server, "shelve", SHELVE_STATES)
    if server.image_id:
        base = state.images.get(server.image_id)
        try:
            image = state.images.create_snapshot(
                f"{server.name}-shelved", server.id, ctx.now, {"image_type": "snapshot"}, base
            )
        except NoImageService:
            pass
        else:
            server.shelved_image_id = image.id
    if SHELVED_OFFLOAD_TIME == 0:
        act.timed("shelve", "shelving", (SHELVED_OFFLOADED, None, SHUTDOWN))
    else:
        act.timed("shelve", "shelving", (SHELVED, None, SHUTDOWN))
        if SHELVED_OFFLOAD_TIME > 0 and act.finish.fault is None:
            shelved_at = server.pending[-1].at
            state.schedule(
                server, Transition(shelved_at + SHELVED_OFFLOAD_TIME, SHELVED_OFFLOADED, None, SHUTDOWN)
            )
    return json_response(act.request, None, 202)


def shelve_offload(act: ActionRequest) -> bytes:
    server = act.server
    _check_state(server, "shelveOffload", (SHELVED,))
    server.cancel_pending()
    act.timed("shelveOffload", "shelving_offloading", (SHELVED_OFFLOADED, None, SHUTDOWN))
    return json_response(act.request, None, 202)


def _unshelve_request(act: ActionRequest) -> tuple[bool, str | None, str | None]:
    """
    (whether a zone was given, the zone, the host) of an unshelve's body
    at the request's microversion.
    """
    argument: Any = act.argument
    version = act.ctx.microversion
    if argument is None or version < (2, 77):
        # Before 2.77 Nova reads nothing of the body.
        return False, None, None
    if not isinstance(argument, dict):
        raise invalid_input("unshelve", argument, f"{argument!r} is not of type 'object', 'null'")
    allowed = {"availability_zone", "host"} if version >= (2, 91) else {"availability_zone"}
    unexpected = set(argument) - allowed
    if unexpected:
        raise invalid_input(
            "unshelve", argument,
            f"Additional properties are not allowed ({', '.join(map(repr, sorted(unexpected)))} was unexpected)",
        )
    if version < (2, 91) and "availability_zone" not in argument:
        raise invalid_input("unshelve", argument, "'availability_zone' is a required property")
    zone = argument.get("availability_zone")
    if zone is None and version < (2, 91) or (zone is not None and not isinstance(zone, str)):
        raise invalid_input("availability_zone", zone, f"{zone!r} is not of type 'string'")
    host = argument.get("host")
    if host is not None and not isinstance(host, str):
        raise invalid_input("host", host, f"{host!r} is not of type 'string'")
    return "availability_zone" in argument, zone, host


def unshelve(act: ActionRequest) -> bytes:
    zone_given, zone, host = _unshelve_request(act)
    server, state = act.server, act.state
    if host is not None and not act.ctx.is_admin:
        raise nova_error(403, "Policy doesn't allow os_compute_api:os-shelve:unshelve_to_host to be performed.")
    _check_state(server, "unshelve", (SHELVED, SHELVED_OFFLOADED))
    if (zone_given or host is not None) and server.vm_state != SHELVED_OFFLOADED:
        raise nova_error(
            409,
            f"Specifying an availability zone or a host when unshelving server {server.id} with status "
            f"SHELVED is not supported. The server status must be SHELVED_OFFLOADED.",
        )
    if zone is not None and not zones.is_known_zone(zone):
        raise nova_error(400, "The requested availability zone is not available")
    if zone_given:
        server.availability_zone = zone if zone is not None else zones.DEFAULT_ZONE
    server.cancel_pending()
    if server.shelved_image_id is not None:
        state.images.delete(server.shelved_image_id)
        server.shelved_image_id = None
    act.timed("unshelve", "unshelving", (ACTIVE, None, RUNNING))
    return json_response(act.request, None, 202)


SHELVE_ACTIONS = {"shelve": shelve, "shelveOffload": shelve_offload, "unshelve": unshelve}
