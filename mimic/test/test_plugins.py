# -*- test-case-name: mimic.test.test_plugins -*-
"""
Plugin discovery: services are found in mimic.plugins, including drop-in
modules that another distribution installs there.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

from twisted.trial.unittest import SkipTest, SynchronousTestCase
from zope.interface.interface import InterfaceClass

import mimic
import mimic.interfaces
from mimic.core import discover_plugins
from mimic.interfaces import IAPIMock

#: tox tests the installed package from elsewhere and says where the
#: checkout is, so that the example plugin's source can still be found.
CHECKOUT = os.environ.get("MIMIC_CHECKOUT") or os.path.dirname(
    os.path.dirname(os.path.abspath(mimic.__file__))
)
EXAMPLE_SOURCE = os.path.join(CHECKOUT, "examples", "mimic-widgets", "src")
INTERFACES_PAGE = os.path.join(CHECKOUT, "docs", "api", "interfaces.rst")

DROP_IN = textwrap.dedent(
    """
    from mimic.test.dummy import CounterMock

    class ThirdPartyCounter(CounterMock):
        name = "third-party-counter"

    third_party_counter = ThirdPartyCounter()
    """
)

LIST_PLUGINS = "from mimic.core import discover_plugins; print(sorted(p.name for p in discover_plugins()))"


class DiscoveryTests(SynchronousTestCase):
    def test_discovered_plugins_provide_iapimock(self) -> None:
        for plugin in discover_plugins():
            self.assertTrue(IAPIMock.providedBy(plugin), plugin)

    def test_drop_in_module_from_another_distribution_adds_a_service(self) -> None:
        """
        A distribution that installs only ``mimic/plugins/<module>.py`` (no
        ``__init__.py``) somewhere on sys.path adds its service.
        """
        site = os.path.abspath(self.mktemp())
        os.makedirs(os.path.join(site, "mimic", "plugins"))
        with open(os.path.join(site, "mimic", "plugins", "third_party.py"), "w") as f:
            f.write(DROP_IN)
        ours = os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([ours, site]))
        output = subprocess.run(
            [sys.executable, "-c", LIST_PLUGINS], env=env, capture_output=True, text=True, check=True
        ).stdout
        self.assertIn("'third-party-counter'", output)
        without = subprocess.run(
            [sys.executable, "-c", LIST_PLUGINS],
            env=dict(os.environ, PYTHONPATH=ours),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertNotIn("third-party-counter", without)

    def test_source_laid_out_as_installed_is_found_through_a_pth_file(self) -> None:
        """
        The example plugin's ``src`` directory holds ``mimic/plugins/`` as
        its wheel installs it, so an editable install, for which setuptools
        adds ``src`` to ``sys.path`` with a ``.pth`` file, adds its service.
        (tox's ``example`` environment makes a real editable install.)
        """
        if not os.path.isdir(EXAMPLE_SOURCE):
            raise SkipTest("the example plugin's source is in a checkout, not in the package")
        site = os.path.abspath(self.mktemp())
        os.makedirs(site)
        with open(os.path.join(site, "__editable__.mimic_widgets.pth"), "w") as f:
            f.write(EXAMPLE_SOURCE + "\n")
        ours = os.path.dirname(os.path.dirname(os.path.abspath(mimic.__file__)))
        output = subprocess.run(
            [sys.executable, "-c", f"import site; site.addsitedir({site!r}); {LIST_PLUGINS}"],
            env=dict(os.environ, PYTHONPATH=ours),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertIn("'widgets'", output)


class ReferenceTests(SynchronousTestCase):
    def test_every_interface_is_in_the_api_reference(self) -> None:
        """
        The API reference names each interface (Sphinx's autodoc cannot
        list a module's zope.interface interfaces by itself), so a new
        one must be added there.
        """
        if not os.path.exists(INTERFACES_PAGE):
            raise SkipTest("the docs are in a checkout, not in the package")
        with open(INTERFACES_PAGE, encoding="utf-8") as f:
            documented = set(re.findall(r"autointerface:: mimic\.interfaces\.(\w+)", f.read()))
        declared = {
            name
            for name, value in vars(mimic.interfaces).items()
            if isinstance(value, InterfaceClass) and value.__module__ == "mimic.interfaces"
        }
        self.assertEqual(documented, declared)
