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
    MAX_IMPERSONATION_LIFETIME,
    UNSCOPED,
    IMPERSONATION_LIFETIME,
    ApiKeyCredentials,
    PasswordCredentials,
    Scope,
    TokenCredentials,
    V2Credentials,
    V3ApplicationCredential,
    V3Password,
)
from mimic.session import AuthenticationFailed

#: The v3 authentication methods Mimic offers.
V3_METHODS = ("password", "token", "application_credential")


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
    domain_id, domain_name = domain_reference(user.get("domain"), "user")
    return V3Password(password, username=name, domain_id=domain_id, domain_name=domain_name)


def domain_reference(domain: Any, of: str) -> tuple[str | None, str | None]:
    """
    A domain named by ``id`` or ``name`` (the directory resolves it).
    """
    if not isinstance(domain, dict) or not ("id" in domain or "name" in domain):
        raise keystone_error(400, f"Expecting to find domain in {of}.")
    if "id" in domain:
        if not isinstance(domain["id"], str):
            raise keystone_error(400, f"Invalid input: the domain id of the {of} must be a string.")
        return domain["id"], None
    if not isinstance(domain["name"], str):
        raise keystone_error(400, f"Invalid input: the domain name of the {of} must be a string.")
    return None, domain["name"]


def application_credential_method(credential: Any) -> V3ApplicationCredential:
    """
    v3's ``application_credential`` method: ``id`` and ``secret``, or
    ``name``, ``secret`` and the ``user`` (by id, or name and domain).
    """
    credential = require_object(credential, "auth.identity.application_credential", keystone_error)
    secret = credential.get("secret")
    if not isinstance(secret, str):
        raise keystone_error(
            400, "Invalid input: 'auth.identity.application_credential.secret' must be a string."
        )
    if "id" in credential:
        if not isinstance(credential["id"], str):
            raise keystone_error(400, "Invalid input: 'application_credential.id' must be a string.")
        return V3ApplicationCredential(secret, id=credential["id"])
    name = credential.get("name")
    if not isinstance(name, str) or not name:
        raise keystone_error(400, "Invalid input: 'application_credential' needs an 'id' or a 'name'.")
    user = require_object(credential.get("user"), "application_credential.user", keystone_error)
    if isinstance(user.get("id"), str):
        return V3ApplicationCredential(secret, name=name, user_id=user["id"])
    username = user.get("name")
    if not isinstance(username, str):
        raise keystone_error(400, "Invalid input: 'application_credential.user' needs an 'id' or a 'name'.")
    domain_reference(user.get("domain"), "user")
    return V3ApplicationCredential(secret, name=name, username=username)


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
        domain_id, domain_name = domain_reference(project.get("domain"), "project")
        return Scope(project=name, project_by_name=True, domain_id=domain_id, domain_name=domain_name)
    if "domain" in scope:
        domain = require_object(scope["domain"], "auth.scope.domain", keystone_error)
        if not ("id" in domain or "name" in domain):
            raise keystone_error(400, "Invalid input: 'auth.scope.domain' needs an 'id' or a 'name'.")
        domain_id, domain_name = domain_reference(domain, "scope")
        return Scope(domain=True, domain_id=domain_id, domain_name=domain_name)
    if "system" in scope:
        system = scope["system"]
        if not isinstance(system, dict) or system.get("all") is not True:
            raise keystone_error(400, "Invalid input: 'auth.scope.system' must be {\"all\": true}.")
        return Scope(system=True)
    if "OS-TRUST:trust" in scope:
        trust = require_object(scope["OS-TRUST:trust"], "auth.scope.OS-TRUST:trust", keystone_error)
        trust_id = trust.get("id")
        if not isinstance(trust_id, str) or not trust_id:
            raise keystone_error(400, "Invalid input: 'auth.scope.OS-TRUST:trust.id' must be a string.")
        return Scope(trust_id=trust_id)
    raise keystone_error(400, "Invalid input: 'auth.scope' needs a 'project', a 'domain' or 'system'.")


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


# -- write requests ---------------------------------------------------------

#: Keystone's longest names (its schemas): users' and roles'; projects',
#: domains' and groups' are shorter.
NAME_LENGTH = 255
SHORT_NAME_LENGTH = 64

_MISSING = object()


def string_field(
    obj: dict[str, Any], key: str, *, required: bool = False, nullable: bool = False,
    empty: bool = True, default: Any = None, longest: int = NAME_LENGTH,
) -> Any:
    """
    A string attribute of a write request, or Keystone's 400 (its
    jsonschema messages).
    """
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        if required:
            raise keystone_error(400, f"Invalid input for field '{key}': '{key}' is a required property")
        return default
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise keystone_error(400, f"Invalid input for field '{key}': {value!r} is not of type 'string'")
    if not empty and not value.strip():
        raise keystone_error(400, f"Invalid input for field '{key}': {value!r} is too short")
    if len(value) > longest and key in ("name", "password", "id"):
        raise keystone_error(400, f"Invalid input for field '{key}': {value!r} is too long")
    return value


def bool_field(obj: dict[str, Any], key: str, default: Any = None) -> Any:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        return default
    if not isinstance(value, bool):
        raise keystone_error(400, f"Invalid input for field '{key}': {value!r} is not of type 'boolean'")
    return value


def tags_field(obj: dict[str, Any], default: Any = None) -> Any:
    """
    Keystone's project tags: at most 80 strings of 1 to 255 characters,
    without ``/`` or ``,``.
    """
    value = obj.get("tags", _MISSING)
    if value is _MISSING:
        return default
    if not isinstance(value, list) or len(value) > 80:
        raise keystone_error(400, f"Invalid input for field 'tags': {value!r} is not a valid list of tags")
    for tag in value:
        if not isinstance(tag, str) or not 0 < len(tag) <= NAME_LENGTH or "/" in tag or "," in tag:
            raise keystone_error(400, f"Invalid input for field 'tags': {tag!r} is not a valid tag")
    return list(dict.fromkeys(value))


def only_known(obj: dict[str, Any], known: Iterable[str], what: str) -> None:
    """
    Keystone's schemas refuse attributes they do not know only where
    ``additionalProperties`` is false; where it is true (users, projects)
    extras are kept, so this is for the strict ones.
    """
    unknown = sorted(set(obj) - set(known))
    if unknown:
        raise keystone_error(
            400,
            f"Invalid input for field '{what}': Additional properties are not allowed "
            f"({', '.join(repr(u) for u in unknown)} was unexpected)",
        )
