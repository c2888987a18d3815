# -*- test-case-name: mimic.test.test_identity_extras -*-
"""
``/v3/OS-OAUTH1/consumers``: Keystone's OAuth 1.0a consumers (create,
list, show, update, delete).  The consumer's secret is shown once, when
it is made.  Mimic keeps consumers only: the OAuth 1.0a flow itself
(request tokens, authorization, access tokens) is not served.  An
administrator's.
"""

from __future__ import annotations

import secrets
from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin
from mimic.services.identity.records import Consumer, new_id
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import string_field
from mimic.services.identity.views import link


class ConsumersAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    def _json(self, request: IRequest, consumer: Consumer) -> dict[str, Any]:
        return {
            "id": consumer.id,
            "description": consumer.description,
            "links": {"self": link(self.url(request), "OS-OAUTH1", "consumers", consumer.id)},
        }

    def _consumer(self, consumer_id: str) -> Consumer:
        consumer = self.directory.consumers.get(consumer_id)
        if consumer is None:
            raise keystone_error(404, f"Could not find consumer: {consumer_id}.")
        return consumer

    @app.route("/", methods=["POST"])
    def create(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_consumer")
        given = self.body(request, "consumer")
        consumer = Consumer(
            new_id(), secrets.token_hex(16), string_field(given, "description", nullable=True) or ""
        )
        self.directory.consumers[consumer.id] = consumer
        described = {**self._json(request, consumer), "secret": consumer.secret}
        return json_response(request, {"consumer": described}, 201)

    @app.route("/", methods=["GET", "HEAD"])
    def list_consumers(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "list_consumers")
        consumers = [self._json(request, c) for c in self.directory.consumers.values()]
        return self.collection(request, "consumers", consumers)

    @app.route("/<consumer_id>", methods=["GET", "HEAD"])
    def show(self, request: IRequest, consumer_id: str) -> bytes:
        require_admin(self.caller(request), "get_consumer")
        return json_response(request, {"consumer": self._json(request, self._consumer(consumer_id))})

    @app.route("/<consumer_id>", methods=["PATCH"])
    def update(self, request: IRequest, consumer_id: str) -> bytes:
        require_admin(self.caller(request), "update_consumer")
        consumer = self._consumer(consumer_id)
        given = self.body(request, "consumer")
        if "secret" in given:
            raise keystone_error(400, "Invalid input for field 'secret': it cannot be changed.")
        description = string_field(given, "description", nullable=True)
        if description is not None:
            consumer.description = description
        return json_response(request, {"consumer": self._json(request, consumer)})

    @app.route("/<consumer_id>", methods=["DELETE"])
    def delete(self, request: IRequest, consumer_id: str) -> bytes:
        require_admin(self.caller(request), "delete_consumer")
        del self.directory.consumers[self._consumer(consumer_id).id]
        return json_response(request, None, 204)
