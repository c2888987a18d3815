# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
``/extensions`` (by :class:`ExtensionsAPI`): the API extensions Mimic's
compute implements, as Nova still lists them at v2.1 for clients that
look before they call (openstacksdk, novaclient's extension discovery).

The list is short and honest: what Mimic's servers, flavors and actions
actually show or take, Rackspace's ``OS-DCF`` among them; nothing it
would answer with a 404.  Nova's v2.1 entries carry fixed ``updated``
and ``namespace`` values and no links, and so do these.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.compute.errors import NOT_FOUND, handle_nova_errors, nova_error
from mimic.services.compute.web import ContextFactory

#: What Nova's v2.1 API gives every extension entry.
_UPDATED = "2014-12-03T00:00:00Z"
_NAMESPACE = "http://docs.openstack.org/compute/ext/fake_xml"

#: (alias, name, description) of each extension Mimic implements.
_EXTENSIONS: tuple[tuple[str, str, str], ...] = (
    ("OS-DCF", "DiskConfig", "Disk Management Extension."),
    ("OS-EXT-AZ", "ExtendedAvailabilityZone", "Extended Availability Zone support."),
    ("OS-EXT-IMG-SIZE", "ImageSize", "Adds image size to image listings."),
    ("OS-EXT-IPS", "ExtendedIps", "Adds type parameter to the ip list."),
    ("OS-EXT-IPS-MAC", "ExtendedIpsMac", "Adds mac address parameter to the ip list."),
    ("OS-EXT-STS", "ExtendedStatus", "Extended Status support."),
    ("OS-FLV-DISABLED", "FlavorDisabled", "Support to show the disabled status of a flavor."),
    ("OS-FLV-EXT-DATA", "FlavorExtraData", "Provide additional data for flavors."),
    ("OS-SRV-USG", "ServerUsage", "Adds launched_at and terminated_at on Servers."),
    ("os-attach-interfaces", "AttachInterfaces", "Attach interface support."),
    ("os-availability-zone", "AvailabilityZone", "Availability zones: listing, and choosing one on create."),
    ("os-console-output", "ConsoleOutput", "Console log output support, with tailing ability."),
    ("os-extended-volumes", "ExtendedVolumes", "Extended Volumes support."),
    ("os-flavor-access", "FlavorAccess", "Flavor access support (public flavors)."),
    ("os-floating-ips", "FloatingIps", "Floating IPs support (through the network service, to 2.35)."),
    ("os-keypairs", "Keypairs", "Keypair Support."),
    ("os-lock-server", "LockServer", "Enable lock/unlock server actions."),
    ("os-multiple-create", "MultipleCreate", "Allow multiple create in the Create Server v2.1 API."),
    ("os-multinic", "Multinic", "Multiple network support (addFixedIp and removeFixedIp, to 2.43)."),
    ("os-networks", "Networks", "The network service's networks (to 2.35)."),
    ("os-pause-server", "PauseServer", "Enable pause/unpause server actions."),
    ("os-quota-sets", "Quotas", "Quotas management support."),
    ("os-rescue", "Rescue", "Instance rescue mode."),
    ("os-security-groups", "SecurityGroups", "Security group support (through the network service)."),
    ("os-server-start-stop", "ServerStartStop", "Start/Stop instance compute API support."),
    ("os-suspend-server", "SuspendServer", "Enable suspend/resume server actions."),
    ("os-user-data", "UserData", "Add user_data to the Create Server API."),
)


def extension_json(alias: str, name: str, description: str) -> dict[str, Any]:
    return {
        "alias": alias,
        "description": description,
        "links": [],
        "name": name,
        "namespace": _NAMESPACE,
        "updated": _UPDATED,
    }


#: The entries by alias, in the order listed.
EXTENSIONS: dict[str, dict[str, Any]] = {
    alias: extension_json(alias, name, description) for alias, name, description in _EXTENSIONS
}


class ExtensionsAPI:
    """
    ``/extensions`` for one request.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    @app.route("/", methods=["GET"])
    def list_extensions(self, request: IRequest) -> bytes:
        self.context()
        return json_response(request, {"extensions": [dict(e) for e in EXTENSIONS.values()]})

    @app.route("/<alias>", methods=["GET"])
    def show_extension(self, request: IRequest, alias: str) -> bytes:
        self.context()
        extension = EXTENSIONS.get(alias)
        if extension is None:
            raise nova_error(404, NOT_FOUND)
        return json_response(request, {"extension": dict(extension)})
