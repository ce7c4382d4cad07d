"""The end-of-run summary of cluster_iis.yml, from results shaped as the roles register them."""

from __future__ import annotations

from summary_lines import node_block

from ansible_collections.webfarm.iis_cluster.plugins.filter.cluster_summary import cluster_summary
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_summary import NodeRun, Stop, node_runs, summarize

IUSR = "WEBFARM\\IUSR_web"
IWAM = "WEBFARM\\IWAM_web"
SKIPPED = {"changed": False, "skipped": True}


def _account(name, *, changed=True, created=True):
    return {"changed": changed, "qualified_name": name, "before": None if created else {"name": name}, "password_changed": changed}


def _membership(added):
    return {"changed": bool(added), "added": added, "group": {"name": "BUILTIN\\Users"}}


def _right(*accounts):
    return {"changed": any(account.get("changed") for account in accounts), "accounts": list(accounts)}


THROUGH_USERS = {"source": "group", "holder": "BUILTIN\\Users", "effective": True, "changed": False}

UNCHANGED_WAM = {"changed": False, "user": IWAM, "resynced": False, "applications": [{}, {}]}

CONVERGED_SOURCE = {
    "domain_accounts_iusr": _account(IUSR),
    "domain_accounts_iwam": _account(IWAM),
    "node_access_membership": _membership([IUSR, IWAM]),
    "node_access_user_right": _right({"account": IUSR, **THROUGH_USERS}, {"account": IWAM, "effective": True, "changed": True}),
    "node_access_iwam_user_right": _right({"account": IWAM, "effective": True, "changed": True}),
    "anonymous_identity_ftp_result": {"changed": False, "skipped": True, "msg": "MSFTPSVC is not installed on node1"},
    "anonymous_identity_result": {
        "changed": True,
        "path": "W3SVC/1",
        "user": IUSR,
        "anonymous_logon": {"works": True, "problem": None},
    },
    "wam_identity_result": {"changed": True, "user": IWAM, "resynced": True, "applications": [{}, {}]},
    "metabase_sync_preflight": {"changed": False, "out_of_sync": ["node2"], "out_of_sync_computers": ["NODE2"]},
    "metabase_sync_backup": SKIPPED,
    "metabase_sync_iissync": {"changed": True, "targets": [{"target": "NODE2", "replicated": True}]},
    "metabase_sync_verification": {
        "changed": False,
        "in_sync": True,
        "targets": [{"host": "node2", "computer": "NODE2", "in_sync": True, "differences": []}],
    },
}

CONVERGED_TARGET = {
    **{name: CONVERGED_SOURCE[name] for name in ("domain_accounts_iusr", "domain_accounts_iwam", "node_access_membership")},
    "node_access_user_right": _right({"account": IUSR, **THROUGH_USERS}, {"account": IWAM, **THROUGH_USERS}),
    "node_access_iwam_user_right": _right({"account": IWAM, "source": "direct", "effective": True, "changed": False}),
    "anonymous_identity_result": SKIPPED,
    "wam_identity_result": UNCHANGED_WAM,
    "metabase_sync_backup": {"changed": True, "backup": {"name": "iissync-20261123T101500Z", "version": 0}},
}



def test_a_converging_run_says_what_each_step_did_on_each_node():
    lines = summarize([NodeRun("node1", CONVERGED_SOURCE), NodeRun("node2", CONVERGED_TARGET)], "node1", controller="dc1")

    assert lines[0] == "dc1, the domain controller"
    assert node_block(lines, "dc1") == {"domain accounts": f"{IUSR} created; {IWAM} created"}
    assert "node1, the sync source" in lines and "node2" in lines
    assert node_block(lines, "node1") == {
        "local group": f"{IUSR}, {IWAM} added to BUILTIN\\Users",
        "log on locally": f"{IUSR} through BUILTIN\\Users; {IWAM} granted directly",
        "batch logon": f"{IWAM} granted directly",
        "WAM identity": f"{IWAM}, set; 2 COM+ applications re-synced",
        "anonymous user": f"W3SVC/1 runs as {IUSR}, set; an anonymous request logs on",
        "FTP anonymous": "MSFTPSVC is not installed on node1",
        "metabase": "IISSync to NODE2 replicated",
        "verification": "every target equals this node",
    }
    assert node_block(lines, "node2") == {
        "local group": f"{IUSR}, {IWAM} added to BUILTIN\\Users",
        "log on locally": f"{IUSR} through BUILTIN\\Users; {IWAM} through BUILTIN\\Users",
        "batch logon": f"{IWAM} directly",
        "WAM identity": f"{IWAM}, already as asked; 2 COM+ applications already run as it",
        "metabase": "backed up as iissync-20261123T101500Z version 0, then replicated from node1",
        "verification": "equals node1",
    }


