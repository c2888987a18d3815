"""
Tests for the control API (:mod:`mimic.control`): registering known error
conditions over HTTP and seeing them fire, the catalogue, presets, reset,
the state dump and the clock.

The service under test is the small widgets plugin of
:mod:`mimic.test.test_control_widgets`, plus identity's real
authentication event.
"""

from __future__ import annotations

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from mimic.testing import Access, InMemoryMimic, Response
from mimic.test.test_control_widgets import widgets

CONTROL = "/mimic/v1.1"
CREATE_BEHAVIORS = CONTROL + "/widgets/behaviors/widget.create"
DELETE_BEHAVIORS = CONTROL + "/widgets/behaviors/widget.delete"
AUTH_BEHAVIORS = CONTROL + "/identity/behaviors/auth"


class ControlTestCase(SynchronousTestCase):
    def setUp(self) -> None:
        self.mimic = InMemoryMimic(plugins=[widgets])
        self.alice = self.mimic.authenticate("alice")

    def register(self, path: str, body: Any, expected: int = 201) -> Response:
        response = self.mimic.request("POST", path, body)
        self.assertEqual(response.code, expected, response.body)
        return response

    def create_widget(
        self, name: str = "w", metadata: dict[str, str] | None = None, access: Access | None = None
    ) -> Response:
        access = access or self.alice
        widget: dict[str, Any] = {"name": name}
        if metadata is not None:
            widget["metadata"] = metadata
        return self.mimic.request(
            "POST",
            access.endpoint("rax:widgets") + "/widgets",
            {"widget": widget},
            token=access.token,
        )

    def widget(self, widget_id: str, access: Access | None = None) -> Response:
        access = access or self.alice
        return self.mimic.request(
            "GET", access.endpoint("rax:widgets") + f"/widgets/{widget_id}", token=access.token
        )

    def auth_status(self, username: str) -> int:
        body = {"auth": {"passwordCredentials": {"username": username, "password": "p"}}}
        return self.mimic.request("POST", "/identity/v2.0/tokens", body).code


class RegistrationAPITests(ControlTestCase):
    def test_register_answers_201_with_id_and_location(self) -> None:
        response = self.register(CREATE_BEHAVIORS, {"name": "error", "parameters": {}, "criteria": []})
        registration_id = response.json()["id"]
        self.assertEqual(
            response.header("location"),
            f"http://mimic.test{CREATE_BEHAVIORS}/{registration_id}",
        )
        self.assertEqual(response.header("content-type"), "application/json")

    def test_registration_can_be_read_at_its_location(self) -> None:
        response = self.register(
            CREATE_BEHAVIORS,
            {"name": "fail", "parameters": {"code": 503}, "criteria": [{"widget_name": "db"}]},
        )
        read = self.mimic.request("GET", response.header("location"))
        self.assertEqual(read.code, 200)
        behavior = read.json()["behavior"]
        self.assertEqual(behavior["name"], "fail")
        self.assertEqual(behavior["parameters"], {"code": 503, "message": "The widget could not be made."})
        self.assertEqual(behavior["criteria"], [{"widget_name": "db"}])
        self.assertEqual((behavior["service"], behavior["event"]), ("widgets", "widget.create"))

    def test_registrations_are_listed_in_the_order_they_are_tried(self) -> None:
        first = self.register(CREATE_BEHAVIORS, {"name": "error"}).json()["id"]
        second = self.register(CREATE_BEHAVIORS, {"name": "fail"}).json()["id"]
        third = self.register(DELETE_BEHAVIORS, {"name": "fail"}).json()["id"]
        ids = lambda path: [b["id"] for b in self.mimic.request("GET", path).json()["behaviors"]]
        self.assertEqual(ids(CREATE_BEHAVIORS), [first, second])
        self.assertEqual(ids(CONTROL + "/widgets/behaviors"), [first, second, third])
        self.assertEqual(ids(CONTROL + "/behaviors"), [first, second, third])

    def test_delete_registration_answers_204_and_stops_it(self) -> None:
        location = self.register(CREATE_BEHAVIORS, {"name": "error"}).header("location")
        self.assertEqual(self.mimic.request("DELETE", location).code, 204)
        self.assertEqual(self.create_widget().json()["widget"]["status"], "ACTIVE")
        self.assertEqual(self.mimic.request("GET", location).code, 404)

    def test_delete_unknown_registration_returns_404(self) -> None:
        response = self.mimic.request("DELETE", CREATE_BEHAVIORS + "/12345")
        self.assertEqual(response.code, 404)
        self.assertIn("12345", response.json()["message"])

    def test_registration_is_not_found_under_another_event(self) -> None:
        registration_id = self.register(CREATE_BEHAVIORS, {"name": "error"}).json()["id"]
        self.assertEqual(self.mimic.request("DELETE", f"{DELETE_BEHAVIORS}/{registration_id}").code, 404)
        self.assertEqual(self.create_widget().json()["widget"]["status"], "ERROR")

    def test_old_mimic_alias_and_trailing_slash(self) -> None:
        response = self.register(CONTROL + "/widgets/behaviors/creation/", {"name": "error"})
        self.assertEqual(
            self.mimic.request("DELETE", f"{CONTROL}/widgets/behaviors/creation/{response.json()['id']}").code,
            204,
        )

    def test_delete_all_registrations(self) -> None:
        self.register(CREATE_BEHAVIORS, {"name": "error"})
        self.register(DELETE_BEHAVIORS, {"name": "fail"})
        self.assertEqual(self.mimic.request("DELETE", CONTROL + "/behaviors").code, 204)
        self.assertEqual(self.mimic.request("GET", CONTROL + "/behaviors").json(), {"behaviors": []})

    def test_listing_unknown_event_returns_404(self) -> None:
        self.assertEqual(self.mimic.request("GET", CONTROL + "/widgets/behaviors/nope").code, 404)
        self.assertEqual(self.mimic.request("GET", CONTROL + "/gadgets/behaviors").code, 404)


