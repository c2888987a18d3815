# -*- test-case-name: mimic.test.test_cloud_config -*-
"""
Compute's content a configuration file may give (see
:mod:`mimic.cloud_content`): ``[[flavors]]``, which replace the profile's
flavors, and ``[quotas.compute]``, which changes the default quotas key
by key.

A flavor table takes Nova's own words: ``name``, ``ram`` (MiB),
``vcpus``, ``disk`` (GB), and optionally ``id`` (else one derived from
the name, the same on every start), ``ephemeral``, ``swap`` (MiB),
``rxtx_factor``, ``description``, ``extra_specs`` and ``regions`` (every
region of the cloud when left out).
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from attrs import asdict

from mimic.catalog import stable_id
from mimic.cloud_content import (
    ContentKey,
    ContentProblem,
    Where,
    number,
    only_keys,
    per_region,
    quota_table,
    regions_of,
    string_table,
    tables,
    text,
    unique,
    whole_number,
)
from mimic.services.compute.flavor_sets import FlavorSet
from mimic.services.compute.flavors import Flavor
from mimic.services.compute.model import Quotas

#: What a ``[[flavors]]`` table takes.
FLAVOR_KEYS = (
    "name", "id", "ram", "vcpus", "disk", "ephemeral", "swap", "rxtx_factor", "description", "extra_specs", "regions",
)
_REQUIRED = ("name", "ram", "vcpus", "disk")

#: The characters Nova allows in a flavor id.
_FLAVOR_ID = re.compile(r"^[A-Za-z0-9_.\- ]{1,255}$")

#: The names of Nova's quotas, as ``os-quota-sets`` spells them.
QUOTA_NAMES = tuple(asdict(Quotas()))


def content_keys() -> tuple[ContentKey, ...]:
    """
    Compute's keys of the configuration file.
    """
    return (
        ContentKey(("flavors",), "the cloud's flavors (replacing the profile's)", check_flavors),
        ContentKey(("quotas", "compute"), "compute's default quotas (changing the profile's)", check_quotas),
    )


def check_flavors(value: Any, regions: Sequence[str]) -> dict[str, FlavorSet]:
    """
    ``[[flavors]]`` as a :class:`FlavorSet` for each region.
    """
    entries = tables(value, (), "flavors")
    if not entries:
        raise ContentProblem((), "must name at least one flavor")
    flavors = []
    for index, entry in enumerate(entries):
        flavors.append(_flavor(entry, (index,), regions))
    unique(entries, (), "name", [flavor.name for _, flavor in flavors])
    unique(entries, (), "id", [flavor.id for _, flavor in flavors])
    by_region = per_region(regions, flavors)
    return {
        region: FlavorSet(tuple(sorted(found, key=lambda f: f.id)), found[0].id if found else "")
        for region, found in by_region.items()
    }


def _flavor(entry: Mapping[str, Any], where: Where, regions: Sequence[str]) -> tuple[tuple[str, ...], Flavor]:
    only_keys(entry, where, FLAVOR_KEYS, _REQUIRED)
    name = text(entry["name"], where + ("name",))
    flavor_id = entry.get("id", stable_id("flavor", name))
    if not isinstance(flavor_id, str) or not _FLAVOR_ID.match(flavor_id) or flavor_id.strip() != flavor_id:
        raise ContentProblem(
            where + ("id",),
            "must be a string of letters, digits, '_', '-', '.' and inner spaces (as Nova's flavor ids)",
        )
    flavor = Flavor(
        flavor_id,
        name,
        ram=whole_number(entry["ram"], where + ("ram",), least=1),
        vcpus=whole_number(entry["vcpus"], where + ("vcpus",), least=1),
        disk=whole_number(entry["disk"], where + ("disk",)),
        ephemeral=whole_number(entry.get("ephemeral", 0), where + ("ephemeral",)),
        swap=whole_number(entry.get("swap", 0), where + ("swap",)),
        rxtx_factor=number(entry.get("rxtx_factor", 1.0), where + ("rxtx_factor",)),
        extra_specs=string_table(entry.get("extra_specs", {}), where + ("extra_specs",)),
        description=text(entry["description"], where + ("description",), 65535) if "description" in entry else None,
    )
    return regions_of(entry, where, regions), flavor


def check_quotas(value: Any, regions: Sequence[str]) -> Mapping[str, int]:
    """
    ``[quotas.compute]``: the quotas it changes, by Nova's names (applied
    to the profile's defaults by
    :func:`mimic.services.compute.model.default_quotas`).
    """
    return quota_table(value, (), QUOTA_NAMES)
