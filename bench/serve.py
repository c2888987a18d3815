"""
Start this Mimic's ``twistd mimic`` for the benchmark.

``bench/run.py`` runs it instead of plain twistd so that, with
``--profile FILE``, the server runs under cProfile and writes the stats
when the reactor shuts down (twistd ends by re-raising the signal that
stopped it, so nothing placed after ``run()`` would run).  Without
options it is plain twistd.  Compute quotas are raised by the benchmark
itself, through Nova's ``os-quota-sets`` API, as a user would.

Everything after the options is passed to twistd.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    profile_to = None
    if argv[:1] == ["--profile"]:
        profile_to = argv[1]
        argv = argv[2:]
    sys.argv = ["twistd"] + argv
    from twisted.scripts.twistd import run

    if profile_to is None:
        run()
        return

    import cProfile

    from twisted.internet import reactor

    profile = cProfile.Profile()

    def dump() -> None:
        profile.disable()
        profile.dump_stats(profile_to)

    reactor.addSystemEventTrigger("after", "shutdown", dump)
    profile.enable()
    run()


if __name__ == "__main__":
    main(sys.argv[1:])
