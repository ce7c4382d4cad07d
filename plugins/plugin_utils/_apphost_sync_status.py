# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Step 8 on IIS 7-10: Web Deploy's ``ERROR_*`` codes and the Windows codes of Shared
Configuration and its reader account, what each means and what to do.

This is for internal collection use only; the API may change at any time.

:data:`STATUSES` is the one table, in the form of the IISSync table (``_iissync_status``): the
step 8 modules word their failures from it (``decode(code).describe()``), the
``apphost_sync_status`` filter returns ``decode(code).as_dict()``, and
``docs/apphost-sync-status-codes.md`` is generated from it (``make status-codes``).

Web Deploy names a failure by a symbolic code (``ERROR_FILE_IN_USE``); Microsoft's page "Web
Deploy error codes" gives each a diagnosis and a resolution, which the entries here say in this
collection's words, for a sync of the server's configuration from the source node to a target.
Shared Configuration fails with Windows errors: an HRESULT (``0x80090005``) or a Win32 code,
alone (``53``) or wrapped in an HRESULT (``0x80070035``), which decodes as the Win32 code.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ._windows_errors import to_signed, to_unsigned

WEB_DEPLOY = "web_deploy"
SHARED_CONFIG = "shared_config"

WEB_DEPLOY_PAGE = "Web Deploy error codes"
SHARED_CONFIGURATION_PAGE = "Shared Configuration"
PASSWORD_EXPIRATION_POST = "Shared Configuration and password expiration"
SYSTEM_ERROR_CODES = "Windows System Error Codes"

SOURCES: t.Mapping[str, str] = {
    WEB_DEPLOY_PAGE: "learn.microsoft.com/iis/publish/troubleshooting-web-deploy/web-deploy-error-codes",
    SHARED_CONFIGURATION_PAGE: "learn.microsoft.com/iis/manage/managing-your-configuration-settings/shared-configuration_264",
    PASSWORD_EXPIRATION_POST: "blogs.iis.net/wonyoo/shared-configuration-and-password-expiration",
    SYSTEM_ERROR_CODES: "learn.microsoft.com/windows/win32/debug/system-error-codes",
}
"""Where each document the table names is published."""

UNDESCRIBED: t.Mapping[str, str] = {
    "ERROR_CONNECTION_TERMINATED": "Web Deploy prints it (microsoft/azure-pipelines-tasks reports it), but Microsoft's "
    "page does not describe it, so the collection gives no meaning or remedy of its own.",
}
"""Web Deploy codes met in the field that Microsoft's page gives no diagnosis for: decoded as
codes Web Deploy uses, with no meaning, rather than with one the collection would invent."""

_FACILITY_WIN32_HRESULT = 0x8007
_CODE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class SyncStatus:
    """One status: a Web Deploy error code (``ERROR_FILE_IN_USE``) or a Windows code (an int:
    a Win32 code or an HRESULT, unsigned), Windows' symbol for a number (None for a Web Deploy
    code, which is its own name), its meaning and probable cause, the remedy, the Microsoft
    document it comes from, the step 8 ``methods`` that meet it, and whether the preflight of
    those methods finds it before anything changes (``preflight``)."""

    code: str | int
    meaning: str
    remedy: str
    source: str
    methods: tuple[str, ...]
    preflight: bool
    symbol: str | None = None

    @property
    def name(self) -> str:
        return self.code if isinstance(self.code, str) else self.symbol or "no public symbol"


def _web_deploy(code: str, meaning: str, remedy: str, *, preflight: bool = False, note: str = "") -> SyncStatus:
    """A code of Microsoft's "Web Deploy error codes" page. ``preflight``: the Web Deploy
    preflight meets it, as it shows in a what-if of the sync (reaching the target, its rights,
    what exists there), unlike a failure only writing meets (what-if is optimistic)."""
    return SyncStatus(code, meaning, remedy, f"{WEB_DEPLOY_PAGE}{note}", (WEB_DEPLOY,), preflight)


