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
validation, and only they; under ``openstack`` nothing is removed, so
an attribute upstream does not have fails.  Each profile's sessions are
one small class (see :func:`shapes_case`).  Every body is validated
twice, with this module's format checker and with tempest's own
validator and format checker, as tempest's clients validate.

:class:`OpenstackRangeBounds` adds, for the ``openstack`` profile, the
last microversion of each range too (where a range's schema still
holds, one short of the next), reached as a DevStack client reaches
compute: an Identity v3 token and the catalog's endpoint
(:class:`OpenStackCompute`).
"""

from __future__ import annotations

import base64
import functools
import binascii
import re
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic.microversions import Microversion, version_text
from mimic.profiles import PROFILES
from mimic.services.compute.versions import MAX_VERSION, MIN_VERSION
from mimic.services.image.base_images import CIRROS_IMAGE_ID, base_images
from mimic.test.tempest_schemas import SchemaSet, iso8601_date_time, version_tests
from mimic.testing import InMemoryMimic, Response

try:
    import jsonschema
    import tempest.lib.api_schema.response.compute as _schemas_package
    from tempest.lib.common.jsonschema_validator import FORMAT_CHECKER, JSONSCHEMA_VALIDATOR
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


@functools.lru_cache(maxsize=None)
def _format_checker() -> Any:
    """
    The formats Nova's schemas use beyond Draft 4's: ISO 8601 times as
    Nova writes them (with or without a zone) and base64.
    """
    checker = jsonschema.FormatChecker()
    checker.checks("iso8601-date-time")(iso8601_date_time)

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


#: tempest's compute schemas, by the microversion they change at.
SCHEMAS = SchemaSet(_schemas_package, 2) if _schemas_package is not None else None


def _schema_versions() -> tuple[tuple[int, int], ...]:
    """
    The microversions at which upstream's schemas change, as their
    directories name them (``v2_1``, ``v2_3``... ``v2_100``).
    """
    return SCHEMAS.versions if SCHEMAS is not None else ()


@functools.lru_cache(maxsize=None)
def schema_for(version: tuple[int, int], module: str, name: str) -> dict[str, Any]:
    """
    Upstream's schema of call ``name`` (in tempest's ``module``, such as
    ``servers``) at ``version``: from the latest directory at or below
    it that has the call.
    """
    assert SCHEMAS is not None
    return SCHEMAS.schema(version, module, name)


#: The calls a session checks (tempest's module and schema name).
CHECKED_CALLS = (
    ("versions", "list_versions"), ("versions", "get_one_version"),
    ("flavors", "list_flavors"), ("flavors", "list_flavors_details"),
    ("flavors", "create_update_get_flavor_details"),
    ("images", "list_images"), ("images", "list_images_details"), ("images", "get_image"),
    ("images", "image_metadata"),
    ("limits", "get_limit"), ("quotas", "get_quota_set"), ("quotas", "get_quota_set_details"),
    ("availability_zone", "list_availability_zone_list"), ("extensions", "list_extensions"),
    ("keypairs", "create_keypair"), ("keypairs", "list_keypairs"), ("keypairs", "get_keypair"),
    ("servers", "create_server_with_admin_pass"), ("servers", "get_server"), ("servers", "list_servers"),
    ("servers", "list_servers_detail"), ("servers", "update_server"), ("servers", "list_addresses"),
    ("servers", "list_addresses_by_network"), ("servers", "list_server_metadata"),
    ("servers", "set_server_metadata"), ("servers", "update_server_metadata"),
    ("servers", "set_show_server_metadata_item"), ("servers", "delete_server_metadata_item"),
    ("servers", "get_console_output"), ("servers", "server_actions_common_schema"),
    ("servers", "rebuild_server_with_admin_pass"), ("servers", "rescue_server_with_admin_pass"),
    ("servers", "create_backup"), ("servers", "list_instance_actions"), ("servers", "show_instance_action"),
    ("servers", "delete_server"), ("servers", "list_share_attachments"),
)

#: Microversions where no checked call's schema changes but the API
#: changes in a way Mimic has nothing of, each with why a session runs
#: there all the same: to show the bump itself breaks nothing.
BUMPS = {
    (2, 99): "SPICE direct consoles (Mimic serves no remote consoles)",
}


def schema_or_none(version: tuple[int, int], module: str, name: str) -> dict[str, Any] | None:
    """
    :func:`schema_for`, or None below the microversion the call arrives
    at (share attachments: 2.97).
    """
    try:
        return schema_for(version, module, name)
    except LookupError:
        return None


#: A validator per (schema, checker), made once: checking a schema
#: itself costs ten times validating a response with it.
_VALIDATORS: dict[tuple[int, int], Any] = {}


def _validator(body_schema: dict[str, Any], checker: Any, validator_class: Any) -> Any:
    key = (id(body_schema), id(checker))
    found = _VALIDATORS.get(key)
    if found is None:
        found = _VALIDATORS[key] = validator_class(body_schema, format_checker=checker)
    return found


def violations(body_schema: dict[str, Any], body: Any, checker: Any) -> str:
    """
    Why ``body`` does not meet ``body_schema`` (the first few errors,
    found with ``checker`` and with tempest's own validator and format
    checker), or "" when it does.
    """
    found = []
    for validator in (
        _validator(body_schema, checker, jsonschema.Draft4Validator),
        _validator(body_schema, FORMAT_CHECKER, JSONSCHEMA_VALIDATOR),
    ):
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.path)):
            text = f"{list(error.path)}: {error.message}"
            if text not in found:
                found.append(text)
    return "; ".join(found[:5])


def _changing_versions() -> list[tuple[int, int]]:
    """
    The microversions Mimic serves at which the schema of a checked call
    changes (2.1 first): a session at each covers every range.
    """
    served = [v for v in _schema_versions() if v <= MAX_VERSION]
    chosen = served[:1]
    for previous, version in zip(served, served[1:]):
        if version in BUMPS or any(
            schema_or_none(version, *call) != schema_or_none(previous, *call) for call in CHECKED_CALLS
        ):
            chosen.append(version)
    return chosen


#: The microversions a session runs at.
VERSIONS = _changing_versions() if _schemas_package is not None else []


class CompatibleShapes:
    """
    A client's session at one microversion under one profile: each
    response must be what upstream's schema of its call allows.  A test
    case per profile mixes this in (see the end of the module), with
    one test per microversion of :data:`VERSIONS` (see
    :func:`shapes_case`).
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
        #: The profile's first public base image.
        self.image_id = base_images(self.mimic.core)[0].id
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
        violation = violations(body_schema, checked, self.checker)
        if violation:
            self.fail(f"{where}: {violation}")
        return body

    def due(self, version: tuple[int, int], module: str, name: str) -> bool:
        """
        Whether a read is worth sending at ``version``: its schema is not
        the one the session at the previous version of :data:`VERSIONS`
        checked (always, at the first).
        """
        index = VERSIONS.index(version) if version in VERSIONS else 0
        if index == 0:
            return True
        return schema_or_none(version, module, name) != schema_or_none(VERSIONS[index - 1], module, name)

    def session(self, version: tuple[int, int]) -> None:
        """
        A client's calls at ``version``, each checked.  Changes (and the
        reads they need) are always sent; other reads only where their
        schema changed (see :meth:`due`), to keep the suite fast.
        """
        self.version = f"{version[0]}.{version[1]}"

        def send(module: str, name: str, method: str, path: str, body: Any = None) -> Any:
            response = self.call(method, path, body)
            self.assertEqual(response.header("openstack-api-version"), f"compute {self.version}", path)
            return self.check(version, module, name, response)

        def read(module: str, name: str, path: str) -> None:
            if self.due(version, module, name):
                send(module, name, "GET", path)

        # The version documents sit above the versioned endpoint: above
        # ``v2/<tenant>`` (Rackspace's), or ``v2.1`` (a tenantless mount).
        root = self.url.rsplit("/", 1 if self.url.endswith("/v2.1") else 2)[0]
        if self.due(version, "versions", "list_versions"):
            self.check(version, "versions", "list_versions", self.mimic.request("GET", root + "/"))
        if self.due(version, "versions", "get_one_version"):
            for path in ("/v2.1", "/v2.1/"):
                self.check(version, "versions", "get_one_version", self.mimic.request("GET", root + path))

        # Flavors, images, limits, quotas, zones, extensions.
        read("flavors", "list_flavors", "/flavors")
        flavors = send("flavors", "list_flavors_details", "GET", "/flavors/detail")
        flavor_id = flavors["flavors"][0]["id"]
        read("flavors", "create_update_get_flavor_details", f"/flavors/{flavor_id}")
        if version < (2, 36):
            read("images", "list_images", "/images")
            read("images", "list_images_details", "/images/detail")
            read("images", "get_image", f"/images/{self.image_id}")
            read("images", "image_metadata", f"/images/{self.image_id}/metadata")
        read("limits", "get_limit", "/limits")
        tenant = self.access.tenant_id
        read("quotas", "get_quota_set", f"/os-quota-sets/{tenant}")
        read("quotas", "get_quota_set", f"/os-quota-sets/{tenant}/defaults")
        read("quotas", "get_quota_set_details", f"/os-quota-sets/{tenant}/detail")
        read("availability_zone", "list_availability_zone_list", "/os-availability-zone")
        read("extensions", "list_extensions", "/extensions")

        # Keypairs (making one costs an RSA key: only where their schemas change).
        key_name = None
        if self.due(version, "keypairs", "create_keypair"):
            keypair: dict[str, Any] = {"name": "k1"}
            if version >= (2, 92):
                # Nova generates keys no more: import one made earlier.
                made = self.call("POST", "/os-keypairs", {"keypair": {"name": "k0"}}, version="2.91").json()
                keypair["public_key"] = made["keypair"]["public_key"]
            send("keypairs", "create_keypair", "POST", "/os-keypairs", {"keypair": keypair})
            key_name = "k1"
        read("keypairs", "list_keypairs", "/os-keypairs")
        if key_name is not None:
            read("keypairs", "get_keypair", "/os-keypairs/k1")

        # A server's life.
        created = send("servers", "create_server_with_admin_pass", "POST", "/servers", {"server": {
            "name": "web", "imageRef": self.image_id, "flavorRef": flavor_id, "key_name": key_name,
            "metadata": {"role": "web"},
        }, "os:scheduler_hints": {"same_host": "48e6a9f6-30af-47e0-bc04-acaed113bb4e", "custom": "x"}})
        server_id = created["server"]["id"]
        read("servers", "get_server", f"/servers/{server_id}")
        read("servers", "list_servers", "/servers")
        read("servers", "list_servers_detail", "/servers/detail")
        send("servers", "update_server", "PUT", f"/servers/{server_id}", {"server": {"name": "web2"}})
        read("servers", "list_addresses", f"/servers/{server_id}/ips")
        if self.due(version, "servers", "list_addresses_by_network"):
            addresses = self.call("GET", f"/servers/{server_id}/ips").json()["addresses"]
            read("servers", "list_addresses_by_network", f"/servers/{server_id}/ips/{next(iter(addresses))}")

        if version >= (2, 97):
            # Shares (no Shared File Systems service: none attached).
            read("servers", "list_share_attachments", f"/servers/{server_id}/shares")

        metadata = f"/servers/{server_id}/metadata"
        read("servers", "list_server_metadata", metadata)
        send("servers", "set_server_metadata", "PUT", metadata, {"metadata": {"a": "1"}})
        send("servers", "update_server_metadata", "POST", metadata, {"metadata": {"b": "2"}})
        send("servers", "set_show_server_metadata_item", "PUT", f"{metadata}/c", {"meta": {"c": "3"}})
        read("servers", "set_show_server_metadata_item", f"{metadata}/c")
        send("servers", "delete_server_metadata_item", "DELETE", f"{metadata}/c")

        # Actions, each given time to finish on Mimic's clock.
        action = f"/servers/{server_id}/action"

        def act(name: str, body: Any) -> None:
            send("servers", name, "POST", action, body)
            self.mimic.tick(60)

        act("get_console_output", {"os-getConsoleOutput": {"length": 5}})
        act("server_actions_common_schema", {"reboot": {"type": "SOFT"}})
        act("server_actions_common_schema", {"os-stop": None})
        act("server_actions_common_schema", {"os-start": None})
        act("rebuild_server_with_admin_pass", {"rebuild": {"imageRef": self.image_id, "adminPass": "s3cret-Pass"}})
        act("rescue_server_with_admin_pass", {"rescue": None})
        act("server_actions_common_schema", {"unrescue": None})
        act("server_actions_common_schema", {"lock": None})
        read("servers", "get_server", f"/servers/{server_id}")
        act("server_actions_common_schema", {"unlock": None})
        act("create_backup", {"createBackup": {"name": "b", "backup_type": "daily", "rotation": 1}})
        act("server_actions_common_schema", {"shelve": None})
        read("servers", "get_server", f"/servers/{server_id}")
        read("servers", "list_servers_detail", "/servers/detail")
        act("server_actions_common_schema", {"unshelve": None})

        # What the server went through, and its delete.
        actions = send("servers", "list_instance_actions", "GET", f"/servers/{server_id}/os-instance-actions")
        if self.due(version, "servers", "show_instance_action"):
            for listed in actions["instanceActions"]:
                read("servers", "show_instance_action",
                     f"/servers/{server_id}/os-instance-actions/{listed['request_id']}")
        send("servers", "delete_server", "DELETE", f"/servers/{server_id}")
        if version >= (2, 21):
            send("servers", "list_instance_actions", "GET", f"/servers/{server_id}/os-instance-actions")


