# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Server actions: ``POST /servers/{id}/action`` with a body naming one
action (``{"reboot": {"type": "SOFT"}}``).

Each action checks the server's state as Nova does (409 otherwise), puts
the server in the action's task state at once and finishes after
:data:`DURATIONS` seconds on Mimic's clock, so a client sees ``REBOOT``
until the clock is ticked, then ``ACTIVE``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, read_json
from mimic.services.compute import failures as events
from mimic.services.compute.errors import conflicting_state, invalid_input, nova_error
from mimic.services.compute.flavors import flavor_from_ref
from mimic.services.compute.images import image_id_from_ref
from mimic.services.compute.model import (
    ACTIVE,
    ERROR,
    PAUSED,
    POWER_PAUSED,
    RESCUED,
    RESIZED,
    RUNNING,
    SHUTDOWN,
    STOPPED,
    SUSPENDED,
    Server,
    Transition,
    admin_password,
)
from mimic.services.compute.validation import (
    check_metadata_quota,
    disk_config,
    integer,
    ip_address,
    server_name,
    string_map,
)
from mimic.services.compute.views import server_json

if TYPE_CHECKING:
    from mimic.services.compute.routes import ComputeAPI, RequestContext

#: Seconds each timed action takes on Mimic's clock.
DURATIONS = {
    "reboot": 5.0,
    "rebuild": 10.0,
    "resize": 10.0,
    "revertResize": 5.0,
    "os-stop": 2.0,
    "os-start": 2.0,
    "pause": 2.0,
    "unpause": 2.0,
    "suspend": 2.0,
    "resume": 2.0,
    "rescue": 5.0,
    "unrescue": 5.0,
    "createImage": 2.0,
}

#: Actions a locked server still accepts.
_LOCK_EXEMPT = {"lock", "unlock", "os-getConsoleOutput"}


def _check_state(server: Server, action: str, allowed: tuple[str, ...]) -> None:
    """
    Nova's state check: the server must be in one of ``allowed`` vm_states
    with no task running.
    """
    if server.vm_state not in allowed:
        raise conflicting_state(action, server.id, "vm_state", server.vm_state)
    if server.task_state is not None:
        raise conflicting_state(action, server.id, "task_state", server.task_state)


def _timed(
    server: Server,
    ctx: RequestContext,
    action: str,
    task_state: str,
    final: tuple[str, str | None, int],
    failing: str | None,
    apply: Callable[[Server], None] | None = None,
) -> None:
    """
    Start a task now and finish it after the action's duration, or end
    in ERROR (with ``failing`` as the fault) if a condition says so.
    """
    server.set_state(ctx.now, server.vm_state, task_state, server.power_state)
    at = ctx.now + DURATIONS[action]
    if failing is not None:
        message = failing
        ctx.state.schedule(
            server,
            Transition(at, ERROR, None, server.power_state, apply=lambda s: s.go_to_error(s.updated, message))
        )
    else:
        ctx.state.schedule(server, Transition(at, *final, apply=apply))


