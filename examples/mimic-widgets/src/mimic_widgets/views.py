# -*- test-case-name: mimic_widgets.test.test_widgets -*-
"""
Widgets in the wire format.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from mimic_widgets.model import Widget


def widget_url(root_url: str, widget: Widget) -> str:
    """
    ``root_url`` is the service's URL for this tenant and region, from the
    host the client used (``core.service_url``), so links lead back to the
    same Mimic.
    """
    return f"{root_url}/v1/widgets/{widget.id}"


def widget_json(widget: Widget, now: float, root_url: str) -> dict[str, Any]:
    return {
        "id": widget.id,
        "name": widget.name,
        "status": widget.status(now).value,
        "metadata": dict(widget.metadata),
        "created": datetime.fromtimestamp(widget.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": [{"rel": "self", "href": widget_url(root_url, widget)}],
    }
