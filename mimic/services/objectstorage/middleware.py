# -*- test-case-name: mimic.test.test_objectstorage_profiles -*-
"""
What a Swift proxy does differently in each cloud profile.

Rackspace's Cloud Files (the ``rackspace`` profile) has its CDN
management API and no reseller: every account is its own project's.
A DevStack install's proxy (a profile without Rackspace's extensions)
has no CDN, but runs Keystone's ``keystoneauth`` with a reseller admin
role (``ResellerAdmin``, which DevStack creates) and the
``account_quotas`` middleware:

* a token carrying ``ResellerAdmin`` may act on any account;
* only such a token may set or remove an account's quotas
  (``X-Account-Meta-Quota-Bytes``, and Swift 2.34's
  ``X-Account-Quota-Bytes`` and ``X-Account-Quota-Count``, the last two
  kept as system metadata a client never sees); anyone else's attempt,
  removal included, is 403, and a value that is not a whole number 400;
* an upload that would take the account past its quota is 413, as a
  container's quota is;
* ``crossdomain`` serves a Flash cross-domain policy at
  ``<prefix>/crossdomain.xml``, allowing every domain (its default).

The Rackspace profile keeps answering exactly as before: its accounts
keep ``Quota-Bytes`` as any other metadata.
"""

from __future__ import annotations

from typing import Any

from mimic.profiles import Profile

#: DevStack's role for Swift's reseller requests (keystoneauth's default).
RESELLER_ADMIN_ROLE = "ResellerAdmin"

#: The account headers that set a quota, by the key it is kept under:
#: the metadata's ``quota-bytes`` (shown back as
#: ``X-Account-Meta-Quota-Bytes``) or the system metadata's.
QUOTA_HEADERS = {
    "x-account-meta-quota-bytes": ("metadata", "quota-bytes"),
    "x-account-quota-bytes": ("system", "quota-bytes"),
    "x-account-quota-count": ("system", "quota-count"),
}


#: The container headers that say where ``versioned_writes`` keeps
#: versions (:mod:`.versioning`), kept beside the ACLs and shown back as
#: they were given.
VERSIONS_HEADERS = ("x-versions-location",)

#: What ``crossdomain`` allows by default, as ``/info`` reports it.
CROSS_DOMAIN_POLICY = '<allow-access-from domain="*" secure="false" />'


def cross_domain_document() -> bytes:
    """
    The policy document ``crossdomain`` serves.
    """
    return (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE cross-domain-policy SYSTEM '
        '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n'
        f"<cross-domain-policy>\n{CROSS_DOMAIN_POLICY}\n</cross-domain-policy>"
    ).encode("utf-8")


def devstack_proxy(profile: Profile) -> bool:
    """
    Whether Swift answers as DevStack's proxy (reseller admin, account
    quotas, no CDN) rather than as Rackspace's Cloud Files.
    """
    return not profile.rackspace_extensions


def is_reseller(profile: Profile, token: Any) -> bool:
    """
    Whether ``token`` is a reseller admin's, who may act on any account.
    """
    return token is not None and devstack_proxy(profile) and token.has_role(RESELLER_ADMIN_ROLE)


def quota_changes(headers: dict[str, str]) -> dict[tuple[str, str], str | None]:
    """
    The account quotas a request sets (an empty value, or the header's
    ``X-Remove-`` form, removes one: ``None``), by where each is kept.
    """
    changes: dict[tuple[str, str], str | None] = {}
    for name, where in QUOTA_HEADERS.items():
        if name in headers:
            changes[where] = headers[name] or None
        if "x-remove-" + name[2:] in headers:
            changes[where] = None
    return changes


def quota_refusal(changes: dict[tuple[str, str], str | None], reseller: bool) -> int | None:
    """
    The status Swift's ``account_quotas`` refuses these changes with, if
    it does: 403 for anyone but a reseller, 400 for a value that is not a
    whole number.
    """
    if not changes:
        return None
    if not reseller:
        return 403
    if any(value is not None and not value.isdigit() for value in changes.values()):
        return 400
    return None


def exceeds(limit: str | None, used: int, more: int) -> bool:
    """
    Whether ``more`` on top of ``used`` goes past a quota kept as text
    (none, or one that is not a number, limits nothing).
    """
    if limit is None or not limit.isdigit():
        return False
    return used + more > int(limit)
