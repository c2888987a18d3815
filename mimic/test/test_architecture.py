# -*- test-case-name: mimic.test.test_architecture -*-
"""
The rules of the house, read from the source of the installed package:
which module may import which, no import cycles, conditions acted on only
where they are declared, and ``test-case-name`` headers that lead to
tests.  New services copy what they see, so these hold for every one.
"""

from __future__ import annotations

import ast
import os
import re
from typing import Iterator

from twisted.trial.unittest import SynchronousTestCase

import mimic

PACKAGE_DIR = os.path.dirname(os.path.abspath(mimic.__file__))

#: Modules of the thin core: they know no service and no control plane.
CORE = (
    "catalog", "core", "coverage", "failures", "http", "interfaces", "journal", "microversions", "patterns",
    "session", "timestamps",
)


def _modules() -> Iterator[tuple[str, str]]:
    """
    (dotted module name, path) of every module of the package, tests
    included.
    """
    for directory, _, files in os.walk(PACKAGE_DIR):
        for filename in sorted(files):
            if not filename.endswith(".py"):
                continue
            path = os.path.join(directory, filename)
            relative = os.path.relpath(path, os.path.dirname(PACKAGE_DIR))[: -len(".py")]
            parts = relative.split(os.sep)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _imports(name: str, path: str) -> set[str]:
    """
    The ``mimic`` modules one module imports, wherever in the module the
    import stands (an import inside a function still ties the two).
    """
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "mimic" or m.startswith("mimic.")}


class ArchitectureTests(SynchronousTestCase):
    def setUp(self) -> None:
        self.paths = dict(_modules())
        self.source = {name: name for name in self.paths if ".test" not in name}
        self.graph = {
            name: {m for m in _imports(name, self.paths[name]) if m in self.paths and m != name}
            for name in self.source
        }

    def test_core_knows_no_service_and_no_control_plane(self) -> None:
        wrong = sorted(
            (name, imported)
            for name in (f"mimic.{core}" for core in CORE)
            for imported in self.graph[name]
            if imported.startswith(("mimic.services", "mimic.control", "mimic.root"))
        )
        self.assertEqual(wrong, [])

    def test_a_service_imports_no_other_service_and_no_control_plane(self) -> None:
        """
        A service knows the core through :mod:`mimic.interfaces` (and the
        shared helpers), not :class:`mimic.core.MimicCore` itself.
        """
        wrong = []
        for name, imported_modules in sorted(self.graph.items()):
            if not name.startswith("mimic.services."):
                continue
            service = name.split(".")[2]
            for imported in sorted(imported_modules):
                other_service = imported.startswith("mimic.services.") and imported.split(".")[2] != service
                if other_service or imported.startswith(
                    ("mimic.control", "mimic.root", "mimic.plugins", "mimic.core")
                ):
                    wrong.append((name, imported))
        self.assertEqual(wrong, [])

    def test_no_import_cycles(self) -> None:
        cycles = []
        state: dict[str, str] = {}
        trail: list[str] = []

        def visit(name: str) -> None:
            state[name] = "open"
            trail.append(name)
            for imported in sorted(self.graph.get(name, ())):
                if imported not in self.graph:
                    continue
                if state.get(imported) == "open":
                    cycles.append(trail[trail.index(imported):] + [imported])
                elif imported not in state:
                    visit(imported)
            trail.pop()
            state[name] = "done"

        for name in sorted(self.graph):
            if name not in state:
                visit(name)
        self.assertEqual(cycles, [])

    def test_conditions_are_acted_on_only_where_declared(self) -> None:
        """
        A route asks the failure engine to decide and applies the outcome;
        only a service's ``failures.py`` says what a named condition does.
        """
        pattern = re.compile(r"\.name\s*==\s*['\"]|\bFiring\b|\.consult\(")
        wrong = []
        for name in sorted(self.source):
            if not name.startswith("mimic.services.") or name.endswith(".failures"):
                continue
            with open(self.paths[name], encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    if pattern.search(line):
                        wrong.append(f"{name}:{number}: {line.strip()}")
        self.assertEqual(wrong, [])

    def test_test_case_name_headers_lead_to_tests(self) -> None:
        header = re.compile(r"test-case-name:\s*([\w., ]+?)\s*-\*-")
        stale = []
        for name, path in sorted(self.paths.items()):
            with open(path, encoding="utf-8") as f:
                first = f.readline()
            found = header.search(first)
            if found is None:
                continue
            for named in (n.strip() for n in found.group(1).split(",")):
                if named not in self.paths:
                    stale.append((name, named))
        self.assertEqual(stale, [])

    def test_every_service_package_has_the_same_files(self) -> None:
        expected = {"plugin", "routes", "validation", "model", "views", "errors", "failures"}
        services_dir = os.path.join(PACKAGE_DIR, "services")
        missing = {}
        for service in sorted(os.listdir(services_dir)):
            if service == "identity" or not os.path.isfile(
                os.path.join(services_dir, service, "__init__.py")
            ):
                continue
            present = {f[:-3] for f in os.listdir(os.path.join(services_dir, service)) if f.endswith(".py")}
            if expected - present:
                missing[service] = sorted(expected - present)
        self.assertEqual(missing, {})
