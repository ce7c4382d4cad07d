# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The preflight of a sync: every condition behind an IISSync status code that can be checked
before IISSync runs (KB Q224801), decided from the nodes' reports.

This is for internal collection use only; the API may change at any time.

Each check names the node where the condition is, the status code IISSync would end with, and
what was found. A condition that could not be read is ``unknown``, with the reason; it does not
stop the sync. 64, 1726 and 0x80080005 cannot be foreseen: they depend on timing, on the network
during the run and on who is logged on at the target then. The MTS replication share (0x80004005,
0x8011040A) is checked only where the catalog shows it: COM+ has no ReplicationShare on its
LocalComputer object (MTS 2.0 had), so on the Windows versions Ansible manages these two checks
are left out rather than reported unknown on every run.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import typing as t

from ._iissync_status import decode
from ._node_session import Outcome
from ._sync_report import NodeReport
from ._windows_errors import describe

PASSED, FAILED, UNKNOWN, WARNING = "passed", "failed", "unknown", "warning"
_ACCESS_DENIED = 0x80070005
_CLASS_NOT_REGISTERED = 0x80040154


@dataclasses.dataclass(frozen=True)
class Check:
    """One condition on one node: what is checked, the IISSync status code a failure causes
    (None for a condition IISSync does not notice, which breaks the targets after a sync that
    succeeds: then ``remedy`` says what to do), the outcome and what was found."""

    condition: str
    node: str
    code: int | None
    outcome: str
    found: str = ""
    remedy: str = ""

    def as_result(self) -> dict[str, t.Any]:
        result = {"condition": self.condition, "node": self.node, "outcome": self.outcome, "found": self.found}
        if self.code is None:
            return {**result, "code": None, "hex": None, "symbol": None}
        status = decode(self.code)
        return {**result, "code": status.code, "hex": status.hex, "symbol": status.status and status.status.symbol}

    def explain(self) -> str:
        """The failure for an operator: where, what was found, and what the code means and
        how to fix it."""
        remedy = self.remedy if self.code is None else decode(self.code).describe()
        return f"{self.node}: {self.condition}: {self.found}. {remedy}"


def preflight_checks(
    source: NodeReport, targets: t.Sequence[NodeReport], probes: t.Mapping[str, Outcome]
) -> list[Check]:
    """The checks of a sync from ``source`` to ``targets``; ``probes`` holds the source's
    ``rpc_probe`` of each target, by the target's computer name."""
    checks = [
        _metabase_readable(source),
        _catalog_healthy(source),
        *_replication_configured(source),
        _components_registered(source),
        _passes_role_check(source),
    ]
    for target in targets:
        checks += [
            _reachable(source, target, probes[target.computer]),
            _same_dcom_protocols(source, target),
            _metabase_readable(target),
            _catalog_healthy(target),
            *_replication_share_valid(source, target),
            _passes_role_check(target),
            _addresses_valid(source, target),
        ]
    return checks


def _metabase_readable(node: NodeReport) -> Check:
    condition = "the metabase is accessible"
    error = node.errors.get("metabase")
    if error is None:
        return Check(condition, node.host, 3, PASSED)
    code = 5 if error.code == _ACCESS_DENIED else 3
    return Check(condition, node.host, code, FAILED, f"reading it failed with {describe(error.code, error.message)}")


def _catalog_healthy(node: NodeReport) -> Check:
    condition = "the COM+ catalog opens"
    error = node.errors.get("complus")
    if error is None:
        return Check(condition, node.host, _CLASS_NOT_REGISTERED, PASSED)
    found = f"opening it failed with {describe(error.code, error.message)}"
    return Check(
        condition, node.host, _CLASS_NOT_REGISTERED, FAILED if error.code == _CLASS_NOT_REGISTERED else UNKNOWN, found
    )


def _replication_configured(source: NodeReport) -> list[Check]:
    condition = "MTS replication is configured on the source"
    catalog = source.parts.get("complus")
    if catalog is None:
        return [Check(condition, source.host, 0x80004005, UNKNOWN, "the COM+ catalog could not be read")]
    share = catalog.get("replication_share")
    if share is None:
        return []
    if not share:
        return [Check(condition, source.host, 0x80004005, FAILED, "no replication share is set")]
    return [Check(condition, source.host, 0x80004005, PASSED, f"replication share {share}")]


def _components_registered(source: NodeReport) -> Check:
    condition = "every component of the replicated COM+ applications is registered"
    catalog = source.parts.get("complus")
    if catalog is None:
        return Check(condition, source.host, 0x80110411, UNKNOWN, "the COM+ catalog could not be read")
    broken = [
        f"{component['prog_id']} {component['clsid']} of {application['name']}"
        for application in catalog["applications"]
        if not application["system"]
        for component in application["components"]
        if not component["registered"]
    ]
    if broken:
        return Check(condition, source.host, 0x80110411, FAILED, f"no CLSID registration for {'; '.join(broken)}")
    return Check(condition, source.host, 0x80110411, PASSED)


