# -*- test-case-name: mimic.test.test_journal -*-
"""
The request journal: what Mimic answered, kept so that a test suite can
ask afterwards what its code actually did ("exactly two DELETEs of this
server", "the retry came after the 503").

The root resource tells the journal when each request arrives
(:meth:`Journal.begin`, before anything renders it) and the request
tells it when it finishes; in between, the failure engine tells it of
each known condition that fires, which Twisted's one thread attributes
to the request being rendered.  Whatever answered, identity, a service,
the control API or nobody (a 404), the request is recorded.

Memory stays flat: the journal keeps the last ``journal.size`` records
(a :class:`collections.deque` with that bound), each with at most
``journal.body_limit`` bytes of each body.  Secrets never reach a record:
bodies are masked (:func:`mask_bytes`) before they are kept, and headers,
where tokens travel, are not kept at all.

The journal describes the run, not the cloud: resetting Mimic or
restoring a snapshot leaves it alone, and ``DELETE /mimic/v1.1/requests``
clears it.
"""

from __future__ import annotations

import re
import time
from collections import deque
from itertools import count
from typing import Any, Callable, Iterable, Iterator

# google-re2 ships no type information.
import re2  # type: ignore[import-untyped]
from attrs import define, field
from twisted.logger import Logger
from twisted.web.iweb import IRequest

from mimic.settings import Setting, byte_size

log = Logger()

#: The most records a journal may be told to keep.
MAX_SIZE = 1_000_000

#: The most of a body a record may be told to keep.
MAX_BODY_LIMIT = 1024 * 1024


def _size(text: str) -> int:
    value = int(text.strip())
    if not 0 <= value <= MAX_SIZE:
        raise ValueError(f"{text!r} is not a number of records from 0 to {MAX_SIZE}")
    return value


def _body_limit(text: str) -> int:
    value = byte_size(text)
    if value > MAX_BODY_LIMIT:
        raise ValueError(f"{text!r} is over the most a record keeps, {MAX_BODY_LIMIT} bytes (1M)")
    return value


JOURNAL_SETTINGS = (
    Setting(
        "journal.size",
        "How many requests the request journal (GET /mimic/v1.1/requests) keeps, "
        "the latest; 0 turns the journal off.",
        10_000,
        _size,
    ),
    Setting(
        "journal.body_limit",
        "How much of each request's and response's body a journal record keeps "
        "(bytes, or 4K, 1M...), secrets masked.",
        4096,
        _body_limit,
    ),
)

#: What a masked secret reads as.
MASK = "***"

#: Words that may mean a secret is near, in lower case: a body (or a
#: query) with none of them costs no more look (see :func:`_may_hold_secrets`).
_SECRET_HINTS = (
    b"pass", b"secret", b"token", b"apikey", b"api_key", b"privatekey", b"private_key", b"blob",
)

#: What follows a quoted key, and the scalar value after it (quoted,
#: perhaps cut short, or a number).  Masking works on bytes, whose
#: ASCII-only ``lower()`` keeps every position (Python's regular
#: expressions ignoring case cost a millisecond for a few kilobytes;
#: ``lower``, ``in`` and ``find`` do not).
_KEY_END = re.compile(rb'"\s*:\s*')
_SCALAR = re.compile(rb'"(?:[^"\\]|\\.)*"?|[-+0-9.eE]+')

#: A token object's id (``"token": {"expires": ..., "id": ...}``).
_TOKEN_ID = re.compile(rb'("token"\s*:\s*\{[^{}]*?"id"\s*:\s*)"(?:[^"\\]|\\.)*"?')

#: ``name=value`` pairs (form bodies, query strings) that carry a secret.
_PAIR_SECRET = re.compile(rb"\b([A-Za-z_\-]*(?:[Pp][Aa][Ss][Ss]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Aa][Pp][Ii]_?[Kk][Ee][Yy])[A-Za-z_\-]*=)[^&\s]*")

_MASKED = b'"' + MASK.encode() + b'"'
_QUOTED = re.compile(rb'"(?:[^"\\]|\\.)*"?')


def _hints() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    return re2.compile(b"|".join(_SECRET_HINTS), options)


