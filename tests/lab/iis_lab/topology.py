"""The lab's topology file: the domain, the hosts and the injected faults, validated.

```yaml
domain:
  netbios: WEBFARM
  dns: webfarm.test
  admin: {user: Administrator, password: "Lab-Admin-1"}
  password_policy: {min_length: 8, complexity: true}   # optional
hosts:
  - {name: DC1,   address: 127.0.0.11, role: domain_controller}
  - {name: NODE1, address: 127.0.0.12, role: member, iis: "5.0", prefix: 24}
  - {name: NODE2, address: 127.0.0.13, role: member, iis: "5.0", ip_addresses: [10.20.0.13/24],
     applications: [{path: W3SVC/1/ROOT/Shop, isolation: isolated}]}
cluster: {addresses: [10.20.0.100/24]}
faults:
  - {kind: dcom_protocols_differ, host: NODE2}
metabase_properties: 10000   # optional
```

Per host: ``address`` is the loopback address the lab's WinRM listener for that host binds;
``role`` is ``domain_controller`` or ``member``; ``iis`` (``"5.0"`` or ``"6.0"``) installs IIS;
``os`` (``"2000"`` or ``"2003"``) defaults to the release that ships that IIS version (IIS 5.0
only exists on Windows 2000, IIS 6.0 only on Windows Server 2003), else to Windows 2000.
The addresses Windows reports for the host are ``ip_addresses`` (CIDRs) when given, else one
address in the lab subnet 10.20.0.0: ``10.20.0.<last octet of address>/<prefix>``, prefix 24
unless ``prefix`` says otherwise. ``complus_applications`` names COM+ applications an
administrator installed on the host (besides the ones setup installs).

``cluster.addresses`` are the IP Address resources of the cluster's groups (the IIS group's
virtual address), which every cluster node reports; by default ``10.20.0.100/24``.
``cluster.source`` names the node meant as the sync source: the inventory gives it as
``iis_cluster_source``.
``faults`` injects faults (:mod:`iis_lab.faults`), each naming its ``kind`` and the ``host``
it affects, which must be a cluster node.

``applications`` (hosts with IIS) are web applications below the Default Web Site's ROOT, each
``in_process``, ``pooled`` or ``isolated`` (a COM+ package of its own).

``metabase_properties`` (default 0) seeds that many extra properties into the metabase of every
host with IIS, identical on each, in the shape of a busy web site (virtual directories below the Default Web Site's ROOT, and
applications below them: :func:`~iis_lab.windows.iis_setup.seed_properties`), for measuring
how the collection scales with the size of a metabase.

``domain.password_policy`` replaces the password settings of the Default Domain Policy, which
otherwise follow the release of the first domain controller (Windows 2000: none; Windows Server
2003: 7 characters and complexity).

Every problem found is reported at once, each with where it is (``hosts[1].iis: ...``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import ipaddress
import json
import os
import re
import typing as t

import yaml

from .faults import FAULT_KINDS
from .web_deploy_faults import WEB_DEPLOY_FAULT_KINDS
from .windows.accounts import PasswordPolicy
from .windows.host import OS_RELEASES, IpAddress
from .windows.iis_setup import ISOLATION_LEVELS

ROLE_DOMAIN_CONTROLLER = "domain_controller"
ROLE_MEMBER = "member"
ROLES = (ROLE_DOMAIN_CONTROLLER, ROLE_MEMBER)
IIS_VERSIONS = ("5.0", "6.0", "7.5", "8.5", "10.0")
MODERN_IIS_VERSIONS = ("7.5", "8.5", "10.0")
KDS_ROOT_KEY_STATES = ("usable", "pending")
LAB_SUBNET_PREFIX = "10.20.0."
DEFAULT_PREFIX_LENGTH = 24
DEFAULT_TOPOLOGY_NAME = "default"
MAX_METABASE_PROPERTIES = 1_000_000
DEFAULT_CLUSTER_ADDRESSES = (IpAddress(LAB_SUBNET_PREFIX + "100", DEFAULT_PREFIX_LENGTH),)

_NETBIOS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,14}$")
_NETBIOS_NAME_RULE = "a NetBIOS name (1-15 letters, digits, -)"
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
_OS_FOR_IIS = {"5.0": "2000", "6.0": "2003", "7.5": "2008R2", "8.5": "2012R2", "10.0": "2022"}
# The lab's sites: the Default Web Site only, with applications one level below its ROOT.
_APPLICATION_PATH = re.compile(r"^W3SVC/1/ROOT/[A-Za-z0-9_-]{1,64}$")


@dataclasses.dataclass(frozen=True)
class DomainSpec:
    netbios: str
    dns: str
    admin_user: str
    admin_password: str = dataclasses.field(repr=False)
    password_policy: PasswordPolicy | None = None
    """None: the Default Domain Policy of the first domain controller's release."""
    kds_root_key: str | None = None
    managed_service_accounts: tuple[ManagedServiceAccountSpec, ...] = ()


