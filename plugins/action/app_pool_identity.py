# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.app_pool_identity: an IIS 7-10 application pool's
identity, proven on the node before it is written."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identity import (
    IDENTITY_TYPES,
    LOGON_TYPES,
    SECRET_REF,
    SPECIFIC_USER,
    desired_identity,
    identity_queries,
    password_matches,
    plan_identity,
    predicted_state,
    proof_problem,
    read_proof,
    start_problem,
    the_pool,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "name": {"type": "str", "required": True},
        "identity_type": {"type": "str", "choices": list(IDENTITY_TYPES), "default": SPECIFIC_USER},
        "user": {"type": "str"},
        "password": {"type": "str", "no_log": True},
        "logon_type": {"type": "str", "choices": list(LOGON_TYPES), "default": "LogonBatch"},
        "recycle": {"type": "bool", "default": True},
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        password = args["password"]
        desired = desired_identity(
            args["name"], args["identity_type"], args["user"], password is not None, args["logon_type"], args["recycle"]
        )
        secrets = {SECRET_REF: password} if password is not None else {}
        pools, *answers = session.run(identity_queries(desired), secrets, stop_on_error=False)
        pool = the_pool(desired.pool, session.checked([pools])[0])
        matches = password_matches(session, answers.pop(0)) if desired.password else None
        proof = read_proof(desired, session, answers)
        refused = proof_problem(desired, pool, proof)
        if refused is not None:
            raise InvalidInput(f"the identity was not set on application pool {pool.name}: {refused}")

        changes = plan_identity(desired, pool, matches)
        result: dict[str, t.Any] = {
            "changed": bool(changes),
            "pool": pool.name,
            "identity": desired.identity,
            "identity_type": desired.identity_type,
            "logon_type": desired.logon_type,
            "before": {"identity": pool.identity, "identity_type": pool.identity_type, "logon_type": pool.logon_type},
            "state": predicted_state(desired, pool, bool(changes)),
            "restored": False,
            "start_error": None,
        }
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{pool.name}")
        if changes and not self.check_mode:
            (started,) = session.values(instructions_of(changes), secrets)
            result.update(state=started["state"], restored=bool(started["restored"]), start_error=started["start_error"])
            problem = start_problem(desired, started)
            if problem is not None:
                result.update(failed=True, msg=problem, changed=not started["restored"])
        return result
