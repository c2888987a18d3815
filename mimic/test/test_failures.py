"""
Tests for :mod:`mimic.failures`, the one engine behind metadata triggers
and control-API registrations.
"""

from __future__ import annotations

import time

from twisted.trial.unittest import SynchronousTestCase

from mimic import failures as failures_module
from mimic.failures import (
    MAX_COUNT,
    MAX_SECONDS,
    BadRegistration,
    Condition,
    Event,
    FailureEngine,
    MetadataTrigger,
    Parameter,
    json_object_value,
    no_parameters,
)

CREATE = Event(
    service="widgets",
    name="widget.create",
    aliases=("creation",),
    description="A widget is created.",
    criteria=("widget_name", "metadata", "tenant_id"),
    conditions=(
        Condition(
            "fail",
            "The create request is answered with an error.",
            parameters=(
                Parameter("code", "HTTP status.", int, 500, minimum=400),
                Parameter("message", "Error message.", str, "boom"),
            ),
            metadata=MetadataTrigger("widget_fail", "a JSON object of parameters", json_object_value),
        ),
        Condition(
            "build",
            "The widget stays in BUILD.",
            parameters=(Parameter("seconds", "How long.", float, minimum=0),),
            metadata=MetadataTrigger("widget_building", "seconds in BUILD"),
        ),
        Condition(
            "error",
            "The widget goes to ERROR.",
            metadata=MetadataTrigger("widget_error", "any value", no_parameters),
        ),
    ),
)

DELETE = Event(
    service="widgets",
    name="widget.delete",
    description="A widget is deleted.",
    criteria=("widget_id",),
    conditions=(Condition("fail", "The delete fails.", (Parameter("code", "HTTP status.", int, 500),)),),
)


def engine() -> FailureEngine:
    failures = FailureEngine()
    failures.declare(CREATE)
    failures.declare(DELETE)
    return failures


def names(failures: FailureEngine, event: Event = CREATE, **attributes: object) -> str | None:
    firing = failures.consult(event.id, attributes)
    return None if firing is None else firing.name


class LookupTests(SynchronousTestCase):
    def test_event_found_by_name_or_old_alias(self) -> None:
        failures = engine()
        self.assertIs(failures.event("widgets", "widget.create"), CREATE)
        self.assertIs(failures.event("widgets", "creation"), CREATE)

    def test_unknown_event_names_the_known_ones(self) -> None:
        e = self.assertRaises(BadRegistration, engine().event, "widgets", "nope")
        self.assertIn("'nope'", str(e))
        self.assertIn("widget.create", str(e))

    def test_unknown_service_names_the_known_ones(self) -> None:
        e = self.assertRaises(BadRegistration, engine().event, "gadgets", "x")
        self.assertIn("'gadgets'", str(e))
        self.assertIn("widgets", str(e))


class MetadataTriggerTests(SynchronousTestCase):
    def test_no_metadata_and_no_registration_means_behave_normally(self) -> None:
        self.assertIsNone(engine().consult(CREATE.id, {"widget_name": "w"}, {}))

    def test_trigger_fires_with_parsed_parameters_and_defaults(self) -> None:
        firing = engine().consult(CREATE.id, {}, {"widget_fail": '{"code": 503}'})
        assert firing is not None
        self.assertEqual((firing.name, firing["code"], firing["message"]), ("fail", 503, "boom"))
        self.assertEqual(firing.source, "metadata")

    def test_numeric_value_given_as_string(self) -> None:
        firing = engine().consult(CREATE.id, {}, {"widget_building": "30"})
        assert firing is not None
        self.assertEqual(firing["seconds"], 30.0)

    def test_presence_only_trigger(self) -> None:
        firing = engine().consult(CREATE.id, {}, {"widget_error": ""})
        assert firing is not None
        self.assertEqual(firing.name, "error")

    def test_malformed_trigger_value_is_a_bad_registration(self) -> None:
        failures = engine()
        self.assertRaises(BadRegistration, failures.consult, CREATE.id, {}, {"widget_fail": "{nope"})
        self.assertRaises(BadRegistration, failures.consult, CREATE.id, {}, {"widget_building": "soon"})
        self.assertRaises(BadRegistration, failures.consult, CREATE.id, {}, {"widget_building": "-1"})
        self.assertRaises(BadRegistration, failures.consult, CREATE.id, {}, {"widget_fail": '{"code": 200}'})

    def test_trigger_wins_over_registration(self) -> None:
        failures = engine()
        failures.register(CREATE, "error")
        firing = failures.consult(CREATE.id, {}, {"widget_building": "5"})
        assert firing is not None
        self.assertEqual(firing.name, "build")


