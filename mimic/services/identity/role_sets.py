# -*- test-case-name: mimic.test.test_identity_role_sets -*-
"""
Which roles a cloud has: a :class:`RoleSet` per profile.

Rackspace's profile keeps the roles Mimic has always had: Rackspace
Identity's ``identity:user-admin`` (an account's owner) and
``identity:admin`` beside Keystone's defaults.  A profile without
Rackspace's extensions gets what a DevStack install of current upstream
OpenStack holds (:data:`DEVSTACK_ROLES`): the five ``keystone-manage
bootstrap`` makes (``reader``, ``member``, ``manager``, ``admin``, each
implying the one before, and ``service``; all five immutable), and the two DevStack's
``lib/keystone`` adds (``ResellerAdmin``, which Swift's reseller
requests need, and ``anotherrole``, held by its ``demo`` user).

The directory (:mod:`~mimic.services.identity.directory`) asks its set
what to create at start, what a first-use user holds on its own project
and what the configured administrator is granted; nothing else in
identity names a role a profile may lack.
"""

from __future__ import annotations

from attrs import frozen

from mimic.profiles import Profile
from mimic.services.identity.records import RACKSPACE_ADMIN_ROLE
from mimic.session import ADMIN_ROLE, DEFAULT_ROLES, SERVICE_ROLE, named_role


@frozen
class RoleSet:
    """
    A cloud's roles when it starts.
    """

    #: ``(name, description)`` of every global role there is at start; a
    #: description of ``None`` is a role made without one (Keystone's
    #: bootstrap gives none).
    roles: tuple[tuple[str, str | None], ...]
    #: What a user made on first use holds on its own project (and on
    #: the domain ``Default``) until its grants are changed.
    first_use: tuple[str, ...]
    #: What the configured administrator is granted on its project, the
    #: domain ``Default`` and the system.
    administrator: tuple[str, ...]
    #: Prior role -> the roles it implies, as the cloud starts.
    implies: tuple[tuple[str, tuple[str, ...]], ...]
    #: The roles made immutable (``"options": {"immutable": true}``), as
    #: ``keystone-manage bootstrap`` makes its own.
    immutable: tuple[str, ...] = ()

    @property
    def first_use_ids(self) -> set[str]:
        """
        The ids of :attr:`first_use` (a role's id derives from its name).
        """
        return {named_role(name).id for name in self.first_use}


#: Mimic's roles as they have always been: Rackspace's two and Keystone's
#: ``member``, ``reader``, ``admin`` and ``service``.
RACKSPACE_ROLES = RoleSet(
    roles=(
        *DEFAULT_ROLES,
        (ADMIN_ROLE, "Administrator of the cloud."),
        (RACKSPACE_ADMIN_ROLE, "Identity Administrator Role."),
        (SERVICE_ROLE, "OpenStack services' own users."),
    ),
    first_use=tuple(name for name, _ in DEFAULT_ROLES),
    administrator=(*(name for name, _ in DEFAULT_ROLES), ADMIN_ROLE, RACKSPACE_ADMIN_ROLE),
    implies=((ADMIN_ROLE, ("member",)), ("member", ("reader",))),
)

#: A DevStack install's roles (see the module's docstring).  A first-use
#: user holds ``member`` (``reader`` comes with it), as DevStack's users
#: and tempest's own do; the administrator holds ``admin`` (and, by
#: implication, the rest of the bootstrap's chain).  The bootstrap's five
#: are immutable; DevStack's own two are not.
DEVSTACK_ROLES = RoleSet(
    roles=(
        (ADMIN_ROLE, None),
        ("manager", None),
        ("member", None),
        ("reader", None),
        (SERVICE_ROLE, None),
        ("ResellerAdmin", None),
        ("anotherrole", None),
    ),
    first_use=("member",),
    administrator=(ADMIN_ROLE,),
    implies=((ADMIN_ROLE, ("manager",)), ("manager", ("member",)), ("member", ("reader",))),
    immutable=(ADMIN_ROLE, "manager", "member", "reader", SERVICE_ROLE),
)


#: Each profile's own set, by name.
_BY_PROFILE = {"rackspace": RACKSPACE_ROLES, "openstack": DEVSTACK_ROLES}


def role_set(profile: Profile) -> RoleSet:
    """
    The roles of a profile's cloud: its own set, else Rackspace's for a
    profile with Rackspace's extensions and DevStack's for any other.
    """
    chosen = _BY_PROFILE.get(profile.name)
    if chosen is not None:
        return chosen
    return RACKSPACE_ROLES if profile.rackspace_extensions else DEVSTACK_ROLES
