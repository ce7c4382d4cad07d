"""Resuming a lab from its state directory (``--resume``): the model ``state.json`` recorded,
rebuilt whole, instead of the topology's freshly installed hosts.

Only a ``state.json`` of this lab's :data:`~iis_lab.state.STATE_FORMAT`, written for the
topology the lab runs, is resumed: the same :func:`~iis_lab.topology.fingerprint`, and the
topology's administrator password matching the digest recorded for it. Anything else is refused
with a :class:`StateError` naming the file, what differs and the remedy. The rebuilt model must
write back exactly the document it was read from (:func:`~iis_lab.state.lab_state`), or it is
refused as well: a lab that silently resumed something other than what it recorded would be
worse than a fresh one.

Secrets come back as :class:`~iis_lab.windows.stored_secret.StoredSecret`, since the file holds
only their digests; the WinRM administrator's password is the topology's. What the file does not
hold, a restarted Windows cluster loses too: its network sessions (so IISSync's 5-second rule
starts over).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import typing as t

from .state import STATE_FILE, STATE_FORMAT, SecretDigests, lab_state, secret_matches
from .topology import Topology, fingerprint
from .windows.accounts import BUILTIN_SID, AccountDatabase, Kind, PasswordPolicy, machine_sid
from .windows.complus import INTERACTIVE_USER, Application, Catalog, Component
from .windows.domain import Domain
from .windows.errors import WindowsApiError
from .windows.file_shares import create_folder
from .windows.host import METABASE_REFUSALS, OS_RELEASES, Host, IpAddress, MetabaseBackup, OsRelease
from .windows.metabase import ROOT_PATH, Metabase
from .windows.metabase_schema import find_property
from .windows.metabase_types import from_json
from .windows.security import BUILTIN_AUTHORITY, lookup_name
from .windows.stored_secret import StoredSecret

Entry = dict[str, t.Any]
"""A part of the state document."""


class StateError(ValueError):
    """``state.json`` cannot be resumed: the message names the file, why, and what to do."""

    def __init__(self, path: str, problem: str) -> None:
        directory = os.path.dirname(path) or "."
        super().__init__(f"cannot resume from {path}: {problem}; delete {directory} or drop --resume")


@dataclasses.dataclass(frozen=True)
class ResumedModel:
    """The domain and hosts rebuilt from ``state.json``, and the digests it recorded."""

    domain: Domain
    hosts: list[Host]
    digests: SecretDigests


def load_recorded_model(state_dir: str, topology: Topology) -> ResumedModel | None:
    """The model ``state.json`` in ``state_dir`` recorded for ``topology``, or None when the
    directory holds no ``state.json``. Raises :class:`StateError` when it cannot be resumed."""
    path = os.path.join(state_dir, STATE_FILE)
    try:
        with open(path, encoding="utf-8") as stream:
            document = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise StateError(path, f"it cannot be read as JSON ({error})") from error
    if not isinstance(document, dict):
        raise StateError(path, "it is not a JSON object")
    _check_format(document, path)
    _check_topology(document, topology, path)
    modern = sorted(name for name, entry in document.get("hosts", {}).items() if isinstance(entry, dict) and entry.get("iis"))
    if modern:
        # The configuration encryption keys of an IIS 7+ host are never written down (the state
        # would then hold every encrypted password in effect), so its configuration cannot come back.
        raise StateError(path, f"{', '.join(modern)} run IIS 7+, whose encryption keys the state does not hold")
    digests = SecretDigests()
    try:
        domain = _domain(document["domain"], topology.domain.admin_password, digests)
        hosts = [_host(name, entry, domain, digests) for name, entry in document["hosts"].items()]
    except (KeyError, TypeError, ValueError, AttributeError, WindowsApiError) as error:
        problem = f"it holds no model this lab can rebuild ({type(error).__name__}: {error})"
        raise StateError(path, problem) from error
    rebuilt = lab_state(topology, domain, hosts, digests)
    recorded = {**document, "topology": topology.source}
    if rebuilt != recorded:
        where = _first_difference(recorded, rebuilt, "")
        raise StateError(path, f"the model rebuilt from it would not write it back (it differs at {where})")
    return ResumedModel(domain, hosts, digests)


def _check_format(document: Entry, path: str) -> None:
    found = document.get("format")
    if found != STATE_FORMAT:
        raise StateError(path, f"it is in state format {found!r}, this lab reads format {STATE_FORMAT}")


def _check_topology(document: Entry, topology: Topology, path: str) -> None:
    recorded = document.get("topology_fingerprint")
    current = fingerprint(topology)
    differing = [part for part in current if not isinstance(recorded, dict) or recorded.get(part) != current[part]]
    written_for = f"it was written for another topology ({document.get('topology')!r})"
    if differing:
        parts = " and ".join([", ".join(differing[:-1]), differing[-1]] if len(differing) > 1 else differing)
        raise StateError(path, f"{written_for}: its {parts} differ from those of {topology.source!r}")
    domain = document.get("domain")
    admin_digest = domain.get("admin_password_digest") if isinstance(domain, dict) else None
    if not isinstance(admin_digest, str) or not secret_matches(admin_digest, topology.domain.admin_password):
        raise StateError(path, f"{written_for}: its domain administrator's password is not that of {topology.source!r}")


def _domain(entry: Entry, admin_password: str, digests: SecretDigests) -> Domain:
    # Known first, so that the topology's password finds its digest at the first try.
    digests.stored(entry["admin_password_digest"])
    accounts = _accounts(entry["accounts"], AccountDatabase(entry["netbios"], entry["sid"], entry["next_rid"]), digests)
    return Domain(
        entry["netbios"],
        entry["dns"],
        entry["admin_user"],
        admin_password,
        sid=entry["sid"],
        password_policy=PasswordPolicy(**entry["password_policy"]),
        accounts=accounts,
        builtin=_accounts(entry["builtin"], AccountDatabase(BUILTIN_AUTHORITY, BUILTIN_SID), digests),
        kds_root_key=entry["kds_root_key"],
    )


def _accounts(entries: Entry, database: AccountDatabase, digests: SecretDigests) -> AccountDatabase:
    """``database`` with the principals of ``entries`` (by qualified name), in their order."""
    for qualified_name, entry in entries.items():
        kind = Kind(entry["kind"])
        attributes: Entry
        if kind is Kind.USER:
            attributes = {
                "enabled": entry["enabled"],
                "password_never_expires": entry["password_never_expires"],
                "cannot_change_password": entry["cannot_change_password"],
                "description": entry["description"],
                "user_comment": entry["user_comment"],
                "admin_count": entry["admin_count"],
                "password": _secret(entry["password_digest"], digests),
            }
            for field in ("object_class", "managed_principals", "dns_host_name", "locked_out", "password_expired"):
                if field in entry:
                    attributes[field] = entry[field]
        else:
            attributes = {"members": list(entry["members"])}
        rid = int(entry["sid"].rsplit("-", 1)[1])
        database.add(qualified_name.rpartition("\\")[2], kind, rid, **attributes)
    return database


def _host(name: str, entry: Entry, domain: Domain, digests: SecretDigests) -> Host:
    conditions = entry["conditions"]
    refusal = conditions["metabase_refusal"]
    host = Host(
        name=name,
        address=entry["address"],
        domain=domain,
        domain_role=entry["domain_role"],
        os=_release(entry["os"]),
        ip_addresses=_addresses(entry["ip_addresses"]),
        complus=_catalog(entry["complus"], digests),
        metabase=None if entry["metabase"] is None else _metabase(entry["metabase"], digests),
        dcom_protocols=tuple(entry["dcom_protocols"]),
        shares=dict(entry["shares"]),
        cluster_addresses=_addresses(entry["cluster_addresses"]),
        backups=[_backup(backup, digests) for backup in entry["metabase_backups"]],
        metabase_refusal=None if refusal is None else METABASE_REFUSALS[refusal],
        rpc_listening=conditions["rpc_listening"],
        rpc_call_fails=conditions["rpc_call_fails"],
        drops_sessions=conditions["drops_sessions"],
        administrator_logged_on=conditions["administrator_logged_on"],
    )
    if entry["accounts"] is not None:
        local = AccountDatabase(name, machine_sid(name), entry["next_rid"])
        host.local_accounts = _accounts(entry["accounts"], local, digests)
        host.local_builtin = _accounts(entry["local_groups"], AccountDatabase(BUILTIN_AUTHORITY, BUILTIN_SID), digests)
    host.rights = {
        right: [_holder_sid(host, holder) for holder in holders] for right, holders in entry["user_rights"].items()
    }
    _file_server(host, entry["file_server"])
    return host


def _file_server(host: Host, entry: Entry) -> None:
    """Share permissions, folders and their ACLs, the file server's conditions. The files in a
    folder are recorded by name only (a key file's contents are key material): a folder that held
    any cannot come back."""
    host.file_server_reachable = entry["reachable"]
    host.offline_files = entry["offline_files"]
    host.share_access = {
        share: {_holder_sid(host, name): right for name, right in access.items()}
        for share, access in entry["share_access"].items()
    }
    for path, folder in entry["folders"].items():
        if folder["files"]:
            raise ValueError(f"{host.name}'s folder {path} held files, which the state records by name only")
        create_folder(host, path).access = {_holder_sid(host, name): right for name, right in folder["access"].items()}


def _holder_sid(host: Host, holder: str) -> str:
    """The SID of a user right's holder, recorded by name (or as a SID no one resolves)."""
    account = lookup_name(host, holder)
    if account is not None:
        return account.sid
    if not holder.startswith("S-1-"):
        raise ValueError(f"{holder} holds a user right of {host.name} but is no account there")
    return holder


def _release(entry: Entry) -> OsRelease:
    for release in OS_RELEASES.values():
        if (release.caption, release.version) == (entry["caption"], entry["version"]):
            return release
    raise ValueError(f"no Windows release the lab knows is {entry['caption']} {entry['version']}")


def _addresses(entries: list[Entry]) -> tuple[IpAddress, ...]:
    return tuple(IpAddress(entry["address"], entry["prefix_length"]) for entry in entries)


def _secret(digest: str | None, digests: SecretDigests) -> StoredSecret | None:
    return None if digest is None else digests.stored(digest)


def _catalog(entry: Entry, digests: SecretDigests) -> Catalog:
    """The COM+ catalog. A library application's identity is not recorded (it has none of its
    own): it comes back as the catalog's default."""
    applications = [
        Application(
            application["id"],
            application["name"],
            system=application["system"],
            components=tuple(
                Component(component["clsid"], component["prog_id"]) for component in application["components"]
            ),
            server=application["server"],
            identity=application["identity"] if application["server"] else INTERACTIVE_USER,
            password=_secret(application["password_digest"], digests),
        )
        for application in entry["applications"]
    ]
    return Catalog(
        applications=applications,
        registered_classes=set(entry["registered_classes"]),
        administrator_role=list(entry["administrator_role"]),
        replication_share=entry["replication_share"],
        installed=entry["installed"],
        local_administration=entry["local_administration"],
    )


def _metabase(keys: Entry, digests: SecretDigests) -> Metabase:
    """A metabase of the keys recorded by metabase path (parents first, siblings in creation
    order), each with the values set at it; a secure value as its stored form."""
    metabase = Metabase()
    for path, entry in keys.items():
        if path == ROOT_PATH:
            key = metabase.key("")
        elif path.startswith(ROOT_PATH + "/"):
            key = metabase.create_key(path[len(ROOT_PATH) + 1 :], entry["key_type"])
        else:
            raise ValueError(f"{path} is not a metabase path")
        key.values.clear()
        for name, value in entry["properties"].items():
            schema = find_property(name)
            if schema is None or schema.name != name or schema.bit is not None:
                raise ValueError(f"{path} sets {name}, which the metabase does not store")
            key.values[name] = (
                digests.stored(value["digest"]) if schema.secure else from_json(schema.type, value["value"], name)
            )
    return metabase


def _backup(entry: Entry, digests: SecretDigests) -> MetabaseBackup:
    snapshot = _metabase(entry["metabase"], digests).snapshot()
    return MetabaseBackup(entry["name"], entry["version"], datetime.datetime.fromisoformat(entry["date"]), snapshot)


def _first_difference(recorded: t.Any, rebuilt: t.Any, where: str) -> str:
    """Where two documents first differ, as a dotted path (``hosts.NODE1.conditions``)."""
    if isinstance(recorded, dict) and isinstance(rebuilt, dict):
        for key in [*recorded, *(key for key in rebuilt if key not in recorded)]:
            if recorded.get(key) != rebuilt.get(key):
                return _first_difference(recorded.get(key), rebuilt.get(key), f"{where}.{key}" if where else str(key))
    if isinstance(recorded, list) and isinstance(rebuilt, list) and len(recorded) == len(rebuilt):
        for index, (left, right) in enumerate(zip(recorded, rebuilt)):
            if left != right:
                return _first_difference(left, right, f"{where}[{index}]")
    return where or "the top"
