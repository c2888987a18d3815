# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Cinder's error shape, ``{"<faultName>": {"message": ..., "code": <status>}}``
(``badRequest`` for 400, ``itemNotFound`` for 404, ``overLimit`` for 413,
``computeFault`` for a status Cinder has no name for), and the errors the
block-storage model raises, with the answer Cinder gives each.

The model knows no HTTP: it raises :class:`BlockStorageError`\\ s, each
carrying Cinder's status, its exception's name (the ``kind`` a
:class:`~mimic.interfaces.ContractRefused` carries to compute) and its
message, and the routes answer them in one place.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from klein import Klein

from mimic.http import HTTPError, handle_errors

#: The fault names Cinder's API gives each status.
FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}

NOT_FOUND = "The resource could not be found."
NOT_ALLOWED = "The method specified is not allowed for this resource."
UNEXPECTED = (
    "The server has either erred or is incapable of performing the requested operation."
)


def cinder_error_body(status: int, message: str) -> dict[str, Any]:
    return {FAULT_NAMES.get(status, "computeFault"): {"message": message, "code": status}}


def cinder_error(status: int, message: str) -> HTTPError:
    """
    An error response in Cinder's shape, ready to raise.
    """
    body = cinder_error_body(status, message)
    if status in (413, 429):
        # Cinder's quota refusals say when to try again.
        body[FAULT_NAMES[status]]["retryAfter"] = "0"
    return HTTPError(status, body)


def bad_request(message: str) -> HTTPError:
    return cinder_error(400, message)


class BlockStorageError(Exception):
    """
    Something the block-storage model refuses: Cinder's status, the name
    of the exception Cinder raises (``VolumeNotFound``,
    ``InvalidVolume``...) and its message.
    """

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(status, kind, message)
        self.status = status
        self.kind = kind
        self.message = message


def not_found(what: str, identifier: str) -> BlockStorageError:
    """
    Cinder's 404 for a volume, snapshot, backup, type or attachment
    (``Volume <id> could not be found.``).
    """
    kinds = {
        "Volume": "VolumeNotFound",
        "Snapshot": "SnapshotNotFound",
        "Backup": "BackupNotFound",
        "Volume type": "VolumeTypeNotFound",
        "Volume attachment": "VolumeAttachmentNotFound",
    }
    if what == "Volume type":
        message = f"Volume type {identifier} could not be found."
    elif what == "Volume attachment":
        message = f"Volume attachment could not be found with filter: attachment_id = {identifier}."
    else:
        message = f"{what} {identifier} could not be found."
    return BlockStorageError(404, kinds.get(what, "NotFound"), message)


def invalid_volume(reason: str) -> BlockStorageError:
    return BlockStorageError(400, "InvalidVolume", f"Invalid volume: {reason}")


def invalid_input(reason: str) -> BlockStorageError:
    return BlockStorageError(400, "InvalidInput", f"Invalid input received: {reason}")


#: How Cinder answers the model's errors.
DOMAIN_ERRORS: Mapping[type[Exception], Callable[[Any], HTTPError]] = {
    BlockStorageError: lambda error: cinder_error(error.status, error.message),
}


def handle_cinder_errors(app: Klein) -> None:
    """
    Answer every error of ``app`` in Cinder's shape.  Call it in the class
    body, right after ``app = Klein()``.
    """
    handle_errors(
        app,
        cinder_error,
        not_found=NOT_FOUND,
        not_allowed=NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )
