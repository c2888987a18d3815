# -*- test-case-name: mimic.test.test_identity_extras -*-
"""
Keystone's domain-specific configuration and OAuth 1.0a consumers, in
memory.
"""

from __future__ import annotations

from mimic.test.test_identity_v3_admin import AdminCase


class DomainConfigTests(AdminCase):
    def test_a_domains_configuration_groups_and_options(self) -> None:
        domain = self.call("POST", "/domains", {"domain": {"name": "d"}}, 201)["domain"]
        base = f"/domains/{domain['id']}/config"
        self.call("GET", base, code=404)
        config = {"identity": {"driver": "ldap"}, "ldap": {"url": "ldap://x/", "password": "secret"}}
        created = self.call("PUT", base, {"config": config}, 201)["config"]
        self.assertEqual(created, {"identity": {"driver": "ldap"}, "ldap": {"url": "ldap://x/"}})
        self.call("PUT", base, {"config": config}, 200)
        self.call("PUT", base, {"config": {"assignment": {"driver": "x"}}}, 403)
        self.call("PUT", base, {"config": {"ldap": {"nonesuch": "x"}}}, 403)
        self.assertEqual(self.call("GET", base + "/ldap/url")["config"], {"url": "ldap://x/"})
        self.call("GET", base + "/ldap/password", code=404)
        updated = self.call("PATCH", base + "/identity", {"config": {"identity": {"list_limit": 5}}})["config"]
        self.assertEqual(updated, {"identity": {"driver": "ldap", "list_limit": 5}})
        self.call("PATCH", base + "/identity/driver", {"config": {"driver": "sql"}})
        self.call("DELETE", base + "/identity/driver", code=204)
        self.call("GET", base + "/identity/driver", code=404)
        self.call("DELETE", base + "/identity", code=204)
        self.call("GET", base + "/identity", code=404)
        self.call("DELETE", base, code=204)
        self.call("GET", base, code=404)
        self.call("PUT", "/domains/nonesuch/config", {"config": config}, 404)

    def test_defaults(self) -> None:
        defaults = self.call("GET", "/domains/config/default")["config"]
        self.assertEqual(set(defaults), {"identity", "ldap"})
        self.assertIn("driver", self.call("GET", "/domains/config/identity/default")["config"]["identity"])
        self.assertIn("url", self.call("GET", "/domains/config/ldap/default")["config"]["ldap"])
        self.assertEqual(self.call("GET", "/domains/config/ldap/url/default")["config"], {"url": "ldap://localhost"})
        self.call("GET", "/domains/config/nonesuch/default", code=403)
        self.assertEqual(self.call("GET", "/domains/default")["domain"]["id"], "default")


class ConsumerTests(AdminCase):
    def test_consumers(self) -> None:
        consumer = self.call("POST", "/OS-OAUTH1/consumers", {"consumer": {"description": "c"}}, 201)["consumer"]
        self.assertTrue(consumer["secret"])
        shown = self.call("GET", f"/OS-OAUTH1/consumers/{consumer['id']}")["consumer"]
        self.assertNotIn("secret", shown)
        self.call("PATCH", f"/OS-OAUTH1/consumers/{consumer['id']}", {"consumer": {"description": "d"}})
        [listed] = self.call("GET", "/OS-OAUTH1/consumers")["consumers"]
        self.assertEqual(listed["description"], "d")
        self.call("PATCH", f"/OS-OAUTH1/consumers/{consumer['id']}", {"consumer": {"secret": "x"}}, 400)
        self.call("DELETE", f"/OS-OAUTH1/consumers/{consumer['id']}", code=204)
        self.call("GET", f"/OS-OAUTH1/consumers/{consumer['id']}", code=404)
        alice = self.login("alice", "any")
        self.call("GET", "/OS-OAUTH1/consumers", code=403, token=alice)


class SavedExtrasTests(AdminCase):
    def test_configurations_and_consumers_survive_a_save(self) -> None:
        import json

        from mimic.services.identity.directory import directory_of
        from mimic.services.identity.persistence import restore_directory, save_directory

        self.call("PUT", "/domains/default/config", {"config": {"identity": {"driver": "ldap"}}}, 201)
        self.call("POST", "/OS-OAUTH1/consumers", {"consumer": {"description": "c"}}, 201)
        before = [self.call("GET", p) for p in ("/domains/default/config", "/OS-OAUTH1/consumers")]
        core = self.mimic.core
        saved = json.loads(json.dumps(save_directory(directory_of(core))))
        core.sessions._annex = restore_directory(core, saved)
        self.assertEqual([self.call("GET", p) for p in ("/domains/default/config", "/OS-OAUTH1/consumers")], before)


class ProjectActingAsDomainTests(AdminCase):
    def test_a_project_acting_as_a_domain(self) -> None:
        project = self.call("POST", "/projects", {"project": {"name": "pd", "is_domain": True, "domain_id": None}}, 201)["project"]
        self.assertEqual((project["is_domain"], project["domain_id"], project["parent_id"]), (True, None, None))
        listed = self.call("GET", "/projects?is_domain=true")["projects"]
        self.assertEqual([p["id"] for p in listed], [project["id"]])
        self.assertEqual(self.call("GET", f"/domains/{project['id']}")["domain"]["name"], "pd")
        inside = self.call("POST", "/projects", {"project": {"name": "in", "domain_id": project["id"]}}, 201)["project"]
        self.call("DELETE", f"/projects/{project['id']}", code=403)
        self.call("PATCH", f"/projects/{project['id']}", {"project": {"enabled": False}})
        self.call("DELETE", f"/projects/{project['id']}", code=204)
        self.call("GET", f"/domains/{project['id']}", code=404)
        self.call("GET", f"/projects/{inside['id']}", code=404)
        self.call("POST", "/projects", {"project": {"name": "x", "is_domain": True, "parent_id": "default"}}, 400)
