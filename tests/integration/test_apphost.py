"""The IIS 7-10 modules (web_config, app_pool_identity) and the backend a node reports, run by the
real ansible-playbook over WinRM against the lab's IIS 10 nodes (topology iis10.yml)."""

from __future__ import annotations

import secrets
import typing as t
from pathlib import Path

import pytest
import yaml
from iis_lab.topology import default_document
from lab_harness import ROOT, Lab, topology_file

IIS10 = ROOT / "tests" / "lab" / "iis_lab" / "topologies" / "iis10.yml"
LAB_TOPOLOGY = IIS10  # the lab fixture's (conftest.py): a domain controller and three IIS 10 nodes
ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
POOLS = "system.applicationHost/applicationPools"
POOL_USER = "WEBFARM\\pool_shop"
GMSA = "WEBFARM\\WebFarmPool$"
DEMO_VARS = yaml.safe_load((ROOT / "tests" / "lab" / "cluster-vars.yml").read_text())



def _iis(lab: Lab, node: str = "node1") -> dict[str, t.Any]:
    return lab.state()["hosts"][node.upper()]["iis"]


def _config(lab: Lab) -> dict[str, str]:
    """Every node's applicationHost.config as the file holds it."""
    return {name: host["iis"]["applicationhost"] for name, host in lab.state()["hosts"].items() if host.get("iis")}


def assert_pools_run(lab: Lab) -> None:
    """Every pool of every IIS node is started and its worker's identity logs on."""
    for name, host in lab.state()["hosts"].items():
        for pool, entry in (host.get("iis") or {}).get("pools", {}).items():
            assert (entry["state"], entry["logon_error"]) == ("Started", None), f"{name} {pool}: {entry}"


def _executions(lab: Lab, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for process in lab.processes()[since:]:
        counts[process["host"]] = counts.get(process["host"], 0) + 1
    return counts


def _web_config(lab: Lab, *options: str, leaves_broken: str = "", **extra: t.Any):
    return lab.playbook("web_config.yml", *options, extra_vars={"target": "node1", **extra}, leaves_broken=leaves_broken)


def test_an_attribute_at_a_location_check_mode_then_set_then_idempotent_in_two_then_one_execution(lab: Lab) -> None:
    setting = {"section": ANONYMOUS, "location": "Shop/checkout", "attribute": "enabled", "value": False}
    before = _config(lab)
    started = len(lab.processes())
    check = _web_config(lab, "--check", "--diff", **setting)
    assert check.rc == 0, check.output
    assert _config(lab) == before
    assert _executions(lab, started) == {"NODE1": 1}
    predicted = check.result("Setting", "node1")
    assert predicted["changed"] is True
    assert predicted["before"] == {"origin": "inherited", "encrypted": False, "value": "true"}
    assert predicted["after"] == {"origin": "set", "encrypted": False, "value": "false"}
    assert predicted["diff"]["after"].endswith('@enabled: "false"\n')

    started = len(lab.processes())
    run = _web_config(lab, **setting)
    assert run.rc == 0, run.output
    assert _executions(lab, started) == {"NODE1": 2}
    assert run.result("Setting", "node1")["after"] == {"origin": "set", "encrypted": False, "value": "false"}
    assert '<location path="Shop/checkout">' in _iis(lab)["applicationhost"]
    assert '<anonymousAuthentication enabled="false" />' in _iis(lab)["applicationhost"]
    assert _config(lab)["NODE2"] == before["NODE2"]

    started = len(lab.processes())
    again = _web_config(lab, **setting)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0}
    assert _executions(lab, started) == {"NODE1": 1}

    # Cleared, the location inherits the parent location's value again; check mode predicts it.
    cleared = {key: value for key, value in setting.items() if key != "value"}
    check = _web_config(lab, "--check", state="absent", **cleared)
    assert check.result("Setting", "node1")["after"] == {"origin": "inherited", "encrypted": False, "value": "true"}
    run = _web_config(lab, state="absent", **cleared)
    assert run.rc == 0, run.output
    assert run.result("Setting", "node1")["after"] == {"origin": "inherited", "encrypted": False, "value": "true"}
    assert '<anonymousAuthentication enabled="false" />' not in _iis(lab)["applicationhost"]
    assert _web_config(lab, state="absent", **cleared).changed() == {"node1": 0}
    assert_pools_run(lab)


