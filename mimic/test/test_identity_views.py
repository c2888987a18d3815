# -*- test-case-name: mimic.test.test_identity_views -*-
"""
Identity's documents: v2.0 access and v3 tokens, catalogs in each
version's shape, and identity's own catalog entry.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.catalog import ResolvedEndpoint, ResolvedEntry
from mimic.services.identity.views import (
    access_json,
    audit_id,
    catalog_json,
    link,
    v2_endpoints_json,
    v3_token_json,
)
from mimic.session import Token, User

ENTRY = ResolvedEntry(
    id="svc",
    type="compute",
    name="cloudServersOpenStack",
    endpoints=(
        ResolvedEndpoint(
            id="ep",
            region="ORD",
            public_url="http://h/public",
            internal_url=None,
            tenant_id="t1",
            version_id=None,
        ),
    ),
)


def token(tenant_id: str | None = "t1", domain_scoped: bool = False) -> Token:
    user = User(id="u1", username="alice", tenant_id="t1", api_key="k")
    return Token("abc", user, tenant_id, issued_at=0.0, expires=86400.0, domain_scoped=domain_scoped)


class V2Tests(SynchronousTestCase):
    def test_access_with_and_without_a_catalog(self) -> None:
        access = access_json(token(), [ENTRY])
        self.assertEqual(access["token"]["tenant"], {"id": "t1", "name": "t1"})
        self.assertEqual(access["user"]["name"], "alice")
        self.assertEqual(access["serviceCatalog"][0]["name"], "cloudServersOpenStack")
        self.assertNotIn("serviceCatalog", access_json(token(), None))

    def test_endpoints_name_their_service(self) -> None:
        endpoints = v2_endpoints_json([ENTRY])["endpoints"]
        self.assertEqual(
            {k: endpoints[0][k] for k in ("id", "name", "type", "publicURL")},
            {"id": "ep", "name": "cloudServersOpenStack", "type": "compute", "publicURL": "http://h/public"},
        )


class V3Tests(SynchronousTestCase):
    def test_catalog_lists_each_endpoint_under_three_interfaces(self) -> None:
        [entry] = catalog_json([ENTRY])
        self.assertEqual([e["interface"] for e in entry["endpoints"]], ["public", "internal", "admin"])
        self.assertEqual({e["url"] for e in entry["endpoints"]}, {"http://h/public"})
        self.assertEqual(len({e["id"] for e in entry["endpoints"]}), 3)

    def test_audit_id_is_stable_and_keystone_sized(self) -> None:
        self.assertEqual(audit_id(token()), audit_id(token()))
        self.assertEqual(len(audit_id(token())), 22)

    def test_scoped_tokens_carry_roles_and_catalog_unless_left_out(self) -> None:
        scoped = v3_token_json(token(), [ENTRY])
        self.assertEqual(scoped["project"]["id"], "t1")
        self.assertIn("roles", scoped)
        self.assertEqual(scoped["catalog"], catalog_json([ENTRY]))
        self.assertNotIn("catalog", v3_token_json(token(), None))
        domain = v3_token_json(token(None, domain_scoped=True), [])
        self.assertEqual(domain["domain"]["id"], "default")
        unscoped = v3_token_json(token(None), [ENTRY])
        self.assertFalse({"roles", "catalog", "project", "domain"} & set(unscoped))

    def test_links_quote_each_segment(self) -> None:
        self.assertEqual(link("http://h/identity/v3", "users", "a/b"), "http://h/identity/v3/users/a%2Fb")
