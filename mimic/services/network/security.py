# -*- test-case-name: mimic.test.test_network_model -*-
"""
Security groups and their rules, as part of a tenant's networking
(:class:`~mimic.services.network.state.TenantNetworking` mixes this in).

Every project has a ``default`` group, made the first time the project
lists its groups or makes a port, with Neutron's four default rules:
ingress from members of the group itself and egress anywhere, for IPv4
and IPv6.  A new group has the two egress rules.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from mimic.services.network.failures import RULE_CREATE
from mimic.services.network.errors import NeutronFault, bad_request
from mimic.services.network.model import SecurityGroup, SecurityGroupRule

#: Protocols Neutron knows by name, and their numbers.
PROTOCOLS = {
    "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "hopopt": 0, "icmp": 1,
    "igmp": 2, "ip": 0, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58,
    "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89,
    "pgm": 113, "rsvp": 46, "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}

#: Protocols whose rules take a port range.
_PORTED = {"tcp", "udp", "dccp", "sctp", "udplite", "6", "17", "33", "132", "136"}
_ICMP = {"icmp", "icmpv6", "ipv6-icmp", "1", "58"}

_PROTOCOL_LIST = (
    "[None, " + ", ".join(repr(p) for p in sorted(PROTOCOLS)) + "] and integer representations [0 to 255]"
)


#: The name of the group every project has.
DEFAULT_GROUP = "default"


def group_not_found(group_id: str) -> NeutronFault:
    return NeutronFault(404, "SecurityGroupNotFound", f"Security group {group_id} does not exist")


def _port_number(value: Any, what: str) -> int | None:
    """
    A port (or ICMP type or code) as an integer; its range depends on
    the protocol, and is checked with it.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise bad_request(f"Invalid input for {what}. Reason: '{value}' is not an integer.")
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"Invalid input for {what}. Reason: '{value}' is not an integer.")


def _invalid_port(value: int) -> NeutronFault:
    return NeutronFault(400, "SecurityGroupInvalidPortValue", f"Invalid value for port {value}")


def parse_rule(body: Mapping[str, Any]) -> dict[str, Any]:
    """
    A rule's attributes from a request, checked as Neutron checks them.
    """
    direction = body.get("direction")
    if direction not in ("ingress", "egress"):
        raise bad_request(
            f"Invalid input for direction. Reason: {direction} is not in valid_values ['ingress', 'egress']."
            if direction is not None else "Failed to parse request. Required attribute 'direction' not specified"
        )
    ethertype = body.get("ethertype", "IPv4")
    if isinstance(ethertype, str) and ethertype.lower() in ("ipv4", "ipv6"):
        ethertype = "IPv4" if ethertype.lower() == "ipv4" else "IPv6"
    else:
        raise bad_request(
            f"Invalid input for ethertype. Reason: {ethertype} is not in valid_values ['IPv4', 'IPv6']."
        )
    protocol = body.get("protocol")
    if protocol is not None:
        if isinstance(protocol, bool) or not isinstance(protocol, (str, int)):
            raise NeutronFault(
                400, "SecurityGroupRuleInvalidProtocol",
                f"Security group rule protocol {protocol} not supported. Only protocol values {_PROTOCOL_LIST} are supported.",
            )
        protocol = str(protocol).lower()
        if protocol == "any":
            protocol = None
        elif protocol not in PROTOCOLS and not (protocol.isdigit() and 0 <= int(protocol) <= 255):
            raise NeutronFault(
                400, "SecurityGroupRuleInvalidProtocol",
                f"Security group rule protocol {body.get('protocol')} not supported. "
                f"Only protocol values {_PROTOCOL_LIST} are supported.",
            )
    if protocol in ("ipv6-icmp", "icmpv6", "58") and ethertype == "IPv4":
        raise NeutronFault(
            400, "SecurityGroupEthertypeConflictWithProtocol",
            f"Invalid ethertype IPv4 for protocol {protocol}.",
        )
    low = _port_number(body.get("port_range_min"), "port_range_min")
    high = _port_number(body.get("port_range_max"), "port_range_max")
    if (low is not None or high is not None) and protocol is None:
        raise NeutronFault(
            400, "SecurityGroupProtocolRequiredWithPorts",
            "Must also specify protocol if port range is given.",
        )
    if protocol in _PORTED:
        for value in (low, high):
            if value is not None and not 0 <= value <= 65535:
                raise _invalid_port(value)
        if high is not None and (low is None or low > high):
            raise NeutronFault(
                400, "SecurityGroupInvalidPortRange",
                "For TCP/UDP protocols, port_range_min must be <= port_range_max",
            )
        if (low == 0 or high == 0) and not (low == 0 and high == 65535):
            raise _invalid_port(0)
    elif protocol in _ICMP:
        for value, field_name in ((low, "type"), (high, "code")):
            if value is not None and not 0 <= value <= 255:
                raise NeutronFault(
                    400, "SecurityGroupInvalidIcmpValue",
                    f"Invalid value for ICMP {field_name} (port-range-{'min' if field_name == 'type' else 'max'}) {value}. "
                    f"It must be 0 to 255.",
                )
        if low is None and high is not None:
            raise NeutronFault(
                400, "SecurityGroupMissingIcmpType",
                f"ICMP code (port-range-max) {high} is provided but ICMP type (port-range-min) is missing.",
            )
    elif low is not None or high is not None:
        if protocol is not None:
            raise NeutronFault(
                400, "SecurityGroupInvalidProtocolForPortRange",
                f"Invalid protocol {protocol} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.",
            )
    prefix = body.get("remote_ip_prefix")
    group = body.get("remote_group_id")
    if prefix is not None and group is not None:
        raise NeutronFault(
            400, "SecurityGroupRemoteGroupAndRemoteIpPrefix",
            "Only remote_ip_prefix or remote_group_id may be provided.",
        )
    if prefix is not None:
        try:
            network = ipaddress.ip_network(str(prefix), strict=False)
        except ValueError:
            raise bad_request(f"Invalid input for remote_ip_prefix. Reason: '{prefix}' is not a valid IP subnet.")
        if (network.version == 4) != (ethertype == "IPv4"):
            raise NeutronFault(
                400, "SecurityGroupRuleParameterConflict",
                f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
            )
        prefix = str(network)
    description = body.get("description", "")
    if not isinstance(description, str):
        raise bad_request(f"Invalid input for description. Reason: '{description}' is not a valid string.")
    return {
        "direction": direction,
        "ethertype": ethertype,
        "protocol": protocol,
        "port_range_min": low,
        "port_range_max": high,
        "remote_ip_prefix": prefix,
        "remote_group_id": group,
        "description": description,
    }


