# -*- test-case-name: mimic.test.test_tap -*-
"""
``twistd mimic``: command-line options and the service that serves Mimic.
"""

from __future__ import annotations

from typing import Any

from twisted.application.service import Service
from twisted.internet.interfaces import IListeningPort, IReactorTime
from twisted.logger import Logger
from twisted.python import usage
from twisted.web.server import Site

from mimic.core import MimicCore, controlled_clock, declared_settings, discover_plugins
from mimic.http import MimicRequest
from mimic.root import MimicRoot
from mimic.settings import BadSetting, parse_settings

DEFAULT_LISTEN = "tcp:8900:interface=127.0.0.1"


class Options(usage.Options):
    synopsis = "[-l <strports description>] [--realtime] [--verbose]"
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
    ]
    optFlags = [
        ["realtime", "r", "Use the real clock instead of one advanced by /mimic/v1.1/tick."],
        ["verbose", "v", "Log every request."],
    ]

    def __init__(self) -> None:
        super().__init__()
        self["settings"] = {}

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
        try:
            parse_settings(self["settings"], declared_settings(discover_plugins()))
        except BadSetting as error:
            raise usage.UsageError(str(error))


class QuietSite(Site):
    """
    A site that writes no access log unless asked to: Mimic answers
    thousands of requests per test run and a log line each is a cost its
    users pay for nothing.
    """

    verbose = False

    def log(self, request: Any) -> None:
        if self.verbose:
            super().log(request)


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


def make_site(core: MimicCore, verbose: bool = False) -> Site:
    root = MimicRoot(core)
    try:
        # Every Mimic API takes JSON: parsing request bodies as HTML form
        # submissions (which Twisted does for every POST with a
        # Content-Type, through the email package) would only cost time.
        site = QuietSite(root, requestFactory=MimicRequest, parsePOSTFormSubmission=False)
    except TypeError:  # Twisted before 24.7 has no such option.
        site = QuietSite(root, requestFactory=MimicRequest)
    site.verbose = verbose
    site.displayTracebacks = False
    return site


def makeService(options: Options) -> Service:
    from twisted.internet import reactor

    clock: IReactorTime = reactor if options["realtime"] else controlled_clock()
    core = MimicCore.create(clock, settings=options["settings"])
    return MimicService(options["listen"], make_site(core, options["verbose"]), reactor)
