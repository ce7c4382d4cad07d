r"""IIS 7+ Shared Configuration: redirection.config, the configuration keys moved between
machines, and where a node's configuration comes from.

Facts (Microsoft's "Shared Configuration" articles,
learn.microsoft.com/iis/manage/managing-your-configuration-settings/shared-configuration_264 and
learn.microsoft.com/iis/web-hosting/configuring-servers-in-the-windows-web-platform/shared-configuration_211;
the IISAdministration cmdlets' pages, MicrosoftDocs windows-powershell-docs iisadministration/*;
"Shared configuration and password expiration", blogs.iis.net/wonyoo/shared-configuration-and-password-expiration):

* Before it loads applicationHost.config, the configuration system reads
  ``%windir%\system32\inetsrv\config\redirection.config``: ``<configurationRedirection enabled
  path userName password>``, the password encrypted with IISRsaProvider (key container
  iisConfigurationKey). Enabled, it reads applicationHost.config and administration.config from
  ``path``, logging ``userName`` on (the UNC user needs read on the share and the files and "Log
  on as a batch job" on the node: :mod:`.file_shares`). Writes go to the same files, as the
  caller (the reader only reads).
* Export-IISConfiguration writes applicationHost.config, administration.config and the
  configuration keys, protected by a key-encryption password, into a folder (-Force overwrites
  what is there: the lab always does). Enable-IISSharedConfig backs up the node's own keys,
  imports the exported ones with that password and points redirection.config at the folder.
  Disable-IISSharedConfig sets ``enabled="false"``, restores the backed-up keys (and deletes the
  backup) unless -DontRestoreBackedUpKeys, and with -CopyRemoteConfigToLocalFiles copies the
  shared files over the local ones; without a backup it fails unless told not to restore.
* A node whose keys are not the exporter's cannot decrypt the configuration's encrypted
  attributes: NTE_BAD_DATA, 0x80090005 (500.19 "Failed to decrypt attribute").
* The share unreachable, or the reader unable to log on (a password expired): WAS keeps running
  with the configuration it has ("Offline Files for Shared Configuration" recommends Offline
  Files for this), while the configuration system (IIS Manager, Microsoft.Web.Administration)
  cannot read it (the password-expiration article's "chicken and egg").

The lab's choices, where the sources are silent *(inferred)*:

* WAS's cached configuration is the shared document as the node last read it (its in-memory
  object); the lab has no WAS restart, so the "W3SVC down until the share returns" of a restart
  is not modelled.
* A wrong key-encryption password fails the import with NTE_BAD_DATA (0x80090005), what the
  decryption of the key blob with a key derived from another password gives; nothing changes.
* Disable without keys to restore fails with ERROR_NOT_FOUND (0x80070490, "Element not found."),
  nothing changed: what the collection's node_ops reports for its own saved keys
  (docs/instruction-set.md; the cmdlet "fails with a warning").
* A failure of the configuration system to read or write the share is the HRESULT of the Win32
  error (HRESULT_FROM_WIN32: 0x80070035 for 53, 0x80070005 for 5, 0x80070532 for 1330, ...), as
  the COM calls of Microsoft.Web.Administration and the cmdlets throw it.
"""

from __future__ import annotations

import dataclasses
import typing as t
from xml.sax.saxutils import escape

from .apphost import AppHostConfig
from .config_encryption import RSA_PROVIDER, SESSION_PROVIDERS, WrappedKeys, decrypt, encrypt, first_decrypt_error
from .errors import ACCESS_DENIED, FILE_NOT_FOUND, NOT_FOUND, ErrorCode, WindowsApiError, hresult_from_win32
from .file_shares import CHANGE, READ, Opened, connect, locate, require
from .security import lookup_name
from .stored_secret import same_secret
from .xml_document import Document, Element, parse

if t.TYPE_CHECKING:
    from .host import Host

APPLICATIONHOST = "applicationHost.config"
ADMINISTRATION = "administration.config"
KEY_FILE = "configEncKey.key"
# administration.config as IIS setup writes it, reduced to what the lab needs to copy around: the
# lab models no IIS Manager settings.
ADMINISTRATION_TEXT = (
    "<configuration>\r\n    <system.webServer>\r\n        <management>\r\n"
    '            <authentication defaultProvider="WindowsAuthenticationProvider" />\r\n'
    "        </management>\r\n    </system.webServer>\r\n</configuration>\r\n"
)


@dataclasses.dataclass(eq=False)
class ConfigFile:
    """A configuration file on a share. Every node that reads it holds this object, so a write
    through one node is what the others read; an export replaces its document in place."""

    document: Document


