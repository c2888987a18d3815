# -*- test-case-name: mimic.test.test_identity_role_options -*-
"""
A role's resource options, as Keystone keeps them: ``immutable`` is the
one a role takes.  ``keystone-manage bootstrap`` makes its roles
immutable (see :attr:`mimic.services.identity.role_sets.RoleSet.immutable`);
an immutable role cannot be deleted, nor changed except to clear the
option, and Keystone answers 403 naming the role.

No HTTP here: a refusal is a :class:`DirectoryError`.
"""

from __future__ import annotations

from typing import Any, Mapping

from mimic.services.identity.records import DirectoryError

#: The option that freezes a role.
IMMUTABLE = "immutable"

#: Every option a role may set.
ROLE_OPTIONS = (IMMUTABLE,)


def _invalid(path: str, message: str) -> DirectoryError:
    return DirectoryError(400, f"Invalid input for field '{path}': {message}")


def requested_options(given: Mapping[str, Any]) -> dict[str, Any] | None:
    """
    The ``options`` a role's create or update body gives (None when it
    gives none), checked as Keystone's schema checks them: an object of
    known options, each a boolean or null.
    """
    if "options" not in given:
        return None
    options = given["options"]
    if not isinstance(options, dict):
        raise _invalid("options", f"{options!r} is not of type 'object'")
    unknown = [name for name in options if name not in ROLE_OPTIONS]
    if unknown:
        listed = ", ".join(repr(name) for name in unknown)
        verb = "were" if len(unknown) > 1 else "was"
        raise _invalid("options", f"Additional properties are not allowed ({listed} {verb} unexpected)")
    for name, value in options.items():
        if value is not None and not isinstance(value, bool):
            raise _invalid(f"options/{name}", f"{value!r} is not of type 'boolean', 'null'")
    return dict(options)


def with_options(current: Mapping[str, Any], requested: Mapping[str, Any] | None) -> dict[str, Any]:
    """
    A role's options after a request: each option given is set, one
    given as null is cleared.
    """
    options = dict(current)
    for name, value in (requested or {}).items():
        if value is None:
            options.pop(name, None)
        else:
            options[name] = value
    return options


def is_immutable(options: Mapping[str, Any]) -> bool:
    return bool(options.get(IMMUTABLE, False))


def check_update(role_id: str, options: Mapping[str, Any], given: Mapping[str, Any]) -> None:
    """
    Refuse an update (the request's role object ``given``) of an
    immutable role, unless all it does is clear the option.
    """
    if not is_immutable(options):
        return
    requested = given.get("options")
    clears = (
        len(given) == 1
        and isinstance(requested, dict)
        and IMMUTABLE in requested
        and requested[IMMUTABLE] in (False, None)
    )
    if not clears:
        raise DirectoryError(
            403,
            f"Unable to update immutable role resource: `{role_id}. "
            'Set resource option "immutable" to false first.',
        )


def check_delete(role_id: str, options: Mapping[str, Any]) -> None:
    """
    Refuse to delete an immutable role.
    """
    if is_immutable(options):
        raise DirectoryError(
            403,
            f"Unable to delete immutable role resource: `{role_id}. "
            'Set resource option "immutable" to false first.',
        )
