# -*- test-case-name: mimic_widgets.test.test_failures -*-
"""
The widget service's known error conditions, each declared once with what
it does.

One declaration has three faces: a client fires a condition from a new
widget's metadata (``"widget_building": "30"``), a test suite registers it
through Mimic's control API (``POST /mimic/v1.1/widgets/behaviors/create``),
and ``GET /mimic/v1.1/failures`` lists it.  Whichever face fires it, the
route asks one question, ``core.failures.decide(CREATE, ...)``, and gets
back the condition's ``effect``: here, the seconds the new widget spends
building (the event's ``normal`` outcome is 0), or the error the service
answers with, raised.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from mimic.failures import Condition, Event, MetadataTrigger, Parameter, json_object_value
from mimic_widgets import SERVICE_NAME
from mimic_widgets.errors import widget_error


def refuse(parameters: Mapping[str, Any]) -> NoReturn:
    """
    ``fail``: answer with the error status and message asked for.
    """
    raise widget_error(parameters["code"], parameters["message"])


def build_for(parameters: Mapping[str, Any]) -> float:
    """
    ``building``: the seconds the new widget stays ``BUILDING``.
    """
    return parameters["seconds"]


CREATE = Event(
    service=SERVICE_NAME,
    name="create",
    description=(
        "A client creates a widget (POST /v1/widgets).  The service answers 202 "
        "with the widget, which is ACTIVE at once."
    ),
    # What a registration may match on; the route passes these values.
    criteria=("widget_name", "metadata", "tenant_id", "region"),
    normal=0.0,
    conditions=(
        Condition(
            "fail",
            "The service refuses the request with an error status (e.g. 503 while "
            "it is overloaded); no widget is made.",
            parameters=(
                Parameter.status(),
                Parameter(
                    "message", "The message in the error body.", str, "The widget could not be made."
                ),
            ),
            metadata=MetadataTrigger(
                "widget_create_failure",
                'a JSON object of the parameters, e.g. {"code": 503}',
                json_object_value,
            ),
            effect=refuse,
        ),
        Condition(
            "building",
            "The widget is made but stays BUILDING for a while before it is ACTIVE.",
            parameters=(Parameter.seconds("How long it stays BUILDING."),),
            # The value is the seconds (MetadataTrigger's default parse).
            metadata=MetadataTrigger("widget_building", "the seconds it stays BUILDING"),
            effect=build_for,
        ),
    ),
)

EVENTS = (CREATE,)