class RegistrationTests(SynchronousTestCase):
    def test_registration_without_criteria_applies_until_removed(self) -> None:
        failures = engine()
        registration = failures.register(CREATE, "fail", {"code": 503})
        for _ in range(3):
            firing = failures.consult(CREATE.id, {"widget_name": "w"})
            assert firing is not None
            self.assertEqual((firing["code"], firing.source), (503, registration.id))
        self.assertTrue(failures.remove(registration.id))
        self.assertIsNone(failures.consult(CREATE.id, {"widget_name": "w"}))
        self.assertFalse(failures.remove(registration.id))

    def test_registration_applies_only_to_its_event(self) -> None:
        failures = engine()
        failures.register(DELETE, "fail")
        self.assertIsNone(names(failures, CREATE))
        self.assertEqual(names(failures, DELETE), "fail")

    def test_criteria_match_at_the_start_like_the_old_mimic(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria=[{"widget_name": "test"}])
        self.assertEqual(names(failures, widget_name="test-1"), "error")
        self.assertIsNone(names(failures, widget_name="my-test"))

    def test_anchored_criteria_match_whole_value(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria=[{"tenant_id": "123$"}])
        self.assertEqual(names(failures, tenant_id="123"), "error")
        self.assertIsNone(names(failures, tenant_id="1234"))

    def test_every_criterion_must_match(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria=[{"widget_name": "a"}, {"tenant_id": "1"}])
        self.assertIsNone(names(failures, widget_name="a", tenant_id="2"))
        self.assertIsNone(names(failures, widget_name="a"))
        self.assertEqual(names(failures, widget_name="a", tenant_id="1"), "error")

    def test_criteria_given_as_one_object(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria={"widget_name": "a", "tenant_id": "1"})
        self.assertIsNone(names(failures, widget_name="a", tenant_id="2"))
        self.assertEqual(names(failures, widget_name="a", tenant_id="1"), "error")

    def test_metadata_criterion_key_value_shape(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria=[{"metadata": {"key": "role", "value": "db"}}])
        self.assertEqual(names(failures, metadata={"role": "db-primary"}), "error")
        self.assertIsNone(names(failures, metadata={"role": "web"}))
        self.assertIsNone(names(failures))

    def test_metadata_criterion_old_mimic_shape(self) -> None:
        failures = engine()
        failures.register(
            CREATE, "error", criteria=[{"metadata": {"should_have": "fail", "should_not_have": None}}]
        )
        self.assertEqual(names(failures, metadata={"should_have": "fail"}), "error")
        self.assertIsNone(names(failures, metadata={"should_have": "fail", "should_not_have": "x"}))
        self.assertIsNone(names(failures, metadata={"other": "fail"}))

    def test_request_metadata_is_matched_by_criteria(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria=[{"metadata": {"key": "k", "value": "v"}}])
        firing = failures.consult(CREATE.id, {}, {"k": "v"})
        assert firing is not None
        self.assertEqual(firing.name, "error")

    def test_registrations_are_tried_in_order(self) -> None:
        failures = engine()
        failures.register(CREATE, "error", criteria=[{"widget_name": "special"}])
        failures.register(CREATE, "fail")
        failures.register(CREATE, "error")
        self.assertEqual(names(failures, widget_name="special"), "error")
        self.assertEqual(names(failures, widget_name="other"), "fail")

    def test_times_limits_uses_then_behaves_normally(self) -> None:
        failures = engine()
        registration = failures.register(CREATE, "fail", times=2)
        self.assertEqual([names(failures) for _ in range(3)], ["fail", "fail", None])
        self.assertIsNone(failures.registration(registration.id))

    def test_non_matching_occurrences_do_not_use_up_a_limit(self) -> None:
        failures = engine()
        failures.register(CREATE, "fail", criteria=[{"widget_name": "a"}], times=1)
        self.assertIsNone(names(failures, widget_name="b"))
        self.assertEqual(names(failures, widget_name="a"), "fail")
        self.assertIsNone(names(failures, widget_name="a"))

    def test_sequence_steps_in_turn_and_starts_again(self) -> None:
        """
        As in the old mimic, a sequence cycles: [fail, default] alternates.
        """
        failures = engine()
        failures.register(
            CREATE, "sequence", {"behaviors": [{"name": "fail"}, {"name": "default"}, {"name": "error"}]}
        )
        self.assertEqual([names(failures) for _ in range(4)], ["fail", None, "error", "fail"])

    def test_sequence_with_times_fails_twice_then_succeeds(self) -> None:
        failures = engine()
        failures.register(
            CREATE,
            "sequence",
            {"behaviors": [{"name": "fail", "parameters": {"code": 503}}, {"name": "fail"}]},
            times=2,
        )
        firings = [failures.consult(CREATE.id, {}) for _ in range(3)]
        self.assertEqual([f and (f.name, f["code"]) for f in firings], [("fail", 503), ("fail", 500), None])

    def test_describes_itself(self) -> None:
        failures = engine()
        registration = failures.register(
            CREATE, "sequence", {"behaviors": [{"name": "fail"}]}, [{"widget_name": "a"}], times=3
        )
        failures.consult(CREATE.id, {"widget_name": "a"})
        described = registration.to_json()
        self.assertEqual(described["name"], "sequence")
        self.assertEqual(described["criteria"], [{"widget_name": "a"}])
        self.assertEqual((described["times"], described["fired"]), (2, 1))
        self.assertEqual(
            described["parameters"],
            {"behaviors": [{"name": "fail", "parameters": {"code": 500, "message": "boom"}}]},
        )

    def test_ids_are_never_reused_after_clear(self) -> None:
        failures = engine()
        first = failures.register(CREATE, "fail")
        failures.clear()
        second = failures.register(CREATE, "fail")
        self.assertNotEqual(first.id, second.id)
        self.assertEqual(failures.registrations(), [second])

    def test_a_refused_registration_uses_no_id(self) -> None:
        failures = engine()
        first = failures.register(CREATE, "fail")
        self.assertRaises(
            BadRegistration, failures.register, CREATE, "fail", criteria=[{"widget_name": "("}]
        )
        second = failures.register(CREATE, "fail")
        self.assertEqual(int(second.id), int(first.id) + 1)


