# -*- test-case-name: mimic.test.test_loadbalancer -*-
"""
The Cloud Load Balancers v1.0 API for one tenant in one region, mounted at
``/service/loadbalancer/<region>/<tenant_id>/`` and so seeing paths
``/v1.0/<tenant_id>/loadbalancers...``.

Each handler parses its body first (CLB checks the body before it looks
for the balancer), then finds the balancer, asks the failure engine about
the event, and only then changes anything, so a refused request leaves the
state as it was.
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from mimic.failures import BadRegistration, Event, Firing
from mimic.http import HTTPError, base_url, json_response, query_arg, read_json, render_error
from mimic.interfaces import IMimicCore
from mimic.services.loadbalancer import failures
from mimic.services.loadbalancer.errors import (
    clb_error,
    immutable,
    immutable_for_delete,
    item_not_found,
    unknown_for_delete,
    validation_error,
)
from mimic.services.loadbalancer.model import (
    ACTIVE,
    ALGORITHMS,
    DEFAULT_ERROR_PAGE,
    DELETED,
    ERROR,
    PENDING_UPDATE,
    PROTOCOLS,
    STATUSES,
    BUILD,
    LoadBalancer,
    MetadataItem,
    RegionLoadBalancers,
)
from mimic.services.loadbalancer.validation import (
    ascii_int,
    parse_access_list_body,
    parse_connection_throttle,
    parse_create,
    parse_enabled,
    parse_error_page,
    parse_health_monitor,
    parse_ids,
    parse_meta_value,
    parse_metadata_body,
    parse_new_nodes,
    parse_node_update,
    parse_session_persistence,
    parse_update,
    wrapped_list,
)
from mimic.timestamps import parse_iso

LB = "/v1.0/<tenant_id>/loadbalancers"
ONE = LB + "/<int:lb_id>"
NODE = ONE + "/nodes/<int:node_id>"

#: CLB takes bodies of up to 1 MB (an error page alone may be 64 KiB).
BODY_LIMIT = 1024 * 1024


def _body(request: IRequest) -> Any:
    return read_json(request, clb_error, limit=BODY_LIMIT)


def _accepted(request: IRequest) -> bytes:
    return json_response(request, None, 202)


def _parse_time(text: str) -> float:
    seconds = parse_iso(text)
    if seconds is None:
        raise clb_error(400, f"'changes-since' must be an ISO 8601 time, got '{text}'.")
    return seconds


def _positive(request: IRequest, name: str, minimum: int) -> int | None:
    text = query_arg(request, name)
    if text is None:
        return None
    number = ascii_int(text)
    if number is None or number < minimum:
        raise clb_error(400, f"'{name}' must be an integer of at least {minimum}.")
    return number


def _outcome(firing: Firing | None) -> tuple[float, str]:
    """
    How long an accepted create or change stays in BUILD or PENDING_UPDATE,
    and the status it then reaches: at once and ACTIVE unless a condition
    fired (its ``seconds``; ERROR for ``error``).
    """
    if firing is None:
        return 0.0, ACTIVE
    return firing["seconds"], ERROR if firing.name == "error" else ACTIVE


class LoadBalancerRegion:
    """
    Routes bound to one tenant's balancers in one region.
    """

    app = Klein()

    def __init__(self, core: IMimicCore, state: RegionLoadBalancers) -> None:
        self.core = core
        self.state = state

    # --- plumbing --------------------------------------------------------

    @app.handle_errors(HTTPError)
    def _render_error(self, request: IRequest, failure: Failure) -> bytes:
        return render_error(request, failure)

    @app.handle_errors(NotFound)
    def _not_found(self, request: IRequest, failure: Failure) -> bytes:
        return render_error(request, Failure(clb_error(404, "Resource not found")))

    @app.handle_errors(MethodNotAllowed)
    def _not_allowed(self, request: IRequest, failure: Failure) -> bytes:
        return render_error(
            request, Failure(clb_error(405, "The method is not allowed for this resource."))
        )

    def _tenant(self, tenant_id: str) -> None:
        if tenant_id != self.state.tenant_id:
            raise clb_error(404, "Resource not found")

    def _consult(
        self,
        event: Event,
        balancer: LoadBalancer | None,
        metadata: dict[str, str] | None = None,
        **attributes: Any,
    ) -> Firing | None:
        attrs = {"tenant_id": self.state.tenant_id, "region": self.state.region, **attributes}
        if balancer is not None:
            attrs.setdefault("loadbalancer_name", balancer.name)
            attrs.setdefault("loadbalancer_id", str(balancer.id))
            metadata = balancer.metadata_dict()
        try:
            return self.core.failures.consult(event.id, attributes=attrs, metadata=metadata)
        except BadRegistration as e:
            raise clb_error(400, f"Bad failure trigger: {e}")

    def _fail_if(self, firing: Firing | None) -> None:
        if firing is not None and firing.name == "fail":
            raise clb_error(firing["code"], firing["message"])

    def _refuse_if_immutable(self, balancer: LoadBalancer, firing: Firing | None) -> None:
        """
        An ``immutable`` condition: refuse as if another change were in
        flight, showing PENDING_UPDATE for the seconds it asks.
        """
        if firing is not None and firing.name == "immutable":
            if firing["seconds"] > 0:
                self.state.changed(balancer, firing["seconds"], ACTIVE)
            raise immutable(balancer.id, PENDING_UPDATE)

    def _change(
        self, lb_id: int, change: str, apply: Callable[[LoadBalancer], Any]
    ) -> Any:
        """
        Make a change to an ACTIVE balancer: consult the update event,
        apply, and go through PENDING_UPDATE as the firing says.
        """
        balancer = self.state.mutable(lb_id)
        firing = self._consult(failures.UPDATE, balancer, change=change)
        self._refuse_if_immutable(balancer, firing)
        result = apply(balancer)
        self.state.changed(balancer, *_outcome(firing))
        return result

    # --- service-wide ----------------------------------------------------

    @app.route(LB + "/protocols", methods=["GET"])
    def protocols(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        return json_response(
            request,
            {"protocols": [{"name": name, "port": port} for name, port in PROTOCOLS.items()]},
        )

    @app.route(LB + "/algorithms", methods=["GET"])
    def algorithms(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        return json_response(request, {"algorithms": [{"name": name} for name in ALGORITHMS]})

    @app.route(LB + "/absolutelimits", methods=["GET"])
    def absolute_limits(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        return json_response(
            request,
            {"absolute": [{"name": k, "value": v} for k, v in self.state.limits.items()]},
        )

    # --- balancers -------------------------------------------------------

    @app.route(LB, methods=["POST"])
    def create(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        spec = parse_create(_body(request))
        metadata = {item["key"]: item["value"] for item in spec["metadata"]}
        firing = self._consult(
            failures.CREATE, None, metadata=metadata, loadbalancer_name=spec["name"]
        )
        self._fail_if(firing)
        seconds, then = _outcome(firing)
        balancer = self.state.create(**spec, build_seconds=seconds, then=then)
        return json_response(
            request,
            {"loadBalancer": balancer.to_json(self.state.now(), status=BUILD)},
            202,
        )

    @app.route(LB, methods=["GET"])
    def list_balancers(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        status = query_arg(request, "status")
        if status is not None and status not in STATUSES:
            raise clb_error(
                400, f"Status '{status}' is not one of: {', '.join(STATUSES)}."
            )
        node_address = query_arg(request, "nodeaddress")
        since_text = query_arg(request, "changes-since")
        since = _parse_time(since_text) if since_text is not None else None
        limit = _positive(request, "limit", 1)
        offset = _positive(request, "offset", 0) or 0
        marker = _positive(request, "marker", 0)
        now = self.state.now()
        found = []
        for balancer in self.state.listing():
            if marker is not None and balancer.id <= marker:
                continue
            current = balancer.status(now)
            if status is None and current == DELETED:
                continue
            if status is not None and current != status:
                continue
            if since is not None and balancer.updated < since:
                continue
            if node_address is not None and not any(
                n.address == node_address for n in balancer.nodes.values()
            ):
                continue
            found.append(balancer)
        end = len(found) if limit is None else offset + limit
        shown = found[offset:end]
        body: dict[str, Any] = {"loadBalancers": [b.summary_json(now) for b in shown]}
        if end < len(found) and shown:
            query = {k.decode(): v[0].decode() for k, v in request.args.items()}
            query.pop("offset", None)
            query["marker"] = str(shown[-1].id)
            href = base_url(request) + request.path.decode() + "?" + urlencode(query)
            body["links"] = [{"href": href, "rel": "next"}]
        return json_response(request, body)

    @app.route(LB, methods=["DELETE"])
    def batch_delete(self, request: IRequest, tenant_id: str) -> bytes:
        self._tenant(tenant_id)
        ids = parse_ids(
            request.args.get(b"id", []),
            "load balancer",
            self.state.limits["BATCH_DELETE_LIMIT"],
        )
        now = self.state.now()
        missing, refused, balancers = [], [], []
        for lb_id in ids:
            balancer = self.state.balancers.get(lb_id)
            status = balancer.status(now) if balancer is not None else DELETED
            if status == DELETED:
                missing.append(lb_id)
            elif status not in (ACTIVE, ERROR):
                refused.append(lb_id)
            else:
                balancers.append(balancer)
        if missing:
            raise unknown_for_delete(missing)
        if refused:
            raise immutable_for_delete(refused)
        firings = [self._consult(failures.DELETE, b) for b in balancers]
        for firing in firings:
            self._fail_if(firing)
        for balancer, firing in zip(balancers, firings):
            self.state.delete(balancer, firing["seconds"] if firing is not None else 0.0)
        return _accepted(request)

    @app.route(ONE, methods=["GET"])
    def show(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.get(lb_id)
        return json_response(request, {"loadBalancer": balancer.to_json(self.state.now())})

    @app.route(ONE, methods=["PUT"])
    def update(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        changes = parse_update(_body(request))

        def apply(balancer: LoadBalancer) -> None:
            for name, value in changes.items():
                setattr(balancer, name, value)

        self._change(lb_id, "loadbalancer", apply)
        return _accepted(request)

    @app.route(ONE, methods=["DELETE"])
    def delete(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.get(lb_id)
        self.state.check_deletable(balancer)
        firing = self._consult(failures.DELETE, balancer)
        self._fail_if(firing)
        self.state.delete(balancer, firing["seconds"] if firing is not None else 0.0)
        return _accepted(request)

    @app.route(ONE + "/virtualips", methods=["GET"])
    def virtual_ips(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.existing(lb_id)
        return json_response(
            request, {"virtualIps": [vip.to_json() for vip in balancer.virtual_ips]}
        )

    # --- nodes -----------------------------------------------------------

    @app.route(ONE + "/nodes", methods=["GET"])
    def list_nodes(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.existing(lb_id)
        return json_response(
            request, {"nodes": [node.to_json() for node in balancer.nodes.values()]}
        )

    @app.route(ONE + "/nodes", methods=["POST"])
    def add_nodes(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        specs = parse_new_nodes(wrapped_list(_body(request), "nodes"))
        balancer = self.state.mutable(lb_id)
        self.state.check_new_nodes(balancer, specs)
        firing = self._consult(failures.NODE_ADD, balancer)
        self._fail_if(firing)
        self._refuse_if_immutable(balancer, firing)
        added = self._change(
            lb_id, "nodes.add", lambda b: self.state.add_nodes(b, specs)
        )
        return json_response(request, {"nodes": [node.to_json() for node in added]}, 202)

    @app.route(ONE + "/nodes", methods=["DELETE"])
    def delete_nodes(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        ids = parse_ids(request.args.get(b"id", []), "node")
        balancer = self.state.existing(lb_id)
        status = balancer.status(self.state.now())
        if status != ACTIVE:
            raise clb_error(422, "LoadBalancer is not ACTIVE")
        unknown = [str(i) for i in ids if i not in balancer.nodes]
        if unknown:
            raise validation_error(
                [f"Node ids {','.join(unknown)} are not a part of your loadbalancer"]
            )

        def apply(b: LoadBalancer) -> None:
            for node_id in ids:
                del b.nodes[node_id]

        self._change(lb_id, "nodes.delete", apply)
        return _accepted(request)

    @app.route(NODE, methods=["GET"])
    def show_node(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.existing(lb_id)
        node = self.state.node(balancer, node_id)
        return json_response(request, {"node": node.to_json()})

    @app.route(NODE, methods=["PUT"])
    def update_node(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        self._tenant(tenant_id)
        changes = parse_node_update(_body(request))
        balancer = self.state.existing(lb_id)
        self.state.node(balancer, node_id)

        def apply(b: LoadBalancer) -> None:
            node = b.nodes[node_id]
            for name, value in changes.items():
                setattr(node, name, value)

        self._change(lb_id, "node.update", apply)
        return _accepted(request)

    @app.route(NODE, methods=["DELETE"])
    def delete_node(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.mutable(lb_id)
        self.state.node(balancer, node_id)
        self._change(lb_id, "nodes.delete", lambda b: b.nodes.pop(node_id))
        return _accepted(request)

    # --- settings --------------------------------------------------------

    def _setting(
        self,
        request: IRequest,
        tenant_id: str,
        lb_id: int,
        key: str,
        read: Callable[[LoadBalancer], Any],
    ) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.existing(lb_id)
        return json_response(request, {key: read(balancer)})

    def _set(
        self,
        request: IRequest,
        tenant_id: str,
        lb_id: int,
        change: str,
        attribute: str,
        value: Any,
    ) -> bytes:
        self._tenant(tenant_id)
        self._change(lb_id, change, lambda b: setattr(b, attribute, value))
        return _accepted(request)

    @app.route(ONE + "/healthmonitor", methods=["GET"])
    def health_monitor(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(
            request, tenant_id, lb_id, "healthMonitor", lambda b: b.health_monitor or {}
        )

    @app.route(ONE + "/healthmonitor", methods=["PUT"])
    def set_health_monitor(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        monitor = parse_health_monitor(_body(request))
        return self._set(request, tenant_id, lb_id, "healthmonitor", "health_monitor", monitor)

    @app.route(ONE + "/healthmonitor", methods=["DELETE"])
    def delete_health_monitor(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._set(request, tenant_id, lb_id, "healthmonitor", "health_monitor", None)

    @app.route(ONE + "/connectionthrottle", methods=["GET"])
    def connection_throttle(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(
            request, tenant_id, lb_id, "connectionThrottle", lambda b: b.connection_throttle or {}
        )

    @app.route(ONE + "/connectionthrottle", methods=["PUT"])
    def set_connection_throttle(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        throttle = parse_connection_throttle(_body(request))
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
        return self._setting(
            request,
            tenant_id,
            lb_id,
            "sessionPersistence",
            lambda b: {"persistenceType": b.session_persistence} if b.session_persistence else {},
        )

    @app.route(ONE + "/sessionpersistence", methods=["PUT"])
    def set_session_persistence(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        persistence = parse_session_persistence(_body(request))
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
        return self._setting(
            request, tenant_id, lb_id, "connectionLogging", lambda b: {"enabled": b.connection_logging}
        )

    @app.route(ONE + "/connectionlogging", methods=["PUT"])
    def set_connection_logging(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        enabled = parse_enabled(_body(request), "connectionLogging")
        return self._set(
            request, tenant_id, lb_id, "connectionlogging", "connection_logging", enabled
        )

    @app.route(ONE + "/contentcaching", methods=["GET"])
    def content_caching(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(
            request, tenant_id, lb_id, "contentCaching", lambda b: {"enabled": b.content_caching}
        )

    @app.route(ONE + "/contentcaching", methods=["PUT"])
    def set_content_caching(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        enabled = parse_enabled(_body(request), "contentCaching")
        return self._set(request, tenant_id, lb_id, "contentcaching", "content_caching", enabled)

    @app.route(ONE + "/errorpage", methods=["GET"])
    def error_page(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(
            request,
            tenant_id,
            lb_id,
            "errorpage",
            lambda b: {"content": b.error_page if b.error_page is not None else DEFAULT_ERROR_PAGE},
        )

    @app.route(ONE + "/errorpage", methods=["PUT"])
    def set_error_page(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        content = parse_error_page(_body(request))
        return self._set(request, tenant_id, lb_id, "errorpage", "error_page", content)

    @app.route(ONE + "/errorpage", methods=["DELETE"])
    def delete_error_page(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._set(request, tenant_id, lb_id, "errorpage", "error_page", None)

    # --- access list -----------------------------------------------------

    @app.route(ONE + "/accesslist", methods=["GET"])
    def access_list(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        return self._setting(
            request,
            tenant_id,
            lb_id,
            "accessList",
            lambda b: [rule.to_json() for rule in b.access_list.values()],
        )

    @app.route(ONE + "/accesslist", methods=["POST"])
    def add_access_rules(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        rules = parse_access_list_body(_body(request))
        balancer = self.state.mutable(lb_id)
        self.state.check_access_rules(balancer, rules)
        self._change(lb_id, "accesslist", lambda b: self.state.add_access_rules(b, rules))
        return _accepted(request)

    @app.route(ONE + "/accesslist", methods=["DELETE"])
    def delete_access_rules(self, request: IRequest, tenant_id: str, lb_id: int) -> bytes:
        self._tenant(tenant_id)
        raw_ids = request.args.get(b"id")
        ids = parse_ids(raw_ids, "network item") if raw_ids else None
        balancer = self.state.mutable(lb_id)
        if ids is not None:
            unknown = [str(i) for i in ids if i not in balancer.access_list]
            if unknown:
                raise item_not_found(f"Network item(s) {','.join(unknown)}")

        def apply(b: LoadBalancer) -> None:
            if ids is None:
                b.access_list.clear()
            else:
                for rule_id in ids:
                    del b.access_list[rule_id]

        self._change(lb_id, "accesslist", apply)
        return _accepted(request)

    @app.route(ONE + "/accesslist/<int:rule_id>", methods=["DELETE"])
    def delete_access_rule(
        self, request: IRequest, tenant_id: str, lb_id: int, rule_id: int
    ) -> bytes:
        self._tenant(tenant_id)
        balancer = self.state.mutable(lb_id)
        if rule_id not in balancer.access_list:
            raise item_not_found("Network item")
        self._change(lb_id, "accesslist", lambda b: b.access_list.pop(rule_id))
        return _accepted(request)

    # --- metadata, on balancers and nodes --------------------------------

    def _metadata_of(self, lb_id: int, node_id: int | None) -> tuple[dict[int, MetadataItem], str, str]:
        balancer = self.state.existing(lb_id)
        if node_id is None:
            return balancer.metadata, "LOADBALANCER_META_LIMIT", "load balancer"
        return self.state.node(balancer, node_id).metadata, "NODE_META_LIMIT", "node"

    def _list_metadata(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None) -> bytes:
        self._tenant(tenant_id)
        items, _, _ = self._metadata_of(lb_id, node_id)
        return json_response(request, {"metadata": [i.to_json() for i in items.values()]})

    def _add_metadata(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None) -> bytes:
        self._tenant(tenant_id)
        new = parse_metadata_body(_body(request))
        items, limit, what = self._metadata_of(lb_id, node_id)
        added = self.state.add_metadata(items, new, limit, what)
        return json_response(request, {"metadata": [i.to_json() for i in added]})

    def _delete_metadata(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None) -> bytes:
        self._tenant(tenant_id)
        ids = parse_ids(request.args.get(b"id", []), "metadata")
        items, _, _ = self._metadata_of(lb_id, node_id)
        unknown = [str(i) for i in ids if i not in items]
        if unknown:
            raise item_not_found(f"Metadata item(s) {','.join(unknown)}")
        for meta_id in ids:
            del items[meta_id]
        return json_response(request, None, 200)

    def _meta_item(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None, meta_id: int) -> bytes:
        self._tenant(tenant_id)
        items, _, _ = self._metadata_of(lb_id, node_id)
        item = self.state.metadata_item(items, meta_id)
        return json_response(request, {"meta": item.to_json()})

    def _set_meta_item(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None, meta_id: int) -> bytes:
        self._tenant(tenant_id)
        value = parse_meta_value(_body(request))
        items, _, _ = self._metadata_of(lb_id, node_id)
        self.state.metadata_item(items, meta_id).value = value
        return json_response(request, None, 200)

    def _delete_meta_item(self, request: IRequest, tenant_id: str, lb_id: int, node_id: int | None, meta_id: int) -> bytes:
        self._tenant(tenant_id)
        items, _, _ = self._metadata_of(lb_id, node_id)
        self.state.metadata_item(items, meta_id)
        del items[meta_id]
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

