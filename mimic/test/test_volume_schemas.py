# -*- test-case-name: mimic.test.test_volume_schemas -*-
"""
Mimic's block-storage (Cinder v3) responses checked against Cinder's
published response schemas, at each microversion range they have.

The schemas are upstream's own: tempest ships them as Python modules
under ``tempest.lib.api_schema.response.volume`` (the 3.0 shapes) and
``volume.v3_<minor>`` (a directory where a shape changed: 3.61, 3.63,
3.64, 3.65, 3.69...), and its clients validate every response against
them.  The schema for a call at a microversion is the one of the latest
directory at or below it that has the call, else the 3.0 one.  Nothing of
tempest is copied here.

tempest's 3.0 schemas already allow (without requiring) the volume and
backup fields Cinder added up to 3.60, but not those of snapshots
(``group_snapshot_id`` from 3.14, ``user_id`` from 3.41,
``consumes_quota`` from 3.65), and its later volume schemas widen a
show and a create but not an update, which Cinder answers with the same
detail view: :data:`LATER_FIELDS` adds each such field to a copy of the
schema from the microversion Cinder's API reference gives it, so the
check still refuses it below.

Mimic's Cinder has no Rackspace-only attributes under either profile
(Rackspace's Cloud Block Storage answers Cinder's own shapes), so
responses are validated as they are under both; each profile is one
small class at the end of the module.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from twisted.trial.unittest import SkipTest, SynchronousTestCase

from mimic.profiles import PROFILES
from mimic.services.blockstorage.versions import MAX_VERSION
from mimic.services.image.base_images import admin_project_id, base_images
from mimic.test.tempest_schemas import SchemaSet, iso8601_date_time, version_tests
from mimic.testing import InMemoryMimic, Response

try:
    import jsonschema
    import tempest.lib.api_schema.response.volume as _schemas_package
except ImportError as missing:  # pragma: no cover - tox installs both
    jsonschema = None
    _schemas_package = None
    _MISSING = str(missing)
else:
    _MISSING = ""

#: Fields Cinder's responses gain at a microversion that tempest's schemas
#: do not model yet (their TODOs), by (module, call): the field, its
#: schema, and the microversion from which it is allowed.
_UUID_OR_NULL = {"type": ["string", "null"]}
_SNAPSHOT_LATER = (
    ("group_snapshot_id", _UUID_OR_NULL, (3, 14)),
    ("user_id", {"type": "string"}, (3, 41)),
    ("consumes_quota", {"type": "boolean"}, (3, 65)),
)
LATER_FIELDS: dict[tuple[str, str], tuple[tuple[str, dict[str, Any], tuple[int, int]], ...]] = {
    ("snapshots", "create_snapshot"): _SNAPSHOT_LATER,
    ("snapshots", "show_snapshot"): _SNAPSHOT_LATER,
    ("snapshots", "update_snapshot"): _SNAPSHOT_LATER,
    ("snapshots", "list_snapshots_no_detail"): _SNAPSHOT_LATER,
    ("snapshots", "list_snapshots_with_detail"): _SNAPSHOT_LATER,
    ("volumes", "update_volume"): (
        ("volume_type_id", _UUID_OR_NULL, (3, 63)),
        ("encryption_key_id", _UUID_OR_NULL, (3, 64)),
        ("consumes_quota", {"type": "boolean"}, (3, 65)),
    ),
}

#: The modules of tempest's the sessions check (the directories of other
#: modules, such as transfers' and services', change nothing here).
CHECKED_MODULES = (
    "versions", "extensions", "limits", "quotas", "volume_types", "volumes", "snapshots", "backups", "messages",
)


def _format_checker() -> Any:
    """
    The formats tempest's validator checks: Draft 4's (not ``uuid``:
    Keystone's ids are 32 hex digits, which tempest accepts) and ISO 8601
    times as Cinder writes them (no zone).
    """
    checker = copy.deepcopy(jsonschema.Draft4Validator.FORMAT_CHECKER)
    checker.checks("iso8601-date-time")(iso8601_date_time)
    return checker


#: tempest's volume schemas: the package's own modules describe 3.0; a
#: directory counts where it changes a checked module.
SCHEMAS = SchemaSet(_schemas_package, 3, base=(3, 0), modules=CHECKED_MODULES) if _schemas_package is not None else None


def _schema_versions() -> tuple[tuple[int, int], ...]:
    """
    The microversions at which upstream's schemas of the checked modules
    change, as their directories name them (``v3_61``... ``v3_69``),
    after 3.0 (the package's own modules).
    """
    return SCHEMAS.versions if SCHEMAS is not None else ()


def _with_later_fields(schema: dict[str, Any], module: str, name: str, version: tuple[int, int]) -> dict[str, Any]:
    """
    ``schema`` with the :data:`LATER_FIELDS` of the call that ``version``
    has, added to each object that lists the call's resource's fields.
    """
    later = [(field, shape) for field, shape, since in LATER_FIELDS.get((module, name), ()) if version >= since]
    if not later:
        return schema
    widened = copy.deepcopy(schema)

    def widen(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict) and "status" in properties and "size" in properties:
                properties.update({field: shape for field, shape in later})
            for value in node.values():
                widen(value)
        elif isinstance(node, list):
            for value in node:
                widen(value)

    widen(widened)
    return widened


@functools.lru_cache(maxsize=None)
def schema_for(version: tuple[int, int], module: str, name: str) -> dict[str, Any]:
    """
    Upstream's schema of call ``name`` (in tempest's ``module``, such as
    ``volumes``) at ``version``: from the latest directory at or below it
    that has the call, with :data:`LATER_FIELDS` added.
    """
    assert SCHEMAS is not None
    return _with_later_fields(SCHEMAS.schema(version, module, name), module, name, version)


def _session_versions() -> list[tuple[int, int]]:
    """
    Where a session runs: each schema range's first microversion Mimic
    serves and its last (where Mimic's answers have the most fields the
    range's schema must allow), and each microversion where a later
    field starts.
    """
    changes = sorted(
        {v for v in _schema_versions() if v <= MAX_VERSION}
        | {since for fields in LATER_FIELDS.values() for _, _, since in fields}
    )
    chosen = set(changes)
    for following in changes[1:] + [(MAX_VERSION[0], MAX_VERSION[1] + 1)]:
        chosen.add((following[0], following[1] - 1))
    return sorted(v for v in chosen if v <= MAX_VERSION)


#: The microversions a session runs at.
VERSIONS = _session_versions() if _schemas_package is not None else []


class CompatibleShapes:
    """
    A client's session with Cinder at one microversion under one profile:
    each response must be what upstream's schema of its call allows.
    """

    profile: str

    def setUp(self) -> None:
        if _MISSING:
            raise SkipTest(f"needs jsonschema and tempest's api_schema ({_MISSING})")
        self.mimic = InMemoryMimic(profile=self.profile)
        self.access = self.mimic.authenticate("alice")
        self.region = PROFILES[self.profile].regions[0]
        self.url = self.access.endpoint("volumev3", self.region)
        image = base_images(self.mimic.core)[0]
        self.image_id = image.id
        #: A volume made from the image is at least its minimum disk.
        self.size = max(1, image.min_disk)
        self.checker = _format_checker()
        self.version = "3.0"

    def call(self, method: str, path: str, body: Any = None, access: Any = None) -> Response:
        access = access or self.access
        return self.mimic.request(
            method, access.endpoint("volumev3", self.region) + path, body, token=access.token,
            headers={"OpenStack-API-Version": f"volume {self.version}"},
        )

    def check(self, version: tuple[int, int], module: str, name: str, response: Response) -> Any:
        schema = schema_for(version, module, name)
        where = f"{module}.{name} at {version[0]}.{version[1]} under {self.profile}"
        self.assertIn(response.code, schema["status_code"], f"{where}: {response!r}")
        body_schema = schema.get("response_body")
        if not body_schema:
            return response.json() if response.body else None
        body = response.json()
        errors = sorted(
            jsonschema.Draft4Validator(body_schema, format_checker=self.checker).iter_errors(body),
            key=lambda e: list(e.path),
        )
        if errors:
            self.fail(f"{where}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5]))
        return body

    def session(self, version: tuple[int, int]) -> None:
        """
        A client's calls at ``version``, each checked against its schema.
        """
        self.version = f"{version[0]}.{version[1]}"
        #: Whether this session also sends what no microversion changes.
        whole = not VERSIONS or version in (VERSIONS[0], VERSIONS[-1])

        def send(module: str, name: str, method: str, path: str, body: Any = None, access: Any = None) -> Any:
            return self.check(version, module, name, self.call(method, path, body, access))

        def settle() -> None:
            self.mimic.tick(60)

        # What every project sees the same, and the version documents:
        # nothing of it depends on the microversion in Cinder, so it is
        # read in the first and the last session (and the types, which
        # a retype below needs, in each).
        types = self.call("GET", "/types").json()["volume_types"]
        if whole:
            root = self.url.rsplit("/", 2)[0]
            self.check(version, "versions", "list_versions", self.mimic.request("GET", root + "/"))
            self.check(version, "versions", "volume_api_version_details", self.mimic.request("GET", root + "/v3/"))

            send("extensions", "list_extensions", "GET", "/extensions")
            send("limits", "show_limits", "GET", "/limits")
            tenant = self.access.tenant_id
            send("quotas", "show_quota_set", "GET", f"/os-quota-sets/{tenant}")
            send("quotas", "show_quota_set", "GET", f"/os-quota-sets/{tenant}/defaults")
            send("quotas", "show_quota_set_usage", "GET", f"/os-quota-sets/{tenant}?usage=true")
            send("volume_types", "list_volume_types", "GET", "/types")
            send("volume_types", "show_volume_type", "GET", f"/types/{types[0]['id']}")
            send("volume_types", "list_volume_types_extra_specs", "GET", f"/types/{types[0]['id']}/extra_specs")
            specs = self.call("GET", f"/types/{types[0]['id']}/extra_specs").json()["extra_specs"]
            if specs:
                send("volume_types", "show_volume_types_extra_specs", "GET",
                     f"/types/{types[0]['id']}/extra_specs/{next(iter(specs))}")

        # A volume's life, from an image.
        created = send("volumes", "create_volume", "POST", "/volumes", {"volume": {
            "size": self.size, "name": "v", "metadata": {"role": "data"}, "imageRef": self.image_id,
        }})["volume"]
        volume = f"/volumes/{created['id']}"
        settle()
        send("volumes", "show_volume", "GET", volume)
        send("volumes", "list_volumes_no_detail", "GET", "/volumes")
        send("volumes", "list_volumes_with_detail", "GET", "/volumes/detail")
        send("volumes", "update_volume", "PUT", volume, {"volume": {"name": "v2", "description": "d"}})
        if version >= (3, 12):
            send("volumes", "show_volume_summary", "GET", "/volumes/summary")
        action = f"{volume}/action"
        if whole:
            # Metadata and flags: shapes no microversion changes.
            send("volumes", "show_volume_metadata", "GET", f"{volume}/metadata")
            send("volumes", "create_volume_metadata", "POST", f"{volume}/metadata", {"metadata": {"a": "1"}})
            send("volumes", "update_volume_metadata", "PUT", f"{volume}/metadata", {"metadata": {"b": "2"}})
            send("volumes", "update_volume_metadata_item", "PUT", f"{volume}/metadata/c", {"meta": {"c": "3"}})
            send("volumes", "show_volume_metadata_item", "GET", f"{volume}/metadata/c")
            send("volumes", "delete_volume_metadata_item", "DELETE", f"{volume}/metadata/c")
            send("volumes", "update_volume_image_metadata", "POST", action,
                 {"os-set_image_metadata": {"metadata": {"k": "v"}}})
            send("volumes", "show_volume_image_metadata", "POST", action, {"os-show_image_metadata": None})
            send("volumes", "delete_volume_image_metadata", "POST", action, {"os-unset_image_metadata": {"key": "k"}})
            send("volumes", "set_bootable_volume", "POST", action, {"os-set_bootable": {"bootable": True}})
            send("volumes", "update_volume_readonly", "POST", action, {"os-update_readonly_flag": {"readonly": False}})
        send("volumes", "extend_volume", "POST", action, {"os-extend": {"new_size": self.size + 1}})
        settle()
        send("volumes", "reserve_volume", "POST", action, {"os-reserve": None})
        send("volumes", "unreserve_volume", "POST", action, {"os-unreserve": None})
        settle()
        send("volumes", "attach_volume", "POST", action, {"os-attach": {
            "instance_uuid": "6f1c5a2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "mountpoint": "/dev/vdb",
        }})
        settle()
        send("volumes", "show_volume", "GET", volume)
        send("volumes", "list_volumes_with_detail", "GET", "/volumes/detail")
        send("volumes", "terminate_connection", "POST", action, {"os-terminate_connection": {"connector": {}}})
        send("volumes", "detach_volume", "POST", action, {"os-detach": {}})
        settle()
        send("volumes", "retype_volume", "POST", action, {"os-retype": {"new_type": types[-1]["name"]}})
        settle()
        send("volumes", "show_volume", "GET", volume)

        # Snapshots.
        snapshot = send("snapshots", "create_snapshot", "POST", "/snapshots", {"snapshot": {
            "volume_id": created["id"], "name": "s", "metadata": {"k": "v"},
        }})["snapshot"]
        settle()
        path = f"/snapshots/{snapshot['id']}"
        send("snapshots", "show_snapshot", "GET", path)
        send("snapshots", "list_snapshots_no_detail", "GET", "/snapshots")
        send("snapshots", "list_snapshots_with_detail", "GET", "/snapshots/detail")
        send("snapshots", "update_snapshot", "PUT", path, {"snapshot": {"name": "s2"}})
        if whole:
            send("snapshots", "show_snapshot_metadata", "GET", f"{path}/metadata")
            send("snapshots", "create_snapshot_metadata", "POST", f"{path}/metadata", {"metadata": {"a": "1"}})
            send("snapshots", "update_snapshot_metadata", "PUT", f"{path}/metadata", {"metadata": {"b": "2"}})
            send("snapshots", "update_snapshot_metadata_item", "PUT", f"{path}/metadata/b", {"meta": {"b": "3"}})
            send("snapshots", "show_snapshot_metadata_item", "GET", f"{path}/metadata/b")
            send("snapshots", "delete_snapshot_metadata_item", "DELETE", f"{path}/metadata/b")
        send("snapshots", "delete_snapshot", "DELETE", path)
        settle()

        # Backups, and a restore to a new volume.
        backup = send("backups", "create_backup", "POST", "/backups", {"backup": {
            "volume_id": created["id"], "name": "b",
        }})["backup"]
        settle()
        path = f"/backups/{backup['id']}"
        send("backups", "show_backup", "GET", path)
        send("backups", "list_backups_no_detail", "GET", "/backups")
        send("backups", "list_backups_with_detail", "GET", "/backups/detail")
        if version >= (3, 9):
            send("backups", "update_backup", "PUT", path, {"backup": {"name": "b2"}})
        restored = send("backups", "restore_backup", "POST", f"{path}/restore", {"restore": {}})["restore"]
        settle()
        send("volumes", "show_volume", "GET", f"/volumes/{restored['volume_id']}")
        send("backups", "delete_backup", "DELETE", path)
        settle()

        # A volume that fails on its backend, and the message that says why.
        if whole and version >= (3, 3):
            self.call("POST", "/volumes", {"volume": {"size": 1, "metadata": {"volume_no_valid_backend": "1"}}})
            settle()
            messages = send("messages", "list_messages", "GET", "/messages")["messages"]
            self.assertTrue(messages)
            send("messages", "show_message", "GET", f"/messages/{messages[0]['id']}")
            send("messages", "delete_message", "DELETE", f"/messages/{messages[0]['id']}")

        send("volumes", "delete_volume", "DELETE", volume)

        # The administrator's own: status resets, force deletes, quotas
        # (shapes that do not depend on the microversion either).
        if not whole:
            return
        admin = self.mimic.authenticate(
            "admin", password="password",
            # DevStack's administrator works in its project "admin".
            tenant_id=None if PROFILES[self.profile].rackspace_extensions else admin_project_id(self.mimic.core),
        )
        made = self.call("POST", "/volumes", {"volume": {"size": 1}}, admin).json()["volume"]
        settle()
        admin_action = f"/volumes/{made['id']}/action"
        snapped = self.call("POST", "/snapshots", {"snapshot": {"volume_id": made["id"]}}, admin).json()["snapshot"]
        backed = self.call("POST", "/backups", {"backup": {"volume_id": made["id"]}}, admin).json()["backup"]
        settle()
        send("snapshots", "reset_snapshot_status", "POST", f"/snapshots/{snapped['id']}/action",
             {"os-reset_status": {"status": "error"}}, admin)
        send("snapshots", "force_delete_snapshot", "POST", f"/snapshots/{snapped['id']}/action",
             {"os-force_delete": {}}, admin)
        send("backups", "reset_backup_status", "POST", f"/backups/{backed['id']}/action",
             {"os-reset_status": {"status": "error"}}, admin)
        settle()
        send("volumes", "reset_volume_status", "POST", admin_action, {"os-reset_status": {"status": "error"}}, admin)
        send("volumes", "force_delete_volume", "POST", admin_action, {"os-force_delete": {}}, admin)
        send("quotas", "update_quota_set", "PUT", f"/os-quota-sets/{admin.tenant_id}",
             {"quota_set": {"volumes": 20}}, admin)


def shapes_case(profile: str) -> type:
    """
    The test case of :class:`CompatibleShapes` for a profile: one test per
    microversion of :data:`VERSIONS` (``test_v3_0``... ``test_v3_70``).
    """
    attributes: dict[str, Any] = {
        "profile": profile,
        "__doc__": f"Block storage's responses under the {profile} profile, against upstream's schemas.",
        "__module__": __name__,
    }
    attributes.update(version_tests(VERSIONS or [(3, 0)]))
    return type(f"{profile.capitalize()}VolumeShapes", (CompatibleShapes, SynchronousTestCase), attributes)


#: One line per profile.
RackspaceVolumeShapes = shapes_case("rackspace")
OpenstackVolumeShapes = shapes_case("openstack")
