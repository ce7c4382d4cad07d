"""`make demo` twice: playbooks/cluster_iis.yml, run by the real ansible-playbook, converges a lab
served with `--state-dir D --resume`; the lab is stopped and served again with `--resume`, and
the second run changes nothing on any host."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from lab_harness import ROOT, Lab

PLAYBOOK = "webfarm.iis_cluster.cluster_iis"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())


@pytest.fixture
def lab(tmp_path: Path) -> t.Iterator[Lab]:
    """The default lab served with --resume from an empty state directory."""
    running = Lab(tmp_path, resume=True)
    try:
        yield running
    finally:
        running.stop()


def test_a_converged_cluster_is_still_converged_after_the_lab_restarts(lab: Lab) -> None:
    first = lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS)

    assert "resumed" not in lab.announced  # no state yet: the topology's freshly installed lab
    assert first.rc == 0, first.output
    assert first.changed()["node1"] > 0 and first.changed()["node2"] > 0
    recorded = lab.state()

    announced = lab.restart()

    assert f"resumed from {lab.state_dir / 'state.json'}" in announced
    assert lab.state() == recorded  # the resumed model writes back what it was loaded from

    second = lab.playbook(PLAYBOOK, extra_vars=DEMO_VARS)

    assert second.rc == 0, second.output
    assert {"node1", "node2"} <= set(second.changed()) and set(second.changed().values()) == {0}
    assert lab.state() == recorded
    # The process record spans both lifetimes of the lab: the first run's sync, none since.
    assert len(lab.iissync_runs()) == 1
    for secret in (DEMO_VARS["iis_cluster_iusr_password"], DEMO_VARS["iis_cluster_iwam_password"]):
        lab.assert_never_exposed(secret, [first, second])
