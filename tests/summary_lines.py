"""Reading the cluster_iis.yml summary back, for the tests of the filter and of the playbook."""

from __future__ import annotations


def node_block(lines: list[str], node: str) -> dict[str, str]:
    """The indented lines under ``node``'s heading, by label: ``{"metabase": "already equal to node1"}``."""
    start = next(index for index, line in enumerate(lines) if line.split(",")[0] == node)
    block = {}
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        label, _, text = line.strip().partition("  ")
        block[label] = text.strip()
    return block
