# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The pre-flight of ``playbooks/cluster_iis.yml``: every input and precondition of the selected
KB Q249603 steps, checked before the first step changes anything.

This is for internal collection use only; the API may change at any time.

A role validates its own variables only when it starts, after the steps before it have changed
the cluster; so the playbook asks here first, once, for every step it will run. Two rounds: the
inputs (variables, inventory, tags: no remote call), then what only the nodes can answer (who each
node is, whether it runs IIS, whether the site exists). Each check returns every problem it finds,
so an operator fixes them in one go.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.parsing.convert_bool import boolean

from ._host_facts import BACKEND_APPHOST, BACKEND_METABASE, HostFacts
from ._iis_identity import site_path
from ._iissync_run import MAX_RETRIES, MAX_RETRY_DELAY
from ._input import InvalidInput, not_text, secret_not_text
from ._kb_accounts import gmsa_name_problem, kb_account_names
from ._apphost_backup import check_backup_name as check_apphost_backup_name
from ._metabase_backup import MAX_KEEP, check_backup_name
from ._web_deploy import skip_rules, sync_spec

STEPS = ("domain_accounts", "node_access", "anonymous_identity", "wam_identity", "metabase_sync", "verify")
"""The playbook's steps, in order; each is also its tag."""

STEP_ENTRY_POINTS = {
    "domain_accounts": ("domain_accounts", "main"),
    "node_access": ("node_access", "main"),
    "anonymous_identity": ("anonymous_identity", "main"),
    "wam_identity": ("wam_identity", "main"),
    "metabase_sync": ("metabase_sync", "main"),
    "verify": ("metabase_sync", "verify"),
}
"""The role and entry point whose argument spec each step's variables follow."""

WHOLE_CLUSTER_STEPS = ("metabase_sync", "verify")
"""Steps in which every node reports itself to the source node: they need the whole group."""

# Ansible's own tags: 'all' and 'tagged' select every tagged task, 'always' is the pre-flight's.
_SPECIAL_TAGS = ("all", "tagged", "untagged", "always", "never")
# Molecule skips the tags it reserves for tasks that tests must not run, on every run.
_MOLECULE_SKIP_TAGS = ("molecule-notest", "notest", "molecule-idempotence-notest")

BOUNDS: dict[str, tuple[int, int]] = {
    "metabase_sync_iissync_retries": (0, MAX_RETRIES),
    "metabase_sync_iissync_retry_delay": (0, MAX_RETRY_DELAY),
    "metabase_sync_backup_keep": (1, MAX_KEEP),
}
"""Integer role variables and their inclusive bounds (an argument spec cannot say them), the same
ones the modules apply."""

CONNECTION_SECRETS = (
    "ansible_password",
    "ansible_winrm_password",
    "ansible_become_password",
    "ansible_become_pass",
    "ansible_ssh_pass",
)
"""Connection variables that hold a password: masked in every message, like the no_log options."""

Options = t.Mapping[str, t.Mapping[str, t.Any]]
"""A role entry point's ``options``, as its ``meta/argument_specs.yml`` gives them."""


def asked_steps(asked: t.Any) -> list[str]:
    """The steps ``iis_cluster_steps`` asks for: a list, or one string of names separated by
    commas or new lines (what an AWX multiple-choice survey question gives); None asks for all."""
    if asked is None:
        return list(STEPS)
    if isinstance(asked, str):
        names = [name.strip() for line in asked.splitlines() for name in line.split(",")]
        steps = [name for name in names if name]
    elif isinstance(asked, (list, tuple)) and all(isinstance(name, str) for name in asked):
        steps = list(asked)
    else:
        raise InvalidInput(f"iis_cluster_steps: must be a list of steps from {', '.join(STEPS)}; got a {type(asked).__name__}")
    unknown = [name for name in steps if name not in STEPS]
    if unknown:
        raise InvalidInput(
            f"iis_cluster_steps: {', '.join(map(repr, unknown))} {'is not a step' if len(unknown) == 1 else 'are not steps'}; "
            f"the steps are {', '.join(STEPS)}"
        )
    return steps