class BadRegistrationAPITests(ControlTestCase):
    """
    Every refused registration answers 400 with a message naming the
    problem, and registers nothing.
    """

    def assertRefused(self, path: str, body: Any, fragment: str, raw: bytes | None = None) -> None:
        # A raw body is JSON to the control API only with its content type.
        headers = {"Content-Type": "application/json"} if raw is not None else None
        response = self.mimic.request("POST", path, body, raw=raw, headers=headers)
        self.assertEqual(response.code, 400, response.body)
        self.assertEqual(response.json()["code"], 400)
        self.assertIn(fragment, response.json()["message"])
        self.assertEqual(self.mimic.request("GET", CONTROL + "/behaviors").json(), {"behaviors": []})

    def test_unknown_event(self) -> None:
        self.assertRefused(CONTROL + "/widgets/behaviors/explosion", {"name": "fail"}, "'explosion'")

    def test_unknown_service(self) -> None:
        self.assertRefused(CONTROL + "/gadgets/behaviors/creation", {"name": "fail"}, "'gadgets'")

    def test_unknown_condition(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"name": "melt"}, "'melt'")

    def test_missing_name(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"parameters": {}}, "'name' is required")

    def test_bad_regular_expression(self) -> None:
        self.assertRefused(
            CREATE_BEHAVIORS, {"name": "fail", "criteria": [{"widget_name": "[a-"}]}, "regular expression"
        )

    def test_bad_parameters(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "parameters": {"code": "x"}}, "'code'")
        self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "parameters": {"colour": 1}}, "'colour'")
        self.assertRefused(CREATE_BEHAVIORS, {"name": "build", "parameters": {}}, "'seconds'")

    def test_unknown_criterion(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "criteria": [{"colour": "red"}]}, "'colour'")

    def test_bad_times(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "times": -1}, "times")

    def test_impossible_status_codes(self) -> None:
        for code in (600, 999, 10**20, 200, 399):
            self.assertRefused(
                CREATE_BEHAVIORS, {"name": "fail", "parameters": {"code": code}}, "from 400 to 599"
            )

    def test_impossible_durations(self) -> None:
        for seconds in (1e308, -1, 10**20):
            self.assertRefused(
                CREATE_BEHAVIORS, {"name": "build", "parameters": {"seconds": seconds}}, "'seconds'"
            )

    def test_impossible_times(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "times": 10**30}, "from 1 to 1000000")

    def test_criteria_values_must_be_strings(self) -> None:
        for criteria in (
            {"widget_name": {"x": []}},
            [{"widget_name": ["a"]}],
            [{"widget_name": 5}],
            [{"metadata": {"k": {"x": 1}}}],
        ):
            self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "criteria": criteria}, "string")

    def test_criteria_re2_cannot_compile(self) -> None:
        for pattern in (r"(a)\1", "(?=a)", "a" * 2000):
            self.assertRefused(
                CREATE_BEHAVIORS, {"name": "fail", "criteria": [{"widget_name": pattern}]}, "'widget_name'"
            )

    def test_unknown_field(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, {"name": "fail", "when": "now"}, "'when'")

    def test_malformed_json(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, None, "Malformed", raw=b"{not json")

    def test_body_not_an_object(self) -> None:
        self.assertRefused(CREATE_BEHAVIORS, ["fail"], "JSON object")


