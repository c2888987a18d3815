# -*- test-case-name: mimic.test.test_control_snapshots -*-
"""
Named snapshots of the whole of Mimic's state, kept in memory: set a
world up once (users, images, servers...), snapshot it, and restore it
before each test in milliseconds instead of building it again.

* ``POST /mimic/v1.1/snapshots`` ``{"name": ..., "replace": false}``
  takes one (201; a name in use is refused with 409 unless ``replace``
  is true);
* ``GET /mimic/v1.1/snapshots`` lists them, oldest first;
* ``GET`` and ``DELETE /mimic/v1.1/snapshots/<name>``;
* ``POST /mimic/v1.1/snapshots/<name>/restore`` brings one back, and
  says which services' states it had to drop (plugins that cannot save
  theirs).

A snapshot is kept as its encoded JSON (:mod:`mimic.snapshots`), so
that restoring it many times never shares anything with the live
state.  Snapshots belong to the test writer, like the clock: a reset
(``POST /mimic/v1.1/reset``) keeps them.
"""

from __future__ import annotations

import re
from typing import Any

from attrs import frozen

from mimic import snapshots
from mimic.control.errors import control_error
from mimic.core import MimicCore
from mimic.timestamps import iso_microseconds

#: What a snapshot may be named: it goes in a URL path unescaped.
NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,100}")

#: The most snapshots kept at once: each holds a whole world.
MAX_SNAPSHOTS = 100

BAD_NAME = (
    "A snapshot's name is 1 to 100 letters, digits, '.', '_' or '-' "
    "(it goes in the snapshot's URL)."
)


@frozen
class Snapshot:
    name: str
    seconds: float
    data: bytes
    services: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "taken_at": iso_microseconds(self.seconds),
            "seconds": self.seconds,
            "size": len(self.data),
            "services": list(self.services),
        }


def check_name(name: Any) -> str:
    if not isinstance(name, str) or NAME_PATTERN.fullmatch(name) is None:
        raise control_error(400, BAD_NAME)
    return name


class SnapshotShelf:
    """
    The named snapshots of one control API, oldest first.
    """

    def __init__(self) -> None:
        self._kept: dict[str, Snapshot] = {}

    def listing(self) -> list[Snapshot]:
        return list(self._kept.values())

    def find(self, name: str) -> Snapshot:
        found = self._kept.get(name)
        if found is None:
            raise control_error(
                404, f"There is no snapshot named {name!r}; GET /mimic/v1.1/snapshots lists them."
            )
        return found

    def take(self, core: MimicCore, body: Any) -> Snapshot:
        """
        Take a snapshot as a request's body asks.
        """
        if not isinstance(body, dict):
            raise control_error(400, 'Take a snapshot with {"name": <name>[, "replace": true]}.')
        unknown = sorted(set(body) - {"name", "replace"})
        if unknown:
            raise control_error(
                400, f"Unknown field(s) {', '.join(unknown)}; a snapshot takes 'name' and 'replace'."
            )
        name = check_name(body.get("name"))
        replace = body.get("replace", False)
        if not isinstance(replace, bool):
            raise control_error(400, "'replace' must be true or false.")
        if name in self._kept and not replace:
            raise control_error(
                409,
                f"A snapshot named {name!r} exists; delete it, or send \"replace\": true to take it again.",
            )
        if name not in self._kept and len(self._kept) >= MAX_SNAPSHOTS:
            raise control_error(
                409, f"{MAX_SNAPSHOTS} snapshots are kept, the most Mimic keeps; delete some first."
            )
        try:
            saved = snapshots.save(core)
            data = snapshots.encode(saved)
        except snapshots.BadState as error:
            raise control_error(500, f"The snapshot could not be taken: {error}.")
        snapshot = Snapshot(name, float(saved["seconds"]), data, tuple(snapshots.services_of(saved)))
        self._kept.pop(name, None)
        self._kept[name] = snapshot
        return snapshot

    def delete(self, name: str) -> None:
        self.find(name)
        del self._kept[name]

    def restore(self, core: MimicCore, name: str) -> dict[str, Any]:
        """
        Bring a snapshot back: what ``POST .../restore`` answers.
        """
        snapshot = self.find(name)
        try:
            restored = snapshots.restore(core, snapshots.decode(snapshot.data))
        except snapshots.BadState as error:
            raise control_error(409, f"The snapshot {name!r} cannot be restored: {error}.")
        return {"restored": snapshot.to_json(), "dropped": restored.dropped}
