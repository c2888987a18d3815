# -*- test-case-name: mimic.test.test_openstack_profile -*-
"""
Which public base images a cloud starts with, by profile.

Rackspace's profile keeps Rackspace-like base images
(:data:`mimic.services.image.model.BASE_IMAGES`).  A cloud without
Rackspace's extensions starts as a DevStack install does: with the one
CirrOS image DevStack uploads (:data:`CIRROS_IMAGE_ID`), public, a qcow2
disk in a bare container, owned by the administrator's project, with
the checksum, secure hash and virtual size Glance works out for an
uploaded image (:mod:`mimic.services.image.digests`).

A configuration file's ``[[images]]`` replace either
(:mod:`mimic.services.image.configured`).

The plugin asks :func:`base_images` when it makes a tenant's image store
(:func:`mimic.services.image.model.image_store`); nothing else here
changes how the store works.
"""

from __future__ import annotations

from functools import lru_cache

from mimic.interfaces import IMimicCore
from mimic.profiles import Profile
from mimic.services.image.configured import IMAGES_KEY, ConfiguredImages
from mimic.services.image.digests import stand_in_digests
from mimic.services.image.model import BASE_IMAGES, PROVIDER, Image

#: The CirrOS release DevStack uploads, and the image's name there.
CIRROS_VERSION = "0.6.3"
CIRROS_NAME = f"cirros-{CIRROS_VERSION}-x86_64-disk"

#: The CirrOS image's id: fixed, so a test suite (or tempest's
#: ``image_ref``) may name it.
CIRROS_IMAGE_ID = "6d0c3a5e-8f1b-4b7a-9c2e-3f4d5e6a7b8c"

#: When the image was uploaded (2024-01-15T00:00:00Z, as Rackspace's
#: newest base image).
_UPLOADED = 1705276800.0

#: The size of CirrOS 0.6.3's x86_64 qcow2 disk file, in bytes, and of
#: the disk it holds (112 MiB), which Glance reads from its header.
_CIRROS_SIZE = 21692416
_CIRROS_VIRTUAL_SIZE = 117440512


def _cirros(owner: str) -> Image:
    return Image(
        id=CIRROS_IMAGE_ID,
        name=CIRROS_NAME,
        created=_UPLOADED,
        min_disk=0,
        min_ram=0,
        size=_CIRROS_SIZE,
        virtual_size=_CIRROS_VIRTUAL_SIZE,
        **stand_in_digests(CIRROS_NAME),
        metadata={"hw_rng_model": "virtio"},
        container_format="bare",
        disk_format="qcow2",
        provider=owner,
    )


def admin_project_id(core: IMimicCore) -> str:
    """
    The project of identity's administrator, who uploads a DevStack
    cloud's public images.
    """
    return str(core.settings.get("identity.admin_user", "admin"))


@lru_cache(maxsize=16)
def devstack_images(owner: str) -> tuple[Image, ...]:
    """
    A DevStack cloud's base images, owned by ``owner``'s project.
    """
    return (_cirros(owner),)


def base_images(core: IMimicCore, region: str | None = None) -> tuple[Image, ...]:
    """
    The base images of the core's cloud in a region: a configuration
    file's ``[[images]]``, else Rackspace's for a profile with
    Rackspace's extensions and DevStack's for any other.
    """
    profile: Profile = core.profile
    configured: ConfiguredImages | None = profile.content.get(IMAGES_KEY)
    if configured is not None:
        owner = PROVIDER if profile.rackspace_extensions else admin_project_id(core)
        return configured.for_owner(region, owner)
    if profile.rackspace_extensions:
        return BASE_IMAGES
    return devstack_images(admin_project_id(core))
