r"""Backups of an IIS 7+ server's configuration, as ``Backup-WebConfiguration`` and ``appcmd add
backup`` make them: a folder ``%windir%\system32\inetsrv\backup\<name>`` holding copies of
applicationHost.config, administration.config and redirection.config ("appcmd add backup",
learn.microsoft.com/iis/get-started/getting-started-with-iis/getting-started-with-appcmdexe,
"Backing up and restoring configuration"; ``Backup-WebConfiguration``, MicrosoftDocs
windows-powershell-docs webadministration/backup-webconfiguration).

A backup copies the files the server holds *now* (:func:`configuration_files`): whatever another
part of the lab puts into ``IisServer.config_files`` (redirection.config pointing at a share,
for one) is copied as it stands. Its date is the folder's creation time.

Names are folder names: the characters Win32 refuses in a file name (``<>:"/\|?*`` and the control
characters) or a reserved device name fail with ERROR_INVALID_NAME, CreateDirectory's error
("Naming Files, Paths, and Namespaces", learn.microsoft.com/windows/win32/fileio/naming-a-file);
a name that exists already (any case: NTFS names are case-insensitive) fails with
ERROR_ALREADY_EXISTS, 0x800700B7 (CreateDirectory; appcmd prints "ERROR ( hresult:800700b7 ...
Cannot create a file when that file already exists. )"); deleting a name that does not exist fails
with ERROR_FILE_NOT_FOUND, 0x80070002.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import typing as t

from .errors import FILE_NOT_FOUND, FOLDER_ALREADY_EXISTS, INVALID_NAME, WindowsApiError

if t.TYPE_CHECKING:
    from .was import IisServer

APPLICATION_HOST = "applicationHost.config"
ADMINISTRATION = "administration.config"
REDIRECTION = "redirection.config"
BACKUP_FOLDER = "system32\\inetsrv\\backup"

# IIS setup's administration.config, reduced to what identifies it (IIS Manager's own settings:
# authentication and authorization providers); the lab models nothing in it, it is only copied.
DEFAULT_ADMINISTRATION_CONFIG = (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n'
    "<configuration>\r\n"
    "    <system.webServer>\r\n"
    "        <management>\r\n"
    '            <authentication defaultProvider="Windows">\r\n'
    "                <providers>\r\n"
    '                    <add name="Windows" type="Microsoft.Web.Management.Server.WindowsAuthenticationProvider,'
    ' Microsoft.Web.Management, Version=10.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35" />\r\n'
    "                </providers>\r\n"
    "            </authentication>\r\n"
    '            <authorization defaultProvider="ConfigurationAuthorization">\r\n'
    "                <providers>\r\n"
    '                    <add name="ConfigurationAuthorization" type="Microsoft.Web.Management.Server.'
    'ConfigurationAuthorizationProvider, Microsoft.Web.Management, Version=10.0.0.0, Culture=neutral,'
    ' PublicKeyToken=31bf3856ad364e35" />\r\n'
    "                </providers>\r\n"
    "            </authorization>\r\n"
    "        </management>\r\n"
    "    </system.webServer>\r\n"
    "</configuration>\r\n"
)
# IIS setup's redirection.config: the section declared, the RSA provider its password would be
# encrypted with, and redirection off (Shared Configuration not enabled).
DEFAULT_REDIRECTION_CONFIG = (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n'
    "<configuration>\r\n"
    "    <configSections>\r\n"
    '        <section name="configurationRedirection" />\r\n'
    "    </configSections>\r\n"
    "    <configProtectedData>\r\n"
    "        <providers>\r\n"
    '            <add name="IISRsaProvider" type="" description="Uses RsaCryptoServiceProvider to encrypt and decrypt"'
    ' keyContainerName="iisConfigurationKey" cspProviderName="" useMachineContainer="true" useOAEP="false" />\r\n'
    "        </providers>\r\n"
    "    </configProtectedData>\r\n"
    "    <configurationRedirection />\r\n"
    "</configuration>\r\n"
)

_REFUSED = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_DEVICE = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class ConfigBackup:
    """One backup folder: its name, its creation time (UTC, whole seconds) and the files it holds."""

    name: str
    date: datetime.datetime
    files: t.Mapping[str, str] = dataclasses.field(repr=False)

    @property
    def listed(self) -> dict[str, str]:
        """The backup as ``apphost_backup_list`` gives it."""
        return {"name": self.name, "date": self.date.strftime("%Y-%m-%dT%H:%M:%SZ")}


def default_config_files() -> dict[str, str]:
    """The configuration files IIS setup writes besides applicationHost.config."""
    return {ADMINISTRATION: DEFAULT_ADMINISTRATION_CONFIG, REDIRECTION: DEFAULT_REDIRECTION_CONFIG}


def configuration_files(server: IisServer) -> dict[str, str]:
    """Every configuration file of ``inetsrv\\config`` a backup copies, by file name, as it is now."""
    return {APPLICATION_HOST: server.config.text, **server.config_files}


def create_backup(server: IisServer, name: str, now: datetime.datetime) -> ConfigBackup:
    _check_name(name)
    if find_backup(server, name) is not None:
        raise WindowsApiError(FOLDER_ALREADY_EXISTS, f"backup {name!r}")
    backup = ConfigBackup(name, now.replace(microsecond=0), configuration_files(server))
    server.backups.append(backup)
    return backup


def delete_backup(server: IisServer, name: str) -> None:
    _check_name(name)
    backup = find_backup(server, name)
    if backup is None:
        raise WindowsApiError(FILE_NOT_FOUND, f"backup {name!r}")
    server.backups.remove(backup)


def find_backup(server: IisServer, name: str) -> ConfigBackup | None:
    return next((backup for backup in server.backups if backup.name.casefold() == name.casefold()), None)


def _check_name(name: str) -> None:
    if not name.strip(" .") or _REFUSED.search(name) or _DEVICE.match(name.rstrip(" .")):
        raise WindowsApiError(INVALID_NAME, f"backup name {name!r}")
