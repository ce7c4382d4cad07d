# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KB Q249603 step 8 on IIS 7-10 by Shared Configuration: the share, each node's reading of it,
and what a node needs to read the cluster's one configuration from it.

This is for internal collection use only; the API may change at any time.

Every node's ``redirection.config`` points at one UNC path holding the source node's exported
``applicationHost.config``, ``administration.config`` and configuration keys; a reader account
reads it, with "Log on as a batch job" on every node (IIS logs it on with a batch logon). One read
batch per node (:func:`node_queries`) answers everything the run decides on: the node's
redirection, whether the reader reads the path from there (a real batch logon and listing), the
right's holders and the reader's token, and the node's configuration backups. From the answers
of every node and of the share host, :func:`preflight` finds every checkable failure before
anything changes; :func:`plan_node` is then each node's one write batch: the right granted, a
backup, the export (the source, when it does not read the share yet), and the switch.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._account_names import parse_account_name
from ._apphost_backup import BACKUP_LIST, ApphostBackupFirst
from ._apphost_sync_status import decode
from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction, NodeSession
from ._user_rights import MODE_EFFECTIVE, RightPlan, plan_rights, right_queries

STATES = ("enabled", "disabled")
BATCH_RIGHT = "SeBatchLogonRight"
READER_SECRET = "reader"
KEY_SECRET = "key"
KEY_FILE = "configEncKey.key"
EXPORTED_FILES = ("applicationHost.config", "administration.config", KEY_FILE)

# A UNC path: \\server\share, then any folders. The share name is what share_get and share_set
# take; a server name is a NetBIOS or DNS name or an address.
_UNC = re.compile(r"^\\\\(?P<server>[A-Za-z0-9][A-Za-z0-9.-]*)\\(?P<share>[^\\/:*?\"<>|]+)(?P<rest>(\\[^\\/:*?\"<>|]+)*)\\?$")
_FOLDER = re.compile(r"^[A-Za-z]:\\([^\\/:*?\"<>|]+\\?)*$")
# Win32 codes unc_read_check reports for the share rather than the logon: the path does not
# answer or the reader may not list it.
_SHARE_ERRORS = {2, 3, 5, 53, 64, 67, 1231}
_LOGON_TYPE_NOT_GRANTED = 1385
_ACCESS_DENIED = 5
# Who reads a share besides the accounts named: anyone whose token holds these groups.
_EVERYONE = ("everyone", "nt authority\\authenticated users", "builtin\\users")
_READS = ("read", "change", "full")
_CHANGES = ("change", "full")


@dataclasses.dataclass(frozen=True)
class UncPath:
    """A checked UNC path: the whole, its server and its share."""

    path: str
    server: str
    share: str


def check_unc_path(path: str, field: str = "path") -> UncPath:
    """A UNC path of a share (``\\\\server\\share[\\folder...]``); else :class:`InvalidInput`."""
    match = _UNC.match(path or "")
    if match is None:
        raise InvalidInput(
            f"{field}: {path!r} is not a UNC path of a share: \\\\server\\share, optionally followed by folders "
            "(shared configuration is read from a share, never a local or mapped drive)"
        )
    return UncPath(path.rstrip("\\"), match["server"], match["share"])


def check_folder(folder: str, field: str = "folder") -> str:
    """A local folder of the share host (``D:\\IisConfig``); else :class:`InvalidInput`."""
    if not _FOLDER.match(folder or ""):
        raise InvalidInput(f"{field}: {folder!r} is not a local folder path such as D:\\IisConfig")
    return folder.rstrip("\\") if len(folder) > 3 else folder


def check_reader(user: str, field: str = "user") -> str:
    """The reader account: a domain account (``DOMAIN\\name`` or ``name@dns.domain``), as every
    node and the share host must know the same account."""
    name = parse_account_name(user, field)
    if name.domain is None and "@" not in user:
        raise InvalidInput(
            f"{field}: {user!r} is a bare account name; the share's reader must be a domain account that every node "
            "and the share host know: DOMAIN\\name or name@dns.domain"
        )
    return user


