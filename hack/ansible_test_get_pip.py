"""Offline stand-in for the get-pip.py script that ansible-test bootstraps pip with.

ansible-test creates one virtual environment per sanity test, without pip, and seeds it by
running get-pip.py, which it downloads from ci-files.testing.ansible.com unless a copy sits in
``~/.ansible/test/cache/get_pip_<version>.py``. That host is unreachable from CI, the package
index is not: ``make sanity`` places this script at that path. It does get-pip.py's job with
what Python ships: ensurepip installs the bundled pip, which then installs the packages
ansible-test asked for (the exact pip version it pins) from the index.

ansible-test runs this file through runpy with ``sys.argv[1:]`` holding get-pip.py's
arguments: pip options and requirements, plus get-pip.py's own ``--no-setuptools`` and
``--no-wheel``.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip.py understands these; pip install does not.
NO_SETUPTOOLS = "--no-setuptools"
NO_WHEEL = "--no-wheel"


def run_pip(*args: str) -> None:
    """Run pip in the interpreter being bootstrapped, failing loudly."""
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def bootstrap(get_pip_args: list[str]) -> None:
    """Install pip and the requested packages into the running interpreter's environment."""
    subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True)
    run_pip("install", *[arg for arg in get_pip_args if arg not in (NO_SETUPTOOLS, NO_WHEEL)])
    # ensurepip of Python < 3.12 also installs setuptools; get-pip.py would not have.
    if NO_SETUPTOOLS in get_pip_args:
        run_pip("uninstall", "--yes", "--disable-pip-version-check", "setuptools")


if __name__ == "__main__":
    bootstrap(sys.argv[1:])
