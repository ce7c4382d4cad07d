# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The conformance run: every op of the instruction set on a real node, each value checked
against the contract (``docs/instruction-set.yml``), reported as a plain table.

This is for internal collection use only; the API may change at any time.

The lab answers as the contract says because it checks itself against it; a Windows node has
never been asked. This module plans the probes (every read op; every write op against scratch
objects the run creates and removes itself, or, where no op can make a scratch object, against
one that does not exist, so that Windows' refusal is what is checked), judges each outcome
against the op's result schema and renders the table. The action plugin only sends the batches.

The contract ships in the collection (``docs/`` is not in galaxy.yml's build_ignore) and is
read from there, so the installed collection checks against the very file the lab and the
PowerShell are tested against. The schemas use a small subset of JSON Schema (the keywords in
:data:`SUPPORTED_KEYWORDS`); ansible-core does not bring jsonschema to the controller, so they
are checked here, and a unit test proves every schema of the contract uses only that subset.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import typing as t
from pathlib import Path

from ._node_session import Instruction, Outcome
from ._windows_errors import lookup
from ._yaml_file import load_yaml_file

CONTRACT_FILE = Path(__file__).resolve().parents[2] / "docs" / "instruction-set.yml"

SUPPORTED_KEYWORDS = frozenset(
    {"type", "enum", "properties", "required", "additionalProperties", "items", "minimum", "maximum", "pattern", "oneOf"}
)

# The secret names the probes use: values generated for the run, never shown.
SCRATCH_SECRET = "scratch"
SCRATCH_SECRET_2 = "scratch_2"
SALT_SECRET = "salt"

# Marks the scratch domain account, so that the clean-up deletes only an account this run made.
SCRATCH_MARKER = "Scratch account of webfarm.iis_cluster.node_conformance; deleted at the end of the run."
SCRATCH_GROUP = "Domain Guests"
LOCAL_GROUP = "Users"
LOGON_RIGHT = "SeInteractiveLogonRight"

# The ops of IIS 5/6's metabase, IISSync and its COM+ applications, and the IIS 7-10 ops (on
# applicationHost.config, application pools and gMSAs): a node runs the set of its backend
# (host_facts' iis_version, _host_facts.iis_backend) and lists the other as not exercised.
METABASE_OPS = (
    "metabase_get",
    "metabase_set",
    "metabase_delete",
    "metabase_secret_matches",
    "metabase_data_paths",
    "metabase_applications_get",
    "metabase_sites_get",
    "metabase_digest_tree",
    "metabase_backup_create",
    "metabase_backup_list",
    "metabase_backup_restore",
    "metabase_backup_delete",
    "iissync_run",
    "complus_catalog",
    "comadmin_application_set_identity",
    "iis_identities_check",
    "anonymous_logon_check",
)
IIS7_OPS = (
    "web_config_get",
    "web_config_set",
    "web_config_clear",
    "web_config_secret_matches",
    "web_config_element_add",
    "web_config_element_remove",
    "iis_sites_get",
    "app_pools_get",
    "app_pool_identity_set",
    "app_pool_recycle",
    "apphost_digest_tree",
    "gmsa_check",
    "kds_root_key_get",
    "gmsa_get",
    "gmsa_add",
    "gmsa_set_principals",
    "apphost_backup_create",
    "apphost_backup_list",
    "apphost_backup_delete",
    "web_deploy_info",
    "web_deploy_preview",
    "web_deploy_sync",
)
# IIS 7-10 Shared Configuration (KB step 8 by shared_config): a node's redirection.config and
# keys, and the share on the host serving it.
SHARED_CONFIG_OPS = (
    "shared_config_get",
    "unc_read_check",
    "shared_config_export",
    "shared_config_enable",
    "shared_config_disable",
    "share_get",
    "share_set",
)
# The gMSA ops a domain controller answers; the domain scope runs them on one that has gMSAs.
GMSA_DOMAIN_OPS = ("kds_root_key_get", "gmsa_get", "gmsa_add", "gmsa_set_principals")

_IIS7_NOT_YET = "an IIS 7-10 op: this node runs IIS 5/6 (host_facts' iis_version), which has no applicationHost.config"
# An expected refusal would judge the node's optional features, not the contract: with IIS 6
# Metabase Compatibility installed the metabase ops answer on IIS 7-10, without it they fail.
_NO_METABASE = "an IIS 5/6 op: IIS 7-10 has no metabase (nor IISSync, nor COM+ applications of IIS)"

# Write ops no op can undo or give a scratch object to, and the ops of the other backend: never
# run, and the table says why. On an IIS 5/6 node:
NOT_EXERCISED: t.Mapping[str, str] = {
    "metabase_backup_restore": "restoring stops IIS and overwrites the node's live metabase",
    "iissync_run": "IISSync overwrites every target node's metabase",
    **{op: _IIS7_NOT_YET for op in (*IIS7_OPS, *SHARED_CONFIG_OPS)},
}
# On an IIS 7-10 node (the gMSA ops of a domain controller are the domain scope's):
NOT_EXERCISED_APPHOST: t.Mapping[str, str] = {
    **{op: _NO_METABASE for op in METABASE_OPS},
    "web_deploy_preview": "a preview reaches another node's Web Deploy agent: the run probes each node on its own",
    "web_deploy_sync": "a sync overwrites another node's configuration",
    "unc_read_check": "it needs a share and its reader's password, which the run does not have",
    "shared_config_export": "it writes the node's configuration and keys to a share",
    "shared_config_enable": "it points the node's configuration at a share and replaces its keys",
    "shared_config_disable": "it replaces the node's configuration with the share's (when enabled) and its keys",
    "share_set": "it makes a share and grants access to it, and no op removes either",
}
# On a domain controller with gMSAs:
NOT_EXERCISED_GMSA: t.Mapping[str, str] = {
    "gmsa_add": "a gMSA it made could not be deleted: the instruction set has no op that deletes one",
}
# gMSAs need a domain controller of Windows Server 2012 (6.2) or later.
_FIRST_GMSA_OS = (6, 2)


def has_gmsa(os_version: str | None) -> bool:
    """Whether a domain controller of this ``host_facts`` os_version (``10.0.20348``) has gMSAs."""
    parts = re.findall(r"\d+", os_version or "")[:2]
    return len(parts) == 2 and (int(parts[0]), int(parts[1])) >= _FIRST_GMSA_OS


_JSON_TYPES: t.Mapping[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


@dataclasses.dataclass(frozen=True)
class OpContract:
    """One op of the contract: whether it writes, and the JSON Schema of its value."""

    name: str
    write: bool
    result: t.Mapping[str, t.Any]


def load_contract(path: Path = CONTRACT_FILE) -> dict[str, OpContract]:
    """Every op of the contract file by name."""
    ops = load_yaml_file(path)["ops"]
    return {name: OpContract(name, bool(op["write"]), op["result"]) for name, op in ops.items()}


def unsupported_keywords(schema: t.Any) -> set[str]:
    """The keywords of ``schema`` (and of the schemas inside it) that :func:`shape_mismatch`
    does not check: a contract that uses one would be judged on less than it says."""
    if not isinstance(schema, dict):
        return set()
    found = set(schema) - SUPPORTED_KEYWORDS
    inner: list[t.Any] = list(schema.get("properties", {}).values()) + list(schema.get("oneOf", []))
    inner += [schema.get("items"), schema.get("additionalProperties")]
    for sub in inner:
        found |= unsupported_keywords(sub)
    return found


def _type_name(value: t.Any) -> str:
    return next((name for name, types in _JSON_TYPES.items() if _is(value, types)), type(value).__name__)


def _is(value: t.Any, types: tuple[type, ...]) -> bool:
    # JSON has no booleans among its numbers: True is not an integer here.
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)


def shape_mismatch(schema: t.Mapping[str, t.Any], value: t.Any, path: str = "") -> str | None:
    """The first way ``value`` falls outside ``schema``, as ``at <path>: <what>``, or None.

    ``path`` is a JSON Pointer into the value (``/ip_addresses/0/address``); the value itself is
    named ``the value``. Messages name types and names, never a value: a value may be anything
    the node holds.
    """
    where = f"at {path}" if path else "at the value"
    if "oneOf" in schema:
        return _one_of_mismatch(schema["oneOf"], value, path)
    if "type" in schema:
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, _JSON_TYPES[name]) for name in wanted):
            return f"{where}: expected {' or '.join(wanted)}, got {_type_name(value)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: expected one of {', '.join(map(str, schema['enum']))}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{where}: below the minimum {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{where}: above the maximum {schema['maximum']}"
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return f"{where}: does not match {schema['pattern']}"
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found = shape_mismatch(schema["items"], item, f"{path}/{index}")
            if found:
                return found
    if isinstance(value, dict):
        return _object_mismatch(schema, value, path, where)
    return None


