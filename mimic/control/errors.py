# -*- test-case-name: mimic.test.test_control -*-
"""
The control plane's own error shape: ``{"message": ..., "code": ...}``.
"""

from __future__ import annotations

from mimic.http import plain_error

#: The control plane answers in the plain shape the root uses too.
control_error = plain_error
