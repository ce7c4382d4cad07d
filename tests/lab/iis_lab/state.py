"""The lab's state directory, which tests read to see what the simulated hosts went through,
and from which ``--resume`` starts a lab again (:mod:`iis_lab.resume`).

* ``state.json``: the whole model (domain with its accounts, groups and password policy; hosts
  with their own accounts, local groups, user rights, every metabase key with its typed values,
  metabase backups with their contents, COM+ catalog, DCOM protocols, shares and the conditions
  faults set), the topology it was made from (its source and :func:`~iis_lab.topology.fingerprint`),
  rewritten atomically (a temporary file in the directory, fsync, rename) after a command that
  changed the model, and only then. A password or a secure property appears only as a
  salted digest (``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``): :func:`secret_matches`
  tells whether a candidate is the secret, without the lab ever writing the secret down.
* ``processes.jsonl``: one JSON object per process a host started,
  ``{"host", "user", "command_line", "time"}``, appended as they start; emptied when a lab starts
  from its topology, kept when it resumes.
* ``executions.jsonl``: one JSON object per WinRS command (an execution) once its shell closes,
  with the HTTP body bytes its WinRM requests and responses carried on the wire
  (:mod:`iis_lab.wsman.accounting`): ``{"host", "started", "ended", "requests", "request_bytes",
  "response_bytes"}``. Only counts and times: no body, no command line. Emptied and kept as
  ``processes.jsonl`` is.

No password is ever written here, the WinRM administrator's included.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import threading
import typing as t

from .topology import Topology, fingerprint
from .windows.accounts import Account, AccountDatabase, Kind
from .windows.domain import Domain
from .windows.host import Host, MetabaseBackup
from .windows.iis_logons import anonymous_logon, identity_logon, request_keys
from .windows.metabase import Metabase
from .windows.metabase_schema import find_property
from .windows.metabase_types import to_json
from .windows.security import lookup_sid
from .windows import shared_config
from .windows.was import STOPPED, IisServer, worker_logon
from .windows.was import anonymous_logon as modern_anonymous_logon
from .windows.stored_secret import Secret, StoredSecret, secret_digest, secret_matches

STATE_FILE = "state.json"
PROCESSES_FILE = "processes.jsonl"
EXECUTIONS_FILE = "executions.jsonl"
STATE_FORMAT = 3
"""The layout of ``state.json``; a lab resumes only from its own (format 1 had no topology
fingerprint, no fault conditions and no backup contents; format 2 no share permissions, folders
or file server conditions)."""


class SecretDigests:
    """The digest ``state.json`` records for each secret the model holds: one per secret for the
    lab's lifetime, since the file is rewritten after every change and a fresh salt each time
    would make every rewrite differ. It is also the secret's token for ``metabase_digest_tree``
    (:data:`iis_lab.node_ops.spec.SecretToken`), which is why equal secrets must get one digest.

    A resumed lab hands it the digests it loaded (:meth:`stored`). A stored secret's digest is
    its own; a text is given the loaded digest it matches (found by :func:`secret_matches`, once
    per text), so a secret set again after a resume keeps its digest, and only a new secret gets
    a new one.
    """

    def __init__(self) -> None:
        # Hosts' commands run concurrently (each under its own host's lock) and share the digests.
        self._lock = threading.Lock()
        self._by_text: dict[str, str] = {}
        # Loaded digests no text has matched yet, in the order loaded (a dict: an ordered set).
        self._unclaimed: dict[str, None] = {}

    def stored(self, digest: str) -> StoredSecret:
        """The stored form of a secret ``state.json`` recorded as ``digest``."""
        with self._lock:
            if digest not in self._by_text.values():
                self._unclaimed[digest] = None
        return StoredSecret(digest)

    def __call__(self, secret: Secret) -> str:
        if isinstance(secret, StoredSecret):
            return secret.digest
        with self._lock:
            if secret not in self._by_text:
                loaded = next((digest for digest in self._unclaimed if secret_matches(digest, secret)), None)
                if loaded is not None:
                    del self._unclaimed[loaded]
                self._by_text[secret] = loaded or secret_digest(secret)
            return self._by_text[secret]


@dataclasses.dataclass(frozen=True)
class ProcessRecord:
    """A process a host started: on which host, as whom, with which command line, when (UTC,
    ISO 8601)."""

    host: str
    user: str
    command_line: str
    time: str

    def to_json(self) -> dict[str, str]:
        return dataclasses.asdict(self)


class StateDirectory:
    """Writes the lab's record into directory ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def state_file(self) -> str:
        return os.path.join(self.path, STATE_FILE)

    @property
    def processes_file(self) -> str:
        return os.path.join(self.path, PROCESSES_FILE)

    @property
    def executions_file(self) -> str:
        return os.path.join(self.path, EXECUTIONS_FILE)

    def reset(self) -> None:
        """Create the directory if needed and start empty process and execution records."""
        os.makedirs(self.path, exist_ok=True)
        for path in (self.processes_file, self.executions_file):
            with open(path, "w", encoding="utf-8"):
                pass

    def write_state(self, text: str) -> None:
        """Replace ``state.json`` with ``text`` (:func:`state_text`) atomically: a reader sees the
        old file or the new one, never a partial write."""
        descriptor, temporary = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=self.path)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.write("\n")
                stream.flush()
                # On disk before it takes the old file's place: a crash leaves one or the other.
                os.fsync(stream.fileno())
            os.replace(temporary, self.state_file)
        except BaseException:
            os.unlink(temporary)
            raise

    def append_process(self, record: ProcessRecord) -> None:
        self._append(self.processes_file, record.to_json())

    def append_execution(self, record: t.Mapping[str, t.Any]) -> None:
        self._append(self.executions_file, record)

    @staticmethod
    def _append(path: str, record: t.Mapping[str, t.Any]) -> None:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")