#: :data:`_SECRET_HINTS` in any case, looked for in one pass (RE2's DFA:
#: twice as fast as looking for each word in turn, and Python's own
#: regular expressions ignoring case are twenty times slower).
_HINTS = _hints()


def _may_hold_secrets(data: bytes) -> bool:
    return _HINTS.search(data) is not None


def mask_bytes(data: bytes) -> bytes:
    """
    A body, or its first part, with secrets masked (itself when there
    are none): the scalar value (or
    the strings of the list) of each quoted key that names a secret, at
    any depth, a token object's id, and in text that is not JSON
    ``name=value`` secrets.  By pattern rather than by parsing, so that
    a body cut short, or one that is not JSON, is masked too, and a body
    with nothing to mask costs one pass of RE2's.
    """
    if b'"token"' in data:
        data = _TOKEN_ID.sub(lambda m: m.group(1) + _MASKED, data)
    pieces = []
    done = 0
    for word in _HINTS.finditer(data):
        start, end = word.span()
        if start < done:
            continue
        closing = data.find(b'"', end, end + 80)
        if closing < 0 or data.rfind(b'"', done, start) < 0:
            continue
        key_end = _KEY_END.match(data, closing)
        if key_end is None:
            # Not a key: a value, or a word in one.
            continue
        value = _SCALAR.match(data, key_end.end())
        if value is not None:
            pieces.append(data[done:key_end.end()])
            pieces.append(_MASKED)
            done = value.end()
        elif data[key_end.end():key_end.end() + 1] == b"[":
            # A list of secrets: each string in it (up to its end, or
            # the end of what is kept) is one.
            closing = data.find(b"]", key_end.end())
            stop = len(data) if closing < 0 else closing
            pieces.append(data[done:key_end.end()])
            pieces.append(_QUOTED.sub(_MASKED, data[key_end.end():stop]))
            done = stop
        # An object: what it holds is looked at in turn.
    if pieces:
        pieces.append(data[done:])
        data = b"".join(pieces)
    if data[:1] not in (b"{", b"[") and b"=" in data:
        data = _PAIR_SECRET.sub(lambda m: m.group(1) + MASK.encode(), data)
    return data


def mask_text(text: str) -> str:
    """
    :func:`mask_bytes` for text.
    """
    return mask_bytes(text.encode("utf-8", "surrogatepass")).decode("utf-8", "replace")


def mask_body(data: bytes, limit: int) -> str:
    """
    What a record keeps of a body: at most ``limit`` bytes of it as
    text, secrets masked (:func:`mask_bytes`).  Only what is kept is
    looked at, so masking costs a look at ``limit`` bytes at most,
    however long the body.
    """
    if not data or limit <= 0:
        return ""
    return mask_bytes(data[:limit]).decode("utf-8", "replace")


@define(slots=True)
class FiredCondition:
    """
    A known condition that fired while a request was being answered.
    ``registration_id`` is None when request metadata fired it.
    """

    service: str
    event: str
    condition: str
    registration_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "event": self.event,
            "condition": self.condition,
            "registration_id": self.registration_id,
        }


@define(slots=True)
class Record:
    """
    One request Mimic answered.  ``id`` numbers records in the order
    they were kept (so paging by it is stable); ``request_id`` is the
    ``X-OpenStack-Request-ID`` the response carried.  Made when the
    request arrives; the status, the response and the id are filled in
    when it finishes.
    """

    id: int
    request_id: str
    seconds: float
    real_seconds: float
    method: str
    path: str
    query: str
    service: str | None
    region: str | None
    tenant_id: str | None
    user: str | None
    status: int
    conditions: tuple[FiredCondition, ...]
    #: The first ``journal.body_limit`` bytes of each body, as they came:
    #: masked when the record is read (:attr:`request_body`), not when
    #: it is made, so that the many records nobody reads cost a slice
    #: rather than a scan.
    request_kept: bytes
    response_kept: bytes
    request_bytes: int
    response_bytes: int

    @property
    def request_body(self) -> str:
        """
        What is kept of the request's body, as text, secrets masked.
        """
        return _masked(self.request_kept)

    @property
    def response_body(self) -> str:
        """
        What is kept of the response's body, as text, secrets masked.
        """
        return _masked(self.response_kept)


