# -*- test-case-name: mimic.test.test_identity_model -*-
"""
Identity's rules without HTTP: who an authentication is for, which token
it gets, and the refusals (:class:`~mimic.session.AuthenticationFailed`).
"""

from __future__ import annotations

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.services.identity.model import (
    DEFAULT_SCOPE,
    DOMAIN_SCOPE,
    UNSCOPED,
    ApiKeyCredentials,
    Identity,
    PasswordCredentials,
    Scope,
    TokenCredentials,
    V3Password,
    is_default_domain,
)
from mimic.services.identity.directory import Directory
from mimic.session import AuthenticationFailed, SessionStore


class ModelCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.clock.advance(1000)
        self.sessions = SessionStore(self.clock)
        self.directory = Directory(self.sessions, "admin", "password")
        self.identity = Identity(self.sessions, self.clock, self.directory)


class DomainTests(SynchronousTestCase):
    def test_the_default_domain_by_id_or_name_in_any_case(self) -> None:
        self.assertTrue(is_default_domain({"id": "default"}))
        self.assertTrue(is_default_domain({"name": "DEFAULT"}))
        self.assertFalse(is_default_domain({"id": "Default"}))
        self.assertFalse(is_default_domain({"name": "other"}))
        self.assertFalse(is_default_domain({"id": 1}))


class V2Tests(ModelCase):
    def test_password_and_api_key_claims_name_no_user_yet(self) -> None:
        claim = self.identity.v2_claim(PasswordCredentials("alice", "pw"), None)
        self.assertEqual((claim.username, claim.user), ("alice", None))
        self.assertIsNone(self.sessions.user_by_name("alice"))

    def test_password_makes_the_user_on_first_use(self) -> None:
        credentials = PasswordCredentials("alice", "pw")
        token = self.identity.v2_token(credentials, self.identity.v2_claim(credentials, None), None)
        self.assertEqual(token.user.username, "alice")
        self.assertEqual(token.tenant_id, token.user.tenant_id)
        self.assertEqual(token.methods, ("PASSWORD",))

    def test_api_key_tokens_say_so(self) -> None:
        credentials = ApiKeyCredentials("bob", "key")
        token = self.identity.v2_token(credentials, self.identity.v2_claim(credentials, None), None)
        self.assertEqual(token.methods, ("APIKEY",))

    def test_a_token_is_exchanged_for_one_of_the_same_user(self) -> None:
        first = self.sessions.authenticate("alice")
        credentials = TokenCredentials(first.id)
        claim = self.identity.v2_claim(credentials, None)
        self.assertIs(claim.user, first.user)
        token = self.identity.v2_token(credentials, claim, None)
        self.assertEqual((token.user, token.tenant_id, token.methods), (first.user, first.tenant_id, ("TOKEN",)))

    def test_unknown_token_or_somebody_elses_tenant_is_refused(self) -> None:
        first = self.sessions.authenticate("alice")
        self.assertRaises(AuthenticationFailed, self.identity.v2_claim, TokenCredentials("nope"), None)
        claim = self.identity.v2_claim(TokenCredentials(first.id), "other")
        self.assertRaises(
            AuthenticationFailed, self.identity.v2_token, TokenCredentials(first.id), claim, "other"
        )

    def test_impersonation_records_the_impersonator(self) -> None:
        admin = self.sessions.user_for("admin")
        token = self.identity.impersonate(admin, "bob", 60)
        self.assertEqual((token.user.username, token.impersonator), ("bob", admin))
        self.assertEqual(token.expires, self.clock.seconds() + 60)


class V3Tests(ModelCase):
    def test_rescoping_needs_a_live_token(self) -> None:
        self.assertRaises(AuthenticationFailed, self.identity.rescoping, "nope")
        token = self.sessions.authenticate("alice")
        self.assertIs(self.identity.rescoping(token.id), token)

    def test_password_by_unknown_id_is_refused(self) -> None:
        self.assertRaises(AuthenticationFailed, self.identity.v3_claim, None, V3Password("pw", user_id="nope"))

    def test_password_by_id_or_name(self) -> None:
        user = self.sessions.user_for("alice")
        by_id = self.identity.v3_claim(None, V3Password("pw", user_id=user.id))
        by_name = self.identity.v3_claim(None, V3Password("pw", username="alice"))
        self.assertEqual(by_id, by_name)
        self.assertEqual((by_id.username, by_id.user), ("alice", user))

    def test_token_and_password_must_be_the_same_user(self) -> None:
        token = self.sessions.authenticate("alice")
        self.sessions.user_for("bob")
        self.assertRaises(
            AuthenticationFailed, self.identity.v3_claim, token, V3Password("pw", username="bob")
        )
        claim = self.identity.v3_claim(token, V3Password("pw", username="alice"))
        self.assertEqual(claim.user, token.user)

    def test_scopes(self) -> None:
        claim = self.identity.v3_claim(None, V3Password("pw", username="alice"))
        default = self.identity.v3_token(claim, DEFAULT_SCOPE, ["password"], V3Password("pw", username="alice"))
        self.assertEqual(default.tenant_id, default.user.tenant_id)
        claim = self.identity.v3_claim(None, V3Password("pw", username="alice"))
        unscoped = self.identity.v3_token(claim, UNSCOPED, ["password"])
        self.assertIsNone(unscoped.tenant_id)
        domain = self.identity.v3_token(claim, DOMAIN_SCOPE, ["password"])
        self.assertTrue(domain.domain_scoped)
        self.assertEqual(default.methods, ("PASSWORD",))

    def test_a_new_user_may_take_a_free_project_but_not_anothers(self) -> None:
        taken = self.sessions.user_for("alice")
        claim = self.identity.v3_claim(None, V3Password("pw", username="bob"))
        self.assertRaises(
            AuthenticationFailed, self.identity.v3_token, claim, Scope(project=taken.tenant_id), ["password"]
        )
        self.assertIsNone(self.sessions.user_by_name("bob"))
        token = self.identity.v3_token(claim, Scope(project="free"), ["password"], V3Password("pw", username="bob"))
        self.assertEqual(token.tenant_id, "free")
        self.assertEqual(token.user.password, "pw")

    def test_a_rescoped_token_lives_no_longer_than_the_original(self) -> None:
        original = self.sessions.authenticate("alice")
        self.clock.advance(100)
        claim = self.identity.v3_claim(original, None)
        token = self.identity.v3_token(claim, UNSCOPED, ["token"], rescoped=original)
        self.assertEqual(token.expires, original.expires)
        self.assertEqual(token.methods, ("PASSWORD", "TOKEN"))