Digest = t.Callable[[Secret], str]
"""What stands for a secret in the state: its salted digest (:class:`SecretDigests`)."""


def lab_state(topology: Topology, domain: Domain, hosts: t.Iterable[Host], digest: Digest) -> dict[str, t.Any]:
    """The document ``state.json`` holds; secrets are replaced by ``digest(secret)``.

    ``admin_password_digest`` is the WinRM administrator's password (the topology's), which a
    resumed lab checks its topology against; ``next_rid`` the next RID of the domain's SAM (and
    of each member server's own); ``conditions`` what faults set on a host beyond what the other
    keys show.
    """
    return state_document(
        topology, domain_state(domain, digest), {host.name: host_state(host, digest) for host in hosts}
    )


def state_document(
    topology: Topology, domain: t.Mapping[str, t.Any], hosts: t.Mapping[str, t.Any]
) -> dict[str, t.Any]:
    """:func:`lab_state` from its parts (:func:`domain_state`, :func:`host_state` by host name),
    which a lab keeps apart to recompute only what a command can have changed."""
    return {
        "format": STATE_FORMAT,
        "topology": topology.source,
        "topology_fingerprint": fingerprint(topology),
        "domain": domain,
        "hosts": hosts,
    }


def part_text(part: t.Mapping[str, t.Any]) -> str:
    """A part of the state (:func:`domain_state`, :func:`host_state`) as ``state.json`` holds it."""
    return json.dumps(part, indent=2)


def state_text(topology: Topology, domain_text: str, host_texts: t.Mapping[str, str]) -> str:
    """The text of ``state.json``, :func:`state_document` indented by two spaces a level, made
    from parts serialised by :func:`part_text`. A lab serialises a part again only when it changes:
    a command on one host of 32 rewrites the file without encoding the other 31 (``json`` indents
    in pure Python)."""

    def nested(text: str, level: int) -> str:
        return text.replace("\n", "\n" + "  " * level)

    head = {"format": STATE_FORMAT, "topology": topology.source, "topology_fingerprint": fingerprint(topology)}
    members = [f"  {json.dumps(key)}: {nested(json.dumps(value, indent=2), 1)}" for key, value in head.items()]
    members.append(f'  "domain": {nested(domain_text, 1)}')
    hosts = [f"    {json.dumps(name)}: {nested(text, 2)}" for name, text in host_texts.items()]
    members.append('  "hosts": ' + ("{\n" + ",\n".join(hosts) + "\n  }" if hosts else "{}"))
    return "{\n" + ",\n".join(members) + "\n}"


def domain_state(domain: Domain, digest: Digest) -> dict[str, t.Any]:
    """The domain's part of :func:`lab_state`."""
    return {
        "netbios": domain.netbios,
        "dns": domain.dns,
        "admin_user": domain.admin_user,
        "admin_password_digest": digest(domain.admin_password),
        "sid": domain.sid,
        "password_policy": dataclasses.asdict(domain.password_policy),
        "next_rid": domain.accounts.next_rid,
        "accounts": _accounts_state(domain.accounts, digest),
        "builtin": _accounts_state(domain.builtin, digest),
        "kds_root_key": domain.kds_root_key,
    }


