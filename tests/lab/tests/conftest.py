"""Fixtures for the model, node_ops and CLI tests: a default lab, and node_ops called on it the
way the controller calls it."""

from __future__ import annotations

import os
import socket
import typing as t

import pytest

from iis_lab.lab import Lab
from iis_lab.provision import provision
from iis_lab.topology import default_document, parse_topology

ADMIN = "WEBFARM\\Administrator"
IIS10_TOPOLOGY = os.path.join(os.path.dirname(__file__), "..", "iis_lab", "topologies", "iis10.yml")
"""A domain controller and three IIS 10 nodes: a test module sets ``LAB_TOPOLOGY`` to it."""

Instruction = dict[str, t.Any]


class NodeOps:
    """Calls the node_ops module of a lab host with the arguments the controller sends."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def __call__(
        self,
        *instructions: Instruction,
        host: str = "NODE1",
        secrets: dict[str, t.Any] | None = None,
        check_mode: bool = False,
        become_password: bool | None = None,
        **module_args: t.Any,
    ) -> dict[str, t.Any]:
        """``become_password``: None runs the module as the WinRM logon (the domain
        administrator); True or False runs it through runas become as that account, with or
        without a password."""
        args: dict[str, t.Any] = {
            "instructions": list(instructions),
            "secrets": {} if secrets is None else secrets,
            "_ansible_check_mode": check_mode,
            "_ansible_no_log": False,
            "_ansible_diff": False,
            "_ansible_verbosity": 0,
            "_ansible_module_name": "webfarm.iis_cluster.node_ops",
            **module_args,
        }
        address = next(candidate.address for candidate in self.lab.hosts if candidate.name == host)
        return self.lab.run_node_ops(
            address,
            args,
            user=ADMIN,
            become_user=None if become_password is None else ADMIN,
            become_with_password=bool(become_password),
        )

    def values(self, *instructions: Instruction, **kwargs: t.Any) -> list[t.Any]:
        """The values of a batch that must succeed as a whole."""
        result = self(*instructions, **kwargs)
        assert "failed" not in result, result.get("msg")
        assert [entry["status"] for entry in result["results"]] == ["ok"] * len(instructions), result["results"]
        return [entry["value"] for entry in result["results"]]

    def value(self, instruction: Instruction, **kwargs: t.Any) -> t.Any:
        """The value of one instruction that must succeed."""
        return self.values(instruction, **kwargs)[0]


def op(op_name: str, **args: t.Any) -> Instruction:
    """One instruction, as the controller sends it."""
    return {"op": op_name, "args": args}


def failure(result: dict[str, t.Any]) -> dict[str, t.Any]:
    """The error of the one instruction of a batch that failed."""
    [entry] = [entry for entry in result["results"] if entry["status"] == "failed"]
    return entry["error"]


@pytest.fixture
def lab(request: pytest.FixtureRequest, tmp_path: t.Any) -> Lab:
    """A fresh lab: the default one (DC1, NODE1, NODE2), recording nothing on disk, or the test
    module's ``LAB_TOPOLOGY``, recording its state under the test's own folder."""
    topology = getattr(request.module, "LAB_TOPOLOGY", None)
    return Lab.from_topology(None) if topology is None else Lab.from_topology(topology, str(tmp_path))


@pytest.fixture
def node_ops(lab: Lab) -> NodeOps:
    return NodeOps(lab)


def lab_of(**changes: t.Any) -> Lab:
    """A lab of the default topology with its top-level keys changed (``faults=[...]``), or a
    host's keys (``NODE2={"complus_applications": [...]}``)."""
    document = default_document(**changes)
    topology = parse_topology(document, "test")
    domain, hosts = provision(topology)
    return Lab(topology, domain, hosts)


MetabaseReader = t.Callable[[str, str, str], t.Any]


@pytest.fixture
def read_metabase(lab: Lab) -> MetabaseReader:
    """Reads the effective value of a property straight from a host's model:
    ``read_metabase("NODE1", "W3SVC", "WAMUserPass")``."""

    def read(host: str, path: str, name: str) -> t.Any:
        metabase = next(candidate.metabase for candidate in lab.hosts if candidate.name == host)
        assert metabase is not None, f"{host} has no IIS"
        return metabase.read(path, name).value

    return read


@pytest.fixture
def free_port(lab: Lab) -> int:
    """A TCP port free on every address of the default lab, for tests that start listeners."""
    with socket.socket() as probe:
        probe.bind((lab.addresses[0], 0))
        port = probe.getsockname()[1]
    for address in lab.addresses:
        with socket.socket() as probe:
            probe.bind((address, port))
    return t.cast(int, port)
