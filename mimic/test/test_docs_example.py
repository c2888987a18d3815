# -*- test-case-name: mimic.test.test_docs_example -*-
"""
The example suite in the docs (``docs/examples/test_negative_paths.py``)
runs with pytest, as a reader would run it, and passes: a world set up
once, three negative paths each from its snapshot, and the fault-coverage
report at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from twisted.trial.unittest import SkipTest, SynchronousTestCase

import mimic

#: tox tests the installed package from elsewhere and says where the
#: checkout is.
CHECKOUT = os.environ.get("MIMIC_CHECKOUT") or os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
EXAMPLE = os.path.join(CHECKOUT, "docs", "examples", "test_negative_paths.py")


class NegativePathsExampleTests(SynchronousTestCase):
    def test_example_suite_passes_and_reports_coverage(self) -> None:
        if not os.path.exists(EXAMPLE):
            raise SkipTest(f"no checkout with the docs here ({EXAMPLE})")
        directory = os.path.abspath(self.mktemp())
        os.makedirs(directory)
        shutil.copy(EXAMPLE, directory)
        report = os.path.join(directory, "coverage.json")
        env = {k: v for k, v in os.environ.items() if k != "MIMIC_URL" and not k.startswith("OS_")}
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
        env["PYTHONPATH"] = os.pathsep.join(p for p in [package_parent, env.get("PYTHONPATH", "")] if p)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "mimic.pytest_plugin",
             f"--mimic-coverage={report}", "test_negative_paths.py"],
            capture_output=True, text=True, cwd=directory, env=env, timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("4 passed", result.stdout)
        self.assertIn("Mimic fault coverage", result.stdout)
        with open(report) as f:
            fired = {
                (r["service"], r["event"], r["condition"]): r["fired"] for r in json.load(f)["coverage"]
            }
        self.assertEqual(fired[("compute", "server.create", "fail")], 1)
        self.assertEqual(fired[("compute", "server.create", "error")], 1)
        self.assertEqual(fired[("compute", "server.delete", "fail")], 2)
