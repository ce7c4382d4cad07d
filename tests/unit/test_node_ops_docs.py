"""The instruction set's doc fragment documents exactly the options IisClusterInstructionSet.psm1
declares, and every node_ops* module takes its documentation from that fragment.

ansible-test's validate-modules would check this, but it needs pwsh, which the CI machine
cannot install (tests/sanity/README.md); this test reads the spec from the syntax tree instead.
"""

from __future__ import annotations

import importlib

import pytest
import yaml
from powershell_ops import INSTRUCTION_SET, INSTRUCTION_SET_MODULES, module_options

from ansible_collections.webfarm.iis_cluster.plugins.doc_fragments import instruction_set

FRAGMENT = yaml.safe_load(instruction_set.ModuleDocFragment.DOCUMENTATION)


def _documentation(name: str) -> dict:
    module = importlib.import_module(f"ansible_collections.webfarm.iis_cluster.plugins.modules.{name}")
    return yaml.safe_load(module.DOCUMENTATION)


def test_documented_options_match_the_powershell_spec():
    declared = module_options(INSTRUCTION_SET.read_bytes())
    documented = FRAGMENT["options"]
    assert set(declared) == set(documented)
    for name, settings in declared.items():
        doc = documented[name]
        assert doc.get("type", "str") == settings.get("type", "str"), name
        assert bool(doc.get("required")) == bool(settings.get("required")), name
        assert doc.get("default") == settings.get("default"), name
        assert doc.get("elements") == settings.get("elements"), name


def test_the_secrets_option_is_no_log():
    assert module_options(INSTRUCTION_SET.read_bytes())["secrets"]["no_log"] is True


@pytest.mark.parametrize("module", [path.stem for path in INSTRUCTION_SET_MODULES])
def test_each_module_is_documented_by_the_fragment_alone(module):
    documentation = _documentation(module)
    assert documentation["module"] == module
    assert "webfarm.iis_cluster.instruction_set" in documentation["extends_documentation_fragment"]
    assert "options" not in documentation, "the options are the fragment's: every module has the same"
    assert f"M(webfarm.iis_cluster.{module})" in " ".join(FRAGMENT["notes"])


def test_spec_reader_sees_every_setting_kind():
    source = b"""$spec = @{ options = @{
        a = @{ type = 'list'; elements = "dict"; required = $true }
        b = @{ type = 'int'; default = 5; no_log = $false }
        c = @{ type = 'dict'; default = @{} }
    } }"""
    assert module_options(source) == {
        "a": {"type": "list", "elements": "dict", "required": True},
        "b": {"type": "int", "default": 5, "no_log": False},
        "c": {"type": "dict", "default": {}},
    }
