# -*- test-case-name: mimic_widgets.test.test_widgets -*-
"""
The widget service's error shape: ``{"widgetFault": {"code", "message"}}``.

Every error a client sees from this service has it, whoever answers: the
routes (through :func:`mimic.http.handle_errors`), the failure conditions,
and Mimic's core when it turns a request away before the service sees it
(``WidgetsPlugin.error_body``: no token, another tenant's token).
"""

from __future__ import annotations

from typing import Any

from mimic.http import HTTPError
from mimic_widgets.model import NoSuchWidget


def widget_error_body(status: int, message: str) -> dict[str, Any]:
    return {"widgetFault": {"code": status, "message": message}}


def widget_error(status: int, message: str) -> HTTPError:
    """
    An error response in this service's shape, ready to raise.
    """
    return HTTPError(status, widget_error_body(status, message))


def no_such_widget(error: NoSuchWidget) -> HTTPError:
    """
    The model's "no such widget" as the client sees it.
    """
    return widget_error(404, f"No widget with id {error.widget_id!r}.")
