"""The lab holds itself to the instruction set as data (docs/instruction-set.yml): the same ops,
write flags and arguments, and every value inside the op's result schema."""

from __future__ import annotations

import dataclasses
import typing as t

import pytest
from conftest import NodeOps

import iis_lab.node_ops
from iis_lab.node_ops import OPS
from iis_lab.node_ops.contract import ContractViolation, check_result, contract_modules, contract_ops
from iis_lab.node_ops.spec import ArgType

# The contract's name of each argument type.
_TYPE_NAMES = {
    ArgType.STR: "str",
    ArgType.BOOL: "bool",
    ArgType.INT: "int",
    ArgType.STR_LIST: "str_list",
    ArgType.ANY: "any",
    ArgType.SECRET: "secret",
}


def test_the_lab_runs_the_contracts_ops_with_its_write_flags_and_arguments() -> None:
    contract = contract_ops()
    assert sorted(OPS) == sorted(contract)
    for name, spec in OPS.items():
        declared = contract[name]
        assert spec.write is declared["write"], name
        assert {arg.name: (_TYPE_NAMES[arg.type], arg.required) for arg in spec.args} == {
            arg: (settings["type"], settings.get("required", False)) for arg, settings in declared["args"].items()
        }, name
        assert [list(group) for group in spec.exactly_one_of] == ([declared["one_of"]] if "one_of" in declared else [])


def test_every_op_of_the_contract_describes_its_result() -> None:
    assert [
        name for name, op in contract_ops().items() if set(op) - {"one_of"} != {"write", "util", "args", "result"}
    ] == []


def test_every_op_runs_in_a_util_some_module_loads_and_node_ops_loads_them_all() -> None:
    utils = {op["util"] for op in contract_ops().values()}
    assert utils <= contract_modules()["node_ops"]
    assert [name for name, loaded in contract_modules().items() if not loaded & utils] == []


def test_an_op_the_contract_does_not_describe_is_refused() -> None:
    with pytest.raises(ContractViolation, match="not in docs/instruction-set.yml"):
        check_result("metabase_rename", None)


def test_a_value_in_the_shape_the_contract_describes_passes() -> None:
    check_result("dcom_protocols", ["ncacn_ip_tcp"])
    check_result("metabase_backup_list", [{"name": "a", "version": 0, "date": "2024-05-01T10:15:00Z"}])


@pytest.mark.parametrize(
    ("op", "value"),
    [
        # What Windows PowerShell 5.1 makes of a PSObject-wrapped array (issue 10, finding 1).
        ("dcom_protocols", {"value": ["ncacn_ip_tcp"], "Count": 1}),
        ("metabase_backup_list", [{"name": "a", "version": 0, "date": "2024-05-01 10:15:00"}]),
        ("cluster_addresses", [{"address": "10.0.0.1", "prefix_length": 24, "mask": "255.255.255.0"}]),
        ("iissync_run", {"exit_code": 0}),
    ],
)
def test_a_value_outside_the_contract_is_refused(op: str, value: t.Any) -> None:
    with pytest.raises(ContractViolation, match=op):
        check_result(op, value)


def test_a_lab_op_answering_in_a_wrong_shape_fails_the_call(node_ops: NodeOps, monkeypatch) -> None:
    wrapped = dataclasses.replace(OPS["dcom_protocols"], run=lambda context, args: {"value": [], "Count": 0})
    monkeypatch.setattr(iis_lab.node_ops, "OPS", {**OPS, "dcom_protocols": wrapped})

    with pytest.raises(ContractViolation, match="dcom_protocols"):
        node_ops({"op": "dcom_protocols", "args": {}})
