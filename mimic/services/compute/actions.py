# -*- test-case-name: mimic.test.test_compute_servers -*-
"""
Server actions: ``POST /servers/{id}/action`` with a body naming one
action (``{"reboot": {"type": "SOFT"}}``).

Each action checks the server's state as Nova does (409 otherwise), puts
the server in the action's task state at once and finishes after
:data:`DURATIONS` seconds on Mimic's clock, so a client sees ``REBOOT``
until the clock is ticked, then ``ACTIVE``.  :func:`run_action` asks the
failure engine once how the action goes
(:data:`~mimic.services.compute.failures.SERVER_ACTION`) and hands the
outcome to the action.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from attrs import define, frozen
from twisted.web.iweb import IRequest

from mimic.failures import FailureEngine
from mimic.http import json_response, read_json, request_id
from mimic.services.compute.errors import conflicting_state, invalid_input, nova_error, server_locked
from mimic.services.compute.failures import SERVER_ACTION, ActionFinish
from mimic.services.compute.images import LAST_IMAGE_METADATA_MICROVERSION, image_id_from_ref, image_properties
from mimic.services.compute.instance_actions import record_server_action
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
    ComputeState,
    GoToError,
    Server,
    Transition,
    admin_password,
    console_log,
)
from mimic.services.compute.metadata import check_image_metadata_quota, check_metadata_quota, string_map
from mimic.services.compute.validation import (
    check_image_active,
    disk_config,
    integer,
    ip_address,
    rebuild_user_data,
    server_name,
)
from mimic.services.compute.views import changed_server_json
from mimic.services.compute.web import RequestContext

#: Seconds each timed action takes on Mimic's clock by default; the
#: ``compute.*_seconds`` settings (:mod:`~mimic.services.compute.transitions`)
#: say otherwise.  A resize reaches VERIFY_RESIZE and a stop SHUTOFF at
#: once, as clients waiting on them expect.
DURATIONS = {
    "reboot": 5.0,
    "rebuild": 10.0,
    "resize": 0.0,
    "confirmResize": 0.0,
    "revertResize": 5.0,
    "os-stop": 0.0,
    "os-start": 2.0,
    "pause": 2.0,
    "unpause": 2.0,
    "suspend": 2.0,
    "resume": 2.0,
    "rescue": 5.0,
    "unrescue": 5.0,
    "createImage": 2.0,
    "changePassword": 0.0,
    "createBackup": 2.0,
    "shelve": 2.0,
    "shelveOffload": 2.0,
    "unshelve": 5.0,
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


@define
class ActionRequest:
    """
    One action on one server: what its handler works on.
    """

    request: IRequest
    ctx: RequestContext
    state: ComputeState
    server: Server
    #: The action's own part of the body (``{"type": "SOFT"}`` of a reboot).
    argument: Any
    #: How the action's task ends, as the failure engine decided.
    finish: ActionFinish

    def timed(
        self,
        action: str,
        task_state: str | None,
        final: tuple[str, str | None, int],
        apply: Callable[[Server], None] | None = None,
    ) -> None:
        """
        Start a task now and finish it after the action's duration, or
        end in ERROR (with the outcome's fault) if a condition says so.
        """
        server, now = self.server, self.ctx.now
        server.set_state(now, server.vm_state, task_state, server.power_state)
        at = now + self.state.durations.get(action, DURATIONS[action])
        fault = self.finish.fault
        if fault is not None:
            self.state.schedule(
                server,
                Transition(at, ERROR, None, server.power_state, apply=GoToError(fault)),
            )
        else:
            self.state.schedule(server, Transition(at, *final, apply=apply))


@frozen(eq=False)
class RevertResize:
    """
    What a revert's step does once applied: the server goes back to its
    old flavor.  A value rather than a closure, so that a snapshot can
    save it (with the state it was made for).
    """

    state: ComputeState

    def __call__(self, server: Server) -> None:
        self.state.finish_resize(server, keep_new=False)


@frozen(eq=False)
class ConfirmResize:
    """
    What a confirm's step does once applied: the server keeps its new
    flavor and gives up the old one.  A value, as :class:`RevertResize`.
    """

    state: ComputeState

    def __call__(self, server: Server) -> None:
        self.state.finish_resize(server, keep_new=True)


def _confirming(server: Server) -> bool:
    """
    Whether a confirm is already under way (it keeps the server in
    VERIFY_RESIZE, with no task, until its time is up).
    """
    return any(isinstance(step.apply, ConfirmResize) for step in server.pending)


def _body(value: Any, action: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_input(action, value, f"{value!r} is not of type 'object', 'null'")
    return value


def run_action(
    request: IRequest, ctx: RequestContext, state: ComputeState, server: Server, failures: FailureEngine,
    more_actions: Mapping[str, Action] | None = None,
) -> bytes:
    """
    ``POST /servers/<id>/action``: check the body names one known action
    the server takes (one of :data:`ACTIONS`, or of ``more_actions``,
    which other modules of compute hand in), ask the failure engine how
    it goes, and run it.
    """
    body = read_json(request, nova_error)
    if not isinstance(body, dict) or len(body) != 1:
        raise nova_error(400, "Malformed request body")
    (action, argument), = body.items()
    handler = ACTIONS.get(action)
    if handler is None and more_actions is not None:
        handler = more_actions.get(action)
    if handler is None:
        raise nova_error(400, f"There is no such action: {action}")
    if server.locked and action not in _LOCK_EXEMPT and not ctx.is_admin:
        raise server_locked(server.id)
    finish = failures.decide(
        SERVER_ACTION,
        {
            "action": action,
            "server_id": server.id,
            "server_name": server.name,
            "tenant_id": ctx.tenant_id,
            "region": ctx.region,
        },
        server.metadata,
    )
    steps_before = server.pending
    answer = handler(ActionRequest(request, ctx, state, server, argument, finish))
    record_server_action(server, action, request_id(request), ctx.user_id, ctx.now, finish.fault, steps_before)
    return answer


def _reboot(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "reboot")
    server = act.server
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
    act.timed("reboot", task, (ACTIVE, None, RUNNING))
    return json_response(act.request, None, 202)


def _simple(action: str, allowed: tuple[str, ...], task: str, final: tuple[str, str | None, int]) -> Action:
    def handler(act: ActionRequest) -> bytes:
        _check_state(act.server, action, allowed)
        act.timed(action, task, final)
        return json_response(act.request, None, 202)

    return handler


def _rescue(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "rescue")
    _check_state(act.server, "rescue", (ACTIVE, STOPPED, ERROR))
    password = argument.get("adminPass")
    if password is not None and not isinstance(password, str):
        raise invalid_input("rescue/adminPass", password, f"{password!r} is not of type 'string'")
    password = password or admin_password()
    act.timed("rescue", "rescuing", (RESCUED, None, RUNNING))
    return json_response(act.request, {"adminPass": password}, 200)


def _resize(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "resize")
    server = act.server
    if "flavorRef" not in argument:
        raise invalid_input("resize", argument, "'flavorRef' is a required property")
    # Nova's schema checks the body before anything looks at the server.
    new_disk_config = None
    if "OS-DCF:diskConfig" in argument:
        new_disk_config = disk_config(argument["OS-DCF:diskConfig"])
    flavor = act.state.flavors.from_ref(argument["flavorRef"])
    if flavor is None:
        raise nova_error(400, "Invalid flavorRef provided.")
    _check_state(server, "resize", (ACTIVE, STOPPED))
    if flavor.id == server.flavor_id:
        raise nova_error(400, "When resizing, instances must change flavor!")
    if new_disk_config is not None:
        # Rackspace's extension hands it to the resize as an instance
        # update, made when the resize starts; a revert restores the
        # flavor only.
        server.disk_config = new_disk_config
    act.state.start_resize(server, flavor.id)
    server.resized_from = server.vm_state
    act.timed("resize", "resize_prep", (RESIZED, None, server.power_state))
    return json_response(act.request, None, 202)


def _confirm_resize(act: ActionRequest) -> bytes:
    server = act.server
    if server.vm_state != RESIZED or server.task_state is not None or _confirming(server):
        raise nova_error(400, "Instance has not been resized.")
    back = server.resized_from or ACTIVE
    power = RUNNING if back == ACTIVE else SHUTDOWN
    act.timed("confirmResize", None, (back, None, power), apply=ConfirmResize(act.state))
    return json_response(act.request, None, 204)


def _revert_resize(act: ActionRequest) -> bytes:
    server = act.server
    if server.vm_state != RESIZED or server.task_state is not None:
        raise nova_error(400, "Instance has not been resized.")
    back = server.resized_from or ACTIVE
    power = RUNNING if back == ACTIVE else SHUTDOWN
    act.timed("revertResize", "resize_reverting", (back, None, power), apply=RevertResize(act.state))
    return json_response(act.request, None, 202)


def _rebuild(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "rebuild")
    server, state, ctx = act.server, act.state, act.ctx
    if "imageRef" not in argument:
        raise invalid_input("rebuild", argument, "'imageRef' is a required property")
    image_id = image_id_from_ref(argument["imageRef"])
    if image_id is None:
        raise nova_error(400, "Invalid imageRef provided.")
    image = state.images.get(image_id)
    if image is None:
        raise nova_error(400, "Cannot find requested image")
    check_image_active(image, ctx.now)
    flavor = state.flavors.get(server.flavor_id)
    changes: dict[str, Any] = {
        "image_id": image_id,
        # Nova records the new image's properties (shown from 2.98).
        "image_properties": image_properties(image, flavor.disk if flavor is not None else 0),
    }
    if "name" in argument:
        changes["name"] = server_name(argument["name"])
    if "metadata" in argument:
        changes["metadata"] = string_map(argument["metadata"], "metadata")
        check_metadata_quota(changes["metadata"], state.quotas.metadata_items)
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
            not isinstance(key_name, str) or state.keypairs.get(key_name) is None
        ):
            raise nova_error(400, "Invalid key_name provided.")
        changes["key_name"] = key_name
    if "user_data" in argument and ctx.microversion >= (2, 57):
        changes["user_data"] = rebuild_user_data(argument["user_data"])
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
    act.timed("rebuild", "rebuilding", (back, None, RUNNING if back == ACTIVE else SHUTDOWN))
    described = changed_server_json(server, ctx, rebuilt=True)
    described["adminPass"] = server.admin_pass
    return json_response(act.request, {"server": described}, 202)


def _change_password(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "changePassword")
    password = argument.get("adminPass")
    if not isinstance(password, str):
        raise invalid_input("changePassword", argument, "'adminPass' is a required property")
    _check_state(act.server, "changePassword", (ACTIVE,))
    act.server.admin_pass = password
    act.timed("changePassword", "updating_password", (ACTIVE, None, RUNNING))
    return json_response(act.request, None, 202)


def _create_image(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "createImage")
    server, images, ctx = act.server, act.state.images, act.ctx
    name = argument.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise invalid_input("createImage", argument, "'name' is a required property")
    # Nova's schema: keys of 1 to 255 characters, string values.
    metadata = string_map(argument.get("metadata", {}), "createImage/metadata")
    if ctx.microversion <= LAST_IMAGE_METADATA_MICROVERSION:
        check_image_metadata_quota(metadata, act.state.quotas.metadata_items)
    _check_state(server, "createImage", (ACTIVE, STOPPED, PAUSED, SUSPENDED))
    base = images.get(server.image_id) if server.image_id else None
    image = images.create_snapshot(name, server.id, ctx.now, metadata, base)
    act.timed("createImage", "image_snapshot", (server.vm_state, None, server.power_state))
    if ctx.microversion >= (2, 45):
        return json_response(act.request, {"image_id": image.id}, 202)
    location = f"{ctx.versioned_url}/images/{image.id}"
    return json_response(act.request, None, 202, {b"Location": location.encode()})


def _console_output(act: ActionRequest) -> bytes:
    argument = _body(act.argument, "os-getConsoleOutput")
    server = act.server
    # Nova's schema checks ``length`` before anything looks at the server.
    length = argument.get("length")
    wanted = -1 if length is None else integer(length, "os-getConsoleOutput/length", -1)
    if server.vm_state not in (ACTIVE, RESCUED, PAUSED):
        raise conflicting_state("get_console_output", server.id, "vm_state", server.vm_state)
    lines = console_log(server)
    # The last ``length`` lines, or the whole log when it is shorter; -1,
    # as no length, means the whole log, and 0 none (Nova's tail).
    if wanted == 0:
        lines = []
    elif wanted > 0:
        lines = lines[-wanted:]
    return json_response(act.request, {"output": "\n".join(lines)}, 200)


#: What runs each action.
Action = Callable[[ActionRequest], bytes]

ACTIONS: dict[str, Action] = {
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
    "os-getConsoleOutput": _console_output,
}
