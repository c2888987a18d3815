# -*- test-case-name: mimic.test.test_session -*-
"""
Users, tenants and tokens.
"""

from __future__ import annotations

import sys

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.session import (
    EXPIRY_SWEEP_INTERVAL,
    TOKEN_LIFETIME,
    AuthenticationFailed,
    SessionStore,
    derived_tenant_id,
)


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


class ExpirySweepTests(SynchronousTestCase):
    """
    Expired tokens are forgotten on Mimic's clock, whether or not anyone
    presents them again; the store holds no more than the live tokens
    plus those expired within one sweep interval.
    """

    def setUp(self) -> None:
        self.clock = Clock()
        self.sessions = SessionStore(self.clock)

    def held(self) -> int:
        return len(list(self.sessions.tokens()))

    def test_expired_tokens_are_forgotten_without_being_presented(self) -> None:
        for _ in range(1000):
            self.sessions.authenticate("alice")
        self.assertEqual(self.held(), 1000)
        self.clock.advance(TOKEN_LIFETIME + EXPIRY_SWEEP_INTERVAL)
        self.assertEqual((self.held(), self.sessions.queued()), (0, 0))
        # Nothing is left to sweep, so nothing is scheduled.
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_a_100000_token_churn_is_given_back_a_tick_past_expiry(self) -> None:
        """
        Issue 15's case: many clients authenticating over and over (each
        token revoked or abandoned), then the clock moved past their
        expiry: the store holds no token and queues none.
        """
        for index in range(100_000):
            token = self.sessions.authenticate(f"user-{index % 50}")
            if index % 3 == 0:
                self.sessions.revoke(token.id)
        self.assertEqual(self.held(), 100_000 - 33_334)
        self.clock.advance(TOKEN_LIFETIME + EXPIRY_SWEEP_INTERVAL)
        self.assertEqual((self.held(), self.sessions.queued()), (0, 0))
        self.assertEqual(len(self.sessions._tokens), 0)

    def test_one_sweep_is_scheduled_however_many_tokens(self) -> None:
        for second in range(300):
            self.sessions.authenticate(f"user-{second}")
            self.clock.advance(1)
        self.assertEqual(len(self.clock.getDelayedCalls()), 1)

    def test_tokens_issued_later_live_their_whole_lifetime(self) -> None:
        early = self.sessions.authenticate("alice")
        self.clock.advance(TOKEN_LIFETIME / 2)
        late = self.sessions.authenticate("bob")
        self.clock.advance(TOKEN_LIFETIME / 2 + EXPIRY_SWEEP_INTERVAL)
        self.assertEqual(list(self.sessions.tokens()), [late])
        self.assertIsNone(self.sessions.token(early.id))
        self.clock.advance(TOKEN_LIFETIME / 2)
        self.assertEqual(self.held(), 0)

    def test_tokens_with_a_lifetime_of_their_own_are_swept_too(self) -> None:
        alice = self.sessions.user_for("alice")
        long = self.sessions.issue(alice, alice.tenant_id, lifetime=10 * TOKEN_LIFETIME)
        short = self.sessions.issue(alice, alice.tenant_id, lifetime=120)
        self.sessions.authenticate("bob")
        self.clock.advance(180)
        self.assertNotIn(short, list(self.sessions.tokens()))
        self.clock.advance(TOKEN_LIFETIME)
        self.assertEqual(list(self.sessions.tokens()), [long])
        self.clock.advance(10 * TOKEN_LIFETIME)
        self.assertEqual((self.held(), self.sessions.queued()), (0, 0))

    def test_revoked_and_reset_tokens_leave_the_queue_at_expiry(self) -> None:
        revoked = self.sessions.authenticate("alice")
        self.sessions.revoke(revoked.id)
        bob = self.sessions.authenticate("bob")
        self.sessions.reset(bob.tenant_id)
        self.assertGreaterEqual(self.sessions.queued(), 1)
        self.clock.advance(TOKEN_LIFETIME + EXPIRY_SWEEP_INTERVAL)
        self.assertEqual(self.sessions.queued(), 0)

    def test_a_token_is_refused_from_the_moment_it_expires(self) -> None:
        """
        The sweep gives memory back; it does not decide validity.
        """
        token = self.sessions.authenticate("alice")
        self.clock.advance(TOKEN_LIFETIME)
        self.assertIsNone(self.sessions.token(token.id))

    def test_the_token_table_shrinks_once_most_tokens_are_swept(self) -> None:
        """
        A dict keeps its largest table as entries go; the store's is
        rebuilt once three quarters of its tokens have been swept.
        """
        empty = sys.getsizeof(SessionStore(self.clock)._tokens)
        for _ in range(5000):
            self.sessions.authenticate("alice")
        self.clock.advance(TOKEN_LIFETIME + EXPIRY_SWEEP_INTERVAL)
        self.assertLessEqual(sys.getsizeof(self.sessions._tokens), empty)