def hresult(code: int) -> int:
    """A Win32 code as the HRESULT the status table holds (HRESULT_FROM_WIN32); an HRESULT as it is."""
    return code if code > 0xFFFF else 0x80070000 | code


def describe_error(error: t.Mapping[str, t.Any]) -> str:
    """A Windows error of an op, decoded by the step-8 status table, with Windows' own text."""
    text = decode(hresult(int(error["code"]))).describe()
    message = str(error.get("message") or "").strip()
    return f"{text} (Windows: {message})" if message else text


# ---- The share host --------------------------------------------------------------------------


def share_query(share: str) -> Instruction:
    return Instruction("share_get", {"name": share})


def reader_logon_query(user: str) -> Instruction:
    """The reader's logon at the share host as its file server logs it on (a network logon): a
    wrong or expired password or a disabled account found once for the cluster, before a share
    exists for the nodes to read, and at the cost of one logon attempt."""
    return Instruction("account_logon_check", {"name": user, "secret": READER_SECRET, "logon_type": "network"})


def _holds(access: t.Sequence[t.Mapping[str, t.Any]], account: str, rights: t.Sequence[str]) -> bool:
    """Whether the share's access gives ``account`` one of ``rights``; a group every domain
    account is in counts for reading."""
    names = (account.lower(), *_EVERYONE) if rights == _READS else (account.lower(),)
    return any(str(entry["account"]).lower() in names and entry["right"] in rights for entry in access)


@dataclasses.dataclass(frozen=True)
class SharePlan:
    """The share as it is and the one change that makes it serve the readers and writers."""

    name: str
    current: t.Mapping[str, t.Any] | None
    change: Change | None
    reader_granted: bool = False
    """Whether the plan grants the share to a reader (a reader refused now may read after it)."""

    def as_result(self) -> dict[str, t.Any]:
        return {"changed": self.change is not None, "share": self.name, "current": self.current}


def plan_share(current: t.Any, name: str, folder: str, read: t.Sequence[str], change: t.Sequence[str]) -> SharePlan:
    """The share ``name`` serving ``folder`` (when it is made; an existing share keeps its own
    folder), readable by ``read`` and changeable by ``change``, from ``share_get``'s value.

    ``share_set`` makes the share's and the folder's access exactly what it is given, so a change
    passes every account the share already serves too, each with its right (``full`` kept as
    ``change``, the most ``share_set`` grants)."""
    access = current["access"] if current else []
    missing_read = [account for account in read if not _holds(access, account, _READS)]
    missing_change = [account for account in change if not _holds(access, account, _CHANGES)]
    if current is not None and not missing_read and not missing_change:
        return SharePlan(name, current, None)
    path = current["path"] if current else folder
    kept_change = [str(entry["account"]) for entry in access if entry["right"] in _CHANGES]
    kept_read = [str(entry["account"]) for entry in access if entry["right"] not in _CHANGES]
    args: dict[str, t.Any] = {"name": name, "path": path}
    if kept_read or missing_read:
        args["read"] = _distinct([*kept_read, *missing_read])
    if kept_change or missing_change:
        args["change"] = _distinct([*kept_change, *missing_change])
    before = Shown.absent() if current is None else Shown.value(sorted(f"{e['account']}:{e['right']}" for e in access))
    after = Shown.value(sorted({*(f"{a}:read" for a in args.get("read", [])), *(f"{a}:change" for a in args.get("change", []))}))
    change_made = Change(f"share {name} ({path})", before, after, (Instruction("share_set", args),))
    return SharePlan(name, current, change_made, reader_granted=bool(missing_read))


def _distinct(accounts: t.Sequence[str]) -> list[str]:
    """The accounts in order, each once (names compared without case, as Windows does)."""
    seen: dict[str, str] = {}
    for account in accounts:
        seen.setdefault(account.lower(), account)
    return list(seen.values())


# ---- A node ------------------------------------------------------------------------------------


CONFIG_QUERY = Instruction("shared_config_get", {"secret": READER_SECRET})
"""The node's redirection, the reader's password compared on the node."""


