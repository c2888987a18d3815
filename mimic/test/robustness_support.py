# -*- test-case-name: mimic.test.test_robustness -*-
"""
A value snapshot of everything an in-memory Mimic holds, so that the
robustness probes can check that a refused request changed nothing
without asking for it back over HTTP.

The walk is generic on purpose: it knows attrs classes, plain objects,
containers, enums, clocks, delayed calls and iterators, never a
service's model by name, so the models can change shape without the
probes noticing anything but real changes.
"""

from __future__ import annotations

import enum
import functools
import operator
import types
import warnings
from itertools import chain
from typing import Any, Callable, Iterable, Iterator

import attrs
from twisted.internet.base import DelayedCall
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from mimic.core import MimicCore

try:
    # How attrs makes a class's instances refuse to change.  Private: if
    # it goes, frozen objects are walked as mutable ones, as correctly.
    from attr._make import _frozen_setattrs
except ImportError:  # pragma: no cover
    _frozen_setattrs = object()

#: Kinds of values without parts that can change: the same object twice
#: is the same snapshot twice.
_ATOMIC = frozenset({
    "plain", "number", "bool", "float", "enum", "type", "callable", "marker", "iterator",
})

#: Kinds of compound values that cannot change once made.
_IMMUTABLE = frozenset({"frozen", "tuple", "frozenset"})

_FUNCTION_TYPES = (
    types.FunctionType, types.BuiltinFunctionType, types.MethodType,
    types.MethodWrapperType, types.WrapperDescriptorType, types.MethodDescriptorType,
    functools.partial,
)


