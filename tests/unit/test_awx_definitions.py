"""The AWX definitions (extensions/awx/vars/) agree with what the playbook and the roles accept.

The survey and the credential type are data AWX turns into extra vars: nothing in Ansible checks
them against playbooks/cluster_iis.yml and the roles' meta/argument_specs.yml, so these tests do.
The survey's shape is checked against the rules AWX's API applies when a survey is saved
(awx/api/views: JobTemplateSurveySpec._validate_spec_data).
"""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import awx_definitions
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "cluster_iis.yml"

# The playbook's own variables (its header documents them); every other survey variable must be
# a role option. The type is the argument-spec type each stands for.
PLAYBOOK_VARIABLES = {"iis_cluster_group": "str", "iis_cluster_steps": "list"}

# The argument-spec type of the extra var each AWX question type produces.
SURVEY_TYPES = {
    "text": "str",
    "textarea": "str",
    "password": "str",
    "multiplechoice": "str",
    "multiselect": "list",
    "integer": "int",
    "float": "float",
}


SURVEY = awx_definitions.survey()
QUESTIONS = SURVEY["spec"]
CREDENTIAL_TYPE = awx_definitions.credential_type()


def _role_options() -> dict[str, list[dict[str, t.Any]]]:
    """Every option of every entry point of every role, by name (a name several roles share
    appears once per entry point)."""
    options: dict[str, list[dict[str, t.Any]]] = {}
    for spec_file in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        for entry_point in yaml.safe_load(spec_file.read_text())["argument_specs"].values():
            for name, option in (entry_point.get("options") or {}).items():
                options.setdefault(name, []).append(option)
    return options


ROLE_OPTIONS = _role_options()


def _playbook_steps() -> list[str]:
    """The step names of playbooks/cluster_iis.yml, in order: the tags of its tasks."""
    steps: list[str] = []

    def visit(tasks: list[dict[str, t.Any]]) -> None:
        for task in tasks:
            steps.extend(tag for tag in task.get("tags", []) if tag not in ("always", "never") and tag not in steps)
            for section in ("block", "rescue", "always"):
                visit(task.get(section) or [])

    for play in yaml.safe_load(PLAYBOOK.read_text()):
        for section in ("pre_tasks", "roles", "tasks", "post_tasks"):
            visit(play.get(section) or [])
    return steps


def _question(variable: str) -> dict[str, t.Any]:
    [question] = [question for question in QUESTIONS if question["variable"] == variable]
    return question


def test_the_role_options_are_read():
    assert {"iis_cluster_account_base", "iis_cluster_iusr_password", "anonymous_identity_site"} <= set(ROLE_OPTIONS)


@pytest.mark.parametrize("variable", PLAYBOOK_VARIABLES)
def test_the_playbook_uses_its_own_variables(variable):
    assert re.search(r"\{\{[^}]*\b" + variable + r"\b", PLAYBOOK.read_text()), f"playbooks/cluster_iis.yml no longer reads {variable}"


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question["variable"])
def test_every_survey_variable_is_one_the_playbook_or_a_role_accepts(question):
    variable = question["variable"]
    assert variable in PLAYBOOK_VARIABLES or variable in ROLE_OPTIONS, (
        f"survey variable {variable} is neither a variable of playbooks/cluster_iis.yml nor an option "
        "in any roles/*/meta/argument_specs.yml: the job would pass it and nothing would read it"
    )


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question["variable"])
def test_every_survey_answer_has_the_type_its_variable_takes(question):
    variable = question["variable"]
    answer_type = SURVEY_TYPES[question["type"]]
    if variable in ROLE_OPTIONS:
        assert {option.get("type", "str") for option in ROLE_OPTIONS[variable]} == {answer_type}
    if variable in PLAYBOOK_VARIABLES:
        assert PLAYBOOK_VARIABLES[variable] == answer_type


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda question: question["variable"])
def test_a_survey_default_is_the_default_the_roles_have(question):
    """A launch with the survey's defaults behaves as a run that does not set the variable."""
    defaults = {option["default"] for option in ROLE_OPTIONS.get(question["variable"], []) if "default" in option}
    if defaults and question.get("default"):
        assert defaults == {question["default"]}


