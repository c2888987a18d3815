# -*- test-case-name: mimic.test.test_root -*-
"""
The root: help, routing to plugins under /service, and the token check in
front of every service.
"""

from __future__ import annotations

from twisted.trial.unittest import SynchronousTestCase

from mimic.test.dummy import CounterMock
from mimic.testing import InMemoryMimic


class RootTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[CounterMock()])
        self.alice = self.mimic.authenticate("alice")
        self.url = self.alice.endpoint("counter", "ORD") + "/hits"

    def test_root_explains_where_to_authenticate(self) -> None:
        response = self.mimic.request("GET", "http://127.0.0.1:8900/")
        self.assertEqual(response.code, 200)
        self.assertIn("text/plain", response.header("content-type"))
        self.assertIn(b"http://127.0.0.1:8900/identity/v2.0/tokens", response.body)

    def test_unknown_path_is_json_404(self) -> None:
        response = self.mimic.request("GET", "/nowhere")
        self.assertEqual(response.code, 404)
        self.assertIn("/nowhere", response.json()["message"])

    def test_request_reaches_the_tenants_service_state(self) -> None:
        response = self.mimic.request("POST", self.url, token=self.alice.token)
        self.assertEqual(response.code, 200)
        self.assertEqual(response.json(), {"hits": 1, "region": "ORD", "tenant": self.alice.tenant_id})
        self.assertEqual(self.mimic.request("POST", self.url, token=self.alice.token).json()["hits"], 2)

    def test_regions_and_tenants_have_separate_state(self) -> None:
        self.mimic.request("POST", self.url, token=self.alice.token)
        lon = self.alice.endpoint("counter", "LON") + "/hits"
        self.assertEqual(self.mimic.request("POST", lon, token=self.alice.token).json()["hits"], 1)
        bob = self.mimic.authenticate("bob")
        bobs = bob.endpoint("counter", "ORD") + "/hits"
        self.assertEqual(self.mimic.request("POST", bobs, token=bob.token).json()["hits"], 1)

    def test_missing_token_is_401_in_the_services_shape(self) -> None:
        response = self.mimic.request("POST", self.url)
        self.assertEqual(response.code, 401)
        self.assertEqual(response.json()["counterFault"]["code"], 401)

    def test_unknown_token_is_401(self) -> None:
        self.assertEqual(self.mimic.request("POST", self.url, token="forged").code, 401)

    def test_expired_token_is_401(self) -> None:
        self.mimic.tick(24 * 60 * 60)
        self.assertEqual(self.mimic.request("POST", self.url, token=self.alice.token).code, 401)

    def test_token_of_another_tenant_is_403(self) -> None:
        bob = self.mimic.authenticate("bob")
        response = self.mimic.request("POST", self.url, token=bob.token)
        self.assertEqual(response.code, 403)
        self.assertIn(self.alice.tenant_id, response.json()["counterFault"]["message"])
        self.assertEqual(self.mimic.core.state_summary(), {})

    def test_anonymous_paths_need_no_token(self) -> None:
        root = f"/service/counter/ORD/{self.alice.tenant_id}"
        for path in (root, root + "/"):
            response = self.mimic.request("GET", path)
            self.assertEqual(response.code, 200, path)
            self.assertEqual(response.json(), {"versions": ["v1"]})

    def test_unknown_service_is_404(self) -> None:
        response = self.mimic.request("GET", f"/service/nothing/ORD/{self.alice.tenant_id}/")
        self.assertEqual(response.code, 404)
        self.assertIn("nothing", response.json()["message"])

    def test_unknown_region_is_404_in_the_services_shape(self) -> None:
        response = self.mimic.request(
            "POST", f"/service/counter/XYZ/{self.alice.tenant_id}/v1/x/hits", token=self.alice.token
        )
        self.assertEqual(response.code, 404)
        self.assertIn("XYZ", response.json()["counterFault"]["message"])

    def test_state_summary_shows_what_services_hold(self) -> None:
        self.mimic.request("POST", self.url, token=self.alice.token)
        self.assertEqual(
            self.mimic.core.state_summary(), {"counter": {self.alice.tenant_id: {"ORD": {"hits": 1}}}}
        )

    def test_reset_of_one_tenant_keeps_the_others(self) -> None:
        bob = self.mimic.authenticate("bob")
        self.mimic.request("POST", self.url, token=self.alice.token)
        self.mimic.request("POST", bob.endpoint("counter", "ORD") + "/hits", token=bob.token)
        self.mimic.core.reset(self.alice.tenant_id)
        self.assertEqual(self.mimic.request("POST", self.url, token=self.alice.token).code, 401)
        self.assertEqual(list(self.mimic.core.state_summary()["counter"]), [bob.tenant_id])


class PasserbyTests(SynchronousTestCase):
    """
    Paths served without a token (version documents) answer for any
    tenant id, but keep no state for a tenant nobody authenticated as.
    """

    def test_version_documents_of_invented_tenants_keep_no_state(self) -> None:
        mimic = InMemoryMimic()
        for number in range(50):
            for path in (f"/service/compute/ORD/{700000 + number}/v2",
                         f"/service/image/ORD/{700000 + number}/v2"):
                response = mimic.request("GET", path)
                self.assertIn(response.code, (200, 300), (path, response))
        self.assertEqual(list(mimic.core.region_states()), [])

    def test_a_known_tenants_anonymous_request_sees_its_state(self) -> None:
        mimic = InMemoryMimic()
        access = mimic.authenticate("alice")
        compute = access.endpoint("compute")
        mimic.request("GET", compute + "/servers", token=access.token)
        held = list(mimic.core.region_states())
        response = mimic.request("GET", compute.rsplit("/", 1)[0])
        self.assertEqual(response.code, 200, response)
        self.assertEqual(list(mimic.core.region_states()), held)


class RequestIdTests(SynchronousTestCase):
    """
    Every response carries ``X-OpenStack-Request-ID`` (``req-<uuid>``), as
    OpenStack's services send: errors too, whoever answers.
    """

    def setUp(self) -> None:
        self.mimic = InMemoryMimic()
        self.access = self.mimic.authenticate("alice")

    def test_every_answer_has_its_own_id(self) -> None:
        compute = self.access.endpoint("compute")
        token = self.access.token
        requests = [
            ("GET", compute + "/servers", token),
            ("GET", compute + "/no-such-thing", token),
            ("GET", compute + "/servers", None),
            ("GET", self.access.endpoint("image") + "/images", token),
            ("GET", self.access.endpoint("rax:load-balancer") + "/loadbalancers", token),
            ("GET", "/identity/v3", None),
            ("GET", "/mimic/v1.1/failures", None),
            ("GET", "/nowhere", None),
        ]
        seen = set()
        for method, url, sent in requests:
            response = self.mimic.request(method, url, token=sent)
            identifier = response.header("x-openstack-request-id")
            self.assertRegex(identifier or "", r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", url)
            seen.add(identifier)
        self.assertEqual(len(seen), len(requests))

    def test_nova_also_sends_it_as_x_compute_request_id(self) -> None:
        response = self.mimic.request("GET", self.access.endpoint("compute") + "/servers", token=self.access.token)
        self.assertEqual(response.header("x-compute-request-id"), response.header("x-openstack-request-id"))
        image = self.mimic.request("GET", self.access.endpoint("image") + "/images", token=self.access.token)
        self.assertIsNone(image.header("x-compute-request-id"))
