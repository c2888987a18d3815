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

This module holds what the entries share: :class:`ControlEntry` serves
``behaviors`` itself (:class:`Behaviors`) and hands every other path to
the service's own control app (its ``control`` module, a plain Klein app
that knows nothing of this one); :mod:`mimic.plugins.legacy_control`
names the two sides.  Registrations go through the control plane's own
functions (:mod:`mimic.control.behaviors`) into the one failure engine,
narrowed to the entry's tenant and region, because the old mimic kept
them per tenant and region: a suite registering failures for its tenant
must not break another tenant's servers.

The old clients send no token (the old mimic never checked one), so the
entries are served without one; a token that is sent must be valid for
the tenant in the URL, so that a client using another tenant's token
learns of its mistake.  The tenant must be one somebody authenticated
as: the old clients find the entry in their own catalog, so theirs
always is, and a stream of requests naming invented tenants makes
Mimic keep nothing (each a 404).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator, Mapping, Protocol, Sequence

from attrs import frozen
from klein import Klein
from twisted.plugin import IPlugin
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource
from zope.interface import implementer

from mimic.catalog import Endpoint, Entry
from mimic.control import behaviors
from mimic.control.errors import control_error
from mimic.control.guard import refusal
from mimic.failures import Event, Registration
from mimic.http import base_url, handle_errors, header, json_response, read_json
from mimic.interfaces import IAPIMock, IHasSettings, IMimicCore, IProfileMember, ISettingsShapeCatalog
from mimic.settings import Setting, yes_or_no


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


#: What the entries answer for a path or method they do not serve.
NOTHING_AT = "This control endpoint has nothing at {path}."
NOT_ALLOWED_ON = "{method} is not allowed on {path}."


def _at_least_root(request: IRequest) -> None:
    """
    A branch route's own path (``.../behaviors``) leaves the app it hands
    the request to no path at all; that app is to see it as ``/``
    (werkzeug would redirect the empty path).
    """
    if not request.postpath:
        request.postpath = [b""]


class Behaviors:
    """
    ``/behaviors`` below a control entry: the known error conditions of
    the entry's service registered, listed and deleted for the entry's
    tenant and region.
    """

    app = Klein()
    handle_errors(app, control_error, not_found=NOTHING_AT, not_allowed=NOT_ALLOWED_ON)

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    @app.route("/", methods=["GET"])
    def list_behaviors(self, request: IRequest) -> bytes:
        return json_response(
            request, behaviors.listing(self.scope.registrations(), base_url(request))
        )

    @app.route("/<event>", methods=["POST"])
    @app.route("/<event>/", methods=["POST"])
    def register(self, request: IRequest, event: str) -> bytes:
        """
        201 with the registration (``id`` first, as the old mimic
        answered); its ``Location`` is where to delete it.
        """
        scope = self.scope
        found = scope.event(event, 400)
        body = read_json(request, control_error)
        registration = behaviors.register(
            scope.core.failures, found, body, scope=scope.criteria(found)
        )
        path = request.path.decode("utf-8").rstrip("/")
        location = f"{base_url(request)}{path}/{registration.id}"
        described = behaviors.registration_json(registration, base_url(request))
        return json_response(request, described, 201, {b"location": location.encode("utf-8")})

    @app.route("/<event>", methods=["GET"])
    @app.route("/<event>/", methods=["GET"])
    def event_behaviors(self, request: IRequest, event: str) -> bytes:
        found = self.scope.event(event, 404)
        return json_response(
            request, behaviors.listing(self.scope.registrations(found), base_url(request))
        )

    @app.route("/<event>/<registration_id>", methods=["GET"])
    def get_behavior(self, request: IRequest, event: str, registration_id: str) -> bytes:
        registration = self.scope.registration(event, registration_id)
        return json_response(
            request, {"behavior": behaviors.registration_json(registration, base_url(request))}
        )

    @app.route("/<event>/<registration_id>", methods=["DELETE"])
    def delete_behavior(self, request: IRequest, event: str, registration_id: str) -> bytes:
        registration = self.scope.registration(event, registration_id)
        self.scope.core.failures.remove(registration.id)
        return json_response(request, None, 204)


class ServiceControl(Protocol):
    """
    A service's own control app for one tenant in one region (its
    ``control`` module's): it sees the paths below ``v2/<tenant_id>``
    other than ``behaviors``.
    """

    @property
    def app(self) -> Klein: ...


#: Makes a service's control app from the core, the tenant and the region.
MakeServiceControl = Callable[[IMimicCore, str, str], ServiceControl]


class ControlEntry:
    """
    What a control entry serves below its catalog URL, ``v2/<tenant_id>``
    (the tenant named again, as the old mimic's URLs did): ``behaviors``
    from :class:`Behaviors`, any other path from the service's own
    control app, each a Klein app of its own reached through a branch
    route.  ``behaviors`` is an app apart, rather than routes of this
    one, because werkzeug prefers a branch route that takes every method
    to a route that does not take the request's: a ``PUT`` on
    ``behaviors/<event>`` would reach the service's app (a 404) instead
    of being answered 405.
    """

    app = Klein()
    handle_errors(app, control_error, not_found=NOTHING_AT, not_allowed=NOT_ALLOWED_ON)

    def __init__(self, scope: Scope, service_control: ServiceControl) -> None:
        self.scope = scope
        self.behaviors = Behaviors(scope)
        self.service_control = service_control

    # The branch takes ``behaviors`` and ``behaviors/<more>``, not
    # ``behaviors/``, which the old mimic answered too.
    @app.route("/v2/<tenant_id>/behaviors", branch=True)
    @app.route("/v2/<tenant_id>/behaviors/")
    def behaviors_of(self, request: IRequest, tenant_id: str) -> IResource:
        self.scope.check_tenant(tenant_id)
        _at_least_root(request)
        return self.behaviors.app.resource()

    @app.route("/v2/<tenant_id>", branch=True)
    def service_control_of(self, request: IRequest, tenant_id: str) -> IResource:
        self.scope.check_tenant(tenant_id)
        _at_least_root(request)
        return self.service_control.app.resource()


