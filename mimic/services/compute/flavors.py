# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute flavors: Rackspace's public flavor set, served as Nova serves it.

Public surface (for the servers routes to use):

- :class:`RequestContext` -- what every handler of this module and of
  :mod:`~mimic.services.compute.images`, :mod:`~.keypairs`, :mod:`~.limits`
  and :mod:`~.zones` needs to know about one request.  The servers routes
  build one per request and pass it in.
- :func:`install_routes` -- mounts ``GET /flavors``, ``/flavors/detail``,
  ``/flavors/<id>`` and ``/flavors/<id>/os-extra_specs[/<key>]`` on a Klein
  app, below a prefix such as ``/<version>/<tenant_id>``.
- :data:`FLAVORS` (sorted), :func:`get_flavor` (O(1) by id),
  :func:`flavor_from_ref` (an id or a flavor URL, as ``flavorRef`` takes),
  :func:`embedded_flavor_json` (the ``flavor`` field of a server for a
  microversion), :func:`resource_links` (Nova's ``self`` / ``bookmark``
  pair).
- :func:`limit_and_marker`, :func:`next_links`, :func:`int_filter`,
  :func:`mount` -- the paging, filtering and routing helpers the modules
  above share.

Flavors are the same for every tenant and region and never change, so
they are module-level constants: nothing here is per-request work except
the listing itself.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol, Sequence
from urllib.parse import urlencode

from attrs import field, frozen
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, page, query_arg
from mimic.services.compute.errors import nova_error

#: A microversion as (major, minor); (2, 0) on the legacy /v2 API.
Microversion = tuple[int, int]


class RequestContext(Protocol):
    """
    What the handlers of the small compute resources need from the
    servers routes for one request.
    """

    #: The negotiated microversion, (2, 1) when the client asked for none.
    microversion: Microversion
    #: Absolute URL the client used, up to the tenant segment inclusive,
    #: e.g. ``http://host/service/compute/ORD/123/v2.1/123``: ``self`` links
    #: and ``next`` links start with it.
    versioned_url: str
    #: The same without the version segment, e.g.
    #: ``http://host/service/compute/ORD/123/123``: ``bookmark`` links.
    unversioned_url: str
    #: The user the token belongs to (keypairs belong to users).
    user_id: str
    #: ``core.clock.seconds()`` when the request arrived.
    now: float
    #: This tenant's keypairs in this region
    #: (:class:`mimic.services.compute.keypairs.KeypairStore`).
    keypairs: Any
    #: This tenant's images in this region
    #: (:class:`mimic.services.compute.images.ImageStore`).
    images: Any

    #: The tenant the request is for.
    tenant_id: str
    #: This tenant's compute quotas in this region
    #: (:class:`mimic.services.compute.limits.Quotas`); settable.
    quotas: Any

    def flavor_ids_in_use(self) -> Iterable[str]:
        """
        The flavor id of every server that counts against the quota (every
        server not yet deleted), for the ``limits`` used counts.
        """

    def usage(self) -> Any:
        """
        What the tenant's servers here use of the quota
        (:class:`mimic.services.compute.limits.Usage`), in O(1).
        """


#: Builds the context for a request from the Klein instance, the request
#: and the URL variables of the prefix.
ContextFactory = Callable[..., RequestContext]


def resource_links(ctx: RequestContext, collection: str, ident: str) -> list[dict[str, str]]:
    """
    Nova's ``links`` for a resource: a versioned ``self`` and an
    unversioned ``bookmark``.
    """
    return [
        {"href": f"{ctx.versioned_url}/{collection}/{ident}", "rel": "self"},
        {"href": f"{ctx.unversioned_url}/{collection}/{ident}", "rel": "bookmark"},
    ]


def bookmark_links(ctx: RequestContext, collection: str, ident: str) -> list[dict[str, str]]:
    """
    The ``links`` of a resource embedded in another (a server's image or
    flavor): the bookmark only.
    """
    return [{"href": f"{ctx.unversioned_url}/{collection}/{ident}", "rel": "bookmark"}]


#: Nova's ``osapi_max_limit``: no page is longer, whatever ``limit`` says.
MAX_LIMIT = 1000


def limit_and_marker(request: IRequest) -> tuple[int, str | None]:
    """
    ``limit`` and ``marker`` query arguments, validated as Nova does:
    no limit (or 0) means the largest page, :data:`MAX_LIMIT`.
    """
    raw = query_arg(request, "limit")
    limit = MAX_LIMIT
    if raw is not None:
        try:
            limit = int(raw)
        except ValueError:
            raise nova_error(400, "limit param must be an integer")
        if limit < 0:
            raise nova_error(400, "limit param must be positive")
        limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    return limit, query_arg(request, "marker")