@dataclasses.dataclass(frozen=True)
class ManagedServiceAccountSpec:
    """A gMSA the domain holds from the start: its name (without ``$``) and the computers or
    groups allowed to retrieve its password."""

    name: str
    principals: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ApplicationSpec:
    path: str
    isolation: str


@dataclasses.dataclass(frozen=True)
class HostSpec:
    name: str
    address: str
    role: str
    os: str
    iis: str | None
    ip_addresses: tuple[IpAddress, ...]
    complus_applications: tuple[str, ...] = ()
    applications: tuple[ApplicationSpec, ...] = ()
    applicationhost: str | None = None
    """IIS 7+: the applicationHost.config file the host starts with (None: IIS setup's)."""

    @property
    def in_iis_cluster(self) -> bool:
        """Members and every host with IIS are cluster nodes; a member without IIS is one whose
        IIS is missing, which the collection has to report."""
        return self.role == ROLE_MEMBER or self.iis is not None


@dataclasses.dataclass(frozen=True)
class FaultSpec:
    """A fault to inject: its kind (a name in :data:`~iis_lab.faults.FAULT_KINDS`) and the
    host it affects."""

    kind: str
    host: str


@dataclasses.dataclass(frozen=True)
class SharedConfigSpec:
    """``shared_config``: the host meant to serve the cluster's shared configuration, and the
    domain account meant to read it (created in Domain Users with ``reader_password``)."""

    host: str
    reader: str
    reader_password: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Topology:
    domain: DomainSpec
    hosts: tuple[HostSpec, ...]
    faults: tuple[FaultSpec, ...]
    source: str
    """Where the topology came from: a file path, or ``default``."""
    cluster_addresses: tuple[IpAddress, ...] = DEFAULT_CLUSTER_ADDRESSES
    metabase_properties: int = 0
    cluster_source: str | None = None
    """``cluster.source``: the node meant as the sync source, which the inventory names as
    ``iis_cluster_source`` (None: the collection's default, the first node)."""
    """How many extra properties each IIS host's metabase is seeded with."""
    shared_config: SharedConfigSpec | None = None


def fingerprint(topology: Topology) -> dict[str, str]:
    """A SHA-256 digest of each part of ``topology`` (``domain``, ``hosts``, ``cluster``,
    ``faults``) as parsed, so that neither formatting nor where the file lies changes it: a lab
    resuming from its state directory compares them to know it runs the topology that state was
    written for, and which part differs when not. The administrator's password is left out: a
    plain hash of it would record the secret. The state checks it against a salted digest."""
    domain = dataclasses.asdict(topology.domain)
    del domain["admin_password"]
    parts = {
        "domain": domain,
        "hosts": [dataclasses.asdict(host) for host in topology.hosts],
        "cluster": [dataclasses.asdict(address) for address in topology.cluster_addresses],
        "faults": [dataclasses.asdict(fault) for fault in topology.faults],
    }
    if topology.metabase_properties:
        # Only when seeded, so that the state of an unseeded lab keeps its fingerprint.
        parts["metabase_properties"] = topology.metabase_properties
    if topology.shared_config is not None:
        # The reader's password is left out, as the administrator's.
        shared = topology.shared_config
        parts["shared_config"] = {"host": shared.host, "reader": shared.reader}
    return {
        name: hashlib.sha256(json.dumps(part, sort_keys=True).encode("utf-8")).hexdigest()
        for name, part in parts.items()
    }


class TopologyError(ValueError):
    """The topology is invalid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"invalid topology {source}:\n" + "\n".join(f"  - {problem}" for problem in problems))


def _default_text() -> str:
    return importlib.resources.files(__package__).joinpath("topologies/default.yml").read_text(encoding="utf-8")


def default_document(**changes: t.Any) -> dict[str, t.Any]:
    """The default topology as a document to start a test's topology from: top-level keys
    replaced (``faults=[...]``), or a host's keys updated (``NODE2={"complus_applications": [...]}``)."""
    document = t.cast(dict[str, t.Any], yaml.safe_load(_default_text()))
    for key, value in changes.items():
        host = next((entry for entry in document["hosts"] if entry["name"] == key), None)
        if host is not None:
            host.update(value)
        else:
            document[key] = value
    return document


