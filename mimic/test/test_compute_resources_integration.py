# -*- test-case-name: mimic.test.test_compute_resources_integration -*-
"""
Real clients against a real ``twistd mimic`` for compute's server
groups, tags, password and usage: python-novaclient (at the
microversions it negotiates for each) and openstacksdk, one Mimic, one
test, so it costs one start.
"""

from __future__ import annotations

import datetime
from typing import Any

from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.test.test_compute_integration import FLAVOR, ClientTestCase


class ServerResourcesClientTests(ClientTestCase):
    def test_groups_tags_password_usage_with_novaclient_and_openstacksdk(self) -> None:
        import openstack
        from novaclient import exceptions

        nova = self.nova("2.64")
        group = nova.server_groups.create(name="spread", policy="anti-affinity",
                                          rules={"max_server_per_host": 1})
        self.assertEqual((group.policy, group.rules), ("anti-affinity", {"max_server_per_host": 1}))
        server = nova.servers.create("web", DEFAULT_IMAGE_ID, FLAVOR, nics="auto",
                                     scheduler_hints={"group": group.id})
        other = nova.servers.create("db", DEFAULT_IMAGE_ID, FLAVOR, nics="auto",
                                    scheduler_hints={"group": group.id})
        self.assertEqual(nova.server_groups.get(group.id).members, [server.id, other.id])
        self.assertNotEqual(nova.servers.get(server.id).hostId, nova.servers.get(other.id).hostId)
        self.assertEqual([g.id for g in nova.server_groups.list()], [group.id])

        tagged = nova.servers.get(server.id)
        tagged.add_tag("blue")
        tagged.set_tags(["red", "green"])
        self.assertEqual(sorted(tagged.tag_list()), ["green", "red"])
        tagged.delete_tag("red")
        self.assertEqual(tagged.tag_list(), ["green"])
        self.assertEqual([s.id for s in nova.servers.list(search_opts={"tags": "green"})], [server.id])

        self.assertEqual(nova.servers.get_password(server.id), "")
        nova.servers.clear_password(server.id)
        self.tick(3600)
        start = datetime.datetime(2000, 1, 1)
        usage = nova.usage.get(tagged.tenant_id, start, datetime.datetime(2100, 1, 1))
        self.assertEqual(len(usage.server_usages), 2)
        self.assertRaises(exceptions.Forbidden, nova.usage.list, start, datetime.datetime(2100, 1, 1))

        sdk: Any = openstack.connection.Connection(session=self.session(), region_name="ORD",
                                                   compute_api_version="2")
        self.assertEqual([g.id for g in sdk.compute.server_groups()], [group.id])
        made = sdk.compute.create_server_group(name="sdk", policy="affinity")
        self.assertEqual(sdk.compute.get_server_group(made.id).name, "sdk")
        sdk_server = sdk.compute.get_server(server.id)
        sdk_server.add_tag(sdk.compute, "sdk")
        self.assertIn("sdk", sdk.compute.get_server(server.id).tags)
        sdk.compute.delete_server_group(made.id)
        nova.servers.delete(other.id)
        self.tick(60)
        self.assertEqual(nova.server_groups.get(group.id).members, [server.id])
