# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading the collection's own YAML data files (the instruction set's contract, the roles'
argument specs).

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import yaml

# libyaml's parser where PyYAML was built with it: ten times the pure-Python one, and these
# files run to a thousand lines, read as ansible-playbook starts.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_file(path: Path) -> t.Any:
    """The document of the YAML file at ``path``, read with a safe loader."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
