# -*- test-case-name: mimic.test.test_lazy_routes -*-
"""
Start-up without compiling a thousand URL builders nobody calls.

Every Klein route is a werkzeug ``Rule``, and werkzeug compiles, for each
rule as it is added, two Python functions that build a URL from the
rule (``MapAdapter.build``, Klein's ``url_for``).  Mimic declares about
1,300 routes and never builds a URL from one, yet compiling those
builders took about a sixth of ``twistd mimic``'s start-up.
:func:`install` makes werkzeug compile a rule's builder the first time
it is called instead: routing is untouched, and a program that does
build URLs gets the same functions, a call later.

Only werkzeug's private ``Rule._compile_builder`` is replaced, and only
when it is there as expected; a werkzeug without it starts as before.
"""

from __future__ import annotations

from typing import Any, Callable

_INSTALLED = "_mimic_lazy_builder"


def install() -> bool:
    """
    Make werkzeug's rules compile their URL builders on first use (once
    per process); whether it could.
    """
    try:
        from werkzeug.routing.rules import Rule
    except ImportError:  # pragma: no cover - Klein depends on werkzeug
        return False
    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None or not callable(compile_builder):  # pragma: no cover - another werkzeug
        return False
    if getattr(compile_builder, _INSTALLED, False):
        return True

    def lazy_builder(rule: Any, append_unknown: bool = True) -> Callable[..., Any]:
        compiled: list[Callable[..., Any]] = []

        def build(bound_rule: Any, *args: Any, **kwargs: Any) -> Any:
            if not compiled:
                compiled.append(compile_builder(rule, append_unknown).__get__(rule, None))
            return compiled[0](*args, **kwargs)

        return build

    setattr(lazy_builder, _INSTALLED, True)
    Rule._compile_builder = lazy_builder  # type: ignore[method-assign, assignment]
    return True