def test_results_the_source_registered_once_for_the_cluster_are_the_source_s_alone():
    # Ansible registers a run_once result on every node of the play: each node holds the source's
    # preflight, Shared Configuration export and verification, changed or failed.
    once = {name: CONVERGED_SOURCE[name] for name in ("metabase_sync_preflight", "metabase_sync_verification")}
    exported = {"changed": True, "state": "enabled", "switched": True, "exported": True, "backup": None,
                "shared_config": {"enabled": True, "path": "\\\\DC1\\IisConfig"}}
    failed = {**once, "metabase_sync_verification": {"failed": True, "msg": "node2 differs", "targets": []}}
    target = {"metabase_sync_shared_config": {**exported, "changed": False, "switched": False, "exported": False}}
    lines = summarize(
        [NodeRun("node1", {**target, **failed, "metabase_sync_shared_config_source": exported}, backend="apphost"),
         NodeRun("node2", {**failed, "metabase_sync_shared_config_source": exported}, backend="apphost"),
         NodeRun("node3", {**target, **failed, "metabase_sync_shared_config_source": exported},
                 stopped=Stop("verify", "Verify", "node2 differs"), backend="apphost")],
        "node2",
    )

    assert node_block(lines, "node1")["configuration"] == "reads \\\\DC1\\IisConfig"
    assert node_block(lines, "node2")["configuration"] == "exported to the share, then switched to the share"
    assert node_block(lines, "node2")["verification"] == "failed: node2 differs"
    assert lines[0] == "stopped: node3 at verify (Verify); changed before it stopped: node2 metabase_sync"


def test_the_source_s_backup_before_steps_6_and_7_is_named_once():
    backed_up = {
        **CONVERGED_SOURCE,
        "anonymous_identity_result": {**CONVERGED_SOURCE["anonymous_identity_result"], "backup": {"name": "iissync", "version": 4}},
    }
    lines = summarize([NodeRun("node1", backed_up), NodeRun("node2", CONVERGED_TARGET)], "node1")
    assert node_block(lines, "node1")["backup"] == "backed up as iissync version 4 before steps 6-7 changed it"
    assert "backup" not in node_block(summarize([NodeRun("node1", CONVERGED_SOURCE)], "node1"), "node1")
    planned = {**CONVERGED_SOURCE, "wam_identity_result": {**CONVERGED_SOURCE["wam_identity_result"], "backup": {"name": "iissync", "version": None}}}
    lines = summarize([NodeRun("node1", planned)], "node1", check_mode=True)
    assert node_block(lines, "node1")["backup"] == "would be backed up as iissync before steps 6-7 changed it"


def test_check_mode_reads_as_predictions_and_skips_the_verification_of_a_sync_not_made():
    source = {
        **CONVERGED_SOURCE,
        "metabase_sync_iissync": {"changed": True, "targets": [{"target": "NODE2", "outcome": "would be replicated"}]},
        "metabase_sync_verification": SKIPPED,
    }
    lines = summarize([NodeRun("node1", source), NodeRun("node2", CONVERGED_TARGET)], "node1", check_mode=True)

    assert lines[0].startswith("check mode: nothing was changed")
    assert node_block(lines, "the domain controller") == {
        "domain accounts": f"{IUSR} would be created; {IWAM} would be created"
    }
    node1 = node_block(lines, "node1")
    assert node1["local group"] == f"{IUSR}, {IWAM} would be added to BUILTIN\\Users"
    assert node1["anonymous user"] == f"W3SVC/1 would run as {IUSR}"
    assert node1["metabase"] == "IISSync to NODE2 would be replicated"
    assert node1["verification"] == "not checked: the sync it would follow was not made"
    assert node_block(lines, "node2")["metabase"] == (
        "would be backed up as iissync-20261123T101500Z version 0, then would be replicated from node1"
    )