def node_queries(path: str, user: str) -> list[Instruction]:
    """The one read batch of a node: its redirection (the reader's password compared there), the
    reader's batch logon and listing of ``path``, the batch right's holders and the reader's
    token, and the node's configuration backups."""
    return [
        CONFIG_QUERY,
        Instruction("unc_read_check", {"path": path, "user": user, "secret": READER_SECRET}),
        *right_queries(BATCH_RIGHT, [user]),
        BACKUP_LIST,
    ]


@dataclasses.dataclass(frozen=True)
class NodeReport:
    """What :func:`node_queries` answered on one node."""

    config: t.Mapping[str, t.Any]
    read: t.Mapping[str, t.Any]
    rights: t.Sequence[t.Any]
    backups: t.Sequence[t.Mapping[str, t.Any]] | None
    """None when the node could not list them: its configuration system cannot read the
    configuration it points at (the share refusing the reader), as ``backups_error`` says."""
    backups_error: t.Mapping[str, t.Any] | None = None

    @classmethod
    def from_values(cls, values: t.Sequence[t.Any], backups_error: t.Mapping[str, t.Any] | None = None) -> NodeReport:
        config, read, holders, token, backups = values
        return cls(config, read, (holders, token), backups, backups_error)

    @classmethod
    def from_result(cls, result: t.Mapping[str, t.Any], field: str = "report") -> NodeReport:
        """A report an earlier task registered (``shared_config_info``'s ``report``)."""
        try:
            backups = result["backups"]
            return cls(
                result["config"], result["read"], tuple(result["rights"]), None if backups is None else list(backups), result.get("backups_error")
            )
        except (KeyError, TypeError):
            raise InvalidInput(f"{field}: is not a node's report as webfarm.iis_cluster.shared_config_info registers it") from None

    def as_result(self) -> dict[str, t.Any]:
        return {
            "config": dict(self.config),
            "read": dict(self.read),
            "rights": list(self.rights),
            "backups": None if self.backups is None else list(self.backups),
            "backups_error": self.backups_error,
        }

    @property
    def read_error(self) -> t.Mapping[str, t.Any] | None:
        return self.read.get("error")

    def points_at(self, path: str, user: str) -> bool:
        """Whether the node reads ``path`` as ``user`` with the right password and decrypts it."""
        config = self.config
        return (
            bool(config["enabled"])
            and str(config.get("path") or "").rstrip("\\").lower() == path.rstrip("\\").lower()
            and str(config.get("user_name") or "").lower() == user.lower()
            and config.get("password_matches") is True
            and config.get("decrypt_error") is None
        )

    def differences(self, path: str, user: str) -> list[str]:
        """Why the node does not read the share as it should, in words (none when it does)."""
        config = self.config
        if not config["enabled"]:
            return ["shared configuration is disabled"]
        found = []
        if str(config.get("path") or "").rstrip("\\").lower() != path.rstrip("\\").lower():
            found.append(f"it reads {config.get('path')!r}, not {path!r}")
        if str(config.get("user_name") or "").lower() != user.lower():
            found.append(f"its reader is {config.get('user_name')!r}, not {user!r}")
        elif config.get("password_matches") is not True:
            found.append("its reader's password is not the one given")
        if config.get("decrypt_error") is not None:
            found.append("it cannot decrypt the configuration: " + describe_error(config["decrypt_error"]))
        return found


def query_node(session: NodeSession, path: str, user: str, secrets: t.Mapping[str, str]) -> NodeReport:
    """:func:`node_queries` in one execution. A node whose configuration system cannot read the
    share lists no backups (the listing reads the configuration): only that answer may fail, as
    the rest of the report says why."""
    *answers, listing = session.run(node_queries(path, user), secrets, stop_on_error=False)
    values = [*session.checked(answers), listing.value if listing.status == "ok" else None]
    failed = None if listing.status == "ok" else {"code": listing.error_code or 0, "message": listing.error_message}
    return NodeReport.from_values(values, failed)


@dataclasses.dataclass(frozen=True)
class Desired:
    """What the cluster asks of a node."""

    state: str
    path: str
    user: str
    export: bool = False
    backup: ApphostBackupFirst | None = None


