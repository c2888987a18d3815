# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
The records identity's directory (:mod:`~mimic.services.identity.directory`)
keeps, and how it refuses a request: domains, projects, managed users'
accounts, groups, application credentials, where roles are held and
the assignments that say so.
"""

from __future__ import annotations

import secrets
from typing import Any

from attrs import define, field

from mimic.session import Role

DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"

#: Rackspace Identity's role for its service administrators.
RACKSPACE_ADMIN_ROLE = "identity:admin"


class DirectoryError(Exception):
    """
    A request the directory refuses: Keystone's status and message.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found(kind: str, ident: str) -> DirectoryError:
    return DirectoryError(404, f"Could not find {kind}: {ident}.")


def conflict(kind: str, attribute: str, value: str) -> DirectoryError:
    return DirectoryError(409, f"Conflict occurred attempting to store {kind} - Duplicate entry found with {attribute} {value}.")


def new_id() -> str:
    return secrets.token_hex(16)


@define
class Domain:
    id: str
    name: str
    description: str = ""
    enabled: bool = True
    tags: list[str] = field(factory=list)


@define
class Project:
    """
    A project: ``own`` for a first-use user's own tenant (whose id and
    name are the tenant id).
    """

    id: str
    name: str
    domain_id: str = DEFAULT_DOMAIN_ID
    description: str = ""
    enabled: bool = True
    parent_id: str | None = None
    tags: list[str] = field(factory=list)
    is_domain: bool = False
    own: bool = False
    options: dict[str, Any] = field(factory=dict)


@define
class Account:
    """
    What identity keeps of a managed user beyond the core's
    :class:`~mimic.session.User`.
    """

    user_id: str
    email: str | None = None
    description: str | None = None
    enabled: bool = True
    default_project_id: str | None = None
    extra: dict[str, Any] = field(factory=dict)
    options: dict[str, Any] = field(factory=dict)
    password_expires_at: float | None = None
    #: False for a first-use user changed through the API: it still
    #: authenticates with any password until it is given one.
    checks_password: bool = True


@define
class Group:
    id: str
    name: str
    domain_id: str = DEFAULT_DOMAIN_ID
    description: str = ""
    members: set[str] = field(factory=set)


@define
class ApplicationCredential:
    id: str
    name: str
    user_id: str
    project_id: str
    secret: str
    roles: tuple[Role, ...]
    description: str | None = None
    expires_at: float | None = None
    unrestricted: bool = False


@define(frozen=True)
class Target:
    """
    Where a role is held: ``project``, ``domain`` or ``system``, and
    which one.
    """

    kind: str
    id: str


@define(frozen=True)
class Assignment:
    """
    One role held by a user or a group on a target; ``via_group``
    names the group an effective assignment came through.  ``inherited``
    marks a grant inherited to the projects below ``target``
    (``OS-INHERIT``); ``inherited_from`` is where an effective
    assignment on a project was inherited from.
    """

    role: Role
    actor_kind: str
    actor_id: str
    target: Target
    via_group: str | None = None
    inherited: bool = False
    inherited_from: Target | None = None


@define
class Credential:
    """
    Keystone's generic credential (``/v3/credentials``): a blob of a
    type for a user, perhaps tied to a project.  EC2 credentials are
    ones of type ``ec2`` whose blob holds ``access`` and ``secret``.
    """

    id: str
    user_id: str
    type: str
    blob: str
    project_id: str | None = None


@define
class Consumer:
    """
    An OAuth 1.0a consumer (``/v3/OS-OAUTH1/consumers``).
    """

    id: str
    secret: str
    description: str = ""