def _windows(code: int, symbol: str, meaning: str, remedy: str, source: str, *, preflight: bool) -> SyncStatus:
    """A Windows code Shared Configuration or its reader account fails with."""
    return SyncStatus(code, meaning, remedy, source, (SHARED_CONFIG,), preflight, symbol)


# The providers and delegation rules Microsoft names as one group, sharing one diagnosis and one
# resolution: a non-administrator using the Web Management Service without a delegation rule.
_NOT_AUTHORIZED_FOR = (
    "IISAPP",
    "DBFULLSQL",
    "DBMYSQL",
    "SETACL",
    "APPPOOLNETFX",
    "APPPOOLPIPELINE",
    "RECYCLEAPP",
    "CREATEAPP",
    "CONTENTPATH",
)

STATUSES: tuple[SyncStatus, ...] = (
    # Reaching the target and being let in: a what-if meets all of these.
    _web_deploy(
        "ERROR_DESTINATION_INVALID",
        "The target's computer name is wrong, or the source cannot reach that computer at all.",
        "Check the target's name as the source resolves it, and that the source reaches the target (ping it).",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_DESTINATION_NOT_REACHABLE",
        "The target answers, but Web Deploy's endpoint there does not: the Web Deployment Agent Service "
        "(MsDepSvc) or the Web Management Service (WMSvc) is not installed or not running on the target, or a "
        "firewall stops the source reaching it.",
        "Start the service the sync connects to on the target (net start msdepsvc, or net start wmsvc) and let "
        "the source through every firewall to it.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_USER_UNAUTHORIZED",
        "The target refused the credentials: the user does not exist, the password is wrong, or the site the "
        "sync names does not exist there (through the Web Management Service, also a user without IIS Manager "
        "permission for the site).",
        "Check the account and its password; through the Web Deployment Agent Service the account must be a "
        "member of the target's Administrators group (Microsoft suggests a group MSDepSvcUsers for an account "
        "other than the built-in administrator); check that the site exists on the target.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_USER_NOT_ADMIN",
        "The Web Deployment Agent Service on the target accepts administrators only, and the sync did not "
        "connect with administrator credentials.",
        "Connect as the built-in or a domain administrator, or as an account in the MSDepSvcUsers group on the "
        "target (outside a domain: a local account of the same name and password on both nodes).",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_CERTIFICATE_VALIDATION_FAILED",
        "The target's Web Deploy endpoint presented a certificate the source does not trust or that is not "
        "valid, typically the self-signed certificate of the Web Management Service.",
        "Give the target's endpoint a certificate the source trusts; only in a lab skip the validation "
        "(msdeploy's -allowUntrusted).",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_PROXY_GATEWAY",
        "A proxy between the nodes stops Web Deploy reaching the target's endpoint.",
        "Web Deploy does not read the system's proxy settings: disable the proxy settings on the source "
        "(Internet Options, LAN settings) so that it connects to the target directly.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_COULD_NOT_CONNECT_TO_REMOTESVC",
        "Web Deploy could not connect to the remote service on the target.",
        "Check that the source reaches the target (ping), that msdepsvc or wmsvc runs on the target, and that "
        "no firewall blocks its port on the target (80 for msdepsvc, 8172 for wmsvc in a default install).",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_API_NOT_SUPPORTED",
        "The target's Web Deploy is older than the source's and lacks the call the source made.",
        "Install the latest Web Deploy on the target.",
        preflight=True,
    ),
    # What the sync names must exist and match on both ends.
    _web_deploy(
        "ERROR_SITE_DOES_NOT_EXIST",
        "The IIS site the sync names does not exist.",
        "Check the site's name; a site path written with / instead of \\ can cause it.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_APP_DOES_NOT_EXIST",
        "The IIS application the sync names does not exist.",
        "Check the application's path in IIS Manager.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_FRAMEWORK_VERSIONS_DO_NOT_MATCH",
        "A server sync between nodes that run Web Deploy on different .NET versions: Web Deploy blocks it, so "
        "as not to carry one .NET version's settings into another's.",
        "Run Web Deploy on the same .NET version on both nodes (the supportedRuntime order in msdeploy.exe.config "
        "on the source and msdepsvc.exe.config on the target, then restart msdepsvc), or name the .NET version of "
        "each configuration provider (netFxVersion).",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_APPPOOL_VERSION_MISMATCH",
        "An application pool's .NET version on the source differs from the target's.",
        "Give the pools the same .NET version on both nodes, or let Web Deploy set it (the appPoolNetFx provider).",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_MISSING_REQUIRED_DEPENDENCIES",
        "The AppHostAuthOverride provider needs IIS 7 or later on the target.",
        "Sync to targets that run IIS 7 or later.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_SNI_BINDINGS_NOT_SUPPORTED",
        "A binding uses Server Name Indication, which only IIS 8 and later support.",
        "Sync SNI bindings only to targets that run IIS 8 or later.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_CENTRAL_CERT_STORE_SETTINGS_CANNOT_BE_READ",
        "The Centralized Certificate Store cannot be used in this configuration.",
        "Use IIS 8 or later; on a 64-bit server run the 64-bit Web Deploy.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_CENTRAL_CERT_STORE_NOT_CONFIGURED_PROPERLY",
        "The Centralized SSL Certificate Store is not installed or not set up on a node (IIS 7.5 and earlier "
        "have none).",
        "Run IIS 8 or later on both nodes and install and configure the Centralized SSL Certificate Store there.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_HTTPCERT_BINDING_NOT_FOUND",
        "An HTTPS binding's certificate binding (http.sys) was not found.",
        "List the certificate bindings (netsh http show sslcert); recreate a missing one, for example through "
        "IIS Manager's site bindings.",
    ),
    _web_deploy(
        "ERROR_EXCEPTION_WHILE_CREATING_OBJECT",
        "Web Deploy could not read what it syncs on the source, typically data the caller has no access to.",
        "Make sure the account the sync runs as can read everything it syncs on the source.",
        preflight=True,
    ),
    # Delegation: a non-administrator through the Web Management Service. The sync connects as an
    # administrator through the agent service, so these mean the connection is not the one intended.
    *(
        _web_deploy(
            f"ERROR_USER_NOT_AUTHORIZED_FOR_{provider}",
            "A user who is not an administrator tried an operation with a Web Deploy provider no Web Management "
            "Service delegation rule lets it use.",
            "Check the delegation rule for this provider (Web Deploy's setup creates it; Repair Web Deploy in "
            "Programs and Features recreates it), or create it by hand; or sync as an administrator.",
            preflight=True,
            note=(
                " (the page also lists this code in the group of missing SQL Management Objects, whose diagnosis "
                "is about SQL)"
                if provider == "IISAPP"
                else ""
            ),
        )
        for provider in _NOT_AUTHORIZED_FOR
    ),
    _web_deploy(
        "ERROR_USER_NOT_AUTHORIZED_FOR_DEPLOYMENTPROVIDER",
        "A user who is not an administrator tried an operation with a Web Deploy provider for which Web "
        "Deploy's setup creates no delegation rule.",
        "Create the delegation rule for the provider by hand, or sync as an administrator.",
        preflight=True,
    ),
    _web_deploy(
        "ERROR_INSUFFICIENT_ACCESS_TO_SITE_FOLDER",
        "Connecting through the Web Management Service as a non-administrator, the account that writes (the "
        "service's identity for IIS Manager users, the Windows user otherwise) lacks Full Control of the site's "
        "root folder.",
        "Grant that account Full Control of the site's root folder (or IIS Manager's Deploy, Configure Web Deploy "
        "Publishing on the site).",
    ),
    _web_deploy(
        "ERROR_INSUFFICIENT_ACCESS_TO_APPHOSTCONFIG",
        "The identity a createApp delegation rule runs as cannot write applicationHost.config.",
        "Give that identity write access to applicationHost.config, or sync as an administrator.",
    ),
    # Failures only a real write meets: a what-if cannot see them.
    _web_deploy(
        "ERROR_FILE_IN_USE",
        "A file on the target could not be overwritten or deleted because a process holds it open.",
        "Make sure nothing holds the target's file during the sync (for site content: take the application "
        "offline with the appOffline rule), then sync again.",
    ),
    _web_deploy(
        "ERROR_OBJECT_TO_BE_DELETED_DOES_NOT_EXIST",
        "An object Web Deploy had found to delete on the target was gone when it deleted it: something else "
        "changed the target during the sync.",
        "Stop whatever else changes the target's configuration while the sync runs, then sync again.",
    ),
    _web_deploy(
        "ERROR_FAILED_TO_BRING_APP_ONLINE",
        "After the sync, Web Deploy could not remove app_offline.htm from the site's root on the target, so the "
        "application stays offline.",
        "Delete app_offline.htm from the site's root on the target, or sync again with the appOffline rule; the "
        "target's event logs give the reason.",
    ),
    _web_deploy(
        "ERROR_MAX_NUM_APPLICATIONS_EXCEEDED",
        "The sync would create more web applications than the target allows.",
        "Have the target's limit raised, or remove applications.",
    ),
    # Web Deploy's own backups (not the collection's apphost_backup).
    _web_deploy(
        "ERROR_FAILED_TO_RESTORE_BACKUP",
        "Web Deploy could not restore one of its backups.",
        "Check that the backup exists on the server and, when it holds a database, that a connection string is "
        "given.",
    ),
    _web_deploy(
        "ERROR_BACKUPS_ARE_NOT_CONFIGURED_PROPERLY",
        "Web Deploy's backup feature is not configured properly on the target.",
        "Read the target's event logs, and check that the backup settings in applicationHost.config follow IIS's "
        "BackupManagerSchema.xml.",
    ),
    _web_deploy(
        "ERROR_CANNOT_CREATE_BACKUP",
        "Web Deploy could not make a backup on the target before changing it.",
        "For an appHostConfig sync give a non-empty path; with several providers in a manifest, paths of one "
        "application; for a manual backup, turn the feature on in the server's backup settings; the target's "
        "event logs give the reason.",
    ),
    _web_deploy(
        "ERROR_SETTING_IS_READ_ONLY",
        "The backup setting being set is marked read-only.",
        "Have the server's administrator mark the setting settable in applicationHost.config (by hand or with "
        "Web Deploy's PowerShell scripts).",
    ),
    _web_deploy(
        "ERROR_PACKAGE_TOO_LARGE",
        "A package or backup Web Deploy makes would exceed its 4 GB limit.",
        "Make the package with the archiveDir provider instead; automatic backups have no way round the limit.",
    ),
    # Provider arguments.
    _web_deploy(
        "ERROR_INVALID_PATH",
        "A provider's path is not valid for that provider.",
        "Give the path the provider expects (Microsoft's Web Deploy Providers reference).",
    ),
    _web_deploy(
        "ERROR_INVALID_SETTING_SPECIFIED",
        "A provider setting given does not exist for that provider.",
        "Give only the provider's own settings (Microsoft's Web Deploy Providers reference).",
    ),
    _web_deploy(
        "ERROR_INVALID_SETTING_VALUE_SPECIFIED",
        "A provider setting's value is not valid.",
        "Give a value the setting takes (Microsoft's Web Deploy Providers reference).",
    ),
    _web_deploy(
        "ERROR_INCORRECT_PARAMETER_TAG",
        "A parameter's tag is not one Web Deploy takes.",
        "Run it again with the SQL, SQLCE or MYSQL tag.",
    ),
    _web_deploy(
        "ERROR_NOT_SUPPORTED",
        "Azure Websites does not let a Web Deploy publish create virtual applications or change an "
        "application's configuration.",
        "Change the site's configuration in the Azure portal to what the deployment needs.",
    ),
    # Dependencies and databases, which a configuration sync does not use.
    _web_deploy(
        "ERROR_ASSEMBLY_NOT_FOUND",
        "An assembly Web Deploy depends on could not be loaded.",
        "Reinstall Web Deploy with an installer that installs its dependencies (Microsoft names Web Platform "
        "Installer) rather than the bare MSI.",
    ),
    _web_deploy(
        "ERROR_HIGHER_FXVERSION_REQUIRED",
        "A SQL Dedicated Administrator Connection needs .NET 4.0, which the node making it does not run Web "
        "Deploy on.",
        "Install .NET 4.0 on that node and list it first in msdeploy.exe.config (or msdepsvc.exe.config on the "
        "agent's side).",
    ),
    _web_deploy(
        "ERROR_INVALID_CONNECTION_STRING",
        "A database connection string is malformed or holds keys the database server does not know, so a "
        "dbFullSql or dbMySql provider fails.",
        "Correct the connection string.",
    ),
    _web_deploy(
        "ERROR_CANNOT_CONNECT_TO_DATABASE",
        "No connection could be made to a database.",
        "Check the connection string, the account's access to the database, that the database server takes "
        "remote connections and that the node running Web Deploy reaches it.",
    ),
    _web_deploy(
        "ERROR_SQL_EXECUTION_FAILURE",
        "A SQL script failed.",
        "Read the SQL error reported with it; Microsoft's page gives no single cause.",
    ),
    _web_deploy(
        "ERROR_EXECUTING_METHOD",
        "Publishing a database failed; the error of SQL Management Objects or of the Data-Tier Application "
        "Framework reported with it names the cause.",
        "Read the message and stack trace reported with the code.",
    ),
    _web_deploy(
        "ERROR_TYPE_NOT_FOUND_IN_ASSEMBLY",
        "The dbFullSql provider needs SQL Server Management Objects 10 or later, which is missing.",
        "Install SQL Server Management Objects 10 or later.",
    ),
    _web_deploy(
        "ERROR_SMO_NEEDED_FOR_SQL_PROVIDER",
        "SQL Server Management Objects are missing or too old.",
        "Install the latest SQL Server Management Objects.",
    ),
    _web_deploy(
        "ERROR_SCRIPTER_NEEDED_FOR_SQLCE_PROVIDER",
        "SQL Server Management Objects are missing or too old for the SQL CE provider.",
        "Install the latest SQL Server Management Objects.",
    ),
    _web_deploy(
        "ERROR_SCRIPTDOM_NEEDED_FOR_SQL_PROVIDER",
        "SQL Data-Tier Application Framework's dependencies are not installed (here: Transact-SQL ScriptDom).",
        "Install SQL Server 2012 Data-Tier Application Framework, Transact-SQL ScriptDom and System CLR Types 11.0.",
    ),
    _web_deploy(
        "ERROR_SQLCLRTYPES_NEEDED_FOR_SQL_PROVIDER",
        "SQL Data-Tier Application Framework's dependencies are not installed (here: SQL Server System CLR Types).",
        "Install SQL Server 2012 Data-Tier Application Framework, Transact-SQL ScriptDom and System CLR Types 11.0.",
    ),
    _web_deploy(
        "ERROR_DACPAC_EXTRACTION_TIMEDOUT",
        "Extracting a DAC package took longer than Web Deploy waits.",
        "Give the provider a longer CommandTimeout.",
    ),
    _web_deploy(
        "ERROR_TIMED_OUT",
        "mysqldump took longer to answer a query than Web Deploy waits.",
        "Raise the provider's WaitAttemptsSettingInfo and WaitIntervalSettingInfo settings.",
    ),
    # Shared Configuration: the share, its reader account, the keys.
    _windows(
        0x80090005,
        "NTE_BAD_DATA",
        "Bad Data: the node cannot decrypt the configuration's encrypted attributes (\"Failed to decrypt "
        'attribute", HTTP 500.19), as its configuration keys are not the ones they were encrypted with: the '
        "keys exported with the shared configuration were not imported on this node.",
        "Import the configuration keys exported with the shared configuration on this node (enable shared "
        "configuration again with the key-encryption password), or export the configuration again with its keys.",
        SHARED_CONFIGURATION_PAGE,
        preflight=True,
    ),
    _windows(
        5,
        "ERROR_ACCESS_DENIED",
        "Access is denied: the reader account may not read the share or the configuration files in it; or a "
        'program writing the configuration (an installer running as SYSTEM: "Failed to commit configuration '
        'changes") may not write to the share, as writes run as the caller, not as the reader.',
        "Grant the reader account read on the share and on its files; write the configuration as an account "
        "that may change the share, or disable shared configuration while installing (the maintenance mode), "
        "then export and enable it again.",
        SHARED_CONFIGURATION_PAGE,
        preflight=True,
    ),
    _windows(
        53,
        "ERROR_BAD_NETPATH",
        "The network path was not found: the node cannot reach the share's host (its name does not resolve, it "
        "is down, or file sharing is blocked). WAS keeps its cached configuration, but a restart of WAS or of "
        "the node leaves the web server down until the share is back.",
        "Check the share host's name from the node and that it serves files (SMB, TCP 445) through every "
        "firewall; Microsoft recommends Offline Files or DFS-R so that nodes survive the share being away.",
        f"{SHARED_CONFIGURATION_PAGE}, {SYSTEM_ERROR_CODES}",
        preflight=True,
    ),
    _windows(
        67,
        "ERROR_BAD_NET_NAME",
        "The network name cannot be found: the host answers but has no share of that name.",
        "Check the share's name in the path, and that the share exists on its host.",
        SYSTEM_ERROR_CODES,
        preflight=True,
    ),
    _windows(
        1326,
        "ERROR_LOGON_FAILURE",
        "The reader account's logon failed: its name is unknown or its password is wrong (the one in "
        "redirection.config is not the account's).",
        "Give the reader account's current password, and enable shared configuration again with it.",
        SYSTEM_ERROR_CODES,
        preflight=True,
    ),
    _windows(
        1330,
        "ERROR_PASSWORD_EXPIRED",
        "The reader account's password has expired: every node fails to read the shared configuration, and IIS "
        "Manager, which reads it too, cannot be used to put it right.",
        "Set a new password on the account (and let a service account's password not expire), then put it in "
        "each node's redirection.config; where IIS Manager cannot open, edit redirection.config itself.",
        PASSWORD_EXPIRATION_POST,
        preflight=True,
    ),
    _windows(
        1331,
        "ERROR_ACCOUNT_DISABLED",
        "The reader account is disabled, so it cannot log on to read the share.",
        "Enable the account in the domain (or name another reader).",
        SYSTEM_ERROR_CODES,
        preflight=True,
    ),
    _windows(
        1385,
        "ERROR_LOGON_TYPE_NOT_GRANTED",
        'The reader account may not log on as IIS logs it on: it lacks "Log on as a batch job" '
        "(SeBatchLogonRight) on this node, which no account holds by default.",
        'Grant the reader account "Log on as a batch job" on every node, and check that no domain policy takes '
        "it away again.",
        f"{SHARED_CONFIGURATION_PAGE}, {SYSTEM_ERROR_CODES}",
        preflight=True,
    ),
    _windows(
        1909,
        "ERROR_ACCOUNT_LOCKED_OUT",
        "The reader account is locked out: too many logons with a wrong password, from nodes (or anything else) "
        "still using an old one.",
        "Unlock the account on a domain controller, then give every node's redirection.config the current password.",
        SYSTEM_ERROR_CODES,
        preflight=True,
    ),
    _windows(
        3,
        "ERROR_PATH_NOT_FOUND",
        "The share answers, but the folder the shared configuration path names below it does not exist.",
        "Correct the path (metabase_sync_shared_config_path), or create the folder on the share; a run with "
        "metabase_sync_shared_config_host makes the share and its folder itself.",
        SYSTEM_ERROR_CODES,
        preflight=True,
    ),
    _windows(
        1168,
        "ERROR_NOT_FOUND",
        "Shared configuration was disabled asking for the node's own configuration keys back, but none were saved "
        "when it was enabled on this node.",
        "Disable it keeping the keys it has (the maintenance mode does), or import the node's own keys from a "
        "backup of them.",
        SYSTEM_ERROR_CODES,
        preflight=False,
    ),
    _windows(
        0x80090029,
        "NTE_NOT_SUPPORTED",
        "The configuration's keys cannot be exported this way: its encryption provider keeps them in a CNG key "
        "(IISCngProvider, IISWASOnlyCngProvider, on newer IIS 10 builds), not in the RSA key containers the "
        "export moves.",
        "Export the configuration with its keys from IIS Manager (Shared Configuration, Export Configuration) or "
        "with Export-IISConfiguration on Windows Server 2016 or later, then enable it on each node.",
        SYSTEM_ERROR_CODES,
        preflight=False,
    ),
)

