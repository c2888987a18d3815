# -*- test-case-name: mimic.test.test_session -*-
"""
Users, tenants and tokens.
"""

from __future__ import annotations

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.session import AuthenticationFailed, SessionStore, derived_tenant_id


class SessionStoreTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.clock = Clock()
        self.sessions = SessionStore(self.clock)

    def test_tenant_is_derived_from_the_username(self) -> None:
        token = self.sessions.authenticate("alice")
        self.assertEqual(token.tenant_id, derived_tenant_id("alice"))
        self.assertTrue(token.tenant_id.isdigit())

    def test_derived_tenant_taken_by_another_user_moves_on(self) -> None:
        squatter = self.sessions.authenticate("squatter", derived_tenant_id("alice"))
        alice = self.sessions.authenticate("alice")
        self.assertNotEqual(alice.tenant_id, squatter.tenant_id)
        self.assertEqual(self.sessions.tenant_owner(alice.tenant_id).username, "alice")

    def test_another_users_tenant_is_refused(self) -> None:
        alice = self.sessions.authenticate("alice")
        self.assertRaises(AuthenticationFailed, self.sessions.authenticate, "bob", alice.tenant_id)
        self.assertIsNone(self.sessions.user_by_name("bob"))

    def test_token_expires_on_the_clock(self) -> None:
        token = self.sessions.authenticate("alice")
        self.clock.advance(24 * 3600 - 1)
        self.assertIs(self.sessions.token(token.id), token)
        self.clock.advance(1)
        self.assertIsNone(self.sessions.token(token.id))

    def test_revoked_token_is_gone(self) -> None:
        token = self.sessions.authenticate("alice")
        self.assertTrue(self.sessions.revoke(token.id))
        self.assertIsNone(self.sessions.token(token.id))
        self.assertFalse(self.sessions.revoke(token.id))

    def test_reset_one_tenant(self) -> None:
        alice = self.sessions.authenticate("alice")
        bob = self.sessions.authenticate("bob")
        self.sessions.reset(alice.tenant_id)
        self.assertIsNone(self.sessions.user_by_name("alice"))
        self.assertIsNone(self.sessions.token(alice.id))
        self.assertIs(self.sessions.token(bob.id), bob)
