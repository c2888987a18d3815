# -*- test-case-name: mimic.test.test_compute_server_groups -*-
"""
``/os-server-groups`` (by :class:`ServerGroupsAPI`): create, list, show
and delete a tenant's server groups, as Nova answers at each
microversion: a ``policies`` list and empty ``metadata`` before 2.64, a
``policy`` and its ``rules`` (``max_server_per_host``) from 2.64, the
owner's ``project_id`` and ``user_id`` from 2.13.

A server create joins a group through its ``os:scheduler_hints``
(:func:`requested_group` before the servers are made, :func:`join_group`
after, where the known error condition of
:mod:`~mimic.services.compute.server_group_failures` may strike).  The
``server_groups`` and ``server_group_members`` quotas are kept with
Nova's 403s.  ``all_projects`` is an administrator's
(Nova's policy 403 for anyone else) and lists every tenant's groups in
the region.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Mapping

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import HTTPError, json_response, query_arg, read_json
from mimic.interfaces import IMimicCore
from mimic.services.compute.errors import handle_nova_errors, invalid_input, nova_error
from mimic.services.compute.model import UNLIMITED, ComputeState, Server
from mimic.services.compute.policy import every_tenants_state, policy_refused
from mimic.services.compute.server_group_failures import SERVER_GROUP_PLACEMENT, NoValidHost
from mimic.services.compute.server_groups import POLICIES, ServerGroup
from mimic.services.compute.validation import server_name
from mimic.services.compute.versions import Microversion
from mimic.services.compute.web import MAX_LIMIT, ContextFactory

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_DIGITS = re.compile(r"^[0-9]+$")


def group_not_found(group_id: str) -> HTTPError:
    return nova_error(404, f"Instance group {group_id} could not be found.")


def group_json(group: ServerGroup, microversion: Microversion) -> dict[str, Any]:
    """
    A server group as Nova shows it at ``microversion``.
    """
    body: dict[str, Any] = {"id": group.id, "name": group.name, "members": list(group.members)}
    if microversion >= (2, 64):
        body["policy"] = group.policy
        body["rules"] = dict(group.rules)
    else:
        body["policies"] = [group.policy]
        body["metadata"] = {}
    if microversion >= (2, 13):
        body["project_id"] = group.project_id
        body["user_id"] = group.user_id
    return body


def _unexpected(spec: Mapping[str, Any], allowed: set[str]) -> None:
    unexpected = sorted(set(spec) - allowed)
    if unexpected:
        raise invalid_input(
            "server_group", spec,
            f"Additional properties are not allowed ({', '.join(repr(u) for u in unexpected)} was unexpected)",
        )


def _policy(value: Any, field: str, microversion: Microversion) -> str:
    known = [name for name, since in POLICIES.items() if microversion >= since]
    if value not in known:
        raise invalid_input(field, value, f"{value!r} is not one of {known!r}")
    return str(value)


def _rules(value: Any, policy: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise invalid_input("rules", value, f"{value!r} is not of type 'object'")
    _unexpected(value, {"max_server_per_host"})
    if not value:
        return {}
    if policy != "anti-affinity":
        raise nova_error(400, "Only anti-affinity policy supports rules.")
    raw = value["max_server_per_host"]
    if isinstance(raw, bool) or not (isinstance(raw, int) or (isinstance(raw, str) and _DIGITS.match(raw))):
        raise invalid_input("max_server_per_host", raw, f"{raw!r} is not of type 'integer', 'string'")
    count = int(raw)
    if count < 1 or count > 0x7FFFFFFF:
        raise invalid_input("max_server_per_host", raw, f"{raw!r} is less than the minimum of 1")
    return {"max_server_per_host": count}


def group_create(body: Any, microversion: Microversion) -> tuple[str, str, dict[str, int]]:
    """
    A create request's (name, policy, rules), validated as Nova's schema
    for the microversion does.
    """
    if not isinstance(body, dict) or not isinstance(body.get("server_group"), dict):
        raise invalid_input("server_group", body, "'server_group' is a required property")
    _unexpected({k: v for k, v in body.items() if k != "server_group"}, set())
    spec = body["server_group"]
    modern = microversion >= (2, 64)
    _unexpected(spec, {"name", "policy", "rules"} if modern else {"name", "policies"})
    for required in ("name", "policy") if modern else ("name", "policies"):
        if required not in spec:
            raise invalid_input("server_group", spec, f"'{required}' is a required property")
    name = server_name(spec["name"])
    if modern:
        policy = _policy(spec["policy"], "policy", microversion)
        return name, policy, _rules(spec.get("rules", {}), policy)
    policies = spec["policies"]
    if not isinstance(policies, list):
        raise invalid_input("policies", policies, f"{policies!r} is not of type 'array'")
    if not policies:
        raise invalid_input("policies", policies, "[] is too short")
    if len(policies) > 1:
        raise invalid_input("policies", policies, f"{policies!r} is too long")
    return name, _policy(policies[0], "policies", microversion), {}


def _non_negative(request: IRequest, name: str, default: int) -> int:
    raw = query_arg(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise nova_error(400, f"{name} param must be an integer")
    if value < 0:
        raise nova_error(400, f"{name} param must be positive")
    return value


def requested_group(body: Mapping[str, Any], state: ComputeState, count: int) -> ServerGroup | None:
    """
    The group a server create's ``os:scheduler_hints`` names, if any,
    once it is known to exist and to have room for ``count`` more
    members under the ``server_group_members`` quota.
    """
    hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints"))
    if hints is None:
        return None
    if not isinstance(hints, dict):
        raise invalid_input("os:scheduler_hints", hints, f"{hints!r} is not of type 'object'")
    group_id = hints.get("group")
    if group_id is None:
        return None
    if not isinstance(group_id, str) or not _UUID.match(group_id):
        raise invalid_input("group", group_id, f"{group_id!r} is not a 'uuid'")
    group = state.server_groups.get(group_id)
    if group is None:
        raise nova_error(400, f"Instance group {group_id} could not be found.")
    allowed = state.quotas.server_group_members
    if allowed != UNLIMITED and len(group.members) + count > allowed:
        raise nova_error(403, "Quota exceeded, too many servers in group")
    return group


def join_group(
    state: ComputeState, group: ServerGroup | None, servers: list[Server], failures: Any, now: float
) -> None:
    """
    The new servers join the group their create named; members of a
    group that spreads its members get hosts of their own.  Each is
    placed as the failure engine decides: a member no host can take
    goes to ERROR (see
    :mod:`~mimic.services.compute.server_group_failures`).
    """
    if group is None:
        return
    for server in servers:
        index = state.server_groups.join(group, server.id)
        server.server_group = group.id
        server.host_id = group.host_id(state.tenant_id, state.region, index, state.host_id)
        placement = failures.decide(
            SERVER_GROUP_PLACEMENT,
            {
                "server_name": server.name,
                "tenant_id": state.tenant_id,
                "region": state.region,
                "group_id": group.id,
                "group_name": group.name,
                "policy": group.policy,
            },
            server.metadata,
        )
        if isinstance(placement, NoValidHost):
            server.cancel_pending()
            server.launched_at = None
            server.progress = 0
            server.set_state(now, "building", None, 0)
            server.go_to_error(now, placement.message)


class ServerGroupsAPI:
    """
    ``/os-server-groups`` for one request.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState, core: IMimicCore) -> None:
        self.context = context
        self.state = state
        self.core = core

    @app.route("/", methods=["GET"])
    def list_groups(self, request: IRequest) -> bytes:
        ctx = self.context()
        states = [self.state]
        if b"all_projects" in request.args:
            if not ctx.is_admin:
                raise policy_refused("os_compute_api:os-server-groups:index:all_projects")
            states = every_tenants_state(self.core, self.state)
        limit = min(_non_negative(request, "limit", MAX_LIMIT), MAX_LIMIT)
        offset = _non_negative(request, "offset", 0)
        groups = [group for state in states for group in state.server_groups][offset:offset + limit]
        return json_response(request, {"server_groups": [group_json(g, ctx.microversion) for g in groups]})

    @app.route("/", methods=["POST"])
    def create_group(self, request: IRequest) -> bytes:
        ctx = self.context()
        name, policy, rules = group_create(read_json(request, nova_error), ctx.microversion)
        state = self.state
        allowed = state.quotas.server_groups
        if allowed != UNLIMITED and len(state.server_groups) >= allowed:
            raise nova_error(403, "Quota exceeded, too many server groups.")
        group = state.server_groups.add(
            ServerGroup(str(uuid.uuid4()), name, policy, ctx.tenant_id, ctx.user_id, rules)
        )
        return json_response(request, {"server_group": group_json(group, ctx.microversion)})

    @app.route("/<group_id>", methods=["GET"])
    def show_group(self, request: IRequest, group_id: str) -> bytes:
        ctx = self.context()
        group = self.state.server_groups.get(group_id)
        if group is None:
            raise group_not_found(group_id)
        return json_response(request, {"server_group": group_json(group, ctx.microversion)})

    @app.route("/<group_id>", methods=["DELETE"])
    def delete_group(self, request: IRequest, group_id: str) -> bytes:
        self.context()
        state = self.state
        group = state.server_groups.get(group_id)
        if group is None:
            raise group_not_found(group_id)
        for member in group.members:
            server = state.servers.get(member)
            if server is not None:
                server.server_group = None
        state.server_groups.delete(group_id)
        return json_response(request, None, 204)
