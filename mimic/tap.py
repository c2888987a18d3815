# -*- test-case-name: mimic.test.test_tap -*-
"""
``twistd mimic``: command-line options and the service that serves Mimic.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import MultiService, Service
from twisted.internet.interfaces import IListeningPort, IReactorTime
from twisted.internet.task import Clock
from twisted.logger import Logger
from twisted.python import usage
from twisted.web.server import Site

from mimic import cloud_config, config, snapshots, startup
from mimic.control.config import remember as remember_config
from mimic.core import MimicCore, controlled_clock, declared_settings, discover_plugins, serves_in
from mimic.http import MimicRequest
from mimic.profiles import DEFAULT_PROFILE, PROFILES, Profile
from mimic.root import MimicRoot
from mimic.services.identity.plugin import IdentityService
from mimic.settings import BadSetting, parse_settings
from mimic.state_file import StateFileError, StateFileService, check_writable, read_state

DEFAULT_LISTEN = "tcp:8900:interface=127.0.0.1"

#: Seconds a connection may sit idle (no request started, or one stalled
#: half way through its request line, headers or body) before Mimic
#: closes it: what nginx and Apache give a client by default.  Counted
#: on the real clock, not Mimic's: it guards sockets, not the cloud's
#: simulated time, and does not run while a request is being answered.
DEFAULT_IDLE_TIMEOUT = 60.0

#: How many connections the kernel may queue before Mimic accepts them,
#: for listen descriptions that set none (Twisted's own default is 50,
#: short for a test suite opening connections in bursts); the kernel
#: caps it at ``net.core.somaxconn``.
DEFAULT_BACKLOG = 1024

#: Endpoint types whose strports descriptions take a ``backlog``.
_WITH_BACKLOG = ("tcp", "tcp6", "ssl", "unix")


class Options(usage.Options):
    synopsis = (
        "[-l <strports description>] [--realtime] [--verbose] "
        "[--idle-timeout <seconds>] [--backlog <connections>] [--set NAME=VALUE] "
        "[--state-file <path>] [--config <file.toml>] [--profile rackspace|openstack]"
    )
    longdesc = (
        "Serve a fake OpenStack and Rackspace cloud on one port.  "
        "Authenticate at /identity (v2.0 or v3)."
    )
    optParameters = [
        [
            "listen",
            "l",
            DEFAULT_LISTEN,
            "Where to listen, as a Twisted strports description "
            "(e.g. tcp:8900 to listen on every interface).",
        ],
        [
            "idle-timeout",
            None,
            DEFAULT_IDLE_TIMEOUT,
            "Close a connection idle for this many seconds (real time), "
            "including one that never finishes its request.",
            float,
        ],
        [
            "backlog",
            None,
            DEFAULT_BACKLOG,
            "Connections the kernel may queue for Mimic to accept, unless the "
            "--listen description sets its own backlog.",
            int,
        ],
        [
            "state-file",
            None,
            None,
            "Load Mimic's whole state from this file at start (if it exists) "
            "and save it there when Mimic stops cleanly.",
        ],
        [
            "profile",
            None,
            None,
            "Which cloud to be: " + "; ".join(f"{p.name} ({p.description})" for p in PROFILES.values())
            + f".  Default: {DEFAULT_PROFILE.name}, or the configuration file's profile.",
        ],
        [
            "config",
            None,
            None,
            "Read options, settings, services and conditions to register from "
            "a TOML file (see docs/operations/configuration.rst); the command "
            "line wins over it.",
        ],
    ]


    optFlags = [
        ["realtime", "r", "Use the real clock instead of one advanced by /mimic/v1.1/tick."],
        ["verbose", "v", "Log every request: its request id, status, tenant, user and the conditions that fired."],
    ]

    def __init__(self) -> None:
        super().__init__()
        self["settings"] = {}
        self.given = startup.watch_command_line(self)

    def opt_set(self, assignment: str) -> None:
        """
        Set a plugin's setting, NAME=VALUE (repeatable); e.g.
        objectstorage.max_bytes=4G.  The docs list every setting.
        """
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise usage.UsageError(f"--set takes NAME=VALUE, not {assignment!r}")
        self["settings"][name.strip()] = value.strip()

    def postOptions(self) -> None:
        plugins = discover_plugins()
        try:
            self.startup = startup.configure(
                self, self.given, plugins, declared_settings(plugins), IdentityService().failure_events()
            )
        except config.ConfigError as error:
            raise usage.UsageError(str(error))
        if self["profile"] is not None:
            if self["profile"] not in PROFILES:
                raise usage.UsageError(
                    f"--profile: no profile {self['profile']!r}; known profiles: {', '.join(PROFILES)}"
                )
            self.startup.profile = self["profile"]
            self.startup.profile_source = config.Source(config.COMMAND_LINE)
        profile = PROFILES[self.startup.profile]
        elsewhere = sorted(
            plugin.name
            for plugin in plugins
            if plugin.name in (self.startup.services or ()) and not serves_in(plugin, profile)
        )
        if elsewhere:
            raise usage.UsageError(
                f"{self.startup.path}: services: {', '.join(elsewhere)} not served under "
                f"the profile {profile.name!r}"
            )
        self["plugins"] = [
            plugin
            for plugin in config.enabled_plugins(plugins, self.startup.services, self.startup.disabled)
            if serves_in(plugin, profile)
        ]
        try:
            self.startup.cloud = cloud_config.customized(profile, self.startup.file, plugins, self["plugins"])
        except config.ConfigError as error:
            raise usage.UsageError(str(error))
        if not self["idle-timeout"] > 0:
            raise usage.UsageError("--idle-timeout must be a positive number of seconds.")
        if self["backlog"] < 1:
            raise usage.UsageError("--backlog must be at least 1.")
        try:
            parse_settings(self["settings"], declared_settings(plugins))
        except BadSetting as error:
            raise usage.UsageError(str(error))
        # A setting of a service this profile (or the file's services)
        # leaves out is no mistake, only read by nobody here: one file
        # then serves both profiles (the real-time file sets the load
        # balancers' times, which the openstack profile does not serve).
        served = {setting.name for setting in declared_settings(self["plugins"])}
        self["settings"] = {name: value for name, value in self["settings"].items() if name in served}
        self["state"] = None
        if self["state-file"] is not None:
            self["state"] = checked_state(
                self["state-file"], self["settings"], self["plugins"], self.startup.cloud
            )


def checked_state(
    path: str, settings: dict[str, str], plugins: list[Any], profile: Profile = DEFAULT_PROFILE
) -> dict[str, Any] | None:
    """
    The state saved in ``path`` (``None`` if there is none yet), once a
    Mimic with these settings has restored it once: so that a file that
    cannot be restored stops the start with one line
    (:class:`usage.UsageError`), before anything listens.
    """
    try:
        check_writable(path)
        saved = read_state(path)
    except StateFileError as error:
        raise usage.UsageError(str(error))
    if saved is None:
        return None
    trial = MimicCore.create(Clock(), plugins, settings=settings, profile=profile)
    MimicRoot(trial)
    try:
        snapshots.restore(trial, saved)
    except snapshots.BadState as error:
        raise usage.UsageError(f"cannot load the state file {path}: {error}")
    return saved


class QuietSite(Site):
    """
    A site that writes no access log of its own: with ``--verbose`` the
    request journal logs each request instead (:func:`mimic.journal.log_line`:
    method, path, status, service, tenant, user, the request id the
    response carried and the conditions that fired), and otherwise Mimic
    answers thousands of requests per test run and a log line each is a
    cost its users pay for nothing.
    """

    verbose = False

    def log(self, request: Any) -> None:
        pass


class MimicService(Service):
    """
    Listens where told and says where, with the port actually bound (the
    line integration tests read when they ask for port 0).
    """

    log = Logger()

    def __init__(self, description: str, site: Site, reactor: Any = None) -> None:
        self.description = description
        self.site = site
        self.reactor = reactor
        self.port: IListeningPort | None = None

    def startService(self) -> Any:
        from twisted.internet import endpoints

        if self.reactor is None:
            from twisted.internet import reactor

            self.reactor = reactor
        super().startService()
        endpoint = endpoints.serverFromString(self.reactor, self.description)
        listening = endpoint.listen(self.site)

        def listened(port: IListeningPort) -> None:
            self.port = port
            address = port.getHost()
            host = getattr(address, "host", "localhost")
            self.log.info(
                "Mimic is listening on http://{host}:{port}/",
                host=host,
                port=getattr(address, "port", ""),
            )

        def failed(failure: Any) -> None:
            self.log.failure("Mimic could not listen on {description}", failure, description=self.description)
            self.reactor.stop()

        listening.addCallbacks(listened, failed)
        return listening

    def stopService(self) -> Any:
        super().stopService()
        if self.port is not None:
            return self.port.stopListening()
        return None


def with_backlog(description: str, backlog: int) -> str:
    """
    A strports description with ``backlog`` added, for an endpoint type
    that takes one and a description that sets none.
    """
    kind = description.split(":", 1)[0].strip().lower()
    if kind not in _WITH_BACKLOG or "backlog=" in description:
        return description
    return f"{description}:backlog={backlog}"


def make_site(
    core: MimicCore, verbose: bool = False, idle_timeout: float = DEFAULT_IDLE_TIMEOUT
) -> Site:
    root = MimicRoot(core)
    try:
        # Every Mimic API takes JSON: parsing request bodies as HTML form
        # submissions (which Twisted does for every POST with a
        # Content-Type, through the email package) would only cost time.
        site = QuietSite(
            root,
            requestFactory=MimicRequest,
            parsePOSTFormSubmission=False,
            timeout=idle_timeout,
        )
    except TypeError:  # Twisted before 24.7 has no such option.
        site = QuietSite(root, requestFactory=MimicRequest, timeout=idle_timeout)
    site.verbose = core.journal.verbose = verbose
    site.displayTracebacks = False
    return site


def makeService(options: Options) -> Service:
    from twisted.internet import reactor

    clock: IReactorTime = reactor if options["realtime"] else controlled_clock()
    started = getattr(options, "startup", None) or startup.Startup()
    profile = started.cloud or PROFILES[started.profile]
    core = MimicCore.create(clock, options.get("plugins"), settings=options["settings"], profile=profile)
    core.failures.metadata_triggers = started.presets
    site = make_site(core, options["verbose"], options["idle-timeout"])
    path = options.get("state-file")
    saved = options.get("state") if path is not None else None
    if saved is not None:
        # The state file's registrations are those in force when Mimic
        # stopped, the configuration's among them: not registered twice.
        snapshots.restore(core, saved)
    else:
        startup.register_conditions(core.failures, started)
    in_effect = remember_config(core, options, started)
    if options["verbose"]:
        for line in startup.log_lines(in_effect):
            Logger().info("{line}", line=line)
    serving = MimicService(with_backlog(options["listen"], options["backlog"]), site, reactor)
    if path is None:
        return serving
    # Stopped in reverse order: the port closes, then the state is saved.
    both = MultiService()
    StateFileService(core, path).setServiceParent(both)
    serving.setServiceParent(both)
    return both
