# -*- test-case-name: mimic.test.test_compute_server_groups -*-
"""
Server groups as compute's model keeps them: one tenant's groups in one
region, with their policy, rules and members, and no HTTP in it (the
API is :mod:`~mimic.services.compute.server_groups_api`).

A server joins a group when its create request names the group in
``os:scheduler_hints`` and leaves it when it is deleted.  Mimic's cloud
has as many hosts as a group needs: members of an affinity group share
the tenant's host, members of an anti-affinity group get a host each
(or one per ``max_server_per_host`` members), which shows in their
``hostId``.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterator, Mapping

from attrs import define, field

#: The policies Nova knows, and the microversion each appears at.
POLICIES = {
    "affinity": (2, 1),
    "anti-affinity": (2, 1),
    "soft-affinity": (2, 15),
    "soft-anti-affinity": (2, 15),
}

#: The policies that spread members over hosts.
SPREADING = frozenset({"anti-affinity", "soft-anti-affinity"})


@define(eq=False)
class ServerGroup:
    """
    One server group.  ``rules`` is Nova's (2.64) ``max_server_per_host``
    when set; ``members`` are server ids in the order they joined.
    """

    id: str
    name: str
    policy: str
    project_id: str
    user_id: str
    rules: Mapping[str, int] = field(factory=dict)
    members: list[str] = field(factory=list)

    def host_id(self, tenant_id: str, region: str, index: int, shared: str) -> str:
        """
        The ``hostId`` of the group's ``index``-th member: the tenant's
        one host (``shared``) unless the policy spreads members.
        """
        if self.policy not in SPREADING:
            return shared
        slot = index // self.rules.get("max_server_per_host", 1)
        return hashlib.sha224(f"{tenant_id}{region}-{self.id}-{slot}".encode()).hexdigest()

    def json(self) -> list[Any]:
        """
        The group as snapshots save it.
        """
        return [self.id, self.name, self.policy, self.project_id, self.user_id, dict(self.rules), list(self.members)]

    @classmethod
    def from_json(cls, saved: Any) -> "ServerGroup":
        group_id, name, policy, project_id, user_id, rules, members = saved
        if policy not in POLICIES:
            raise ValueError(f"server group {group_id!r} has an unknown policy {policy!r}")
        return cls(str(group_id), str(name), policy, str(project_id), str(user_id), dict(rules), list(members))


@define
class ServerGroupStore:
    """
    The server groups of one tenant in one region, by id in creation
    order, and which group each member server is in, so that a server's
    delete leaves its group in O(1) (as a server is in one group at
    most).
    """

    _by_id: dict[str, ServerGroup] = field(factory=dict)
    _group_of: dict[str, str] = field(factory=dict)

    def __iter__(self) -> Iterator[ServerGroup]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, group_id: str) -> ServerGroup | None:
        return self._by_id.get(group_id)

    def add(self, group: ServerGroup) -> ServerGroup:
        self._by_id[group.id] = group
        for member in group.members:
            self._group_of[member] = group.id
        return group

    def delete(self, group_id: str) -> bool:
        group = self._by_id.pop(group_id, None)
        if group is None:
            return False
        for member in group.members:
            self._group_of.pop(member, None)
        return True

    def group_of(self, server_id: str) -> ServerGroup | None:
        group_id = self._group_of.get(server_id)
        return None if group_id is None else self._by_id.get(group_id)

    def join(self, group: ServerGroup, server_id: str) -> int:
        """
        Make the server a member; its index among the members.
        """
        group.members.append(server_id)
        self._group_of[server_id] = group.id
        return len(group.members) - 1

    def leave(self, server_id: str) -> None:
        """
        The server is gone: it is no longer a member of its group.
        """
        group = self.group_of(server_id)
        self._group_of.pop(server_id, None)
        if group is not None and server_id in group.members:
            group.members.remove(server_id)

    def summary(self) -> dict[str, Any]:
        return {"server_groups": len(self._by_id)}
