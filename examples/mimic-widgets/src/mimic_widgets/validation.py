# -*- test-case-name: mimic_widgets.test.test_widgets -*-
"""
Request bodies to values, or the service's 400.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from mimic.http import require_object, require_string
from mimic_widgets.errors import widget_error


@frozen
class NewWidget:
    name: str
    metadata: dict[str, str]


def new_widget(body: Any) -> NewWidget:
    """
    ``{"widget": {"name": "w1", "metadata": {"k": "v"}}}``; metadata is
    optional.
    """
    body = require_object(body, "body", widget_error)
    widget = require_object(body.get("widget"), "widget", widget_error)
    name = require_string(widget, "name", widget_error, "widget")
    metadata = require_object(widget.get("metadata", {}), "widget.metadata", widget_error)
    if not all(isinstance(value, str) for value in metadata.values()):
        raise widget_error(400, "Invalid input: 'widget.metadata' values must be strings.")
    return NewWidget(name, metadata)