def test_the_steps_question_offers_the_playbook_steps_all_chosen_by_default():
    steps = _question("iis_cluster_steps")
    assert _playbook_steps() == [
        "domain_accounts",
        "node_access",
        "anonymous_identity",
        "wam_identity",
        "metabase_sync",
        "verify",
    ]
    assert steps["choices"] == _playbook_steps()
    assert steps["default"].splitlines() == _playbook_steps()


def test_the_survey_asks_the_inventory_group_source_site_and_account_base():
    assert [question["variable"] for question in QUESTIONS] == [
        "iis_cluster_group",
        "iis_cluster_source",
        "anonymous_identity_site",
        "iis_cluster_account_base",
        "iis_cluster_steps",
    ]
    assert _question("iis_cluster_source")["required"] is False
    assert _question("anonymous_identity_site")["default"] == "1"


def test_the_survey_is_one_awx_saves():
    assert isinstance(SURVEY["name"], str) and isinstance(SURVEY["description"], str)
    assert QUESTIONS, "AWX refuses a survey without questions"
    variables = [question["variable"] for question in QUESTIONS]
    assert len(variables) == len(set(variables)), "AWX refuses a variable asked twice"
    for question in QUESTIONS:
        name = question["variable"]
        for field in ("type", "question_name", "variable"):
            assert isinstance(question[field], str), (name, field)
        assert isinstance(question["required"], bool), name
        assert question["type"] in SURVEY_TYPES, name
        for bound in ("min", "max"):
            assert isinstance(question.get(bound, 0), int), (name, bound)
        default = question.get("default", "")
        if question["type"] in ("integer", "float"):
            assert default == "" or isinstance(default, (int, float)), name
        else:
            # AWX takes every other default as a string, a multiselect's one choice per line.
            assert isinstance(default, str), name
        if question["type"] in ("multiplechoice", "multiselect"):
            assert question["choices"], name
            assert set(default.splitlines()) <= set(question["choices"]), name
            if question["type"] == "multiplechoice":
                assert len(default.splitlines()) <= 1, name
        elif question["type"] in ("text", "textarea") and default:
            assert question.get("min", 0) <= len(default) <= question.get("max", len(default)), name


def test_the_account_base_fits_a_windows_account_name():
    # IWAM_<base> must fit the 20 characters of a Windows (pre-Windows 2000) logon name.
    assert len("IWAM_") + _question("iis_cluster_account_base")["max"] <= 20


def _injected() -> dict[str, str]:
    return CREDENTIAL_TYPE["injectors"]["extra_vars"]


def test_the_credential_type_injects_the_two_passwords():
    assert CREDENTIAL_TYPE["name"] == "IIS cluster accounts (KB Q249603)"
    assert set(_injected()) == {"iis_cluster_iusr_password", "iis_cluster_iwam_password"}
    # AWX accepts only these kinds for a custom credential type.
    assert CREDENTIAL_TYPE["kind"] in ("cloud", "net")


@pytest.mark.parametrize("variable", sorted(_injected()))
def test_every_injected_variable_is_a_role_option_marked_no_log(variable):
    assert variable in ROLE_OPTIONS, f"{variable} is injected into every job but no role reads it"
    assert all(option.get("no_log") is True for option in ROLE_OPTIONS[variable]), variable


@pytest.mark.parametrize("variable", sorted(_injected()))
def test_every_injected_variable_comes_from_a_secret_field(variable):
    fields = {field["id"]: field for field in CREDENTIAL_TYPE["inputs"]["fields"]}
    template = _injected()[variable]
    used = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", template)
    assert used, f"{variable}: {template!r} is not one field of the credential"
    assert fields[used.group(1)]["secret"] is True


def test_every_field_of_the_credential_type_is_a_required_secret_string():
    """Only secrets belong in the credential; the account base name is the survey's."""
    fields = CREDENTIAL_TYPE["inputs"]["fields"]
    for field in fields:
        assert field["secret"] is True, field["id"]
        assert field["type"] == "string", field["id"]
        assert field["label"], field["id"]
    assert set(CREDENTIAL_TYPE["inputs"]["required"]) == {field["id"] for field in fields}
