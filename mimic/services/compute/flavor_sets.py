# -*- test-case-name: mimic.test.test_openstack_profile -*-
"""
Which flavors a cloud has: a :class:`FlavorSet` per profile.

Rackspace's profile keeps Rackspace's public flavors
(:data:`mimic.services.compute.flavors.FLAVORS`); a profile without
Rackspace's extensions gets the flavors a DevStack install creates
(:data:`DEVSTACK_FLAVORS`): ``m1.tiny`` to ``m1.xlarge`` (ids 1 to 5),
the small ``cirros256`` and ``ds*`` flavors, and ``m1.nano`` and
``m1.micro`` (ids 42 and 84), which DevStack's tempest setup adds for
tempest's ``flavor_ref`` and ``flavor_ref_alt``.

Flavor ids overlap between the sets (Rackspace's "2" is a 512 MB
Standard instance, DevStack's "2" is ``m1.small``), so every lookup goes
through the set of the core's profile (:func:`flavor_set`), never a
module-level table.  A configuration file's ``[[flavors]]`` replace the
profile's set, region by region.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from mimic.profiles import Profile
from mimic.services.compute.flavors import DEFAULT_FLAVOR_ID, FLAVORS, Flavor


@frozen
class FlavorSet:
    """
    A cloud's public flavors, sorted by id (as Nova lists them), with
    lookups by id in O(1).
    """

    flavors: tuple[Flavor, ...]
    #: The flavor tests and examples use when they do not care.
    default_id: str
    _by_id: dict[str, Flavor] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {f.id: f for f in self.flavors})

    def get(self, flavor_id: str) -> Flavor | None:
        """
        The flavor with this id, or None.
        """
        return self._by_id.get(flavor_id)

    def from_ref(self, ref: Any) -> Flavor | None:
        """
        The flavor a ``flavorRef`` names: an id, or a URL whose last
        segment is the id (as Nova accepts); None if it names none.
        """
        if isinstance(ref, int) and not isinstance(ref, bool):
            ref = str(ref)
        if not isinstance(ref, str) or not ref:
            return None
        return self._by_id.get(ref.rstrip("/").rsplit("/", 1)[-1])


#: Rackspace's public flavors, as Mimic has always served them.
RACKSPACE_FLAVORS = FlavorSet(FLAVORS, DEFAULT_FLAVOR_ID)

#: DevStack's flavors all allow a random number generator device.
_DEVSTACK_SPECS = {"hw_rng:allowed": "True"}


def _devstack(flavor_id: str, name: str, ram: int, vcpus: int, disk: int) -> Flavor:
    return Flavor(flavor_id, name, ram, vcpus, disk, extra_specs=_DEVSTACK_SPECS)


#: The flavors of a DevStack install (``lib/nova``'s flavors, and the two
#: its tempest setup creates, sized for the cirros image: 192 and 256 MB,
#: DevStack's ``TEMPEST_FLAVOR_RAM`` and ``TEMPEST_FLAVOR_ALT_RAM``).
DEVSTACK_FLAVORS = FlavorSet(
    tuple(
        sorted(
            (
                _devstack("1", "m1.tiny", 512, 1, 1),
                _devstack("2", "m1.small", 2048, 1, 20),
                _devstack("3", "m1.medium", 4096, 2, 40),
                _devstack("4", "m1.large", 8192, 4, 80),
                _devstack("5", "m1.xlarge", 16384, 8, 160),
                _devstack("42", "m1.nano", 192, 1, 1),
                _devstack("84", "m1.micro", 256, 1, 1),
                _devstack("c1", "cirros256", 256, 1, 1),
                _devstack("d1", "ds512M", 512, 1, 5),
                _devstack("d2", "ds1G", 1024, 1, 10),
                _devstack("d3", "ds2G", 2048, 2, 10),
                _devstack("d4", "ds4G", 4096, 4, 20),
            ),
            key=lambda f: f.id,
        )
    ),
    "1",
)

#: The flavors of each profile that has its own.
_BY_PROFILE = {"rackspace": RACKSPACE_FLAVORS, "openstack": DEVSTACK_FLAVORS}

#: Where a configuration file's ``[[flavors]]`` are kept in the profile's
#: content: a :class:`FlavorSet` by region
#: (:mod:`mimic.services.compute.configured`).
FLAVORS_KEY = "flavors"


def flavor_set(profile: Profile, region: str | None = None) -> FlavorSet:
    """
    The flavors a cloud of this profile has in a region: a configuration
    file's, else the profile's own set, else Rackspace's for a profile
    with Rackspace's extensions and DevStack's for any other.
    """
    configured = profile.content.get(FLAVORS_KEY)
    if configured is not None:
        return configured.get(region) or configured[profile.regions[0]]
    chosen = _BY_PROFILE.get(profile.name)
    if chosen is not None:
        return chosen
    return RACKSPACE_FLAVORS if profile.rackspace_extensions else DEVSTACK_FLAVORS
