# Build and quality gates of the webfarm.iis_cluster collection.
#
# Every tool runs from .venv (built from requirements-dev.txt) and writes only below .tmp:
# HOME and every cache point there, so a run neither reads nor changes the user's home.
#
#   make test    all checks, fastest first (what .ci/run runs)
#   make bench   measure the collection on the lab (issue 12) into benchmarks/RESULTS.md; fails
#                only when a counted target (executions, bytes) is missed, never on a time
#   make demo    run playbooks/cluster_iis.yml against the lab's default cluster; the lab
#                carries on in .tmp/demo-lab, so running it again reports changed=0
#   make demo-reset  forget that lab: the next make demo starts from a fresh cluster
#   make awx     the AWX definitions (extensions/awx/) and the execution environment
#   make clean   remove everything make created

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:
# One target at a time: `make test` runs the checks in the order listed, fastest first, so
# a failure shows early and logs do not interleave.
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
TMP := $(CURDIR)/.tmp

COLLECTION := webfarm.iis_cluster
COLLECTION_VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
BUILD_DIR := $(TMP)/build
ARTIFACT := $(BUILD_DIR)/webfarm-iis_cluster-$(COLLECTION_VERSION).tar.gz
SANITY_ROOT := $(TMP)/sanity
SANITY_COLLECTION := $(SANITY_ROOT)/ansible_collections/webfarm/iis_cluster
# The Python that sanity tests run on: the controller's. Naming it keeps ansible-test from
# looking for every Python version it supports.
SANITY_PYTHON := 3.11

export HOME := $(TMP)/home
export ANSIBLE_HOME := $(TMP)/ansible
export ANSIBLE_LOCAL_TEMP := $(TMP)/ansible/tmp
export ANSIBLE_COLLECTIONS_PATH := $(TMP)/collections
export XDG_CACHE_HOME := $(TMP)/cache
export XDG_CONFIG_HOME := $(TMP)/config
export PIP_CACHE_DIR := $(TMP)/cache/pip
export PYTHONDONTWRITEBYTECODE := 1
# Test suites start ansible-playbook and the lab as subprocesses: find them in the venv.
export VIRTUAL_ENV := $(VENV)
export PATH := $(BIN):$(PATH)

COLLECTION_LINK := $(ANSIBLE_COLLECTIONS_PATH)/ansible_collections/webfarm/iis_cluster
# awx.awx, the AWX / Automation controller modules extensions/awx/ uses, comes out of the
# ansible community package's wheel (hack/awx_collection.txt says why and pins it by hash).
AWX_COLLECTION := $(ANSIBLE_COLLECTIONS_PATH)/ansible_collections/awx/awx
AWX_WHEEL_DIR := $(TMP)/awx-wheel
TMP_DIRS := $(HOME) $(ANSIBLE_LOCAL_TEMP) $(XDG_CACHE_HOME) $(XDG_CONFIG_HOME) $(PIP_CACHE_DIR)

# ansible-test seeds each sanity venv with get-pip.py for this pip version (see
# ansible_test/_internal/python_requirements.py) and downloads it from a host CI cannot
# reach unless a copy is cached here; hack/ansible_test_get_pip.py does the same job offline.
ANSIBLE_TEST_PIP_VERSION := 24.2
ANSIBLE_TEST_GET_PIP := $(HOME)/.ansible/test/cache/get_pip_$(subst .,_,$(ANSIBLE_TEST_PIP_VERSION)).py

