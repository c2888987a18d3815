# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Who may do what in an account, as Swift with Keystone decides it.

* The account's own token may do anything.
* A temporary URL (:mod:`.tempurl`) decides for itself: a request that
  carries one is allowed what it signs, and refused if it is invalid,
  token or not (Swift's tempurl middleware runs before authentication).
* A container's ACLs: ``X-Container-Read`` and ``X-Container-Write``
  list ``<project>:<user>`` grants (ids or names, ``*`` for any), which
  let another project's token read (list and ``GET``) or write (``PUT``,
  ``POST``, ``DELETE`` of objects) in that container; ``.r:*`` in the
  read ACL lets anyone without a token ``GET`` its objects, and
  ``.rlistings`` beside it list them.

Everything else is 401 without a token and 403 with another project's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from mimic.services.objectstorage import tempurl
from mimic.services.objectstorage.model import Account, Container
from mimic.services.objectstorage.views import http_date

READ_METHODS = ("GET", "HEAD")
WRITE_METHODS = ("PUT", "POST", "DELETE", "COPY")
KEY_NAMES = ("temp-url-key", "temp-url-key-2")


def _grants(acl: str | None) -> list[str]:
    return [part.strip() for part in (acl or "").split(",") if part.strip()]


def public(container: Container, listing: bool) -> bool:
    """
    Whether the read ACL lets anyone without a token read the container's
    objects (or, with ``listing``, list them).
    """
    grants = _grants(container.acls.get("x-container-read"))
    return ".r:*" in grants and (not listing or ".rlistings" in grants)


def project_grant(container: Container, token: Any, method: str, listing: bool) -> bool:
    """
    Whether the container's ACLs give another project's ``token`` this
    method: reads (listing included) from the read ACL, object writes
    from the write ACL.
    """
    if method in READ_METHODS:
        acl = container.acls.get("x-container-read")
    elif method in WRITE_METHODS and not listing:
        acl = container.acls.get("x-container-write")
    else:
        return False
    user = token.user
    for grant in _grants(acl):
        if grant.startswith(".") or ":" not in grant:
            continue
        project, _, who = grant.partition(":")
        if project in ("*", token.tenant_id) and who in ("*", user.id, user.username):
            return True
    return False


def temp_url_keys(account: Account, container_name: str) -> list[str]:
    keys = [value for key, value in account.metadata.items() if key in KEY_NAMES]
    container = account.containers.get(container_name)
    if container is not None:
        keys += [value for key, value in container.metadata.items() if key in KEY_NAMES]
    return keys


def signed_paths(raw_path: bytes) -> list[str]:
    """
    The paths a temporary URL may have signed: the whole request path,
    and its part from ``/v1/`` on.
    """
    full = unquote(raw_path.decode("utf-8", "replace"))
    start = full.find("/v1/")
    return [full] + ([full[start:]] if start > 0 else [])


def temp_url_headers(
    temp: tempurl.TempURL, name: str, headers: dict[str, str], method: str
) -> dict[str, str]:
    """
    An object's headers as a temporary URL serves them: without its
    metadata (``X-Object-Meta-Public-*`` excepted), with ``Expires`` and
    the ``Content-Disposition`` Swift gives (the ``filename`` asked for,
    ``inline``, the object's own, or an attachment named after it).
    """
    served = {
        key: value
        for key, value in headers.items()
        if not key.lower().startswith("x-object-meta-")
        or key.lower().startswith("x-object-meta-public-")
    }
    served["Expires"] = http_date(temp.expires)
    if method not in READ_METHODS:
        return served
    if temp.filename is not None:
        kind = "inline" if temp.inline else "attachment"
        served["Content-Disposition"] = _named(kind, temp.filename)
    elif temp.inline:
        served["Content-Disposition"] = "inline"
    elif not any(key.lower() == "content-disposition" for key in headers):
        served["Content-Disposition"] = _named("attachment", name.rsplit("/", 1)[-1])
    return served


def _named(kind: str, filename: str) -> str:
    escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
    return f"{kind}; filename=\"{escaped}\"; filename*=UTF-8''{quote(filename)}"
