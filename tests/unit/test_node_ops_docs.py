"""node_ops.py documents exactly the options node_ops.ps1 declares.

ansible-test's validate-modules would check this, but it needs pwsh, which the CI machine
cannot install (tests/sanity/README.md); this test reads the spec from the syntax tree instead.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from powershell_ops import module_options

from ansible_collections.webfarm.iis_cluster.plugins.modules import node_ops

MODULE = Path(__file__).parents[2] / "plugins" / "modules" / "node_ops.ps1"


def test_documented_options_match_the_powershell_spec():
    declared = module_options(MODULE.read_bytes())
    documented = yaml.safe_load(node_ops.DOCUMENTATION)["options"]
    assert set(declared) == set(documented)
    for name, settings in declared.items():
        doc = documented[name]
        assert doc.get("type", "str") == settings.get("type", "str"), name
        assert bool(doc.get("required")) == bool(settings.get("required")), name
        assert doc.get("default") == settings.get("default"), name
        assert doc.get("elements") == settings.get("elements"), name


def test_the_secrets_option_is_no_log():
    assert module_options(MODULE.read_bytes())["secrets"]["no_log"] is True


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
