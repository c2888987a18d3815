# -*- test-case-name: mimic.test.test_blockstorage_resources -*-
"""
What every project sees the same: Rackspace's volume types (``SATA`` and
``SSD``, plus Cinder's ``__DEFAULT__``), the availability zone, the
quotas a project starts with and the limits on sizes.

A cloud without Rackspace's extensions (the ``openstack`` profile) has
DevStack's types instead (``lvmdriver-1``, its default, and
``__DEFAULT__``) and upstream Cinder's default quotas: see
:func:`volume_types` and :func:`default_quotas`.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from mimic.catalog import stable_id
from mimic.cloud_content import ContentKey, quota_table
from mimic.profiles import Profile


@frozen
class VolumeType:
    """
    A volume type, as ``/types`` shows it.  Its id is derived from its
    name, so it is the same on every start.
    """

    name: str
    description: str | None
    extra_specs: tuple[tuple[str, str], ...] = ()
    is_public: bool = True

    @property
    def id(self) -> str:
        raw = stable_id("blockstorage-type", self.name)
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

    def to_json(self, qos_specs_id: bool = True) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "is_public": self.is_public,
            "os-volume-type-access:is_public": self.is_public,
            "extra_specs": dict(self.extra_specs),
            "qos_specs_id": None,
        }


#: Rackspace's two types (spinning disks and solid state), and Cinder's
#: own default type, which every deployment has.
VOLUME_TYPES = (
    VolumeType("SATA", "Standard SATA volumes", (("volume_backend_name", "sata"),)),
    VolumeType("SSD", "High performance SSD volumes", (("volume_backend_name", "ssd"),)),
    VolumeType("__DEFAULT__", "Default Volume Type"),
)

_TYPES_BY_KEY = {key: t for t in VOLUME_TYPES for key in (t.name, t.id)}

#: The type of a volume created without one (Rackspace's default).
DEFAULT_TYPE = VOLUME_TYPES[0]

#: The one availability zone.
AVAILABILITY_ZONE = "nova"

#: The backend host Cinder's admin view names (``host@backend#pool``).
HOST = "mimic@lvm#pool"


def find_type(name_or_id: str) -> VolumeType | None:
    return _TYPES_BY_KEY.get(name_or_id)


#: Every quota Cinder reports, in its order, with Mimic's defaults.
DEFAULT_QUOTAS: dict[str, int] = {
    "volumes": 100,
    "snapshots": 100,
    "gigabytes": 10240,
    "backups": 100,
    "backup_gigabytes": 10240,
    "groups": 10,
    "per_volume_gigabytes": -1,
}

#: The largest volume Cinder's API takes at all (its database's integer).
MAX_SIZE = 2**31 - 1


@frozen
class VolumeTypes:
    """
    The volume types of one cloud, and the one a volume created without
    a type gets.
    """

    types: tuple[VolumeType, ...]
    default: VolumeType

    def find(self, name_or_id: str) -> VolumeType | None:
        for volume_type in self.types:
            if name_or_id in (volume_type.name, volume_type.id):
                return volume_type
        return None


#: Rackspace's types, SATA the default.
RACKSPACE_TYPES = VolumeTypes(VOLUME_TYPES, DEFAULT_TYPE)

#: DevStack's: its LVM backend's type (Cinder's default type there) and
#: Cinder's own.
_LVM_TYPE = VolumeType("lvmdriver-1", None, (("volume_backend_name", "lvmdriver-1"),))
DEVSTACK_TYPES = VolumeTypes((_LVM_TYPE, VolumeType("__DEFAULT__", "Default Volume Type")), _LVM_TYPE)


def volume_types(profile: Profile) -> VolumeTypes:
    """
    The volume types of a cloud of this profile.
    """
    return RACKSPACE_TYPES if profile.rackspace_extensions else DEVSTACK_TYPES


def known_type(name_or_id: str) -> VolumeType | None:
    """
    A type of any cloud's, by name or id: what a volume's type name stands
    for when only its id is wanted (ids derive from names, so clouds
    agree on them).
    """
    return find_type(name_or_id) or DEVSTACK_TYPES.find(name_or_id)


#: Upstream Cinder's default quotas (its ``quota_*`` options).
CINDER_DEFAULT_QUOTAS: dict[str, int] = {
    "volumes": 10,
    "snapshots": 10,
    "gigabytes": 1000,
    "backups": 10,
    "backup_gigabytes": 1000,
    "groups": 10,
    "per_volume_gigabytes": -1,
}


#: Where a configuration file's ``[quotas.blockstorage]`` is kept in the
#: profile's content: the quotas it changes, by Cinder's names.
QUOTAS_KEY = "quotas.blockstorage"


def default_quotas(profile: Profile) -> dict[str, int]:
    """
    The quotas a project starts with in a cloud of this profile (a copy),
    as a configuration file's ``[quotas.blockstorage]`` changes them.
    """
    quotas = dict(DEFAULT_QUOTAS if profile.rackspace_extensions else CINDER_DEFAULT_QUOTAS)
    quotas.update(profile.content.get(QUOTAS_KEY, {}))
    return quotas


def content_keys() -> tuple[ContentKey, ...]:
    """
    Block storage's keys of the configuration file.
    """
    return (
        ContentKey(
            ("quotas", "blockstorage"),
            "block storage's default quotas (changing the profile's)",
            lambda value, regions: quota_table(value, (), tuple(CINDER_DEFAULT_QUOTAS)),
        ),
    )
