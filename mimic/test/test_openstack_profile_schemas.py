# -*- test-case-name: mimic.test.test_openstack_profile_schemas -*-
"""
The ``openstack`` profile's compute responses against upstream's own
response schemas: the JSON schemas tempest validates every Nova response
with (``tempest.lib.api_schema.response.compute``), strictly (nothing is
stripped before validating, so an attribute upstream does not have fails
the test), at the bounds of every microversion range where tempest
changes schemas.

Which schema applies at which microversion is read from tempest's own
service clients (their ``schema_versions_info`` tables, parsed from the
source, since the clients themselves need tempest's full dependencies),
so a new tempest brings its new ranges here without an edit.

Tempest and jsonschema are test-only dependencies: without them the tests
skip, saying so.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
from functools import lru_cache
from types import ModuleType
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic.microversions import Microversion, version_text
from mimic.services.compute.versions import MAX_VERSION, MIN_VERSION
from mimic.services.image.base_images import CIRROS_IMAGE_ID
from mimic.testing import InMemoryMimic, Response

try:
    import jsonschema
    import tempest.lib
    from tempest.lib.common.jsonschema_validator import FORMAT_CHECKER, JSONSCHEMA_VALIDATOR
except ImportError as missing:  # pragma: no cover - depends on the environment
    UPSTREAM_SCHEMAS_MISSING: str | None = f"tempest's api_schema or jsonschema is not installed ({missing})"
else:
    UPSTREAM_SCHEMAS_MISSING = None


# Upstream schemas: which one, at which microversion, and validating
# against it.  Named for what they are so that the rackspace profile's
# schema tests can share them.


def _parse_version(text: str | None) -> Microversion | None:
    if text is None or text == "latest":
        return None
    major, minor = text.split(".")
    return int(major), int(minor)


@lru_cache(maxsize=None)
def upstream_schema_table(client: str) -> tuple[tuple[Microversion | None, Microversion | None, ModuleType], ...]:
    """
    ``(min, max, schema module)`` for each microversion range of one of
    tempest's compute service clients (``"flavors_client"``), as its
    ``schema_versions_info`` says (``None``: unbounded).
    """
    path = os.path.join(os.path.dirname(tempest.lib.__file__), "services", "compute", f"{client}.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tempest.lib.api_schema"):
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "schema_versions_info" for t in node.targets
        ):
            table = []
            assert isinstance(node.value, ast.List)
            for entry in node.value.elts:
                assert isinstance(entry, ast.Dict)
                fields = {
                    ast.literal_eval(key): value for key, value in zip(entry.keys, entry.values) if key is not None
                }
                schema = fields["schema"]
                assert isinstance(schema, ast.Name)
                table.append(
                    (
                        _parse_version(ast.literal_eval(fields["min"])),
                        _parse_version(ast.literal_eval(fields["max"])),
                        importlib.import_module(aliases[schema.id]),
                    )
                )
            return tuple(table)
    # A client without ranges validates everything with the module it
    # imports as ``schema``.
    return ((None, None, importlib.import_module(aliases["schema"])),)


def upstream_schema_at(client: str, microversion: Microversion) -> ModuleType:
    """
    The schema module tempest's client validates with at ``microversion``.
    """
    for low, high, module in upstream_schema_table(client):
        if (low is None or low <= microversion) and (high is None or microversion <= high):
            return module
    raise LookupError(f"{client} has no schema for {version_text(microversion)}")


def upstream_base_schema(client: str) -> ModuleType:
    """
    The module a client imports as ``schema``: what it validates the
    calls with that do not change by microversion (image show, server
    create...).
    """
    return upstream_schema_at(client, MIN_VERSION)


def upstream_boundaries(
    client: str, lowest: Microversion = MIN_VERSION, highest: Microversion = MAX_VERSION
) -> list[Microversion]:
    """
    The first and last microversion of each of the client's ranges that
    Mimic serves, in order: where a schema starts and where it ends.
    """
    found: set[Microversion] = {lowest, highest}
    for low, high, _ in upstream_schema_table(client):
        for bound in (low, high):
            if bound is not None and lowest <= bound <= highest:
                found.add(bound)
    return sorted(found)


def upstream_violation(schema: dict[str, Any], response: Response) -> str | None:
    """
    Why a response does not meet one of tempest's response schemas (its
    status code, its body validated strictly with tempest's validator and
    format checker), or None when it does.
    """
    if response.code not in schema["status_code"]:
        return f"status {response.code}, expected one of {schema['status_code']}: {response.body[:300]!r}"
    body_schema = schema.get("response_body")
    if body_schema is None:
        return f"a body where none is expected: {response.body[:300]!r}" if response.body else None
    error = jsonschema.exceptions.best_match(_validator(body_schema).iter_errors(response.json()))
    if error is not None:
        return f"{error.message} at {'/'.join(map(str, error.absolute_path))}"
    return None


#: A validator per schema, made once: checking a schema itself costs ten
#: times validating a response with it.
_VALIDATORS: dict[int, Any] = {}


def _validator(body_schema: dict[str, Any]) -> Any:
    found = _VALIDATORS.get(id(body_schema))
    if found is None:
        found = _VALIDATORS[id(body_schema)] = JSONSCHEMA_VALIDATOR(body_schema, format_checker=FORMAT_CHECKER)
    return found


# The openstack profile's compute, in memory.


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


class OpenStackProfileSchemaTests(SynchronousTestCase):
    """
    Every compute response tempest checks, from the ``openstack``
    profile, meets tempest's schema at each range's bounds.
    """

    def setUp(self) -> None:
        if UPSTREAM_SCHEMAS_MISSING is not None:
            raise SkipTest(UPSTREAM_SCHEMAS_MISSING)
        self.compute = OpenStackCompute()

    def assertUpstream(
        self, schema: dict[str, Any], response: Response, microversion: Microversion | None = None
    ) -> Any:
        """
        The response meets the schema (and names the microversion it
        follows); its body, decoded.
        """
        violation = upstream_violation(schema, response)
        where = version_text(microversion) if microversion else "no microversion"
        self.assertIsNone(violation, f"{where}: {violation}")
        if microversion is not None:
            self.assertEqual(response.header("openstack-api-version"), f"compute {version_text(microversion)}")
        return response.json() if response.body else None

    def test_versions(self) -> None:
        schema = upstream_base_schema("versions_client")
        self.assertUpstream(schema.list_versions, self.compute.request("GET", self.compute.root + "/"))
        self.assertUpstream(schema.get_one_version, self.compute.request("GET", self.compute.root + "/v2.1/"))

    def test_flavors(self) -> None:
        specs = importlib.import_module("tempest.lib.api_schema.response.compute.v2_1.flavors_extra_specs")
        for version in upstream_boundaries("flavors_client"):
            schema = upstream_schema_at("flavors_client", version)
            listed = self.assertUpstream(schema.list_flavors, self.compute.request("GET", "/flavors", microversion=version), version)
            self.assertUpstream(
                schema.list_flavors_details, self.compute.request("GET", "/flavors/detail", microversion=version), version
            )
            # The listing in detail had every flavor; one shown will do.
            self.assertUpstream(
                schema.create_update_get_flavor_details,
                self.compute.request("GET", f"/flavors/{listed['flavors'][-1]['id']}", microversion=version),
                version,
            )
        self.assertUpstream(specs.set_get_flavor_extra_specs, self.compute.request("GET", "/flavors/42/os-extra_specs"))
        self.assertUpstream(
            specs.set_get_flavor_extra_specs_key, self.compute.request("GET", "/flavors/42/os-extra_specs/hw_rng:allowed")
        )

    def test_images(self) -> None:
        schema = upstream_base_schema("images_client")
        self.assertUpstream(schema.list_images, self.compute.request("GET", "/images"))
        self.assertUpstream(schema.list_images_details, self.compute.request("GET", "/images/detail"))
        self.assertUpstream(schema.get_image, self.compute.request("GET", f"/images/{CIRROS_IMAGE_ID}"))
        self.assertUpstream(schema.image_metadata, self.compute.request("GET", f"/images/{CIRROS_IMAGE_ID}/metadata"))

    def test_limits(self) -> None:
        for version in upstream_boundaries("limits_client"):
            schema = upstream_schema_at("limits_client", version)
            self.assertUpstream(schema.get_limit, self.compute.request("GET", "/limits", microversion=version), version)

    def test_quota_sets(self) -> None:
        project = self.compute.project_id
        for version in upstream_boundaries("quotas_client"):
            schema = upstream_schema_at("quotas_client", version)
            for path, expected in (
                (f"/os-quota-sets/{project}", schema.get_quota_set),
                (f"/os-quota-sets/{project}/detail", schema.get_quota_set_details),
                (f"/os-quota-sets/{project}/defaults", schema.get_quota_set),
            ):
                self.assertUpstream(expected, self.compute.request("GET", path, microversion=version), version)

    def test_servers_through_their_life(self) -> None:
        """
        A server created at each range's bounds, shown and listed while it
        builds and once it is active.
        """
        create_schema = upstream_base_schema("servers_client").create_server_with_admin_pass
        # More servers than upstream's default quota of ten.
        unlimited = {"quota_set": {"instances": -1, "cores": -1, "ram": -1}}
        quotas = self.compute.request("PUT", f"/os-quota-sets/{self.compute.project_id}", unlimited)
        self.assertEqual(quotas.code, 200, quotas)
        made = []
        for version in upstream_boundaries("servers_client"):
            spec: dict[str, Any] = {"name": f"vm-{version_text(version)}", "imageRef": CIRROS_IMAGE_ID, "flavorRef": "1"}
            if version >= (2, 37):
                spec["networks"] = "none"
            created = self.assertUpstream(
                create_schema, self.compute.request("POST", "/servers", {"server": spec}, version), version
            )
            made.append((version, created["server"]["id"]))
        for moment in ("building", "active"):
            for version, server_id in made:
                schema = upstream_schema_at("servers_client", version)
                self.assertUpstream(
                    schema.get_server, self.compute.request("GET", f"/servers/{server_id}", microversion=version), version
                )
                # A short page (with its next link): every server is
                # shown above, the listing needs only its own shape.
                self.assertUpstream(
                    schema.list_servers_detail,
                    self.compute.request("GET", "/servers/detail?limit=2", microversion=version),
                    version,
                )
                self.assertUpstream(
                    schema.list_servers, self.compute.request("GET", "/servers?limit=2", microversion=version), version
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
        violation = upstream_violation(upstream_base_schema("flavors_client").list_flavors_details, response)
        self.assertIn("OS-FLV-WITH-EXT-SPECS:extra_specs", violation or "")
