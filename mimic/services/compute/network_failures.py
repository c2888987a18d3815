# -*- test-case-name: mimic.test.test_compute_networking -*-
"""
Compute's known error conditions on the network side, each declared once
with what it does (the rest are in :mod:`mimic.services.compute.failures`):
a server's ports cannot be made or bound while it builds, and an
interface attach fails on the hypervisor.

Like the others, they fire through the control API (with criteria on the
network, the server and the tenant) or through metadata on the server.
"""

from __future__ import annotations

from attrs import frozen

from mimic.failures import Condition, Event, MetadataTrigger, no_parameters
from mimic.services.compute.failures import SERVICE

#: Nova's reason when a build is aborted because Neutron would not make
#: or bind a port (the fault reads "Build of instance <id> aborted: ...").
NETWORK_ALLOCATION_FAULT = "Failed to allocate the network(s), not rescheduling."


@frozen
class AllocateNetwork:
    """
    The server's port on this network is made (or bound): Nova's normal
    outcome.
    """


@frozen
class FailAllocation:
    """
    The port cannot be made or bound: the build is aborted, the ports
    made so far are deleted, and the server goes to ERROR.
    """


@frozen
class AttachInterface:
    """
    The interface is attached: Nova's normal outcome.
    """


@frozen
class FailAttach:
    """
    The hypervisor fails to plug the interface: Nova answers 500 and
    gives the port back.
    """


ALLOCATE = AllocateNetwork()
FAIL_ALLOCATION = FailAllocation()
ATTACH = AttachInterface()
FAIL_ATTACH = FailAttach()


SERVER_NETWORK = Event(
    service=SERVICE,
    name="server.network",
    description=(
        "While a server builds, Nova makes its port on each network it asked for "
        "(or binds the port it was given) in the network service.  Once per "
        "network of the server."
    ),
    criteria=("server_name", "metadata", "tenant_id", "region", "network_id", "network_name"),
    normal=ALLOCATE,
    conditions=(
        Condition(
            "fail",
            "The port cannot be made or bound (Neutron refuses it, or the binding "
            "fails on the host): the create was accepted (202), but the build is "
            "aborted, the ports made for the server are deleted, the ports passed "
            "in are released, and the server goes to ERROR with the fault "
            '"Build of instance <id> aborted: ' + NETWORK_ALLOCATION_FAULT + '"',
            metadata=MetadataTrigger(
                "server_network_failure", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: FAIL_ALLOCATION,
        ),
    ),
)

INTERFACE_ATTACH = Event(
    service=SERVICE,
    name="server.interface-attach",
    description=(
        "A client attaches a network interface to a server (POST "
        "/servers/{id}/os-interface with a network or a port)."
    ),
    criteria=("server_id", "server_name", "metadata", "tenant_id", "region", "network_id", "port_id"),
    normal=ATTACH,
    conditions=(
        Condition(
            "fail",
            "The hypervisor fails to plug the interface: Nova answers 500 "
            '"Failed to attach network adapter device to <server id>", the port '
            "it made is deleted (a port passed in is released), and the server "
            "is unchanged.",
            metadata=MetadataTrigger(
                "interface_attach_failure", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: FAIL_ATTACH,
        ),
    ),
)

NETWORK_EVENTS = (SERVER_NETWORK, INTERFACE_ATTACH)
