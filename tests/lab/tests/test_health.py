"""The lab's own answer to "does every node work?", read from its recorded state."""

from __future__ import annotations

from pathlib import Path

from iis_lab.health import problems
from iis_lab.lab import Lab
from iis_lab.state import lab_state
from iis_lab.windows.complus import IIS_POOLED_APPLICATION_ID


def _problems(lab: Lab) -> list[str]:
    return problems(lab_state(lab.topology, lab.domain, lab.hosts, lambda secret: "digest"))


def test_a_fresh_lab_works() -> None:
    assert _problems(Lab.from_topology(None)) == []


def test_a_fresh_cluster_of_domain_controllers_works() -> None:
    # IIS setup on a domain controller makes IUSR_<node> a domain account with password sync on;
    # the sub-authenticator validates against the controller's own database, the domain's.
    topology = Path(__file__).resolve().parents[1] / "iis_lab" / "topologies" / "domain_controllers.yml"
    assert _problems(Lab.from_topology(str(topology))) == []


def test_a_replicated_metabase_whose_local_accounts_the_target_lacks_does_not_work() -> None:
    lab = Lab.from_topology(None)
    node1, node2 = lab.hosts[1], lab.hosts[2]
    node2.open_metabase().replicate_from(node1.open_metabase())
    found = _problems(lab)
    assert "NODE2: anonymous requests to /LM/MSFTPSVC/1 do not log IUSR_NODE1 on: AnonymousPasswordSync is True and the user is not an account of this host" in found
    assert (
        "NODE2: COM+ application 'IIS Out-Of-Process Pooled Applications' runs as IWAM_NODE2, not as WAMUserName IWAM_NODE1"
        in found
    )


def test_an_application_whose_identity_does_not_log_on_does_not_work() -> None:
    lab = Lab.from_topology(None)
    node1 = lab.hosts[1]
    pooled = node1.complus.find(IIS_POOLED_APPLICATION_ID)
    assert pooled is not None
    pooled.password = "not the password"
    [found] = _problems(lab)
    assert found.startswith("NODE1: COM+ application 'IIS Out-Of-Process Pooled Applications' cannot log its identity IWAM_NODE1 on: 0x0000052E")
