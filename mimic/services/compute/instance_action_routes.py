# -*- test-case-name: mimic.test.test_compute_instance_actions -*-
"""
``/servers/{id}/os-instance-actions``: the instance actions
:mod:`~mimic.services.compute.instance_actions` keeps, as Nova shows
them at each microversion.

2.21 lists the actions of deleted servers, 2.51 shows events to their
owner (before, only to an administrator), 2.58 pages the list
(``limit``, ``marker``, ``changes-since``, ``changes-before``) and adds
``updated_at``, 2.62 names the event's ``hostId`` (and to an
administrator its ``host``), 2.84 adds ``details``.  An event still
under way on Mimic's clock has no finish time and no result yet.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.services.compute.errors import handle_nova_errors, nova_error, server_not_found
from mimic.services.compute.instance_actions import ERROR, InstanceAction
from mimic.services.compute.model import ComputeState, Server
from mimic.services.compute.views import nova_usage_time
from mimic.services.compute.web import ContextFactory, RequestContext, limit_and_marker
from mimic.timestamps import parse_iso

#: The host Nova's events name (``host``, shown to administrators).
HOST = "mimic-compute-1"


def action_json(action: InstanceAction, server: Server, ctx: RequestContext, events: bool) -> dict[str, Any]:
    """
    An instance action as Nova shows it at the request's microversion,
    with its events (as far as the clock has come) if ``events``.
    """
    now, version = ctx.now, ctx.microversion
    done = action.finished(now)
    body: dict[str, Any] = {
        "action": action.action,
        "instance_uuid": server.id,
        "message": ERROR if action.failed and done else None,
        "project_id": server.tenant_id,
        "request_id": action.request_id,
        "start_time": nova_usage_time(action.start),
        "user_id": action.user_id,
    }
    if version >= (2, 58):
        body["updated_at"] = nova_usage_time(action.updated(now))
    if events and (ctx.is_admin or version >= (2, 51)):
        listed = []
        for event in action.events:
            ended = event.finish <= now
            item: dict[str, Any] = {
                "event": event.event,
                "start_time": nova_usage_time(event.start),
                "finish_time": nova_usage_time(event.finish) if ended else None,
                "result": event.result if ended else None,
            }
            if ctx.is_admin:
                # Nova's traceback; Mimic has the fault's text.
                item["traceback"] = event.details if ended else None
            if version >= (2, 62):
                item["hostId"] = server.host_id
                if ctx.is_admin:
                    item["host"] = HOST
            if version >= (2, 84):
                item["details"] = event.details if ended else None
            listed.append(item)
        body["events"] = listed
    return body


def _time_filter(request: IRequest, name: str) -> float | None:
    raw = query_arg(request, name)
    if raw is None:
        return None
    moment = parse_iso(raw) if raw.strip() else None
    if moment is None:
        raise nova_error(400, f"Invalid input for query parameters {name}. Value: {raw}. "
                              f"'{raw}' is not a 'date-time'")
    return moment


class InstanceActionsAPI:
    """
    ``/servers/{id}/os-instance-actions``: what was done to the server,
    newest first.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState, server_id: str) -> None:
        self.context = context
        self.state = state
        self.server_id = server_id

    def _server(self, ctx: RequestContext) -> Server:
        server = self.state.get(self.server_id, ctx.now)
        if server is None and ctx.microversion >= (2, 21):
            server = self.state.deleted.get(self.server_id)
        if server is None:
            raise server_not_found(self.server_id)
        return server

    @app.route("/", methods=["GET"])
    def list_actions(self, request: IRequest) -> bytes:
        ctx = self.context()
        server = self._server(ctx)
        actions = list(reversed(server.instance_actions))
        body: dict[str, Any] = {}
        if ctx.microversion >= (2, 58):
            actions, links = self._page(request, ctx, actions)
            if links:
                body["links"] = links
        body["instanceActions"] = [action_json(a, server, ctx, False) for a in actions]
        return json_response(request, body)

    def _page(self, request: IRequest, ctx: RequestContext,
              actions: list[InstanceAction]) -> tuple[list[InstanceAction], list[dict[str, str]]]:
        """
        2.58's paging and time filters over the actions, newest first.
        """
        since = _time_filter(request, "changes-since")
        before = _time_filter(request, "changes-before")
        if since is not None and before is not None and since > before:
            raise nova_error(400, "The value of changes-since must be less than or equal to changes-before.")
        limit, marker = limit_and_marker(request)
        now = ctx.now
        if since is not None:
            actions = [a for a in actions if a.updated(now) >= since]
        if before is not None:
            actions = [a for a in actions if a.updated(now) <= before]
        if marker is not None:
            ids = [a.request_id for a in actions]
            if marker not in ids:
                raise nova_error(400, f"Marker {marker} could not be found.")
            actions = actions[ids.index(marker) + 1:]
        page, more = actions[:limit], len(actions) > limit
        links = []
        if more and page:
            url = f"{ctx.versioned_url}/servers/{self.server_id}/os-instance-actions"
            links = [{"href": f"{url}?limit={limit}&marker={page[-1].request_id}", "rel": "next"}]
        return page, links

    @app.route("/<action_request_id>", methods=["GET"])
    def show_action(self, request: IRequest, action_request_id: str) -> bytes:
        ctx = self.context()
        server = self._server(ctx)
        for action in server.instance_actions:
            if action.request_id == action_request_id:
                return json_response(request, {"instanceAction": action_json(action, server, ctx, True)})
        raise nova_error(404, f"Action for request_id {action_request_id} on instance {server.id} not found")
