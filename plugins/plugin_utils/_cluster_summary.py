# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The end-of-run summary of ``playbooks/cluster_iis.yml``: what each KB Q249603 step did on
each node, in lines an operator reads in seconds.

This is for internal collection use only; the API may change at any time.

The roles register their modules' results under the names in :data:`REGISTERED`; a step that
did not run in this play (``--tags``, ``iis_cluster_steps``) has no result and reads "not run".
A run that stopped says where (node, step, task) and what had changed before, so an operator
never reads "nothing was changed" of a cluster that was.
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
    "node_access_iwam_user_right",
    "anonymous_identity_result",
    "anonymous_identity_ftp_result",
    "wam_identity_result",
    "metabase_sync_preflight",
    "metabase_sync_backup",
    "metabase_sync_iissync",
    "metabase_sync_web_deploy",
    "metabase_sync_shared_config_preflight",
    "metabase_sync_shared_config_source",
    "metabase_sync_shared_config",
    "metabase_sync_verification",
)
"""The role results the summary reads, by registered variable name."""

STEP_OF_RESULT = {
    "domain_accounts_iusr": "domain_accounts",
    "domain_accounts_iwam": "domain_accounts",
    "node_access_membership": "node_access",
    "node_access_user_right": "node_access",
    "node_access_iwam_user_right": "node_access",
    "anonymous_identity_result": "anonymous_identity",
    "anonymous_identity_ftp_result": "anonymous_identity",
    "wam_identity_result": "wam_identity",
    "metabase_sync_preflight": "metabase_sync",
    "metabase_sync_backup": "metabase_sync",
    "metabase_sync_iissync": "metabase_sync",
    "metabase_sync_web_deploy": "metabase_sync",
    "metabase_sync_shared_config_preflight": "metabase_sync",
    "metabase_sync_shared_config_source": "metabase_sync",
    "metabase_sync_shared_config": "metabase_sync",
    "metabase_sync_verification": "verify",
}
"""The playbook step each registered result belongs to."""

STEP_RESULTS: dict[str, dict[str, tuple[str | int, ...]]] = {
    "domain_accounts_result": {
        "domain_accounts_iusr": ("accounts", 0),
        "domain_accounts_iwam": ("accounts", 1),
    },
    "anonymous_identity_sites": {
        "anonymous_identity_result": ("sites", 0),
        "anonymous_identity_ftp_result": ("sites", 1),
    },
    "node_access_result": {
        "node_access_membership": ("membership",),
        "node_access_user_right": ("rights", 0),
        "node_access_iwam_user_right": ("rights", 1),
    },
}
"""Results of a step-level module (webfarm.iis_cluster.domain_accounts, anonymous_identities,
node_access) read as the results of the modules it composes: each registered name above, by its
path in the step's result. A step that failed or was unreachable stands for each of its parts;
one skipped ran none of them."""

SOURCE_RESULTS = ("metabase_sync_preflight", "metabase_sync_shared_config_source", "metabase_sync_verification")
"""Results of tasks the role runs once, on the source node, for the cluster: Ansible registers a
``run_once`` result on every node of the play, but they are the source's alone."""

FALLBACK_PATHS: dict[str, tuple[str | int, ...]] = {"domain_accounts_iwam": ("gmsa",)}
"""Where a part is found when its path is not there: with ``iis_cluster_iwam_gmsa`` (IIS 7-10)
the IWAM identity is the step's group managed service account, not its second user."""

APPHOST = "apphost"

PROBE = "wam_identity_probe"
ROLLOUT = "wam_identity_rollout"
ROLLED_OUT = "wam_identity_result"
"""Step 7 on IIS 7-10 runs once for the cluster, looping over the nodes: first the probe of the
identity (one node, or every node for a gMSA), then the roll-out, node by node. Each node's item
of the loop stands for its ``wam_identity_result``."""

STEP_NAMES = tuple(dict.fromkeys(STEP_OF_RESULT.values()))
PREFLIGHT = "pre-flight"
STOPPED = "cluster_iis_stopped"
"""The fact the playbook records on a node that failed, for :meth:`Stop.from_record`."""