def _masked(kept: bytes) -> str:
    # What was kept is already at most the body limit.
    return mask_body(kept, len(kept))


def _where(path: str) -> tuple[str | None, str | None, str | None]:
    """
    The service, region and tenant a path names:
    ``/service/<service>/<region>/<tenant>/...``, ``/identity/...``, or
    ``/mimic/...`` (the control API, ``"mimic"``).
    """
    parts = path.split("/", 5)
    first = parts[1] if len(parts) > 1 else ""
    if first == "service" and len(parts) > 2 and parts[2]:
        region = parts[3] if len(parts) > 3 and parts[3] else None
        tenant = parts[4] if len(parts) > 4 and parts[4] else None
        return parts[2], region, tenant
    if first == "identity":
        return "identity", None, None
    if first == "mimic":
        return "mimic", None, None
    return None, None, None


def _is_journal_own(path: str) -> bool:
    """
    Whether a request is for the journal itself (reading or clearing
    it): such requests are logged but not kept, so that asking twice
    gives the same answer and a cleared journal is empty.
    """
    return path.startswith("/mimic/v1.1/requests") and (
        len(path) == len("/mimic/v1.1/requests") or path[len("/mimic/v1.1/requests")] == "/"
    )


#: Finds the user a token names, without changing anything: the token
#: id (or None) to ``(username, tenant_id)``, or None.
TokenOwner = Callable[[str | None], "tuple[str, str | None] | None"]