def test_an_idempotent_run_says_everything_was_already_as_asked():
    source = {
        **CONVERGED_SOURCE,
        "domain_accounts_iusr": _account(IUSR, changed=False, created=False),
        "domain_accounts_iwam": _account(IWAM, changed=False, created=False),
        "node_access_membership": _membership([]),
        "anonymous_identity_result": {**CONVERGED_SOURCE["anonymous_identity_result"], "changed": False},
        "wam_identity_result": UNCHANGED_WAM,
        "metabase_sync_preflight": {"changed": False, "out_of_sync": [], "out_of_sync_computers": []},
        "metabase_sync_iissync": SKIPPED,
    }
    target = {**CONVERGED_TARGET, "metabase_sync_backup": SKIPPED}
    lines = summarize([NodeRun("node1", source), NodeRun("node2", target)], "node1", controller="dc1")

    assert lines[:2] == ["dc1, the domain controller", f"  domain accounts  {IUSR} already as asked; {IWAM} already as asked"]
    node1 = node_block(lines, "node1")
    assert node1["local group"] == "both accounts already in BUILTIN\\Users"
    assert node1["WAM identity"] == f"{IWAM}, already as asked; 2 COM+ applications already run as it"
    assert node1["metabase"] == "every target already equals this node: IISSync not needed"
    assert node_block(lines, "node2")["metabase"] == "already equal to node1"


def test_a_backup_found_by_name_is_not_claimed_as_made():
    found = {"changed": False, "backup": {"name": "manual", "version": 3}}
    target = {**CONVERGED_TARGET, "metabase_sync_backup": found}
    lines = summarize([NodeRun("node1", CONVERGED_SOURCE), NodeRun("node2", target)], "node1", controller="dc1")

    assert node_block(lines, "node2")["metabase"] == "replicated from node1"


def test_steps_that_did_not_run_read_not_run():
    only_rights = {"node_access_membership": _membership([]), "node_access_user_right": _right({"account": IUSR, **THROUGH_USERS})}
    lines = summarize([NodeRun("node1", only_rights), NodeRun("node2", only_rights)], "node1")

    assert node_block(lines, "the domain controller") == {"domain accounts": "not run"}
    assert node_block(lines, "node1") == {
        "local group": "both accounts already in BUILTIN\\Users",
        "log on locally": f"{IUSR} through BUILTIN\\Users",
        "batch logon": "not run",
        "WAM identity": "not run",
        "anonymous user": "not run",
        "FTP anonymous": "not run",
        "metabase": "not run",
        "verification": "not run",
    }
    assert node_block(lines, "node2")["metabase"] == "not run"


def test_a_domain_controller_node_has_no_local_group_step():
    lines = summarize([NodeRun("dc1", {"node_access_membership": SKIPPED})], "dc1")

    assert node_block(lines, "dc1")["local group"] == "domain controller: no local groups, KB step 4 does not apply"


def test_overrides_that_no_longer_log_on_are_a_warning_on_the_source():
    stale = {"path": "W3SVC/1/ROOT/Old", "user": "NODE1\\IUSR_OLD", "problem": "the password is wrong"}
    source = {**CONVERGED_SOURCE, "anonymous_identity_result": {**CONVERGED_SOURCE["anonymous_identity_result"], "stale_overrides": [stale]}}
    lines = summarize([NodeRun("node1", source), NodeRun("node2", CONVERGED_TARGET)], "node1")

    assert node_block(lines, "node1")["warning"] == (
        "/LM/W3SVC/1/ROOT/Old overrides the site's anonymous user (NODE1\\IUSR_OLD), which does not log on: the password "
        "is wrong; rerun with anonymous_identity_overrides=inherit"
    )