def load_topology(path: str | None) -> Topology:
    """Read and validate the topology file at ``path`` (None: the default topology)."""
    if path is None:
        text = _default_text()
        source = DEFAULT_TOPOLOGY_NAME
    else:
        try:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
        except OSError as error:
            raise TopologyError(path, [f"cannot read the file: {error.strerror}"]) from error
        source = path
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise TopologyError(source, [f"not valid YAML: {error}"]) from error
    return parse_topology(document, source)


def parse_topology(document: t.Any, source: str) -> Topology:
    """Validate a topology ``document`` (parsed YAML) read from ``source``."""
    problems = _Problems()
    root = problems.mapping(
        document,
        "topology",
        required={"domain", "hosts"},
        optional={"faults", "cluster", "metabase_properties", "shared_config"},
    )
    domain = _parse_domain(root.get("domain"), problems)
    base = os.path.dirname(source) if os.path.isfile(source) else str(importlib.resources.files(__package__).joinpath("topologies"))
    hosts = _parse_hosts(root.get("hosts"), base, problems)
    cluster_addresses = _parse_cluster(root.get("cluster"), problems)
    cluster_source = _parse_cluster_source(root.get("cluster"), [host for host in hosts if host is not None], problems)
    faults = _parse_faults(root.get("faults", []), [host for host in hosts if host is not None], problems)
    known_hosts = [host for host in hosts if host is not None]
    shared_config = _parse_shared_config(root.get("shared_config"), known_hosts, problems)
    metabase_properties = root.get("metabase_properties", 0)
    if (
        not isinstance(metabase_properties, int)
        or isinstance(metabase_properties, bool)
        or not 0 <= metabase_properties <= MAX_METABASE_PROPERTIES
    ):
        problems.add(
            "metabase_properties",
            f"must be a number of properties from 0 to {MAX_METABASE_PROPERTIES}, not {metabase_properties!r}",
        )
    if domain is not None:
        for index, host in enumerate(hosts):
            if host is not None and host.name == domain.netbios:
                problems.add(f"hosts[{index}].name", f"{host.name} is the domain's NetBIOS name")
    if problems:
        raise TopologyError(source, list(problems))
    assert domain is not None  # no problems: every part parsed
    return Topology(
        domain,
        tuple(t.cast(list[HostSpec], hosts)),
        tuple(faults),
        source,
        cluster_addresses,
        metabase_properties,
        cluster_source,
        shared_config,
    )


