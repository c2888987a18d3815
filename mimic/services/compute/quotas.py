# -*- test-case-name: mimic.test.test_compute_quotas -*-
"""
Nova's quota sets (``/os-quota-sets/{project_id}``): show, show with usage
(``/detail``), the defaults (``/defaults``), update (``PUT``) and revert
to the defaults (``DELETE``).

Quotas are kept per tenant and region in the compute state
(:attr:`mimic.services.compute.model.ComputeState.quotas`); the server
create's quota check and ``GET /limits`` read them from there.  Real Nova
lets only admins change quotas; every Mimic user is the admin of their
own tenant, so a tenant may read and change its own quotas, and gets
Nova's policy 403 for another tenant's.

:class:`QuotasAPI` serves them; :func:`quota_set_json` writes a quota set
and :func:`apply_update` validates and applies a change.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.services.compute.errors import handle_nova_errors, invalid_input, nova_error
from mimic.services.compute.model import UNLIMITED, ComputeState, Quotas, Usage
from mimic.services.compute.versions import Microversion
from mimic.services.compute.web import ContextFactory, RequestContext

#: Every quota Nova reports, in the order its API reference lists them.
ALL_RESOURCES = (
    "cores",
    "fixed_ips",
    "floating_ips",
    "injected_file_content_bytes",
    "injected_file_path_bytes",
    "injected_files",
    "instances",
    "key_pairs",
    "metadata_items",
    "ram",
    "security_group_rules",
    "security_groups",
    "server_group_members",
    "server_groups",
)

#: Network quotas, which Nova stops reporting and accepting at 2.36
#: (Neutron owns them).
NETWORK_RESOURCES = frozenset({"fixed_ips", "floating_ips", "security_group_rules", "security_groups"})

#: File injection quotas, gone at 2.57 with personality files.
FILE_RESOURCES = frozenset({"injected_file_content_bytes", "injected_file_path_bytes", "injected_files"})

#: The largest limit Nova stores (a signed 32-bit integer).
MAX_LIMIT = 0x7FFFFFFF

#: What Nova's boolean parameters accept, in the order its schema lists them.
_BOOLEANS: tuple[Any, ...] = (
    True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
    False, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no",
)
_TRUE = frozenset({"True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes"})

_INTEGER = re.compile(r"^-?[0-9]+$")


def resources(microversion: Microversion) -> tuple[str, ...]:
    """
    The quotas shown and accepted at a microversion.
    """
    hidden: frozenset[str] = frozenset()
    if microversion >= (2, 36):
        hidden = NETWORK_RESOURCES
    if microversion >= (2, 57):
        hidden = hidden | FILE_RESOURCES
    return tuple(name for name in ALL_RESOURCES if name not in hidden)


def in_use(usage: Usage) -> dict[str, int]:
    """
    What a tenant's servers use, by quota name (the rest are 0: key pairs
    count per user, not per project, as in Nova).
    """
    return {
        "instances": usage.instances,
        "cores": usage.cores,
        "ram": usage.ram,
        "server_groups": usage.server_groups,
    }


def quota_set_json(
    quotas: Quotas,
    microversion: Microversion,
    project_id: str | None = None,
    usage: Usage | None = None,
) -> dict[str, Any]:
    """
    ``{"quota_set": ...}`` as Nova shows it: each limit (with ``usage``,
    ``{"in_use", "limit", "reserved"}`` as ``/detail`` gives it), and the
    project's ``id`` except in an update's response.
    """
    body: dict[str, Any] = {}
    if project_id is not None:
        body["id"] = project_id
    used = in_use(usage) if usage is not None else {}
    for name in resources(microversion):
        limit = getattr(quotas, name)
        if usage is None:
            body[name] = limit
        else:
            body[name] = {"in_use": used.get(name, 0), "limit": limit, "reserved": 0}
    return {"quota_set": body}


def _limit(name: str, value: Any) -> int:
    """
    One limit of an update, checked as Nova's schema does: an integer, or
    a string of digits, from -1 (unlimited) up.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_input(name, value, f"{value!r} is not of type 'integer', 'string'")
    if isinstance(value, str):
        if not _INTEGER.match(value):
            raise invalid_input(name, value, f"{value!r} does not match '^-?[0-9]+$'")
        # A string is only checked against the pattern by the schema; Nova
        # then refuses what is under -1 in its own words.
        number = int(value) if len(value) <= 12 else MAX_LIMIT + 1
        if number < UNLIMITED:
            raise nova_error(400, f"Quota limit {number} for {name} must be -1 or greater.")
        if number > MAX_LIMIT:
            raise invalid_input(name, value, f"{value!r} is greater than the maximum of {MAX_LIMIT}")
        return number
    if value < UNLIMITED:
        raise invalid_input(name, value, f"{value} is less than the minimum of {UNLIMITED}")
    if value > MAX_LIMIT:
        raise invalid_input(name, value, f"{value} is greater than the maximum of {MAX_LIMIT}")
    return value


