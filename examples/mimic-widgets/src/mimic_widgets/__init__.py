"""
An example Mimic plugin: a small "widget" service, for plugin authors to
copy.

A widget has a name and metadata; it is created ``BUILDING`` or
``ACTIVE`` and becomes ``ACTIVE`` on Mimic's clock.  The package has the
file set of Mimic's own services, in miniature:

``plugin.py``
    the ``IAPIMock``: catalog entry, errors' shape, the resource for one
    (tenant, region);
``routes.py``
    the Klein routes: parse, ask the failure engine, call the model, answer;
``validation.py``
    request bodies to values, or a 400;
``model.py``
    the state and its rules, with no HTTP;
``views.py``
    the model in the wire format;
``errors.py``
    the service's error shape;
``failures.py``
    its known error conditions, each with what it does.

``mimic/plugins/mimic_widgets.py`` (beside this package in ``src/``) is
the drop-in that makes Mimic load it.
"""

#: The service's name: in its URLs (``/service/widgets/...``), in the
#: control API (``/mimic/v1.1/widgets/behaviors/...``) and in its events' ids.
SERVICE_NAME = "widgets"
