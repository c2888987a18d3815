# -*- test-case-name: mimic.test.test_identity_v3 -*-
"""
Identity v3 (Keystone), mounted at ``/identity/v3``: its routes.

Today's OpenStack clients (openstacksdk, the ``openstack`` CLI,
keystoneauth's generic plugins, Ansible, Terraform) speak v3 by default
and start by discovering versions at the unversioned URL.  Users,
projects and tokens are the ones the core's session store keeps for v2,
so one username is one user and one tenant (a project whose id and name
are the tenant id, in the domain ``default``) whichever version a client
uses, and a v2 and a v3 token for the same tenant see the same resources.

Each handler parses (:mod:`~mimic.services.identity.validation`), applies
identity's rules (:mod:`~mimic.services.identity.model`) and answers
(:mod:`~mimic.services.identity.views`).
"""

from __future__ import annotations

from typing import Any, Iterable, cast

from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest

from mimic.catalog import ResolvedEntry
from mimic.http import HTTPError, base_url, handle_errors, header, json_response, query_arg
from mimic.interfaces import IMimicCore
from mimic.services.identity.errors import (
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    UNEXPECTED,
    authentication_failed,
    keystone_error,
)
from mimic.services.identity.failures import AUTHENTICATION
from mimic.services.identity.model import DEFAULT_DOMAIN_ID, Identity
from mimic.services.identity.validation import (
    auth_object,
    flag,
    list_filter,
    password_method,
    requested_scope,
    token_method,
    v3_identity,
)
from mimic.services.identity.versions import V3_PATH, v3_document
from mimic.services.identity.views import (
    catalog_json,
    catalog_with_identity,
    collection_json,
    domain_json,
    endpoints_json,
    project_json,
    regions_json,
    role_assignment_json,
    role_json,
    service_json,
    v3_token_json,
    v3_user_json,
)
from mimic.session import AuthenticationFailed, Role, Token, User

SUBJECT_TOKEN = b"x-subject-token"