NOT_RUN = "not run"
_IDENTITY_RESULTS = ("anonymous_identity_result", "anonymous_identity_ftp_result", "wam_identity_result")
"""Steps 6-7's results: in check mode, verification skipped after one of them would change."""
LABEL_WIDTH = 16


@dataclasses.dataclass(frozen=True)
class Stop:
    """Where a node stopped: the playbook step (or the pre-flight), the task, and its message."""

    step: str
    task: str
    message: str

    @classmethod
    def from_record(cls, record: t.Mapping[str, t.Any]) -> Stop:
        """From what the playbook recorded of Ansible's ``ansible_failed_task`` (its ``task``
        name and ``tags``) and ``ansible_failed_result`` (``msg``): a task of a step carries the
        step's tag, the pre-flight's carry none."""
        step = next((tag for tag in record.get("tags") or [] if tag in STEP_NAMES), PREFLIGHT)
        return cls(step, str(record.get("task") or "a task"), str(record.get("msg") or "failed"))


@dataclasses.dataclass(frozen=True)
class NodeRun:
    """One node's registered results (absent when the step did not run on it), whether the
    node was still in the play at its end, and where it stopped if it failed."""

    host: str
    results: t.Mapping[str, Result]
    completed: bool = True
    stopped: Stop | None = None
    backend: str | None = None

    def result(self, name: str) -> Result | None:
        return self.results.get(name)

    def without_source_results(self) -> NodeRun:
        """This node's run without the results that are the source node's (:data:`SOURCE_RESULTS`)."""
        own = {name: result for name, result in self.results.items() if name not in SOURCE_RESULTS}
        return dataclasses.replace(self, results=own)


def node_runs(
    hostvars: t.Mapping[str, t.Mapping[str, t.Any]],
    hosts: t.Sequence[str],
    completed: t.Collection[str] | None = None,
    source: str | None = None,
) -> list[NodeRun]:
    """Each of ``hosts`` as its variables tell: the registered results, whether it is among the
    ``completed`` (by default all are), and where it stopped.

    Given the ``source``, the results of :data:`SOURCE_RESULTS` are read on it alone: Ansible
    holds a copy on every node, each naming every target, and templating each host's copy makes
    the summary's cost grow with the square of the nodes."""
    finished = set(hosts if completed is None else completed)
    runs = []
    for host in hosts:
        variables = hostvars[host]
        stopped = variables[STOPPED] if STOPPED in variables else None
        names = REGISTERED if source is None or host == source else [name for name in REGISTERED if name not in SOURCE_RESULTS]
        results = {name: variables[name] for name in names if name in variables}
        for name, parts in STEP_RESULTS.items():
            if name in variables:
                results.update(_parts(variables[name], parts))
        rolled = rollout_result(host, variables.get(PROBE), variables.get(ROLLOUT))
        if rolled is not None:
            results[ROLLED_OUT] = rolled
        runs.append(
            NodeRun(
                host=host,
                results=results,
                completed=host in finished,
                stopped=Stop.from_record(stopped) if stopped else None,
                backend=(variables.get("cluster_iis_node") or {}).get("backend"),
            )
        )
    return runs


def _items(loop: Result | None) -> list[Result]:
    return [item for item in (loop or {}).get("results") or [] if isinstance(item, dict)]


def rollout_result(host: str, probe: Result | None, rollout: Result | None) -> Result | None:
    """``host``'s part of step 7 on IIS 7-10: its item of the roll-out; the probe's item when the
    probe failed there; else why the roll-out never reached it. None on IIS 5/6 (no loop)."""
    probed, rolled = _items(probe), _items(rollout)
    if not probed and not rolled:
        return None
    own = next((item for item in rolled if item.get("item") == host), None)
    if own is not None:
        return own
    stopped_at = next((item.get("item") for item in rolled if _failed(item)), None)
    if stopped_at is not None:
        return {"skipped": True, "msg": f"untouched: the roll-out stopped at {stopped_at}, before this node"}
    refused = next((item for item in probed if _failed(item) and item.get("item") == host), None)
    if refused is not None:
        return refused
    where = ", ".join(str(item.get("item")) for item in probed if _failed(item))
    if where:
        return {"skipped": True, "msg": f"untouched: the identity's probe failed on {where}, before any node changed"}
    return None


