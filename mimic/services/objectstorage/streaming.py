# -*- test-case-name: mimic.test.test_objectstorage_model, mimic.test.test_objectstorage_routes -*-
"""
Writing an object's bytes to the client without copying them: the body
(one object's data, or a large object's segments one after the other) is
read through a file-like view and handed to Twisted's static producers,
which write it a buffer at a time as the transport asks for more.  A
large download therefore costs the object's own memory and a buffer, not
a second copy.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

from twisted.web.iweb import IRequest
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET
from twisted.web.static import (
    MultipleRangeStaticProducer,
    NoRangeStaticProducer,
    SingleRangeStaticProducer,
)

#: Bodies up to this size are written in one go: a producer costs more
#: than it saves for them.
SMALL_BODY = 256 * 1024


class JoinedReader:
    """
    A read-only, seekable file over byte strings laid end to end.
    """

    def __init__(self, parts: Sequence[bytes]) -> None:
        self._parts = [memoryview(part) for part in parts if part]
        self._starts: list[int] = []
        total = 0
        for part in self._parts:
            self._starts.append(total)
            total += len(part)
        self.length = total
        self._position = 0

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._position
        elif whence == os.SEEK_END:
            offset += self.length
        self._position = max(0, min(offset, self.length))
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self.length - self._position
        chunks = []
        wanted = min(size, self.length - self._position)
        while wanted > 0:
            index = self._part_at(self._position)
            part = self._parts[index]
            offset = self._position - self._starts[index]
            chunk = part[offset : offset + wanted]
            chunks.append(chunk)
            self._position += len(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        """
        Let go of the bytes: a producer closes its file when the body is
        written (or the client went away), and whatever still holds this
        reader afterwards (a finished request, a kept-alive connection)
        must not keep a deleted object's bytes alive.
        """
        for part in self._parts:
            part.release()
        self._parts = []
        self._starts = []

    def _part_at(self, position: int) -> int:
        low, high = 0, len(self._starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._starts[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low


class Download(Resource):
    """
    The body of a GET: the whole of ``reader``, one range of it, or
    several as ``multipart/byteranges``.  Status and headers are set
    before; this writes the bytes.
    """

    isLeaf = True

    def __init__(
        self,
        reader: JoinedReader,
        ranges: list[tuple[int, int]] | None = None,
        boundary: bytes = b"",
        content_type: bytes = b"",
    ) -> None:
        super().__init__()
        self.reader = reader
        self.ranges = ranges
        self.boundary = boundary
        self.content_type = content_type

    def render(self, request: IRequest) -> Any:
        if request.method == b"HEAD":
            return b""
        if self.length() <= SMALL_BODY:
            body = self.small_body()
            self.reader.close()
            return body
        ranges = self.ranges
        if not ranges:
            NoRangeStaticProducer(request, self.reader).start()
        elif len(ranges) == 1:
            start, end = ranges[0]
            SingleRangeStaticProducer(request, self.reader, start, end - start).start()
        else:
            MultipleRangeStaticProducer(request, self.reader, self.parts(ranges)).start()
        return NOT_DONE_YET

    def small_body(self) -> bytes:
        """
        The whole body at once, for a small one.
        """
        if not self.ranges:
            self.reader.seek(0)
            return self.reader.read()
        if len(self.ranges) == 1:
            start, end = self.ranges[0]
            self.reader.seek(start)
            return self.reader.read(end - start)
        chunks = []
        for separator, offset, size in self.parts(self.ranges):
            chunks.append(separator)
            self.reader.seek(offset)
            chunks.append(self.reader.read(size))
        return b"".join(chunks)

    def parts(self, ranges: list[tuple[int, int]]) -> list[tuple[bytes, int, int]]:
        """
        Twisted's description of a multipart/byteranges body: each part's
        separator and headers, offset and size, then the closing
        boundary.
        """
        described = []
        for start, end in ranges:
            separator = (
                b"\r\n--" + self.boundary + b"\r\n"
                b"Content-Type: " + self.content_type + b"\r\n"
                b"Content-Range: bytes %d-%d/%d\r\n\r\n" % (start, end - 1, self.reader.length)
            )
            described.append((separator, start, end - start))
        described.append((b"\r\n--" + self.boundary + b"--\r\n", 0, 0))
        return described

    def length(self) -> int:
        """
        How many bytes :meth:`render` writes for a GET.
        """
        if not self.ranges:
            return self.reader.length
        if len(self.ranges) == 1:
            start, end = self.ranges[0]
            return end - start
        return sum(len(separator) + size for separator, _, size in self.parts(self.ranges))
