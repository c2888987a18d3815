# -*- test-case-name: mimic.test.test_compute_server_extras -*-
"""
``/servers/{id}/os-server-password`` (by :class:`PasswordAPI`): the
encrypted password a server's guest agent posts to Nova's metadata
service, read with ``GET`` and cleared with ``DELETE``.

Mimic's servers run no guest agent, so none ever posts one: the
password is the empty string Nova shows until one does, and clearing it
leaves it so.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.compute.errors import handle_nova_errors
from mimic.services.compute.web import ContextFactory


class PasswordAPI:
    """
    One server's ``os-server-password`` for one request; ``state`` is the
    tenant's :class:`~mimic.services.compute.model.ComputeState`.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: Any, server_id: str) -> None:
        self.context = context
        self.state = state
        self.server_id = server_id

    @app.route("/", methods=["GET"])
    def show_password(self, request: IRequest) -> bytes:
        self.state.require(self.server_id, self.context().now)
        return json_response(request, {"password": ""})

    @app.route("/", methods=["DELETE"])
    def clear_password(self, request: IRequest) -> bytes:
        self.state.require(self.server_id, self.context().now)
        return json_response(request, None, 204)
