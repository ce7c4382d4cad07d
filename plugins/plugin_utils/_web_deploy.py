# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KB step 8 on IIS 7-10 by Web Deploy: the skip rules, the instructions, and what a preview or a
sync of each target means.

This is for internal collection use only; the API may change at any time.

The source node runs ``web_deploy_preview`` / ``web_deploy_sync`` once per target (the contract
in ``docs/instruction-set.yml``); each answers Web Deploy's change summary, its per-object
changes and its errors. A target whose answer has errors failed, whatever its counts say; the
errors are worded from the status table (``_apphost_sync_status.decode(code).describe()``).
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._apphost_sync_status import decode
from ._input import InvalidInput
from ._iissync_run import check_targets
from ._node_session import Instruction

PROVIDERS = ("webServer", "appHostConfig")
ENCRYPT_REF = "encrypt"
"""The name the encryption password travels under in node_ops' ``secrets``."""

SYNC_OPTIONS: dict[str, dict[str, t.Any]] = {
    "targets": {"type": "dict", "required": True},
    "provider": {"type": "str", "choices": ["webServer", "appHostConfig"], "default": "webServer"},
    "site": {"type": "str"},
    "node_settings": {"type": "list", "elements": "str", "default": []},
    "encrypt_password": {"type": "str", "no_log": True},
}
"""The options web_deploy_preflight and web_deploy_sync share (``encrypt_password`` no_log)."""

WHAT_IF_NOTE = (
    "The prediction is Web Deploy's what-if, which Microsoft calls an optimistic view: it does not see "
    "failures that happen only when writing (a file in use, the caller's rights on the target's files)."
)

# A node setting: a path of steps from the configuration's root ('name', 'name[@key='value']' or
# '*'), then '@' and the attribute (none: the whole element). No comma: msdeploy's skip spelling
# separates its fields by one.
_STEP = r"(?:\*|[A-Za-z][A-Za-z0-9_.]*(?:\[@[A-Za-z][A-Za-z0-9_]*='[^',]*'\])*)"
_NODE_SETTING = re.compile(rf"^(?P<element>{_STEP}(?:/{_STEP})*)(?:@(?P<attribute>[A-Za-z][A-Za-z0-9_]*))?$")


def skip_rule(setting: str, field: str = "node_settings") -> str:
    """The Web Deploy skip rule (msdeploy's ``-skip`` spelling, one ``DeploymentSkipDirective``)
    that leaves one per-node setting out of a sync: its XPath from the configuration root (the
    lab's README, "metabase_sync_node_settings -> skip directives"). The steps of a node setting
    are XPath steps already: keys are predicates, '*' any one element; ``@attribute`` skips only
    that attribute of the matched elements, a path without one the whole element.

    ``system.applicationHost/sites/site/logFile@directory`` ->
    ``xPath=/system.applicationHost/sites/site/logFile/@directory``
    """
    match = _NODE_SETTING.match(setting)
    if not match:
        raise InvalidInput(
            f"{field}: {setting!r} is not a path to an attribute: steps from the configuration's root "
            "separated by '/', each a name, name[@key='value'] or '*', then '@' and the attribute "
            "(system.applicationHost/sites/site/logFile@directory); no comma"
        )
    attribute = f"/@{match['attribute']}" if match["attribute"] else ""
    return f"xPath=/{match['element']}{attribute}"


def skip_rules(settings: t.Sequence[str], field: str = "node_settings") -> list[str]:
    """The skip rules of every node setting, in order, without repeats."""
    return list(dict.fromkeys(skip_rule(setting, f"{field}[{index}]") for index, setting in enumerate(settings)))


@dataclasses.dataclass(frozen=True)
class SyncSpec:
    """What is synced: the provider (webServer, or appHostConfig of one site), the skip rules and
    whether the encryption password goes along."""

    provider: str
    site: str | None
    skip: tuple[str, ...]
    encrypt: bool

    def instruction(self, op: str, computer: str) -> Instruction:
        args: dict[str, t.Any] = {"computer": computer, "provider": self.provider}
        if self.site is not None:
            args["site"] = self.site
        if self.skip:
            args["skip"] = list(self.skip)
        if self.encrypt:
            args["encrypt_secret"] = ENCRYPT_REF
        return Instruction(op, args)


def sync_spec(provider: str, site: str | None, node_settings: t.Sequence[str], encrypt: bool) -> SyncSpec:
    """The sync the options describe; else :class:`InvalidInput` naming the option and the rule."""
    if provider not in PROVIDERS:
        raise InvalidInput(f"provider: must be one of {', '.join(PROVIDERS)}; got {provider!r}")
    if provider == "appHostConfig" and not site:
        raise InvalidInput("site: provider=appHostConfig syncs one site: name it")
    if provider == "webServer" and site:
        raise InvalidInput("site: provider=webServer syncs the whole server; give a site only with provider=appHostConfig")
    return SyncSpec(provider, site or None, tuple(skip_rules(node_settings)), encrypt)


