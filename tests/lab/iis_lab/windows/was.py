"""An IIS 7+ server at run time: its configuration (:class:`~.apphost.AppHostConfig`), the
states WAS keeps for application pools and sites, and the logons IIS makes.

A pool's worker process logs on with the pool's identity when it starts or recycles
("processModel", learn.microsoft.com/iis/configuration/system.applicationhost/applicationpools/add/processmodel):
the built-in identities (ApplicationPoolIdentity, NetworkService, LocalService, LocalSystem)
always do; SpecificUser logs ``userName`` on with the decrypted ``password`` and ``logonType``
(LogonBatch needs "Log on as a batch job", SeBatchLogonRight; LogonService "Log on as a service",
SeServiceLogonRight). Unless ``manualGroupMembership`` is true IIS adds IIS_IUSRS to the worker's
token, so a right IIS_IUSRS holds counts ("Understanding Built-In User and Group Accounts in
IIS": IIS_IUSRS "is injected into the token of the worker process"; IIS setup grants IIS_IUSRS
SeBatchLogonRight, "Application Pool Identities", learn.microsoft.com/iis/manage/configuring-security/application-pool-identities).
A gMSA (``DOMAIN\\name$``, no password) logs on with the managed password this computer
retrieves, which it may only when it is among the account's PrincipalsAllowedToRetrieveManagedPassword;
otherwise the logon fails as with a wrong password, ERROR_LOGON_FAILURE *(inferred: the node's
LSA has no password to offer)*. When the worker cannot log on, WAS's rapid-fail protection stops
the pool (events 5021 and 5057, "Application Pool Identity Is Invalid",
learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/cc735194(v=ws.10)).

Every failed logon of a worker is counted per account (``failed_logons``: the Security log's
4625 events on this node), so tests can tell how many a rollout cost.

An anonymous request logs ``anonymousAuthentication/@userName`` on by ``logonMethod``:
ClearText (the default) is LOGON32_LOGON_NETWORK_CLEARTEXT ("Access this computer from the
network"), Interactive, Batch, Network ("anonymousAuthentication",
learn.microsoft.com/iis/configuration/system.webserver/security/authentication/anonymousauthentication).
The built-in IUSR needs no password and always logs on; an empty userName runs anonymous
requests as the pool's identity.
"""

from __future__ import annotations

import dataclasses
import typing as t

from .accounts import BUILTIN_SID, GMSA, IIS_IUSRS_RID, Account
from .apphost import AppHostConfig
from .apphost_backup import ConfigBackup, default_config_files
from .errors import ERROR_LOGON_FAILURE, FILE_NOT_FOUND, ErrorCode, WindowsApiError
from .security import LOGON_BATCH, LOGON_INTERACTIVE, LOGON_NETWORK, LOGON_SERVICE, domain_groups, logon, lookup_name
from .shared_config import Redirection, effective_document
from .web_deploy_install import WebDeployInstall

if t.TYPE_CHECKING:
    from .host import Host

POOLS = "system.applicationHost/applicationPools"
SITES = "system.applicationHost/sites"
ANONYMOUS = "system.webServer/security/authentication/anonymousAuthentication"
IIS_IUSRS_SID = f"{BUILTIN_SID}-{IIS_IUSRS_RID}"
STARTED, STOPPED = "Started", "Stopped"
_POOL_LOGON_TYPES = {"LogonBatch": LOGON_BATCH, "LogonService": LOGON_SERVICE}
_ANONYMOUS_LOGON_TYPES = {
    "ClearText": LOGON_NETWORK,
    "Network": LOGON_NETWORK,
    "Interactive": LOGON_INTERACTIVE,
    "Batch": LOGON_BATCH,
}


