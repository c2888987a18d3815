# -*- test-case-name: mimic.test.test_core -*-
"""
MimicCore: the one object holding everything that outlives a request.

It knows no service by name.  It owns the clock, the users and tokens, the
failure engine, the discovered plugins and each plugin's state per
(tenant, region), so that the control plane can reset or describe all of
it without reaching into any service.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Mapping, Sequence, TypeVar

from attrs import Factory, define, evolve, field
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import Clock
from twisted.plugin import getPlugins
from twisted.web.iweb import IRequest
from zope.interface import implementer

from mimic import catalog
from mimic.coverage import Coverage
from mimic.failures import FailureEngine, Firing
from mimic.interfaces import (
    IAPIMock,
    IHasSettings,
    IMimicCore,
    IProfileMember,
    IRegionState,
    ISettingsShapeCatalog,
    ISharesState,
)
from mimic.http import base_url
from mimic.journal import JOURNAL_SETTINGS, Journal
from mimic.pending import PendingEvent, region_state_events, token_expiries
from mimic.profiles import DEFAULT_PROFILE, Profile, ServiceLayout
from mimic.session import IDENTITY_SETTINGS, SessionStore
from mimic.settings import Setting, parse_settings

T = TypeVar("T")


def discover_plugins() -> list[IAPIMock]:
    """
    Every IAPIMock provider in the :mod:`mimic.plugins` package, including
    drop-in modules other distributions installed there.
    """
    import mimic.plugins

    return sorted(getPlugins(IAPIMock, mimic.plugins), key=lambda p: p.name)


def declared_settings(plugins: Iterable[IAPIMock]) -> list[Setting]:
    """
    The settings the plugins read, and identity's and the request
    journal's (which are no plugins).
    """
    return [*IDENTITY_SETTINGS, *JOURNAL_SETTINGS] + [
        setting
        for plugin in plugins
        if IHasSettings.providedBy(plugin)
        for setting in plugin.settings()
    ]


def controlled_clock() -> Clock:
    """
    A clock that starts at the real current time and then moves only when
    told to.  This is the one place Mimic reads the wall clock.
    """
    clock = Clock()
    clock.advance(time.time())
    return clock


def advance_clock(clock: Clock, amount: float) -> None:
    """
    Move a controlled clock forward by ``amount`` seconds, stopping at each
    scheduled call on the way so that every call sees the time it was due
    at, and calls it schedules in turn fall due at the right moment.
    """
    target = clock.seconds() + amount
    while clock.calls and clock.calls[0].getTime() <= target:
        clock.advance(max(0.0, clock.calls[0].getTime() - clock.seconds()))
    clock.advance(max(0.0, target - clock.seconds()))


def serves_in(plugin: IAPIMock, profile: Profile) -> bool:
    """
    Whether a plugin is served under a profile: every plugin is, unless
    it names the profiles it belongs to (:class:`IProfileMember`).
    """
    return not IProfileMember.providedBy(plugin) or profile.name in plugin.profiles


def profile_layout(plugin: IAPIMock, profile: Profile) -> ServiceLayout | None:
    """
    A plugin's layout under a profile: its own say (:class:`IProfileMember`)
    first, then the profile's declaration for its name.
    """
    if IProfileMember.providedBy(plugin):
        own = plugin.layout(profile)
        if own is not None:
            return own
    return profile.layout_of(plugin.name)


def laid_out_entries(
    layout: ServiceLayout, profile: Profile, tenant_id: str, base_url: str
) -> list[catalog.ResolvedEntry]:
    """
    A laid-out service's catalog entries for one tenant: each of its
    ``(type, name)`` at its endpoint under the mount, in every region of
    the profile, public only (as DevStack lists them).
    """
    endpoints = tuple(
        catalog.Endpoint(region, layout.endpoint_path(tenant_id, profile.region_prefix(region)), absolute_path=True)
        for region in profile.regions
    )
    entries = [catalog.Entry(type=kind, name=name, endpoints=endpoints) for kind, name in layout.entries]
    return catalog.resolve(layout.service, tenant_id, base_url, entries)


def in_regions(entries: Iterable[catalog.Entry], regions: Sequence[str]) -> list[catalog.Entry]:
    """
    A plugin's own entries moved to ``regions`` (those a configuration
    file named): each regional entry's endpoints for its first region,
    repeated for each of ``regions`` (with the region in their paths
    replaced); an entry without regions as it is.
    """
    moved = []
    for entry in entries:
        first = next((e.region for e in entry.endpoints if e.region is not None), None)
        if first is None:
            moved.append(entry)
            continue
        model = [e for e in entry.endpoints if e.region == first]
        endpoints = tuple(_moved(e, first, region) for region in regions for e in model)
        moved.append(evolve(entry, endpoints=endpoints))
    return moved


def _moved(endpoint: catalog.Endpoint, first: str, region: str) -> catalog.Endpoint:
    def in_region(path: str) -> str:
        return "/".join(region if segment == first else segment for segment in path.split("/"))

    internal = endpoint.internal_path
    return evolve(
        endpoint,
        region=region,
        path=in_region(endpoint.path),
        internal_path=None if internal is None else in_region(internal),
    )


@implementer(IMimicCore)
@define
class MimicCore:
    clock: IReactorTime
    plugins: dict[str, IAPIMock]
    sessions: SessionStore
    failures: FailureEngine = field(factory=FailureEngine)
    settings: dict[str, Any] = field(factory=dict)
    #: Which cloud this core pretends to be (see :mod:`mimic.profiles`).
    profile: Profile = DEFAULT_PROFILE
    _region_states: dict[tuple[str, str, str], Any] = field(factory=dict)
    #: Each plugin's layout under the profile, once asked (see layout_of).
    _layouts: dict[str, ServiceLayout] | None = field(default=None, eq=False, repr=False)
    #: How the session store's annex (identity's directory) is saved and
    #: restored with a snapshot: an IPersistentState with a ``name``,
    #: set by whoever makes the annex (the root, for identity).
    annex_persistence: Any = None
    #: What the run did, rather than what the cloud holds: neither a
    #: reset nor a snapshot touches them (see :meth:`__attrs_post_init__`).
    journal: Journal = field(default=Factory(lambda self: self._new_journal(), takes_self=True))
    coverage: Coverage = field(
        default=Factory(lambda self: Coverage(self.journal.current_tenant), takes_self=True)
    )

    @classmethod
    def create(
        cls,
        clock: IReactorTime,
        plugins: Iterable[IAPIMock] | None = None,
        settings: Mapping[str, str] | None = None,
        profile: Profile = DEFAULT_PROFILE,
    ) -> "MimicCore":
        """
        A core serving ``plugins`` (those discovered, by default), with
        ``settings`` parsed against what the plugins declare
        (:class:`mimic.settings.BadSetting` when they do not fit).
        """
        if plugins is None:
            plugins = discover_plugins()
        plugins = [p for p in plugins if serves_in(p, profile)]
        core = cls(
            clock=clock,
            plugins={p.name: p for p in plugins},
            sessions=SessionStore(clock, default_region=profile.regions[0]),
            settings=parse_settings(settings or {}, declared_settings(plugins)),
            profile=profile,
        )
        for plugin in core.plugins.values():
            for event in plugin.failure_events():
                core.failures.declare(event)
        return core

    def __attrs_post_init__(self) -> None:
        # The request journal and fault coverage are told by the failure
        # engine of each condition registered and fired.
        self.failures.observe(registered=self.coverage.registered, fired=self.coverage.fired)
        self.failures.observe(fired=self._journal_fired)

    def layout_of(self, service_name: str) -> ServiceLayout | None:
        """
        Where the profile puts one plugin's service (catalog entries and
        a mount at the root), or ``None`` where it keeps its own entries
        under ``/service/...``.
        """
        layouts = self._layouts
        if layouts is None:
            layouts = self._layouts = {
                name: found
                for name, plugin in self.plugins.items()
                if (found := profile_layout(plugin, self.profile)) is not None
            }
        return layouts.get(service_name)

    def mounts(self) -> list[ServiceLayout]:
        """
        The services the profile serves at Mimic's root, by mount.
        """
        return sorted(
            (layout for name in self.plugins if (layout := self.layout_of(name)) is not None),
            key=lambda layout: layout.mount,
        )

    def service_regions(self, plugin: IAPIMock, tenant_id: str) -> set[str | None]:
        """
        The regions a plugin serves a tenant in: the profile's, where it
        lays the service out, else those of its own catalog entries.
        """
        if self.layout_of(plugin.name) is not None:
            return set(self.profile.regions)
        return {endpoint.region for entry in self._own_entries(plugin, tenant_id) for endpoint in entry.endpoints}

    def _own_entries(self, plugin: IAPIMock, tenant_id: str) -> list[catalog.Entry]:
        """
        A plugin's own catalog entries, in the regions a configuration
        file named if it named any.
        """
        if ISettingsShapeCatalog.providedBy(plugin):
            own = plugin.configured_catalog_entries(self.settings, tenant_id)
        else:
            own = plugin.catalog_entries(tenant_id)
        if self.profile.regions_everywhere:
            return in_regions(own, self.profile.regions)
        return list(own)

    def _new_journal(self) -> Journal:
        """
        The request journal, sized by the ``journal.*`` settings.
        """
        return Journal(
            self.clock,
            self._token_owner,
            size=self.settings.get("journal.size", 10_000),
            body_limit=self.settings.get("journal.body_limit", 4096),
        )

    def _journal_fired(self, firing: Firing, attributes: Mapping[str, Any]) -> None:
        registration_id = None if firing.source == "metadata" else firing.source
        self.journal.fired(
            firing.event.service, firing.event.name, firing.condition.name, registration_id
        )

    def _token_owner(self, token_id: str | None) -> tuple[str, str | None] | None:
        """
        The username and tenant of a live token, for the journal; looking
        makes nothing.
        """
        token = self.sessions.token(token_id)
        if token is None:
            return None
        return token.user.username, token.tenant_id

    @property
    def advanceable(self) -> bool:
        """
        Whether time moves only when told (not ``--realtime``).
        """
        return isinstance(self.clock, Clock)

    def region_state(
        self, service_name: str, tenant_id: str, region: str, factory: Callable[[], T]
    ) -> T:
        key = (service_name, tenant_id, region)
        state = self._region_states.get(key)
        if state is None:
            state = self._region_states[key] = factory()
        return state

    def existing_region_state(self, service_name: str, tenant_id: str, region: str) -> Any:
        return self._region_states.get((service_name, tenant_id, region))

    def region_states(self) -> Iterable[tuple[tuple[str, str, str], Any]]:
        return self._region_states.items()

    def adopt(self, sessions: SessionStore, region_states: dict[tuple[str, str, str], Any]) -> None:
        """
        Hold these users and tokens and these region states instead of
        the present ones (a snapshot restored: see :mod:`mimic.snapshots`).
        A service must therefore look the session store up on the core
        each time, never keep it.
        """
        self.sessions.stop_sweeping()
        self.sessions = sessions
        self._region_states = region_states
        sessions.start_sweeping()

    def catalog(self, tenant_id: str, base_url: str) -> list[catalog.ResolvedEntry]:
        """
        Every plugin's catalog entries for one tenant, with absolute URLs.
        """
        entries = []
        for plugin in self.plugins.values():
            layout = self.layout_of(plugin.name)
            if layout is not None:
                entries.extend(laid_out_entries(layout, self.profile, tenant_id, base_url))
            else:
                entries.extend(catalog.resolve(plugin.name, tenant_id, base_url, self._own_entries(plugin, tenant_id)))
        if self.profile.catalog:
            return catalog.changed(entries, self.profile.catalog, tenant_id)
        return entries

    def shared(self, contract: Any, tenant_id: str, region: str) -> Any:
        """
        The state one service shares with others under ``contract``, for
        one tenant in one region: the first plugin (by name) whose
        :meth:`~mimic.interfaces.ISharesState.shared_state` gives one.
        """
        for plugin in self.plugins.values():
            if ISharesState.providedBy(plugin):
                found = plugin.shared_state(self, contract, tenant_id, region)
                if found is not None:
                    return found
        return None

    def service_url(self, request: IRequest, service_name: str, region: str, tenant_id: str) -> str:
        """
        The absolute URL of a service's prefix for one tenant in one
        region, from the host the client used, so that links a service
        hands out lead back to the same Mimic.
        """
        layout = self.layout_of(service_name)
        if layout is not None and region in self.profile.regions:
            return f"{base_url(request)}/{self.profile.region_prefix(region)}{layout.mount}"
        return f"{base_url(request)}/service/{service_name}/{region}/{tenant_id}"

    def reset(self, tenant_id: str | None = None) -> None:
        """
        Forget all state, or one tenant's: its user, tokens and every
        service's state for it.  Registered failure conditions are global
        and are dropped only by a full reset.
        """
        if tenant_id is None:
            self._region_states.clear()
            self.failures.clear()
        else:
            for key in [k for k in self._region_states if k[1] == tenant_id]:
                del self._region_states[key]
        self.sessions.reset(tenant_id)

    def pending_events(self, now: float, tenant_id: str | None = None) -> list[PendingEvent]:
        """
        Everything due after ``now``, unsorted: every region state's
        timed changes (:class:`~mimic.interfaces.IPendingEvents`) and
        every live token's expiry; only ``tenant_id``'s, if given.  Reads
        only: costs one look at each timed resource and token, and
        settles nothing.
        """
        events = list(region_state_events(self._region_states.items(), now, tenant_id))
        events.extend(token_expiries(self.sessions.tokens(), now, tenant_id))
        return events

    def passing(self) -> "PasserbyCore":
        """
        This core as a request for a tenant nobody has authenticated as
        is to see it (see :class:`PasserbyCore`).
        """
        return PasserbyCore(self)

    def state_summary(self) -> dict[str, Any]:
        """
        What each service holds for each tenant and region, for the
        control plane's state dump.
        """
        services: dict[str, Any] = {}
        for (service, tenant_id, region), state in sorted(self._region_states.items()):
            summary = IRegionState(state).summary() if IRegionState.providedBy(state) else {}
            services.setdefault(service, {}).setdefault(tenant_id, {})[region] = summary
        return services


@implementer(IMimicCore)
class PasserbyCore:
    """
    The core as an anonymous request for a tenant nobody has
    authenticated as sees it (``GET .../<any tenant>/v2``, a version
    document): everything is the core's, except that the region states
    a service makes for that tenant are made for this request only and
    then dropped.  Without this, a client inventing tenant ids would make
    Mimic keep a state for each.
    """

    def __init__(self, core: MimicCore) -> None:
        self._core = core
        self._states: dict[tuple[str, str, str], Any] = {}

    def __getattr__(self, name: str) -> Any:
        # clock, failures, sessions, plugins, catalog, service_url...
        return getattr(self._core, name)

    def region_state(
        self, service_name: str, tenant_id: str, region: str, factory: Callable[[], T]
    ) -> T:
        key = (service_name, tenant_id, region)
        kept = self._core._region_states.get(key)
        if kept is not None:
            return kept
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = factory()
        return state

    def shared(self, contract: Any, tenant_id: str, region: str) -> Any:
        # The sharing plugin looks its state up through this core too.
        return MimicCore.shared(self, contract, tenant_id, region)  # type: ignore[arg-type]
