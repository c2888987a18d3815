"""
Tests for :mod:`mimic.patterns`: clients' regular expressions compiled
for matching in linear time, and refused with a message when they cannot
be.
"""

from __future__ import annotations

import time

from twisted.trial.unittest import SynchronousTestCase

from mimic.patterns import MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, BadPattern, compile_pattern


class CompilePatternTests(SynchronousTestCase):
    def assertRefused(self, pattern: object, *fragments: str) -> None:
        with self.assertRaises(BadPattern) as caught:
            compile_pattern(pattern, "criterion 'name'")
        message = str(caught.exception)
        self.assertIn("criterion 'name'", message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_search_and_match_as_python_re(self) -> None:
        pattern = compile_pattern("web-[0-9]+")
        self.assertIsNotNone(pattern.search("my-web-12"))
        self.assertIsNone(pattern.match("my-web-12"))
        self.assertIsNotNone(pattern.match("web-1"))

    def test_case_sensitive_unless_asked(self) -> None:
        self.assertIsNone(compile_pattern("web").search("WEB"))
        self.assertIsNotNone(compile_pattern("(?i)web").search("WEB"))

    def test_text_beyond_ascii(self) -> None:
        self.assertIsNotNone(compile_pattern("^caf.$").search("café"))

    def test_nested_quantifiers_cost_linear_time(self) -> None:
        """
        Python's ``re`` takes minutes for this; RE2 a fraction of a
        millisecond.
        """
        pattern = compile_pattern("(a+)+$")
        started = time.perf_counter()
        self.assertIsNone(pattern.search("a" * 100_000 + "!"))
        self.assertLess(time.perf_counter() - started, 1.0)

    def test_backreference_is_refused(self) -> None:
        self.assertRefused(r"(a)\1", "backreferences")

    def test_lookaround_is_refused(self) -> None:
        self.assertRefused("(?=a)", "lookaround")
        self.assertRefused("(?<!a)b", "lookaround")

    def test_unbalanced_pattern_is_refused(self) -> None:
        self.assertRefused("[a-", "missing ]")

    def test_not_a_string_is_refused(self) -> None:
        self.assertRefused({"x": []}, "must be a string")
        self.assertRefused(5, "must be a string")

    def test_overlong_pattern_is_refused(self) -> None:
        compile_pattern("a" * MAX_PATTERN_LENGTH)
        self.assertRefused("a" * (MAX_PATTERN_LENGTH + 1), f"at most {MAX_PATTERN_LENGTH}")

    def test_pattern_compiling_to_a_huge_program_is_refused(self) -> None:
        """
        Counted repetitions multiply: 20 characters, 2,000 instructions.
        """
        self.assertRefused("((a|b){0,50}){0,10}c", "too complex", f"at most {MAX_PROGRAM_SIZE}")

    def test_repetition_past_re2s_limit_is_refused(self) -> None:
        self.assertRefused("a{2000}", "repetition")