def test_a_target_that_still_differs_names_its_differences():
    verification = {
        "changed": False,
        "in_sync": False,
        "targets": [{"host": "node2", "in_sync": False, "differences": ["/LM/W3SVC/1: ServerComment differs"]}],
    }
    source = {**CONVERGED_SOURCE, "metabase_sync_verification": verification}
    lines = summarize([NodeRun("node1", source), NodeRun("node2", CONVERGED_TARGET)], "node1")

    assert node_block(lines, "node1")["verification"] == "node2 differs from this node"
    assert node_block(lines, "node2")["verification"] == "differs from node1: /LM/W3SVC/1: ServerComment differs"


FAILED_SYNC = {
    **CONVERGED_SOURCE,
    "metabase_sync_iissync": {"failed": True, "msg": "IISSync failed on NODE2: 0x800706BA: The RPC server is unavailable."},
    "metabase_sync_verification": None,
}
STOPPED_AT_SYNC = {
    "task": "Run IISSync from the source node to the targets that differ (KB Q249603 step 8)",
    "tags": ["metabase_sync"],
    "msg": "IISSync failed on NODE2: 0x800706BA: The RPC server is unavailable.",
}


def test_a_failed_step_says_where_the_run_stopped_and_what_had_changed_before():
    source = {name: result for name, result in FAILED_SYNC.items() if result is not None}
    lines = cluster_summary(
        {"node1": {**source, "cluster_iis_stopped": STOPPED_AT_SYNC}, "node2": CONVERGED_TARGET},
        ["node1", "node2"],
        "node1",
        completed=["node2"],
        controller="dc1",
    )

    assert lines[0] == (
        "stopped: node1 at metabase_sync (Run IISSync from the source node to the targets that differ (KB Q249603 "
        "step 8)); changed before it stopped: dc1 domain_accounts, node1 node_access, node1 anonymous_identity, "
        "node1 wam_identity, node2 node_access, node2 metabase_sync"
    )
    node1 = node_block(lines, "node1")
    assert node1["metabase"] == "IISSync failed: IISSync failed on NODE2: 0x800706BA: The RPC server is unavailable"
    assert node1["stopped"] == (
        "at metabase_sync, task 'Run IISSync from the source node to the targets that differ (KB Q249603 step 8)': "
        "IISSync failed on NODE2: 0x800706BA: The RPC server is unavailable"
    )
    assert "stopped" not in node_block(lines, "node2")


def test_a_run_the_preflight_refused_says_so_and_that_nothing_changed():
    refused = {"task": "Pre-flight, the inputs of every selected step", "tags": ["always"], "msg": "the run was refused before any change: x"}
    lines = cluster_summary({"node1": {"cluster_iis_stopped": refused}, "node2": {}}, ["node1", "node2"], "", completed=[])

    assert lines == ["pre-flight: the run was refused before any change: x", "no step ran; nothing was changed"]


def test_a_node_that_ended_with_the_run_or_was_unreachable_says_so():
    unreachable = {**CONVERGED_TARGET, "node_access_user_right": {"unreachable": True, "msg": "connection refused"}}
    lines = cluster_summary({"node1": CONVERGED_SOURCE, "node2": unreachable}, ["node1", "node2"], "node1", completed=["node1"])

    assert lines[0].startswith("stopped: node2 (unreachable); changed before it stopped: ")
    assert node_block(lines, "node2")["log on locally"] == "failed: connection refused"
    assert node_block(lines, "node2")["stopped"] == "unreachable: see the task above"
    ended = cluster_summary({"node1": CONVERGED_SOURCE, "node2": {}}, ["node1", "node2"], "node1", completed=["node1"])
    assert node_block(ended, "node2")["stopped"] == "with the run, before its next task"


