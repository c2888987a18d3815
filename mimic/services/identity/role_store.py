# -*- test-case-name: mimic.test.test_identity_role_options -*-
"""
The directory's roles: global and domain-specific ones, found by id or
name, made, changed and deleted as Keystone allows, with their resource
options (:mod:`~mimic.services.identity.role_options`: an immutable
role refuses changes and deletion).  :class:`RoleStore` is a part of
:class:`~mimic.services.identity.directory.Directory`, kept apart to
keep each module to one concern.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable

from mimic.services.identity.records import Domain, Target, conflict, new_id, not_found
from mimic.services.identity.role_options import check_delete, check_update, with_options
from mimic.session import Role


class RoleStore(ABC):
    """
    The roles half of the directory (its fields are the directory's, and
    so are the methods declared below).
    """

    roles: dict[str, Role]
    role_options: dict[str, dict[str, Any]]
    implications: dict[str, set[str]]
    grants: dict[tuple[str, str, Target], set[str]]

    @abstractmethod
    def domain(self, domain_id: str) -> Domain:
        ...

    #: Provided by the directory's other parts (:class:`~mimic.services.
    #: identity.grants.Grants`, :class:`~mimic.services.identity.
    #: inherited.InheritedGrants`): declared here, not defined, so that
    #: whatever the order of the directory's bases theirs are found.
    _revoke_for: Callable[[tuple[str, str, Target]], None]
    forget_inherited: Callable[..., None]

    def role_named(self, name: str, domain_id: str | None = None) -> Role | None:
        for role in self.roles.values():
            if role.name == name and role.domain_id == domain_id:
                return role
        return None

    def role(self, role_id: str) -> Role:
        role = self.roles.get(role_id)
        if role is None:
            raise not_found("role", role_id)
        return role

    def options_of(self, role: Role) -> dict[str, Any]:
        """
        The role's resource options (``{}`` for most).
        """
        return self.role_options.get(role.id, {})

    def add_role(
        self, name: str, description: str, domain_id: str | None, options: dict[str, Any] | None = None
    ) -> Role:
        if self.role_named(name, domain_id) is not None:
            raise conflict("role", "name", name)
        if domain_id is not None:
            self.domain(domain_id)
        role = Role(new_id(), name, description, domain_id)
        self.roles[role.id] = role
        self._set_options(role, with_options({}, options))
        return role

    def _set_options(self, role: Role, options: dict[str, Any]) -> None:
        if options:
            self.role_options[role.id] = options
        else:
            self.role_options.pop(role.id, None)

    def update_role(
        self,
        role: Role,
        name: str | None,
        description: str | None,
        given: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
    ) -> Role:
        """
        Rename or describe a role, or change its options; ``given`` is
        the request's role object, which an immutable role refuses unless
        it only clears the option.
        """
        check_update(role.id, self.options_of(role), given or {})
        if name is not None and name != role.name and self.role_named(name, role.domain_id):
            raise conflict("role", "name", name)
        self._set_options(role, with_options(self.options_of(role), options))
        updated = Role(
            role.id,
            role.name if name is None else name,
            role.description if description is None else description,
            role.domain_id,
        )
        self.roles[role.id] = updated
        return updated

    def remove_role(self, role: Role) -> None:
        check_delete(role.id, self.options_of(role))
        del self.roles[role.id]
        self.role_options.pop(role.id, None)
        self.implications.pop(role.id, None)
        for implied in self.implications.values():
            implied.discard(role.id)
        for key, held in list(self.grants.items()):
            if role.id in held:
                held.discard(role.id)
                self._revoke_for(key)
        self.forget_inherited(role_id=role.id)
