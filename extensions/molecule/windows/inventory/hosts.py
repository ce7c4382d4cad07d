#!/usr/bin/env python3
"""Ansible inventory script of the windows scenario: the IIS cluster's nodes and a domain
controller, named by environment variables.

    IIS_CLUSTER_NODES  the cluster's IIS nodes, comma-separated, sync source first
    IIS_CLUSTER_DC     the domain controller (or several, comma-separated) the accounts are made on

Only host names and groups come from here; credentials and passwords are read from the
environment by group_vars/all.yml, so none of them is ever part of the inventory's output.
"""

from __future__ import annotations

import json
import os
import sys

GROUPS = {"iis_cluster": "IIS_CLUSTER_NODES", "domain_controllers": "IIS_CLUSTER_DC"}


def hosts_named_by(variable: str) -> list[str]:
    return [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]


def main() -> int:
    if sys.argv[1:2] == ["--host"]:
        print("{}")  # every variable is a group's, in group_vars
        return 0
    groups = {group: hosts_named_by(variable) for group, variable in GROUPS.items()}
    unset = [GROUPS[group] for group, hosts in groups.items() if not hosts]
    if unset:
        print(f"windows scenario: set {' and '.join(unset)} (docs/molecule.md)", file=sys.stderr)
        return 1
    inventory = {group: {"hosts": hosts} for group, hosts in groups.items()}
    print(json.dumps({**inventory, "_meta": {"hostvars": {}}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
