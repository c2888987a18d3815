# -*- test-case-name: mimic.test.test_identity_validation -*-
"""
Identity's requests checked and turned into values
(:mod:`mimic.services.identity.model`'s credentials and scopes), or
Keystone's 400 saying what is wrong.

Where Keystone answers a well-formed request it cannot honour with 401
(an authentication method it does not offer, a domain it does not have),
so does this: :class:`~mimic.session.AuthenticationFailed`.  Checks run
in the order Keystone's do, so that a request with several faults is
told about the same one.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from twisted.web.iweb import IRequest

from mimic.http import query_arg, read_json, require_object, require_string
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.model import (
    API_KEY_CREDENTIALS,
    DEFAULT_SCOPE,
    DOMAIN_SCOPE,
    MAX_IMPERSONATION_LIFETIME,
    UNSCOPED,
    IMPERSONATION_LIFETIME,
    ApiKeyCredentials,
    PasswordCredentials,
    Scope,
    TokenCredentials,
    V2Credentials,
    V3Password,
    is_default_domain,
)
from mimic.session import AuthenticationFailed

#: The v3 authentication methods Mimic offers.
V3_METHODS = ("password", "token")


def auth_object(request: IRequest) -> dict[str, Any]:
    """
    The ``auth`` object of a token request (v2.0 and v3 alike).
    """
    body = require_object(read_json(request, keystone_error), "body", keystone_error)
    return require_object(body.get("auth"), "auth", keystone_error)


# -- v2.0 -------------------------------------------------------------------


def requested_tenant(auth: dict[str, Any]) -> str | None:
    """
    The tenant a v2.0 auth request asks to be scoped to, by id or by name
    (the same thing in Mimic, as at Rackspace).
    """
    for key in ("tenantId", "tenantName"):
        value = auth.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise keystone_error(400, f"Invalid input: '{key}' must be a string.")
        return value
    return None


def v2_credentials(auth: dict[str, Any]) -> V2Credentials:
    """
    The credentials of a v2.0 auth request: a password, an API key or a
    token, looked for in that order.
    """
    if "passwordCredentials" in auth:
        credentials = require_object(auth["passwordCredentials"], "passwordCredentials", keystone_error)
        username = require_string(credentials, "username", keystone_error, "passwordCredentials")
        password = require_string(credentials, "password", keystone_error, "passwordCredentials")
        return PasswordCredentials(username, password)
    if API_KEY_CREDENTIALS in auth:
        credentials = require_object(auth[API_KEY_CREDENTIALS], API_KEY_CREDENTIALS, keystone_error)
        username = require_string(credentials, "username", keystone_error, API_KEY_CREDENTIALS)
        api_key = require_string(credentials, "apiKey", keystone_error, API_KEY_CREDENTIALS)
        return ApiKeyCredentials(username, api_key)
    if "token" in auth:
        credentials = require_object(auth["token"], "token", keystone_error)
        return TokenCredentials(require_string(credentials, "id", keystone_error, "token"))
    raise keystone_error(
        400,
        "Invalid request: the auth object needs passwordCredentials, "
        f"{API_KEY_CREDENTIALS} or token.",
    )


def impersonation(request: IRequest) -> tuple[str, int]:
    """
    Who an impersonation request names, and for how many seconds.
    """
    body = require_object(read_json(request, keystone_error), "body", keystone_error)
    asked = require_object(
        body.get("RAX-AUTH:impersonation"), "RAX-AUTH:impersonation", keystone_error
    )
    user = require_object(asked.get("user"), "RAX-AUTH:impersonation.user", keystone_error)
    username = require_string(user, "username", keystone_error, "RAX-AUTH:impersonation.user")
    lifetime = asked.get("expire-in-seconds", IMPERSONATION_LIFETIME)
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
    return username, lifetime


# -- v3 ---------------------------------------------------------------------


def v3_identity(auth: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """
    The ``identity`` object of a v3 auth request and its methods, each of
    which Mimic offers and the object holds.
    """
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
        if method not in V3_METHODS:
            raise AuthenticationFailed(
                f"Attempted to authenticate with an unsupported method: {method}."
            )
        if method not in identity:
            raise keystone_error(
                400, f"Invalid input: 'auth.identity.{method}' is required by the methods listed."
            )
    return identity, methods


def token_method(credential: Any) -> str:
    """
    The token id of v3's ``token`` method.
    """
    credential = require_object(credential, "auth.identity.token", keystone_error)
    token_id = credential.get("id")
    if not isinstance(token_id, str) or not token_id:
        raise keystone_error(400, "Invalid input: 'auth.identity.token.id' is required.")
    return token_id


def password_method(credential: Any) -> V3Password:
    """
    v3's ``password`` method: a user by id, or by name with its domain
    (which must be the default one).
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
        return V3Password(password, user_id=user_id)
    name = user.get("name")
    if not isinstance(name, str) or not name:
        raise keystone_error(
            400, "Invalid input: 'auth.identity.password.user' needs an 'id' or a 'name'."
        )
    domain = user.get("domain")
    if not isinstance(domain, dict) or not ("id" in domain or "name" in domain):
        raise keystone_error(400, "Expecting to find domain in user.")
    if not is_default_domain(domain):
        raise AuthenticationFailed(f"Could not find domain: {domain.get('id', domain.get('name'))}.")
    return V3Password(password, username=name)


