# -*- test-case-name: mimic.test.test_compute_server_groups -*-
"""
Compute's known error condition for server groups, declared once with
what it does (the others are in :mod:`mimic.services.compute.failures`):
the scheduler finds no host that keeps a new member within its group's
policy, as when an anti-affinity group has more members than the cloud
has hosts.

It fires through the control API (with criteria on the group, the
server and the tenant) or through metadata on the server's create.
"""

from __future__ import annotations

from attrs import frozen

from mimic.failures import Condition, Event, MetadataTrigger, Parameter, no_parameters
from mimic.services.compute.failures import SERVICE

#: Nova's fault when scheduling finds no host for the server.
NO_VALID_HOST = "No valid host was found. There are not enough hosts available."


@frozen
class PlaceInGroup:
    """
    The new member is placed on a host the policy allows: Nova's normal
    outcome.
    """


@frozen
class NoValidHost:
    """
    No host keeps the new member within the group's policy: the server
    stays a member but goes to ERROR with ``message`` as its fault.
    """

    message: str


PLACE_IN_GROUP = PlaceInGroup()

SERVER_GROUP_PLACEMENT = Event(
    service=SERVICE,
    name="server.group-placement",
    description=(
        "A server created with os:scheduler_hints naming a server group joins the "
        "group, and Nova's scheduler places it on a host its group's policy "
        "allows (affinity: the members' host; anti-affinity: another host).  "
        "Once per new member."
    ),
    criteria=("server_name", "metadata", "tenant_id", "region", "group_id", "group_name", "policy"),
    normal=PLACE_IN_GROUP,
    conditions=(
        Condition(
            "no-valid-host",
            "The scheduler finds no host within the group's policy: the create was "
            "accepted (202) and the server is a member of the group, but it goes to "
            "ERROR with the fault \"" + NO_VALID_HOST + "\"",
            parameters=(Parameter("message", "The server's fault message.", str, NO_VALID_HOST),),
            metadata=MetadataTrigger(
                "server_group_no_valid_host", "any value (its presence fires the condition)", no_parameters
            ),
            effect=lambda p: NoValidHost(p["message"]),
        ),
    ),
)

SERVER_GROUP_EVENTS = (SERVER_GROUP_PLACEMENT,)