@dataclasses.dataclass(frozen=True)
class NodePlan:
    """One node's changes, in the order of its one write batch."""

    rights: RightPlan | None
    changes: tuple[Change, ...]
    exports: bool
    switches: bool

    @property
    def instructions(self) -> list[Instruction]:
        return [instruction for change in self.changes for instruction in change.instructions]

    @property
    def grants(self) -> bool:
        return self.rights is not None and bool(self.rights.changes)


def _batch_right(report: NodeReport, user: str, *, check_mode: bool) -> RightPlan:
    """"Log on as a batch job" for the reader, by the rights logic of KB step 5: granted directly
    only when no group of its token holds it."""
    try:
        return plan_rights(BATCH_RIGHT, [user], report.rights, MODE_EFFECTIVE, check_mode=check_mode)
    except InvalidInput as error:
        raise InvalidInput(f"user: {str(error).partition(': ')[2]}") from None


def plan_node(report: NodeReport, desired: Desired, *, check_mode: bool) -> NodePlan:
    """The node's batch: "Log on as a batch job" made effective for the reader (enabled only),
    then, when the node is to switch, a backup, the export (``desired.export``: the source, which
    does not read the share yet) and the enabling or disabling."""
    rights = None
    changes: list[Change] = []
    if desired.state == "enabled":
        rights = _batch_right(report, desired.user, check_mode=check_mode)
        changes.extend(rights.changes)
    config = report.config
    if desired.state == "enabled":
        switches = not report.points_at(desired.path, desired.user)
    else:
        switches = bool(config["enabled"])
    exports = switches and desired.state == "enabled" and desired.export
    if switches and desired.backup is not None:
        if report.backups is None:
            raise InvalidInput(
                "backup: the node cannot list its configuration backups, so none can be made before it switches: "
                + describe_error(report.backups_error or {"code": 0})
            )
        backup = desired.backup
        changes.append(
            Change("backup", Shown.absent(), Shown.value(backup.planned(report.backups)["folder"]), tuple(backup.instructions(report.backups)))
        )
    if exports:
        export = Instruction("shared_config_export", {"path": desired.path, "key_secret": KEY_SECRET})
        changes.append(Change(f"export to {desired.path}", Shown.absent(), Shown.value(list(EXPORTED_FILES)), (export,)))
    if switches:
        changes.extend(_switch(config, desired))
    return NodePlan(rights, tuple(changes), exports, switches)


def _switch(config: t.Mapping[str, t.Any], desired: Desired) -> list[Change]:
    before_state = "enabled" if config["enabled"] else "disabled"
    if desired.state == "disabled":
        # The shared keys stay: the local copy the node keeps working on is encrypted with them.
        disable = Instruction("shared_config_disable", {"keep_keys": True})
        return [Change("shared configuration", Shown(before_state), Shown("disabled (a local copy of the share's configuration)"), (disable,))]
    enable = Instruction(
        "shared_config_enable", {"path": desired.path, "user": desired.user, "secret": READER_SECRET, "key_secret": KEY_SECRET}
    )
    return [
        Change("shared configuration", Shown(before_state), Shown("enabled"), ()),
        Change("path", Shown.value(config.get("path") or "") if config.get("path") else Shown.absent(), Shown.value(desired.path), ()),
        Change("userName", Shown.value(config.get("user_name")) if config.get("user_name") else Shown.absent(), Shown.value(desired.user), ()),
        Change("password", Shown.secret(bool(config.get("user_name"))), Shown.secret(), (), secret=True),
        Change("configuration keys", Shown("this node's own"), Shown("the share's (imported)"), (enable,)),
    ]


# ---- Before any change -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Preflight:
    """The cluster's verdict before any change: the failures that stop the run, the warnings,
    and which nodes switch."""

    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    switching: tuple[str, ...]
    exports: bool