_BY_CODE: t.Mapping[str | int, SyncStatus] = {status.code: status for status in STATUSES}


@dataclasses.dataclass(frozen=True)
class DecodedSyncStatus:
    """A code and what the table says about it (``status`` is None for a code it does not hold)."""

    code: str | int
    status: SyncStatus | None

    @property
    def spelled(self) -> str:
        """A Web Deploy code by its name, a Windows code as eight hex digits."""
        return self.code if isinstance(self.code, str) else f"0x{self.code:08X}"

    def describe(self) -> str:
        """One paragraph for an operator: the code, its meaning and cause, and the remedy."""
        status = self.status
        if status is None:
            if self.code in UNDESCRIBED:
                return (
                    f'Web Deploy error {self.code}: Microsoft\'s "Web Deploy error codes" page does not describe this '
                    "code; the message Web Deploy reported with it is the account of the cause."
                )
            return f"{self.spelled} is not a code this collection knows; look it up in Microsoft's error references."
        if isinstance(self.code, str):
            return f"Web Deploy error {self.code}: {status.meaning} {status.remedy}"
        # A Win32 code reads as the number Windows documents it by, an HRESULT in hex.
        number = (
            f"{self.code} ({self.spelled}, {status.name})" if self.code < 0x10000 else f"{self.spelled} ({status.name})"
        )
        return f"Windows error {number}: {status.meaning} {status.remedy}"

    def as_dict(self) -> dict[str, t.Any]:
        """The decoded code as the ``apphost_sync_status`` filter and module results show it."""
        status = self.status
        number = not isinstance(self.code, str)
        return {
            "code": self.spelled,
            "signed": to_signed(self.code) if number else None,
            "known": status is not None,
            "symbol": status.name if status and number else None,
            "meaning": status.meaning if status else None,
            "remedy": status.remedy if status else None,
            "source": status.source if status else None,
            "methods": list(status.methods) if status else [],
            "preflight": status.preflight if status else False,
            "description": self.describe(),
        }


def decode(code: int | str) -> DecodedSyncStatus:
    """Decode a Web Deploy code or a Windows code in any spelling.

    A Web Deploy code in any case, with or without its ``ERROR_`` prefix (``ERROR_FILE_IN_USE``,
    ``error_file_in_use``, ``FILE_IN_USE``: some tools print it without); a Windows code as an
    unsigned or signed number, or a decimal or ``0x`` hex string. An HRESULT that wraps a Win32
    code (``0x80070035``) finds that code's entry (``53``).

    Raises :class:`ValueError` for a string that is neither a code's name nor a 32-bit number.
    """
    if isinstance(code, str) and _CODE_NAME.match(code.strip().upper()):
        name = code.strip().upper()
        if not name.startswith("ERROR_") and f"ERROR_{name}" in {*_BY_CODE, *UNDESCRIBED}:
            name = f"ERROR_{name}"
        if name.startswith("ERROR_"):
            return DecodedSyncStatus(name, _BY_CODE.get(name))
    value = to_unsigned(code)
    status = _BY_CODE.get(value)
    if status is None and value >> 16 == _FACILITY_WIN32_HRESULT:
        status = _BY_CODE.get(value & 0xFFFF)
    return DecodedSyncStatus(value, status)
