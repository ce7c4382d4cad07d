"""WinRM message encryption over HTTP (MS-WSMV 2.2.9.1.1.1, SPNEGO session encryption).

The SOAP envelope travels sealed with the connection's NTLM session keys inside a two-part
MIME body: a header part stating the clear length, then the sealed data prefixed with the
little-endian length of its signature.
"""

from __future__ import annotations

import re
import struct

import spnego
import spnego.exceptions

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_BOUNDARY = b"--Encrypted Boundary"
_ORIGINAL_LENGTH = re.compile(rb"Length=(\d+)")
_DATA_HEADER = b"\tContent-Type: application/octet-stream\r\n"


class MalformedEncryptedMessage(Exception):
    """The body is not a sealed WinRM message for this connection's keys."""


def is_encrypted(content_type: str | None) -> bool:
    """Whether a request's Content-Type announces a sealed body."""
    lowered = (content_type or "").lower()
    return lowered.startswith("multipart/encrypted") and PROTOCOL.lower() in lowered


def unseal(context: spnego.ContextProxy, body: bytes) -> bytes:
    """The SOAP envelope inside a sealed request body."""
    parts = [part for part in body.split(_BOUNDARY + b"\r\n") if part]
    if len(parts) != 2:
        raise MalformedEncryptedMessage("expected one header part and one data part")
    header, payload = parts
    length = _ORIGINAL_LENGTH.search(header)
    payload = payload.removesuffix(_BOUNDARY + b"--\r\n")
    if length is None or not payload.startswith(_DATA_HEADER):
        raise MalformedEncryptedMessage("the MIME parts lack the original length or the data header")
    sealed = payload[len(_DATA_HEADER) :]
    (signature_length,) = struct.unpack("<i", sealed[:4].ljust(4, b"\0"))
    signature, data = sealed[4 : 4 + signature_length], sealed[4 + signature_length :]
    try:
        message = context.unwrap_winrm(signature, data)
    except spnego.exceptions.SpnegoError:
        raise MalformedEncryptedMessage("the signature does not match the data") from None
    if len(message) != int(length.group(1)):
        raise MalformedEncryptedMessage("the unsealed length differs from the announced length")
    return message


def seal(context: spnego.ContextProxy, message: bytes) -> bytes:
    """A sealed response body carrying ``message``."""
    wrapped = context.wrap_winrm(message)
    return b"".join(
        (
            _BOUNDARY + b"\r\n",
            b"\tContent-Type: " + PROTOCOL.encode() + b"\r\n",
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
            + str(len(message)).encode()
            + b"\r\n",
            _BOUNDARY + b"\r\n",
            _DATA_HEADER,
            struct.pack("<i", len(wrapped.header)),
            wrapped.header,
            wrapped.data,
            _BOUNDARY + b"--\r\n",
        )
    )
