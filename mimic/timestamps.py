# -*- test-case-name: mimic.test.test_timestamps -*-
"""
Times on the wire.  Every time Mimic reports comes from its clock's
``seconds()``; these turn those seconds into the ISO 8601 forms the real
services use.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


@lru_cache(maxsize=4096)
def iso_seconds(seconds: float) -> str:
    """
    ``2026-11-25T11:16:31Z``: Nova's ``created``/``updated``, Keystone v2.

    Cached: a listing formats each resource's times on every request, and
    under Mimic's stepped clock most resources share the same few times.
    """
    return _utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_milliseconds(seconds: float) -> str:
    """
    ``2026-11-25T11:16:31.123Z``: Rackspace Identity's token expiry.
    """
    moment = _utc(seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_microseconds(seconds: float) -> str:
    """
    ``2026-11-25T11:16:31.123456Z``: Keystone v3's ``expires_at``.
    """
    return _utc(seconds).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(raw: str) -> float | None:
    """
    The seconds an ISO 8601 time from a query argument names (``Z``, ``z``
    or an offset; no zone means UTC; a space stands for the ``+`` that URL
    query decoding turns into one), or None when it is not a time.  Each
    service answers None with its own 400.
    """
    text = raw.strip().replace(" ", "+")
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()
