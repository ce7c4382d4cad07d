# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.cluster_preflight: every input and precondition of the
selected KB Q249603 steps, checked on the controller before the first change."""

from __future__ import annotations

import typing as t
from pathlib import Path

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._cluster_preflight import (
    CONNECTION_SECRETS,
    STEP_ENTRY_POINTS,
    ClusterInventory,
    NodeReport,
    Options,
    SiteAsked,
    asked_steps,
    cluster_accounts,
    identity_problems,
    inventory_problems,
    masked,
    node_problems,
    secret_values,
    selected_steps,
    sync_method,
    sync_method_problems,
    variable_problems,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import ValidatedAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._shared_config import variable_problems as shared_config_problems
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._yaml_file import load_yaml_file

_ROLES = Path(__file__).resolve().parents[2] / "roles"
_NAMING_STEPS = ("domain_accounts", "node_access", "anonymous_identity", "wam_identity")


def _entry_point_options(step: str) -> Options:
    role, entry_point = STEP_ENTRY_POINTS[step]
    document = load_yaml_file(_ROLES / role / "meta" / "argument_specs.yml")
    return document["argument_specs"][entry_point].get("options") or {}


_OPTIONS = {step: _entry_point_options(step) for step in STEP_ENTRY_POINTS}
# Every variable a role spec names, and those the pre-flight reads itself.
_READ_VARIABLES = {name for options in _OPTIONS.values() for name in options} | {
    "ansible_host",
    "ansible_port",
    "iis_cluster_allow_limit",
    *CONNECTION_SECRETS,
}


class ActionModule(ValidatedAction):
    argument_spec = {
        "steps": {"type": "raw"},
        "source": {"type": "str"},
        "nodes": {"type": "dict"},
    }

    def run(self, tmp: t.Any = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._validated_args()
        hostvars = task_vars["hostvars"]
        play_hosts = list(task_vars.get("ansible_play_hosts_all") or [])
        group = str(task_vars.get("iis_cluster_group") or "iis_cluster")
        source = str(args.get("source") or "")
        values: dict[str, dict[str, t.Any]] = {}
        problems: list[str] = []
        chosen: dict[str, t.Any] = {}
        for host in play_hosts:
            values[host], unreadable = self._variables(host, hostvars[host])
            problems += unreadable
        # Every role's secrets, selected or not: any of them may be templated into a variable.
        secrets = secret_values(_OPTIONS.values(), values)
        try:
            steps = selected_steps(
                asked_steps(args.get("steps")), task_vars.get("ansible_run_tags") or [], task_vars.get("ansible_skip_tags") or []
            )
            specs = {step: _OPTIONS[step] for step in steps}
            if args.get("nodes") is None:
                inventory = self._inventory(task_vars, group)
                problems += inventory_problems(inventory, steps) + variable_problems(specs, values)
                if any(step in _NAMING_STEPS for step in steps):
                    problems += identity_problems(values)
                if "metabase_sync" in steps or "verify" in steps:
                    problems += _shared_config_problems(values, list(hostvars), verify_only="metabase_sync" not in steps)
                chosen = self._chosen(inventory, task_vars)
            else:
                reports = [NodeReport.from_result(host, result) for host, result in args["nodes"].items()]
                problems += self._node_problems(reports, source, steps, values.get(source, {}))
                # Step 8's source resolves them in its first execution, as it will be asked to.
                chosen["accounts"] = cluster_accounts(reports, source, _account_names(values.get(source, {})))
                method = sync_method(reports, source, values.get(source, {})) if "metabase_sync" in steps else None
                if method is not None:
                    chosen["method"] = method
        except InvalidInput as error:
            problems.append(str(error))
        if problems:
            raise AnsibleActionFail("the run was refused before any change: " + masked(problems, secrets))
        result.update(changed=False, steps=steps, **chosen)
        return result

    @staticmethod
    def _variables(host: str, host_vars: t.Mapping[str, t.Any]) -> tuple[dict[str, t.Any], list[str]]:
        """The host's variables that a role spec or the pre-flight reads, templated, and the
        ones that cannot be (an undefined variable in a template, a filter that fails)."""
        values, problems = {}, []
        for name in sorted(_READ_VARIABLES):
            if name in host_vars:
                try:
                    values[name] = host_vars[name]
                except AnsibleError as error:
                    problems.append(f"{name}: cannot be templated on {host}: {error.message}")
        return values, problems

    def _inventory(self, task_vars: t.Mapping[str, t.Any], group: str) -> ClusterInventory:
        hostvars = task_vars["hostvars"]
        groups = task_vars["groups"]
        return ClusterInventory(
            group=group,
            groups=groups,
            play_hosts=list(task_vars.get("ansible_play_hosts_all") or []),
            addresses={host: self._endpoint(hostvars[host]) for host in groups.get(group, [])},
            source=task_vars.get("iis_cluster_source") or None,
            allow_limit=boolean(task_vars.get("iis_cluster_allow_limit", False), strict=False),
            sync_source=task_vars.get("metabase_sync_source") or None,
            sync_targets=self._names(task_vars.get("metabase_sync_targets")),
        )

    @staticmethod
    def _names(value: t.Any) -> list[str] | None:
        """A list of host names as given; anything else is left to the role spec to refuse."""
        return [str(name) for name in value] if isinstance(value, (list, tuple)) else None

    @staticmethod
    def _chosen(inventory: ClusterInventory, task_vars: t.Mapping[str, t.Any]) -> dict[str, str]:
        """The hosts the run acts through: the sync source node, and the domain controller of
        steps 1-3 (``domain_accounts_controller``, else the first of ``domain_controllers``)."""
        chosen = {"source": inventory.chosen_source or ""}
        controller = task_vars.get("domain_accounts_controller") or next(iter(inventory.groups.get("domain_controllers", [])), None)
        if controller:
            chosen["controller"] = str(controller)
        return chosen

    @staticmethod
    def _endpoint(host_vars: t.Mapping[str, t.Any]) -> str:
        address = host_vars.get("ansible_host") or host_vars.get("inventory_hostname")
        port = host_vars.get("ansible_port")
        return f"{address}:{port}" if port else str(address)

    @staticmethod
    def _node_problems(
        reports: list[NodeReport], source: str, steps: list[str], source_vars: t.Mapping[str, t.Any]
    ) -> list[str]:
        site = None
        if "anonymous_identity" in steps:
            site = SiteAsked(
                str(source_vars.get("anonymous_identity_service") or "W3SVC"),
                str(source_vars.get("anonymous_identity_site") or "1"),
            )
        names = _account_names(source_vars) if any(step in _NAMING_STEPS for step in steps) else None
        problems = node_problems(reports, source, site, names)
        if "metabase_sync" in steps:
            problems += sync_method_problems(reports, source, source_vars)
        return problems


def _shared_config_problems(values: t.Mapping[str, t.Mapping[str, t.Any]], hosts: list[str], *, verify_only: bool) -> list[str]:
    """Step 8's Shared Configuration variables on every host, each problem once."""
    found = {problem: None for host_values in values.values() for problem in shared_config_problems(host_values, hosts, verify_only=verify_only)}
    return list(found)


def _account_names(source_vars: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The account names as the operator gave them, for ``kb_account_names``."""
    return {
        "base": source_vars.get("iis_cluster_account_base"),
        "iusr_name": source_vars.get("iis_cluster_iusr_name"),
        "iwam_name": source_vars.get("iis_cluster_iwam_name"),
        "iwam_gmsa": boolean(source_vars.get("iis_cluster_iwam_gmsa", False), strict=False),
    }
