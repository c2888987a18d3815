# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Validation of server request bodies and query arguments, with the 400s
Nova's JSON schemas give.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Mapping

from mimic.services.compute.errors import invalid_input, nova_error
from mimic.services.compute.model import MAX_METADATA_ITEMS
from mimic.services.compute.versions import Microversion
from mimic.timestamps import parse_iso

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def string_map(value: Any, field: str) -> dict[str, str]:
    """
    Validate metadata as Nova's schema does: an object of strings, keys of
    1 to 255 characters, values of at most 255.
    """
    if not isinstance(value, dict):
        raise invalid_input(field, value, f"{value!r} is not of type 'object'")
    for key, item in value.items():
        if not 1 <= len(key) <= 255:
            raise invalid_input(field, value, f"'{key}' does not match any of the regexes")
        if not isinstance(item, str):
            raise invalid_input(f"{field}/{key}", item, f"{item!r} is not of type 'string'")
        if len(item) > 255:
            raise invalid_input(f"{field}/{key}", item, f"'{item}' is too long")
    return dict(value)


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


def check_metadata_quota(metadata: Mapping[str, str], limit: int = MAX_METADATA_ITEMS) -> None:
    """
    Nova's 403 when a server would carry more metadata items than the
    tenant's ``metadata_items`` quota (-1: unlimited).
    """
    if 0 <= limit < len(metadata):
        raise nova_error(403, "Quota exceeded for metadata_items: Requested "
                              f"{len(metadata)}, but already used 0 of {limit} metadata_items")


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
