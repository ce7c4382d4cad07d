"""The lab's state directory, which tests read to see what the simulated hosts went through.

* ``state.json``: the whole model (domain with its accounts, groups and password policy; hosts
  with their own accounts, local groups, user rights, every metabase key with its typed values,
  metabase backups, COM+ catalog, DCOM protocols and shares), rewritten atomically after every
  command. A password or a secure property appears only as a salted digest
  (``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``): :func:`secret_matches` tells whether a
  candidate is the secret, without the lab ever writing the secret down.
* ``processes.jsonl``: one JSON object per process a host started,
  ``{"host", "user", "command_line", "time"}``, appended as they start; empty at lab start.

No password is ever written here, the WinRM administrator's included.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import typing as t

from .windows.accounts import Account, AccountDatabase, Kind
from .windows.domain import Domain
from .windows.host import Host
from .windows.iis_logons import anonymous_logon, identity_logon
from .windows.metabase import Metabase
from .windows.metabase_schema import IIS_FTP_SERVER, IIS_WEB_DIRECTORY, IIS_WEB_VIRTUAL_DIR, find_property
from .windows.metabase_types import to_json
from .windows.security import lookup_sid

STATE_FILE = "state.json"
PROCESSES_FILE = "processes.jsonl"
STATE_FORMAT = 1

_DIGEST_SCHEME = "pbkdf2_sha256"
# Enough to make the digest of a random password useless, few enough to keep lab start fast.
_DIGEST_ITERATIONS = 20_000


def secret_digest(secret: str, *, iterations: int = _DIGEST_ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 digest of ``secret``, in ``scheme$iterations$salt$hash`` form."""
    salt = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)
    return f"{_DIGEST_SCHEME}${iterations}${salt.hex()}${derived.hex()}"