def test_an_encrypted_password_is_compared_on_the_node_and_never_shown(lab: Lab) -> None:
    password = f"Anon-{secrets.token_hex(8)}"
    setting = {"section": ANONYMOUS, "attribute": "password", "secret": password}
    runs = [
        _web_config(lab, "-vvvv", "--diff", "--check", **setting),
        _web_config(lab, "-vvvv", "--diff", **setting),
        _web_config(lab, "-vvvv", "--diff", **setting),
    ]
    assert [run.rc for run in runs] == [0, 0, 0], runs[-1].output
    assert [run.changed() for run in runs] == [{"node1": 1}, {"node1": 1}, {"node1": 0}]
    applied = runs[1].result("Setting", "node1")
    assert applied["after"] == {"origin": "set", "encrypted": True}
    assert applied["diff"]["after"].endswith("@password: (secret) (changed)\n")
    assert "[enc:AesProvider:" in _iis(lab)["applicationhost"] or "[enc:IISCngProvider:" in _iis(lab)["applicationhost"]
    lab.assert_never_exposed(password, runs)

    refused = _web_config(lab, section=ANONYMOUS, attribute="password", value=password)
    assert refused.rc != 0
    assert "value: password is encrypted in the configuration; give it in secret_value" in refused.output
    lab.assert_never_exposed(password, [*runs, refused])


def test_a_site_sets_a_section_web_config_files_may_not_override_and_a_write_iis_refuses_changes_nothing(lab: Lab) -> None:
    # anonymousAuthentication's schema denies overrides; a site's value goes into a <location>.
    site = _web_config(lab, section=ANONYMOUS, location="Shop", attribute="userName", value="")
    assert site.rc == 0, site.output
    assert site.result("Setting", "node1")["after"] == {"origin": "set", "encrypted": False, "value": ""}
    assert _iis(lab)["sites"]["Shop"]["anonymous_logon_error"] is None

    before = _config(lab)
    for args in (("--check",), ()):
        run = _web_config(lab, *args, section=POOLS, location="Shop", element="add[@name='Shop']", attribute="autoStart", value=False)
        assert run.rc != 0
        message = run.result("Setting", "node1")["msg"]
        assert message.startswith(
            "location: applicationHost.config may not hold system.applicationHost/applicationPools at 'Shop'"
        ), message
        assert "(AppHostOnly, such as applicationPools and sites) is set with location ''" in message
    assert _config(lab) == before


def test_a_collection_item_is_added_kept_and_removed(lab: Lab) -> None:
    item = {"section": POOLS, "element": "add[@name='Api']", "attributes": {"startMode": "AlwaysRunning", "autoStart": True}}
    run = _web_config(lab, "--diff", **item)
    assert run.rc == 0, run.output
    result = run.result("Setting", "node1")
    assert result["before"] == {"exists": False, "attributes": {}}
    assert result["after"]["exists"] is True
    assert result["after"]["attributes"]["startMode"] == {"origin": "set", "encrypted": False, "value": "AlwaysRunning"}
    assert '<add name="Api" startMode="AlwaysRunning" autoStart="true"' in _iis(lab)["applicationhost"]
    assert _web_config(lab, **item).changed() == {"node1": 0}

    changed = _web_config(lab, **{**item, "attributes": {"startMode": "OnDemand"}})
    assert changed.changed() == {"node1": 1}
    assert '<add name="Api" startMode="OnDemand"' in _iis(lab)["applicationhost"]

    removed = _web_config(lab, section=POOLS, element="add[@name='Api']", state="absent")
    assert removed.changed() == {"node1": 1}
    assert 'name="Api"' not in _iis(lab)["applicationhost"]
    assert _web_config(lab, section=POOLS, element="add[@name='Api']", state="absent").changed() == {"node1": 0}