# Module names come from the files, so a module whose documentation ansible-doc cannot
# find fails `make docs` instead of going unnoticed.
MODULE_FILES := $(wildcard plugins/modules/*.py plugins/modules/*.ps1 plugins/modules/*.yml plugins/modules/*.yaml)
MODULES := $(sort $(filter-out __init__,$(basename $(notdir $(MODULE_FILES)))))

# PYTEST_FLAGS narrows a run by test name, e.g. make integration PYTEST_FLAGS="-k summary -x".
PYTEST_FLAGS ?=
PYTEST := $(BIN)/pytest -p no:cacheprovider $(PYTEST_FLAGS)

.PHONY: bench bench-smoke test venv dirs collection-link awx-collection unit csharp mono instruction-set-table lab-tests integration molecule awx docs status-codes lint build sanity demo demo-drift demo-reset clean

test: unit csharp lab-tests docs lint awx build sanity integration bench-smoke molecule

dirs:
	mkdir -p $(TMP_DIRS)

venv: $(VENV_STAMP) | dirs

# Rebuilt from scratch whenever a pinned requirement changes, so no stale package survives.
$(VENV_STAMP): requirements-dev.txt tests/lab/pyproject.toml | dirs
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation -c requirements-dev.txt -e tests/lab
	touch $@

# Playbooks and ansible-doc find the collection through ANSIBLE_COLLECTIONS_PATH.
collection-link: | dirs
	mkdir -p $(dir $(COLLECTION_LINK))
	ln -sfn $(CURDIR) $(COLLECTION_LINK)

awx-collection: $(AWX_COLLECTION)/MANIFEST.json

# The wheel (about 52 MiB) is deleted once awx.awx (1 MiB) is out of it, and never cached.
$(AWX_COLLECTION)/MANIFEST.json: hack/awx_collection.txt hack/extract_collection.py | venv
	rm -rf $(AWX_WHEEL_DIR)
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-cache-dir --no-deps \
	  --only-binary :all: --require-hashes -r $< -d $(AWX_WHEEL_DIR)
	$(BIN)/python hack/extract_collection.py $(AWX_WHEEL_DIR)/*.whl awx.awx $(ANSIBLE_COLLECTIONS_PATH)
	rm -rf $(AWX_WHEEL_DIR)

unit: venv
	$(PYTEST) tests/unit

# The C# helpers compile with Mono's mcs as Ansible compiles them on Windows PowerShell 5.1
# (hack/csharp_compile.py says how, and what Mono cannot check).
csharp: venv mono
	$(BIN)/python hack/csharp_compile.py

# mcs comes from Debian (bindep.txt); CI is a fresh Debian machine running as root, a developer's
# machine usually has it already, so apt runs only when mcs is missing.
mono:
	if ! command -v mcs >/dev/null; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mono-mcs mono-devel; \
	fi

# The lab tests spend most of their time waiting on the labs and iis-lab commands they start (each
# on a free port, in its own tmp_path), not on the CPU: four workers even on two CPUs.
LAB_TEST_WORKERS ?= --numprocesses=4

lab-tests: venv
	$(PYTEST) $(LAB_TEST_WORKERS) tests/lab/tests

# Each integration test starts its own lab on a free port, so they run in parallel: one worker
# per CPU, four at most (the lab and ansible-playbook are CPU-bound on the controller).
INTEGRATION_WORKERS ?= --numprocesses=auto --maxprocesses=4

integration: venv collection-link
	$(PYTEST) $(INTEGRATION_WORKERS) tests/integration

# `molecule test -s lab`, and the windows scenario against a lab (docs/molecule.md). Each scenario
# runs with its own HOME and its lab on a free port: two workers run the two long ones side by side.
MOLECULE_WORKERS ?= --numprocesses=2

molecule: venv collection-link
	$(PYTEST) $(MOLECULE_WORKERS) tests/molecule

# The benchmark (benchmarks/README.md): 2, 8 and 32 nodes and 1k/10k/50k metabase properties,
# under 10 minutes on 2 CPUs. bench-smoke, part of make test, runs the 2-node cluster and 1k
# properties and fails only when the instrument produced an implausible table, not on a target.
bench: venv collection-link
	$(BIN)/python benchmarks/bench.py --output benchmarks/RESULTS.md

bench-smoke: venv collection-link
	$(BIN)/python benchmarks/bench.py --smoke --output $(TMP)/bench-smoke.md

awx: venv collection-link awx-collection
	$(PYTEST) tests/awx

# ansible-doc exits 0 for a module it cannot find and only warns on stderr (naming it), so any
# stderr output fails the target too. One ansible-doc renders every module: one start of Ansible
# instead of one per module.
docs: venv collection-link
	echo "ansible-doc $(addprefix $(COLLECTION).,$(MODULES))"
	if ! errors=$$($(BIN)/ansible-doc -t module $(addprefix $(COLLECTION).,$(MODULES)) 2>&1 >/dev/null) \
	    || [ -n "$$errors" ]; then \
	  echo "$$errors" >&2; exit 1; \
	fi
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# docs/iissync-status-codes.md and docs/apphost-sync-status-codes.md are generated from the status
# tables; unit tests fail when one is stale.
status-codes: venv
	$(BIN)/python hack/status_codes.py

# docs/instruction-set.md's op table is generated from docs/instruction-set.yml; a unit test fails when it is stale.
instruction-set-table: venv
	$(BIN)/python hack/instruction_set_table.py

# awx.awx on the collections path lets ansible-lint check extensions/awx/'s module arguments.
lint: venv collection-link awx-collection
	$(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint

# execution-environment.yml takes the artifact under a name without the version, so that the
# version is written in galaxy.yml only (the artifact's MANIFEST.json carries it).
EE_ARTIFACT := $(BUILD_DIR)/ee/webfarm-iis_cluster.tar.gz

build: venv
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD_DIR) --force
	mkdir -p $(dir $(EE_ARTIFACT))
	cp $(ARTIFACT) $(EE_ARTIFACT)

# Sanity runs on the collection as built and installed, i.e. on what users get.
# ansible-test lists content through the nearest git work tree, and the checkout's ignores
# .tmp: the installed copy gets a repository of its own, where every file is untracked,
# which ansible-test includes.
sanity: build $(ANSIBLE_TEST_GET_PIP)
	rm -rf $(SANITY_ROOT)
	$(BIN)/ansible-galaxy collection install --offline --no-deps --force -p $(SANITY_ROOT) $(ARTIFACT)
	git -c init.defaultBranch=main init --quiet $(SANITY_COLLECTION)
	cd $(SANITY_COLLECTION) && $(BIN)/ansible-test sanity --python $(SANITY_PYTHON) --color no

$(ANSIBLE_TEST_GET_PIP): hack/ansible_test_get_pip.py | dirs
	mkdir -p $(@D)
	cp $< $@

# The demo's lab resumes the state it recorded (secrets only as digests), as a real cluster
# keeps its state between two runs of the playbook. DEMO_PORT is the WinRM port of its hosts
# (iis-lab's default: 55985); DEMO_ARGS go to ansible-playbook (--check --diff, --tags ...).
# TOPOLOGY chooses the lab's cluster: default (IIS 5/6, Windows 2000/2003) or iis10 (a domain
# controller and three IIS 10 nodes, step 8 by Web Deploy), each with the operator's choices of
# tests/lab/cluster-vars[-<topology>].yml, its state in .tmp/demo-lab[-<topology>].
TOPOLOGY ?= default
DEMO_LAB ?= $(TMP)/demo-lab$(if $(filter-out default,$(TOPOLOGY)),-$(TOPOLOGY))
DEMO_PORT ?= 55985
DEMO_ARGS ?=
DEMO_VARS := tests/lab/cluster-vars$(if $(filter-out default,$(TOPOLOGY)),-$(TOPOLOGY)).yml
DEMO_PLAYBOOK := $(BIN)/ansible-playbook -i {inventory} -e @$(DEMO_VARS) playbooks/cluster_iis.yml
# The lab resumes the IIS 5/6 cluster's state; it cannot resume IIS 7+ nodes (their configuration
# encryption keys are not in its state file), so the iis10 demo starts from a fresh cluster each time.
DEMO_RUN := $(BIN)/iis-lab run$(if $(filter-out default,$(TOPOLOGY)), --topology tests/lab/iis_lab/topologies/$(TOPOLOGY).yml) \
  --port $(DEMO_PORT) --state-dir $(DEMO_LAB)$(if $(filter default,$(TOPOLOGY)), --resume) --
# The port again in the commands the demo suggests, when it is not the default.
DEMO_MAKE := make$(if $(filter-out 55985,$(DEMO_PORT)), DEMO_PORT=$(DEMO_PORT))$(if $(filter-out default,$(TOPOLOGY)), TOPOLOGY=$(TOPOLOGY))

demo: venv collection-link
	$(DEMO_RUN) $(DEMO_PLAYBOOK) $(DEMO_ARGS)
	@echo
	@echo "Try next (the lab keeps its state in $(DEMO_LAB); make demo-reset starts over):"
	@echo '  $(DEMO_MAKE) demo DEMO_ARGS="--check --diff"      # what a run would change; secrets show only as changed'
	@echo '  $(DEMO_MAKE) demo DEMO_ARGS="--tags node_access"  # one KB step (4-5) by its tag'
	$(if $(filter default,$(TOPOLOGY)),@echo '  $(DEMO_MAKE) demo-drift                           # NODE2 changed by hand; --tags verify names it')

# The drift recipe of docs/lab.md on the demo's lab: NODE2's site changed behind the collection's
# back, then the verification, which fails naming the difference (make demo syncs it back). IIS
# 5/6 only (the default topology): it edits the metabase.
demo-drift: venv collection-link
	$(DEMO_RUN) sh -c '$(BIN)/iis-lab edit --state-dir $(DEMO_LAB) --host NODE2 --path W3SVC/1 \
	  --property ServerComment --value "Changed by hand" && exec $(DEMO_PLAYBOOK) --tags verify' || \
	  { echo; echo "The verification names the change made by hand. $(DEMO_MAKE) demo syncs NODE2 from NODE1 again,"; \
	    echo "backing up NODE2's metabase first."; exit 1; }

demo-reset:
	rm -rf $(DEMO_LAB)

# The lab's egg-info is what its editable install leaves in the source tree.
clean:
	rm -rf $(VENV) $(TMP) tests/lab/*.egg-info
