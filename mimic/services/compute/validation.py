# -*- test-case-name: mimic.test.test_compute_validation,mimic.test.test_compute_servers -*-
"""
Server request bodies and query arguments to values the model takes
(:class:`~mimic.services.compute.model.ServerSpec`,
:class:`~mimic.services.compute.model.ServerFilters`, a server's
changes), with the 400s Nova's JSON schemas give.  The checks run in
Nova's order, so that a request wrong in several ways gets the error
Nova gives first.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from typing import Any, Mapping

from twisted.web.iweb import IRequest

from mimic.http import query_arg
from mimic.patterns import BadPattern, Pattern, compile_pattern
from mimic.services.compute import zones
from mimic.services.compute.block_devices import (
    RequestedDevice,
    block_device_mapping,
    check_device_count,
    check_device_sources,
)
from mimic.services.compute.errors import invalid_input, nova_error
from mimic.services.compute.images import image_id_from_ref, image_properties
from mimic.services.compute.metadata import check_metadata_quota, string_map
from mimic.services.compute.model import (
    DEFAULT_SECURITY_GROUPS,
    KNOWN_STATUSES,
    ComputeState,
    ServerFilters,
    ServerSpec,
    requested_networks,
)
from mimic.services.compute.tags import TAG_FILTERS, tag_filter, valid_tags
from mimic.services.compute.versions import Microversion
from mimic.timestamps import parse_iso

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


_INTEGER = re.compile(r"^-?[0-9]+$")


def integer(value: Any, field: str, minimum: int) -> int:
    """
    An integer parameter as Nova's schemas take one: a JSON integer (not
    a boolean, not a float) or a string of ASCII digits, at least
    ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_input(field, value, f"{value!r} is not of type 'integer', 'string'")
    if isinstance(value, str):
        if not _INTEGER.match(value) or len(value) > 20:
            raise invalid_input(field, value, f"{value!r} does not match '^-?[0-9]+$'")
        value = int(value)
    if value < minimum:
        raise invalid_input(field, value, f"{value} is less than the minimum of {minimum}")
    return value


def server_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str):
        raise invalid_input(field, value, f"{value!r} is not of type 'string'")
    if not value.strip() or len(value) > 255 or value != value.strip():
        raise invalid_input(field, value, f"'{value}' does not match '^(?! )[\\w. _-]+(?<! )$'")
    return value


def ip_address(value: Any, field: str, version: int) -> str:
    if value in (None, ""):
        return ""
    try:
        address = ipaddress.ip_address(value)
    except (ValueError, TypeError):
        raise invalid_input(field, value, f"{value!r} is not a 'ipv{version}'")
    if address.version != version:
        raise invalid_input(field, value, f"{value!r} is not a 'ipv{version}'")
    return str(address)


def disk_config(value: Any) -> str:
    if value not in ("AUTO", "MANUAL"):
        raise invalid_input("OS-DCF:diskConfig", value, f"{value!r} is not one of ['AUTO', 'MANUAL']")
    return value


def networks(value: Any, version: Microversion) -> Any:
    if value in ("auto", "none"):
        if version < (2, 37):
            raise invalid_input("networks", value, f"{value!r} is not of type 'array'")
        return value
    if not isinstance(value, list):
        raise invalid_input("networks", value, f"{value!r} is not of type 'array'")
    for network in value:
        if not isinstance(network, dict):
            raise invalid_input("networks", network, f"{network!r} is not of type 'object'")
        network_id = network.get("uuid")
        if network_id is None and network.get("port") is None:
            raise nova_error(400, "Bad network format: missing 'uuid'")
        if network_id is not None and (not isinstance(network_id, str) or not _UUID.match(network_id)):
            raise nova_error(400, f"Bad networks format: network uuid is not in proper format ({network_id})")
        fixed_ip = network.get("fixed_ip")
        if fixed_ip is not None:
            try:
                ipaddress.ip_address(fixed_ip)
            except (ValueError, TypeError):
                raise invalid_input("networks/fixed_ip", fixed_ip, f"{fixed_ip!r} is not a 'ipv4'")
    return value


def timestamp_arg(raw: str, name: str) -> float:
    """
    A server listing's ``changes-since`` or ``changes-before``, with the
    400 Nova's query schema gives for anything but a date-time.
    """
    seconds = parse_iso(raw)
    if seconds is None:
        raise nova_error(
            400, f"Invalid input for query parameters {name}. Value: {raw}. '{raw}' is not a 'date-time'"
        )
    return seconds


