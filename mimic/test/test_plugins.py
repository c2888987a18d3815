# -*- test-case-name: mimic.test.test_plugins -*-
"""
Plugin discovery: services are found in mimic.plugins, including drop-in
modules that another distribution installs there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from twisted.trial.unittest import SynchronousTestCase

from mimic.core import discover_plugins
from mimic.interfaces import IAPIMock

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
        import mimic

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
