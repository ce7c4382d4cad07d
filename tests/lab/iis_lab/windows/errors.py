"""Windows error codes the simulated hosts return, with the texts Windows gives them.

Codes are unsigned 32-bit numbers, as ``docs/instruction-set.md`` puts them on the wire. The
texts are those of ``FormatMessage`` on Windows 2000/2003 (the ADSI ones come from
``activeds.dll``, whose wording then said "directory" where later releases say "Active
Directory").
"""

from __future__ import annotations

import dataclasses
import typing as t


@dataclasses.dataclass(frozen=True)
class ErrorCode:
    """One Windows error: its unsigned code, its symbolic name and Windows' message text."""

    code: int
    symbol: str
    message: str

    def __str__(self) -> str:
        return f"0x{self.code:08X} {self.symbol}: {self.message}"


# HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): DeleteBackup of a backup name or version that does not
# exist ([MS-IMSA] 3.1.4.15).
FILE_NOT_FOUND = ErrorCode(0x80070002, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified.")
# HRESULT_FROM_WIN32(ERROR_INVALID_NAME): a backup name that cannot name the backup's files (the
# IIS 6 SDK's "Specified name is invalid" for the backup methods).
INVALID_NAME = ErrorCode(
    0x8007007B, "ERROR_INVALID_NAME", "The filename, directory name, or volume label syntax is incorrect."
)
# HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND): binding a metabase key that does not exist.
PATH_NOT_FOUND = ErrorCode(0x80070003, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified.")
# HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED): the IIS Admin service refuses the caller (AdminACL).
ACCESS_DENIED = ErrorCode(0x80070005, "ERROR_ACCESS_DENIED", "Access is denied.")
# HRESULT_FROM_WIN32(ERROR_PATH_BUSY): the metabase is held by another application (adsutil.vbs
# prints "The requested path is being used by another application." for it).
PATH_BUSY = ErrorCode(0x80070094, "ERROR_PATH_BUSY", "The path specified cannot be used at this time.")
# HRESULT_FROM_WIN32(ERROR_INVALID_PARAMETER): e.g. a backup location name IIS cannot store.
INVALID_PARAMETER = ErrorCode(0x80070057, "E_INVALIDARG", "The parameter is incorrect.")
# COM (winerror.h): CoCreateInstance of a class the registry does not hold, such as
# COMAdmin.COMAdminCatalog in a damaged COM+ installation (Q310412).
REGDB_E_CLASSNOTREG = ErrorCode(0x80040154, "REGDB_E_CLASSNOTREG", "Class not registered")
# Windows Sockets (winerror.h): name resolution and connection failures.
WSAHOST_NOT_FOUND = ErrorCode(11001, "WSAHOST_NOT_FOUND", "No such host is known.")
WSAETIMEDOUT = ErrorCode(
    10060,
    "WSAETIMEDOUT",
    "A connection attempt failed because the connected party did not properly respond after a period of time, "
    "or established connection failed because connected host has failed to respond.",
)

# ADSI (adserr.h). The IIS provider answers E_ADS_PROPERTY_NOT_SUPPORTED from Get/Put for any
# property name its class does not list, unknown names included (adsutil.vbs: "This property is
# probably not allowed at this node"). adsutil.vbs also exits with this code, of its own accord,
# when a property is "not set at this node".
E_ADS_BAD_PATHNAME = ErrorCode(0x80005000, "E_ADS_BAD_PATHNAME", "An invalid directory pathname was passed")
E_ADS_PROPERTY_NOT_SUPPORTED = ErrorCode(
    0x80005006, "E_ADS_PROPERTY_NOT_SUPPORTED", "The specified directory property is not supported"
)
E_ADS_CANT_CONVERT_DATATYPE = ErrorCode(
    0x8000500C,
    "E_ADS_CANT_CONVERT_DATATYPE",
    "The directory datatype cannot be converted to/from a native DS datatype",
)
# The metabase itself (mdmsg.h): a property with no value at a key nor, by inheritance, above
# it. GetPropertyAttribObj answers it, which is how node_ops tells "unset" apart.
MD_ERROR_DATA_NOT_FOUND = ErrorCode(0x800CC801, "MD_ERROR_DATA_NOT_FOUND", "The specified metadata was not found.")
# IIsComputer.Restore of a backup name and version that does not exist ([MS-IMSA] 3.1.4.29 Restore).
MD_ERROR_INVALID_VERSION = ErrorCode(
    0x800CC802, "MD_ERROR_INVALID_VERSION", "The version specified by dwMDVersion is invalid."
)


class WindowsApiError(Exception):
    """A Windows API call failed with ``error``; ``detail`` says what was being done (for logs
    and tests only: results carry only the code and Windows' own message)."""

    def __init__(self, error: ErrorCode, detail: str = "") -> None:
        self.error = error
        self.detail = detail
        super().__init__(f"{error}{f' ({detail})' if detail else ''}")

    @property
    def code(self) -> int:
        return self.error.code

    @property
    def message(self) -> str:
        return self.error.message


class ObjectErrors(WindowsApiError):
    """SaveChanges of a COM+ collection failed (COMADMIN_E_OBJECTERRORS); ``error_info`` holds
    the ErrorInfo collection: each failing object's Key (MajorRef) and its own code."""

    def __init__(self, error_info: t.Sequence[tuple[str, ErrorCode]]) -> None:
        self.error_info = tuple(error_info)
        super().__init__(COMADMIN_E_OBJECTERRORS, "; ".join(f"{key}: {code}" for key, code in self.error_info))


# Win32 (winerror.h) and network management (lmerr.h) codes of the account, group, logon and
# LSA calls, with the texts of Windows 2000/2003.
ERROR_FILE_NOT_FOUND = ErrorCode(2, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified.")
ERROR_ACCESS_DENIED = ErrorCode(5, "ERROR_ACCESS_DENIED", "Access is denied.")
ERROR_NOT_SUPPORTED = ErrorCode(50, "ERROR_NOT_SUPPORTED", "The request is not supported.")
ERROR_NO_SUCH_PRIVILEGE = ErrorCode(1313, "ERROR_NO_SUCH_PRIVILEGE", "A specified privilege does not exist.")
ERROR_NO_SUCH_USER = ErrorCode(1317, "ERROR_NO_SUCH_USER", "The specified user does not exist.")
ERROR_LOGON_FAILURE = ErrorCode(1326, "ERROR_LOGON_FAILURE", "Logon failure: unknown user name or bad password.")
ERROR_NONE_MAPPED = ErrorCode(1332, "ERROR_NONE_MAPPED", "No mapping between account names and security IDs was done.")
ERROR_MEMBER_NOT_IN_ALIAS = ErrorCode(
    1377, "ERROR_MEMBER_NOT_IN_ALIAS", "The specified account name is not a member of the local group."
)
ERROR_MEMBER_IN_ALIAS = ErrorCode(
    1378, "ERROR_MEMBER_IN_ALIAS", "The specified account name is already a member of the local group."
)
ERROR_NO_SUCH_MEMBER = ErrorCode(
    1387,
    "ERROR_NO_SUCH_MEMBER",
    "A new member could not be added to or removed from the local group because the member does not exist.",
)
NERR_GROUP_NOT_FOUND = ErrorCode(2220, "NERR_GroupNotFound", "The group name could not be found.")
NERR_USER_NOT_FOUND = ErrorCode(2221, "NERR_UserNotFound", "The user name could not be found.")
NERR_USER_EXISTS = ErrorCode(2224, "NERR_UserExists", "The account already exists.")
NERR_USER_IN_GROUP = ErrorCode(2236, "NERR_UserInGroup", "The user already belongs to this group.")
NERR_PASSWORD_TOO_SHORT = ErrorCode(
    2245,
    "NERR_PasswordTooShort",
    "The password does not meet the password policy requirements. Check the minimum password length, "
    "password complexity and password history requirements.",
)
# Network paths and shares (winerror.h, lmerr.h), as a UNC path's listing and NetShare* report them.
ERROR_PATH_NOT_FOUND = ErrorCode(3, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified.")
ERROR_BAD_NETPATH = ErrorCode(53, "ERROR_BAD_NETPATH", "The network path was not found.")
ERROR_BAD_NET_NAME = ErrorCode(67, "ERROR_BAD_NET_NAME", "The network name cannot be found.")
ERROR_INVALID_NAME = ErrorCode(
    123, "ERROR_INVALID_NAME", "The filename, directory name, or volume label syntax is incorrect."
)
ERROR_BAD_PATHNAME = ErrorCode(161, "ERROR_BAD_PATHNAME", "The specified path is invalid.")
NERR_DUPLICATE_SHARE = ErrorCode(2118, "NERR_DuplicateShare", "The share name is already in use on this server.")
ERROR_PASSWORD_EXPIRED = ErrorCode(
    1330, "ERROR_PASSWORD_EXPIRED", "Logon failure: the specified account password has expired."
)
ERROR_ACCOUNT_DISABLED = ErrorCode(1331, "ERROR_ACCOUNT_DISABLED", "Logon failure: account currently disabled.")
ERROR_ACCOUNT_LOCKED_OUT = ErrorCode(
    1909, "ERROR_ACCOUNT_LOCKED_OUT", "The referenced account is currently locked out and may not be logged on to."
)
ERROR_LOGON_TYPE_NOT_GRANTED = ErrorCode(
    1385,
    "ERROR_LOGON_TYPE_NOT_GRANTED",
    "Logon failure: the user has not been granted the requested logon type at this computer.",
)

# The COM+ admin catalog (COMAdmin, winerror.h). SaveChanges of a collection fails with
# COMADMIN_E_OBJECTERRORS when an object of it cannot be saved; that object's own code is only in
# the collection's ErrorInfo collection (COM+ SDK, "Handling COM+ Administration Errors").
COMADMIN_E_OBJECTERRORS = ErrorCode(
    0x80110401,
    "COMADMIN_E_OBJECTERRORS",
    "Errors occurred accessing one or more objects - the ErrorInfo collection may have more detail",
)
COMADMIN_E_USERPASSWDNOTVALID = ErrorCode(
    0x80110414, "COMADMIN_E_USERPASSWDNOTVALID", "The user ID or password is invalid."
)
# COM's activation of a server whose RunAs identity does not log on: a wrong or unknown
# account or password is CO_E_RUNAS_LOGON_FAILURE; any other logon error comes back as
# HRESULT_FROM_WIN32 of LogonUser's error, e.g. 0x80070569 for a missing logon right.
CO_E_RUNAS_LOGON_FAILURE = ErrorCode(
    0x8000401A,
    "CO_E_RUNAS_LOGON_FAILURE",
    "The server process could not be started because the configured identity is incorrect. "
    "Check the username and password.",
)


def hresult_from_win32(error: ErrorCode) -> ErrorCode:
    """HRESULT_FROM_WIN32: a Win32 error as the HRESULT a COM call returns (same text)."""
    return ErrorCode(0x80070000 | (error.code & 0xFFFF), error.symbol, error.message)


COMADMIN_E_OBJECT_DOES_NOT_EXIST = ErrorCode(
    0x80110809, "COMADMIN_E_OBJECT_DOES_NOT_EXIST", "The object you are attempting to access does not exist."
)

# IIS 7+ configuration (Microsoft.Web.Administration) and WAS. HRESULTs of the configuration
# system as IIS reports them (HTTP 500.19's "Error Code", "HTTP Error 500.19 - Internal Server
# Error", learn.microsoft.com/troubleshoot/developer/webapps/iis/health-diagnostic-performance/http-error-500-19-webpage).
ERROR_LOCK_VIOLATION = ErrorCode(
    0x80070021,
    "ERROR_LOCK_VIOLATION",
    "This configuration section cannot be used at this path. This happens when the section is locked at a "
    "parent level.",
)
# A section the configuration has no <section> declaration for (500.19, 0x80070032).
CONFIG_SECTION_NOT_DECLARED = ErrorCode(
    0x80070032,
    "ERROR_NOT_SUPPORTED",
    "The configuration section cannot be read because it is missing a section declaration.",
)
ERROR_ALREADY_EXISTS = ErrorCode(0x800700B7, "ERROR_ALREADY_EXISTS", "Cannot add duplicate collection entry")
# HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS) as CreateDirectory reports it: a backup folder of that
# name exists (appcmd add backup; Backup-WebConfiguration).
FOLDER_ALREADY_EXISTS = ErrorCode(
    0x800700B7, "ERROR_ALREADY_EXISTS", "Cannot create a file when that file already exists."
)
# NTE_BAD_DATA (winerror.h): "Failed to decrypt attribute" of a configuration encrypted with
# another machine's keys (500.19 "Bad Data", Shared Configuration).
NTE_BAD_DATA = ErrorCode(0x80090005, "NTE_BAD_DATA", "Bad Data.")
# HRESULT_FROM_WIN32(ERROR_NOT_FOUND): no saved configuration keys to restore.
NOT_FOUND = ErrorCode(0x80070490, "ERROR_NOT_FOUND", "Element not found.")
# NTE_NO_KEY (winerror.h): New-ADServiceAccount without a usable KDS root key ("Key does not exist").
NTE_NO_KEY = ErrorCode(0x8009000D, "NTE_NO_KEY", "Key does not exist.")
# ERROR_OBJECT_ALREADY_EXISTS (winerror.h 5010), as HRESULT: the directory's answer to a
# second object of the same name.
OBJECT_ALREADY_EXISTS = ErrorCode(0x80071392, "ERROR_OBJECT_ALREADY_EXISTS", "The object already exists.")
# ERROR_DS_NO_SUCH_OBJECT (winerror.h 8240) as HRESULT: LDAP's noSuchObject.
DS_NO_SUCH_OBJECT = ErrorCode(0x80072030, "ERROR_DS_NO_SUCH_OBJECT", "There is no such object on the server.")
