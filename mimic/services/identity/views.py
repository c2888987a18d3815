# -*- test-case-name: mimic.test.test_identity_views -*-
"""
Identity on the wire: tokens, users, projects, roles and catalogs as v2.0
(Rackspace's shape) and v3 (Keystone's) write them, and what identity
adds to the service catalog: itself.

The core lists every plugin's entries; real clouds also list identity, in
every region the other services use (a client filtering on its region
must still find it), at the version the token was asked of.

v3 documents link to themselves: their functions take ``v3_url``, the
v3 root as the client reached it (``http://<host>/identity/v3``).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote

from mimic.catalog import Endpoint, Entry, ResolvedEntry, changed, resolve, stable_id
from mimic.interfaces import IMimicCore
from mimic.profiles import Profile
from mimic.services.identity.directory import (
    Account,
    ApplicationCredential,
    Assignment,
    Domain,
    Group,
    Project,
    directory_of,
)
from mimic.services.identity.written import WrittenEntry
from mimic.services.identity.model import API_KEY_CREDENTIALS, DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME
from mimic.session import DEFAULT_REGION, Role, Token, User
from mimic.timestamps import iso_microseconds, iso_milliseconds, iso_seconds

#: The interfaces Rackspace's v3 catalog lists every endpoint under.
INTERFACES = ("public", "internal", "admin")

#: An upstream cloud's (DevStack's) catalog: the public interface only.
PUBLIC_ONLY = ("public",)


def catalog_with_identity(
    core: IMimicCore, tenant_id: str, base_url: str, identity_path: str
) -> list[ResolvedEntry]:
    """
    The tenant's catalog with identity's own entry at the end;
    ``identity_path`` is the version's path from Mimic's root
    (``"identity/v3"``).
    """
    entries: list[ResolvedEntry] = core.catalog(tenant_id, base_url)
    entries += directory_of(core).catalog.entries(tenant_id)
    regions = sorted(
        {e.region for entry in entries for e in entry.endpoints if e.region is not None}
    ) or [DEFAULT_REGION]
    path = core.profile.identity_endpoint or identity_path
    identity = Entry(
        type="identity",
        name="keystone",
        endpoints=tuple(Endpoint(region, path, absolute_path=True) for region in regions),
    )
    own = resolve("identity", tenant_id, base_url, [identity])
    if core.profile.catalog:
        own = changed(own, core.profile.catalog, tenant_id)
    return entries + own


# -- v2.0 -------------------------------------------------------------------


def v2_token_json(token: Token) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": token.id,
        "expires": iso_milliseconds(token.expires),
        "issued_at": iso_seconds(token.issued_at),
        "RAX-AUTH:authenticatedBy": list(token.methods),
    }
    if token.tenant_id is not None:
        described["tenant"] = {"id": token.tenant_id, "name": token.tenant_id}
    return described


def v2_user_json(user: User, roles: Iterable[Role]) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.username,
        "username": user.username,
        "roles": v2_roles_json(roles),
        "roles_links": [],
        "RAX-AUTH:defaultRegion": user.default_region,
    }


def v2_roles_json(roles: Iterable[Role]) -> list[dict[str, Any]]:
    return [
        {"id": role.id, "name": role.name, "description": role.description}
        for role in roles
    ]


def access_json(token: Token, catalog: list[ResolvedEntry] | None) -> dict[str, Any]:
    """
    A v2.0 ``access``: the token, its user, the catalog (left out when
    ``None``, as validation leaves it out) and who impersonates the user.
    """
    access: dict[str, Any] = {
        "token": v2_token_json(token),
        "user": v2_user_json(token.user, token.roles),
    }
    if catalog is not None:
        access["serviceCatalog"] = [entry.to_v2() for entry in catalog]
    if token.impersonator is not None:
        access["RAX-AUTH:impersonator"] = {
            "id": token.impersonator.id,
            "name": token.impersonator.username,
            "roles": v2_roles_json(token.impersonator.roles),
        }
    return access


def impersonation_json(token: Token) -> dict[str, Any]:
    return {"access": {"token": {"id": token.id, "expires": iso_milliseconds(token.expires)}}}


def v2_endpoints_json(catalog: Iterable[ResolvedEntry]) -> dict[str, Any]:
    """
    ``GET /tokens/<id>/endpoints``: every endpoint of the catalog, each
    naming its service.
    """
    endpoints = []
    for entry in catalog:
        for endpoint in entry.endpoints:
            described = endpoint.to_v2()
            described.update({"id": endpoint.id, "name": entry.name, "type": entry.type})
            endpoints.append(described)
    return {"endpoints": endpoints, "endpoints_links": []}


def user_profile_json(user: User) -> dict[str, Any]:
    """
    A user as ``GET /users`` answers (Rackspace's shape).
    """
    return {
        "id": user.id,
        "username": user.username,
        "email": f"{user.username}@example.com",
        "enabled": True,
        "RAX-AUTH:defaultRegion": user.default_region,
        "RAX-AUTH:domainId": user.tenant_id,
    }


def api_key_json(user: User) -> dict[str, Any]:
    return {API_KEY_CREDENTIALS: {"username": user.username, "apiKey": user.api_key}}


def tenant_json(tenant_id: str, name: str | None = None) -> dict[str, Any]:
    return {"id": tenant_id, "name": tenant_id if name is None else name, "enabled": True, "description": None}


# -- v3 ---------------------------------------------------------------------


def link(v3_url: str, *path: str) -> str:
    return "/".join([v3_url, *(quote(p, safe="") for p in path)])


def domain_ref() -> dict[str, str]:
    return {"id": DEFAULT_DOMAIN_ID, "name": DEFAULT_DOMAIN_NAME}


def audit_id(token: Token) -> str:
    """
    A Keystone-style 22-character audit id, stable for a token, so that a
    token can be told apart in logs without revealing it.
    """
    digest = hashlib.sha256(token.id.encode("ascii")).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def catalog_interfaces(profile: Profile) -> tuple[str, ...]:
    """
    The interfaces a profile's v3 catalog lists each endpoint under:
    public alone as DevStack registers them (and ``keystone-manage
    bootstrap`` does, given only a public URL) for an upstream cloud;
    public, internal and admin, as Mimic always has, for Rackspace's.
    """
    return INTERFACES if profile.rackspace_extensions else PUBLIC_ONLY


def catalog_json(
    entries: Iterable[ResolvedEntry], interfaces: tuple[str, ...] = INTERFACES
) -> list[dict[str, Any]]:
    """
    A v3 catalog: each endpoint under each of ``interfaces`` (see
    :func:`catalog_interfaces`).  A service's own internal URL
    (Rackspace's ServiceNet) is kept where it declares one.  Endpoints
    written through the API keep the interfaces they were written with.
    """
    described = []
    for entry in entries:
        if isinstance(entry, WrittenEntry):
            described.append(entry.to_v3())
            continue
        endpoints = []
        for endpoint in entry.endpoints:
            urls = {
                "public": endpoint.public_url,
                "internal": endpoint.internal_url or endpoint.public_url,
                "admin": endpoint.public_url,
            }
            for interface in interfaces:
                endpoints.append(
                    {
                        "id": stable_id(endpoint.id, interface),
                        "interface": interface,
                        "region": endpoint.region,
                        "region_id": endpoint.region,
                        "url": urls[interface],
                    }
                )
        described.append(
            {"id": entry.id, "name": entry.name, "type": entry.type, "endpoints": endpoints}
        )
    return described


def v3_token_json(
    token: Token,
    catalog: list[ResolvedEntry] | None,
    project_ref: dict[str, Any] | None = None,
    domain_ref_of: dict[str, Any] | None = None,
    interfaces: tuple[str, ...] = INTERFACES,
) -> dict[str, Any]:
    """
    A v3 token: a scoped token carries its roles and, unless ``catalog``
    is ``None`` (``?nocatalog``), its catalog, listing each endpoint
    under ``interfaces``.  Which roles there are is the profile's (see
    :mod:`~mimic.services.identity.role_sets`): a token lists those it
    holds, whatever their names.
    """
    user = token.user
    body: dict[str, Any] = {
        "methods": [method.lower() for method in token.methods],
        "user": {
            "id": user.id,
            "name": user.username,
            "domain": {"id": user.domain_id, "name": DEFAULT_DOMAIN_NAME}
            if user.domain_id == DEFAULT_DOMAIN_ID else {"id": user.domain_id, "name": user.domain_id},
            "password_expires_at": None,
        },
        "audit_ids": [audit_id(token)],
        "expires_at": iso_microseconds(token.expires),
        "issued_at": iso_microseconds(token.issued_at),
    }
    if token.tenant_id is not None:
        project = project_ref or {"id": token.tenant_id, "name": token.tenant_id, "domain": domain_ref()}
        body["project"] = project
        body["is_domain"] = False
    elif token.domain_scoped:
        body["domain"] = domain_ref_of or domain_ref()
    elif token.system:
        body["system"] = {"all": True}
    else:
        return body
    body["roles"] = [{"id": role.id, "name": role.name} for role in token.roles]
    if catalog is not None:
        body["catalog"] = catalog_json(catalog, interfaces)
    return body


def collection_json(name: str, items: list[dict[str, Any]], self_url: str) -> dict[str, Any]:
    """
    A Keystone listing: the items and the collection's links.  Keystone
    does not page its listings.
    """
    return {name: items, "links": {"self": self_url, "previous": None, "next": None}}


def domain_json(v3_url: str, domain: Domain | None = None) -> dict[str, Any]:
    if domain is None:
        domain = Domain(DEFAULT_DOMAIN_ID, DEFAULT_DOMAIN_NAME, "The default domain")
    return {
        "id": domain.id,
        "name": domain.name,
        "description": domain.description,
        "enabled": domain.enabled,
        "tags": list(domain.tags),
        "options": {},
        "links": {"self": link(v3_url, "domains", domain.id)},
    }


def project_json(v3_url: str, project: Project | str) -> dict[str, Any]:
    if isinstance(project, str):
        project = Project(project, project, own=True)
    return {
        "id": project.id,
        "name": project.name,
        "domain_id": None if project.is_domain else project.domain_id,
        "description": project.description,
        "enabled": project.enabled,
        "is_domain": project.is_domain,
        "parent_id": (
            None if project.is_domain
            else project.parent_id if project.parent_id is not None else project.domain_id
        ),
        "tags": list(project.tags),
        "options": dict(project.options),
        "links": {"self": link(v3_url, "projects", project.id)},
    }


def v3_user_json(
    v3_url: str, user: User, account: Account | None = None, example_email: bool = True
) -> dict[str, Any]:
    """
    A user as Keystone v3 shows it.  A user made on first use (no
    ``account``) has its own project as its default and, when
    ``example_email`` (Rackspace's profile, as Mimic always had it), an
    address at ``example.com``; Keystone shows no ``email`` for a user
    made without one.
    """
    described: dict[str, Any] = {
        "id": user.id,
        "name": user.username,
        "domain_id": user.domain_id,
        "enabled": True,
        "password_expires_at": None,
        "options": {},
        "links": {"self": link(v3_url, "users", user.id)},
    }
    if account is None:
        described["default_project_id"] = user.tenant_id
        if example_email:
            described["email"] = f"{user.username}@example.com"
        return described
    described["enabled"] = account.enabled
    described["options"] = dict(account.options)
    if account.default_project_id is not None:
        described["default_project_id"] = account.default_project_id
    if account.email is not None:
        described["email"] = account.email
    if account.description is not None:
        described["description"] = account.description
    if account.password_expires_at is not None:
        described["password_expires_at"] = iso_microseconds(account.password_expires_at)
    described.update(account.extra)
    return described


def role_json(v3_url: str, role: Role, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """
    A role as Keystone shows it, with its resource options (``{}`` when
    it has none; ``{"immutable": true}`` for the bootstrap's roles).
    """
    return {
        "id": role.id,
        "name": role.name,
        "description": role.description,
        "domain_id": role.domain_id,
        "options": dict(options or {}),
        "links": {"self": link(v3_url, "roles", role.id)},
    }


def group_json(v3_url: str, group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "domain_id": group.domain_id,
        "description": group.description,
        "links": {"self": link(v3_url, "groups", group.id)},
    }


def application_credential_json(
    v3_url: str, credential: ApplicationCredential, with_secret: bool = False
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "id": credential.id,
        "name": credential.name,
        "description": credential.description,
        "user_id": credential.user_id,
        "project_id": credential.project_id,
        # Keystone writes it back without a zone, as it was given.
        "expires_at": iso_microseconds(credential.expires_at)[:-1] if credential.expires_at else None,
        "unrestricted": credential.unrestricted,
        "system": None,
        "access_rules": [],
        "roles": [
            {"id": r.id, "name": r.name, "domain_id": r.domain_id} for r in credential.roles
        ],
        "links": {
            "self": link(v3_url, "users", credential.user_id, "application_credentials", credential.id)
        },
    }
    if with_secret:
        described["secret"] = credential.secret
    return described


def role_assignment_json(
    v3_url: str, assignment: Assignment, names: Callable[[Assignment], dict[str, Any]] | None
) -> dict[str, Any]:
    """
    One role assignment as ``/role_assignments`` lists it; ``names``
    (for ``include_names``) gives the names of what it mentions.
    """
    role = assignment.role
    actor = {"id": assignment.actor_id}
    target = assignment.target
    scope: dict[str, Any]
    if target.kind == "system":
        scope = {"system": {"all": True}}
        path = ["system", assignment.actor_kind + "s", assignment.actor_id, "roles", role.id]
    else:
        scope = {target.kind: {"id": target.id}}
        path = [target.kind + "s", target.id, assignment.actor_kind + "s", assignment.actor_id, "roles", role.id]
    source = target if assignment.inherited else assignment.inherited_from
    if source is not None:
        # OS-INHERIT: the grant is held on the domain or project above.
        if assignment.inherited:
            scope["OS-INHERIT:inherited_to"] = "projects"
        actor_kind, actor_id = (
            ("group", assignment.via_group)
            if assignment.via_group is not None
            else (assignment.actor_kind, assignment.actor_id)
        )
        path = [
            "OS-INHERIT", source.kind + "s", source.id, actor_kind + "s", actor_id,
            "roles", role.id, "inherited_to_projects",
        ]
    described: dict[str, Any] = {
        "role": {"id": role.id},
        assignment.actor_kind: actor,
        "scope": scope,
        "links": {"assignment": link(v3_url, *path)},
    }
    if assignment.via_group is not None:
        described["links"]["membership"] = link(
            v3_url, "groups", assignment.via_group, "users", assignment.actor_id
        )
    if names is not None:
        extra = names(assignment)
        described["role"].update(extra.get("role", {}))
        actor.update(extra.get("actor", {}))
        if target.kind != "system":
            scope[target.kind].update(extra.get("scope", {}))
    return described


def service_json(
    v3_url: str, entry: ResolvedEntry, descriptions: Mapping[tuple[str, str], str] | None = None
) -> dict[str, Any]:
    """
    A served (plugin's) service.  With ``descriptions`` (an upstream
    cloud's, by type and name), a service has the description found
    there and none at all otherwise, as Keystone keeps a service made
    without one; without, every description is empty (Rackspace's).
    """
    described: dict[str, Any] = {"id": entry.id, "name": entry.name, "type": entry.type}
    if descriptions is None:
        described["description"] = ""
    elif (entry.type, entry.name) in descriptions:
        described["description"] = descriptions[entry.type, entry.name]
    described.update({"enabled": True, "links": {"self": link(v3_url, "services", entry.id)}})
    return described


def endpoints_json(
    v3_url: str, entries: list[ResolvedEntry], interfaces: tuple[str, ...] = INTERFACES
) -> list[dict[str, Any]]:
    """
    Every endpoint of a catalog under each of ``interfaces``, as
    ``/endpoints`` lists them (the same as tokens' catalogs).
    """
    described = []
    for entry, catalog_entry in zip(entries, catalog_json(entries, interfaces)):
        for endpoint in catalog_entry["endpoints"]:
            endpoint = dict(endpoint)
            endpoint.update(
                {
                    "service_id": entry.id,
                    "enabled": True,
                    "links": {"self": link(v3_url, "endpoints", endpoint["id"])},
                }
            )
            described.append(endpoint)
    return described


def regions_json(v3_url: str, entries: Iterable[ResolvedEntry]) -> list[dict[str, Any]]:
    """
    The regions a catalog's endpoints are in.
    """
    regions = sorted(
        {
            endpoint.region
            for entry in entries
            for endpoint in entry.endpoints
            if endpoint.region is not None
        }
    )
    return [
        {
            "id": region,
            "description": "",
            "parent_region_id": None,
            "links": {"self": link(v3_url, "regions", region)},
        }
        for region in regions
    ]
