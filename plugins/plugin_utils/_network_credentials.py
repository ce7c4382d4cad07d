# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whether a task's Windows process will hold network credentials: the double hop.

This is for internal collection use only; the API may change at any time.

IISSync reaches the target nodes over DCOM with the token of the process that runs it. A WinRM
logon made with NTLM, or with Kerberos without delegation, is a network logon: its token cannot
authenticate to a second machine, so the targets see an anonymous logon and refuse it. A token
that can comes from become (runas) *with a password*, from CredSSP, or from Kerberos with
delegation. Become without a password is an S4U logon, which has no network credentials either.
The controller knows all of this from the task's connection and become settings, so the
``iissync`` module decides before it starts anything on the node.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible.module_utils.parsing.convert_bool import boolean

_FIX = (
    "Run the task with become: true, become_method: runas and the become_user and become_password of an "
    "account that is a local administrator of every node (keep the password in Ansible Vault or an AWX "
    "credential); or connect with the CredSSP transport (ansible_winrm_transport: credssp); or with Kerberos "
    "and delegation (ansible_winrm_kerberos_delegation: true)."
)


@dataclasses.dataclass(frozen=True)
class LogonSettings:
    """What decides the logon of a task's process on Windows.

    ``connection`` is the connection plugin's transport (``winrm``, ``psrp``, ...);
    ``authentications`` the WinRM transports or the PSRP ``auth`` it uses; ``delegation`` whether
    Kerberos delegation is asked for; ``become_method`` the become plugin (None without become),
    with ``become_password`` whether it has a password.
    """

    connection: str
    authentications: tuple[str, ...]
    delegation: bool
    become_method: str | None
    become_password: bool


def network_credentials_problem(settings: LogonSettings) -> str | None:
    """Why a process started with ``settings`` has no network credentials, and how to give it
    some; None when it has them."""
    if settings.become_method is not None:
        method = settings.become_method.rsplit(".", 1)[-1]
        if method != "runas":
            return f"become_method {settings.become_method} cannot give a Windows process network credentials. {_FIX}"
        if not settings.become_password:
            return (
                "the task becomes its user without a password, and Windows gives such a logon (S4U) no network "
                "credentials, so the target nodes would see an anonymous logon (the double hop). "
                "Set ansible_become_password for the become_user."
            )
        return None
    authentications = {name.lower() for name in settings.authentications}
    if "credssp" in authentications:
        return None
    if settings.delegation and authentications & {"kerberos", "negotiate"}:
        return None
    used = ", ".join(settings.authentications) or "its default authentication"
    return (
        f"the task logs on with {settings.connection} ({used}) without delegating credentials, so IISSync would "
        f"reach the target nodes as an anonymous logon (the double hop). {_FIX}"
    )


def logon_settings(connection: t.Any) -> LogonSettings:
    """The logon settings of a task's connection plugin, with its become plugin attached."""
    transport = str(getattr(connection, "transport", "unknown"))
    if transport == "psrp":
        authentications: tuple[str, ...] = (str(connection.get_option("auth")),)
        delegation = bool(connection.get_option("negotiate_delegate"))
    elif transport == "winrm":
        authentications = tuple(str(name) for name in connection.get_option("transport") or () if name)
        extras = connection.get_option("_extras") or {}
        delegation = boolean(extras.get("ansible_winrm_kerberos_delegation", False), strict=False)
    else:
        authentications, delegation = (), False
    become = getattr(connection, "become", None)
    return LogonSettings(
        connection=transport,
        authentications=authentications,
        delegation=delegation,
        become_method=None if become is None else str(become.name),
        become_password=become is not None and bool(become.get_option("become_pass")),
    )


def logon_account(connection: t.Any) -> str | None:
    """The account a task's process runs as: the become user, else the connection's user."""
    become = getattr(connection, "become", None)
    if become is not None and become.get_option("become_user"):
        return str(become.get_option("become_user"))
    user = connection.get_option("remote_user")
    return None if user is None else str(user)