def _accounts_state(database: AccountDatabase, digest: Digest) -> dict[str, t.Any]:
    """Every principal of a SAM by qualified name; a password only as its digest."""
    return {account.qualified_name: _account_state(account, digest) for account in database.accounts()}


def _account_state(account: Account, digest: Digest) -> dict[str, t.Any]:
    entry: dict[str, t.Any] = {"sid": account.sid, "kind": account.kind.value}
    if account.kind is Kind.USER:
        entry.update(
            enabled=account.enabled,
            password_never_expires=account.password_never_expires,
            cannot_change_password=account.cannot_change_password,
            description=account.description,
            user_comment=account.user_comment,
            admin_count=account.admin_count,
            password_digest=None if account.password is None else digest(account.password),
        )
        if account.locked_out:
            entry["locked_out"] = True
        if account.password_expired:
            entry["password_expired"] = True
        if account.object_class != "user":
            entry.update(object_class=account.object_class, managed_principals=list(account.managed_principals))
            entry.update(dns_host_name=account.dns_host_name)
    else:
        # A copy: the lab compares the state it last wrote with a new one to tell whether a
        # command changed anything, which a list shared with the live model would hide.
        entry["members"] = list(account.members)
    return entry


def _rights_state(host: Host) -> dict[str, list[str]]:
    """Each user right with its holders, by qualified name (a SID no one resolves stays a SID)."""
    return {
        right: [account.qualified_name if (account := lookup_sid(host, sid)) else sid for sid in holders]
        for right, holders in host.rights.items()
    }


def _file_server_state(host: Host) -> dict[str, t.Any]:
    """Each share's permissions and each modelled folder's ACL by account name, the names of the
    folder's files (never their contents: a key file is key material), and whether the file
    server answers and Offline Files is on."""

    def named(access: t.Mapping[str, str]) -> dict[str, str]:
        return {
            (account.qualified_name if (account := lookup_sid(host, sid)) else sid): right
            for sid, right in access.items()
        }

    return {
        "reachable": host.file_server_reachable,
        "offline_files": host.offline_files,
        "share_access": {share: named(access) for share, access in host.share_access.items()},
        "folders": {
            path: {"access": named(folder.access), "files": sorted(folder.files)}
            for path, folder in host.folders.items()
        },
    }


def host_state(host: Host, digest: Digest) -> dict[str, t.Any]:
    """One host's part of :func:`lab_state`: what it holds, and what the domain makes of it
    (whether its identities log on), so it changes with the host and with the domain."""
    return {
        "address": host.address,
        "dns_host_name": host.dns_host_name,
        "domain_role": host.domain_role,
        "os": {"caption": host.os.caption, "version": host.os.version},
        "iis_version": host.iis_version,
        "ip_addresses": [dataclasses.asdict(ip) for ip in host.ip_addresses],
        "next_rid": None if host.local_accounts is None else host.local_accounts.next_rid,
        "accounts": None if host.local_accounts is None else _accounts_state(host.local_accounts, digest),
        "local_groups": None if host.local_builtin is None else _accounts_state(host.local_builtin, digest),
        "user_rights": _rights_state(host),
        "cluster_addresses": [dataclasses.asdict(ip) for ip in host.cluster_addresses],
        "dcom_protocols": list(host.dcom_protocols),
        "shares": dict(host.shares),
        "file_server": _file_server_state(host),
        "complus": _complus_state(host, digest),
        "metabase": None if host.metabase is None else _metabase_state(host.metabase, digest),
        "metabase_backups": [_backup_state(backup, digest) for backup in host.backups],
        "conditions": {
            "metabase_refusal": None if host.metabase_refusal is None else host.metabase_refusal.code,
            "rpc_listening": host.rpc_listening,
            "rpc_call_fails": host.rpc_call_fails,
            "drops_sessions": host.drops_sessions,
            "administrator_logged_on": host.administrator_logged_on,
        },
        "anonymous_logons": _anonymous_logons_state(host),
        "iis": _modern_iis_state(host),
    }


