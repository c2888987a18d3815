# -*- test-case-name: mimic.test.test_snapshots -*-
"""
The whole state of a Mimic as plain JSON, and back: what named
snapshots (``/mimic/v1.1/snapshots``) and ``--state-file`` keep.

Saved: every plugin's region states, by (service, tenant, region), each
in the plugin's own form (:class:`~mimic.interfaces.IPersistentState`);
the users and tokens; what identity keeps beside them (the session
store's annex, saved by whoever the core's ``annex_persistence`` names);
the registered failure conditions; and the clock's time.  Not saved:
the failure catalogue (declarations come from the code), anything that
describes the run rather than the cloud (counters, the request journal),
and the states of plugins that do not provide ``IPersistentState``: a
restore drops those and says so.

A restore is all or nothing: everything is built from the saved form
first (plugins' states through a :class:`RestoringCore` that hands out
the states being restored), and only when all of it is built does it
replace what the core holds.  A controlled clock is set to the saved
time first, so that what a restored state schedules on it falls due at
the right moment, and set back if the restore fails.  A real clock
(``--realtime``) is left alone: the restored state then reads its times
against the real time.
"""

from __future__ import annotations

import contextlib
import gc
import json
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from attrs import frozen
from zope.interface import implementer
from twisted.internet.task import Clock

from mimic.failures import BadRegistration, FailureEngine, Registration, Step, parse_criteria
from mimic.interfaces import IMimicCore, IPersistentState
from mimic.profiles import DEFAULT_PROFILE
from mimic.saved import field_of, record_from, record_json
from mimic.session import Role, SessionStore, Token, User

T = TypeVar("T")

#: What a saved state says it is, and the version of its layout.
FORMAT = "mimic-state"
VERSION = 1

#: The tenant and region under which the annex (identity's directory) is
#: saved and restored: it belongs to no tenant and no region.
ANNEX_KEY = "*"


#: The latest time a state may set the clock to (the start of the year
#: 9000, as for the tick API): every time derived from it can still be
#: written as a date.
LATEST_SECONDS = 221845392000.0


class BadState(ValueError):
    """
    A saved state that cannot be read or restored: the message says why,
    in one line, for the control API's 400 and ``--state-file``'s
    start-up error.
    """


