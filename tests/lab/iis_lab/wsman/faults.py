"""The WS-Management faults the lab's WinRM service can answer with.

Codes, subcodes and texts are those of the Windows WinRM service (``winerror.h``
``ERROR_WSMAN_*``); clients key on the numeric ``WSManFault/@Code`` (pywinrm retries a
Receive on 2150858793, others re-create the shell on 2150858843).
"""

from __future__ import annotations


class WsmanFault(Exception):
    """A SOAP fault to send back instead of a response (HTTP 500)."""

    def __init__(self, *, sender_error: bool, subcode: str, reason: str, wsman_code: int, message: str) -> None:
        super().__init__(message)
        self.sender_error = sender_error
        self.subcode = subcode
        self.reason = reason
        self.wsman_code = wsman_code
        self.message = message

    @property
    def code(self) -> str:
        """The SOAP fault code: the client's request was wrong (Sender) or the service failed (Receiver)."""
        return "s:Sender" if self.sender_error else "s:Receiver"


def operation_timed_out() -> WsmanFault:
    """ERROR_WSMAN_OPERATION_TIMEDOUT: no output within the request's OperationTimeout; the client polls again."""
    text = "The WS-Management service cannot complete the operation within the time specified in OperationTimeout."
    return WsmanFault(sender_error=False, subcode="w:TimedOut", reason=text, wsman_code=0x80338029, message=text)


def shell_not_found(shell_id: str) -> WsmanFault:
    """The ShellId selector names no shell of this user (0x8033805B, as WinRM reports it)."""
    return WsmanFault(
        sender_error=True,
        subcode="w:InvalidSelectors",
        reason="The WS-Management service cannot process the request because the request contained invalid "
        "selectors for the resource.",
        wsman_code=0x8033805B,
        message=f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was "
        "not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer "
        "exists on the server. Provide the correct ShellId or create a new shell and retry the operation.",
    )


def command_not_found(shell_id: str, command_id: str) -> WsmanFault:
    """ERROR_WSMAN_INVALID_PARAMETER for a CommandId this shell does not run."""
    return WsmanFault(
        sender_error=True,
        subcode="w:InvalidParameter",
        reason="The WS-Management service cannot process the request because a parameter is not valid.",
        wsman_code=0x8033803A,
        message=f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the command with "
        f"CommandId {command_id} was not found in the shell.",
    )


def input_already_closed(command_id: str) -> WsmanFault:
    """ERROR_WSMAN_INVALID_PARAMETER for input sent after the stream was ended with End="true"."""
    return WsmanFault(
        sender_error=True,
        subcode="w:InvalidParameter",
        reason="The WS-Management service cannot process the request because a parameter is not valid.",
        wsman_code=0x8033803A,
        message=f"The stdin stream of the command with CommandId {command_id} is already closed.",
    )


def action_not_supported(action: str) -> WsmanFault:
    """ERROR_WSMAN_ACTION_NOT_SUPPORTED: an a:Action this service does not implement."""
    return WsmanFault(
        sender_error=True,
        subcode="a:ActionNotSupported",
        reason="The WS-Management service does not support the action specified in the request.",
        wsman_code=0x80338013,
        message=f"The action {action} is not supported by the service.",
    )


def invalid_soap_body(detail: str) -> WsmanFault:
    """ERROR_WSMAN_INVALID_SOAP_BODY: the envelope is not XML or lacks what the action needs."""
    return WsmanFault(
        sender_error=True,
        subcode="w:InvalidBody",
        reason="The WS-Management service cannot process the request because the request packet does not have a "
        "valid SOAP body.",
        wsman_code=0x80338027,
        message=detail,
    )