def preflight(
    reports: t.Mapping[str, NodeReport],
    share: SharePlan,
    desired: t.Mapping[str, Desired],
    *,
    check_mode: bool,
    reader_logon: t.Mapping[str, t.Any] | None = None,
    share_host: str = "the share host",
) -> Preflight:
    """Every checkable failure of the run, named with its decoded code: the reader's network
    logon at the share host (``reader_logon``, the ``account_logon_check`` error: wrong or expired
    password, disabled account), and on every node its batch logon ("Log on as a batch job" only
    when the run will not grant it) and, where the share exists, its reading of the share (not
    reachable, access denied unless the run grants the share to the reader)."""
    problems: list[str] = []
    warnings: list[str] = []
    switching: list[str] = []
    exports = False
    enabling = any(wanted.state == "enabled" for wanted in desired.values())
    if reader_logon is not None and enabling:
        user = next(iter(desired.values())).user
        problems.append(f"{share_host}: the reader {user} cannot log on to the share's host: {describe_error(reader_logon)}")
    for host, report in reports.items():
        wanted = desired[host]
        try:
            plan = plan_node(report, wanted, check_mode=check_mode)
        except InvalidInput as error:
            problems.append(f"{host}: {error}")
            continue
        if plan.switches:
            switching.append(host)
        exports = exports or plan.exports
        if wanted.state != "enabled":
            continue
        error = report.read_error
        if error is not None and not _fixed_by_run(int(error["code"]), plan, share):
            problems.append(f"{host}: the reader {wanted.user} cannot read {wanted.path} from this node: {describe_error(error)}")
        if not report.config.get("offline_files"):
            warnings.append(
                f"{host}: Offline Files does not cache {wanted.path}: if the share is down when WAS starts (a restart, "
                "a reboot), IIS stays down until it returns. Microsoft recommends Offline Files or DFS-R for it."
            )
    return Preflight(tuple(problems), tuple(warnings), tuple(switching), exports)


def _fixed_by_run(code: int, plan: NodePlan, share: SharePlan) -> bool:
    """Whether this run itself removes the cause of a reading error seen before it."""
    if code == _LOGON_TYPE_NOT_GRANTED:
        return plan.grants
    if code in _SHARE_ERRORS and share.current is None:
        # No share yet: the run makes it; the node's reading is proved when it switches.
        return True
    return code == _ACCESS_DENIED and share.reader_granted


def verify_node(report: NodeReport, path: str, user: str) -> list[str]:
    """What keeps a node from reading the cluster's configuration from the share, in words."""
    found = report.differences(path, user)
    if report.read_error is not None:
        found.append(f"the reader cannot read {path}: {describe_error(report.read_error)}")
    return found


# ---- The play's pre-flight -------------------------------------------------------------------

METHOD = "shared_config"
_VARIABLE = "metabase_sync_shared_config_"


def variable_problems(values: t.Mapping[str, t.Any], inventory_hosts: t.Collection[str], *, verify_only: bool) -> list[str]:
    """The variables of step 8 (or of verify alone, ``verify_only``) under shared_config, when
    the operator chose that method: each required one given, the path a UNC path, the host one of
    the inventory, the reader a domain account. Type errors are the argument spec's to report."""
    if values.get("metabase_sync_method") != METHOD:
        return []
    required = ["path", "user", "password"] if verify_only else ["path", "host", "user", "password"]
    if not verify_only and values.get(_VARIABLE + "state", "enabled") == "enabled":
        required.append("key_password")
    problems = [
        f"{_VARIABLE}{name}: required with metabase_sync_method=shared_config"
        for name in required
        if values.get(_VARIABLE + name) in (None, "")
    ]
    checks: list[tuple[str, t.Callable[[str, str], t.Any]]] = [("path", check_unc_path), ("user", check_reader)]
    if not verify_only:
        checks.append(("folder", check_folder))
    for name, check in checks:
        value = values.get(_VARIABLE + name)
        if isinstance(value, str) and value:
            try:
                check(value, _VARIABLE + name)
            except InvalidInput as error:
                problems.append(str(error))
    host = values.get(_VARIABLE + "host")
    if not verify_only and isinstance(host, str) and host and host not in inventory_hosts:
        problems.append(f"{_VARIABLE}host: {host!r} is not a host of the inventory; name the inventory host serving the share")
    return problems
