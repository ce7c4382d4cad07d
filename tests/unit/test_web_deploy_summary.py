"""The summary's step 8 lines on IIS 7-10: what Web Deploy did to each target, or why not."""

from __future__ import annotations

from summary_lines import node_block

from ansible_collections.webfarm.iis_cluster.plugins.filter.cluster_summary import cluster_summary

APPHOST = {"cluster_iis_node": {"backend": "apphost"}}
PREFLIGHT = {"changed": False, "out_of_sync": ["node1", "node3"], "out_of_sync_targets": {"node1": "NODE1", "node3": "NODE3"}}
BACKUP = {"changed": True, "backup": {"name": "iissync", "version": 2, "folder": "iissync-2", "date": "2026-05-01T10:00:00Z"}}


def _target(host: str, errors: list | None = None) -> dict:
    return {"host": host, "computer": host.upper(), "in_sync": False, "added": 1, "updated": 2, "deleted": 0, "errors": errors or []}


def test_a_sync_names_each_target_s_counts_and_backup_and_a_failed_target_keeps_its_backup():
    sync = {
        "changed": True,
        "failed": True,
        "msg": "web_deploy_sync: Web Deploy reported errors syncing node3",
        "targets": [_target("node1"), _target("node3", [{"code": "ERROR_FILE_IN_USE", "message": "in use"}])],
        "synced": ["node1"],
        "failed_targets": ["node3"],
    }
    hostvars = {
        "node1": {**APPHOST, "metabase_sync_backup": BACKUP},
        "node2": {**APPHOST, "metabase_sync_preflight": PREFLIGHT, "metabase_sync_web_deploy": sync},
        "node3": {**APPHOST, "metabase_sync_backup": BACKUP},
    }
    lines = cluster_summary(hostvars, ["node1", "node2", "node3"], "node2")
    node1, node2, node3 = (node_block(lines, host) for host in ("node1", "node2", "node3"))
    assert node2["configuration"] == "Web Deploy sync failed: web_deploy_sync: Web Deploy reported errors syncing node3"
    assert node1["configuration"] == "backed up as iissync version 2, then replicated from node2"
    assert node3["configuration"] == (
        "backed up as iissync version 2, then the Web Deploy sync from node2 failed (see node2); the backup is kept"
    )
    assert node1["verification"].startswith("skipped on IIS 7-10")


def test_a_cluster_in_sync_needs_no_sync():
    preflight = {"changed": False, "out_of_sync": [], "out_of_sync_targets": {}}
    hostvars = {"node1": APPHOST, "node2": {**APPHOST, "metabase_sync_preflight": preflight}}
    lines = cluster_summary(hostvars, ["node1", "node2"], "node2")
    assert node_block(lines, "node2")["configuration"] == "every target already equals this node: no sync needed"
    assert node_block(lines, "node1")["configuration"] == "already equal to node2"
