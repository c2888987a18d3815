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
from typing import Any, Callable, Iterable, TypeVar

import attrs

T = TypeVar("T")


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}
_KNOWN: dict[type, frozenset[str]] = {}


def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    """
    (constructor name, attribute name) of each field of an attrs class,
    worked out once per class.
    """
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple((a.alias or a.name, a.name) for a in attrs.fields(cls))
    return found


def _known(cls: type) -> frozenset[str]:
    found = _KNOWN.get(cls)
    if found is None:
        found = _KNOWN[cls] = frozenset(alias for alias, _ in _fields(cls))
    return found


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is tuple or kind is list:
        return list(value)
    if kind is set or kind is frozenset:
        return sorted(value)
    if kind is dict or isinstance(value, dict):
        return dict(value)
    return value


def record_json(record: Any, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """
    An attrs record's fields by their constructor names (``_status`` is
    saved as ``status``), values as they are: for records whose fields
    are already JSON (text, numbers, booleans, None, lists and dicts of
    those).  Tuples and sets are written as lists.
    """
    skipped = leave_out if isinstance(leave_out, (set, frozenset, tuple)) else tuple(leave_out)
    return {
        alias: _plain(getattr(record, name))
        for alias, name in _fields(type(record))
        if alias not in skipped
    }


_CONTAINERS = (list, dict)


def record_from(cls: type[T], saved: Any, **given: Any) -> T:
    """
    The attrs record ``cls`` made from what :func:`record_json` wrote
    (lists and dicts copied, so that the saved form is not shared), with
    ``given`` overriding or adding fields.
    """
    if type(saved) is not dict:
        raise ValueError(f"a saved {cls.__name__} must be an object, not {type(saved).__name__}")
    if not _known(cls).issuperset(saved):
        unknown = set(saved) - _known(cls)
        raise ValueError(f"a saved {cls.__name__} has unknown field(s) {', '.join(sorted(unknown))}")
    values = {
        k: (v.copy() if isinstance(v, _CONTAINERS) else v)
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


def saved_object(where: str, saved: Any, state_format: int) -> dict[str, Any]:
    """
    ``saved`` if it is a JSON object written in ``state_format`` (its
    ``"format"`` member); else a ``ValueError`` saying that ``where``
    cannot be restored, and why.
    """
    if not isinstance(saved, dict):
        raise ValueError(f"{where} cannot be restored: a JSON object was expected, not {type(saved).__name__}")
    found = saved.get("format")
    if found != state_format:
        raise ValueError(
            f"{where} cannot be restored: it was saved in format {found!r}, and this Mimic reads "
            f"format {state_format}"
        )
    return saved


def explained(where: str, restore: Callable[[], T]) -> T:
    """
    What ``restore()`` builds; any lookup or type error on the way (a
    saved form that does not fit) becomes one ``ValueError`` saying that
    ``where`` cannot be restored, and why.
    """
    try:
        return restore()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ValueError(f"{where} cannot be restored: {type(error).__name__}: {error}") from error


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