class StateSnapshots:
    """
    Takes value snapshots of one Mimic's state (see :meth:`take`).

    A snapshot is nested tuples of plain values, each compound part
    tagged with what it was (``"object"``, ``"dict"``, ``"sequence"``,
    ``"set"``) and its class, so snapshots compare with ``==``.  An
    object met twice in one walk (shared, or in a cycle) is written the
    second time as a reference to the order of its first visit.

    Most of what a Mimic holds does not change from one snapshot to the
    next, so the walk keeps, for each object it met, what it found: an
    object immutable all the way down (the declared failure events,
    frozen model objects) is not walked again, and a mutable one whose
    parts are the very same objects as last time, and whose mutable
    parts came out the same, gives last time's snapshot again.  The
    result is exactly what a walk from scratch would give; the kept
    objects are held, so no id is reused while it is kept.
    """

    def __init__(self) -> None:
        self._kinds: dict[type, str] = {}
        self._getters: dict[type, Callable[[Any], tuple[Any, ...]]] = {}
        self._names: dict[type, tuple[str, ...]] = {}
        #: id -> (object, snapshot), for objects immutable all the way down.
        self._immutable: dict[int, tuple[Any, Any]] = {}
        #: id -> (object, parts, indexes of the parts walked again,
        #: their snapshots, snapshot), for mutable objects.
        self._mutable: dict[int, tuple[Any, tuple[Any, ...], tuple[int, ...], tuple[Any, ...], Any]] = {}
        self._references: dict[int, Any] = {}
        #: How many mutable objects the current walk has met so far.
        self._changeable = 0
        #: The ids of the objects the current walk leaves out.
        self._outside: set[int] = set()

    def take(self, core: MimicCore | Any, outside: Iterable[Any] = ()) -> Any:
        """
        Everything ``core`` holds that a request could change, as a
        value: every service's state for every (service, tenant,
        region), the sessions, the failure registrations, the plugins,
        the time on the clock and the calls it has scheduled.  Two such
        values are equal exactly when none of it has changed.  (Any
        object with a ``clock`` will do, for testing the snapshots.)
        Objects in ``outside`` are not walked: what refers to them
        shows only that it does.
        """
        clock = core.clock
        pending: tuple[Any, ...] = ()
        if hasattr(clock, "getDelayedCalls"):
            pending = tuple(sorted(
                (call.getTime(), call.active()) for call in clock.getDelayedCalls()
            ))
        self._outside = {id(value) for value in outside}
        walked = self._walk(core, {})
        return ("object", "mimic", (
            ("clock", ("clock", ("float", float(clock.seconds()).hex()), pending)),
            ("core", walked),
        ))

    # -- what each value is ----------------------------------------------------

    def _kind(self, kind: type) -> str:
        """
        How values of one class are walked, decided once per class.
        """
        found = self._kinds.get(kind)
        if found is not None:
            return found
        if issubclass(kind, enum.Enum):
            found = "enum"
        elif issubclass(kind, (str, bytes)) or kind is type(None):
            found = "plain"
        elif issubclass(kind, bool):
            found = "bool"
        elif issubclass(kind, float):
            found = "float"
        elif issubclass(kind, (int, complex)):
            found = "number"
        elif issubclass(kind, type):
            found = "type"
        elif issubclass(kind, DelayedCall) or IDelayedCall.implementedBy(kind):
            found = "delayed call"
        elif IReactorTime.implementedBy(kind):
            found = "clock"
        elif getattr(kind, "describes_the_run", False):
            # The request journal and fault coverage: what happened to
            # Mimic, not what it holds; every request adds to them.
            found = "marker"
        elif attrs.has(kind):
            names = tuple(f.name for f in attrs.fields(kind))
            self._names[kind] = names
            if not names:
                self._getters[kind] = lambda value: ()
            elif len(names) == 1:
                one = operator.attrgetter(names[0])
                self._getters[kind] = lambda value: (one(value),)
            else:
                self._getters[kind] = operator.attrgetter(*names)
            found = "frozen" if getattr(kind, "__setattr__", None) is _frozen_setattrs else "attrs"
        elif issubclass(kind, dict):
            found = "dict"
        elif issubclass(kind, tuple):
            found = "tuple"
        elif issubclass(kind, list):
            found = "list"
        elif issubclass(kind, frozenset):
            found = "frozenset"
        elif issubclass(kind, set):
            found = "set"
        elif hasattr(kind, "__next__"):
            found = "iterator"
        elif issubclass(kind, _FUNCTION_TYPES) or any(
            "__call__" in vars(klass) for klass in kind.__mro__[:-1]
        ):
            found = "callable"
        elif kind is object:
            # A bare marker (``NO_DEFAULT = object()``): nothing inside.
            found = "marker"
        elif any("__dict__" in vars(klass) or getattr(klass, "__slots__", ())
                 for klass in kind.__mro__):
            found = "object"
        else:
            found = "opaque"
        self._kinds[kind] = found
        return found

    def _parts(self, how: str, value: Any) -> tuple[Any, ...]:
        """
        The parts of a compound value, in order: attribute values, keys
        and values, items.
        """
        if how in ("attrs", "frozen"):
            return self._getters[type(value)](value)
        if how == "dict":
            return tuple(chain.from_iterable(value.items()))
        if how == "object":
            return tuple(chain.from_iterable(_instance_fields(value)))
        return tuple(value)

    # -- the walk --------------------------------------------------------------

    def _walk(self, value: Any, seen: dict[int, tuple[int, Any]]) -> Any:
        kind = type(value)
        how = self._kinds.get(kind) or self._kind(kind)
        if how == "plain":
            return value
        if how == "number":
            return value if kind is int else (kind.__name__, value)
        if how == "bool":
            return ("bool", value)
        if how == "float":
            # By bits: NaN equals itself, 0.0 and -0.0 differ.
            return ("float", value.hex())
        if how == "enum":
            return ("enum", kind.__qualname__, value.name)
        if how == "type":
            return ("type", f"{value.__module__}.{value.__qualname__}")
        if how == "callable":
            # Functions, methods, compiled tests: behaviour, not state.
            return ("callable",)
        if how == "marker":
            return ("marker",)
        if how == "iterator":
            # An id counter (``count()``, ``iter(range(...))``, a
            # generator): where it has got to is left out.  A refused
            # request that draws an id leaves a gap in the ids, not
            # state a client can read, and the failure engine does draw
            # one for a registration it then refuses.
            return ("iterator", kind.__qualname__)
        if how in _IMMUTABLE:
            kept = self._immutable.get(id(value))
            if kept is not None and kept[0] is value:
                return kept[1]
            before = self._changeable
            walked = self._walk_compound(how, kind, value, seen)
            if self._changeable == before:
                self._immutable[id(value)] = (value, walked)
                self._mutable.pop(id(value), None)
            return walked
        # Anything else may change.
        self._changeable += 1
        if id(value) in self._outside:
            return ("outside",)
        known = seen.get(id(value))
        if known is not None:
            order = known[0]
            reference = self._references.get(order)
            if reference is None:
                reference = self._references[order] = ("same as", order)
            return reference
        seen[id(value)] = (len(seen), value)
        name = f"{kind.__module__}.{kind.__qualname__}"
        if how == "delayed call":
            return self._same_if_equal(value, ("delayed call", value.getTime(), value.active()))
        if how == "clock":
            # Its time and calls are in the snapshot's first part.
            return self._same_if_equal(value, ("clock", name))
        if how == "opaque":
            return self._same_if_equal(value, ("opaque", name, _opaque_state(value)))
        return self._walk_compound(how, kind, value, seen)

    def _same_if_equal(self, value: Any, walked: Any) -> Any:
        """
        Last snapshot's ``walked`` for ``value`` if it has not changed,
        so that what holds it can be seen not to have changed either.
        """
        kept = self._mutable.get(id(value))
        if kept is not None and kept[0] is value and kept[4] == walked:
            return kept[4]
        self._mutable[id(value)] = (value, (), (), (), walked)
        return walked

    def _walk_compound(self, how: str, kind: type, value: Any, seen: dict[int, tuple[int, Any]]) -> Any:
        """
        A value with parts: walked again only where it may have changed
        since the last snapshot.
        """
        parts = self._parts(how, value)
        kept = self._mutable.get(id(value))
        if (kept is not None and kept[0] is value and len(kept[1]) == len(parts)
                and all(map(operator.is_, parts, kept[1]))):
            # The same parts as last time: only the mutable ones can
            # have changed, so only they are walked again.
            again = tuple(self._walk(parts[i], seen) for i in kept[2])
            if all(map(operator.is_, again, kept[3])):
                return kept[4]
            walked_again = set(kept[2])
            walks = [None if i in walked_again else self._walk(p, seen) for i, p in enumerate(parts)]
            for i, walked_part in zip(kept[2], again):
                walks[i] = walked_part
        else:
            walks = [self._walk(p, seen) for p in parts]
        walked = self._assemble(how, kind, value, walks)
        deep = tuple(i for i, p in enumerate(parts) if self._may_change(p))
        self._mutable[id(value)] = (value, parts, deep, tuple(walks[i] for i in deep), walked)
        return walked

    def _may_change(self, part: Any) -> bool:
        """
        Whether the same object can give another snapshot later.
        """
        how = self._kinds[type(part)]
        if how in _IMMUTABLE:
            kept = self._immutable.get(id(part))
            return kept is None or kept[0] is not part
        # Everything else is walked again, if only to be numbered for
        # the references to it that follow.
        return how not in _ATOMIC

    def _assemble(self, how: str, kind: type, value: Any, walks: list[Any]) -> Any:
        name = f"{kind.__module__}.{kind.__qualname__}"
        if how in ("attrs", "frozen"):
            return ("object", name, tuple(zip(self._names[kind], walks)))
        if how == "object":
            return ("object", name, tuple(zip(walks[0::2], walks[1::2])))
        if how == "dict":
            return ("dict", name, tuple(zip(walks[0::2], walks[1::2])))
        if how in ("tuple", "list"):
            return ("sequence", name, tuple(walks))
        return ("set", name, frozenset(walks))