def selected_steps(asked: t.Sequence[str], run_tags: t.Sequence[str], skip_tags: t.Sequence[str]) -> list[str]:
    """The steps this run performs, in the playbook's order: those asked for, narrowed by
    ``--tags`` and ``--skip-tags``. A tag that names no step, or a selection that leaves no step,
    is refused: either would otherwise run nothing and report success."""
    problems = [
        f"{option}: {tag!r} is not a step; the steps are {', '.join(STEPS)}"
        for option, tags, known in (
            ("--tags", run_tags, _SPECIAL_TAGS),
            ("--skip-tags", skip_tags, _SPECIAL_TAGS + _MOLECULE_SKIP_TAGS),
        )
        for tag in tags
        if tag not in STEPS and tag not in known
    ]
    if problems:
        raise InvalidInput("; ".join(problems))
    every = not run_tags or any(tag in ("all", "tagged") for tag in run_tags)
    steps = [step for step in STEPS if step in asked and (every or step in run_tags) and step not in skip_tags]
    if not steps:
        raise InvalidInput(
            f"iis_cluster_steps and --tags: together they select no step (steps asked: {', '.join(asked) or 'none'}; "
            f"--tags: {', '.join(run_tags) or 'all'}; --skip-tags: {', '.join(skip_tags) or 'none'}): name at least one step"
        )
    return steps


@dataclasses.dataclass(frozen=True)
class ClusterInventory:
    """What the inventory and the command line say about the cluster's hosts."""

    group: str
    groups: t.Mapping[str, t.Sequence[str]]
    play_hosts: t.Sequence[str]
    addresses: t.Mapping[str, str]
    """Each host's WinRM endpoint (``ansible_host``, else its name, and port), to find one
    machine listed twice."""
    source: str | None = None
    allow_limit: bool = False
    sync_source: str | None = None
    """``metabase_sync_source``, when set: the source node of step 8, overriding ``source``."""
    sync_targets: t.Sequence[str] | None = None
    """``metabase_sync_targets``, when set: the nodes step 8 syncs."""

    @property
    def members(self) -> list[str]:
        return list(self.groups.get(self.group, []))

    @property
    def chosen_source(self) -> str | None:
        """The sync source node: ``source`` when given, else the group's first host."""
        return self.source or next(iter(self.members), None)


def inventory_problems(inventory: ClusterInventory, steps: t.Sequence[str]) -> list[str]:
    """The inventory's shape: the group exists with two nodes at least, each machine listed once,
    the source among them, the whole group in the play (or a ``--limit`` acknowledged), a domain
    controller to create the accounts on."""
    group, members = inventory.group, inventory.members
    if group not in inventory.groups:
        known = ", ".join(sorted(name for name in inventory.groups if name not in ("all", "ungrouped"))) or "none"
        return [f"iis_cluster_group: the inventory has no group {group!r} (its groups: {known})"]
    problems = []
    if len(members) < 2:
        problems.append(
            f"iis_cluster_group: {group} has {len(members)} host{'' if len(members) == 1 else 's'}; a cluster has two "
            "nodes at least (IISSync copies the source node to the others)"
        )
    if inventory.source and inventory.source not in members:
        problems.append(f"iis_cluster_source: {inventory.source!r} is not a host of {group} ({', '.join(members)})")
    seen: dict[str, str] = {}
    for host in members:
        endpoint = inventory.addresses.get(host, host).lower()
        if endpoint in seen:
            problems.append(f"{group}: {seen[endpoint]} and {host} are the same machine ({endpoint}); list each node once")
        else:
            seen[endpoint] = host
    left_out = [host for host in members if host not in inventory.play_hosts]
    needs_all = [step for step in steps if step in WHOLE_CLUSTER_STEPS]
    if left_out and needs_all:
        problems.append(
            f"--limit: {', '.join(needs_all)} needs every node of {group} in the play, each reporting itself to the "
            f"source node, but {', '.join(left_out)} {'is' if len(left_out) == 1 else 'are'} left out: drop --limit, or "
            "run the other steps alone"
        )
    elif left_out and not inventory.allow_limit:
        problems.append(
            f"--limit: {', '.join(left_out)} of {group} {'is' if len(left_out) == 1 else 'are'} left out of the play; "
            "set iis_cluster_allow_limit=true to run these steps on part of the cluster"
        )
    if any(step in WHOLE_CLUSTER_STEPS for step in steps):
        problems += _sync_host_problems(inventory)
    if "domain_accounts" in steps and not inventory.groups.get("domain_controllers"):
        problems.append(
            "domain_controllers: the domain_accounts step creates the accounts on the first host of the group "
            "domain_controllers, which the inventory does not have; add a domain controller to it"
        )
    return problems


