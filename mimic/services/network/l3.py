# -*- test-case-name: mimic.test.test_network_model -*-
"""
Floating IPs and routers, as part of a tenant's networking
(:class:`~mimic.services.network.state.TenantNetworking` mixes this in).

Floating IPs come from the region's external network (shared by every
tenant, so the addresses never collide).  A floating IP is ``DOWN``
until it is associated with a port's address, then ``ACTIVE``.  Mimic
does not require a router between the port's network and the external
network before associating, as Neutron does: Rackspace's PublicNet is
already routable, and clients that ask for an automatic IP expect it to
work there.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import TYPE_CHECKING, Any, Mapping

from mimic.services.network.addresses import address_text
from mimic.services.network.failures import FLOATING_IP_ASSOCIATE
from mimic.services.network.errors import NeutronFault, bad_request, not_found
from mimic.services.network.model import EXTERNAL_NETWORK, FloatingIP, Network, Port, Router, Subnet


class L3:
    """
    The floating-IP and router half of a tenant's networking.
    """

    if TYPE_CHECKING:
        # What TenantNetworking and the port half provide.
        tenant_id: str
        region: Any
        ports_by_id: dict[str, Port]
        floating_by_id: dict[str, FloatingIP]
        routers_by_id: dict[str, Router]
        networks_by_id: dict[str, Network]

        def check_quota(self, resource: str, used: int, more: int = 1) -> None: ...
        def require_network(self, network_id: str) -> Network: ...
        def require_port(self, port_id: str) -> Port: ...
        def require_subnet(self, subnet_id: str, visible: bool = False) -> Subnet: ...
        def subnet(self, subnet_id: str) -> Subnet | None: ...
        def network(self, network_id: str) -> Network | None: ...
        def create_port(self, *args: Any, **kwargs: Any) -> Port: ...
        def delete_port(self, port_id: str, now: float, from_api: bool = False) -> None: ...
        def bind_port(self, port_id: str, device_id: str, device_owner: str, now: float) -> Port: ...
        def decide(self, event: Any, **attributes: Any) -> Any: ...

    # -- floating IPs --------------------------------------------------

    def floating_ips(self) -> list[FloatingIP]:
        return list(self.floating_by_id.values())

    def floating_ips_of(self, port_id: str) -> list[FloatingIP]:
        return [f for f in self.floating_by_id.values() if f.port_id == port_id]

    def require_floating_ip(self, floating_ip_id: str) -> FloatingIP:
        found = self.floating_by_id.get(floating_ip_id)
        if found is None:
            raise not_found("FloatingIP", "Floating IP", floating_ip_id)
        return found

    def _external(self, network_id: str | None) -> Network:
        network = self.require_network(EXTERNAL_NETWORK if network_id is None else network_id)
        if not network.external:
            raise NeutronFault(
                400, "BadRequest",
                f"Bad floatingip request: Network {network.id} is not a valid external network.",
            )
        return network

    def _external_address(self, network: Network, wanted: str | None = None) -> tuple[Subnet, int]:
        subnets = [self.require_subnet(s) for s in network.subnet_ids]
        v4 = [s for s in subnets if s.ip_version == 4]
        if wanted is not None:
            try:
                address = ipaddress.ip_address(wanted)
            except ValueError:
                raise bad_request(
                    f"Invalid input for floating_ip_address. Reason: '{wanted}' is not a valid IP address."
                )
            for subnet in v4:
                if address in subnet.cidr:
                    if not subnet.allocator.take(int(address)):
                        raise NeutronFault(
                            409, "IpAddressAlreadyAllocated",
                            f"IP address {wanted} already allocated in subnet {subnet.id}",
                        )
                    return subnet, int(address)
            raise NeutronFault(
                400, "InvalidIpForNetwork",
                f"IP address {wanted} is not a valid IP for any of the subnets on the specified network.",
            )
        for subnet in v4:
            value = subnet.allocator.allocate()
            if value is not None:
                return subnet, value
        raise NeutronFault(
            409, "IpAddressGenerationFailure", f"No more IP addresses available on network {network.id}."
        )

    def _port_address(self, port: Port, fixed_ip_address: str | None) -> str:
        v4 = [a for s, a in port.fixed_ips if ":" not in a]
        if fixed_ip_address is None:
            if not v4:
                raise NeutronFault(
                    400, "BadRequest",
                    f"Bad floatingip request: Port {port.id} does not have any IPv4 address. "
                    "Use another port or a port with an IPv4 address.",
                )
            return v4[0]
        if fixed_ip_address not in [a for _, a in port.fixed_ips]:
            raise NeutronFault(
                400, "BadRequest",
                f"Bad floatingip request: Port {port.id} does not have fixed ip {fixed_ip_address}.",
            )
        return fixed_ip_address

    def _check_unmapped(self, port: Port, address: str, floating_ip: FloatingIP | None) -> None:
        for other in self.floating_by_id.values():
            if other is not floating_ip and other.port_id == port.id and other.fixed_ip_address == address:
                raise NeutronFault(
                    409, "FloatingIPPortAlreadyAssociated",
                    f"Cannot associate floating IP {floating_ip.floating_ip_address if floating_ip else ''} "
                    f"({floating_ip.id if floating_ip else ''}) with port {port.id} using fixed IP {address}, "
                    f"as that fixed IP already has a floating IP on external network {other.floating_network_id}.",
                )

    def create_floating_ip(
        self,
        now: float,
        network_id: str | None,
        port_id: str | None = None,
        fixed_ip_address: str | None = None,
        floating_ip_address: str | None = None,
        description: str = "",
    ) -> FloatingIP:
        network = self._external(network_id)
        port = self.require_port(port_id) if port_id is not None else None
        fixed = self._port_address(port, fixed_ip_address) if port is not None else None
        router_id = None
        if port is not None and fixed is not None:
            self._check_unmapped(port, fixed, None)
            router_id = self._router_for(port, fixed, network.id)
            self._decide_association(port, floating_ip_address)
        self.check_quota("floatingip", len(self.floating_by_id))
        subnet, value = self._external_address(network, floating_ip_address)
        floating_ip = FloatingIP(
            created_at=now, updated_at=now, revision_number=0,
            id=str(uuid.uuid4()), tenant_id=self.tenant_id, floating_network_id=network.id,
            floating_ip_address=address_text(4, value), subnet_id=subnet.id,
            port_id=port.id if port else None, fixed_ip_address=fixed,
            router_id=router_id, description=description,
        )
        self.floating_by_id[floating_ip.id] = floating_ip
        return floating_ip

    def allocate_floating_ip(self, network_id: str | None, now: float) -> FloatingIP:
        return self.create_floating_ip(now, network_id)

    def _router_for(self, port: Port, fixed_ip_address: str | None, network_id: str) -> str | None:
        """
        The router joining the port's subnet to the external network: one
        with an interface on that subnet and its gateway there.  A port on
        one of the provider's networks needs none (they are routed
        already); on one of the tenant's own, Neutron refuses (404).
        """
        if port.network_id not in self.networks_by_id:
            return None
        subnet_id = next((s for s, a in port.fixed_ips if a == fixed_ip_address), None)
        for router in self.routers_by_id.values():
            if router.gateway_network_id != network_id:
                continue
            for interface_id in router.interface_port_ids:
                interface = self.ports_by_id.get(interface_id)
                if interface is not None and any(s == subnet_id for s, _ in interface.fixed_ips):
                    return router.id
        raise NeutronFault(
            404, "ExternalGatewayForFloatingIPNotFound",
            f"External network {network_id} is not reachable from subnet {subnet_id}.  Therefore, "
            f"cannot associate Port {port.id} with a Floating IP.",
        )

    def _decide_association(self, port: Port, floating_ip_address: str | None) -> None:
        network = self.network(port.network_id)
        self.decide(
            FLOATING_IP_ASSOCIATE, network_id=port.network_id, network_name=network.name if network else "",
            device_id=port.device_id, floating_ip_address=floating_ip_address or "",
        )

    def associate_floating_ip(
        self, floating_ip_id: str, port_id: str, fixed_ip_address: str | None, now: float
    ) -> FloatingIP:
        floating_ip = self.require_floating_ip(floating_ip_id)
        port = self.require_port(port_id)
        fixed = self._port_address(port, fixed_ip_address)
        self._check_unmapped(port, fixed, floating_ip)
        router_id = self._router_for(port, fixed, floating_ip.floating_network_id)
        self._decide_association(port, floating_ip.floating_ip_address)
        floating_ip.port_id = port.id
        floating_ip.fixed_ip_address = fixed
        floating_ip.router_id = router_id
        floating_ip.touch(now)
        return floating_ip

    def disassociate_floating_ip(self, floating_ip_id: str, now: float) -> FloatingIP:
        floating_ip = self.require_floating_ip(floating_ip_id)
        floating_ip.port_id = floating_ip.fixed_ip_address = floating_ip.router_id = None
        floating_ip.touch(now)
        return floating_ip

    def disassociate_port(self, port_id: str, now: float) -> None:
        for floating_ip in self.floating_ips_of(port_id):
            self.disassociate_floating_ip(floating_ip.id, now)

    def release_floating_ip(self, floating_ip_id: str, now: float) -> None:
        floating_ip = self.require_floating_ip(floating_ip_id)
        subnet = self.subnet(floating_ip.subnet_id)
        if subnet is not None:
            subnet.allocator.give_back(int(ipaddress.ip_address(floating_ip.floating_ip_address)))
        del self.floating_by_id[floating_ip.id]

    # -- routers -------------------------------------------------------

    def require_router(self, router_id: str) -> Router:
        router = self.routers_by_id.get(router_id)
        if router is None:
            raise not_found("Router", "Router", router_id)
        return router

    def create_router(
        self, now: float, name: str = "", admin_state_up: bool = True, description: str = "",
        gateway: Mapping[str, Any] | None = None,
    ) -> Router:
        self.check_quota("router", len(self.routers_by_id))
        router = Router(
            created_at=now, updated_at=now, revision_number=1,
            id=str(uuid.uuid4()), name=name, tenant_id=self.tenant_id,
            admin_state_up=admin_state_up, description=description,
        )
        if gateway:
            self._set_gateway(router, gateway)
        self.routers_by_id[router.id] = router
        return router

    def _set_gateway(self, router: Router, gateway: Mapping[str, Any] | None) -> None:
        """
        Give the router an address on an external network (or take it
        away, for ``None`` or ``{}``).
        """
        if not gateway:
            self._clear_gateway(router)
            return
        network_id = gateway.get("network_id")
        if not isinstance(network_id, str):
            raise bad_request("Invalid input for external_gateway_info. Reason: network_id is required.")
        network = self.require_network(network_id)
        if not network.external:
            raise NeutronFault(
                400, "BadRequest",
                f"Bad router request: Network {network.id} is not an external network.",
            )
        enable_snat = gateway.get("enable_snat", True)
        if not isinstance(enable_snat, bool):
            raise bad_request(f"Invalid input for enable_snat. Reason: '{enable_snat}' is not a valid boolean value.")
        if router.gateway_network_id == network.id:
            router.enable_snat = enable_snat
            return
        wanted = [f.get("ip_address") for f in gateway.get("external_fixed_ips") or () if isinstance(f, dict)]
        subnet, value = self._external_address(network, wanted[0] if wanted else None)
        self._clear_gateway(router)
        router.gateway_network_id = network.id
        router.enable_snat = enable_snat
        router.gateway_ips = ((subnet.id, address_text(subnet.ip_version, value)),)

    def _clear_gateway(self, router: Router) -> None:
        for subnet_id, address in router.gateway_ips:
            subnet = self.subnet(subnet_id)
            if subnet is not None:
                subnet.allocator.give_back(int(ipaddress.ip_address(address)))
        router.gateway_network_id = None
        router.gateway_ips = ()

    def update_router(self, router_id: str, changes: dict[str, Any], now: float) -> Router:
        router = self.require_router(router_id)
        changes = dict(changes)
        if "external_gateway_info" in changes:
            self._set_gateway(router, changes.pop("external_gateway_info"))
        for key, value in changes.items():
            setattr(router, key, value)
        router.touch(now)
        return router

    def delete_router(self, router_id: str, now: float) -> None:
        router = self.require_router(router_id)
        if router.interface_port_ids:
            raise NeutronFault(
                409, "RouterInUse",
                f"Router {router.id} still has ports",
            )
        for floating_ip in self.floating_by_id.values():
            if floating_ip.router_id == router.id:
                raise NeutronFault(409, "RouterInUse", f"Router {router.id} still has ports")
        self._clear_gateway(router)
        del self.routers_by_id[router.id]

    def add_router_interface(
        self, router_id: str, subnet_id: str | None, port_id: str | None, now: float
    ) -> dict[str, Any]:
        router = self.require_router(router_id)
        if (subnet_id is None) == (port_id is None):
            raise bad_request("Either subnet_id or port_id must be specified")
        if subnet_id is not None:
            subnet = self.require_subnet(subnet_id)
            if subnet.gateway_ip is None:
                raise bad_request(
                    "Bad router request: Subnet for router interface must have a gateway IP."
                )
            self._check_no_interface(router, subnet)
            port = self.create_port(
                subnet.network_id, router.id, "network:router_interface", now,
                fixed_ips=[(subnet.id, address_text(subnet.ip_version, subnet.gateway_ip))],
            )
        else:
            port = self.require_port(str(port_id))
            if port.device_id:
                raise NeutronFault(
                    409, "PortInUse",
                    f"Unable to complete operation on port {port.id} for network {port.network_id}. "
                    f"Port already has an attached device {port.device_id}.",
                )
            if not port.fixed_ips:
                raise bad_request("Bad router request: Router port must have at least one fixed IP.")
            for subnet_id_, _ in port.fixed_ips:
                self._check_no_interface(router, self.require_subnet(subnet_id_))
            self.bind_port(port.id, router.id, "network:router_interface", now)
        router.interface_port_ids.append(port.id)
        router.touch(now)
        return self._interface_info(router, port)

    def _check_no_interface(self, router: Router, subnet: Subnet) -> None:
        """
        A router has one interface per subnet, and its subnets may not
        overlap.
        """
        for interface_id in router.interface_port_ids:
            interface = self.ports_by_id.get(interface_id)
            if interface is None:
                continue
            for other_id, _ in interface.fixed_ips:
                if other_id == subnet.id:
                    raise bad_request(f"Bad router request: Router already has a port on subnet {subnet.id}.")
                other = self.subnet(other_id)
                if other is not None and other.ip_version == subnet.ip_version and other.cidr.overlaps(subnet.cidr):
                    raise bad_request(
                        f"Bad router request: Cidr {subnet.cidr} of subnet {subnet.id} overlaps with "
                        f"cidr {other.cidr} of subnet {other.id}."
                    )

    def _interface_info(self, router: Router, port: Port) -> dict[str, Any]:
        subnet_ids = [s for s, _ in port.fixed_ips]
        return {
            "id": router.id,
            "tenant_id": self.tenant_id,
            "project_id": self.tenant_id,
            "port_id": port.id,
            "network_id": port.network_id,
            "subnet_id": subnet_ids[0] if subnet_ids else None,
            "subnet_ids": subnet_ids,
        }

    def remove_router_interface(
        self, router_id: str, subnet_id: str | None, port_id: str | None, now: float
    ) -> dict[str, Any]:
        router = self.require_router(router_id)
        if subnet_id is None and port_id is None:
            raise bad_request("Either subnet_id or port_id must be specified")
        found: Port | None = None
        for interface_id in router.interface_port_ids:
            interface = self.ports_by_id.get(interface_id)
            if interface is None:
                continue
            if port_id is not None and interface.id == port_id:
                found = interface
            elif port_id is None and any(s == subnet_id for s, _ in interface.fixed_ips):
                found = interface
            if found is not None:
                break
        if found is None:
            if port_id is not None:
                raise NeutronFault(
                    404, "RouterInterfaceNotFound",
                    f"Router {router.id} does not have an interface with id {port_id}",
                )
            self.require_subnet(str(subnet_id))
            raise NeutronFault(
                404, "RouterInterfaceNotFoundForSubnet",
                f"Router {router.id} has no interface on subnet {subnet_id}",
            )
        if port_id is not None and subnet_id is not None and not any(s == subnet_id for s, _ in found.fixed_ips):
            raise NeutronFault(
                409, "SubnetMismatchForPort",
                f"Subnet {subnet_id} does not match with the port {port_id}",
            )
        info = self._interface_info(router, found)
        for floating_ip in self.floating_by_id.values():
            if floating_ip.router_id == router.id:
                port = self.ports_by_id.get(floating_ip.port_id or "")
                if port is not None and port.network_id == found.network_id:
                    raise NeutronFault(
                        409, "RouterInterfaceInUseByFloatingIP",
                        f"Router interface for subnet {info['subnet_id']} on router {router.id} cannot be "
                        f"deleted, as it is required by one or more floating IPs.",
                    )
        router.interface_port_ids.remove(found.id)
        self.delete_port(found.id, now)
        router.touch(now)
        return info

    def routers(self) -> list[Router]:
        return list(self.routers_by_id.values())