class IdentityV3:
    """
    The v3 API over the core's session store.
    """

    app = Klein()

    @app.handle_errors(HTTPError, AuthenticationFailed)
    def _challenge(self, request: IRequest, failure: Failure) -> bytes:
        """
        Keystone's every 401 says where to authenticate
        (``WWW-Authenticate``), whatever refused the request: a missing
        token, credentials, a failure condition.  Only the request knows
        that URL, so the header is added here, before the shared handlers
        below write the error out.
        """
        if failure.check(AuthenticationFailed):
            error = authentication_failed(cast(AuthenticationFailed, failure.value))
        else:
            error = cast(HTTPError, failure.value)
        if error.status == 401:
            uri = f'Keystone uri="{base_url(request)}/identity"'
            error.headers.setdefault(b"www-authenticate", uri.encode("utf-8"))
        raise error

    handle_errors(
        app,
        keystone_error,
        not_found=NOT_FOUND,
        not_allowed=METHOD_NOT_ALLOWED,
        unexpected=UNEXPECTED,
    )

    def __init__(self, core: IMimicCore) -> None:
        self.core = core
        self.identity = Identity(core.sessions, core.clock)

    # -- helpers ----------------------------------------------------------

    def _caller(self, request: IRequest) -> Token:
        """
        The live token in X-Auth-Token, which every call but
        authentication needs.
        """
        token = self.core.sessions.token(header(request, "x-auth-token"))
        if token is None:
            raise keystone_error(401, UNAUTHENTICATED)
        return token

    def _url(self, request: IRequest) -> str:
        """
        The v3 root as the client reached it, which documents link to.
        """
        return f"{base_url(request)}/{V3_PATH}"

    def _collection(self, request: IRequest, name: str, items: list[dict[str, Any]]) -> bytes:
        url = base_url(request) + request.path.decode("utf-8", "replace")
        query = request.uri.decode("utf-8", "replace").partition("?")[2]
        if query:
            url = f"{url}?{query}"
        return json_response(request, collection_json(name, items, url))

    def _filtered(
        self, request: IRequest, items: Iterable[dict[str, Any]], keys: Iterable[str]
    ) -> list[dict[str, Any]]:
        wanted = list_filter(request, keys)
        return [item for item in items if wanted(item)]

    def _catalog(self, request: IRequest, token: Token) -> list[ResolvedEntry]:
        if token.tenant_id is None:
            return []
        return catalog_with_identity(self.core, token.tenant_id, base_url(request), V3_PATH)

    def _token_response(self, request: IRequest, token: Token, status: int) -> bytes:
        catalog = None if flag(request, "nocatalog") else self._catalog(request, token)
        return json_response(
            request,
            {"token": v3_token_json(token, catalog)},
            status,
            {SUBJECT_TOKEN: token.id.encode("ascii")},
        )

    def _user(self, user_id: str) -> User:
        user = self.core.sessions.user_by_id(user_id)
        if user is None:
            raise keystone_error(404, f"Could not find user: {user_id}.")
        return user

    def _project(self, project_id: str) -> User:
        """
        The owner of a project (Mimic's projects are its users' tenants).
        """
        owner = self.core.sessions.tenant_owner(project_id)
        if owner is None:
            raise keystone_error(404, f"Could not find project: {project_id}.")
        return owner

    def _role(self, user: User, role_id: str) -> Role:
        for role in user.roles:
            if role.id == role_id:
                return role
        raise keystone_error(404, f"Could not find role: {role_id}.")

    # -- discovery --------------------------------------------------------

    @app.route("/", methods=["GET", "HEAD"])
    def version(self, request: IRequest) -> bytes:
        return json_response(request, {"version": v3_document(base_url(request))})

    # -- tokens -----------------------------------------------------------

    @app.route("/auth/tokens", methods=["POST"])
    def authenticate(self, request: IRequest) -> bytes:
        auth = auth_object(request)
        identity, methods = v3_identity(auth)
        rescoped = self.identity.rescoping(token_method(identity["token"])) if "token" in methods else None
        password = password_method(identity["password"]) if "password" in methods else None
        claim = self.identity.v3_claim(rescoped, password)
        scope = requested_scope(auth.get("scope"))
        self.core.failures.decide(
            AUTHENTICATION, {"username": claim.username, "tenant_id": scope.project or ""}
        )
        token = self.identity.v3_token(claim, scope, methods, password, rescoped)
        return self._token_response(request, token, 201)

    def _subject(self, request: IRequest) -> Token:
        """
        The token named by X-Subject-Token, for a caller with a live
        X-Auth-Token.
        """
        self._caller(request)
        subject_id = header(request, "x-subject-token")
        if not subject_id:
            raise keystone_error(400, "Expecting to find X-Subject-Token in the request headers.")
        subject = self.core.sessions.token(subject_id)
        if subject is None:
            raise keystone_error(404, f"Could not find token: {subject_id}.")
        return subject

    @app.route("/auth/tokens", methods=["GET"])
    def validate(self, request: IRequest) -> bytes:
        return self._token_response(request, self._subject(request), 200)

    @app.route("/auth/tokens", methods=["HEAD"])
    def check(self, request: IRequest) -> bytes:
        subject = self._subject(request)
        return json_response(request, None, 200, {SUBJECT_TOKEN: subject.id.encode("ascii")})

    @app.route("/auth/tokens", methods=["DELETE"])
    def revoke(self, request: IRequest) -> bytes:
        subject = self._subject(request)
        self.core.sessions.revoke(subject.id)
        return json_response(request, None, 204)

    @app.route("/auth/catalog", methods=["GET", "HEAD"])
    def auth_catalog(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        if caller.tenant_id is None and not caller.domain_scoped:
            raise keystone_error(403, "A project-scoped token is required to produce a service catalog.")
        return self._collection(request, "catalog", catalog_json(self._catalog(request, caller)))

    @app.route("/auth/projects", methods=["GET", "HEAD"])
    def auth_projects(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        projects = [project_json(self._url(request), caller.user.tenant_id)]
        return self._collection(request, "projects", projects)

    @app.route("/auth/domains", methods=["GET", "HEAD"])
    def auth_domains(self, request: IRequest) -> bytes:
        self._caller(request)
        return self._collection(request, "domains", [domain_json(self._url(request))])

    @app.route("/auth/system", methods=["GET", "HEAD"])
    def auth_system(self, request: IRequest) -> bytes:
        self._caller(request)
        return self._collection(request, "system", [])

    # -- domains, projects, users -----------------------------------------

    @app.route("/domains", methods=["GET", "HEAD"])
    def domains(self, request: IRequest) -> bytes:
        self._caller(request)
        domains = self._filtered(request, [domain_json(self._url(request))], ("id", "name", "enabled"))
        return self._collection(request, "domains", domains)

    @app.route("/domains/<domain_id>", methods=["GET", "HEAD"])
    def domain(self, request: IRequest, domain_id: str) -> bytes:
        self._caller(request)
        if domain_id != DEFAULT_DOMAIN_ID:
            raise keystone_error(404, f"Could not find domain: {domain_id}.")
        return json_response(request, {"domain": domain_json(self._url(request))})

    @app.route("/projects", methods=["GET", "HEAD"])
    def projects(self, request: IRequest) -> bytes:
        self._caller(request)
        name = query_arg(request, "name")
        if name is not None:
            owners = [o for o in [self.core.sessions.tenant_owner(name)] if o is not None]
        else:
            owners = list(self.core.sessions.users())
        url = self._url(request)
        projects = self._filtered(
            request,
            (project_json(url, owner.tenant_id) for owner in owners),
            ("id", "domain_id", "enabled", "is_domain", "parent_id"),
        )
        return self._collection(request, "projects", projects)

    @app.route("/projects/<project_id>", methods=["GET", "HEAD"])
    def project(self, request: IRequest, project_id: str) -> bytes:
        self._caller(request)
        owner = self._project(project_id)
        return json_response(request, {"project": project_json(self._url(request), owner.tenant_id)})

    @app.route("/users", methods=["GET", "HEAD"])
    def users(self, request: IRequest) -> bytes:
        self._caller(request)
        name = query_arg(request, "name")
        if name is not None:
            users = [u for u in [self.core.sessions.user_by_name(name)] if u is not None]
        else:
            users = list(self.core.sessions.users())
        url = self._url(request)
        described = self._filtered(
            request, (v3_user_json(url, u) for u in users), ("id", "domain_id", "enabled")
        )
        return self._collection(request, "users", described)

    @app.route("/users/<user_id>", methods=["GET", "HEAD"])
    def user(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        return json_response(request, {"user": v3_user_json(self._url(request), self._user(user_id))})

    @app.route("/users/<user_id>/projects", methods=["GET", "HEAD"])
    def user_projects(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        user = self._user(user_id)
        projects = self._filtered(
            request, [project_json(self._url(request), user.tenant_id)], ("name", "enabled", "domain_id")
        )
        return self._collection(request, "projects", projects)

    @app.route("/users/<user_id>/groups", methods=["GET", "HEAD"])
    def user_groups(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        self._user(user_id)
        return self._collection(request, "groups", [])

    @app.route("/groups", methods=["GET", "HEAD"])
    def groups(self, request: IRequest) -> bytes:
        self._caller(request)
        return self._collection(request, "groups", [])

    # -- roles ------------------------------------------------------------

    @app.route("/roles", methods=["GET", "HEAD"])
    def roles(self, request: IRequest) -> bytes:
        caller = self._caller(request)
        url = self._url(request)
        roles = self._filtered(
            request, (role_json(url, r) for r in caller.user.roles), ("name", "domain_id")
        )
        return self._collection(request, "roles", roles)

    @app.route("/roles/<role_id>", methods=["GET", "HEAD"])
    def role(self, request: IRequest, role_id: str) -> bytes:
        caller = self._caller(request)
        role = self._role(caller.user, role_id)
        return json_response(request, {"role": role_json(self._url(request), role)})

    @app.route("/projects/<project_id>/users/<user_id>/roles", methods=["GET", "HEAD"])
    def project_user_roles(self, request: IRequest, project_id: str, user_id: str) -> bytes:
        self._caller(request)
        self._project(project_id)
        user = self._user(user_id)
        url = self._url(request)
        roles = [role_json(url, r) for r in user.roles] if user.tenant_id == project_id else []
        return self._collection(request, "roles", roles)

    @app.route("/projects/<project_id>/users/<user_id>/roles/<role_id>", methods=["GET", "HEAD"])
    def project_user_role(
        self, request: IRequest, project_id: str, user_id: str, role_id: str
    ) -> bytes:
        self._caller(request)
        self._project(project_id)
        user = self._user(user_id)
        role = self._role(user, role_id)
        if user.tenant_id != project_id:
            raise keystone_error(
                404, f"Could not find role assignment with role: {role.id}, user or group: "
                f"{user_id}, project, domain, or system: {project_id}."
            )
        return json_response(request, None, 204)

    @app.route("/role_assignments", methods=["GET", "HEAD"])
    def role_assignments(self, request: IRequest) -> bytes:
        """
        Every user holds every role on its own project.  Filters:
        ``user.id``, ``scope.project.id``, ``role.id``; ``scope.domain.id``,
        ``scope.system`` and ``group.id`` match nothing, since Mimic
        assigns no roles there.
        """
        self._caller(request)
        for unmatched in ("scope.domain.id", "scope.system", "group.id"):
            if query_arg(request, unmatched) is not None:
                return self._collection(request, "role_assignments", [])
        user_id = query_arg(request, "user.id")
        project_id = query_arg(request, "scope.project.id")
        role_id = query_arg(request, "role.id")
        with_names = bool(flag(request, "include_names"))
        if user_id is not None:
            users = [u for u in [self.core.sessions.user_by_id(user_id)] if u is not None]
        elif project_id is not None:
            users = [u for u in [self.core.sessions.tenant_owner(project_id)] if u is not None]
        else:
            users = list(self.core.sessions.users())
        url = self._url(request)
        assignments = [
            role_assignment_json(url, user, role, with_names)
            for user in users
            if project_id is None or user.tenant_id == project_id
            for role in user.roles
            if role_id is None or role.id == role_id
        ]
        return self._collection(request, "role_assignments", assignments)

    # -- services, endpoints, regions -------------------------------------

    def _caller_catalog(self, request: IRequest) -> list[ResolvedEntry]:
        """
        The catalog of the caller's project (a service's URLs name the
        tenant, so services and endpoints are listed as that project sees
        them).
        """
        caller = self._caller(request)
        return catalog_with_identity(
            self.core, caller.user.tenant_id, base_url(request), V3_PATH
        )

    @app.route("/services", methods=["GET", "HEAD"])
    def services(self, request: IRequest) -> bytes:
        entries = self._caller_catalog(request)
        url = self._url(request)
        services = self._filtered(
            request, (service_json(url, e) for e in entries), ("name", "type", "enabled")
        )
        return self._collection(request, "services", services)

    @app.route("/services/<service_id>", methods=["GET", "HEAD"])
    def service(self, request: IRequest, service_id: str) -> bytes:
        for entry in self._caller_catalog(request):
            if entry.id == service_id:
                return json_response(request, {"service": service_json(self._url(request), entry)})
        raise keystone_error(404, f"Could not find service: {service_id}.")

    @app.route("/endpoints", methods=["GET", "HEAD"])
    def endpoints(self, request: IRequest) -> bytes:
        endpoints = self._filtered(
            request,
            endpoints_json(self._url(request), self._caller_catalog(request)),
            ("interface", "service_id", "region_id", "enabled"),
        )
        return self._collection(request, "endpoints", endpoints)

    @app.route("/endpoints/<endpoint_id>", methods=["GET", "HEAD"])
    def endpoint(self, request: IRequest, endpoint_id: str) -> bytes:
        for endpoint in endpoints_json(self._url(request), self._caller_catalog(request)):
            if endpoint["id"] == endpoint_id:
                return json_response(request, {"endpoint": endpoint})
        raise keystone_error(404, f"Could not find endpoint: {endpoint_id}.")

    def _regions(self, request: IRequest) -> list[dict[str, Any]]:
        return regions_json(self._url(request), self._caller_catalog(request))

    @app.route("/regions", methods=["GET", "HEAD"])
    def regions(self, request: IRequest) -> bytes:
        regions = self._filtered(request, self._regions(request), ("parent_region_id",))
        return self._collection(request, "regions", regions)

    @app.route("/regions/<region_id>", methods=["GET", "HEAD"])
    def region(self, request: IRequest, region_id: str) -> bytes:
        for region in self._regions(request):
            if region["id"] == region_id:
                return json_response(request, {"region": region})
        raise keystone_error(404, f"Could not find region: {region_id}.")
