# -*- test-case-name: mimic.test.test_snapshots -*-
"""
Identity's directory (domains, projects, managed users' accounts, roles,
groups, grants, credentials) as plain JSON, for snapshots and
``--state-file``.  The users and tokens themselves are the core's and
saved by it; the directory refers to them by id.

The administrator's name and password are configuration, not state:
a restored directory takes them from the settings of the Mimic it is
restored into, and its role set (who a first-use user's defaults are)
from that Mimic's profile.
"""

from __future__ import annotations

from typing import Any

from mimic.interfaces import IMimicCore
from mimic.saved import field_of, record_from, record_json
from mimic.services.identity.directory import Directory, new_directory
from mimic.services.identity.records import (
    Account,
    ApplicationCredential,
    Consumer,
    Credential,
    Domain,
    Group,
    Project,
    Target,
)
from mimic.services.identity.trusts import Trust, Trusts
from mimic.services.identity.written import (
    EndpointGroup,
    EndpointTemplate,
    Policy,
    Region,
    Service,
    WrittenCatalog,
    WrittenEndpoint,
)
from mimic.session import Role

#: The written catalog's associations: key -> a set of ids.
ASSOCIATIONS = ("tenant_templates", "project_endpoints", "group_projects")

#: The written catalog's collections and the records they hold.
CATALOG_RECORDS: tuple[tuple[str, type], ...] = (
    ("regions", Region),
    ("services", Service),
    ("endpoints", WrittenEndpoint),
    ("templates", EndpointTemplate),
    ("endpoint_groups", EndpointGroup),
    ("policies", Policy),
)

#: The form :func:`save_directory` writes (bumped when an older one can
#: no longer be read).
STATE_FORMAT = 1


def _role(role: Role) -> list[Any]:
    return [role.id, role.name, role.description, role.domain_id]


def save_catalog(catalog: WrittenCatalog) -> dict[str, Any]:
    saved: dict[str, Any] = {
        name: [record_json(r) for r in getattr(catalog, name).values()] for name, _ in CATALOG_RECORDS
    }
    for name in ASSOCIATIONS:
        saved[name] = {k: sorted(ids) for k, ids in getattr(catalog, name).items()}
    return saved


def restore_catalog(saved: Any) -> WrittenCatalog:
    where = "identity's written catalog"
    if not isinstance(saved, dict):
        raise ValueError(f"{where} must be an object")
    catalog = WrittenCatalog()
    for name, kind in CATALOG_RECORDS:
        records: list[Any] = [record_from(kind, r) for r in saved.get(name, [])]
        setattr(catalog, name, {r.id: r for r in records})
    for name in ASSOCIATIONS:
        associated = saved.get(name, {})
        if not isinstance(associated, dict):
            raise ValueError(f"{where}'s {name!r} is not of the expected kind")
        setattr(catalog, name, {k: set(ids) for k, ids in associated.items()})
    return catalog


def save_directory(directory: Directory) -> dict[str, Any]:
    return {
        "domains": [record_json(d) for d in directory.domains.values()],
        "projects": [record_json(p) for p in directory.projects.values()],
        "accounts": [record_json(a) for a in directory.accounts.values()],
        "roles": [_role(r) for r in directory.roles.values()],
        "role_options": directory.role_options,
        "groups": [record_json(g) for g in directory.groups.values()],
        "credentials": [
            {**record_json(c, leave_out=("roles",)), "roles": [_role(r) for r in c.roles]}
            for c in directory.credentials.values()
        ],
        "grants": [
            [kind, actor, target.kind, target.id, sorted(roles)]
            for (kind, actor, target), roles in directory.grants.items()
        ],
        "blobs": [record_json(b) for b in directory.blobs.values()],
        "unseen": [
            [kind, actor, target.kind, target.id, role_id, at]
            for (kind, actor, target, role_id), at in directory.unseen.items()
        ],
        "implications": {prior: sorted(implied) for prior, implied in directory.implications.items()},
        "catalog": save_catalog(directory.catalog),
        "domain_configs": directory.domain_configs,
        "consumers": [record_json(c) for c in directory.consumers.values()],
        "trusts": {
            "trusts": [record_json(t) for t in directory.trusts.trusts.values()],
            "tokens": dict(directory.trusts.tokens),
        },
        "inherited": [
            [kind, actor, target.kind, target.id, sorted(roles)]
            for (kind, actor, target), roles in directory.inherited.items()
        ],
    }


def restore_directory(core: IMimicCore, saved: Any) -> Directory:
    where = "identity's directory"
    directory = new_directory(core)
    domains = [record_from(Domain, d) for d in field_of(saved, "domains", list, where)]
    directory.domains = {d.id: d for d in domains}
    projects = [record_from(Project, p) for p in field_of(saved, "projects", list, where)]
    directory.projects = {p.id: p for p in projects}
    accounts = [record_from(Account, a) for a in field_of(saved, "accounts", list, where)]
    directory.accounts = {a.user_id: a for a in accounts}
    roles = [Role(*r) for r in field_of(saved, "roles", list, where)]
    directory.roles = {r.id: r for r in roles}
    # Added after STATE_FORMAT 1 was first written: an older save keeps
    # the options the profile's roles start with.
    options = saved.get("role_options", directory.role_options)
    if not isinstance(options, dict):
        raise ValueError(f"{where}'s 'role_options' is not of the expected kind")
    directory.role_options = {r: dict(o) for r, o in options.items() if r in directory.roles}
    groups = [
        record_from(Group, g, members=set(g.get("members", ())))
        for g in field_of(saved, "groups", list, where)
    ]
    directory.groups = {g.id: g for g in groups}
    credentials = [
        record_from(
            ApplicationCredential,
            {k: v for k, v in c.items() if k != "roles"},
            roles=tuple(Role(*r) for r in c["roles"]),
        )
        for c in field_of(saved, "credentials", list, where)
    ]
    directory.credentials = {c.id: c for c in credentials}
    directory.grants = {
        (kind, actor, Target(target_kind, target_id)): set(held)
        for kind, actor, target_kind, target_id, held in field_of(saved, "grants", list, where)
    }
    blobs = [record_from(Credential, b) for b in field_of(saved, "blobs", list, where)]
    directory.blobs = {b.id: b for b in blobs}
    directory.unseen = {
        (kind, actor, Target(target_kind, target_id), role_id): float(at)
        for kind, actor, target_kind, target_id, role_id, at in field_of(saved, "unseen", list, where)
    }
    directory.implications = {
        prior: set(implied) for prior, implied in field_of(saved, "implications", dict, where).items()
    }
    # Added after STATE_FORMAT 1 was first written: absent from older saves.
    directory.catalog = restore_catalog(saved.get("catalog", {}))
    configs = saved.get("domain_configs", {})
    if not isinstance(configs, dict):
        raise ValueError(f"{where}'s 'domain_configs' is not of the expected kind")
    directory.domain_configs = {
        d: {g: dict(o) for g, o in groups.items()} for d, groups in configs.items()
    }
    directory.consumers = {
        c.id: c for c in (record_from(Consumer, r) for r in saved.get("consumers", []))
    }
    trusts = saved.get("trusts", {})
    directory.trusts = Trusts(
        {t.id: t for t in (record_from(Trust, r) for r in field_of(trusts, "trusts", list, where))}
        if trusts else {},
        dict(field_of(trusts, "tokens", dict, where)) if trusts else {},
    )
    directory.inherited = {
        (kind, actor, Target(target_kind, target_id)): set(held)
        for kind, actor, target_kind, target_id, held in saved.get("inherited", [])
    }
    return directory