def _default_exists() -> NeutronFault:
    return NeutronFault(409, "SecurityGroupDefaultAlreadyExists", "Default security group already exists.")


class SecurityGroups:
    """
    The security-group half of a tenant's networking.
    """

    if TYPE_CHECKING:
        # What TenantNetworking provides.
        tenant_id: str
        groups_by_id: dict[str, SecurityGroup]
        rule_groups: dict[str, str]
        ports_by_id: dict[str, Any]
        default_ids: tuple[str, ...]

        def check_quota(self, resource: str, used: int, more: int = 1) -> None: ...
        def now(self) -> float: ...
        def decide(self, event: Any, **attributes: Any) -> Any: ...

    def _group(self, name: str, description: str, now: float) -> SecurityGroup:
        return SecurityGroup(
            created_at=now, updated_at=now, revision_number=1,
            id=str(uuid.uuid4()), name=name, tenant_id=self.tenant_id, description=description,
        )

    def _rule(self, group: SecurityGroup, attributes: Mapping[str, Any], now: float) -> SecurityGroupRule:
        rule = SecurityGroupRule(
            created_at=now, updated_at=now, revision_number=0,
            id=str(uuid.uuid4()), security_group_id=group.id, tenant_id=self.tenant_id, **attributes,
        )
        group.rule_map[rule.id] = rule
        self.rule_groups[rule.id] = group.id
        return rule

    def default_group(self, now: float | None = None) -> SecurityGroup:
        """
        The project's ``default`` group, made on first use.
        """
        for group in self.groups_by_id.values():
            if group.name == DEFAULT_GROUP:
                return group
        when = self.now() if now is None else now
        group = self._group(DEFAULT_GROUP, "Default security group", when)
        for ethertype in ("IPv4", "IPv6"):
            self._rule(group, {"direction": "ingress", "ethertype": ethertype, "remote_group_id": group.id}, when)
            self._rule(group, {"direction": "egress", "ethertype": ethertype}, when)
        # Made before any other (creating one makes it first), so it
        # comes first in listings.
        self.groups_by_id[group.id] = group
        return group

    def default_group_ids(self, now: float) -> tuple[str, ...]:
        """
        ``(id of the default group,)``, one tuple shared by every port
        that has it.
        """
        if not self.default_ids:
            self.default_ids = (self.default_group(now).id,)
        return self.default_ids

    def security_groups(self) -> list[SecurityGroup]:
        self.default_group()
        return list(self.groups_by_id.values())

    def security_group(self, group_id: str) -> SecurityGroup | None:
        if group_id not in self.groups_by_id:
            self.default_group()
        return self.groups_by_id.get(group_id)

    def require_group(self, group_id: str) -> SecurityGroup:
        group = self.security_group(group_id)
        if group is None:
            raise group_not_found(group_id)
        return group

    def find_security_group(self, name_or_id: str) -> SecurityGroup | None:
        group = self.security_group(name_or_id)
        if group is not None:
            return group
        named = [g for g in self.groups_by_id.values() if g.name == name_or_id]
        if len(named) > 1:
            raise NeutronFault(
                409, "NoUniqueMatch",
                f"Multiple security_group matches found for name '{name_or_id}', use an ID to be more specific.",
            )
        return named[0] if named else None

    def require_group_ref(self, name_or_id: str) -> SecurityGroup:
        group = self.find_security_group(name_or_id) if isinstance(name_or_id, str) else None
        if group is None:
            raise group_not_found(str(name_or_id))
        return group

    def create_security_group(self, name: str, description: str, now: float, stateful: bool = True) -> SecurityGroup:
        self.default_group(now)
        if name == DEFAULT_GROUP:
            raise _default_exists()
        self.check_quota("security_group", len(self.groups_by_id))
        group = self._group(name, description, now)
        group.stateful = stateful
        for ethertype in ("IPv4", "IPv6"):
            self._rule(group, {"direction": "egress", "ethertype": ethertype}, now)
        self.groups_by_id[group.id] = group
        return group

    def update_security_group(self, group_id: str, changes: Mapping[str, Any], now: float) -> SecurityGroup:
        group = self.require_group(group_id)
        if group.name == DEFAULT_GROUP and changes.get("name", DEFAULT_GROUP) != DEFAULT_GROUP:
            raise NeutronFault(
                409, "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed."
            )
        if group.name != DEFAULT_GROUP and changes.get("name") == DEFAULT_GROUP:
            raise _default_exists()
        for key, value in changes.items():
            setattr(group, key, value)
        group.touch(now)
        return group

    def delete_security_group(self, group_id: str, now: float) -> None:
        group = self.require_group(group_id)
        if group.name == DEFAULT_GROUP:
            raise NeutronFault(409, "SecurityGroupCannotRemoveDefault", "Insufficient rights for removing default security group.")
        if any(group.id in port.security_group_ids for port in self.ports_by_id.values()):
            raise NeutronFault(
                409, "SecurityGroupInUse", f"Security Group {group.id} in use."
            )
        for rule_id in group.rule_map:
            self.rule_groups.pop(rule_id, None)
        del self.groups_by_id[group.id]
        for other in self.groups_by_id.values():
            for rule_id in [r.id for r in other.rule_map.values() if r.remote_group_id == group.id]:
                del other.rule_map[rule_id]
                self.rule_groups.pop(rule_id, None)

    def security_group_rules(self) -> list[SecurityGroupRule]:
        return [rule for group in self.security_groups() for rule in group.rule_map.values()]

    def security_group_rule(self, rule_id: str) -> SecurityGroupRule | None:
        group_id = self.rule_groups.get(rule_id)
        if group_id is None:
            return None
        return self.groups_by_id[group_id].rule_map.get(rule_id)

    def add_security_group_rule(self, group_id: str, rule: Mapping[str, Any], now: float) -> dict[str, Any]:
        from mimic.services.network.views import rule_json

        return rule_json(self.add_rule({**rule, "security_group_id": group_id}, now))

    def add_rule(self, body: Mapping[str, Any], now: float) -> SecurityGroupRule:
        """
        A rule from Neutron's request body (``security_group_id`` and the
        rule's attributes), checked, after the known error conditions.
        """
        group_id = body.get("security_group_id")
        attributes = parse_rule(body)
        group = self.require_group(str(group_id))
        self.decide(RULE_CREATE, security_group_id=group.id, security_group_name=group.name)
        return self.create_security_group_rule(group.id, attributes, now)

    def create_security_group_rule(self, group_id: Any, attributes: Mapping[str, Any], now: float) -> SecurityGroupRule:
        """
        Add checked attributes (:func:`parse_rule`) as a rule of a group.
        """
        if not isinstance(group_id, str):
            raise bad_request(f"Invalid input for security_group_id. Reason: '{group_id}' is not a valid UUID.")
        group = self.require_group(group_id)
        remote = attributes.get("remote_group_id")
        if remote is not None and self.security_group(str(remote)) is None:
            raise group_not_found(str(remote))
        candidate = SecurityGroupRule(
            created_at=now, updated_at=now, revision_number=0, id="", security_group_id=group.id,
            tenant_id=self.tenant_id, **attributes,
        )
        for existing in group.rule_map.values():
            if existing.identity() == candidate.identity():
                raise NeutronFault(
                    409, "SecurityGroupRuleExists",
                    f"Security group rule already exists. Rule id is {existing.id}.",
                )
        self.check_quota("security_group_rule", len(self.rule_groups))
        rule = self._rule(group, attributes, now)
        group.touch(now)
        return rule

    def delete_security_group_rule(self, rule_id: str, now: float) -> None:
        rule = self.security_group_rule(rule_id)
        if rule is None:
            raise NeutronFault(404, "SecurityGroupRuleNotFound", f"Security group rule {rule_id} does not exist")
        group = self.groups_by_id[rule.security_group_id]
        del group.rule_map[rule_id]
        del self.rule_groups[rule_id]
        group.touch(now)

    def set_group_ids(self, names: Sequence[str]) -> tuple[str, ...]:
        return tuple(self.require_group_ref(name).id for name in names)
