# -*- test-case-name: mimic.test.test_cloud_config -*-
"""
The image service's content a configuration file may give (see
:mod:`mimic.cloud_content`): ``[[images]]``, which replace the profile's
public base images.

An image table takes Glance's own words: ``name``, and optionally ``id``
(a UUID; else one derived from the name, the same on every start),
``disk_format``, ``container_format``, ``size`` (bytes),
``virtual_size`` (bytes; the disk's size, ``size`` when left out),
``min_disk`` (GB), ``min_ram`` (MiB), ``visibility``, ``protected``,
``tags``, ``properties`` (a table of strings) and ``regions`` (every
region of the cloud when left out).  The images are listed in the file's
order and owned as the profile's base images are (Rackspace's provider,
or the administrator's project).  Being active, each has a checksum and
secure hash as an uploaded image has (those of a stand-in naming its
id: :func:`mimic.services.image.digests.stand_in_digests`).
"""

from __future__ import annotations

import uuid
from typing import Any, Mapping, Sequence

from attrs import evolve, field, frozen

from mimic.catalog import stable_id
from mimic.cloud_content import (
    ContentKey,
    ContentProblem,
    Where,
    flag,
    only_keys,
    per_region,
    regions_of,
    string_table,
    tables,
    text,
    unique,
    whole_number,
)
from mimic.services.image.digests import stand_in_digests
from mimic.services.image.model import Image
from mimic.services.image.views import CONTAINER_FORMATS, DISK_FORMATS

#: Where the configured images are kept in the profile's content.
IMAGES_KEY = "images"

#: What an ``[[images]]`` table takes.
IMAGE_KEYS = (
    "name", "id", "disk_format", "container_format", "size", "virtual_size", "min_disk", "min_ram",
    "visibility", "protected", "tags", "properties", "regions",
)

#: The visibilities a base image may have (``shared`` needs members,
#: which a base image has none of).
VISIBILITIES = ("public", "community", "private")

#: When configured images were uploaded: 2024-01-15T00:00:00Z, a second
#: apart, so that Glance's newest-first listing keeps the file's order.
_UPLOADED = 1705276800.0


@frozen
class ConfiguredImages:
    """
    The file's images by region, owned by nobody yet: each store's
    owner (the profile's provider) is set when asked, once per owner.
    """

    by_region: Mapping[str, tuple[Image, ...]]
    first_region: str
    _owned: dict[tuple[str, str], tuple[Image, ...]] = field(factory=dict, eq=False, repr=False)

    def for_owner(self, region: str | None, owner: str) -> tuple[Image, ...]:
        key = (region or self.first_region, owner)
        found = self._owned.get(key)
        if found is None:
            images = self.by_region.get(key[0], ())
            found = self._owned[key] = tuple(evolve(image, provider=owner) for image in images)
        return found


def content_keys() -> tuple[ContentKey, ...]:
    """
    The image service's keys of the configuration file.
    """
    return (ContentKey(("images",), "the cloud's public base images (replacing the profile's)", check_images),)


def check_images(value: Any, regions: Sequence[str]) -> ConfiguredImages:
    entries = tables(value, (), "images")
    images = [_image(entry, (index,), regions, index) for index, entry in enumerate(entries)]
    unique(entries, (), "name", [image.name for _, image in images])
    unique(entries, (), "id", [image.id for _, image in images])
    return ConfiguredImages(per_region(regions, images), regions[0])


def _image(entry: Mapping[str, Any], where: Where, regions: Sequence[str], index: int) -> tuple[tuple[str, ...], Image]:
    only_keys(entry, where, IMAGE_KEYS, ("name",))
    name = text(entry["name"], where + ("name",))
    image_id = entry.get("id", str(uuid.UUID(stable_id("image", name))))
    try:
        image_id = str(uuid.UUID(image_id)) if isinstance(image_id, str) else None
    except ValueError:
        image_id = None
    if image_id is None:
        raise ContentProblem(where + ("id",), "must be a UUID (Glance's image ids are)")
    visibility = _one_of(entry, where, "visibility", VISIBILITIES, "public")
    tags = entry.get("tags", [])
    if not isinstance(tags, list):
        raise ContentProblem(where + ("tags",), "must be an array of strings")
    size = whole_number(entry.get("size", 0), where + ("size",))
    image = Image(
        id=image_id,
        name=name,
        created=_UPLOADED - index,
        min_disk=whole_number(entry.get("min_disk", 0), where + ("min_disk",)),
        min_ram=whole_number(entry.get("min_ram", 0), where + ("min_ram",)),
        size=size,
        virtual_size=whole_number(entry.get("virtual_size", size), where + ("virtual_size",)),
        **stand_in_digests(image_id),
        metadata=string_table(entry.get("properties", {}), where + ("properties",)),
        disk_format=_one_of(entry, where, "disk_format", DISK_FORMATS, "qcow2"),
        container_format=_one_of(entry, where, "container_format", CONTAINER_FORMATS, "bare"),
        visibility_given=None if visibility == "public" else visibility,
        protected=flag(entry.get("protected", False), where + ("protected",)),
        tags=tuple(text(tag, where + ("tags", i)) for i, tag in enumerate(tags)),
    )
    return regions_of(entry, where, regions), image


def _one_of(entry: Mapping[str, Any], where: Where, key: str, allowed: Sequence[str], default: str) -> str:
    value = entry.get(key, default)
    if value not in allowed:
        raise ContentProblem(where + (key,), f"must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)
