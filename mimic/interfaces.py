# -*- test-case-name: mimic.test.test_plugins -*-
"""
The contracts between Mimic's core and the services it mocks.

The core knows no service by name: it finds providers of :class:`IAPIMock`
with :func:`twisted.plugin.getPlugins` in :mod:`mimic.plugins`, asks each for
its catalog entries, and hands it the requests that arrive under its URL
prefix.  Everything a service needs from the core (the clock, per-tenant
state, the failure engine) reaches it through :class:`IMimicCore`.
"""

from __future__ import annotations

from twisted.plugin import IPlugin
from zope.interface import Attribute, Interface


class IMimicCore(Interface):
    """
    What a service may use of Mimic's core.
    """

    clock = Attribute(
        "The IReactorTime every timeout and state transition reads. "
        "A task.Clock advanced by the tick API unless --realtime."
    )
    failures = Attribute(
        "The mimic.failures.FailureEngine shared by all services: declare "
        "events through IAPIMock.failure_events, ask it with decide()."
    )
    sessions = Attribute(
        "The mimic.session.SessionStore of users and tokens: "
        "sessions.token(header value) is the Token a request carries (with "
        ".user and .tenant_id), or None."
    )

    def catalog(tenant_id, base_url):
        """
        Every plugin's catalog entries for one tenant
        (:class:`mimic.catalog.ResolvedEntry`), with absolute URLs under
        ``base_url``: what identity hands out in a token.
        """

    def shared(contract, tenant_id, region):
        """
        The object providing ``contract`` (an interface such as
        :class:`IImages`) for one tenant in one region, from whichever
        plugin shares it (:class:`ISharesState`), or ``None``.
        """

    def service_url(request, service_name, region, tenant_id):
        """
        The absolute URL of a service's prefix for one tenant in one
        region (``http://<host the client used>/service/<name>/<region>/<tenant>``),
        for the links and ``Location`` headers a service hands out.
        """

    settings = Attribute(
        "Every declared setting's value (given with ``twistd mimic --set "
        "NAME=VALUE`` and parsed by its declaration, or its default), by "
        "name; a plugin declares the ones it reads through IHasSettings."
    )

    def region_state(service_name, tenant_id, region, factory):
        """
        The state object a service keeps for one tenant in one region,
        created on first use by calling ``factory()``.  The core owns the
        store so that a reset can drop it and a state dump can read it.
        """

    def existing_region_state(service_name, tenant_id, region):
        """
        The state :meth:`region_state` made for one tenant in one region,
        or ``None`` if there is none yet: for a request that must not
        create state (one without a token, say).
        """


class IAPIMock(IPlugin):
    """
    A mocked cloud service, discovered as a plugin.  (It extends
    ``IPlugin`` because ``getPlugins`` only collects providers of that.)

    The core mounts each provider at
    ``/service/<name>/<region>/<tenant_id>/`` and checks ``X-Auth-Token``
    before passing a request on, except for the paths listed in
    :meth:`anonymous_paths` (version discovery documents, which real services
    serve without a token).
    """

    name = Attribute(
        "Short, stable, URL-safe service name, e.g. 'compute'. Used in the "
        "URL prefix, in stable catalog ids and by the control plane."
    )

    def catalog_entries(tenant_id):
        """
        The catalog entries (:class:`mimic.catalog.Entry`) this service contributes
        for one tenant.  Endpoint URLs are given relative to the service's
        own prefix; the core makes them absolute using the request's Host.
        """

    def failure_events():
        """
        The :class:`mimic.failures.Event` declarations of this service's known
        error conditions.  Return an empty sequence if it has none.
        """

    def resource_for_region(core, region, tenant_id):
        """
        An :class:`twisted.web.resource.IResource` answering requests below the
        prefix for one tenant in one region.  ``core`` provides
        :class:`IMimicCore`.  Called per request, so it should be cheap: look up
        state with ``core.region_state`` and wrap it.
        """

    def anonymous_paths():
        """
        A collection of path tuples, relative to the per-tenant prefix and
        without empty segments, that are served without a token.
        """

    def error_body(status, message):
        """
        The JSON-able error body for a request the core turned away before
        the service saw it (``status`` is 401, 403, or 404 for an unknown
        region), in this service's own error shape.
        """


