# -*- test-case-name: mimic.test.test_patterns -*-
"""
Regular expressions a client supplies (a server listing's ``name`` and
``ip`` filters, a registration's criteria), compiled so that matching
costs time linear in the text matched, whatever the pattern.

Mimic serves one request at a time, so a pattern that makes a
backtracking engine (Python's :mod:`re`) take exponential time, such as
``(a+)+$`` against ``aaaa...!``, would stall every other client.  RE2
never backtracks: it runs a DFA, or an NFA simulation when the DFA's
memory runs out, so a match costs the text's length times at most the
pattern's compiled size.  That size is bounded here (the pattern's
length, RE2's memory budget and the number of instructions it compiles
to), so that a huge pattern cannot cost much either.

What RE2 does not offer, because no linear-time engine can (backreferences
such as ``\\1``, lookaround such as ``(?=...)``), is refused with
:class:`BadPattern`, whose message the service answers 400 with.
"""

from __future__ import annotations

from typing import Any, Protocol

# google-re2 ships no type information; this module types what it uses.
import re2  # type: ignore[import-untyped]

#: The longest pattern taken, in characters: room for an alternation of
#: dozens of names, far past any filter a real client sends.
MAX_PATTERN_LENGTH = 1024

#: RE2's memory budget per pattern (its own default, made explicit): the
#: compiled program and the DFA's state cache.  A smaller budget makes
#: matching slower, not cheaper: the DFA gives up sooner and RE2 falls
#: back to its NFA, whose cost grows with the program's size.
MAX_MEMORY = 8 << 20

#: The most instructions a pattern may compile to (a literal of the
#: longest length takes about as many).  Matching costs at most about this
#: many steps per character when RE2 falls back to its NFA, so this bounds
#: the constant in "linear": measured, the worst patterns under it cost
#: under 10 microseconds a character, where patterns of twice the size
#: cost 150.  Counted repetitions compile to far more than their length
#: suggests: ``((a|b){0,50}){0,10}c`` is 20 characters, 2,035 instructions.
MAX_PROGRAM_SIZE = 2000


class BadPattern(ValueError):
    """
    A client's pattern cannot be used: not a string, too long, not a
    regular expression RE2 takes, or too complex.  The message says which,
    for the client.
    """


class Pattern(Protocol):
    """
    A compiled client pattern.  Both methods take text and answer a match
    object or None, as :class:`re.Pattern`'s do.
    """

    def search(self, text: str) -> Any:
        """
        A match anywhere in ``text``.
        """

    def match(self, text: str) -> Any:
        """
        A match at the start of ``text``.
        """


def _options() -> Any:
    options = re2.Options()
    options.max_mem = MAX_MEMORY
    # RE2 would print every refused pattern on standard error.
    options.log_errors = False
    return options


_OPTIONS = _options()


def compile_pattern(pattern: Any, what: str = "pattern") -> Pattern:
    """
    Compile a client's regular expression with RE2, case-sensitively and
    with Python's syntax for what both engines take, or raise
    :class:`BadPattern` naming ``what`` and the problem.
    """
    if not isinstance(pattern, str):
        raise BadPattern(f"{what} must be a string regular expression, got {pattern!r}")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise BadPattern(
            f"{what} is {len(pattern)} characters long; "
            f"at most {MAX_PATTERN_LENGTH} are taken"
        )
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except re2.error as e:
        reason = e.args[0] if e.args else e
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise BadPattern(
            f"{what} {pattern!r} is not a regular expression RE2 takes ({reason}); "
            "Mimic matches patterns in linear time, so backreferences and lookaround "
            "are not available"
        )
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise BadPattern(
            f"{what} {pattern!r} is too complex: it compiles to {compiled.programsize} "
            f"instructions, and at most {MAX_PROGRAM_SIZE} are taken"
        )
    return compiled