def requested_scope(scope: Any) -> Scope:
    """
    What a v3 token is asked to be scoped to (see
    :class:`~mimic.services.identity.model.Scope`).
    """
    if scope is None:
        return DEFAULT_SCOPE
    if scope == "unscoped":
        return UNSCOPED
    scope = require_object(scope, "auth.scope", keystone_error)
    if "project" in scope:
        project = require_object(scope["project"], "auth.scope.project", keystone_error)
        if "id" in project:
            project_id = project["id"]
            if not isinstance(project_id, str) or not project_id:
                raise keystone_error(400, "Invalid input: 'auth.scope.project.id' must be a string.")
            return Scope(project=project_id)
        name = project.get("name")
        if not isinstance(name, str) or not name:
            raise keystone_error(400, "Invalid input: 'auth.scope.project' needs an 'id' or a 'name'.")
        domain = project.get("domain")
        if not isinstance(domain, dict) or not ("id" in domain or "name" in domain):
            raise keystone_error(400, "Expecting to find domain in project.")
        if not is_default_domain(domain):
            raise AuthenticationFailed(f"Could not find project: {name}.")
        return Scope(project=name)
    if "domain" in scope:
        domain = require_object(scope["domain"], "auth.scope.domain", keystone_error)
        if not ("id" in domain or "name" in domain):
            raise keystone_error(400, "Invalid input: 'auth.scope.domain' needs an 'id' or a 'name'.")
        if not is_default_domain(domain):
            raise AuthenticationFailed(f"Could not find domain: {domain.get('id', domain.get('name'))}.")
        return DOMAIN_SCOPE
    if "system" in scope or "OS-TRUST:trust" in scope:
        raise AuthenticationFailed("Mimic does not issue system-scoped or trust-scoped tokens.")
    raise keystone_error(400, "Invalid input: 'auth.scope' needs a 'project' or a 'domain'.")


# -- query arguments --------------------------------------------------------


def bool_arg(value: str) -> bool:
    """
    A boolean query argument, read as Keystone reads them.
    """
    return value.lower() not in ("0", "false", "f", "no", "n", "off")


def flag(request: IRequest, name: str) -> bool | None:
    """
    A boolean query argument that may be given bare (``?nocatalog``,
    ``?include_names``), which the parsed arguments leave out; None when
    absent.
    """
    query = request.uri.decode("utf-8", "replace").partition("?")[2]
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        if key == name:
            return bool_arg(value) if equals and value else True
    return None


def list_filter(request: IRequest, keys: Iterable[str]) -> Callable[[dict[str, Any]], bool]:
    """
    Keystone's list filters: whether a listed item's attributes equal
    every query argument given among ``keys`` (exact matches; booleans
    read as :func:`bool_arg` reads them).
    """
    wanted: dict[str, str] = {}
    for key in keys:
        value = query_arg(request, key)
        if value is not None:
            wanted[key] = value

    def matches(item: dict[str, Any]) -> bool:
        for key, value in wanted.items():
            actual = item.get(key)
            if isinstance(actual, bool):
                if actual != bool_arg(value):
                    return False
            elif actual != value:
                return False
        return True

    return matches