@dataclasses.dataclass
class Redirection:
    """redirection.config's ``configurationRedirection`` element, and what the node holds of
    the shared files: ``server`` is the host ``path`` resolved to when it was enabled, ``cached``
    the shared applicationHost.config as WAS last read it."""

    enabled: bool = False
    path: str | None = None
    user_name: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    """The reader's password as the file holds it: IISRsaProvider ciphertext."""
    server: Host | None = dataclasses.field(default=None, repr=False, compare=False)
    cached: Document | None = dataclasses.field(default=None, repr=False, compare=False)
    backed_up_keys: dict[str, bytes] | None = dataclasses.field(default=None, repr=False, compare=False)
    """The node's own keys, backed up when it was enabled."""

    def render(self) -> str:
        """redirection.config as the file holds it (the password as its ciphertext), in the
        layout of the password-expiration article: what a backup of the node copies."""
        attributes = [("enabled", "true" if self.enabled else "false")]
        for name, value in (("path", self.path), ("userName", self.user_name), ("password", self.password)):
            if value is not None:
                attributes.append((name, value))
        element = " ".join(f'{name}="{escape(value, {chr(34): "&quot;"})}"' for name, value in attributes)
        return (
            "<configuration>\r\n    <configSections>\r\n"
            '        <section name="configurationRedirection" />\r\n    </configSections>\r\n'
            "    <configProtectedData>\r\n        <providers>\r\n"
            f'            <add name="{RSA_PROVIDER}" type="" description="Uses RsaCryptoServiceProvider to encrypt and '
            'decrypt" keyContainerName="iisConfigurationKey" cspProviderName="" useMachineContainer="true" '
            'useOAEP="false" />\r\n        </providers>\r\n    </configProtectedData>\r\n'
            f"    <configurationRedirection {element} />\r\n</configuration>\r\n"
        )


def _resolver(server: Host | None) -> t.Callable[[str], Host | None]:
    return lambda name: server if server is not None and server.answers_to(name) else None


def read_shared(node: Host, redirection: Redirection, keys: dict[str, bytes]) -> ConfigFile:
    """The shared applicationHost.config, read as the configuration system reads it (as the
    reader); Windows' Win32 error when it cannot be."""
    assert redirection.path is not None and redirection.user_name is not None
    opened = locate(_resolver(redirection.server), redirection.path)
    password = decrypt(keys, redirection.password or "")
    account = connect(node, opened, redirection.user_name, password)
    require(opened, account, READ)
    found = opened.folder.files.get(APPLICATIONHOST)
    if not isinstance(found, ConfigFile):
        raise WindowsApiError(FILE_NOT_FOUND, f"{redirection.path}\\{APPLICATIONHOST}")
    return found


def read_error(node: Host, redirection: Redirection, keys: dict[str, bytes]) -> ErrorCode | None:
    """Why the configuration system cannot read the shared configuration now (None: it can)."""
    try:
        read_shared(node, redirection, keys)
    except WindowsApiError as error:
        return error.error
    return None


def effective_document(node: Host, redirection: Redirection, keys: dict[str, bytes]) -> Document | None:
    """The shared document this node runs with (None: not redirected): the share's, read now,
    else the one WAS last read (its cached configuration)."""
    if not redirection.enabled:
        return None
    try:
        redirection.cached = read_shared(node, redirection, keys).document
    except WindowsApiError:
        pass
    return redirection.cached


def require_access(
    node: Host, redirection: Redirection, keys: dict[str, bytes], caller: str, credentials: bool, *, write: bool
) -> None:
    """What Microsoft.Web.Administration needs before a redirected node's configuration is read
    (the reader reads it) or written (the caller writes it, with network credentials and change
    on the share and the folder: without them, the double hop, access denied), as HRESULTs."""
    if not redirection.enabled:
        return
    try:
        read_shared(node, redirection, keys)
    except WindowsApiError as error:
        raise WindowsApiError(hresult_from_win32(error.error), error.detail) from None
    if not write:
        return
    assert redirection.path is not None
    opened = locate(_resolver(redirection.server), redirection.path)
    _require_writer(opened, caller, credentials)


def _require_writer(opened: Opened, caller: str, credentials: bool) -> None:
    account = lookup_name(opened.host, caller)
    if not credentials or account is None:
        raise WindowsApiError(ACCESS_DENIED, f"{caller} has no network credentials for {opened.host.name}")
    try:
        require(opened, account, CHANGE)
    except WindowsApiError as error:
        raise WindowsApiError(ACCESS_DENIED, error.detail) from None


