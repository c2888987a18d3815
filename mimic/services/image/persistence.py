# -*- test-case-name: mimic.test.test_snapshots -*-
"""
One tenant's images in one region as plain JSON, for snapshots and
``--state-file``: its own images (snapshots of servers, uploads of
volumes, images registered through Glance) and what Glance keeps beside
them (data, staged data, members, the images shared with the tenant,
import tasks).  The provider's base images are code, not state.
"""

from __future__ import annotations

from typing import Any

from mimic.saved import field_of, record_from, record_json
from mimic.services.image.model import BASE_IMAGES, Image, ImageStore
from mimic.services.image.writes import restored_extras, saved_extras

#: The form :func:`save_store` writes (a store saved before Glance
#: writes, with only ``images``, is still restored).
STATE_FORMAT = 1


def save_store(store: ImageStore) -> dict[str, Any]:
    return {"images": [record_json(image) for image in store.own_images()], **saved_extras(store)}


def restore_store(saved: Any, base: tuple[Image, ...] = BASE_IMAGES) -> ImageStore:
    images = [record_from(Image, i) for i in field_of(saved, "images", list, "an image store")]
    return ImageStore(
        snapshots={image.id: image for image in images}, base=base, **restored_extras(saved)
    )
