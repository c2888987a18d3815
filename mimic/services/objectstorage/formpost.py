# -*- test-case-name: mimic.test.test_objectstorage_profiles -*-
"""
Swift's ``formpost`` middleware, which DevStack's proxy runs: a browser
uploads files straight into a container with an HTML form, no token, the
form signed with a key the account or container holds (as for temporary
URLs).

The form is ``POST``-ed as ``multipart/form-data`` to
``.../v1/<account>/<container>[/<prefix>]``.  Its fields before each
file say where it may go: ``redirect``, ``max_file_size``,
``max_file_count``, ``expires`` (a Unix time, on Mimic's clock) and
``signature``, an HMAC of ``PATH\\nREDIRECT\\nMAX_FILE_SIZE\\n
MAX_FILE_COUNT\\nEXPIRES``.  Each file becomes the object ``<prefix>``
followed by its file name.  The answer is a line of plain text (``201
Created``), or a 303 to ``redirect`` with the status and message in its
query; a form that has expired or is signed wrongly is 401 (``FormPost:
Form Expired``, ``FormPost: Invalid Signature``), one that is malformed
400.
"""

from __future__ import annotations

import hmac
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Iterable, Iterator

from attrs import frozen

from mimic.services.objectstorage.tempurl import signature_digest


class FormRefused(Exception):
    """
    The middleware refuses the form: the status and its message.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message)
        self.status = status
        self.message = message


@frozen
class FormFile:
    """
    One file of a form, with the fields that came before it.
    """

    attributes: dict[str, str]
    filename: str
    content_type: str | None
    data: bytes


def is_form(content_type: str | None) -> bool:
    """
    Whether a ``POST`` is a form upload (``formpost`` takes it before
    authentication does).
    """
    if not content_type:
        return False
    kind, _, params = content_type.partition(";")
    return kind.strip().lower() == "multipart/form-data" and "boundary=" in params.lower()


def form_files(content_type: str, body: bytes) -> Iterator[FormFile]:
    """
    The files of a form, in order, each with the fields before it.
    """
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise FormRefused(400, "FormPost: invalid starting boundary")
    attributes: dict[str, str] = {}
    parts: Iterable[Message] = message.iter_parts() if hasattr(message, "iter_parts") else ()
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if filename is not None:
            yield FormFile(dict(attributes), filename, part.get("content-type"), data)
        elif isinstance(name, str):
            attributes[name.lower()] = data.decode("utf-8", "replace")


def check(form: FormFile, paths: Iterable[str], keys: Iterable[str], now: float) -> None:
    """
    Refuse a file whose form has expired or is not signed by any of
    ``keys`` for any of ``paths`` (the request's path as signed), as
    Swift checks them, in that order.
    """
    keys = list(keys)
    attributes = form.attributes
    if not keys:
        raise FormRefused(401, "FormPost: Invalid Signature")
    if not attributes.get("max_file_size", "0").isdigit():
        raise FormRefused(400, "FormPost: max_file_size not an integer")
    raw_expires = attributes.get("expires") or "0"
    if not raw_expires.isdigit():
        raise FormRefused(400, "FormPost: expires not an integer")
    if int(raw_expires) < now:
        raise FormRefused(401, "FormPost: Form Expired")
    decoded = signature_digest(attributes.get("signature", ""))
    if decoded is not None:
        expected, digest = decoded
        for path in paths:
            signed = "\n".join(
                (
                    path,
                    attributes.get("redirect") or "",
                    attributes.get("max_file_size") or "0",
                    attributes.get("max_file_count") or "0",
                    raw_expires,
                )
            ).encode("utf-8")
            for key in keys:
                if hmac.compare_digest(hmac.new(key.encode("utf-8"), signed, digest).digest(), expected):
                    return
    raise FormRefused(401, "FormPost: Invalid Signature")


def limits(form: FormFile) -> tuple[int, int]:
    """
    The form's ``max_file_size`` and ``max_file_count`` (checked by
    :func:`check` to be numbers).
    """
    count = form.attributes.get("max_file_count") or "0"
    return int(form.attributes.get("max_file_size") or "0"), int(count) if count.isdigit() else 0