def test_check_mode_that_stopped_never_claims_a_change():
    lines = cluster_summary(
        {"node1": {**CONVERGED_SOURCE, "cluster_iis_stopped": STOPPED_AT_SYNC}, "node2": CONVERGED_TARGET},
        ["node1", "node2"],
        "node1",
        completed=["node2"],
        check_mode=True,
    )

    assert lines[0].startswith("check mode, stopped: node1 at metabase_sync (")
    assert lines[0].endswith("; nothing was changed")


def test_the_node_access_step_result_reads_as_its_group_and_rights():
    """The node_access role registers one result for steps 4-5: its parts are read as the
    membership, "Log on locally" and batch logon results."""
    step = {
        "changed": True,
        "membership": CONVERGED_SOURCE["node_access_membership"],
        "rights": [CONVERGED_SOURCE["node_access_user_right"], CONVERGED_SOURCE["node_access_iwam_user_right"]],
    }
    on_dc = {"changed": False, "membership": {"changed": False, "skipped": True, "msg": "domain controller"}, "rights": [_right(), _right()]}
    failed = {"failed": True, "msg": "user_rights_get failed on node2: access denied"}
    hostvars = {"node1": {"node_access_result": step}, "dc1": {"node_access_result": on_dc}, "node2": {"node_access_result": failed}}
    runs = node_runs(hostvars, ["node1", "dc1", "node2"])
    assert runs[0].results == {name: CONVERGED_SOURCE[name] for name in ("node_access_membership", "node_access_user_right", "node_access_iwam_user_right")}
    assert node_block(summarize(runs[1:2], "node1"), "dc1")["local group"] == "domain controller: no local groups, KB step 4 does not apply"
    lines = node_block(summarize(runs[2:], "node1"), "node2")
    assert [lines[label] for label in ("local group", "log on locally", "batch logon")] == ["failed: user_rights_get failed on node2: access denied"] * 3



def test_the_domain_accounts_step_result_reads_as_its_two_accounts():
    """The domain_accounts role registers one result for steps 1-3: its accounts are read as
    the IUSR and IWAM results, and the summary's lines are those of the two results."""
    step = {"changed": True, "accounts": [CONVERGED_SOURCE["domain_accounts_iusr"], CONVERGED_SOURCE["domain_accounts_iwam"]]}
    runs = node_runs({"node1": {"domain_accounts_result": step}}, ["node1"])
    assert runs[0].results == {name: CONVERGED_SOURCE[name] for name in ("domain_accounts_iusr", "domain_accounts_iwam")}
    assert node_block(summarize(runs, "node1", controller="dc1"), "dc1") == {"domain accounts": f"{IUSR} created; {IWAM} created"}

    refused = {"failed": True, "msg": "accounts[1].name: the domain account 'Administrator' is the built-in Administrator (RID 500)"}
    runs = node_runs({"node1": {"domain_accounts_result": refused}}, ["node1"])
    assert runs[0].results == {"domain_accounts_iusr": refused, "domain_accounts_iwam": refused}


def test_a_gmsa_iwam_identity_reads_as_the_iwam_result_and_iis_7_rights_are_named_by_the_right():
    """IIS 7-10 with iis_cluster_iwam_gmsa: the step's gMSA stands for the IWAM account, and a
    node's rights (derived from the logon types) are labelled by the right they are."""
    gmsa = {"changed": True, "name": "IWAM_web", "qualified_name": f"{IWAM}$", "before": None, "after": {}}
    step = {"changed": True, "accounts": [CONVERGED_SOURCE["domain_accounts_iusr"]], "gmsa": gmsa}

    def right(name, account, holder):
        entry = {"account": account, "changed": False, "effective": True, "source": "group", "holder": holder}
        return {"changed": False, "right": name, "accounts": [entry]}

    access = {
        "changed": False,
        "membership": {"changed": False, "group": {"name": "BUILTIN\\Users"}, "added": []},
        "rights": [right("SeNetworkLogonRight", IUSR, "BUILTIN\\Users"), right("SeBatchLogonRight", f"{IWAM}$", "BUILTIN\\IIS_IUSRS")],
    }
    runs = node_runs({"node1": {"domain_accounts_result": step, "node_access_result": access}}, ["node1"])
    assert runs[0].results["domain_accounts_iwam"] == gmsa
    summary = summarize(runs, "node1", controller="dc1")
    assert node_block(summary, "dc1") == {"domain accounts": f"{IUSR} created; {IWAM}$ created"}
    lines = node_block(summary, "node1")
    assert (lines["network logon"], lines["batch logon"]) == (
        f"{IUSR} through BUILTIN\\Users",
        f"{IWAM}$ through BUILTIN\\IIS_IUSRS",
    )
    assert "log on locally" not in lines


