# -*- test-case-name: mimic.test.test_identity_v3 -*-
"""
Identity v3 (Keystone), mounted at ``/identity/v3``, and the list of
identity versions served at ``/identity/``.

Today's OpenStack clients (openstacksdk, the ``openstack`` CLI,
keystoneauth's generic plugins, Ansible, Terraform) speak v3 by default
and start by discovering versions at the unversioned URL.  Users,
projects and tokens are the ones the core's session store keeps for v2,
so one username is one user and one tenant (a project whose id and name
are the tenant id, in the domain ``default``) whichever version a client
uses, and a v2 and a v3 token for the same tenant see the same resources.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Iterable
from urllib.parse import quote

from klein import Klein
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from mimic.catalog import ResolvedEntry, stable_id
from mimic.core import MimicCore
from mimic.http import (
    HTTPError,
    base_url,
    header,
    json_response,
    query_arg,
    read_json,
    render_error,
    require_object,
)
from mimic.services.identity import v2
from mimic.services.identity.errors import (
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UNAUTHENTICATED,
    keystone_error,
)
from mimic.services.identity.failures import check_authentication
from mimic.services.identity.views import catalog_with_identity
from mimic.session import AuthenticationFailed, Role, Token, User
from mimic.timestamps import iso_microseconds

#: The minor version announced: Keystone's since the Ussuri release, which
#: clients accept for everything Mimic serves.
VERSION_ID = "v3.14"

DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"

#: The interfaces a Keystone catalog lists for every endpoint.
INTERFACES = ("public", "internal", "admin")

SUBJECT_TOKEN = b"x-subject-token"


#: Where v3 catalogs say identity itself is (relative to Mimic's root).
IDENTITY_PATH = "identity/v3"


def version_document(root_url: str) -> dict[str, Any]:
    """
    The v3 version description, as served at ``/identity/v3`` and listed
    at ``/identity/``.
    """
    return {
        "id": VERSION_ID,
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
        "links": [{"rel": "self", "href": f"{root_url}/identity/v3/"}],
    }


def multiple_choices(root_url: str) -> tuple[dict[str, Any], int, dict[bytes, bytes]]:
    """
    What Keystone answers at its unversioned root: 300 Multiple Choices
    listing every version, newest first, with the preferred one in
    ``Location``.
    """
    body = {
        "versions": {
            "values": [version_document(root_url), v2.version_document(root_url)]
        }
    }
    return body, 300, {b"location": f"{root_url}/identity/v3/".encode("utf-8")}


def _domain_ref() -> dict[str, str]:
    return {"id": DEFAULT_DOMAIN_ID, "name": DEFAULT_DOMAIN_NAME}


def _is_default_domain(domain: dict[str, Any]) -> bool:
    """
    Whether a ``{"id": ...}`` or ``{"name": ...}`` reference names the one
    domain Mimic has (names compared as Keystone's SQL backend usually
    does, without regard to case).
    """
    if "id" in domain:
        return isinstance(domain["id"], str) and domain["id"] == DEFAULT_DOMAIN_ID
    name = domain.get("name")
    return isinstance(name, str) and name.lower() == DEFAULT_DOMAIN_NAME.lower()


def audit_id(token: Token) -> str:
    """
    A Keystone-style 22-character audit id, stable for a token, so that a
    token can be told apart in logs without revealing it.
    """
    digest = hashlib.sha256(token.id.encode("ascii")).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def catalog_json(entries: Iterable[ResolvedEntry]) -> list[dict[str, Any]]:
    """
    A v3 catalog: each endpoint under the public, internal and admin
    interfaces, as Keystone deployments register them.  A service's own
    internal URL (Rackspace's ServiceNet) is kept where it declares one.
    """
    described = []
    for entry in entries:
        endpoints = []
        for endpoint in entry.endpoints:
            urls = {
                "public": endpoint.public_url,
                "internal": endpoint.internal_url or endpoint.public_url,
                "admin": endpoint.public_url,
            }
            for interface in INTERFACES:
                endpoints.append(
                    {
                        "id": stable_id(endpoint.id, interface),
                        "interface": interface,
                        "region": endpoint.region,
                        "region_id": endpoint.region,
                        "url": urls[interface],
                    }
                )
        described.append(
            {"id": entry.id, "name": entry.name, "type": entry.type, "endpoints": endpoints}
        )
    return described


def _bool_arg(value: str) -> bool:
    """
    A boolean query argument, read as Keystone reads them.
    """
    return value.lower() not in ("0", "false", "f", "no", "n", "off")


def _flag(request: IRequest, name: str) -> bool | None:
    """
    A boolean query argument that may be given bare (``?nocatalog``,
    ``?include_names``), which the parsed arguments leave out; None when
    absent.
    """
    query = request.uri.decode("utf-8", "replace").partition("?")[2]
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        if key == name:
            return _bool_arg(value) if equals and value else True
    return None


def _filtered(
    request: IRequest, items: Iterable[dict[str, Any]], keys: Iterable[str]
) -> list[dict[str, Any]]:
    """
    The items whose attributes equal every given query argument among
    ``keys`` (Keystone's list filters are exact matches).
    """
    wanted = {key: query_arg(request, key) for key in keys}
    wanted = {key: value for key, value in wanted.items() if value is not None}

    def matches(item: dict[str, Any]) -> bool:
        for key, value in wanted.items():
            actual = item.get(key)
            if isinstance(actual, bool):
                if actual != _bool_arg(value):
                    return False
            elif actual != value:
                return False
        return True

    return [item for item in items if matches(item)]


class IdentityV3:
    """
    The v3 API over the core's session store.
    """

    app = Klein()

    def __init__(self, core: MimicCore) -> None:
        self.core = core

    # -- errors -----------------------------------------------------------

    @app.handle_errors(HTTPError)
    def _render_error(self, request: IRequest, failure: Any) -> bytes:
        error = failure.value
        if error.status == 401:
            # Keystone tells a client where to authenticate.
            uri = f'Keystone uri="{base_url(request)}/identity"'
            error.headers.setdefault(b"www-authenticate", uri.encode("utf-8"))
        return render_error(request, failure)

    @app.handle_errors(NotFound)
    def _not_found(self, request: IRequest, failure: Any) -> bytes:
        return render_error(
            request, Failure(keystone_error(404, NOT_FOUND))
        )

    @app.handle_errors(MethodNotAllowed)
    def _not_allowed(self, request: IRequest, failure: Any) -> bytes:
        return render_error(
            request,
            Failure(keystone_error(405, METHOD_NOT_ALLOWED)),
        )

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

    def _link(self, request: IRequest, *path: str) -> str:
        return "/".join([f"{base_url(request)}/identity/v3", *(quote(p, safe="") for p in path)])

    def _collection(
        self, request: IRequest, name: str, items: list[dict[str, Any]]
    ) -> bytes:
        """
        A Keystone listing: the items and the collection's links.  Keystone
        does not page its listings.
        """
        url = base_url(request) + request.path.decode("utf-8", "replace")
        query = request.uri.decode("utf-8", "replace").partition("?")[2]
        if query:
            url = f"{url}?{query}"
        return json_response(
            request, {name: items, "links": {"self": url, "previous": None, "next": None}}
        )

    def _catalog(self, request: IRequest, token: Token) -> list[ResolvedEntry]:
        if token.tenant_id is None:
            return []
        return catalog_with_identity(self.core, token.tenant_id, base_url(request), IDENTITY_PATH)

    def _domain_json(self, request: IRequest) -> dict[str, Any]:
        return {
            "id": DEFAULT_DOMAIN_ID,
            "name": DEFAULT_DOMAIN_NAME,
            "description": "The default domain",
            "enabled": True,
            "tags": [],
            "options": {},
            "links": {"self": self._link(request, "domains", DEFAULT_DOMAIN_ID)},
        }

    def _project_json(self, request: IRequest, tenant_id: str) -> dict[str, Any]:
        return {
            "id": tenant_id,
            "name": tenant_id,
            "domain_id": DEFAULT_DOMAIN_ID,
            "description": "",
            "enabled": True,
            "is_domain": False,
            "parent_id": DEFAULT_DOMAIN_ID,
            "tags": [],
            "options": {},
            "links": {"self": self._link(request, "projects", tenant_id)},
        }

    def _user_json(self, request: IRequest, user: User) -> dict[str, Any]:
        return {
            "id": user.id,
            "name": user.username,
            "domain_id": user.domain_id,
            "default_project_id": user.tenant_id,
            "email": f"{user.username}@example.com",
            "enabled": True,
            "password_expires_at": None,
            "options": {},
            "links": {"self": self._link(request, "users", user.id)},
        }

    def _role_json(self, request: IRequest, role: Role) -> dict[str, Any]:
        return {
            "id": role.id,
            "name": role.name,
            "description": role.description,
            "domain_id": None,
            "options": {},
            "links": {"self": self._link(request, "roles", role.id)},
        }

    def _token_json(self, request: IRequest, token: Token) -> dict[str, Any]:
        user = token.user
        body: dict[str, Any] = {
            "methods": [method.lower() for method in token.methods],
            "user": {
                "id": user.id,
                "name": user.username,
                "domain": _domain_ref(),
                "password_expires_at": None,
            },
            "audit_ids": [audit_id(token)],
            "expires_at": iso_microseconds(token.expires),
            "issued_at": iso_microseconds(token.issued_at),
        }
        if token.tenant_id is not None:
            body["project"] = {"id": token.tenant_id, "name": token.tenant_id, "domain": _domain_ref()}
            body["is_domain"] = False
        elif token.domain_scoped:
            body["domain"] = _domain_ref()
        else:
            return body
        body["roles"] = [{"id": role.id, "name": role.name} for role in user.roles]
        if not _flag(request, "nocatalog"):
            body["catalog"] = catalog_json(self._catalog(request, token))
        return body

    def _token_response(self, request: IRequest, token: Token, status: int) -> bytes:
        return json_response(
            request,
            {"token": self._token_json(request, token)},
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
        return json_response(request, {"version": version_document(base_url(request))})

    # -- tokens -----------------------------------------------------------

    @app.route("/auth/tokens", methods=["POST"])
    def authenticate(self, request: IRequest) -> bytes:
        body = require_object(read_json(request, keystone_error), "body", keystone_error)
        auth = require_object(body.get("auth"), "auth", keystone_error)
        try:
            token = self._authenticate(auth)
        except AuthenticationFailed as e:
            raise keystone_error(401, str(e))
        return self._token_response(request, token, 201)

    def _authenticate(self, auth: dict[str, Any]) -> Token:
        identity = require_object(auth.get("identity"), "auth.identity", keystone_error)
        methods = identity.get("methods")
        if (
            not isinstance(methods, list)
            or not methods
            or not all(isinstance(m, str) for m in methods)
        ):
            raise keystone_error(
                400, "Invalid input: 'auth.identity.methods' must be a non-empty list of strings."
            )
        for method in methods:
            if method not in ("password", "token"):
                raise AuthenticationFailed(
                    f"Attempted to authenticate with an unsupported method: {method}."
                )
            if method not in identity:
                raise keystone_error(
                    400, f"Invalid input: 'auth.identity.{method}' is required by the methods listed."
                )
        user: User | None = None
        username: str | None = None
        rescoped: Token | None = None
        password: str | None = None
        if "token" in methods:
            rescoped = self._token_credential(identity["token"])
            user = rescoped.user
        if "password" in methods:
            username, found, password = self._password_credential(identity["password"])
            if user is not None and (found is None or found.id != user.id):
                raise AuthenticationFailed("The methods given authenticate different users.")
            user = found
        if username is None:
            assert user is not None
            username = user.username
        scope = self._scope(auth.get("scope"))
        tenant_id = scope if isinstance(scope, str) else None
        check_authentication(self.core.failures, username, tenant_id)
        sessions = self.core.sessions
        if user is None:
            # A new user, created on first use as v2 does; it may choose
            # its project if nobody owns it.
            if tenant_id is not None and sessions.tenant_owner(tenant_id) is not None:
                raise AuthenticationFailed(
                    f"User {username!r} has no role on project {tenant_id!r}."
                )
            user = sessions.user_for(username, tenant_id, password=password)
        if tenant_id is not None and tenant_id != user.tenant_id:
            raise AuthenticationFailed(
                f"User {user.username!r} has no role on project {tenant_id!r}."
            )
        lifetime = None
        method_names = tuple(m.upper() for m in methods)
        if rescoped is not None:
            # A token made from a token lives no longer than the original.
            lifetime = rescoped.expires - self.core.clock.seconds()
        if scope is _DEFAULT_PROJECT:
            tenant_id = user.tenant_id
        return sessions.issue(
            user,
            tenant_id,
            method_names,
            lifetime=lifetime,
            domain_scoped=scope is _DOMAIN,
        )

    def _token_credential(self, credential: Any) -> Token:
        credential = require_object(credential, "auth.identity.token", keystone_error)
        token_id = credential.get("id")
        if not isinstance(token_id, str) or not token_id:
            raise keystone_error(400, "Invalid input: 'auth.identity.token.id' is required.")
        existing = self.core.sessions.token(token_id)
        if existing is None:
            raise AuthenticationFailed(f"Could not find token: {token_id}.")
        return existing

    def _password_credential(self, credential: Any) -> tuple[str, User | None, str]:
        """
        The username, the user if it exists already, and the password of a
        ``password`` method.  A user named for the first time is created
        later, after the failure engine has been consulted.
        """
        credential = require_object(credential, "auth.identity.password", keystone_error)
        user = require_object(credential.get("user"), "auth.identity.password.user", keystone_error)
        password = user.get("password")
        if not isinstance(password, str):
            raise keystone_error(
                400, "Invalid input: 'auth.identity.password.user.password' must be a string."
            )
        if "id" in user:
            user_id = user["id"]
            if not isinstance(user_id, str):
                raise keystone_error(400, "Invalid input: 'auth.identity.password.user.id' must be a string.")
            found = self.core.sessions.user_by_id(user_id)
            if found is None:
                raise AuthenticationFailed(f"Could not find user: {user_id}.")
            return found.username, found, password
        name = user.get("name")
        if not isinstance(name, str) or not name:
            raise keystone_error(
                400, "Invalid input: 'auth.identity.password.user' needs an 'id' or a 'name'."
            )
        domain = user.get("domain")
        if not isinstance(domain, dict) or not ("id" in domain or "name" in domain):
            raise keystone_error(400, "Expecting to find domain in user.")
        if not _is_default_domain(domain):
            raise AuthenticationFailed(f"Could not find domain: {domain.get('id', domain.get('name'))}.")
        return name, self.core.sessions.user_by_name(name), password

    def _scope(self, scope: Any) -> Any:
        """
        What the token is to be scoped to: a tenant id, the domain, nothing
        (``"unscoped"``), or, when no scope is given, the user's default
        project, as Keystone does.
        """
        if scope is None:
            return _DEFAULT_PROJECT
        if scope == "unscoped":
            return None
        scope = require_object(scope, "auth.scope", keystone_error)
        if "project" in scope:
            project = require_object(scope["project"], "auth.scope.project", keystone_error)
            if "id" in project:
                project_id = project["id"]
                if not isinstance(project_id, str) or not project_id:
                    raise keystone_error(400, "Invalid input: 'auth.scope.project.id' must be a string.")
                return project_id
            name = project.get("name")
            if not isinstance(name, str) or not name:
                raise keystone_error(400, "Invalid input: 'auth.scope.project' needs an 'id' or a 'name'.")
            domain = project.get("domain")
            if not isinstance(domain, dict) or not ("id" in domain or "name" in domain):
                raise keystone_error(400, "Expecting to find domain in project.")
            if not _is_default_domain(domain):
                raise AuthenticationFailed(f"Could not find project: {name}.")
            return name
        if "domain" in scope:
            domain = require_object(scope["domain"], "auth.scope.domain", keystone_error)
            if not ("id" in domain or "name" in domain):
                raise keystone_error(400, "Invalid input: 'auth.scope.domain' needs an 'id' or a 'name'.")
            if not _is_default_domain(domain):
                raise AuthenticationFailed(f"Could not find domain: {domain.get('id', domain.get('name'))}.")
            return _DOMAIN
        if "system" in scope or "OS-TRUST:trust" in scope:
            raise AuthenticationFailed("Mimic does not issue system-scoped or trust-scoped tokens.")
        raise keystone_error(400, "Invalid input: 'auth.scope' needs a 'project' or a 'domain'.")

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
        projects = [self._project_json(request, caller.user.tenant_id)]
        return self._collection(request, "projects", projects)

    @app.route("/auth/domains", methods=["GET", "HEAD"])
    def auth_domains(self, request: IRequest) -> bytes:
        self._caller(request)
        return self._collection(request, "domains", [self._domain_json(request)])

    @app.route("/auth/system", methods=["GET", "HEAD"])
    def auth_system(self, request: IRequest) -> bytes:
        self._caller(request)
        return self._collection(request, "system", [])

    # -- domains, projects, users -----------------------------------------

    @app.route("/domains", methods=["GET", "HEAD"])
    def domains(self, request: IRequest) -> bytes:
        self._caller(request)
        domains = _filtered(request, [self._domain_json(request)], ("id", "name", "enabled"))
        return self._collection(request, "domains", domains)

    @app.route("/domains/<domain_id>", methods=["GET", "HEAD"])
    def domain(self, request: IRequest, domain_id: str) -> bytes:
        self._caller(request)
        if domain_id != DEFAULT_DOMAIN_ID:
            raise keystone_error(404, f"Could not find domain: {domain_id}.")
        return json_response(request, {"domain": self._domain_json(request)})

    @app.route("/projects", methods=["GET", "HEAD"])
    def projects(self, request: IRequest) -> bytes:
        self._caller(request)
        name = query_arg(request, "name")
        if name is not None:
            owners = [o for o in [self.core.sessions.tenant_owner(name)] if o is not None]
        else:
            owners = list(self.core.sessions.users())
        projects = _filtered(
            request,
            (self._project_json(request, owner.tenant_id) for owner in owners),
            ("id", "domain_id", "enabled", "is_domain", "parent_id"),
        )
        return self._collection(request, "projects", projects)

    @app.route("/projects/<project_id>", methods=["GET", "HEAD"])
    def project(self, request: IRequest, project_id: str) -> bytes:
        self._caller(request)
        owner = self._project(project_id)
        return json_response(request, {"project": self._project_json(request, owner.tenant_id)})

    @app.route("/users", methods=["GET", "HEAD"])
    def users(self, request: IRequest) -> bytes:
        self._caller(request)
        name = query_arg(request, "name")
        if name is not None:
            users = [u for u in [self.core.sessions.user_by_name(name)] if u is not None]
        else:
            users = list(self.core.sessions.users())
        described = _filtered(
            request, (self._user_json(request, u) for u in users), ("id", "domain_id", "enabled")
        )
        return self._collection(request, "users", described)

    @app.route("/users/<user_id>", methods=["GET", "HEAD"])
    def user(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        return json_response(request, {"user": self._user_json(request, self._user(user_id))})

    @app.route("/users/<user_id>/projects", methods=["GET", "HEAD"])
    def user_projects(self, request: IRequest, user_id: str) -> bytes:
        self._caller(request)
        user = self._user(user_id)
        projects = _filtered(
            request, [self._project_json(request, user.tenant_id)], ("name", "enabled", "domain_id")
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
        roles = _filtered(
            request, (self._role_json(request, r) for r in caller.user.roles), ("name", "domain_id")
        )
        return self._collection(request, "roles", roles)

    @app.route("/roles/<role_id>", methods=["GET", "HEAD"])
    def role(self, request: IRequest, role_id: str) -> bytes:
        caller = self._caller(request)
        return json_response(request, {"role": self._role_json(request, self._role(caller.user, role_id))})

    @app.route("/projects/<project_id>/users/<user_id>/roles", methods=["GET", "HEAD"])
    def project_user_roles(self, request: IRequest, project_id: str, user_id: str) -> bytes:
        self._caller(request)
        self._project(project_id)
        user = self._user(user_id)
        roles = [self._role_json(request, r) for r in user.roles] if user.tenant_id == project_id else []
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
        with_names = bool(_flag(request, "include_names"))
        if user_id is not None:
            users = [u for u in [self.core.sessions.user_by_id(user_id)] if u is not None]
        elif project_id is not None:
            users = [u for u in [self.core.sessions.tenant_owner(project_id)] if u is not None]
        else:
            users = list(self.core.sessions.users())
        assignments = []
        for user in users:
            if project_id is not None and user.tenant_id != project_id:
                continue
            for role in user.roles:
                if role_id is not None and role.id != role_id:
                    continue
                assignment: dict[str, Any] = {
                    "role": {"id": role.id},
                    "user": {"id": user.id},
                    "scope": {"project": {"id": user.tenant_id}},
                    "links": {
                        "assignment": self._link(
                            request, "projects", user.tenant_id, "users", user.id, "roles", role.id
                        )
                    },
                }
                if with_names:
                    assignment["role"]["name"] = role.name
                    assignment["user"].update({"name": user.username, "domain": _domain_ref()})
                    assignment["scope"]["project"].update(
                        {"name": user.tenant_id, "domain": _domain_ref()}
                    )
                assignments.append(assignment)
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
            self.core, caller.user.tenant_id, base_url(request), IDENTITY_PATH
        )

    def _service_json(self, request: IRequest, entry: ResolvedEntry) -> dict[str, Any]:
        return {
            "id": entry.id,
            "name": entry.name,
            "type": entry.type,
            "description": "",
            "enabled": True,
            "links": {"self": self._link(request, "services", entry.id)},
        }

    def _endpoints_json(self, request: IRequest, entries: list[ResolvedEntry]) -> list[dict[str, Any]]:
        described = []
        for entry, catalog_entry in zip(entries, catalog_json(entries)):
            for endpoint in catalog_entry["endpoints"]:
                endpoint = dict(endpoint)
                endpoint.update(
                    {
                        "service_id": entry.id,
                        "enabled": True,
                        "links": {"self": self._link(request, "endpoints", endpoint["id"])},
                    }
                )
                described.append(endpoint)
        return described

    @app.route("/services", methods=["GET", "HEAD"])
    def services(self, request: IRequest) -> bytes:
        entries = self._caller_catalog(request)
        services = _filtered(
            request, (self._service_json(request, e) for e in entries), ("name", "type", "enabled")
        )
        return self._collection(request, "services", services)

    @app.route("/services/<service_id>", methods=["GET", "HEAD"])
    def service(self, request: IRequest, service_id: str) -> bytes:
        for entry in self._caller_catalog(request):
            if entry.id == service_id:
                return json_response(request, {"service": self._service_json(request, entry)})
        raise keystone_error(404, f"Could not find service: {service_id}.")

    @app.route("/endpoints", methods=["GET", "HEAD"])
    def endpoints(self, request: IRequest) -> bytes:
        endpoints = _filtered(
            request,
            self._endpoints_json(request, self._caller_catalog(request)),
            ("interface", "service_id", "region_id", "enabled"),
        )
        return self._collection(request, "endpoints", endpoints)

    @app.route("/endpoints/<endpoint_id>", methods=["GET", "HEAD"])
    def endpoint(self, request: IRequest, endpoint_id: str) -> bytes:
        for endpoint in self._endpoints_json(request, self._caller_catalog(request)):
            if endpoint["id"] == endpoint_id:
                return json_response(request, {"endpoint": endpoint})
        raise keystone_error(404, f"Could not find endpoint: {endpoint_id}.")

    def _regions_json(self, request: IRequest) -> list[dict[str, Any]]:
        regions = sorted(
            {
                endpoint.region
                for entry in self._caller_catalog(request)
                for endpoint in entry.endpoints
                if endpoint.region is not None
            }
        )
        return [
            {
                "id": region,
                "description": "",
                "parent_region_id": None,
                "links": {"self": self._link(request, "regions", region)},
            }
            for region in regions
        ]

    @app.route("/regions", methods=["GET", "HEAD"])
    def regions(self, request: IRequest) -> bytes:
        regions = _filtered(request, self._regions_json(request), ("parent_region_id",))
        return self._collection(request, "regions", regions)

    @app.route("/regions/<region_id>", methods=["GET", "HEAD"])
    def region(self, request: IRequest, region_id: str) -> bytes:
        for region in self._regions_json(request):
            if region["id"] == region_id:
                return json_response(request, {"region": region})
        raise keystone_error(404, f"Could not find region: {region_id}.")


#: Scope markers: the user's default project (no scope given), and the
#: default domain.
_DEFAULT_PROJECT = object()
_DOMAIN = object()
