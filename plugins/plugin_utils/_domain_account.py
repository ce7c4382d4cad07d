# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Decisions about a domain user for IIS (KB Q249603 steps 1-3): what to create or change.

This is for internal collection use only; the API may change at any time.

Pure: it turns what the operator asked for and what a domain controller reported
(``domain_user_get``, ``domain_user_password_matches``, ``domain_password_policy_get``; see
``docs/instruction-set.md``) into a plan.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._changes import Change, Shown
from ._input import InvalidInput
from ._node_session import Instruction
from ._privileged_accounts import why_protected

PASSWORD_REF = "password"
"""The name under which the account's password travels in the ``secrets`` argument."""

DOMAIN_USERS = "Domain Users"
"""Every new domain user's primary group (primaryGroupID 513)."""

OWNER_MARKER = "Created by webfarm.iis_cluster (KB Q249603); its password is managed by it."
"""The user comment (USER_INFO usr_comment, AD attribute ``comment``) of every account the
collection creates or adopts. Not the description, which operators set and edit (an option of the
module, the General tab of Active Directory Users and Computers): a marker there would be lost to
an edit, or forged by one. The user comment is shown by neither tool's usual pages, so it stays
as written; only an account carrying it, exactly, is the collection's to change without
``adopt``."""

UPDATE_ALWAYS = "always"
UPDATE_ON_CREATE = "on_create"
UPDATE_WHEN_CHANGED = "when_changed"
UPDATE_PASSWORD_MODES = (UPDATE_ALWAYS, UPDATE_ON_CREATE, UPDATE_WHEN_CHANGED)

# The boolean settings of a user, as the ops name them, and how a diff names them.
_FLAGS = {
    "enabled": "enabled",
    "password_never_expires": "password never expires",
    "user_cannot_change_password": "user cannot change password",
}


@dataclasses.dataclass(frozen=True)
class AccountState:
    """A domain user as ``domain_user_get`` reported it (``sid`` is None for one only planned).

    ``kind`` is ``user``, ``computer``, ``managed_service_account`` or ``trust``; ``group_sids``
    every group it is in, nested ones included; ``managed`` whether it carries
    :data:`OWNER_MARKER`.
    """

    name: str
    sid: str | None
    description: str
    enabled: bool
    password_never_expires: bool
    user_cannot_change_password: bool
    groups: tuple[str, ...]
    kind: str = "user"
    group_sids: tuple[str, ...] = ()
    admin_count: bool = False
    managed: bool = True

    @classmethod
    def from_report(cls, report: t.Mapping[str, t.Any]) -> AccountState:
        return cls(
            name=str(report["name"]),
            sid=report["sid"],
            description=str(report["description"]),
            enabled=bool(report["enabled"]),
            password_never_expires=bool(report["password_never_expires"]),
            user_cannot_change_password=bool(report["user_cannot_change_password"]),
            groups=tuple(report["groups"]),
            kind=str(report["kind"]),
            group_sids=tuple(report["group_sids"]),
            admin_count=bool(report["admin_count"]),
            managed=str(report["user_comment"] or "").strip() == OWNER_MARKER,
        )

    def as_result(self) -> dict[str, t.Any]:
        result = dataclasses.asdict(self)
        result["groups"] = list(self.groups)
        del result["group_sids"], result["admin_count"]
        return result


@dataclasses.dataclass(frozen=True)
class DesiredAccount:
    """What the operator asked for one domain user. ``description`` None leaves it alone;
    ``password_given`` says whether a password is in the secrets under ``secret_ref``
    (:data:`PASSWORD_REF` unless several accounts share one execution); ``adopt`` lets the
    collection take over an existing account it did not create."""

    name: str
    state: str = "present"
    password_given: bool = False
    update_password: str = UPDATE_WHEN_CHANGED
    description: str | None = None
    enabled: bool = True
    password_never_expires: bool = True
    user_cannot_change_password: bool = True
    groups: tuple[str, ...] = (DOMAIN_USERS,)
    adopt: bool = False
    secret_ref: str = PASSWORD_REF

    def flag(self, name: str) -> bool:
        return bool(getattr(self, name))


