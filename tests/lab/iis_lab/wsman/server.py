"""The lab's WinRM listeners: one HTTP listener per simulated host, all on one port.

The address a request arrived on names the host, as with real machines behind distinct
IP addresses. Each keep-alive connection carries its own logon: Basic on every request,
or one NTLM handshake whose session keys then seal the connection's messages.
"""

from __future__ import annotations

import base64
import errno
import functools
import logging
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import spnego

from . import encryption
from .auth import (
    WWW_AUTHENTICATE_OFFERS,
    BasicCredentials,
    NegotiateToken,
    NtlmAcceptor,
    NtlmAccount,
    NtlmLogonFailed,
    NtlmUserFile,
    parse_authorization,
)
from .accounting import ExecutionTraffic, WireAccounting
from .executor import execute
from .lab_interface import LabBackend
from .service import COMMAND_ACTION, DELETE_ACTION, Caller, handle
from .shell import ShellRegistry
from .soap import WsmanRequest

logger = logging.getLogger(__name__)

SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"
_POLL_INTERVAL = 0.05  # how quickly stop() is noticed by a listener's accept loop


class _HostListener(ThreadingHTTPServer):
    """The WinRM listener of one simulated host, with that host's shells."""

    daemon_threads = True

    def __init__(self, lab: LabBackend, address: str, port: int, user_file: NtlmUserFile) -> None:
        self.lab = lab
        self.address = address
        self.user_file = user_file
        self.shells = ShellRegistry()
        self.traffic = WireAccounting(functools.partial(self._record_traffic, lab, address))
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((address, port), _WinRMRequestHandler)

    @staticmethod
    def _record_traffic(lab: LabBackend, address: str, traffic: ExecutionTraffic) -> None:
        lab.record_execution(address, traffic)

    @property
    def endpoint(self) -> str:
        """The URL clients reach this host at."""
        return f"http://{self.address}:{self.server_address[1]}/wsman"

    def track(self, connection: socket.socket, open_: bool) -> None:
        """Remember or forget an open client connection, so that stop() can close it."""
        with self._connections_lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut down every kept-alive client connection."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client closed it meanwhile