def next_links(
    ctx: RequestContext,
    request: IRequest,
    path: str,
    last_key: str | None,
    more: bool,
) -> list[dict[str, str]]:
    """
    The ``<collection>_links`` of a listing page, as Nova gives them: when
    more items follow, a ``next`` link to the same listing (``path``
    below the versioned URL, e.g. ``flavors/detail``) with the same query
    and ``marker`` set to the page's last item.
    """
    if not more or last_key is None:
        return []
    query = [
        (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
        for name, values in sorted(request.args.items())
        if name != b"marker"
        for value in values
    ]
    query.append(("marker", last_key))
    return [{"href": f"{ctx.versioned_url}/{path}?{urlencode(query)}", "rel": "next"}]


@frozen
class Flavor:
    """
    A flavor: sizes and Rackspace's extra specs.
    """

    id: str
    name: str
    ram: int
    vcpus: int
    disk: int
    ephemeral: int = 0
    swap: int = 0
    rxtx_factor: float = 1.0
    extra_specs: dict[str, str] = field(factory=dict)
    description: str | None = None

    def summary_json(self, ctx: RequestContext) -> dict[str, Any]:
        """
        The entry of ``GET /flavors``.
        """
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "links": resource_links(ctx, "flavors", self.id),
        }
        if ctx.microversion >= (2, 55):
            body["description"] = self.description
        return body

    def detail_json(self, ctx: RequestContext) -> dict[str, Any]:
        """
        ``GET /flavors/<id>`` and the entries of ``GET /flavors/detail``.
        """
        body = self.summary_json(ctx)
        body.update(
            {
                "ram": self.ram,
                "vcpus": self.vcpus,
                "disk": self.disk,
                "OS-FLV-EXT-DATA:ephemeral": self.ephemeral,
                "OS-FLV-DISABLED:disabled": False,
                "os-flavor-access:is_public": True,
                "rxtx_factor": self.rxtx_factor,
                # Before 2.75 Nova writes an empty swap as "".
                "swap": self.swap if (self.swap or ctx.microversion >= (2, 75)) else "",
                "OS-FLV-WITH-EXT-SPECS:extra_specs": dict(self.extra_specs),
            }
        )
        if ctx.microversion >= (2, 61):
            body["extra_specs"] = dict(self.extra_specs)
        return body


def _specs(cls: str, policy: str, disk_io: str, data_disks: int = 0) -> dict[str, str]:
    return {
        "class": cls,
        "policy_class": policy,
        "disk_io_index": disk_io,
        "number_of_data_disks": str(data_disks),
        "resize_policy_class": policy,
    }


_GENERAL = _specs("general1", "general_flavor", "40")
_COMPUTE = _specs("compute1", "compute_flavor", "-1")
_MEMORY = _specs("memory1", "memory_flavor", "-1")
_IO = _specs("io1", "io_flavor", "70", 1)
_STANDARD = _specs("standard1", "standard_flavor", "2")
_PERFORMANCE = _specs("performance1", "performance_flavor", "40")

