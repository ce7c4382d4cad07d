"""The example inventory (examples/inventory) is what its README says, run through the real
ansible-inventory and ansible-playbook: it opens with the documented vault password, holds the
documented hosts and groups, gives the cluster nodes every required role option and secret, passes
the playbook's syntax check, gives KB step 8 network credentials in its default settings and in
each marked alternative, and keeps its secrets encrypted. No host of it has to exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import typing as t
from pathlib import Path

import pytest
import yaml
from lab_harness import BIN, PLAYBOOKS, ROOT

EXAMPLE = ROOT / "examples" / "inventory"
README = (EXAMPLE / "README.md").read_text(encoding="utf-8")
VARS = EXAMPLE / "group_vars" / "all" / "vars.yml"
VAULT = EXAMPLE / "group_vars" / "all" / "vault.yml"
CLUSTER_PLAYBOOK = ROOT / "playbooks" / "cluster_iis.yml"
# The digests' salt is drawn anew for every run; an inventory that fixed it would weaken them.
DRAWN_PER_RUN = {"metabase_sync_salt", "metabase_sync_encrypt_secret"}
# Secrets only a step 8 method the example does not use needs (IIS 7-10's Shared Configuration).
SHARED_CONFIG_SECRETS = {"metabase_sync_shared_config_password", "metabase_sync_shared_config_key_password"}
CONNECTION_SECRETS = {"ansible_password", "ansible_become_password"}


def _alternatives() -> dict[str, dict[str, t.Any]]:
    """The settings of each `# Alternative: <name>` block of vars.yml, as uncommented."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in VARS.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^# Alternative: (\w+)$", line)
        if heading:
            current = blocks.setdefault(heading.group(1), [])
        elif not line.strip():
            current = None
        elif current is not None and re.match(r"^# [a-z_]+: ", line):
            current.append(line[2:])
    return {name: yaml.safe_load("\n".join(lines)) for name, lines in blocks.items()}


ALTERNATIVES = _alternatives()


