# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's quotas (``/v2.0/quotas``): each project's limits on networks,
subnets, ports, routers, floating IPs, security groups and rules.

Limits are kept per region for any project named (an administrator sets
another project's quotas before it exists); a project that was never
given any has Neutron's defaults, and ``GET /v2.0/quotas`` lists only
the projects whose quotas were changed.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import handle_errors, json_response, read_json
from mimic.services.network.errors import DOMAIN_ERRORS, METHOD_NOT_ALLOWED, NOT_FOUND, UNEXPECTED, neutron_error
from mimic.services.network.region import DEFAULT_QUOTAS
from mimic.services.network.state import TenantNetworking
from mimic.services.network.validation import quota_body


class QuotasAPI:
    app = Klein()
    handle_errors(
        app,
        neutron_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )

    def __init__(self, state: TenantNetworking, tenant_id: str) -> None:
        self.state = state
        self.tenant_id = tenant_id

    @app.route("/", methods=["GET"])
    def list_quotas(self, request: IRequest) -> bytes:
        quotas = self.state.region.quotas
        return json_response(
            request,
            {"quotas": [{**self.state.region.quotas_of(p), "tenant_id": p, "project_id": p} for p in sorted(quotas)]},
        )

    @app.route("/tenant", methods=["GET"])
    def own_project(self, request: IRequest) -> bytes:
        return json_response(request, {"tenant": {"tenant_id": self.tenant_id}})

    @app.route("/<project_id>", methods=["GET"])
    def show_quota(self, request: IRequest, project_id: str) -> bytes:
        return json_response(request, {"quota": self.state.region.quotas_of(project_id)})

    @app.route("/<project_id>/default", methods=["GET"])
    def show_default(self, request: IRequest, project_id: str) -> bytes:
        return json_response(request, {"quota": dict(DEFAULT_QUOTAS)})

    @app.route("/<project_id>/details", methods=["GET"])
    def show_details(self, request: IRequest, project_id: str) -> bytes:
        limits = self.state.region.quotas_of(project_id)
        used = self.state.usage() if project_id == self.tenant_id else {}
        return json_response(
            request,
            {"quota": {key: {"limit": limit, "used": used.get(key, 0), "reserved": 0} for key, limit in limits.items()}},
        )

    @app.route("/<project_id>", methods=["PUT"])
    def update_quota(self, request: IRequest, project_id: str) -> bytes:
        changes = quota_body(read_json(request, neutron_error), DEFAULT_QUOTAS)
        self.state.region.quotas.setdefault(project_id, {}).update(changes)
        return json_response(request, {"quota": self.state.region.quotas_of(project_id)})

    @app.route("/<project_id>", methods=["DELETE"])
    def reset_quota(self, request: IRequest, project_id: str) -> bytes:
        self.state.region.quotas.pop(project_id, None)
        return json_response(request, None, 204)
