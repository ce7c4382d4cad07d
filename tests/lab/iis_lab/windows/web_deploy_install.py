"""Web Deploy as installed on a server: the product (Microsoft.Web.Deployment, msdeploy), its
remote agent service and IIS's management service.

* The **Web Deployment Agent Service** (MsDepSvc) is Web Deploy's own remote endpoint
  (``http://<computer>/MSDEPLOYAGENTSERVICE``); only administrators of the server may use it
  ("Web Deploy error codes": ERROR_USER_NOT_ADMIN, learn.microsoft.com/iis/publish/troubleshooting-web-deploy/web-deploy-error-codes).
* The **Web Management Service** (WMSvc, port 8172) is IIS's "Management Service" role service,
  which Web Deploy's handler plugs into; IIS setup does not install it by default (the lab's
  nodes do not have it: ``absent``).
* The lab installs Web Deploy 3.6 on every IIS 7.5-10 node, the release that runs on all of
  Windows Server 2008 R2 SP1, 2012 R2 and 2022 *(inferred from the release's download page, which
  lists those systems; 4.0 is a later release the lab does not model)*, with its agent running:
  the iis10 topology's nodes are ready for a sync, as the KB's scenario needs.

A service is ``running``, ``stopped`` or ``absent`` (not installed): Web Deploy without its
agent is a "custom" installation that left the remote agent out.
"""

from __future__ import annotations

import dataclasses

RUNNING, STOPPED, ABSENT = "running", "stopped", "absent"
SERVICE_STATES = (RUNNING, STOPPED, ABSENT)
LAB_VERSION = "3.6"


@dataclasses.dataclass
class WebDeployInstall:
    installed: bool = True
    version: str | None = LAB_VERSION
    agent_service: str = RUNNING
    management_service: str = ABSENT

    def uninstall(self) -> None:
        """Web Deploy removed: no product, no agent; WMSvc belongs to IIS and stays as it was."""
        self.installed, self.version, self.agent_service = False, None, ABSENT

    def install(self) -> None:
        self.installed, self.version, self.agent_service = True, LAB_VERSION, RUNNING

    def as_info(self) -> dict[str, object]:
        """``web_deploy_info``'s value."""
        return dataclasses.asdict(self)


NOT_INSTALLED = WebDeployInstall(False, None, ABSENT, ABSENT)
"""What a server without IIS 7+ has: no Web Deploy (the lab installs it with IIS 7+ only)."""
