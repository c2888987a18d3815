# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Swift's bulk middleware: deleting many objects and containers in one
request (``?bulk-delete``), and creating them from a tar archive
(``?extract-archive=tar|tar.gz|tar.bz2``).

Both answer ``200 OK`` with a report of what was done (the outcome of the
whole is the report's ``Response Status``), as JSON when the client
accepts it and as ``Name: value`` lines otherwise.
"""

from __future__ import annotations

import io
import json
import mimetypes
import tarfile
from typing import Any, Callable

from mimic.http import HTTPError
from mimic.services.objectstorage.errors import title
from mimic.services.objectstorage.model import (
    MAX_FILE_SIZE,
    Account,
    StoredObject,
    SwiftRefusal,
    etag_of,
)
from mimic.services.objectstorage.validation import check_container_name, check_object_name

#: As Swift's defaults: containers one archive may create, and failures
#: before the extraction stops.
MAX_CONTAINERS_PER_EXTRACTION = 10000
MAX_FAILED_EXTRACTIONS = 1000

_ARCHIVE_MODES = {"tar": "r:", "tar.gz": "r:gz", "tar.bz2": "r:bz2"}


def report(result: dict[str, Any], accept: str) -> tuple[bytes, bytes]:
    """
    A bulk operation's report, and its content type.
    """
    if "application/json" in accept.lower():
        return json.dumps(result).encode("utf-8"), b"application/json; charset=utf-8"
    lines = [f"{key}: {value}" for key, value in result.items() if key != "Errors"]
    lines.append("Errors:")
    lines.extend(f"{path}, {status}" for path, status in result["Errors"])
    return ("\n".join(lines) + "\n").encode("utf-8"), b"text/plain; charset=utf-8"


def _status_line(status: int) -> str:
    return f"{status} {title(status)}"


def delete_paths(
    account: Account,
    paths: list[tuple[str, str | None]],
    refuse_object: Callable[[str, str], None],
    refuse_container: Callable[[str], None],
) -> dict[str, Any]:
    """
    Delete each ``(container, object)`` (``object`` ``None`` for the
    container itself) in order; ``refuse_*`` raise a known condition's
    refusal for one of them.
    """
    deleted = not_found = 0
    errors: list[list[str]] = []
    for container, name in paths:
        path = f"/{container}" + (f"/{name}" if name else "")
        try:
            if name is None:
                refuse_container(container)
                account.delete_container(container)
            else:
                refuse_object(container, name)
                account.delete_object(container, name)
            deleted += 1
        except SwiftRefusal as refusal:
            if refusal.status == 404:
                not_found += 1
            else:
                errors.append([path, _status_line(refusal.status)])
        except HTTPError as refusal:  # a known condition's response
            errors.append([path, _status_line(refusal.status)])
    return {
        "Number Deleted": deleted,
        "Number Not Found": not_found,
        "Response Status": "400 Bad Request" if errors else "200 OK",
        "Response Body": "",
        "Errors": errors,
    }


def extract_archive(
    account: Account,
    body: bytes,
    kind: str,
    container: str | None,
    now: float,
    refuse_object: Callable[[str, str], None],
) -> dict[str, Any]:
    """
    Store every regular file of a tar archive as an object: under
    ``container`` when the archive was sent to one, else at
    ``<container>/<object>`` by its path (creating the containers).
    A file's size is checked from its header before it is read, so an
    archive cannot make Mimic hold more than the budget allows.
    """
    mode = _ARCHIVE_MODES.get(kind)
    if mode is None:
        raise SwiftRefusal(400, "Unsupported archive format")
    created = 0
    errors: list[list[str]] = []
    new_containers = 0
    try:
        archive = tarfile.open(fileobj=io.BytesIO(body), mode=mode)  # type: ignore[call-overload]
        with archive:
            for member in archive:
                if not member.isfile():
                    continue
                path = member.name.lstrip("/")
                if container is None:
                    target, _, name = path.partition("/")
                else:
                    target, name = container, path
                try:
                    check_container_name(target)
                    check_object_name(name)
                    if member.size > MAX_FILE_SIZE:
                        raise SwiftRefusal(413)
                    refuse_object(target, name)
                    if target not in account.containers:
                        if new_containers >= MAX_CONTAINERS_PER_EXTRACTION:
                            raise SwiftRefusal(400, "More than the containers one archive may create")
                        account.put_container(target, {}, {})
                        new_containers += 1
                    account.budget.reserve(member.size)
                    extracted = archive.extractfile(member)
                    data = extracted.read() if extracted is not None else b""
                    guessed, _ = mimetypes.guess_type(name, strict=False)
                    account.put_object(
                        target,
                        StoredObject(
                            name=name,
                            data=data,
                            etag=etag_of(data),
                            content_type=guessed or "application/octet-stream",
                            timestamp=now,
                        ),
                    )
                    created += 1
                except (SwiftRefusal, HTTPError) as refusal:
                    errors.append([f"/{target}/{name}", _status_line(refusal.status)])
                    if len(errors) >= MAX_FAILED_EXTRACTIONS:
                        break
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        return {
            "Number Files Created": created,
            "Response Status": "400 Bad Request",
            "Response Body": f"Invalid Tar File: {error}",
            "Errors": errors,
        }
    return {
        "Number Files Created": created,
        "Response Status": "400 Bad Request" if errors else "201 Created",
        "Response Body": "",
        "Errors": errors,
    }