class BothFacesTests(ControlTestCase):
    """
    Each condition fires the same way whether registered through the
    control API or triggered by request metadata.
    """

    def test_fail_by_registration(self) -> None:
        self.register(
            CREATE_BEHAVIORS,
            {"name": "fail", "parameters": {"code": 503, "message": "busy"}, "criteria": [{"widget_name": "db"}]},
        )
        failed = self.create_widget("db-1")
        self.assertEqual((failed.code, failed.json()), (503, {"widgetFault": {"code": 503, "message": "busy"}}))
        self.assertEqual(self.create_widget("web-1").code, 202)

    def test_fail_by_metadata(self) -> None:
        failed = self.create_widget("db-1", {"widget_fail": '{"code": 503, "message": "busy"}'})
        self.assertEqual((failed.code, failed.json()), (503, {"widgetFault": {"code": 503, "message": "busy"}}))

    def assertBuildsFor(self, response: Response, seconds: float) -> None:
        widget_id = response.json()["widget"]["id"]
        self.assertEqual(response.json()["widget"]["status"], "BUILD")
        self.mimic.request("POST", CONTROL + "/tick", {"amount": seconds - 1})
        self.assertEqual(self.widget(widget_id).json()["widget"]["status"], "BUILD")
        self.mimic.request("POST", CONTROL + "/tick", {"amount": 1})
        self.assertEqual(self.widget(widget_id).json()["widget"]["status"], "ACTIVE")

    def test_build_by_registration(self) -> None:
        self.register(CREATE_BEHAVIORS, {"name": "build", "parameters": {"seconds": 30}})
        self.assertBuildsFor(self.create_widget(), 30)

    def test_build_by_metadata(self) -> None:
        self.assertBuildsFor(self.create_widget(metadata={"widget_building": "30"}), 30)

    def test_error_by_registration(self) -> None:
        self.register(CREATE_BEHAVIORS, {"name": "error", "criteria": [{"metadata": {"key": "role", "value": "db"}}]})
        self.assertEqual(self.create_widget(metadata={"role": "db"}).json()["widget"]["status"], "ERROR")
        self.assertEqual(self.create_widget(metadata={"role": "web"}).json()["widget"]["status"], "ACTIVE")

    def test_error_by_metadata(self) -> None:
        self.assertEqual(self.create_widget(metadata={"widget_error": "1"}).json()["widget"]["status"], "ERROR")

    def test_malformed_metadata_trigger_is_a_400_from_the_service(self) -> None:
        response = self.create_widget(metadata={"widget_building": "soon"})
        self.assertEqual(response.code, 400)
        self.assertIn("seconds", response.json()["widgetFault"]["message"])

    def test_delete_fail_by_registration(self) -> None:
        widget_id = self.create_widget().json()["widget"]["id"]
        self.register(DELETE_BEHAVIORS, {"name": "fail", "parameters": {"code": 409}, "criteria": [{"widget_id": f"{widget_id}$"}]})
        url = self.alice.endpoint("rax:widgets") + f"/widgets/{widget_id}"
        self.assertEqual(self.mimic.request("DELETE", url, token=self.alice.token).code, 409)
        self.assertEqual(self.widget(widget_id).code, 200)

    def test_identity_auth_fail_by_registration(self) -> None:
        self.register(
            AUTH_BEHAVIORS,
            {"name": "fail", "parameters": {"code": 503, "message": "down"}, "criteria": [{"username": "failme"}]},
        )
        self.assertEqual(self.auth_status("failme"), 503)
        self.assertEqual(self.auth_status("bob"), 200)

    def test_identity_old_mimic_control_path(self) -> None:
        """
        The old mimic served identity's registrations under
        ``IdentityControlAPI``; suites written for it keep working.
        """
        path = CONTROL + "/IdentityControlAPI/behaviors/auth"
        registration_id = self.register(path, {"name": "fail", "parameters": {"code": 500}, "criteria": [{"username": "failme"}]}).json()["id"]
        self.assertEqual(self.auth_status("failme"), 500)
        self.assertEqual(self.mimic.request("DELETE", f"{path}/{registration_id}").code, 204)
        self.assertEqual(self.auth_status("failme"), 200)