def _sync_host_problems(inventory: ClusterInventory) -> list[str]:
    """Step 8's own choice of source and targets: hosts of the group, the source not a target."""
    members = inventory.members
    problems = []
    if inventory.sync_source and inventory.sync_source not in members:
        problems.append(f"metabase_sync_source: {inventory.sync_source!r} is not a host of {inventory.group} ({', '.join(members)})")
    source = inventory.sync_source or inventory.chosen_source
    for target in inventory.sync_targets or []:
        if target not in members:
            problems.append(f"metabase_sync_targets: {target!r} is not a host of {inventory.group} ({', '.join(members)})")
        elif target == source:
            problems.append(f"metabase_sync_targets: {target!r} is the sync source node; a target is another node")
    return problems


def variable_problems(specs: t.Mapping[str, Options], values_by_host: t.Mapping[str, t.Mapping[str, t.Any]]) -> list[str]:
    """Every selected step's variables, on every host, against its role's argument spec and
    :data:`BOUNDS`. ``specs`` maps a step to its options; ``values_by_host`` holds the variables
    each host was given (templated). A problem found on some hosts only names them."""
    found: dict[str, list[str]] = {}
    for host, values in values_by_host.items():
        for step, options in specs.items():
            for problem in _option_problems(options, values):
                found.setdefault(f"{step}: {problem}", []).append(host)
    every = len(values_by_host)
    return [problem if len(hosts) == every else f"{problem} (on {', '.join(hosts)})" for problem, hosts in found.items()]


def _option_problems(options: Options, values: t.Mapping[str, t.Any]) -> list[str]:
    given = {name: values[name] for name in options if name in values}
    problems = []
    for name, option in options.items():
        if option.get("no_log") and option.get("type", "str") == "str" and not_text(given.get(name)):
            problems.append(f"{name}: {secret_not_text(given[name])}")
            # Reported: the spec checks only that it was given, never the Python text of it.
            given[name] = ""
    validation = ArgumentSpecValidator(dict(options)).validate(given)
    problems.extend(validation.error_messages)
    if not validation.error_messages:
        for name, (low, high) in BOUNDS.items():
            value = validation.validated_parameters.get(name)
            if name in options and isinstance(value, int) and not low <= value <= high:
                problems.append(f"{name}: must be from {low} to {high}; got {value}")
    if not problems and not validation.error_messages:
        problems += gmsa_problems(options, validation.validated_parameters)
    backup_name = validation.validated_parameters.get("metabase_sync_backup_name")
    if "metabase_sync_backup_name" in options and isinstance(backup_name, str) and not validation.error_messages:
        try:
            check_backup_name(backup_name, "metabase_sync_backup_name")
        except InvalidInput as refused:
            problems.append(str(refused))
    if not validation.error_messages:
        problems += web_deploy_problems(options, validation.validated_parameters)
    site = given.get("anonymous_identity_site")
    if isinstance(site, str) and site.isdigit() and not site.isascii():
        problems.append(f"anonymous_identity_site: a site number is written in the digits 0-9; got {site!r}")
    return problems


def web_deploy_problems(options: Options, values: t.Mapping[str, t.Any]) -> list[str]:
    """Step 8's Web Deploy inputs as the operator gave them: a provider and site that fit each
    other, and per-node settings that each make a skip rule (the verification reads the same list)."""
    problems = []
    if "metabase_sync_web_deploy_provider" in options:
        provider = values.get("metabase_sync_web_deploy_provider") or "webServer"
        site = values.get("metabase_sync_web_deploy_site")
        try:
            sync_spec(provider, site, [], encrypt=False)
        except InvalidInput as refused:
            problems.append(f"metabase_sync_web_deploy_{refused}")
    settings = values.get("metabase_sync_node_settings")
    if "metabase_sync_node_settings" in options and isinstance(settings, list):
        try:
            skip_rules([str(setting) for setting in settings], "metabase_sync_node_settings")
        except InvalidInput as refused:
            problems.append(str(refused))
    return problems


_METHODS_BY_BACKEND = {BACKEND_METABASE: ("iissync",), BACKEND_APPHOST: ("web_deploy", "shared_config")}


def _source_backend(nodes: t.Sequence[NodeReport], source: str) -> str | None:
    """The source node's backend, when it reported one step 8 has a method for."""
    source_node = next((node for node in nodes if node.host == source and node.facts is not None), None)
    if source_node is None or source_node.facts is None or source_node.facts.backend not in _METHODS_BY_BACKEND:
        return None
    return source_node.facts.backend


