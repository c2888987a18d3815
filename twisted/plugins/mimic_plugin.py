"""
The ``twistd mimic`` command (also ``python -m twisted mimic``).
"""

from twisted.application.service import ServiceMaker

mimic = ServiceMaker(
    "Mimic",
    "mimic.tap",
    "A fake OpenStack and Rackspace cloud on one port.",
    "mimic",
)