class BadRegistrationTests(SynchronousTestCase):
    """
    Every refusal names the problem, and nothing is registered.
    """

    def assertRefused(self, fragment: str, *args: object, **kwargs: object) -> None:
        failures = engine()
        e = self.assertRaises(BadRegistration, failures.register, CREATE, *args, **kwargs)
        self.assertIn(fragment, str(e))
        self.assertEqual(failures.registrations(), [])

    def test_unknown_condition(self) -> None:
        self.assertRefused("'explode'", "explode")

    def test_unknown_parameter(self) -> None:
        self.assertRefused("'colour'", "fail", {"colour": "red"})

    def test_missing_required_parameter(self) -> None:
        self.assertRefused("'seconds'", "build", {})

    def test_mistyped_parameter(self) -> None:
        self.assertRefused("'code'", "fail", {"code": "loud"})
        self.assertRefused("'code'", "fail", {"code": True})
        self.assertRefused("'seconds'", "build", {"seconds": float("nan")})

    def test_parameter_below_minimum(self) -> None:
        self.assertRefused("from 400 to", "fail", {"code": 200})

    def test_parameter_without_declared_bounds_is_bounded_all_the_same(self) -> None:
        self.assertRefused("from 400 to 1000000000", "fail", {"code": 10**20})
        self.assertRefused("from 0 to 1000000000", "build", {"seconds": 1e308})
        self.assertRefused("must be a finite number", "build", {"seconds": "1e999"})

    def test_number_with_thousands_of_digits_is_refused_briefly(self) -> None:
        e = self.assertRaises(BadRegistration, engine().register, CREATE, "fail", {"code": "9" * 5000})
        self.assertLess(len(str(e)), 200)

    def test_parameters_not_an_object(self) -> None:
        self.assertRefused("parameters", "fail", ["code", 500])
        self.assertRefused("parameters", "fail", "code=500")

    def test_bad_regular_expression(self) -> None:
        self.assertRefused("not a regular expression RE2 takes", "fail", criteria=[{"widget_name": "("}])

    def test_criterion_the_event_does_not_have(self) -> None:
        self.assertRefused("'username'", "fail", criteria=[{"username": "x"}])

    def test_malformed_criteria(self) -> None:
        self.assertRefused("criteria", "fail", criteria="widget_name")
        self.assertRefused("criterion", "fail", criteria=["widget_name"])
        self.assertRefused("metadata", "fail", criteria=[{"metadata": "k"}])
        self.assertRefused("string", "fail", criteria=[{"widget_name": 5}])

    def test_bad_times(self) -> None:
        self.assertRefused("times", "fail", times=0)
        self.assertRefused("from 1 to 1000000", "fail", times=10**6 + 1)
        self.assertRefused("times", "fail", times=10**30)
        self.assertRefused("times", "fail", times="2")
        self.assertRefused("times", "fail", times=True)

    def test_bad_sequences(self) -> None:
        self.assertRefused("behaviors", "sequence", {})
        self.assertRefused("behaviors", "sequence", {"behaviors": []})
        self.assertRefused("step 0", "sequence", {"behaviors": ["fail"]})
        self.assertRefused("sequence", "sequence", {"behaviors": [{"name": "sequence"}]})
        self.assertRefused("'explode'", "sequence", {"behaviors": [{"name": "explode"}]})
        self.assertRefused("'seconds'", "sequence", {"behaviors": [{"name": "build"}]})

    def test_name_not_a_string(self) -> None:
        self.assertRefused("name", 5)


