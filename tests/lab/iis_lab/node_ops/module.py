"""The node_ops module itself: argument validation, the whole batch checked before anything
runs, then each instruction in order (``docs/instruction-set.md``).

The module fails (``failed``, ``msg``) only for a malformed call — bad module arguments, an
unknown op, a bad or missing op argument, a secret name not in ``secrets``, a write op in check
mode — and then runs nothing. A Windows error is the failed instruction's result, not a module
failure.

Secrets: ``invocation.module_args.secrets`` shows each secret's name with its value replaced by
``VALUE_SPECIFIED_IN_NO_LOG_PARAMETER``. node_ops.ps1 does this itself because Ansible.Basic
does not mask the values inside a no_log dict (see :mod:`.ansible_basic`); nothing else is
masked, so a secret that leaks anywhere else shows here as it would on Windows.
"""

from __future__ import annotations

import typing as t

from ..windows.errors import WindowsApiError
from ..windows.host import Host
from .ansible_basic import (
    NO_LOG_PLACEHOLDER,
    ModuleFailure,
    Option,
    no_log_strings,
    parse_arguments,
    remove_no_log_values,
)
from .contract import check_result
from .spec import ArgType, Become, Network, OpContext, OpSpec, SecretToken

ARGUMENT_SPEC: t.Mapping[str, Option] = {
    "instructions": Option("list", required=True),
    "secrets": Option("dict", default={}, no_log=True),
    "stop_on_error": Option("bool", default=True),
}

_OK, _FAILED, _NOT_RUN = "ok", "failed", "not_run"


class _MalformedCall(Exception):
    """The batch cannot run as given; the message names the instruction and the problem."""


def run_module(
    ops: t.Mapping[str, OpSpec],
    host: Host,
    module_args: t.Mapping[str, t.Any],
    *,
    logon_user: str,
    become: Become | None,
    network: Network,
    secret_token: SecretToken,
) -> dict[str, t.Any]:
    """Run node_ops on ``host`` with ``module_args`` (as the controller sent them, ``_ansible_*``
    keys included), logged on as ``logon_user`` and run as ``become`` if given, and return the
    module's JSON result."""
    try:
        parsed = parse_arguments(ARGUMENT_SPEC, module_args)
    except ModuleFailure as failure:
        # Ansible.Basic failed before node_ops' own code ran: only its own masking applies.
        no_log = no_log_strings(ARGUMENT_SPEC, failure.params)
        return _failed(failure.msg, no_log, remove_no_log_values(failure.params, no_log))

    params = parsed.params
    secrets = params["secrets"] or {}
    no_log = no_log_strings(ARGUMENT_SPEC, params)
    shown_args = remove_no_log_values(params, no_log)
    shown_args["secrets"] = {name: NO_LOG_PLACEHOLDER for name in secrets}
    try:
        _check_secrets(secrets)
        batch = [
            _check_instruction(ops, index, entry, secrets, parsed.check_mode)
            for index, entry in enumerate(params["instructions"])
        ]
    except _MalformedCall as error:
        return _failed(str(error), no_log, shown_args)

    context = OpContext(host, secrets, become, logon_user, network, secret_token)
    results: list[dict[str, t.Any]] = []
    stopped = False
    for spec, args in batch:
        if stopped:
            results.append({"op": spec.name, "status": _NOT_RUN})
            continue
        result = _run(spec, context, args)
        results.append(result)
        stopped = result["status"] == _FAILED and params["stop_on_error"]
    changed = any(spec.write and result["status"] == _OK for (spec, _), result in zip(batch, results))
    return {"changed": changed, "results": results, "invocation": {"module_args": shown_args}}


def _run(spec: OpSpec, context: OpContext, args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    try:
        value = spec.run(context, args)
    except WindowsApiError as error:
        return {"op": spec.name, "status": _FAILED, "error": {"code": error.code, "message": error.message}}
    check_result(spec.name, value)
    return {"op": spec.name, "status": _OK, "value": value}


def _check_secrets(secrets: t.Mapping[str, t.Any]) -> None:
    for name, value in secrets.items():
        if not isinstance(value, str):
            raise _MalformedCall(f"secret {name!r} must be a string")


def _check_instruction(
    ops: t.Mapping[str, OpSpec], index: int, entry: t.Any, secrets: t.Mapping[str, str], check_mode: bool
) -> tuple[OpSpec, dict[str, t.Any]]:
    """The op and its arguments (defaults filled in) of instruction ``index``."""
    where = f"instructions[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("op"), str):
        raise _MalformedCall(f"{where} must be a mapping with a string 'op' and a mapping 'args'")
    unknown_keys = sorted(set(entry) - {"op", "args"})
    if unknown_keys:
        raise _MalformedCall(f"{where} has unknown keys {', '.join(unknown_keys)} (an instruction is op and args)")
    spec = ops.get(entry["op"])
    if spec is None:
        raise _MalformedCall(f"{where}: unknown op {entry['op']!r} (known ops: {', '.join(sorted(ops))})")
    where = f"{where} ({spec.name})"
    args = {} if entry.get("args") is None else entry["args"]
    if not isinstance(args, dict):
        raise _MalformedCall(f"{where}: args must be a mapping")
    _check_args(spec, where, args, secrets)
    if spec.write and check_mode:
        raise _MalformedCall(f"{where}: {spec.name} changes the host and is refused in check mode")
    filled = {arg.name: arg.default for arg in spec.args if arg.default is not None}
    filled.update(args)
    return spec, filled


def _check_args(spec: OpSpec, where: str, args: t.Mapping[str, t.Any], secrets: t.Mapping[str, str]) -> None:
    known = {arg.name: arg for arg in spec.args}
    unknown = sorted(set(args) - set(known))
    if unknown:
        accepted = ", ".join(known) or "none"
        raise _MalformedCall(f"{where}: unsupported argument {', '.join(unknown)} (accepted: {accepted})")
    for arg in spec.args:
        if arg.name not in args:
            if arg.required:
                raise _MalformedCall(f"{where}: missing required argument {arg.name!r}")
            continue
        value = args[arg.name]
        if not arg.type.accepts(value):
            raise _MalformedCall(f"{where}: argument {arg.name!r} must be {arg.type.value}")
        if arg.type is ArgType.SECRET and value not in secrets:
            raise _MalformedCall(f"{where}: secret {value!r} is not in secrets")
    for group in spec.exactly_one_of:
        given = [name for name in group if name in args]
        if len(given) != 1:
            raise _MalformedCall(f"{where}: give exactly one of {', '.join(group)}")


def _failed(msg: str, no_log: t.AbstractSet[str], shown_args: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """``FailJson``: Ansible.Basic masks its no_log values in the message."""
    return {
        "changed": False,
        "failed": True,
        "msg": remove_no_log_values(msg, no_log),
        "invocation": {"module_args": shown_args},
    }
