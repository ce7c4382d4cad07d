"""Every C# module util of the collection parses, and declares the namespace Ansible loads it by.

The node_ops* modules and their PowerShell module_utils compile these files on the Windows host
(``#AnsibleRequires -CSharpUtil``), so a syntax error would first show there. The tree-sitter
grammar for C# finds it here instead.
"""

from __future__ import annotations

import re
import pytest
import tree_sitter
import tree_sitter_c_sharp

from powershell_ops import MODULE_UTILS, collection_util, module_scripts, required_utils

CSHARP_UTILS = sorted(MODULE_UTILS.glob("*.cs"))
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))
_UTIL_PREFIX = "ansible_collections.webfarm.iis_cluster.plugins.module_utils."


def syntax_errors(source: bytes) -> list[int]:
    """The lines where the grammar found an error or had to assume a missing token."""
    lines = []
    stack = [PARSER.parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            lines.append(node.start_point.row + 1)
        stack.extend(node.children)
    return sorted(lines)


def test_node_ops_requires_every_csharp_util_and_each_exists():
    # node_ops.ps1 or one of its PowerShell utils; a C# util requires another with `using`.
    required = {
        util
        for script in module_scripts()
        for name in required_utils(script.read_bytes(), "csharp")
        if (util := collection_util(name, ".cs")) is not None
    }
    required |= {
        util
        for path in list(required)
        for name in re.findall(rf"^using ({re.escape(_UTIL_PREFIX)}\w+);", path.read_text(), re.M)
        if (util := collection_util(name, ".cs")) is not None
    }
    assert required, "node_ops.ps1 requires no C# util of the collection"
    assert all(path.exists() for path in required), sorted(str(path) for path in required)
    assert sorted(required) == CSHARP_UTILS


@pytest.mark.parametrize("path", CSHARP_UTILS, ids=lambda path: path.name)
def test_parses_without_errors(path):
    assert syntax_errors(path.read_bytes()) == [], path.name


@pytest.mark.parametrize("path", CSHARP_UTILS, ids=lambda path: path.name)
def test_namespace_is_the_name_ansible_loads_it_by(path):
    assert re.search(rf"^namespace {re.escape(_UTIL_PREFIX + path.stem)}$", path.read_text(), re.M)


def test_the_check_reports_a_broken_class():
    fixed = b"namespace A { public static class B { public static int C() { return 1; } } }"
    assert syntax_errors(fixed) == []
    assert syntax_errors(fixed.replace(b"return 1;", b"return 1")) != []
