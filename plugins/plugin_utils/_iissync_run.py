# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Running iissync.exe: the target names it may be given, and the outcome of each target of a
run, read from what it printed.

This is for internal collection use only; the API may change at any time.

iissync prints nothing for a target it replicated. For a target it could not, it prints (the
text may wrap over several lines)::

    Error replicating to target NODE2: The specified network name is no
    longer available.
    Error code 64 (00000040)

and, after the last target, ``At least one target computer was not replicated successfully.``
Its exit code is 0 when every target was replicated. A run that failed as a whole (nothing
replicated, no target named) is reported with its exit code for every target.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._iissync_status import DecodedStatus, decode
from ._input import InvalidInput

EXECUTABLE = "%SystemRoot%\\system32\\inetsrv\\iissync.exe"

# How often and how long a target failing with a transient status is retried: more would hold a
# play for hours on a target that is down.
MAX_RETRIES = 10
MAX_RETRY_DELAY = 300
# A NetBIOS computer name or a DNS name; node_ops refuses anything else too.
_COMPUTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9][A-Za-z0-9-]{0,62})*$")

_TARGET_FAILED = re.compile(r"^Error replicating to target (?P<target>[^\s:]+)\s*:\s*(?P<text>.*)$", re.IGNORECASE)
_CODE = re.compile(r"^Error code (?P<decimal>-?\d+)(?:\s*\((?:0x)?(?P<hex>[0-9A-Fa-f]{1,8})\))?\s*$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class TargetOutcome:
    """How one target of a run ended: its status (0 when replicated) and what iissync said."""

    target: str
    status: DecodedStatus
    text: str = ""

    @property
    def replicated(self) -> bool:
        return self.status.code == 0


def check_targets(targets: t.Sequence[str], field: str = "targets") -> list[str]:
    """The target computer names, each checked to be one, without repeats (case-insensitive)."""
    if not targets:
        raise InvalidInput(f"{field}: give at least one target computer name")
    unique: dict[str, str] = {}
    for name in targets:
        if not _COMPUTER_NAME.match(name):
            raise InvalidInput(
                f"{field}: {name!r} is not a computer name (a NetBIOS or DNS name of letters, digits, hyphens and dots)"
            )
        unique.setdefault(name.lower(), name)
    return list(unique.values())


def command_line(targets: t.Sequence[str]) -> str:
    """The command iissync runs as, for the record (node_ops passes each target as one argument)."""
    return " ".join([EXECUTABLE, *targets])


def parse_run(targets: t.Sequence[str], output: str, exit_code: int) -> list[TargetOutcome]:
    """The outcome of each of ``targets``, in their order, from one run's output and exit code."""
    failures = _failures(output)
    if exit_code != 0 and not failures:
        text = " ".join(line.strip() for line in output.splitlines() if line.strip())
        return [TargetOutcome(target, decode(exit_code), text) for target in targets]
    return [
        (
            dataclasses.replace(failures[target.lower()], target=target)
            if target.lower() in failures
            else TargetOutcome(target, decode(0))
        )
        for target in targets
    ]


def _failures(output: str) -> dict[str, TargetOutcome]:
    """Each failed target (by lower-case name) with its code and text."""
    failures: dict[str, TargetOutcome] = {}
    target: str | None = None
    text: list[str] = []
    for raw in output.splitlines():
        line = raw.strip()
        started = _TARGET_FAILED.match(line)
        if started:
            target, text = started.group("target"), [started.group("text")]
            continue
        code = _CODE.match(line)
        if code and target is not None:
            value = int(code.group("hex"), 16) if code.group("hex") else int(code.group("decimal"))
            failures[target.lower()] = TargetOutcome(target, decode(value), " ".join(part for part in text if part))
            target = None
        elif target is not None:
            text.append(line)
    return failures