def password_to_set(desired: DesiredAccount, exists: bool, password_matches: bool | None) -> bool:
    """Whether an existing account's password is (re)set, by ``update_password``.

    ``always`` sets it on every run (and so always reports a change); ``on_create`` only when
    the account is created; ``when_changed`` when the domain controller says the given password
    does not log the account on (``password_matches``, asked only in that mode).
    """
    if not desired.password_given or not exists:
        return False
    if desired.update_password == UPDATE_ALWAYS:
        return True
    if desired.update_password == UPDATE_WHEN_CHANGED:
        return not password_matches
    return False


def plan_account(
    desired: DesiredAccount, current: AccountState | None, password_matches: bool | None = None
) -> list[Change]:
    """What to change so that the domain user is as ``desired``.

    A change of password comes first, so that a password the domain refuses (NERR_PasswordTooShort)
    stops the run before anything else is written. An existing account is changed (or deleted)
    only when :func:`check_may_change` allows it.
    """
    subject = desired.name
    if current is None:
        return [] if desired.state == "absent" else _creation(desired)
    adoption = check_may_change(desired, current)
    if desired.state == "absent":
        return [Change(subject, Shown("present"), Shown.absent(), (Instruction("domain_user_delete", {"name": subject}),))]

    changes: list[Change] = []
    if password_to_set(desired, True, password_matches):
        set_password = Instruction("domain_user_set_password", {"name": current.name, "secret": desired.secret_ref})
        changes.append(Change(f"{subject} password", Shown.secret(), Shown.secret(), (set_password,), secret=True))
    if desired.description is not None and desired.description != current.description:
        instruction = Instruction("domain_user_set", {"name": current.name, "description": desired.description})
        changes.append(
            Change(f"{subject} description", Shown.value(current.description), Shown.value(desired.description), (instruction,))
        )
    for flag, label in _FLAGS.items():
        wanted = desired.flag(flag)
        if getattr(current, flag) != wanted:
            instruction = Instruction("domain_user_set", {"name": current.name, flag: wanted})
            changes.append(Change(f"{subject} {label}", Shown.value(not wanted), Shown.value(wanted), (instruction,)))
    changes.extend(_group_changes(desired, current.name, current.groups))
    if adoption is not None:
        changes.append(adoption)
    return changes


def check_may_change(desired: DesiredAccount, current: AccountState) -> Change | None:
    """Refuse an account the collection must not change; else the change that marks an account
    taken over with ``adopt`` as the collection's (None when it already is).

    A built-in, privileged or machine account is refused even with ``adopt``: making it the
    site's anonymous user would run every anonymous request with its rights. An account without
    :data:`OWNER_MARKER` is another's: resetting its password would lock out whatever logs on
    with it.
    """
    reason = why_protected(str(current.sid), current.kind, current.group_sids, current.admin_count)
    if reason is not None:
        raise InvalidInput(
            f"name: the domain account {current.name!r} is {reason}; the collection never changes such an "
            "account, adopt or not. Name an ordinary account of its own for IIS (iis_cluster_account_base, "
            "iis_cluster_iusr_name, iis_cluster_iwam_name)"
        )
    if current.managed:
        return None
    if not desired.adopt:
        raise InvalidInput(
            f"name: the domain account {current.name!r} exists and was not created by this collection (its user "
            "comment lacks the webfarm.iis_cluster marker); changing its password or settings could lock out what "
            "else uses it. Name an account that does not exist yet, or take this one over with adopt: true (role "
            "variable domain_accounts_adopt_existing)"
        )
    mark = Instruction("domain_user_set", {"name": current.name, "user_comment": OWNER_MARKER})
    return Change(f"{desired.name} owner", Shown.value("another"), Shown.value("webfarm.iis_cluster"), (mark,))


