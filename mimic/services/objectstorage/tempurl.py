# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Swift's temporary URLs: a URL that grants one method on one object (or
on every object under a prefix) until a time, signed with a key the
account or container holds, and fetched without a token.

The signature is an HMAC (SHA-1, SHA-256 or SHA-512: Swift tells which
by the signature's length, or by a ``sha512:`` prefix on a base64 one)
of ``METHOD\\nEXPIRES\\nPATH``.  A client signs the object's path as its
storage URL gives it: with Mimic that is either the whole path
(``/service/objectstorage/<region>/<tenant>/v1/<account>/...``, what
``swift tempurl`` signs when given a full URL) or the part from ``/v1/``
on (what it signs when given ``/v1/<account>/<container>/<object>``, as
against a real cluster); both are accepted.  Expiry is on Mimic's clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any, Callable, Iterable

from attrs import frozen

from mimic.timestamps import parse_iso

_DIGESTS = {40: hashlib.sha1, 64: hashlib.sha256, 128: hashlib.sha512}
_NAMED = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}

#: The methods a signature for each method opens: Swift lets a URL
#: signed for GET, PUT or HEAD also HEAD the object.
_OPENS = {
    "GET": ("GET", "HEAD"),
    "HEAD": ("HEAD",),
    "PUT": ("PUT", "HEAD"),
    "POST": ("POST",),
    "DELETE": ("DELETE",),
}


@frozen
class TempURL:
    signature: str
    expires: int
    prefix: str | None
    filename: str | None
    inline: bool


def parse(args: dict[bytes, list[bytes]]) -> TempURL | None:
    """
    The temporary URL a query carries, or ``None`` when it carries none
    or a malformed one (which Swift answers as unauthorised).
    """

    def arg(name: str) -> str | None:
        values = args.get(name.encode("ascii"))
        if not values:
            return None
        return values[0].decode("utf-8", "replace")

    signature = arg("temp_url_sig")
    raw_expires = arg("temp_url_expires")
    if signature is None or raw_expires is None:
        return None
    try:
        expires = int(raw_expires)
    except ValueError:
        parsed = parse_iso(raw_expires) if raw_expires else None
        if parsed is None:
            return None
        expires = int(parsed)
    return TempURL(
        signature=signature,
        expires=expires,
        prefix=arg("temp_url_prefix"),
        filename=arg("filename"),
        inline=arg("inline") is not None,
    )


def present(args: dict[bytes, list[bytes]]) -> bool:
    return b"temp_url_sig" in args and b"temp_url_expires" in args


def signature_digest(signature: str) -> tuple[bytes, Callable[..., Any]] | None:
    """
    A signature's bytes and the digest that made them (by its length in
    hex, or its ``sha256:`` prefix in base64), or ``None`` when it is no
    signature Swift reads; shared with :mod:`.formpost`.
    """
    return _signature_bytes(signature)


def _signature_bytes(signature: str) -> tuple[bytes, Callable[..., Any]] | None:
    algorithm, colon, encoded = signature.partition(":")
    if colon:
        digest = _NAMED.get(algorithm)
        if digest is None:
            return None
        try:
            padded = encoded + "=" * (-len(encoded) % 4)
            return base64.urlsafe_b64decode(padded), digest
        except (binascii.Error, ValueError):
            return None
    digest = _DIGESTS.get(len(signature))
    if digest is None:
        return None
    try:
        return bytes.fromhex(signature), digest
    except ValueError:
        return None


def valid(
    temp: TempURL,
    method: str,
    paths: Iterable[str],
    object_name: str,
    keys: Iterable[str],
    now: float,
) -> bool:
    """
    Whether ``temp`` grants ``method`` on the object at any of ``paths``
    (the request's path as signed: see the module's description) now,
    with any of ``keys``.
    """
    if temp.expires < now:
        return False
    decoded = _signature_bytes(temp.signature)
    if decoded is None:
        return False
    expected, digest = decoded
    if temp.prefix is not None and not object_name.startswith(temp.prefix):
        return False
    signed_methods = [m for m, opens in _OPENS.items() if method in opens]
    for path in paths:
        if temp.prefix is not None:
            base = path[: len(path) - len(object_name)]
            signed_path = f"prefix:{base}{temp.prefix}"
        else:
            signed_path = path
        for signed_method in signed_methods:
            body = f"{signed_method}\n{temp.expires}\n{signed_path}".encode("utf-8")
            for key in keys:
                mac = hmac.new(key.encode("utf-8"), body, digest).digest()
                if hmac.compare_digest(mac, expected):
                    return True
    return False
