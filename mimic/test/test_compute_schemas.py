# -*- test-case-name: mimic.test.test_compute_schemas -*-
"""
Mimic's compute responses checked against Nova's published response
schemas, at every microversion range they have.

The schemas are upstream's own: tempest ships them as Python modules
under ``tempest.lib.api_schema.response.compute.v2_<minor>`` (one
directory per microversion where a shape changed), and its clients
validate every response against them.  tempest is installed without its
dependencies for these modules (see tox.ini); nothing of it is copied
here.  A module of a later directory holds only the calls it changed
(and those it re-exports), so the schema for a call at a microversion is
the one of the latest directory at or below it that has the call, as
tempest's clients choose.

Under the ``rackspace`` profile Mimic keeps the attributes Rackspace's
API adds (:data:`RACKSPACE_EXTENSIONS`); they are removed before
validation, and only they.  Each profile is one small class at the end
of the module.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import pkgutil
import re
from datetime import datetime
from typing import Any, Callable, Iterator

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic.services.compute.versions import MAX_VERSION
from mimic.services.image.model import DEFAULT_IMAGE_ID
from mimic.testing import InMemoryMimic, Response

try:
    import jsonschema
    import tempest.lib.api_schema.response.compute as _schemas_package
except ImportError as missing:  # pragma: no cover - tox installs both
    jsonschema = None
    _schemas_package = None
    _MISSING = str(missing)
else:
    _MISSING = ""


#: What Rackspace's API adds to upstream's documents, removed before a
#: response is validated under the ``rackspace`` profile, and why each
#: is kept there.  Keys are exact attribute names; a name ending in
#: ``*`` is a prefix.
RACKSPACE_EXTENSIONS: dict[str, str] = {
    # Rackspace's flavors carry their extra specs (class, policy_class,
    # disk_io_index...) in every flavor document, from the first
    # microversion; upstream answers them only at /os-extra_specs (and
    # inline from 2.61 as ``extra_specs``).  Rackspace's own clients
    # (pyrax, the control panel) read the class from here.
    "OS-FLV-WITH-EXT-SPECS:extra_specs": "Rackspace's flavor extension",
    # Rackspace's bandwidth and other ``rax-`` and ``RAX-`` attributes.
    "rax-*": "Rackspace's own attributes (rax-bandwidth:bandwidth...)",
    "RAX-*": "Rackspace's own attributes (RAX-PUBLIC-IP-ZONE-ID...)",
}


def strip_rackspace_extensions(document: Any) -> Any:
    """
    ``document`` without the attributes of :data:`RACKSPACE_EXTENSIONS`,
    at any depth.
    """
    exact = {name for name in RACKSPACE_EXTENSIONS if not name.endswith("*")}
    prefixes = tuple(name[:-1] for name in RACKSPACE_EXTENSIONS if name.endswith("*"))
    if isinstance(document, dict):
        return {
            key: strip_rackspace_extensions(value)
            for key, value in document.items()
            if key not in exact and not key.startswith(prefixes)
        }
    if isinstance(document, list):
        return [strip_rackspace_extensions(item) for item in document]
    return document


def _format_checker() -> Any:
    """
    The formats Nova's schemas use beyond Draft 4's: ISO 8601 times as
    Nova writes them (with or without a zone) and base64.
    """
    checker = jsonschema.FormatChecker()

    @checker.checks("iso8601-date-time")
    def iso8601(instance: Any) -> bool:
        if not isinstance(instance, str):
            return True
        try:
            datetime.fromisoformat(instance.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True

    @checker.checks("base64")
    def encoded(instance: Any) -> bool:
        if not isinstance(instance, str):
            return True
        try:
            base64.b64decode(instance.encode(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return True

    return checker


def _schema_versions() -> list[tuple[int, int]]:
    """
    The microversions at which upstream's schemas change, as their
    directories name them (``v2_1``, ``v2_3``... ``v2_100``).
    """
    if _schemas_package is None:
        return []
    found = []
    for module in pkgutil.iter_modules(_schemas_package.__path__):
        matched = re.fullmatch(r"v2_(\d+)", module.name)
        if matched:
            found.append((2, int(matched.group(1))))
    return sorted(found)


#: Every microversion a schema directory starts, that Mimic serves.
VERSIONS = [v for v in _schema_versions() if v <= MAX_VERSION]


def schema_for(version: tuple[int, int], module: str, name: str) -> dict[str, Any]:
    """
    Upstream's schema of call ``name`` (in tempest's ``module``, such as
    ``servers``) at ``version``: from the latest directory at or below
    it that has the call.
    """
    for candidate in reversed(_schema_versions()):
        if candidate > version:
            continue
        try:
            loaded = importlib.import_module(f"{_schemas_package.__name__}.v2_{candidate[1]}.{module}")
        except ImportError:
            continue
        if hasattr(loaded, name):
            return getattr(loaded, name)
    raise LookupError(f"no schema {module}.{name} at or below {version}")


class CompatibleShapes:
    """
    A client's session at one microversion under one profile: each
    response must be what upstream's schema of its call allows.  A test
    case per profile mixes this in (see the end of the module), with
    one test per microversion of :data:`VERSIONS` (see
    :func:`at_every_version`).
    """

    profile: str
    #: Whether the profile's responses may carry Rackspace's extensions.
    rackspace_extensions: bool

    def setUp(self) -> None:
        if _MISSING:
            raise SkipTest(f"needs jsonschema and tempest's api_schema ({_MISSING})")
        self.mimic = InMemoryMimic(profile=self.profile)
        self.access = self.mimic.authenticate("alice")
        self.url = self.access.endpoint("compute", self._region())
        self.checker = _format_checker()
        self.version = "2.1"

    def _region(self) -> str:
        for entry in self.access.access["serviceCatalog"]:
            if entry["type"] == "compute":
                return str(entry["endpoints"][0]["region"])
        raise KeyError("no compute endpoint")

    # -- sending and checking ----------------------------------------------

    def call(self, method: str, path: str, body: Any = None, version: str | None = None) -> Response:
        return self.mimic.request(
            method, self.url + path, body, token=self.access.token,
            headers={"X-OpenStack-Nova-API-Version": version or self.version},
        )

    def check(self, version: tuple[int, int], module: str, name: str, response: Response) -> Any:
        """
        ``response`` must have a status and body upstream's schema of the
        call allows; the body (decoded, if any) is returned.
        """
        schema = schema_for(version, module, name)
        where = f"{module}.{name} at {version[0]}.{version[1]} under {self.profile}"
        self.assertIn(response.code, schema["status_code"], f"{where}: {response!r}")
        body_schema = schema.get("response_body")
        if not body_schema:
            self.assertFalse(response.body, f"{where}: a body where none is allowed: {response!r}")
            return None
        body = response.json()
        checked = strip_rackspace_extensions(body) if self.rackspace_extensions else body
        errors = sorted(
            jsonschema.Draft4Validator(body_schema, format_checker=self.checker).iter_errors(checked),
            key=lambda e: list(e.path),
        )
        if errors:
            self.fail(
                f"{where}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
            )
        return body

    def session(self, version: tuple[int, int]) -> Iterator[str]:
        """
        Walk a client's calls at ``version``, checking each; yields the
        name of each call checked (so a test can say what it covered).
        """
        self.version = f"{version[0]}.{version[1]}"
        check: Callable[..., Any] = lambda module, name, response: self.check(version, module, name, response)

        yield "versions"
        root = self.url.rsplit("/", 2)[0]
        check("versions", "list_versions", self.mimic.request("GET", root + "/"))
        check("versions", "get_one_version", self.mimic.request("GET", root + "/v2.1"))

        # Flavors, images, limits, quotas, zones, extensions.
        check("flavors", "list_flavors", self.call("GET", "/flavors"))
        flavors = check("flavors", "list_flavors_details", self.call("GET", "/flavors/detail"))
        flavor_id = flavors["flavors"][0]["id"]
        check("flavors", "create_update_get_flavor_details", self.call("GET", f"/flavors/{flavor_id}"))
        if version < (2, 36):
            check("images", "list_images", self.call("GET", "/images"))
            check("images", "list_images_details", self.call("GET", "/images/detail"))
            check("images", "get_image", self.call("GET", f"/images/{DEFAULT_IMAGE_ID}"))
            check("images", "image_metadata", self.call("GET", f"/images/{DEFAULT_IMAGE_ID}/metadata"))
        check("limits", "get_limit", self.call("GET", "/limits"))
        tenant = self.access.tenant_id
        check("quotas", "get_quota_set", self.call("GET", f"/os-quota-sets/{tenant}"))
        check("quotas", "get_quota_set", self.call("GET", f"/os-quota-sets/{tenant}/defaults"))
        check("quotas", "get_quota_set_details", self.call("GET", f"/os-quota-sets/{tenant}/detail"))
        check("availability_zone", "list_availability_zone_list", self.call("GET", "/os-availability-zone"))
        check("extensions", "list_extensions", self.call("GET", "/extensions"))

        # Keypairs.
        yield "keypairs"
        keypair: dict[str, Any] = {"name": "k1"}
        if version >= (2, 92):
            # Nova generates keys no more: import one made earlier.
            made = self.call("POST", "/os-keypairs", {"keypair": {"name": "k0"}}, version="2.91").json()
            keypair["public_key"] = made["keypair"]["public_key"]
        check("keypairs", "create_keypair", self.call("POST", "/os-keypairs", {"keypair": keypair}))
        check("keypairs", "list_keypairs", self.call("GET", "/os-keypairs"))
        check("keypairs", "get_keypair", self.call("GET", "/os-keypairs/k1"))

        # A server's life.
        yield "servers"
        created = check("servers", "create_server_with_admin_pass", self.call("POST", "/servers", {"server": {
            "name": "web", "imageRef": DEFAULT_IMAGE_ID, "flavorRef": flavor_id, "key_name": "k1",
            "metadata": {"role": "web"},
        }}))
        server_id = created["server"]["id"]
        check("servers", "get_server", self.call("GET", f"/servers/{server_id}"))
        check("servers", "list_servers", self.call("GET", "/servers"))
        check("servers", "list_servers_detail", self.call("GET", "/servers/detail"))
        check("servers", "update_server", self.call("PUT", f"/servers/{server_id}", {"server": {"name": "web2"}}))
        check("servers", "list_addresses", self.call("GET", f"/servers/{server_id}/ips"))
        addresses = self.call("GET", f"/servers/{server_id}/ips").json()["addresses"]
        network = next(iter(addresses))
        check("servers", "list_addresses_by_network", self.call("GET", f"/servers/{server_id}/ips/{network}"))

        yield "metadata"
        check("servers", "list_server_metadata", self.call("GET", f"/servers/{server_id}/metadata"))
        check("servers", "set_server_metadata",
              self.call("PUT", f"/servers/{server_id}/metadata", {"metadata": {"a": "1"}}))
        check("servers", "update_server_metadata",
              self.call("POST", f"/servers/{server_id}/metadata", {"metadata": {"b": "2"}}))
        check("servers", "set_show_server_metadata_item",
              self.call("PUT", f"/servers/{server_id}/metadata/c", {"meta": {"c": "3"}}))
        check("servers", "set_show_server_metadata_item", self.call("GET", f"/servers/{server_id}/metadata/c"))
        check("servers", "delete_server_metadata_item", self.call("DELETE", f"/servers/{server_id}/metadata/c"))

        yield "actions"
        action = f"/servers/{server_id}/action"
        check("servers", "get_console_output",
              self.call("POST", action, {"os-getConsoleOutput": {"length": 5}}))
        check("servers", "server_actions_common_schema", self.call("POST", action, {"reboot": {"type": "SOFT"}}))
        self.mimic.tick(60)
        check("servers", "server_actions_common_schema", self.call("POST", action, {"os-stop": None}))
        self.mimic.tick(60)
        check("servers", "server_actions_common_schema", self.call("POST", action, {"os-start": None}))
        self.mimic.tick(60)
        check("servers", "rebuild_server_with_admin_pass", self.call("POST", action, {"rebuild": {
            "imageRef": DEFAULT_IMAGE_ID, "adminPass": "s3cret-Pass",
        }}))
        self.mimic.tick(60)
        check("servers", "rescue_server_with_admin_pass", self.call("POST", action, {"rescue": None}))
        self.mimic.tick(60)
        check("servers", "server_actions_common_schema", self.call("POST", action, {"unrescue": None}))
        self.mimic.tick(60)
        check("servers", "server_actions_common_schema", self.call("POST", action, {"lock": None}))
        check("servers", "get_server", self.call("GET", f"/servers/{server_id}"))
        check("servers", "server_actions_common_schema", self.call("POST", action, {"unlock": None}))
        check("servers", "create_backup",
              self.call("POST", action, {"createBackup": {"name": "b", "backup_type": "daily", "rotation": 1}}))
        self.mimic.tick(60)
        check("servers", "server_actions_common_schema", self.call("POST", action, {"shelve": None}))
        self.mimic.tick(60)
        check("servers", "get_server", self.call("GET", f"/servers/{server_id}"))
        check("servers", "list_servers_detail", self.call("GET", "/servers/detail"))
        check("servers", "server_actions_common_schema", self.call("POST", action, {"unshelve": None}))
        self.mimic.tick(60)

        yield "instance actions"
        actions = check("servers", "list_instance_actions", self.call("GET", f"/servers/{server_id}/os-instance-actions"))
        for listed in actions["instanceActions"]:
            check("servers", "show_instance_action",
                  self.call("GET", f"/servers/{server_id}/os-instance-actions/{listed['request_id']}"))

        yield "delete"
        check("servers", "delete_server", self.call("DELETE", f"/servers/{server_id}"))
        if version >= (2, 21):
            check("servers", "list_instance_actions",
                  self.call("GET", f"/servers/{server_id}/os-instance-actions"))

    def walk(self, version: tuple[int, int]) -> None:
        for _ in self.session(version):
            pass


def at_every_version(case: type) -> type:
    """
    Give a test case of :class:`CompatibleShapes` one test per
    microversion of :data:`VERSIONS` (``test_v2_1``... ``test_v2_96``).
    """
    for version in VERSIONS or [(2, 1)]:
        def test(self: Any, version: tuple[int, int] = version) -> None:
            self.walk(version)

        test.__name__ = f"test_v{version[0]}_{version[1]}"
        test.__doc__ = f"A client's calls at {version[0]}.{version[1]} get shapes upstream's schemas allow."
        setattr(case, test.__name__, test)
    return case


@at_every_version
class RackspaceShapes(CompatibleShapes, SynchronousTestCase):
    """
    The default profile, with :data:`RACKSPACE_EXTENSIONS` removed
    before validation.
    """

    profile = "rackspace"
    rackspace_extensions = True