def _pattern(raw: str, name: str) -> Pattern:
    """
    A filter's regular expression, matched as Nova matches it (a
    case-sensitive search) but in linear time (see :mod:`mimic.patterns`);
    a pattern RE2 cannot take is Nova's 400, naming the query parameter.
    """
    try:
        return compile_pattern(raw, f"Query parameter {name!r}")
    except BadPattern as e:
        raise nova_error(400, f"Invalid filter: {e}.")


def _last_segment(ref: str) -> str:
    return ref.rstrip("/").rsplit("/", 1)[-1]


#: The query arguments that filter a server listing (anything else, such
#: as ``limit`` and ``marker``, leaves the listing whole).
_LISTING_FILTERS = tuple(
    name.encode("ascii")
    for name in (
        "changes-since", "changes-before", "status", "name", "image", "flavor", "ip", "ip6", "key_name", *TAG_FILTERS
    )
)


def listing_filters(request: IRequest, microversion: Microversion) -> ServerFilters | None:
    """
    The filters of a server listing's query, or None when it has none
    (and the model pages its own index).  ``changes-before`` counts from
    2.66, and an unknown status is a 400 from 2.38, as in Nova.
    """
    if not any(name in request.args for name in _LISTING_FILTERS):
        return None
    filters = ServerFilters()
    since = query_arg(request, "changes-since")
    before = query_arg(request, "changes-before") if microversion >= (2, 66) else None
    if since is not None:
        filters.changed_after = timestamp_arg(since, "changes-since")
    if before is not None:
        filters.changed_before = timestamp_arg(before, "changes-before")
    if (
        filters.changed_after is not None
        and filters.changed_before is not None
        and filters.changed_before < filters.changed_after
    ):
        raise nova_error(400, "The value of changes-since must be less than or equal to changes-before.")
    status = query_arg(request, "status")
    if status is not None:
        wanted = status.upper()
        if wanted not in KNOWN_STATUSES and microversion >= (2, 38):
            raise nova_error(400, "Invalid status value")
        filters.status = wanted
    name = query_arg(request, "name")
    if name is not None:
        filters.name = _pattern(name, "name")
    image = query_arg(request, "image")
    if image is not None:
        filters.image_id = _last_segment(image)
    flavor = query_arg(request, "flavor")
    if flavor is not None:
        filters.flavor_id = _last_segment(flavor)
    ipv4 = query_arg(request, "ip")
    if ipv4 is not None:
        filters.ipv4 = _pattern(ipv4, "ip")
    ipv6 = query_arg(request, "ip6")
    if ipv6 is not None:
        filters.ipv6 = _pattern(ipv6, "ip6")
    filters.key_name = query_arg(request, "key_name")
    filters.tags = tag_filter(request, microversion)
    return filters


def _server_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("server"), dict):
        raise invalid_input("server", body, "'server' is a required property")
    return body["server"]


def description(spec: Mapping[str, Any], microversion: Microversion) -> str | None:
    """
    A server's ``description``, which Nova takes from 2.19.
    """
    if "description" not in spec:
        return None
    if microversion < (2, 19):
        raise invalid_input("server", spec, "Additional properties are not allowed ('description' was unexpected)")
    value = spec["description"]
    if value is not None and (not isinstance(value, str) or len(value) > 255):
        raise invalid_input("description", value, "must be a string of at most 255 characters")
    return value


def _image_for_create(
    spec: Mapping[str, Any], state: ComputeState, devices: tuple[RequestedDevice, ...], now: float
) -> str:
    """
    The image a server boots from: ``imageRef``, or none for a request
    that boots from a volume without one (whose server shows no image).
    An image Glance holds no bootable data for (queued, saving,
    deactivated) is Nova's 400, as one it cannot find is.
    """
    ref = spec.get("imageRef")
    if ref in (None, "") and devices:
        return ""
    if ref in (None, ""):
        raise nova_error(400, "Can not find requested image")
    image_id = image_id_from_ref(ref)
    if image_id is None:
        raise nova_error(400, "Invalid imageRef provided.")
    image = state.images.get(image_id)
    if image is None:
        raise nova_error(400, "Can not find requested image")
    check_image_active(image, now)
    return image_id


def check_image_active(image: Any, now: float) -> None:
    """
    Nova's 400 for booting (or rebuilding) from an image that is not
    ``active`` in Glance: one still queued or saving, or deactivated.
    """
    if image.status(now) != "ACTIVE":
        raise nova_error(400, f"Image {image.id} is not active.")


