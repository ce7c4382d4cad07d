"""What IIS 7.5-10 setup leaves on a server: the IIS_IUSRS group, which setup grants "Log on as a
batch job" (the right every pool's worker logs on with, IIS adding IIS_IUSRS to its token:
"Application Pool Identities", learn.microsoft.com/iis/manage/configuring-security/application-pool-identities),
applicationHost.config (setup's own, ``data/applicationHost.config``: the Default Web Site in
DefaultAppPool, anonymous requests as the built-in IUSR; or a file the topology gives), this
machine's configuration encryption keys, and WAS started. No IIS 6 Metabase Compatibility: no
metabase, no IIS packages in COM+, no iissync.exe.

On a domain member, the computer account the domain join created (``NAME$``), which a gMSA's
PrincipalsAllowedToRetrieveManagedPassword names.
"""

from __future__ import annotations

import importlib.resources

from .account_setup import BATCH_LOGON
from .accounts import COMPUTER, IIS_IUSRS_RID, Kind
from .apphost import AppHostConfig
from .config_encryption import new_machine_keys
from .host import Host
from .iis_setup import random_password
from .was import IIS_IUSRS_SID, IisServer, install_server


def default_applicationhost() -> str:
    return importlib.resources.files(__package__).joinpath("data/applicationHost.config").read_text(encoding="utf-8")


def install_modern_iis(host: Host, applicationhost: str | None) -> None:
    if host.aliases.find("IIS_IUSRS") is None:
        host.aliases.add("IIS_IUSRS", Kind.ALIAS, IIS_IUSRS_RID)
    host.rights.setdefault(BATCH_LOGON, []).append(IIS_IUSRS_SID)
    config = AppHostConfig(
        applicationhost if applicationhost is not None else default_applicationhost(), new_machine_keys()
    )
    install_server(host, IisServer(config, host))


def join_computer_account(host: Host) -> None:
    """The computer account of a member in the domain, in Domain Computers."""
    accounts = host.domain.accounts
    computer = accounts.add(f"{host.name}$", Kind.USER, password=random_password(), object_class=COMPUTER)
    group = accounts.find("Domain Computers")
    assert group is not None, "dcpromo creates Domain Computers"
    group.members.append(computer.sid)
