"""``iis-lab``: serve a lab, print its inventory, or run a command against it.

    iis-lab serve     [--topology FILE] [--port N] [--state-dir DIR [--resume]]
    iis-lab inventory [--topology FILE] [--port N] [--transport ntlm|basic]
    iis-lab run       [--topology FILE] [--port N] [--state-dir DIR [--resume]] [--transport ntlm|basic] -- CMD ARGS...
    iis-lab edit      --state-dir DIR --host NAME --path PATH --property NAME (--value VALUE | --clear) [--timeout S]
    iis-lab fault     --state-dir DIR --host NAME (--add KIND | --clear KIND) [--timeout S]
    iis-lab edit-config --state-dir DIR --host NAME --section S [--location L] [--element E] --attribute A (--value V | --clear) [--timeout S]
    iis-lab condition --state-dir DIR --host NAME --kind KIND --name ACCOUNT [--clear] [--timeout S]

``serve`` stays in the foreground, prints one line once every host listens, and stops on
Ctrl-C or SIGTERM. ``run`` starts the lab in this process, writes the inventory to a private
temporary file, runs CMD with ``{inventory}`` in its arguments replaced by that file's path
(also in ``$IIS_LAB_INVENTORY``), stops the lab and exits with CMD's exit code. With
``--resume``, ``serve`` and ``run`` start from the model the state directory's ``state.json``
recorded, when it holds one (:mod:`iis_lab.resume`); a state written for another topology or
state format exits with status 2. ``edit`` changes one host's metabase in the lab serving
``--state-dir``, behind the collection's back (:mod:`iis_lab.edits`); VALUE is read as JSON
when it is JSON (``300``, ``true``, ``[":80:"]``), else taken as a string. ``fault`` takes a
fault (:mod:`iis_lab.faults`) on at one cluster node of that lab, or clears it, while it runs;
the lab records it in ``state.json``, so a lab resumed from it keeps the change.
``edit-config`` sets or removes an attribute of an IIS 7+ host's applicationHost.config by hand;
``condition`` puts a host or a domain account in a condition of :mod:`iis_lab.conditions` (a
logon right removed, an account disabled or locked out, a node no longer allowed a gMSA).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import typing as t

from .conditions import CONDITION_KINDS
from .edits import ConditionChange, EditInbox, EditRefused, FaultChange, MetabaseEdit, Request, WebConfigEdit, submit
from .faults import FAULT_KINDS
from .web_deploy_faults import WEB_DEPLOY_FAULT_KINDS
from .shared_config_faults import SHARED_CONFIG_FAULTS
from .inventory import DEFAULT_TRANSPORT, TRANSPORTS, inventory_yaml
from .lab import Lab
from .resume import StateError
from .topology import TopologyError, load_topology
from .wsman.server import serve_forever, start

DEFAULT_PORT = 55985
INVENTORY_PLACEHOLDER = "{inventory}"
INVENTORY_ENV = "IIS_LAB_INVENTORY"
_EXIT_USAGE = 2
_EXIT_CANNOT_EXECUTE = 126
_EXIT_NOT_FOUND = 127


def main(argv: t.Sequence[str] | None = None) -> int:
    """Run the ``iis-lab`` command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "resume", False) and args.state_dir is None:
        parser.error("--resume needs --state-dir: the lab resumes what it recorded there")
    try:
        return t.cast(int, args.handler(args))
    except (TopologyError, StateError) as error:
        print(f"iis-lab: {error}", file=sys.stderr)
        return _EXIT_USAGE
    except OSError as error:
        # A port already in use says so in a sentence (wsman.server.PortInUse).
        print(f"iis-lab: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="iis-lab", description="A simulated Windows IIS cluster that speaks WinRM.")
    commands = parser.add_subparsers(dest="command_name", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the lab in the foreground until Ctrl-C or SIGTERM")
    _add_lab_options(serve, state_dir=True)
    serve.set_defaults(handler=_serve)

    show = commands.add_parser("inventory", help="print the Ansible inventory (YAML) for the lab")
    _add_lab_options(show, transport=True)
    show.set_defaults(handler=_inventory)

    run = commands.add_parser("run", help="run a command against a lab started for it")
    _add_lab_options(run, state_dir=True, transport=True)
    run.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the command to run")
    run.set_defaults(handler=_run)

    edit = commands.add_parser("edit", help="change one host's metabase in a running lab, behind the collection's back")
    edit.add_argument("--state-dir", metavar="DIR", required=True, help="the state directory the lab serves")
    edit.add_argument("--host", required=True, help="the host's computer name, e.g. NODE2")
    edit.add_argument("--path", required=True, help="the metabase key, e.g. W3SVC/1")
    edit.add_argument("--property", required=True, help="the property, e.g. ServerComment")
    change = edit.add_mutually_exclusive_group(required=True)
    change.add_argument("--value", help="the new value (JSON, or else a string)")
    change.add_argument("--clear", action="store_true", help="remove the value set at the key")
    _add_timeout(edit)
    edit.set_defaults(handler=_edit)

    fault = commands.add_parser("fault", help="add or clear a fault of a running lab")
    fault.add_argument("--state-dir", metavar="DIR", required=True, help="the state directory the lab serves")
    fault.add_argument(
        "--host",
        required=True,
        help="the cluster node's (or, for share_unreachable and reader_access_denied, the share host's) computer name",
    )
    change = fault.add_mutually_exclusive_group(required=True)
    kinds = sorted({*FAULT_KINDS, *WEB_DEPLOY_FAULT_KINDS, *SHARED_CONFIG_FAULTS})
    change.add_argument("--add", choices=kinds, metavar="KIND", help=f"the fault to add: {', '.join(kinds)}")
    change.add_argument("--clear", choices=kinds, metavar="KIND", help="the fault to clear")
    _add_timeout(fault)
    fault.set_defaults(handler=_fault)

    config = commands.add_parser("edit-config", help="change one IIS 7+ host's applicationHost.config by hand")
    config.add_argument("--state-dir", metavar="DIR", required=True, help="the state directory the lab serves")
    config.add_argument("--host", required=True, help="the host's computer name, e.g. NODE2")
    config.add_argument("--section", required=True, help="e.g. system.applicationHost/applicationPools")
    config.add_argument("--location", default="", help="a location path, e.g. 'Default Web Site' (default: server level)")
    config.add_argument("--element", default="", help="e.g. \"add[@name='Shop']/processModel\"")
    config.add_argument("--attribute", required=True, help="e.g. identityType")
    change = config.add_mutually_exclusive_group(required=True)
    change.add_argument("--value", help="the new value, in the file's spelling")
    change.add_argument("--clear", action="store_true", help="remove the attribute set there")
    _add_timeout(config)
    config.set_defaults(handler=_edit_config)

    condition = commands.add_parser("condition", help="put a host or an account of a running lab in a condition")
    condition.add_argument("--state-dir", metavar="DIR", required=True, help="the state directory the lab serves")
    condition.add_argument("--host", required=True, help="the host's computer name, e.g. NODE3")
    conditions = sorted(CONDITION_KINDS)
    condition.add_argument("--kind", required=True, choices=conditions, metavar="KIND", help=", ".join(conditions))
    condition.add_argument("--name", required=True, help="the account, group or gMSA, e.g. WEBFARM\\WebFarmPool$")
    condition.add_argument("--clear", action="store_true", help="take the host or account out of the condition")
    _add_timeout(condition)
    condition.set_defaults(handler=_condition)
    return parser


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the lab (default 10)")


def _add_lab_options(parser: argparse.ArgumentParser, *, state_dir: bool = False, transport: bool = False) -> None:
    parser.add_argument("--topology", metavar="FILE", help="topology file (default: the packaged default topology)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"WinRM port of every host (default {DEFAULT_PORT})"
    )
    if state_dir:
        parser.add_argument("--state-dir", metavar="DIR", help="write state.json and processes.jsonl here")
        parser.add_argument(
            "--resume",
            action="store_true",
            help="start from the model DIR/state.json recorded for this topology, if any, and append to "
            "DIR/processes.jsonl",
        )
    if transport:
        parser.add_argument("--transport", choices=TRANSPORTS, default=DEFAULT_TRANSPORT, help="WinRM transport")


def _serve(args: argparse.Namespace) -> int:
    lab = Lab.from_topology(args.topology, args.state_dir, resume=args.resume)
    origin = f"topology {lab.topology.source}" + (f", resumed from {lab.state_file}" if lab.resumed else "")

    def announce() -> None:
        print(f"iis-lab: listening on {','.join(lab.addresses)} port {args.port} ({origin})", flush=True)

    with _edit_inbox(lab, args.state_dir):
        serve_forever(lab, args.port, announce)
    return 0


@contextlib.contextmanager
def _edit_inbox(lab: Lab, state_dir: str | None) -> t.Iterator[None]:
    """Apply ``iis-lab edit`` requests while the lab runs (only a lab with a state directory
    can receive them)."""
    inbox = EditInbox(lab, state_dir).start() if state_dir is not None else None
    try:
        yield
    finally:
        if inbox is not None:
            inbox.stop()


def _edit(args: argparse.Namespace) -> int:
    try:
        value = json.loads(args.value) if args.value is not None else None
    except json.JSONDecodeError:
        value = args.value
    return _submit("edit", args, MetabaseEdit(args.host, args.path, args.property, value, clear=args.clear))


def _fault(args: argparse.Namespace) -> int:
    change = FaultChange(args.host, args.clear, clear=True) if args.clear else FaultChange(args.host, args.add)
    return _submit("fault", args, change)


def _edit_config(args: argparse.Namespace) -> int:
    edit = WebConfigEdit(
        args.host, args.section, args.attribute, args.value, location=args.location, element=args.element, clear=args.clear
    )
    return _submit("edit-config", args, edit)


def _condition(args: argparse.Namespace) -> int:
    return _submit("condition", args, ConditionChange(args.host, args.kind, args.name, clear=args.clear))


def _submit(command: str, args: argparse.Namespace, request: Request) -> int:
    try:
        submit(args.state_dir, request, args.timeout)
    except EditRefused as refused:
        print(f"iis-lab {command}: {refused}", file=sys.stderr)
        return 1
    return 0


def _inventory(args: argparse.Namespace) -> int:
    sys.stdout.write(inventory_yaml(load_topology(args.topology), args.port, args.transport))
    return 0


def _run(args: argparse.Namespace) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("iis-lab run: give the command to run after --", file=sys.stderr)
        return _EXIT_USAGE
    lab = Lab.from_topology(args.topology, args.state_dir, resume=args.resume)
    if lab.resumed:
        print(f"iis-lab run: resumed the lab recorded in {lab.state_file}", file=sys.stderr, flush=True)
    running = start(lab, args.port)
    print(f"iis-lab run: the lab listens on {','.join(lab.addresses)} port {args.port}", file=sys.stderr, flush=True)
    try:
        with _edit_inbox(lab, args.state_dir), tempfile.TemporaryDirectory(prefix="iis-lab-") as directory:
            path = os.path.join(directory, "inventory.yml")
            # The inventory holds the lab's administrator password: readable by this user only.
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as stream:
                stream.write(inventory_yaml(lab.topology, args.port, args.transport))
            return _run_command([part.replace(INVENTORY_PLACEHOLDER, path) for part in command], path)
    finally:
        running.stop()


def _run_command(command: list[str], inventory_path: str) -> int:
    """Run ``command`` and return its exit code, in the shell's convention for a command killed
    by a signal (128 + signal) or one that cannot start (126, 127)."""
    try:
        completed = subprocess.run(command, env={**os.environ, INVENTORY_ENV: inventory_path}, check=False)
    except FileNotFoundError:
        print(f"iis-lab run: command not found: {command[0]}", file=sys.stderr)
        return _EXIT_NOT_FOUND
    except PermissionError:
        print(f"iis-lab run: cannot execute: {command[0]}", file=sys.stderr)
        return _EXIT_CANNOT_EXECUTE
    return completed.returncode if completed.returncode >= 0 else 128 - completed.returncode
