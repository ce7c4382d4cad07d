"""Each module's documentation says exactly what its action plugin accepts."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

PACKAGE = "ansible_collections.webfarm.iis_cluster.plugins"
COLLECTION_FRAGMENT = "webfarm.iis_cluster."
ACTION_MODULES = sorted(path.stem for path in (Path(__file__).parents[2] / "plugins" / "action").glob("[!_]*.py"))


def test_every_action_plugin_is_checked():
    assert {
        "metabase",
        "metabase_info",
        "iissync",
        "iissync_preflight",
        "sync_node_info",
        "metabase_backup",
        "metabase_verify",
        "domain_account",
        "local_group_member",
        "user_right",
        "node_info",
    } <= set(ACTION_MODULES)


def _documented_options(name):
    """The module's options, with those of the collection's documentation fragments it extends."""
    docs = yaml.safe_load(importlib.import_module(f"{PACKAGE}.modules.{name}").DOCUMENTATION)
    options = dict(docs.get("options") or {})
    for fragment in docs.get("extends_documentation_fragment", []):
        if fragment.startswith(COLLECTION_FRAGMENT):
            module, _, variable = fragment[len(COLLECTION_FRAGMENT) :].partition(".")
            fragments = importlib.import_module(f"{PACKAGE}.doc_fragments.{module}").ModuleDocFragment
            text = getattr(fragments, (variable or "documentation").upper())
            options.update(yaml.safe_load(text).get("options") or {})
    return options


@pytest.mark.parametrize("name", ACTION_MODULES)
def test_documented_options_match_the_argument_spec(name):
    spec = importlib.import_module(f"{PACKAGE}.action.{name}").ActionModule.argument_spec
    documented = _documented_options(name)
    assert set(documented) == set(spec)
    for option, rules in spec.items():
        doc = documented[option]
        assert doc.get("type", "str") == rules.get("type", "str"), option
        assert bool(doc.get("required")) == bool(rules.get("required")), option
        assert doc.get("default") == rules.get("default"), option
        assert doc.get("choices") == rules.get("choices"), option
        assert doc.get("elements") == rules.get("elements"), option
        assert doc.get("aliases") == rules.get("aliases"), option


@pytest.mark.parametrize("name", ACTION_MODULES)
def test_every_secret_option_is_no_log(name):
    spec = importlib.import_module(f"{PACKAGE}.action.{name}").ActionModule.argument_spec
    for option, rules in spec.items():
        # A secret is a free string: a bool or a choice among fixed words is not one.
        holds_text = rules.get("type", "str") == "str" and not rules.get("choices")
        if holds_text and any(word in option for word in ("secret", "password", "salt")):
            assert rules.get("no_log") is True, option
