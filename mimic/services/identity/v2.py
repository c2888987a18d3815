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
from twisted.web.resource import IResource

from mimic.catalog import ResolvedEntry
from mimic.http import (
    Mounted,
    base_url,
    handle_errors,
    header,
    json_response,
    query_arg,
    read_json,
    require_object,
)
from mimic.interfaces import IMimicCore
from mimic.services.identity.errors import (
    DOMAIN_ERRORS,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNEXPECTED,
    keystone_error,
    keystone_error_body,
)
from mimic.services.identity.failures import AUTHENTICATION, ExpiresEarly, Refusal
from mimic.services.identity.directory import DEFAULT_DOMAIN_ID, Account, Target, directory_of
from mimic.services.identity.model import Identity
from mimic.services.identity.policy import forbidden, require_admin, require_self_or_admin, require_token_access
from mimic.services.identity.v2_catalog import (
    DomainsV2,
    EndpointTemplatesV2,
    RolesV2,
    ServicesV2,
    TenantEndpointsV2,
)
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
    v2_roles_json,
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
        projects = directory.all_projects() if caller.is_admin else directory.projects_of(caller.user)
        tenants = [tenant_json(p.id, p.name) for p in projects]
        return json_response(request, {"tenants": tenants, "tenants_links": []})

    # -- OS-KSADM: the administrator's v2.0 calls ---------------------------

    @app.route("/OS-KSADM/roles", branch=True)
    def roles(self, request: IRequest) -> IResource:
        return Mounted(RolesV2(self.core).app.resource(), keystone_error_body)

    @app.route("/OS-KSADM/services", branch=True)
    def services(self, request: IRequest) -> IResource:
        return Mounted(ServicesV2(self.core).app.resource(), keystone_error_body)

    @app.route("/services", branch=True)
    def earlier_services(self, request: IRequest) -> IResource:
        """
        The earlier mimic's path for ``OS-KSADM`` services.
        """
        return Mounted(ServicesV2(self.core).app.resource(), keystone_error_body)

    @app.route("/OS-KSCATALOG/endpointTemplates", branch=True)
    def endpoint_templates(self, request: IRequest) -> IResource:
        return Mounted(EndpointTemplatesV2(self.core).app.resource(), keystone_error_body)

    @app.route("/tenants/<tenant_id>/OS-KSCATALOG/endpoints", branch=True)
    def tenant_endpoints(self, request: IRequest, tenant_id: str) -> IResource:
        return Mounted(TenantEndpointsV2(self.core, tenant_id).app.resource(), keystone_error_body)

    @app.route("/RAX-AUTH/domains", branch=True)
    def domains(self, request: IRequest) -> IResource:
        return Mounted(DomainsV2(self.core).app.resource(), keystone_error_body)

    @app.route("/users", methods=["POST"])
    def create_user(self, request: IRequest) -> bytes:
        """
        ``OS-KSADM``'s user creation: a managed user (its password
        checked), by an administrator.
        """
        require_admin(self._caller(request), "create_user")
        body = require_object(read_json(request, keystone_error), "body", keystone_error)
        given = require_object(body.get("user"), "user", keystone_error)
        username = given.get("username", given.get("name"))
        if not isinstance(username, str) or not username.strip():
            raise keystone_error(400, "Expecting to find username or name in user.")
        password = given.get("OS-KSADM:password", given.get("password"))
        if password is not None and not isinstance(password, str):
            raise keystone_error(400, "Invalid input: 'OS-KSADM:password' must be a string.")
        email = given.get("email")
        account = Account(
            "",
            email=email if isinstance(email, str) else None,
            enabled=given.get("enabled", True) is not False,
        )
        user = directory_of(self.core).add_user(username, DEFAULT_DOMAIN_ID, password, account)
        described = user_profile_json(user)
        if password is not None:
            described["OS-KSADM:password"] = password
        return json_response(request, {"user": described}, 201)

    @app.route("/users/<user_id>", methods=["DELETE"])
    def delete_user(self, request: IRequest, user_id: str) -> bytes:
        require_admin(self._caller(request), "delete_user")
        directory = directory_of(self.core)
        user = self._user(user_id)
        if user.username == directory.admin_name:
            raise keystone_error(403, "Mimic's configured administrator cannot be deleted.")
        directory.remove_user(user)
        return json_response(request, None, 204)

    @app.route("/tenants/<tenant_id>/users/<user_id>/roles/OS-KSADM/<role_id>", methods=["PUT", "DELETE"])
    def tenant_role(self, request: IRequest, tenant_id: str, user_id: str, role_id: str) -> bytes:
        """
        Grant (``PUT``, 200 with the role) or revoke (``DELETE``, 204) a
        role of a user on a tenant.
        """
        require_admin(self._caller(request), "create_grant")
        directory = directory_of(self.core)
        project = directory.project(tenant_id)
        self._user(user_id)
        role = directory.role(role_id)
        target = Target("project", project.id)
        if request.method == b"DELETE":
            directory.revoke("user", user_id, target, role)
            return json_response(request, None, 204)
        directory.grant("user", user_id, target, role)
        return json_response(request, {"role": v2_roles_json([role])[0]})

    @app.route("/tenants/<tenant_id>/users/<user_id>/roles", methods=["GET"])
    def tenant_roles(self, request: IRequest, tenant_id: str, user_id: str) -> bytes:
        require_self_or_admin(self._caller(request), user_id, "list_grants")
        directory = directory_of(self.core)
        project = directory.project(tenant_id)
        user = self._user(user_id)
        roles = directory.token_roles(user, Target("project", project.id))
        return json_response(request, {"roles": v2_roles_json(roles), "roles_links": []})

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
