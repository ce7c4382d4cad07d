"""The lab: simulated hosts behind one object that the WinRM server drives.

The server (:mod:`iis_lab.wsman`) authenticates each request with :meth:`Lab.authenticate`
(or, for NTLM, with :meth:`Lab.ntlm_accounts`), records every process a command starts with
:meth:`Lab.record_process`, and hands node_ops module runs to :meth:`Lab.run_node_ops`.
Hosts are found by the loopback address their listener binds. Calls come from several server
threads at once, and the methods here take the locks they need themselves: each host has its
own, so commands on different hosts run concurrently. A command of one member server holds that
host's lock; one that reaches other hosts (IISSync, an RPC probe), one on a domain controller
(the domain every host consults) holds every host's lock, :attr:`Lab.lock`, always taken in
topology order so that no two commands wait for each other. The console's edits and faults
change one host and hold its lock.
After a command the lab recomputes the state of what it held, and rewrites ``state.json`` only
when that changed.

Tests change a host behind the collection's back with :meth:`Lab.edit_metabase` and
:meth:`Lab.change_fault` (in-process) or ``iis-lab edit`` and ``iis-lab fault``
(:mod:`iis_lab.edits`), never through WinRM.

A lab starts from its topology's freshly installed hosts, or resumes the model its state
directory recorded (:mod:`iis_lab.resume`).
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import time
import typing as t

from . import node_ops
from .conditions import CONDITION_KINDS
from .faults import FAULT_KINDS, FaultKind
from .shared_config_faults import NODE, SHARE_HOST, SHARED_CONFIG_FAULTS
from .node_ops.spec import OpSpec
from .provision import provision
from .resume import load_recorded_model
from .state import ProcessRecord, SecretDigests, StateDirectory, domain_state, host_state, part_text, state_text
from .topology import Topology, load_topology
from .web_deploy_faults import WEB_DEPLOY_FAULT_KINDS, WebDeployFaultKind
from .windows import security
from .windows.domain import Domain
from .windows.host import Host
from .windows.was import apply_configuration
from .wsman.accounting import ExecutionTraffic


class Lab:
    """A running lab: the topology's domain and hosts, and the record of what happened to them.

    ``processes`` are the processes started since this lab started, ``executions`` the WinRM
    traffic of each WinRS command (:meth:`record_execution`); a resumed lab (``resumed``,
    built with the ``digests`` its state recorded) appends to the record its state directory
    already holds, where a lab started from its topology empties it.
    """

    def __init__(
        self,
        topology: Topology,
        domain: Domain,
        hosts: t.Sequence[Host],
        state_dir: str | None = None,
        *,
        digests: SecretDigests | None = None,
        resumed: bool = False,
    ) -> None:
        self.topology = topology
        self.domain = domain
        self.hosts: tuple[Host, ...] = tuple(hosts)
        self.processes: list[ProcessRecord] = []
        self.executions: list[dict[str, t.Any]] = []
        self.resumed = resumed
        self._hosts_by_address = {host.address: host for host in self.hosts}
        self._host_locks = {host.name: threading.RLock() for host in self.hosts}
        self.lock = HostLocks([self._host_locks[host.name] for host in self.hosts])
        """Every host's lock: the whole model, for whoever reads or changes more than one host."""
        self._records_lock = threading.Lock()
        self._state_dir = StateDirectory(state_dir) if state_dir is not None else None
        self._digests = digests if digests is not None else SecretDigests()
        # The state's parts as last computed with their text, and whether they changed since
        # state.json was written.
        self._parts_lock = threading.Lock()
        self._domain_part: dict[str, t.Any] = {}
        self._domain_text = part_text(self._domain_part)
        self._host_parts: dict[str, dict[str, t.Any]] = {}
        self._host_texts: dict[str, str] = {}
        self._unwritten = True
        if self._state_dir is not None and not resumed:
            self._state_dir.reset()
        self.save()

    @classmethod
    def from_topology(cls, path: str | None, state_dir: str | None = None, *, resume: bool = False) -> Lab:
        """A lab for the topology file at ``path`` (None: the default topology), recording into
        ``state_dir`` when given. With ``resume``, the model the ``state.json`` of ``state_dir``
        holds, when it holds one. Raises :class:`~iis_lab.topology.TopologyError`, and
        :class:`~iis_lab.resume.StateError` for a state written for another topology or format."""
        topology = load_topology(path)
        if resume:
            if state_dir is None:
                raise ValueError("a lab resumes from a state directory: give state_dir")
            recorded = load_recorded_model(state_dir, topology)
            if recorded is not None:
                return cls(topology, recorded.domain, recorded.hosts, state_dir, digests=recorded.digests, resumed=True)
        domain, hosts = provision(topology)
        return cls(topology, domain, hosts, state_dir)

    @property
    def state_file(self) -> str | None:
        """The ``state.json`` this lab writes, if it records into a state directory."""
        return None if self._state_dir is None else self._state_dir.state_file

    @property
    def addresses(self) -> list[str]:
        """The listener address of each host, in topology order."""
        return [host.address for host in self.hosts]

    def host(self, address: str) -> Host:
        """The host whose listener binds ``address``."""
        try:
            return self._hosts_by_address[address]
        except KeyError:
            raise LookupError(f"no lab host listens on {address}") from None

    def authenticate(self, address: str, user: str, password: str) -> bool:
        """Whether ``user``/``password`` may log on to the host at ``address`` over WinRM
        (the domain administrator, named ``user``, ``DOMAIN\\user`` or ``user@dns.domain``)."""
        host = self._hosts_by_address.get(address)
        if host is None:
            return False
        # The domain changes only under every host's lock: one host's is enough to read it.
        with self._host_locks[host.name]:
            return self.domain.accepts(user, password)

    def ntlm_accounts(self, address: str) -> list[tuple[str, str, str]]:
        """``(domain, user, password)`` lines for an NTLM acceptor's credential file, as the host
        at ``address`` knows them."""
        with self._host_locks[self.host(address).name]:
            return self.domain.ntlm_accounts()

    def runas_refusal(self, address: str, user: str, password: str) -> str | None:
        """Why the host at ``address`` refuses runas become as ``user`` with ``password``, in the
        words of Ansible's become wrapper (``Ansible.Become``'s LogonUser, an interactive logon,
        failing inside ``CreateProcessAsUser``); None when the logon succeeds. A name without a
        domain is the host's own account (the wrapper passes domain ``.``)."""
        host = self.host(address)
        if "\\" not in user and "@" not in user:
            user = f"{host.name if host.local_accounts is not None else self.domain.netbios}\\{user}"
        with self._locks_for(host, reaches_other_hosts=False):
            error = security.logon(host, user, password, security.LOGON_INTERACTIVE)
        if error is None:
            return None
        return (
            'failure during exec_wrapper: Exception calling "CreateProcessAsUser" with "9" argument(s): '
            f'"Failed to logon {user} ({error.message.rstrip(".")}, Win32ErrorCode {error.code})"'
        )

    def host_named(self, name: str) -> Host:
        """The host whose computer name is ``name`` (any case)."""
        for host in self.hosts:
            if host.name.lower() == name.lower():
                return host
        raise LookupError(f"no lab host is named {name}")

    def record_process(self, address: str, user: str, command_line: str) -> None:
        """Record that the host at ``address`` started a process as ``user``."""
        self._record(self.host(address), user, command_line)

    def _record(self, host: Host, user: str, command_line: str) -> None:
        with self._records_lock:
            record = ProcessRecord(
                host=host.name,
                user=user,
                command_line=command_line,
                time=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            )
            self.processes.append(record)
            if self._state_dir is not None:
                self._state_dir.append_process(record)

    def record_execution(self, address: str, traffic: ExecutionTraffic) -> None:
        """Record the WinRM traffic of one finished execution on the host at ``address``
        (``executions.jsonl``)."""
        record = {"host": self.host(address).name, **dataclasses.asdict(traffic)}
        with self._records_lock:
            self.executions.append(record)
            if self._state_dir is not None:
                self._state_dir.append_execution(record)

    def run_node_ops(
        self,
        address: str,
        module_args: t.Mapping[str, t.Any],
        *,
        user: str,
        become_user: str | None,
        become_with_password: bool,
    ) -> dict[str, t.Any]:
        """Run the node_ops module on the host at ``address``, logged on as ``user`` (and run as
        ``become_user`` when given), and return its JSON result.

        The caller saves the state once its whole command is done (:meth:`save_changes`).
        """
        become = node_ops.Become(become_user, become_with_password) if become_user else None
        host = self.host(address)
        batch = _batch(node_ops.OPS, module_args)
        with self._locks_for(host, reaches_other_hosts=any(spec.reaches_other_hosts for spec in batch)) as held:
            failed_logons = _failed_logons(host)
            result = node_ops.run_module(
                node_ops.OPS,
                host,
                module_args,
                logon_user=user,
                become=become,
                network=_Network(self, held),
                secret_token=self._digests,
            )
            # Only a batch with a write op can change the configuration: the instruction set's
            # contract (docs/instruction-set.yml) is that a read op changes nothing on the node.
            # A read op's failed logon (account_logon_check) is still a Security log event.
            if any(spec.write for spec in batch) or _failed_logons(host) != failed_logons:
                if held.hosts is None:
                    _was_follows_shares(self.hosts)
                self._refresh(held)
        return result

    def edit_metabase(self, host_name: str, path: str, name: str, value: t.Any = None, *, clear: bool = False) -> None:
        """Set (or, with ``clear``, remove) a property at a key of one host's metabase, as an
        administrator at that host's console would: no WinRM, no record of a process.

        Raises :class:`LookupError` for an unknown host and
        :class:`~iis_lab.windows.errors.WindowsApiError` as the metabase would.
        """
        host = self.host_named(host_name)
        if host.metabase is None:
            raise LookupError(f"{host.name} has no IIS")
        # A console edit changes that host only: its lock, and its state, are enough.
        with self._locks_for(host, reaches_other_hosts=False) as held:
            if clear:
                host.metabase.clear(path, name)
            else:
                host.metabase.write(path, name, value)
            self._refresh(held)
        self._write()

    def change_fault(self, host_name: str, kind: str, *, clear: bool = False) -> None:
        """Take the fault ``kind`` on at a cluster node (or, with ``clear``, drop it) while the
        lab runs, as the condition would arise or be repaired on that host; either may be
        repeated. Raises :class:`LookupError` for an unknown kind or host, or a host without IIS.
        """
        if kind in SHARED_CONFIG_FAULTS:
            self._change_shared_config_fault(host_name, kind, clear=clear)
            return
        fault: FaultKind | WebDeployFaultKind | None = FAULT_KINDS.get(kind) or WEB_DEPLOY_FAULT_KINDS.get(kind)
        if fault is None:
            known = ", ".join(sorted({*FAULT_KINDS, *WEB_DEPLOY_FAULT_KINDS, *SHARED_CONFIG_FAULTS}))
            raise LookupError(f"unknown fault kind {kind!r} (known kinds: {known})")
        host = self.host_named(host_name)
        if host.iis is not None and kind in FAULT_KINDS:
            raise LookupError(f"{host.name} runs IIS 7+: IISSync's faults are of IIS 5/6 nodes (see iis-lab condition)")
        if host.iis is None and kind in WEB_DEPLOY_FAULT_KINDS:
            raise LookupError(f"{host.name} does not run IIS 7+: Web Deploy's faults are of IIS 7-10 nodes")
        if host.metabase is None and host.iis is None:
            raise LookupError(f"{host.name} has no IIS: faults are injected on cluster nodes")
        with self._locks_for(host, reaches_other_hosts=False) as held:
            (fault.clear if clear else fault.apply)(host)
            self._refresh(held)
        self._write()

    def _change_shared_config_fault(self, host_name: str, kind: str, *, clear: bool) -> None:
        """A Shared Configuration fault (:mod:`iis_lab.shared_config_faults`), for the topology's
        reader: every host's lock (shares, the domain's reader and the nodes reading them)."""
        fault = SHARED_CONFIG_FAULTS[kind]
        spec = self.topology.shared_config
        if spec is None:
            raise LookupError(f"{kind} needs a topology with shared_config (its reader)")
        host = self.host_named(host_name)
        if fault.host == SHARE_HOST and host.name != spec.host:
            raise LookupError(f"{kind} is a fault of the share host, {spec.host}")
        if fault.host == NODE and host.iis is None:
            raise LookupError(f"{kind} is a fault of an IIS 7+ node; {host.name} has no IIS 7+")
        with self.lock:
            (fault.clear if clear else fault.apply)(host, spec.reader)
            _was_follows_shares(self.hosts)
            self._refresh(self.lock)
        self._write()

    def edit_web_config(
        self,
        host_name: str,
        section: str,
        attribute: str,
        value: str | None = None,
        *,
        location: str = "",
        element: str = "",
        clear: bool = False,
    ) -> None:
        """Set (or, with ``clear``, remove) an attribute in one IIS 7+ host's
        applicationHost.config, as an administrator editing it by hand would (an encrypted
        attribute gets this machine's ciphertext, as IIS Manager writes it). Raises
        :class:`LookupError` for an unknown host or one without IIS 7+, and
        :class:`~iis_lab.windows.errors.WindowsApiError` as the configuration system would."""
        host = self.host_named(host_name)
        if host.iis is None:
            raise LookupError(f"{host.name} has no IIS 7+")
        with self._locks_for(host, reaches_other_hosts=False) as held:
            if clear:
                host.iis.config.clear(section, location, element, attribute)
            else:
                host.iis.config.set(section, location, element, attribute, "" if value is None else value)
            # WAS notices the file changed, as it does any change of applicationHost.config.
            apply_configuration(host, host.iis)
            if held.hosts is None:
                _was_follows_shares(self.hosts)
            self._refresh(held)
        self._write()

    def change_condition(self, host_name: str, kind: str, name: str, *, clear: bool = False) -> None:
        """Put a host (or the domain, for an account) in the condition ``kind`` of
        :data:`~iis_lab.conditions.CONDITION_KINDS` for the account, group or gMSA ``name``, or
        with ``clear`` take it out. Raises :class:`LookupError` for an unknown kind, host or name."""
        condition = CONDITION_KINDS.get(kind)
        if condition is None:
            raise LookupError(f"unknown condition {kind!r} (known: {', '.join(sorted(CONDITION_KINDS))})")
        host = self.host_named(host_name)
        # An account is the domain's, which every host consults: every host's lock.
        with self.lock:
            condition.apply(host, name, clear)
            self._refresh(self.lock)
        self._write()

    def save(self) -> None:
        """Recompute the whole model's state and rewrite ``state.json`` (when the lab records
        into a state directory) if it changed since it was last written: after a change made
        to the model directly rather than through a command or an edit."""
        with self.lock:
            self._refresh(self.lock)
        self._write()

    def save_changes(self) -> None:
        """Rewrite ``state.json`` if a command changed the model (each command recomputes the
        state of the hosts it held as it ends)."""
        self._write()

    def _locks_for(self, host: Host, *, reaches_other_hosts: bool) -> HostLocks:
        """The locks a command on ``host`` holds: every host's for a domain controller, a
        command that reaches other hosts, or a host whose configuration is on a share (what it
        reads and writes is another host's file), else the host's own."""
        if host.is_domain_controller or reaches_other_hosts or _reads_a_share(host):
            return self.lock
        return HostLocks([self._host_locks[host.name]], [host])

    def _refresh(self, held: HostLocks) -> None:
        """Recompute the state of the hosts whose locks are held (and the domain's, when every
        host's are: only then can it have changed), noting whether any part changed."""
        everything = held.hosts is None
        hosts = self.hosts if held.hosts is None else held.hosts
        parts = {host.name: host_state(host, self._digests) for host in hosts}
        domain = domain_state(self.domain, self._digests) if everything else None
        with self._parts_lock:
            if domain is not None and domain != self._domain_part:
                self._domain_part, self._domain_text, self._unwritten = domain, part_text(domain), True
            for name, part in parts.items():
                if part != self._host_parts.get(name):
                    self._host_parts[name], self._host_texts[name], self._unwritten = part, part_text(part), True

    def _write(self) -> None:
        """Write ``state.json`` from the parts, if they changed since it was last written."""
        if self._state_dir is None:
            return
        with self._parts_lock:
            if not self._unwritten:
                return
            text = state_text(self.topology, self._domain_text, {host.name: self._host_texts[host.name] for host in self.hosts})
            # Written under the lock: two writers must not put an older document last.
            self._state_dir.write_state(text)
            self._unwritten = False


