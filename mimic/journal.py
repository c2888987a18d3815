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
bodies are masked (:func:`mask_body`) before they are kept, and headers,
where tokens travel, are not kept at all.

The journal describes the run, not the cloud: resetting Mimic or
restoring a snapshot leaves it alone, and ``DELETE /mimic/v1.1/requests``
clears it.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from itertools import count
from typing import Any, Callable, Iterable, Iterator

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

#: Keys (lower case, without ``_``, ``-`` and ``:``) whose scalar values
#: are secrets wherever they appear.
_SECRET_KEYS = frozenset({
    "token", "tokenid", "xauthtoken", "xsubjecttoken", "authtoken", "adminpass",
    "apikey", "privatekey", "passcode", "blob",
})

#: Parts of a key that make its value a secret (``password``,
#: ``originalPassword``, ``client_secret``, ``RAX-KSKEY:apiKeyCredentials``).
_SECRET_PARTS = ("password", "secret", "apikey")

#: Words that may mean a secret is near, in lower case: a body (or a
#: query) with none of them costs no more look (see :func:`_may_hold_secrets`).
_SECRET_HINTS = (b"pass", b"secret", b"token", b"key", b"blob")

#: Words in a key that make its value a secret, in lower case, for
#: bodies that are not JSON or are cut short (see :func:`mask_text`).
_SECRET_WORDS = ("pass", "secret", "token", "apikey", "api_key", "privatekey", "private_key", "blob")

#: Lowers ASCII letters only, so that positions in the lowered text are
#: positions in the text (Python's regular expressions ignoring case
#: cost a millisecond for a few kilobytes; ``in`` and ``find`` do not).
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

#: What follows a quoted key, and the scalar value after it (quoted,
#: perhaps cut short, or a number).
_KEY_END = re.compile(r'"\s*:\s*')
_SCALAR = re.compile(r'"(?:[^"\\]|\\.)*"?|[-+0-9.eE]+')

#: A token object's id (``"token": {"expires": ..., "id": ...}``).
_TOKEN_ID = re.compile(r'("token"\s*:\s*\{[^{}]*?"id"\s*:\s*)"(?:[^"\\]|\\.)*"?')

#: ``name=value`` pairs (form bodies, query strings) that carry a secret.
_PAIR_SECRET = re.compile(r"(?i)\b([a-z_\-]*(?:pass|secret|token|api_?key)[a-z_\-]*=)[^&\s]*")

#: Bodies up to this size are parsed as JSON for masking; a longer one
#: (an upload, say) is masked by pattern in what is kept of it.
_PARSE_LIMIT = 256 * 1024


def _normal_key(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "").replace(":", "")


def _secret_key(key: str) -> bool:
    normal = _normal_key(key)
    return normal in _SECRET_KEYS or any(part in normal for part in _SECRET_PARTS)


def _mask(value: Any, parent: str = "") -> Any:
    """
    ``value`` with every scalar under a secret-naming key replaced by
    :data:`MASK`, and a token object's ``id``.
    """
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            key_text = str(key)
            secret = _secret_key(key_text) or (
                key_text == "id" and _normal_key(parent) == "token"
            )
            if secret and not isinstance(item, (dict, list)) and item is not None:
                masked[key] = MASK
            else:
                masked[key] = _mask(item, key_text)
        return masked
    if isinstance(value, list):
        return [_mask(item, parent) for item in value]
    return value


def _may_hold_secrets(data: bytes) -> bool:
    lowered = data.lower()
    return any(hint in lowered for hint in _SECRET_HINTS)


def _secret_words(text: str) -> list[tuple[int, int]]:
    """
    Where each of :data:`_SECRET_WORDS` stands in ``text``, any case, in
    order.
    """
    lowered = text.translate(_ASCII_LOWER)
    found = []
    for word in _SECRET_WORDS:
        start = lowered.find(word)
        while start >= 0:
            found.append((start, start + len(word)))
            start = lowered.find(word, start + 1)
    found.sort()
    return found


def mask_text(text: str) -> str:
    """
    A body that is not JSON, or its first part: the scalar value of each
    quoted key that names a secret, a token object's id, and (in text
    that is not JSON) ``name=value`` secrets masked.
    """
    if '"token"' in text:
        text = _TOKEN_ID.sub(lambda m: f'{m.group(1)}"{MASK}"', text)
    pieces = []
    done = 0
    for start, end in _secret_words(text):
        if start < done:
            continue
        opening = text.rfind('"', done, start)
        closing = text.find('"', end, end + 80)
        if opening < 0 or closing < 0:
            continue
        key_end = _KEY_END.match(text, closing)
        if key_end is None:
            # Not a key: a value, or a word in one.
            continue
        value = _SCALAR.match(text, key_end.end())
        if value is None:
            # An object or a list: what it holds is looked at in turn.
            continue
        pieces.append(text[done:key_end.end()])
        pieces.append(f'"{MASK}"')
        done = value.end()
    pieces.append(text[done:])
    text = "".join(pieces)
    if text[:1] not in ("{", "[") and "=" in text:
        text = _PAIR_SECRET.sub(lambda m: m.group(1) + MASK, text)
    return text


