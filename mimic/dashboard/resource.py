# -*- test-case-name: mimic.test.test_dashboard -*-
"""
Serving the dashboard's three files, and mounting them beside the
control API at ``/mimic/dashboard``.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from attrs import frozen
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource, Resource

from mimic.http import json_response, plain_error_body

#: Where a browser finds the page.
DASHBOARD_PATH = "/mimic/dashboard/"

#: What the page may load and where it may be shown: only Mimic's own
#: script, style and API (no CDN: Mimic runs offline), and in no frame
#: (a foreign page must not overlay its buttons).
SECURITY_HEADERS = {
    b"content-security-policy": (
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    b"x-frame-options": b"DENY",
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    # The files are small; a browser asks again on every load so that an
    # upgraded Mimic is never shown with an old script.
    b"cache-control": b"no-cache",
}


@frozen
class StaticFile:
    """
    One of the dashboard's files: its bytes and media type.
    """

    content: bytes
    content_type: bytes


def _load(name: str, content_type: bytes) -> StaticFile:
    return StaticFile(files("mimic.dashboard").joinpath("static").joinpath(name).read_bytes(), content_type)


def dashboard_files() -> dict[bytes, StaticFile]:
    """
    The files by the path segment they are served at (``b""`` is the
    page itself).
    """
    page = _load("index.html", b"text/html; charset=utf-8")
    return {
        b"": page,
        b"index.html": page,
        b"dashboard.js": _load("dashboard.js", b"text/javascript; charset=utf-8"),
        b"dashboard.css": _load("dashboard.css", b"text/css; charset=utf-8"),
    }


class DashboardResource(Resource):
    """
    ``/mimic/dashboard/<file>``: the page, its script and its style, for
    GET and HEAD; a JSON 404 or 405 otherwise, as the control API answers.
    """

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()
        self.files = dashboard_files()

    def render(self, request: IRequest) -> Any:
        if request.method not in (b"GET", b"HEAD"):
            method = request.method.decode("ascii", "replace")
            return json_response(
                request,
                plain_error_body(405, f"{method} is not allowed on the dashboard's files; GET them."),
                405,
                {b"allow": b"GET, HEAD"},
            )
        segments = list(request.postpath)
        if segments == [] and not request.path.endswith(b"/"):
            # Relative URLs in the page need the trailing slash.
            request.setResponseCode(301)
            request.setHeader(b"location", DASHBOARD_PATH.encode("ascii"))
            request.setHeader(b"content-type", b"text/plain; charset=utf-8")
            return b"The dashboard is at " + DASHBOARD_PATH.encode("ascii") + b"\n"
        name = segments[0] if len(segments) == 1 else None
        found = self.files.get(name) if name is not None else None
        if found is None:
            path = request.path.decode("utf-8", "replace")
            return json_response(
                request,
                plain_error_body(404, f"The dashboard has no file at {path}; it is at {DASHBOARD_PATH}."),
                404,
            )
        for header_name, value in SECURITY_HEADERS.items():
            request.setHeader(header_name, value)
        request.setHeader(b"content-type", found.content_type)
        return found.content


class ControlPlane(Resource):
    """
    ``/mimic``: the dashboard at ``/mimic/dashboard``, the control API
    (``control``, a leaf that sees the whole path below ``/mimic``) for
    everything else.
    """

    isLeaf = True

    def __init__(self, control: IResource) -> None:
        super().__init__()
        self.control = control
        self.putChild(b"dashboard", DashboardResource())

    def render(self, request: IRequest) -> Any:
        if request.postpath[:1] == [b"dashboard"]:
            request.prepath.append(request.postpath.pop(0))
            return self.children[b"dashboard"].render(request)
        return self.control.render(request)