def _body(value: Any, action: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_input(action, value, f"{value!r} is not of type 'object', 'null'")
    return value


def run_action(api: ComputeAPI, request: IRequest, ctx: RequestContext, server: Server) -> bytes:
    body = read_json(request, nova_error)
    if not isinstance(body, dict) or len(body) != 1:
        raise nova_error(400, "Malformed request body")
    (action, argument), = body.items()
    handler = ACTIONS.get(action)
    if handler is None:
        raise nova_error(400, f"There is no such action: {action}")
    if server.locked and action not in _LOCK_EXEMPT:
        raise nova_error(409, f"Instance {server.id} is locked")
    firing = api.consult(
        events.SERVER_ACTION.id,
        {
            "action": action,
            "server_id": server.id,
            "server_name": server.name,
            "tenant_id": ctx.tenant_id,
            "region": ctx.region,
        },
        server.metadata,
    )
    if firing is not None and firing.name == "fail":
        raise nova_error(firing["code"], firing["message"])
    failing = firing["message"] if firing is not None and firing.name == "error" else None
    return handler(request, ctx, server, argument, failing)


def _reboot(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "reboot")
    kind = argument.get("type")
    if kind not in ("SOFT", "HARD", "soft", "hard"):
        raise invalid_input("reboot/type", kind, f"{kind!r} is not one of ['HARD', 'Hard', 'SOFT', 'Soft']")
    if kind.upper() == "SOFT":
        _check_state(server, "reboot", (ACTIVE,))
        task = "reboot_started"
    else:
        allowed = (ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR)
        if server.vm_state not in allowed:
            raise conflicting_state("reboot", server.id, "vm_state", server.vm_state)
        server.cancel_pending()
        task = "reboot_started_hard"
    _timed(server, ctx, "reboot", task, (ACTIVE, None, RUNNING), failing)
    return json_response(request, None, 202)


def _simple(action: str, allowed: tuple[str, ...], task: str, final: tuple[str, str | None, int]) -> Any:
    def handler(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
        _check_state(server, action, allowed)
        _timed(server, ctx, action, task, final, failing)
        return json_response(request, None, 202)

    return handler


def _rescue(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "rescue")
    _check_state(server, "rescue", (ACTIVE, STOPPED, ERROR))
    password = argument.get("adminPass")
    if password is not None and not isinstance(password, str):
        raise invalid_input("rescue/adminPass", password, f"{password!r} is not of type 'string'")
    password = password or admin_password()
    _timed(server, ctx, "rescue", "rescuing", (RESCUED, None, RUNNING), failing)
    return json_response(request, {"adminPass": password}, 200)


def _resize(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "resize")
    if "flavorRef" not in argument:
        raise invalid_input("resize", argument, "'flavorRef' is a required property")
    flavor = flavor_from_ref(argument["flavorRef"])
    if flavor is None:
        raise nova_error(400, "Invalid flavorRef provided.")
    _check_state(server, "resize", (ACTIVE, STOPPED))
    if flavor.id == server.flavor_id:
        raise nova_error(400, "When resizing, instances must change flavor!")
    if "OS-DCF:diskConfig" in argument:
        disk_config(argument["OS-DCF:diskConfig"])
    ctx.state.start_resize(server, flavor.id)
    server.resized_from = server.vm_state
    power = server.power_state
    _timed(server, ctx, "resize", "resize_prep", (RESIZED, None, power), failing)
    return json_response(request, None, 202)


def _confirm_resize(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    if server.vm_state != RESIZED or server.task_state is not None:
        raise nova_error(400, "Instance has not been resized.")
    ctx.state.finish_resize(server, keep_new=True)
    back = server.resized_from or ACTIVE
    server.set_state(ctx.now, back, None, RUNNING if back == ACTIVE else SHUTDOWN)
    return json_response(request, None, 204)


def _revert_resize(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    if server.vm_state != RESIZED or server.task_state is not None:
        raise nova_error(400, "Instance has not been resized.")
    back = server.resized_from or ACTIVE
    power = RUNNING if back == ACTIVE else SHUTDOWN
    state = ctx.state
    _timed(
        server, ctx, "revertResize", "resize_reverting", (back, None, power), failing,
        apply=lambda s: state.finish_resize(s, keep_new=False),
    )
    return json_response(request, None, 202)


def _rebuild(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "rebuild")
    if "imageRef" not in argument:
        raise invalid_input("rebuild", argument, "'imageRef' is a required property")
    image_id = image_id_from_ref(argument["imageRef"])
    if image_id is None:
        raise nova_error(400, "Invalid imageRef provided.")
    if ctx.state.images.get(image_id) is None:
        raise nova_error(400, "Cannot find requested image")
    changes: dict[str, Any] = {"image_id": image_id}
    if "name" in argument:
        changes["name"] = server_name(argument["name"])
    if "metadata" in argument:
        changes["metadata"] = string_map(argument["metadata"], "metadata")
        check_metadata_quota(changes["metadata"], ctx.quotas.metadata_items)
    if "accessIPv4" in argument:
        changes["access_ipv4"] = ip_address(argument["accessIPv4"], "accessIPv4", 4)
    if "accessIPv6" in argument:
        changes["access_ipv6"] = ip_address(argument["accessIPv6"], "accessIPv6", 6)
    if "OS-DCF:diskConfig" in argument:
        changes["disk_config"] = disk_config(argument["OS-DCF:diskConfig"])
    if "description" in argument and ctx.microversion >= (2, 19):
        description = argument["description"]
        if description is not None and (not isinstance(description, str) or len(description) > 255):
            raise invalid_input("description", description, "must be a string of at most 255 characters")
        changes["description"] = description
    if "key_name" in argument and ctx.microversion >= (2, 54):
        key_name = argument["key_name"]
        if key_name is not None and (
            not isinstance(key_name, str) or ctx.state.keypairs.get(key_name) is None
        ):
            raise nova_error(400, "Invalid key_name provided.")
        changes["key_name"] = key_name
    password = argument.get("adminPass")
    if password is not None and not isinstance(password, str):
        raise invalid_input("adminPass", password, f"{password!r} is not of type 'string'")
    _check_state(server, "rebuild", (ACTIVE, STOPPED, ERROR))
    for attribute, value in changes.items():
        setattr(server, attribute, value)
    server.admin_pass = password or admin_password()
    server.fault = None
    back = STOPPED if server.vm_state == STOPPED else ACTIVE
    if server.vm_state == ERROR:
        server.vm_state = ACTIVE
    _timed(server, ctx, "rebuild", "rebuilding", (back, None, RUNNING if back == ACTIVE else SHUTDOWN), failing)
    described = server_json(server, ctx)
    described["adminPass"] = server.admin_pass
    return json_response(request, {"server": described}, 202)


def _change_password(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "changePassword")
    password = argument.get("adminPass")
    if not isinstance(password, str):
        raise invalid_input("changePassword", argument, "'adminPass' is a required property")
    _check_state(server, "changePassword", (ACTIVE,))
    server.admin_pass = password
    server.updated = ctx.now
    return json_response(request, None, 202)


def _create_image(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "createImage")
    name = argument.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise invalid_input("createImage", argument, "'name' is a required property")
    metadata = argument.get("metadata", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise invalid_input("createImage/metadata", metadata, "must be an object of strings")
    _check_state(server, "createImage", (ACTIVE, STOPPED, PAUSED, SUSPENDED))
    base = ctx.state.images.get(server.image_id) if server.image_id else None
    image = ctx.state.images.create_snapshot(name, server.id, ctx.now, metadata, base)
    back = (server.vm_state, None, server.power_state)
    _timed(server, ctx, "createImage", "image_snapshot", back, failing)
    if ctx.microversion >= (2, 45):
        return json_response(request, {"image_id": image.id}, 202)
    location = f"{ctx.versioned_url}/images/{image.id}"
    return json_response(request, None, 202, {b"Location": location.encode()})


def _lock(locked: bool) -> Any:
    def handler(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
        server.locked = locked
        server.updated = ctx.now
        return json_response(request, None, 202)

    return handler


def _console_output(request: IRequest, ctx: RequestContext, server: Server, argument: Any, failing: str | None) -> bytes:
    argument = _body(argument, "os-getConsoleOutput")
    if server.vm_state not in (ACTIVE, RESCUED, PAUSED):
        raise conflicting_state("get_console_output", server.id, "vm_state", server.vm_state)
    lines = [f"{server.hostname} login: ", f"Mimic console of {server.name} ({server.id})"]
    length = argument.get("length")
    if length is not None:
        # -1, as no length, means the whole log.
        wanted = integer(length, "os-getConsoleOutput/length", -1)
        if wanted >= 0:
            lines = lines[-wanted:] if wanted > 0 else []
    return json_response(request, {"output": "\n".join(lines)}, 200)


ACTIONS: dict[str, Callable[..., bytes]] = {
    "reboot": _reboot,
    "os-stop": _simple("os-stop", (ACTIVE, RESCUED, ERROR), "powering-off", (STOPPED, None, SHUTDOWN)),
    "os-start": _simple("os-start", (STOPPED,), "powering-on", (ACTIVE, None, RUNNING)),
    "pause": _simple("pause", (ACTIVE, RESCUED), "pausing", (PAUSED, None, POWER_PAUSED)),
    "unpause": _simple("unpause", (PAUSED,), "unpausing", (ACTIVE, None, RUNNING)),
    "suspend": _simple("suspend", (ACTIVE,), "suspending", (SUSPENDED, None, SHUTDOWN)),
    "resume": _simple("resume", (SUSPENDED,), "resuming", (ACTIVE, None, RUNNING)),
    "rescue": _rescue,
    "unrescue": _simple("unrescue", (RESCUED,), "unrescuing", (ACTIVE, None, RUNNING)),
    "resize": _resize,
    "confirmResize": _confirm_resize,
    "revertResize": _revert_resize,
    "rebuild": _rebuild,
    "changePassword": _change_password,
    "createImage": _create_image,
    "lock": _lock(True),
    "unlock": _lock(False),
    "os-getConsoleOutput": _console_output,
}


def install_routes(app: Klein, prefix: str) -> None:
    """
    Mount ``POST <prefix>/servers/<server_id>/action`` on the compute app.
    """

    def action(api: ComputeAPI, request: IRequest, version: str, tenant_id: str, server_id: str) -> bytes:
        ctx = api.context(request, version, tenant_id)
        return run_action(api, request, ctx, api.server(ctx, server_id))

    app.route(prefix + "/servers/<server_id>/action", methods=["POST"], endpoint="server_action")(action)
