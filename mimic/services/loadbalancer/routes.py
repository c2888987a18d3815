# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
The Cloud Load Balancers v1.0 API for one tenant in one region, mounted at
``/service/loadbalancer/<region>/<tenant_id>/`` and so seeing paths
``/v1.0/<tenant_id>/loadbalancers...``.

Each handler walks one way: it parses the request (:mod:`.validation`;
CLB checks the body before it looks for the balancer), finds the
balancer, asks the failure engine once what this event does
(:mod:`.failures`), applies that to the model (:mod:`.model`), and
answers with a view of it (:mod:`.views`).  Refusals come before any
change, so a refused request leaves the state as it was; the model's
domain errors are answered in CLB's shape by :mod:`.errors`.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar
from urllib.parse import urlencode

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.failures import Event
from mimic.http import HTTPError, base_url, handle_errors, json_response
from mimic.interfaces import IMimicCore
from mimic.services.loadbalancer import failures, transitions, views
from mimic.services.loadbalancer.errors import DOMAIN_ERRORS, clb_error
from mimic.services.loadbalancer.failures import ChangeOutcome
from mimic.services.loadbalancer.model import BUILD, LoadBalancer, Node, RegionLoadBalancers
from mimic.services.loadbalancer.validation import (
    optional_query_ids,
    parse_access_list_body,
    parse_connection_throttle,
    parse_create,
    parse_enabled,
    parse_error_page,
    parse_health_monitor,
    parse_list_query,
    parse_meta_value,
    parse_metadata_body,
    parse_new_nodes,
    parse_node_update,
    parse_session_persistence,
    parse_update,
    query_ids,
    read_body,
    wrapped_list,
)

LB = "/v1.0/<tenant_id>/loadbalancers"
ONE = LB + "/<int:lb_id>"
NODE = ONE + "/nodes/<int:node_id>"

T = TypeVar("T")


def _accepted(request: IRequest) -> bytes:
    return json_response(request, None, 202)


def _next_href(request: IRequest, marker: int) -> str:
    """
    The listing's own URL, for the page after the balancer ``marker``.
    """
    query = {k.decode(): v[0].decode() for k, v in request.args.items()}
    query.pop("offset", None)
    query["marker"] = str(marker)
    return base_url(request) + request.path.decode() + "?" + urlencode(query)


