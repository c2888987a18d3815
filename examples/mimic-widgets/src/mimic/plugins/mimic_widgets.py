"""
The drop-in Mimic discovers: one object providing ``IAPIMock``.

This file installs into Mimic's ``mimic/plugins/`` package, so it is named
after this distribution (not merely ``widgets.py``) to stay clear of
Mimic's own modules and other plugins'.  Everything else lives in the
``mimic_widgets`` package.
"""

from mimic_widgets.plugin import WidgetsPlugin

widgets = WidgetsPlugin()
