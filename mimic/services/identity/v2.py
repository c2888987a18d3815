# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Identity v2.0, Rackspace flavour, mounted at ``/identity/v2.0``: its
routes.

Password, API key (``RAX-KSKEY:apiKeyCredentials``) and token
re-authentication, token validation, endpoints, tenants, impersonation and
the user and credential lookups Rackspace clients make.  Each handler
parses (:mod:`~mimic.services.identity.validation`), applies identity's
rules (:mod:`~mimic.services.identity.model`) and answers
(:mod:`~mimic.services.identity.views`).
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.catalog import ResolvedEntry
from mimic.http import base_url, handle_errors, header, json_response, query_arg
from mimic.interfaces import IMimicCore
from mimic.services.identity.errors import (
    DOMAIN_ERRORS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNEXPECTED,
    keystone_error,
)
from mimic.services.identity.failures import AUTHENTICATION, ExpiresEarly, Refusal
from mimic.services.identity.directory import directory_of
from mimic.services.identity.model import Identity
from mimic.services.identity.policy import forbidden, require_admin, require_self_or_admin, require_token_access
from mimic.services.identity.validation import (
    auth_object,
    impersonation,
    requested_tenant,
    v2_credentials,
)
from mimic.services.identity.versions import V2_PATH, v2_document
from mimic.services.identity.views import (
    access_json,
    api_key_json,
    catalog_with_identity,
    impersonation_json,
    tenant_json,
    user_profile_json,
    v2_endpoints_json,
)
from mimic.session import AuthenticationFailed, Token, User


class IdentityV2:
    """
    The v2.0 API over the core's session store.
    """

    app = Klein()
    handle_errors(
        app,
        keystone_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
        domain_errors=DOMAIN_ERRORS,
    )

    def __init__(self, core: IMimicCore) -> None:
        self.core = core

    @property
    def identity(self) -> Identity:
        return Identity(self.core.sessions, self.core.clock, directory_of(self.core))

    def _caller(self, request: IRequest) -> Token:
        """
        The token in X-Auth-Token, which calls other than authentication
        need; 401 without a live one.
        """
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        return token

    def _catalog(self, request: IRequest, token: Token) -> list[ResolvedEntry]:
        if token.tenant_id is None:
            return []
        return catalog_with_identity(self.core, token.tenant_id, base_url(request), V2_PATH)

    @app.route("/", methods=["GET", "HEAD"])
    def version(self, request: IRequest) -> bytes:
        return json_response(request, {"version": v2_document(base_url(request))})

    @app.route("/tokens", methods=["POST"])
    def authenticate(self, request: IRequest) -> bytes:
        auth = auth_object(request)
        tenant_id = requested_tenant(auth)
        credentials = v2_credentials(auth)
        claim = self.identity.v2_claim(credentials, tenant_id)
        outcome = self.core.failures.decide(
            AUTHENTICATION, {"username": claim.username, "tenant_id": tenant_id or ""}
        )
        if isinstance(outcome, Refusal):
            raise AuthenticationFailed(outcome.message(claim.user_id))
        token = self.identity.v2_token(credentials, claim, tenant_id)
        if isinstance(outcome, ExpiresEarly):
            self.core.sessions.expire_early(token, token.issued_at + outcome.seconds)
        return json_response(request, {"access": access_json(token, self._catalog(request, token))})

    def _token_to_validate(self, request: IRequest, token_id: str) -> Token:
        """
        The token to validate, for its own user, an administrator or a
        service (Keystone's policy; 403 for anyone else).
        """
        caller = self._caller(request)
        token = self.core.sessions.token(token_id)
        if token is None:
            raise keystone_error(404, f"Could not find token: {token_id}")
        require_token_access(caller, token, "validate_token")
        belongs_to = query_arg(request, "belongsTo")
        if belongs_to is not None and token.tenant_id not in belongs_to.split(","):
            raise keystone_error(404, f"Token {token_id} does not belong to tenant {belongs_to}.")
        return token

    @app.route("/tokens/<token_id>", methods=["GET"])
    def validate(self, request: IRequest, token_id: str) -> bytes:
        token = self._token_to_validate(request, token_id)
        return json_response(request, {"access": access_json(token, None)})

    @app.route("/tokens/<token_id>", methods=["HEAD"])
    def check(self, request: IRequest, token_id: str) -> bytes:
        self._token_to_validate(request, token_id)
        return json_response(request, None, 200)

    @app.route("/tokens/<token_id>", methods=["DELETE"])
    def revoke(self, request: IRequest, token_id: str) -> bytes:
        """
        Revoke a token: one's own, or anyone's as an administrator.
        """
        caller = self._caller(request)
        token = self.core.sessions.token(token_id)
        if token is None:
            raise keystone_error(404, f"Could not find token: {token_id}")
        require_token_access(caller, token, "revoke_token")
        self.core.sessions.revoke(token.id)
        return json_response(request, None, 204)

    @app.route("/tokens/<token_id>/endpoints", methods=["GET"])
    def endpoints(self, request: IRequest, token_id: str) -> bytes:
        token = self._token_to_validate(request, token_id)
        return json_response(request, v2_endpoints_json(self._catalog(request, token)))

    @app.route("/tenants", methods=["GET"])
    def tenants(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        directory = directory_of(self.core)
        tenants = [tenant_json(p.id, p.name) for p in directory.projects_of(caller.user)]
        return json_response(request, {"tenants": tenants, "tenants_links": []})

    @app.route("/RAX-AUTH/impersonation-tokens", methods=["POST"])
    def impersonate(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        require_admin(caller, "impersonate")
        username, lifetime = impersonation(request)
        token = self.identity.impersonate(caller.user, username, lifetime)
        return json_response(request, impersonation_json(token))

    @app.route("/users", methods=["GET"])
    def users(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        name = query_arg(request, "name")
        if name is None:
            if caller.is_admin:
                users = list(self.core.sessions.users())
            else:
                users = [caller.user]
            return json_response(request, {"users": [user_profile_json(u) for u in users]})
        user = self.core.sessions.user_by_name(name)
        if user is None or (user.id != caller.user.id and not caller.is_admin):
            if not caller.is_admin:
                raise forbidden("get_user_by_name")
            raise keystone_error(404, f"User with name {name!r} was not found.")
        return json_response(request, {"user": user_profile_json(user)})

    @app.route("/users/<user_id>", methods=["GET"])
    def user(self, request: IRequest, user_id: str) -> bytes:
        require_self_or_admin(self._caller(request), user_id, "get_user")
        return json_response(request, {"user": user_profile_json(self._user(user_id))})

    @app.route("/users/<user_id>/OS-KSADM/credentials/RAX-KSKEY:apiKeyCredentials", methods=["GET"])
    def api_key(self, request: IRequest, user_id: str) -> bytes:
        require_self_or_admin(self._caller(request), user_id, "get_user_credentials")
        return json_response(request, api_key_json(self._user(user_id)))

    def _user(self, user_id: str) -> User:
        user = self.core.sessions.user_by_id(user_id)
        if user is None:
            raise keystone_error(404, f"Could not find user: {user_id}")
        return user
