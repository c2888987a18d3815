"""
Tests for the clock's pending events (:mod:`mimic.pending`,
:mod:`mimic.control.clock`): what each service says is due, ``GET
/mimic/v1.1/clock`` listing it, and ``POST /mimic/v1.1/tick`` by an
amount, to the next transition or until idle, with what happened.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from mimic.control.clock import IDLE_HORIZON, advance_to
from mimic.pending import EXPIRY, TRANSITION, PendingEvent
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import InMemoryMimic, Response
from mimic.test.test_loadbalancer_helpers import balancer_spec

CONTROL = "/mimic/v1.1"
START = 1_700_000_000


class PendingTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(settings={"blockstorage.create_seconds": "20"})
        self.alice = self.mimic.authenticate("alice")

    def clock(self, query: str = "") -> dict[str, Any]:
        response = self.mimic.request("GET", CONTROL + "/clock" + query)
        self.assertEqual(response.code, 200, response.body)
        return response.json()

    def tick(self, body: Any, query: str = "", expected: int = 200) -> dict[str, Any]:
        response = self.mimic.request("POST", CONTROL + "/tick" + query, body)
        self.assertEqual(response.code, expected, response.body)
        return response.json()

    def transitions(self, listed: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
        """
        (resource, event, seconds from the start) of each transition.
        """
        return [(e["resource"], e["event"], e["seconds"] - START) for e in listed if e["kind"] == TRANSITION]

    def create_server(self, name: str = "web", seconds: int | None = 30) -> str:
        server: dict[str, Any] = {"name": name, "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "general1-1"}
        if seconds is not None:
            server["metadata"] = {"server_building": str(seconds)}
        response = self.mimic.request(
            "POST", self.alice.endpoint("compute") + "/servers", {"server": server}, token=self.alice.token
        )
        self.assertEqual(response.code, 202, response.body)
        return str(response.json()["server"]["id"])

    def server_status(self, server_id: str) -> str:
        response = self.mimic.request(
            "GET", self.alice.endpoint("compute") + f"/servers/{server_id}", token=self.alice.token
        )
        return str(response.json()["server"]["status"])

    def create_balancer(self, seconds: int = 10) -> Response:
        spec = balancer_spec(name="lb", metadata=[{"key": "lb_building", "value": str(seconds)}])
        response = self.mimic.request(
            "POST",
            self.alice.endpoint("rax:load-balancer") + "/loadbalancers",
            {"loadBalancer": spec},
            token=self.alice.token,
        )
        self.assertEqual(response.code, 202, response.body)
        return response

    def create_volume(self) -> str:
        response = self.mimic.request(
            "POST",
            self.alice.endpoint("volumev3") + "/volumes",
            {"volume": {"size": 1, "name": "data"}},
            token=self.alice.token,
        )
        self.assertEqual(response.code, 202, response.body)
        return str(response.json()["volume"]["id"])

    def put_expiring_object(self, after: int = 100) -> None:
        swift = self.alice.endpoint("object-store")
        headers = {"X-Auth-Token": self.alice.token}
        self.assertEqual(self.mimic.request("PUT", swift + "/c", headers=headers, raw=b"").code, 201)
        response = self.mimic.request(
            "PUT", swift + "/c/o", headers={**headers, "X-Delete-After": str(after)}, raw=b"x"
        )
        self.assertEqual(response.code, 201, response.body)


class ClockListingTests(PendingTestCase):
    def test_an_idle_mimic_lists_only_its_tokens_expiring(self) -> None:
        clock = self.clock()
        self.assertEqual(clock["seconds"], START)
        self.assertFalse(clock["realtime"])
        self.assertEqual(clock["pending_count"], 1)
        [token] = clock["pending"]
        self.assertEqual(
            {k: token[k] for k in ("resource", "name", "event", "kind", "service", "tenant_id", "in")},
            {
                "resource": "token",
                "name": "alice",
                "event": "expires",
                "kind": EXPIRY,
                "service": "identity",
                "tenant_id": self.alice.tenant_id,
                "in": 86400.0,
            },
        )
        # Enough of the token to recognise, not to use.
        self.assertTrue(self.alice.token.startswith(token["id"].rstrip(".")))
        self.assertNotIn(self.alice.token, token["id"])

    def test_every_service_says_what_is_due_in_time_order(self) -> None:
        server_id = self.create_server(seconds=30)
        self.create_balancer(seconds=10)
        volume_id = self.create_volume()
        self.put_expiring_object(after=100)
        clock = self.clock()
        self.assertEqual(
            self.transitions(clock["pending"]),
            [("load_balancer", "becomes ACTIVE", 10), ("volume", "becomes available", 20),
             ("server", "becomes ACTIVE", 30)],
        )
        expiries = [(e["resource"], e["id"], e["event"], e["in"]) for e in clock["pending"] if e["kind"] == EXPIRY]
        self.assertEqual(expiries[0], ("object", "c/o", "expires (X-Delete-At)", 100))
        self.assertEqual(expiries[1][0], "token")
        by_resource = {e["resource"]: e for e in clock["pending"]}
        self.assertEqual(by_resource["server"]["id"], server_id)
        self.assertEqual(by_resource["server"]["name"], "web")
        self.assertEqual(by_resource["volume"]["id"], volume_id)
        self.assertEqual(
            (by_resource["server"]["service"], by_resource["server"]["region"], by_resource["server"]["tenant_id"]),
            ("compute", "ORD", self.alice.tenant_id),
        )
        self.assertEqual(by_resource["server"]["at"], "2023-11-14T22:13:50.000000Z")

    def test_listing_changes_nothing(self) -> None:
        server_id = self.create_server(seconds=30)
        self.mimic.tick(31)
        before = self.mimic.core.state_summary()
        self.assertEqual(self.transitions(self.clock()["pending"]), [])
        self.assertEqual(self.mimic.core.state_summary(), before)
        self.assertEqual(self.server_status(server_id), "ACTIVE")

    def test_limit_trims_the_list_but_counts_everything(self) -> None:
        for n in range(5):
            self.create_server(f"s{n}", seconds=10 + n)
        clock = self.clock("?limit=2")
        self.assertEqual(clock["pending_count"], 6)
        self.assertEqual([e["name"] for e in clock["pending"]], ["s0", "s1"])
        self.assertEqual(self.clock("?limit=0")["pending"], [])

    def test_tenant_id_shows_one_tenants_events(self) -> None:
        self.create_server(seconds=30)
        bob = self.mimic.authenticate("bob")
        clock = self.clock("?tenant_id=" + bob.tenant_id)
        self.assertEqual([e["resource"] for e in clock["pending"]], ["token"])
        self.assertEqual(clock["pending"][0]["name"], "bob")

    def test_bad_limits_are_400(self) -> None:
        for bad in ("-1", "x", "1.5", "10001", "%ff"):
            response = self.mimic.request("GET", CONTROL + "/clock?limit=" + bad)
            self.assertEqual(response.code, 400, bad)
            self.assertEqual(response.json()["code"], 400)

    def test_server_steps_say_what_the_status_becomes(self) -> None:
        """
        A delete taking time, and a reboot: each listed as the status a
        client sees next.
        """
        server_id = self.create_server(seconds=None)
        compute = self.alice.endpoint("compute")
        action = self.mimic.request(
            "POST", compute + f"/servers/{server_id}/action", {"reboot": {"type": "SOFT"}}, token=self.alice.token
        )
        self.assertEqual(action.code, 202, action.body)
        self.assertEqual(self.transitions(self.clock()["pending"]), [("server", "becomes ACTIVE", 5)])

    def test_server_being_deleted_and_snapshot_saving(self) -> None:
        server_id = self.create_server(seconds=None)
        compute = self.alice.endpoint("compute")
        action = self.mimic.request(
            "POST", compute + f"/servers/{server_id}/action", {"createImage": {"name": "snap"}},
            token=self.alice.token,
        )
        self.assertEqual(action.code, 202, action.body)
        registered = self.mimic.request(
            "POST", CONTROL + "/compute/behaviors/server.delete", {"name": "deleting", "parameters": {"seconds": 40}}
        )
        self.assertEqual(registered.code, 201, registered.body)
        self.assertEqual(
            self.transitions(self.clock()["pending"]),
            [("server", "ends image_snapshot (ACTIVE)", 2), ("image", "becomes ACTIVE", 30)],
        )
        self.tick({"amount": 5})
        deleted = self.mimic.request("DELETE", compute + f"/servers/{server_id}", token=self.alice.token)
        self.assertEqual(deleted.code, 204, deleted.body)
        self.assertEqual(
            self.transitions(self.clock()["pending"]),
            [("image", "becomes ACTIVE", 30), ("server", "is deleted", 45)],
        )
        self.assertEqual(self.tick({"until": "idle"})["advanced"], 40)
        gone = self.mimic.request("GET", compute + f"/servers/{server_id}", token=self.alice.token)
        self.assertEqual(gone.code, 404)

    def test_balancer_update_and_delete(self) -> None:
        lb_id = self.create_balancer(seconds=0).json()["loadBalancer"]["id"]
        balancer = self.alice.endpoint("rax:load-balancer") + f"/loadbalancers/{lb_id}"
        for event, name in (("update", "pending_update"), ("delete", "pending_delete")):
            registered = self.mimic.request(
                "POST", CONTROL + f"/loadbalancer/behaviors/loadbalancer.{event}",
                {"name": name, "parameters": {"seconds": 15}},
            )
            self.assertEqual(registered.code, 201, registered.body)
        update = self.mimic.request(
            "PUT", balancer, {"loadBalancer": {"name": "renamed"}}, token=self.alice.token
        )
        self.assertEqual(update.code, 202, update.body)
        self.assertEqual(
            self.transitions(self.clock()["pending"]), [("load_balancer", "leaves PENDING_UPDATE (ACTIVE)", 15)]
        )
        self.tick({"until": "idle"})
        deleted = self.mimic.request("DELETE", balancer, token=self.alice.token)
        self.assertEqual(deleted.code, 202, deleted.body)
        self.assertEqual(self.transitions(self.clock()["pending"]), [("load_balancer", "is deleted", 30)])


class TickTests(PendingTestCase):
    def test_amount_reports_what_happened_and_what_is_pending(self) -> None:
        self.create_server("fast", seconds=10)
        self.create_server("slow", seconds=30)
        ticked = self.tick({"amount": 15})
        self.assertEqual(ticked["advanced"], 15)
        self.assertEqual(ticked["seconds"], START + 15)
        self.assertEqual([e["name"] for e in ticked["happened"]], ["fast"])
        self.assertEqual(ticked["happened_count"], 1)
        self.assertEqual(self.transitions(ticked["pending"]), [("server", "becomes ACTIVE", 30)])
        self.assertEqual(ticked["pending"][0]["in"], 15)
        self.assertFalse(ticked["idle"])

    def test_until_next_advances_exactly_to_the_next_transition(self) -> None:
        fast = self.create_server("fast", seconds=10)
        slow = self.create_server("slow", seconds=30)
        self.put_expiring_object(after=5)
        ticked = self.tick({"until": "next"})
        self.assertEqual((ticked["advanced"], ticked["seconds"]), (10, START + 10))
        self.assertEqual(
            [(e["resource"], e["event"]) for e in ticked["happened"]],
            [("object", "expires (X-Delete-At)"), ("server", "becomes ACTIVE")],
        )
        self.assertEqual((self.server_status(fast), self.server_status(slow)), ("ACTIVE", "BUILD"))
        self.assertFalse(ticked["idle"])
        ticked = self.tick({"until": "next"})
        self.assertEqual((ticked["advanced"], self.server_status(slow)), (20, "ACTIVE"))
        self.assertTrue(ticked["idle"])

    def test_until_next_with_nothing_pending_advances_nothing(self) -> None:
        ticked = self.tick({"until": "next"})
        self.assertEqual((ticked["advanced"], ticked["seconds"], ticked["happened"]), (0, START, []))
        self.assertTrue(ticked["idle"])
        # The token's expiry is listed but not waited for.
        self.assertEqual([e["resource"] for e in ticked["pending"]], ["token"])

    def test_until_idle_settles_everything_but_expiries(self) -> None:
        server_id = self.create_server(seconds=30)
        self.create_balancer(seconds=10)
        volume_id = self.create_volume()
        ticked = self.tick({"until": "idle"})
        self.assertTrue(ticked["idle"])
        self.assertEqual(ticked["advanced"], 30)
        self.assertEqual(
            self.transitions(ticked["happened"]),
            [("load_balancer", "becomes ACTIVE", 10), ("volume", "becomes available", 20),
             ("server", "becomes ACTIVE", 30)],
        )
        self.assertEqual(self.server_status(server_id), "ACTIVE")
        volume = self.mimic.request(
            "GET", self.alice.endpoint("volumev3") + f"/volumes/{volume_id}", token=self.alice.token
        )
        self.assertEqual(volume.json()["volume"]["status"], "available")
        # Still logged in.
        self.assertEqual([e["resource"] for e in ticked["pending"]], ["token"])
        self.assertEqual(self.server_status(server_id), "ACTIVE")

    def test_until_idle_when_idle_is_a_no_op(self) -> None:
        ticked = self.tick({"until": "idle"})
        self.assertEqual((ticked["advanced"], ticked["idle"], ticked["happened"]), (0, True, []))

    def test_until_idle_stops_at_its_horizon(self) -> None:
        self.create_server("soon", seconds=10)
        self.create_server("never", seconds=int(IDLE_HORIZON) + 100)
        ticked = self.tick({"until": "idle"})
        self.assertFalse(ticked["idle"])
        self.assertEqual(ticked["advanced"], 10)
        self.assertEqual([e["name"] for e in ticked["pending"] if e["kind"] == TRANSITION], ["never"])

    def test_until_for_one_tenant_waits_only_for_its_events(self) -> None:
        self.create_server(seconds=30)
        bob = self.mimic.authenticate("bob")
        ticked = self.tick({"until": "idle"}, "?tenant_id=" + bob.tenant_id)
        self.assertEqual(ticked["advanced"], 0)

    def test_bad_bodies_are_400_and_the_clock_stays(self) -> None:
        self.create_server(seconds=30)
        for body in (
            {}, [], "idle", {"amount": 1, "until": "idle"}, {"until": "later"}, {"until": 5},
            {"until": None}, {"amount": -1}, {"amount": "5"}, {"amount": True}, {"amount": None},
            {"amount": 1, "extra": 1},
        ):
            response = self.mimic.request("POST", CONTROL + "/tick", body)
            self.assertEqual(response.code, 400, body)
            self.assertEqual(response.json()["code"], 400)
        self.assertEqual(self.clock()["seconds"], START)

    def test_realtime_lists_but_refuses_to_tick(self) -> None:
        from treq.testing import StubTreq

        from mimic.core import MimicCore
        from mimic.root import MimicRoot

        class RealClock:
            def seconds(self) -> float:
                return START

        core = MimicCore.create(RealClock(), [])  # type: ignore[arg-type]
        treq = StubTreq(MimicRoot(core))

        def send(method: str, path: str, body: Any = None) -> tuple[int, Any]:
            results: list[Any] = []
            d = treq.request(method, "http://mimic.test" + CONTROL + path, json=body)
            d.addCallback(lambda r: treq.json_content(r).addCallback(lambda b: (r.code, b)))
            d.addBoth(results.append)
            treq.flush()
            return results[0]

        code, clock = send("GET", "/clock")
        self.assertEqual((code, clock["realtime"], clock["pending"]), (200, True, []))
        for body in ({"until": "idle"}, {"until": "next"}, {"amount": 1}):
            code, refused = send("POST", "/tick", body)
            self.assertEqual(code, 400)
            self.assertIn("--realtime", refused["message"])


class PendingUnitTests(SynchronousTestCase):
    def test_advance_to_never_falls_short(self) -> None:
        clock = Clock()
        clock.advance(1_700_000_000.1)
        for target in (1_700_000_000.3, 1_700_000_010.7000001, 1_700_000_123.456789):
            advance_to(clock, target)
            self.assertGreaterEqual(clock.seconds(), target)
            self.assertLess(clock.seconds() - target, 1e-6)

    def test_only_transitions_are_waited_for(self) -> None:
        self.assertTrue(PendingEvent(1.0, "server", "s", None, "becomes ACTIVE").waited_for)
        self.assertFalse(PendingEvent(1.0, "token", "t", None, "expires", EXPIRY).waited_for)