class _WinRMRequestHandler(BaseHTTPRequestHandler):
    """Serves the requests of one client connection."""

    protocol_version = "HTTP/1.1"  # keep-alive: an NTLM logon belongs to the connection
    server: _HostListener

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without this, Nagle's algorithm meets the
        # client's delayed ACK and every response waits ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.ntlm = NtlmAcceptor(self.server.user_file)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        self.server.track(self.connection, open_=False)
        super().finish()

    def version_string(self) -> str:
        return "Microsoft-HTTPAPI/2.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        # Request lines and status codes only: no header or body is ever logged.
        logger.debug("%s %s", self.server.address, format % args)

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._received = len(body)
        self._request: WsmanRequest | None = None
        self._module: str | None = None
        if self.path.split("?", 1)[0].lower() != "/wsman":
            self._reply(404, b"")
            return
        user = self._logon()
        if user is not None:
            self._answer(user, body)

    def _count(self, status: int, sent: int) -> None:
        """Add this exchange to the host's traffic account (:mod:`.accounting`), before the
        client has the response: once it has, the execution is on record."""
        request, succeeded = self._request, status == 200
        shell_id = request.shell_id if request is not None else None
        action = request.action if request is not None else None
        self.server.traffic.exchange(
            shell_id, succeeded and action == COMMAND_ACTION, self._received, sent, module=self._module
        )
        if shell_id and succeeded and action == DELETE_ACTION:
            self.server.traffic.close_shell(shell_id)

    def _logon(self) -> str | None:
        """The user this request runs as, or None after refusing it with a 401."""
        credentials = parse_authorization(self.headers.get("Authorization"))
        if isinstance(credentials, BasicCredentials):
            allowed = self.server.lab.authenticate(self.server.address, credentials.user, credentials.password)
            return credentials.user if allowed else self._refuse()
        if isinstance(credentials, NegotiateToken):
            return self._ntlm_logon(credentials)
        if self.ntlm.account is not None:
            return self.ntlm.account.principal
        return self._refuse()

    def _ntlm_logon(self, credentials: NegotiateToken) -> str | None:
        lab = self.server.lab
        accounts = [
            NtlmAccount(domain, user, password) for domain, user, password in lab.ntlm_accounts(self.server.address)
        ]
        try:
            challenge = self.ntlm.step(credentials.token, accounts)
        except NtlmLogonFailed:
            return self._refuse()
        if challenge is not None:
            answer = f"{credentials.scheme} {base64.b64encode(challenge).decode()}"
            self._reply(401, b"", headers=[("WWW-Authenticate", answer)])
            return None
        account = self.ntlm.account
        assert account is not None  # set when the handshake completes
        # NTLM proved the password; the host still decides whether this account may log on here.
        allowed = lab.authenticate(self.server.address, account.principal, account.password)
        if not allowed:
            self.ntlm = NtlmAcceptor(self.server.user_file)
            return self._refuse()
        return account.principal

    def _refuse(self) -> None:
        self._reply(401, b"", headers=[("WWW-Authenticate", offer) for offer in WWW_AUTHENTICATE_OFFERS])

    def _answer(self, user: str, body: bytes) -> None:
        context = self.ntlm.context
        sealed = encryption.is_encrypted(self.headers.get("Content-Type"))
        if sealed:
            unsealed = self._unseal(context, body)
            if unsealed is None:
                return
            body = unsealed
        if not body:
            # pywinrm's empty POST that completes the NTLM logon before sealing starts.
            self._reply(200, b"")
            return
        caller = Caller(
            user=user,
            endpoint=self.server.endpoint,
            runner=functools.partial(execute, self.server.lab, self.server.address, user),
        )
        status, reply = handle(body, self.server.shells, caller)
        self._request = caller.requests[0] if caller.requests else None
        self._module = caller.modules[0] if caller.modules else None
        if sealed and context is not None:
            self._reply(status, encryption.seal(context, reply), content_type=encryption.CONTENT_TYPE)
        else:
            self._reply(status, reply, content_type=SOAP_CONTENT_TYPE)

    def _unseal(self, context: spnego.ContextProxy | None, body: bytes) -> bytes | None:
        """The clear request, or None after answering 400 to a body this connection cannot unseal."""
        if context is not None:
            try:
                return encryption.unseal(context, body)
            except encryption.MalformedEncryptedMessage as error:
                logger.debug("%s refused a sealed request: %s", self.server.address, error)
        self.close_connection = True  # the connection's sealing sequence is out of step (or never began)
        self._reply(400, b"")
        return None

    def _reply(
        self,
        status: int,
        body: bytes,
        *,
        content_type: str | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in headers or []:
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._count(status, len(body))
        self.wfile.write(body)


@dataclass
class RunningLab:
    """Listeners serving a lab in background threads until ``stop()``."""

    addresses: list[str]
    port: int
    _listeners: list[_HostListener] = field(repr=False)
    _threads: list[threading.Thread] = field(repr=False)
    _user_file: NtlmUserFile = field(repr=False)

    def stop(self) -> None:
        """Stop listening, close client connections, and close the NTLM account file."""
        for listener in self._listeners:
            listener.shutdown()
            listener.close_connections()
            listener.server_close()
            listener.traffic.close()
        for thread in self._threads:
            thread.join()
        self._user_file.remove()


class PortInUse(OSError):
    """A host's listener cannot bind: another lab or program holds the port on its address."""

    def __init__(self, address: str, port: int) -> None:
        super().__init__(
            errno.EADDRINUSE,
            f"port {port} is already in use on {address}, by another lab or program: stop that one, or choose "
            f"another port with --port N (make demo DEMO_PORT=N)",
        )

    def __str__(self) -> str:
        return str(self.strerror)


def start(lab: LabBackend, port: int) -> RunningLab:
    """Listen for WinRM on ``port`` of every lab address, in daemon threads.

    Raises :class:`PortInUse` when an address's port is taken."""
    if not 0 < port < 65536:
        # Port 0 would give each host a different ephemeral port; the hosts must share one.
        raise ValueError(f"the lab needs one explicit TCP port shared by all hosts, not {port}")
    user_file = NtlmUserFile()
    listeners: list[_HostListener] = []
    try:
        for address in lab.addresses:
            try:
                listeners.append(_HostListener(lab, address, port, user_file))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    raise PortInUse(address, port) from None
                raise
    except OSError:
        for listener in listeners:
            listener.server_close()
        user_file.remove()
        raise
    threads = [
        threading.Thread(
            target=listener.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"winrm-{listener.address}",
            daemon=True,
        )
        for listener in listeners
    ]
    for thread in threads:
        thread.start()
    logger.info("WinRM listening on port %d of %s", port, ", ".join(lab.addresses))
    return RunningLab(
        addresses=list(lab.addresses), port=port, _listeners=listeners, _threads=threads, _user_file=user_file
    )


def serve_forever(lab: LabBackend, port: int, on_ready: Callable[[], None]) -> None:
    """Serve the lab in the foreground until SIGINT or SIGTERM, then stop cleanly.

    ``on_ready`` is called once every listener accepts connections. Call from the main thread.
    """
    stop_requested = threading.Event()
    previous_handlers = {
        signum: signal.signal(signum, lambda _signum, _frame: stop_requested.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        running = start(lab, port)
        try:
            on_ready()
            while not stop_requested.wait(0.5):
                pass
        finally:
            running.stop()
    finally:
        for signum, handler in previous_handlers.items():
            signal.signal(signum, handler)
