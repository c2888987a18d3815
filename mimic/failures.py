# -*- test-case-name: mimic.test.test_failures -*-
"""
The failure-condition engine: Mimic's repository of known error conditions.

A service declares, in its own ``failures.py``, the *events* at which it can
misbehave (compute server creation, a load balancer delete, an identity
authentication) and for each event the named *conditions* it knows (``fail``,
``building``, ``error``...), with their parameters and a description of what
the real service does when that happens.

Those declarations have three faces, all served from this module:

* **metadata triggers**: a condition may name a metadata key (the old
  mimic's ``server_building``, ``create_server_failure``...); a request whose
  metadata carries that key fires the condition;
* **registrations** made through the control API
  (``/mimic/v1.1/...behaviors/<event>``), matched on criteria in order,
  optionally as a sequence of steps or limited to a number of uses;
* **the catalogue** (``GET /mimic/v1.1/failures`` and the docs page), which
  lists every declaration.

A declaration also says what each condition *does*: its ``effect`` turns
the condition's parameters into an outcome of the service's own making (a
value the model applies, or the service's error, raised), and the event's
``normal`` outcome is what happens when no condition applies.  Services ask
one question, :meth:`FailureEngine.decide`, at the moment the event
happens, and apply the outcome it returns; no route tests a condition's
name.  Both faces (metadata and registrations) answer through that one
call, so there is no second code path.
"""

from __future__ import annotations

import json
import math
from collections import abc
from itertools import count
from typing import Any, Callable, Iterator, Mapping, Sequence

from attrs import define, field, frozen
from twisted.logger import Logger

from mimic.patterns import BadPattern, Pattern, compile_pattern

log = Logger()

#: The condition every event has implicitly: behave as the real service
#: does when nothing goes wrong.  Useful as a step in a sequence ("fail
#: twice, then succeed").
DEFAULT = "default"

#: The name under which a registration gives a list of steps instead of one
#: condition (the old mimic's ``sequence`` behaviour).
SEQUENCE = "sequence"


class BadRegistration(ValueError):
    """
    A registration or a metadata trigger names an unknown event or
    condition, or carries parameters or criteria that cannot be used.  The
    message names the problem; the control API answers 400 with it.
    """


_NO_DEFAULT = object()

_TYPE_NAMES: dict[type, str] = {
    int: "integer",
    float: "number",
    str: "string",
    bool: "boolean",
    dict: "object",
    list: "array",
}


#: The statuses a failure may answer with: HTTP's client and server
#: errors.  Anything else is no failure, and past 999 no HTTP client can
#: even read the status line.
ERROR_STATUSES = (400, 599)

#: The most of anything a registration counts (``times``, a count
#: parameter): far past what a test uses, and small enough that counting
#: it down is cheap.
MAX_COUNT = 10**6

#: The longest a condition may last, in seconds of Mimic's clock: a year.
MAX_SECONDS = 366 * 24 * 3600

#: The most registrations live at once.  Each occurrence of an event tries
#: its event's registrations in turn, so this bounds what one request can
#: cost; a suite that registers per test and resets between tests uses a
#: handful.
MAX_REGISTRATIONS = 10_000

#: The range of a number parameter whose declaration gives none: no
#: value a test means is larger, and none can overflow what is made of it
#: (a time, a status line, a loop).
DEFAULT_BOUND = 10**9

