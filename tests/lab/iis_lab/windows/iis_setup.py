"""The metabase that IIS setup leaves on a freshly installed server.

IIS 5.0 (Windows 2000) installs the WWW and FTP services; IIS 6.0 (Windows Server 2003)
installs only WWW unless FTP is chosen, and does not register the anonymous password
synchronisation sub-authenticator, so its anonymous password is held in the metabase with
``AnonymousPasswordSync`` False. Setup creates the local accounts ``IUSR_<HOST>`` (anonymous
user of both services) and ``IWAM_<HOST>`` (out-of-process applications) with random
passwords, which the metabase holds as secure properties.

Only the keys and properties the lab's slice of the schema describes are created.
"""

from __future__ import annotations

import secrets
import string
import typing as t
import uuid

from .complus import Application, Catalog
from .host import WINDOWS_2000, OsRelease
from .metabase import Metabase
from .metabase_schema import (
    IIS_FTP_SERVER,
    IIS_FTP_SERVICE,
    IIS_FTP_VIRTUAL_DIR,
    IIS_WEB_SERVER,
    IIS_WEB_SERVICE,
    IIS_WEB_VIRTUAL_DIR,
)

# AppIsolated: 2 is "Medium (Pooled)", the protection IIS 5 and 6 give the default site.
APP_POOLED = 2
# AccessFlags of the default site's root and IISHelp: AccessRead | AccessScript ("Scripts only").
_READ_AND_SCRIPT = 0x201
_READ = 0x1  # AccessRead alone: static content
# DirBrowseFlags: EnableDefaultDoc plus the date, time, size and extension columns.
_DIR_BROWSE = 0x4000001E
# AuthFlags: AuthAnonymous | AuthNTLM (Integrated Windows authentication).
_AUTH_ANONYMOUS_AND_NTLM = 5
_SERVER_STARTED = 2
_LOGGING_ENABLED = 1
_LOG_DIRECTORY = "%WinDir%\\System32\\LogFiles"
_PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!#$%()*+,-.:;=?@[]^_{}~"


def random_password(length: int = 14) -> str:
    """A password as IIS setup generates for IUSR/IWAM: random, never shown to anyone."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def install_iis(host_name: str, release: OsRelease, make_password: t.Callable[[], str] = random_password) -> Metabase:
    """The metabase of ``host_name`` right after IIS setup on ``release``."""
    iusr_password = make_password()
    metabase = Metabase()
    _install_www(metabase, host_name, release, iusr_password, make_password())
    if release is WINDOWS_2000:
        _install_ftp(metabase, host_name, iusr_password)
    return metabase


def _install_www(
    metabase: Metabase, host_name: str, release: OsRelease, iusr_password: str, iwam_password: str
) -> None:
    iis5 = release is WINDOWS_2000
    _create(
        metabase,
        "W3SVC",
        IIS_WEB_SERVICE,
        AnonymousUserName=f"IUSR_{host_name}",
        AnonymousUserPass=iusr_password,
        AnonymousPasswordSync=iis5,
        WAMUserName=f"IWAM_{host_name}",
        WAMUserPass=iwam_password,
        AuthFlags=_AUTH_ANONYMOUS_AND_NTLM,
        DefaultDoc="Default.htm,Default.asp,iisstart.asp" if iis5 else "Default.htm,Default.asp,index.htm,iisstart.htm",
        DirBrowseFlags=_DIR_BROWSE,
        ConnectionTimeout=900 if iis5 else 120,
        LogType=_LOGGING_ENABLED,
        LogFileDirectory=_LOG_DIRECTORY,
    )
    _create(
        metabase,
        "W3SVC/1",
        IIS_WEB_SERVER,
        ServerComment="Default Web Site",
        ServerBindings=[":80:"],
        ServerAutoStart=True,
        ServerState=_SERVER_STARTED,
    )
    _create(
        metabase,
        "W3SVC/1/ROOT",
        IIS_WEB_VIRTUAL_DIR,
        Path="C:\\Inetpub\\wwwroot",
        AccessFlags=_READ_AND_SCRIPT,
        AppRoot="/LM/W3SVC/1/ROOT",
        AppIsolated=APP_POOLED,
        AppFriendlyName="Default Application",
    )
    _create(
        metabase,
        "W3SVC/1/ROOT/IISHelp",
        IIS_WEB_VIRTUAL_DIR,
        Path=f"{release.system_root}\\Help\\iisHelp",
        AccessFlags=_READ_AND_SCRIPT,
    )


def _install_ftp(metabase: Metabase, host_name: str, iusr_password: str) -> None:
    _create(
        metabase,
        "MSFTPSVC",
        IIS_FTP_SERVICE,
        AnonymousUserName=f"IUSR_{host_name}",
        AnonymousUserPass=iusr_password,
        AnonymousPasswordSync=True,
        AllowAnonymous=True,
        AnonymousOnly=False,
        MaxConnections=100000,
        ConnectionTimeout=900,
        LogType=_LOGGING_ENABLED,
        LogFileDirectory=_LOG_DIRECTORY,
    )
    _create(
        metabase,
        "MSFTPSVC/1",
        IIS_FTP_SERVER,
        ServerComment="Default FTP Site",
        ServerBindings=[":21:"],
        ServerAutoStart=True,
        ServerState=_SERVER_STARTED,
    )
    _create(metabase, "MSFTPSVC/1/ROOT", IIS_FTP_VIRTUAL_DIR, Path="C:\\Inetpub\\ftproot", AccessFlags=0x1)


def _create(metabase: Metabase, path: str, key_type: str, **properties: t.Any) -> None:
    metabase.create_key(path, key_type)
    for name, value in properties.items():
        metabase.write(path, name, value)


APP_IN_PROCESS = 0
APP_ISOLATED = 1
ISOLATION_LEVELS = {"in_process": APP_IN_PROCESS, "isolated": APP_ISOLATED, "pooled": APP_POOLED}
"""AppIsolated by the name a topology uses."""


def create_application(metabase: Metabase, catalog: Catalog, path: str, isolation: str) -> None:
    """An application root at ``path`` (a new virtual directory below a site's ROOT) as
    AppCreate2 makes it: an isolated application gets a COM+ server package of its own, named
    IIS-{<site>//Root/<name>} and running as the metabase's WAMUserName with WAMUserPass."""
    site_path, _, name = path.rpartition("/ROOT/")
    site_comment = t.cast(str, metabase.read(site_path, "ServerComment").value)
    metabase.create_key(path, IIS_WEB_VIRTUAL_DIR)
    level = ISOLATION_LEVELS[isolation]
    for property_name, value in (
        ("Path", f"C:\\Inetpub\\wwwroot\\{name}"),
        ("AccessFlags", _READ_AND_SCRIPT),
        ("AppRoot", f"/LM/{path}"),
        ("AppIsolated", level),
        ("AppFriendlyName", name),
    ):
        metabase.write(path, property_name, value)
    if level != APP_ISOLATED:
        return
    package_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"iis-lab:{path}")).upper() + "}"
    package_name = f"IIS-{{{site_comment}//Root/{name}}}"
    catalog.applications.append(
        Application(
            package_id,
            package_name,
            identity=t.cast(str, metabase.read("W3SVC", "WAMUserName").value),
            password=t.cast(str, metabase.read("W3SVC", "WAMUserPass").value),
        )
    )
    metabase.write(path, "AppPackageID", package_id)
    metabase.write(path, "AppPackageName", package_name)


