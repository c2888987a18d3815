# -*- test-case-name: mimic_widgets.test.test_persistence -*-
"""
Saving and restoring one tenant's widgets in one region, so that Mimic's
snapshots (``POST /mimic/v1.1/snapshots``) and ``--state-file`` keep
them too.  The plugin declares ``IPersistentState`` and delegates here.

The saved form is plain JSON, and a restore must not change it: one
snapshot is restored many times.  Anything that does not fit raises
``ValueError``, which Mimic reports as the reason the restore was
refused (and then nothing has changed).
"""

from __future__ import annotations

from typing import Any

from mimic_widgets.model import Widget, WidgetStore

#: The version of the saved form: bump it when an older saved form can
#: no longer be restored.
STATE_FORMAT = 1


def save_store(store: WidgetStore) -> dict[str, Any]:
    return {
        "widgets": [
            {
                "id": w.id,
                "name": w.name,
                "metadata": dict(w.metadata),
                "created": w.created,
                "ready": w.ready,
            }
            for w in store.listing()
        ]
    }


def restore_store(saved: Any) -> WidgetStore:
    if not isinstance(saved, dict) or not isinstance(saved.get("widgets"), list):
        raise ValueError("saved widgets must be {\"widgets\": [...]}")
    widgets = {}
    for item in saved["widgets"]:
        try:
            widget = Widget(
                str(item["id"]),
                str(item["name"]),
                dict(item["metadata"]),
                float(item["created"]),
                float(item["ready"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"a saved widget does not fit: {error!r}") from None
        widgets[widget.id] = widget
    return WidgetStore(widgets)
