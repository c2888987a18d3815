# -*- test-case-name: mimic.test.test_plugins -*-
"""
Drop-in package for Mimic's service plugins.

Each module here holds one short declaration: an object providing
:class:`mimic.interfaces.IAPIMock`, found by :func:`twisted.plugin.getPlugins`.
Another distribution adds a service by installing a module into this
package (``mimic/plugins/my_service.py`` in its own wheel, with no
``__init__.py``); the path extension below makes every ``mimic/plugins``
directory on ``sys.path`` part of this package, as ``twisted.plugins``
does.

That is also what lets an editable install (``pip install -e``) of such
a distribution be found: when its source is laid out as it installs
(``src/mimic/plugins/my_service.py``), setuptools puts ``src`` on
``sys.path``.  A layout that maps ``mimic.plugins`` to another directory
(``package_dir``) is served by an import hook instead, which can import a
named module but cannot list a directory's modules, so its drop-in is not
discovered: see ``docs/plugins.rst``.
"""

from twisted.plugin import pluginPackagePaths

__path__.extend(pluginPackagePaths(__name__))
__all__: list[str] = []