def mask_body(data: bytes, complete: bool, limit: int) -> str:
    """
    What a record keeps of a body: at most ``limit`` bytes of it as
    text, secrets masked.  ``complete`` says whether ``data`` is the
    whole body (only then can it be parsed as JSON).
    """
    if not data or limit <= 0:
        return ""
    if not _may_hold_secrets(data):
        return data[:limit].decode("utf-8", "replace")
    if complete and len(data) <= _PARSE_LIMIT:
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            pass
        else:
            if isinstance(parsed, (dict, list)):
                text = json.dumps(_mask(parsed), separators=(",", ":"), ensure_ascii=False)
                encoded = text.encode("utf-8", "replace")
                return encoded[:limit].decode("utf-8", "replace")
    return mask_text(data[:limit].decode("utf-8", "replace"))


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
    ``X-OpenStack-Request-ID`` the response carried.
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
    conditions: list[FiredCondition]
    request_body: str
    response_body: str
    request_bytes: int
    response_bytes: int


@define(slots=True)
class _Pending:
    """
    A request being answered: what is known of it before it finishes.
    """

    seconds: float
    real_seconds: float
    method: str
    path: str
    query: str
    service: str | None
    region: str | None
    tenant_id: str | None
    user: str | None
    request_body: str
    request_bytes: int
    keep: bool
    conditions: list[FiredCondition] = field(factory=list)
    response: list[bytes] = field(factory=list)
    response_kept: int = 0
    response_bytes: int = 0


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
    _current: _Pending | None = field(init=False, default=None)

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

    # -- recording -------------------------------------------------------------

    def begin(self, request: IRequest) -> None:
        """
        A request has arrived (its body too) and is about to be answered:
        note what it is, and have it tell the journal when it finishes.
        """
        if not self.active:
            return
        method = request.method.decode("ascii", "replace")
        path = request.path.decode("utf-8", "replace")
        keep = self.size > 0 and not _is_journal_own(path)
        if not keep and not self.verbose:
            return
        uri = request.uri
        query = uri.split(b"?", 1)[1].decode("utf-8", "replace") if b"?" in uri else ""
        if query and _may_hold_secrets(query.encode("utf-8", "replace")):
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
        pending = _Pending(
            seconds=self.clock.seconds(),
            real_seconds=time.time(),
            method=method,
            path=path,
            query=query,
            service=service,
            region=region,
            tenant_id=tenant_id,
            user=user,
            request_body=request_body,
            request_bytes=request_bytes,
            keep=keep,
        )
        self._current = pending
        finish = request.finish
        write = request.write

        def written(data: bytes) -> None:
            pending.response_bytes += len(data)
            room = self.body_limit + 1 - pending.response_kept
            if room > 0 and data:
                piece = data[:room]
                pending.response.append(piece)
                pending.response_kept += len(piece)
            write(data)

        def finished() -> None:
            try:
                self._finish(pending, request)
            finally:
                finish()

        if self.body_limit > 0:
            request.write = written  # type: ignore[method-assign]
        request.finish = finished  # type: ignore[method-assign]

    def _request_body(self, request: IRequest) -> tuple[str, int]:
        content = request.content
        if content is None or self.body_limit <= 0:
            return "", 0
        try:
            position = content.tell()
            content.seek(0, 2)
            size = content.tell()
            if not size:
                content.seek(position)
                return "", 0
            content.seek(0)
            data = content.read(max(self.body_limit, min(size, _PARSE_LIMIT)))
            content.seek(position)
        except (OSError, ValueError, AttributeError):
            # Closed, or not a file: nothing is kept of it.
            return "", 0
        return mask_body(data, len(data) == size, self.body_limit), size

    def fired(self, service: str, event: str, condition: str, registration_id: str | None) -> None:
        """
        A known condition fired: it belongs to the request being answered.
        """
        current = self._current
        if current is not None:
            current.conditions.append(FiredCondition(service, event, condition, registration_id))

    def _authenticated(self, pending: _Pending, request: IRequest, data: bytes) -> None:
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
                pending.user, tenant_id = owner
                pending.tenant_id = pending.tenant_id or tenant_id

    def _finish(self, pending: _Pending, request: IRequest) -> None:
        if self._current is pending:
            self._current = None
        data = b"".join(pending.response)
        status = int(getattr(request, "code", 200))
        if pending.user is None and pending.service == "identity" and 200 <= status < 300:
            self._authenticated(pending, request, data)
        record = Record(
            id=0,
            request_id=_request_id(request),
            seconds=pending.seconds,
            real_seconds=pending.real_seconds,
            method=pending.method,
            path=pending.path,
            query=pending.query,
            service=pending.service,
            region=pending.region,
            tenant_id=pending.tenant_id,
            user=pending.user,
            status=status,
            conditions=pending.conditions,
            request_body=pending.request_body,
            response_body=mask_body(
                data, len(data) == pending.response_bytes, self.body_limit
            ),
            request_bytes=pending.request_bytes,
            response_bytes=pending.response_bytes,
        )
        if pending.keep:
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