class _Problems(list[str]):
    """The problems found so far, and the checks that record them."""

    def add(self, where: str, problem: str) -> None:
        self.append(f"{where}: {problem}")

    def mapping(
        self, value: t.Any, where: str, *, required: t.AbstractSet[str], optional: t.AbstractSet[str] = frozenset()
    ) -> dict[str, t.Any]:
        """``value`` as a mapping, after reporting missing and unknown keys (empty when it is
        not a mapping at all)."""
        if not isinstance(value, dict):
            self.add(where, f"must be a mapping, not {_kind(value)}")
            return {}
        for key in sorted(required - value.keys()):
            self.add(where, f"missing key {key!r}")
        for key in sorted(value.keys() - required - optional, key=str):
            self.add(where, f"unknown key {key!r} (known: {', '.join(sorted(required | optional))})")
        return value

    def text(self, value: t.Any, where: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str | None:
        if not isinstance(value, str) or not value:
            self.add(where, f"must be a non-empty string, not {_kind(value)}")
            return None
        if pattern is not None and not pattern.match(value):
            self.add(where, f"{value!r} is not {what}")
            return None
        return value

    def choice(self, value: t.Any, where: str, choices: t.Sequence[str]) -> str | None:
        # YAML reads an unquoted 5.0 or 2000 as a number: accept it as the text it spells.
        text = str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        if text not in choices:
            self.add(where, f"must be one of {', '.join(repr(choice) for choice in choices)}, not {value!r}")
            return None
        return text


def _parse_domain(value: t.Any, problems: _Problems) -> DomainSpec | None:
    if value is None:
        return None
    domain = problems.mapping(
        value,
        "domain",
        required={"netbios", "dns", "admin"},
        optional={"password_policy", "kds_root_key", "managed_service_accounts"},
    )
    netbios = problems.text(domain.get("netbios"), "domain.netbios", _NETBIOS_NAME, _NETBIOS_NAME_RULE)
    dns = problems.text(domain.get("dns"), "domain.dns", _DNS_NAME, "a DNS domain name")
    admin = (
        problems.mapping(domain.get("admin"), "domain.admin", required={"user", "password"})
        if "admin" in domain
        else {}
    )
    user = problems.text(admin.get("user"), "domain.admin.user") if admin else None
    password = problems.text(admin.get("password"), "domain.admin.password") if admin else None
    policy = _parse_password_policy(domain["password_policy"], problems) if "password_policy" in domain else None
    kds = problems.choice(domain["kds_root_key"], "domain.kds_root_key", KDS_ROOT_KEY_STATES) if "kds_root_key" in domain else None
    accounts = _parse_managed_service_accounts(domain.get("managed_service_accounts", []), problems)
    if netbios is None or dns is None or user is None or password is None:
        return None
    return DomainSpec(netbios.upper(), dns.lower(), user, password, policy, kds, accounts)


def _parse_managed_service_accounts(value: t.Any, problems: _Problems) -> tuple[ManagedServiceAccountSpec, ...]:
    where = "domain.managed_service_accounts"
    if not isinstance(value, list):
        problems.add(where, f"must be a list, not {_kind(value)}")
        return ()
    accounts = []
    for index, entry in enumerate(value):
        account = problems.mapping(entry, f"{where}[{index}]", required={"name", "principals"})
        name = problems.text(account.get("name"), f"{where}[{index}].name", _NETBIOS_NAME, _NETBIOS_NAME_RULE)
        principals = account.get("principals")
        if not isinstance(principals, list) or not all(isinstance(item, str) and item for item in principals):
            problems.add(f"{where}[{index}].principals", "must be a list of computer or group names")
        elif name is not None:
            accounts.append(ManagedServiceAccountSpec(name, tuple(principals)))
    return tuple(accounts)


def _parse_password_policy(value: t.Any, problems: _Problems) -> PasswordPolicy | None:
    where = "domain.password_policy"
    policy = problems.mapping(value, where, required={"min_length", "complexity"})
    if not policy:
        return None
    min_length, complexity = policy.get("min_length"), policy.get("complexity")
    # SAM keeps the minimum length in a 16-bit field and allows at most 14 (LM_PWLEN).
    if not isinstance(min_length, int) or isinstance(min_length, bool) or not 0 <= min_length <= 14:
        problems.add(f"{where}.min_length", f"must be a number of characters from 0 to 14, not {min_length!r}")
        return None
    if not isinstance(complexity, bool):
        problems.add(f"{where}.complexity", f"must be true or false, not {complexity!r}")
        return None
    return PasswordPolicy(min_length, complexity)


def _parse_hosts(value: t.Any, base: str, problems: _Problems) -> list[HostSpec | None]:
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        problems.add("hosts", f"must be a non-empty list, not {_kind(value)}")
        return []
    hosts = [_parse_host(entry, f"hosts[{index}]", base, problems) for index, entry in enumerate(value)]
    _check_unique(hosts, "name", problems)
    _check_unique(hosts, "address", problems)
    if not any(host is not None and host.role == ROLE_DOMAIN_CONTROLLER for host in hosts) and all(hosts):
        problems.add("hosts", f"no host has role {ROLE_DOMAIN_CONTROLLER!r}: the domain needs one")
    return hosts


def _parse_host(value: t.Any, where: str, base: str | None, problems: _Problems) -> HostSpec | None:
    host = problems.mapping(
        value,
        where,
        required={"name", "address", "role"},
        optional={"iis", "os", "prefix", "ip_addresses", "complus_applications", "applications", "applicationhost"},
    )
    if not host:
        return None
    count = len(problems)
    name = problems.text(host.get("name"), f"{where}.name", _NETBIOS_NAME, _NETBIOS_NAME_RULE)
    address = _parse_listener_address(host.get("address"), f"{where}.address", problems)
    role = problems.choice(host.get("role"), f"{where}.role", ROLES)
    iis = problems.choice(host["iis"], f"{where}.iis", IIS_VERSIONS) if "iis" in host else None
    os_name = problems.choice(host["os"], f"{where}.os", tuple(OS_RELEASES)) if "os" in host else None
    if iis is not None and os_name is not None and _OS_FOR_IIS[iis] != os_name:
        problems.add(
            f"{where}.iis", f"IIS {iis} does not run on Windows {os_name} (it ships with Windows {_OS_FOR_IIS[iis]})"
        )
    ip_addresses = _parse_ip_addresses(host, address, where, problems)
    complus_applications = host.get("complus_applications", [])
    if not isinstance(complus_applications, list) or not all(
        isinstance(item, str) and item for item in complus_applications
    ):
        problems.add(f"{where}.complus_applications", "must be a list of application names")
    applications = _parse_applications(host.get("applications", []), iis, where, problems)
    applicationhost = None
    if "applicationhost" in host:
        applicationhost = problems.text(host["applicationhost"], f"{where}.applicationhost")
        if iis not in MODERN_IIS_VERSIONS:
            problems.add(f"{where}.applicationhost", "needs IIS 7.5, 8.5 or 10.0 on the host")
        elif applicationhost is not None:
            applicationhost = _read_applicationhost(applicationhost, base, f"{where}.applicationhost", problems)
    if len(problems) > count or name is None or address is None or role is None:
        return None
    return HostSpec(
        name=name.upper(),
        address=address,
        role=role,
        os=os_name or (_OS_FOR_IIS[iis] if iis else "2000"),
        iis=iis,
        ip_addresses=ip_addresses,
        complus_applications=tuple(complus_applications),
        applications=applications,
        applicationhost=applicationhost,
    )


def _read_applicationhost(path: str, base: str | None, where: str, problems: _Problems) -> str | None:
    """The text of an applicationHost.config file, its path relative to the topology file's
    folder. The text (not the path) is the host's: the fingerprint follows what the file says."""
    full = os.path.join(base or ".", path)
    try:
        with open(full, encoding="utf-8", newline="") as stream:
            return stream.read()
    except OSError as error:
        problems.add(where, f"cannot read {full}: {error.strerror}")
        return None


def _parse_applications(
    value: t.Any, iis: str | None, where: str, problems: _Problems
) -> tuple[ApplicationSpec, ...]:
    if not isinstance(value, list):
        problems.add(f"{where}.applications", f"must be a list, not {_kind(value)}")
        return ()
    if value and iis not in ("5.0", "6.0"):
        problems.add(f"{where}.applications", "needs IIS 5.0 or 6.0 on the host (metabase paths)")
        return ()
    applications = []
    for index, entry in enumerate(value):
        place = f"{where}.applications[{index}]"
        application = problems.mapping(entry, place, required={"path", "isolation"})
        path = problems.text(application.get("path"), f"{place}.path", _APPLICATION_PATH, "W3SVC/1/ROOT/<name>")
        isolation = problems.choice(application.get("isolation"), f"{place}.isolation", tuple(ISOLATION_LEVELS))
        if path is not None and isolation is not None:
            applications.append(ApplicationSpec(path, isolation))
    return tuple(applications)


def _parse_listener_address(value: t.Any, where: str, problems: _Problems) -> str | None:
    text = problems.text(value, where)
    if text is None:
        return None
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        problems.add(where, f"{text!r} is not an IPv4 address")
        return None
    if not address.is_loopback:
        problems.add(where, f"{text} is not a loopback address (127.0.0.0/8): the lab listens on loopback only")
        return None
    return str(address)


def _parse_ip_addresses(
    host: dict[str, t.Any], address: str | None, where: str, problems: _Problems
) -> tuple[IpAddress, ...]:
    if "ip_addresses" in host:
        if "prefix" in host:
            problems.add(f"{where}.prefix", "applies only to the derived address: give it in ip_addresses instead")
        entries = host["ip_addresses"]
        if not isinstance(entries, list) or not entries:
            problems.add(f"{where}.ip_addresses", f"must be a non-empty list of CIDRs, not {_kind(entries)}")
            return ()
        return tuple(
            ip
            for index, entry in enumerate(entries)
            if (ip := _parse_cidr(entry, f"{where}.ip_addresses[{index}]", problems)) is not None
        )
    prefix = host.get("prefix", DEFAULT_PREFIX_LENGTH)
    if not isinstance(prefix, int) or isinstance(prefix, bool) or not 1 <= prefix <= 30:
        problems.add(f"{where}.prefix", f"must be a prefix length from 1 to 30, not {prefix!r}")
        return ()
    if address is None:
        return ()
    return (IpAddress(LAB_SUBNET_PREFIX + address.rsplit(".", 1)[1], prefix),)


def _parse_cidr(value: t.Any, where: str, problems: _Problems) -> IpAddress | None:
    if not isinstance(value, str) or "/" not in value:
        problems.add(where, f"must be an IPv4 address with its prefix length, like 10.20.0.12/24, not {value!r}")
        return None
    try:
        interface = ipaddress.IPv4Interface(value)
    except ValueError as error:
        problems.add(where, str(error))
        return None
    return IpAddress(str(interface.ip), interface.network.prefixlen)


def _check_unique(hosts: list[HostSpec | None], field: str, problems: _Problems) -> None:
    seen: dict[str, int] = {}
    for index, host in enumerate(hosts):
        if host is None:
            continue
        value = getattr(host, field)
        if value in seen:
            problems.add(f"hosts[{index}].{field}", f"{value} is already used by hosts[{seen[value]}]")
        else:
            seen[value] = index


def _parse_cluster_source(value: t.Any, hosts: list[HostSpec], problems: _Problems) -> str | None:
    if not isinstance(value, dict) or "source" not in value:
        return None
    nodes = {host.name for host in hosts if host.in_iis_cluster}
    source = value["source"]
    if not isinstance(source, str) or source.upper() not in nodes:
        problems.add("cluster.source", f"{source!r} is not a cluster node of this topology ({', '.join(sorted(nodes))})")
        return None
    return source.upper()


def _parse_cluster(value: t.Any, problems: _Problems) -> tuple[IpAddress, ...]:
    if value is None:
        return DEFAULT_CLUSTER_ADDRESSES
    cluster = problems.mapping(value, "cluster", required={"addresses"}, optional={"source"})
    entries = cluster.get("addresses")
    if not isinstance(entries, list):
        problems.add("cluster.addresses", f"must be a list of CIDRs, not {_kind(entries)}")
        return ()
    return tuple(
        ip
        for index, entry in enumerate(entries)
        if (ip := _parse_cidr(entry, f"cluster.addresses[{index}]", problems)) is not None
    )


def _parse_shared_config(value: t.Any, hosts: list[HostSpec], problems: _Problems) -> SharedConfigSpec | None:
    if value is None:
        return None
    entry = problems.mapping(value, "shared_config", required={"host", "reader"})
    reader = (
        problems.mapping(entry.get("reader"), "shared_config.reader", required={"user", "password"}) if entry else {}
    )
    host = entry.get("host")
    if entry and (not isinstance(host, str) or host.upper() not in {spec.name for spec in hosts}):
        problems.add("shared_config.host", f"{host!r} is not a host of this topology")
        return None
    user = (
        problems.text(reader.get("user"), "shared_config.reader.user", _NETBIOS_NAME, "an account name")
        if reader
        else None
    )
    password = problems.text(reader.get("password"), "shared_config.reader.password") if reader else None
    if user is None or password is None:
        return None
    return SharedConfigSpec(t.cast(str, host).upper(), user, password)


def _parse_faults(value: t.Any, hosts: list[HostSpec], problems: _Problems) -> list[FaultSpec]:
    if not isinstance(value, list):
        problems.add("faults", f"must be a list, not {_kind(value)}")
        return []
    nodes = {host.name for host in hosts if host.in_iis_cluster}
    modern = {spec.name for spec in hosts if spec.iis in MODERN_IIS_VERSIONS}
    faults = []
    for index, entry in enumerate(value):
        where = f"faults[{index}]"
        fault = problems.mapping(entry, where, required={"kind", "host"})
        if not fault:
            continue
        kind, host = fault.get("kind"), fault.get("host")
        if kind not in FAULT_KINDS and kind not in WEB_DEPLOY_FAULT_KINDS:
            known = sorted([*FAULT_KINDS, *WEB_DEPLOY_FAULT_KINDS])
            problems.add(f"{where}.kind", f"unknown fault kind {kind!r} (known kinds: {', '.join(known)})")
        elif not isinstance(host, str) or host.upper() not in nodes:
            problems.add(
                f"{where}.host", f"{host!r} is not a cluster node of this topology ({', '.join(sorted(nodes))})"
            )
        elif (kind in WEB_DEPLOY_FAULT_KINDS) != (host.upper() in modern):
            problems.add(
                f"{where}.kind", f"{kind!r} is a fault of {'IIS 7-10' if kind in WEB_DEPLOY_FAULT_KINDS else 'IIS 5/6'} nodes"
            )
        else:
            faults.append(FaultSpec(kind, host.upper()))
    return faults


def _kind(value: t.Any) -> str:
    return "nothing" if value is None else type(value).__name__