def secret_matches(digest: str, candidate: str) -> bool:
    """Whether ``candidate`` is the secret ``digest`` was made from."""
    try:
        scheme, iterations, salt, expected = digest.split("$")
        derived = hashlib.pbkdf2_hmac("sha256", candidate.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return scheme == _DIGEST_SCHEME and hmac.compare_digest(derived.hex(), expected)


class SecretDigests:
    """Digests of the secrets the model holds, each computed once: ``state.json`` is rewritten
    after every command, and a fresh salt each time would make every rewrite differ."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}

    def __call__(self, secret: str) -> str:
        if secret not in self._digests:
            self._digests[secret] = secret_digest(secret)
        return self._digests[secret]


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

    def reset(self) -> None:
        """Create the directory if needed and start an empty process record."""
        os.makedirs(self.path, exist_ok=True)
        with open(self.processes_file, "w", encoding="utf-8"):
            pass

    def write_state(self, document: t.Mapping[str, t.Any]) -> None:
        """Replace ``state.json`` with ``document`` atomically: a reader sees the old file or the
        new one, never a partial write."""
        descriptor, temporary = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=self.path)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(document, stream, indent=2, sort_keys=False)
                stream.write("\n")
            os.replace(temporary, self.state_file)
        except BaseException:
            os.unlink(temporary)
            raise

    def append_process(self, record: ProcessRecord) -> None:
        with open(self.processes_file, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record.to_json()) + "\n")


def lab_state(
    topology_source: str, domain: Domain, hosts: t.Iterable[Host], digest: t.Callable[[str], str]
) -> dict[str, t.Any]:
    """The document ``state.json`` holds; secure values are replaced by ``digest(value)``."""
    return {
        "format": STATE_FORMAT,
        "topology": topology_source,
        "domain": {
            "netbios": domain.netbios,
            "dns": domain.dns,
            "admin_user": domain.admin_user,
            "sid": domain.sid,
            "password_policy": dataclasses.asdict(domain.password_policy),
            "accounts": _accounts_state(domain.accounts, digest),
            "builtin": _accounts_state(domain.builtin, digest),
        },
        "hosts": {host.name: _host_state(host, digest) for host in hosts},
    }


def _accounts_state(database: AccountDatabase, digest: t.Callable[[str], str]) -> dict[str, t.Any]:
    """Every principal of a SAM by qualified name; a password only as its digest."""
    return {account.qualified_name: _account_state(account, digest) for account in database.accounts()}


def _account_state(account: Account, digest: t.Callable[[str], str]) -> dict[str, t.Any]:
    entry: dict[str, t.Any] = {"sid": account.sid, "kind": account.kind.value}
    if account.kind is Kind.USER:
        entry.update(
            enabled=account.enabled,
            password_never_expires=account.password_never_expires,
            cannot_change_password=account.cannot_change_password,
            description=account.description,
            password_digest=None if account.password is None else digest(account.password),
        )
    else:
        entry["members"] = account.members
    return entry


def _rights_state(host: Host) -> dict[str, list[str]]:
    """Each user right with its holders, by qualified name (a SID no one resolves stays a SID)."""
    return {
        right: [account.qualified_name if (account := lookup_sid(host, sid)) else sid for sid in holders]
        for right, holders in host.rights.items()
    }


def _host_state(host: Host, digest: t.Callable[[str], str]) -> dict[str, t.Any]:
    return {
        "address": host.address,
        "dns_host_name": host.dns_host_name,
        "domain_role": host.domain_role,
        "os": {"caption": host.os.caption, "version": host.os.version},
        "iis_version": host.iis_version,
        "ip_addresses": [dataclasses.asdict(ip) for ip in host.ip_addresses],
        "accounts": None if host.local_accounts is None else _accounts_state(host.local_accounts, digest),
        "local_groups": None if host.local_builtin is None else _accounts_state(host.local_builtin, digest),
        "user_rights": _rights_state(host),
        "cluster_addresses": [dataclasses.asdict(ip) for ip in host.cluster_addresses],
        "dcom_protocols": list(host.dcom_protocols),
        "shares": dict(host.shares),
        "complus": _complus_state(host, digest),
        "metabase": None if host.metabase is None else _metabase_state(host.metabase, digest),
        "metabase_backups": [
            {"name": backup.name, "version": backup.version, "date": backup.date.isoformat()} for backup in host.backups
        ],
        "anonymous_logons": _anonymous_logons_state(host),
    }


def _complus_state(host: Host, digest: t.Callable[[str], str]) -> dict[str, t.Any]:
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


# The keys a request or an FTP logon reaches, whose anonymous logon the state shows.
_REQUEST_KEY_TYPES = (IIS_WEB_VIRTUAL_DIR, IIS_WEB_DIRECTORY, IIS_FTP_SERVER)


def _anonymous_logons_state(host: Host) -> dict[str, t.Any] | None:
    """Whether an anonymous request to each content key (and each FTP site) logs on, and why not."""
    if host.metabase is None:
        return None
    logons = {}
    for key in host.metabase.keys():
        if key.key_type in _REQUEST_KEY_TYPES:
            logon = anonymous_logon(host, host.metabase, key.adsi_path)
            logons[key.metabase_path] = {"user": logon.user, "logs_on": logon.why_not is None, "why_not": logon.why_not}
    return logons


def _metabase_state(metabase: Metabase, digest: t.Callable[[str], str]) -> dict[str, t.Any]:
    """Every key by metabase path (``/LM/W3SVC/1``), with the properties set at it."""
    keys: dict[str, t.Any] = {}
    for key in metabase.keys():
        properties: dict[str, t.Any] = {}
        for name, value in key.values.items():
            schema = find_property(name)
            assert schema is not None  # the metabase stores only properties of its schema
            entry: dict[str, t.Any] = {"type": schema.type.value, "secure": schema.secure}
            if schema.secure:
                entry["digest"] = digest(t.cast(str, value))
            else:
                entry["value"] = to_json(schema.type, value)
            properties[name] = entry
        keys[key.metabase_path] = {"key_type": key.key_type, "properties": properties}
    return keys
