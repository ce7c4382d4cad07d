# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about an IIS 7-10 application pool's identity (what KB Q249603's step 7, the IWAM
identity, becomes): which identity is asked for, the proof made on the node before writing it,
the change, and why a pool that did not start with it did not.

This is for internal collection use only; the API may change at any time.

The identity is ``processModel``'s ``identityType``, ``userName``, ``password`` and
``logonType`` (``app_pools_get``, ``app_pool_identity_set``; see ``docs/instruction-set.yml``).
A group managed service account is ``SpecificUser`` with ``DOMAIN\\name$`` and no password:
Windows retrieves its password from the domain for the nodes allowed to.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change, Shown
from ._iis_identity import logon_error_problem
from ._input import InvalidInput
from ._logon_rights import POOL_LOGON_RIGHTS, RIGHT_LABELS, LogonNeed, logon_grant
from ._node_session import Instruction, NodeSession, Outcome
from ._user_rights import Holder, Token
from ._web_config import Step, Where
from ._windows_errors import describe, to_unsigned

SECRET_REF = "password"
"""The name under which the pool's password travels in the ``secrets`` argument."""

SPECIFIC_USER = "SpecificUser"
BUILT_IN_IDENTITIES = ("ApplicationPoolIdentity", "NetworkService", "LocalService", "LocalSystem")
IDENTITY_TYPES = (*BUILT_IN_IDENTITIES, SPECIFIC_USER)
"""processModel's identityType enum."""
LOGON_TYPES = ("LogonBatch", "LogonService")
"""processModel's logonType enum; LogonBatch is IIS's default."""
LOGON_CHECK_TYPE = {"LogonBatch": "batch", "LogonService": "service"}
"""The ``account_logon_check`` logon type WAS makes for each logonType."""
APPLICATION_POOLS = "system.applicationHost/applicationPools"
NTE_BAD_DATA = 0x80090005
"""What decrypting an attribute encrypted with another machine's keys fails with."""
LOGON_TYPE_NOT_GRANTED = 1385
"""ERROR_LOGON_TYPE_NOT_GRANTED: LogonUser checked the password, then refused the logon type."""
_GMSA_REMEDY = (
    "add this node's computer account (or a group it is in) to the gMSA's PrincipalsAllowedToRetrieveManagedPassword "
    "(Set-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword), then purge the computer's Kerberos tickets "
    "(klist -li 0x3e7 purge) or restart it so that its token carries a new group"
)


def process_model(pool: str) -> Where:
    """Where a pool's identity is in applicationHost.config."""
    return Where(APPLICATION_POOLS, "", (Step("add", (("name", pool),)), Step("processModel")))


@dataclasses.dataclass(frozen=True)
class DesiredIdentity:
    """The identity asked for one pool; a password, when given, is in the ``secrets`` argument."""

    pool: str
    identity_type: str
    user: str | None = None
    password: bool = False
    logon_type: str = "LogonBatch"
    recycle: bool = True

    @property
    def gmsa(self) -> bool:
        """Whether the user is a group managed service account (``DOMAIN\\name$``)."""
        return self.user is not None and self.user.endswith("$")

    @property
    def identity(self) -> str:
        """The identity as results name it: the account, or the built-in identity's name."""
        return self.user if self.identity_type == SPECIFIC_USER and self.user else self.identity_type

    def describe(self) -> str:
        return f"{self.identity} ({self.logon_type})"