#: Rackspace's public flavors (names, sizes and network factors as the
#: Rackspace cloud lists them), sorted by id as Nova lists flavors.
FLAVORS: tuple[Flavor, ...] = tuple(
    sorted(
        (
            Flavor("2", "512MB Standard Instance", 512, 1, 20, swap=512, rxtx_factor=80.0, extra_specs=_STANDARD),
            Flavor("3", "1GB Standard Instance", 1024, 1, 40, swap=1024, rxtx_factor=120.0, extra_specs=_STANDARD),
            Flavor("4", "2GB Standard Instance", 2048, 2, 80, swap=2048, rxtx_factor=240.0, extra_specs=_STANDARD),
            Flavor("5", "4GB Standard Instance", 4096, 2, 160, swap=2048, rxtx_factor=400.0, extra_specs=_STANDARD),
            Flavor("6", "8GB Standard Instance", 8192, 4, 320, swap=2048, rxtx_factor=600.0, extra_specs=_STANDARD),
            Flavor("7", "15GB Standard Instance", 15360, 6, 620, swap=2048, rxtx_factor=800.0, extra_specs=_STANDARD),
            Flavor("8", "30GB Standard Instance", 30720, 8, 1200, swap=2048, rxtx_factor=1200.0, extra_specs=_STANDARD),
            Flavor("general1-1", "1 GB General Purpose v1", 1024, 1, 20, rxtx_factor=200.0, extra_specs=_GENERAL),
            Flavor("general1-2", "2 GB General Purpose v1", 2048, 2, 40, rxtx_factor=400.0, extra_specs=_GENERAL),
            Flavor("general1-4", "4 GB General Purpose v1", 4096, 4, 80, rxtx_factor=800.0, extra_specs=_GENERAL),
            Flavor("general1-8", "8 GB General Purpose v1", 8192, 8, 160, rxtx_factor=1600.0, extra_specs=_GENERAL),
            Flavor("compute1-4", "3.75 GB Compute v1", 3840, 2, 0, rxtx_factor=312.5, extra_specs=_COMPUTE),
            Flavor("compute1-8", "7.5 GB Compute v1", 7680, 4, 0, rxtx_factor=625.0, extra_specs=_COMPUTE),
            Flavor("compute1-15", "15 GB Compute v1", 15360, 8, 0, rxtx_factor=1250.0, extra_specs=_COMPUTE),
            Flavor("compute1-30", "30 GB Compute v1", 30720, 16, 0, rxtx_factor=2500.0, extra_specs=_COMPUTE),
            Flavor("memory1-15", "15 GB Memory v1", 15360, 2, 0, rxtx_factor=625.0, extra_specs=_MEMORY),
            Flavor("memory1-30", "30 GB Memory v1", 30720, 4, 0, rxtx_factor=1250.0, extra_specs=_MEMORY),
            Flavor("memory1-60", "60 GB Memory v1", 61440, 8, 0, rxtx_factor=2500.0, extra_specs=_MEMORY),
            Flavor("io1-15", "15 GB I/O v1", 15360, 4, 40, ephemeral=150, rxtx_factor=1250.0, extra_specs=_IO),
            Flavor("io1-30", "30 GB I/O v1", 30720, 8, 40, ephemeral=300, rxtx_factor=2500.0, extra_specs=_IO),
            Flavor("performance1-1", "1 GB Performance", 1024, 1, 20, rxtx_factor=200.0, extra_specs=_PERFORMANCE),
            Flavor("performance1-2", "2 GB Performance", 2048, 2, 40, ephemeral=20, rxtx_factor=400.0, extra_specs=_PERFORMANCE),
            Flavor("performance1-4", "4 GB Performance", 4096, 4, 40, ephemeral=40, rxtx_factor=800.0, extra_specs=_PERFORMANCE),
            Flavor("performance1-8", "8 GB Performance", 8192, 8, 40, ephemeral=80, rxtx_factor=1600.0, extra_specs=_PERFORMANCE),
        ),
        key=lambda f: f.id,
    )
)

_BY_ID: dict[str, Flavor] = {f.id: f for f in FLAVORS}

#: The flavor tests and examples use when they do not care.
DEFAULT_FLAVOR_ID = "general1-1"


def get_flavor(flavor_id: str) -> Flavor | None:
    """
    The flavor with this id, or None.
    """
    return _BY_ID.get(flavor_id)


def flavor_from_ref(ref: Any) -> Flavor | None:
    """
    The flavor a server create's ``flavorRef`` names: an id, or a URL
    whose last segment is the id (as Nova accepts).  None if it names no
    flavor (Nova answers 400 "Invalid flavorRef provided.").
    """
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref:
        return None
    return _BY_ID.get(ref.rstrip("/").rsplit("/", 1)[-1])


def embedded_flavor_json(ctx: RequestContext, flavor: Flavor) -> dict[str, Any]:
    """
    The ``flavor`` field of a server: the id and a bookmark before 2.47,
    the flavor's own sizes and ``original_name`` from 2.47 on.
    """
    if ctx.microversion < (2, 47):
        return {"id": flavor.id, "links": bookmark_links(ctx, "flavors", flavor.id)}
    return {
        "vcpus": flavor.vcpus,
        "ram": flavor.ram,
        "disk": flavor.disk,
        "ephemeral": flavor.ephemeral,
        "swap": flavor.swap,
        "original_name": flavor.name,
        "extra_specs": dict(flavor.extra_specs),
    }


