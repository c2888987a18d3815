# -*- test-case-name: mimic.test.test_network -*-
"""
Neutron's HTTP API (v2.0) for one tenant in one region.

The catalog lists Neutron's unversioned root; clients call
``/v2.0/<collection>``.  Each handler parses the body
(:mod:`~mimic.services.network.validation`), changes the tenant's
networking (:class:`~mimic.services.network.state.TenantNetworking`,
which compute shares) and answers with the resource
(:mod:`~mimic.services.network.views`); the model's refusals become
``NeutronError`` bodies in one place.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import handle_errors, header, json_response, read_json
from mimic.interfaces import IMimicCore
from mimic.services.network import quotas
from mimic.services.network import validation as v
from mimic.services.network.errors import (
    DOMAIN_ERRORS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNEXPECTED,
    NeutronFault,
    neutron_error,
    policy_refused,
)
from mimic.services.network.extensions import extensions_json, find_extension
from mimic.services.network.failures import NETWORK_STATE, RESOURCE_CREATE
from mimic.services.network.listing import apply_listing, parse_listing, show_fields
from mimic.services.network.model import SERVICE_NAME, Network
from mimic.services.network.state import TenantNetworking, over_quota
from mimic.services.network.versions import resources_document, versions_document
from mimic.services.network.views import (
    floating_ip_json,
    network_json,
    port_json,
    router_json,
    rule_json,
    security_group_json,
    subnet_json,
)
from mimic.services.network.availability import availability_json


class NeutronAPI:
    """
    Neutron v2.0 for one tenant in one region; ``self.state`` is that
    (tenant, region)'s networking, shared with compute, looked up when a
    request first needs it.
    """

    app = Klein()
    handle_errors(
        app,
        neutron_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )

    def __init__(
        self, core: IMimicCore, state: Callable[[], TenantNetworking], region: str, tenant_id: str
    ) -> None:
        self.core = core
        self._state = state
        self.region = region
        self.tenant_id = tenant_id

    @property
    def state(self) -> TenantNetworking:
        """
        The tenant's networking, made on first use: version documents
        (served to anyone) make none.
        """
        return self._state()

    def root_url(self, request: IRequest) -> str:
        return self.core.service_url(request, SERVICE_NAME, self.region, self.tenant_id)

    def now(self) -> float:
        return self.core.clock.seconds()

    def body(self, request: IRequest) -> Any:
        return read_json(request, neutron_error)

    def created(self, request: IRequest, key: str, body: Any) -> bytes:
        return json_response(request, {key: body}, 201)

    def shown(self, request: IRequest, key: str, body: dict[str, Any]) -> bytes:
        return json_response(request, {key: show_fields(body, request.args)})

    def check_create(self, resource: str, network: Network | None = None) -> None:
        attributes = {"tenant_id": self.tenant_id, "region": self.region, "resource": resource}
        if network is not None:
            attributes.update(network_id=network.id, network_name=network.name)
        if self.core.failures.decide(RESOURCE_CREATE, attributes) == "over_quota":
            raise over_quota(resource)

    def network_view(self, network: Network) -> dict[str, Any]:
        body = network_json(network)
        status = self.core.failures.decide(
            NETWORK_STATE,
            {"tenant_id": self.tenant_id, "region": self.region, "network_id": network.id, "network_name": network.name},
        )
        if status is not None:
            body["status"] = status
        return body

    def listing(
        self, request: IRequest, collection: str, items: Sequence[Any], to_json: Callable[[Any], dict[str, Any]],
        prefilter: Callable[[Any], bool] | None = None,
    ) -> bytes:
        query = parse_listing(request.args)
        return json_response(
            request, apply_listing(request, query, collection, items, to_json, lambda item: item.id, prefilter)
        )

    def bulk(
        self, request: IRequest, singular: str, plural: str,
        create: Callable[[dict[str, Any]], Any], to_json: Callable[[Any], dict[str, Any]],
        delete: Callable[[str], None],
    ) -> bytes:
        """
        ``POST`` of one resource, or of several (``{"<plural>": [...]}``)
        all or none, as Neutron's bulk create.
        """
        body = self.body(request)
        if isinstance(body, dict) and plural in body and singular not in body:
            items = body[plural]
            if not isinstance(items, list) or not items:
                raise neutron_error(400, f"Invalid input for {plural}. Reason: '{items}' is not a list.")
            made: list[Any] = []
            try:
                for item in items:
                    made.append(create(v.resource_body({singular: item}, singular)))
            except Exception:
                for done in reversed(made):
                    delete(done.id)
                raise
            return json_response(request, {plural: [to_json(m) for m in made]}, 201)
        return self.created(request, singular, to_json(create(v.resource_body(body, singular))))

    # -- versions ------------------------------------------------------

    @app.route("/", methods=["GET", "HEAD"])
    def versions(self, request: IRequest) -> bytes:
        return json_response(request, versions_document(self.root_url(request)))

    @app.route("/v2.0", methods=["GET", "HEAD"])
    @app.route("/v2.0/", methods=["GET", "HEAD"], endpoint="resources_slash")
    def resources(self, request: IRequest) -> bytes:
        return json_response(request, resources_document(self.root_url(request)))

    @app.route("/v2.0/extensions", methods=["GET"])
    def extensions(self, request: IRequest) -> bytes:
        return json_response(request, {"extensions": extensions_json()})

    @app.route("/v2.0/extensions/<alias>", methods=["GET"])
    def extension(self, request: IRequest, alias: str) -> bytes:
        found = find_extension(alias)
        if found is None:
            raise NeutronFault(404, "HTTPNotFound", f"Extension with alias {alias} does not exist")
        return json_response(request, {"extension": found})

    @app.route("/v2.0/agents", methods=["GET"])
    def agents(self, request: IRequest) -> bytes:
        """
        Neutron lists its agents to administrators only; everyone else
        sees none.
        """
        return json_response(request, {"agents": []})

    # -- networks ------------------------------------------------------

    @app.route("/v2.0/networks", methods=["GET"])
    def list_networks(self, request: IRequest) -> bytes:
        return self.listing(request, "networks", self.state.networks(), self.network_view)

    @app.route("/v2.0/networks", methods=["POST"])
    def create_network(self, request: IRequest) -> bytes:
        def create(body: dict[str, Any]) -> Network:
            fields = v.network_fields(body, self.tenant_id, create=True)
            self.check_create("network")
            return self.state.create_network(self.now(), **fields)

        return self.bulk(
            request, "network", "networks", create, self.network_view,
            lambda i: self.state.delete_network(i, self.now()),
        )

    @app.route("/v2.0/networks/<network_id>", methods=["GET"])
    def show_network(self, request: IRequest, network_id: str) -> bytes:
        return self.shown(request, "network", self.network_view(self.state.require_network(network_id)))

    @app.route("/v2.0/networks/<network_id>", methods=["PUT"])
    def update_network(self, request: IRequest, network_id: str) -> bytes:
        self.state.require_network(network_id)
        fields = v.network_fields(v.resource_body(self.body(request), "network"), self.tenant_id, create=False)
        return json_response(request, {"network": self.network_view(self.state.update_network(network_id, fields, self.now()))})

    @app.route("/v2.0/networks/<network_id>", methods=["DELETE"])
    def delete_network(self, request: IRequest, network_id: str) -> bytes:
        self.state.delete_network(network_id, self.now())
        return json_response(request, None, 204)

    # -- subnets -------------------------------------------------------

    @app.route("/v2.0/subnets", methods=["GET"])
    def list_subnets(self, request: IRequest) -> bytes:
        return self.listing(request, "subnets", self.state.subnets(), subnet_json)

    @app.route("/v2.0/subnets", methods=["POST"])
    def create_subnet(self, request: IRequest) -> bytes:
        def create(body: dict[str, Any]) -> Any:
            fields = v.subnet_create(body, self.tenant_id)
            network = self.state.require_network(fields["network_id"])
            self.check_create("subnet", network)
            return self.state.create_subnet(self.now(), **fields)

        return self.bulk(
            request, "subnet", "subnets", create, subnet_json,
            lambda i: self.state.delete_subnet(i, self.now()),
        )

    @app.route("/v2.0/subnets/<subnet_id>", methods=["GET"])
    def show_subnet(self, request: IRequest, subnet_id: str) -> bytes:
        return self.shown(request, "subnet", subnet_json(self.state.require_subnet(subnet_id, visible=True)))

    @app.route("/v2.0/subnets/<subnet_id>", methods=["PUT"])
    def update_subnet(self, request: IRequest, subnet_id: str) -> bytes:
        subnet = self.state.require_subnet(subnet_id, visible=True)
        fields = v.subnet_update(v.resource_body(self.body(request), "subnet"), self.tenant_id, subnet.cidr)
        return json_response(request, {"subnet": subnet_json(self.state.update_subnet(subnet_id, fields, self.now()))})

    @app.route("/v2.0/subnets/<subnet_id>", methods=["DELETE"])
    def delete_subnet(self, request: IRequest, subnet_id: str) -> bytes:
        self.state.require_subnet(subnet_id, visible=True)
        self.state.delete_subnet(subnet_id, self.now())
        return json_response(request, None, 204)

    # -- ports ---------------------------------------------------------

    @app.route("/v2.0/ports", methods=["GET"])
    def list_ports(self, request: IRequest) -> bytes:
        """
        The filters compute and clients use most are answered from the
        model before a port is shown: ``device_id`` from the index of
        ports by device (one server's ports among thousands), the others
        by comparing attributes.
        """
        args = request.args
        cheap = {
            key: {value.decode("utf-8", "replace") for value in args[key.encode()]}
            for key in ("device_id", "network_id", "device_owner", "id", "name")
            if key.encode() in args
        }
        ports: list[Any]
        if cheap.get("device_id") and "" not in cheap["device_id"]:
            ports = [port for device in sorted(cheap["device_id"]) for port in self.state.ports_of(device)]
            ports.sort(key=lambda port: port.created_at)
        else:
            ports = list(self.state.ports())
        prefilter = None
        if cheap:
            def prefilter(port: Any) -> bool:
                return all(getattr(port, key) in values for key, values in cheap.items())

        return self.listing(request, "ports", ports, port_json, prefilter)

    @app.route("/v2.0/ports", methods=["POST"])
    def create_port(self, request: IRequest) -> bytes:
        def create(body: dict[str, Any]) -> Any:
            fields = v.port_fields(body, self.tenant_id, create=True)
            network_id = fields.pop("network_id")
            device_id = fields.pop("device_id", "")
            device_owner = fields.pop("device_owner", "")
            groups = fields.pop("security_groups", None)
            return self.state.create_port(
                network_id, device_id, device_owner, self.now(), security_groups=groups, **fields
            )

        return self.bulk(
            request, "port", "ports", create, port_json,
            lambda i: self.state.delete_port(i, self.now()),
        )

    @app.route("/v2.0/ports/<port_id>", methods=["GET"])
    def show_port(self, request: IRequest, port_id: str) -> bytes:
        return self.shown(request, "port", port_json(self.state.require_port(port_id)))

    @app.route("/v2.0/ports/<port_id>", methods=["PUT"])
    def update_port(self, request: IRequest, port_id: str) -> bytes:
        self.state.require_port(port_id)
        fields = v.port_fields(v.resource_body(self.body(request), "port"), self.tenant_id, create=False)
        return json_response(request, {"port": port_json(self.state.update_port(port_id, fields, self.now()))})

    @app.route("/v2.0/ports/<port_id>", methods=["DELETE"])
    def delete_port(self, request: IRequest, port_id: str) -> bytes:
        self.state.delete_port(port_id, self.now(), from_api=True)
        return json_response(request, None, 204)

    # -- security groups -------------------------------------------------

    @app.route("/v2.0/security-groups", methods=["GET"])
    def list_groups(self, request: IRequest) -> bytes:
        return self.listing(request, "security_groups", self.state.security_groups(), security_group_json)

    @app.route("/v2.0/security-groups", methods=["POST"])
    def create_group(self, request: IRequest) -> bytes:
        def create(body: dict[str, Any]) -> Any:
            fields = v.group_fields(body, self.tenant_id, create=True)
            self.check_create("security_group")
            return self.state.create_security_group(
                fields.get("name", ""), fields.get("description", ""), self.now(), fields.get("stateful", True)
            )

        return self.bulk(
            request, "security_group", "security_groups", create, security_group_json,
            lambda i: self.state.delete_security_group(i, self.now()),
        )

    @app.route("/v2.0/security-groups/<group_id>", methods=["GET"])
    def show_group(self, request: IRequest, group_id: str) -> bytes:
        return self.shown(request, "security_group", security_group_json(self.state.require_group(group_id)))

    @app.route("/v2.0/security-groups/<group_id>", methods=["PUT"])
    def update_group(self, request: IRequest, group_id: str) -> bytes:
        self.state.require_group(group_id)
        fields = v.group_fields(v.resource_body(self.body(request), "security_group"), self.tenant_id, create=False)
        group = self.state.update_security_group(group_id, fields, self.now())
        return json_response(request, {"security_group": security_group_json(group)})

    @app.route("/v2.0/security-groups/<group_id>", methods=["DELETE"])
    def delete_group(self, request: IRequest, group_id: str) -> bytes:
        self.state.delete_security_group(group_id, self.now())
        return json_response(request, None, 204)

    @app.route("/v2.0/security-group-rules", methods=["GET"])
    def list_rules(self, request: IRequest) -> bytes:
        return self.listing(request, "security_group_rules", self.state.security_group_rules(), rule_json)

    @app.route("/v2.0/security-group-rules", methods=["POST"])
    def create_rule(self, request: IRequest) -> bytes:
        def create(body: dict[str, Any]) -> Any:
            fields = v.rule_fields(body, self.tenant_id)
            return self.state.add_rule(fields, self.now())

        return self.bulk(
            request, "security_group_rule", "security_group_rules", create, rule_json,
            lambda i: self.state.delete_security_group_rule(i, self.now()),
        )

    @app.route("/v2.0/security-group-rules/<rule_id>", methods=["GET"])
    def show_rule(self, request: IRequest, rule_id: str) -> bytes:
        rule = self.state.security_group_rule(rule_id)
        if rule is None:
            raise NeutronFault(404, "SecurityGroupRuleNotFound", f"Security group rule {rule_id} does not exist")
        return self.shown(request, "security_group_rule", rule_json(rule))

    @app.route("/v2.0/security-group-rules/<rule_id>", methods=["DELETE"])
    def delete_rule(self, request: IRequest, rule_id: str) -> bytes:
        self.state.delete_security_group_rule(rule_id, self.now())
        return json_response(request, None, 204)

    # -- floating IPs --------------------------------------------------

    @app.route("/v2.0/floatingips", methods=["GET"])
    def list_floating_ips(self, request: IRequest) -> bytes:
        return self.listing(request, "floatingips", self.state.floating_ips(), floating_ip_json)

    @app.route("/v2.0/floatingips", methods=["POST"])
    def create_floating_ip(self, request: IRequest) -> bytes:
        fields = v.floating_fields(v.resource_body(self.body(request), "floatingip"), self.tenant_id, create=True)
        network = self.state.require_network(fields["network_id"])
        self.check_create("floatingip", network)
        floating_ip = self.state.create_floating_ip(self.now(), **fields)
        return self.created(request, "floatingip", floating_ip_json(floating_ip))

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["GET"])
    def show_floating_ip(self, request: IRequest, floating_ip_id: str) -> bytes:
        return self.shown(request, "floatingip", floating_ip_json(self.state.require_floating_ip(floating_ip_id)))

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["PUT"])
    def update_floating_ip(self, request: IRequest, floating_ip_id: str) -> bytes:
        floating_ip = self.state.require_floating_ip(floating_ip_id)
        fields = v.floating_fields(v.resource_body(self.body(request), "floatingip"), self.tenant_id, create=False)
        now = self.now()
        if "port_id" in fields:
            if fields["port_id"] is None:
                self.state.disassociate_floating_ip(floating_ip.id, now)
            else:
                self.state.associate_floating_ip(floating_ip.id, fields["port_id"], fields.get("fixed_ip_address"), now)
        if "description" in fields:
            floating_ip.description = fields["description"]
            floating_ip.touch(now)
        return json_response(request, {"floatingip": floating_ip_json(floating_ip)})

    @app.route("/v2.0/floatingips/<floating_ip_id>", methods=["DELETE"])
    def delete_floating_ip(self, request: IRequest, floating_ip_id: str) -> bytes:
        self.state.release_floating_ip(floating_ip_id, self.now())
        return json_response(request, None, 204)

    # -- routers -------------------------------------------------------

    @app.route("/v2.0/routers", methods=["GET"])
    def list_routers(self, request: IRequest) -> bytes:
        return self.listing(request, "routers", self.state.routers(), router_json)

    @app.route("/v2.0/routers", methods=["POST"])
    def create_router(self, request: IRequest) -> bytes:
        fields = v.router_fields(v.resource_body(self.body(request), "router"), self.tenant_id, create=True)
        self.check_create("router")
        gateway = fields.pop("external_gateway_info", None)
        router = self.state.create_router(self.now(), gateway=gateway, **fields)
        return self.created(request, "router", router_json(router))

    @app.route("/v2.0/routers/<router_id>", methods=["GET"])
    def show_router(self, request: IRequest, router_id: str) -> bytes:
        return self.shown(request, "router", router_json(self.state.require_router(router_id)))

    @app.route("/v2.0/routers/<router_id>", methods=["PUT"])
    def update_router(self, request: IRequest, router_id: str) -> bytes:
        self.state.require_router(router_id)
        fields = v.router_fields(v.resource_body(self.body(request), "router"), self.tenant_id, create=False)
        return json_response(request, {"router": router_json(self.state.update_router(router_id, fields, self.now()))})

    @app.route("/v2.0/routers/<router_id>", methods=["DELETE"])
    def delete_router(self, request: IRequest, router_id: str) -> bytes:
        self.state.delete_router(router_id, self.now())
        return json_response(request, None, 204)

    @app.route("/v2.0/routers/<router_id>/add_router_interface", methods=["PUT"])
    def add_interface(self, request: IRequest, router_id: str) -> bytes:
        self.state.require_router(router_id)
        subnet_id, port_id = v.interface_body(self.body(request))
        return json_response(request, self.state.add_router_interface(router_id, subnet_id, port_id, self.now()))

    @app.route("/v2.0/routers/<router_id>/remove_router_interface", methods=["PUT"])
    def remove_interface(self, request: IRequest, router_id: str) -> bytes:
        self.state.require_router(router_id)
        subnet_id, port_id = v.interface_body(self.body(request))
        return json_response(request, self.state.remove_router_interface(router_id, subnet_id, port_id, self.now()))

    # -- IP availability -------------------------------------------------

    @app.route("/v2.0/network-ip-availabilities", methods=["GET"])
    def list_availabilities(self, request: IRequest) -> bytes:
        return self.listing(
            request, "network_ip_availabilities", self.state.networks(),
            lambda network: availability_json(self.state, network),
        )

    @app.route("/v2.0/network-ip-availabilities/<network_id>", methods=["GET"])
    def show_availability(self, request: IRequest, network_id: str) -> bytes:
        network = self.state.require_network(network_id)
        return self.shown(request, "network_ip_availability", availability_json(self.state, network))

    # -- quotas --------------------------------------------------------

    @app.route("/v2.0/quotas", methods=["GET"])
    def list_quotas(self, request: IRequest) -> bytes:
        return json_response(request, quotas.quotas_listing(self.state))

    @app.route("/v2.0/quotas/tenant", methods=["GET"])
    def own_project(self, request: IRequest) -> bytes:
        return json_response(request, {"tenant": {"tenant_id": self.tenant_id}})

    @app.route("/v2.0/quotas/<project_id>", methods=["GET"])
    def show_quota(self, request: IRequest, project_id: str) -> bytes:
        return json_response(request, quotas.quota_json(self.state, project_id))

    @app.route("/v2.0/quotas/<project_id>/default", methods=["GET"])
    def show_default_quota(self, request: IRequest, project_id: str) -> bytes:
        return json_response(request, quotas.default_quota_json())

    @app.route("/v2.0/quotas/<project_id>/details", methods=["GET"])
    def show_quota_details(self, request: IRequest, project_id: str) -> bytes:
        return json_response(request, quotas.quota_details_json(self.state, project_id))

    def require_admin(self, request: IRequest, action: str) -> None:
        """
        Neutron's ``admin_only`` rule: the token must be an
        administrator's (identity's, or a user granted ``admin``).
        """
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None or not token.is_admin:
            raise policy_refused(action)

    @app.route("/v2.0/quotas/<project_id>", methods=["PUT"])
    def update_quota(self, request: IRequest, project_id: str) -> bytes:
        self.require_admin(request, "update_quota")
        return json_response(request, quotas.update_quota(self.state, project_id, self.body(request)))

    @app.route("/v2.0/quotas/<project_id>", methods=["DELETE"])
    def reset_quota(self, request: IRequest, project_id: str) -> bytes:
        self.require_admin(request, "delete_quota")
        quotas.reset_quota(self.state, project_id)
        return json_response(request, None, 204)