def predicted_account(desired: DesiredAccount, current: AccountState | None) -> AccountState | None:
    """The account as it will be once the plan is applied (for check mode)."""
    if desired.state == "absent":
        return None
    base = current or AccountState(desired.name, None, "", True, True, True, (DOMAIN_USERS,))
    missing = tuple(group for group in desired.groups if not _has_group(base.groups, group))
    return dataclasses.replace(
        base,
        description=base.description if desired.description is None else desired.description,
        enabled=desired.enabled,
        password_never_expires=desired.password_never_expires,
        user_cannot_change_password=desired.user_cannot_change_password,
        groups=base.groups + missing,
        managed=base.managed or desired.adopt,
    )


# The five classes of MS-SAMR 3.1.1.7.2 (Cleartext Password Policy); a complex password has
# characters of three.
_ASCII_SYMBOLS = frozenset("~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/")


def policy_refuses(password: str, account: str, policy: t.Mapping[str, t.Any]) -> bool:
    """Whether the domain's ``policy`` (``domain_password_policy_get``) certainly refuses
    ``password`` for ``account``, by the rules of MS-SAMR 3.1.1.7.2: shorter than the minimum
    length; or, with complexity, the account name (of three characters or more) inside it, or
    characters of fewer than three classes.

    Asked before the first password is written, so that a refusal of the second account's
    password cannot leave the first one changed. Where the classes are unclear a character
    counts in its favour: this answers only for what a domain controller would refuse too."""
    if len(password) < int(policy["min_length"]):
        return True
    if not policy["complexity"]:
        return False
    if len(account) > 2 and account.lower() in password.lower():
        return True
    classes = {_character_class(character) for character in password} - {None}
    return len(classes) < 3


def _character_class(character: str) -> str | None:
    if character.isupper():
        return "upper"
    if character.islower():
        return "lower"
    if "0" <= character <= "9":
        return "digit"
    if character in _ASCII_SYMBOLS:
        return "symbol"
    return "letter" if character.isalpha() else None


def password_rejected(field: str, account: str, domain: str, policy: t.Mapping[str, t.Any]) -> InvalidInput:
    """The failure for a password the domain controller refused with NERR_PasswordTooShort,
    naming the field and the domain's rules (the password itself is never shown)."""
    rules = [f"at least {policy['min_length']} characters"]
    if policy["complexity"]:
        rules.append(
            "complexity: characters of three kinds (upper case, lower case, digits, symbols), at least six, "
            f"and not the account name {account!r}"
        )
    return InvalidInput(
        f"{field}: the password policy of the domain {domain} rejects it (NERR_PasswordTooShort, 2245); "
        f"it requires {'; '.join(rules)}"
    )


def _creation(desired: DesiredAccount) -> list[Change]:
    if not desired.password_given:
        raise InvalidInput(f"password: required to create the domain account {desired.name}")
    add = Instruction(
        "domain_user_add",
        {
            "name": desired.name,
            "secret": desired.secret_ref,
            "description": desired.description or "",
            "user_comment": OWNER_MARKER,
            **{flag: desired.flag(flag) for flag in _FLAGS},
        },
    )
    settings = ", ".join(label for flag, label in _FLAGS.items() if desired.flag(flag)) or "disabled"
    changes = [
        Change(desired.name, Shown.absent(), Shown(f"present ({settings})"), (add,)),
        Change(f"{desired.name} password", Shown.absent(), Shown.secret(), (), secret=True),
    ]
    return changes + _group_changes(desired, desired.name, (DOMAIN_USERS,))


def _group_changes(desired: DesiredAccount, name: str, current: tuple[str, ...]) -> list[Change]:
    missing = [group for group in desired.groups if not _has_group(current, group)]
    if not missing:
        return []
    instructions = tuple(Instruction("domain_group_add_member", {"group": group, "name": name}) for group in missing)
    return [Change(f"{desired.name} groups", Shown.value(list(current)), Shown.value([*current, *missing]), instructions)]


def _has_group(groups: t.Iterable[str], group: str) -> bool:
    return group.lower() in (known.lower() for known in groups)
