# -*- test-case-name: mimic.test.test_control -*-
"""
Registrations of known error conditions over HTTP: finding the event a URL
names, turning a request body into a registration, and describing
registrations.

The body is the old mimic's::

    {"name": "fail",
     "parameters": {"code": 500, "message": "..."},
     "criteria": [{"username": "^failme"}]}

plus an optional ``"times"``: how many uses before the registration is
spent.  ``"name": "sequence"`` with ``"parameters": {"behaviors": [...]}``
gives steps used in turn.  Everything is validated by the failure engine;
whatever it refuses is answered 400 with its message.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from mimic.control.errors import control_error
from mimic.failures import BadRegistration, Event, FailureEngine, Registration

#: Service segments the old mimic used in control URLs, and the service
#: each stands for in Mimic.
LEGACY_SERVICE_NAMES = {"IdentityControlAPI": "identity"}

_FIELDS = {"name", "parameters", "criteria", "times"}


def service_name(segment: str) -> str:
    return LEGACY_SERVICE_NAMES.get(segment, segment)


def find_event(failures: FailureEngine, service: str, event: str, status: int) -> Event:
    """
    The event named by a control URL's service and event segments (either
    may be an old mimic name), or ``status`` naming what is unknown.
    """
    try:
        return failures.event(service_name(service), event)
    except BadRegistration as e:
        raise control_error(status, str(e))


def register(
    failures: FailureEngine, event: Event, body: Any, scope: Sequence[dict[str, Any]] = ()
) -> Registration:
    """
    Register what a POST body asks for, or answer 400 saying what is
    wrong with it (nothing is registered then).

    ``scope`` holds criteria added to the body's own (one-key objects,
    e.g. ``{"tenant_id": "^t1$"}``): the old mimic's per-tenant control
    endpoints register through here, narrowed to their tenant and region.
    """
    if not isinstance(body, dict):
        raise control_error(400, "The body must be a JSON object with at least a 'name'.")
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise control_error(
            400,
            f"Unknown field(s) {', '.join(map(repr, unknown))}; a registration takes "
            f"{', '.join(sorted(_FIELDS))}.",
        )
    if "name" not in body:
        raise control_error(
            400,
            f"'name' is required: one of the conditions of {event.id!r} "
            f"({', '.join(c.name for c in event.conditions)}), 'default' or 'sequence'.",
        )
    criteria = body.get("criteria")
    if scope:
        criteria = _with_scope(criteria, scope)
    try:
        return failures.register(
            event,
            body["name"],
            parameters=body.get("parameters"),
            criteria=criteria,
            times=body.get("times"),
        )
    except BadRegistration as e:
        raise control_error(400, str(e))


def _with_scope(criteria: Any, scope: Sequence[dict[str, Any]]) -> Any:
    """
    The body's criteria (a list, one object, or none) followed by the
    scope's.  Anything else is left as it is for the engine to refuse.
    """
    if criteria is None:
        return list(scope)
    if isinstance(criteria, dict):
        return [{k: v} for k, v in criteria.items()] + list(scope)
    if isinstance(criteria, list):
        return criteria + list(scope)
    return criteria


def find_registration(
    failures: FailureEngine, service: str, event: str, registration_id: str
) -> Registration:
    """
    A live registration, addressed under its own event; 404 otherwise
    (including when spent or deleted).
    """
    found = find_event(failures, service, event, 404)
    registration = failures.registration(registration_id)
    if registration is None or registration.event is not found:
        raise control_error(
            404, f"No registration {registration_id!r} for {found.id!r}: it was never made, "
            "was deleted, or has been used up."
        )
    return registration


def registration_path(registration: Registration) -> str:
    event = registration.event
    return f"/mimic/v1.1/{event.service}/behaviors/{event.name}/{registration.id}"


def registration_json(registration: Registration, root: str) -> dict[str, Any]:
    described = registration.to_json()
    described["url"] = root + registration_path(registration)
    return described


def listing(registrations: Iterable[Registration], root: str) -> dict[str, Any]:
    """
    Registrations in the order they are tried.
    """
    return {"behaviors": [registration_json(r, root) for r in registrations]}