class CatalogueJSONTests(SynchronousTestCase):
    def test_event_describes_conditions_parameters_and_triggers(self) -> None:
        described = CREATE.to_json()
        self.assertEqual(described["id"], "widgets.widget.create")
        self.assertEqual(described["aliases"], ["creation"])
        fail = described["conditions"][0]
        self.assertEqual(fail["metadata_trigger"]["key"], "widget_fail")
        self.assertEqual(
            fail["parameters"][0],
            {
                "name": "code",
                "description": "HTTP status.",
                "type": "integer",
                "required": False,
                "default": 500,
                "minimum": 400,
                "maximum": 10**9,
            },
        )
        self.assertTrue(described["conditions"][1]["parameters"][0]["required"])


class Refused(Exception):
    """
    What the effect of ``OUTCOMES``' ``fail`` raises.
    """


def _refuse(parameters: object) -> None:
    raise Refused(parameters)


OUTCOMES = Event(
    service="widgets",
    name="widget.paint",
    description="A widget is painted.",
    criteria=("widget_name",),
    normal="painted at once",
    conditions=(
        Condition("fail", "Painting is refused.", effect=_refuse),
        Condition(
            "slow",
            "Paint dries for a while.",
            parameters=(Parameter("seconds", "How long.", float, 5.0),),
            metadata=MetadataTrigger("slow_paint", "seconds"),
            effect=lambda parameters: f"dry after {parameters['seconds']:g} s",
        ),
        Condition("silent", "Declared without an effect."),
    ),
)


