# -*- test-case-name: mimic.test.test_compute_tags -*-
"""
A server's tags (``/servers/{id}/tags``, by :class:`TagsAPI`), from
microversion 2.26 as in Nova: list, replace all, add one, check one
(204 or 404), delete one or all; and the listing filters ``tags``,
``tags-any``, ``not-tags`` and ``not-tags-any`` (:class:`TagFilter`).

A tag is 1 to 60 characters with no comma or slash, a server has at
most :data:`MAX_TAGS`, and tags change only while the server is in a
state Nova allows (a building server's are refused with 409).  Tags
live on the server itself (``Server.tags``), so snapshots keep them.
"""

from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import quote

from attrs import frozen
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg, read_json
from mimic.services.compute.errors import (
    NOT_FOUND,
    conflicting_state,
    handle_nova_errors,
    invalid_input,
    nova_error,
)
from mimic.services.compute.versions import Microversion
from mimic.services.compute.web import ContextFactory

#: Nova's ``MAX_TAG_COUNT``: the most tags one server may carry.
MAX_TAGS = 50

#: The longest tag Nova accepts.
MAX_TAG_LENGTH = 60

#: The microversion tags arrive at.
TAGS_VERSION = (2, 26)

#: The vm_states in which Nova lets a server's tags change.
_CHANGEABLE = frozenset(
    {"active", "paused", "rescued", "resized", "shelved", "shelved_offloaded", "stopped", "suspended"}
)

_TAG_PATTERN = "^[^,/]*$"


def valid_tag(tag: Any, field: str = "tag") -> str:
    """
    ``tag`` if Nova's schema takes it, else its 400.
    """
    if not isinstance(tag, str):
        raise invalid_input(field, tag, f"{tag!r} is not of type 'string'")
    if not tag:
        raise invalid_input(field, tag, "'' is too short")
    if len(tag) > MAX_TAG_LENGTH:
        raise invalid_input(field, tag, f"{tag!r} is too long")
    if "," in tag or "/" in tag:
        raise invalid_input(field, tag, f"{tag!r} does not match '{_TAG_PATTERN}'")
    return tag


def valid_tags(tags: Any) -> tuple[str, ...]:
    """
    A list of tags, each valid, no more than :data:`MAX_TAGS`, without
    repeats (Nova keeps each tag once).
    """
    if not isinstance(tags, list):
        raise invalid_input("tags", tags, f"{tags!r} is not of type 'array'")
    if len(tags) > MAX_TAGS:
        raise invalid_input("tags", tags, f"{tags!r} is too long")
    return tuple(dict.fromkeys(valid_tag(t, "tags") for t in tags))


@frozen
class TagFilter:
    """
    A server listing's tag filters (sets of tags, each None when not
    asked): all of ``tags``, any of ``tags_any``, not all of
    ``not_tags``, none of ``not_tags_any``.
    """

    tags: frozenset[str] | None = None
    tags_any: frozenset[str] | None = None
    not_tags: frozenset[str] | None = None
    not_tags_any: frozenset[str] | None = None

    def matches(self, server_tags: Iterable[str]) -> bool:
        held = frozenset(server_tags)
        if self.tags is not None and not self.tags <= held:
            return False
        if self.tags_any is not None and not self.tags_any & held:
            return False
        if self.not_tags is not None and self.not_tags <= held:
            return False
        if self.not_tags_any is not None and self.not_tags_any & held:
            return False
        return True


#: The query arguments :func:`tag_filter` reads.
TAG_FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


def tag_filter(request: IRequest, microversion: Microversion) -> TagFilter | None:
    """
    The listing's tag filters, from 2.26 (ignored before, as Nova
    ignores unknown filters); None when it asks for none.
    """
    if microversion < TAGS_VERSION:
        return None

    def wanted(name: str) -> frozenset[str] | None:
        raw = query_arg(request, name)
        if raw is None:
            return None
        return frozenset(t for t in raw.split(",") if t)

    found = TagFilter(*(wanted(name) for name in TAG_FILTERS))
    return None if found == TagFilter() else found


class TagsAPI:
    """
    ``/servers/{id}/tags`` for one request; ``state`` is the tenant's
    compute state (a :class:`~mimic.services.compute.model.ComputeState`).
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: Any, server_id: str) -> None:
        self.context = context
        self.state = state
        self.server_id = server_id

    def _server(self, action: str | None = None) -> Any:
        """
        The server, at a microversion that has tags; for a change
        (``action``), in a state that allows it.
        """
        ctx = self.context()
        if ctx.microversion < TAGS_VERSION:
            raise nova_error(404, NOT_FOUND)
        server = self.state.require(self.server_id, ctx.now)
        if action is not None:
            if server.vm_state not in _CHANGEABLE:
                raise conflicting_state(action, server.id, "vm_state", server.vm_state)
        return server

    @app.route("/", methods=["GET"])
    def list_tags(self, request: IRequest) -> bytes:
        return json_response(request, {"tags": list(self._server().tags)})

    @app.route("/", methods=["PUT"])
    def replace_tags(self, request: IRequest) -> bytes:
        server = self._server("update tags")
        body = read_json(request, nova_error)
        if not isinstance(body, dict) or "tags" not in body:
            raise invalid_input("tags", body, "'tags' is a required property")
        extra = sorted(set(body) - {"tags"})
        if extra:
            raise invalid_input(
                "tags", body,
                f"Additional properties are not allowed ({', '.join(repr(e) for e in extra)} was unexpected)",
            )
        server.tags = valid_tags(body["tags"])
        return json_response(request, {"tags": list(server.tags)})

    @app.route("/", methods=["DELETE"])
    def delete_tags(self, request: IRequest) -> bytes:
        server = self._server("delete tags")
        server.tags = ()
        return json_response(request, None, 204)

    @app.route("/<tag>", methods=["GET"])
    def check_tag(self, request: IRequest, tag: str) -> bytes:
        server = self._server()
        if tag not in server.tags:
            raise nova_error(404, f"Server {server.id} has no tag '{tag}'")
        return json_response(request, None, 204)

    @app.route("/<tag>", methods=["PUT"])
    def add_tag(self, request: IRequest, tag: str) -> bytes:
        server = self._server("update tag")
        valid_tag(tag)
        if tag in server.tags:
            return json_response(request, None, 204)
        if len(server.tags) >= MAX_TAGS:
            raise nova_error(400, f"The number of tags exceeded the per-server limit {MAX_TAGS}")
        server.tags = (*server.tags, tag)
        location = f"{self.context().versioned_url}/servers/{server.id}/tags/{quote(tag, safe='')}"
        return json_response(request, None, 201, {b"Location": location.encode("utf-8")})

    @app.route("/<tag>", methods=["DELETE"])
    def delete_tag(self, request: IRequest, tag: str) -> bytes:
        server = self._server("delete tag")
        if tag not in server.tags:
            raise nova_error(404, f"Instance {server.id} has no tag '{tag}'")
        server.tags = tuple(t for t in server.tags if t != tag)
        return json_response(request, None, 204)
