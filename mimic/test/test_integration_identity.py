# -*- test-case-name: mimic.test.test_integration_identity -*-
"""
Real identity clients against a real ``twistd mimic`` process.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v2
from rackspaceauth import v2 as rackspace_v2
from twisted.trial.unittest import TestCase

from mimic.testing import pristine_mimic


class IdentityClientTests(TestCase):
    """
    Each test gets its own Mimic process (start-up is well under a second).
    """

    def setUp(self) -> None:
        self.url = pristine_mimic()
        self.auth_url = f"{self.url}/identity/v2.0"

    def session_for(self, auth: Any) -> ks_session.Session:
        return ks_session.Session(auth=auth)

    def assertHasCatalog(self, sess: ks_session.Session) -> None:
        """
        The session's catalog points back into this Mimic.
        """
        access = sess.auth.get_access(sess)
        self.assertTrue(access.auth_token)
        self.assertTrue(access.service_catalog.catalog)
        for entry in access.service_catalog.catalog:
            for endpoint in entry["endpoints"]:
                self.assertTrue(endpoint["publicURL"].startswith(self.url + "/"), endpoint)
        types = {entry["type"] for entry in access.service_catalog.catalog}
        self.assertLessEqual({"identity", "compute", "rax:load-balancer"}, types)

    def test_keystoneauth_password_without_tenant(self) -> None:
        sess = self.session_for(v2.Password(self.auth_url, username="ks-none", password="pw"))
        self.assertTrue(sess.get_token())
        self.assertTrue(sess.get_project_id())
        self.assertHasCatalog(sess)

    def test_keystoneauth_password_with_tenant_name(self) -> None:
        sess = self.session_for(
            v2.Password(self.auth_url, username="ks-name", password="pw", tenant_name="named-project")
        )
        self.assertEqual(sess.get_project_id(), "named-project")
        self.assertHasCatalog(sess)

    def test_keystoneauth_password_with_tenant_id(self) -> None:
        first = self.session_for(v2.Password(self.auth_url, username="ks-id", password="pw"))
        tenant_id = first.get_project_id()
        again = self.session_for(
            v2.Password(self.auth_url, username="ks-id", password="pw", tenant_id=tenant_id)
        )
        self.assertEqual(again.get_project_id(), tenant_id)

    def test_keystoneauth_token_reauthentication(self) -> None:
        first = self.session_for(v2.Password(self.auth_url, username="ks-token", password="pw"))
        token = first.get_token()
        second = self.session_for(
            v2.Token(self.auth_url, token=token, tenant_id=first.get_project_id())
        )
        self.assertNotEqual(second.get_token(), token)
        self.assertEqual(second.get_user_id(), first.get_user_id())

    def test_keystoneauth_refuses_another_users_tenant(self) -> None:
        from keystoneauth1.exceptions import Unauthorized

        owner = self.session_for(v2.Password(self.auth_url, username="owner", password="pw"))
        tenant_id = owner.get_project_id()
        intruder = self.session_for(
            v2.Password(self.auth_url, username="intruder", password="pw", tenant_id=tenant_id)
        )
        self.assertRaises(Unauthorized, intruder.get_token)

    def test_rackspaceauth_api_key(self) -> None:
        sess = self.session_for(
            rackspace_v2.APIKey(username="rax-user", api_key="key", auth_url=self.auth_url + "/")
        )
        token = sess.get_token()
        self.assertTrue(token)
        self.assertHasCatalog(sess)
        validated = rackspace_v2.validate(sess, token, auth_url=self.auth_url + "/")
        self.assertEqual(validated["access"]["user"]["name"], "rax-user")

    def test_tick_moves_the_clock_and_expires_tokens(self) -> None:
        sess = self.session_for(v2.Password(self.auth_url, username="ticker", password="pw"))
        token = sess.get_token()
        tenants = urllib.request.Request(f"{self.auth_url}/tenants", headers={"X-Auth-Token": token})
        self.assertEqual(urllib.request.urlopen(tenants).status, 200)
        tick = urllib.request.Request(
            f"{self.url}/mimic/v1.1/tick", data=json.dumps({"amount": 86400}).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(json.load(urllib.request.urlopen(tick))["advanced"], 86400)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(tenants)
        self.assertEqual(caught.exception.code, 401)