def apply_update(quotas: Quotas, body: Any, microversion: Microversion, usage: Usage) -> Quotas:
    """
    The quotas after a ``PUT /os-quota-sets/{id}`` body, validated as
    Nova validates it, all or nothing: a bad value, an unknown (or, at
    this microversion, retired) quota, or, without ``force``, a limit
    below what is already used, is a 400 and changes nothing.
    """
    if not isinstance(body, dict):
        raise nova_error(400, f"{body!r} is not of type 'object'")
    if "quota_set" not in body:
        raise nova_error(400, "'quota_set' is a required property")
    extra = sorted(set(body) - {"quota_set"})
    if extra:
        raise nova_error(
            400, f"Additional properties are not allowed ({', '.join(repr(e) for e in extra)} was unexpected)"
        )
    requested = body["quota_set"]
    if not isinstance(requested, dict):
        raise invalid_input("quota_set", requested, f"{requested!r} is not of type 'object'")
    known = set(resources(microversion)) | {"force"}
    unexpected = [key for key in requested if key not in known]
    if unexpected:
        raise invalid_input(
            "quota_set", requested,
            f"Additional properties are not allowed ({', '.join(repr(u) for u in unexpected)} was unexpected)",
        )
    force = requested.get("force", False)
    if force not in _BOOLEANS or isinstance(force, int) and not isinstance(force, bool):
        raise invalid_input("force", force, f"{force!r} is not one of [{', '.join(repr(b) for b in _BOOLEANS)}]")
    forced = force is True or force in _TRUE
    limits = {name: _limit(name, value) for name, value in requested.items() if name != "force"}
    if not forced:
        used = in_use(usage)
        for name, limit in limits.items():
            minimum = used.get(name, 0)
            if limit != UNLIMITED and limit < minimum:
                raise nova_error(
                    400,
                    f"Quota limit {limit} for {name} must be greater than or equal to already used "
                    f"and reserved {minimum}.",
                )
    return attrs.evolve(quotas, **limits)


def _own_project(ctx: RequestContext, project_id: str, action: str) -> None:
    """
    Nova's policy answer for a project the caller may not manage.
    """
    if project_id != ctx.tenant_id:
        raise nova_error(403, f"Policy doesn't allow os_compute_api:os-quota-sets:{action} to be performed.")


class QuotasAPI:
    """
    ``/os-quota-sets`` for one request, over the quotas in ``state``.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState) -> None:
        self.context = context
        self.state = state

    @app.route("/<project_id>", methods=["GET"])
    def show_quotas(self, request: IRequest, project_id: str) -> bytes:
        ctx = self.context()
        _own_project(ctx, project_id, "show")
        return json_response(request, quota_set_json(self.state.quotas, ctx.microversion, project_id))

    @app.route("/<project_id>/detail", methods=["GET"])
    def show_quota_detail(self, request: IRequest, project_id: str) -> bytes:
        """
        Each limit with its usage.
        """
        ctx = self.context()
        _own_project(ctx, project_id, "detail")
        state = self.state
        usage = state.usage(ctx.now)
        return json_response(request, quota_set_json(state.quotas, ctx.microversion, project_id, usage))

    @app.route("/<project_id>/defaults", methods=["GET"])
    def show_defaults(self, request: IRequest, project_id: str) -> bytes:
        """
        What a new tenant gets.
        """
        ctx = self.context()
        _own_project(ctx, project_id, "defaults")
        return json_response(request, quota_set_json(self.state.default_quotas, ctx.microversion, project_id))

    @app.route("/<project_id>", methods=["PUT"])
    def update_quotas(self, request: IRequest, project_id: str) -> bytes:
        """
        200 with the whole quota set (no ``id``, as Nova answers).
        """
        ctx = self.context()
        _own_project(ctx, project_id, "update")
        body = read_json(request, nova_error)
        state = self.state
        state.quotas = apply_update(state.quotas, body, ctx.microversion, state.usage(ctx.now))
        return json_response(request, quota_set_json(state.quotas, ctx.microversion))

    @app.route("/<project_id>", methods=["DELETE"])
    def revert_quotas(self, request: IRequest, project_id: str) -> bytes:
        """
        Back to the defaults; 202 with no body, as Nova answers.
        """
        ctx = self.context()
        _own_project(ctx, project_id, "delete")
        self.state.quotas = self.state.default_quotas
        return json_response(request, None, 202)
