# -*- test-case-name: mimic.test.test_compute_server_extras -*-
"""
``/os-simple-tenant-usage`` (by :class:`UsageAPI`): how many server
hours, and the vCPU, memory and disk hours with them, a tenant's servers
(live and recently deleted) ran between ``start`` and ``end`` on
Mimic's clock.

A tenant reads its own usage (``/os-simple-tenant-usage/{tenant_id}``,
paged with ``limit`` and ``marker`` from 2.40); another tenant's, and
the listing of every tenant's, are an administrator's, as Nova's policy
has them (its 403 for anyone else): an administrator's listing covers
every tenant identity knows that has compute in the region.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode
from datetime import datetime, timezone
from typing import Any, Iterable

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.interfaces import IMimicCore
from mimic.services.compute.errors import handle_nova_errors, nova_error
from mimic.services.compute.failures import SERVICE
from mimic.services.compute.flavors import get_flavor
from mimic.services.compute.model import ComputeState, Server
from mimic.services.compute.policy import every_tenants_state, policy_refused
from mimic.services.compute.web import ContextFactory, RequestContext, limit_and_marker
from mimic.timestamps import parse_iso

_SPACED = re.compile(r"^(\d{4}-\d\d-\d\d) (\d)")


def nova_time(seconds: float) -> str:
    """
    A time as the usage API writes it: ISO 8601 with microseconds and no
    zone (Nova's naive UTC datetimes).
    """
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


def _time_arg(request: IRequest, name: str, default: float) -> float:
    raw = query_arg(request, name)
    if raw is None:
        return default
    parsed = parse_iso(_SPACED.sub(r"\1T\2", raw.strip())) if raw.strip() else None
    if parsed is None:
        raise nova_error(400, "Datetime is in invalid format")
    return parsed


def period(request: IRequest, now: float) -> tuple[float, float]:
    """
    The ``start`` and ``end`` a request asks about (now when absent), or
    Nova's 400.
    """
    start = _time_arg(request, "start", now)
    end = _time_arg(request, "end", now)
    if start > end:
        raise nova_error(400, "Invalid start time. The start time cannot occur after the end time.")
    return start, end


def server_usage(server: Server, start: float, end: float, now: float) -> dict[str, Any] | None:
    """
    One server's usage within the period, or None when it did not run in
    it.
    """
    began = server.launched_at if server.launched_at is not None else server.created
    stopped = server.terminated_at
    if began > end or (stopped is not None and stopped < start):
        return None
    flavor = get_flavor(server.flavor_id)
    vcpus, ram, disk = (flavor.vcpus, flavor.ram, flavor.disk + flavor.ephemeral) if flavor else (0, 0, 0)
    # A server still running has run until now, not until a future end.
    hours = max(0.0, (min(end, stopped if stopped is not None else now) - max(start, began)) / 3600)
    return {
        "ended_at": None if stopped is None else nova_time(stopped),
        "flavor": flavor.name if flavor is not None else server.flavor_id,
        "hours": hours,
        "instance_id": server.id,
        "local_gb": disk,
        "memory_mb": ram,
        "name": server.name,
        "started_at": nova_time(began),
        "state": "terminated" if stopped is not None else server.vm_state,
        "tenant_id": server.tenant_id,
        "uptime": int((stopped if stopped is not None else now) - began),
        "vcpus": vcpus,
    }


def tenant_usage(
    tenant_id: str, usages: list[dict[str, Any]], start: float, end: float, detailed: bool
) -> dict[str, Any]:
    """
    A tenant's totals over its servers' usages ({} when none ran, as
    Nova answers).
    """
    if not usages:
        return {}
    body: dict[str, Any] = {
        "tenant_id": tenant_id,
        "start": nova_time(start),
        "stop": nova_time(end),
        "total_hours": sum(u["hours"] for u in usages),
        "total_local_gb_usage": sum(u["hours"] * u["local_gb"] for u in usages),
        "total_memory_mb_usage": sum(u["hours"] * u["memory_mb"] for u in usages),
        "total_vcpus_usage": sum(u["hours"] * u["vcpus"] for u in usages),
    }
    if detailed:
        body["server_usages"] = usages
    return body


def _servers(states: Iterable[ComputeState], now: float) -> list[Server]:
    """
    The servers of these tenants' states, live and deleted, oldest first
    (Nova's order).
    """
    servers = [server for state in states for server in (*state.live(now), *state.deleted.values())]
    servers.sort(key=lambda s: (s.created, s.number))
    return servers


class UsageAPI:
    """
    ``/os-simple-tenant-usage`` for one request: ``state`` is the
    caller's tenant's; an administrator's requests read other tenants'
    states here from the ``core``.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState, core: IMimicCore) -> None:
        self.context = context
        self.state = state
        self.core = core

    def _state_of(self, tenant_id: str) -> ComputeState | None:
        if tenant_id == self.state.tenant_id:
            return self.state
        found: ComputeState | None = self.core.existing_region_state(SERVICE, tenant_id, self.state.region)
        return found

    def _usages(
        self, request: IRequest, ctx: RequestContext, servers: list[Server], start: float, end: float, path: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
        """
        The usages of ``servers`` in the period: all of them before
        2.40, a page (``limit``, ``marker``) and its ``next`` link from
        2.40.
        """
        paged = ctx.microversion >= (2, 40)
        limit, marker = limit_and_marker(request) if paged else (None, None)
        if marker is not None:
            ids = [s.id for s in servers]
            if marker not in ids:
                raise nova_error(400, f"marker [{marker}] not found")
            servers = servers[ids.index(marker) + 1:]
        usages = []
        for server in servers:
            usage = server_usage(server, start, end, ctx.now)
            if usage is not None:
                usages.append(usage)
                if len(usages) == limit:
                    break
        if not usages or len(usages) != limit:
            return usages, []
        query = [
            (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
            for name, values in sorted(request.args.items())
            if name != b"marker"
            for value in values
        ]
        query.append(("marker", usages[-1]["instance_id"]))
        return usages, [{"href": f"{ctx.versioned_url}/{path}?{urlencode(query)}", "rel": "next"}]

    @app.route("/", methods=["GET"])
    def list_usages(self, request: IRequest) -> bytes:
        ctx = self.context()
        if not ctx.is_admin:
            raise policy_refused("os_compute_api:os-simple-tenant-usage:list")
        start, end = period(request, ctx.now)
        detailed = query_arg(request, "detailed") in ("1", "True", "true")
        servers = _servers(every_tenants_state(self.core, self.state), ctx.now)
        usages, links = self._usages(request, ctx, servers, start, end, "os-simple-tenant-usage")
        by_tenant: dict[str, list[dict[str, Any]]] = {}
        for usage in usages:
            by_tenant.setdefault(usage["tenant_id"], []).append(usage)
        body: dict[str, Any] = {
            "tenant_usages": [
                tenant_usage(tenant_id, found, start, end, detailed) for tenant_id, found in by_tenant.items()
            ]
        }
        if links:
            body["tenant_usages_links"] = links
        return json_response(request, body)

    @app.route("/<tenant_id>", methods=["GET"])
    def show_usage(self, request: IRequest, tenant_id: str) -> bytes:
        ctx = self.context()
        if tenant_id != ctx.tenant_id and not ctx.is_admin:
            raise policy_refused("os_compute_api:os-simple-tenant-usage:show")
        start, end = period(request, ctx.now)
        state = self._state_of(tenant_id)
        servers = _servers([state] if state is not None else [], ctx.now)
        usages, links = self._usages(request, ctx, servers, start, end, f"os-simple-tenant-usage/{tenant_id}")
        body: dict[str, Any] = {"tenant_usage": tenant_usage(tenant_id, usages, start, end, True)}
        if links:
            body["tenant_usage_links"] = links
        return json_response(request, body)
