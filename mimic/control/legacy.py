# -*- test-case-name: mimic.test.test_legacy_control -*-
"""
The old mimic's control entries in the service catalog.

Besides ``/mimic/v1.1``, the old mimic listed control APIs in every
tenant's catalog, per region, and test suites (Rackspace's otter, among
others) find them there by name: ``cloudServersBehavior`` (type
``compute``) and ``cloudLoadBalancerControl`` (type ``rax:load-balancer``),
each at ``.../v2/<tenant_id>``.  Below that URL:

* ``/behaviors/<event>`` registers a known error condition (the same body
  as ``/mimic/v1.1``), and ``/behaviors/<event>/<id>`` deletes it;
* each entry has its own way of setting a resource's status directly
  (see the services' ``control`` modules).

This module holds what the entries share.  Registrations go through the
control plane's own functions (:mod:`mimic.control.behaviors`) into the
one failure engine, narrowed to the entry's tenant and region, because
the old mimic kept them per tenant and region: a suite registering
failures for its tenant must not break another tenant's servers.

The old clients send no token (the old mimic never checked one), so the
entries are served without one; a token that is sent must be valid for
the tenant in the URL, so that a client using another tenant's token
learns of its mistake.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Sequence

from attrs import frozen
from klein import Klein
from twisted.plugin import IPlugin
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from werkzeug.exceptions import MethodNotAllowed, NotFound
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.control import behaviors
from mimic.control.errors import control_error
from mimic.failures import Event, Registration
from mimic.http import HTTPError, base_url, header, json_response, read_json, render_error
from mimic.interfaces import IAPIMock, IMimicCore


def error_body(status: int, message: str) -> dict[str, Any]:
    """
    The entries answer errors in the control plane's shape, which is also
    Cloud Load Balancers' (``{"message", "code"}``).
    """
    return {"message": message, "code": status}


@frozen
class Scope:
    """
    One control entry's reach: one service's events, for one tenant in one
    region.
    """

    core: IMimicCore
    service: str
    tenant_id: str
    region: str

    def check_tenant(self, tenant_id: str) -> None:
        """
        The entry's URL names its tenant twice (``.../<tenant>/v2/<tenant>``,
        as the old mimic's did); the two must agree.
        """
        if tenant_id != self.tenant_id:
            raise control_error(
                404,
                f"This control endpoint is tenant {self.tenant_id!r}'s; "
                f"it has nothing for tenant {tenant_id!r}.",
            )

    def event(self, name: str, status: int) -> Event:
        return behaviors.find_event(self.core.failures, self.service, name, status)

    def criteria(self, event: Event) -> list[dict[str, str]]:
        """
        The criteria that keep a registration to this tenant and region,
        as far as the event can be matched on them.
        """
        scope = []
        if "tenant_id" in event.criteria:
            scope.append({"tenant_id": "^" + re.escape(self.tenant_id) + "$"})
        if "region" in event.criteria:
            scope.append({"region": "^" + re.escape(self.region) + "$"})
        return scope

    def owns(self, registration: Registration) -> bool:
        """
        Whether a registration was made through this scope (it carries
        every one of the scope's criteria).
        """
        made = [c.to_json() for c in registration.criteria]
        return registration.event.service == self.service and all(
            c in made for c in self.criteria(registration.event)
        )

    def registrations(self, event: Event | None = None) -> Iterator[Registration]:
        for registration in self.core.failures.registrations(event):
            if self.owns(registration):
                yield registration

    def registration(self, event_name: str, registration_id: str) -> Registration:
        event = self.event(event_name, 404)
        registration = self.core.failures.registration(registration_id)
        if registration is None or registration.event is not event or not self.owns(registration):
            raise control_error(
                404,
                f"No registration {registration_id!r} for {event.id!r} here: it was never "
                "made for this tenant and region, was deleted, or has been used up.",
            )
        return registration


def install(app: Klein, scope_of: Callable[[Any], Scope]) -> None:
    """
    Add the old mimic's behavior routes, and error handlers answering in
    the control plane's shape, to a control entry's Klein app.
    ``scope_of(self)`` gives the :class:`Scope` of the app's instance.
    """

    @app.handle_errors(HTTPError)
    def _render_error(self: Any, request: IRequest, failure: Failure) -> bytes:
        return render_error(request, failure)

    @app.handle_errors(NotFound)
    def _not_found(self: Any, request: IRequest, failure: Failure) -> bytes:
        path = request.path.decode("utf-8", "replace")
        return render_error(
            request, Failure(control_error(404, f"This control endpoint has nothing at {path}."))
        )

    @app.handle_errors(MethodNotAllowed)
    def _not_allowed(self: Any, request: IRequest, failure: Failure) -> bytes:
        method = request.method.decode("ascii", "replace")
        path = request.path.decode("utf-8", "replace")
        return render_error(request, Failure(control_error(405, f"{method} is not allowed on {path}.")))

    @app.route("/v2/<tenant_id>/behaviors", methods=["GET"])
    @app.route("/v2/<tenant_id>/behaviors/", methods=["GET"])
    def list_behaviors(self: Any, request: IRequest, tenant_id: str) -> bytes:
        scope = scope_of(self)
        scope.check_tenant(tenant_id)
        return json_response(
            request, behaviors.listing(scope.registrations(), base_url(request))
        )

    @app.route("/v2/<tenant_id>/behaviors/<event>", methods=["POST"])
    @app.route("/v2/<tenant_id>/behaviors/<event>/", methods=["POST"])
    def register(self: Any, request: IRequest, tenant_id: str, event: str) -> bytes:
        """
        201 with the registration (``id`` first, as the old mimic
        answered); its ``Location`` is where to delete it.
        """
        scope = scope_of(self)
        scope.check_tenant(tenant_id)
        found = scope.event(event, 400)
        body = read_json(request, control_error)
        registration = behaviors.register(
            scope.core.failures, found, body, scope=scope.criteria(found)
        )
        path = request.path.decode("utf-8").rstrip("/")
        location = f"{base_url(request)}{path}/{registration.id}"
        described = behaviors.registration_json(registration, base_url(request))
        return json_response(request, described, 201, {b"location": location.encode("utf-8")})

    @app.route("/v2/<tenant_id>/behaviors/<event>", methods=["GET"])
    @app.route("/v2/<tenant_id>/behaviors/<event>/", methods=["GET"])
    def event_behaviors(self: Any, request: IRequest, tenant_id: str, event: str) -> bytes:
        scope = scope_of(self)
        scope.check_tenant(tenant_id)
        found = scope.event(event, 404)
        return json_response(
            request, behaviors.listing(scope.registrations(found), base_url(request))
        )

    @app.route("/v2/<tenant_id>/behaviors/<event>/<registration_id>", methods=["GET"])
    def get_behavior(
        self: Any, request: IRequest, tenant_id: str, event: str, registration_id: str
    ) -> bytes:
        scope = scope_of(self)
        scope.check_tenant(tenant_id)
        registration = scope.registration(event, registration_id)
        return json_response(
            request, {"behavior": behaviors.registration_json(registration, base_url(request))}
        )

    @app.route("/v2/<tenant_id>/behaviors/<event>/<registration_id>", methods=["DELETE"])
    def delete_behavior(
        self: Any, request: IRequest, tenant_id: str, event: str, registration_id: str
    ) -> bytes:
        scope = scope_of(self)
        scope.check_tenant(tenant_id)
        registration = scope.registration(event, registration_id)
        scope.core.failures.remove(registration.id)
        return json_response(request, None, 204)


class TokenIfGiven(Resource):
    """
    Serve a control entry without a token, as the old mimic did; but a
    token that is given must be valid for the entry's tenant (401, 403).
    """

    isLeaf = True

    def __init__(self, core: IMimicCore, tenant_id: str, app_resource: IResource) -> None:
        super().__init__()
        self.core = core
        self.tenant_id = tenant_id
        self.app_resource = app_resource

    def render(self, request: IRequest) -> Any:
        given = header(request, "x-auth-token")
        if given is not None:
            token = self.core.sessions.token(given)
            if token is None:
                body = error_body(401, "The token given is unknown or expired; send none, or a valid one.")
                return json_response(request, body, 401)
            if token.tenant_id != self.tenant_id:
                message = f"The token given is not valid for tenant {self.tenant_id!r}."
                return json_response(request, error_body(403, message), 403)
        return self.app_resource.render(request)


class EveryPath:
    """
    The anonymous paths of a control entry: all of them (the core asks
    ``path in plugin.anonymous_paths()``).
    """

    def __contains__(self, path: object) -> bool:
        return True

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return iter(())


@implementer(IAPIMock, IPlugin)
class LegacyControlPlugin:
    """
    One old-mimic control entry as a plugin: a catalog entry with a
    ``v2/<tenant_id>`` endpoint in each region of the service it controls,
    and the Klein app ``make_api(scope)`` answering below it.

    Its ``name`` sorts after the controlled service's, so that the real
    service's entry comes first in catalogs: clients that pick an endpoint
    by type alone take the first of that type.
    """

    def __init__(
        self,
        name: str,
        service: str,
        entry_type: str,
        entry_name: str,
        regions: Sequence[str],
        make_api: Callable[[Scope], Any],
    ) -> None:
        self.name = name
        self.service = service
        self.entry_type = entry_type
        self.entry_name = entry_name
        self.regions = tuple(regions)
        self.make_api = make_api

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return [
            Entry(
                self.entry_type,
                self.entry_name,
                tuple(
                    Endpoint(region, f"v2/{tenant_id}", tenant_id=tenant_id)
                    for region in self.regions
                ),
            )
        ]

    def failure_events(self) -> Sequence[Event]:
        # The controlled service declares its own events.
        return ()

    def resource_for_region(self, core: IMimicCore, region: str, tenant_id: str) -> IResource:
        api = self.make_api(Scope(core, self.service, tenant_id, region))
        return TokenIfGiven(core, tenant_id, api.app.resource())

    def anonymous_paths(self) -> EveryPath:
        return EveryPath()

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return error_body(status, message)