def _modern_iis_state(host: Host) -> dict[str, t.Any] | None:
    """IIS 7+: applicationHost.config as the file holds it (encrypted attributes as their
    ciphertext, never in clear) and the other configuration files, each pool's state and whether
    its worker's identity logs on now, each site's state and whether its anonymous user logs on,
    the failed worker logons by account (the node's Security log), the configuration backups
    (the files each holds, ciphertext as the file has it), Web Deploy (product, services, the
    syncs its agent received: counts and change paths, never a value) and the conditions faults
    set."""
    iis = host.iis
    if iis is None:
        return None
    pools = {}
    for name in iis.pool_names():
        error = worker_logon(host, iis, name, record=False)
        pools[name] = {"state": iis.pool_states.get(name, STOPPED), "logon_error": None if error is None else str(error)}
    sites = {}
    for name in iis.site_names():
        user, error = modern_anonymous_logon(host, iis, name)
        sites[name] = {
            "state": iis.site_states.get(name, STOPPED),
            "anonymous_user": user,
            "anonymous_logon_error": None if error is None else str(error),
        }
    return {
        "applicationhost": iis.config.text,
        "config_files": dict(iis.config_files),
        "pools": pools,
        "sites": sites,
        "failed_logons": dict(iis.failed_logons),
        "backups": [
            {**backup.listed, "files": dict(backup.files)}
            for backup in sorted(iis.backups, key=lambda backup: backup.name.casefold())
        ],
        "web_deploy": {**iis.web_deploy.as_info(), "syncs": [dict(sync) for sync in iis.web_deploy_syncs]},
        "conditions": {"apphost_in_use": iis.apphost_in_use},
        "shared_config": _shared_config_state(host, iis),
    }


def _shared_config_state(host: Host, iis: IisServer) -> dict[str, t.Any]:
    """redirection.config (never its password), whether the node's own keys are backed up, and,
    while it is enabled, why the configuration system cannot read the share (``read_error``:
    WAS then runs its cached configuration) and whether this node's keys decrypt what it runs
    (``decrypt_error``). ``applicationhost`` is then the shared file."""
    redirection = iis.redirection
    read = decrypted = None
    if redirection.enabled:
        read = shared_config.read_error(host, redirection, iis.local.keys)
        decrypted = shared_config.decrypt_error(iis.config)
    return {
        "enabled": redirection.enabled,
        "path": redirection.path,
        "user_name": redirection.user_name,
        "keys_backed_up": redirection.backed_up_keys is not None,
        "read_error": None if read is None else str(read),
        "decrypt_error": None if decrypted is None else str(decrypted),
    }


def _backup_state(backup: MetabaseBackup, digest: Digest) -> dict[str, t.Any]:
    """A backup's name, version, date, and the metabase it holds, so that it can be restored
    after a resume."""
    return {
        "name": backup.name,
        "version": backup.version,
        "date": backup.date.isoformat(),
        "metabase": _metabase_state(Metabase.from_snapshot(backup.snapshot), digest),
    }


def _complus_state(host: Host, digest: Digest) -> dict[str, t.Any]:
    """The catalog; each application with its identity, its password's digest and
    ``logon_error``, whether its identity logs on with that password (null: it does, or the
    application has no identity of its own)."""
    catalog = host.complus
    return {
        "installed": catalog.installed,
        "replication_share": catalog.replication_share,
        "administrator_role": list(catalog.administrator_role),
        "local_administration": catalog.local_administration,
        "applications": [
            {
                "id": application.id,
                "name": application.name,
                "system": application.system,
                "components": [dataclasses.asdict(component) for component in application.components],
                "server": application.server,
                "identity": application.identity if application.server else None,
                "password_digest": None if application.password is None else digest(application.password),
                "logon_error": None if (error := identity_logon(host, application)) is None else str(error),
            }
            for application in catalog.applications
        ],
        "registered_classes": sorted(catalog.registered_classes),
    }


def _anonymous_logons_state(host: Host) -> dict[str, t.Any] | None:
    """Whether an anonymous request to each content key (and each FTP site) logs on, and why not."""
    if host.metabase is None:
        return None
    logons = {}
    for key in request_keys(host.metabase):
        logon = anonymous_logon(host, host.metabase, key.adsi_path)
        logons[key.metabase_path] = {"user": logon.user, "logs_on": logon.why_not is None, "why_not": logon.why_not}
    return logons


def _metabase_state(metabase: Metabase, digest: Digest) -> dict[str, t.Any]:
    """Every key by metabase path (``/LM/W3SVC/1``), with the properties set at it."""
    keys: dict[str, t.Any] = {}
    for key in metabase.keys():
        properties: dict[str, t.Any] = {}
        for name, value in key.values.items():
            schema = find_property(name)
            assert schema is not None  # the metabase stores only properties of its schema
            entry: dict[str, t.Any] = {"type": schema.type.value, "secure": schema.secure}
            if schema.secure:
                entry["digest"] = digest(t.cast(Secret, value))
            else:
                entry["value"] = to_json(schema.type, value)
            properties[name] = entry
        keys[key.metabase_path] = {"key_type": key.key_type, "properties": properties}
    return keys