def _check_flavor_fits_image(flavor: Any, image: Any, boots_from_volume: bool) -> None:
    """
    Nova's 400s for a flavor smaller than the image asks (its ``min_ram``,
    and its ``min_disk`` unless the root disk is a volume or the flavor's
    disk is 0, which Nova sizes from the image).
    """
    if image is None:
        return
    if image.min_ram and flavor.ram < image.min_ram:
        raise nova_error(400, "Flavor's memory is too small for requested image.")
    if not boots_from_volume and flavor.disk and flavor.disk < image.min_disk:
        raise nova_error(
            400,
            "Flavor's disk is too small for requested image. Flavor disk is "
            f"{flavor.disk * 2**30} bytes, minimum size is {image.min_disk * 2**30} bytes.",
        )


#: The most servers one create makes.  Nova's schema sets no maximum and
#: leaves it to the quota, but a tenant may have an unlimited (-1) or a
#: 2**31 quota, and a create's cost grows with the count, not with the
#: request's size: ``"max_count": 1000000000`` would stall Mimic.
MAX_SERVERS_PER_CREATE = 1000


def _counts(body: Mapping[str, Any], spec: Mapping[str, Any]) -> tuple[int, int]:
    def count(name: str, default: int) -> int:
        value = integer(spec.get(name, body.get(name, default)), name, 1)
        if value > MAX_SERVERS_PER_CREATE:
            raise invalid_input(
                name, value,
                f"{value} is greater than the maximum of {MAX_SERVERS_PER_CREATE} servers Mimic makes "
                "in one request",
            )
        return value

    min_count = count("min_count", 1)
    max_count = count("max_count", min_count)
    if max_count < min_count:
        raise nova_error(400, "min_count must be <= max_count")
    return min_count, max_count


#: The microversion from which a create may tag its servers.
CREATE_TAGS_VERSION = (2, 52)


def server_create(body: Any, microversion: Microversion, state: ComputeState, now: float) -> ServerSpec:
    """
    A create request's body (``{"server": {...}}``) as the servers it
    asks for.  The image and key named must exist in ``state`` (the
    image active at ``now``), and the metadata fit the tenant's quota
    there.
    """
    spec = _server_body(body)
    for required in ("name", "flavorRef"):
        if required not in spec:
            raise invalid_input("server", spec, f"'{required}' is a required property")
    if "tags" in spec and microversion < CREATE_TAGS_VERSION:
        # Nova's create schema has no ``tags`` before 2.52.
        raise invalid_input("server", spec, "Additional properties are not allowed ('tags' was unexpected)")
    name = server_name(spec["name"])
    flavor_ref = spec["flavorRef"]
    if isinstance(flavor_ref, bool) or not isinstance(flavor_ref, (str, int)) or flavor_ref == "":
        raise invalid_input("flavorRef", flavor_ref, f"{flavor_ref!r} is not of type 'string', 'integer'")
    flavor = state.flavors.from_ref(flavor_ref)
    if flavor is None:
        raise nova_error(400, "Invalid flavorRef provided.")
    devices = block_device_mapping(spec, microversion)
    image_id = _image_for_create(spec, state, devices, now)
    properties: tuple[tuple[str, str], ...] = ()
    if image_id:
        image = state.images.get(image_id)
        _check_flavor_fits_image(flavor, image, boots_from_volume=bool(devices))
        if image is not None:
            properties = image_properties(image, flavor.disk)
    check_device_sources(devices, state.images)
    metadata = string_map(spec.get("metadata", {}), "metadata")
    check_metadata_quota(metadata, state.quotas.metadata_items)
    key_name = spec.get("key_name")
    if key_name is not None:
        if not isinstance(key_name, str) or state.keypairs.get(key_name) is None:
            raise nova_error(400, "Invalid key_name provided.")
    networks_asked = networks(spec["networks"], microversion) if "networks" in spec else None
    disk_setting = disk_config(spec.get("OS-DCF:diskConfig", "AUTO"))
    access_ipv4 = ip_address(spec.get("accessIPv4"), "accessIPv4", 4)
    access_ipv6 = ip_address(spec.get("accessIPv6"), "accessIPv6", 6)
    about = description(spec, microversion)
    admin_pass = spec.get("adminPass")
    if admin_pass is not None and not isinstance(admin_pass, str):
        raise invalid_input("adminPass", admin_pass, f"{admin_pass!r} is not of type 'string'")
    user_data = spec.get("user_data")
    if user_data is not None:
        _check_user_data(user_data)
    # Nova's tag schema: 1 to 60 characters, no comma or slash, at most 50.
    tags = valid_tags(spec.get("tags", []))
    security_groups = spec.get("security_groups", [{"name": "default"}])
    if not isinstance(security_groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("name"), str) for g in security_groups
    ):
        raise invalid_input("security_groups", security_groups, "each must be an object with a 'name'")
    group_names = tuple(g["name"] for g in security_groups)
    if group_names == DEFAULT_SECURITY_GROUPS:
        # One shared tuple for the servers in the default group.
        group_names = DEFAULT_SECURITY_GROUPS
    zone = spec.get("availability_zone") or zones.DEFAULT_ZONE
    if not isinstance(zone, str):
        raise invalid_input("availability_zone", zone, f"{zone!r} is not of type 'string'")
    if not zones.is_known_zone(zone.split(":", 1)[0]):
        raise nova_error(400, "The requested availability zone is not available")
    min_count, max_count = _counts(body, spec)
    check_device_count(devices, max_count)
    return ServerSpec(
        name=name,
        flavor=flavor,
        image_id=image_id,
        metadata=metadata,
        key_name=key_name,
        networks=requested_networks(networks_asked),
        disk_config=disk_setting,
        access_ipv4=access_ipv4,
        access_ipv6=access_ipv6,
        description=about,
        admin_pass=admin_pass,
        user_data=user_data,
        tags=tags,
        security_groups=group_names,
        availability_zone=zone.split(":", 1)[0],
        config_drive="True" if spec.get("config_drive") in (True, "true", "True") else "",
        min_count=min_count,
        max_count=max_count,
        return_reservation_id=bool(body.get("return_reservation_id") or spec.get("return_reservation_id")),
        block_devices=devices,
        image_properties=properties,
        scheduler_hints=scheduler_hints(body),
    )