class TokenIfGiven(Resource):
    """
    Serve a control entry without a token, as the old mimic did; but a
    token that is given must be valid for the entry's tenant (401, 403),
    and the tenant must be somebody's (404): a suite finds the entry in
    the catalog it was given when it authenticated, so its tenant always
    has a user, and a request naming a tenant nobody has makes no state
    for it.
    """

    isLeaf = True

    def __init__(self, core: IMimicCore, tenant_id: str, app_resource: IResource) -> None:
        super().__init__()
        self.core = core
        self.tenant_id = tenant_id
        self.app_resource = app_resource

    def render(self, request: IRequest) -> Any:
        given = header(request, "x-auth-token")
        if given is None:
            # Without a token the entry is as open as the control API,
            # and guarded as it is against web pages (a page cannot send
            # a token header cross-site without a preflight).
            refused = refusal(request)
            if refused is not None:
                status, message = refused
                return json_response(request, error_body(status, message), status)
        if given is not None:
            token = self.core.sessions.token(given)
            if token is None:
                body = error_body(401, "The token given is unknown or expired; send none, or a valid one.")
                return json_response(request, body, 401)
            if token.tenant_id != self.tenant_id:
                message = f"The token given is not valid for tenant {self.tenant_id!r}."
                return json_response(request, error_body(403, message), 403)
        if self.core.sessions.tenant_owner(self.tenant_id) is None:
            message = (
                f"Tenant {self.tenant_id!r} is nobody's: authenticate as its user first "
                "(the entry is in that user's catalog)."
            )
            return json_response(request, error_body(404, message), 404)
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


#: The setting that lists the control entries under their service's own
#: type, as the old mimic did, for suites that look them up by type and
#: name; by default each has a type of its own (``entry_type`` below).
SERVICE_TYPES_SETTING = Setting(
    "legacy_control.service_types",
    "List the old control entries (cloudServersBehavior, cloudLoadBalancerControl) under "
    "their service's type (compute, rax:load-balancer) as the old mimic did, rather than "
    "types of their own.  Clients that take the last entry of a type (pyrax) then reach "
    "the control entry instead of the service.",
    False,
    yes_or_no,
)


@implementer(IAPIMock, IPlugin, IHasSettings, ISettingsShapeCatalog, IProfileMember)
class LegacyControlPlugin:
    """
    One old-mimic control entry as a plugin: a catalog entry with a
    ``v2/<tenant_id>`` endpoint in each region of the service it controls,
    and below it a :class:`ControlEntry`: ``behaviors`` here, the rest from
    the app ``service_control(core, tenant_id, region)`` makes.

    Its entry has a type of its own (``entry_type``), so that a client
    picking an endpoint by type alone reaches the real service whether it
    takes the first entry of the type or, as pyrax does, the last.  With
    :data:`SERVICE_TYPES_SETTING` it is listed under the controlled
    service's type (``service_type``) instead, as the old mimic listed it;
    its ``name`` sorts after the controlled service's, so the real
    service's entry still comes first.
    """

    def __init__(
        self,
        name: str,
        service: str,
        entry_type: str,
        service_type: str,
        entry_name: str,
        regions: Sequence[str],
        service_control: MakeServiceControl,
    ) -> None:
        self.name = name
        self.service = service
        self.entry_type = entry_type
        self.service_type = service_type
        self.entry_name = entry_name
        self.regions = tuple(regions)
        self.service_control = service_control

    #: The old mimic's entries are Rackspace's cloud's: not in an
    #: upstream OpenStack's catalog.
    profiles = ("rackspace",)

    def layout(self, profile: Any) -> None:
        return None

    def settings(self) -> list[Setting]:
        return [SERVICE_TYPES_SETTING]

    def catalog_entries(self, tenant_id: str) -> list[Entry]:
        return self._entries(self.entry_type, tenant_id)

    def configured_catalog_entries(self, settings: Mapping[str, Any], tenant_id: str) -> list[Entry]:
        as_service = settings.get(SERVICE_TYPES_SETTING.name, SERVICE_TYPES_SETTING.default)
        return self._entries(self.service_type if as_service else self.entry_type, tenant_id)

    def _entries(self, entry_type: str, tenant_id: str) -> list[Entry]:
        return [
            Entry(
                entry_type,
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
        scope = Scope(core, self.service, tenant_id, region)
        entry = ControlEntry(scope, self.service_control(core, tenant_id, region))
        return TokenIfGiven(core, tenant_id, entry.app.resource())

    def anonymous_paths(self) -> EveryPath:
        return EveryPath()

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return error_body(status, message)