def test_a_bad_element_path_fails_before_any_remote_call(lab: Lab) -> None:
    started = len(lab.processes())
    run = _web_config(lab, section=POOLS, element="add[@name='Api'", attribute="autoStart", value=False)
    assert run.rc != 0
    assert "element: \"add[@name='Api'\": the key @name is not closed by ']' after its value" in run.output
    assert _executions(lab, started) == {}


def _pool_account(lab: Lab) -> str:
    """A domain account for the Shop pool, made on the domain controller."""
    password = f"Pool-{secrets.token_hex(8)}"
    made = lab.playbook("domain_account.yml", extra_vars={"name": "pool_shop", "password": password})
    assert made.rc == 0, made.output
    return password


def _identity(lab: Lab, *options: str, node: str = "node1", leaves_broken: str = "", **extra: t.Any):
    return lab.playbook("app_pool_identity.yml", *options, extra_vars={"target": node, **extra}, leaves_broken=leaves_broken)


def test_a_domain_account_is_proven_set_and_kept_and_its_password_never_shown(lab: Lab) -> None:
    password = _pool_account(lab)
    before = _config(lab)
    wanted = {"user": POOL_USER, "password": password}
    check = _identity(lab, "-vvvv", "--check", "--diff", **wanted)
    assert check.rc == 0, check.output
    assert _config(lab) == before
    predicted = check.result("Identity", "node1")
    assert (predicted["changed"], predicted["state"], predicted["identity"]) == (True, "Started", POOL_USER)
    assert predicted["before"]["identity_type"] == "ApplicationPoolIdentity"

    run = _identity(lab, "-vvvv", "--diff", **wanted)
    assert run.rc == 0, run.output
    result = run.result("Identity", "node1")
    assert (result["state"], result["restored"], result["start_error"]) == ("Started", False, None)
    assert result["diff"]["after"] == (
        f"application pool Shop identity: {POOL_USER} (LogonBatch)\napplication pool Shop password: (secret) (changed)\n"
    )
    assert f'userName="{POOL_USER}"' in _iis(lab)["applicationhost"]
    assert _iis(lab)["pools"]["Shop"] == {"state": "Started", "logon_error": None}
    assert_pools_run(lab)

    again = _identity(lab, "-vvvv", **wanted)
    assert again.rc == 0, again.output
    assert again.changed() == {"node1": 0}
    lab.assert_never_exposed(password, [check, run, again])


def test_a_wrong_password_is_found_by_the_proof_and_no_pool_is_touched(lab: Lab) -> None:
    _pool_account(lab)
    before = _config(lab)
    wrong = f"Wrong-{secrets.token_hex(8)}"
    run = _identity(lab, user=POOL_USER, password=wrong)
    assert run.rc != 0
    message = run.result("Identity", "node1")["msg"]
    assert message.startswith("the identity was not set on application pool Shop: the password is wrong")
    assert _config(lab) == before
    assert _iis(lab)["pools"]["Shop"] == {"state": "Started", "logon_error": None}
    # The proof's one logon is all the wrong password cost (the node's Security log counts it).
    assert {name.lower(): count for name, count in _iis(lab)["failed_logons"].items()} == {POOL_USER.lower(): 1}
    lab.assert_never_exposed(wrong, [run])


def test_a_gmsa_is_set_where_the_node_may_retrieve_it_and_refused_where_it_may_not(lab: Lab) -> None:
    run = _identity(lab, user=GMSA)
    assert run.rc == 0, run.output
    assert run.result("Identity", "node1")["state"] == "Started"
    assert f'userName="{GMSA}"' in _iis(lab)["applicationhost"]
    assert_pools_run(lab)
    assert _identity(lab, user=GMSA).changed() == {"node1": 0}

    before = _config(lab)
    refused = _identity(lab, node="node3", user=GMSA)
    assert refused.rc != 0
    message = refused.result("Identity", "node3")["msg"]
    assert f"this node may not retrieve the password of {GMSA}" in message
    assert "PrincipalsAllowedToRetrieveManagedPassword" in message
    assert _config(lab) == before