class DecideTests(SynchronousTestCase):
    """
    ``decide`` answers with what the service applies: the effect of the
    condition that applies, or the event's normal outcome.
    """

    def setUp(self) -> None:
        self.engine = FailureEngine()
        self.engine.declare(OUTCOMES)

    def test_nothing_registered_gives_the_normal_outcome(self) -> None:
        self.assertEqual(self.engine.decide(OUTCOMES, {"widget_name": "w"}), "painted at once")

    def test_registered_condition_gives_its_effect_with_its_parameters(self) -> None:
        self.engine.register(OUTCOMES, "slow", {"seconds": 30})
        self.assertEqual(self.engine.decide(OUTCOMES, {"widget_name": "w"}), "dry after 30 s")

    def test_metadata_trigger_gives_its_effect(self) -> None:
        outcome = self.engine.decide(OUTCOMES, {}, metadata={"slow_paint": "12"})
        self.assertEqual(outcome, "dry after 12 s")

    def test_effect_may_refuse_by_raising(self) -> None:
        self.engine.register(OUTCOMES, "fail", times=1)
        self.assertRaises(Refused, self.engine.decide, OUTCOMES)
        self.assertEqual(self.engine.decide(OUTCOMES), "painted at once")

    def test_default_step_of_a_sequence_gives_the_normal_outcome(self) -> None:
        self.engine.register(
            OUTCOMES, "sequence", {"behaviors": [{"name": "default"}, {"name": "slow"}]}
        )
        self.assertEqual(
            [self.engine.decide(OUTCOMES) for _ in range(3)],
            ["painted at once", "dry after 5 s", "painted at once"],
        )

    def test_criteria_that_do_not_match_give_the_normal_outcome(self) -> None:
        self.engine.register(OUTCOMES, "slow", criteria=[{"widget_name": "^doomed"}])
        self.assertEqual(self.engine.decide(OUTCOMES, {"widget_name": "fine"}), "painted at once")
        self.assertEqual(self.engine.decide(OUTCOMES, {"widget_name": "doomed-1"}), "dry after 5 s")

    def test_malformed_metadata_trigger_is_a_bad_registration(self) -> None:
        self.assertRaises(
            BadRegistration, self.engine.decide, OUTCOMES, {}, {"slow_paint": "soon"}
        )

    def test_condition_without_an_effect_says_so(self) -> None:
        self.engine.register(OUTCOMES, "silent")
        error = self.assertRaises(TypeError, self.engine.decide, OUTCOMES)
        self.assertIn("'silent'", str(error))
        self.assertIn("declares no effect", str(error))


