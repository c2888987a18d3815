# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
Keystone's credentials: the generic ``/v3/credentials`` store (a blob
of a type, for a user and perhaps a project) and the EC2 credentials a
user keeps for a project (``/v3/users/{id}/credentials/OS-EC2``), which
are generic credentials of type ``ec2`` whose id is the SHA-256 of the
access key, as Keystone keeps them.

A user manages its own; an administrator (or a system reader, reading)
anyone's.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.services.identity.directory import Credential
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin, require_reader, require_self_or_admin
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import string_field
from mimic.services.identity.views import link
from mimic.session import Token

EC2 = "ec2"


def credential_json(v3_url: str, credential: Credential) -> dict[str, Any]:
    return {
        "id": credential.id,
        "user_id": credential.user_id,
        "project_id": credential.project_id,
        "type": credential.type,
        "blob": credential.blob,
        "links": {"self": link(v3_url, "credentials", credential.id)},
    }


def ec2_id(access: str) -> str:
    return hashlib.sha256(access.encode("utf-8")).hexdigest()


def ec2_json(v3_url: str, credential: Credential) -> dict[str, Any]:
    blob = json.loads(credential.blob)
    return {
        "user_id": credential.user_id,
        "tenant_id": credential.project_id,
        "access": blob.get("access"),
        "secret": blob.get("secret"),
        "trust_id": blob.get("trust_id"),
        "links": {
            "self": link(v3_url, "users", credential.user_id, "credentials", "OS-EC2", str(blob.get("access")))
        },
    }


class CredentialsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    def _owned(self, caller: Token, credential_id: str, action: str) -> Credential:
        credential = self.directory.blob(credential_id)
        if credential.user_id != caller.user.id:
            require_reader(caller, action)
        return credential

    @app.route("/", methods=["GET", "HEAD"])
    def list_credentials(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        user_id = query_arg(request, "user_id")
        kind = query_arg(request, "type")
        everyone = caller.is_admin or (caller.system and caller.has_role("reader"))
        url = self.url(request)
        found = [
            credential_json(url, c)
            for c in self.directory.blobs.values()
            if (everyone or c.user_id == caller.user.id)
            and (user_id is None or c.user_id == user_id)
            and (kind is None or c.type == kind)
        ]
        return self.collection(request, "credentials", found)

    @app.route("/", methods=["POST"])
    def create_credential(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        given = self.body(request, "credential")
        blob = string_field(given, "blob", required=True)
        kind = string_field(given, "type", required=True, empty=False)
        user_id = string_field(given, "user_id", required=True, empty=False)
        project_id = string_field(given, "project_id", nullable=True)
        if user_id != caller.user.id:
            require_admin(caller, "create_credential")
        user = self.directory.user(user_id)
        ident = None
        if kind == EC2:
            if project_id is None:
                raise keystone_error(400, "Project ID not found: None")
            try:
                access = json.loads(blob)["access"]
            except (ValueError, KeyError, TypeError):
                raise keystone_error(400, "Invalid blob in credential")
            ident = ec2_id(str(access))
        credential = self.directory.add_blob(user, kind, blob, project_id, ident)
        return json_response(request, {"credential": credential_json(self.url(request), credential)}, 201)

    @app.route("/<credential_id>", methods=["GET", "HEAD"])
    def show_credential(self, request: IRequest, credential_id: str) -> bytes:
        credential = self._owned(self.caller(request), credential_id, "get_credential")
        return json_response(request, {"credential": credential_json(self.url(request), credential)})

    @app.route("/<credential_id>", methods=["PATCH"])
    def update_credential(self, request: IRequest, credential_id: str) -> bytes:
        caller = self.caller(request)
        credential = self.directory.blob(credential_id)
        if credential.user_id != caller.user.id:
            require_admin(caller, "update_credential")
        given = self.body(request, "credential")
        blob = string_field(given, "blob")
        kind = string_field(given, "type", empty=False)
        project_id = string_field(given, "project_id", nullable=True)
        if "user_id" in given and given["user_id"] != credential.user_id:
            self.directory.user(string_field(given, "user_id", empty=False))
            credential.user_id = given["user_id"]
        if "project_id" in given and project_id is not None:
            self.directory.project(project_id)
        if blob is not None:
            credential.blob = blob
        if kind is not None:
            credential.type = kind
        if "project_id" in given:
            credential.project_id = project_id
        return json_response(request, {"credential": credential_json(self.url(request), credential)})

    @app.route("/<credential_id>", methods=["DELETE"])
    def delete_credential(self, request: IRequest, credential_id: str) -> bytes:
        caller = self.caller(request)
        credential = self.directory.blob(credential_id)
        if credential.user_id != caller.user.id:
            require_admin(caller, "delete_credential")
        del self.directory.blobs[credential.id]
        return json_response(request, None, 204)


class EC2CredentialsAPI(V3Base):
    """
    ``/v3/users/{id}/credentials/OS-EC2`` for one user.
    """

    app = Klein()
    keystone_errors(app)

    def __init__(self, core: Any, user_id: str) -> None:
        super().__init__(core)
        self.user_id = user_id

    def _ec2(self, access: str) -> Credential:
        credential = self.directory.blobs.get(ec2_id(access))
        if credential is None or credential.type != EC2 or credential.user_id != self.user_id:
            raise keystone_error(404, f"Could not find credential: {access}.")
        return credential

    @app.route("/", methods=["GET", "HEAD"])
    def list_ec2(self, request: IRequest) -> bytes:
        require_self_or_admin(self.caller(request), self.user_id, "ec2_list_credentials")
        self.directory.user(self.user_id)
        url = self.url(request)
        found = [
            ec2_json(url, c) for c in self.directory.blobs.values()
            if c.type == EC2 and c.user_id == self.user_id
        ]
        return self.collection(request, "credentials", found)

    @app.route("/", methods=["POST"])
    def create_ec2(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        if caller.user.id != self.user_id:
            require_admin(caller, "ec2_create_credential")
        user = self.directory.user(self.user_id)
        given = self.body_object(request)
        project_id = string_field(given, "tenant_id", required=True, empty=False)
        access, secret = secrets.token_hex(16), secrets.token_hex(16)
        blob = json.dumps({"access": access, "secret": secret, "trust_id": None})
        credential = self.directory.add_blob(user, EC2, blob, project_id, ec2_id(access))
        return json_response(request, {"credential": ec2_json(self.url(request), credential)}, 201)

    @app.route("/<access>", methods=["GET", "HEAD"])
    def show_ec2(self, request: IRequest, access: str) -> bytes:
        require_self_or_admin(self.caller(request), self.user_id, "ec2_get_credential")
        self.directory.user(self.user_id)
        return json_response(request, {"credential": ec2_json(self.url(request), self._ec2(access))})

    @app.route("/<access>", methods=["DELETE"])
    def delete_ec2(self, request: IRequest, access: str) -> bytes:
        caller = self.caller(request)
        if caller.user.id != self.user_id:
            require_admin(caller, "ec2_delete_credential")
        self.directory.user(self.user_id)
        del self.directory.blobs[self._ec2(access).id]
        return json_response(request, None, 204)