class SequenceAndLimitTests(ControlTestCase):
    def statuses(self, count: int) -> list[int]:
        return [self.create_widget().code for _ in range(count)]

    def test_sequence_fail_then_default_alternates(self) -> None:
        self.register(
            CREATE_BEHAVIORS,
            {"name": "sequence", "parameters": {"behaviors": [{"name": "fail"}, {"name": "default"}]}},
        )
        self.assertEqual(self.statuses(4), [500, 202, 500, 202])

    def test_fail_twice_then_succeed(self) -> None:
        location = self.register(CREATE_BEHAVIORS, {"name": "fail", "times": 2}).header("location")
        self.assertEqual(self.statuses(3), [500, 500, 202])
        self.assertEqual(self.mimic.request("GET", location).code, 404)

    def test_limited_sequence(self) -> None:
        self.register(
            CREATE_BEHAVIORS,
            {
                "name": "sequence",
                "parameters": {"behaviors": [{"name": "fail", "parameters": {"code": 503}}, {"name": "fail", "parameters": {"code": 429}}]},
                "times": 2,
            },
        )
        self.assertEqual(self.statuses(3), [503, 429, 202])

    def test_listing_shows_uses_left(self) -> None:
        location = self.register(CREATE_BEHAVIORS, {"name": "fail", "times": 3}).header("location")
        self.create_widget()
        behavior = self.mimic.request("GET", location).json()["behavior"]
        self.assertEqual((behavior["times"], behavior["fired"]), (2, 1))


class ResetTests(ControlTestCase):
    def test_reset_forgets_everything(self) -> None:
        self.create_widget()
        self.register(CREATE_BEHAVIORS, {"name": "error"})
        response = self.mimic.request("POST", CONTROL + "/reset")
        self.assertEqual(response.code, 200)
        state = self.mimic.request("GET", CONTROL + "/state").json()
        self.assertEqual((state["tenants"], state["services"], state["behaviors"]), ([], {}, []))
        self.assertEqual(self.widget("1").code, 401)

    def test_reset_isolates_tests(self) -> None:
        """
        After a reset, the same user gets the same tenant back, with none
        of what it made before and no registered conditions.
        """
        self.create_widget()
        self.register(CREATE_BEHAVIORS, {"name": "error"})
        self.mimic.request("POST", CONTROL + "/reset", {})
        again = self.mimic.authenticate("alice")
        self.assertEqual(again.tenant_id, self.alice.tenant_id)
        self.assertEqual(self.widget("1", again).code, 404)
        created = self.create_widget(access=again).json()["widget"]
        self.assertEqual((created["id"], created["status"]), ("1", "ACTIVE"))

    def test_reset_one_tenant_keeps_the_others(self) -> None:
        bob = self.mimic.authenticate("bob")
        self.create_widget()
        self.create_widget(access=bob)
        self.register(CREATE_BEHAVIORS, {"name": "error", "criteria": [{"widget_name": "x"}]})
        response = self.mimic.request("POST", CONTROL + "/reset", {"tenant_id": self.alice.tenant_id})
        self.assertEqual(response.json(), {"reset": "tenant", "tenant_id": self.alice.tenant_id})
        state = self.mimic.request("GET", CONTROL + "/state").json()
        self.assertEqual([t["username"] for t in state["tenants"]], ["bob"])
        self.assertEqual(list(state["services"]["widgets"]), [bob.tenant_id])
        self.assertEqual(len(state["behaviors"]), 1)
        self.assertEqual(self.widget("1", bob).code, 200)

    def test_reset_one_tenant_by_query(self) -> None:
        self.create_widget()
        self.mimic.request("POST", CONTROL + f"/reset?tenant_id={self.alice.tenant_id}")
        self.assertEqual(self.mimic.request("GET", CONTROL + "/state").json()["tenants"], [])

    def test_bad_reset_bodies(self) -> None:
        for body in ([], {"tenant": "x"}, {"tenant_id": 5}):
            response = self.mimic.request("POST", CONTROL + "/reset", body)
            self.assertEqual(response.code, 400, body)
        self.assertEqual(len(self.mimic.request("GET", CONTROL + "/state").json()["tenants"]), 1)


