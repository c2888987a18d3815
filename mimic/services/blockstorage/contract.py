# -*- test-case-name: mimic.test.test_blockstorage_contract -*-
"""
Block storage as compute uses it: :class:`~mimic.interfaces.IVolumes`
over one tenant's volumes in one region, the way Nova uses Cinder.

Each call goes the way the same request through Cinder's API goes: the
same checks, the same known error conditions (a boot from volume can
fail to create its volume; an attach can linger in ``attaching``), the
same timings.  Cinder's refusals reach compute as
:class:`~mimic.interfaces.ContractRefused`, with Cinder's status, the
name of its exception and its message, for Nova to answer in its own
shape.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, TypeVar

from zope.interface import implementer

from mimic.http import HTTPError
from mimic.interfaces import ContractRefused, IMimicCore, IVolumes
from mimic.services.blockstorage.creation import volume_sources
from mimic.services.blockstorage.errors import BlockStorageError, invalid_input
from mimic.services.blockstorage.failures import VOLUME_ATTACH, VOLUME_CREATE, VOLUME_DELETE
from mimic.services.blockstorage.model import BlockStorage
from mimic.services.blockstorage.records import Volume

T = TypeVar("T")


def _refused(call: Callable[[], T]) -> T:
    """
    ``call()``, with Cinder's refusals as :class:`ContractRefused`.
    """
    try:
        return call()
    except BlockStorageError as error:
        raise ContractRefused(error.status, error.kind, error.message)
    except HTTPError as error:
        # A known error condition refused the call with Cinder's error body.
        (fault,) = error.body.values() if isinstance(error.body, dict) and len(error.body) == 1 else ({},)
        message = fault.get("message", "") if isinstance(fault, dict) else ""
        raise ContractRefused(error.status, "CinderFault", message)


@implementer(IVolumes)
class SharedVolumes:
    """
    One tenant's volumes in one region, for compute.
    """

    def __init__(self, core: IMimicCore, state: BlockStorage, region: str) -> None:
        self.core = core
        self.state = state
        self.region = region

    def _decide(self, event: Any, volume: Volume | None = None, metadata: Any = None, **more: Any) -> Any:
        attributes: dict[str, Any] = {"tenant_id": self.state.tenant_id, "region": self.region}
        if volume is not None:
            attributes.update(
                volume_id=volume.id, volume_name=volume.name or "", size=volume.size,
                volume_type=volume.volume_type,
            )
            metadata = volume.metadata
        attributes.update({k: v for k, v in more.items() if v is not None})
        return self.core.failures.decide(event, attributes, metadata)

    def get(self, volume_id: str) -> Volume | None:
        return self.state.get(volume_id, self.core.clock.seconds())

    def create(
        self,
        size: int | None,
        now: float,
        name: str | None = None,
        image_id: str | None = None,
        snapshot_id: str | None = None,
        source_volid: str | None = None,
        volume_type: str | None = None,
        availability_zone: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Volume:
        def create() -> Volume:
            if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
                raise invalid_input(f"Volume size '{size}' must be an integer and greater than 0")
            sources = volume_sources(
                self.core, self.state, self.region, now, size, volume_type, image_id, snapshot_id, source_volid
            )
            outcome = self._decide(
                VOLUME_CREATE, volume_name=name or "", size=sources.size, volume_type=sources.volume_type.name
            )
            return self.state.create_volume(
                sources.size, now, volume_type=sources.volume_type, name=name,
                description=description, metadata=metadata, availability_zone=availability_zone, image=sources.image, snapshot=sources.snapshot,
                source=sources.source, outcome=outcome,
            )

        return _refused(create)

    def reserve(self, volume_id: str, server_id: str, now: float) -> None:
        _refused(lambda: self.state.reserve(volume_id, server_id, now))

    def unreserve(self, volume_id: str, now: float) -> None:
        _refused(lambda: self.state.unreserve(volume_id, now))

    def attach(self, volume_id: str, server_id: str, device: str | None, now: float) -> str:
        def attach() -> str:
            volume = self.state.volume(volume_id, now)
            outcome = self._decide(VOLUME_ATTACH, volume, server_id=server_id)
            return self.state.attach(volume.id, server_id, device, now, outcome=outcome).id

        return _refused(attach)

    def detach(self, volume_id: str, server_id: str, now: float) -> None:
        _refused(lambda: self.state.detach(volume_id, server_id, now))

    def delete(self, volume_id: str, now: float) -> None:
        def delete() -> None:
            volume = self.state.volume(volume_id, now)
            outcome = self._decide(VOLUME_DELETE, volume)
            self.state.delete_volume(volume.id, now, outcome=outcome)

        _refused(delete)

    def attached_to(self, server_id: str, now: float) -> list[Volume]:
        return self.state.attached_to(server_id, now)

    def __iter__(self) -> Iterator[Volume]:
        return iter(list(self.state.live_volumes(self.core.clock.seconds())))
