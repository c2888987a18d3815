# -*- test-case-name: mimic.test.test_process,mimic.test.test_pytest_plugin,mimic.test.test_root,mimic.test.test_testing_helpers -*-
"""
Mimic for test suites: in process, or as a managed ``twistd`` subprocess.

:class:`InMemoryMimic` is a whole Mimic (all discovered plugins, a
controlled clock) answering :mod:`treq.testing.StubTreq` requests with no
network, synchronously: fast and deterministic unit tests.

:class:`MimicProcess` starts a real ``twistd mimic`` on 127.0.0.1 on an
ephemeral port and tells you its URL, for driving Mimic with real client
libraries; :func:`start_mimic` does so for the length of one test, and
:func:`shared_mimic` once for a whole test run.

:class:`MimicControl` is the control API for a suite's assertions and
fixtures: what the suite asked of Mimic (:meth:`~MimicControl.assert_requested`,
from the request journal), which known error conditions it exercised
(:meth:`~MimicControl.coverage`, :meth:`~MimicControl.write_coverage`), and
snapshots to start each test from the same world
(:meth:`~MimicControl.restore_snapshot`).  :class:`MimicTestMixin` brings
them to trial and unittest test cases; :mod:`mimic.pytest_plugin` to
pytest.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse
from typing import Any, Iterable, Mapping

from twisted.internet.task import Clock
from twisted.web.resource import IResource

from mimic.command import coverage_problems
from mimic.command_views import coverage as coverage_table
from mimic.core import MimicCore, advance_clock
from mimic.interfaces import IAPIMock
from mimic.profiles import Profile
from mimic.remote import CONTROL, MimicAnswered, RemoteMimic, error_message, query_string
from mimic.root import MimicRoot

_LISTENING = re.compile(r"Mimic is listening on (http://\S+?)/?$")


class Response:
    """
    A response from :class:`InMemoryMimic`: status, headers and body.
    """

    def __init__(self, code: int, headers: Mapping[str, list[str]], body: bytes) -> None:
        self.code = code
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.code} {self.body[:200]!r}>"


class InMemoryMimic:
    """
    A Mimic answering in memory.  Requests complete before the call
    returns, so tests read like the HTTP exchanges they describe::

        mimic = InMemoryMimic()
        access = mimic.authenticate("alice")
        response = mimic.request("GET", url, token=access.token)
    """

    base = "http://mimic.test"

    def __init__(
        self,
        plugins: Iterable[IAPIMock] | None = None,
        clock: Clock | None = None,
        settings: Mapping[str, str] | None = None,
        profile: str | Profile = "rackspace",
    ) -> None:
        from treq.testing import StubTreq

        from mimic.profiles import PROFILES

        self.clock = clock if clock is not None else Clock()
        if clock is None:
            self.clock.advance(1_700_000_000)
        self.core = MimicCore.create(
            self.clock, plugins, settings=settings, profile=PROFILES[profile] if isinstance(profile, str) else profile
        )
        self.resource: IResource = MimicRoot(self.core)
        # StubTreq sets its methods (request, content...) at run time.
        self.treq: Any = StubTreq(self.resource)

    @classmethod
    def from_config(cls, path: str, *argv: str, clock: Clock | None = None) -> "InMemoryMimic":
        """
        A Mimic in memory as ``twistd mimic --config path`` would serve
        it: the file's profile and cloud (regions, flavors, images,
        quotas, catalog), services, settings and conditions.  ``argv``
        are more ``twistd mimic`` options, winning over the file's
        (``"--profile", "openstack"``); how to listen does not matter
        here.  A bad file raises :class:`twisted.python.usage.UsageError`
        with the line ``twistd mimic`` would stop with.
        """
        from mimic import startup, tap

        options = tap.Options()
        options.parseOptions(["--config", path, *argv])
        mimic = cls(options["plugins"], clock, options["settings"], profile=options.startup.cloud or options.startup.profile)
        startup.register_conditions(mimic.core.failures, options.startup)
        mimic.core.failures.metadata_triggers = options.startup.presets
        return mimic

    def request(
        self,
        method: str,
        path_or_url: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Response:
        """
        Send a request; ``body`` is sent as JSON, ``raw`` as given.
        """
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        sent_headers = {k.encode(): [v.encode()] for k, v in (headers or {}).items()}
        if token is not None:
            sent_headers[b"X-Auth-Token"] = [token.encode()]
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent_headers.setdefault(b"Content-Type", [b"application/json"])
        results: list[Any] = []
        d = self.treq.request(method, url, headers=sent_headers, data=data)
        d.addCallback(lambda r: self.treq.content(r).addCallback(lambda b: (r, b)))
        d.addBoth(results.append)
        self.treq.flush()
        if not results:
            raise AssertionError(f"{method} {url} did not complete")
        result = results[0]
        if not isinstance(result, tuple):
            result.raiseException()
        response, content = result
        headers_out = {
            name.decode().lower(): [v.decode() for v in values]
            for name, values in response.headers.getAllRawHeaders()
        }
        return Response(response.code, headers_out, content)

    def authenticate(
        self, username: str = "test-user", tenant_id: str | None = None, password: str = "secret"
    ) -> "Access":
        """
        Get a v2 token and catalog for ``username`` (any password will do,
        except for identity's administrator and users made through its
        API).
        """
        if "v2.0" not in self.core.profile.identity_versions:
            return self._authenticate_v3(username, tenant_id, password)
        auth: dict[str, Any] = {"passwordCredentials": {"username": username, "password": password}}
        if tenant_id is not None:
            auth["tenantId"] = tenant_id
        response = self.request("POST", "/identity/v2.0/tokens", {"auth": auth})
        if response.code != 200:
            raise AssertionError(f"authentication failed: {response!r}")
        return Access(response.json()["access"])

    def _authenticate_v3(self, username: str, tenant_id: str | None, password: str) -> "Access":
        """
        The same through Identity v3, for a profile that does not offer
        v2.0 (``openstack``): the project is ``tenant_id`` or the user's
        own, and the catalog is read into v2.0's shape.
        """
        user = {"name": username, "domain": {"id": "default"}, "password": password}
        auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": user}}}
        auth["scope"] = {
            "project": {"name": tenant_id or f"{username}-project", "domain": {"id": "default"}}
        }
        response = self.request("POST", "/identity/v3/auth/tokens", {"auth": auth})
        if response.code != 201:
            raise AssertionError(f"authentication failed: {response!r}")
        token = response.json()["token"]
        catalog = [
            {
                "type": entry["type"],
                "name": entry["name"],
                "endpoints": [
                    {"region": e["region"], "publicURL": e["url"]}
                    for e in entry["endpoints"]
                    if e["interface"] == "public"
                ],
            }
            for entry in token.get("catalog", [])
        ]
        access = {
            "token": {"id": response.header("x-subject-token"), "tenant": token["project"]},
            "serviceCatalog": catalog,
        }
        return Access(access, default_region=self.core.profile.regions[0])

    def tick(self, seconds: float) -> None:
        """
        Advance Mimic's clock, as ``POST /mimic/v1.1/tick`` does.
        """
        advance_clock(self.clock, seconds)


class Access:
    """
    What a v2 authentication returned: the token, the tenant, and the
    catalog's URLs.
    """

    def __init__(self, access: dict[str, Any], default_region: str = "ORD") -> None:
        self.access = access
        self.token: str = access["token"]["id"]
        self.tenant_id: str = access["token"]["tenant"]["id"]
        self.default_region = default_region

    def endpoint(self, service_type: str, region: str | None = None) -> str:
        """
        The public URL of a service type in a region (the profile's
        first, ``ORD`` for Rackspace's), from the catalog.
        """
        region = region or self.default_region
        for entry in self.access["serviceCatalog"]:
            if entry["type"] == service_type:
                for endpoint in entry["endpoints"]:
                    if endpoint.get("region") == region:
                        return endpoint["publicURL"]
        raise KeyError(f"no {service_type} endpoint in {region}")


def start_mimic(test_case: Any, *args: str) -> str:
    """
    Start a real Mimic for one trial (or unittest) test, stopped when the
    test ends, and return its base URL.  ``args`` are extra ``twistd
    mimic`` options, e.g. ``"--realtime"``.
    """
    process = MimicProcess(args)
    test_case.addCleanup(process.stop)
    return process.start()


class MimicProcess:
    """
    A real ``twistd -n mimic`` on 127.0.0.1 and an ephemeral port.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with MimicProcess() as mimic:
            auth_url = mimic.url + "/identity/v2.0"
    """

    def __init__(self, args: Iterable[str] = (), timeout: float = 30.0) -> None:
        self.args = list(args)
        self.timeout = timeout
        self.url: str | None = None
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []
        self._reader: threading.Thread | None = None

    def start(self) -> str:
        env = dict(os.environ)
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in [package_parent, env.get("PYTHONPATH", "")] if p
        )
        command = [
            sys.executable,
            "-c",
            "from twisted.scripts.twistd import run; run()",
            "--nodaemon",
            "--pidfile=",
            "mimic",
            "--listen",
            "tcp:0:interface=127.0.0.1",
            *self.args,
        ]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        found = threading.Event()

        def read() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                match = _LISTENING.search(line.rstrip())
                if match and self.url is None:
                    self.url = match.group(1)
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not found.wait(self.timeout) or self.url is None:
            self.stop()
            raise RuntimeError("Mimic did not start:\n" + "".join(self.output))
        return self.url

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            # The process has exited, so its output ends: let the reader
            # reach the end before the pipe is closed under it.
            self._reader.join(10)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> "MimicProcess":
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


_shared_processes: dict[tuple[str, ...], MimicProcess] = {}


def shared_mimic(*args: str) -> str:
    """
    The URL of a real Mimic shared by every caller in this process (one
    per distinct ``args``), started on first use and stopped when the
    interpreter exits: for trial suites, which have no session fixtures,
    to set up a world once and restore it before each test.
    """
    process = _shared_processes.get(args)
    if process is None or process.process is None or process.process.poll() is not None:
        process = MimicProcess(args)
        process.start()
        atexit.register(process.stop)
        _shared_processes[args] = process
    assert process.url is not None
    return process.url


#: The snapshot of a pristine Mimic's state as it started.
_PRISTINE = "mimic-testing-pristine"
#: Pristine Mimics, by their arguments: their own processes, not
#: :func:`shared_mimic`'s, whose users may have changed them before
#: their first snapshot.
_pristine_processes: dict[tuple[str, ...], MimicProcess] = {}


def pristine_mimic(*args: str) -> str:
    """
    The URL of a real Mimic for ``args`` shared by the tests of this
    process, put back as it was when it started, clock included (a
    snapshot taken then, restored now): a test gets a fresh cloud
    without paying a ``twistd`` start (two seconds) each time.  Only the
    request journal and fault coverage, which no snapshot holds, carry
    over from test to test.
    """
    process = _pristine_processes.get(args)
    if process is None or process.process is None or process.process.poll() is not None:
        process = MimicProcess(args)
        url = process.start()
        atexit.register(process.stop)
        _pristine_processes[args] = process
        _control_post(f"{url}/mimic/v1.1/snapshots", {"name": _PRISTINE, "replace": True})
    assert process.url is not None
    _control_post(f"{process.url}/mimic/v1.1/snapshots/{_PRISTINE}/restore", {})
    return process.url


def _control_post(url: str, body: Any) -> None:
    import urllib.request

    request = urllib.request.Request(
        url, json.dumps(body).encode("utf-8"), {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


class MimicControl:
    """
    The control API of one Mimic, for a test suite: a URL (a
    :class:`MimicProcess`'s, or any running Mimic's), a
    :class:`MimicProcess`, or an :class:`InMemoryMimic`.

    Every method raises :class:`mimic.remote.MimicAnswered` when Mimic
    answers with an error (its ``status`` and ``message`` say why), so a
    typo in a snapshot name fails the test that made it.
    """

    def __init__(self, mimic: "str | MimicProcess | InMemoryMimic", timeout: float = 30.0) -> None:
        self._in_memory: InMemoryMimic | None = None
        self._remote: RemoteMimic | None = None
        if isinstance(mimic, InMemoryMimic):
            self._in_memory = mimic
        else:
            url = mimic.url if isinstance(mimic, MimicProcess) else mimic
            if url is None:
                raise ValueError("the MimicProcess has not been started")
            self._remote = RemoteMimic(url, timeout)

    def call(self, method: str, path: str, body: Any = None, query: Mapping[str, Any] | None = None) -> Any:
        """
        One control API request (``path`` below ``/mimic/v1.1``); its JSON
        answer, or None for an empty one.
        """
        if self._remote is not None:
            return self._remote.json(method, path, body, query)
        assert self._in_memory is not None
        response = self._in_memory.request(method, CONTROL + path + query_string(query), body)
        if response.code >= 400:
            raise MimicAnswered(response.code, error_message(response.body), response.body)
        return response.json() if response.body else None

    # The request journal.

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """
        Recorded requests matching the journal's filters (``service``,
        ``tenant_id``, ``method``, ``path`` (a regular expression),
        ``status`` (``404`` or ``4xx``), ``condition``, ``since``,
        ``limit``, ``marker``).
        """
        return list(self.call("GET", "/requests", query=filters)["requests"])

    def count(self, **filters: Any) -> int:
        """
        How many recorded requests match the filters (as :meth:`requests`).
        """
        return int(self.call("GET", "/requests/count", query=filters)["count"])

    def clear_requests(self) -> None:
        self.call("DELETE", "/requests")

    def assert_requested(
        self, method: str, path_pattern: str, times: int | None = None, **filters: Any
    ) -> int:
        """
        Fail (``AssertionError``) unless Mimic recorded ``method``
        requests whose path matches ``path_pattern`` (the journal's
        regular expression match), exactly ``times`` of them, or at least
        one when ``times`` is None; other journal filters narrow it
        (``tenant_id=``, ``status="5xx"``, ``condition=``...).  Returns
        the count.  The message lists what was requested instead.
        """
        query = {**filters, "method": method.upper(), "path": path_pattern}
        found = self.count(**query)
        if (found >= 1) if times is None else (found == times):
            return found
        expected = "at least once" if times is None else f"exactly {times} time(s)"
        narrowed = "".join(f", {k}={v!r}" for k, v in filters.items())
        others = self.requests(**{**filters, "method": method.upper(), "limit": 20})
        seen = "\n".join(f"  {r.get('method')} {r.get('path')} -> {r.get('status')}" for r in others)
        raise AssertionError(
            f"expected {method.upper()} {path_pattern!r}{narrowed} {expected}; Mimic recorded {found}."
            + (f"\n{method.upper()} requests it recorded (first 20):\n{seen}" if seen else "")
        )

    # Fault coverage.

    def coverage(self) -> dict[str, Any]:
        """
        The fault-coverage report: per known condition, how often it was
        registered and fired (``GET /mimic/v1.1/failures/coverage``).
        """
        return dict(self.call("GET", "/failures/coverage"))

    def write_coverage(self, path: str, format: str | None = None) -> dict[str, Any]:
        """
        Save the coverage report for a CI job to keep: JSON, or with
        ``format="text"`` (the default for a path ending ``.txt``) a short
        table.  Returns the report.
        """
        report = self.coverage()
        if format is None:
            format = "text" if path.endswith(".txt") else "json"
        if format not in ("json", "text"):
            raise ValueError(f"format must be 'json' or 'text', not {format!r}")
        with open(path, "w", encoding="utf-8") as f:
            f.write(coverage_table(report) if format == "text" else json.dumps(report, indent=2) + "\n")
        return report

    def assert_fired(self, scope: str) -> None:
        """
        Fail unless every known condition of ``scope`` (a service, an
        event ``compute.server.create`` or a condition
        ``compute.server.create.fail``) fired at least once.
        """
        problems = coverage_problems(self.coverage(), [scope], False)
        if problems:
            raise AssertionError("known conditions not exercised:\n" + "\n".join(f"  {p}" for p in problems))

    # Snapshots.

    def save_snapshot(self, name: str) -> dict[str, Any]:
        return dict(self.call("POST", "/snapshots", {"name": name})["snapshot"])

    def restore_snapshot(self, name: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/snapshots/{urllib.parse.quote(name, safe='')}/restore"))

    def delete_snapshot(self, name: str) -> None:
        self.call("DELETE", f"/snapshots/{urllib.parse.quote(name, safe='')}")

    def snapshots(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/snapshots")["snapshots"])

    # Time, failures and reset.

    def tick(self, seconds: float | None = None, until: str | None = None) -> dict[str, Any]:
        """
        Move Mimic's clock by ``seconds``, or ``until="next"``/``"idle"``.
        """
        if (seconds is None) == (until is None):
            raise ValueError("give seconds or until, not both")
        return dict(self.call("POST", "/tick", {"amount": seconds} if until is None else {"until": until}))

    def fail(
        self,
        event_id: str,
        condition: str = "fail",
        parameters: Mapping[str, Any] | None = None,
        criteria: Any = None,
        times: int | None = None,
    ) -> dict[str, Any]:
        """
        Register a known error condition for ``event_id`` as the
        catalogue names it (``compute.server.create``); the registration.
        """
        service, _, event = event_id.partition(".")
        body: dict[str, Any] = {"name": condition}
        if parameters is not None:
            body["parameters"] = dict(parameters)
        if criteria is not None:
            body["criteria"] = criteria
        if times is not None:
            body["times"] = times
        quoted = urllib.parse.quote
        return dict(self.call("POST", f"/{quoted(service, safe='')}/behaviors/{quoted(event, safe='')}", body))

    def reset(self, tenant_id: str | None = None) -> None:
        self.call("POST", "/reset", {"tenant_id": tenant_id} if tenant_id else None)


def assert_requested(
    mimic: "str | MimicProcess | InMemoryMimic | MimicControl",
    method: str,
    path_pattern: str,
    times: int | None = None,
    **filters: Any,
) -> int:
    """
    :meth:`MimicControl.assert_requested` for the Mimic given (a URL, a
    process, an in-memory Mimic or a :class:`MimicControl`).
    """
    control = mimic if isinstance(mimic, MimicControl) else MimicControl(mimic)
    return control.assert_requested(method, path_pattern, times, **filters)


def write_coverage_at_exit(control: MimicControl, path: str, format: str | None = None) -> None:
    """
    Write the coverage report when the interpreter exits (the end of a
    trial run).  Call it after the Mimic was started (with
    :func:`shared_mimic`): exit handlers run last-registered first, so the
    report is written while that Mimic still runs.
    """

    def write() -> None:
        try:
            control.write_coverage(path, format)
        except Exception as e:  # the run is over; say why, do not hide the suite's result
            sys.stderr.write(f"mimic: could not write the fault-coverage report to {path}: {e}\n")

    atexit.register(write)


class MimicTestMixin:
    """
    For trial (and unittest) test cases sharing one Mimic: set
    ``mimic_control`` (a :class:`MimicControl`) and optionally
    ``mimic_snapshot`` (a snapshot name) on the class; each test starts
    from that snapshot, restored in ``setUp``::

        class NegativePathTests(MimicTestMixin, TestCase):
            mimic_control = MimicControl(shared_mimic())
            mimic_snapshot = "world"
    """

    mimic_control: MimicControl
    mimic_snapshot: str | None = None

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        if self.mimic_snapshot is not None:
            self.mimic_control.restore_snapshot(self.mimic_snapshot)

    def assertRequested(self, method: str, path_pattern: str, times: int | None = None, **filters: Any) -> int:
        return self.mimic_control.assert_requested(method, path_pattern, times, **filters)
