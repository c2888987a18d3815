# -*- test-case-name: mimic.test.test_openstack_profile -*-
"""
What the ``openstack`` profile's cloud holds, as a DevStack install holds
it: DevStack's flavors, the CirrOS image, upstream's default quotas; and
the default (``rackspace``) profile's content untouched beside it.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.profiles import OPENSTACK, RACKSPACE, Profile
from mimic.services.compute.flavor_sets import DEVSTACK_FLAVORS, RACKSPACE_FLAVORS, flavor_set
from mimic.services.image.base_images import CIRROS_IMAGE_ID, CIRROS_NAME, admin_project_id
from mimic.test.test_compute_schemas import OpenStackCompute


class FlavorSetTests(SynchronousTestCase):
    def test_each_profile_has_its_own_flavors(self) -> None:
        self.assertIs(flavor_set(RACKSPACE), RACKSPACE_FLAVORS)
        self.assertIs(flavor_set(OPENSTACK), DEVSTACK_FLAVORS)

    def test_a_profile_without_its_own_follows_its_extensions(self) -> None:
        upstream = Profile("private", "a private cloud", ("Lab",), False, ("v3",))
        rackspace_like = Profile("rax-lab", "a Rackspace lab", ("LAB",), True, ("v2.0",))
        self.assertIs(flavor_set(upstream), DEVSTACK_FLAVORS)
        self.assertIs(flavor_set(rackspace_like), RACKSPACE_FLAVORS)

    def test_refs_are_ids_or_urls(self) -> None:
        self.assertEqual(DEVSTACK_FLAVORS.from_ref(42).name, "m1.nano")  # type: ignore[union-attr]
        self.assertEqual(DEVSTACK_FLAVORS.from_ref("http://h/compute/v2.1/flavors/2/").name, "m1.small")  # type: ignore[union-attr]
        self.assertIsNone(DEVSTACK_FLAVORS.from_ref("general1-1"))
        self.assertIsNone(DEVSTACK_FLAVORS.from_ref(True))
        self.assertIsNone(DEVSTACK_FLAVORS.from_ref(""))


class OpenStackContentTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.compute = OpenStackCompute()

    def ok(self, method: str, path: str, body: Any = None, code: int = 200, microversion: Any = None) -> Any:
        response = self.compute.request(method, path, body, microversion)
        self.assertEqual(response.code, code, response)
        return response.json() if response.body else None

    def test_devstack_flavors(self) -> None:
        flavors = self.ok("GET", "/flavors/detail")["flavors"]
        sizes = {f["name"]: (f["id"], f["ram"], f["vcpus"], f["disk"]) for f in flavors}
        self.assertEqual(sizes["m1.tiny"], ("1", 512, 1, 1))
        self.assertEqual(sizes["m1.small"], ("2", 2048, 1, 20))
        self.assertEqual(sizes["m1.medium"], ("3", 4096, 2, 40))
        self.assertEqual(sizes["m1.large"], ("4", 8192, 4, 80))
        self.assertEqual(sizes["m1.xlarge"], ("5", 16384, 8, 160))
        self.assertEqual(sizes["m1.nano"][0], "42")
        self.assertEqual(sizes["m1.micro"][0], "84")
        self.assertFalse(any(f["name"].startswith(("general1", "performance")) for f in flavors))
        self.assertNotIn("OS-FLV-WITH-EXT-SPECS:extra_specs", flavors[0])
        self.assertEqual(flavors[0]["rxtx_factor"], 1.0)
        self.assertEqual(self.ok("GET", "/flavors/42/os-extra_specs"), {"extra_specs": {"hw_rng:allowed": "True"}})
        self.assertEqual(self.compute.request("GET", "/flavors/general1-1").code, 404)

    def test_flavor_filters_and_pages_use_the_profiles_flavors(self) -> None:
        big = self.ok("GET", "/flavors?minRam=8192")["flavors"]
        self.assertEqual([f["id"] for f in big], ["4", "5"])
        page = self.ok("GET", "/flavors?limit=2&marker=3")["flavors"]
        self.assertEqual([f["id"] for f in page], ["4", "42"])

    def test_a_server_boots_from_cirros_and_resizes_between_devstack_flavors(self) -> None:
        server = {"name": "vm", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "42"}
        server_id = self.ok("POST", "/servers", {"server": server}, 202)["server"]["id"]
        self.compute.mimic.tick(3600)
        shown = self.ok("GET", f"/servers/{server_id}", microversion=(2, 47))["server"]
        self.assertEqual(shown["flavor"]["original_name"], "m1.nano")
        self.assertEqual(shown["image"]["id"], CIRROS_IMAGE_ID)
        self.ok("POST", f"/servers/{server_id}/action", {"resize": {"flavorRef": "84"}}, 202)
        self.compute.mimic.tick(3600)
        self.assertEqual(self.ok("GET", f"/servers/{server_id}")["server"]["status"], "VERIFY_RESIZE")
        used = self.ok("GET", "/limits")["limits"]["absolute"]
        # Both flavors are held until the resize is confirmed.
        self.assertEqual((used["totalCoresUsed"], used["totalRAMUsed"]), (2, 192 + 256))

    def test_nova_default_quotas(self) -> None:
        project = self.compute.project_id
        quotas = self.ok("GET", f"/os-quota-sets/{project}")["quota_set"]
        self.assertEqual((quotas["instances"], quotas["cores"], quotas["ram"]), (10, 20, 51200))
        self.assertEqual(quotas["metadata_items"], 128)
        self.ok("PUT", f"/os-quota-sets/{project}", {"quota_set": {"instances": 3}})
        self.assertEqual(self.ok("GET", f"/os-quota-sets/{project}/defaults")["quota_set"]["instances"], 10)
        self.ok("DELETE", f"/os-quota-sets/{project}", code=202)
        self.assertEqual(self.ok("GET", f"/os-quota-sets/{project}")["quota_set"]["instances"], 10)
        self.assertEqual(self.ok("GET", "/limits")["limits"]["absolute"]["maxTotalInstances"], 10)

    def test_the_eleventh_server_is_over_quota(self) -> None:
        server = {"name": "vm", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "1", "min_count": 10}
        self.ok("POST", "/servers", {"server": server}, 202)
        server["min_count"] = 1
        self.assertEqual(self.compute.request("POST", "/servers", {"server": server}).code, 403)

    def test_cirros_is_the_one_image(self) -> None:
        images = self.ok("GET", "/images/detail")["images"]
        self.assertEqual([(i["id"], i["name"]) for i in images], [(CIRROS_IMAGE_ID, CIRROS_NAME)])
        self.assertNotIn("OS-DCF:diskConfig", images[0])

    def test_glance_shows_cirros_as_devstack_uploads_it(self) -> None:
        mimic = self.compute.mimic
        root = self.compute.endpoint_of("image").rstrip("/").removesuffix("/v2")
        image = mimic.request("GET", f"{root}/v2/images/{CIRROS_IMAGE_ID}", token=self.compute.token).json()
        self.assertEqual(
            (image["disk_format"], image["container_format"], image["visibility"], image["status"]),
            ("qcow2", "bare", "public", "active"),
        )
        self.assertEqual(image["owner"], admin_project_id(mimic.core))
        self.assertNotEqual(image["owner"], self.compute.project_id)


    def test_devstack_volume_types_and_cinder_quotas(self) -> None:
        volume = self.compute.endpoint_of("block-storage")
        get = lambda path: self.compute.request("GET", volume + path).json()  # noqa: E731
        types = get("/types")["volume_types"]
        self.assertEqual([t["name"] for t in types], ["lvmdriver-1", "__DEFAULT__"])
        self.assertEqual(types[0]["extra_specs"], {"volume_backend_name": "lvmdriver-1"})
        made = self.compute.request("POST", volume + "/volumes", {"volume": {"size": 1}})
        self.assertEqual(made.code, 202, made)
        self.assertEqual(made.json()["volume"]["volume_type"], "lvmdriver-1")
        self.assertEqual(self.compute.request("GET", volume + "/types/SATA").code, 404)
        quotas = get(f"/os-quota-sets/{self.compute.project_id}")["quota_set"]
        self.assertEqual((quotas["volumes"], quotas["gigabytes"], quotas["snapshots"]), (10, 1000, 10))
        self.assertIn("volumes_lvmdriver-1", quotas)
        defaults = get(f"/os-quota-sets/{self.compute.project_id}/defaults")["quota_set"]
        self.assertEqual(defaults["backup_gigabytes"], 1000)

    def test_devstack_networks_and_servers_on_private(self) -> None:
        networking = self.compute.endpoint_of("network")
        listed = self.compute.request("GET", networking + "/v2.0/networks").json()["networks"]
        shapes = {n["name"]: (n["router:external"], n["shared"]) for n in listed}
        self.assertEqual(shapes, {"public": (True, False), "private": (False, True)})
        self.assertEqual({n["project_id"] for n in listed}, {admin_project_id(self.compute.mimic.core)})
        server = {"name": "vm", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "1"}
        server_id = self.ok("POST", "/servers", {"server": server}, 202)["server"]["id"]
        self.compute.mimic.tick(3600)
        shown = self.ok("GET", f"/servers/{server_id}")["server"]
        self.assertEqual(list(shown["addresses"]), ["private"])
        self.assertTrue(shown["addresses"]["private"][0]["addr"].startswith("10.0.0."))
        self.assertEqual(shown["accessIPv4"], "")


class RackspaceContentUnchangedTests(SynchronousTestCase):
    """
    The default profile keeps Rackspace's flavors, images and quotas.
    """

    def test_rackspace_flavor_2_is_still_a_standard_instance(self) -> None:
        from mimic.testing import InMemoryMimic

        mimic = InMemoryMimic()
        access = mimic.authenticate("demo")
        compute = access.endpoint("compute")
        flavor = mimic.request("GET", compute + "/flavors/2", token=access.token).json()["flavor"]
        self.assertEqual(flavor["name"], "512MB Standard Instance")
        self.assertIn("OS-FLV-WITH-EXT-SPECS:extra_specs", flavor)
        limits = mimic.request("GET", compute + "/limits", token=access.token).json()["limits"]["absolute"]
        self.assertEqual(limits["maxTotalInstances"], 100)
        images = mimic.request("GET", compute + "/images", token=access.token).json()["images"]
        self.assertNotIn(CIRROS_IMAGE_ID, [i["id"] for i in images])
        volume = access.endpoint("volumev3")
        types = mimic.request("GET", volume + "/types", token=access.token).json()["volume_types"]
        self.assertEqual([t["name"] for t in types], ["SATA", "SSD", "__DEFAULT__"])
        networking = access.endpoint("network")
        networks = mimic.request("GET", networking + "/v2.0/networks", token=access.token).json()["networks"]
        self.assertEqual(sorted(n["name"] for n in networks), ["ext-net", "private", "public"])