def shapes_case(profile: str) -> type:
    """
    The test case of :class:`CompatibleShapes` for a profile: one test
    per microversion of :data:`VERSIONS` (``test_v2_1``...
    ``test_v2_100``), with Rackspace's extensions removed before
    validation where the profile has them.
    """
    name = f"{profile.capitalize()}Shapes"
    attributes: dict[str, Any] = {
        "profile": profile,
        "rackspace_extensions": PROFILES[profile].rackspace_extensions,
        "__doc__": f"Compute's responses under the {profile} profile, against upstream's schemas.",
        "__module__": __name__,
    }
    attributes.update(version_tests(VERSIONS or [(2, 1)]))
    return type(name, (CompatibleShapes, SynchronousTestCase), attributes)


#: One line per profile.
RackspaceShapes = shapes_case("rackspace")
OpenstackShapes = shapes_case("openstack")


# The openstack profile's range bounds.


def range_bounds(module: str) -> list[tuple[int, int]]:
    """
    The first and last microversion Mimic serves of each range of
    tempest's ``module`` (``flavors``, ``servers``...): a range starts
    at each directory with the module, and ends one short of the next.
    """
    found = {MIN_VERSION, MAX_VERSION}
    for version in _schema_versions():
        if MIN_VERSION < version <= MAX_VERSION and SCHEMAS is not None and SCHEMAS.module(version, module) is not None:
            found.update({version, (version[0], version[1] - 1)})
    return sorted(found)


