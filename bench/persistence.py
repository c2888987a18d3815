"""
How long saving and restoring region states takes: one tenant with
``--servers`` servers (made through Nova's API in memory, each with its
Neutron ports), then every region state saved with its plugin's
``save_region_state``, written with ``json.dumps``, read with
``json.loads`` and restored with ``restore_region_state`` into a fresh
Mimic.  Prints the CPU time (``time.process_time``, so that other work on
the machine counts less) of each step, per service, and the JSON's size.

Usage (from the checkout, with the development virtualenv)::

    python bench/persistence.py [--servers 10000] [--repeat 3]

This is not a test: nothing in the test suite runs it.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections import defaultdict
from typing import Any

from mimic.interfaces import IPersistentState
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import InMemoryMimic


def world(servers: int) -> InMemoryMimic:
    mimic = InMemoryMimic()
    access = mimic.authenticate("bench")
    compute = access.endpoint("compute").replace(mimic.base, "")
    unlimited = {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}
    mimic.request("PUT", f"{compute}/os-quota-sets/{access.tenant_id}", unlimited, token=access.token)
    admin = mimic.authenticate("admin", password="password")
    neutron = admin.endpoint("network").replace(mimic.base, "")
    mimic.request("PUT", f"{neutron}/v2.0/quotas/{access.tenant_id}", {"quota": {"port": -1}}, token=admin.token)
    made = 0
    while made < servers:
        count = min(1000, servers - made)
        body = {"server": {"name": "bench", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": "2",
                           "min_count": count, "max_count": count}}
        response = mimic.request("POST", f"{compute}/servers", body, token=access.token)
        if response.code != 202:
            raise SystemExit(f"creating servers answered {response!r}")
        made += count
    return mimic


def measure(mimic: InMemoryMimic) -> dict[str, float]:
    plugins = mimic.core.plugins
    times: dict[str, float] = defaultdict(float)
    gc.collect()
    started = time.process_time()
    saved: dict[str, Any] = {}
    for (service, tenant_id, region), state in mimic.core.region_states():
        plugin = plugins.get(service)
        if not IPersistentState.providedBy(plugin):
            continue
        begun = time.process_time()
        saved[f"{service} {tenant_id} {region}"] = plugin.save_region_state(state)
        times[f"save {service}"] += time.process_time() - begun
    begun = time.process_time()
    text = json.dumps(saved)
    times["json.dumps"] = time.process_time() - begun
    begun = time.process_time()
    loaded = json.loads(text)
    times["json.loads"] = time.process_time() - begun
    fresh = InMemoryMimic()
    for key, form in loaded.items():
        service, tenant_id, region = key.split(" ")
        begun = time.process_time()
        plugins[service].restore_region_state(fresh.core, tenant_id, region, form)
        times[f"restore {service}"] += time.process_time() - begun
    times["total"] = time.process_time() - started
    times["size (MB)"] = len(text) / 2**20
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    mimic = world(options.servers)
    for _ in range(options.repeat):
        times = measure(mimic)
        print("  ".join(f"{name} {value * (1 if name.startswith('size') else 1000):.1f}"
                        + ("" if name.startswith("size") else " ms") for name, value in sorted(times.items())))


if __name__ == "__main__":
    main()