class LoadBalancerRegion:
    """
    Routes bound to one tenant's balancers in one region.
    """

    app = Klein()
    handle_errors(
        app,
        clb_error,
        not_found="Resource not found",
        not_allowed="The method is not allowed for this resource.",
        domain_errors=DOMAIN_ERRORS,
    )

    def __init__(self, core: IMimicCore, state: RegionLoadBalancers) -> None:
        self.core = core
        self.state = state

    # --- plumbing --------------------------------------------------------

    def _tenant(self, tenant_id: str) -> None:
        if tenant_id != self.state.tenant_id:
            raise clb_error(404, "Resource not found")

    def _ask(
        self,
        event: Event,
        balancer: LoadBalancer | None,
        metadata: dict[str, str] | None = None,
        **attributes: Any,
    ) -> Any:
        attrs = {"tenant_id": self.state.tenant_id, "region": self.state.region, **attributes}
        if balancer is not None:
            attrs.setdefault("loadbalancer_name", balancer.name)
            attrs.setdefault("loadbalancer_id", str(balancer.id))
            metadata = balancer.metadata_dict()
        return transitions.timed(event, self.core.failures.decide(event, attrs, metadata), self.core.settings)

    def _change(self, balancer: LoadBalancer, change: str, make: Callable[[LoadBalancer], T]) -> T:
        """
        Make a change to an ACTIVE balancer as the update event decides:
        accepted (then PENDING_UPDATE for as long as it says) or refused.
        """
        outcome: ChangeOutcome = self._ask(failures.UPDATE, balancer, change=change)
        return outcome.apply(self.state, balancer, make)

    # --- service-wide ----------------------------------------------------

    @app.route(LB + "/protocols", methods=["GET"])
    def protocols(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, views.protocols_body())

    @app.route(LB + "/algorithms", methods=["GET"])
    def algorithms(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, views.algorithms_body())

    @app.route(LB + "/absolutelimits", methods=["GET"])
    def absolute_limits(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, views.absolute_limits_body(self.state.limits))

    # --- balancers -------------------------------------------------------

    @app.route(LB, methods=["POST"])
    def create(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        spec = parse_create(read_body(request))
        metadata = {item["key"]: item["value"] for item in spec["metadata"]}
        outcome: failures.Provisioning = self._ask(
            failures.CREATE, None, metadata=metadata, loadbalancer_name=spec["name"]
        )
        balancer = self.state.create(**spec, build_seconds=outcome.seconds, then=outcome.then)
        return json_response(request, views.balancer_body(balancer, self.state.now(), BUILD), 202)

    @app.route(LB, methods=["GET"])
    def list_balancers(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        query = parse_list_query(request)
        now = self.state.now()
        found = self.state.find(
            now,
            status=query.status,
            node_address=query.node_address,
            changed_since=query.changed_since,
            after=query.marker,
        )
        end = len(found) if query.limit is None else query.offset + query.limit
        shown = found[query.offset:end]
        next_href = None
        if end < len(found) and shown:
            next_href = _next_href(request, shown[-1].id)
        return json_response(request, views.balancer_list(shown, now, next_href))

    @app.route(LB, methods=["DELETE"])
    def batch_delete(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        ids = query_ids(request, "load balancer", self.state.limits["BATCH_DELETE_LIMIT"])
        balancers = self.state.deletable(ids)
        # Every balancer's delete is decided (each a use of what was
        # registered) before the first refusal is answered; a malformed
        # trigger is answered at once.
        outcomes: list[failures.Deleting] = []
        refusal: HTTPError | None = None
        for balancer in balancers:
            try:
                outcomes.append(self._ask(failures.DELETE, balancer))
            except HTTPError as refused:
                refusal = refusal or refused
        if refusal is not None:
            raise refusal
        for balancer, outcome in zip(balancers, outcomes):
            self.state.delete(balancer, outcome.seconds)
        return _accepted(request)

    @app.route(ONE, methods=["GET"])
    def show(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.get(lb_id)
        return json_response(request, views.balancer_body(balancer, self.state.now()))

    @app.route(ONE, methods=["PUT"])
    def update(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        changes = parse_update(read_body(request))
        balancer = self.state.changeable(lb_id)
        self._change(balancer, "loadbalancer", lambda b: self.state.update_attributes(b, changes))
        return _accepted(request)

    @app.route(ONE, methods=["DELETE"])
    def delete(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.get(lb_id)
        self.state.check_deletable(balancer)
        outcome: failures.Deleting = self._ask(failures.DELETE, balancer)
        self.state.delete(balancer, outcome.seconds)
        return _accepted(request)

    @app.route(ONE + "/virtualips", methods=["GET"])
    def virtual_ips(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, views.virtual_ips_body(self.state.readable(lb_id)))

    # --- nodes -----------------------------------------------------------

    @app.route(ONE + "/nodes", methods=["GET"])
    def list_nodes(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.readable(lb_id)
        return json_response(request, views.nodes_body(balancer.nodes.values()))

    @app.route(ONE + "/nodes", methods=["POST"])
    def add_nodes(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        specs = parse_new_nodes(wrapped_list(read_body(request), "nodes"))
        balancer = self.state.changeable(lb_id)
        self.state.check_new_nodes(balancer, specs)
        admission: ChangeOutcome = self._ask(failures.NODE_ADD, balancer)

        def add(b: LoadBalancer) -> list[Node]:
            return self._change(b, "nodes.add", lambda b: self.state.add_nodes(b, specs))

        added = admission.apply(self.state, balancer, add)
        return json_response(request, views.nodes_body(added), 202)

    @app.route(ONE + "/nodes", methods=["DELETE"])
    def delete_nodes(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        ids = query_ids(request, "node")
        balancer = self.state.nodes_removable(lb_id, ids)
        self._change(balancer, "nodes.delete", lambda b: self.state.remove_nodes(b, ids))
        return _accepted(request)

    @app.route(NODE, methods=["GET"])
    def show_node(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        self._tenant(tenant_id)
        node = self.state.node(self.state.readable(lb_id), node_id)
        return json_response(request, views.node_body(node))

    @app.route(NODE, methods=["PUT"])
    def update_node(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        self._tenant(tenant_id)
        changes = parse_node_update(read_body(request))
        self.state.node(self.state.readable(lb_id), node_id)
        balancer = self.state.changeable(lb_id)
        self._change(
            balancer, "node.update", lambda b: self.state.update_node(b, node_id, changes)
        )
        return _accepted(request)

    @app.route(NODE, methods=["DELETE"])
    def delete_node(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.changeable(lb_id)
        self.state.node(balancer, node_id)
        self._change(balancer, "nodes.delete", lambda b: self.state.remove_nodes(b, [node_id]))
        return _accepted(request)

    # --- settings --------------------------------------------------------

    def _setting(
        self,
        request: IRequest,
        tenant_id: str,
        lb_id: int,
        view: Callable[[LoadBalancer], Any],
    ) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, view(self.state.readable(lb_id)))

    def _set(
        self,
        request: IRequest,
        tenant_id: str,
        lb_id: int,
        change: str,
        setting: str,
        value: Any,
    ) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.changeable(lb_id)
        self._change(balancer, change, lambda b: self.state.set_setting(b, setting, value))
        return _accepted(request)

    @app.route(ONE + "/healthmonitor", methods=["GET"])
    def health_monitor(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.health_monitor_body)

    @app.route(ONE + "/healthmonitor", methods=["PUT"])
    def set_health_monitor(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        monitor = parse_health_monitor(read_body(request))
        return self._set(request, tenant_id, lb_id, "healthmonitor", "health_monitor", monitor)

    @app.route(ONE + "/healthmonitor", methods=["DELETE"])
    def delete_health_monitor(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._set(request, tenant_id, lb_id, "healthmonitor", "health_monitor", None)

    @app.route(ONE + "/connectionthrottle", methods=["GET"])
    def connection_throttle(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.connection_throttle_body)

    @app.route(ONE + "/connectionthrottle", methods=["PUT"])
    def set_connection_throttle(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        throttle = parse_connection_throttle(read_body(request))
        return self._set(
            request, tenant_id, lb_id, "connectionthrottle", "connection_throttle", throttle
        )

    @app.route(ONE + "/connectionthrottle", methods=["DELETE"])
    def delete_connection_throttle(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._set(
            request, tenant_id, lb_id, "connectionthrottle", "connection_throttle", None
        )

    @app.route(ONE + "/sessionpersistence", methods=["GET"])
    def session_persistence(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.session_persistence_body)

    @app.route(ONE + "/sessionpersistence", methods=["PUT"])
    def set_session_persistence(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        persistence = parse_session_persistence(read_body(request))
        return self._set(
            request, tenant_id, lb_id, "sessionpersistence", "session_persistence", persistence
        )

    @app.route(ONE + "/sessionpersistence", methods=["DELETE"])
    def delete_session_persistence(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._set(
            request, tenant_id, lb_id, "sessionpersistence", "session_persistence", None
        )

    @app.route(ONE + "/connectionlogging", methods=["GET"])
    def connection_logging(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.connection_logging_body)

    @app.route(ONE + "/connectionlogging", methods=["PUT"])
    def set_connection_logging(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        enabled = parse_enabled(read_body(request), "connectionLogging")
        return self._set(
            request, tenant_id, lb_id, "connectionlogging", "connection_logging", enabled
        )

    @app.route(ONE + "/contentcaching", methods=["GET"])
    def content_caching(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.content_caching_body)

    @app.route(ONE + "/contentcaching", methods=["PUT"])
    def set_content_caching(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        enabled = parse_enabled(read_body(request), "contentCaching")
        return self._set(request, tenant_id, lb_id, "contentcaching", "content_caching", enabled)

    @app.route(ONE + "/errorpage", methods=["GET"])
    def error_page(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.error_page_body)

    @app.route(ONE + "/errorpage", methods=["PUT"])
    def set_error_page(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        content = parse_error_page(read_body(request))
        return self._set(request, tenant_id, lb_id, "errorpage", "error_page", content)

    @app.route(ONE + "/errorpage", methods=["DELETE"])
    def delete_error_page(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._set(request, tenant_id, lb_id, "errorpage", "error_page", None)

    # --- access list -----------------------------------------------------

    @app.route(ONE + "/accesslist", methods=["GET"])
    def access_list(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(request, tenant_id, lb_id, views.access_list_body)

    @app.route(ONE + "/accesslist", methods=["POST"])
    def add_access_rules(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        rules = parse_access_list_body(read_body(request))
        balancer = self.state.changeable(lb_id)
        self.state.check_access_rules(balancer, rules)
        self._change(balancer, "accesslist", lambda b: self.state.add_access_rules(b, rules))
        return _accepted(request)

    @app.route(ONE + "/accesslist", methods=["DELETE"])
    def delete_access_rules(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        ids = optional_query_ids(request, "network item")
        balancer = self.state.changeable(lb_id)
        if ids is not None:
            self.state.check_access_rules_exist(balancer, ids)
        self._change(balancer, "accesslist", lambda b: self.state.remove_access_rules(b, ids))
        return _accepted(request)

    @app.route(ONE + "/accesslist/<int:rule_id>", methods=["DELETE"])
    def delete_access_rule(
        self, request: IRequest, tenant_id: str, lb_id: int, rule_id: int
    ) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.changeable(lb_id)
        self.state.check_access_rule_exists(balancer, rule_id)
        self._change(balancer, "accesslist", lambda b: self.state.remove_access_rules(b, [rule_id]))
        return _accepted(request)

    # --- metadata, on balancers and nodes --------------------------------
    #
    # Metadata changes apply at once: CLB does not put a balancer in
    # PENDING_UPDATE for them.

    def _list_metadata(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None
    ) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, views.metadata_body(self.state.metadata(lb_id, node_id)))

    def _add_metadata(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None
    ) -> bytes:
        self._tenant(tenant_id)
        new = parse_metadata_body(read_body(request), on_balancer=node_id is None)
        added = self.state.add_metadata(lb_id, node_id, new)
        return json_response(request, views.metadata_body(added))

    def _delete_metadata(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None
    ) -> bytes:
        self._tenant(tenant_id)
        ids = query_ids(request, "metadata")
        self.state.delete_metadata(lb_id, node_id, ids)
        return json_response(request, None, 200)

    def _meta_item(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None, meta_id: int
    ) -> bytes:
        self._tenant(tenant_id)
        item = self.state.metadata_item(lb_id, node_id, meta_id)
        return json_response(request, views.meta_item_body(item))

    def _set_meta_item(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None, meta_id: int
    ) -> bytes:
        self._tenant(tenant_id)
        body = read_body(request)
        # The item's key decides what its value may be (one of the old
        # mimic's keys on a balancer takes a number), so it is looked up
        # first; an unknown item is 404 whatever the body.
        key = self.state.metadata_item(lb_id, node_id, meta_id).key if node_id is None else None
        value = parse_meta_value(body, balancer_key=key)
        self.state.set_metadata_value(lb_id, node_id, meta_id, value)
        return json_response(request, None, 200)

    def _delete_meta_item(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None, meta_id: int
    ) -> bytes:
        self._tenant(tenant_id)
        self.state.delete_metadata_item(lb_id, node_id, meta_id)
        return json_response(request, None, 200)

    @app.route(ONE + "/metadata", methods=["GET"])
    def metadata(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._list_metadata(request, tenant_id, lb_id, None)

    @app.route(ONE + "/metadata", methods=["POST"])
    def add_metadata(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._add_metadata(request, tenant_id, lb_id, None)

    @app.route(ONE + "/metadata", methods=["DELETE"])
    def delete_metadata(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._delete_metadata(request, tenant_id, lb_id, None)

    @app.route(ONE + "/metadata/<int:meta_id>", methods=["GET"])
    def meta_item(self, request: IRequest, tenant_id: str, lb_id: int, meta_id: int) -> bytes:
        return self._meta_item(request, tenant_id, lb_id, None, meta_id)

    @app.route(ONE + "/metadata/<int:meta_id>", methods=["PUT"])
    def set_meta_item(self, request: IRequest, tenant_id: str, lb_id: int, meta_id: int) -> bytes:
        return self._set_meta_item(request, tenant_id, lb_id, None, meta_id)

    @app.route(ONE + "/metadata/<int:meta_id>", methods=["DELETE"])
    def delete_meta_item(self, request: IRequest, tenant_id: str, lb_id: int, meta_id: int) -> bytes:
        return self._delete_meta_item(request, tenant_id, lb_id, None, meta_id)

    @app.route(NODE + "/metadata", methods=["GET"])
    def node_metadata(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        return self._list_metadata(request, tenant_id, lb_id, node_id)

    @app.route(NODE + "/metadata", methods=["POST"])
    def add_node_metadata(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        return self._add_metadata(request, tenant_id, lb_id, node_id)

    @app.route(NODE + "/metadata", methods=["DELETE"])
    def delete_node_metadata(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        return self._delete_metadata(request, tenant_id, lb_id, node_id)

    @app.route(NODE + "/metadata/<int:meta_id>", methods=["GET"])
    def node_meta_item(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int, meta_id: int
    ) -> bytes:
        return self._meta_item(request, tenant_id, lb_id, node_id, meta_id)

    @app.route(NODE + "/metadata/<int:meta_id>", methods=["PUT"])
    def set_node_meta_item(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int, meta_id: int
    ) -> bytes:
        return self._set_meta_item(request, tenant_id, lb_id, node_id, meta_id)

    @app.route(NODE + "/metadata/<int:meta_id>", methods=["DELETE"])
    def delete_node_meta_item(
        self, request: IRequest, tenant_id: str, lb_id: int, node_id: int, meta_id: int
    ) -> bytes:
        return self._delete_meta_item(request, tenant_id, lb_id, node_id, meta_id)