def _parts(result: Result, parts: t.Mapping[str, tuple[str | int, ...]]) -> dict[str, Result]:
    """The parts of a step-level result by the names of the results they stand for."""
    if _failed(result):
        return {name: result for name in parts}
    found: dict[str, Result] = {}
    if result.get("skipped"):
        return found
    for name, path in parts.items():
        for where in (path, FALLBACK_PATHS.get(name)):
            value = _at(result, where) if where else None
            if value is not None:
                found[name] = value
                break
    return found


def _at(result: Result, path: tuple[str | int, ...]) -> t.Any:
    """The value at ``path`` in ``result``, None when it is not there."""
    value: t.Any = result
    try:
        for key in path:
            value = value[key]
    except (KeyError, IndexError, TypeError):
        return None
    return value


def _ran(result: Result | None) -> bool:
    return result is not None and not result.get("skipped") and not _failed(result)


def _failed(result: Result | None) -> bool:
    return result is not None and bool(result.get("failed") or result.get("unreachable"))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].rstrip(".") if text.strip() else "failed"


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


def _local_group(result: Result, check_mode: bool) -> str:
    if result.get("skipped"):
        return "domain controller: no local groups, KB step 4 does not apply"
    group = (result.get("group") or {}).get("name", "the group")
    added = result.get("added") or []
    if added:
        return f"{', '.join(added)} {_did(check_mode, 'added to', 'would be added to')} {group}"
    return f"both accounts already in {group}"


# On IIS 7-10 the rights follow the logon types, so a node's rights are named by the right.
_RIGHT_LABELS = {
    "SeInteractiveLogonRight": "log on locally",
    "SeNetworkLogonRight": "network logon",
    "SeBatchLogonRight": "batch logon",
    "SeServiceLogonRight": "service logon",
}


def _right_label(result: Result | None, label: str) -> str:
    right = (result or {}).get("right")
    return _RIGHT_LABELS.get(str(right), label) if right else label


def _user_right(result: Result, check_mode: bool) -> str:
    if result.get("skipped"):
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
    if result.get("skipped"):
        return str(result.get("msg") or NOT_RUN)
    if "logon_method" in result:
        return _anonymous_authentication(result, check_mode)
    user = result.get("user")
    path = result.get("path")
    if check_mode and result.get("changed"):
        # The logon test ran against the node as it is now, not as the change would leave it.
        return f"{path} would run as {user}"
    state = "set" if result.get("changed") else "already as asked"
    logon = result.get("anonymous_logon") or {}
    works = "an anonymous request logs on" if logon.get("works") else f"anonymous logon fails: {logon.get('problem')}"
    return f"{path} runs as {user}, {state}; {works}"


def _anonymous_authentication(result: Result, check_mode: bool) -> str:
    """Step 6 on IIS 7-10: the site's anonymous user at its location, on one node."""
    state = _did(check_mode, "set", "would be set") if result.get("changed") else "already as asked"
    text = f"{result.get('site')} runs as {result.get('user')} (logonMethod {result.get('logon_method')}), {state}"
    found = [entry["location"] for entry in result.get("overrides") or []]
    if result.get("inherited"):
        text += f"; {', '.join(result['inherited'])} {_did(check_mode, 'made to inherit it', 'would inherit it')}"
    elif found:
        text += f"; {', '.join(found)} override it (anonymous_identity_overrides=inherit clears them)"
    return text


def _stale_overrides(result: Result | None) -> list[str]:
    """Keys below the site that set their own anonymous user, which no longer logs on there."""
    if not _ran(result):
        return []
    return [
        f"/LM/{entry['path']} overrides the site's anonymous user ({entry['user']}), which does not log on: "
        f"{entry['problem']}; rerun with anonymous_identity_overrides=inherit"
        for entry in result.get("stale_overrides") or []
    ]