def test_the_anonymous_identities_step_result_reads_as_its_web_and_ftp_sites():
    """The anonymous_identity role registers one result for step 6: its sites are read as the
    web and FTP results; a refusal, which changed neither site, stands for both."""
    web, ftp = CONVERGED_SOURCE["anonymous_identity_result"], CONVERGED_SOURCE["anonymous_identity_ftp_result"]
    runs = node_runs({"node1": {"anonymous_identity_sites": {"changed": True, "sites": [web, ftp]}}}, ["node1"])
    assert runs[0].results == {"anonymous_identity_result": web, "anonymous_identity_ftp_result": ftp}

    refused = {"failed": True, "msg": "anonymous requests to /LM/MSFTPSVC/1 on node1 would not log on: ...; nothing was changed"}
    runs = node_runs({"node1": {"anonymous_identity_sites": refused}}, ["node1"])
    assert runs[0].results == {"anonymous_identity_result": refused, "anonymous_identity_ftp_result": refused}


def test_shared_configuration_says_what_each_node_did_and_a_refusal_before_any_change():
    backup = {"name": "iissync", "version": 0, "folder": "iissync-0", "date": "2026-05-01T10:15:02Z"}
    after = {"enabled": True, "path": "\\\\DC1\\IisConfig"}
    source = {"metabase_sync_shared_config_source": {"changed": True, "state": "enabled", "switched": True, "exported": True,
                                                     "backup": backup, "shared_config": after}}
    target = {"metabase_sync_shared_config": {"changed": False, "state": "enabled", "switched": False, "exported": False,
                                              "backup": None, "shared_config": after}}
    lines = summarize([NodeRun("node2", source, backend="apphost"), NodeRun("node1", target, backend="apphost")], "node2")
    assert node_block(lines, "node2")["configuration"] == (
        "backed up as iissync version 0, then exported to the share, then switched to the share"
    )
    assert node_block(lines, "node1")["configuration"] == "reads \\\\DC1\\IisConfig"
    refused = {"metabase_sync_shared_config_preflight": {"failed": True, "msg": "Shared configuration cannot be set up; nothing was changed: node1: ..."}}
    lines = summarize([NodeRun("node1", refused, backend="apphost")], "node2")
    assert node_block(lines, "node1")["configuration"].startswith("Shared Configuration pre-flight failed, nothing changed")


class _ReadLog(dict):
    """A host's variables that log which were read."""

    def __init__(self, host: str, values: dict, log: list) -> None:
        super().__init__(values)
        self.host, self.log = host, log

    def __getitem__(self, name):
        self.log.append((self.host, name))
        return super().__getitem__(name)


def test_the_results_of_the_source_are_read_on_the_source_alone():
    """Ansible registers a task run once for the cluster on every node: given the source, the
    summary reads its results there only (each copy names every target), and says the same."""
    preflight = {"changed": False, "out_of_sync": [], "targets": [{"host": "node2", "in_sync": True}]}
    log: list = []
    hostvars = {host: _ReadLog(host, {"metabase_sync_preflight": preflight}, log) for host in ("node1", "node2", "node3")}

    runs = node_runs(hostvars, ["node1", "node2", "node3"], source="node2")

    assert [host for host, name in log if name == "metabase_sync_preflight"] == ["node2"]
    assert [run.host for run in runs if "metabase_sync_preflight" in run.results] == ["node2"]
    assert summarize(runs, "node2") == summarize(node_runs(hostvars, ["node1", "node2", "node3"]), "node2")