@dataclasses.dataclass
class IisServer:
    """IIS 7+ on one host. ``local`` is the host's own applicationHost.config (with this
    machine's configuration keys); ``redirection`` its redirection.config (Shared Configuration,
    :mod:`.shared_config`). ``config`` is the configuration in effect: read it, and write through
    it, for every purpose (ops, WAS, state) — the one accessor of the host's configuration."""

    local: AppHostConfig
    host: Host = dataclasses.field(repr=False, compare=False)
    redirection: Redirection = dataclasses.field(default_factory=Redirection)
    fault_keys: dict[str, bytes] | None = dataclasses.field(default=None, repr=False)
    """The keys a ``keys_not_imported`` fault set aside (:mod:`iis_lab.shared_config_faults`)."""
    pool_states: dict[str, str] = dataclasses.field(default_factory=dict)
    site_states: dict[str, str] = dataclasses.field(default_factory=dict)
    pool_configs: dict[str, str] = dataclasses.field(default_factory=dict)
    """The configuration each pool's worker runs with (:func:`apply_configuration`)."""
    failed_logons: dict[str, int] = dataclasses.field(default_factory=dict)
    config_files: dict[str, str] = dataclasses.field(default_factory=default_config_files)
    """The configuration files besides applicationHost.config (administration.config,
    redirection.config) by name, as their text: what a backup copies (:mod:`.apphost_backup`)."""
    backups: list[ConfigBackup] = dataclasses.field(default_factory=list)
    web_deploy: WebDeployInstall = dataclasses.field(default_factory=WebDeployInstall)
    apphost_in_use: bool = False
    """Another process holds applicationHost.config open for writing (a fault): a write fails."""
    web_deploy_syncs: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)
    """Every Web Deploy sync this server's agent received, as :mod:`.web_deploy` records it."""

    def pool_names(self) -> list[str]:
        return _item_names(self.config, POOLS, "add", "name")

    def site_names(self) -> list[str]:
        return _item_names(self.config, SITES, "site", "name")

    def application_paths(self, site: str) -> list[str]:
        return _item_names(self.config, SITES, "application", "path", within=("site", "name", site))

    @property
    def config(self) -> AppHostConfig:
        """The configuration in effect on this host: its own file; with Shared Configuration
        enabled, the share's applicationHost.config as the reader reads it now, else as WAS last
        read it (its cached configuration), with this machine's keys. Ops check first, with
        :func:`~.shared_config.require_access`, that Microsoft.Web.Administration can read
        (or write) it at all."""
        shared = effective_document(self.host, self.redirection, self.local.keys)
        return self.local if shared is None else AppHostConfig.over(shared, self.local.keys)


def pool_element(name: str) -> str:
    return f"add[@name='{_quoted(name)}']"


def site_element(name: str) -> str:
    return f"site[@name='{_quoted(name)}']"


def application_element(path: str) -> str:
    return f"application[@path='{_quoted(path)}']"


def process_model(server: IisServer, name: str) -> dict[str, t.Any]:
    """The pool's effective processModel attributes (readings by name); ERROR_FILE_NOT_FOUND
    for a pool that does not exist."""
    readings = server.config.get(POOLS, "", f"{pool_element(name)}/processModel")
    if readings is None:
        raise WindowsApiError(FILE_NOT_FOUND, f"application pool {name!r}")
    return {reading.name: reading for reading in readings}


def worker_logon(host: Host, server: IisServer, name: str, *, record: bool) -> ErrorCode | None:
    """Whether the worker of pool ``name`` logs its identity on (None) or Windows' error; with
    ``record``, a failed logon is counted for the account (a real start, not a look at the
    state)."""
    model = process_model(server, name)
    if model["identityType"].value != "SpecificUser":
        return None
    user = model["userName"].value or ""
    account = lookup_name(host, user)
    logon_type = _POOL_LOGON_TYPES[t.cast(str, model["logonType"].value)]
    extra = () if model["manualGroupMembership"].value == "true" else (IIS_IUSRS_SID,)
    try:
        if account is not None and account.object_class == GMSA:
            password = account.password if can_retrieve(host, account) else None
        else:
            password = server.config.clear_text(POOLS, "", f"{pool_element(name)}/processModel", "password") or ""
    except WindowsApiError as error:
        return error.error
    error = logon(host, user, password, logon_type, extra) if password is not None else ERROR_LOGON_FAILURE
    if error is not None and record:
        record_failed_logon(host, user)
    return error


def record_failed_logon(host: Host, name: str) -> None:
    """Count a failed LogonUser on an IIS 7+ host (its Security log's event 4625) for the account
    ``name`` resolves to (else the name as given)."""
    if host.iis is None:
        return
    account = lookup_name(host, name)
    key = account.qualified_name if account is not None else name
    host.iis.failed_logons[key] = host.iis.failed_logons.get(key, 0) + 1


def start_pool(host: Host, server: IisServer, name: str) -> ErrorCode | None:
    """Start (or recycle) the pool: Started when its worker logs on, else Stopped."""
    error = worker_logon(host, server, name, record=True)
    server.pool_states[name] = STARTED if error is None else STOPPED
    return error


