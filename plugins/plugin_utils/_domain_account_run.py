# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converging domain users on a domain controller (KB Q249603 steps 1-3): one query and, when
something changes, one apply, for one account (``domain_account``) or several
(``domain_accounts``, the step the ``domain_accounts`` role runs), and the step's group managed
service account when the IWAM identity is one.

This is for internal collection use only; the API may change at any time.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._account_names import AccountName, check_same_domain
from ._changes import Change, instructions_of, render_diff
from ._domain_account import AccountState, DesiredAccount, password_rejected, plan_account, policy_refuses, predicted_account
from ._domain_account import UPDATE_WHEN_CHANGED
from ._host_facts import HOST_FACTS, HostFacts, require_domain_controller
from ._input import InvalidInput
from ._managed_service_account import DesiredGmsa, GmsaPlan, GmsaState, gmsa_queries, plan_gmsa
from ._node_session import Instruction, NodeOpError, NodeSession

_NERR_PASSWORD_TOO_SHORT = 2245
POLICY = Instruction("domain_password_policy_get")


@dataclasses.dataclass(frozen=True)
class AccountRequest:
    """One account to converge: its parsed ``name``, what is ``desired`` of it (whose
    ``secret_ref`` names ``password`` in the execution's secrets), and ``field``, the prefix of
    its options in messages (empty for ``domain_account``, ``accounts[1].`` for the step)."""

    name: AccountName
    desired: DesiredAccount
    password: str | None
    field: str = ""

    @property
    def wants_password(self) -> bool:
        return self.password is not None and self.desired.state == "present"

    @property
    def asks_match(self) -> bool:
        return self.wants_password and self.desired.update_password == UPDATE_WHEN_CHANGED

    def read_back(self) -> Instruction:
        return Instruction("domain_user_get", {"name": self.name.account})

    def query(self) -> list[Instruction]:
        """The account, and whether the given password logs it on when only a change sets it."""
        match = Instruction("domain_user_password_matches", {"name": self.name.account, "secret": self.desired.secret_ref})
        return [self.read_back(), *([match] if self.asks_match else [])]


@dataclasses.dataclass(frozen=True)
class GmsaRequest:
    """The group managed service account to converge with the accounts: its ``name`` (without
    the "$") and the ``principals`` allowed to retrieve its password."""

    name: str
    principals: tuple[str, ...]
    field: str = "gmsa."


@dataclasses.dataclass(frozen=True)
class GmsaOutcome:
    """What became of the gMSA: its result and, in diff mode, its diff."""

    result: dict[str, t.Any]
    diff: dict[str, str] | None