def check_target_map(targets: t.Mapping[str, t.Any], field: str = "targets") -> dict[str, str]:
    """The targets as inventory host -> computer name, each computer a computer name, none twice."""
    if not isinstance(targets, t.Mapping) or not targets:
        raise InvalidInput(f"{field}: give the targets as a mapping of inventory host to computer name")
    for host, computer in targets.items():
        if not isinstance(computer, str):
            raise InvalidInput(f"{field}.{host}: the computer name is missing; the playbook's pre-flight (node_info) gives it")
    computers = check_targets(list(targets.values()), field)
    if len(computers) != len(targets):
        raise InvalidInput(f"{field}: two targets name the same computer")
    return {str(host): str(computer) for host, computer in targets.items()}


@dataclasses.dataclass(frozen=True)
class SyncRequest:
    """A task of ``web_deploy_preflight`` or ``web_deploy_sync``, checked: the targets (inventory
    host -> computer), what is synced, and the secrets its instructions name."""

    targets: dict[str, str]
    spec: SyncSpec
    secrets: dict[str, str]

    @classmethod
    def from_options(cls, args: t.Mapping[str, t.Any]) -> SyncRequest:
        """The request :data:`SYNC_OPTIONS` describe; else :class:`InvalidInput`."""
        password = args["encrypt_password"]
        spec = sync_spec(args["provider"], args["site"], args["node_settings"], password is not None)
        return cls(check_target_map(args["targets"]), spec, {ENCRYPT_REF: password} if spec.encrypt else {})

    def instructions(self, op: str) -> list[Instruction]:
        """One ``op`` (a preview or a sync) per target, in the targets' order."""
        return [self.spec.instruction(op, computer) for computer in self.targets.values()]


def error_text(error: t.Mapping[str, t.Any]) -> str:
    """One error of a preview or sync, decoded: the table's meaning and remedy, then Web Deploy's text."""
    code, message = error.get("code"), str(error.get("message", "")).strip()
    if code is None:
        return f"Web Deploy gave no error code: {message}"
    return f"{decode(code).describe()} (Web Deploy: {message})" if message else decode(code).describe()


@dataclasses.dataclass(frozen=True)
class TargetOutcome:
    """One target's preview or sync, as web_deploy_preview / web_deploy_sync answered it."""

    host: str
    computer: str
    summary: t.Mapping[str, t.Any]

    @property
    def errors(self) -> list[t.Mapping[str, t.Any]]:
        return list(self.summary.get("errors") or [])

    @property
    def changes(self) -> list[t.Mapping[str, t.Any]]:
        return list(self.summary.get("changes") or [])

    @property
    def out_of_sync(self) -> bool:
        counts = sum(int(self.summary.get(name) or 0) for name in ("added", "updated", "deleted"))
        return bool(counts or self.changes)

    def failure(self) -> str | None:
        """Why this target failed, every error decoded; None when Web Deploy reported none."""
        if not self.errors:
            return None
        return f"{self.host} ({self.computer}): " + " ".join(error_text(error) for error in self.errors)

    def as_result(self) -> dict[str, t.Any]:
        return {
            "host": self.host,
            "computer": self.computer,
            "in_sync": not self.out_of_sync,
            "added": int(self.summary.get("added") or 0),
            "updated": int(self.summary.get("updated") or 0),
            "deleted": int(self.summary.get("deleted") or 0),
            "bytes_copied": int(self.summary.get("bytes_copied") or 0),
            "changes": [{"action": change.get("action"), "path": change.get("path")} for change in self.changes],
            "errors": [
                {**dict(error), "description": error_text(error)} for error in self.errors
            ],
        }

    def diff(self) -> dict[str, str]:
        """The --diff of this target: each change's action and path, never a value."""
        lines = "".join(f"{change.get('action')} {change.get('path')}\n" for change in self.changes)
        return {"before_header": f"{self.host} (Web Deploy what-if)", "after_header": self.host, "prepared": lines or "no change\n"}


def source_problems(info: t.Mapping[str, t.Any], host: str) -> list[str]:
    """Why the source cannot sync at all, from its web_deploy_info."""
    if not info.get("installed"):
        return [
            f"{host}: Web Deploy is not installed on the source node (Microsoft.Web.Deployment 9.0.0.0 does not load): "
            "install Web Deploy 3.6 there, with its remote agent service on every target"
        ]
    return []


def preflight_failures(outcomes: t.Sequence[TargetOutcome]) -> list[str]:
    """Each target whose preview reported errors, decoded."""
    return [failure for failure in (outcome.failure() for outcome in outcomes) if failure]
