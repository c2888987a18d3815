# -*- test-case-name: mimic.test.test_identity_validation -*-
"""
Identity's requests read into values, and the 400s (and Keystone's 401s
for well-formed requests it cannot honour) for what cannot be read.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.trial.unittest import SynchronousTestCase
from twisted.web.test.requesthelper import DummyRequest

from mimic.http import HTTPError
from mimic.services.identity.model import (
    DEFAULT_SCOPE,
    UNSCOPED,
    ApiKeyCredentials,
    PasswordCredentials,
    Scope,
    TokenCredentials,
    V3Password,
)
from mimic.services.identity.validation import (
    bool_arg,
    flag,
    list_filter,
    password_method,
    requested_scope,
    requested_tenant,
    token_method,
    v2_credentials,
    v3_identity,
)
from mimic.session import AuthenticationFailed


def request_for(uri: str) -> DummyRequest:
    path, _, query = uri.partition("?")
    request = DummyRequest(path.strip("/").split("/"))
    request.uri = uri.encode()
    for part in filter(None, query.split("&")):
        key, _, value = part.partition("=")
        request.args.setdefault(key.encode(), []).append(value.encode())
    return request


class Case(SynchronousTestCase):
    def assertBadRequest(self, fragment: str, parse: Callable[..., Any], *args: Any) -> None:
        error = self.assertRaises(HTTPError, parse, *args)
        self.assertEqual(error.status, 400)
        self.assertIn(fragment, error.body["error"]["message"])

    def assertRefused(self, message: str, parse: Callable[..., Any], *args: Any) -> None:
        error = self.assertRaises(AuthenticationFailed, parse, *args)
        self.assertEqual(str(error), message)


class V2Tests(Case):
    def test_tenant_by_id_or_name(self) -> None:
        self.assertEqual(requested_tenant({"tenantId": "t1"}), "t1")
        self.assertEqual(requested_tenant({"tenantId": "", "tenantName": "t2"}), "t2")
        self.assertIsNone(requested_tenant({}))
        self.assertBadRequest("'tenantName' must be a string", requested_tenant, {"tenantName": 3})

    def test_credentials_in_order_password_api_key_token(self) -> None:
        password = {"passwordCredentials": {"username": "u", "password": "p"}}
        api_key = {"RAX-KSKEY:apiKeyCredentials": {"username": "u", "apiKey": "k"}}
        token = {"token": {"id": "t"}}
        self.assertEqual(v2_credentials({**token, **api_key, **password}), PasswordCredentials("u", "p"))
        self.assertEqual(v2_credentials({**token, **api_key}), ApiKeyCredentials("u", "k"))
        self.assertEqual(v2_credentials(token), TokenCredentials("t"))

    def test_bad_credentials(self) -> None:
        self.assertBadRequest("needs passwordCredentials", v2_credentials, {})
        self.assertBadRequest("'passwordCredentials.password' is required", v2_credentials, {"passwordCredentials": {"username": "u"}})
        self.assertBadRequest("'token' must be an object", v2_credentials, {"token": "t"})


class V3Tests(Case):
    def test_methods_must_be_offered_and_present(self) -> None:
        password = {"user": {"id": "u", "password": "p"}}
        identity, methods = v3_identity({"identity": {"methods": ["password"], "password": password}})
        self.assertEqual(methods, ["password"])
        self.assertBadRequest("non-empty list of strings", v3_identity, {"identity": {"methods": []}})
        self.assertBadRequest("'auth.identity.token' is required", v3_identity, {"identity": {"methods": ["token"]}})
        self.assertRefused(
            "Attempted to authenticate with an unsupported method: totp.",
            v3_identity,
            {"identity": {"methods": ["totp"]}},
        )

    def test_token_method(self) -> None:
        self.assertEqual(token_method({"id": "t"}), "t")
        self.assertBadRequest("'auth.identity.token.id' is required", token_method, {"id": ""})

    def test_password_method_by_id_or_name_in_the_default_domain(self) -> None:
        self.assertEqual(password_method({"user": {"id": "u1", "password": "p"}}), V3Password("p", user_id="u1"))
        self.assertEqual(
            password_method({"user": {"name": "alice", "domain": {"name": "Default"}, "password": "p"}}),
            V3Password("p", username="alice", domain_name="Default"),
        )
        self.assertBadRequest("Expecting to find domain in user.", password_method, {"user": {"name": "alice", "password": "p"}})
        self.assertBadRequest("password.user.password' must be a string", password_method, {"user": {"id": "u1"}})
        # The directory resolves the domain (and refuses one it has not).
        self.assertEqual(
            password_method({"user": {"name": "alice", "domain": {"id": "other"}, "password": "p"}}),
            V3Password("p", username="alice", domain_id="other"),
        )

    def test_scopes(self) -> None:
        self.assertEqual(requested_scope(None), DEFAULT_SCOPE)
        self.assertEqual(requested_scope("unscoped"), UNSCOPED)
        self.assertEqual(requested_scope({"project": {"id": "p1"}}), Scope(project="p1"))
        self.assertEqual(
            requested_scope({"project": {"name": "p1", "domain": {"id": "default"}}}),
            Scope(project="p1", project_by_name=True, domain_id="default"),
        )
        self.assertEqual(
            requested_scope({"domain": {"name": "Default"}}), Scope(domain=True, domain_name="Default")
        )
        self.assertEqual(requested_scope({"system": {"all": True}}), Scope(system=True))

    def test_bad_scopes(self) -> None:
        self.assertBadRequest("Expecting to find domain in project.", requested_scope, {"project": {"name": "p"}})
        self.assertBadRequest("needs a 'project', a 'domain' or 'system'", requested_scope, {})
        self.assertBadRequest("'auth.scope.system' must be", requested_scope, {"system": {"all": False}})
        self.assertBadRequest("'auth.scope.OS-TRUST:trust.id'", requested_scope, {"OS-TRUST:trust": {}})
        self.assertEqual(requested_scope({"OS-TRUST:trust": {"id": "t"}}), Scope(trust_id="t"))


class QueryTests(SynchronousTestCase):
    def test_bool_args_read_as_keystone_reads_them(self) -> None:
        self.assertTrue(bool_arg("yes"))
        self.assertTrue(bool_arg("1"))
        for false in ("0", "false", "F", "no", "n", "off"):
            self.assertFalse(bool_arg(false), false)

    def test_flags_may_be_bare(self) -> None:
        self.assertTrue(flag(request_for("/auth/tokens?nocatalog"), "nocatalog"))
        self.assertFalse(flag(request_for("/auth/tokens?nocatalog=0"), "nocatalog"))
        self.assertIsNone(flag(request_for("/auth/tokens?other"), "nocatalog"))

    def test_list_filter_matches_exactly_and_reads_booleans(self) -> None:
        wanted = list_filter(request_for("/users?name=alice&enabled=false&ignored=x"), ("name", "enabled"))
        self.assertTrue(wanted({"name": "alice", "enabled": False}))
        self.assertFalse(wanted({"name": "alice", "enabled": True}))
        self.assertFalse(wanted({"name": "Alice", "enabled": False}))
