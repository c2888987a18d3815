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
        region (``http://<host the client used>/service/<name>/<region>/<tenant>``,
        or where the profile mounts the service, ``http://<host>/compute``),
        for the links and ``Location`` headers a service hands out.
        """

    profile = Attribute(
        "The mimic.profiles.Profile this Mimic serves: a service reads "
        "profile.name, profile.regions or profile.rackspace_extensions to "
        "decide what its answers carry."
    )

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


class ISettingsShapeCatalog(Interface):
    """
    Optional, for a plugin whose catalog entries depend on a setting (the
    old control entries' types): the core asks this instead of
    :meth:`IAPIMock.catalog_entries`.
    """

    def configured_catalog_entries(settings, tenant_id):
        """
        The entries for one tenant given the parsed settings (a mapping
        of setting names to values, as :attr:`IMimicCore.settings`).
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


class IPendingEvents(Interface):
    """
    Optional, for per-(tenant, region) state whose resources change on
    Mimic's clock (a server leaving BUILD, a balancer leaving
    PENDING_UPDATE, a volume finishing ``creating``): it says what is due,
    so that ``GET /mimic/v1.1/clock`` can list it and ``POST
    /mimic/v1.1/tick`` can advance to the next one or until none is left.
    """

    def pending_events(now):
        """
        The changes still due after ``now`` (seconds on Mimic's clock),
        as :class:`mimic.pending.PendingEvent` values, in any order.
        Must not change the state (no settling, no creation).
        """


class IPersistentState(Interface):
    """
    Optional, for a plugin whose region states can be saved and brought
    back: named snapshots (``POST /mimic/v1.1/snapshots``) and
    ``--state-file``.  The saved form is plain JSON (dicts with text
    keys, lists, text, numbers, booleans, None), so that a snapshot is
    cheap to keep and a state file is readable and versioned.  A plugin
    that does not provide this has its state dropped when a snapshot is
    restored, and the restore says so.
    """

    state_format = Attribute(
        "An int: the version of this plugin's saved form, bumped whenever a "
        "saved state of the previous form can no longer be restored."
    )

    def save_region_state(state):
        """
        Everything one region state (as made by the factory this plugin
        passes to ``core.region_state``) holds, as plain JSON.
        """

    def restore_region_state(core, tenant_id, region, saved):
        """
        A new region state equal to the one ``saved`` came from, for the
        given core (which provides :class:`IMimicCore`, for the lookups
        and contracts the state needs).  ``saved`` must not be changed:
        one snapshot is restored many times.  Raises ``ValueError`` with a
        message naming what is wrong when ``saved`` cannot be restored.
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
        Nova's upper-case status at time ``now`` (``SAVING``, ``ACTIVE``;
        ``ERROR`` or ``UNKNOWN`` for images Glance killed or deactivated).
        """

    def progress(now):
        """
        Percent done at time ``now``.
        """

    def updated(now):
        """
        When it last changed, as seen at time ``now``.
        """

    container_format = Attribute(
        "Glance's container format (``bare``, ``ovf``...), None until set: Nova keeps it among "
        "a server's image properties (shown from compute microversion 2.98)."
    )
    disk_format = Attribute("Glance's disk format (``qcow2``, ``vhd``...), None until set: likewise.")


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


class ContractRefused(Exception):
    """
    A call on a contract between services that the owning service refuses,
    as it would refuse the same request made through its own API.  The
    calling service turns it into its own error shape: Nova answers 400
    for a network Neutron does not know, 409 for a port already in use.
    """

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(status, kind, message)
        #: The HTTP status the owning service would answer.
        self.status = status
        #: The owner's name for the error (Neutron's ``type``, such as
        #: ``IpAddressGenerationFailure``; Cinder's, such as ``VolumeSizeExceedsAvailableQuota``).
        self.kind = kind
        #: The owner's message, as its API would show it.
        self.message = message


class INetwork(Interface):
    """
    One network a tenant can put ports on, as Neutron keeps it.
    """

    id = Attribute("Its id (a UUID string; Rackspace's PublicNet is 00000000-0000-0000-0000-000000000000).")
    name = Attribute("Its name, the label Nova shows the server's addresses under.")
    tenant_id = Attribute("The project that owns it (the provider's for shared networks).")
    status = Attribute("Neutron's status: ACTIVE, DOWN, BUILD or ERROR.")
    shared = Attribute("Whether every tenant sees it.")
    external = Attribute("Neutron's router:external.")
    subnet_ids = Attribute("Its subnets' ids, in creation order.")
    mtu = Attribute("Its MTU.")


class INetworkPort(Interface):
    """
    One Neutron port: how a server is on a network.
    """

    id = Attribute("Its id (a UUID string).")
    network_id = Attribute("The network it is on.")
    name = Attribute("Its name.")
    mac_address = Attribute("Its MAC address (unique in the region).")
    device_id = Attribute("What it is bound to (a server's id), or ''.")
    device_owner = Attribute("Neutron's device_owner (compute:<zone> for a server's), or ''.")
    status = Attribute("ACTIVE when bound to a device, else DOWN.")
    fixed_ips = Attribute("Its addresses: (subnet id, IP address string) pairs, in allocation order.")
    security_group_ids = Attribute("The ids of its security groups.")


class ISecurityGroup(Interface):
    """
    One security group, as Neutron keeps it (Nova's security-group proxy
    shows it in Nova's shape).
    """

    id = Attribute("Its id.")
    name = Attribute("Its name.")
    description = Attribute("Its description.")
    tenant_id = Attribute("The project that owns it.")
    rules = Attribute(
        "Its rules, each a mapping in Neutron's shape (id, direction, ethertype, protocol, "
        "port_range_min, port_range_max, remote_ip_prefix, remote_group_id)."
    )


class IFloatingIP(Interface):
    """
    One floating IP, as Neutron keeps it.
    """

    id = Attribute("Its id.")
    floating_ip_address = Attribute("The address.")
    floating_network_id = Attribute("The external network it came from.")
    port_id = Attribute("The port it is associated with, or None.")
    fixed_ip_address = Attribute("The port's address it maps to, or None.")
    status = Attribute("ACTIVE when associated, else DOWN.")


class INetworking(Interface):
    """
    One tenant's networking in one region, as the network service keeps
    it and compute uses it the way Nova uses Neutron: the network service
    owns the ports, and a server's addresses are read from them.  Every
    change reads Mimic's clock through ``now``.  Refusals raise
    :class:`ContractRefused` with Neutron's status, type and message.
    """

    def networks():
        """
        Every :class:`INetwork` the tenant sees (its own, shared and
        external ones), oldest first.
        """

    def network(network_id):
        """
        The :class:`INetwork` with this id that the tenant sees, or ``None``.
        """

    def port(port_id):
        """
        The tenant's :class:`INetworkPort` with this id, or ``None``.
        """

    def ports_of(device_id):
        """
        The ports bound to one device (a server's id), oldest first.
        """

    def create_port(network_id, device_id, device_owner, now, fixed_ip=None, security_groups=None):
        """
        Make a port on a network for a device and return it: an address
        from each of the network's subnets (or ``fixed_ip``, which must be
        free and in one of them), a unique MAC, and the named security
        groups (ids or names; the tenant's ``default`` group when
        ``None``; none on a network with port security off).
        """

    def bind_port(port_id, device_id, device_owner, now):
        """
        Bind a port the user made to a device and return it; refused
        (409 ``PortInUse``) if it is bound to another device.
        """

    def release_port(port_id, now):
        """
        Unbind a port (its device went away, or the interface was
        detached) and keep it: what Nova does to a port the user passed in.
        """

    def delete_port(port_id, now):
        """
        Delete a port (and disassociate its floating IPs): what Nova does
        to a port it made itself when the server goes.
        """

    def set_port_security_groups(port_id, group_ids, now):
        """
        Replace a port's security groups (ids) and return the port.
        """

    def security_groups():
        """
        The tenant's :class:`ISecurityGroup`\\ s, oldest first (``default``
        is made on first use).
        """

    def find_security_group(name_or_id):
        """
        The tenant's :class:`ISecurityGroup` with this id, else with this
        name; ``None`` if there is none.  Refused (409
        ``NoUniqueMatch``) when the name is ambiguous.
        """

    def create_security_group(name, description, now):
        """
        Make a security group (with Neutron's two default egress rules)
        and return it.
        """

    def delete_security_group(group_id, now):
        """
        Delete a security group; refused (409 ``SecurityGroupInUse``) while
        a port uses it, and for ``default``.
        """

    def add_security_group_rule(group_id, rule, now):
        """
        Add a rule (a mapping in Neutron's request shape) to a group and
        return it in Neutron's shape; refused for a bad rule (400) or a
        duplicate (409 ``SecurityGroupRuleExists``).
        """

    def delete_security_group_rule(rule_id, now):
        """
        Delete a rule; refused (404) if there is none with this id.
        """

    def floating_ips():
        """
        The tenant's :class:`IFloatingIP`\\ s, oldest first.
        """

    def floating_ips_of(port_id):
        """
        The floating IPs associated with one port.
        """

    def allocate_floating_ip(network_id, now):
        """
        Allocate a floating IP from an external network (the region's
        default one when ``None``) and return it.
        """

    def associate_floating_ip(floating_ip_id, port_id, fixed_ip_address, now):
        """
        Map a floating IP to one of a port's addresses (its first when
        ``None``) and return it.
        """

    def disassociate_floating_ip(floating_ip_id, now):
        """
        Unmap a floating IP and return it.
        """

    def release_floating_ip(floating_ip_id, now):
        """
        Give a floating IP back.
        """

    def update_security_group(group_id, changes, now):
        """
        Change a security group's ``name`` and ``description`` (the keys
        of ``changes``) and return it, as Nova's proxy renames one;
        refused (409) for the ``default`` group's name.
        """


class IVolume(Interface):
    """
    One block-storage volume, as Cinder keeps it and Nova attaches it.
    """

    id = Attribute("Its id (a UUID string).")
    name = Attribute("Its name, or None.")
    size = Attribute("Its size in GB.")
    volume_type = Attribute("Its type's name (Rackspace's SATA or SSD).")
    availability_zone = Attribute("Its availability zone.")
    bootable = Attribute("Whether a server can boot from it.")
    image_id = Attribute("The image it was made from, or None.")
    snapshot_id = Attribute("The snapshot it was made from, or None.")
    description = Attribute("Its description, or None.")
    metadata = Attribute("Its metadata, a mapping of strings.")
    created = Attribute("When it was made, in seconds on Mimic's clock.")

    def status(now):
        """
        Cinder's status at time ``now`` (``creating``, ``available``,
        ``attaching``, ``in-use``, ``detaching``, ``error``...): transitions
        take time on Mimic's clock.
        """

    def attachments(now):
        """
        Its attachments at time ``now``: (attachment id, server id, device)
        triples.
        """


class IVolumes(Interface):
    """
    One tenant's volumes in one region, as the block-storage service keeps
    them and compute uses them the way Nova uses Cinder.  Every change
    reads Mimic's clock through ``now``.  Refusals raise
    :class:`ContractRefused` with Cinder's status, kind and message.
    """

    def get(volume_id):
        """
        The tenant's :class:`IVolume` with this id, or ``None``.
        """

    def create(
        size, now, name=None, image_id=None, snapshot_id=None, source_volid=None, volume_type=None,
        availability_zone=None, description=None, metadata=None,
    ):
        """
        Make a volume (Nova's boot from image, snapshot or blank) and
        return it; it is ``creating`` for a while, then ``available``
        (or ``error`` when a condition says so).
        """

    def reserve(volume_id, server_id, now):
        """
        Hold an ``available`` volume for an attachment to a server
        (``attaching``); refused (400) in any other status.
        """

    def unreserve(volume_id, now):
        """
        Give up a reservation: the attach failed, the volume is
        ``available`` again.
        """

    def attach(volume_id, server_id, device, now):
        """
        Attach a reserved volume to a server at ``device`` and return the
        attachment's id; the volume is ``in-use`` once the attach is done.
        """

    def detach(volume_id, server_id, now):
        """
        Detach a volume from a server (``detaching``, then ``available``);
        refused (400) if it is not attached to that server.
        """

    def delete(volume_id, now):
        """
        Delete a volume (Nova's delete_on_termination); refused (400)
        while it is attached or has snapshots.
        """

    def attached_to(server_id, now):
        """
        The volumes attached (or attaching) to one server, oldest
        attachment first.
        """

    def __iter__():
        """
        Every live :class:`IVolume` of the tenant's here, oldest first
        (Nova's ``os-volumes`` proxy lists them).
        """


class IImageUploads(Interface):
    """
    Optional beside :class:`IImages`, for an image store that takes
    images made from block-storage volumes, as Glance takes Cinder's
    uploads.  (An interface of its own, so that an :class:`IImages`
    without uploads, such as compute's stand-in when no image service is
    loaded, still provides the whole of :class:`IImages`.)
    """

    def upload_volume(name, volume_id, size, now, metadata=None, formats=None):
        """
        Record an image made from a block-storage volume (Cinder's
        ``os-volume_upload_image``) and return its :class:`IImage`: the
        project's own, ``size`` GB, with ``metadata`` as its properties
        (the volume's image metadata), in ``formats``, the
        ``(disk_format, container_format)`` the upload asked for
        (``None``: ``("raw", "bare")``, what Cinder asks for by default).
        """


class IProfileMember(Interface):
    """
    Optional, for a plugin that says how it appears in each cloud profile
    (:mod:`mimic.profiles`).  A plugin without it is served in every
    profile under its own catalog entries, at ``/service/<name>/...``.
    """

    profiles = Attribute(
        "The names of the profiles the plugin is served in (a collection of "
        "text, e.g. ('rackspace',)); in any other it is left out entirely, "
        "from the catalog and from the routes."
    )

    def layout(profile):
        """
        The plugin's :class:`mimic.profiles.ServiceLayout` (catalog entries
        and a mount at Mimic's root) in ``profile`` (a
        :class:`mimic.profiles.Profile`), or ``None`` for the layout the
        profile declares for it, if any, else its own catalog entries.
        """


class IConfiguredContent(Interface):
    """
    Optional, for a plugin whose cloud content (flavors, images, default
    quotas) a configuration file may replace (:mod:`mimic.cloud_content`).
    """

    def content_keys():
        """
        The :class:`mimic.cloud_content.ContentKey` of each top-level key of
        the configuration file the plugin reads (``flavors``,
        ``quotas.compute``...).  What a key's check returns is kept in
        ``core.profile.content`` under the key's dotted name.
        """