def converge_accounts(
    session: NodeSession,
    requests: t.Sequence[AccountRequest],
    *,
    module: str,
    check_mode: bool,
    diff_mode: bool,
    gmsa: GmsaRequest | None = None,
) -> tuple[list[dict[str, t.Any]], list[dict[str, str]], GmsaOutcome | None]:
    """Query every account (and the gMSA with the domain's KDS root key) in one execution, plan
    them all (any refusal before anything is written), apply every change in one more; return
    each account's result and, in diff mode, each account's diff, and the gMSA's outcome."""
    secrets = {request.desired.secret_ref: request.password for request in requests if request.password is not None}
    queries = [request.query() for request in requests]
    wants_policy = any(request.wants_password for request in requests)
    gmsa_batch = gmsa_queries(gmsa.name, gmsa.principals) if gmsa else []
    outcomes = session.run(
        [
            HOST_FACTS,
            *(instruction for query in queries for instruction in query),
            *([POLICY] if wants_policy else []),
            *gmsa_batch,
        ],
        secrets,
    )
    facts = HostFacts.from_report(session.checked(outcomes[:1])[0])
    require_domain_controller(facts, session.host, module)
    values = session.checked(outcomes)[1:]
    gmsa_values, values = values[len(values) - len(gmsa_batch) :], values[: len(values) - len(gmsa_batch)]
    policy = values[-1] if wants_policy else None
    gmsa_plan: GmsaPlan | None = None
    if gmsa is not None:
        gmsa_plan = plan_gmsa(DesiredGmsa(gmsa.name, gmsa.principals, str(facts.dns_domain)), gmsa_values, gmsa.field)

    plans: list[tuple[AccountState | None, list[Change]]] = []
    for request, query in zip(requests, queries):
        answers, values = values[: len(query)], values[len(query) :]
        check_same_domain(request.name, f"{request.field}name", facts.domain, facts.dns_domain)
        current = AccountState.from_report(answers[0]) if answers[0] is not None else None
        try:
            plans.append((current, plan_account(request.desired, current, answers[1] if request.asks_match else None)))
        except InvalidInput as error:
            raise InvalidInput(f"{request.field}{error}") from None

    # Every password the policy refuses, before the first is written (in check mode too).
    for request, (_current, changes) in zip(requests, plans):
        sets_password = any(change.secret or _sets_password(change) for change in changes)
        if sets_password and policy is not None and policy_refuses(str(request.password), request.name.account, policy):
            raise password_rejected(f"{request.field}password", request.name.account, str(facts.domain), policy)

    afters = [predicted_account(request.desired, current) for request, (current, _changes) in zip(requests, plans)]
    changed = [change for _current, changes in plans for change in changes]
    gmsa_changes = gmsa_plan.changes if gmsa_plan else []
    gmsa_after = gmsa_plan.after if gmsa_plan else None
    if (changed or gmsa_changes) and not check_mode:
        # Every password first, across the accounts: one the domain's policy refuses stops the
        # batch before any other account or setting is written. The gMSA, which has no
        # password, comes last.
        ordered = [*sorted(changed, key=lambda change: not _sets_password(change)), *gmsa_changes]
        read_backs = [request.read_back() for request in requests]
        gmsa_read_back = [Instruction("gmsa_get", {"name": gmsa.name})] if gmsa else []
        try:
            applied = session.values([*instructions_of(ordered), *read_backs, *gmsa_read_back], secrets)
        except NodeOpError as error:
            if error.code == _NERR_PASSWORD_TOO_SHORT and policy is not None:
                request = _owner(requests, error.outcome.instruction)
                raise password_rejected(f"{request.field}password", request.name.account, str(facts.domain), policy) from None
            raise
        if gmsa_read_back:
            report, applied = applied[-1], applied[:-1]
            gmsa_after = GmsaState.from_report(report) if report is not None else None
        afters = [AccountState.from_report(report) if report is not None else None for report in applied[len(applied) - len(read_backs) :]]

    results, diffs = [], []
    for request, (current, changes), after in zip(requests, plans, afters):
        results.append(
            {
                "changed": bool(changes),
                "name": request.name.account,
                "qualified_name": request.name.qualified(str(facts.domain)),
                "domain_controller": facts.name,
                "before": current.as_result() if current else None,
                "after": after.as_result() if after else None,
                "password_changed": any(change.secret for change in changes),
            }
        )
        if diff_mode:
            diffs.append(render_diff(changes, f"{session.host}:{facts.domain}"))
    outcome = None
    if gmsa is not None and gmsa_plan is not None:
        before = gmsa_plan.before
        outcome = GmsaOutcome(
            {
                "changed": bool(gmsa_changes),
                "name": gmsa.name,
                "qualified_name": f"{facts.domain}\\{gmsa.name}$",
                "domain_controller": facts.name,
                "before": before.as_result() if before else None,
                "after": gmsa_after.as_result() if gmsa_after else None,
            },
            render_diff(gmsa_changes, f"{session.host}:{facts.domain}") if diff_mode else None,
        )
    return results, diffs, outcome


def _sets_password(change: Change) -> bool:
    return any("secret" in instruction.args for instruction in change.instructions)


def _owner(requests: t.Sequence[AccountRequest], instruction: Instruction) -> AccountRequest:
    """The account whose password the failed ``instruction`` set."""
    ref = instruction.args.get("secret")
    return next((request for request in requests if request.desired.secret_ref == ref), requests[0])