class OpenStackCompute:
    """
    One project's compute in an in-memory Mimic with the ``openstack``
    profile, reached as a client of that cloud would: an Identity v3
    token, the compute endpoint from its catalog.
    """

    def __init__(self, username: str = "demo") -> None:
        self.mimic = InMemoryMimic(profile="openstack")
        auth = {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": username, "password": "secret", "domain": {"id": "default"}}},
            },
            "scope": {"project": {"name": f"{username}-project", "domain": {"id": "default"}}},
        }
        response = self.mimic.request("POST", "/identity/v3/auth/tokens", {"auth": auth})
        if response.code != 201:
            raise AssertionError(f"authentication failed: {response!r}")
        self.token = response.header("x-subject-token") or ""
        token = response.json()["token"]
        self.project_id: str = token["project"]["id"]
        self.catalog: list[dict[str, Any]] = token["catalog"]
        self.endpoint = self.endpoint_of("compute")
        #: The unversioned root, where the version documents are.
        self.root = re.split(r"/v2(?:\.1)?(?:/|$)", self.endpoint)[0]

    def endpoint_of(self, service_type: str) -> str:
        """
        The public URL of a service type in the token's catalog.
        """
        return next(
            endpoint["url"]
            for entry in self.catalog
            if entry["type"] == service_type
            for endpoint in entry["endpoints"]
            if endpoint["interface"] == "public"
        )

    def request(self, method: str, path: str, body: Any = None, microversion: Microversion | None = None) -> Response:
        headers = {"OpenStack-API-Version": f"compute {version_text(microversion)}"} if microversion else {}
        url = path if "://" in path else self.endpoint + path
        return self.mimic.request(method, url, body, token=self.token, headers=headers)


