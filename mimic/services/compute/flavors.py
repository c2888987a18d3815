# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute flavors: Rackspace's public flavor set, served as Nova serves it
(``GET /flavors``, ``/flavors/detail``, ``/flavors/<id>`` and
``/flavors/<id>/os-extra_specs[/<key>]``, by :class:`FlavorsAPI`).

:data:`FLAVORS` (sorted), :func:`get_flavor` (O(1) by id) and
:func:`flavor_from_ref` (an id or a flavor URL, as ``flavorRef`` takes)
are for the rest of compute; :func:`embedded_flavor_json` is the
``flavor`` field of a server at a microversion.

Flavors are the same for every tenant and region and never change, so
they are module-level constants: nothing here is per-request work except
the listing itself.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from attrs import field, frozen
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, page
from mimic.services.compute.errors import handle_nova_errors, nova_error
from mimic.services.compute.web import (
    ContextFactory,
    RequestContext,
    bookmark_links,
    int_filter,
    limit_and_marker,
    next_links,
    resource_links,
)


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
            }
        )
        if ctx.profile.rackspace_extensions:
            body["OS-FLV-WITH-EXT-SPECS:extra_specs"] = dict(self.extra_specs)
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



class FlavorLookup(Protocol):
    """
    What :class:`FlavorsAPI` needs of a cloud's flavors (a
    :class:`~mimic.services.compute.flavor_sets.FlavorSet`).
    """

    @property
    def flavors(self) -> tuple[Flavor, ...]: ...

    def get(self, flavor_id: str) -> Flavor | None: ...


class FlavorsAPI:
    """
    ``/flavors`` for one request: the flavors every tenant sees.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, flavors: FlavorLookup | None = None) -> None:
        self.context = context
        # The flavors of the core's profile (Rackspace's by default).
        self.flavors = FLAVORS if flavors is None else flavors.flavors
        self._get = _BY_ID.get if flavors is None else flavors.get

    def _require(self, flavor_id: str) -> Flavor:
        flavor = self._get(flavor_id)
        if flavor is None:
            raise nova_error(404, f"Flavor {flavor_id} could not be found.")
        return flavor

    @app.route("/", methods=["GET"])
    def list_flavors(self, request: IRequest) -> bytes:
        return self._list(request, detail=False)

    @app.route("/detail", methods=["GET"])
    def list_flavors_detail(self, request: IRequest) -> bytes:
        return self._list(request, detail=True)

    def _list(self, request: IRequest, detail: bool) -> bytes:
        """
        ``GET /flavors`` and ``GET /flavors/detail``, with ``minRam``,
        ``minDisk``, ``is_public``, ``limit`` and ``marker``.
        """
        ctx = self.context()
        min_ram = int_filter(request, "minRam")
        min_disk = int_filter(request, "minDisk")
        limit, marker = limit_and_marker(request)
        flavors: Sequence[Flavor] = self.flavors
        if min_ram is not None or min_disk is not None:
            flavors = [
                f
                for f in self.flavors
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

    @app.route("/", methods=["POST"])
    def create_flavor(self, request: IRequest) -> bytes:
        self.context()
        # Changing public flavors needs the admin role, which no Mimic user has.
        raise nova_error(
            403, "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed."
        )

    @app.route("/<flavor_id>", methods=["GET"])
    def show_flavor(self, request: IRequest, flavor_id: str) -> bytes:
        ctx = self.context()
        return json_response(request, {"flavor": self._require(flavor_id).detail_json(ctx)})

    @app.route("/<flavor_id>/os-extra_specs", methods=["GET"])
    def list_extra_specs(self, request: IRequest, flavor_id: str) -> bytes:
        self.context()
        return json_response(request, {"extra_specs": dict(self._require(flavor_id).extra_specs)})

    @app.route("/<flavor_id>/os-extra_specs/<key>", methods=["GET"])
    def show_extra_spec(self, request: IRequest, flavor_id: str, key: str) -> bytes:
        """
        ``{key: value}``.
        """
        self.context()
        flavor = self._require(flavor_id)
        if key not in flavor.extra_specs:
            raise nova_error(404, f"Flavor {flavor_id} has no extra specs with key {key}.")
        return json_response(request, {key: flavor.extra_specs[key]})
