"""A job of the AWX job template (extensions/awx/), launched as AWX launches it, runs KB Q249603
end to end on the lab.

No AWX runs here; what it hands ansible-playbook for a job is rebuilt from the same definition
files configure.yml loads:

* extra vars: the survey's answers (its defaults, and the account base name it requires) and the
  extra vars the credential type injects, rendered from a credential's inputs with a sandboxed
  Jinja environment as AWX renders injectors;
* the Machine credential: AWX passes ``-u USER --ask-pass --become-method runas --become-user USER
  --ask-become-pass`` and answers the two prompts. The same values reach the same CLI settings
  here through ``--connection-password-file`` and ``--become-password-file`` (files: never a
  password on a command line);
* the inventory holds the hosts and how to reach them, not the password;
* the job template's diff mode gives ``--diff``, a launch as job type check ``--check``.
"""

from __future__ import annotations

import typing as t

import awx_definitions
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lab_harness import ROOT, Lab, PlaybookRun

from iis_lab.state import secret_matches

PLAYBOOK = str(ROOT / "playbooks" / "cluster_iis.yml")
ADMIN = "WEBFARM\\Administrator"
ACCOUNT_BASE = "web"
CREDENTIAL_INPUTS = {"iusr_password": "Awx-Iusr-Passw0rd-1", "iwam_password": "Awx-Iwam-Passw0rd-2"}


def _job_extra_vars(answers: dict[str, t.Any]) -> dict[str, t.Any]:
    """The survey's answers and the credential's injected extra vars. As AWX's API does
    (SurveyJobTemplateMixin._update_unified_job_kwargs), a question not answered passes its
    default as stored: a multiselect's is one string, a choice per line. AWX's launch form sends
    a multiselect answer as a list."""
    extra_vars = {}
    for question in awx_definitions.survey()["spec"]:
        extra_vars[question["variable"]] = answers.get(question["variable"], question.get("default", ""))
    injectors = awx_definitions.credential_type()["injectors"]["extra_vars"]
    jinja = ImmutableSandboxedEnvironment()
    extra_vars.update({name: jinja.from_string(template).render(**CREDENTIAL_INPUTS) for name, template in injectors.items()})
    return extra_vars


def _awx_job(lab: Lab, admin_password: str, *options: str, **answers: t.Any) -> PlaybookRun:
    password_file = lab.workdir / "machine-credential-password"
    password_file.write_text(admin_password)
    password_file.chmod(0o600)
    machine_credential = ["-u", ADMIN, "--connection-password-file", str(password_file)]
    machine_credential += ["--become-method", "runas", "--become-user", ADMIN, "--become-password-file", str(password_file)]
    return lab.playbook(PLAYBOOK, *machine_credential, "--diff", *options, extra_vars=_job_extra_vars(answers))


def _without_the_password(lab: Lab) -> str:
    """Drops the logon from the lab's inventory, as an AWX inventory has none; returns the
    password, which the Machine credential carries instead."""
    password = lab.admin_password
    inventory = yaml.safe_load(lab.inventory.read_text())
    del inventory["all"]["vars"]["ansible_user"], inventory["all"]["vars"]["ansible_password"]
    lab.inventory.write_text(yaml.safe_dump(inventory))
    return password


def test_the_survey_defaults_and_the_credentials_run_every_step_and_a_second_job_changes_nothing(lab: Lab):
    admin_password = _without_the_password(lab)
    untouched = lab.state_text()

    check = _awx_job(lab, admin_password, "--check", iis_cluster_account_base=ACCOUNT_BASE)
    assert check.rc == 0, check.output[-3000:]
    assert sum(check.changed().values()) > 0
    assert lab.state_text() == untouched

    first = _awx_job(lab, admin_password, iis_cluster_account_base=ACCOUNT_BASE)
    assert first.rc == 0, first.output[-3000:]
    accounts = lab.state()["domain"]["accounts"]
    assert secret_matches(accounts["WEBFARM\\IUSR_web"]["password_digest"], CREDENTIAL_INPUTS["iusr_password"])
    assert secret_matches(accounts["WEBFARM\\IWAM_web"]["password_digest"], CREDENTIAL_INPUTS["iwam_password"])
    hosts = lab.state()["hosts"]
    assert hosts["NODE2"]["metabase"] == hosts["NODE1"]["metabase"]
    assert hosts["NODE2"]["metabase"]["/LM/W3SVC/1"]["properties"]["AnonymousUserName"]["value"] == "WEBFARM\\IUSR_web"
    # IISSync got its network credentials from the Machine credential's become settings.
    assert [(run["host"], run["user"]) for run in lab.iissync_runs()] == [("NODE1", ADMIN)]

    second = _awx_job(lab, admin_password, iis_cluster_account_base=ACCOUNT_BASE)
    assert second.rc == 0, second.output[-3000:]
    assert set(second.changed().values()) == {0}

    for secret in (*CREDENTIAL_INPUTS.values(), admin_password):
        lab.assert_never_exposed(secret, [check, first, second])


def test_the_steps_answer_limits_the_job_to_those_steps(lab: Lab):
    admin_password = _without_the_password(lab)
    nodes = {name: host for name, host in lab.state()["hosts"].items() if name != "DC1"}

    run = _awx_job(lab, admin_password, iis_cluster_account_base=ACCOUNT_BASE, iis_cluster_steps=["domain_accounts"])

    assert run.rc == 0, run.output[-3000:]
    assert {"WEBFARM\\IUSR_web", "WEBFARM\\IWAM_web"} <= set(lab.state()["domain"]["accounts"])
    # Steps 4-8 did not run: no node changed, and IISSync never started.
    assert {name: host for name, host in lab.state()["hosts"].items() if name != "DC1"} == nodes
    assert lab.iissync_runs() == []
