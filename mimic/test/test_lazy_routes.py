# -*- test-case-name: mimic.test.test_lazy_routes -*-
"""
werkzeug's URL builders, compiled on first use once Mimic is imported,
build what they always built.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase
from werkzeug.routing import Map, Rule

from mimic import http, lazy_routes  # noqa: F401 - importing installs it


class LazyBuilderTests(SynchronousTestCase):
    def test_installed_once(self) -> None:
        first = Rule._compile_builder
        self.assertTrue(getattr(first, "_mimic_lazy_builder", False))
        self.assertTrue(lazy_routes.install())
        self.assertIs(Rule._compile_builder, first)

    def test_urls_are_built_as_before(self) -> None:
        urls = Map([Rule("/servers/<server_id>", endpoint="server"), Rule("/servers", endpoint="servers")])
        adapter = urls.bind("mimic.test")
        self.assertEqual(adapter.build("server", {"server_id": "a b"}), "/servers/a%20b")
        self.assertEqual(adapter.build("servers", {"limit": 2}), "/servers?limit=2")
        self.assertEqual(adapter.build("server", {"server_id": "x"}, force_external=True), "http://mimic.test/servers/x")
        self.assertEqual(adapter.match("/servers/x"), ("server", {"server_id": "x"}))
