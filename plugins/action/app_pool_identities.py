# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugin for webfarm.iis_cluster.app_pool_identities: KB Q249603 step 7 on an IIS 7-10
node, every pool of the site takes one identity in one query and one apply."""

from __future__ import annotations

import typing as t

from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identities import (
    check_pools,
    pool_result,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._app_pool_identity import (
    APPLICATION_POOLS,
    LOGON_TYPES,
    SECRET_REF,
    SPECIFIC_USER,
    desired_identity,
    password_matches,
    password_query,
    plan_identity,
    proof_problem,
    proof_queries,
    read_proof,
    the_pool,
)
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._apphost_backup import BACKUP_LIST, ApphostBackupFirst
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._changes import instructions_of, render_diff
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._input import InvalidInput
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._metabase_backup import BACKUP_FIRST_OPTION
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_action import NodeAction
from ansible_collections.webfarm.iis_cluster.plugins.plugin_utils._node_session import Instruction, NodeSession


class ActionModule(NodeAction):
    argument_spec = {
        "pools": {"type": "list", "elements": "str", "required": True},
        "user": {"type": "str", "required": True},
        "password": {"type": "str", "no_log": True},
        "logon_type": {"type": "str", "choices": list(LOGON_TYPES), "default": "LogonBatch"},
        "prove": {"type": "bool", "default": True},
        "probe": {"type": "bool", "default": False},
        "backup": BACKUP_FIRST_OPTION,
    }

    def converge(self, args: dict[str, t.Any], session: NodeSession) -> dict[str, t.Any]:
        password = args["password"]
        names = check_pools(args["pools"])
        wanted = [desired_identity(name, SPECIFIC_USER, args["user"], password is not None, args["logon_type"]) for name in names]
        first = wanted[0]
        secrets = {SECRET_REF: password} if password is not None else {}
        # The pools' passwords are compared only when a change may follow: a probe writes nothing.
        compared = first.password and not args["probe"]
        proven = args["prove"] or args["probe"]
        backup = None if args["probe"] else ApphostBackupFirst.from_option(args["backup"])
        queries = [
            Instruction("app_pools_get", {"names": names}),
            *([password_query(name) for name in names] if compared else []),
            *(proof_queries(first) if proven else []),
            *([BACKUP_LIST] if backup else []),
        ]
        reported, *answers = session.run(queries, secrets, stop_on_error=False)
        listed = session.checked([reported])[0]
        backups = session.checked([answers.pop()])[0] if backup else []
        pools = [the_pool(name, listed) for name in names]
        matches: list[bool | None] = [None] * len(names)
        if compared:
            matches = [password_matches(session, outcome) for outcome in answers[: len(names)]]
            answers = answers[len(names) :]
        result: dict[str, t.Any] = {"changed": False, "user": first.identity, "logon_type": first.logon_type}
        if proven:
            proof = read_proof(first, session, answers)
            refused = [problem for desired, pool in zip(wanted, pools) if (problem := proof_problem(desired, pool, proof))]
            if refused:
                message = f"the identity {first.identity} cannot start the pools on {session.host}: {refused[0]}; nothing was changed"
                # In check mode steps 1-5 changed nothing either (the account may not exist yet): told, not final.
                if not self.check_mode:
                    raise InvalidInput(message)
                result["warnings"] = [message]
            result["proven"] = not refused
        if args["probe"]:
            return {**result, "pools": [pool_result(desired, pool, False, None) for desired, pool in zip(wanted, pools)]}

        plans = [plan_identity(desired, pool, match) for desired, pool, match in zip(wanted, pools, matches)]
        changes = [change for plan in plans for change in plan]
        started: list[t.Mapping[str, t.Any] | None] = [None] * len(pools)
        # The backup first, in the batch that writes: if it fails, no pool changes.
        backup_first = backup.instructions(backups) if backup and changes else []
        if backup_first:
            result["backup"] = backup.planned(backups)
        if changes and not self.check_mode:
            # One pool that does not start is put back by the op itself; the others go on.
            written = session.values([*backup_first, *instructions_of(changes)], secrets)
            if backup_first:
                result["backup"] = backup.made(backups, written[0])
            answers_iter = iter(written[len(backup_first) :])
            started = [next(answers_iter) if plan else None for plan in plans]
        entries = [
            pool_result(desired, pool, bool(plan), answer) for desired, pool, plan, answer in zip(wanted, pools, plans, started)
        ]
        result.update(changed=any(entry["changed"] for entry in entries), pools=entries)
        if self.diff_mode:
            result["diff"] = render_diff(changes, f"{session.host}:{APPLICATION_POOLS}")
        problems = [entry["problem"] for entry in entries if "problem" in entry]
        if problems:
            result.update(failed=True, msg=f"{session.host}: " + "; ".join(problems))
        return result
