# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The end-of-run summary of ``playbooks/cluster_iis.yml``: what each KB Q249603 step did on
each node, in lines an operator reads in seconds.

This is for internal collection use only; the API may change at any time.

The roles register their modules' results under the names in :data:`REGISTERED`; a step that
did not run in this play (``--tags``, ``iis_cluster_steps``) has no result and reads "not run".
"""

from __future__ import annotations

import dataclasses
import typing as t

Result = t.Mapping[str, t.Any]

REGISTERED = (
    "domain_accounts_iusr",
    "domain_accounts_iwam",
    "node_access_membership",
    "node_access_user_right",
    "anonymous_identity_result",
    "wam_identity_result",
    "metabase_sync_preflight",
    "metabase_sync_backup",
    "metabase_sync_iissync",
    "metabase_sync_verification",
)
"""The role results the summary reads, by registered variable name."""

NOT_RUN = "not run"
LABEL_WIDTH = 15


@dataclasses.dataclass(frozen=True)
class NodeRun:
    """One node's registered results (absent when the step did not run on it), and whether the
    node was still in the play at its end."""

    host: str
    results: t.Mapping[str, Result]
    completed: bool = True

    def result(self, name: str) -> Result | None:
        return self.results.get(name)


def _ran(result: Result | None) -> bool:
    return result is not None and not result.get("skipped")


def _did(check_mode: bool, done: str, predicted: str) -> str:
    return predicted if check_mode else done


def _account(result: Result | None, check_mode: bool) -> str:
    if result is None:
        return NOT_RUN
    if result.get("skipped"):
        return "IIS setup's own accounts, left alone"
    name = result.get("qualified_name") or result.get("name")
    if not result.get("changed"):
        return f"{name} already as asked"
    if result.get("before") is None:
        return f"{name} {_did(check_mode, 'created', 'would be created')}"
    if result.get("password_changed"):
        return f"{name} {_did(check_mode, 'password set', 'password would be set')}"
    return f"{name} {_did(check_mode, 'updated', 'would be updated')}"


def _local_group(result: Result | None, check_mode: bool) -> str:
    if result is None:
        return NOT_RUN
    if result.get("skipped"):
        return "domain controller: no local groups, KB step 4 does not apply"
    group = (result.get("group") or {}).get("name", "the group")
    added = result.get("added") or []
    if added:
        return f"{', '.join(added)} {_did(check_mode, 'added to', 'would be added to')} {group}"
    return f"both accounts already in {group}"


def _user_right(result: Result | None, check_mode: bool) -> str:
    if result is None or result.get("skipped"):
        return NOT_RUN
    held = []
    for account in result.get("accounts") or []:
        name = account.get("account")
        if account.get("changed"):
            held.append(f"{name} {_did(check_mode, 'granted directly', 'would be granted directly')}")
        elif account.get("effective") is None:
            held.append(f"{name} does not exist yet")
        elif account.get("source") == "group":
            held.append(f"{name} through {account.get('holder')}")
        else:
            held.append(f"{name} directly")
    return "; ".join(held) or "no account asked for"


def _anonymous_identity(result: Result, check_mode: bool) -> str:
    user = result.get("user")
    path = result.get("path")
    if check_mode and result.get("changed"):
        # The logon test ran against the node as it is now, not as the change would leave it.
        return f"{path} would run as {user}"
    state = "set" if result.get("changed") else "already as asked"
    logon = result.get("anonymous_logon") or {}
    works = "an anonymous request logs on" if logon.get("works") else f"anonymous logon fails: {logon.get('problem')}"
    return f"{path} runs as {user}, {state}; {works}"


def _wam_identity(result: Result, check_mode: bool) -> str:
    user = result.get("user")
    applications = result.get("applications") or []
    state = _did(check_mode, "set", "would be set") if result.get("changed") else "already as asked"
    if result.get("resynced"):
        resynced = f"{len(applications)} COM+ applications {_did(check_mode, 're-synced', 'would be re-synced')}"
    else:
        resynced = f"{len(applications)} COM+ applications already run as it"
    return f"{user}, {state}; {resynced}"


def _source_sync(node: NodeRun, check_mode: bool) -> str:
    iissync = node.result("metabase_sync_iissync")
    preflight = node.result("metabase_sync_preflight")
    if _ran(iissync):
        outcomes = [f"{target['target']} {_target_outcome(target, check_mode)}" for target in iissync["targets"]]
        return "IISSync to " + ", ".join(outcomes)
    if _ran(preflight):
        return "every target already equals this node: IISSync not needed"
    return NOT_RUN


def _target_outcome(target: Result, check_mode: bool) -> str:
    if check_mode:
        return str(target.get("outcome", "would be replicated"))
    return "replicated" if target.get("replicated") else f"not replicated ({target['status']['description']})"


def _target_sync(node: NodeRun, source: NodeRun | None, check_mode: bool) -> str:
    preflight = source.result("metabase_sync_preflight") if source else None
    if not _ran(preflight):
        return NOT_RUN
    if node.host not in preflight.get("out_of_sync", []):
        return f"already equal to {source.host}"
    backup = node.result("metabase_sync_backup")
    saved = ""
    if _ran(backup):
        name = backup.get("backup", {}).get("name")
        saved = f"{_did(check_mode, 'backed up', 'would be backed up')} as {name}, then "
    copied = _did(check_mode, "replicated", "would be replicated")
    return f"{saved}{copied} from {source.host}"


def _verification(node: NodeRun, source: NodeRun | None, is_source: bool, check_mode: bool) -> str:
    verification = source.result("metabase_sync_verification") if source else None
    if not _ran(verification):
        if check_mode and source and (source.result("metabase_sync_iissync") or {}).get("changed"):
            return "not checked: the sync it would follow was not made"
        return NOT_RUN
    targets = verification.get("targets") or []
    if is_source:
        differing = [target["host"] for target in targets if not target.get("in_sync")]
        if differing:
            return f"{', '.join(differing)} {'differs' if len(differing) == 1 else 'differ'} from this node"
        return "every target equals this node"
    mine = [target for target in targets if target.get("host") == node.host]
    if not mine:
        return NOT_RUN
    if mine[0].get("in_sync"):
        return f"equals {source.host}"
    differences = mine[0].get("differences") or []
    return f"differs from {source.host}: " + "; ".join(differences)


def _line(label: str, text: str) -> str:
    return f"  {label:<{LABEL_WIDTH}} {text}"


def summarize(nodes: t.Sequence[NodeRun], source_host: str, check_mode: bool = False) -> list[str]:
    """The summary: a header line for the domain accounts, then each node's steps.

    ``nodes`` are the play's hosts in inventory order, ``source_host`` the sync source among them.
    """
    source = next((node for node in nodes if node.host == source_host), None)
    anywhere = nodes[0] if nodes else None
    lines = []
    if check_mode:
        lines.append("check mode: nothing was changed; each 'would' is what a real run does")
    if anywhere is not None:
        # The accounts are the domain's: the role ran them once, and every node has the result.
        accounts = [_account(anywhere.result(name), check_mode) for name in REGISTERED[:2]]
        # Words that name no account ("not run") are said once for both.
        lines.append("domain accounts: " + "; ".join(dict.fromkeys(accounts)))
    for node in nodes:
        is_source = node.host == source_host
        lines.append(f"{node.host}{', the sync source' if is_source else ''}")
        if not node.completed:
            lines.append(_line("failed", "this node stopped at the failed task shown above"))
            continue
        lines.append(_line("local group", _local_group(node.result("node_access_membership"), check_mode)))
        lines.append(_line("log on locally", _user_right(node.result("node_access_user_right"), check_mode)))
        if is_source:
            for label, name, describe in (
                ("anonymous user", "anonymous_identity_result", _anonymous_identity),
                ("WAM identity", "wam_identity_result", _wam_identity),
            ):
                result = node.result(name)
                lines.append(_line(label, describe(result, check_mode) if _ran(result) else NOT_RUN))
            lines.append(_line("metabase", _source_sync(node, check_mode)))
        else:
            lines.append(_line("metabase", _target_sync(node, source, check_mode)))
        lines.append(_line("verification", _verification(node, source, is_source, check_mode)))
    return lines