class HostLocks:
    """Some hosts' locks (``hosts``: None for all of them), taken in topology order and
    released in reverse: a reentrant context manager."""

    def __init__(self, locks: t.Sequence[threading.RLock], hosts: t.Sequence[Host] | None = None) -> None:
        self._locks = tuple(locks)
        self.hosts = hosts

    def __enter__(self) -> HostLocks:
        for lock in self._locks:
            lock.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for lock in reversed(self._locks):
            lock.release()


def _batch(ops: t.Mapping[str, OpSpec], module_args: t.Mapping[str, t.Any]) -> list[OpSpec]:
    """The ops a node_ops call names (an unknown op or a malformed call fails before any op runs)."""
    instructions = module_args.get("instructions")
    if not isinstance(instructions, list):
        return []
    return [
        spec for entry in instructions if isinstance(entry, dict) and (spec := ops.get(str(entry.get("op")))) is not None
    ]


class _Network:
    """The lab's hosts as the node_ops emulation reaches them from one host."""

    def __init__(self, lab: Lab, held: HostLocks) -> None:
        self._lab = lab
        self._held = held

    def resolve(self, name: str) -> Host | None:
        if self._held.hosts is not None:
            # Another host's state is only safe under its lock: an op that reaches other hosts
            # must say so in its OpSpec (reaches_other_hosts), or it would race their commands.
            raise RuntimeError(f"an op resolved {name!r} without holding every host's lock: mark it reaches_other_hosts")
        return next((host for host in self._lab.hosts if host.answers_to(name)), None)

    def now(self) -> float:
        return time.monotonic()

    def record_process(self, host: Host, user: str, command_line: str) -> None:
        self._lab._record(host, user, command_line)


def _reads_a_share(host: Host) -> bool:
    return host.iis is not None and host.iis.redirection.enabled


def _was_follows_shares(hosts: t.Sequence[Host]) -> None:
    """WAS on every node with Shared Configuration follows the shared file (a write through any
    node, an export over it), as it follows any change of its applicationHost.config."""
    for host in hosts:
        if host.iis is not None and host.iis.redirection.enabled:
            apply_configuration(host, host.iis)


def _failed_logons(host: Host) -> dict[str, int]:
    """The failed logons an IIS 7+ host's Security log counts, by account."""
    return dict(host.iis.failed_logons) if host.iis is not None else {}
