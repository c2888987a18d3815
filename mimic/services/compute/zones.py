# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute availability zones (``/os-availability-zone`` and its
``detail``, by :class:`ZonesAPI`).

:data:`DEFAULT_ZONE` (``"nova"``, what Nova calls the zone of hosts that
were given none) and :func:`is_known_zone` are for a server create, whose
``availability_zone`` must name a zone (Nova: 400 "The requested
availability zone is not available").
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.compute.errors import handle_nova_errors
from mimic.services.compute.web import ContextFactory
from mimic.timestamps import iso_seconds

#: The zone every server lands in unless asked otherwise.
DEFAULT_ZONE = "nova"

#: The zones servers can be created in.
ZONES: tuple[str, ...] = (DEFAULT_ZONE,)

#: The compute hosts of each zone, for ``detail``.
_HOSTS: dict[str, tuple[str, ...]] = {DEFAULT_ZONE: ("compute-01", "compute-02")}

#: Where Nova's own services run (the ``internal`` zone of ``detail``).
_CONTROL_HOST = "controller-01"


def is_known_zone(name: str) -> bool:
    """
    Whether servers can be created in the zone ``name``.
    """
    return name in _HOSTS


def _service(now: float) -> dict[str, Any]:
    # Nova's service heartbeat timestamps: no zone, microseconds.
    updated = iso_seconds(now).rstrip("Z") + ".000000"
    return {"available": True, "active": True, "updated_at": updated}


class ZonesAPI:
    """
    ``/os-availability-zone`` for one request.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def list_zones(self, request: IRequest) -> bytes:
        """
        Zone names and whether they are available; ``hosts`` is null, as
        Nova gives it to non-admins.
        """
        self.context()
        body = {
            "availabilityZoneInfo": [
                {"zoneName": zone, "zoneState": {"available": True}, "hosts": None} for zone in ZONES
            ]
        }
        return json_response(request, body)

    @app.route("/detail", methods=["GET"])
    def list_zones_detail(self, request: IRequest) -> bytes:
        """
        The zones with their hosts and the ``nova-compute`` service on
        each, then the ``internal`` zone of the control services
        (admin-only on a real cloud; open here).
        """
        service = _service(self.context().now)
        zones: list[dict[str, Any]] = [
            {
                "zoneName": "internal",
                "zoneState": {"available": True},
                "hosts": {
                    _CONTROL_HOST: {
                        "nova-conductor": dict(service),
                        "nova-scheduler": dict(service),
                    }
                },
            }
        ]
        for zone in ZONES:
            zones.append(
                {
                    "zoneName": zone,
                    "zoneState": {"available": True},
                    "hosts": {host: {"nova-compute": dict(service)} for host in _HOSTS[zone]},
                }
            )
        return json_response(request, {"availabilityZoneInfo": zones})