class IAdmitsAnonymous(Interface):
    """
    Optional, for a service whose real counterpart serves some requests
    without a token beyond its version documents: Swift serves temporary
    URLs (signed with a key the account holds) and reads of public
    containers.  The core lets such a request through its token check
    when :meth:`admits` says so; the service then decides what it may
    do.
    """

    def admits(core, region, tenant_id, request):
        """
        Whether a request without a valid token for ``tenant_id`` (none,
        or another tenant's) should still reach the service.  Must not
        create state.
        """


class ITakesLargeBodies(Interface):
    """
    Optional, for a service whose requests carry more than the JSON
    every other API takes (object uploads).  The core buffers at most
    1 MiB of any other request's body.
    """

    max_body_size = Attribute("The largest request body, in bytes, this service reads.")


class IHasSettings(Interface):
    """
    Optional, for a plugin that reads settings from
    :attr:`IMimicCore.settings`: it declares them, so that ``twistd
    mimic --set`` parses their values and refuses names nothing reads.
    """

    def settings():
        """
        The :class:`mimic.settings.Setting` declarations of this plugin.
        """


class INamesRequestIds(Interface):
    """
    Optional, for a service that sends its request id under more names
    than ``X-OpenStack-Request-ID`` (which every response carries): Nova
    also answers ``X-Compute-Request-ID``.
    """

    request_id_headers = Attribute(
        "Header names (text) that carry the request's id beside X-OpenStack-Request-ID."
    )


class IRegionState(Interface):
    """
    Optional: per-(tenant, region) state that can describe itself for the
    control plane's state dump.
    """

    def summary():
        """
        A JSON-able description of what this state holds (e.g. counts and
        ids of servers).
        """


class ISharesState(Interface):
    """
    Optional, for a plugin whose state another service uses, as Nova uses
    Glance's images (and will use Neutron's ports and Cinder's volumes):
    the other service asks the core for a *contract* (an interface below),
    never for the plugin or its model.
    """

    def shared_state(core, contract, tenant_id, region):
        """
        The object providing ``contract`` for one tenant in one region
        (normally this plugin's own state for it, from
        ``core.region_state``), or ``None`` if this plugin does not
        provide that contract.
        """


# Contracts between services.  A service that uses another's state asks
# ``core.shared(IContract, tenant_id, region)`` and gets ``None`` when no
# loaded plugin provides it.


class IImage(Interface):
    """
    One image, as compute shows it through Nova's image proxy and boots
    servers from it.
    """

    id = Attribute("The image's id (a UUID string).")
    name = Attribute("Its name.")
    created = Attribute("When it was created, in seconds on Mimic's clock.")
    min_disk = Attribute("The smallest root disk it boots on, in GB.")
    min_ram = Attribute("The least memory it boots with, in MB.")
    size = Attribute("Its size in bytes.")
    metadata = Attribute("Its own properties, a mapping of strings.")
    disk_config = Attribute("Rackspace's OS-DCF:diskConfig for servers built from it.")
    server_id = Attribute("The server a snapshot was taken of; None for a base image.")
    is_snapshot = Attribute("Whether a tenant's server made it.")

    def status(now):
        """
        Nova's upper-case status at time ``now`` (``SAVING``, ``ACTIVE``).
        """

    def progress(now):
        """
        Percent done at time ``now``.
        """

    def updated(now):
        """
        When it last changed, as seen at time ``now``.
        """


class IImages(Interface):
    """
    The images one tenant sees in one region (the provider's base images
    and its own snapshots), as the image service keeps them.
    """

    def get(image_id):
        """
        The :class:`IImage` with this id, or ``None``.
        """

    def __iter__():
        """
        Every :class:`IImage`, newest first.
        """

    def create_snapshot(name, server_id, now, metadata=None, base_image=None):
        """
        Record a snapshot of a server (Nova's ``createImage``) and return
        it; it is ``SAVING`` for a while on Mimic's clock, then ``ACTIVE``.
        """

    def delete(image_id):
        """
        Forget a snapshot; ``False`` if there is no such snapshot (base
        images cannot be deleted).
        """

    def set_metadata(image_id, metadata, now):
        """
        Replace a snapshot's metadata (Nova's image-metadata proxy) and
        return the changed :class:`IImage`, updated at ``now``; ``None``
        if there is no such snapshot (the provider's base images cannot
        be changed).
        """