@frozen
class Restored:
    """
    What a restore did: which services' states it brought back, and
    which it dropped because they cannot be saved (or their plugin is no
    longer loaded).
    """

    services: list[str]
    dropped: list[str]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """
    Pause the cyclic garbage collector while a whole state is saved or
    built: the many small objects made would otherwise have it walk the
    whole heap again and again, which costs more than the work itself.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- saving ---------------------------------------------------------------


def _persistence(plugin: Any) -> Any:
    return plugin if IPersistentState.providedBy(plugin) else None


def save(core: Any) -> dict[str, Any]:
    """
    Everything ``core`` (a :class:`~mimic.core.MimicCore`) holds, as
    plain JSON.
    """
    with collector_paused():
        return _save(core)


def _save(core: Any) -> dict[str, Any]:
    services: dict[str, Any] = {}
    unsaved: set[str] = set()
    for (service, tenant_id, region), state in core.region_states():
        plugin = core.plugins.get(service)
        persistence = _persistence(plugin)
        if persistence is None:
            unsaved.add(service)
            continue
        part = services.get(service)
        if part is None:
            part = services[service] = {"state_format": persistence.state_format, "states": []}
        part["states"].append([tenant_id, region, _saved_by(persistence, service, state)])
    annex: dict[str, Any] | None = None
    held = core.sessions.annexed
    if held is not None:
        keeper = core.annex_persistence
        if keeper is None:
            unsaved.add("annex")
        else:
            annex = {
                "name": keeper.name,
                "state_format": keeper.state_format,
                "state": _saved_by(keeper, keeper.name, held),
            }
    saved = {
        "format": FORMAT,
        "version": VERSION,
        "seconds": core.clock.seconds(),
        "sessions": save_sessions(core.sessions),
        "annex": annex,
        "registrations": [save_registration(r) for r in core.failures.registrations()],
        "services": services,
        "unsaved": sorted(unsaved),
    }
    if core.profile.name != DEFAULT_PROFILE.name:
        # Regions, accounts and catalog differ by profile: a state is
        # brought back into a Mimic of the same (see check_profile).
        saved["profile"] = core.profile.name
    return saved


def check_profile(core: Any, saved: Mapping[str, Any]) -> None:
    """
    :class:`BadState` unless ``saved`` was saved under ``core``'s profile
    (a state saved without one is the default profile's).
    """
    profile = saved.get("profile", DEFAULT_PROFILE.name)
    if profile != core.profile.name:
        raise BadState(
            f"the state was saved by a Mimic of profile {str(profile)[:40]!r}, not {core.profile.name!r}: "
            f"start Mimic with --profile {str(profile)[:40]}"
        )


def _saved_by(persistence: Any, service: str, state: Any) -> Any:
    try:
        return persistence.save_region_state(state)
    except Exception as error:
        # A bug in that service: said, rather than a bare 500.
        raise BadState(f"{service} could not save its state: {error!r}") from None


def save_sessions(sessions: SessionStore) -> dict[str, Any]:
    roles: dict[tuple[str, str, str | None, str | None], int] = {}
    role_list: list[list[Any]] = []

    def role_index(role: Role) -> int:
        key = (role.id, role.name, role.description, role.domain_id)
        found = roles.get(key)
        if found is None:
            found = roles[key] = len(role_list)
            role_list.append(list(key))
        return found

    tokens = [
        {
            "id": token.id,
            "user": token.user.id,
            "tenant_id": token.tenant_id,
            "issued_at": token.issued_at,
            "expires": token.expires,
            "methods": list(token.methods),
            "impersonator": token.impersonator.id if token.impersonator is not None else None,
            "domain_scoped": token.domain_scoped,
            "system": token.system,
            "roles": [role_index(role) for role in token.roles],
        }
        for token in sessions.tokens()
    ]
    return {
        "users": [record_json(user) for user in sessions.users()],
        "roles": role_list,
        "tokens": tokens,
    }


def save_registration(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.id,
        "service": registration.event.service,
        "event": registration.event.id,
        "steps": [
            {"name": step.condition.name, "parameters": dict(step.parameters)}
            for step in registration.steps
        ],
        "criteria": [criterion.to_json() for criterion in registration.criteria],
        "remaining": registration.remaining,
        "position": registration.position,
        "fired": registration.fired,
        "sequence": registration.sequence,
    }


def encode(saved: Mapping[str, Any]) -> bytes:
    """
    A saved state as compact UTF-8 JSON.  :class:`BadState` if a plugin
    saved something JSON cannot hold (a bug in that plugin).
    """
    try:
        with collector_paused():
            text = json.dumps(saved, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError) as error:
        raise BadState(f"the state cannot be written as JSON: {error}") from None


# -- reading --------------------------------------------------------------


def decode(data: bytes) -> dict[str, Any]:
    """
    A saved state from its JSON, checked for what it says it is.
    """
    try:
        with collector_paused():
            saved = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadState(f"the state is not valid JSON ({error})") from None
    check_header(saved)
    return saved


def check_header(saved: Any) -> None:
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise BadState(f"the state is not a Mimic state (no \"format\": {FORMAT!r})")
    version = saved.get("version")
    if version != VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            raise BadState(
                f"the state is of version {version}, newer than this Mimic reads ({VERSION}); "
                "use a newer Mimic"
            )
        raise BadState(f"the state's version {version!r} is not one this Mimic reads ({VERSION})")
    seconds = saved.get("seconds")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, (int, float))
        or not 0 <= seconds <= LATEST_SECONDS
    ):
        raise BadState("the state has no valid 'seconds' (the clock's time)")
    for name, kind in (("sessions", dict), ("registrations", list), ("services", dict)):
        if not isinstance(saved.get(name), kind):
            raise BadState(f"the state's {name!r} is missing or malformed")


def services_of(saved: Mapping[str, Any]) -> list[str]:
    """
    The services whose state a saved state holds (identity's directory
    under its own name), sorted.
    """
    names = set(saved.get("services", {}))
    annex = saved.get("annex")
    if isinstance(annex, dict) and isinstance(annex.get("name"), str):
        names.add(annex["name"])
    return sorted(names)


# -- restoring ------------------------------------------------------------


@implementer(IMimicCore)
class RestoringCore:
    """
    The core as a plugin's ``restore_region_state`` sees it while a
    restore is being built: the new session store, and the region states
    being restored (restored on first use, so that a state that asks for
    another's, as compute asks for images, gets the restored one), or
    made fresh for a key the snapshot does not have.  Everything else is
    the real core's.
    """

    def __init__(
        self,
        core: Any,
        sessions: SessionStore,
        pending: dict[tuple[str, str, str], Callable[[], Any]],
    ) -> None:
        self._core = core
        self.sessions = sessions
        self.states: dict[tuple[str, str, str], Any] = {}
        self._pending = pending

    def __getattr__(self, name: str) -> Any:
        # clock, failures, plugins, settings, catalog, service_url...
        return getattr(self._core, name)

    def region_state(self, service_name: str, tenant_id: str, region: str, factory: Callable[[], T]) -> T:
        key = (service_name, tenant_id, region)
        state = self.existing_region_state(*key)
        if state is None:
            state = self.states[key] = factory()
        return state

    def existing_region_state(self, service_name: str, tenant_id: str, region: str) -> Any:
        key = (service_name, tenant_id, region)
        if key not in self.states and key in self._pending:
            self.states[key] = self._pending.pop(key)()
        return self.states.get(key)

    def shared(self, contract: Any, tenant_id: str, region: str) -> Any:
        from mimic.core import MimicCore

        return MimicCore.shared(self, contract, tenant_id, region)  # type: ignore[arg-type]

    def finish(self) -> dict[tuple[str, str, str], Any]:
        """
        Restore whatever no other state asked for yet; every state.
        """
        while self._pending:
            key = next(iter(self._pending))
            self.states[key] = self._pending.pop(key)()
        return self.states


def restore(core: Any, saved: Mapping[str, Any]) -> Restored:
    """
    Replace everything ``core`` holds by ``saved`` (which is not
    changed).  :class:`BadState` if any of it cannot be restored; then
    nothing has changed.
    """
    check_header(saved)
    check_profile(core, saved)
    clock = core.clock
    controlled = isinstance(clock, Clock)
    was = clock.seconds()
    if controlled:
        clock.rightNow = float(saved["seconds"])
    try:
        with collector_paused():
            built = _build(core, saved)
    except BadState:
        if controlled:
            clock.rightNow = was
        raise
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, BadRegistration) as error:
        if controlled:
            clock.rightNow = was
        raise BadState(f"the state cannot be restored: {error}") from None
    sessions, states, registrations, restored = built
    core.adopt(sessions, states)
    core.failures.adopt(registrations)
    return restored


def _build(
    core: Any, saved: Mapping[str, Any]
) -> tuple[SessionStore, dict[tuple[str, str, str], Any], list[Registration], Restored]:
    sessions = SessionStore(
        core.clock, token_lifetime=core.sessions.token_lifetime, default_region=core.sessions.default_region
    )
    users, tokens = restore_sessions(saved["sessions"])
    # First, so that any state being restored sees the users.
    sessions.adopt(users, tokens)
    dropped: set[str] = {name for name in saved.get("unsaved", []) if isinstance(name, str)}
    pending: dict[tuple[str, str, str], Callable[[], Any]] = {}
    staging = RestoringCore(core, sessions, pending)
    restored_services: list[str] = []
    for service, part in sorted(saved["services"].items()):
        plugin = core.plugins.get(service)
        persistence = _persistence(plugin)
        if persistence is None:
            dropped.add(service)
            continue
        state_format = field_of(part, "state_format", int, f"service {service!r}")
        if state_format != persistence.state_format:
            raise BadState(
                f"service {service!r} saved its state in form {state_format}; "
                f"this Mimic's {service} reads form {persistence.state_format}"
            )
        for entry in field_of(part, "states", list, f"service {service!r}"):
            if not (isinstance(entry, list) and len(entry) == 3 and all(isinstance(e, str) for e in entry[:2])):
                raise BadState(f"service {service!r} has a malformed saved state entry")
            tenant_id, region, state = entry
            pending[(service, tenant_id, region)] = _restorer(persistence, staging, service, tenant_id, region, state)
        restored_services.append(service)
    for (service, _, _), _state in core.region_states():
        if _persistence(core.plugins.get(service)) is None:
            dropped.add(service)
    saved_annex = saved.get("annex")
    if saved_annex is not None:
        name = field_of(saved_annex, "name", str, "the annex")
        keeper = core.annex_persistence
        if keeper is None or keeper.name != name:
            dropped.add(name)
        else:
            state_format = field_of(saved_annex, "state_format", int, "the annex")
            if state_format != keeper.state_format:
                raise BadState(
                    f"{name} saved its state in form {state_format}; this Mimic's reads form "
                    f"{keeper.state_format}"
                )
            annex = _restorer(keeper, staging, name, ANNEX_KEY, ANNEX_KEY, saved_annex.get("state"))()
            sessions.annex(lambda: annex)
            restored_services.append(name)
    states = staging.finish()
    registrations = restore_registrations(core.failures, saved["registrations"], dropped)
    return sessions, states, registrations, Restored(sorted(restored_services), sorted(dropped))


def _restorer(
    persistence: Any, staging: RestoringCore, service: str, tenant_id: str, region: str, state: Any
) -> Callable[[], Any]:
    def restored() -> Any:
        try:
            return persistence.restore_region_state(staging, tenant_id, region, state)
        except BadState:
            raise
        except Exception as error:
            # Any failure, expected (ValueError) or not, refuses the
            # whole restore, so that nothing is half restored.
            where = service if tenant_id == ANNEX_KEY else f"{service} (tenant {tenant_id!r}, region {region!r})"
            raise BadState(f"the saved state of {where} cannot be restored: {error}") from None

    return restored


def restore_sessions(saved: Any) -> tuple[list[User], list[Token]]:
    users = [record_from(User, u) for u in field_of(saved, "users", list, "the sessions")]
    by_id = {user.id: user for user in users}
    roles = [Role(*r) for r in field_of(saved, "roles", list, "the sessions")]
    tokens = []
    for t in field_of(saved, "tokens", list, "the sessions"):
        user = by_id.get(t["user"])
        if user is None:
            raise BadState(f"a saved token belongs to an unknown user {t['user']!r}")
        impersonator = None if t["impersonator"] is None else by_id.get(t["impersonator"])
        tokens.append(
            Token(
                id=str(t["id"]),
                user=user,
                tenant_id=t["tenant_id"],
                issued_at=float(t["issued_at"]),
                expires=float(t["expires"]),
                methods=tuple(t["methods"]),
                impersonator=impersonator,
                domain_scoped=bool(t["domain_scoped"]),
                system=bool(t["system"]),
                roles=tuple(roles[i] for i in t["roles"]),
            )
        )
    return users, tokens


def restore_registrations(engine: FailureEngine, saved: Iterable[Any], dropped: set[str]) -> list[Registration]:
    events = {event.id: event for event in engine.events()}
    services = set(engine.services())
    registrations = []
    for r in saved:
        event = events.get(r["event"])
        if event is None:
            service = str(r["service"])
            if service in services:
                raise BadState(f"a saved registration is for an unknown event {r['event']!r}")
            dropped.add(service)
            continue
        steps = [Step(event.condition(s["name"]), dict(s["parameters"])) for s in r["steps"]]
        if not steps:
            raise BadState(f"the saved registration {r['id']!r} has no steps")
        position = int(r["position"])
        if not 0 <= position < len(steps):
            raise BadState(f"the saved registration {r['id']!r} has a bad position")
        remaining = r["remaining"]
        registrations.append(
            Registration(
                id=str(r["id"]),
                event=event,
                steps=steps,
                criteria=parse_criteria(event, list(r["criteria"])),
                remaining=None if remaining is None else int(remaining),
                position=position,
                fired=int(r["fired"]),
                sequence=bool(r["sequence"]),
            )
        )
    return registrations
