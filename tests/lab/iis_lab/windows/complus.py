"""One host's COM+ catalog, as far as IISSync's COM+ replication (COMREPL) depends on it.

* **Applications** and their components. Applications that COM+ and IIS setup install are
  *system* applications: COMREPL neither copies nor removes them. Every other application is
  replicated from the source, and on the target every other application the source lacks is
  removed ("The COMREPL Replication Utility", "What Gets Replicated", COM+ SDK).
* **Registered classes**: the CLSIDs ``HKCR\\CLSID`` holds. A component whose CLSID is not
  registered cannot be exported: COMADMIN_E_NOREGISTRYCLSID (Q224801).
* **The System Application's Administrator role**: whoever replicates must pass its role checks
  on the source and on every target ("Using COMREPL"); by default it holds the local
  Administrators group.
* **MTS replication settings**: the share application files are copied through. Q224801 asks for
  the administration share of the drive COM+ is installed on; none configured is E_FAIL
  (Q191138). MTS 2.0 kept it as the ``ReplicationShare`` of the catalog's LocalComputer object;
  COM+ documents no such property there (COM+ SDK, "LocalComputer collection"), so the catalog
  cannot show it and ``complus_catalog`` answers null, as on Windows. The lab keeps the setting
  for what IISSync meets; an empty string means none is configured.
* **Local administration**: with MTS set to local instead of remote administration, a local
  administrator must be logged on at the target while IISSync runs, or the catalog server
  cannot start there: CO_E_SERVER_EXEC_FAILURE (Q224801).
* **Identities**: IIS 5/6 run out-of-process web applications in COM+ server applications
  (dllhost.exe): every pooled application (AppIsolated 2) in "IIS Out-Of-Process Pooled
  Applications", every isolated one (AppIsolated 1) in a package of its own, named by the
  application root's AppPackageID. A server application runs as its Identity, which IIS setup
  makes IWAM_<host>, with the password the catalog holds; a library application runs in its
  caller and has none (legacy-iis.md, synciwam.vbs; KB Q249603 step 7).
* **Installed**: a damaged COM+ installation has lost the registration of the catalog class
  itself, so every catalog call fails with REGDB_E_CLASSNOTREG (Q310412).
"""

from __future__ import annotations

import copy
import dataclasses
import typing as t

from .errors import REGDB_E_CLASSNOTREG, WindowsApiError
from .stored_secret import Secret

# Application IDs that COM+ and IIS 5 fix (the second one is the pooled package synciwam.vbs
# configures; legacy-iis.md).
SYSTEM_APPLICATION_ID = "{02D4B3F1-FD88-11D1-960D-00805FC79235}"
IIS_POOLED_APPLICATION_ID = "{3D14228D-FBE1-11D0-995D-00C04FD919C1}"
BUILTIN_ADMINISTRATORS = "BUILTIN\\Administrators"
DEFAULT_REPLICATION_SHARE = "C$"
INTERACTIVE_USER = "Interactive User"


@dataclasses.dataclass(frozen=True)
class Component:
    """A configured component: its class ID and ProgID."""

    clsid: str
    prog_id: str


@dataclasses.dataclass
class Application:
    """A COM+ application. ``system`` marks the ones COM+ and IIS setup install; a ``server``
    application runs as ``identity`` with ``password``, a library one in its caller."""

    id: str
    name: str
    system: bool = False
    components: tuple[Component, ...] = ()
    server: bool = True
    identity: str = INTERACTIVE_USER
    password: Secret | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass
class Catalog:
    """The catalog; see the module documentation for each part."""

    applications: list[Application]
    registered_classes: set[str]
    administrator_role: list[str] = dataclasses.field(default_factory=lambda: [BUILTIN_ADMINISTRATORS])
    replication_share: str = DEFAULT_REPLICATION_SHARE
    installed: bool = True
    local_administration: bool = False

    def open(self) -> Catalog:
        """The catalog as ``COMAdmin.COMAdminCatalog`` opens it; fails with REGDB_E_CLASSNOTREG
        when COM+ is damaged."""
        if not self.installed:
            raise WindowsApiError(REGDB_E_CLASSNOTREG, "COMAdmin.COMAdminCatalog is not registered")
        return self

    def find(self, application_id: str) -> Application | None:
        """The application with ``application_id`` (GUIDs compare case-insensitively)."""
        return next((app for app in self.applications if app.id.upper() == application_id.upper()), None)

    def admits_administrator(self, account: str, local_administrator: bool) -> bool:
        """Whether ``account`` passes the System Application's Administrator role check: the
        role names it, or holds the local Administrators group and ``local_administrator``."""
        for member in self.administrator_role:
            if member.lower() == account.lower():
                return True
            if member.lower() == BUILTIN_ADMINISTRATORS.lower() and local_administrator:
                return True
        return False

    def replicated_applications(self) -> list[Application]:
        """The applications COMREPL copies from this catalog (every non-system one)."""
        return [application for application in self.applications if not application.system]

    def unregistered_components(self) -> list[tuple[Application, Component]]:
        """Components of replicated applications whose CLSID the registry lacks."""
        return [
            (application, component)
            for application in self.replicated_applications()
            for component in application.components
            if component.clsid.upper() not in self.registered_classes
        ]

    def install_from(self, source: Catalog) -> None:
        """COMREPL's install phase on this (target) catalog: every non-system application is
        removed, then the source's are installed with their classes registered."""
        copied = copy.deepcopy(source.replicated_applications())
        self.applications = [application for application in self.applications if application.system] + copied
        self.registered_classes.update(component.clsid.upper() for app in copied for component in app.components)


def run_pooled_applications_as(catalog: Catalog, identity: str, password: str) -> None:
    """IIS setup's identity for the pooled out-of-process package: IWAM_<host>."""
    pooled = catalog.find(IIS_POOLED_APPLICATION_ID)
    assert pooled is not None, "install_complus creates the pooled package"
    pooled.identity, pooled.password = identity, password


def install_complus(extra_applications: t.Sequence[Application] = (), *, iis6_packages: bool = True) -> Catalog:
    """The catalog Windows 2000 (COM+ 1.0) and IIS 5 setup leave, plus ``extra_applications``
    installed by an administrator (their classes registered). IIS 7+ installs no COM+ package
    (``iis6_packages`` False): its out-of-process code runs in application pools."""
    system = [Application(SYSTEM_APPLICATION_ID, "System Application", system=True)]
    if iis6_packages:
        system.append(Application(IIS_POOLED_APPLICATION_ID, "IIS Out-Of-Process Pooled Applications", system=True))
    extra = list(extra_applications)
    return Catalog(
        applications=system + extra,
        registered_classes={component.clsid.upper() for application in extra for component in application.components},
    )
