# -*- test-case-name: mimic.test.test_control -*-
"""
The control plane's own error shape: ``{"message": ..., "code": ...}``.
"""

from __future__ import annotations

from mimic.http import HTTPError


def control_error(status: int, message: str) -> HTTPError:
    return HTTPError(status, {"message": message, "code": status})