class DeclaredRangeTests(SynchronousTestCase):
    """
    Every number parameter has a range, declared with it; the kinds every
    service has come with theirs.
    """

    def test_status_is_an_http_error(self) -> None:
        status = Parameter.status()
        self.assertEqual((status.name, status.default, status.bounds), ("code", 500, (400, 599)))
        for good in (400, 503, 599, "429"):
            status.coerce(good)
        for bad in (399, 600, 999, 10**20, "600"):
            self.assertRaises(BadRegistration, status.coerce, bad)

    def test_count_is_at_least_one_and_at_most_a_million(self) -> None:
        times = Parameter.count("times", "How many.", None)
        self.assertEqual(times.bounds, (1, MAX_COUNT))
        self.assertEqual(times.coerce(MAX_COUNT), MAX_COUNT)
        self.assertRaises(BadRegistration, times.coerce, 0)
        self.assertRaises(BadRegistration, times.coerce, 10**30)

    def test_seconds_are_finite_and_at_most_a_year(self) -> None:
        seconds = Parameter.seconds("How long.")
        self.assertEqual(seconds.coerce(30), 30.0)
        self.assertEqual(seconds.coerce(MAX_SECONDS), float(MAX_SECONDS))
        for bad in (-1, MAX_SECONDS + 1, 1e308, "1e308", float("inf"), "nan"):
            self.assertRaises(BadRegistration, seconds.coerce, bad)

    def test_range_is_in_the_catalogue(self) -> None:
        described = Parameter.status().to_json()
        self.assertEqual((described["minimum"], described["maximum"]), (400, 599))
        self.assertNotIn("minimum", Parameter("message", "Text.", str, "").to_json())

    def test_a_default_outside_the_range_is_refused_when_declared(self) -> None:
        self.assertRaises(ValueError, Parameter.status, default=200)
        self.assertRaises(ValueError, Parameter, "n", "N.", int, 5, minimum=10)
        self.assertRaises(ValueError, Parameter, "n", "N.", int, minimum=10, maximum=1)

    def test_metadata_trigger_is_checked_against_the_range(self) -> None:
        failures = FailureEngine()
        failures.declare(STATUS_AND_SECONDS)
        for metadata in ({"widget_fail": '{"code": 999}'}, {"widget_building": "1e308"}):
            self.assertRaises(
                BadRegistration, failures.consult, STATUS_AND_SECONDS.id, {}, metadata
            )


STATUS_AND_SECONDS = Event(
    service="widgets",
    name="widget.ranged",
    description="A widget with declared ranges is created.",
    conditions=(
        Condition(
            "fail",
            "Refused.",
            parameters=(Parameter.status(),),
            metadata=MetadataTrigger("widget_fail", "a JSON object", json_object_value),
        ),
        Condition(
            "build",
            "Builds.",
            parameters=(Parameter.seconds("How long."),),
            metadata=MetadataTrigger("widget_building", "seconds"),
        ),
    ),
)


class RegistrationLimitTests(SynchronousTestCase):
    def test_registrations_past_the_limit_are_refused(self) -> None:
        failures = engine()
        self.patch(failures_module, "MAX_REGISTRATIONS", 3)
        for _ in range(3):
            failures.register(CREATE, "fail")
        e = self.assertRaises(BadRegistration, failures.register, CREATE, "fail")
        self.assertIn("3 registrations are live", str(e))
        failures.remove(failures.registrations()[0].id)
        failures.register(CREATE, "fail")


class LinearCriteriaTests(SynchronousTestCase):
    def test_pathological_criterion_matches_at_once(self) -> None:
        """
        ``(a+)+$`` against a long ``aaaa...!`` name: minutes with Python's
        ``re``, microseconds with RE2; and it still matches at the start.
        """
        failures = engine()
        failures.register(CREATE, "fail", criteria=[{"widget_name": "(a+)+$"}])
        started = time.perf_counter()
        self.assertIsNone(names(failures, widget_name="a" * 10_000 + "!"))
        self.assertLess(time.perf_counter() - started, 1.0)
        self.assertEqual(names(failures, widget_name="aaa"), "fail")
        self.assertIsNone(names(failures, widget_name="!aaa"))

    def test_backreference_and_lookaround_are_refused_at_registration(self) -> None:
        failures = engine()
        for pattern in (r"(a)\1", "(?=a)", "(?<=a)b"):
            self.assertRaises(
                BadRegistration, failures.register, CREATE, "fail", criteria=[{"widget_name": pattern}]
            )
        self.assertRaises(
            BadRegistration,
            failures.register,
            CREATE,
            "fail",
            criteria=[{"metadata": {"key": "(?!x)", "value": ""}}],
        )
        self.assertEqual(failures.registrations(), [])
