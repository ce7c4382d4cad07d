"""The WinRS shell service: one handler per WS-Management action, over a host's shells."""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from . import faults, soap
from .shell import Runner, ShellRegistry
from .soap import NAMESPACES, WsmanRequest, element, leaf

_SHELL = NAMESPACES["rsp"]
_TRANSFER = NAMESPACES["x"]
SHELL_RESOURCE_URI = f"{_SHELL}/cmd"
COMMAND_DONE = f"{_SHELL}/CommandState/Done"
SIGNAL_TERMINATE = f"{_SHELL}/signal/terminate"
COMMAND_ACTION = f"{_SHELL}/Command"
DELETE_ACTION = f"{_TRANSFER}/Delete"


@dataclass(frozen=True)
class Caller:
    """The logged-on user a request comes from, where it arrived, and how that user's commands run."""

    user: str
    endpoint: str
    runner: Runner
    requests: list[WsmanRequest] = field(default_factory=list)
    """The request ``handle`` parsed, for the listener's traffic account."""
    modules: list[str] = field(default_factory=list)
    """The module whose output a Receive delivered, for the listener's traffic account."""


def handle(body: bytes, shells: ShellRegistry, caller: Caller) -> tuple[int, bytes]:
    """Answer one SOAP request: HTTP 200 with the response, or HTTP 500 with a fault."""
    request = None
    try:
        request = soap.parse_request(body)
        caller.requests.append(request)
        action = _ACTIONS.get(request.action)
        if action is None:
            raise faults.action_not_supported(request.action)
        return 200, soap.response(request, *action(request, shells, caller))
    except faults.WsmanFault as failure:
        return 500, soap.fault(failure, request.message_id if request else None)


def _create(request: WsmanRequest, shells: ShellRegistry, caller: Caller) -> list[ET.Element]:
    body = _body(request, "Shell")
    shell_id = shells.create_shell(caller.user)
    selectors = element("w:SelectorSet", leaf("w:Selector", shell_id, {"Name": "ShellId"}))
    return [
        element(
            "x:ResourceCreated",
            leaf("a:Address", caller.endpoint),
            element("a:ReferenceParameters", leaf("w:ResourceURI", SHELL_RESOURCE_URI), selectors),
        ),
        element(
            "rsp:Shell",
            leaf("rsp:ShellId", shell_id),
            leaf("rsp:ResourceUri", SHELL_RESOURCE_URI),
            leaf("rsp:Owner", caller.user),
            leaf("rsp:InputStreams", _text(body, "rsp:InputStreams") or "stdin"),
            leaf("rsp:OutputStreams", _text(body, "rsp:OutputStreams") or "stdout stderr"),
        ),
    ]


def _command(request: WsmanRequest, shells: ShellRegistry, caller: Caller) -> list[ET.Element]:
    body = _body(request, "CommandLine")
    command = _text(body, "rsp:Command")
    if not command:
        raise faults.invalid_soap_body("The request's rsp:CommandLine has no rsp:Command.")
    # WinRS starts the command and its arguments, joined by spaces, as one process command line.
    arguments = [(argument.text or "").strip() for argument in body.iterfind("rsp:Arguments", NAMESPACES)]
    command_line = " ".join([command] + [argument for argument in arguments if argument])
    command_id = shells.start_command(caller.user, _shell_id(request), command_line, caller.runner)
    return [element("rsp:CommandResponse", leaf("rsp:CommandId", command_id))]


def _send(request: WsmanRequest, shells: ShellRegistry, caller: Caller) -> list[ET.Element]:
    for stream in _body(request, "Send").iterfind("rsp:Stream", NAMESPACES):
        try:
            data = base64.b64decode(stream.text or "", validate=True)
        except binascii.Error:
            raise faults.invalid_soap_body("An rsp:Stream of the request is not base64.") from None
        end = (stream.get("End") or "").lower() == "true"
        shells.send_input(caller.user, _shell_id(request), stream.get("CommandId", ""), data, end)
    return [element("rsp:SendResponse")]


def _receive(request: WsmanRequest, shells: ShellRegistry, caller: Caller) -> list[ET.Element]:
    desired = _body(request, "Receive").find("rsp:DesiredStream", NAMESPACES)
    command_id = "" if desired is None else desired.get("CommandId", "")
    output = shells.receive(caller.user, _shell_id(request), command_id, request.operation_timeout)
    if output.module is not None:
        caller.modules.append(output.module)
    streams = []
    for name, data in (("stdout", output.stdout), ("stderr", output.stderr)):
        if data:
            streams.append(leaf("rsp:Stream", base64.b64encode(data).decode(), {"Name": name, "CommandId": command_id}))
        streams.append(element("rsp:Stream", attributes={"Name": name, "CommandId": command_id, "End": "true"}))
    state = element(
        "rsp:CommandState",
        leaf("rsp:ExitCode", str(output.exit_code)),
        attributes={"CommandId": command_id, "State": COMMAND_DONE},
    )
    return [element("rsp:ReceiveResponse", *streams, state)]


def _signal(request: WsmanRequest, shells: ShellRegistry, caller: Caller) -> list[ET.Element]:
    body = _body(request, "Signal")
    # Only terminate ends a command; an emulated command has nothing for ctrl_c or ctrl_break to interrupt.
    if _text(body, "rsp:Code") == SIGNAL_TERMINATE:
        shells.terminate(caller.user, _shell_id(request), body.get("CommandId", ""))
    return [element("rsp:SignalResponse")]


def _delete(request: WsmanRequest, shells: ShellRegistry, caller: Caller) -> list[ET.Element]:
    shells.delete_shell(caller.user, _shell_id(request))
    return []


def _shell_id(request: WsmanRequest) -> str:
    if not request.shell_id:
        raise faults.shell_not_found("")
    return request.shell_id


def _body(request: WsmanRequest, name: str) -> ET.Element:
    if request.body is None or request.body.tag != f"{{{_SHELL}}}{name}":
        raise faults.invalid_soap_body(f"The request's body is not rsp:{name}.")
    return request.body


def _text(parent: ET.Element, path: str) -> str:
    return (parent.findtext(path, default="", namespaces=NAMESPACES) or "").strip()


_ACTIONS: dict[str, Callable[[WsmanRequest, ShellRegistry, Caller], list[ET.Element]]] = {
    f"{_TRANSFER}/Create": _create,
    COMMAND_ACTION: _command,
    f"{_SHELL}/Send": _send,
    f"{_SHELL}/Receive": _receive,
    f"{_SHELL}/Signal": _signal,
    DELETE_ACTION: _delete,
}
