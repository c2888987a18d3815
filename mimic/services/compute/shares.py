# -*- test-case-name: mimic.test.test_compute_recent_microversions -*-
"""
A server's share attachments (``/servers/{id}/shares``, by
:class:`SharesAPI`), from microversion 2.97 as in Nova: shares of the
Shared File Systems service (Manila) mounted in a server over virtiofs.

Mimic's clouds have no Shared File Systems service, so no server ever
has a share attached: the listing is empty, and every share asked for is
one Nova cannot find.  What Nova checks before it asks Manila is checked
as Nova checks it, in Nova's order: the body (400), the server (404), its
state (409: a share is attached to a stopped server only, and detached
from a stopped or errored one), and whether the server can mount shares
at all (409: only with its memory backed by huge pages, which a flavor
asks for with ``hw:mem_page_size``; Mimic's computes have no
file-backed memory).  A request that passes all that is answered as Nova
answers for a share Manila does not have: 404.
"""

from __future__ import annotations

import re
from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import HTTPError, json_response, read_json
from mimic.services.compute.errors import (
    NOT_FOUND,
    conflicting_state,
    handle_nova_errors,
    invalid_input,
    nova_error,
)
from mimic.services.compute.web import ContextFactory

#: The microversion share attachments arrive at.
SHARES_VERSION = (2, 97)

#: The flavor extra spec that backs a server's memory with huge pages,
#: which virtiofs needs where the compute has no file-backed memory.
MEMORY_PAGES_SPEC = "hw:mem_page_size"

#: The longest tag a share attachment may be given.
MAX_SHARE_TAG = 255

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

#: vm_states from which a share may be detached.
_DETACHABLE = frozenset({"stopped", "error"})


def share_not_found(share_id: str) -> HTTPError:
    return nova_error(404, f"Share {share_id} could not be found.")


def _no_query(request: IRequest) -> None:
    """
    Nova's 400 for any query argument: these calls take none.
    """
    names = sorted(name.decode("utf-8", "replace") for name in request.args)
    if names:
        unexpected = ", ".join(repr(name) for name in names)
        verb = "were" if len(names) > 1 else "was"
        raise nova_error(400, f"Additional properties are not allowed ({unexpected} {verb} unexpected)")


def _attach_body(body: Any) -> str:
    """
    The share an attach names (``{"share": {"share_id": ..., "tag":
    ...}}``), or the 400 Nova's schema gives.
    """
    if not isinstance(body, dict) or "share" not in body:
        raise invalid_input("share", body, "'share' is a required property")
    extra = sorted(set(body) - {"share"})
    if extra:
        raise nova_error(
            400, f"Additional properties are not allowed ({', '.join(repr(e) for e in extra)} was unexpected)"
        )
    share = body["share"]
    if not isinstance(share, dict):
        raise invalid_input("share", share, f"{share!r} is not of type 'object'")
    if "share_id" not in share:
        raise invalid_input("share", share, "'share_id' is a required property")
    extra = sorted(set(share) - {"share_id", "tag"})
    if extra:
        raise invalid_input(
            "share", share,
            f"Additional properties are not allowed ({', '.join(repr(e) for e in extra)} was unexpected)",
        )
    share_id = share["share_id"]
    if not isinstance(share_id, str) or not _UUID.match(share_id):
        raise invalid_input("share_id", share_id, f"{share_id!r} is not a 'uuid'")
    if "tag" in share:
        tag = share["tag"]
        if not isinstance(tag, str):
            raise invalid_input("tag", tag, f"{tag!r} is not of type 'string'")
        if not tag:
            raise invalid_input("tag", tag, "'' is too short")
        if len(tag) > MAX_SHARE_TAG:
            raise invalid_input("tag", tag, f"{tag!r} is too long")
    return share_id


class SharesAPI:
    """
    One server's ``/shares`` for one request; ``state`` is the tenant's
    :class:`~mimic.services.compute.model.ComputeState`.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: Any, server_id: str) -> None:
        self.context = context
        self.state = state
        self.server_id = server_id

    def _server(self, request: IRequest | None = None) -> Any:
        """
        The server, at a microversion that has share attachments; with
        ``request``, once its query is known to be empty (Nova checks
        the query before it looks the server up).
        """
        ctx = self.context()
        if ctx.microversion < SHARES_VERSION:
            raise nova_error(404, NOT_FOUND)
        if request is not None:
            _no_query(request)
        return self.state.require(self.server_id, ctx.now)

    @app.route("/", methods=["GET"])
    def list_shares(self, request: IRequest) -> bytes:
        self._server(request)
        return json_response(request, {"shares": []})

    @app.route("/", methods=["POST"])
    def attach_share(self, request: IRequest) -> bytes:
        ctx = self.context()
        if ctx.microversion < SHARES_VERSION:
            raise nova_error(404, NOT_FOUND)
        share_id = _attach_body(read_json(request, nova_error))
        server = self.state.require(self.server_id, ctx.now)
        if server.vm_state != "stopped":
            raise conflicting_state("create share", server.id, "vm_state", server.vm_state)
        flavor = self.state.flavors.get(server.flavor_id)
        if flavor is None or MEMORY_PAGES_SPEC not in flavor.extra_specs:
            raise nova_error(
                409, "Feature not supported because either compute or instance are not configured correctly."
            )
        # No Shared File Systems service: Manila has no such share.
        raise share_not_found(share_id)

    @app.route("/<share_id>", methods=["GET"])
    def show_share(self, request: IRequest, share_id: str) -> bytes:
        self._server(request)
        raise share_not_found(share_id)

    @app.route("/<share_id>", methods=["DELETE"])
    def detach_share(self, request: IRequest, share_id: str) -> bytes:
        server = self._server()
        if server.vm_state not in _DETACHABLE:
            raise conflicting_state("delete share", server.id, "vm_state", server.vm_state)
        raise share_not_found(share_id)