def test_a_gmsa_without_the_logon_right_its_worker_needs_is_refused_before_any_change(lab: Lab) -> None:
    # IIS_IUSRS gives a pool identity "Log on as a batch job"; without it, the gMSA has none.
    lab.condition("NODE1", "batch_right_removed", "BUILTIN\\IIS_IUSRS")
    before = _config(lab)
    run = _identity(lab, user=GMSA)
    assert run.rc != 0
    assert run.result("Identity", "node1")["msg"] == (
        f'the identity was not set on application pool Shop: {GMSA} does not hold "Log on as a batch job" '
        "(SeBatchLogonRight) (nor does IIS_IUSRS, which the worker's token carries), which the pool's logonType "
        "LogonBatch needs: grant it (webfarm.iis_cluster.user_right)"
    )
    assert _config(lab) == before
    assert _iis(lab)["pools"]["Shop"]["state"] == "Started"


@pytest.mark.parametrize(
    ("extra", "rule"),
    [
        ({"user": "SpecificUser", "password": "x"}, "user: 'SpecificUser' is named like an identity type"),
        ({"user": GMSA, "password": "Not-Needed-1"}, "is a group managed service account"),
        ({}, "user: identity_type SpecificUser needs the account"),
        ({"identity_type": "NetworkService", "user": POOL_USER}, "is a built-in identity and takes no user"),
    ],
)
def test_identities_that_cannot_be_meant_fail_before_any_remote_call(lab: Lab, extra, rule) -> None:
    started = len(lab.processes())
    run = _identity(lab, **extra)
    assert run.rc != 0
    assert rule in run.output
    assert _executions(lab, started) == {}
    assert "Not-Needed-1" not in run.output


def test_node_info_reports_the_apphost_backend_and_the_sites_of_applicationhost_config(lab: Lab) -> None:
    run = lab.playbook("node_info.yml", extra_vars={"sites": "W3SVC"})
    assert run.rc == 0, run.output
    node = run.result("Node", "node1")
    assert (node["backend"], node["iis_version"]) == ("apphost", "10.0")
    assert node["sites"] == [
        {"path": "W3SVC/1", "server_comment": "Default Web Site", "applications": [{"path": "/", "pool": "DefaultAppPool"}]},
        {
            "path": "W3SVC/2",
            "server_comment": "Shop",
            "applications": [{"path": "/", "pool": "Shop"}, {"path": "/checkout", "pool": "Shop"}],
        },
    ]


def test_the_pre_flight_refuses_a_cluster_mixing_the_metabase_and_applicationhost_config(tmp_path: Path) -> None:
    hosts = default_document()["hosts"] + [{"name": "NODE3", "address": "127.0.0.14", "role": "member", "iis": "10.0"}]
    mixed = Lab(tmp_path, topology=topology_file(tmp_path, hosts=hosts))
    try:
        before = mixed.state_text()
        run = mixed.playbook("webfarm.iis_cluster.cluster_iis", extra_vars=DEMO_VARS)
        assert run.rc != 0, run.output
        (refusal,) = [entry for entry in run.results if entry["task"] == "Pre-flight, what the nodes say" and entry["status"] == "failed"]
        assert (
            "the nodes mix two IIS backends (metabase (IIS 5/6): node1 IIS 5.0, node2 IIS 5.0; applicationHost.config "
            "(IIS 7-10): node3 IIS 10.0)"
        ) in refusal["result"]["msg"]
        assert "no step ran; nothing was changed" in run.output
        assert mixed.state_text() == before
    finally:
        mixed.stop()
