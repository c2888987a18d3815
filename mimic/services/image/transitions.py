# -*- test-case-name: mimic.test.test_compute_transitions -*-
"""
How long an image's state transitions take: ``image.snapshot_seconds``,
the time a server's snapshot (Nova's ``createImage``) stays ``saving``
before it is ``active``, given with ``twistd mimic --set`` or in the
configuration file's ``[image]`` table.  Zero suits clients that poll in
real time on a clock nobody ticks (tempest, ``openstack server image
create --wait``).
"""

from __future__ import annotations

from mimic.services.image.model import SERVICE_NAME, SNAPSHOT_SECONDS
from mimic.settings import Setting, duration

SNAPSHOT_SETTING = Setting(
    f"{SERVICE_NAME}.snapshot_seconds",
    "Seconds a server's new snapshot stays 'saving' before it is 'active', on Mimic's clock "
    "(0: done by the next request).",
    SNAPSHOT_SECONDS,
    duration,
)
