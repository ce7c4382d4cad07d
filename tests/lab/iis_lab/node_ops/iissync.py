"""``iissync_run``: start ``iissync.exe`` on this node with a list of target computer names."""

from __future__ import annotations

import ntpath
import re
import typing as t

from ..windows.errors import ERROR_FILE_NOT_FOUND, INVALID_PARAMETER, WindowsApiError
from ..windows.iissync import EXECUTABLE, Caller, run_iissync
from .spec import Arg, ArgType, OpContext, OpSpec

# A NetBIOS computer name, or a DNS name made of such labels: nothing a command line could read
# as anything but one argument.
_COMPUTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*$")


def iissync_run(context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The process gets one argument per target, each checked to be a computer name; its
    console output and exit code are the op's value (a failed replication is iissync's status,
    not an error of the op)."""
    targets = args["targets"]
    if not targets or not all(_COMPUTER_NAME.match(target) for target in targets):
        raise WindowsApiError(INVALID_PARAMETER, "targets must be computer names")
    host = context.host
    executable = ntpath.join(host.os.system_root, EXECUTABLE)
    if host.iis is not None:
        # iissync.exe ships with IIS 5 and 6 only: CreateProcess finds no such file.
        raise WindowsApiError(ERROR_FILE_NOT_FOUND, executable)
    context.network.record_process(host, context.account, " ".join([executable, *targets]))
    caller = Caller(context.account, context.network_credentials)
    run = run_iissync(host, targets, context.network.resolve, caller, context.network.now())
    return {"exit_code": run.exit_code, "output": run.output}


OPS = (
    OpSpec(
        "iissync_run",
        write=True,
        args=(Arg("targets", ArgType.STR_LIST, required=True),),
        run=iissync_run,
        reaches_other_hosts=True,
    ),
)