def _open(resolve: t.Callable[[str], Host | None], path: str) -> Opened:
    try:
        return locate(resolve, path)
    except WindowsApiError as error:
        raise WindowsApiError(hresult_from_win32(error.error), error.detail) from None


def export(
    config: AppHostConfig,
    resolve: t.Callable[[str], Host | None],
    path: str,
    key_password: str,
    caller: str,
    credentials: bool,
) -> None:
    """Export-IISConfiguration -Force: the configuration this node runs with, administration.config
    and its keys wrapped with ``key_password``, written into ``path`` as the caller."""
    opened = _open(resolve, path)
    _require_writer(opened, caller, credentials)
    document = parse(config.text)
    files = opened.folder.files
    existing = files.get(APPLICATIONHOST)
    if isinstance(existing, ConfigFile):
        existing.document = document
    else:
        files[APPLICATIONHOST] = ConfigFile(document)
    files[ADMINISTRATION] = ADMINISTRATION_TEXT
    files[KEY_FILE] = WrappedKeys(config.keys, key_password)


def enable(
    node: Host,
    redirection: Redirection,
    keys: dict[str, bytes],
    resolve: t.Callable[[str], Host | None],
    path: str,
    user: str,
    password: str,
    key_password: str,
) -> None:
    """Enable-IISSharedConfig: read the exported keys at ``path`` as the reader, unwrap them with
    ``key_password`` (nothing changes when either fails), back up this node's own keys (once:
    a node already enabled keeps the backup of its own), import the keys in their place and point
    redirection.config at ``path``."""
    opened = _open(resolve, path)
    try:
        account = connect(node, opened, user, password)
        require(opened, account, READ)
    except WindowsApiError as error:
        raise WindowsApiError(hresult_from_win32(error.error), error.detail) from None
    wrapped = opened.folder.files.get(KEY_FILE)
    shared = opened.folder.files.get(APPLICATIONHOST)
    if not isinstance(wrapped, WrappedKeys) or not isinstance(shared, ConfigFile):
        raise WindowsApiError(FILE_NOT_FOUND, f"{path}: no exported configuration")
    imported = wrapped.unwrap(key_password)
    if redirection.backed_up_keys is None:
        redirection.backed_up_keys = dict(keys)
    keys.clear()
    keys.update(imported)
    redirection.enabled = True
    redirection.path = path
    redirection.user_name = user
    redirection.password = encrypt(keys, RSA_PROVIDER, password)
    redirection.server = opened.host
    redirection.cached = shared.document


def disable(node: Host, redirection: Redirection, local: AppHostConfig, *, keep_keys: bool) -> AppHostConfig:
    """Disable-IISSharedConfig -CopyRemoteConfigToLocalFiles [-DontRestoreBackedUpKeys]: the
    node's new local configuration (a copy of the shared one), its backed-up keys restored unless
    ``keep_keys``. The shared files must be readable, and keys to restore must exist."""
    keys = local.keys
    if not redirection.enabled:
        return local
    if not keep_keys and redirection.backed_up_keys is None:
        raise WindowsApiError(NOT_FOUND, "no backed-up keys to restore")
    try:
        shared = read_shared(node, redirection, keys)
    except WindowsApiError as error:
        raise WindowsApiError(hresult_from_win32(error.error), error.detail) from None
    copy = AppHostConfig.over(parse(shared.document.render()), keys)
    if not keep_keys:
        assert redirection.backed_up_keys is not None
        keys.clear()
        keys.update(redirection.backed_up_keys)
    redirection.backed_up_keys = None
    redirection.enabled = False
    redirection.cached = None
    return copy


def decrypt_error(config: AppHostConfig) -> ErrorCode | None:
    """Whether this node decrypts every encrypted attribute of the configuration it runs with."""
    error = first_decrypt_error(_attribute_values(config.document.root), config.keys)
    return None if error is None else error.error


def _attribute_values(element: Element) -> t.Iterator[str]:
    for _, value in element.attributes:
        yield value
    for child in element.children:
        yield from _attribute_values(child)


def password_matches(redirection: Redirection, keys: dict[str, bytes], candidate: str) -> bool:
    """Whether redirection.config's password, decrypted on this node, is ``candidate`` (False
    when this node cannot decrypt it)."""
    if redirection.password is None:
        return False
    try:
        return same_secret(decrypt(keys, redirection.password), candidate)
    except WindowsApiError:
        return False


def replace_session_keys(keys: dict[str, bytes], replacement: dict[str, bytes]) -> None:
    """Put ``replacement``'s AES session-provider keys in ``keys`` (redirection.config's RSA key
    stays): a node whose configuration keys are not the exporter's."""
    for provider in SESSION_PROVIDERS:
        keys[provider] = replacement[provider]