def desired_identity(
    pool: str,
    identity_type: str,
    user: str | None,
    password: bool,
    logon_type: str = "LogonBatch",
    recycle: bool = True,
) -> DesiredIdentity:
    """The identity asked for, checked: each rule names the option that breaks it.

    A user named like an identity type is refused: "SpecificUser" as a user name is what a
    free-form attribute dictionary once produced (ansible/ansible#45560), never an account.
    """
    if not pool.strip() or any(ord(char) < 32 for char in pool):
        raise InvalidInput(f"name: {pool!r} is not an application pool's name (non-empty, no control characters)")
    if identity_type not in IDENTITY_TYPES:
        raise InvalidInput(f"identity_type: {identity_type!r} is not one of {', '.join(IDENTITY_TYPES)}")
    if logon_type not in LOGON_TYPES:
        raise InvalidInput(f"logon_type: {logon_type!r} is not one of {', '.join(LOGON_TYPES)}")
    if identity_type != SPECIFIC_USER:
        if user or password:
            raise InvalidInput(
                f"user: identity_type {identity_type} is a built-in identity and takes no user or password; "
                f"for an account, set identity_type {SPECIFIC_USER}"
            )
        return DesiredIdentity(pool, identity_type, None, False, logon_type, recycle)
    if not user or not user.strip():
        raise InvalidInput(
            f"user: identity_type {SPECIFIC_USER} needs the account, DOMAIN\\name with password, or a group managed "
            "service account DOMAIN\\name$ without one"
        )
    user = user.strip()
    account = user.rpartition("\\")[2].rstrip("$")
    if account.lower() in (name.lower() for name in IDENTITY_TYPES):
        raise InvalidInput(
            f"user: {user!r} is named like an identity type; for a built-in identity set identity_type {account} "
            "and no user"
        )
    desired = DesiredIdentity(pool, identity_type, user, password, logon_type, recycle)
    if desired.gmsa:
        if password:
            raise InvalidInput(
                f"password: {user} is a group managed service account, whose password Windows retrieves from the "
                "domain; give no password"
            )
        if "\\" not in user:
            raise InvalidInput(f"user: give the group managed service account with its domain, DOMAIN\\{user}")
    elif not password:
        raise InvalidInput(
            f"password: {user} is an account with a password: give it (for a group managed service account, end the "
            "name with $)"
        )
    return desired


@dataclasses.dataclass(frozen=True)
class PoolState:
    """A pool as ``app_pools_get`` reports it."""

    name: str
    state: str
    identity_type: str
    user_name: str | None
    logon_type: str
    manual_group_membership: bool
    password_set: bool

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> PoolState:
        return cls(
            name=str(report["name"]),
            state=str(report["state"]),
            identity_type=str(report["identity_type"]),
            user_name=report.get("user_name") or None,
            logon_type=str(report["logon_type"]),
            manual_group_membership=bool(report["manual_group_membership"]),
            password_set=bool(report["password_set"]),
        )

    @property
    def identity(self) -> str:
        return self.user_name if self.identity_type == SPECIFIC_USER and self.user_name else self.identity_type

    def describe(self) -> str:
        return f"{self.identity} ({self.logon_type})"


def identity_queries(desired: DesiredIdentity) -> list[Instruction]:
    """The read-only batch: the pool, then the proof of what will be written. For a password,
    whether the pool holds it already, whether it logs the user on with the pool's logon type,
    and the right that logon needs with the user's token (LogonUser refuses the logon type for a
    token without IIS_IUSRS, which WAS adds to the worker's); for a gMSA, which has no password
    to log on with here, whether this node may retrieve it, and the right with the gMSA's token."""
    queries = [Instruction("app_pools_get", {"names": [desired.pool]})]
    if desired.password:
        queries.append(password_query(desired.pool))
    return queries + proof_queries(desired)


def password_query(pool: str) -> Instruction:
    """Whether the pool holds the password in ``secrets`` already, compared on the node."""
    return Instruction("web_config_secret_matches", {**process_model(pool).args(), "attribute": "password", "secret": SECRET_REF})


def proof_queries(desired: DesiredIdentity) -> list[Instruction]:
    """The read-only proof that the identity can start a worker (:class:`Proof`'s answers, in
    its order): the logon with the pool's logon type, or whether this node may retrieve the
    gMSA's password; then the right that logon needs and the account's token. None for a
    built-in identity."""
    if desired.password:
        queries = [
            Instruction(
                "account_logon_check",
                {"name": desired.user, "secret": SECRET_REF, "logon_type": LOGON_CHECK_TYPE[desired.logon_type]},
            )
        ]
    elif desired.gmsa:
        queries = [Instruction("gmsa_check", {"name": desired.user})]
    else:
        return []
    return queries + [
        Instruction("user_rights_get", {"right": POOL_LOGON_RIGHTS[desired.logon_type]}),
        Instruction("account_token_get", {"name": desired.user}),
    ]


