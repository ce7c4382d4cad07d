# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Planned changes and how they are shown: results, ``--diff`` and the record of what ran.

This is for internal collection use only; the API may change at any time.

A plan is a list of :class:`Change`. Each says what differs (for the operator) and carries the
instructions that make it right (for the node). A secret is shown only as a marker: a change to
one renders as "changed", never as a value.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._node_session import Instruction

SECRET = "(secret)"
NOT_SET = "(not set)"


@dataclasses.dataclass(frozen=True)
class Shown:
    """A value as it may be shown to the operator: the value itself, or only a marker."""

    text: str

    @classmethod
    def value(cls, value: t.Any) -> Shown:
        if isinstance(value, list):
            return cls("[" + ", ".join(_quote(item) for item in value) + "]")
        if isinstance(value, bool):
            return cls(str(value))
        return cls(_quote(value) if isinstance(value, str) else str(value))

    @classmethod
    def secret(cls, is_set: bool = True) -> Shown:
        return cls(SECRET if is_set else NOT_SET)

    @classmethod
    def absent(cls) -> Shown:
        return cls(NOT_SET)


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between the desired and the current state, and the way to close it."""

    subject: str
    before: Shown
    after: Shown
    instructions: tuple[Instruction, ...]
    secret: bool = False

    def lines(self) -> tuple[str, str]:
        """The before and after lines of this change for ``--diff``."""
        after = f"{self.after.text} (changed)" if self.secret and self.after.text == SECRET else self.after.text
        return f"{self.subject}: {self.before.text}\n", f"{self.subject}: {after}\n"


def render_diff(changes: t.Sequence[Change], header: str) -> dict[str, str]:
    """The ``diff`` entry of a result for ``changes``, headed by ``header`` (e.g. the host)."""
    before = "".join(change.lines()[0] for change in changes)
    after = "".join(change.lines()[1] for change in changes)
    return {"before": before, "after": after, "before_header": header, "after_header": header}


def instructions_of(changes: t.Sequence[Change]) -> list[Instruction]:
    """All instructions of a plan, in order: one apply batch."""
    return [instruction for change in changes for instruction in change.instructions]


def _quote(text: t.Any) -> str:
    return '"' + str(text).replace('"', '\\"') + '"'