def can_retrieve(host: Host, gmsa: Account) -> bool:
    """Whether ``host``'s computer account is among the gMSA's allowed principals, directly or
    through a domain group."""
    computer = host.domain.accounts.find(f"{host.name}$")
    if computer is None:
        return False
    sids = {computer.sid, *(group.sid for group in domain_groups(host, computer))}
    return bool(sids.intersection(gmsa.managed_principals))


def anonymous_logon(host: Host, server: IisServer, site: str) -> tuple[str | None, ErrorCode | None]:
    """The anonymous user in effect at ``site`` and LogonUser's answer for it (None: it logs
    on, or anonymous authentication is off, or requests run as the pool's identity)."""
    try:
        readings = {reading.name: reading for reading in t.cast(list, server.config.get(ANONYMOUS, site, None))}
    except WindowsApiError as error:
        # A configuration IIS cannot read (a section not declared): requests fail (500.19).
        return None, error.error
    user = readings["userName"].value or ""
    if readings["enabled"].value != "true" or not user or user.upper() in ("IUSR", "NT AUTHORITY\\IUSR"):
        return user or None, None
    try:
        password = server.config.clear_text(ANONYMOUS, site, None, "password") or ""
    except WindowsApiError as error:
        return user, error.error
    return user, logon(host, user, password, _ANONYMOUS_LOGON_TYPES[t.cast(str, readings["logonMethod"].value)])


def install_server(host: Host, server: IisServer) -> None:
    """WAS starting: every pool with autoStart starts, every site with serverAutoStart."""
    host.iis = server
    apply_configuration(host, server)


def apply_configuration(host: Host, server: IisServer) -> None:
    """WAS following a change of applicationHost.config: a new pool starts when autoStart says
    so, a new site when serverAutoStart does, a removed one is gone; a started pool whose
    configuration changed is recycled, its worker logging on anew (``recycling``'s
    disallowRotationOnConfigChange is false by default: IIS_schema.xml), and stops when it cannot."""
    names = server.pool_names()
    for name in [name for name in server.pool_states if name not in names]:
        del server.pool_states[name]
        server.pool_configs.pop(name, None)
    for name in names:
        snapshot = _pool_snapshot(server, name)
        if name not in server.pool_states:
            auto = server.config.get(POOLS, "", pool_element(name), ["autoStart"])
            if auto is not None and auto[0].value == "true":
                start_pool(host, server, name)
            else:
                server.pool_states[name] = STOPPED
        elif server.pool_states[name] == STARTED and server.pool_configs.get(name) != snapshot:
            start_pool(host, server, name)
        server.pool_configs[name] = snapshot
    sites = server.site_names()
    for name in [name for name in server.site_states if name not in sites]:
        del server.site_states[name]
    for name in sites:
        if name not in server.site_states:
            auto = server.config.get(SITES, "", site_element(name), ["serverAutoStart"])
            server.site_states[name] = STARTED if auto is not None and auto[0].value == "true" else STOPPED


def remember_configuration(server: IisServer) -> None:
    """Note the configuration WAS runs each pool with, after an op that started or recycled
    the pools it changed itself (``app_pool_identity_set``, ``app_pool_recycle``)."""
    for name in server.pool_names():
        server.pool_configs[name] = _pool_snapshot(server, name)


def _pool_snapshot(server: IisServer, name: str) -> str:
    """The text a pool's effective configuration comes from: its own element and the pools'
    defaults."""
    pools = server.config.document.root.child("system.applicationHost")
    pools = None if pools is None else pools.child("applicationPools")
    if pools is None:
        return ""
    own = [child.render() for child in pools.children if child.name == "add" and child.get("name") == name]
    defaults = [child.render() for child in pools.children if child.name == "applicationPoolDefaults"]
    return "".join(own + defaults)


def _item_names(
    config: AppHostConfig, section: str, item: str, key: str, within: tuple[str, str, str] | None = None
) -> list[str]:
    """The keys of the section's items (server level), or of the items of one item ``within``
    it (element name, key, value)."""
    container = config.document.root
    for part in section.split("/"):
        found = container.child(part)
        if found is None:
            return []
        container = found
    if within is not None:
        name, owner_key, value = within
        owner = next(
            (child for child in container.children if child.name == name and child.get(owner_key) == value), None
        )
        if owner is None:
            return []
        container = owner
    return [t.cast(str, child.get(key)) for child in container.children if child.name == item and child.get(key)]


def _quoted(value: str) -> str:
    return value.replace("'", "''")