def read_proof(desired: DesiredIdentity, session: NodeSession, answers: t.Sequence[Outcome]) -> Proof:
    """The node's answers to :func:`proof_queries`. The right and the token decide only a refused
    logon type (password) or a gMSA this node may retrieve, so only then are they read."""
    if desired.password:
        (logon_error,) = session.checked(answers[:1])
        refused_type = logon_error is not None and int(logon_error["code"]) == LOGON_TYPE_NOT_GRANTED
        rights, token = session.checked(answers[1:]) if refused_type else (None, None)
        return Proof(logon_error=logon_error, rights=rights, token=token)
    if desired.gmsa:
        (gmsa,) = session.checked(answers[:1])
        rights, token = session.checked(answers[1:]) if gmsa["can_retrieve"] else (None, None)
        return Proof(gmsa=gmsa, rights=rights, token=token)
    return Proof()


def password_matches(session: NodeSession, outcome: Outcome) -> bool:
    """The node's comparison of the pool's password; one this machine cannot decrypt (a
    configuration copied without its keys, NTE_BAD_DATA) does not match, and is written again."""
    if outcome.status != "ok" and outcome.error_code is not None and to_unsigned(outcome.error_code) == NTE_BAD_DATA:
        return False
    return bool(session.checked([outcome])[0])


def the_pool(pool: str, reports: t.Sequence[t.Mapping[str, t.Any]]) -> PoolState:
    """The pool from ``app_pools_get``, failing when the node has no such pool."""
    for report in reports:
        if str(report["name"]).lower() == pool.lower():
            return PoolState.from_report(report)
    raise InvalidInput(
        f"name: the node has no application pool {pool!r}: create it first (webfarm.iis_cluster.web_config, "
        f"section {APPLICATION_POOLS}, element add[@name='{pool}']) or correct the name"
    )


@dataclasses.dataclass(frozen=True)
class Proof:
    """What the node answered to the proof batch (:func:`identity_queries`)."""

    logon_error: t.Mapping[str, t.Any] | None = None
    rights: t.Mapping[str, t.Any] | None = None
    token: t.Mapping[str, t.Any] | None = None
    gmsa: t.Mapping[str, t.Any] | None = None


def worker_grant(desired: DesiredIdentity, pool: PoolState, proof: Proof) -> bool:
    """Whether the worker's logon gets the right its logon type needs: LogonUser checked the
    password before refusing the logon type (1385), and WAS adds IIS_IUSRS to the worker's token
    unless the pool's manualGroupMembership is true, so a right IIS_IUSRS holds counts."""
    if proof.rights is None or proof.token is None:
        return False
    need = LogonNeed(
        t.cast(str, desired.user),
        POOL_LOGON_RIGHTS[desired.logon_type],
        f"application pool {pool.name}",
        pool_identity=not pool.manual_group_membership,
    )
    holders = [Holder.from_report(holder) for holder in proof.rights["holders"]]
    return logon_grant(Token.from_report(proof.token), holders, need) is not None