def _passes_role_check(node: NodeReport) -> Check:
    condition = "the sync account passes the COM+ System Application's Administrator role check"
    catalog = node.parts.get("complus")
    if catalog is None or "administrator" not in catalog:
        return Check(condition, node.host, 0x80110501, UNKNOWN, "the COM+ catalog could not be read for the account")
    if not catalog["administrator"]:
        return Check(condition, node.host, 0x80110501, FAILED, "the role holds neither the account nor a group of it")
    return Check(condition, node.host, 0x80110501, PASSED)


def _reachable(source: NodeReport, target: NodeReport, probe: Outcome) -> Check:
    condition = f"{source.host} resolves {target.computer} and reaches its RPC endpoint mapper (TCP 135)"
    if probe.status == "ok":
        return Check(condition, target.host, 1722, PASSED, ", ".join(probe.value["addresses"]))
    found = describe(probe.error_code or 0, probe.error_message)
    return Check(condition, target.host, 1722, FAILED, found)


def _same_dcom_protocols(source: NodeReport, target: NodeReport) -> Check:
    condition = "the DCOM default protocols are the source's"
    theirs, ours = target.parts.get("dcom_protocols"), source.parts.get("dcom_protocols")
    if theirs is None or ours is None:
        return Check(condition, target.host, 1060, UNKNOWN, "the DCOM protocols could not be read")
    found = f"{source.host}: {', '.join(ours) or 'none'}; {target.host}: {', '.join(theirs) or 'none'}"
    return Check(condition, target.host, 1060, PASSED if list(theirs) == list(ours) else FAILED, found)


def _replication_share_valid(source: NodeReport, target: NodeReport) -> list[Check]:
    condition = "the MTS replication share is the administration share of the drive COM+ is on"
    catalog, shares = source.parts.get("complus"), target.parts.get("shares")
    if catalog is not None and catalog.get("replication_share") is None:
        return []
    share = (catalog or {}).get("replication_share")
    if not share or shares is None:
        return [
            Check(condition, target.host, 0x8011040A, UNKNOWN, "the replication share or the shares could not be read")
        ]
    drive_root = shares["system_drive"].rstrip("\\") + "\\"
    folder = next((entry["path"] for entry in shares["shares"] if entry["name"].lower() == share.lower()), None)
    if folder is None:
        return [Check(condition, target.host, 0x8011040A, FAILED, f"{target.host} has no share {share}")]
    if folder.rstrip("\\").lower() + "\\" != drive_root.lower():
        return [
            Check(condition, target.host, 0x8011040A, FAILED, f"{share} is {folder}, not the system drive {drive_root}")
        ]
    return [Check(condition, target.host, 0x8011040A, PASSED, f"{share} is {folder}")]


def _addresses_valid(source: NodeReport, target: NodeReport) -> Check:
    condition = "every address of the nodes and the cluster group is valid, used once, in one subnet"
    facts, other = source.parts.get("facts"), target.parts.get("facts")
    cluster = source.parts.get("cluster_addresses")
    if facts is None or other is None or cluster is None:
        return Check(condition, target.host, 0x80110408, UNKNOWN, "the addresses could not be read")
    addresses = [*facts["ip_addresses"], *other["ip_addresses"], *cluster]
    problem = addresses_problem([(entry["address"], entry["prefix_length"]) for entry in addresses])
    listed = ", ".join(f"{entry['address']}/{entry['prefix_length']}" for entry in addresses)
    return Check(condition, target.host, 0x80110408, FAILED if problem else PASSED, problem or listed)


def addresses_problem(addresses: t.Sequence[tuple[str, int]]) -> str | None:
    """Why ``(address, prefix length)`` pairs break COM+ replication, or None: each must be a
    valid unicast host address of its subnet, none may be used twice, and all must share one
    subnet (Q224801)."""
    networks = set()
    seen = set()
    for address, prefix_length in addresses:
        try:
            interface = ipaddress.IPv4Interface(f"{address}/{prefix_length}")
        except ValueError:
            return f"{address}/{prefix_length} is not an IPv4 address"
        network, host = interface.network, interface.ip
        boundary = network.prefixlen < 31 and host in (network.network_address, network.broadcast_address)
        if host.is_unspecified or host.is_loopback or host.is_multicast or boundary:
            return f"{address}/{prefix_length} is not a valid host address"
        if host in seen:
            return f"{address} is used twice"
        seen.add(host)
        networks.add(network)
    if len(networks) > 1:
        return "the addresses are in different subnets: " + ", ".join(sorted(str(network) for network in networks))
    return None
