# -*- test-case-name: mimic.test.test_network_failures -*-
"""
The network service's known error conditions.

What goes wrong with Neutron that clients must survive: a port cannot be
made because the address asked for is taken (409
``IpAddressAlreadyAllocated``) or the subnet has none left (409
``IpAddressGenerationFailure``), a quota is exhausted (409
``OverQuota``), a floating IP cannot be associated, a security group rule
is refused, and a network reports ``ERROR``.  Registered through the
control API (Neutron's requests carry no metadata), matched on tenant,
region, network (id and name) and device.

Port creation through compute (a server's ports) passes the same event,
so a condition registered for a network makes a server's build fail as
Nova's does when Neutron refuses its port.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from mimic.failures import Condition, Event, Parameter
from mimic.services.network.errors import NeutronFault

SERVICE = "network"

_CRITERIA = ("tenant_id", "region", "network_id", "network_name", "device_id", "device_owner")


def _refuse(status: int, kind: str, message: str) -> Any:
    def refuse(parameters: Mapping[str, Any]) -> NoReturn:
        raise NeutronFault(status, kind, parameters.get("message") or message)

    return refuse


def _fail(what: str) -> Condition:
    def refuse(parameters: Mapping[str, Any]) -> NoReturn:
        raise NeutronFault(parameters["code"], parameters["type"], parameters["message"])

    return Condition(
        "fail",
        f"Neutron answers {what} with an error status in its own shape "
        "(500 while its database is unreachable, 503 while it is overloaded); nothing changes.",
        parameters=(
            Parameter.status(default=500),
            Parameter("type", "The NeutronError's type.", str, "HTTPInternalServerError"),
            Parameter(
                "message", "The NeutronError's message.", str,
                "Request Failed: internal server error while processing your request.",
            ),
        ),
        effect=refuse,
    )


def _reject_rule(parameters: Mapping[str, Any]) -> NoReturn:
    raise NeutronFault(400, parameters["type"], parameters["message"])


def _message(default: str) -> tuple[Parameter, ...]:
    return (Parameter("message", "The NeutronError's message (Neutron's own by default).", str, ""),)


PORT_CREATE = Event(
    service=SERVICE,
    name="port_create",
    description=(
        "A port is made on a network: POST /v2.0/ports, or compute making a server's "
        "ports (POST /servers, an interface attach).  Neutron answers 201 with the port "
        "and its fixed IPs."
    ),
    criteria=_CRITERIA,
    conditions=(
        Condition(
            "ip_address_already_allocated",
            "Neutron refuses the port with 409 IpAddressAlreadyAllocated, as when the "
            "address asked for (or, racing another request, the one chosen) is taken.",
            parameters=_message(""),
            effect=_refuse(409, "IpAddressAlreadyAllocated", "IP address already allocated in subnet"),
        ),
        Condition(
            "ip_address_generation_failure",
            "Neutron refuses the port with 409 IpAddressGenerationFailure: the network's "
            "subnets have no free address left.  Compute's server goes to ERROR with "
            "'Failed to allocate the network(s), not rescheduling.'",
            parameters=_message(""),
            effect=_refuse(409, "IpAddressGenerationFailure", "No more IP addresses available on network."),
        ),
        Condition(
            "over_quota",
            "Neutron refuses the port with 409 OverQuota, as when the project's port quota is used up.",
            parameters=_message(""),
            effect=_refuse(409, "OverQuota", "Quota exceeded for resources: ['port']."),
        ),
        _fail("the port creation"),
    ),
)

RESOURCE_CREATE = Event(
    service=SERVICE,
    name="create",
    description=(
        "A network, subnet, router, security group or floating IP is made "
        "(POST /v2.0/<collection>); 'resource' is its singular name.  Neutron answers 201."
    ),
    criteria=("tenant_id", "region", "resource", "network_id", "network_name"),
    conditions=(
        Condition(
            "over_quota",
            "Neutron refuses with 409 OverQuota for the resource, as when the project's quota is used up.",
            effect=lambda p: "over_quota",
        ),
        _fail("the creation"),
    ),
)

FLOATING_IP_ASSOCIATE = Event(
    service=SERVICE,
    name="floating_ip_associate",
    description=(
        "A floating IP is associated with a port (POST or PUT /v2.0/floatingips with "
        "port_id, or compute's add_auto_ip).  Neutron answers with the floating IP, ACTIVE."
    ),
    criteria=("tenant_id", "region", "network_id", "network_name", "device_id", "floating_ip_address"),
    conditions=(
        Condition(
            "external_gateway_not_found",
            "Neutron refuses with 404 ExternalGatewayForFloatingIPNotFound: no router "
            "joins the port's subnet to the external network.",
            parameters=_message(""),
            effect=_refuse(
                404, "ExternalGatewayForFloatingIPNotFound",
                "External network is not reachable from the port's subnet. Therefore, cannot "
                "associate the port with a Floating IP.",
            ),
        ),
        _fail("the association"),
    ),
)

RULE_CREATE = Event(
    service=SERVICE,
    name="security_group_rule_create",
    description=(
        "A security group rule is added (POST /v2.0/security-group-rules, or compute's "
        "security-group proxy).  Neutron answers 201 with the rule."
    ),
    criteria=("tenant_id", "region", "security_group_id", "security_group_name"),
    conditions=(
        Condition(
            "rejected",
            "Neutron rejects the rule with 400 (a backend that cannot express it), "
            "in its own error shape; the group is unchanged.",
            parameters=(
                Parameter("type", "The NeutronError's type.", str, "SecurityGroupRuleParameterConflict"),
                Parameter("message", "The NeutronError's message.", str, "The security group rule is not supported by the backend."),
            ),
            effect=_reject_rule,
        ),
        Condition(
            "over_quota",
            "Neutron refuses the rule with 409 OverQuota.",
            effect=_refuse(409, "OverQuota", "Quota exceeded for resources: ['security_group_rule']."),
        ),
        _fail("the rule creation"),
    ),
)

NETWORK_STATE = Event(
    service=SERVICE,
    name="network_status",
    description=(
        "A network is shown or listed, or compute puts a port on it.  Neutron reports "
        "its status, ACTIVE when it works."
    ),
    criteria=("tenant_id", "region", "network_id", "network_name"),
    conditions=(
        Condition(
            "error",
            "The network is in ERROR: Neutron shows status ERROR, and ports made on it "
            "are refused (409 NetworkError), so compute's server on it fails to build.",
            effect=lambda p: "ERROR",
        ),
        Condition(
            "down",
            "The network is DOWN: Neutron shows status DOWN; ports can still be made.",
            effect=lambda p: "DOWN",
        ),
    ),
)

EVENTS = (PORT_CREATE, RESOURCE_CREATE, FLOATING_IP_ASSOCIATE, RULE_CREATE, NETWORK_STATE)
