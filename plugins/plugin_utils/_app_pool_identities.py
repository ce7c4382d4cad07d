# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KB Q249603 step 7 on IIS 7-10 for a node: every pool of the clustered site takes the IWAM
identity in one query and (when something changes) one apply, as
``webfarm.iis_cluster.app_pool_identities`` does it.

This is for internal collection use only; the API may change at any time.

The proof (:func:`~._app_pool_identity.proof_queries`) is made once per cluster, before any node
changes: a wrong password then costs one failed logon, not one per node and pool (a lock-out
threshold counts them all). The roll-out's nodes skip it; each pool's start after the change is
the gate of the next node.
"""

from __future__ import annotations

import typing as t

from ._app_pool_identity import DesiredIdentity, PoolState, start_problem
from ._input import InvalidInput


def apphost_site(sites: t.Sequence[t.Mapping[str, t.Any]], site: str) -> dict[str, t.Any]:
    """``site`` (by number or name) among the sites ``node_info`` lists for an IIS 7-10 node:
    its ``name`` (its location path), ``id``, ``applications`` (``path``, ``pool``) and
    ``pools``, the pools of its applications, each once, in the applications' order."""
    wanted = site.strip()
    for entry in sites:
        number = str(entry["path"]).rpartition("/")[2]
        if (wanted.isdigit() and number == wanted) or str(entry["server_comment"]).lower() == wanted.lower():
            applications = [dict(app) for app in entry.get("applications", [])]
            return {
                "name": str(entry["server_comment"]),
                "id": int(number),
                "applications": applications,
                "pools": list(dict.fromkeys(str(app["pool"]) for app in applications if app["pool"])),
            }
    known = ", ".join(f"{str(entry['path']).rpartition('/')[2]} {entry['server_comment']}" for entry in sites) or "none"
    raise InvalidInput(f"site: the node has no site {wanted!r} (its sites: {known})")


def check_pools(pools: t.Sequence[str]) -> list[str]:
    """The pools asked for, each once (IIS compares pool names without case)."""
    unique: dict[str, str] = {}
    for pool in pools:
        if pool.strip():
            unique.setdefault(pool.strip().lower(), pool.strip())
    if not unique:
        raise InvalidInput("pools: give at least one application pool (the site's applications' pools, or wam_identity_pools)")
    return list(unique.values())


def pool_result(desired: DesiredIdentity, pool: PoolState, changed: bool, started: t.Mapping[str, t.Any] | None) -> dict[str, t.Any]:
    """One pool as the module returns it; ``started`` is ``app_pool_identity_set``'s answer, None
    when nothing was written (no change, or check mode)."""
    result: dict[str, t.Any] = {
        "pool": pool.name,
        "changed": changed,
        "before": {"identity": pool.identity, "identity_type": pool.identity_type, "logon_type": pool.logon_type},
        "state": "Started" if changed else pool.state,
        "restored": False,
        "start_error": None,
    }
    if started is not None:
        result.update(
            state=started["state"],
            restored=bool(started["restored"]),
            start_error=started["start_error"],
            changed=not started["restored"],
        )
        problem = start_problem(desired, started)
        if problem is not None:
            result["problem"] = problem
    return result
