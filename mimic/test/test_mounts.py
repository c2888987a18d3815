# -*- test-case-name: mimic.test.test_mounts -*-
"""
The services the ``openstack`` profile serves at Mimic's root: the tenant
found from the token or the path, the anonymous version documents, the
services' own 401 and 403, links that point back at the mount, and
``/service/...`` still working beside them.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.profiles import OPENSTACK
from mimic.root import MimicRoot
from mimic.test.test_profiles import v3_token
from mimic.testing import InMemoryMimic


class MountTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(profile="openstack")
        self.token, body = v3_token(self.mimic)
        self.project = body["project"]["id"]

    def test_version_documents_answer_without_a_token(self) -> None:
        for path, status in [
            ("/compute/", 200), ("/compute/v2.1", 200), ("/compute/v2.1/", 200),
            ("/image/", 300), ("/networking/", 200), ("/volume/", 300), ("/object-store/info", 200),
        ]:
            self.assertEqual((path, self.mimic.request("GET", path).code), (path, status))
        self.assertEqual(self.mimic.core.region_states(), {}.items())

    def test_compute_version_document_points_at_the_mount(self) -> None:
        links = self.mimic.request("GET", "/compute/v2.1").json()["version"]["links"]
        self.assertEqual(links[0]["href"], "http://mimic.test/compute/v2.1/")

    def test_without_a_token_each_service_answers_its_own_401(self) -> None:
        compute = self.mimic.request("GET", "/compute/v2.1/servers")
        self.assertEqual(compute.code, 401)
        self.assertIn("unauthorized", compute.json())
        for path in ["/image/v2/images", "/networking/v2.0/networks", f"/volume/v3/{self.project}/volumes"]:
            self.assertEqual(self.mimic.request("GET", path).code, 401, path)
        self.assertEqual(self.mimic.request("GET", f"/object-store/v1/AUTH_{self.project}").code, 401)

    def test_tenant_comes_from_the_token(self) -> None:
        for path in [
            "/compute/v2.1/servers", f"/compute/v2.1/{self.project}/servers", "/image/v2/images",
            "/networking/v2.0/networks", f"/volume/v3/{self.project}/volumes", "/volume/v3/volumes",
            f"/object-store/v1/AUTH_{self.project}",
        ]:
            self.assertIn(self.mimic.request("GET", path, token=self.token).code, (200, 204), path)

    def test_another_tenant_in_the_path_is_refused(self) -> None:
        other, _ = v3_token(self.mimic, "bob")
        compute = self.mimic.request("GET", "/compute/v2.1/bob-project/servers", token=self.token)
        self.assertEqual(compute.code, 400)
        volume = self.mimic.request("GET", "/volume/v3/bob-project/volumes", token=self.token)
        self.assertEqual(volume.code, 400)
        swift = self.mimic.request("GET", "/object-store/v1/AUTH_bob-project", token=self.token)
        self.assertEqual(swift.code, 403)
        self.assertEqual(self.mimic.request("GET", "/object-store/v1/AUTH_bob-project", token=other).code, 204)

    def test_server_links_leave_the_project_out_as_the_url_did(self) -> None:
        image = self.mimic.request("GET", "/compute/v2.1/images", token=self.token).json()["images"][0]["id"]
        flavor = self.mimic.request("GET", "/compute/v2.1/flavors", token=self.token).json()["flavors"][0]["id"]
        body = {"server": {"name": "s", "imageRef": image, "flavorRef": flavor}}
        created = self.mimic.request("POST", "/compute/v2.1/servers", body, token=self.token)
        self.assertEqual(created.code, 202)
        server = created.json()["server"]
        self.assertEqual(created.header("location"), f"http://mimic.test/compute/v2.1/servers/{server['id']}")
        self.assertEqual(
            [link["href"] for link in server["links"]],
            [
                f"http://mimic.test/compute/v2.1/servers/{server['id']}",
                f"http://mimic.test/compute/servers/{server['id']}",
            ],
        )
        with_project = self.mimic.request("GET", f"/compute/v2.1/{self.project}/servers", token=self.token)
        self.assertIn(f"/compute/v2.1/{self.project}/servers/", with_project.json()["servers"][0]["links"][0]["href"])

    def test_swift_public_container_is_read_without_a_token(self) -> None:
        account = f"/object-store/v1/AUTH_{self.project}"
        headers = {"X-Container-Read": ".r:*"}
        self.assertEqual(self.mimic.request("PUT", account + "/c", token=self.token, headers=headers).code, 201)
        self.assertEqual(self.mimic.request("PUT", account + "/c/o", token=self.token, raw=b"hi").code, 201)
        self.assertEqual(self.mimic.request("GET", account + "/c/o").body, b"hi")
        self.assertEqual(self.mimic.request("GET", "/object-store/v1/").code, 404)

    def test_service_prefix_still_serves_the_region(self) -> None:
        path = f"/service/compute/RegionOne/{self.project}/v2.1/{self.project}/servers"
        self.assertEqual(self.mimic.request("GET", path, token=self.token).code, 200)
        path = f"/service/compute/ORD/{self.project}/v2.1/{self.project}/servers"
        self.assertEqual(self.mimic.request("GET", path, token=self.token).code, 404)

    def test_object_uploads_may_be_large_under_the_mount(self) -> None:
        root = self.mimic.resource
        assert isinstance(root, MimicRoot)
        self.assertGreater(root.body_limit(b"/object-store/v1/AUTH_p/c/o"), root.body_limit(b"/compute/v2.1"))

    def test_mounts_are_the_profiles(self) -> None:
        self.assertEqual(
            [layout.mount for layout in self.mimic.core.mounts()],
            sorted(layout.mount for layout in OPENSTACK.layouts),
        )

    def test_journal_says_which_service_a_mounted_request_reached(self) -> None:
        self.mimic.request("GET", "/compute/v2.1/servers", token=self.token)
        records = self.mimic.request("GET", "/mimic/v1.1/requests?service=compute").json()["requests"]
        self.assertEqual(
            [(r["path"], r["region"], r["tenant_id"]) for r in records],
            [("/compute/v2.1/servers", "RegionOne", self.project)],
        )

    def test_help_offers_only_identity_v3(self) -> None:
        text = self.mimic.request("GET", "/").body.decode()
        self.assertIn("/identity/v3/auth/tokens", text)
        self.assertNotIn("v2.0", text)
