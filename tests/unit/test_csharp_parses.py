"""Every C# module util of the collection parses, and declares the namespace Ansible loads it by.

node_ops.ps1 compiles these files on the Windows host (``#AnsibleRequires -CSharpUtil``), so a
syntax error would first show there. The tree-sitter grammar for C# finds it here instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_c_sharp

ROOT = Path(__file__).resolve().parents[2]
CSHARP_UTILS = sorted((ROOT / "plugins" / "module_utils").glob("*.cs"))
NODE_OPS = ROOT / "plugins" / "modules" / "node_ops.ps1"
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
    required = set(re.findall(rf"^#AnsibleRequires -CSharpUtil {re.escape(_UTIL_PREFIX)}(\w+)$", NODE_OPS.read_text(), re.M))
    assert required, "node_ops.ps1 requires no C# util of the collection"
    assert required == {path.stem for path in CSHARP_UTILS}


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
