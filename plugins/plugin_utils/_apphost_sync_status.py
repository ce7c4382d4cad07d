# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Step 8 on IIS 7-10: Web Deploy's ``ERROR_*`` codes and the HRESULTs of Shared Configuration,
what each means and what to do.

This is for internal collection use only; the API may change at any time.

:data:`STATUSES` is the one table, in the form of the IISSync table (``_iissync_status``): the
step 8 modules word their failures from it (``decode(code).describe()``), and the
``apphost_sync_status`` filter returns ``decode(code).as_dict()``.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._windows_errors import to_signed, to_unsigned


@dataclasses.dataclass(frozen=True)
class SyncStatus:
    """One status: a Web Deploy error code (``ERROR_FILE_IN_USE``) or an HRESULT, its meaning
    and probable cause, the remedy, and the Microsoft document it comes from."""

    code: str | int
    meaning: str
    remedy: str
    source: str


STATUSES: tuple[SyncStatus, ...] = (
    SyncStatus(
        "ERROR_DESTINATION_NOT_REACHABLE",
        "The target could not be reached: its Web Deploy remote agent service is not running, or the "
        "name or port is wrong, or a firewall blocks it.",
        "Start the Web Deployment Agent Service (MsDepSvc) on the target and check that the source reaches it.",
        "Web Deploy error codes",
    ),
    SyncStatus(
        0x80090005,
        "Bad Data: the node cannot decrypt the configuration's encrypted attributes, as its "
        "configuration keys are not the ones they were encrypted with.",
        "Import the configuration keys exported with the shared configuration on this node.",
        "Shared Configuration",
    ),
)

_BY_CODE: t.Mapping[str | int, SyncStatus] = {status.code: status for status in STATUSES}


@dataclasses.dataclass(frozen=True)
class DecodedSyncStatus:
    """A code and what the table says about it (``status`` is None for a code it does not hold)."""

    code: str | int
    status: SyncStatus | None

    @property
    def spelled(self) -> str:
        return self.code if isinstance(self.code, str) else f"0x{self.code:08X}"

    def describe(self) -> str:
        """One paragraph for an operator: the code, its meaning and cause, and the remedy."""
        if self.status is None:
            return f"{self.spelled} is not a code this collection knows; look it up in Microsoft's error references."
        return f"{self.spelled}: {self.status.meaning} {self.status.remedy}"

    def as_dict(self) -> dict[str, t.Any]:
        status = self.status
        return {
            "code": self.spelled,
            "signed": None if isinstance(self.code, str) else to_signed(self.code),
            "known": status is not None,
            "meaning": status.meaning if status else None,
            "remedy": status.remedy if status else None,
            "source": status.source if status else None,
            "description": self.describe(),
        }


def decode(code: int | str) -> DecodedSyncStatus:
    """Decode a Web Deploy code (``ERROR_FILE_IN_USE``, any case) or an HRESULT in any spelling."""
    if isinstance(code, str) and code.strip().upper().startswith("ERROR_"):
        name = code.strip().upper()
        return DecodedSyncStatus(name, _BY_CODE.get(name))
    value = to_unsigned(code)
    return DecodedSyncStatus(value, _BY_CODE.get(value))
