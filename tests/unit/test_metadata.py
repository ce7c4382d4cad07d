"""What the collection claims about itself: the ansible-core releases it supports are the ones
it is tested with, and galaxy.yml names no address that leads nowhere (issues 11 and 15)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTION_SET_MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("node_ops*.ps1"))
REQUIRES_ANSIBLE = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())["requires_ansible"]
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _tested_ansible_core() -> Version:
    [pin] = re.findall(r"^ansible-core==(\S+)", (ROOT / "requirements-dev.txt").read_text(), re.M)
    return Version(pin)


def test_requires_ansible_is_the_tested_release_and_nothing_older_or_newer():
    tested = _tested_ansible_core()
    claimed = SpecifierSet(REQUIRES_ANSIBLE)

    assert tested in claimed
    assert Version(f"{tested.major}.{tested.minor}.0") in claimed
    assert Version(f"{tested.major}.{tested.minor - 1}.99") not in claimed
    assert Version(f"{tested.major}.{tested.minor + 1}.0") not in claimed


def test_the_readme_states_the_claimed_range_and_no_other_release():
    tested = _tested_ansible_core()
    [controller] = [line for line in README.split("\n\n") if line.startswith("**Controller**")]

    assert f'`requires_ansible: "{REQUIRES_ANSIBLE}"`' in controller
    assert f"ansible-core {tested.major}.{tested.minor} " in controller
    assert "or later" not in controller.split("requires_ansible")[0]


@pytest.mark.parametrize("role", sorted(path.name for path in (ROOT / "roles").iterdir()))
def test_every_role_requires_the_same_ansible_core(role):
    tested = _tested_ansible_core()
    meta = yaml.safe_load((ROOT / "roles" / role / "meta" / "main.yml").read_text())

    assert meta["galaxy_info"]["min_ansible_version"] == f"{tested.major}.{tested.minor}"


def test_galaxy_yml_names_no_address_without_a_public_home():
    # The project has no public home: a URL there would be made up.
    assert {"repository", "documentation", "issues", "homepage"}.isdisjoint(GALAXY)
    assert "example.invalid" not in (ROOT / "galaxy.yml").read_text()


def test_the_lint_skip_for_the_missing_repository_is_that_one_rule_with_its_reason():
    lint = (ROOT / ".ansible-lint").read_text()

    assert yaml.safe_load(lint)["skip_list"] == ["galaxy[no-repository]"]
    assert "no public home" in lint


@pytest.mark.parametrize("module", INSTRUCTION_SET_MODULES)
def test_node_ops_says_it_is_the_internal_instruction_set_and_the_readme_does_not_list_it(module):
    documentation = yaml.safe_load(
        importlib.import_module(f"ansible_collections.webfarm.iis_cluster.plugins.modules.{module}").DOCUMENTATION
    )
    module_rows = [line for line in README.splitlines() if line.startswith("| `webfarm.iis_cluster.")]

    assert "internal instruction set, not for playbooks" in documentation["short_description"]
    assert documentation["description"][0].startswith("This is the collection's internal instruction set")
    assert module_rows, "the README's module table has moved"
    assert not any(row.startswith(f"| `webfarm.iis_cluster.{module}`") for row in module_rows)


def test_the_readme_lists_what_the_two_commands_need_git_included_and_the_demo_port():
    [needs] = [paragraph for paragraph in README.split("\n\n") if paragraph.startswith("Both need only")]

    assert all(tool in needs for tool in ("Python 3.11", "GNU make", "git"))
    assert "`make demo DEMO_PORT=<port>`" in needs
