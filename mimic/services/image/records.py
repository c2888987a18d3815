# -*- test-case-name: mimic.test.test_image_writes -*-
"""
What Glance keeps beside an image once projects write to it: who an
image is shared with (:class:`Member`), the interoperable import's tasks
(:class:`ImportTask`), and the model's refusals (:class:`ImageRefused`),
each with Glance's own wording so the routes need not reword them.
"""

from __future__ import annotations

from typing import Any, Iterable

from attrs import field, frozen

from mimic.timestamps import iso_seconds

#: A member's statuses, as the member sets them.
MEMBER_STATUSES = ("pending", "accepted", "rejected")

#: How many members an image may have and how many tags (Glance's
#: ``image_member_quota`` and ``image_tag_quota`` defaults).
MEMBER_QUOTA = 128
TAG_QUOTA = 128


def strings(values: Iterable[str]) -> tuple[str, ...]:
    """
    A record's tuple of texts from any iterable of them (a saved list).
    """
    return tuple(values)


class ImageRefused(Exception):
    """
    Glance refuses a change to an image; ``status`` is the HTTP status it
    answers with (400, 403, 404, 409 or 413) and ``message`` its words.
    Nothing was changed.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@frozen
class Member:
    """
    A project an image is shared with, and what that project said.
    """

    image_id: str
    member_id: str
    status: str
    created: float
    updated: float

    def to_json(self) -> dict[str, Any]:
        return {
            "image_id": self.image_id,
            "member_id": self.member_id,
            "status": self.status,
            "created_at": iso_seconds(self.created),
            "updated_at": iso_seconds(self.updated),
            "schema": "/v2/schemas/member",
        }


@frozen
class ImportTask:
    """
    One run of the interoperable import (``POST /v2/images/{id}/import``):
    ``processing`` until ``ready_at`` on Mimic's clock, then ``success``,
    or ``failure`` with ``message`` when a known error condition fired.
    """

    id: str
    image_id: str
    owner: str
    method: str
    stores: tuple[str, ...] = field(converter=strings)
    request_id: str
    user_id: str
    created: float
    ready_at: float
    failure: str | None = None

    def status(self, now: float) -> str:
        if now < self.ready_at:
            return "processing"
        return "failure" if self.failure is not None else "success"

    def to_json(self, now: float) -> dict[str, Any]:
        """
        The task as ``GET /v2/images/{id}/tasks`` shows it.
        """
        status = self.status(now)
        done = status != "processing"
        return {
            "id": self.id,
            "type": "api_image_import",
            "status": status,
            "owner": self.owner,
            "image_id": self.image_id,
            "request_id": self.request_id,
            "user_id": self.user_id,
            "input": {
                "image_id": self.image_id,
                "import_req": {"method": {"name": self.method}, "stores": list(self.stores)},
                "backend": list(self.stores),
            },
            "result": {"image_id": self.image_id} if status == "success" else None,
            "message": (self.failure or "") if done else "",
            "created_at": iso_seconds(self.created),
            "updated_at": iso_seconds(self.ready_at if done else self.created),
            "expires_at": iso_seconds(self.ready_at + 48 * 3600) if done else None,
        }
