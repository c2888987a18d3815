# -*- test-case-name: mimic.test.test_control -*-
"""
The control API, mounted at ``/mimic``.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.internet.task import Clock
from twisted.web.iweb import IRequest

from mimic.control.errors import control_error
from mimic.core import MimicCore, advance_clock
from mimic.http import HTTPError, json_response, read_json, render_error, require_object
from mimic.timestamps import iso_microseconds

REALTIME_TICK = (
    "Mimic was started with --realtime: its clock is the real one and "
    "cannot be advanced.  Restart it without --realtime to control time."
)


class ControlAPI:
    app = Klein()

    def __init__(self, core: MimicCore) -> None:
        self.core = core

    @app.handle_errors(HTTPError)
    def _render_error(self, request: IRequest, failure: Any) -> bytes:
        return render_error(request, failure)

    def _clock_json(self) -> dict[str, Any]:
        now = self.core.clock.seconds()
        return {
            "now": iso_microseconds(now),
            "seconds": now,
            "realtime": not self.core.advanceable,
        }

    @app.route("/v1.1/clock", methods=["GET"])
    def clock(self, request: IRequest) -> bytes:
        return json_response(request, self._clock_json())

    @app.route("/v1.1/tick", methods=["POST"])
    def tick(self, request: IRequest) -> bytes:
        """
        Advance the clock by ``amount`` seconds, firing every timed
        transition that falls due on the way.
        """
        body = require_object(read_json(request, control_error), "body", control_error)
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            raise control_error(400, "'amount' must be a non-negative number of seconds.")
        clock = self.core.clock
        if not isinstance(clock, Clock):
            raise control_error(400, REALTIME_TICK)
        advance_clock(clock, amount)
        return json_response(request, {"advanced": amount, **self._clock_json()})