def _object_mismatch(schema: t.Mapping[str, t.Any], value: t.Mapping[str, t.Any], path: str, where: str) -> str | None:
    missing = [name for name in schema.get("required", []) if name not in value]
    if missing:
        return f"{where}: missing {', '.join(missing)}"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            found = shape_mismatch(properties[name], item, f"{path}/{name}")
        elif extra is False:
            found = f"at {path}/{name}: not in the contract"
        elif isinstance(extra, dict):
            found = shape_mismatch(extra, item, f"{path}/{name}")
        else:
            found = None
        if found:
            return found
    return None


def _one_of_mismatch(choices: t.Sequence[t.Mapping[str, t.Any]], value: t.Any, path: str) -> str | None:
    failures = [shape_mismatch(choice, value, path) for choice in choices]
    matched = failures.count(None)
    if matched == 1:
        return None
    where = f"at {path}" if path else "at the value"
    if matched > 1:
        return f"{where}: matches {matched} of the contract's alternatives, not one"
    # The alternative of the value's own type says most about what is wrong with it.
    of_its_type = [
        failure
        for choice, failure in zip(choices, failures)
        if "type" not in choice or shape_mismatch({"type": choice["type"]}, value, path) is None
    ]
    return of_its_type[0] if len(of_its_type) == 1 else f"{where}: matches none of the contract's alternatives"