def sync_method(nodes: t.Sequence[NodeReport], source: str, source_vars: t.Mapping[str, t.Any]) -> str | None:
    """Step 8's method: ``metabase_sync_method`` as the operator chose it, else the first that
    runs on the source node's backend (iissync on IIS 5/6, web_deploy on IIS 7-10); None while
    the source's backend is unknown."""
    backend = _source_backend(nodes, source)
    if backend is None:
        return None
    return str(source_vars.get("metabase_sync_method") or _METHODS_BY_BACKEND[backend][0])


def sync_method_problems(nodes: t.Sequence[NodeReport], source: str, source_vars: t.Mapping[str, t.Any]) -> list[str]:
    """Step 8's method (:func:`sync_method`) against the source node's backend: iissync only on
    IIS 5/6, web_deploy and shared_config only on IIS 7-10. With either, the backups' name must
    make the folder names of IIS 7-10's backups."""
    backend = _source_backend(nodes, source)
    method = sync_method(nodes, source, source_vars)
    if backend is None or method is None:
        return []
    fitting = _METHODS_BY_BACKEND[backend]
    if method not in fitting:
        return [
            f"metabase_sync_method: {method} does not run on {_BACKEND_WORDS[backend]}, the source node {source}'s; "
            f"choose {' or '.join(fitting)}"
        ]
    name = source_vars.get("metabase_sync_backup_name")
    if method in ("web_deploy", "shared_config") and isinstance(name, str):
        try:
            check_apphost_backup_name(name, "metabase_sync_backup_name")
        except InvalidInput as refused:
            return [str(refused)]
    return []


def identity_problems(values_by_host: t.Mapping[str, t.Mapping[str, t.Any]]) -> list[str]:
    """The IWAM identity's variables together: a group managed service account
    (``iis_cluster_iwam_gmsa``) has no password to give. Once for every host it holds on, as a
    problem of the inputs, not of any one step."""
    hosts = [
        host
        for host, values in values_by_host.items()
        if _true(values.get("iis_cluster_iwam_gmsa")) and values.get("iis_cluster_iwam_password") not in (None, "")
    ]
    if not hosts:
        return []
    where = "" if len(hosts) == len(values_by_host) else f" (on {', '.join(hosts)})"
    return [
        "iis_cluster_iwam_gmsa, iis_cluster_iwam_password: a group managed service account has no password (the "
        f"domain derives it; only the nodes allowed retrieve it): leave iis_cluster_iwam_password unset{where}"
    ]


def _true(value: t.Any) -> bool:
    """A boolean variable as Ansible reads it; anything else is the argument spec's to refuse."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        return False


def gmsa_problems(options: Options, values: t.Mapping[str, t.Any]) -> list[str]:
    """The IWAM identity's inputs of a step that declares ``iis_cluster_iwam_gmsa``: without a
    gMSA the account's password is required; with one the name has at most 15 characters."""
    if "iis_cluster_iwam_gmsa" not in options:
        return []
    password = values.get("iis_cluster_iwam_password") not in (None, "")
    if not values.get("iis_cluster_iwam_gmsa"):
        needed = "iis_cluster_iwam_password" in options and not password
        return ["missing required arguments: iis_cluster_iwam_password"] if needed else []
    # A password given with it is refused once for the play (identity_problems), not per step.
    given = values.get("iis_cluster_iwam_name")
    base = values.get("iis_cluster_account_base")
    account = str(given or (f"IWAM_{base}" if base else "")).rpartition("\\")[2].strip().rstrip("$")
    problem = gmsa_name_problem(account, "iis_cluster_iwam_name" if given else "iis_cluster_account_base")
    return [problem] if problem else []


def secret_values(options: t.Iterable[Options], values_by_host: t.Mapping[str, t.Mapping[str, t.Any]]) -> set[str]:
    """Every value this run knows that must never be printed: each host's no_log options and
    connection passwords."""
    names = {name for spec in options for name, option in spec.items() if option.get("no_log")} | set(CONNECTION_SECRETS)
    return {str(values[name]) for values in values_by_host.values() for name in names if values.get(name) not in (None, "")}


def masked(problems: t.Sequence[str], secrets: t.Collection[str]) -> str:
    """The problems as one message, every secret replaced by ********."""
    return str(remove_values("; ".join(problem.rstrip(".") for problem in problems), set(secrets)))


