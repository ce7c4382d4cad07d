"""How an IIS 7+ host encrypts the attributes its configuration schema marks ``encrypted="true"``:
written as ``[enc:<provider>:<base64>:enc]``, with the key of the provider on THIS machine.

IIS uses AES providers whose keys are per machine (``AesProvider``, key container
``iisConfigurationKey``, for system.webServer; ``IISWASOnlyAesProvider``, ``iisWasKey``, for
system.applicationHost); a configuration copied to another machine without its keys fails to
decrypt with NTE_BAD_DATA, 0x80090005 (HTTP 500.19 "Failed to decrypt attribute", Microsoft's
"Shared Configuration" article, learn.microsoft.com/iis/manage/managing-your-configuration-settings/shared-configuration_264).

The Python standard library has no AES, so the lab stands in with a keyed stream cipher of its
own: a random 16-byte IV, HMAC-SHA256(key, IV || counter) blocks as keystream, and an
HMAC-SHA256 tag over IV and ciphertext that fails decryption with another machine's key or
altered text. What matters to the collection holds: the text differs per machine and per write
(random IV), the clear text never appears, and only the machine that wrote it reads it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import typing as t

from .errors import NTE_BAD_DATA, WindowsApiError

AES_PROVIDER = "AesProvider"
WAS_AES_PROVIDER = "IISWASOnlyAesProvider"
# redirection.config's password: RSA with the machine key container iisConfigurationKey
# ("Shared configuration and password expiration", blogs.iis.net/wonyoo/...).
RSA_PROVIDER = "IISRsaProvider"
PROVIDERS = (AES_PROVIDER, WAS_AES_PROVIDER, RSA_PROVIDER)
SESSION_PROVIDERS = (AES_PROVIDER, WAS_AES_PROVIDER)
"""The providers whose keys encrypt applicationHost.config's attributes."""
_WRAP_ITERATIONS = 10_000
_ENCRYPTED = re.compile(r"^\[enc:([A-Za-z]+):([A-Za-z0-9+/=]*):enc\]$")
_IV_BYTES = 16
_TAG_BYTES = 32


def provider_for(section: str) -> str:
    """The provider IIS's schema names for a section's encrypted attributes."""
    return WAS_AES_PROVIDER if section.startswith("system.applicationHost/") else AES_PROVIDER


def new_machine_keys() -> dict[str, bytes]:
    """The keys IIS setup creates for one machine, by provider."""
    return {provider: secrets.token_bytes(32) for provider in PROVIDERS}


def is_encrypted(text: str) -> bool:
    return _ENCRYPTED.match(text) is not None


def encrypt(keys: dict[str, bytes], provider: str, clear: str) -> str:
    iv = secrets.token_bytes(_IV_BYTES)
    data = clear.encode("utf-16-le")
    body = bytes(a ^ b for a, b in zip(data, _keystream(keys[provider], iv, len(data))))
    tag = hmac.new(keys[provider], b"tag" + iv + body, hashlib.sha256).digest()
    return f"[enc:{provider}:{base64.b64encode(iv + body + tag).decode('ascii')}:enc]"


def decrypt(keys: dict[str, bytes], text: str) -> str:
    """The clear text of an encrypted value; NTE_BAD_DATA when this machine cannot read it (a
    provider it has no key for, another machine's key, or altered text)."""
    match = _ENCRYPTED.match(text)
    if match is None:
        # IIS reads an attribute the schema encrypts but the file holds in clear as it is.
        return text
    provider, encoded = match.groups()
    key = keys.get(provider)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raw = b""
    if key is None or len(raw) < _IV_BYTES + _TAG_BYTES:
        raise WindowsApiError(NTE_BAD_DATA, f"cannot decrypt with {provider}")
    iv, body, tag = raw[:_IV_BYTES], raw[_IV_BYTES:-_TAG_BYTES], raw[-_TAG_BYTES:]
    if not hmac.compare_digest(tag, hmac.new(key, b"tag" + iv + body, hashlib.sha256).digest()):
        raise WindowsApiError(NTE_BAD_DATA, f"{provider}: not this machine's key")
    return bytes(a ^ b for a, b in zip(body, _keystream(key, iv, len(body)))).decode("utf-16-le")


def first_decrypt_error(values: t.Iterable[str], keys: dict[str, bytes]) -> WindowsApiError | None:
    """The error decrypting the first encrypted value of ``values`` this machine cannot read."""
    for value in values:
        if is_encrypted(value):
            try:
                decrypt(keys, value)
            except WindowsApiError as error:
                return error
    return None


class WrappedKeys:
    """configEncKey.key: the configuration keys encrypted with a key derived (PBKDF2-SHA256)
    from the key-encryption password. Its text is key material: never shown or recorded."""

    def __init__(self, keys: dict[str, bytes], password: str) -> None:
        self._salt = secrets.token_bytes(16)
        wrapping = self._wrapping_key(password)
        clear = "".join(f"{provider}={key.hex()};" for provider, key in keys.items()).encode("ascii")
        iv = secrets.token_bytes(_IV_BYTES)
        body = bytes(a ^ b for a, b in zip(clear, _keystream(wrapping, iv, len(clear))))
        self._blob = iv + body + hmac.new(wrapping, b"tag" + iv + body, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "WrappedKeys(...)"

    def _wrapping_key(self, password: str) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), self._salt, _WRAP_ITERATIONS)

    def unwrap(self, password: str) -> dict[str, bytes]:
        """The keys; NTE_BAD_DATA with a wrong password (the decryption's integrity check fails)."""
        wrapping = self._wrapping_key(password)
        iv, body, tag = self._blob[:_IV_BYTES], self._blob[_IV_BYTES:-_TAG_BYTES], self._blob[-_TAG_BYTES:]
        if not hmac.compare_digest(tag, hmac.new(wrapping, b"tag" + iv + body, hashlib.sha256).digest()):
            raise WindowsApiError(NTE_BAD_DATA, "configEncKey.key: not this key-encryption password")
        clear = bytes(a ^ b for a, b in zip(body, _keystream(wrapping, iv, len(body)))).decode("ascii")
        pairs = (entry.split("=") for entry in clear.split(";") if entry)
        return {provider: bytes.fromhex(key) for provider, key in pairs}


def _keystream(key: bytes, iv: bytes, length: int) -> bytes:
    blocks = (
        hmac.new(key, iv + counter.to_bytes(8, "big"), hashlib.sha256).digest() for counter in range(length // 32 + 1)
    )
    return b"".join(blocks)[:length]
