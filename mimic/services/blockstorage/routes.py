# -*- test-case-name: mimic.test.test_blockstorage_volumes -*-
"""
Cinder's HTTP API for one tenant in one region.

Below the service prefix the app serves the version documents at ``/``,
``/v3`` and ``/v2``, and the API at ``/<version>/<project_id>/...``.  Volumes
and their metadata are routed here; volume actions run in
:mod:`~mimic.services.blockstorage.actions`; snapshots, backups,
attachments, types, zones, limits and quotas are Klein apps of their own
(:mod:`~mimic.services.blockstorage.resources`), which branch routes
here hand the rest of the path to.  Each handler parses
(:mod:`~mimic.services.blockstorage.validation`), asks the failure
engine where a known error condition may apply
(:mod:`~mimic.services.blockstorage.failures`), changes the model and
answers (:mod:`~mimic.services.blockstorage.views`).
"""

from __future__ import annotations

import ast
import json
from functools import partial
from typing import Any, Callable

from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.http import header, json_response, read_json
from mimic.interfaces import IMimicCore
from mimic.services.blockstorage.actions import run_action
from mimic.services.blockstorage.catalogue import VolumeTypes
from mimic.services.blockstorage.creation import volume_sources
from mimic.services.blockstorage.errors import (
    bad_request,
    cinder_error,
    handle_cinder_errors,
    not_found,
)
from mimic.services.blockstorage.failures import VOLUME_CREATE, VOLUME_DELETE
from mimic.services.blockstorage.model import BlockStorage
from mimic.services.blockstorage.records import Volume
from mimic.services.blockstorage.attachments import AttachmentsAPI
from mimic.services.blockstorage.resources import (
    ExtensionsAPI,
    LimitsAPI,
    MessagesAPI,
    QuotasAPI,
    TypesAPI,
    ZonesAPI,
)
from mimic.services.blockstorage.snapshots import BackupsAPI, SnapshotsAPI
from mimic.services.blockstorage.validation import (
    metadata_body,
    query_flag,
    text_arg,
    volume_create,
    volume_update,
)
from mimic.services.blockstorage.versions import negotiate, version_document, version_documents
from mimic.services.blockstorage.views import View, changed_volume, created_volume, volume_detail, volume_summary
from mimic.services.blockstorage.web import (
    Context,
    listing_args,
    listing_body,
    require_admin,
    sub_collection,
)

PREFIX = "/<version>/<project_id>"

#: The keys a volume listing sorts on.
VOLUME_SORT_KEYS = ("created_at", "updated_at", "id", "name", "size", "status", "bootable",
                    "availability_zone", "volume_type", "display_name")


def _volume_sort_value(volume: Volume, key: str, now: float) -> Any:
    if key in ("created_at",):
        return volume.created
    if key == "updated_at":
        return volume.updated_at(now)
    if key in ("name", "display_name"):
        return volume.name
    if key == "status":
        return volume.status(now)
    return getattr(volume, key, None)


def _volume_id(volume: Volume) -> str:
    return volume.id


