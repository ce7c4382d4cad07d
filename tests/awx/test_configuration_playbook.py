"""extensions/awx/configure.yml is a playbook Ansible accepts, with arguments awx.awx's modules take.

It needs an AWX to run against, which CI has not: these tests run what checks it without one,
with awx.awx (`make awx-collection`) on the collections path.
"""

from __future__ import annotations

import json

import yaml

from tool_runner import ROOT, Tools

PLAYBOOK = ROOT / "extensions" / "awx" / "configure.yml"


def _module_tasks() -> list[tuple[str, dict]]:
    """(module, arguments) of every awx.awx task of the playbook."""
    return [
        (key, arguments)
        for play in yaml.safe_load(PLAYBOOK.read_text())
        for task in play["tasks"]
        for key, arguments in task.items()
        if key.startswith("awx.awx.")
    ]


def test_the_playbook_defines_the_credential_type_environment_project_and_job_template():
    modules = [module for module, arguments in _module_tasks()]
    assert modules == ["awx.awx.credential_type", "awx.awx.execution_environment", "awx.awx.project", "awx.awx.job_template"]


def test_the_playbook_passes_the_syntax_check(tools: Tools):
    tools.run("ansible-playbook", "--syntax-check", PLAYBOOK)


def test_every_argument_is_an_option_of_its_awx_module(tools: Tools):
    """ansible-lint does not check the arguments of awx.awx's modules (they build their own
    AnsibleModule subclass), so a misspelt option would only fail against a live AWX."""
    tasks = _module_tasks()
    docs = json.loads(tools.run("ansible-doc", "--json", "-t", "module", *sorted({module for module, arguments in tasks})).stdout)
    for module, arguments in tasks:
        options = docs[module]["doc"]["options"]
        assert set(arguments) <= set(options), f"{module}: {sorted(set(arguments) - set(options))} are no options"
        assert "controller_password" not in arguments and "controller_oauthtoken" not in arguments, (
            f"{module}: the controller's login comes from the environment, never from the playbook"
        )


def test_the_playbook_and_the_execution_environment_pass_ansible_lint(tools: Tools):
    """The production profile, as `make lint` runs it on the whole repository."""
    tools.run("ansible-lint", "--offline", PLAYBOOK.parent, ROOT / "execution-environment.yml", ROOT / "collections")
