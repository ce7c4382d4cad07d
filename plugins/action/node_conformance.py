# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.node_conformance: every op of the instruction set on a
node, each value checked against the contract (plugins/plugin_utils/_conformance.py decides)."""

from __future__ import annotations

import typing as t

from ansible.errors import AnsibleActionFail

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils import _conformance as conformance
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._host_facts import BACKEND_APPHOST, HostFacts
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession, Outcome


class ActionModule(NodeAction):
    # It makes and removes scratch objects: there is nothing to predict, so check mode skips it.
    _supports_check_mode = False

    argument_spec: t.ClassVar[dict[str, t.Any]] = {
        "scope": {"type": "str", "required": True, "choices": ["domain", "node", "cleanup", "report"]},
        "scratch_account": {"type": "str"},
        "site": {"type": "str", "default": "1"},
        "reports": {"type": "list", "elements": "dict", "default": []},
    }
    required_if: t.ClassVar[list[t.Any]] = [("scope", "cleanup", ["scratch_account"])]

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        # The report only reads the other tasks' results: it opens no connection.
        if self._task.args.get("scope") == "report":
            result = super(NodeAction, self).run(tmp, task_vars)
            result.update(self._report(self._validated_args()["reports"]))
            return result
        return super().run(tmp, task_vars)

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        self._contract = conformance.load_contract()
        self._host = str(self._task.delegate_to or session.host)
        scope = self._scope = args["scope"]
        if scope == "domain":
            return self._domain(session)
        if scope == "cleanup":
            return self._cleanup(session, args["scratch_account"])
        return self._node(session, args["scratch_account"], args["site"])

    def _rows(self, probes: t.Sequence[conformance.Probe], outcomes: t.Sequence[Outcome]) -> list[conformance.Row]:
        return [conformance.judge(self._host, probe, outcome, self._contract) for probe, outcome in zip(probes, outcomes)]

    def _run(
        self, session: NodeSession, probes: list[conformance.Probe], secret_values: t.Mapping[str, str] | None = None
    ) -> tuple[list[conformance.Row], list[Outcome]]:
        outcomes = session.run([probe.instruction for probe in probes], secret_values, stop_on_error=False)
        return self._rows(probes, outcomes), outcomes

    def _result(self, rows: list[conformance.Row], left_as_found: bool | None, how: str, **extra: t.Any) -> dict[str, t.Any]:
        """``left_as_found`` None: the run left something on purpose, which its clean-up removes."""
        return {
            "changed": extra.pop("changed", False),
            "rows": [row.as_result() for row in rows],
            "table": conformance.render_table(rows),
            "scope": self._scope,
            "left_as_found": left_as_found,
            "left_as_found_detail": f"{self._host}: {how}",
            **extra,
        }

    def _domain(self, session: NodeSession) -> dict[str, t.Any]:
        scratch = conformance.Scratch.new()
        first = [conformance.Probe(conformance.Instruction("host_facts")), conformance.domain_user_absent(scratch.account)]
        rows, (facts, absent) = self._run(session, first)
        if absent.status == "ok" and absent.value is not None:
            raise AnsibleActionFail(f"{self._host}: an account named {scratch.account} exists; rerun for another scratch name")
        domain = facts.value.get("domain") if facts.status == "ok" and isinstance(facts.value, dict) else None
        if not domain:
            raise AnsibleActionFail(f"{self._host}: host_facts names no domain: the domain ops need a domain controller")
        secret_values = {conformance.SCRATCH_SECRET: conformance.scratch_password(), conformance.SCRATCH_SECRET_2: conformance.scratch_password()}
        probes = conformance.domain_probes(scratch, domain)
        # A domain controller before Windows Server 2012 has no gMSA: the nodes' rows list the ops.
        gmsa = conformance.has_gmsa(facts.value.get("os_version"))
        if gmsa:
            probes += conformance.gmsa_domain_probes(scratch, f"{domain}\\{scratch.account}")
        more, outcomes = self._run(session, probes, secret_values)
        rows += more
        if gmsa:
            rows += [conformance.not_exercised(self._host, op, why) for op, why in conformance.NOT_EXERCISED_GMSA.items()]
        by_op = {probe.instruction.op: outcome for probe, outcome in zip(probes, outcomes)}
        if by_op["domain_user_add"].status != "ok":
            return self._result(rows, True, "the scratch account could not be made: nothing was written")
        looked_up = by_op["account_lookup"].value
        sid = looked_up.get("sid") if isinstance(looked_up, dict) else None
        return self._result(
            rows,
            None,
            f"scratch account {domain}\\{scratch.account} made; the clean-up deletes it",
            changed=True,
            scratch_account={"name": scratch.account, "qualified": f"{domain}\\{scratch.account}", "sid": sid},
        )

    def _cleanup(self, session: NodeSession, name: str) -> dict[str, t.Any]:
        # Only an account this run marked as its own is deleted, whatever name it is given.
        (current,) = session.values([conformance.domain_user_absent(name).instruction])
        if current is None:
            return self._result([], True, f"no account {name}: nothing to delete")
        if not isinstance(current, dict) or current.get("user_comment") != conformance.SCRATCH_MARKER:
            raise AnsibleActionFail(f"{self._host}: {name} is not a scratch account of node_conformance: not deleting it")
        rows, (deleted, after) = self._run(session, conformance.cleanup_probes(name))
        gone = deleted.status == "ok" and after.status == "ok" and after.value is None
        how = f"scratch account {name} deleted and gone" if gone else f"scratch account {name} may remain: delete it by hand"
        return self._result(rows, gone, how, changed=deleted.status == "ok")

    def _node(self, session: NodeSession, account: str | None, site: str) -> dict[str, t.Any]:
        scratch = conformance.Scratch.new()
        rows, outcomes = self._run(session, conformance.node_first_probes(account))
        facts, before = outcomes[0], outcomes[1]
        looked_up = outcomes[2].value if account else None
        sid = looked_up.get("sid") if isinstance(looked_up, dict) else None
        computer = facts.value.get("name") if isinstance(facts.value, dict) else None
        secret_values = {conformance.SCRATCH_SECRET: conformance.scratch_password(), conformance.SALT_SECRET: conformance.scratch_password()}
        if facts.status == "ok" and HostFacts.from_report(facts.value).backend == BACKEND_APPHOST:
            return self._apphost(session, scratch, rows, before, computer or session.host, account, sid, secret_values)
        more, later = self._run(session, conformance.node_probes(scratch, computer or session.host, site, account, sid), secret_values)
        rows += more
        rows += [conformance.not_exercised(self._host, op, why) for op, why in conformance.NOT_EXERCISED.items()]
        if sid is None:
            why = "no scratch account: the run made none (it needs a host in domain_controllers)"
            rows += [
                conformance.not_exercised(self._host, op, why)
                for op in ("user_right_grant", "account_token_get", "local_group_member_add", "local_group_member_remove")
            ]
            return self._result(rows, True, "nothing written (no scratch account)")
        # The last probe reads the group again once the scratch account is removed.
        restored = self._group_restored(before, later[-1])
        return self._result(rows, restored, self._group_how(restored))

    def _apphost(
        self,
        session: NodeSession,
        scratch: conformance.Scratch,
        rows: list[conformance.Row],
        group_before: Outcome,
        computer: str,
        account: str | None,
        sid: str | None,
        secret_values: t.Mapping[str, str],
    ) -> dict[str, t.Any]:
        """An IIS 7-10 node: the first batch read the sites and pools; the second reads the first
        site's configuration and makes, changes and removes a scratch application pool."""
        first, (sites, pools_before) = self._run(session, conformance.apphost_first_probes())
        rows += first
        site_list = sites.value if sites.status == "ok" and isinstance(sites.value, list) else []
        first_site = str(site_list[0]["name"]) if site_list and isinstance(site_list[0], dict) and "name" in site_list[0] else None
        probes = conformance.apphost_probes(scratch, computer, first_site, account, sid)
        more, later = self._run(session, probes, secret_values)
        rows += more
        rows += [conformance.not_exercised(self._host, op, why) for op, why in conformance.NOT_EXERCISED_APPHOST.items()]
        if first_site is None:
            why = "the node has no site (iis_sites_get): no site's anonymousAuthentication to compare"
            rows.append(conformance.not_exercised(self._host, "web_config_secret_matches", why))
        pools_after = later[-1]
        pools_restored = (
            pools_before.status == "ok"
            and pools_after.status == "ok"
            and sorted(conformance.pool_names(pools_before.value)) == sorted(conformance.pool_names(pools_after.value))
        )
        how = [
            f"application pools as before (scratch pool {scratch.app_pool} removed)"
            if pools_restored
            else f"application pools differ from before the run: check for {scratch.app_pool} by hand"
        ]
        restored = pools_restored
        if sid is None:
            why = "no scratch account: the run made none (it needs a host in domain_controllers)"
            rows += [
                conformance.not_exercised(self._host, op, why)
                for op in ("user_right_grant", "account_token_get", "local_group_member_add", "local_group_member_remove")
            ]
        else:
            # The group's last reading comes before the pools' last one.
            group_restored = self._group_restored(group_before, later[-2])
            restored = restored and group_restored
            how.append(self._group_how(group_restored))
        return self._result(rows, restored, "; ".join(how))

    @staticmethod
    def _group_restored(before: Outcome, after: Outcome) -> bool:
        return (
            before.status == "ok"
            and after.status == "ok"
            and sorted(conformance.members(before.value)) == sorted(conformance.members(after.value))
        )

    @staticmethod
    def _group_how(restored: bool) -> str:
        return (
            f"local group {conformance.LOCAL_GROUP} has the members it had"
            if restored
            else f"local group {conformance.LOCAL_GROUP} differs from before the run: check it by hand"
        )

    def _report(self, reports: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        contract = conformance.load_contract()
        rows = [conformance.Row(**row) for report in reports for row in report.get("rows", [])]
        rows += conformance.unlisted_rows(rows, contract)
        failing = [row for row in rows if not row.passed]
        left = [report["left_as_found_detail"] for report in reports if "left_as_found_detail" in report]
        left_behind = [report["left_as_found_detail"] for report in reports if report.get("left_as_found") is False]
        made = [report["scratch_account"]["qualified"] for report in reports if report.get("scratch_account")]
        deleted = any(report.get("scope") == "cleanup" and report.get("left_as_found") for report in reports)
        if made and not deleted:
            left_behind.append(f"the scratch account {made[0]}: its clean-up did not run or failed; delete it by hand")
        summary = (
            f"{len(rows) - len(failing)} of {len(rows)} probes conform to the contract"
            + (f"; {len(failing)} do not" if failing else "")
            + (". The nodes are left as found." if not left_behind else f". Left behind: {'; '.join(left_behind)}.")
        )
        return {
            "changed": False,
            "table": conformance.render_table(rows),
            "left_as_found": left,
            "passed": not failing and not left_behind,
            "msg": summary,
        }