def _wam_identity(result: Result, check_mode: bool) -> str:
    if result.get("skipped"):
        return str(result.get("msg") or NOT_RUN)
    user = result.get("user")
    if "pools" in result:
        return _pool_identities(result, check_mode)
    applications = result.get("applications") or []
    state = _did(check_mode, "set", "would be set") if result.get("changed") else "already as asked"
    if result.get("resynced"):
        resynced = f"{len(applications)} COM+ applications {_did(check_mode, 're-synced', 'would be re-synced')}"
    else:
        resynced = f"{len(applications)} COM+ applications already run as it"
    return f"{user}, {state}; {resynced}"


def _pool_identities(result: Result, check_mode: bool) -> str:
    """Step 7 on IIS 7-10: the pools of one node."""
    pools = result.get("pools") or []
    changed = [pool["pool"] for pool in pools if pool.get("changed")]
    same = [pool["pool"] for pool in pools if not pool.get("changed")]
    parts = []
    if changed:
        parts.append(f"{', '.join(changed)} {_did(check_mode, 'set and started', 'would be set')}")
    if same:
        parts.append(f"{', '.join(same)} already as asked")
    return f"pools run as {result.get('user')} ({result.get('logon_type')}): {'; '.join(parts)}"


def _source_sync(node: NodeRun, check_mode: bool) -> str:
    iissync = node.result("metabase_sync_iissync")
    preflight = node.result("metabase_sync_preflight")
    for name, result in (("IISSync preflight", preflight), ("IISSync", iissync)):
        if _failed(result):
            return f"{name} failed: {_first_line(str(result.get('msg') or ''))}"
    if _ran(iissync):
        outcomes = [f"{target['target']} {_target_outcome(target, check_mode)}" for target in iissync["targets"]]
        return "IISSync to " + ", ".join(outcomes)
    if _ran(preflight):
        return "every target already equals this node: IISSync not needed"
    return NOT_RUN


def _web_deploy_source(node: NodeRun, check_mode: bool) -> str:
    """Step 8 by Web Deploy, on the source: its preflight, then each target's sync."""
    sync = node.result("metabase_sync_web_deploy")
    preflight = node.result("metabase_sync_preflight")
    for name, result in (("Web Deploy preflight", preflight), ("Web Deploy sync", sync)):
        if _failed(result):
            return f"{name} failed: {_first_line(str(result.get('msg') or ''))}"
    if _ran(sync):
        done = _did(check_mode, "synced", "would be synced")
        outcomes = [
            f"{target['host']} {done} ({target['added']} added, {target['updated']} updated, {target['deleted']} deleted)"
            for target in sync.get("targets", [])
        ]
        return "Web Deploy: " + ", ".join(outcomes)
    if _ran(preflight):
        return "every target already equals this node: no sync needed"
    return NOT_RUN


def _shared_config(node: NodeRun, check_mode: bool) -> str | None:
    """Step 8 by Shared Configuration on a node (source or not); None when it did not run there."""
    preflight = node.result("metabase_sync_shared_config_preflight")
    if _failed(preflight):
        return f"Shared Configuration pre-flight failed, nothing changed: {_first_line(str(preflight.get('msg') or ''))}"
    result = next(
        (found for name in ("metabase_sync_shared_config_source", "metabase_sync_shared_config") if (found := node.result(name)) and not found.get("skipped")),
        None,
    )
    if result is None:
        return None
    if _failed(result):
        return f"Shared Configuration failed: {_first_line(str(result.get('msg') or ''))}"
    shared = result.get("shared_config") or {}
    if not result.get("switched"):
        return f"reads {shared.get('path')}" if shared.get("enabled") else "reads its own configuration (shared configuration disabled)"
    done = [_backed_up(result["backup"], check_mode)] if result.get("backup") else []
    if result.get("exported"):
        done.append(_did(check_mode, "exported to the share", "would be exported to the share"))
    where = "to the share" if result.get("state") == "enabled" else "to a local copy of the share's configuration"
    done.append(f"{_did(check_mode, 'switched', 'would be switched')} {where}")
    return ", then ".join(done)


def _target_outcome(target: Result, check_mode: bool) -> str:
    if check_mode:
        return str(target.get("outcome", "would be replicated"))
    return "replicated" if target.get("replicated") else f"not replicated ({target['status']['description']})"


