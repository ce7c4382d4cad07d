"""Logons to a WinRM listener: HTTP Basic, and NTLM through pyspnego's acceptor.

pyspnego's NTLM acceptor (0.12) takes no credentials from its caller: it looks accounts up in
the file named by the environment variable ``NTLM_USER_FILE``, which must be a path
``os.path.isfile`` accepts. The lab's file is anonymous memory (``memfd_create``), reached as
``/proc/self/fd/<n>``: no directory holds it, so it is gone the moment the lab's process ends,
even killed with SIGKILL. It holds each account's NT hash in the ``smbpasswd`` form, never a
password, and is rewritten from the lab's accounts at each logon, so a changed password takes
effect at the next logon. The variable points at it only while pyspnego reads it, so several
labs can share one Python process.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import spnego

# pyspnego's NT hash (MD4 of the UTF-16LE password): hashlib's MD4 is gone with OpenSSL 3.
from spnego._ntlm_raw.crypto import ntowfv1

logger = logging.getLogger(__name__)

# What a Windows WinRM listener offers in its 401 (one header each).
WWW_AUTHENTICATE_OFFERS = ("Negotiate", "Kerberos", 'Basic realm="WSMAN"', "CredSSP")
NTLM_USER_FILE_VARIABLE = "NTLM_USER_FILE"

_environment_lock = threading.Lock()


@dataclass(frozen=True)
class BasicCredentials:
    """A user name and password from an ``Authorization: Basic`` header."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class NegotiateToken:
    """A token from an ``Authorization: Negotiate`` (or ``NTLM``) header; the answer uses the same scheme."""

    scheme: str
    token: bytes


def parse_authorization(header: str | None) -> BasicCredentials | NegotiateToken | None:
    """Read an Authorization header; None when it is absent or not Basic/Negotiate/NTLM."""
    scheme, _, value = (header or "").strip().partition(" ")
    try:
        decoded = base64.b64decode(value.strip(), validate=True)
    except binascii.Error:
        return None
    if scheme.lower() == "basic":
        user, separator, password = _basic_text(decoded).partition(":")
        return BasicCredentials(user, password) if separator and user else None
    if scheme.lower() in ("negotiate", "ntlm") and decoded:
        return NegotiateToken(scheme, decoded)
    return None


def _basic_text(decoded: bytes) -> str:
    # RFC 7617 leaves the charset open: clients send UTF-8 or Latin-1 (requests does the latter).
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        return decoded.decode("latin-1")


@dataclass(frozen=True)
class NtlmAccount:
    """An account an NTLM logon can name: ``DOMAIN\\user``, or ``user`` / ``user@dns.domain`` with no domain."""

    domain: str
    user: str
    password: str = field(repr=False)

    @property
    def principal(self) -> str:
        """The account as a user name: ``DOMAIN\\user``, or ``user`` when there is no domain."""
        return f"{self.domain}\\{self.user}" if self.domain else self.user

    def names(self, principal: str) -> bool:
        """Whether ``principal`` is this account, compared as NTLM does (case-insensitively)."""
        domain, _, user = principal.rpartition("\\")
        return domain.casefold() == self.domain.casefold() and user.casefold() == self.user.casefold()


def storable_accounts(accounts: Sequence[NtlmAccount]) -> list[NtlmAccount]:
    """The accounts the ``smbpasswd`` file format can hold, in order.

    A ':' or a line break in the account's name would split the line differently, so such an
    account is left out (its NTLM logons fail; Basic still works) and a warning names it. The
    password is stored as its NT hash, which may hold anything.
    """
    storable = []
    for account in accounts:
        fields = (account.domain, account.user)
        if any(":" in text or "\n" in text or "\r" in text for text in fields):
            logger.warning(
                "NTLM logons as %s are not possible: NTLM_USER_FILE cannot hold its name or password", account.principal
            )
        else:
            storable.append(account)
    return storable


class NtlmUserFile:
    """The NTLM_USER_FILE of one lab, in anonymous memory; ``remove()`` closes it."""

    def __init__(self) -> None:
        self._descriptor = os.memfd_create("iis-lab-ntlm-users", os.MFD_CLOEXEC)
        self.path = f"/proc/self/fd/{self._descriptor}"

    @contextmanager
    def holding(self, accounts: Sequence[NtlmAccount]) -> Iterator[None]:
        """Write ``accounts`` to the file and make it the process's NTLM_USER_FILE for the block."""
        with _environment_lock:
            self._write(accounts)
            previous = os.environ.get(NTLM_USER_FILE_VARIABLE)
            os.environ[NTLM_USER_FILE_VARIABLE] = self.path
            try:
                yield
            finally:
                if previous is None:
                    del os.environ[NTLM_USER_FILE_VARIABLE]
                else:
                    os.environ[NTLM_USER_FILE_VARIABLE] = previous

    def remove(self) -> None:
        """Close the file; the memory goes with the last descriptor."""
        os.close(self._descriptor)

    def _write(self, accounts: Sequence[NtlmAccount]) -> None:
        os.ftruncate(self._descriptor, 0)
        os.pwrite(self._descriptor, "".join(_smbpasswd_line(account) for account in accounts).encode("utf-8"), 0)


def _smbpasswd_line(account: NtlmAccount) -> str:
    # USERNAME:UID:LM_HASH:NT_HASH:FLAGS:TIMESTAMP; pyspnego reads the name, LM and NT hashes.
    # No LM hash (all zeros), as Windows stores none once NoLMHash is set.
    name = f"{account.domain}\\{account.user}" if account.domain else account.user
    return f"{name}:0:{'0' * 32}:{ntowfv1(account.password).hex().upper()}:[U]:LCT-00000000\n"


class NtlmLogonFailed(Exception):
    """The client's NTLM token was malformed or its credentials did not match an account."""


class NtlmAcceptor:
    """The NTLM logon of one keep-alive connection (NEGOTIATE, CHALLENGE, AUTHENTICATE).

    Once complete, ``account`` is the account logged on (spelled as the client spelled it)
    and ``context`` holds the session keys that seal and unseal the connection's messages.
    """

    def __init__(self, user_file: NtlmUserFile) -> None:
        self._user_file = user_file
        self._context: spnego.ContextProxy | None = None
        self.account: NtlmAccount | None = None

    @property
    def context(self) -> spnego.ContextProxy | None:
        """The completed security context, or None before the logon completes."""
        return self._context if self.account is not None else None

    def step(self, token: bytes, accounts: Sequence[NtlmAccount]) -> bytes | None:
        """Take the client's next token; return the challenge to send back, or None once logged on.

        Raises NtlmLogonFailed; the next token then has to start a new logon.
        """
        storable = storable_accounts(accounts)
        if self.account is not None:  # a new NEGOTIATE on a logged-on connection starts over
            self._context, self.account = None, None
        try:
            with self._user_file.holding(storable):
                if self._context is None:
                    self._context = spnego.server(protocol="ntlm", service="http")
                answer = self._context.step(token)
        except Exception:  # noqa: BLE001 - pyspnego rejects a bad token with SpnegoError, but a malformed
            # one with whatever its parser hit (struct.error, ValueError, KeyError): all are a refusal.
            self._context = None
            raise NtlmLogonFailed("the NTLM logon was refused") from None
        if not self._context.complete:
            return answer
        principal = self._context.client_principal or ""
        matched = next((account for account in storable if account.names(principal)), None)
        if matched is None:
            self._context = None
            raise NtlmLogonFailed("the NTLM logon named no known account")
        domain, _, user = principal.rpartition("\\")
        self.account = NtlmAccount(domain=domain, user=user, password=matched.password)
        return None
