# Copyright (c) webfarm.iis_cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Windows error codes (Win32 and HRESULT) decoded into words an operator can act on.

This is for internal collection use only; the API may change at any time.

Windows reports the same failure in several spellings: a Win32 code (``3``), the HRESULT that
wraps it (``0x80070003``), and that HRESULT read as a signed 32-bit number (``-2147024893``),
which is what PowerShell's ``Exception.HResult`` and a process exit code show. Everything here
accepts any of them and works on the unsigned form.
"""

from __future__ import annotations

import dataclasses
import typing as t

_FACILITY_WIN32 = 7
_UINT32 = 1 << 32


@dataclasses.dataclass(frozen=True)
class KnownError:
    """A Windows error this collection knows how to explain."""

    symbol: str
    message: str
    remedy: str = ""


# Messages are Windows' own texts (FormatMessage / adserr.h); remedies are ours and say what
# an operator of an IIS cluster does about it.
_KNOWN: dict[int, KnownError] = {
    2: KnownError("ERROR_FILE_NOT_FOUND", "The system cannot find the file specified."),
    3: KnownError(
        "ERROR_PATH_NOT_FOUND",
        "The system cannot find the path specified.",
        "Check the path; for a metabase key, webfarm.iis_cluster.metabase_info on its parent lists the children.",
    ),
    5: KnownError(
        "ERROR_ACCESS_DENIED",
        "Access is denied.",
        "Connect (or become) as a member of the node's Administrators group; on a domain controller, "
        "as a domain administrator.",
    ),
    33: KnownError(
        "ERROR_LOCK_VIOLATION",
        "The process cannot access the file because another process has locked a portion of the file.",
        "IIS reports a section applicationHost.config may not hold at this location this way (\"This configuration "
        "section cannot be used at this path\"): a section IIS allows at the server level only "
        "(allowDefinition=\"AppHostOnly\", such as applicationPools and sites) is set with location ''; one allowed "
        "down to applications (MachineToApplication) at a site or an application, not below. Nothing was written.",
    ),
    87: KnownError("ERROR_INVALID_PARAMETER", "The parameter is incorrect."),
    183: KnownError(
        "ERROR_ALREADY_EXISTS",
        "Cannot create a file when that file already exists.",
        "IIS reports a duplicate collection entry this way: the item with these keys exists already.",
    ),
    148: KnownError(
        "ERROR_PATH_BUSY",
        "The path specified cannot be used at this time.",
        "Another program holds the metabase key open; retry when it has finished.",
    ),
    1313: KnownError(
        "ERROR_NO_SUCH_PRIVILEGE",
        "A specified privilege does not exist.",
        "Give a user right by its constant name, such as SeInteractiveLogonRight (Log on locally); "
        "some rights exist only on later Windows releases.",
    ),
    1317: KnownError(
        "ERROR_NO_SUCH_USER",
        "The specified user does not exist.",
        "Only a user has a logon token: name a user account, not a group.",
    ),
    1326: KnownError(
        "ERROR_LOGON_FAILURE",
        "Logon failure: unknown user name or bad password.",
    ),
    1331: KnownError("ERROR_ACCOUNT_DISABLED", "Logon failure: account currently disabled."),
    1332: KnownError(
        "ERROR_NONE_MAPPED",
        "No mapping between account names and security IDs was done.",
        "Check the account's name; a domain account must exist first (webfarm.iis_cluster.domain_account).",
    ),
    1330: KnownError(
        "ERROR_PASSWORD_EXPIRED",
        "Logon failure: the specified account password has expired.",
        "Set a new password on the account (webfarm.iis_cluster.domain_account) and give it; a service "
        "account's password should not expire.",
    ),
    1377: KnownError("ERROR_MEMBER_NOT_IN_ALIAS", "The specified account name is not a member of the local group."),
    1378: KnownError(
        "ERROR_MEMBER_IN_ALIAS", "The specified account name is already a member of the local group."
    ),
    1385: KnownError(
        "ERROR_LOGON_TYPE_NOT_GRANTED",
        "Logon failure: the user has not been granted the requested logon type at this computer.",
        "Grant the account the logon right (webfarm.iis_cluster.user_right).",
    ),
    1387: KnownError(
        "ERROR_NO_SUCH_MEMBER",
        "A new member could not be added to or removed from the local group because the member does not exist.",
        "The account was deleted or its name is wrong: check it on a domain controller.",
    ),
    1722: KnownError(
        "RPC_S_SERVER_UNAVAILABLE",
        "The RPC server is unavailable.",
        "Check that the target's name resolves and that it answers RPC (TCP 135).",
    ),
    1907: KnownError(
        "ERROR_PASSWORD_MUST_CHANGE",
        "The user's password must be changed before signing in.",
        "Clear \"User must change password at next logon\" on the account, or set a new password and give it.",
    ),
    1909: KnownError(
        "ERROR_ACCOUNT_LOCKED_OUT",
        "The referenced account is currently locked out and may not be logged on to.",
        "Unlock the account on a domain controller, then find what tried an old password (a pool, a service "
        "or a node not yet updated).",
    ),
    2220: KnownError(
        "NERR_GroupNotFound",
        "The group name could not be found.",
        "Check the group's name; local groups are named without a domain (Users, not BUILTIN\\Users).",
    ),
    2221: KnownError("NERR_UserNotFound", "The user name could not be found."),
    2224: KnownError(
        "NERR_UserExists",
        "The account already exists.",
        "Another account (a user or a group) already has this name: choose another name.",
    ),
    2236: KnownError("NERR_UserInGroup", "The user already belongs to this group."),
    2245: KnownError(
        "NERR_PasswordTooShort",
        "The password does not meet the password policy requirements. Check the minimum password length, "
        "password complexity and password history requirements.",
        "Choose a password the domain's password policy accepts.",
    ),
    5010: KnownError(
        "ERROR_OBJECT_ALREADY_EXISTS",
        "The object already exists.",
        "An account of this name exists in the domain already: choose another name, or use the existing one.",
    ),
    10060: KnownError(
        "WSAETIMEDOUT",
        "A connection attempt failed because the connected party did not properly respond after a period of "
        "time, or established connection failed because connected host has failed to respond.",
        "Check that the host is up and that no firewall between the nodes drops the port.",
    ),
    10061: KnownError(
        "WSAECONNREFUSED",
        "No connection could be made because the target machine actively refused it.",
        "Check that the service listens on the host (for TCP 135: the RPC service runs).",
    ),
    11001: KnownError(
        "WSAHOST_NOT_FOUND",
        "No such host is known.",
        "Check the computer name, and that DNS or WINS resolves it from the node.",
    ),
    0x80004005: KnownError("E_FAIL", "Unspecified error"),
    0x8009000D: KnownError(
        "NTE_NO_KEY",
        "Key does not exist.",
        "The domain has no usable KDS root key for group managed service accounts: create one (Add-KdsRootKey) "
        "and wait until it is usable (10 hours), or back-date it in a lab.",
    ),
    0x80040154: KnownError(
        "REGDB_E_CLASSNOTREG",
        "Class not registered",
        "A COM class the node needs is not registered; for COM+ (COMAdmin.COMAdminCatalog), repair COM+ as "
        "Q310412 describes.",
    ),
    0x80005000: KnownError("E_ADS_BAD_PATHNAME", "An invalid directory pathname was passed."),
    0x80005005: KnownError("E_ADS_PROPERTY_NOT_SET", "The specified directory property was not set."),
    0x80005006: KnownError(
        "E_ADS_PROPERTY_NOT_SUPPORTED",
        "The specified directory property is not supported.",
        "This key's type has no such property (adsutil: \"This property is probably not allowed at this "
        'node"): check the property name, and that the key is the one the property belongs to. '
        "adsutil.vbs GET also exits with this code when a property is only inherited at the key.",
    ),
    0x800CC801: KnownError(
        "MD_ERROR_DATA_NOT_FOUND",
        "The specified metadata was not found.",
        "The property has no value at this key nor above it.",
    ),
    0x800CC802: KnownError(
        "MD_ERROR_INVALID_VERSION",
        "The version specified by dwMDVersion is invalid.",
        "No backup has this name and version: list the backups (metabase_backup_list) and pick one.",
    ),
    0x8000500C: KnownError(
        "E_ADS_CANT_CONVERT_DATATYPE",
        "The directory datatype cannot be converted to/from a native DS datatype.",
        "Give the value in the property's metabase type.",
    ),
    0x80110414: KnownError(
        "COMADMIN_E_USERPASSWDNOTVALID",
        "The user ID or password is invalid.",
        "COM+ checks the identity when it saves it: the account must exist and the password must be its own "
        "(the domain account's, as webfarm.iis_cluster.domain_account set it).",
    ),
    0x80110809: KnownError(
        "COMADMIN_E_OBJECT_DOES_NOT_EXIST",
        "The object you are attempting to access does not exist.",
        "An application's AppPackageID names a COM+ package the catalog lacks: recreate the application.",
    ),
    0x8000500D: KnownError("E_ADS_PROPERTY_NOT_FOUND", "The directory property cannot be found in the cache."),
}


def to_unsigned(code: int | str) -> int:
    """Return the unsigned 32-bit form of a Windows error code given in any spelling.

    Accepts ints (signed or unsigned) and strings in decimal or ``0x`` hex.
    """
    if isinstance(code, str):
        text = code.strip()
        try:
            value = int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text)
        except ValueError:
            raise ValueError(f"{code!r} is not a Windows error code (decimal or 0x hex)") from None
    elif isinstance(code, bool) or not isinstance(code, int):
        raise ValueError(f"{code!r} is not a Windows error code (decimal or 0x hex)")
    else:
        value = code
    if not -(1 << 31) <= value < _UINT32:
        raise ValueError(f"{code!r} does not fit in 32 bits, so it is not a Windows error code")
    return value % _UINT32


def to_signed(code: int | str) -> int:
    """Return the signed 32-bit form (how an exit code or ``HResult`` prints it)."""
    value = to_unsigned(code)
    return value - _UINT32 if value >= 1 << 31 else value


def lookup(code: int | str) -> KnownError | None:
    """Return what is known about ``code``, looking inside HRESULTs that wrap a Win32 code."""
    value = to_unsigned(code)
    known = _KNOWN.get(value)
    if known is None and value >> 16 == 0x8000 | _FACILITY_WIN32:
        known = _KNOWN.get(value & 0xFFFF)
    return known


def describe(code: int | str, reported_message: str = "") -> str:
    """One line that names the code, what Windows says it means and, when known, what to do.

    ``reported_message`` is the text the host reported; it is used for codes not in the table.
    """
    value = to_unsigned(code)
    hex_form = f"0x{value:08X}"
    known = lookup(value)
    if known is None:
        text = reported_message.strip() or "no description is known for this code"
        return f"Windows error {hex_form} ({value}): {text}"
    line = f"Windows error {hex_form} {known.symbol}: {known.message}"
    return f"{line} {known.remedy}" if known.remedy else line


__all__: t.Sequence[str] = ("KnownError", "describe", "lookup", "to_signed", "to_unsigned")