@dataclasses.dataclass(frozen=True)
class NodeReport:
    """A node's answer to the pre-flight's ``node_info``: its facts, or why it gave none."""

    host: str
    facts: HostFacts | None
    sites: t.Sequence[t.Mapping[str, t.Any]] | None = None
    error: str | None = None

    @classmethod
    def from_result(cls, host: str, result: t.Mapping[str, t.Any] | None) -> NodeReport:
        if not result:
            return cls(host, None, error="it gave no answer")
        if result.get("unreachable") or result.get("failed"):
            return cls(host, None, error=str(result.get("msg", "it failed")).rstrip("."))
        return cls(host, HostFacts.from_report(result), result.get("sites"))


@dataclasses.dataclass(frozen=True)
class SiteAsked:
    """The site step 6 sets, as the operator named it."""

    service: str
    site: str


def node_problems(
    nodes: t.Sequence[NodeReport],
    source: str,
    site: SiteAsked | None = None,
    account_names: t.Mapping[str, str | None] | None = None,
) -> list[str]:
    """What the nodes themselves say: each answers, runs IIS, is a computer of its own, the
    nodes do not mix the IIS 5/6 metabase with IIS 7 and later, the site exists on the source
    node, and the account names can be made there."""
    problems = [f"{node.host}: did not answer the pre-flight: {node.error}" for node in nodes if node.facts is None]
    answered = [node for node in nodes if node.facts is not None]
    problems += [
        f"{node.host}: runs no IIS ({node.facts.name} has no W3SVC); every node of the cluster runs IIS"
        for node in answered
        if not node.facts.iis_version
    ]
    by_name: dict[str, str] = {}
    for node in answered:
        name = node.facts.name.upper()
        if name in by_name:
            problems.append(f"{by_name[name]} and {node.host} are the same computer {node.facts.name}; list each node once")
        by_name.setdefault(name, node.host)
    problems += backend_problems(answered)
    source_node = next((node for node in answered if node.host == source), None)
    if source_node is not None and site is not None:
        problems += _site_problems(site, source_node)
    if source_node is not None and account_names is not None:
        try:
            kb_account_names(source_node.facts.as_result(), **account_names)
        except InvalidInput as error:
            problems.append(str(error))
    return problems


def cluster_accounts(nodes: t.Sequence[NodeReport], source: str, account_names: t.Mapping[str, str | None]) -> list[str]:
    """The accounts step 8's source will be asked to resolve on a cluster steps 1-7 have made:
    IIS setup's ``IUSR_<source>`` and ``IWAM_<source>`` as IIS setup wrote them (the web and FTP
    services' own keys keep naming them), then the domain IUSR and IWAM accounts as the source
    node's facts and ``account_names`` name them, when they can be told (the steps that use
    them refuse names that are not valid). None when the source gave no facts."""
    source_node = next((node for node in nodes if node.host == source and node.facts is not None), None)
    if source_node is None or source_node.facts is None:
        return []
    setup = [f"IUSR_{source_node.facts.name}", f"IWAM_{source_node.facts.name}"]
    try:
        names = kb_account_names(source_node.facts.as_result(), **account_names)
    except InvalidInput:
        return setup
    return setup + [names["iusr_qualified"], names["iwam_qualified"]]


_BACKEND_WORDS = {BACKEND_METABASE: "metabase (IIS 5/6)", BACKEND_APPHOST: "applicationHost.config (IIS 7-10)"}


def backend_problems(nodes: t.Sequence[NodeReport]) -> list[str]:
    """A cluster mixing the metabase (IIS 5/6) with applicationHost.config (IIS 7-10): one
    problem naming the nodes of each kind, since no step converges both alike (IISSync reads
    and writes the metabase only)."""
    kinds: dict[str, list[str]] = {}
    for node in nodes:
        if node.facts is not None and node.facts.backend is not None:
            kinds.setdefault(node.facts.backend, []).append(f"{node.host} IIS {node.facts.iis_version}")
    if len(kinds) < 2:
        return []
    named = "; ".join(f"{_BACKEND_WORDS[kind]}: {', '.join(kinds[kind])}" for kind in _BACKEND_WORDS if kind in kinds)
    return [
        f"the nodes mix two IIS backends ({named}); a cluster's nodes share one: give each kind its own inventory "
        "group (iis_cluster_group) and run the playbook for each"
    ]


def _site_problems(site: SiteAsked, source: NodeReport) -> list[str]:
    try:
        path = site_path(site.service, site.site, source.sites)
    except InvalidInput as error:
        return [f"anonymous_identity_{error}"]
    if not any(str(entry["path"]).lower() == path.lower() for entry in source.sites or []):
        known = ", ".join(str(entry["path"]) for entry in source.sites or []) or "none"
        return [f"anonymous_identity_site: {source.host} has no site {path} (its sites: {known})"]
    return []
