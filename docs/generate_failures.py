"""
Write docs/operations/failures.rst, the "Known error conditions" page,
from the failure declarations of every service Mimic loads, so that the
page always says what ``GET /mimic/v1.1/failures`` says.

Run from anywhere: ``python docs/generate_failures.py``.  The checkout this
script lives in is put first on the path, so its own declarations are the
ones documented.  ``--check`` only reports whether the page is current.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(HERE, "operations", "failures.rst")


def main(argv: list[str]) -> int:
    sys.path.insert(0, os.path.dirname(HERE))
    from mimic.control.known_conditions import catalogue_rst
    from mimic.root import declared_events

    text = catalogue_rst(declared_events())
    current = None
    if os.path.exists(PAGE):
        with open(PAGE, encoding="utf-8") as f:
            current = f.read()
    if "--check" in argv:
        if current != text:
            print(f"{PAGE} is out of date: run python docs/generate_failures.py")
            return 1
        return 0
    if current != text:
        os.makedirs(os.path.dirname(PAGE), exist_ok=True)
        with open(PAGE, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
