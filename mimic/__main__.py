# -*- test-case-name: mimic.test.test_command_integration -*-
"""
``python -m mimic ...`` is the ``mimic`` command (:mod:`mimic.command`),
for environments where the console script is not on ``PATH``.
"""

from mimic.command import main

if __name__ == "__main__":
    raise SystemExit(main())