#: Hints whose values must name servers (a UUID, or a list of them).
_SERVER_HINTS = ("same_host", "different_host")


def _hint_values(value: Any) -> tuple[str, ...]:
    """
    One hint's values as Nova keeps them: a list, each value as text
    (an object, such as a ``query``, as its JSON).
    """
    values = value if isinstance(value, list) else [value]
    return tuple(
        v if isinstance(v, str) else json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else str(v)
        for v in values
    )


def scheduler_hints(body: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """
    A create's ``os:scheduler_hints`` (or ``OS-SCH-HNT:scheduler_hints``),
    which Nova shows from 2.100 as the server's ``scheduler_hints``:
    every hint kept (Nova's schema allows any), its values as a list.
    The hints that name servers must name them by UUID, as Nova's
    schema says; the ``group`` hint is checked where the server joins
    its group.
    """
    hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints"))
    if hints is None:
        return ()
    if not isinstance(hints, dict):
        raise invalid_input("os:scheduler_hints", hints, f"{hints!r} is not of type 'object'")
    for name in _SERVER_HINTS:
        if name not in hints:
            continue
        value = hints[name]
        servers = value if isinstance(value, list) else [value]
        for server_id in servers:
            if not isinstance(server_id, str) or not _UUID.match(server_id):
                raise invalid_input(name, value, f"{server_id!r} is not a 'uuid'")
    return tuple((str(name), _hint_values(value)) for name, value in hints.items())


def server_update(body: Any, microversion: Microversion) -> dict[str, Any]:
    """
    An update's body (``{"server": {...}}``) as the server attributes it
    changes.
    """
    spec = _server_body(body)
    allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
    if microversion >= (2, 19):
        allowed.add("description")
    if microversion >= (2, 90):
        allowed.add("hostname")
    unexpected = sorted(set(spec) - allowed)
    if unexpected:
        raise invalid_input(
            "server", spec,
            f"Additional properties are not allowed ({', '.join(repr(u) for u in unexpected)} was unexpected)",
        )
    changes: dict[str, Any] = {}
    if "name" in spec:
        changes["name"] = server_name(spec["name"])
    if "accessIPv4" in spec:
        changes["access_ipv4"] = ip_address(spec["accessIPv4"], "accessIPv4", 4)
    if "accessIPv6" in spec:
        changes["access_ipv6"] = ip_address(spec["accessIPv6"], "accessIPv6", 6)
    if "OS-DCF:diskConfig" in spec:
        changes["disk_config"] = disk_config(spec["OS-DCF:diskConfig"])
    if "description" in spec:
        changes["description"] = description(spec, microversion)
    return changes


def _check_user_data(user_data: Any) -> None:
    try:
        base64.b64decode(user_data, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise nova_error(400, "User data needs to be valid base 64.")


def rebuild_user_data(value: Any) -> str | None:
    """
    A rebuild's ``user_data`` (2.57): base64 of at most 65535 bytes, or
    null to remove it, as Nova's schema says.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_input("user_data", value, f"{value!r} is not of type 'string', 'null'")
    if len(value) > 65535:
        raise invalid_input("user_data", value, "is too long")
    _check_user_data(value)
    return value