class OpenstackRangeBounds(SynchronousTestCase):
    """
    The ``openstack`` profile's flavors, limits, quota sets and servers
    at both ends of every range of their schemas, strictly (nothing is
    removed before validating).
    """

    def setUp(self) -> None:
        if _MISSING:
            raise SkipTest(f"needs jsonschema and tempest's api_schema ({_MISSING})")
        self.compute = OpenStackCompute()

    def assertUpstream(
        self, version: Microversion, module: str, name: str, response: Response, stated: bool = True
    ) -> Any:
        """
        The response meets upstream's schema of the call at ``version``
        (and, ``stated``, names that microversion); its body, decoded.
        """
        schema = schema_for(version, module, name)
        where = f"{module}.{name} at {version_text(version)}"
        self.assertIn(response.code, schema["status_code"], f"{where}: {response!r}")
        body_schema = schema.get("response_body")
        if body_schema is None:
            self.assertFalse(response.body, f"{where}: a body where none is allowed: {response!r}")
        else:
            self.assertEqual(violations(body_schema, response.json(), _format_checker()), "", where)
        if stated:
            self.assertEqual(response.header("openstack-api-version"), f"compute {version_text(version)}")
        return response.json() if response.body else None

    def test_flavors(self) -> None:
        for version in range_bounds("flavors"):
            listed = self.assertUpstream(
                version, "flavors", "list_flavors", self.compute.request("GET", "/flavors", microversion=version)
            )
            self.assertUpstream(
                version, "flavors", "list_flavors_details",
                self.compute.request("GET", "/flavors/detail", microversion=version),
            )
            # The listing in detail had every flavor; one shown will do.
            self.assertUpstream(
                version, "flavors", "create_update_get_flavor_details",
                self.compute.request("GET", f"/flavors/{listed['flavors'][-1]['id']}", microversion=version),
            )
        self.assertUpstream(
            MIN_VERSION, "flavors_extra_specs", "set_get_flavor_extra_specs",
            self.compute.request("GET", "/flavors/42/os-extra_specs"), stated=False,
        )
        self.assertUpstream(
            MIN_VERSION, "flavors_extra_specs", "set_get_flavor_extra_specs_key",
            self.compute.request("GET", "/flavors/42/os-extra_specs/hw_rng:allowed"), stated=False,
        )

    def test_limits(self) -> None:
        for version in range_bounds("limits"):
            self.assertUpstream(
                version, "limits", "get_limit", self.compute.request("GET", "/limits", microversion=version)
            )

    def test_quota_sets(self) -> None:
        project = self.compute.project_id
        for version in range_bounds("quotas"):
            for path, name in (
                (f"/os-quota-sets/{project}", "get_quota_set"),
                (f"/os-quota-sets/{project}/detail", "get_quota_set_details"),
                (f"/os-quota-sets/{project}/defaults", "get_quota_set"),
            ):
                self.assertUpstream(version, "quotas", name, self.compute.request("GET", path, microversion=version))

    def test_servers_through_their_life(self) -> None:
        """
        A server created at each range's bounds, shown and listed while it
        builds and once it is active.
        """
        # More servers than upstream's default quota of ten.
        unlimited = {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}
        quotas = self.compute.request("PUT", f"/os-quota-sets/{self.compute.project_id}", unlimited)
        self.assertEqual(quotas.code, 200, quotas)
        made = []
        for version in range_bounds("servers"):
            spec: dict[str, Any] = {"name": f"vm-{version_text(version)}", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "1"}
            if version >= (2, 37):
                spec["networks"] = "none"
            created = self.assertUpstream(
                MIN_VERSION, "servers", "create_server_with_admin_pass",
                self.compute.request("POST", "/servers", {"server": spec}, version), stated=False,
            )
            made.append((version, created["server"]["id"]))
        for moment in ("building", "active"):
            for version, server_id in made:
                self.assertUpstream(
                    version, "servers", "get_server",
                    self.compute.request("GET", f"/servers/{server_id}", microversion=version),
                )
                # A short page (with its next link): every server is
                # shown above, the listing needs only its own shape.
                self.assertUpstream(
                    version, "servers", "list_servers_detail",
                    self.compute.request("GET", "/servers/detail?limit=2", microversion=version),
                )
                self.assertUpstream(
                    version, "servers", "list_servers",
                    self.compute.request("GET", "/servers?limit=2", microversion=version),
                )
            self.compute.mimic.tick(3600)

    def test_rackspace_flavors_fail_the_same_check(self) -> None:
        """
        The check is strict: Rackspace's flavors, with their extension,
        do not pass it (which is why the profiles differ).
        """
        rackspace = InMemoryMimic()
        access = rackspace.authenticate("demo")
        response = rackspace.request("GET", access.endpoint("compute") + "/flavors/detail", token=access.token)
        body_schema = schema_for(MIN_VERSION, "flavors", "list_flavors_details")["response_body"]
        self.assertIn("OS-FLV-WITH-EXT-SPECS:extra_specs", violations(body_schema, response.json(), _format_checker()))