class BlockStorageAPI:
    """
    Cinder v3 for one tenant in one region; ``self.state`` is that
    (tenant, region)'s :class:`BlockStorage`.
    """

    app = Klein()
    handle_cinder_errors(app)

    def __init__(
        self, core: IMimicCore, state: Callable[[], BlockStorage], service: str, region: str, tenant_id: str
    ) -> None:
        self.core = core
        self._state = state
        self.service = service
        self.region = region
        self.tenant_id = tenant_id

    @property
    def state(self) -> BlockStorage:
        """
        The tenant's state in this region, made on first use: the
        version documents, served without a token, make none.
        """
        return self._state()

    # -- context --------------------------------------------------------

    def root_url(self, request: IRequest) -> str:
        return self.core.service_url(request, self.service, self.region, self.tenant_id)

    def context(self, request: IRequest, version: str, project_id: str) -> Context:
        api = version
        if api not in ("v2", "v3"):
            raise cinder_error(404, "The resource could not be found.")
        microversion = negotiate(request, api)
        if project_id != self.tenant_id:
            raise cinder_error(400, "Malformed request url")
        token = self.core.sessions.token(header(request, "x-auth-token"))
        root = self.root_url(request)
        now = self.core.clock.seconds()
        view = View(microversion, f"{root}/{api}/{project_id}", f"{root}/{project_id}", now, self.tenant_id)
        return Context(self.core, self.state, view, token.user.id if token is not None else "", self.region)

    def later(self, request: IRequest, version: str, project_id: str) -> Any:
        return partial(self.context, request, version, project_id)

    # -- versions -------------------------------------------------------

    @app.route("/", methods=["GET", "HEAD"])
    def root(self, request: IRequest) -> bytes:
        """
        300 Multiple Choices with every version, as Cinder answers at its
        root.
        """
        return json_response(request, {"versions": version_documents(self.root_url(request))}, 300)

    @app.route("/<version>", methods=["GET", "HEAD"])
    @app.route("/<version>/", methods=["GET", "HEAD"], endpoint="version_slash")
    def version(self, request: IRequest, version: str) -> bytes:
        if version not in ("v2", "v3"):
            raise cinder_error(404, "The resource could not be found.")
        negotiate(request, version)
        return json_response(request, {"versions": version_document(self.root_url(request), version)})

    # -- volumes --------------------------------------------------------

    @app.route(PREFIX + "/volumes", methods=["GET"])
    def list_volumes(self, request: IRequest, version: str, project_id: str) -> bytes:
        return self._listing(request, version, project_id, detailed=False)

    @app.route(PREFIX + "/volumes/detail", methods=["GET"])
    def list_volumes_detail(self, request: IRequest, version: str, project_id: str) -> bytes:
        return self._listing(request, version, project_id, detailed=True)

    def _listing(self, request: IRequest, version: str, project_id: str, detailed: bool) -> bytes:
        ctx = self.context(request, version, project_id)
        args = request.args
        listing = listing_args(args, VOLUME_SORT_KEYS)
        if query_flag(args, "all_tenants"):
            require_admin(self.core, request)
        wanted = _volume_filters(args, self.state.types)
        now = ctx.now
        volumes = [v for v in self.state.live_volumes(now) if all(check(v, now) for check in wanted)]
        show = volume_detail if detailed else volume_summary
        body = listing_body(
            request, ctx.view, "volumes", volumes, listing, lambda v, k: _volume_sort_value(v, k, now),
            _volume_id, lambda v: show(v, ctx.view), detailed,
        )
        return json_response(request, body)

    @app.route(PREFIX + "/volumes/summary", methods=["GET"])
    def volume_summary(self, request: IRequest, version: str, project_id: str) -> bytes:
        """
        How many volumes and GB the project has (3.12+), and the values
        each metadata key takes (3.36+).
        """
        ctx = self.context(request, version, project_id)
        if not ctx.view.at_least(3, 12):
            raise not_found("Volume", "summary")
        volumes = [v for v in self.state.live_volumes(ctx.now)]
        summary: dict[str, Any] = {
            "total_size": sum(v.size for v in volumes),
            "total_count": len(volumes),
        }
        if ctx.view.at_least(3, 36):
            values: dict[str, list[str]] = {}
            for volume in volumes:
                for key, value in volume.metadata.items():
                    if value not in values.setdefault(key, []):
                        values[key].append(value)
            summary["metadata"] = values
        return json_response(request, {"volume-summary": summary})

    @app.route(PREFIX + "/volumes", methods=["POST"])
    def create_volume(self, request: IRequest, version: str, project_id: str) -> bytes:
        ctx = self.context(request, version, project_id)
        spec = volume_create(read_json(request, cinder_error))
        now = ctx.now
        size = spec.size
        if spec.backup_id is not None:
            if not ctx.view.at_least(3, 47):
                raise bad_request("Invalid input received: backup_id needs microversion 3.47.")
            backup = self.state.backup(spec.backup_id, now)
            if size is None:
                size = backup.size
        sources = volume_sources(
            self.core, self.state, self.region, now, size, spec.volume_type, spec.image_ref,
            spec.snapshot_id, spec.source_volid,
        )
        size = sources.size
        volume_type = sources.volume_type
        outcome = ctx.decide(
            VOLUME_CREATE,
            metadata=spec.metadata,
            volume_name=spec.name or "",
            size=size,
            volume_type=volume_type.name,
        )
        volume = self.state.create_volume(
            size,
            now,
            volume_type=volume_type,
            user_id=ctx.user_id,
            name=spec.name,
            description=spec.description,
            metadata=spec.metadata,
            availability_zone=spec.availability_zone,
            image=sources.image,
            snapshot=sources.snapshot,
            source=sources.source,
            multiattach=spec.multiattach,
            outcome=outcome,
        )
        if spec.backup_id is not None:
            volume.backup_id = spec.backup_id
        return json_response(request, {"volume": created_volume(volume, ctx.view)}, 202)

    @app.route(PREFIX + "/volumes/<volume_id>", methods=["GET"])
    def show_volume(self, request: IRequest, version: str, project_id: str, volume_id: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        return json_response(request, {"volume": volume_detail(volume, ctx.view)})

    @app.route(PREFIX + "/volumes/<volume_id>", methods=["PUT"])
    def update_volume(self, request: IRequest, version: str, project_id: str, volume_id: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        changes = volume_update(read_json(request, cinder_error))
        self.state.update_volume(volume, ctx.now, **changes)
        return json_response(request, {"volume": changed_volume(volume, ctx.view)})

    @app.route(PREFIX + "/volumes/<volume_id>", methods=["DELETE"])
    def delete_volume(self, request: IRequest, version: str, project_id: str, volume_id: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        cascade = query_flag(request.args, "cascade")
        force = query_flag(request.args, "force")
        if force:
            require_admin(self.core, request)
        outcome = ctx.decide(VOLUME_DELETE, volume)
        self.state.delete_volume(volume.id, ctx.now, cascade=cascade, force=force, outcome=outcome)
        return json_response(request, None, 202)

    @app.route(PREFIX + "/volumes/<volume_id>/action", methods=["POST"])
    def volume_action(self, request: IRequest, version: str, project_id: str, volume_id: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        body = read_json(request, cinder_error)
        return run_action(ctx, request, volume, body)

    # -- volume metadata --------------------------------------------------

    @app.route(PREFIX + "/volumes/<volume_id>/metadata", methods=["GET"])
    def show_metadata(self, request: IRequest, version: str, project_id: str, volume_id: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        return json_response(request, {"metadata": dict(volume.metadata)})

    @app.route(PREFIX + "/volumes/<volume_id>/metadata", methods=["POST", "PUT"])
    def set_metadata(self, request: IRequest, version: str, project_id: str, volume_id: str) -> bytes:
        """
        ``POST`` merges the given items into the volume's metadata,
        ``PUT`` replaces it.
        """
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        given = metadata_body(read_json(request, cinder_error))
        merged = given if request.method == b"PUT" else {**volume.metadata, **given}
        self.state.update_volume(volume, ctx.now, metadata=merged)
        return json_response(request, {"metadata": dict(volume.metadata)})

    @app.route(PREFIX + "/volumes/<volume_id>/metadata/<key>", methods=["GET"])
    def show_metadata_item(self, request: IRequest, version: str, project_id: str, volume_id: str, key: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        if key not in volume.metadata:
            raise cinder_error(404, f"Volume {volume_id} has no metadata with key {key}.")
        return json_response(request, {"meta": {key: volume.metadata[key]}})

    @app.route(PREFIX + "/volumes/<volume_id>/metadata/<key>", methods=["PUT"])
    def set_metadata_item(self, request: IRequest, version: str, project_id: str, volume_id: str, key: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        given = metadata_body(read_json(request, cinder_error), "meta")
        if len(given) != 1:
            raise bad_request("Request body contains too many items.")
        if key not in given:
            raise bad_request("Request body and URI mismatch")
        self.state.update_volume(volume, ctx.now, metadata={**volume.metadata, **given})
        return json_response(request, {"meta": given})

    @app.route(PREFIX + "/volumes/<volume_id>/metadata/<key>", methods=["DELETE"])
    def delete_metadata_item(self, request: IRequest, version: str, project_id: str, volume_id: str, key: str) -> bytes:
        ctx = self.context(request, version, project_id)
        volume = self.state.volume(volume_id, ctx.now)
        if key not in volume.metadata:
            raise cinder_error(404, f"Volume {volume_id} has no metadata with key {key}.")
        remaining = {k: v for k, v in volume.metadata.items() if k != key}
        self.state.update_volume(volume, ctx.now, metadata=remaining)
        return json_response(request, None, 200)

    # -- the other collections -------------------------------------------

    @app.route(PREFIX + "/snapshots", branch=True)
    def snapshots(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(SnapshotsAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/backups", branch=True)
    def backups(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(BackupsAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/attachments", branch=True)
    def attachments(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(AttachmentsAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/types", branch=True)
    def types(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(TypesAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/os-availability-zone", branch=True)
    def zones(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(ZonesAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/limits", branch=True)
    def limits(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(LimitsAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/os-quota-sets", branch=True)
    def quotas(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(QuotasAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/messages", branch=True)
    def messages(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(MessagesAPI(self.later(request, version, project_id)).app)

    @app.route(PREFIX + "/extensions", branch=True)
    def extensions(self, request: IRequest, version: str, project_id: str) -> IResource:
        return sub_collection(ExtensionsAPI(self.later(request, version, project_id)).app)


def _volume_filters(args: Any, types: VolumeTypes) -> list[Any]:
    """
    Checks for Cinder's listing filters: ``status``, ``name``,
    ``bootable``, ``availability_zone``, ``volume_type`` and
    ``metadata`` (a JSON or Python-literal object).
    """
    checks: list[Any] = []
    status = text_arg(args, "status")
    if status is not None:
        checks.append(lambda v, now: v.status(now) == status)
    name = text_arg(args, "name") or text_arg(args, "display_name")
    if name is not None:
        checks.append(lambda v, now: v.name == name)
    fuzzy = text_arg(args, "name~")
    if fuzzy is not None:
        checks.append(lambda v, now: v.name is not None and fuzzy in v.name)
    zone = text_arg(args, "availability_zone")
    if zone is not None:
        checks.append(lambda v, now: v.availability_zone == zone)
    vtype = text_arg(args, "volume_type")
    if vtype is not None:
        found = types.find(vtype)
        wanted = found.name if found is not None else vtype
        checks.append(lambda v, now: v.volume_type == wanted)
    bootable = text_arg(args, "bootable")
    if bootable is not None:
        flag = bootable.strip().lower() in ("true", "1", "t", "yes", "y", "on")
        checks.append(lambda v, now: v.bootable == flag)
    raw_metadata = text_arg(args, "metadata")
    if raw_metadata is not None:
        wanted_metadata = _literal_object(raw_metadata)
        checks.append(lambda v, now: all(v.metadata.get(k) == str(val) for k, val in wanted_metadata.items()))
    return checks


def _literal_object(raw: str) -> dict[str, Any]:
    """
    A ``metadata`` filter: Cinder reads it as a Python literal
    (``{'k': 'v'}``); JSON is read too.
    """
    parsed: Any = None
    if len(raw) <= 4096:
        try:
            parsed = json.loads(raw)
        except ValueError:
            try:
                parsed = ast.literal_eval(raw)
            except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
                parsed = None
    if not isinstance(parsed, dict):
        raise bad_request(f"Invalid input received: Invalid filter metadata: {raw[:64]}")
    return parsed