#: Parameter names the old mimic used, and the names they have now: its
#: conditions took a time as ``duration`` (``{"name": "build",
#: "parameters": {"duration": 30}}``), and suites written for it still
#: send that.  Taken where a condition has the new name and not the old.
OLD_PARAMETER_NAMES = {"duration": "seconds"}


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@frozen
class Parameter:
    """
    One parameter of a condition, e.g. the seconds a server stays in BUILD.

    A number parameter is checked against its range, ``minimum`` to
    ``maximum`` (each ``DEFAULT_BOUND`` in size when not declared), so
    that no registration can ask for an impossible value.  The class
    methods :meth:`status`, :meth:`count` and :meth:`seconds` declare the
    three kinds every service has, with their ranges.
    """

    name: str
    description: str
    type: type = int
    default: Any = _NO_DEFAULT
    minimum: float | None = None
    maximum: float | None = None

    def __attrs_post_init__(self) -> None:
        # A declaration that contradicts itself is the plugin author's
        # mistake: refused when the plugin is loaded, not when used.
        low, high = self.bounds
        if low > high:
            raise ValueError(f"parameter {self.name!r}: minimum {low} is above maximum {high}")
        if self.type in (int, float) and not self.required and self.default is not None:
            if not low <= self.default <= high:
                raise ValueError(
                    f"parameter {self.name!r}: default {self.default!r} is outside "
                    f"{_number(low)} to {_number(high)}"
                )

    @classmethod
    def status(
        cls,
        description: str = "HTTP status of the error response.",
        default: int = 500,
        name: str = "code",
    ) -> Parameter:
        """
        The status a failure answers with, one of HTTP's errors
        (:data:`ERROR_STATUSES`).
        """
        low, high = ERROR_STATUSES
        return cls(name, description, int, default, minimum=low, maximum=high)

    @classmethod
    def count(
        cls, name: str, description: str, default: Any = _NO_DEFAULT, minimum: int = 1
    ) -> Parameter:
        """
        How many times something happens: ``minimum`` (1 unless given) to
        :data:`MAX_COUNT`.
        """
        return cls(name, description, int, default, minimum=minimum, maximum=MAX_COUNT)

    @classmethod
    def seconds(
        cls, description: str, default: Any = _NO_DEFAULT, name: str = "seconds"
    ) -> Parameter:
        """
        How long something lasts on Mimic's clock: 0 to
        :data:`MAX_SECONDS`.
        """
        return cls(name, description, float, default, minimum=0, maximum=MAX_SECONDS)

    @property
    def required(self) -> bool:
        return self.default is _NO_DEFAULT

    @property
    def bounds(self) -> tuple[float, float]:
        """
        The range a number must lie in: the declared one, or
        ``DEFAULT_BOUND`` either side of zero where none is declared.
        """
        low = -DEFAULT_BOUND if self.minimum is None else self.minimum
        high = DEFAULT_BOUND if self.maximum is None else self.maximum
        return low, high

    def coerce(self, value: Any) -> Any:
        """
        Check one supplied value; numbers given as strings (as metadata
        values always are) are accepted.
        """
        if self.type in (int, float) and isinstance(value, str):
            try:
                value = self.type(value.strip())
            except ValueError:
                # Too many digits is a ValueError too; the message would
                # not fit in the answer.
                raise BadRegistration(
                    f"parameter {self.name!r} must be {_TYPE_NAMES[self.type]}, "
                    f"got {value[:40]!r}{'...' if len(value) > 40 else ''}"
                )
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.type) or (
            self.type is not bool and isinstance(value, bool)
        ):
            raise BadRegistration(
                f"parameter {self.name!r} must be {_TYPE_NAMES.get(self.type, self.type.__name__)}, "
                f"got {value!r}"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise BadRegistration(f"parameter {self.name!r} must be a finite number, got {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            low, high = self.bounds
            if not low <= value <= high:
                raise BadRegistration(
                    f"parameter {self.name!r} must be from {_number(low)} to {_number(high)}, "
                    f"got {_number(value)}"
                )
        return value

    def to_json(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "type": _TYPE_NAMES.get(self.type, self.type.__name__),
            "required": self.required,
        }
        if not self.required:
            described["default"] = self.default
        if self.type in (int, float):
            described["minimum"], described["maximum"] = self.bounds
        return described


def _value_as_seconds(value: str) -> dict[str, Any]:
    return {"seconds": value}


@frozen
class MetadataTrigger:
    """
    How a condition is fired from request metadata: the key to look for,
    and how that key's (string) value becomes the condition's parameters.
    """

    key: str
    description: str
    parse: Callable[[str], Mapping[str, Any]] = _value_as_seconds


def json_object_value(value: str) -> Mapping[str, Any]:
    """
    Parse a metadata value holding a JSON object, such as the old mimic's
    ``create_server_failure: {"message": "...", "code": 500}``.
    """
    try:
        parsed = json.loads(value)
    except ValueError:
        raise BadRegistration(f"metadata value {value!r} is not valid JSON")
    if not isinstance(parsed, dict):
        raise BadRegistration(f"metadata value {value!r} is not a JSON object")
    return parsed


def no_parameters(value: str) -> Mapping[str, Any]:
    """
    For a metadata key whose mere presence fires the condition.
    """
    return {}


#: What a condition does, given its bound parameters: an outcome the
#: service applies, or the service's error, raised.
Effect = Callable[[Mapping[str, Any]], Any]


@frozen
class Condition:
    """
    One known error condition of one event: its name, what the real
    service does when it happens (``description``, for people), its
    parameters, how request metadata fires it, and its ``effect`` (the
    same thing, for the service: see :meth:`FailureEngine.decide`).
    """

    name: str
    description: str
    parameters: tuple[Parameter, ...] = ()
    metadata: MetadataTrigger | None = None
    effect: Effect | None = field(default=None, eq=False, repr=False)

    def bind(self, supplied: Mapping[str, Any] | None) -> dict[str, Any]:
        """
        Check supplied parameters against the declaration and fill in
        defaults.
        """
        if supplied is None:
            supplied = {}
        if not isinstance(supplied, abc.Mapping):
            raise BadRegistration(
                f"parameters of condition {self.name!r} must be a JSON object, got {supplied!r}"
            )
        supplied = dict(supplied)
        known = {p.name for p in self.parameters}
        for old, new in OLD_PARAMETER_NAMES.items():
            if old in supplied and old not in known and new in known and new not in supplied:
                supplied[new] = supplied.pop(old)
        unknown = sorted(set(supplied) - known)
        if unknown:
            raise BadRegistration(
                f"condition {self.name!r} has no parameter(s) {', '.join(map(repr, unknown))}; "
                f"it takes: {', '.join(sorted(known)) or 'none'}"
            )
        bound: dict[str, Any] = {}
        for parameter in self.parameters:
            if parameter.name in supplied:
                bound[parameter.name] = parameter.coerce(supplied[parameter.name])
            elif parameter.required:
                raise BadRegistration(
                    f"condition {self.name!r} needs parameter {parameter.name!r}"
                )
            else:
                bound[parameter.name] = parameter.default
        return bound

    def to_json(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "parameters": [p.to_json() for p in self.parameters],
        }
        if self.metadata is not None:
            described["metadata_trigger"] = {
                "key": self.metadata.key,
                "value": self.metadata.description,
            }
        return described


_DEFAULT_CONDITION = Condition(
    DEFAULT, "Behave as the real service does when nothing goes wrong."
)


@frozen
class Event:
    """
    A moment at which a service can misbehave, and the conditions it knows
    for that moment.

    ``criteria`` names the attributes a registration may match on (each
    matched as a regular expression), e.g. ``("server_name", "metadata",
    "tenant_id")``.  The service passes their values to
    :meth:`FailureEngine.consult`.  ``aliases`` are other names the event is
    known by in the old mimic's control API (``creation`` for server
    creation, say).  ``normal`` is the outcome :meth:`FailureEngine.decide`
    gives when no condition applies (or a sequence's ``default`` step
    does).
    """

    service: str
    name: str
    description: str
    conditions: tuple[Condition, ...]
    criteria: tuple[str, ...] = ("tenant_id",)
    aliases: tuple[str, ...] = ()
    normal: Any = field(default=None, eq=False, repr=False)

    @property
    def id(self) -> str:
        return f"{self.service}.{self.name}"

    def condition(self, name: str) -> Condition:
        if name == DEFAULT:
            return _DEFAULT_CONDITION
        for condition in self.conditions:
            if condition.name == name:
                return condition
        raise BadRegistration(
            f"event {self.id!r} has no condition {name!r}; known: "
            + ", ".join([c.name for c in self.conditions] + [DEFAULT, SEQUENCE])
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service": self.service,
            "event": self.name,
            "aliases": list(self.aliases),
            "description": self.description,
            "criteria": list(self.criteria),
            "conditions": [c.to_json() for c in self.conditions],
        }


@frozen
class Firing:
    """
    The engine's answer when a condition applies: which one, with which
    parameters, and where it came from (``"metadata"`` or a registration
    id) so that responses and logs can say why.
    """

    event: Event
    condition: Condition
    parameters: Mapping[str, Any]
    source: str

    @property
    def name(self) -> str:
        return self.condition.name

    def __getitem__(self, parameter: str) -> Any:
        return self.parameters[parameter]


@frozen
class Criterion:
    """
    One test a registration makes of an event's attributes.

    Regular expressions match at the start of the value (as Python's
    ``re.match`` does), as the old mimic's criteria did: ``"test"`` matches
    the server name ``"test-1"``; anchor with ``$`` to match a whole value.
    They are RE2's (:mod:`mimic.patterns`), so matching them costs time
    linear in the value, and backreferences and lookaround are refused.
    ``raw`` is the criterion as the registration gave it, echoed back when
    registrations are listed.
    """

    attribute: str
    raw: Any
    test: Callable[[Any], bool]

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        value = attributes.get(self.attribute)
        if value is None:
            return False
        return self.test(value)

    def to_json(self) -> dict[str, Any]:
        return {self.attribute: self.raw}


def _compile(pattern: Any, where: str) -> Pattern:
    """
    A criterion's regular expression, compiled with RE2 (see
    :mod:`mimic.patterns`): it is matched on every occurrence of its
    event, so it must cost time linear in the value matched.
    """
    try:
        return compile_pattern(pattern, where)
    except BadPattern as e:
        raise BadRegistration(str(e))


def _value_criterion(attribute: str, raw: Any) -> Criterion:
    pattern = _compile(raw, f"criterion {attribute!r}")
    return Criterion(attribute, raw, lambda value: pattern.match(str(value)) is not None)


def _metadata_criterion(raw: Any) -> Criterion:
    """
    Two shapes are accepted.  ``{"key": <regex>, "value": <regex>}``: some
    metadata item's key and value match the two expressions.  Any other
    object is the old mimic's shape, literal key to value expression:
    every key named must be present with a matching value, and a key
    mapped to ``null`` must be absent.
    """
    if not isinstance(raw, dict) or not raw:
        raise BadRegistration(
            'a metadata criterion must be {"key": <regex>, "value": <regex>} '
            "or an object mapping metadata keys to value regexes"
        )
    if set(raw) <= {"key", "value"}:
        key = _compile(raw.get("key", ""), "metadata criterion 'key'")
        value = _compile(raw.get("value", ""), "metadata criterion 'value'")

        def some_item_matches(metadata: Any) -> bool:
            return isinstance(metadata, abc.Mapping) and any(
                key.match(str(k)) and value.match(str(v)) for k, v in metadata.items()
            )

        return Criterion("metadata", raw, some_item_matches)
    expected = {
        k: None if v is None else _compile(v, f"metadata criterion for key {k!r}")
        for k, v in raw.items()
    }

    def every_key_matches(metadata: Any) -> bool:
        if not isinstance(metadata, abc.Mapping):
            return False
        for k, pattern in expected.items():
            if pattern is None:
                if k in metadata:
                    return False
            elif k not in metadata or not pattern.match(str(metadata[k])):
                return False
        return True

    return Criterion("metadata", raw, every_key_matches)


def parse_criteria(event: Event, raw: Any) -> tuple[Criterion, ...]:
    """
    Parse criteria as the control API takes them: a list of one-key
    objects, ``[{"server_name": "^test"}, {"metadata": {"key": "k",
    "value": "v"}}]`` (the old mimic's shape), or one object with several
    keys.  A registration applies only when every criterion matches.
    """
    if raw is None:
        return ()
    if isinstance(raw, dict):
        raw = [{k: v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise BadRegistration("criteria must be a list of objects")
    parsed = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRegistration(f"each criterion must be an object, got {item!r}")
        for attribute, pattern in item.items():
            if attribute not in event.criteria:
                raise BadRegistration(
                    f"event {event.id!r} cannot be matched on {attribute!r}; "
                    f"it can be matched on: {', '.join(event.criteria) or 'nothing'}"
                )
            if attribute == "metadata":
                parsed.append(_metadata_criterion(pattern))
            else:
                parsed.append(_value_criterion(attribute, pattern))
    return tuple(parsed)


@define
class Step:
    condition: Condition
    parameters: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.condition.name, "parameters": dict(self.parameters)}


@define
class Registration:
    """
    A condition (or a sequence of them) registered for an event through the
    control API.  It applies to occurrences of the event whose attributes
    satisfy every criterion.

    A sequence uses its next step each time it applies and starts again
    from the first when the steps run out, as the old mimic's did.  With
    ``remaining`` set (the API's ``times``), the registration is spent and
    removed after that many uses; without it, it applies until deleted.
    """

    id: str
    event: Event
    steps: list[Step]
    criteria: tuple[Criterion, ...]
    remaining: int | None = None
    position: int = 0
    fired: int = 0
    sequence: bool = False

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        return all(c.matches(attributes) for c in self.criteria)

    def use(self) -> Step:
        step = self.steps[self.position]
        self.fired += 1
        self.position = (self.position + 1) % len(self.steps)
        if self.remaining is not None:
            self.remaining -= 1
        return step

    @property
    def spent(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def to_json(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "id": self.id,
            "service": self.event.service,
            "event": self.event.name,
            "event_id": self.event.id,
            "criteria": [c.to_json() for c in self.criteria],
            "times": self.remaining,
            "fired": self.fired,
        }
        if self.sequence:
            described["name"] = SEQUENCE
            described["parameters"] = {"behaviors": [s.to_json() for s in self.steps]}
            described["next_step"] = self.position
        else:
            described.update(self.steps[0].to_json())
        return described


def _ids() -> Iterator[str]:
    return (str(n) for n in count(1))


@define
class FailureEngine:
    """
    Holds the declared events and the live registrations, and answers
    :meth:`consult`.

    Registrations are kept per event in the order they were made, so a
    consultation looks only at its own event's registrations; ids are
    never reused, even after :meth:`clear`, so a stale id cannot delete a
    newer registration.
    """

    _events: dict[str, Event] = field(factory=dict)
    _aliases: dict[tuple[str, str], Event] = field(factory=dict)
    _registrations: dict[str, Registration] = field(factory=dict)
    _by_event: dict[str, dict[str, Registration]] = field(factory=dict)
    _ids: Iterator[str] = field(factory=_ids)
    #: Told of each registration made and each condition that fires
    #: (fault coverage, the request journal): see :meth:`observe`.
    _on_registered: list[Callable[[Registration], None]] = field(factory=list)
    _on_fired: list[Callable[[Firing, Mapping[str, Any]], None]] = field(factory=list)
    #: Whether metadata triggers (the presets: ``server_building``,
    #: ``create_server_failure``...) fire; a configuration file's
    #: ``presets = false`` turns them off, for an application whose own
    #: metadata might carry those keys.  Registrations fire either way.
    metadata_triggers: bool = True

    def declare(self, event: Event) -> None:
        self._events[event.id] = event
        self._aliases[(event.service, event.name)] = event
        for alias in event.aliases:
            self._aliases[(event.service, alias)] = event

    def events(self) -> list[Event]:
        return sorted(self._events.values(), key=lambda e: e.id)

    def services(self) -> list[str]:
        return sorted({e.service for e in self._events.values()})

    def event(self, service: str, name: str) -> Event:
        """
        Find an event by service and event name or old-mimic alias.
        """
        try:
            return self._aliases[(service, name)]
        except KeyError:
            known = ", ".join(sorted(e.name for e in self._events.values() if e.service == service))
            if not known:
                raise BadRegistration(
                    f"no service {service!r} declares known error conditions; "
                    f"services that do: {', '.join(self.services()) or 'none'}"
                )
            raise BadRegistration(
                f"service {service!r} has no event {name!r}; known: {known}"
            )

    def register(
        self,
        event: Event,
        name: str,
        parameters: Mapping[str, Any] | None = None,
        criteria: Any = None,
        times: int | None = None,
    ) -> Registration:
        """
        Register a condition, or with ``name="sequence"`` a list of steps
        given as ``parameters={"behaviors": [{"name": ..., "parameters":
        ...}, ...]}``.  Nothing is registered unless everything is valid.
        """
        if not isinstance(name, str):
            raise BadRegistration("'name' must be a string naming a condition (or 'sequence')")
        if parameters is not None and not isinstance(parameters, dict):
            raise BadRegistration("'parameters' must be a JSON object")
        if times is not None and (
            not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_COUNT
        ):
            raise BadRegistration(
                f"'times' must be an integer from 1 to {MAX_COUNT}, got {times!r}"
            )
        sequence = name == SEQUENCE
        if sequence:
            raw_steps = (parameters or {}).get("behaviors")
            if not isinstance(raw_steps, list) or not raw_steps:
                raise BadRegistration(
                    'a sequence needs parameters {"behaviors": [{"name": ..., "parameters": ...}, ...]}'
                )
            steps = []
            for index, raw in enumerate(raw_steps):
                if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                    raise BadRegistration(
                        f"step {index} of the sequence must be an object with a 'name'"
                    )
                if raw["name"] == SEQUENCE:
                    raise BadRegistration("a sequence cannot contain a sequence")
                condition = event.condition(raw["name"])
                steps.append(Step(condition, condition.bind(raw.get("parameters"))))
        else:
            condition = event.condition(name)
            steps = [Step(condition, condition.bind(parameters))]
        # Criteria are checked before an id is taken, so that a refused
        # registration leaves no gap in the ids.
        parsed_criteria = parse_criteria(event, criteria)
        if len(self._registrations) >= MAX_REGISTRATIONS:
            raise BadRegistration(
                f"{MAX_REGISTRATIONS} registrations are live, the most Mimic keeps; "
                "delete some (DELETE /mimic/v1.1/behaviors deletes all) before adding more"
            )
        registration = Registration(
            id=next(self._ids),
            event=event,
            steps=steps,
            criteria=parsed_criteria,
            remaining=times,
            sequence=sequence,
        )
        self._registrations[registration.id] = registration
        self._by_event.setdefault(event.id, {})[registration.id] = registration
        for registered in self._on_registered:
            registered(registration)
        return registration

    def registrations(self, event: Event | None = None) -> list[Registration]:
        """
        Live registrations in the order they were made (the order they are
        tried in), of one event or of all.
        """
        if event is None:
            return list(self._registrations.values())
        return list(self._by_event.get(event.id, {}).values())

    def registration(self, registration_id: str) -> Registration | None:
        return self._registrations.get(registration_id)

    def remove(self, registration_id: str) -> bool:
        registration = self._registrations.pop(registration_id, None)
        if registration is None:
            return False
        del self._by_event[registration.event.id][registration_id]
        return True

    def clear(self) -> None:
        self._registrations.clear()
        self._by_event.clear()

    def adopt(self, registrations: Sequence[Registration]) -> None:
        """
        Hold exactly these registrations, tried in this order (a snapshot
        being restored).  Ids go on from past every id issued or adopted,
        so a stale id still cannot delete a newer registration.  (Only
        the registrations: whatever describes the run so far, not the
        cloud, is left as it is.)
        """
        self._registrations.clear()
        self._by_event.clear()
        highest = int(next(self._ids))
        for registration in registrations:
            self._registrations[registration.id] = registration
            self._by_event.setdefault(registration.event.id, {})[registration.id] = registration
            if registration.id.isdigit():
                highest = max(highest, int(registration.id) + 1)
        self._ids = (str(n) for n in count(highest))

    def consult(
        self,
        event_id: str,
        attributes: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Firing | None:
        """
        Ask whether a known error condition applies to this occurrence of
        an event.

        ``metadata`` is the request's metadata, checked first for the
        event's metadata triggers (a malformed trigger value raises
        :class:`BadRegistration`, which services answer with a 400).  Then
        registrations are tried in the order they were made; the first whose
        criteria all match is used (a step of a sequence counts as a use
        even when it is ``default``).  ``None`` means: behave normally.
        """
        event = self._events[event_id]
        if metadata and self.metadata_triggers:
            for condition in event.conditions:
                trigger = condition.metadata
                if trigger is not None and trigger.key in metadata:
                    parameters = condition.bind(trigger.parse(str(metadata[trigger.key])))
                    return self._fired(Firing(event, condition, parameters, "metadata"), attributes)
        registrations = self._by_event.get(event_id)
        if not registrations:
            return None
        attributes = dict(attributes or {})
        if metadata is not None:
            attributes.setdefault("metadata", metadata)
        for registration in list(registrations.values()):
            if registration.matches(attributes):
                step = registration.use()
                if registration.spent:
                    self.remove(registration.id)
                if step.condition.name == DEFAULT:
                    return None
                return self._fired(
                    Firing(event, step.condition, step.parameters, registration.id), attributes
                )
        return None

    # Observers: what counts and records conditions, told as they happen.

    def observe(
        self,
        registered: Callable[[Registration], None] | None = None,
        fired: Callable[[Firing, Mapping[str, Any]], None] | None = None,
    ) -> None:
        """
        Have ``registered`` called with each registration made from now
        on, and ``fired`` with each condition that fires (a registration's
        or a metadata trigger's) and the attributes of the event's
        occurrence, synchronously, while the request it fires for is
        being answered.
        """
        if registered is not None:
            self._on_registered.append(registered)
        if fired is not None:
            self._on_fired.append(fired)

    def _fired(self, firing: Firing, attributes: Mapping[str, Any] | None) -> Firing:
        for fired in self._on_fired:
            fired(firing, attributes or {})
        return firing

    def decide(
        self,
        event: Event,
        attributes: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Any:
        """
        What happens at this occurrence of ``event``: the ``effect`` of the
        condition that applies (see :meth:`consult` for which one), called
        with its parameters, or the event's ``normal`` outcome.  An effect
        that refuses the request raises the service's error from here,
        before anything has changed.

        This is the one question a service asks; the answer is the
        service's own outcome type, which its model applies.
        """
        firing = self.consult(event.id, attributes, metadata)
        if firing is None:
            return event.normal
        effect = firing.condition.effect
        if effect is None:
            raise TypeError(
                f"condition {firing.name!r} of event {event.id!r} declares no effect; "
                "give it one where it is declared"
            )
        log.debug(
            "{event_id}: condition {condition} fired (from {source})",
            event_id=event.id,
            condition=firing.name,
            source=firing.source,
        )
        return effect(firing.parameters)


def catalogue(events: Sequence[Event]) -> list[dict[str, Any]]:
    """
    Every declared event with its conditions, as the control API lists
    them.
    """
    return [e.to_json() for e in events]
