# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check mode's prediction of the IISSync step (KB Q249603 step 8): how a target will differ from
the source once step 6 has changed the source's anonymous identity earlier in the same run.

This is for internal collection use only; the API may change at any time.

In check mode step 6 changes nothing, so the preflight compares each target with the source as it
is, not as the sync will find it. A site whose anonymous identity step 6 would change on the
source is then told apart by the target's own answer, in its report: whether it already holds the
identity step 6 sets (``holds_anonymous_identity``). A target that holds it will equal the source
there after step 6, whatever they differ in now (a password changed by hand on the source); one
that does not will differ, however equal they are now (a rotated password).
"""

from __future__ import annotations

import dataclasses
import typing as t

from ._iis_identity import ANONYMOUS_PROPERTIES
from ._input import InvalidInput
from ._metabase_compare import CHANGED, KeyDifference, PropertyDifference


@dataclasses.dataclass(frozen=True)
class PendingIdentity:
    """A site whose anonymous identity step 6 would change on the source: its key's metabase
    path (``/LM/W3SVC/1/ROOT``), and whether the change also removes overrides below it."""

    path: str
    removes_overrides: bool = False


def pending_identities(sites: t.Sequence[t.Any], field: str) -> list[PendingIdentity]:
    """The pending identities of step 6's site results (``anonymous_identities``' ``sites`` that
    changed, in check mode); raises :class:`InvalidInput` naming ``field`` for anything else."""
    pending = []
    for index, site in enumerate(sites):
        path = site.get("metabase_path") if isinstance(site, t.Mapping) else None
        if not isinstance(path, str) or not path.startswith("/LM/"):
            raise InvalidInput(
                f"{field}[{index}]: is not a site result of webfarm.iis_cluster.anonymous_identities (its "
                "metabase_path, /LM/...); give the sites of its registered result that changed"
            )
        pending.append(PendingIdentity(path, bool(site.get("overrides_removed"))))
    return pending


def predicted_differences(
    differences: t.Sequence[KeyDifference],
    pending: t.Sequence[PendingIdentity],
    holds: t.Mapping[str, bool] | None,
) -> list[KeyDifference] | None:
    """How a target will differ from the source once step 6 has made the ``pending`` changes on
    the source: its ``differences`` from the source as it is, but the anonymous identity's at
    each pending key where the target ``holds`` the identity step 6 sets (by metabase path), and
    the whole identity at each pending key where it does not. None when that cannot be told: the
    target was not asked about a pending key, or step 6 also removes overrides below it (keys the
    target's answer about the site's key says nothing about); the target then counts as out of
    sync."""
    held = {path.lower(): answer for path, answer in (holds or {}).items()}
    if any(identity.removes_overrides or identity.path.lower() not in held for identity in pending):
        return None
    settled = {identity.path.lower() for identity in pending if held[identity.path.lower()]}
    anonymous = {name.lower() for name in ANONYMOUS_PROPERTIES}
    kept = []
    for key in differences:
        if key.kind == CHANGED and key.path.lower() in settled:
            properties = tuple(prop for prop in key.properties if prop.name.lower() not in anonymous)
            if properties:
                kept.append(dataclasses.replace(key, properties=properties))
        else:
            kept.append(key)
    listed = {key.path.lower() for key in kept}
    kept += [
        KeyDifference(identity.path, CHANGED, tuple(PropertyDifference(name, CHANGED) for name in ANONYMOUS_PROPERTIES))
        for identity in pending
        if not held[identity.path.lower()] and identity.path.lower() not in listed
    ]
    return kept
