# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
One tenant's Cinder in an in-memory Mimic, for the block-storage tests.
"""

from __future__ import annotations

from typing import Any

from mimic.interfaces import IVolumes
from mimic.testing import InMemoryMimic, Response


#: Identity's administrator, as Mimic configures it by default.
ADMIN = {"username": "admin", "password": "password"}


class Cinder:
    """
    A tenant's block-storage endpoint in one region of an in-memory Mimic.
    """

    def __init__(
        self, mimic: InMemoryMimic, username: str = "alice", region: str = "ORD", password: str = "secret"
    ) -> None:
        self.mimic = mimic
        self.region = region
        self.access = mimic.authenticate(username, password=password)
        self.tenant_id = self.access.tenant_id
        self.url = self.access.endpoint("volumev3", region)

    def request(self, method: str, path: str, body: Any = None, version: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
        sent = dict(headers or {})
        if version is not None:
            sent["OpenStack-API-Version"] = f"volume {version}"
        return self.mimic.request(method, self.url + path, body, token=self.access.token, headers=sent)

    def must(self, status: int, method: str, path: str, body: Any = None, version: str | None = None) -> Any:
        response = self.request(method, path, body, version)
        assert response.code == status, (method, path, response)
        return response.json() if response.body else None

    def create(self, size: int = 1, **more: Any) -> dict[str, Any]:
        return self.must(202, "POST", "/volumes", {"volume": {"size": size, **more}})["volume"]

    def show(self, volume_id: str, version: str | None = None) -> dict[str, Any]:
        return self.must(200, "GET", f"/volumes/{volume_id}", version=version)["volume"]

    def action(self, volume_id: str, body: Any, version: str | None = None) -> Response:
        return self.request("POST", f"/volumes/{volume_id}/action", body, version)

    def contract(self) -> Any:
        return self.mimic.core.shared(IVolumes, self.tenant_id, self.region)
