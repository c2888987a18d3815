# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Identity v2.0, Rackspace flavour, mounted at ``/identity/v2.0``.

Password, API key (``RAX-KSKEY:apiKeyCredentials``) and token
re-authentication, token validation, endpoints, tenants, impersonation and
the user and credential lookups Rackspace clients make.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from mimic.core import MimicCore
from mimic.http import (
    header,
    HTTPError,
    base_url,
    json_response,
    query_arg,
    read_json,
    render_error,
    require_object,
    require_string,
)
from mimic.services.identity.errors import (
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    keystone_error,
)
from mimic.services.identity.failures import check_authentication
from mimic.services.identity.views import catalog_with_identity
from mimic.session import AuthenticationFailed, Token, User
from mimic.timestamps import iso_milliseconds, iso_seconds

API_KEY_CREDENTIALS = "RAX-KSKEY:apiKeyCredentials"

#: Where v2.0 catalogs say identity itself is (relative to Mimic's root).
IDENTITY_PATH = "identity/v2.0"

#: How long an impersonation token lives unless the request says otherwise
#: (Rackspace's default, three hours).
IMPERSONATION_LIFETIME = 3 * 60 * 60

#: The longest lifetime Mimic grants one (ten years: its expiry must
#: still be a date it can write).
MAX_IMPERSONATION_LIFETIME = 10 * 365 * 24 * 60 * 60


def version_document(root_url: str) -> dict[str, Any]:
    """
    The v2.0 version description, as served at ``/identity/v2.0`` and
    listed at ``/identity``.
    """
    return {
        "id": "v2.0",
        "status": "stable",
        "updated": "2014-04-17T00:00:00Z",
        "media-types": [
            {
                "base": "application/json",
                "type": "application/vnd.openstack.identity-v2.0+json",
            }
        ],
        "links": [
            {"rel": "self", "href": f"{root_url}/identity/v2.0/"},
            {
                "rel": "describedby",
                "type": "text/html",
                "href": "https://docs.rackspace.com/docs/cloud-identity/v2/",
            },
        ],
    }


def token_json(token: Token) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": token.id,
        "expires": iso_milliseconds(token.expires),
        "issued_at": iso_seconds(token.issued_at),
        "RAX-AUTH:authenticatedBy": list(token.methods),
    }
    if token.tenant_id is not None:
        described["tenant"] = {"id": token.tenant_id, "name": token.tenant_id}
    return described


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.username,
        "username": user.username,
        "roles": [
            {"id": role.id, "name": role.name, "description": role.description}
            for role in user.roles
        ],
        "roles_links": [],
        "RAX-AUTH:defaultRegion": user.default_region,
    }


def user_profile_json(user: User) -> dict[str, Any]:
    """
    A user as ``GET /users`` answers (Rackspace's shape).
    """
    return {
        "id": user.id,
        "username": user.username,
        "email": f"{user.username}@example.com",
        "enabled": True,
        "RAX-AUTH:defaultRegion": user.default_region,
        "RAX-AUTH:domainId": user.tenant_id,
    }


def tenant_json(tenant_id: str) -> dict[str, Any]:
    return {"id": tenant_id, "name": tenant_id, "enabled": True, "description": None}


