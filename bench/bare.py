# -*- test-case-name: mimic.test.test_bench -*-
"""
The physical limit for the object-storage rows: a bare ``twisted.web``
site, no Mimic, serving and taking the same bytes on the same machine.

``bench/run.py`` starts it (pinned to the server's CPU) and drives it with
the same load generator as Mimic's 100 MB GET and PUT, so that Mimic's
MB/s can be read against what Twisted's HTTP alone reaches here.

- ``GET /bytes``: the whole body returned from ``render`` at once (one
  ``transport.write``), the fastest twisted.web sends it.
- ``GET /producer``: the same bytes through Twisted's
  ``NoRangeStaticProducer`` (64 KiB at a time, with back-pressure), as
  ``twisted.web.static.File`` and Mimic's object downloads send them.
- ``PUT /sink``: the body received as ``twisted.web`` receives any body
  (spooled to a temporary file past 100 kB), then read back into one
  ``bytes`` and kept in place of the previous one, as a store in memory
  must: 201.
- ``PUT /md5``: the same, and the MD5 a Swift ``ETag`` needs.
- ``PUT /stream``: what an upload that is not buffered twice costs: no
  temporary file; each chunk is copied once, as it arrives, into a
  buffer of the request's ``Content-Length`` (kept as it is) and added
  to the MD5 then.
- ``DELETE /sink`` and ``DELETE /md5``: drop what was kept, 204.

Usage::

    python bench/bare.py PORT SIZE
"""

from __future__ import annotations

import hashlib
import io
import sys
from typing import Any

from twisted.internet import reactor
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request, Site
from twisted.web.static import NoRangeStaticProducer


def pattern(size: int) -> bytes:
    block = bytes(range(256)) * 4096
    whole, rest = divmod(size, len(block))
    return block * whole + block[:rest]


class Whole(Resource):
    isLeaf = True

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def render_GET(self, request: Any) -> bytes:
        request.setHeader(b"content-type", b"application/octet-stream")
        return self.data


class Produced(Whole):
    def render_GET(self, request: Any) -> Any:
        request.setHeader(b"content-type", b"application/octet-stream")
        request.setHeader(b"content-length", b"%d" % len(self.data))
        NoRangeStaticProducer(request, io.BytesIO(self.data)).start()
        return NOT_DONE_YET


class Preallocated:
    """
    A request's ``content`` that fills a buffer of the body's length as
    chunks arrive and keeps their MD5 going.
    """

    def __init__(self, length: int) -> None:
        self.buffer = bytearray(length)
        self._view = memoryview(self.buffer)
        self._position = 0
        self.md5 = hashlib.md5(usedforsecurity=False)

    def write(self, data: bytes) -> None:
        end = self._position + len(data)
        self._view[self._position : end] = data
        self._position = end
        self.md5.update(data)

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def read(self) -> bytes:
        return b""

    def close(self) -> None:
        self._view.release()


class BareRequest(Request):
    """
    Twisted's request, except that a body for ``/stream`` goes into a
    :class:`Preallocated` buffer instead of a temporary file.
    """

    def gotLength(self, length: int | None) -> None:
        path = getattr(self.channel, "_path", b"")
        if length is not None and isinstance(path, bytes) and path.startswith(b"/stream"):
            self.content = Preallocated(length)
        else:
            super().gotLength(length)


class Streamed(Resource):
    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.kept: bytearray | None = None

    def render_PUT(self, request: Any) -> bytes:
        content = request.content
        if not isinstance(content, Preallocated):
            request.setResponseCode(411)
            return b""
        self.kept = content.buffer
        request.setResponseCode(201)
        request.setHeader(b"etag", content.md5.hexdigest().encode("ascii"))
        request.setHeader(b"content-length", b"0")
        return b""


class Sink(Resource):
    isLeaf = True

    def __init__(self, digest: bool) -> None:
        super().__init__()
        self.digest = digest
        self.kept: bytes | None = None

    def render_PUT(self, request: Any) -> bytes:
        request.content.seek(0)
        data = request.content.read()
        etag = hashlib.md5(data, usedforsecurity=False).hexdigest() if self.digest else ""
        self.kept = data
        request.setResponseCode(201)
        request.setHeader(b"etag", etag.encode("ascii"))
        request.setHeader(b"content-length", b"0")
        return b""

    def render_DELETE(self, request: Any) -> bytes:
        self.kept = None
        request.setResponseCode(204)
        return b""


def site(size: int) -> Site:
    data = pattern(size)
    root = Resource()
    root.putChild(b"bytes", Whole(data))
    root.putChild(b"producer", Produced(data))
    root.putChild(b"sink", Sink(digest=False))
    root.putChild(b"md5", Sink(digest=True))
    root.putChild(b"stream", Streamed())
    result = Site(root)
    result.requestFactory = BareRequest
    return result


def main(argv: list[str]) -> None:
    port, size = int(argv[0]), int(argv[1])
    reactor.listenTCP(port, site(size), interface="127.0.0.1")  # type: ignore[arg-type]
    reactor.run()


if __name__ == "__main__":
    main(sys.argv[1:])