def _backed_up(made: Result, check_mode: bool) -> str:
    version = "" if made.get("version") is None else f" version {made['version']}"
    return f"{_did(check_mode, 'backed up', 'would be backed up')} as {made.get('name')}{version}"


def _source_backup(node: NodeRun, check_mode: bool) -> list[str]:
    """The backup of the source made before steps 6-7 first changed it, if one was."""
    made = [result["backup"] for name in _IDENTITY_RESULTS if isinstance((result := node.result(name) or {}).get("backup"), dict)]
    return [f"{_backed_up(made[0], check_mode)} before steps 6-7 changed it"] if made else []


def _target_sync(node: NodeRun, source: NodeRun | None, check_mode: bool) -> str:
    preflight = source.result("metabase_sync_preflight") if source else None
    if not _ran(preflight):
        return NOT_RUN
    if node.host not in preflight.get("out_of_sync", []):
        return f"already equal to {source.host}"
    backup = node.result("metabase_sync_backup")
    if _failed(backup):
        return f"backup failed, so not replicated: {_first_line(str(backup.get('msg') or ''))}"
    saved = ""
    # Only a backup made (changed) is named: a backup found by name saved nothing of this sync.
    if _ran(backup) and backup.get("changed"):
        saved = f"{_backed_up(backup.get('backup', {}), check_mode)}, then "
    web_deploy = source.result("metabase_sync_web_deploy") or {} if source else {}
    if node.host in (web_deploy.get("failed_targets") or []):
        return f"{saved}the Web Deploy sync from {source.host} failed (see {source.host}); the backup is kept"
    if not web_deploy.get("targets") and not _ran(node.result("metabase_sync_backup")) and node.backend == APPHOST:
        return f"differs from {source.host}, not synced"
    copied = _did(check_mode, "replicated", "would be replicated")
    return f"{saved}{copied} from {source.host}"


def _verification(node: NodeRun, source: NodeRun | None, is_source: bool, check_mode: bool) -> str:
    verification = source.result("metabase_sync_verification") if source else None
    # A verification that found a difference failed the task, and says what differs.
    if verification is None or verification.get("skipped") or verification.get("unreachable"):
        if check_mode and source and (source.result("metabase_sync_iissync") or {}).get("changed"):
            return "not checked: the sync it would follow was not made"
        identities = [run.result(name) or {} for run in (node, source) if run for name in _IDENTITY_RESULTS]
        if check_mode and any(result.get("changed") for result in identities):
            return "not checked: the identity changes it would follow were not made"
        return NOT_RUN
    targets = verification.get("targets") or []
    if _failed(verification) and not targets:
        return "failed: " + _first_line(str(verification.get("msg") or ""))
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


def _shown(result: Result | None, describe: t.Callable[[Result], str]) -> str:
    """A step's words: "not run", what failed, or what ``describe`` says of its result."""
    if result is None:
        return NOT_RUN
    if _failed(result):
        return "failed: " + _first_line(str(result.get("msg") or ""))
    return describe(result)


def _refusal(nodes: t.Sequence[NodeRun]) -> str | None:
    """The pre-flight's message when it refused the run: then no step ran anywhere."""
    return next((node.stopped.message for node in nodes if node.stopped and node.stopped.step == PREFLIGHT), None)


def _unreachable(node: NodeRun) -> bool:
    return any(result.get("unreachable") for result in node.results.values())


def _headline(nodes: t.Sequence[NodeRun], controller: str, check_mode: bool) -> list[str]:
    """What a stopped run must say first: where it stopped, and what it had changed before."""
    stopped = [node for node in nodes if node.stopped or _unreachable(node)]
    if not stopped:
        return ["check mode: nothing was changed; each 'would' is what a real run does"] if check_mode else []
    where = "; ".join(
        f"{node.host} at {node.stopped.step} ({node.stopped.task})" if node.stopped else f"{node.host} (unreachable)"
        for node in stopped
    )
    if check_mode:
        return [f"check mode, stopped: {where}; nothing was changed"]
    # The accounts' results are registered on every node; they changed the controller.
    changed = list(
        dict.fromkeys(
            f"{controller if STEP_OF_RESULT[name] == 'domain_accounts' else node.host} {STEP_OF_RESULT[name]}"
            for node in nodes
            for name, result in node.results.items()
            if result.get("changed") and not _failed(result)
        )
    )
    before = f"changed before it stopped: {', '.join(changed)}" if changed else "nothing had changed before it stopped"
    return [f"stopped: {where}; {before}"]


