# -*- test-case-name: mimic.test.test_compute_server_extras -*-
"""
``GET /servers/{id}/diagnostics`` (by :class:`DiagnosticsAPI`): what the
hypervisor reports of a server, for administrators only (anyone else
gets Nova's policy 403), whichever tenant's server it is.

The figures are made up but steady: derived from the server's flavor,
number and time up on Mimic's clock, in libvirt's shape before 2.48 and
Nova's standard one from 2.48.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.interfaces import IMimicCore
from mimic.services.compute.errors import handle_nova_errors, nova_error, server_not_found
from mimic.services.compute.flavors import get_flavor
from mimic.services.compute.model import Server, mac_for
from mimic.services.compute.policy import every_tenants_state, policy_refused
from mimic.services.compute.web import ContextFactory

#: Nova's diagnostics ``state`` for each power_state.
_STATES = {0: "pending", 1: "running", 3: "paused", 4: "shutdown", 6: "crashed", 7: "suspended"}


def diagnostics_json(server: Server, now: float, standard: bool) -> dict[str, Any]:
    """
    The server's diagnostics: Nova's standard form (2.48) or libvirt's
    older free-form one.
    """
    flavor = get_flavor(server.flavor_id)
    vcpus, ram = (flavor.vcpus, flavor.ram) if flavor is not None else (1, 512)
    uptime = int(now - server.launched_at) if server.launched_at is not None else 0
    seed = server.number
    cpu_time = uptime * 1_000_000_000 // 20 + seed * 1_000_000
    rx_packets, tx_packets = 100 + uptime * 3 + seed, 50 + uptime + seed
    read_requests, write_requests = 100 + seed, 40 + uptime // 10
    nics = max(len(server.addresses), 1)
    if not standard:
        body: dict[str, Any] = {f"cpu{n}_time": cpu_time for n in range(vcpus)}
        body.update(
            {
                "memory": ram * 1024,
                "vda_errors": -1,
                "vda_read": read_requests * 4096,
                "vda_read_req": read_requests,
                "vda_write": write_requests * 4096,
                "vda_write_req": write_requests,
            }
        )
        for n in range(nics):
            body.update(
                {
                    f"vnet{n}_rx": rx_packets * 512,
                    f"vnet{n}_rx_drop": 0,
                    f"vnet{n}_rx_errors": 0,
                    f"vnet{n}_rx_packets": rx_packets,
                    f"vnet{n}_tx": tx_packets * 256,
                    f"vnet{n}_tx_drop": 0,
                    f"vnet{n}_tx_errors": 0,
                    f"vnet{n}_tx_packets": tx_packets,
                }
            )
        return body
    mac = mac_for(server.number)
    return {
        "state": _STATES.get(server.power_state, "pending"),
        "driver": "libvirt",
        "hypervisor": "kvm",
        "hypervisor_os": "ubuntu",
        "uptime": uptime,
        "config_drive": bool(server.config_drive),
        "num_cpus": vcpus,
        "num_nics": nics,
        "num_disks": 1,
        "memory_details": {"maximum": ram, "used": ram // 2},
        "cpu_details": [{"id": n, "time": cpu_time, "utilisation": 5} for n in range(vcpus)],
        "nic_details": [
            {
                "mac_address": mac,
                "rx_octets": rx_packets * 512,
                "rx_errors": 0,
                "rx_drop": 0,
                "rx_packets": rx_packets,
                "rx_rate": None,
                "tx_octets": tx_packets * 256,
                "tx_errors": 0,
                "tx_drop": 0,
                "tx_packets": tx_packets,
                "tx_rate": None,
            }
            for _ in range(nics)
        ],
        "disk_details": [
            {
                "read_bytes": read_requests * 4096,
                "read_requests": read_requests,
                "write_bytes": write_requests * 4096,
                "write_requests": write_requests,
                "errors_count": 0,
            }
        ],
    }


class DiagnosticsAPI:
    """
    One server's diagnostics for one request; ``state`` is the tenant's
    :class:`~mimic.services.compute.model.ComputeState`.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: Any, server_id: str, core: IMimicCore) -> None:
        self.context = context
        self.state = state
        self.server_id = server_id
        self.core = core

    @app.route("/", methods=["GET"])
    def show_diagnostics(self, request: IRequest) -> bytes:
        ctx = self.context()
        if not ctx.is_admin:
            raise policy_refused("os_compute_api:os-server-diagnostics")
        # An administrator reaches any tenant's server, as in Nova.
        for state in every_tenants_state(self.core, self.state):
            server = state.get(self.server_id, ctx.now)
            if server is not None:
                break
        else:
            raise server_not_found(self.server_id)
        if server.vm_state == "building":
            raise nova_error(409, f"Instance {server.id} is not ready")
        return json_response(request, diagnostics_json(server, ctx.now, ctx.microversion >= (2, 48)))
