# -*- test-case-name: mimic.test.test_microversions -*-
"""
OpenStack's microversions, as the services that have them (Nova, Cinder,
Manila...) negotiate them: a client names one in ``OpenStack-API-Version:
<service type> X.Y`` (Nova also reads its older
``X-OpenStack-Nova-API-Version``), ``latest`` for the newest, none for
the oldest; a malformed one is a 400 and one outside the service's range
a 406, each with the message the services share.  The answer names the
version it follows in the same header.

The core keeps the rules; each service gives its range, its header's
service type and its own error shape.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from mimic.http import HTTPError, header

#: A microversion as (major, minor), compared as a tuple.
Microversion = tuple[int, int]

_VERSION = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def version_text(version: Microversion) -> str:
    """
    ``2.96`` for (2, 96).
    """
    return f"{version[0]}.{version[1]}"


def asked_version(request: Any, service_type: str, legacy_header: str | None = None) -> str | None:
    """
    The microversion asked for in ``OpenStack-API-Version:
    <service_type> X`` (which wins, as in the services), else in the
    service's own older header, else ``None``.
    """
    generic = header(request, "openstack-api-version")
    if generic:
        for part in generic.split(","):
            words = part.strip().split()
            if len(words) == 2 and words[0].lower() == service_type:
                return words[1]
    return header(request, legacy_header) if legacy_header else None


def negotiate(
    asked: str | None,
    minimum: Microversion,
    maximum: Microversion,
    error: Callable[[int, str], HTTPError],
) -> Microversion:
    """
    The microversion to serve ``asked`` at: the oldest when none was
    asked, the newest for ``latest``; ``error(400, ...)`` for a malformed
    one and ``error(406, ...)`` for one outside the range.
    """
    if asked is None:
        return minimum
    asked = asked.strip()
    if asked.lower() == "latest":
        return maximum
    match = _VERSION.match(asked)
    if match is None:
        raise error(
            400, f"API Version String {asked} is of invalid format. Must be of format MajorNum.MinorNum."
        )
    version = (int(match.group(1)), int(match.group(2)))
    if not minimum <= version <= maximum:
        raise error(
            406,
            f"Version {asked} is not supported by the API. Minimum is "
            f"{version_text(minimum)} and maximum is {version_text(maximum)}.",
        )
    return version