class StateTests(ControlTestCase):
    def test_state_shows_tenants_resources_registrations_and_clock(self) -> None:
        self.create_widget()
        self.create_widget()
        self.register(CREATE_BEHAVIORS, {"name": "error"})
        state = self.mimic.request("GET", CONTROL + "/state").json()
        self.assertEqual(
            state["tenants"],
            [{"tenant_id": self.alice.tenant_id, "username": "alice", "user_id": state["tenants"][0]["user_id"], "live_tokens": 1}],
        )
        self.assertEqual(
            state["services"], {"widgets": {self.alice.tenant_id: {"ORD": {"widgets": 2, "ids": ["1", "2"]}}}}
        )
        self.assertEqual([b["name"] for b in state["behaviors"]], ["error"])
        self.assertEqual(state["clock"]["seconds"], 1_700_000_000)

    def test_state_of_one_tenant(self) -> None:
        bob = self.mimic.authenticate("bob")
        self.create_widget(access=bob)
        state = self.mimic.request("GET", CONTROL + f"/state?tenant_id={self.alice.tenant_id}").json()
        self.assertEqual([t["username"] for t in state["tenants"]], ["alice"])
        self.assertEqual(state["services"], {})

    def test_expired_tokens_are_not_counted(self) -> None:
        self.mimic.tick(25 * 3600)
        state = self.mimic.request("GET", CONTROL + "/state").json()
        self.assertEqual(state["tenants"][0]["live_tokens"], 0)


class ClockTests(ControlTestCase):
    def test_tick_advances_the_clock(self) -> None:
        before = self.mimic.request("GET", CONTROL + "/clock").json()
        ticked = self.mimic.request("POST", CONTROL + "/tick", {"amount": 2.5}).json()
        self.assertEqual(ticked["advanced"], 2.5)
        self.assertEqual(ticked["seconds"], before["seconds"] + 2.5)
        self.assertFalse(ticked["realtime"])

    def test_bad_tick_amounts(self) -> None:
        for body in ({}, {"amount": -1}, {"amount": "5"}, {"amount": True}):
            response = self.mimic.request("POST", CONTROL + "/tick", body)
            self.assertEqual(response.code, 400, body)


class ErrorShapeTests(ControlTestCase):
    def test_unknown_control_path_returns_json_404(self) -> None:
        response = self.mimic.request("GET", CONTROL + "/nothing/here")
        self.assertEqual(response.code, 404)
        self.assertEqual(response.json()["code"], 404)

    def test_wrong_method_returns_json_405(self) -> None:
        response = self.mimic.request("DELETE", CONTROL + "/clock")
        self.assertEqual(response.code, 405)
        self.assertEqual(response.json()["code"], 405)

    def test_index_lists_the_control_api(self) -> None:
        index = self.mimic.request("GET", CONTROL).json()
        self.assertEqual(index["failures"], "GET http://mimic.test/mimic/v1.1/failures")
