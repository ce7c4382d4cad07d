"""execution-environment.yml builds a context that installs this collection and every WinRM
dependency.

No container engine runs here. ``ansible-builder create`` writes the real build context, then
the steps the Containerfile would run are run on the context's own files: the galaxy stage's
``ansible-galaxy collection install`` (from /build, which is the context's _build folder) and the
builder stage's ``introspect.py``, which merges the collections' requirements with the
definition's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
import typing as t
from pathlib import Path

import pytest
import yaml
from bindep.depends import Depends

from tool_runner import ROOT, Tools

DEFINITION = ROOT / "execution-environment.yml"
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
# The platform profiles bindep sees in the image: ansible-builder's bases are RPM-based.
IMAGE_PLATFORM = ["platform:rpm", "platform:centos", "platform:redhat"]


@pytest.fixture(scope="module")
def context(tools: Tools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build context of a copy of execution-environment.yml beside the collection artifact
    `make build` made, at the same path relative to it."""
    workdir = tmp_path_factory.mktemp("ee")
    shutil.copy(DEFINITION, workdir)
    build = ["make", "-C", str(ROOT), "build", f"BUILD_DIR={workdir / '.tmp' / 'build'}"]
    made = subprocess.run(build, capture_output=True, text=True, timeout=300, check=False)
    assert made.returncode == 0, made.stdout + made.stderr
    tools.run("ansible-builder", "create", "-f", workdir / DEFINITION.name, "-c", workdir / "context", "--output-filename", "Containerfile")
    return workdir / "context"


@pytest.fixture(scope="module")
def installed(tools: Tools, context: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The collections path the galaxy stage fills, filled by the same command; as in the
    image, no other collection is installed."""
    collections = tmp_path_factory.mktemp("ee-collections")
    install = ["ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml", "--collections-path", collections]
    tools.run(*install, cwd=context / "_build", ANSIBLE_COLLECTIONS_PATH=str(collections))
    return collections


@pytest.fixture(scope="module")
def merged(tools: Tools, context: Path, installed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The pip and bindep requirements the builder stage installs, merged by the same script."""
    out = tmp_path_factory.mktemp("ee-requirements")
    build = context / "_build"
    completed = tools.run(
        "python",
        build / "scripts" / "introspect.py",
        "introspect",
        f"--user-pip={build / 'requirements.txt'}",
        f"--user-bindep={build / 'bindep.txt'}",
        f"--write-pip={out / 'requirements.txt'}",
        f"--write-bindep={out / 'bindep.txt'}",
        installed,
    )
    assert "webfarm.iis_cluster" in completed.stdout
    return {kind: (out / f"{kind}.txt").read_text() for kind in ("requirements", "bindep")}


def _pinned(requirements: str, package: str) -> str:
    [line] = [line for line in requirements.splitlines() if line.startswith(f"{package}==")]
    return line


def test_the_containerfile_builds_on_the_base_image_with_the_tested_ansible_core(context):
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    # ansible-core in the image is the release `make test` runs with (requirements-dev.txt).
    installs = re.search(r'ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile).group(1).split()
    assert _pinned((ROOT / "requirements-dev.txt").read_text(), "ansible-core") in installs
    assert any(ref.startswith("ansible-runner==") for ref in installs)
    assert "ansible-galaxy collection install" in containerfile


def test_the_context_holds_the_collection_built_from_this_checkout(context):
    artifact = context / "_build" / "collections" / f"{GALAXY['namespace']}-{GALAXY['name']}.tar.gz"
    assert artifact.is_file(), "execution-environment.yml names an artifact `make build` does not make"
    with tarfile.open(artifact) as archive:
        manifest = json.load(t.cast(t.IO[bytes], archive.extractfile("MANIFEST.json")))["collection_info"]
    assert manifest["version"] == GALAXY["version"]
    # The version is galaxy.yml's alone: the definition does not repeat it.
    assert GALAXY["version"] not in DEFINITION.read_text()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": f"collections/{artifact.name}", "type": "file"}]


def test_the_galaxy_stage_installs_this_collection_without_the_awx_material(installed):
    collection = installed / "ansible_collections" / GALAXY["namespace"] / GALAXY["name"]
    manifest = json.loads((collection / "MANIFEST.json").read_text())["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (GALAXY["namespace"], GALAXY["name"], GALAXY["version"])
    assert (collection / "playbooks" / "cluster_iis.yml").is_file()
    assert (collection / "roles" / "metabase_sync" / "meta" / "argument_specs.yml").is_file()
    for checkout_only in ("extensions/awx", "collections", "execution-environment.yml"):
        assert not (collection / checkout_only).exists(), checkout_only


def test_the_builder_stage_installs_every_winrm_authentication(merged):
    packages = {re.split(r"[\[<>=!~ #]", line, maxsplit=1)[0].lower() for line in merged["requirements"].splitlines() if line.strip()}
    # NTLM (from the collection's own requirements.txt), CredSSP, and Kerberos for pywinrm
    # (pykerberos) and for CredSSP and SPNEGO (pyspnego's gssapi and krb5 bindings).
    assert {"pywinrm", "pyspnego", "requests-credssp", "pykerberos"} <= packages
    assert re.search(r"^pyspnego\[kerberos\]", merged["requirements"], re.M)


def test_the_image_gets_kerberos_and_only_the_builder_its_compilers(merged):
    rules = Depends(merged["bindep"])
    runtime = {rule[0] for rule in rules.active_rules(IMAGE_PLATFORM)}
    builder = {rule[0] for rule in rules.active_rules([*IMAGE_PLATFORM, "compile"])}
    assert {"krb5-workstation", "krb5-libs"} <= runtime
    assert {"gcc", "krb5-devel", "python3.11-devel"} <= builder - runtime