def int_filter(request: IRequest, name: str) -> int | None:
    """
    An integer query argument such as ``minRam``, or None when absent;
    Nova's 400 "Invalid <name> filter" when it is not an integer.
    """
    raw = query_arg(request, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise nova_error(400, f"Invalid {name} filter [{raw}]")


def list_flavors(request: IRequest, ctx: RequestContext, detail: bool) -> bytes:
    """
    ``GET /flavors`` and ``GET /flavors/detail``, with ``minRam``,
    ``minDisk``, ``is_public``, ``limit`` and ``marker``.
    """
    min_ram = int_filter(request, "minRam")
    min_disk = int_filter(request, "minDisk")
    limit, marker = limit_and_marker(request)
    flavors: Sequence[Flavor] = FLAVORS
    if min_ram is not None or min_disk is not None:
        flavors = [
            f
            for f in FLAVORS
            if (min_ram is None or f.ram >= min_ram) and (min_disk is None or f.disk >= min_disk)
        ]
    paged = page(flavors, lambda f: f.id, limit, marker)
    if paged is None:
        raise nova_error(400, f"marker [{marker}] not found")
    items, more = paged
    body: dict[str, Any] = {
        "flavors": [f.detail_json(ctx) if detail else f.summary_json(ctx) for f in items]
    }
    path = "flavors/detail" if detail else "flavors"
    links = next_links(ctx, request, path, items[-1].id if items else None, more)
    if links:
        body["flavors_links"] = links
    return json_response(request, body)


def _require_flavor(flavor_id: str) -> Flavor:
    flavor = _BY_ID.get(flavor_id)
    if flavor is None:
        raise nova_error(404, f"Flavor {flavor_id} could not be found.")
    return flavor


def show_flavor(request: IRequest, ctx: RequestContext, flavor_id: str) -> bytes:
    """
    ``GET /flavors/<id>``.
    """
    return json_response(request, {"flavor": _require_flavor(flavor_id).detail_json(ctx)})


def list_extra_specs(request: IRequest, ctx: RequestContext, flavor_id: str) -> bytes:
    """
    ``GET /flavors/<id>/os-extra_specs``.
    """
    return json_response(request, {"extra_specs": dict(_require_flavor(flavor_id).extra_specs)})


def show_extra_spec(request: IRequest, ctx: RequestContext, flavor_id: str, key: str) -> bytes:
    """
    ``GET /flavors/<id>/os-extra_specs/<key>``: ``{key: value}``.
    """
    flavor = _require_flavor(flavor_id)
    if key not in flavor.extra_specs:
        raise nova_error(404, f"Flavor {flavor_id} has no extra specs with key {key}.")
    return json_response(request, {key: flavor.extra_specs[key]})


def _forbidden_change(request: IRequest, ctx: RequestContext, **kwargs: Any) -> bytes:
    # Changing public flavors needs the admin role, which no Mimic user has.
    raise nova_error(
        403, "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed."
    )


def mount(
    app: Klein,
    context: ContextFactory,
    prefix: str,
    name: str,
    path: str,
    handler: Callable[..., bytes],
    own_variables: tuple[str, ...] = (),
    methods: tuple[str, ...] = ("GET",),
) -> None:
    """
    Route ``prefix + path`` on ``app`` to ``handler(request, ctx,
    **own_variables)``.  The URL variables of the prefix go to
    ``context`` to build the request's :class:`RequestContext`, those in
    ``own_variables`` to the handler.  ``name`` is the Klein endpoint
    name and must be unique in the app.
    """

    def endpoint(instance: Any, request: IRequest, **variables: Any) -> bytes:
        own = {key: variables.pop(key) for key in own_variables}
        return handler(request, context(instance, request, **variables), **own)

    app.route(prefix + path, methods=list(methods), endpoint=name)(endpoint)


def install_routes(app: Klein, context: ContextFactory, prefix: str) -> None:
    """
    Mount the flavor calls on ``app`` below ``prefix`` (e.g.
    ``"/<version>/<tenant_id>"``).  ``context(instance, request,
    **url_variables)`` builds the :class:`RequestContext`; errors are
    raised as :class:`~mimic.http.HTTPError` for the app's error handler.
    """
    mount(app, context, prefix, "compute_flavors_list", "/flavors",
          lambda request, ctx: list_flavors(request, ctx, detail=False))
    mount(app, context, prefix, "compute_flavors_detail", "/flavors/detail",
          lambda request, ctx: list_flavors(request, ctx, detail=True))
    mount(app, context, prefix, "compute_flavors_create", "/flavors", _forbidden_change,
          methods=("POST",))
    mount(app, context, prefix, "compute_flavors_show", "/flavors/<flavor_id>", show_flavor,
          ("flavor_id",))
    mount(app, context, prefix, "compute_flavors_extra_specs", "/flavors/<flavor_id>/os-extra_specs",
          list_extra_specs, ("flavor_id",))
    mount(app, context, prefix, "compute_flavors_extra_spec", "/flavors/<flavor_id>/os-extra_specs/<key>",
          show_extra_spec, ("flavor_id", "key"))