@dataclasses.dataclass(frozen=True)
class Probe:
    """One instruction of the run and what it is for.

    ``expect_error``: the Windows error the op must fail with, for a probe aimed at an object
    that does not exist (the op is then checked without touching anything). ``expect``: values
    the answer must hold besides its shape, by JSON Pointer (``""`` the value itself,
    ``/exists`` a member), for a probe whose answer is known: a scratch object's absence.
    ``purpose`` says what the probe acts on, for the table.
    """

    instruction: Instruction
    purpose: str = ""
    expect_error: int | None = None
    expect: t.Mapping[str, t.Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the table."""

    host: str
    op: str
    verdict: str
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict in (OK, NOT_EXERCISED_VERDICT)

    def as_result(self) -> dict[str, str]:
        return dataclasses.asdict(self)


OK = "ok"
SHAPE_MISMATCH = "shape mismatch"
WINDOWS_ERROR = "Windows error"
UNEXPECTED_SUCCESS = "unexpected success"
UNEXPECTED_VALUE = "unexpected value"
NOT_RUN = "not run"
NOT_EXERCISED_VERDICT = "not exercised"


def error_text(code: int, message: str) -> str:
    known = lookup(code)
    symbol = f" {known.symbol}" if known else ""
    return f"0x{code:08X}{symbol}: {message}".rstrip(": ")


def judge(host: str, probe: Probe, outcome: Outcome, contract: t.Mapping[str, OpContract]) -> Row:
    """The table's verdict on one outcome."""
    op = probe.instruction.op
    purpose = f"{probe.purpose}; " if probe.purpose else ""
    if outcome.status == "not_run":
        return Row(host, op, NOT_RUN, f"{purpose}an earlier instruction failed")
    if outcome.status != "ok":
        code = outcome.error_code or 0
        if probe.expect_error is not None and code == probe.expect_error:
            return Row(host, op, OK, f"{purpose}refused as expected with {error_text(code, '')}")
        expected = f" (expected 0x{probe.expect_error:08X})" if probe.expect_error is not None else ""
        return Row(host, op, WINDOWS_ERROR, f"{purpose}{error_text(code, outcome.error_message)}{expected}")
    if probe.expect_error is not None:
        return Row(host, op, UNEXPECTED_SUCCESS, f"{purpose}expected 0x{probe.expect_error:08X}")
    mismatch = shape_mismatch(contract[op].result, outcome.value)
    if mismatch:
        return Row(host, op, SHAPE_MISMATCH, f"{purpose}{mismatch}")
    unexpected = value_mismatch(probe.expect, outcome.value)
    if unexpected:
        return Row(host, op, UNEXPECTED_VALUE, f"{purpose}{unexpected}")
    return Row(host, op, OK, probe.purpose)


_MISSING = object()


def _at(value: t.Any, pointer: str) -> t.Any:
    """The part of ``value`` a JSON Pointer names (no ``~`` escapes: the probes' pointers have
    none), or :data:`_MISSING`."""
    for step in pointer.split("/")[1:]:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return _MISSING
    return value


def value_mismatch(expect: t.Mapping[str, t.Any], value: t.Any) -> str | None:
    """The first expected value ``value`` does not hold, as ``at <pointer>: expected <json>``,
    or None. Only the expected value is named: the node's may be anything it holds."""
    for pointer, wanted in expect.items():
        found = _at(value, pointer)
        # JSON has no booleans among its numbers: 0 is not false here.
        if found is _MISSING or type(found) is not type(wanted) or found != wanted:
            where = f"at {pointer}" if pointer else "at the value"
            return f"{where}: expected {json.dumps(wanted)}"
    return None


def not_exercised(host: str, op: str, why: str) -> Row:
    return Row(host, op, NOT_EXERCISED_VERDICT, why)


def render_table(rows: t.Sequence[Row]) -> list[str]:
    """The rows as aligned plain-text lines, a header first."""
    header = Row("host", "op", "result", "detail")
    shown = [header, *rows]
    widths = [max(len(getattr(row, field)) for row in shown) for field in ("host", "op", "verdict")]
    return [
        f"{row.host:<{widths[0]}}  {row.op:<{widths[1]}}  {row.verdict:<{widths[2]}}  {row.detail}".rstrip()
        for row in shown
    ]


@dataclasses.dataclass(frozen=True)
class Scratch:
    """The names of this run's scratch objects: random, so that none can be a real object."""

    token: str

    @classmethod
    def new(cls) -> Scratch:
        return cls(secrets.token_hex(4))

    @property
    def account(self) -> str:
        # 15 characters: within the 20 a SAM account name may have.
        return f"iisconf-{self.token}"

    @property
    def backup(self) -> str:
        return f"iisconf-{self.token}"

    @property
    def metabase_key(self) -> str:
        return f"W3SVC/iisconf-{self.token}"

    @property
    def complus_id(self) -> str:
        return "{" + f"{self.token}-0000-4000-8000-000000000000".upper() + "}"

    @property
    def right(self) -> str:
        return f"SeIisConf{self.token}Right"

    @property
    def app_pool(self) -> str:
        return f"iisconf-{self.token}"

    @property
    def share(self) -> str:
        return f"iisconf-{self.token}"

    @property
    def gmsa(self) -> str:
        # 13 characters: within the 15 of a gMSA's name (without its $).
        return f"iiscf{self.token}"


def scratch_password() -> str:
    """A secret for the run: a password that meets Windows' complexity rules (three of upper
    case, lower case, digits and symbols) and any minimum length up to 26. Every secret of the
    run is one of these, so that a test can look for :data:`SCRATCH_PASSWORD_PATTERN` in
    everything a run printed or left."""
    return f"Sc-{secrets.token_hex(10)}-Q7"


SCRATCH_PASSWORD_PATTERN = r"Sc-[0-9a-f]{20}-Q7"


def domain_probes(scratch: Scratch, domain: str) -> list[Probe]:
    """On a domain controller: make the scratch account and put every domain op to it.

    Run after :func:`domain_user_absent` proved the name is free; the clean-up is
    :func:`cleanup_probes`.
    """
    name = scratch.account
    qualified = f"{domain}\\{name}"
    return [
        Probe(Instruction("domain_password_policy_get")),
        Probe(
            Instruction(
                "domain_user_add",
                {
                    "name": name,
                    "secret": SCRATCH_SECRET,
                    "description": "webfarm.iis_cluster conformance run",
                    "user_comment": SCRATCH_MARKER,
                    "enabled": True,
                    "password_never_expires": False,
                    "user_cannot_change_password": False,
                },
            ),
            "the scratch account",
        ),
        Probe(Instruction("domain_user_get", {"name": name}), "the scratch account"),
        Probe(Instruction("domain_user_set", {"name": name, "user_cannot_change_password": True}), "the scratch account"),
        Probe(Instruction("domain_user_set_password", {"name": name, "secret": SCRATCH_SECRET_2}), "the scratch account"),
        Probe(Instruction("domain_user_password_matches", {"name": name, "secret": SCRATCH_SECRET_2}), "the scratch account"),
        Probe(Instruction("domain_group_add_member", {"group": SCRATCH_GROUP, "name": name}), f"the scratch account to {SCRATCH_GROUP}"),
        Probe(Instruction("account_lookup", {"name": qualified}), "the scratch account"),
        Probe(Instruction("account_token_get", {"name": qualified}), "the scratch account"),
        Probe(
            Instruction("account_logon_check", {"name": qualified, "secret": SCRATCH_SECRET_2, "logon_type": "network"}),
            "the scratch account",
        ),
    ]


def gmsa_domain_probes(scratch: Scratch, principal: str) -> list[Probe]:
    """On a domain controller with gMSAs (:func:`has_gmsa`): the reads, and
    gmsa_set_principals aimed at a scratch gMSA that does not exist (``principal`` names a real
    account, so that only the gMSA's absence can refuse it). gmsa_add is not run
    (:data:`NOT_EXERCISED_GMSA`)."""
    missing = f"a missing scratch gMSA {scratch.gmsa}"
    return [
        Probe(Instruction("kds_root_key_get")),
        Probe(Instruction("gmsa_get", {"name": scratch.gmsa}), missing, expect={"": None}),
        Probe(
            Instruction("gmsa_set_principals", {"name": scratch.gmsa, "principals": [principal]}),
            missing,
            expect_error=0x80072030,
        ),
    ]


def domain_user_absent(name: str) -> Probe:
    return Probe(Instruction("domain_user_get", {"name": name}), "the scratch account, before the run")


def cleanup_probes(name: str) -> list[Probe]:
    """Delete the scratch account, then read it back: null proves it is gone."""
    return [
        Probe(Instruction("domain_user_delete", {"name": name}), "the scratch account"),
        Probe(Instruction("domain_user_get", {"name": name}), "the scratch account, after the run"),
    ]


def node_first_probes(scratch_account: str | None) -> list[Probe]:
    """The first batch on a node: its identity, and the scratch account's SID when there is one."""
    probes = [Probe(Instruction("host_facts")), Probe(Instruction("local_group_members_get", {"group": LOCAL_GROUP}), "before")]
    if scratch_account:
        probes.append(Probe(Instruction("account_lookup", {"name": scratch_account}), "the scratch account"))
    return probes


def node_probes(scratch: Scratch, computer: str, site: str, account: str | None, sid: str | None) -> list[Probe]:
    """Every other op on a node: the reads, the writes that can be refused on a scratch object
    that does not exist, and the scratch account's membership of the local Users group, added
    and removed (with ``account`` and its ``sid``, made on the domain controller)."""
    site_key = f"W3SVC/{site}"
    missing_key = f"a missing scratch key {scratch.metabase_key}"
    probes = [
        Probe(Instruction("metabase_get", {"path": "W3SVC", "children": True})),
        Probe(Instruction("metabase_get", {"path": site_key, "properties": ["ServerComment", "AnonymousUserName"]})),
        Probe(
            Instruction("metabase_secret_matches", {"path": site_key, "property": "AnonymousUserPass", "secret": SCRATCH_SECRET}),
            "against a scratch secret",
        ),
        Probe(Instruction("metabase_data_paths", {"path": "W3SVC", "property": "ServerComment"})),
        Probe(Instruction("metabase_applications_get", {"path": "W3SVC"})),
        Probe(Instruction("metabase_sites_get", {"service": "W3SVC"})),
        Probe(Instruction("metabase_digest_tree", {"salt": SALT_SECRET, "exclude": []})),
        Probe(Instruction("metabase_digest_tree", {"salt": SALT_SECRET, "keys": ["/LM/W3SVC"], "subtrees": [], "values": True})),
        Probe(Instruction("metabase_digest_tree", {"salt": SALT_SECRET, "against": {"/LM": ["0" * 16, "0" * 16]}})),
        Probe(Instruction("metabase_backup_list")),
        # A name no backup has yet gets version 0 (MD_BACKUP_NEXT_VERSION), which is deleted again.
        Probe(Instruction("metabase_backup_create", {"name": scratch.backup}), "a scratch backup"),
        Probe(Instruction("metabase_backup_delete", {"name": scratch.backup, "version": 0}), "the scratch backup"),
        *_system_probes(computer),
        Probe(Instruction("complus_catalog")),
        Probe(Instruction("iis_identities_check")),
        Probe(Instruction("anonymous_logon_check", {"path": site_key})),
        Probe(Instruction("user_rights_get", {"right": LOGON_RIGHT})),
        # No op makes a metabase key, a COM+ application or a user right: each write op is
        # aimed at one that does not exist, and Windows must refuse it touching nothing.
        Probe(
            Instruction("metabase_set", {"path": scratch.metabase_key, "property": "ServerComment", "value": "scratch"}),
            missing_key,
            expect_error=0x80070003,
        ),
        Probe(
            Instruction("metabase_delete", {"path": scratch.metabase_key, "property": "ServerComment"}),
            missing_key,
            expect_error=0x80070003,
        ),
        Probe(
            Instruction(
                "comadmin_application_set_identity",
                {"id": scratch.complus_id, "identity": account or "scratch", "secret": SCRATCH_SECRET},
            ),
            "a missing scratch COM+ application",
            expect_error=0x80110809,
        ),
    ]
    return probes + _account_probes(scratch, account, sid)


def _system_probes(computer: str) -> list[Probe]:
    """The reads of Windows itself, whatever its IIS."""
    return [
        Probe(Instruction("rpc_probe", {"computer": computer}), "the node itself"),
        Probe(Instruction("dcom_protocols")),
        Probe(Instruction("file_shares")),
        Probe(Instruction("cluster_addresses")),
    ]


def _account_probes(scratch: Scratch, account: str | None, sid: str | None) -> list[Probe]:
    """With the scratch account (``account`` and its ``sid``): a user right refused, its token,
    its membership of the local Users group added and removed. The last probe reads the group
    again, for :func:`members` to compare with the first batch's reading."""
    if not sid:
        return []
    return [
        Probe(Instruction("user_right_grant", {"right": scratch.right, "sid": sid}), "a missing scratch right", expect_error=1313),
        Probe(Instruction("account_token_get", {"name": account}), "the scratch account"),
        Probe(Instruction("local_group_member_add", {"group": LOCAL_GROUP, "sid": sid}), "the scratch account"),
        Probe(Instruction("local_group_members_get", {"group": LOCAL_GROUP}), "with the scratch account"),
        Probe(Instruction("local_group_member_remove", {"group": LOCAL_GROUP, "sid": sid}), "the scratch account"),
        Probe(Instruction("local_group_members_get", {"group": LOCAL_GROUP}), "after"),
    ]


POOLS_SECTION = "system.applicationHost/applicationPools"
ANONYMOUS_SECTION = "system.webServer/security/authentication/anonymousAuthentication"


def pool_element(name: str) -> str:
    """The element path of an application pool's item (a quote in the name doubled)."""
    return "add[@name='" + name.replace("'", "''") + "']"


def apphost_first_probes() -> list[Probe]:
    """The first IIS 7-10 batch: the sites (the next batch reads the first one's configuration)
    and every pool, the reading :func:`apphost_probes`' last probe is compared with."""
    return [Probe(Instruction("iis_sites_get")), Probe(Instruction("app_pools_get"), "before")]


def apphost_probes(scratch: Scratch, computer: str, first_site: str | None, account: str | None, sid: str | None) -> list[Probe]:
    """Every other op on an IIS 7-10 node: the reads, a scratch application pool (autoStart
    false: it never starts) added, changed, read and removed, and the scratch account's probes.

    app_pool_recycle would start the stopped scratch pool: it is aimed at it once removed, and
    must be refused. The last probe reads every pool again (``after``)."""
    pool = pool_element(scratch.app_pool)
    scratch_pool = f"the scratch pool {scratch.app_pool}"
    gone = f"{scratch_pool}, removed"
    probes = [
        Probe(Instruction("app_pools_get", {"names": ["DefaultAppPool"]})),
        Probe(Instruction("web_config_get", {"section": ANONYMOUS_SECTION}), "the server level"),
        Probe(Instruction("shared_config_get")),
        Probe(Instruction("share_get", {"name": scratch.share}), f"a missing scratch share {scratch.share}", expect={"": None}),
        Probe(
            Instruction("web_config_get", {"section": POOLS_SECTION, "element": f"{pool_element('DefaultAppPool')}/processModel"}),
            "DefaultAppPool",
        ),
        Probe(Instruction("web_config_get", {"section": POOLS_SECTION, "element": pool}), f"{scratch_pool}, before", expect={"": None}),
        Probe(Instruction("apphost_digest_tree", {"salt": SALT_SECRET, "exclude": []}), "the summary"),
        Probe(
            Instruction("apphost_digest_tree", {"salt": SALT_SECRET, "sections": [f"|{POOLS_SECTION}"], "values": True}),
            "the pools' section",
        ),
        Probe(
            Instruction("apphost_digest_tree", {"salt": SALT_SECRET, "against": {"root": "0" * 16, "sections": {f"|{POOLS_SECTION}": "0" * 16}}}),
            "against another summary",
            expect={"/differing_sections/0": f"|{POOLS_SECTION}"},
        ),
        Probe(
            Instruction("gmsa_check", {"name": scratch.gmsa}),
            f"a missing scratch gMSA {scratch.gmsa}",
            expect={"/exists": False, "/can_retrieve": False, "/error/code": 1317},
        ),
    ]
    if first_site is not None:
        site = f"the site {first_site}"
        probes += [
            Probe(Instruction("web_config_get", {"section": ANONYMOUS_SECTION, "location": first_site}), site),
            Probe(
                Instruction(
                    "web_config_secret_matches",
                    {"section": ANONYMOUS_SECTION, "location": first_site, "attribute": "password", "secret": SCRATCH_SECRET},
                ),
                f"{site} against a scratch secret",
                expect={"": False},
            ),
        ]
    probes += [
        *_system_probes(computer),
        Probe(Instruction("user_rights_get", {"right": LOGON_RIGHT})),
        Probe(
            Instruction("web_config_element_add", {"section": POOLS_SECTION, "item": "add", "attributes": {"name": scratch.app_pool, "autoStart": "false"}}),
            scratch_pool,
        ),
        Probe(
            Instruction("web_config_set", {"section": POOLS_SECTION, "element": pool, "attribute": "queueLength", "value": "1001"}),
            scratch_pool,
        ),
        Probe(
            Instruction("web_config_get", {"section": POOLS_SECTION, "element": pool, "attributes": ["queueLength"]}),
            f"{scratch_pool}, set",
            expect={"/attributes/0/value": "1001", "/attributes/0/origin": "set"},
        ),
        Probe(Instruction("web_config_clear", {"section": POOLS_SECTION, "element": pool, "attribute": "queueLength"}), scratch_pool),
        Probe(
            Instruction("web_config_get", {"section": POOLS_SECTION, "element": pool, "attributes": ["queueLength"]}),
            f"{scratch_pool}, cleared",
            expect={"/attributes/0/origin": "default"},
        ),
        Probe(
            Instruction("app_pool_identity_set", {"name": scratch.app_pool, "identity_type": "ApplicationPoolIdentity", "recycle": False}),
            scratch_pool,
            expect={"/start_error": None, "/restored": False},
        ),
        Probe(
            Instruction("app_pools_get", {"names": [scratch.app_pool]}),
            scratch_pool,
            expect={"/0/name": scratch.app_pool, "/0/identity_type": "ApplicationPoolIdentity", "/0/state": "Stopped"},
        ),
        Probe(Instruction("web_config_element_remove", {"section": POOLS_SECTION, "element": pool}), scratch_pool),
        Probe(Instruction("app_pool_recycle", {"name": scratch.app_pool}), gone, expect_error=0x80070002),
        Probe(Instruction("web_config_get", {"section": POOLS_SECTION, "element": pool}), gone, expect={"": None}),
        Probe(Instruction("web_deploy_info")),
        Probe(Instruction("apphost_backup_create", {"name": scratch.backup}), f"the scratch backup {scratch.backup}", expect={"/name": scratch.backup}),
        Probe(Instruction("apphost_backup_list"), f"with the scratch backup {scratch.backup}"),
        Probe(Instruction("apphost_backup_delete", {"name": scratch.backup}), f"the scratch backup {scratch.backup}"),
    ]
    return probes + _account_probes(scratch, account, sid) + [Probe(Instruction("app_pools_get"), "after")]


def pool_names(value: t.Any) -> list[str]:
    """The pool names of an app_pools_get value ([] for anything else)."""
    if isinstance(value, list):
        return [pool.get("name") for pool in value if isinstance(pool, dict)]
    return []


def members(value: t.Any) -> list[str]:
    """The member SIDs of a local_group_members_get value ([] for anything else)."""
    if isinstance(value, dict) and isinstance(value.get("members"), list):
        return [member.get("sid") for member in value["members"] if isinstance(member, dict)]
    return []


def unlisted_rows(rows: t.Sequence[Row], contract: t.Mapping[str, OpContract]) -> list[Row]:
    """A row for each op of the contract no row names: the table lists every op."""
    listed = {row.op for row in rows}
    return [
        not_exercised("-", op, "no host of the run took it: domain ops need a host in domain_controllers")
        for op in contract
        if op not in listed
    ]