def summarize(
    nodes: t.Sequence[NodeRun], source_host: str, check_mode: bool = False, controller: str | None = None
) -> list[str]:
    """The summary: where the run stopped if it did, the domain controller's accounts, then
    each node's steps.

    ``nodes`` are the play's hosts in inventory order, ``source_host`` the sync source among them,
    ``controller`` the domain controller steps 1-3 ran on.
    """
    refusal = _refusal(nodes)
    if refusal is not None:
        return [f"pre-flight: {_first_line(refusal)}", "no step ran; nothing was changed"]
    nodes = [node if node.host == source_host else node.without_source_results() for node in nodes]
    source = next((node for node in nodes if node.host == source_host), None)
    controller_name = controller or "the domain controller"
    lines = _headline(nodes, controller_name, check_mode)
    anywhere = next((node for node in nodes if any(name in node.results for name in REGISTERED[:2])), None)
    # The accounts are the domain's: the role ran them once on the controller, for every node.
    accounts = [_account(anywhere.result(name) if anywhere else None, check_mode) for name in REGISTERED[:2]]
    lines.append(f"{controller_name}, the domain controller" if controller else "the domain controller")
    # Words that name no account ("not run") are said once for both.
    lines.append(_line("domain accounts", "; ".join(dict.fromkeys(accounts))))
    for node in nodes:
        is_source = node.host == source_host
        lines.append(f"{node.host}{', the sync source' if is_source else ''}")
        steps = [
            ("local group", _shown(node.result("node_access_membership"), lambda r: _local_group(r, check_mode))),
            (
                _right_label(node.result("node_access_user_right"), "log on locally"),
                _shown(node.result("node_access_user_right"), lambda r: _user_right(r, check_mode)),
            ),
        ]
        steps.append(
            (
                _right_label(node.result("node_access_iwam_user_right"), "batch logon"),
                _shown(node.result("node_access_iwam_user_right"), lambda r: _user_right(r, check_mode)),
            )
        )
        if node.backend == APPHOST:
            steps.append(("anonymous user", _shown(node.result("anonymous_identity_result"), lambda r: _anonymous_identity(r, check_mode))))
        elif is_source:
            for label, name in (("anonymous user", "anonymous_identity_result"), ("FTP anonymous", "anonymous_identity_ftp_result")):
                steps.append((label, _shown(node.result(name), lambda r: _anonymous_identity(r, check_mode))))
            steps += [("warning", warning) for warning in _stale_overrides(node.result("anonymous_identity_result"))]
        steps.append(("WAM identity", _shown(node.result("wam_identity_result"), lambda r: _wam_identity(r, check_mode))))
        shared_config = _shared_config(node, check_mode) if node.backend == APPHOST else None
        if shared_config is not None:
            steps.append(("configuration", shared_config))
        elif node.backend == APPHOST and is_source:
            steps.append(("configuration", _web_deploy_source(node, check_mode)))
        elif node.backend == APPHOST:
            steps.append(("configuration", _target_sync(node, source, check_mode)))
        elif is_source:
            steps += [("backup", backup) for backup in _source_backup(node, check_mode)]
            steps.append(("metabase", _source_sync(node, check_mode)))
        else:
            steps.append(("metabase", _target_sync(node, source, check_mode)))
        steps.append(("verification", _verification(node, source, is_source, check_mode)))
        lines += [_line(label, text) for label, text in steps]
        if node.stopped:
            lines.append(_line("stopped", f"at {node.stopped.step}, task {node.stopped.task!r}: {_first_line(node.stopped.message)}"))
        elif _unreachable(node):
            lines.append(_line("stopped", "unreachable: see the task above"))
        elif not node.completed:
            lines.append(_line("stopped", "with the run, before its next task"))
    return lines