# The keys a seeded metabase repeats, all below the Default Web Site (another site would
# inherit the W3SVC's local IUSR_<host>, which steps 6-7 do not change and IISSync's preflight
# rightly refuses): a department's virtual directory and its applications' below it.
_SEEDED_APPLICATIONS_PER_DEPARTMENT = 20


def seed_properties(metabase: Metabase, count: int) -> None:
    """Add ``count`` properties (besides each new key's KeyType) to ``metabase`` in the shape of a
    busy web site: virtual directories ``W3SVC/1/ROOT/dept1``, ``dept2``, ... with 5 properties
    each, and up to 20 virtual directories below each with 2 to 5 (their Path, then access,
    default document, browsing and authentication settings in turn). The values depend only on
    the key, so every host seeded with the same count holds the same properties."""
    remaining = count
    department = 0
    while remaining > 0:
        department += 1
        root = f"W3SVC/1/ROOT/dept{department}"
        remaining = _seed_key(
            metabase,
            root,
            IIS_WEB_VIRTUAL_DIR,
            remaining,
            Path=f"D:\\Sites\\dept{department}",
            AccessFlags=_READ_AND_SCRIPT,
            DefaultDoc="index.asp,Default.htm",
            DirBrowseFlags=_DIR_BROWSE,
            AuthFlags=_AUTH_ANONYMOUS_AND_NTLM,
        )
        for index in range(_SEEDED_APPLICATIONS_PER_DEPARTMENT):
            if remaining <= 0:
                break
            settings: dict[str, t.Any] = {
                "Path": f"D:\\Sites\\dept{department}\\app{index}",
                "AccessFlags": _READ_AND_SCRIPT if index % 2 else _READ,
                "DefaultDoc": f"app{index}.asp,Default.htm",
                "DirBrowseFlags": _DIR_BROWSE,
                "AuthFlags": _AUTH_ANONYMOUS_AND_NTLM,
            }
            # 2 to 5 properties: Path and the first 1-4 of the others.
            chosen = dict(list(settings.items())[: 2 + index % 4])
            remaining = _seed_key(metabase, f"{root}/app{index}", IIS_WEB_VIRTUAL_DIR, remaining, **chosen)


def _seed_key(metabase: Metabase, path: str, key_type: str, remaining: int, **properties: t.Any) -> int:
    """Create the key at ``path`` with at most ``remaining`` of ``properties``; what remains after."""
    chosen = dict(list(properties.items())[:remaining])
    _create(metabase, path, key_type, **chosen)
    return remaining - len(chosen)
