"""The AWX definitions of extensions/awx/vars/, read as the configuration playbook reads them.

Shared by the tests that check them against the roles (tests/unit) and the test that launches a
job from them on the lab (tests/integration).
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import yaml

AWX_VARS = Path(__file__).resolve().parents[1] / "extensions" / "awx" / "vars"


class _Loader(yaml.SafeLoader):
    """Reads Ansible's ``!unsafe`` tag (templates AWX renders, not Ansible) as its plain string."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _load(name: str) -> dict[str, t.Any]:
    return yaml.load((AWX_VARS / f"{name}.yml").read_text(), Loader=_Loader)


def survey() -> dict[str, t.Any]:
    """The job template's survey spec."""
    return _load("job_template")["iis_cluster_awx_survey"]


def credential_type() -> dict[str, t.Any]:
    """The custom credential type of the IUSR and IWAM passwords."""
    return _load("credential_type")["iis_cluster_awx_credential_type"]