class Ansible:
    """The real ansible tools from the venv, with the example's documented vault password."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        (workdir / "home").mkdir()
        self.vault_password_file = workdir / "vault-password"
        (documented,) = re.findall(r"vault password is `([^`]+)`", README)
        self.vault_password_file.write_text(documented + "\n")
        self.vault_password_file.chmod(0o600)
        self.env = {
            "PATH": str(BIN),
            "HOME": str(workdir / "home"),
            "ANSIBLE_HOME": str(workdir / "home" / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(workdir / "tmp"),
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".tmp" / "collections"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
        }

    def run(self, tool: str, *args: str | Path, vault: bool = True) -> subprocess.CompletedProcess[str]:
        secrets = ["--vault-password-file", str(self.vault_password_file)] if vault else []
        command = [str(BIN / tool), *map(str, args), *secrets]
        return subprocess.run(command, env=self.env, cwd=self.workdir, capture_output=True, text=True, check=False)

    def inventory(self, inventory: Path = EXAMPLE) -> dict[str, t.Any]:
        listed = self.run("ansible-inventory", "-i", inventory, "--list")
        assert listed.returncode == 0, listed.stderr
        assert "WARNING" not in listed.stderr, listed.stderr
        return json.loads(listed.stdout)

    def variant(self, name: str, settings: dict[str, t.Any]) -> Path:
        """A copy of the example, called ``name``, with ``settings`` in place of vars.yml's of the
        same names."""
        copy = self.workdir / name
        shutil.copytree(EXAMPLE, copy)
        variables = yaml.safe_load(VARS.read_text(encoding="utf-8"))
        (copy / VARS.relative_to(EXAMPLE)).write_text(yaml.safe_dump({**variables, **settings}))
        return copy


@pytest.fixture(scope="module")
def ansible(tmp_path_factory: pytest.TempPathFactory) -> Ansible:
    return Ansible(tmp_path_factory.mktemp("example-inventory"))


@pytest.fixture(scope="module")
def example(ansible: Ansible) -> dict[str, t.Any]:
    """The example inventory as ansible-inventory lists it, vault decrypted."""
    return ansible.inventory()


def _hosts(inventory: dict[str, t.Any], group: str) -> list[str]:
    return inventory.get(group, {}).get("hosts", [])


def _resolved(hostvars: dict[str, t.Any], name: str) -> t.Any:
    """A variable's value, following `{{ other }}` indirections such as the vault_* ones."""
    value = hostvars.get(name)
    while isinstance(value, str) and (reference := re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", value)):
        value = hostvars.get(reference.group(1))
    return value


def _role_options() -> dict[str, dict[str, t.Any]]:
    options = {}
    for spec_file in ROOT.glob("roles/*/meta/argument_specs.yml"):
        for entry_point in yaml.safe_load(spec_file.read_text())["argument_specs"].values():
            options.update(entry_point.get("options", {}))
    return options


def test_the_hosts_and_groups_are_the_documented_ones(example: dict[str, t.Any]):
    documented = set(re.findall(r"^\| `([a-z0-9.-]+)` \| `([a-z_]+)` \|", README, re.M))
    inventory = example

    assert {group for _, group in documented} == {"iis_cluster", "domain_controllers"}
    assert {(host, group) for group in ("iis_cluster", "domain_controllers") for host in _hosts(inventory, group)} == (
        documented
    )


def test_the_source_node_is_the_documented_one(example: dict[str, t.Any]):
    (documented,) = re.findall(r"^\| `([a-z0-9.-]+)` \|.*`iis_cluster_source`", README, re.M)
    inventory = example
    hostvars = inventory["_meta"]["hostvars"]

    assert documented in _hosts(inventory, "iis_cluster")
    assert {hostvars[host].get("iis_cluster_source") for host in _hosts(inventory, "iis_cluster")} == {documented}


def test_the_cluster_nodes_have_every_required_option_and_secret(example: dict[str, t.Any]):
    options = _role_options()
    required = {name for name, spec in options.items() if spec.get("required")}
    secrets = {name for name, spec in options.items() if spec.get("no_log")} - DRAWN_PER_RUN
    inventory = example
    hostvars = inventory["_meta"]["hostvars"]

    assert {"iis_cluster_iusr_password", "iis_cluster_iwam_password"} <= required | secrets
    for host in _hosts(inventory, "iis_cluster"):
        wanted = required | secrets | CONNECTION_SECRETS | {"iis_cluster_account_base", "ansible_become_user"}
        if hostvars[host].get("metabase_sync_method") != "shared_config":
            wanted -= SHARED_CONFIG_SECRETS
        missing = sorted(name for name in wanted if not _resolved(hostvars[host], name))
        assert not missing, f"{host} lacks {missing}"
        assert not DRAWN_PER_RUN & set(hostvars[host]), f"{host} fixes {DRAWN_PER_RUN}"
    for host in _hosts(inventory, "domain_controllers"):
        assert _resolved(hostvars[host], "ansible_password"), f"{host} has no connection password"


def test_the_playbook_passes_its_syntax_check(ansible: Ansible):
    checked = ansible.run("ansible-playbook", "--syntax-check", "-i", EXAMPLE, CLUSTER_PLAYBOOK)

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_vault_is_encrypted_and_its_secrets_are_in_no_other_file(ansible: Ansible, example: dict[str, t.Any]):
    assert VAULT.read_text().startswith("$ANSIBLE_VAULT;1.1;AES256\n")
    locked = ansible.run("ansible-inventory", "-i", EXAMPLE, "--list", vault=False)
    assert locked.returncode != 0 and "vault" in locked.stderr.lower()

    hostvars = example["_meta"]["hostvars"]
    secrets = {value for host in hostvars.values() for name, value in host.items() if name.startswith("vault_")}
    assert len(secrets) == 3
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        path = ROOT / name
        if path.is_file():
            content = path.read_bytes()
            assert not [secret for secret in secrets if secret.encode() in content], f"a vault secret is in {name}"


def test_the_readme_names_every_alternative():
    assert (
        set(re.findall(r"^\* `(\w+)`: ", README, re.M))
        == set(ALTERNATIVES)
        == {
            "ntlm",
            "credssp",
            "kerberos_delegation",
        }
    )


@pytest.mark.parametrize("alternative", [None, *ALTERNATIVES], ids=lambda name: name or "default")
def test_the_sync_step_has_network_credentials(ansible: Ansible, alternative: str | None):
    inventory = ansible.variant(alternative, ALTERNATIVES[alternative]) if alternative else EXAMPLE
    source = ansible.inventory(inventory)["_meta"]["hostvars"]["web1.webfarm.example"]
    assert source["ansible_winrm_transport"] == (alternative or "kerberos").split("_")[0]

    run = ansible.run("ansible-playbook", "-i", inventory, PLAYBOOKS / "sync_credentials.yml", "--check")

    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^web1\.webfarm\.example\s+: ok=1\s+changed=1 ", run.stdout, re.M), run.stdout


def test_without_become_ntlm_gives_the_sync_step_no_network_credentials(ansible: Ansible):
    inventory = ansible.variant("ntlm-without-become", {**ALTERNATIVES["ntlm"], "metabase_sync_become": False})

    run = ansible.run("ansible-playbook", "-i", inventory, PLAYBOOKS / "sync_credentials.yml", "--check")

    assert run.returncode != 0
    assert "network credentials: the task logs on with winrm (ntlm) without delegating credentials" in run.stdout


def test_the_clustered_site_is_named_explicitly_and_the_inventory_says_where_to_find_it(example: dict[str, t.Any]):
    hostvars = example["_meta"]["hostvars"]
    hosts_file = (EXAMPLE / "hosts.yml").read_text(encoding="utf-8")

    sites = {hostvars[host].get("anonymous_identity_site") for host in _hosts(example, "iis_cluster")}
    assert sites == {"3"}  # not the role's default, site 1
    assert f'`anonymous_identity_site: "3"`' in README
    for where in ("IIS Server Instance", "LogFiles\\W3SVCn", "adsutil.vbs enum W3SVC"):
        assert where in hosts_file and where in README
