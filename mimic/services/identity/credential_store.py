# -*- test-case-name: mimic.test.test_identity_v3_admin -*-
"""
The credentials identity's directory keeps: application credentials
(which authenticate as their user, on their project, with their roles)
and Keystone's generic credentials (EC2 ones included).
:class:`CredentialStore` is a part of
:class:`~mimic.services.identity.directory.Directory`, kept apart to
keep each module to one concern.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod

from mimic.services.identity.records import (
    ApplicationCredential,
    Credential,
    DirectoryError,
    Project,
    Target,
    conflict,
    new_id,
    not_found,
)
from mimic.session import Role, Token, User


class CredentialStore(ABC):
    """
    The credentials half of the directory (its fields are the
    directory's, and so are the lookups declared abstract).
    """

    credentials: dict[str, ApplicationCredential]
    blobs: dict[str, Credential]

    @abstractmethod
    def effective_role_ids(self, user: User, target: Target) -> set[str]:
        ...

    @abstractmethod
    def project(self, project_id: str) -> Project:
        ...

    # -- application credentials -----------------------------------------

    def add_credential(
        self,
        user: User,
        token: Token,
        name: str,
        secret: str | None,
        description: str | None,
        expires_at: float | None,
        roles: list[Role] | None,
        unrestricted: bool,
    ) -> ApplicationCredential:
        if token.tenant_id is None:
            raise DirectoryError(
                400, "Application credentials need a project-scoped token to be created."
            )
        if any(c.user_id == user.id and c.name == name for c in self.credentials.values()):
            raise conflict("application_credential", "name", name)
        held = {r.id for r in token.roles} | self.effective_role_ids(
            user, Target("project", token.tenant_id)
        )
        chosen = tuple(token.roles) if not roles else tuple(roles)
        for role in chosen:
            if role.id not in held:
                raise DirectoryError(
                    404, f"Could not find role: {role.id}."
                )
        credential = ApplicationCredential(
            new_id(), name, user.id, token.tenant_id,
            secret if secret else secrets.token_urlsafe(48),
            chosen, description, expires_at, unrestricted,
        )
        self.credentials[credential.id] = credential
        return credential

    def credential(self, user: User, credential_id: str) -> ApplicationCredential:
        credential = self.credentials.get(credential_id)
        if credential is None or credential.user_id != user.id:
            raise not_found("application credential", credential_id)
        return credential

    def remove_credential(self, credential: ApplicationCredential) -> None:
        del self.credentials[credential.id]


    # -- credentials (generic and EC2) -----------------------------------

    def add_blob(self, user: User, type: str, blob: str, project_id: str | None, ident: str | None = None) -> Credential:
        if project_id is not None:
            self.project(project_id)
        credential = Credential(ident or new_id(), user.id, type, blob, project_id)
        if credential.id in self.blobs:
            raise conflict("credential", "id", credential.id)
        self.blobs[credential.id] = credential
        return credential

    def blob(self, credential_id: str) -> Credential:
        found = self.blobs.get(credential_id)
        if found is None:
            raise not_found("credential", credential_id)
        return found
