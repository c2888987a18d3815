"""
Drop-in package for Mimic's service plugins.

Each module here holds one short declaration: an object providing
:class:`mimic.interfaces.IAPIMock`, found by :func:`twisted.plugin.getPlugins`.
Another distribution can add a service by installing a module into this
package (``mimic/plugins/my_service.py`` in its own wheel); the path
extension below makes every ``mimic/plugins`` directory on ``sys.path``
part of this package, as ``twisted.plugins`` does.
"""

from twisted.plugin import pluginPackagePaths

__path__.extend(pluginPackagePaths(__name__))  # type: ignore[name-defined]
__all__: list[str] = []