class IdentityV2:
    """
    The v2.0 API over the core's session store.
    """

    app = Klein()

    def __init__(self, core: MimicCore) -> None:
        self.core = core

    @app.handle_errors(HTTPError)
    def _render_error(self, request: IRequest, failure: Any) -> bytes:
        return render_error(request, failure)

    def _caller(self, request: IRequest) -> Token:
        """
        The token in X-Auth-Token, which calls other than authentication
        need; 401 without a live one.
        """
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        return token

    @app.route("/", methods=["GET", "HEAD"])
    def version(self, request: IRequest) -> bytes:
        return json_response(request, {"version": version_document(base_url(request))})

    @app.route("/tokens", methods=["POST"])
    def authenticate(self, request: IRequest) -> bytes:
        body = require_object(read_json(request, keystone_error), "body", keystone_error)
        auth = require_object(body.get("auth"), "auth", keystone_error)
        tenant_id = _tenant_requested(auth)
        try:
            token = self._authenticate(auth, tenant_id)
        except AuthenticationFailed as e:
            raise keystone_error(401, str(e))
        return json_response(request, {"access": self._access(request, token)})

    def _authenticate(self, auth: dict[str, Any], tenant_id: str | None) -> Token:
        sessions = self.core.sessions
        if "passwordCredentials" in auth:
            credentials = require_object(
                auth["passwordCredentials"], "passwordCredentials", keystone_error
            )
            username = require_string(credentials, "username", keystone_error, "passwordCredentials")
            password = require_string(credentials, "password", keystone_error, "passwordCredentials")
            check_authentication(self.core.failures, username, tenant_id)
            return sessions.authenticate(username, tenant_id, password=password)
        if API_KEY_CREDENTIALS in auth:
            credentials = require_object(auth[API_KEY_CREDENTIALS], API_KEY_CREDENTIALS, keystone_error)
            username = require_string(credentials, "username", keystone_error, API_KEY_CREDENTIALS)
            api_key = require_string(credentials, "apiKey", keystone_error, API_KEY_CREDENTIALS)
            check_authentication(self.core.failures, username, tenant_id)
            return sessions.authenticate(
                username, tenant_id, api_key=api_key, methods=("APIKEY",)
            )
        if "token" in auth:
            credentials = require_object(auth["token"], "token", keystone_error)
            token_id = require_string(credentials, "id", keystone_error, "token")
            existing = sessions.token(token_id)
            if existing is None:
                raise AuthenticationFailed("The token given for re-authentication is not valid.")
            user = existing.user
            if tenant_id is not None and tenant_id != user.tenant_id:
                raise AuthenticationFailed(
                    f"User {user.username!r} does not have access to tenant {tenant_id!r}."
                )
            check_authentication(self.core.failures, user.username, tenant_id)
            return sessions.issue(user, user.tenant_id, ("TOKEN",))
        raise keystone_error(
            400,
            "Invalid request: the auth object needs passwordCredentials, "
            f"{API_KEY_CREDENTIALS} or token.",
        )

    def _access(self, request: IRequest, token: Token, with_catalog: bool = True) -> dict[str, Any]:
        access: dict[str, Any] = {"token": token_json(token), "user": user_json(token.user)}
        if with_catalog:
            access["serviceCatalog"] = (
                [e.to_v2() for e in catalog_with_identity(self.core, token.tenant_id, base_url(request), IDENTITY_PATH)]
                if token.tenant_id is not None
                else []
            )
        if token.impersonator is not None:
            access["RAX-AUTH:impersonator"] = {
                "id": token.impersonator.id,
                "name": token.impersonator.username,
                "roles": user_json(token.impersonator)["roles"],
            }
        return access

    def _token_to_validate(self, request: IRequest, token_id: str) -> Token:
        self._caller(request)
        token = self.core.sessions.token(token_id)
        if token is None:
            raise keystone_error(404, f"Could not find token: {token_id}")
        belongs_to = query_arg(request, "belongsTo")
        if belongs_to is not None and token.tenant_id not in belongs_to.split(","):
            raise keystone_error(404, f"Token {token_id} does not belong to tenant {belongs_to}.")
        return token

    @app.route("/tokens/<token_id>", methods=["GET"])
    def validate(self, request: IRequest, token_id: str) -> bytes:
        token = self._token_to_validate(request, token_id)
        return json_response(request, {"access": self._access(request, token, with_catalog=False)})

    @app.route("/tokens/<token_id>", methods=["HEAD"])
    def check(self, request: IRequest, token_id: str) -> bytes:
        self._token_to_validate(request, token_id)
        return json_response(request, None, 200)

    @app.route("/tokens/<token_id>/endpoints", methods=["GET"])
    def endpoints(self, request: IRequest, token_id: str) -> bytes:
        token = self._token_to_validate(request, token_id)
        endpoints = []
        if token.tenant_id is not None:
            for entry in catalog_with_identity(self.core, token.tenant_id, base_url(request), IDENTITY_PATH):
                for endpoint in entry.endpoints:
                    described = endpoint.to_v2()
                    described.update({"id": endpoint.id, "name": entry.name, "type": entry.type})
                    endpoints.append(described)
        return json_response(request, {"endpoints": endpoints, "endpoints_links": []})

    @app.route("/tenants", methods=["GET"])
    def tenants(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        return json_response(
            request, {"tenants": [tenant_json(caller.user.tenant_id)], "tenants_links": []}
        )

    @app.route("/RAX-AUTH/impersonation-tokens", methods=["POST"])
    def impersonate(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        body = require_object(read_json(request, keystone_error), "body", keystone_error)
        impersonation = require_object(
            body.get("RAX-AUTH:impersonation"), "RAX-AUTH:impersonation", keystone_error
        )
        user = require_object(impersonation.get("user"), "RAX-AUTH:impersonation.user", keystone_error)
        username = require_string(user, "username", keystone_error, "RAX-AUTH:impersonation.user")
        lifetime = impersonation.get("expire-in-seconds", IMPERSONATION_LIFETIME)
        if (
            not isinstance(lifetime, int)
            or isinstance(lifetime, bool)
            or not 0 < lifetime <= MAX_IMPERSONATION_LIFETIME
        ):
            raise keystone_error(
                400,
                "Invalid input: 'expire-in-seconds' must be a positive integer of at most "
                f"{MAX_IMPERSONATION_LIFETIME}.",
            )
        impersonated = self.core.sessions.user_for(username)
        token = self.core.sessions.issue(
            impersonated,
            impersonated.tenant_id,
            ("IMPERSONATION",),
            lifetime=lifetime,
            impersonator=caller.user,
        )
        return json_response(
            request,
            {"access": {"token": {"id": token.id, "expires": iso_milliseconds(token.expires)}}},
        )

    @app.route("/users", methods=["GET"])
    def users(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        name = query_arg(request, "name")
        if name is None:
            return json_response(request, {"users": [user_profile_json(caller.user)]})
        user = self.core.sessions.user_by_name(name)
        if user is None:
            raise keystone_error(404, f"User with name {name!r} was not found.")
        return json_response(request, {"user": user_profile_json(user)})

    @app.route("/users/<user_id>", methods=["GET"])
    def user(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        return json_response(request, {"user": user_profile_json(self._user(user_id))})

    @app.route("/users/<user_id>/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials", methods=["GET"])
    def api_key(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        user = self._user(user_id)
        return json_response(
            request, {API_KEY_CREDENTIALS: {"username": user.username, "apiKey": user.api_key}}
        )

    def _user(self, user_id: str) -> User:
        user = self.core.sessions.user_by_id(user_id)
        if user is None:
            raise keystone_error(404, f"Could not find user: {user_id}")
        return user

    @app.handle_errors(NotFound)
    def _not_found(self, request: IRequest, failure: Any) -> bytes:
        return render_error(request, Failure(keystone_error(404, NOT_FOUND)))

    @app.handle_errors(MethodNotAllowed)
    def _not_allowed(self, request: IRequest, failure: Any) -> bytes:
        return render_error(request, Failure(keystone_error(405, METHOD_NOT_ALLOWED)))


def _tenant_requested(auth: dict[str, Any]) -> str | None:
    """
    The tenant an auth request asks to be scoped to, by id or by name (the
    same thing in Mimic, as at Rackspace).
    """
    for key in ("tenantId", "tenantName"):
        value = auth.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise keystone_error(400, f"Invalid input: '{key}' must be a string.")
        return value
    return None
