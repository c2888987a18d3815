# -*- test-case-name: mimic.test.test_process,mimic.test.test_pytest_plugin,mimic.test.test_root -*-
"""
Mimic for test suites: in process, or as a managed ``twistd`` subprocess.

:class:`InMemoryMimic` is a whole Mimic (all discovered plugins, a
controlled clock) answering :mod:`treq.testing.StubTreq` requests with no
network, synchronously: fast and deterministic unit tests.

:class:`MimicProcess` starts a real ``twistd mimic`` on 127.0.0.1 on an
ephemeral port and tells you its URL, for driving Mimic with real client
libraries; :func:`start_mimic` does so for the length of one test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from typing import Any, Iterable, Mapping

from twisted.internet.task import Clock
from twisted.web.resource import IResource

from mimic.core import MimicCore, advance_clock
from mimic.interfaces import IAPIMock
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
    ) -> None:
        from treq.testing import StubTreq

        self.clock = clock if clock is not None else Clock()
        if clock is None:
            self.clock.advance(1_700_000_000)
        self.core = MimicCore.create(self.clock, plugins, settings=settings)
        self.resource: IResource = MimicRoot(self.core)
        # StubTreq sets its methods (request, content...) at run time.
        self.treq: Any = StubTreq(self.resource)

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
        auth: dict[str, Any] = {"passwordCredentials": {"username": username, "password": password}}
        if tenant_id is not None:
            auth["tenantId"] = tenant_id
        response = self.request("POST", "/identity/v2.0/tokens", {"auth": auth})
        if response.code != 200:
            raise AssertionError(f"authentication failed: {response!r}")
        return Access(response.json()["access"])

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

    def __init__(self, access: dict[str, Any]) -> None:
        self.access = access
        self.token: str = access["token"]["id"]
        self.tenant_id: str = access["token"]["tenant"]["id"]

    def endpoint(self, service_type: str, region: str = "ORD") -> str:
        """
        The public URL of a service type in a region, from the catalog.
        """
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
