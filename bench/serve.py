"""
Start this Mimic's ``twistd mimic`` for the benchmark.

``bench/run.py`` runs it instead of plain twistd so that it can:

- ``--profile FILE``: run the server under cProfile and write the stats
  when the reactor shuts down (twistd ends by re-raising the signal that
  stopped it, so nothing placed after ``run()`` would run);
- ``--unlimited-quotas``: start with unlimited compute quotas.  The
  benchmark needs 1,000 and 10,000 servers in one tenant; Rackspace's
  default quota (100 servers, 128 GB of RAM) forbids that, as it should.
  The benchmark first asks through Nova's ``os-quota-sets`` API; this is
  the fallback for as long as Mimic does not offer it.  Only the limit
  changes: the quota check itself still runs on every create.

Everything after the options is passed to twistd.
"""

from __future__ import annotations

import sys


def unlimited_quotas() -> None:
    try:
        from mimic.services.compute import limits
    except ImportError:
        return
    quotas = getattr(limits, "DEFAULT_QUOTAS", None)
    if quotas is None:
        return
    for name in ("instances", "cores", "ram"):
        if hasattr(quotas, name):
            # The quotas are a frozen attrs instance also bound as default
            # arguments, so it is changed in place.
            object.__setattr__(quotas, name, getattr(limits, "UNLIMITED", -1))


def main(argv: list[str]) -> None:
    profile_to = None
    while argv and argv[0].startswith("--") and argv[0] in ("--profile", "--unlimited-quotas"):
        option = argv.pop(0)
        if option == "--profile":
            profile_to = argv.pop(0)
        else:
            unlimited_quotas()
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
