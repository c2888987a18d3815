# -*- test-case-name: mimic.test.test_snapshots -*-
"""
Small helpers for writing a model as the plain JSON a snapshot keeps
(:class:`mimic.interfaces.IPersistentState`) and reading it back.

A saved form is data only: no closures, no clock, no delayed calls.  A
restore reads it without changing it (one snapshot is restored many
times) and raises ``ValueError`` naming what is wrong when it does not
fit, which the snapshot core turns into one clear error for the whole
restore.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Iterable, TypeVar

import attrs

T = TypeVar("T")


def record_json(record: Any, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """
    An attrs record's fields by their constructor names (``_status`` is
    saved as ``status``), values as they are: for records whose fields
    are already JSON (text, numbers, booleans, None, lists and dicts of
    those).  Tuples and sets are written as lists.
    """
    skipped = set(leave_out)
    saved: dict[str, Any] = {}
    for attribute in attrs.fields(type(record)):
        name = attribute.alias or attribute.name
        if name in skipped:
            continue
        value = getattr(record, attribute.name)
        if isinstance(value, (tuple, set, frozenset)):
            value = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        elif isinstance(value, dict):
            value = dict(value)
        elif isinstance(value, list):
            value = list(value)
        saved[name] = value
    return saved


def record_from(cls: type[T], saved: Any, **given: Any) -> T:
    """
    The attrs record ``cls`` made from what :func:`record_json` wrote
    (copied, so that the saved form is not shared), with ``given``
    overriding or adding fields.
    """
    if not isinstance(saved, dict):
        raise ValueError(f"a saved {cls.__name__} must be an object, not {type(saved).__name__}")
    known = {a.alias or a.name for a in attrs.fields(cls)}  # type: ignore[arg-type]
    unknown = set(saved) - known
    if unknown:
        raise ValueError(f"a saved {cls.__name__} has unknown field(s) {', '.join(sorted(unknown))}")
    values = {
        k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
        for k, v in saved.items()
    }
    values.update(given)
    try:
        return cls(**values)
    except TypeError as error:
        raise ValueError(f"a saved {cls.__name__} does not fit: {error}") from None


def bytes_json(data: bytes) -> str:
    """
    Bytes as JSON text (base64).
    """
    return base64.b64encode(data).decode("ascii")


def bytes_from(saved: Any) -> bytes:
    if not isinstance(saved, str):
        raise ValueError("saved bytes must be base64 text")
    try:
        return base64.b64decode(saved.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("saved bytes are not valid base64") from None


def field_of(saved: Any, name: str, kind: type | tuple[type, ...], where: str) -> Any:
    """
    ``saved[name]``, which must be of ``kind``: a ``ValueError`` naming
    ``where`` otherwise.
    """
    if not isinstance(saved, dict):
        raise ValueError(f"{where} must be an object")
    if name not in saved:
        raise ValueError(f"{where} has no {name!r}")
    value = saved[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise ValueError(f"{where}'s {name!r} is not of the expected kind")
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