@define
class Journal:
    """
    The last ``size`` requests answered, and what fired during each.
    With ``size`` 0 nothing is kept, and unless ``verbose`` nothing is
    recorded at all, so the journal costs nothing when off.
    """

    #: Not state a request's refusal must leave alone (the robustness
    #: probes' snapshots leave it out): it records the run.
    describes_the_run = True

    clock: Any
    token_owner: TokenOwner
    size: int = 10_000
    body_limit: int = 4096
    #: Log every record (``twistd mimic --verbose``).
    verbose: bool = False
    _records: deque[Record] = field(init=False)
    _ids: Iterator[int] = field(init=False, factory=lambda: count(1))
    _current: Record | None = field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        self._records = deque(maxlen=max(self.size, 1))

    @property
    def active(self) -> bool:
        return self.size > 0 or self.verbose

    def records(self) -> Iterable[Record]:
        """
        The records kept, oldest first.
        """
        if self.size <= 0:
            return ()
        return self._records

    def __len__(self) -> int:
        return len(self._records) if self.size > 0 else 0

    def clear(self) -> None:
        """
        Forget every record (their ids are not reused).
        """
        self._records.clear()

    def current_tenant(self) -> str | None:
        """
        The tenant of the request being answered, if any.
        """
        current = self._current
        return current.tenant_id if current is not None else None

    def place(self, service: str, region: str, tenant_id: str | None) -> None:
        """
        Say where the request being answered went, when its path alone
        does not (a service a profile mounts at the root: ``/compute/...``
        is compute's, for the token's tenant), so that filters by service
        find it.
        """
        current = self._current
        if current is not None:
            current.service, current.region = service, region
            if tenant_id:
                current.tenant_id = tenant_id

    # -- recording -------------------------------------------------------------

    def begin(self, request: IRequest) -> None:
        """
        A request has arrived (its body too) and is about to be answered:
        note what it is, and have it tell the journal when it finishes.
        """
        if not self.active:
            return
        path = request.path.decode("utf-8", "replace")
        keep = self.size > 0 and not _is_journal_own(path)
        if not keep and not self.verbose:
            return
        method = request.method.decode("ascii", "replace")
        uri = request.uri
        query = ""
        if b"?" in uri:
            raw_query = uri.split(b"?", 1)[1]
            query = raw_query.decode("utf-8", "replace")
            if _may_hold_secrets(raw_query):
                query = mask_text(query)
        service, region, tenant_id = _where(path)
        user = None
        token = request.getHeader(b"x-auth-token")
        if token:
            owner = self.token_owner(token.decode("utf-8", "replace"))
            if owner is not None:
                user, token_tenant = owner
                if tenant_id is None:
                    tenant_id = token_tenant
        request_body, request_bytes = self._request_body(request)
        record = Record(
            0, "", self.clock.seconds(), time.time(), method, path, query, service, region,
            tenant_id, user, 0, (), request_body, b"", request_bytes, 0,
        )
        self._current = record
        finish = request.finish
        write = request.write
        limit = self.body_limit
        kept: list[bytes] = []
        room = limit + 1

        def written(data: bytes) -> None:
            nonlocal room
            record.response_bytes += len(data)
            if room > 0 and data:
                piece = data[:room]
                kept.append(piece)
                room -= len(piece)
            write(data)

        def finished() -> None:
            try:
                self._finish(record, kept, keep, request)
            finally:
                finish()

        if limit > 0 and method != "HEAD":
            # (A HEAD's body is computed, then not sent: not kept either.)
            request.write = written  # type: ignore[method-assign]
        request.finish = finished  # type: ignore[method-assign]

    def _request_body(self, request: IRequest) -> tuple[bytes, int]:
        content = request.content
        if content is None or self.body_limit <= 0:
            return b"", 0
        try:
            position = content.tell()
            content.seek(0, 2)
            size = content.tell()
            if not size:
                content.seek(position)
                return b"", 0
            content.seek(0)
            data = content.read(self.body_limit)
            content.seek(position)
        except (OSError, ValueError, AttributeError):
            # Closed, or not a file: nothing is kept of it.
            return b"", 0
        return data, size

    def fired(self, service: str, event: str, condition: str, registration_id: str | None) -> None:
        """
        A known condition fired: it belongs to the request being answered.
        """
        current = self._current
        if current is not None:
            current.conditions += (FiredCondition(service, event, condition, registration_id),)

    def _authenticated(self, record: Record, request: IRequest, data: bytes) -> None:
        """
        An identity request that issued a token (v3's ``X-Subject-Token``,
        v2's ``access.token.id``): its user and tenant are the token's.
        """
        issued = request.responseHeaders.getRawHeaders(b"x-subject-token")
        token_id: bytes | None = issued[-1] if issued else None
        if token_id is None:
            found = _ISSUED_TOKEN.search(data)
            token_id = found.group(1) if found else None
        if token_id:
            owner = self.token_owner(token_id.decode("utf-8", "replace"))
            if owner is not None:
                record.user, tenant_id = owner
                record.tenant_id = record.tenant_id or tenant_id

    def _finish(self, record: Record, kept: list[bytes], keep: bool, request: IRequest) -> None:
        if self._current is record:
            self._current = None
        data = kept[0] if len(kept) == 1 else b"".join(kept)
        status = record.status = int(getattr(request, "code", 200))
        if record.user is None and record.service == "identity" and 200 <= status < 300:
            self._authenticated(record, request, data)
        record.request_id = _request_id(request)
        if data:
            record.response_kept = data[: self.body_limit]
        if keep:
            record.id = next(self._ids)
            self._records.append(record)
        if self.verbose:
            log.info(log_line(record))


#: The id of the token a v2 authentication answered with.
_ISSUED_TOKEN = re.compile(rb'"token"\s*:\s*\{[^{}]*?"id"\s*:\s*"([^"\\]{1,200})"')


def _request_id(request: IRequest) -> str:
    values = request.responseHeaders.getRawHeaders(b"x-openstack-request-id")
    return values[-1].decode("ascii", "replace") if values else ""


def log_line(record: Record) -> str:
    """
    One line for ``--verbose``: method, path, status, who, the request
    id and what fired.
    """
    query = f"?{record.query}" if record.query else ""
    fired = ",".join(
        f"{c.service}.{c.event}.{c.condition}" + (f"#{c.registration_id}" if c.registration_id else "")
        for c in record.conditions
    )
    return (
        f'"{record.method} {record.path}{query}" {record.status} '
        f"service={record.service or '-'} tenant={record.tenant_id or '-'} "
        f"user={record.user or '-'} {record.request_id or '-'}"
        + (f" fired={fired}" if fired else "")
    ).replace("{", "{{").replace("}", "}}")