def proof_problem(desired: DesiredIdentity, pool: PoolState, proof: Proof) -> str | None:
    """Why the identity would not start the pool, from the proof, or None."""
    needed_by = f"the pool's logonType {desired.logon_type}"
    if desired.password:
        error = proof.logon_error
        if error is not None and int(error["code"]) == LOGON_TYPE_NOT_GRANTED and worker_grant(desired, pool, proof):
            return None
        if error is not None and int(error["code"]) == LOGON_TYPE_NOT_GRANTED and not pool.manual_group_membership:
            needed_by += " (IIS_IUSRS, which the worker's token carries, does not hold it either)"
        return logon_error_problem(
            t.cast(str, desired.user), error, LOGON_CHECK_TYPE[desired.logon_type], "the password given", needed_by
        )
    gmsa = proof.gmsa
    if desired.gmsa and gmsa is not None:
        if not gmsa["exists"]:
            return (
                f"the group managed service account {desired.user} does not exist in the domain: create it on a "
                "domain controller (New-ADServiceAccount) with this node among its principals, or correct the name"
            )
        if not gmsa["can_retrieve"]:
            reason = gmsa.get("error")
            why = f" ({describe(int(reason['code']), str(reason.get('message', '')))})" if reason else ""
            return f"this node may not retrieve the password of {desired.user}{why}: {_GMSA_REMEDY}"
        if proof.token is not None and not worker_grant(desired, pool, proof):
            right = POOL_LOGON_RIGHTS[desired.logon_type]
            through = "" if pool.manual_group_membership else " (nor does IIS_IUSRS, which the worker's token carries)"
            return (
                f'{desired.user} does not hold "{RIGHT_LABELS[right]}" ({right}){through}, which {needed_by} needs: '
                "grant it (webfarm.iis_cluster.user_right)"
            )
    return None


def plan_identity(desired: DesiredIdentity, pool: PoolState, password_matches: bool | None = None) -> list[Change]:
    """The change that gives the pool the identity, or none when it has it.

    A password is compared on the node (``password_matches``); a gMSA holds no password, so a
    password set with its name (left from an earlier identity) is cleared.
    """
    subject = f"application pool {pool.name}"
    same_type = pool.identity_type == desired.identity_type
    same_user = desired.identity_type != SPECIFIC_USER or (pool.user_name or "").lower() == (desired.user or "").lower()
    if desired.password:
        same_password = bool(password_matches)
    elif desired.gmsa:
        same_password = not pool.password_set
    else:
        same_password = True
    if same_type and same_user and same_password and pool.logon_type == desired.logon_type:
        return []
    args: dict[str, t.Any] = {
        "name": pool.name,
        "identity_type": desired.identity_type,
        "logon_type": desired.logon_type,
        "recycle": desired.recycle,
    }
    if desired.user is not None:
        args["user"] = desired.user
    if desired.password:
        args["secret"] = SECRET_REF
    instruction = Instruction("app_pool_identity_set", args)
    changes = [Change(f"{subject} identity", Shown(pool.describe()), Shown(desired.describe()), (instruction,))]
    if desired.password and not same_password:
        changes.append(Change(f"{subject} password", Shown.secret(pool.password_set), Shown.secret(), (), secret=True))
    elif desired.gmsa and pool.password_set:
        changes.append(Change(f"{subject} password", Shown.secret(), Shown.absent(), (), secret=True))
    return changes


def predicted_state(desired: DesiredIdentity, pool: PoolState, changed: bool) -> str:
    """The pool's state once the change is made: a recycle starts a stopped pool."""
    return "Started" if changed and desired.recycle else pool.state


def start_problem(desired: DesiredIdentity, start: t.Mapping[str, t.Any]) -> str | None:
    """Why the pool did not start with the new identity (``app_pool_identity_set``'s
    ``start_error``), and what became of it; None when it started."""
    error = start.get("start_error")
    if error is None:
        return None
    if desired.gmsa:
        reason = (
            f"{describe(int(error['code']), str(error.get('message', '')))}; a worker cannot log a gMSA on when the "
            f"node may not retrieve its password: {_GMSA_REMEDY}"
        )
    else:
        reason = logon_error_problem(
            desired.identity,
            error,
            LOGON_CHECK_TYPE[desired.logon_type],
            "the password given",
            f"the pool's logonType {desired.logon_type}",
        ) or ""
    if start.get("restored"):
        after = f"the previous identity was put back and the pool is {start.get('state')}"
    else:
        after = f"the previous identity could NOT be put back: the pool is {start.get('state')}; fix the cause and run again"
    return f"application pool {desired.pool} did not start as {desired.identity}: {reason}; {after}"