def _opaque_state(value: Any) -> Any:
    """
    What an object that is neither a container nor has attributes
    holds (a compiled pattern's text and flags, say), as far as it
    tells: its pickling state, or its ``repr``.  It is made anew each time, so
    it is walked by a walker of its own, which keeps nothing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reduced = value.__reduce_ex__(4)
        except Exception:
            reduced = None
    if isinstance(reduced, tuple):
        return StateSnapshots()._walk(tuple(p for p in reduced[1:] if not callable(p)), {})
    return repr(value)


def _instance_fields(value: Any) -> Iterator[tuple[str, Any]]:
    """
    The attributes of an object of a plain (not attrs) class: its
    ``__dict__`` and its slots, leaving out dunder names (zope.interface
    keeps what an instance provides there).
    """
    for key, item in getattr(value, "__dict__", {}).items():
        if not key.startswith("__"):
            yield key, item
    for klass in type(value).__mro__:
        for slot in getattr(klass, "__slots__", ()):
            if not slot.startswith("__") and hasattr(value, slot):
                yield slot, getattr(value, slot)


# -- telling where two snapshots differ ----------------------------------------


def differences(before: Any, after: Any) -> list[str]:
    """
    Where two snapshots from :meth:`StateSnapshots.take` differ, as paths
    through the state (``/core/_region_states/('compute', '1234',
    'ORD')/...``), each as deep as the two still have the same shape.

    A change shifts the numbering of the shared objects met after it, so
    places where only such a reference differs are left out when there
    is anything else to show.
    """
    found = list(_differences(before, after, ""))
    real = [where for where, shifted in found if not shifted]
    return real or [where for where, _ in found]


def _differences(before: Any, after: Any, where: str) -> Iterator[tuple[str, bool]]:
    if before == after:
        return
    mine, theirs = _named_parts(before), _named_parts(after)
    if mine is None or theirs is None or before[:2] != after[:2] or list(mine) != list(theirs):
        yield where or "/", _is_reference(before) and _is_reference(after)
        return
    for key in mine:
        yield from _differences(mine[key], theirs[key], f"{where}/{key}")


def _is_reference(value: Any) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and value[0] == "same as"


def _named_parts(value: Any) -> dict[str, Any] | None:
    """
    The parts of a snapshot by name (attribute, key or index), or None
    for one without parts.
    """
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    if value[0] == "object":
        return {_label(k): v for k, v in value[2]}
    if value[0] == "dict":
        return {_label(k): v for k, v in value[2]}
    if value[0] == "sequence":
        return {str(i): v for i, v in enumerate(value[2])}
    return None


def _label(key: Any) -> str:
    """
    A short readable form of a snapshot of a dict key.
    """
    if isinstance(key, str):
        return key
    if isinstance(key, tuple) and key and key[0] == "sequence":
        return repr(tuple(_label(part) for part in key[2]))
    if isinstance(key, tuple) and len(key) == 2 and key[0] in ("bool", "float"):
        return repr(key[1])
    return repr(key)
